#!/usr/bin/env python3
"""An outside check of airlock's decision log, written from the C2SP and RFC 6962/9162 specs.

It shares no code with airlock. Usage:

    verify_checkpoint.py --vkey LOG.vkey CHECKPOINT [--entries entries.jsonl] [--receipt FILE.tlog-proof]

* CHECKPOINT: a C2SP signed-note checkpoint; its Ed25519 signature must verify under the pinned
  vkey (name+hex keyID+base64(0x01||key), keyID = SHA-256(name||0x0A||0x01||key)[:4]).
* --entries: recompute the RFC 6962 root of the first SIZE lines (leaf = line bytes without "\\n").
* --receipt: a c2sp.org/tlog-proof@v1 receipt; its checkpoint must verify and its inclusion proof
  must lead from SHA-256(0x00||extra) to that checkpoint's root (RFC 9162 2.1.3.2).

Exit 0 verified, 1 not verified, 2 usage or unreadable input. Needs `cryptography` (pip install).
"""
import argparse
import base64
import hashlib
import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover
    sys.stderr.write("error: needs the 'cryptography' package (python3 -m pip install cryptography)\n")
    sys.exit(2)


class Fail(Exception):
    pass


def parse_vkey(text):
    name, key_id, key = text.strip().split("+", 2)
    raw = base64.b64decode(key, validate=True)
    if len(raw) != 33 or raw[0] != 0x01:
        raise Fail("vkey is not an Ed25519 signed-note key")
    computed = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if computed.hex() != key_id:
        raise Fail("vkey key ID %s does not match its key (%s)" % (key_id, computed.hex()))
    return name, computed, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_note(note, vkey):
    name, key_id, key = vkey
    if "\n\n" not in note:
        raise Fail("not a signed note")
    cut = note.rindex("\n\n")
    text, sigs = note[: cut + 1], note[cut + 2 :]
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise Fail("control characters in note")
    known = False
    for line in sigs.split("\n")[:-1]:
        if not line.startswith("\u2014 "):
            raise Fail("malformed signature line")
        sig_name, sig = line[2:].split(" ")
        blob = base64.b64decode(sig, validate=True)
        if sig_name != name or blob[:4] != key_id:
            continue  # unknown keys are ignored
        known = True
        try:
            key.verify(blob[4:], text.encode())
        except InvalidSignature:
            raise Fail("signature by %s does not verify" % name)
    if not known:
        raise Fail("no signature by the pinned key %s" % name)
    lines = text.split("\n")
    if lines[0] != name:
        raise Fail("checkpoint origin %r is not the key's name %r" % (lines[0], name))
    size = int(lines[1])
    if str(size) != lines[1]:
        raise Fail("bad tree size")
    root = base64.b64decode(lines[2], validate=True)
    return size, root


def leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k << 1 < len(leaves):
        k <<= 1
    return node(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, leaf_hash, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def check_receipt(text, vkey):
    head, checkpoint = text.split("\n\n", 1)
    lines = head.split("\n")
    if lines[0] != "c2sp.org/tlog-proof@v1":
        raise Fail("not a tlog-proof")
    row, extra = 1, b""
    if lines[row].startswith("extra "):
        extra = base64.b64decode(lines[row][6:], validate=True)
        row += 1
    if not lines[row].startswith("index "):
        raise Fail("tlog-proof has no index line")
    index = int(lines[row][6:])
    proof = [base64.b64decode(line, validate=True) for line in lines[row + 1 :]]
    size, root = open_note(checkpoint, vkey)
    if not verify_inclusion(index, size, leaf(extra), proof, root):
        raise Fail("inclusion proof of entry %d does not lead to the checkpoint's root" % index)
    return index, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vkey", required=True, help="the pinned log key (file or the vkey text)")
    parser.add_argument("checkpoint", nargs="?")
    parser.add_argument("--entries")
    parser.add_argument("--receipt")
    args = parser.parse_args()
    try:
        try:
            with open(args.vkey, encoding="utf-8") as f:
                vkey_text = f.read()
        except OSError:
            vkey_text = args.vkey
        vkey = parse_vkey(vkey_text)
        if args.checkpoint:
            with open(args.checkpoint, encoding="utf-8", newline="") as f:
                size, root = open_note(f.read(), vkey)
            print("checkpoint verified: %s, %d entries" % (vkey[0], size))
            if args.entries:
                with open(args.entries, "rb") as f:
                    data = f.read()
                lines = data.split(b"\n")[:-1]
                if len(lines) < size:
                    raise Fail("entries file holds %d lines, the checkpoint signs %d (truncated)" % (len(lines), size))
                if mth([leaf(line) for line in lines[:size]]) != root:
                    raise Fail("entries do not hash to the checkpoint's root")
                print("entries verified: root recomputed from %d lines" % size)
        if args.receipt:
            with open(args.receipt, encoding="utf-8", newline="") as f:
                index, size = check_receipt(f.read(), vkey)
            print("receipt verified: entry %d in the tree of %d entries" % (index, size))
    except (OSError, ValueError) as error:
        sys.stderr.write("error: %s\n" % error)
        return 2
    except Fail as error:
        sys.stderr.write("verification failed: %s\n" % error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
