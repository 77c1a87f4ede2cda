#!/usr/bin/env python3
"""Checks `airlock tabulate`'s evidence file against pandas, at unit level (issue 22).

Usage: tabulate_pandas_oracle.py DATA EVIDENCE --rows a,b --sum X [--unit ID] [--margins] [--margin-label Total]

Reads DATA with every field as text (labels stay as written; the missing spellings airlock reads as
no value become `(missing)` labels and missing values), computes per cell of the cube the records,
missing values, units' totals (two records of one unit in a cell are one contribution), their sum,
absolute sum, negatives, the two largest by absolute value, min, max and distinct values, and
compares every number with EVIDENCE. Exits 0 when all agree, 1 (listing the differences) otherwise.
"""
import argparse
import itertools
import sys
from decimal import Decimal

import pandas as pd

MISSING = {"", "na", "nan", "<na>", ".", "null", "none", "#n/a", "n/a"}


def is_missing(text):
    return text.strip(" \t").lower() in MISSING


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("evidence")
    parser.add_argument("--rows", required=True)
    parser.add_argument("--sum", required=True)
    parser.add_argument("--unit")
    parser.add_argument("--margins", action="store_true")
    parser.add_argument("--margin-label", default="Total")
    args = parser.parse_args()
    dims = args.rows.split(",")

    df = pd.read_csv(args.data, dtype=str, keep_default_na=False)
    for d in dims:
        df[d] = df[d].map(lambda v: "(missing)" if is_missing(v) else v)
    df["_missing"] = df[args.sum].map(is_missing)
    # Exact decimals, as airlock sums them.
    df["_x"] = df[args.sum].map(lambda v: Decimal(0) if is_missing(v) else Decimal(v.strip()))
    df["_unit"] = df[args.unit] if args.unit else pd.Series(range(len(df)), index=df.index).astype(str)

    masks = range(1 << len(dims)) if args.margins else [0]
    expected = {}
    for mask in masks:
        frame = df.copy()
        for i, d in enumerate(dims):
            if mask & (1 << i):
                frame[d] = args.margin_label
        for key, cell in frame.groupby(dims, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            values = cell[~cell["_missing"]]
            totals = values.groupby("_unit")["_x"].sum()
            largest = sorted((abs(t) for t in totals), reverse=True) + [Decimal(0), Decimal(0)]
            row = {
                "n": Decimal(len(cell)),
                "n_missing": Decimal(int(cell["_missing"].sum())),
                "sum": sum(values["_x"], Decimal(0)),
                "sum_abs": sum((abs(t) for t in totals), Decimal(0)),
                "n_negative": Decimal(int((totals < 0).sum())),
                "top1": largest[0],
                "top2": largest[1],
                "n_distinct": Decimal(values["_x"].nunique()),
            }
            if len(values):
                row["min"] = min(values["_x"])
                row["max"] = max(values["_x"])
            if args.unit:
                row["n_units"] = Decimal(len(totals))
            expected[tuple(key)] = row

    evidence = pd.read_csv(args.evidence, dtype=str, keep_default_na=False)
    problems = []
    seen = set()
    for _, line in evidence.iterrows():
        key = tuple(line[d] for d in dims)
        seen.add(key)
        if key not in expected:
            problems.append(f"{key}: not a cell pandas finds")
            continue
        for name, value in expected[key].items():
            if Decimal(line[name]) != value:
                problems.append(f"{key} {name}: airlock {line[name]}, pandas {value}")
    for key in expected.keys() - seen:
        problems.append(f"{key}: missing from the evidence")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
