#!/usr/bin/env python3
"""independent_verify.py - check a boardvault audit-log export without boardvault.

Usage:
  /usr/bin/python3 independent_verify.py --export audit.jsonl --vkeys vkeys.txt
      [--checkpoint cp.txt ...] [--origin boardvault/<hex>]

A second implementation, written from the public specs (RFC 6962 / RFC 9162
section 2.1, c2sp.org/signed-note@v1.0.0, c2sp.org/tlog-checkpoint@v1.0.0) and
the documented entry format. It deliberately shares no code with boardvault's
C sources: only the Python standard library and python3-cryptography (Ed25519),
so a bug in src/ is not silently repeated here. It checks:

 1. every line of the export is JSON with a decodable "leaf"; the leaf text has
    the fixed "boardvault-audit/v1" fields in order, each equal to the JSON
    field (percent-decoded, "-" = empty, encoding canonical); seq runs 1,2,3..
    and "log" is the origin (--origin, else the first entry's);
 2. "prev M R": M = seq-1 and R = the RFC 6962 root of the first M leaves,
    computed here (leaf SHA-256(0x00||leaf), node SHA-256(0x01||l||r));
 3. "auth signed" leaves are signed notes; every signature line is by a known
    verifier key (name and key ID), verifies, and one is by the actor's key
    "<origin>/<percent-encoded actor>"; "auth none" leaves carry no signature
    and only record outcome failed or denied;
 4. each checkpoint is a signed note verified with the given keys (unknown
    keys ignored, a known bad one fails, at least one must verify), for this
    origin, size <= entries, root = the root of the first size leaves.

Each problem prints "FAIL: <what> at seq N" (exit 1); success prints
"OK size=N root=<base64>" (exit 0). Usage errors exit 2.
"""
import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HEADER = "boardvault-audit/v1"
# The percent-encoded lines, in text order; JSON names use "_" for "-".
FIELDS = "actor actor-key auth action board meeting agenda item outcome reason".split()
EMPTY_ROOT = hashlib.sha256(b"").digest()
SIG_PREFIX = "\u2014 "   # EM DASH, space
DECIMAL = re.compile(r"(0|[1-9][0-9]*)\Z")
VALUE_ESC = re.compile(r"[\x00-\x1f%\x7f]")
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")       # ASCII controls but LF


class Bad(Exception):
    """A verification failure; str() says what."""


# ---- RFC 6962 tree -----------------------------------------------------------

def leaf_hash(leaf):
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class Tree:
    """Incremental RFC 6962 tree: a stack of (leaf count, hash) of perfect
    subtrees, largest first; the root folds them right to left."""

    def __init__(self):
        self.size, self.stack = 0, []

    def append(self, leaf):
        self.stack.append((1, leaf_hash(leaf)))
        self.size += 1
        while len(self.stack) > 1 and self.stack[-1][0] == self.stack[-2][0]:
            (n, right), (_, left) = self.stack.pop(), self.stack.pop()
            self.stack.append((2 * n, node_hash(left, right)))

    def root(self):
        if not self.stack:
            return EMPTY_ROOT
        r = self.stack[-1][1]
        for _, h in reversed(self.stack[:-1]):
            r = node_hash(h, r)
        return r


# ---- encodings ---------------------------------------------------------------

def b64(data):
    return base64.b64encode(data).decode()


def unb64(s, what):
    """Strict standard base64 (RFC 4648 section 4, padded, canonical)."""
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise Bad(what + " is not base64") from None
    if b64(raw) != s:
        raise Bad(what + " is not canonical base64")
    return raw


def pct_encode(value, keyname=False):
    """Entry values: '%', C0 controls and DEL become %XX, "" is "-" and a literal
    "-" is "%2D". Key names: every byte but [A-Za-z0-9._~-] becomes %XX."""
    if keyname:
        return re.sub(rb"[^A-Za-z0-9._~-]", lambda m: b"%%%02X" % m.group()[0],
                      value.encode("utf-8", "surrogateescape")).decode()
    if value in ("", "-"):
        return "-" if value == "" else "%2D"
    return VALUE_ESC.sub(lambda m: "%%%02X" % ord(m.group()), value)


def pct_decode(text, what):
    """Inverse of pct_encode; refuses anything pct_encode would not write."""
    value = "" if text == "-" else \
        urllib.parse.unquote_to_bytes(text).decode("utf-8", "surrogateescape")
    if pct_encode(value) != text:
        raise Bad("bad or non-canonical percent-encoding of " + what)
    return value


# ---- signed notes (c2sp.org/signed-note) -------------------------------------

def key_id(name, typed_key):
    return hashlib.sha256(name.encode() + b"\n" + typed_key).digest()[:4]


def name_ok(name):
    return re.fullmatch(r"[^\s+]+", name) is not None


def parse_vkey(vkey):
    """'<name>+<8 hex key ID>+base64(0x01 || pk)' -> (name, id4, pk)."""
    parts = vkey.split("+", 2)
    if len(parts) != 3 or not name_ok(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise Bad("malformed verifier key %r" % vkey)
    name, kid = parts[0], bytes.fromhex(parts[1])
    typed = unb64(parts[2], "verifier key %r" % vkey)
    if len(typed) != 33 or typed[0] != 0x01:
        raise Bad("verifier key %r is not a 32-byte Ed25519 key" % vkey)
    if key_id(name, typed) != kid:
        raise Bad("verifier key %r has the wrong key ID" % vkey)
    return name, kid, typed[1:]


def load_vkeys(path):
    keys = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, kid, pk = parse_vkey(line)
            if keys.get((name, kid), (line,))[0] != line:
                raise Bad("ambiguous: two verifier keys %s+%s" % (name, kid.hex()))
            keys[(name, kid)] = (line, Ed25519PublicKey.from_public_bytes(pk))
    return keys


def split_note(note):
    """Signed note bytes -> (text bytes, [(key name, id4, sig64)])."""
    try:
        s = note.decode("utf-8")
    except UnicodeDecodeError:
        raise Bad("note is not UTF-8") from None
    if CONTROL.search(s):
        raise Bad("note contains control characters")
    cut = s.rfind("\n\n")
    if cut < 0 or not s.endswith("\n"):
        raise Bad("note has no signature block")
    text, sigs = s[:cut + 1], []
    for line in s[cut + 2:-1].split("\n"):
        parts = line[len(SIG_PREFIX):].split(" ")
        if not line.startswith(SIG_PREFIX) or len(parts) != 2 or not name_ok(parts[0]):
            raise Bad("malformed signature line %r" % line)
        sig = unb64(parts[1], "signature of " + parts[0])
        if len(sig) < 5:
            raise Bad("signature of %s too short" % parts[0])
        sigs.append((parts[0], sig[:4], sig[4:]))
    if not 0 < len(sigs) <= 100:
        raise Bad("note has %d signature lines" % len(sigs))
    return text.encode(), sigs


def verify_sig(keys, text, name, kid, sig):
    """True if verified, None if (name, key ID) is unknown; raises if bad."""
    if (name, kid) not in keys:
        return None
    vkey, pub = keys[(name, kid)]
    try:
        if len(sig) != 64:
            raise InvalidSignature
        pub.verify(sig, text)
    except InvalidSignature:
        raise Bad("invalid signature for key " + vkey) from None
    return True


# ---- entries and checkpoints ---------------------------------------------------

def check_entry(leaf, rec, seq, origin, tree_size, root, keys):
    """Check one leaf against its JSON record; returns the leaf's origin."""
    if b"\n\n" in leaf:
        text, sigs = split_note(leaf)
    else:
        text, sigs = leaf, []
    try:
        lines = text.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        raise Bad("leaf is not UTF-8") from None
    if lines.pop() != "" or CONTROL.search("".join(lines)):
        raise Bad("leaf text must be lines ending in LF, no controls")
    names = ["", "log", "seq", "prev", "time"] + FIELDS
    if len(lines) != len(names) or lines[0] != HEADER:
        raise Bad("leaf is not a %s entry with %d lines" % (HEADER, len(names)))
    vals = {}
    for line, name in zip(lines[1:], names[1:]):
        if not line.startswith(name + " "):
            raise Bad("expected line %r, got %r" % (name, line))
        vals[name] = line[len(name) + 1:]
    origin = origin or vals["log"]
    if vals["log"] != origin:
        raise Bad("log %r is not origin %r" % (vals["log"], origin))
    if not DECIMAL.match(vals["seq"]) or int(vals["seq"]) != seq:
        raise Bad("leaf seq %r, expected %d" % (vals["seq"], seq))
    m, _, r = vals["prev"].partition(" ")
    if not DECIMAL.match(m) or int(m) != tree_size:
        raise Bad("prev size %r, expected %d" % (m, tree_size))
    if unb64(r, "prev root") != root:
        raise Bad("prev root %s != computed root %s of %d entries" % (r, b64(root), tree_size))
    if vals["time"] != rec.get("time"):
        raise Bad("time %r != JSON %r" % (vals["time"], rec.get("time")))
    dec = {}
    for name in FIELDS:
        dec[name], jname = pct_decode(vals[name], name), name.replace("-", "_")
        if dec[name] != rec.get(jname):
            raise Bad("%s %r != JSON %s %r" % (name, dec[name], jname, rec.get(jname)))
    if dec["auth"] not in ("signed", "none"):
        raise Bad("auth %r is neither signed nor none" % dec["auth"])
    if (dec["auth"] == "signed") != bool(sigs):
        raise Bad("auth %s entry %s a signature block"
                  % (dec["auth"], "has" if sigs else "lacks"))
    if dec["auth"] == "none":
        if dec["outcome"] not in ("failed", "denied"):
            raise Bad("auth none entry with outcome %r (only failed/denied allowed)"
                      % dec["outcome"])
        return origin
    actor_key = origin + "/" + pct_encode(dec["actor"], keyname=True)
    by_actor = False
    for name, kid, sig in sigs:
        if verify_sig(keys, text, name, kid, sig) is None:
            raise Bad("signature by unknown key %s+%s" % (name, kid.hex()))
        by_actor = by_actor or name == actor_key
    if not by_actor:
        raise Bad("not signed by the actor's key %s" % actor_key)
    return origin


def parse_checkpoint(note, keys):
    """Verify a checkpoint note; returns (origin, size, root, signer vkeys)."""
    text, sigs = split_note(note)
    signers = []
    for name, kid, sig in sigs:
        if verify_sig(keys, text, name, kid, sig):
            signers.append(keys[(name, kid)][0])
    if not signers:
        raise Bad("no signature by a known key")
    lines = text.decode().split("\n")[:-1]
    if len(lines) < 3 or not lines[0] or not DECIMAL.match(lines[1]) or "" in lines[3:]:
        raise Bad("malformed checkpoint text")
    root = unb64(lines[2], "checkpoint root")
    if len(root) != 32:
        raise Bad("checkpoint root is not 32 bytes")
    return lines[0], int(lines[1]), root, signers


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--export", required=True, help="audit export, JSON lines")
    ap.add_argument("--checkpoint", action="append", default=[], help="signed checkpoint")
    ap.add_argument("--vkeys", required=True, help="verifier keys, one per line")
    ap.add_argument("--origin", help="expected log origin (default: first entry's)")
    args = ap.parse_args(argv)
    failures = []

    def fail(what, seq=None):
        failures.append(what if seq is None else "%s at seq %d" % (what, seq))
        print("FAIL: " + failures[-1])

    try:
        keys = load_vkeys(args.vkeys)
    except (OSError, UnicodeDecodeError, Bad) as e:
        fail("vkeys %s: %s" % (args.vkeys, e))
        return 1
    cps = []
    for path in args.checkpoint:
        try:
            with open(path, "rb") as f:
                cps.append((path,) + parse_checkpoint(f.read(), keys))
        except (OSError, Bad) as e:
            fail("checkpoint %s: %s" % (path, e))
    wanted, roots = {cp[2] for cp in cps}, {0: EMPTY_ROOT}  # checkpoint sizes -> roots
    tree, origin = Tree(), args.origin
    try:
        export = open(args.export, encoding="utf-8")
    except OSError as e:
        fail("export %s: %s" % (args.export, e))
        return 1
    with export:
        for lineno, line in enumerate(export, 1):
            if not line.strip():
                continue
            seq = tree.size + 1
            try:
                rec = json.loads(line)
                leaf = unb64(rec["leaf"], "leaf")
            except (ValueError, KeyError, TypeError, Bad) as e:
                fail("export line %d unreadable (%s); stopping" % (lineno, e), seq)
                return 1
            if rec.get("seq") != seq:
                fail("JSON seq %r, expected %d (entries not contiguous)"
                     % (rec.get("seq"), seq), seq)
            try:
                origin = check_entry(leaf, rec, seq, origin, tree.size, tree.root(), keys)
            except Bad as e:
                fail(str(e), seq)
            tree.append(leaf)
            if tree.size in wanted:
                roots[tree.size] = tree.root()
    for path, cp_origin, size, root, _ in cps:
        what = "checkpoint %s" % path
        if origin is None or cp_origin != origin:
            fail("%s: origin %r is not the log's %r" % (what, cp_origin, origin), size)
        elif size > tree.size:
            fail("%s: size %d > log size %d (log truncated?)" % (what, size, tree.size), size)
        elif roots[size] != root:
            fail("%s: root %s != computed root %s (history rewritten)"
                 % (what, b64(root), b64(roots[size])), size)
    if failures:
        return 1
    print("OK size=%d root=%s" % (tree.size, b64(tree.root())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
