#!/usr/bin/env python3
"""Peer engines for airlock-bench: count the rows of a CSV whose `n` is below 10, and print the count.

Usage: bench_peers.py {polars|duckdb|pandas} PATH
       bench_peers.py versions
"""
import sys


def count(engine: str, path: str) -> int:
    if engine == "polars":
        import polars as pl

        return pl.scan_csv(path).filter(pl.col("n") < 10).select(pl.len()).collect().item()
    if engine == "duckdb":
        import duckdb

        quoted = path.replace("'", "''")
        return duckdb.connect().execute(f"SELECT count(*) FROM read_csv('{quoted}') WHERE n < 10").fetchall()[0][0]
    if engine == "pandas":
        import pandas as pd

        df = pd.read_csv(path)
        return int((df.n < 10).sum())
    raise SystemExit(f"bench_peers.py: unknown engine {engine!r} (expected polars, duckdb or pandas)")


def versions() -> str:
    found = []
    for name in ("polars", "duckdb", "pandas"):
        try:
            module = __import__(name)
            found.append(f"{name} {module.__version__}")
        except ImportError:
            found.append(f"{name} not installed")
    return ", ".join(found) + f" (Python {sys.version.split()[0]})"


def main() -> None:
    if len(sys.argv) == 2 and sys.argv[1] == "versions":
        print(versions())
    elif len(sys.argv) == 3:
        print(count(sys.argv[1], sys.argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
