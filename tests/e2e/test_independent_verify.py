"""Self-test of independent_verify.py against published vectors and a log built here.

Run:  /usr/bin/python3 -m unittest tests/e2e/test_independent_verify.py
(Debian's python3 has python3-cryptography; a pyenv python3 may not.)

The synthetic log is built with this file's own encoder, signer and recursive
RFC 6962 tree hash, so the script is checked against a second implementation
and not only against itself.
"""
import base64
import contextlib
import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "independent_verify.py")
_spec = importlib.util.spec_from_file_location("independent_verify", SCRIPT)
iv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(iv)

H = bytes.fromhex

# ---- audit-log.md section 1.4 ------------------------------------------------

CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
             "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# ---- audit-log.md section 2.4 ------------------------------------------------

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
PETER_TEXT = (b"If you think cryptography is the answer to your problem,\n"
              b"then you don't know what your problem is.\n")
PETER_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
             "KvqfqdngotpRZb6KE6RyyBwJnAM=\n").encode()
ENOCH_SIG = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01"
             "oOTGwnWLox33WWd1RvMc+QQ=\n").encode()
EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_NOTE = ("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1"
                "YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n").encode()
SUMDB_VKEY = "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6"
SUMDB_TREES = [
    (5, "nWzN20+pwMt62p7jbv1/NlN95ePTlHijabv5zO/s36w=",
     "AAAMZ5/2FVAdMH58kmnz/0h299pwyskEbzDzoa2/YaPdhvLya4YWDFQQxu2TQb5GpwAH4NdWnTwuhILafisyf3CNbgg="),
    (6, "wc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM=",
     "AAAMZ6oRNswlEZ6ZZhxrCvgl1MBy+nusq4JU+TG6Fe2NihWLqOzb+y2c2kzRLoCr4tvw9o36ucQEnhc20e4nA4Qc/wc="),
]


def sumdb_note(size, root, sig):
    return ("go.sum database tree\n%d\n%s\n\n\u2014 localhost.localdev/sumdb %s\n"
            % (size, root, sig)).encode()


def keys_of(*vkeys):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(vkeys) + "\n")
    try:
        return iv.load_vkeys(f.name)
    finally:
        os.unlink(f.name)


def open_note(note, keys):
    """Signed-note Open: (verified names, unknown names); raises iv.Bad."""
    text, sigs = iv.split_note(note)
    known, unknown = [], []
    for name, kid, sig in sigs:
        (known if iv.verify_sig(keys, text, name, kid, sig) else unknown).append(name)
    if not known:
        raise iv.Bad("no verifiable signatures")
    return known, unknown


class TreeVectors(unittest.TestCase):
    def test_hasher(self):
        self.assertEqual(iv.EMPTY_ROOT, H(CT_ROOTS[0]))
        self.assertEqual(iv.leaf_hash(b""), H(CT_ROOTS[1]))
        self.assertEqual(iv.leaf_hash(b"L123456"),
                         H("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"))
        self.assertEqual(iv.node_hash(b"N123", b"N456"),
                         H("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"))
        self.assertEqual(iv.leaf_hash(H("00")),
                         H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"))
        self.assertEqual(iv.leaf_hash(H("101112131415161718191a1b1c1d1e1f")),
                         H("3bfb960453ebaebf33727da7a1f4db38acc051d381b6da20d6d4e88f0eabfd7a"))
        self.assertEqual(iv.node_hash(bytes(range(32)), bytes(range(32, 64))),
                         H("1a378704c17da31e2d05b6d121c2bb2c7d76f6ee6fa8f983e596c2d034963c57"))
        self.assertEqual(iv.b64(iv.leaf_hash(b"hello world")),
                         "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=")

    def test_reference_tree_roots(self):
        tree = iv.Tree()
        self.assertEqual(tree.root(), H(CT_ROOTS[0]))
        for n, leaf in enumerate(CT_LEAVES, 1):
            tree.append(H(leaf))
            self.assertEqual(tree.root().hex(), CT_ROOTS[n], "size %d" % n)

    def test_matches_recursive_definition(self):
        tree = iv.Tree()
        leaves = [bytes([i]) * (i % 5) for i in range(130)]
        for n in range(1, len(leaves) + 1):
            tree.append(leaves[n - 1])
            self.assertEqual(tree.root(), mth(leaves[:n]), "size %d" % n)


class NoteVectors(unittest.TestCase):
    def test_peter_neumann(self):
        name, kid, pk = iv.parse_vkey(PETER_VKEY)
        self.assertEqual((name, kid.hex()), ("PeterNeumann", "c74f20a3"))
        keys = keys_of(PETER_VKEY)
        note = PETER_TEXT + b"\n" + PETER_SIG
        self.assertEqual(iv.split_note(note)[0], PETER_TEXT)
        self.assertEqual(open_note(note, keys), (["PeterNeumann"], []))

    def test_two_signers(self):
        note = PETER_TEXT + b"\n" + PETER_SIG + ENOCH_SIG
        self.assertEqual(open_note(note, keys_of(PETER_VKEY)), (["PeterNeumann"], ["EnochRoot"]))
        self.assertEqual(open_note(note, keys_of(PETER_VKEY, ENOCH_VKEY))[0],
                         ["PeterNeumann", "EnochRoot"])
        with self.assertRaises(iv.Bad):
            open_note(note, {})

    def test_c2sp_example(self):
        self.assertEqual(open_note(EXAMPLE_NOTE, keys_of(EXAMPLE_VKEY))[0], ["example.com/foo"])

    def test_mangled_signature_fails(self):
        line = PETER_SIG[:60] + b"ABCD" + PETER_SIG[60:]
        with self.assertRaisesRegex(iv.Bad, "invalid signature for key PeterNeumann\\+c74f20a3"):
            open_note(PETER_TEXT + b"\n" + line, keys_of(PETER_VKEY))

    def test_malformed_notes(self):
        keys = keys_of(PETER_VKEY)
        good = PETER_TEXT + b"\n" + PETER_SIG
        for bad in [PETER_TEXT, good[:-1], b"\x01" + good, b"\xff" + good,
                    PETER_TEXT + b"\n\xe2\x80\x94 Bad Name x08go/ZJ\n",
                    good + b"and more\n", PETER_TEXT + b"\n" + PETER_SIG * 101]:
            with self.assertRaises(iv.Bad, msg=repr(bad[-40:])):
                open_note(bad, keys)

    def test_bad_vkeys(self):
        bad = ["PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
               "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
               "bananas.sigstore.dev+12344556",
               "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
               "rekor.sigstore.dev+12345678+AwEB"]
        v = PETER_VKEY
        bad += [v[i:j] for i in range(len(v)) for j in range(i, len(v) + 1) if j - i < len(v)]
        bad += [v[:i] + chr(ord(v[i]) + 1) + v[i + 1:] for i in range(len(v))]
        for vkey in bad:
            with self.assertRaises(iv.Bad, msg=vkey):
                iv.parse_vkey(vkey)

    def test_sumdb_checkpoints(self):
        keys = keys_of(SUMDB_VKEY)
        for size, root, sig in SUMDB_TREES:
            got = iv.parse_checkpoint(sumdb_note(size, root, sig), keys)
            self.assertEqual(got, ("go.sum database tree", size, base64.b64decode(root),
                                   [SUMDB_VKEY]))
        (s5, r5, sig5), (s6, r6, sig6) = SUMDB_TREES
        with self.assertRaisesRegex(iv.Bad, "invalid signature"):
            iv.parse_checkpoint(sumdb_note(s5, r6, sig5), keys)
        with self.assertRaisesRegex(iv.Bad, "no signature by a known key"):
            iv.parse_checkpoint(sumdb_note(s5, r5, sig5), keys_of(PETER_VKEY))


# ---- a synthetic boardvault log, built without the script's code ------------

def mth(leaves):
    """RFC 6962 MTH, straight from the recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while 2 * k < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def enc_value(v):
    if v == "":
        return "-"
    if v == "-":
        return "%2D"
    return "".join("%%%02X" % ord(c) if c == "%" or ord(c) < 0x20 or c == "\x7f" else c
                   for c in v)


class Signer:
    def __init__(self, origin, actor):
        self.sk = Ed25519PrivateKey.generate()
        pk = self.sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.name = origin + "/" + urllib.parse.quote(actor, safe="")
        self.kid = hashlib.sha256(self.name.encode() + b"\n\x01" + pk).digest()[:4]
        self.vkey = "%s+%s+%s" % (self.name, self.kid.hex(),
                                  base64.b64encode(b"\x01" + pk).decode())

    def sign(self, text):
        sig = base64.b64encode(self.kid + self.sk.sign(text)).decode()
        return text + ("\n\u2014 %s %s\n" % (self.name, sig)).encode()


FIELD_ORDER = [("actor", "actor"), ("actor-key", "actor_key"), ("auth", "auth"),
               ("action", "action"), ("board", "board"), ("meeting", "meeting"),
               ("agenda", "agenda"), ("item", "item"), ("outcome", "outcome"),
               ("reason", "reason")]


class SyntheticLog(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.origin = "boardvault/" + os.urandom(16).hex()
        self.root = Signer(self.origin, "Root Officer")
        self.alice = Signer(self.origin, "alice")
        self.mallory = Signer(self.origin, "mallory")   # not in vkeys
        r, a = self.root, self.alice
        self.specs = [
            dict(actor="Root Officer", action="init", signer=r),
            dict(actor="Root Officer", action="board-create", board="CSP 100%", reason="epoch 1",
                 signer=r),
            dict(actor="alice", action="enroll", reason="pending", signer=a),
            dict(actor="Root Officer", action="approve", reason="alice", signer=r),
            dict(actor="Root Officer", action="seal", board="CSP 100%", meeting="2024-11-14",
                 agenda="7", item="3f2a9c0d", reason="-", signer=r),
            dict(actor="alice", action="open", item="3f2a9c0d", outcome="failed",
                 reason="wrong-passphrase"),
            dict(actor="alice", action="open", item="3f2a9c0d", reason="caf\u00e9\tline\nbreak",
                 signer=a),
            dict(actor="nobody", action="open", item="3f2a9c0d", outcome="failed",
                 reason="unknown-person", actor_key=""),
            dict(actor="alice", action="open", item="3f2a9c0d", outcome="denied",
                 reason="no-grant", signer=a),
        ]

    def build(self, specs):
        """-> (JSON records, leaves); specs may override prev_root, seq_text, auth, sign_as."""
        recs, leaves = [], []
        for seq, sp in enumerate(specs, 1):
            signer = sp.get("sign_as", sp.get("signer"))
            rec = dict(seq=seq, time="2025-01-14T19:05:%02dZ" % seq, actor="", action="",
                       board="", item="", meeting="", agenda="", outcome="ok", reason="",
                       actor_key="SHA256:" + sp["actor"], auth="signed" if signer else "none")
            rec.update({k: v for k, v in sp.items() if k in rec})
            prev = sp.get("prev_root", mth(leaves))
            text = "boardvault-audit/v1\nlog %s\nseq %s\nprev %d %s\ntime %s\n" % (
                self.origin, sp.get("seq_text", seq), seq - 1, base64.b64encode(prev).decode(),
                rec["time"])
            text += "".join("%s %s\n" % (n, enc_value(rec[j])) for n, j in FIELD_ORDER)
            leaf = signer.sign(text.encode()) if signer else text.encode()
            rec["leaf"] = base64.b64encode(leaf).decode()
            recs.append(rec)
            leaves.append(leaf)
        return recs, leaves

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def checkpoint(self, size, root, signer=None, origin=None):
        text = "%s\n%s\n%s\n" % (origin or self.origin, size, base64.b64encode(root).decode())
        p = self.path("cp%s-%s.txt" % (size, os.urandom(4).hex()))
        with open(p, "wb") as f:
            f.write((signer or self.root).sign(text.encode()))
        return p

    def run_iv(self, recs, checkpoints=(), vkeys=None, extra=()):
        with open(self.path("audit.jsonl"), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in recs)
        with open(self.path("vkeys.txt"), "w") as f:
            f.write("\n".join(vkeys or [self.root.vkey, self.alice.vkey]) + "\n")
        argv = ["--export", self.path("audit.jsonl"), "--vkeys", self.path("vkeys.txt")]
        for cp in checkpoints:
            argv += ["--checkpoint", cp]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = iv.main(argv + list(extra))
        return rc, out.getvalue()

    def assertFails(self, result, pattern):
        rc, out = result
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, "(?m)" + pattern)
        self.assertNotIn("OK size", out)
        for line in out.splitlines():
            self.assertTrue(line.startswith("FAIL: "), line)

    def good(self):
        recs, leaves = self.build(self.specs)
        cps = [self.checkpoint(0, mth([])), self.checkpoint(4, mth(leaves[:4]), self.alice),
               self.checkpoint(9, mth(leaves))]
        return recs, leaves, cps

    def test_verifies(self):
        recs, leaves, cps = self.good()
        want = "OK size=9 root=%s\n" % base64.b64encode(mth(leaves)).decode()
        self.assertEqual(self.run_iv(recs), (0, want))
        self.assertEqual(self.run_iv(recs, cps, extra=["--origin", self.origin]), (0, want))
        self.assertEqual(self.run_iv([]), (0, "OK size=0 root=%s\n"
                                       % base64.b64encode(mth([])).decode()))

    def test_command_line(self):
        recs, leaves, cps = self.good()
        self.run_iv(recs)
        base = [sys.executable, SCRIPT, "--export", self.path("audit.jsonl"),
                "--vkeys", self.path("vkeys.txt")]
        p = subprocess.run(base + ["--checkpoint", cps[2]], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stdout.split(" ")[0]), (0, "OK"), p.stderr)
        p = subprocess.run(base + ["--origin", "boardvault/00"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("FAIL: log '%s' is not origin 'boardvault/00' at seq 1" % self.origin,
                      p.stdout)
        p = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)

    def test_flipped_leaf_byte(self):
        recs, leaves, _ = self.good()
        for i, leaf in enumerate(leaves):
            for pos in (leaf.index(b"\ntime ") + 10, leaf.index(b"\naction ") + 9, len(leaf) - 5):
                for fix_json in (False, True):
                    bad = [dict(r) for r in recs]
                    b = bytearray(leaf)
                    b[pos] ^= 0x01
                    bad[i]["leaf"] = base64.b64encode(bytes(b)).decode()
                    if fix_json and b"\n\n" in b:       # forger also edits the JSON columns
                        for name, jname in [("time", "time")] + FIELD_ORDER:
                            line = bytes(b).split(b"\n%s " % name.encode())[1].split(b"\n")[0]
                            bad[i][jname] = iv.pct_decode(line.decode(), name) \
                                if name != "time" else line.decode()
                    self.assertFails(self.run_iv(bad), r"at seq (%d|%d)$" % (i + 1, i + 2))

    def test_deleted_entry(self):
        recs, leaves, cps = self.good()
        for i in range(len(recs) - 1):
            self.assertFails(self.run_iv(recs[:i] + recs[i + 1:]), r"at seq %d$" % (i + 1))
        # deleting the tail is only visible against a checkpoint that covers it
        self.assertEqual(self.run_iv(recs[:-1])[0], 0)
        self.assertFails(self.run_iv(recs[:-1], cps),
                         r"checkpoint .*: size 9 > log size 8 \(log truncated\?\) at seq 9")

    def test_swapped_entries(self):
        recs, _, _ = self.good()
        for i in range(len(recs) - 1):
            bad = [dict(r) for r in recs]
            bad[i], bad[i + 1] = bad[i + 1], bad[i]
            self.assertFails(self.run_iv(bad), r"at seq %d$" % (i + 1))
            for seq, r in enumerate(bad, 1):    # renumbering the JSON does not help
                r["seq"] = seq
            self.assertFails(self.run_iv(bad), r"at seq %d$" % (i + 1))

    def test_broken_signature(self):
        recs, leaves, _ = self.good()
        leaf = leaves[2]
        text, sig = leaf.rsplit(b" ", 1)
        raw = bytearray(base64.b64decode(sig))
        raw[20] ^= 0x80
        recs[2]["leaf"] = base64.b64encode(text + b" " + base64.b64encode(raw) + b"\n").decode()
        self.assertFails(self.run_iv(recs), "^FAIL: invalid signature for key %s at seq 3$"
                         % self.alice.vkey.replace("+", r"\+"))

    def test_checkpoint_failures(self):
        recs, leaves, cps = self.good()
        self.assertFails(self.run_iv(recs, [self.checkpoint(10, mth(leaves + [b"x"]))]),
                         r"size 10 > log size 9 .* at seq 10")
        self.assertFails(self.run_iv(recs, [self.checkpoint(5, mth(leaves[:4]))]),
                         r"root .* != computed root .* at seq 5")
        self.assertFails(self.run_iv(recs, [self.checkpoint(9, mth(leaves), origin="other")]),
                         r"origin 'other' is not the log's")
        self.assertFails(self.run_iv(recs, [self.checkpoint(9, mth(leaves), self.mallory)]),
                         r"no signature by a known key")
        self.assertFails(self.run_iv(recs, [self.checkpoint("09", mth(leaves))]),
                         r"malformed checkpoint text")
        self.assertFails(self.run_iv(recs, [self.checkpoint(9, mth(leaves)[:31])]),
                         r"checkpoint root is not 32 bytes")
        with open(cps[2], "rb") as f:
            note = f.read().replace(b"\n9\n", b"\n8\n")
        with open(cps[2], "wb") as f:
            f.write(note)
        self.assertFails(self.run_iv(recs, [cps[2]]), r"invalid signature for key")

    def test_entry_rules(self):
        s = self.specs
        cases = [
            (dict(s[5], outcome="ok"), r"auth none entry with outcome 'ok'"),
            (dict(s[2], sign_as=self.root), r"not signed by the actor's key .*/alice"),
            (dict(s[2], sign_as=self.mallory), r"signature by unknown key .*/mallory\+"),
            (dict(s[5], sign_as=self.alice, auth="none"), r"auth none entry has a signature"),
            (dict(s[2], signer=None, auth="signed"), r"auth signed entry lacks a signature"),
            (dict(s[2], prev_root=mth([b"x"])), r"prev root .* != computed root"),
            (dict(s[2], seq_text=4), r"leaf seq '4', expected 3"),
            (dict(s[2], seq_text="03"), r"leaf seq '03', expected 3"),
            (dict(s[2], seq_text="3x"), r"leaf seq '3x', expected 3"),
        ]
        for spec, pattern in cases:
            recs, _ = self.build(s[:2] + [spec] + s[3:])
            self.assertFails(self.run_iv(recs), pattern + r".* at seq 3$")

    def test_json_seq(self):
        recs, _ = self.build(self.specs)
        recs[3]["seq"] = 7
        self.assertFails(self.run_iv(recs), r"^FAIL: JSON seq 7, expected 4 .* at seq 4$")

    def test_json_must_match_leaf(self):
        for field, value in [("actor", "bob"), ("reason", ""), ("board", "CSP 100%25"),
                             ("time", "2025-01-14T19:05:00Z"), ("auth", "none"), ("item", None)]:
            recs, _ = self.build(self.specs)
            recs[4][field] = value
            self.assertFails(self.run_iv(recs), r"at seq 5$")

    def test_non_canonical_value(self):
        recs, leaves = self.build(self.specs)
        leaf = leaves[5].replace(b"\nagenda -\n", b"\nagenda %37\n")   # "7", spelled oddly
        recs[5].update(leaf=base64.b64encode(leaf).decode(), agenda="7")
        self.assertFails(self.run_iv(recs), r"non-canonical percent-encoding of agenda at seq 6")


if __name__ == "__main__":
    unittest.main()
