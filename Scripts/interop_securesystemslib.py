#!/usr/bin/env python3
"""Interop check: review records signed by airlock verify with Python's securesystemslib.

Runs a whole request through the built `airlock` binary (submit, two independent reviews,
approve, release) in a temporary folder, then checks the released record with
securesystemslib's `Envelope.verify` (threshold 2), that the key ids airlock writes equal
securesystemslib's default key ids, that the statement is an in-toto Statement v1 whose
subjects match the released files, and that a tampered record is refused.

Usage: python3 Scripts/interop_securesystemslib.py [--airlock PATH] [RECORD --key PUB.pem ...]
Exit 0 on success, 1 on an interop failure, 2 when securesystemslib is missing.
"""
import argparse
import base64
import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile

try:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from securesystemslib.dsse import Envelope
    from securesystemslib.exceptions import VerificationError
    from securesystemslib.signer import SSlibKey
except ImportError as error:  # pragma: no cover
    print(f"error: securesystemslib is not installed ({error}); pip install securesystemslib", file=sys.stderr)
    sys.exit(2)


def load_key(path):
    with open(path, "rb") as handle:
        return SSlibKey.from_crypto(load_pem_public_key(handle.read()))


def check_record(record_path, key_paths, threshold, files_dir=None):
    failures = []
    with open(record_path) as handle:
        data = json.load(handle)
    keys = [load_key(path) for path in key_paths]
    envelope = Envelope.from_dict(copy.deepcopy(data))  # from_dict consumes its argument
    try:
        accepted = envelope.verify(keys, threshold)
    except VerificationError as error:
        return [f"securesystemslib refused the record: {error}"]
    if len(accepted) < threshold:
        failures.append(f"only {len(accepted)} keys accepted")
    signed_ids = {signature["keyid"] for signature in data["signatures"]}
    for key in keys:
        if key.keyid not in signed_ids:
            failures.append(f"securesystemslib keyid {key.keyid} not among the record's keyids {sorted(signed_ids)}")
    for signature in data["signatures"]:
        if len(signature["sig"]) % 4 != 0:
            failures.append("signature base64 is not padded")
    statement = json.loads(base64.b64decode(data["payload"]))
    if data["payloadType"] != "application/vnd.in-toto+json":
        failures.append(f"payloadType {data['payloadType']}")
    if statement.get("_type") != "https://in-toto.io/Statement/v1":
        failures.append(f"_type {statement.get('_type')}")
    if statement["predicate"]["decision"]["outcome"] != "APPROVED":
        failures.append("decision is not APPROVED")
    if files_dir:
        for subject in statement["subject"]:
            with open(os.path.join(files_dir, subject["name"]), "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
            if digest != subject["digest"]["sha256"]:
                failures.append(f"{subject['name']}: digest differs")
    # A tampered payload must be refused.
    tampered = copy.deepcopy(data)
    payload = bytearray(base64.b64decode(data["payload"]))
    payload[10] ^= 0x01
    tampered["payload"] = base64.b64encode(bytes(payload)).decode()
    try:
        Envelope.from_dict(tampered).verify(keys, threshold)
        failures.append("securesystemslib accepted a tampered payload")
    except VerificationError:
        pass
    return failures


def run(airlock, cwd, *args, env=None):
    result = subprocess.run([airlock, *args], cwd=cwd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"error: airlock {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def whole_flow(airlock):
    with tempfile.TemporaryDirectory() as folder:
        trust = []
        for name, role in [("alice", "airlock-submit"), ("bob", "airlock-review"), ("carol", "airlock-review"),
                           ("ops", "airlock-release")]:
            out = run(airlock, folder, "keygen", "--out", f"{name}.key", "--principal", f"{name}@tre", "--role", role)
            trust.append(out.strip().splitlines()[-1])
        with open(os.path.join(folder, "allowed_signers"), "w") as handle:
            handle.write("\n".join(trust) + "\n")
        with open(os.path.join(folder, "table.csv"), "w") as handle:
            handle.write("region,count\nNorth,15\nSouth,40\n")
        env = dict(os.environ, AIRLOCK_STORE=os.path.join(folder, "store"))
        run(airlock, folder, "init", "--trust", "allowed_signers", "--rules", "opensafely", env=env)
        request = run(airlock, folder, "submit", "table.csv", "--project", "p", "--group", "g", "--context", "counts",
                      "--controls", "rounded to 5", "--key", "alice.key", env=env).strip()
        for checker in ["bob", "carol"]:
            run(airlock, folder, "vote", request, "table.csv", "approve", "--comment", "safe", "--key", f"{checker}.key", env=env)
            run(airlock, folder, "submit-review", request, "--key", f"{checker}.key", env=env)
        run(airlock, folder, "approve", request, "--key", "bob.key", env=env)
        run(airlock, folder, "release", request, "--to", "out", "--key", "ops.key", env=env)
        record = os.path.join(folder, "out", f"{request}.review.json")
        return check_record(record, [os.path.join(folder, "bob.key.pub"), os.path.join(folder, "carol.key.pub")], 2,
                            os.path.join(folder, "out"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", nargs="?", help="a record to check (default: make one with --airlock)")
    parser.add_argument("--key", action="append", default=[], help="a reviewer's PEM public key (with RECORD)")
    parser.add_argument("--threshold", type=int, default=2)
    parser.add_argument("--airlock", default=".build/debug/airlock", help="the airlock binary")
    args = parser.parse_args()
    if args.record:
        failures = check_record(args.record, args.key, args.threshold)
    else:
        failures = whole_flow(os.path.abspath(args.airlock))
    for failure in failures:
        print(f"interop failure: {failure}", file=sys.stderr)
    if failures:
        return 1
    print("securesystemslib verified the airlock review record (2 reviewer keys, keyids match; tampering refused)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
