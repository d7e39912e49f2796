#!/usr/bin/env python3
"""convert.py - turn the transparency-dev/merkle JSON test data into the
line-oriented files that tests/unit/test_merkle.c reads.

Usage: python3 convert.py SRC_TESTDATA_DIR OUT_DIR
  e.g. python3 tests/vectors/merkle/convert.py \
           ../shared/vectors/transparency-dev-merkle/testdata tests/vectors/merkle

One case per line, fields separated by one space, "-" for an empty string:
  inclusion.txt:   name leafIdx treeSize leafHash root wantErr nproof proof...
  consistency.txt: name size1 size2 root1 root2 wantErr nproof proof...
Hashes stay standard base64 exactly as in the JSON (some are deliberately not
32 bytes long); wantErr is 0 or 1; "proof": null and [] both give nproof 0.
The count nproof keeps an empty proof apart from a proof holding one empty
element (the "garbage" cases). name is the JSON path below the kind's folder.
"""
import json
import os
import sys


def b64(s):
    if not isinstance(s, str):
        raise ValueError("hash is not a string: %r" % (s,))
    return s if s else "-"


def proof(p):
    p = p or []
    return [str(len(p))] + [b64(x) for x in p]


def num(v):
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ValueError("size or index is not a natural number: %r" % (v,))
    return str(v)


def line(kind, name, d):
    if kind == "inclusion":
        f = [name, num(d["leafIdx"]), num(d["treeSize"]), b64(d["leafHash"]), b64(d["root"])]
    else:
        f = [name, num(d["size1"]), num(d["size2"]), b64(d["root1"]), b64(d["root2"])]
    f.append("1" if d["wantErr"] else "0")
    f += proof(d["proof"])
    for x in f:
        if not x or any(c.isspace() for c in x):
            raise ValueError("%s: field %r would break the line format" % (name, x))
    return " ".join(f)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    for kind in ("inclusion", "consistency"):
        top = os.path.join(src, kind)
        lines = []
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for fn in sorted(files):
                if not fn.endswith(".json"):
                    continue
                path = os.path.join(root, fn)
                with open(path, encoding="utf-8") as fh:
                    d = json.load(fh)
                lines.append(line(kind, os.path.relpath(path, top), d))
        lines.sort()
        with open(os.path.join(out, kind + ".txt"), "w", encoding="utf-8") as fh:
            fh.write("# %s cases converted by convert.py from transparency-dev/merkle\n" % kind)
            fh.write("# testdata/%s (Apache-2.0, see LICENSE and README.md here)\n" % kind)
            if kind == "inclusion":
                fh.write("# name leafIdx treeSize leafHash root wantErr nproof proof...\n")
            else:
                fh.write("# name size1 size2 root1 root2 wantErr nproof proof...\n")
            for x in lines:
                fh.write(x + "\n")
        print("%s: %d cases, %d with wantErr false" %
              (kind, len(lines), sum(1 for x in lines if x.split(" ")[5] == "0")))


if __name__ == "__main__":
    main()
