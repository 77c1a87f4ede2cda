#!/usr/bin/env python3
"""Writes Sources/Airlock/Configuration/BuiltInPacks.swift from rules/*.yaml (the packs compiled into airlock).
The test suite fails when the two drift; run this script (or AIRLOCK_UPDATE_DOCS=1 swift test) to refresh."""
import pathlib
root = pathlib.Path(__file__).resolve().parent.parent
out = ["// GENERATED from rules/*.yaml by Scripts/generate-packs.py: do not edit.", "",
       "/// The built-in rule packs, compiled in so that the `airlock` binary is self-contained.",
       "enum BuiltInPacks {", "  static let texts: [String: String] = ["]
for path in sorted((root / "rules").glob("*.yaml")):
    text = path.read_text()
    assert '"""#' not in text
    out.append(f'    "{path.stem}": #"""')
    out.extend(text.rstrip("\n").split("\n"))
    out.append('"""#,')
out += ["  ]", "}", ""]
(root / "Sources/Airlock/Configuration/BuiltInPacks.swift").write_text("\n".join(out))
