/*
 * test_merkle.c - the RFC 9162 §2.1 tree: the published hasher and
 * reference-tree vectors, the whole transparency-dev/merkle proof corpus
 * (tests/vectors/merkle), and generated trees whose proofs must verify and
 * whose corrupted proofs must not.
 */
#include "bvtest.h"
#include "bv_merkle.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>

#define CP BV_MERKLE_CPROOF
#define VEC BV_TOP "/tests/vectors/merkle/"

/* A rejection must be BV_EINTEGRITY, with a message; clear it for the next. */
#define REJECTED(call)                                                                             \
    do {                                                                                           \
        assert_int_equal((call), BV_EINTEGRITY);                                                   \
        bv_err_clear();                                                                            \
    } while (0)

/* Leaf hashes in memory, handed out as the store hands out SQLite rows. */
typedef struct {
    const uint8_t (*hash)[32];
    uint64_t n;
    uint64_t calls;
    uint64_t fail_at; /* UINT64_MAX: never */
} leaves;

static bv_status
from_array(void *ctx, uint64_t index, uint8_t out[32])
{
    leaves *l = ctx;

    l->calls++;
    if (index == l->fail_at)
        return bv_fail(BV_ENOTFOUND, "leaf %" PRIu64 " is missing", index);
    assert_true(index < l->n);
    memcpy(out, l->hash[index], 32);
    return BV_OK;
}

static size_t
unhex(uint8_t *out, size_t cap, const char *hex)
{
    size_t len = 0;

    assert_int_equal(sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &len, NULL), 0);
    assert_int_equal(len * 2, strlen(hex));
    return len;
}

static void
assert_hash(const uint8_t h[32], const char *hex)
{
    uint8_t want[32];

    assert_int_equal(unhex(want, sizeof want, hex), 32);
    assert_memory_equal(h, want, 32);
}

/* MTH straight from the recursive definition of §2.1.1, to check the
 * library's iterative code against. */
static void
mth(const uint8_t (*h)[32], uint64_t n, uint8_t out[32])
{
    uint8_t l[32], r[32];
    uint64_t k = 1;

    if (n == 0) {
        bv_merkle_empty_root(out);
        return;
    }
    if (n == 1) {
        memcpy(out, h[0], 32);
        return;
    }
    while (2 * k < n)
        k *= 2;
    mth(h, k, l);
    mth(h + k, n - k, r);
    bv_merkle_node_hash(out, l, r);
}

/* --- 1. published vectors (transparency-dev/merkle, google/certificate-transparency) --- */

static void
test_hasher(void **state)
{
    uint8_t h[32], a[32], b[32], in[16];
    char b64[64];
    size_t n;
    (void)state;

    bv_merkle_empty_root(h);
    assert_hash(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    bv_merkle_leaf_hash(h, NULL, 0);
    assert_hash(h, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    bv_merkle_leaf_hash(h, (const uint8_t *)"L123456", 7);
    assert_hash(h, "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
    /* HashChildren("N123", "N456") of rfc6962_test.go hashes 4-byte children,
     * which this API (32-byte nodes only) cannot express; the CT vector can */
    bv_merkle_leaf_hash(h, (const uint8_t *)"", 1);
    assert_hash(h, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
    n = unhex(in, sizeof in, "101112131415161718191a1b1c1d1e1f");
    bv_merkle_leaf_hash(h, in, n);
    assert_hash(h, "3bfb960453ebaebf33727da7a1f4db38acc051d381b6da20d6d4e88f0eabfd7a");
    unhex(a, 32, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    unhex(b, 32, "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    bv_merkle_node_hash(h, a, b);
    assert_hash(h, "1a378704c17da31e2d05b6d121c2bb2c7d76f6ee6fa8f983e596c2d034963c57");
    bv_merkle_node_hash(a, a, b); /* in place, as the verifiers use it */
    assert_memory_equal(a, h, 32);
    /* golang/mod sumdb/tlog RecordHash("hello world") */
    bv_merkle_leaf_hash(h, (const uint8_t *)"hello world", 11);
    sodium_bin2base64(b64, sizeof b64, h, 32, sodium_base64_VARIANT_ORIGINAL);
    assert_string_equal(b64, "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=");
}

/* google/certificate-transparency cpp/merkletree/merkle_tree_test.cc */
static const char *const ref_leaf[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
static const char *const ref_root[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

typedef struct {
    uint64_t a, b; /* leaf index and tree size, or m and n */
    size_t len;
    const char *h[3];
} ref_proof;

/* kSHA256Paths; the table there numbers leaves from 1, these from 0 */
static const ref_proof ref_path[] = {
    { 0, 8, 3,
        { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
    { 5, 8, 3,
        { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
    { 2, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
    { 1, 5, 3,
        { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
    { 0, 1, 0, { NULL } },
};

/* kSHA256Proofs, plus (6, 7) from transparency-dev/merkle proof/verify_test.go */
static const ref_proof ref_cons[] = {
    { 1, 1, 0, { NULL } },
    { 1, 8, 3,
        { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
    { 6, 8, 3,
        { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
    { 2, 5, 2,
        { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
    { 6, 7, 3,
        { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
};

static void
ref_tree(uint8_t hash[8][32], uint8_t root[9][32])
{
    uint8_t in[16];
    size_t i;

    for (i = 0; i < 8; i++)
        bv_merkle_leaf_hash(hash[i], in, unhex(in, sizeof in, ref_leaf[i]));
    for (i = 0; i < 9; i++)
        unhex(root[i], 32, ref_root[i]);
}

static void
test_reference_tree(void **state)
{
    uint8_t hash[8][32], root[9][32], h[32];
    bv_merkle_frontier f;
    leaves l;
    uint64_t n;
    (void)state;

    ref_tree(hash, root);
    l = (leaves) { CP(hash), 8, 0, UINT64_MAX };
    bv_merkle_frontier_init(&f);
    for (n = 0; n <= 8; n++) {
        assert_int_equal(bv_merkle_root(from_array, &l, n, h), BV_OK);
        assert_memory_equal(h, root[n], 32);
        bv_merkle_frontier_root(&f, h);
        assert_memory_equal(h, root[n], 32);
        if (n < 8)
            assert_int_equal(bv_merkle_frontier_append(&f, hash[n]), BV_OK);
    }
}

static void
test_reference_inclusion(void **state)
{
    uint8_t hash[8][32], root[9][32], proof[BV_MERKLE_MAX_PROOF][32];
    leaves l;
    size_t i, j, plen;
    (void)state;

    ref_tree(hash, root);
    l = (leaves) { CP(hash), 8, 0, UINT64_MAX };
    for (i = 0; i < sizeof ref_path / sizeof ref_path[0]; i++) {
        const ref_proof *r = &ref_path[i];
        assert_int_equal(
            bv_merkle_inclusion_proof(from_array, &l, r->a, r->b, proof, &plen), BV_OK);
        assert_int_equal(plen, r->len);
        for (j = 0; j < plen; j++)
            assert_hash(proof[j], r->h[j]);
        assert_int_equal(
            bv_merkle_verify_inclusion(r->a, r->b, hash[r->a], CP(proof), plen, root[r->b]), BV_OK);
        /* CT's "WrongLeaf" probe and the empty-tree root */
        bv_merkle_leaf_hash(proof[plen], (const uint8_t *)"WrongLeaf", 9);
        REJECTED(bv_merkle_verify_inclusion(r->a, r->b, proof[plen], CP(proof), plen, root[r->b]));
        REJECTED(bv_merkle_verify_inclusion(r->a, r->b, hash[r->a], CP(proof), plen, root[0]));
    }
    /* leaf 0 of size 0 is invalid: a usage error to ask for, evidence to be shown */
    assert_int_equal(bv_merkle_inclusion_proof(from_array, &l, 0, 0, proof, &plen), BV_EUSAGE);
    assert_int_equal(plen, 0);
    bv_err_clear();
    REJECTED(bv_merkle_verify_inclusion(0, 0, hash[0], NULL, 0, root[0]));
}

static void
test_reference_consistency(void **state)
{
    uint8_t hash[8][32], root[9][32], proof[BV_MERKLE_MAX_PROOF][32];
    leaves l;
    size_t i, j, plen;
    (void)state;

    ref_tree(hash, root);
    l = (leaves) { CP(hash), 8, 0, UINT64_MAX };
    for (i = 0; i < sizeof ref_cons / sizeof ref_cons[0]; i++) {
        const ref_proof *r = &ref_cons[i];
        assert_int_equal(
            bv_merkle_consistency_proof(from_array, &l, r->a, r->b, proof, &plen), BV_OK);
        assert_int_equal(plen, r->len);
        for (j = 0; j < plen; j++)
            assert_hash(proof[j], r->h[j]);
        assert_int_equal(
            bv_merkle_verify_consistency(r->a, r->b, root[r->a], root[r->b], CP(proof), plen),
            BV_OK);
    }
    /* the trivial cases of transparency-dev/merkle TestVerifyConsistency */
    REJECTED(bv_merkle_verify_consistency(0, 0, root[0], root[0], NULL, 0));
    REJECTED(bv_merkle_verify_consistency(0, 1, root[0], root[1], NULL, 0));
    REJECTED(bv_merkle_verify_consistency(1, 0, root[1], root[0], NULL, 0));
    REJECTED(bv_merkle_verify_consistency(2, 1, root[2], root[1], NULL, 0));
    REJECTED(bv_merkle_verify_consistency(1, 2, root[1], root[2], NULL, 0));
    REJECTED(bv_merkle_verify_consistency(1, 1, root[1], root[1], CP(hash), 1));
    REJECTED(bv_merkle_verify_consistency(1, 1, root[1], root[2], NULL, 0));
}

/* --- 2. the transparency-dev/merkle corpus --- */

static uint64_t
number(const char *s)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || *s == '-' || *s == '\0')
        fail_msg("not a number: %s", s);
    return (uint64_t)v;
}

/*
 * A hash field as the API's 32 bytes; 0 if it had another length. Some
 * fields are deliberately another length ("WrongLeaf", "don't care 1",
 * empty garbage). A caller must refuse a leaf hash or proof hash of the
 * wrong length while decoding it, as transparency-dev/merkle does; roots it
 * only compares. To make the verifier itself face these cases, the field
 * still becomes SHA-256(0x02 || bytes): the 0x02 prefix keeps the stand-in
 * apart from every leaf (0x00) and node (0x01) hash, and equal fields stay
 * equal (the equal-size cases compare root1 with root2, and one of them
 * must pass with two 12-byte roots).
 */
static int
field32(const char *tok, uint8_t out[32])
{
    static const uint8_t tag = 0x02;
    crypto_hash_sha256_state st;
    uint8_t raw[64];
    size_t len = 0;

    if (strcmp(tok, "-") != 0
        && sodium_base642bin(
               raw, sizeof raw, tok, strlen(tok), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL)
            != 0)
        fail_msg("bad base64: %s", tok);
    if (len == 32) {
        memcpy(out, raw, 32);
        return 1;
    }
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &tag, 1);
    crypto_hash_sha256_update(&st, raw, len);
    crypto_hash_sha256_final(&st, out);
    return 0;
}

typedef struct {
    int cases; /* lines read */
    int passing; /* cases with wantErr false */
    int length_only; /* rejected only by the caller's length check */
} tally;

/* Run every case of one file and assert each outcome. */
static void
run_corpus(const char *file, int consistency, tally *t)
{
    char line[4096], *tok[8 + BV_MERKLE_MAX_PROOF], *save = NULL, *p;
    uint8_t h1[32], h2[32], proof[BV_MERKLE_MAX_PROOF][32];
    uint64_t a, b, np, i;
    size_t nt;
    int want_err, lengths_ok;
    bv_status st;
    FILE *fp;

    if ((fp = fopen(file, "r")) == NULL)
        fail_msg("cannot open %s (tests run from the repository top)", file);
    memset(t, 0, sizeof *t);
    while (fgets(line, sizeof line, fp) != NULL) {
        if (line[0] == '#')
            continue;
        if (strchr(line, '\n') == NULL)
            fail_msg("%s: line too long or not terminated", file);
        nt = 0;
        for (p = strtok_r(line, " \n", &save); p != NULL; p = strtok_r(NULL, " \n", &save)) {
            if (nt == sizeof tok / sizeof tok[0])
                fail_msg("%s: too many fields", file);
            tok[nt++] = p;
        }
        if (nt < 7)
            fail_msg("%s: short line", file);
        a = number(tok[1]);
        b = number(tok[2]);
        lengths_ok = field32(tok[3], h1);
        if (consistency)
            lengths_ok = 1; /* h1 is root1 */
        field32(tok[4], h2);
        if (strcmp(tok[5], "0") != 0 && strcmp(tok[5], "1") != 0)
            fail_msg("%s: %s: wantErr is %s", file, tok[0], tok[5]);
        want_err = tok[5][0] == '1';
        np = number(tok[6]);
        if (np > BV_MERKLE_MAX_PROOF || nt != 7 + np)
            fail_msg("%s: %s: proof count %s does not match the line", file, tok[0], tok[6]);
        for (i = 0; i < np; i++)
            lengths_ok &= field32(tok[7 + i], proof[i]);
        bv_err_clear();
        if (consistency)
            st = bv_merkle_verify_consistency(a, b, h1, h2, CP(proof), (size_t)np);
        else
            st = bv_merkle_verify_inclusion(a, b, h1, CP(proof), (size_t)np, h2);
        if (st != BV_OK && st != BV_EINTEGRITY)
            fail_msg("%s: %s: status %d", file, tok[0], st);
        if ((st != BV_OK || !lengths_ok) != want_err)
            fail_msg("%s: %s: wantErr %d, got status %d (%s)", file, tok[0], want_err, st,
                st == BV_OK ? "ok" : bv_errmsg());
        bv_err_clear();
        t->cases++;
        t->passing += !want_err;
        t->length_only += st == BV_OK && !lengths_ok;
    }
    fclose(fp);
}

static void
test_corpus_inclusion(void **state)
{
    tally t;
    (void)state;

    run_corpus(VEC "inclusion.txt", 0, &t);
    /* 98 JSON files; the happy paths of 0..4 and
     * single-entry/matching-root-and-leaf verify */
    assert_int_equal(t.cases, 98);
    assert_int_equal(t.passing, 6);
    /* single-entry/empty-root-and-leaf: an empty leaf hash equal to an
     * empty root; every other bad case the verifier rejects by itself */
    assert_int_equal(t.length_only, 1);
}

static void
test_corpus_consistency(void **state)
{
    tally t;
    (void)state;

    run_corpus(VEC "consistency.txt", 1, &t);
    /* 98 JSON files; the happy paths of 0..4 and
     * additional/sizes-are-equal-one-and-proof-is-empty verify */
    assert_int_equal(t.cases, 98);
    assert_int_equal(t.passing, 6);
    assert_int_equal(t.length_only, 0);
}

/* --- 3. generated trees: leaf i is the 2-byte big-endian i --- */

#define GEN 300 /* leaves for the frontier test */
#define GEN_P 128 /* largest tree whose every proof is checked */

static uint8_t gen_hash[GEN][32];
static uint8_t gen_root[GEN + 1][32]; /* gen_root[n]: MTH of the first n leaves */

static int
gen_setup(void **state)
{
    uint8_t in[2];
    uint64_t n;
    (void)state;

    for (n = 0; n < GEN; n++) {
        in[0] = (uint8_t)(n >> 8);
        in[1] = (uint8_t)n;
        bv_merkle_leaf_hash(gen_hash[n], in, 2);
    }
    for (n = 0; n <= GEN; n++)
        mth(CP(gen_hash), n, gen_root[n]);
    return 0;
}

static void
flip(uint8_t h[32], size_t bit)
{
    h[bit / 8 % 32] ^= (uint8_t)(1u << bit % 8);
}

static void
test_generated_inclusion(void **state)
{
    uint8_t proof[BV_MERKLE_MAX_PROOF + 1][32];
    leaves l = { CP(gen_hash), GEN, 0, UINT64_MAX };
    uint64_t n, i, w[3];
    size_t plen, j, k;
    (void)state;

    for (n = 1; n <= GEN_P; n++) {
        for (i = 0; i < n; i++) {
            const uint8_t *leaf = gen_hash[i];
            l.calls = 0;
            assert_int_equal(bv_merkle_inclusion_proof(from_array, &l, i, n, proof, &plen), BV_OK);
            /* every other leaf is read once, leaf i never */
            assert_int_equal(l.calls, n - 1);
            assert_int_equal(
                bv_merkle_verify_inclusion(i, n, leaf, CP(proof), plen, gen_root[n]), BV_OK);
            for (j = 0; j < plen; j++) {
                flip(proof[j], i + j);
                REJECTED(bv_merkle_verify_inclusion(i, n, leaf, CP(proof), plen, gen_root[n]));
                flip(proof[j], i + j);
            }
            /* wrong index, with this leaf and with the leaf really there */
            w[0] = i ^ 1, w[1] = i + 1, w[2] = i - 1;
            for (k = 0; k < 3; k++) {
                if (w[k] >= n)
                    continue;
                REJECTED(bv_merkle_verify_inclusion(w[k], n, leaf, CP(proof), plen, gen_root[n]));
                REJECTED(bv_merkle_verify_inclusion(
                    w[k], n, gen_hash[w[k]], CP(proof), plen, gen_root[n]));
            }
            if (n > 1)
                REJECTED(bv_merkle_verify_inclusion(
                    i, n, gen_hash[(i + 1) % n], CP(proof), plen, gen_root[n]));
            /* wrong size: CT's x2 and /2 with this root, and n +- 1 with the
             * root of that size (a size is only bound through its root) */
            REJECTED(bv_merkle_verify_inclusion(i, 2 * n, leaf, CP(proof), plen, gen_root[n]));
            REJECTED(bv_merkle_verify_inclusion(i, 2 * n, leaf, CP(proof), plen, gen_root[2 * n]));
            REJECTED(bv_merkle_verify_inclusion(i, n / 2, leaf, CP(proof), plen, gen_root[n]));
            REJECTED(bv_merkle_verify_inclusion(i, n + 1, leaf, CP(proof), plen, gen_root[n + 1]));
            if (n - 1 > i)
                REJECTED(
                    bv_merkle_verify_inclusion(i, n - 1, leaf, CP(proof), plen, gen_root[n - 1]));
            /* a hash missing or one too many */
            if (plen > 0)
                REJECTED(bv_merkle_verify_inclusion(i, n, leaf, CP(proof), plen - 1, gen_root[n]));
            /* §2.1.3.2 step 4a catches the extra hash before any hashing */
            memcpy(proof[plen], gen_root[n], 32);
            assert_int_equal(
                bv_merkle_verify_inclusion(i, n, leaf, CP(proof), plen + 1, gen_root[n]),
                BV_EINTEGRITY);
            assert_string_equal(bv_errmsg(), "inclusion proof is too long");
            bv_err_clear();
        }
    }
}

static void
test_generated_consistency(void **state)
{
    uint8_t proof[BV_MERKLE_MAX_PROOF + 1][32];
    leaves l = { CP(gen_hash), GEN, 0, UINT64_MAX };
    uint64_t n, m, w[4][2];
    size_t plen, j, k;
    (void)state;

    for (n = 1; n <= GEN_P; n++) {
        for (m = 1; m <= n; m++) {
            l.calls = 0;
            assert_int_equal(
                bv_merkle_consistency_proof(from_array, &l, m, n, proof, &plen), BV_OK);
            assert_true(l.calls <= n);
            assert_int_equal(
                bv_merkle_verify_consistency(m, n, gen_root[m], gen_root[n], CP(proof), plen),
                BV_OK);
            for (j = 0; j < plen; j++) {
                flip(proof[j], m + j);
                REJECTED(
                    bv_merkle_verify_consistency(m, n, gen_root[m], gen_root[n], CP(proof), plen));
                flip(proof[j], m + j);
            }
            /* wrong sizes, each with the true roots of the sizes claimed */
            w[0][0] = m + 1, w[0][1] = n;
            w[1][0] = m - 1, w[1][1] = n;
            w[2][0] = m, w[2][1] = n + 1;
            w[3][0] = m, w[3][1] = n - 1;
            for (k = 0; k < 4; k++) {
                if (w[k][0] < 1 || w[k][0] > w[k][1])
                    continue;
                REJECTED(bv_merkle_verify_consistency(
                    w[k][0], w[k][1], gen_root[w[k][0]], gen_root[w[k][1]], CP(proof), plen));
            }
            if (m < n) {
                REJECTED(
                    bv_merkle_verify_consistency(m, n, gen_root[n], gen_root[m], CP(proof), plen));
                REJECTED(bv_merkle_verify_consistency(
                    m, n, gen_root[m], gen_root[n], CP(proof), plen - 1));
                REJECTED(bv_merkle_verify_consistency(
                    m, n, gen_root[m - 1], gen_root[n], CP(proof), plen));
                REJECTED(bv_merkle_verify_consistency(
                    m, n, gen_root[m], gen_root[n - 1], CP(proof), plen));
            }
            /* §2.1.4.2 step 6a, or the equal-size rule */
            memcpy(proof[plen], gen_root[n], 32);
            assert_int_equal(
                bv_merkle_verify_consistency(m, n, gen_root[m], gen_root[n], CP(proof), plen + 1),
                BV_EINTEGRITY);
            assert_string_equal(bv_errmsg(),
                m < n ? "consistency proof is too long"
                      : "consistency proof between equal sizes is not empty");
            bv_err_clear();
        }
    }
}

static void
test_frontier(void **state)
{
    bv_merkle_frontier f, g;
    leaves l = { CP(gen_hash), GEN, 0, UINT64_MAX };
    uint8_t h[32];
    uint64_t n;
    size_t len, want;
    bv_buf b;
    (void)state;

    bv_merkle_frontier_init(&f);
    for (n = 0; n <= GEN; n++) {
        assert_int_equal(f.size, n);
        bv_merkle_frontier_root(&f, h);
        assert_memory_equal(h, gen_root[n], 32);
        assert_int_equal(bv_merkle_root(from_array, &l, n, h), BV_OK);
        assert_memory_equal(h, gen_root[n], 32);

        bv_buf_init(&b);
        bv_merkle_frontier_encode(&f, &b);
        assert_false(b.oom);
        want = 8;
        for (len = 0; len < 64; len++)
            want += (n >> len & 1) ? 32 : 0;
        assert_int_equal(b.len, want);
        assert_int_equal(bv_load_be64(b.p), n);
        memset(&g, 0xa5, sizeof g);
        assert_int_equal(bv_merkle_frontier_decode(&g, b.p, b.len), BV_OK);
        assert_memory_equal(&g, &f, sizeof f); /* invalid slots are zero in both */
        /* every truncation, and one byte too many */
        for (len = 0; len < b.len; len++)
            REJECTED(bv_merkle_frontier_decode(&g, b.p, len));
        bv_buf_put(&b, "", 1);
        REJECTED(bv_merkle_frontier_decode(&g, b.p, b.len));
        /* a size whose node count disagrees with the bytes that follow */
        bv_store_be64(b.p, n | 1u << 9);
        REJECTED(bv_merkle_frontier_decode(&g, b.p, b.len - 1));
        bv_buf_free(&b);

        if (n < GEN)
            assert_int_equal(bv_merkle_frontier_append(&f, gen_hash[n]), BV_OK);
    }
}

static void
test_frontier_limits(void **state)
{
    bv_merkle_frontier f, g;
    uint8_t h[32];
    unsigned level;
    bv_buf b;
    (void)state;

    /* one below the top: bits 1..63 set, then the last possible append */
    bv_merkle_frontier_init(&f);
    f.size = UINT64_MAX - 1;
    for (level = 1; level < 64; level++)
        memset(f.node[level], (int)level, 32);
    assert_int_equal(bv_merkle_frontier_append(&f, gen_hash[0]), BV_OK);
    assert_true(f.size == UINT64_MAX);
    assert_memory_equal(f.node[0], gen_hash[0], 32);
    assert_int_equal(bv_merkle_frontier_append(&f, gen_hash[1]), BV_ERR);
    bv_err_clear();
    assert_true(f.size == UINT64_MAX);
    bv_buf_init(&b);
    bv_merkle_frontier_encode(&f, &b);
    assert_int_equal(b.len, 8 + 64 * 32);
    assert_int_equal(bv_merkle_frontier_decode(&g, b.p, b.len), BV_OK);
    assert_memory_equal(&g, &f, sizeof f);
    bv_merkle_frontier_root(&g, h);
    bv_buf_free(&b);
    REJECTED(bv_merkle_frontier_decode(&g, (const uint8_t *)"", 0));
}

/* Bad arguments, callback failures, and proofs longer than any tree. */
static void
test_arguments(void **state)
{
    uint8_t proof[BV_MERKLE_MAX_PROOF + 1][32], h[32];
    leaves l = { CP(gen_hash), GEN, 0, UINT64_MAX };
    size_t plen = 99;
    (void)state;

    assert_int_equal(bv_merkle_inclusion_proof(from_array, &l, 5, 5, proof, &plen), BV_EUSAGE);
    assert_int_equal(plen, 0);
    assert_int_equal(bv_merkle_consistency_proof(from_array, &l, 0, 5, proof, &plen), BV_EUSAGE);
    assert_int_equal(bv_merkle_consistency_proof(from_array, &l, 0, 0, proof, &plen), BV_EUSAGE);
    assert_int_equal(bv_merkle_consistency_proof(from_array, &l, 6, 5, proof, &plen), BV_EUSAGE);
    assert_int_equal(l.calls, 0);
    bv_err_clear();
    REJECTED(bv_merkle_verify_inclusion(5, 5, gen_hash[0], NULL, 0, gen_root[5]));
    REJECTED(bv_merkle_verify_inclusion(UINT64_MAX, 5, gen_hash[0], NULL, 0, gen_root[5]));
    REJECTED(bv_merkle_verify_consistency(6, 5, gen_root[6], gen_root[5], NULL, 0));
    REJECTED(bv_merkle_verify_consistency(0, 5, gen_root[0], gen_root[5], NULL, 0));
    memset(proof, 0, sizeof proof);
    REJECTED(bv_merkle_verify_inclusion(
        0, UINT64_MAX, gen_hash[0], CP(proof), BV_MERKLE_MAX_PROOF + 1, gen_root[5]));
    REJECTED(bv_merkle_verify_consistency(
        3, UINT64_MAX, gen_root[3], gen_root[5], CP(proof), BV_MERKLE_MAX_PROOF + 1));
    /* the empty tree and m == n need no leaves at all */
    assert_int_equal(bv_merkle_root(from_array, &l, 0, h), BV_OK);
    assert_memory_equal(h, gen_root[0], 32);
    assert_int_equal(bv_merkle_consistency_proof(from_array, &l, 7, 7, proof, &plen), BV_OK);
    assert_int_equal(plen, 0);
    assert_int_equal(l.calls, 0);

    /* a failing read comes back unchanged, with the callback's message */
    l.fail_at = 3;
    bv_err_clear();
    assert_int_equal(bv_merkle_root(from_array, &l, 10, h), BV_ENOTFOUND);
    assert_string_equal(bv_errmsg(), "leaf 3 is missing");
    bv_err_clear();
    assert_int_equal(bv_merkle_inclusion_proof(from_array, &l, 9, 10, proof, &plen), BV_ENOTFOUND);
    assert_int_equal(plen, 0);
    assert_int_equal(
        bv_merkle_consistency_proof(from_array, &l, 5, 10, proof, &plen), BV_ENOTFOUND);
    assert_int_equal(plen, 0);
    bv_err_clear();
}

/* A tree too big to hold in memory in a test, with leaf hashes made up
 * from the index (no SHA-256 per leaf): what matters is the shape. */
static bv_status
synthetic(void *ctx, uint64_t index, uint8_t out[32])
{
    uint64_t *calls = ctx;

    (*calls)++;
    memset(out, 0x5a, 32);
    bv_store_be64(out, index);
    return BV_OK;
}

static void
test_large_tree(void **state)
{
    const uint64_t n = 100003, m = 65537;
    uint8_t root[32], root_m[32], h[32], leaf[32], proof[BV_MERKLE_MAX_PROOF][32];
    bv_merkle_frontier f;
    uint64_t calls = 0, i;
    const uint64_t idx[] = { 0, 1, m - 1, m, n / 2, n - 2, n - 1 };
    size_t plen, k;
    (void)state;

    bv_merkle_frontier_init(&f);
    for (i = 0; i < n; i++) {
        synthetic(&calls, i, h);
        assert_int_equal(bv_merkle_frontier_append(&f, h), BV_OK);
        if (i + 1 == m)
            bv_merkle_frontier_root(&f, root_m);
    }
    bv_merkle_frontier_root(&f, root);
    calls = 0;
    assert_int_equal(bv_merkle_root(synthetic, &calls, n, h), BV_OK);
    assert_int_equal(calls, n);
    assert_memory_equal(h, root, 32);
    for (k = 0; k < sizeof idx / sizeof idx[0]; k++) {
        calls = 0;
        assert_int_equal(
            bv_merkle_inclusion_proof(synthetic, &calls, idx[k], n, proof, &plen), BV_OK);
        assert_int_equal(calls, n - 1);
        synthetic(&calls, idx[k], leaf);
        assert_int_equal(bv_merkle_verify_inclusion(idx[k], n, leaf, CP(proof), plen, root), BV_OK);
    }
    calls = 0;
    assert_int_equal(bv_merkle_consistency_proof(synthetic, &calls, m, n, proof, &plen), BV_OK);
    assert_true(calls <= n);
    assert_int_equal(bv_merkle_verify_consistency(m, n, root_m, root, CP(proof), plen), BV_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hasher),
        cmocka_unit_test(test_reference_tree),
        cmocka_unit_test(test_reference_inclusion),
        cmocka_unit_test(test_reference_consistency),
        cmocka_unit_test(test_corpus_inclusion),
        cmocka_unit_test(test_corpus_consistency),
        cmocka_unit_test(test_generated_inclusion),
        cmocka_unit_test(test_generated_consistency),
        cmocka_unit_test(test_frontier),
        cmocka_unit_test(test_frontier_limits),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_large_tree),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, gen_setup, NULL);
}
