/*
 * fuzz_merkle.c - the RFC 9162 Merkle tree code (src/merkle.c) with
 * fuzzed frontiers, sizes and proofs.
 *
 * The first byte picks a mode (byte % 5), the rest is its input:
 *  0 frontier: bv_merkle_frontier_decode of the bytes. On failure the
 *    frontier is empty (size 0, all zero); on success encode gives the
 *    bytes back exactly, the slots of unset bits are zero, and appending a
 *    leaf keeps them zero and computes the root a reference fold gives.
 *  1 raw inclusion: index (8 bytes BE), size (8), leaf hash (32), root (32),
 *    then the proof, 32 bytes a hash (any count, also over 64).
 *  2 raw consistency: m (8), n (8), root1 (32), root2 (32), then the proof.
 *    Modes 1 and 2 compare bv_merkle_verify_* with an independent
 *    recursive verifier written from RFC 9162 §2.1.3.1 / §2.1.4.1 (the
 *    PATH and SUBPROOF definitions, not the iterative §2.1.3.2 steps).
 *  3 real inclusion, 4 real consistency: a tree of 1..300 leaves made from
 *    the input; its root against a recursive MTH, against a frontier, and
 *    the generated proofs must verify. Then the input mutates sizes,
 *    index, leaf, proof hashes and proof length; the verdict must match
 *    the reference verifier, and a proof accepted for the true sizes and
 *    roots must be exactly the generated one (no second proof of the
 *    same statement).
 * Verification may only return BV_OK or BV_EINTEGRITY.
 */
#include "bv_merkle.h"
#include "fuzz_common.h"

#define MAX_LEAVES 300

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_sodium_init();
    return 0;
}

/* ---- input reader --------------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t n;
} rd;

static uint64_t
take_u64(rd *r)
{
    uint8_t b[8] = { 0 };
    size_t k = r->n < 8 ? r->n : 8;

    memcpy(b, r->p, k);
    r->p += k;
    r->n -= k;
    return bv_load_be64(b);
}

static uint8_t
take_u8(rd *r)
{
    uint8_t b = 0;

    if (r->n > 0) {
        b = r->p[0];
        r->p++;
        r->n--;
    }
    return b;
}

static void
take_hash(rd *r, uint8_t h[32])
{
    size_t k = r->n < 32 ? r->n : 32;

    memset(h, 0, 32);
    memcpy(h, r->p, k);
    r->p += k;
    r->n -= k;
}

/* ---- reference: RFC 9162 §2.1 by its recursive definitions ----------- */

static void
node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
    crypto_hash_sha256_state st;
    uint8_t one = 0x01, t[32];

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &one, 1);
    crypto_hash_sha256_update(&st, l, 32);
    crypto_hash_sha256_update(&st, r, 32);
    crypto_hash_sha256_final(&st, t);
    memcpy(out, t, 32);
}

/* The largest power of two below n (n >= 2). */
static uint64_t
ref_split(uint64_t n)
{
    uint64_t k = 1;

    while (k <= (n - 1) / 2)
        k <<= 1;
    return k;
}

/* Root from PATH(index, D[size]); proof[plen - 1] is the top sibling. */
static int
ref_path(uint64_t index, uint64_t size, const uint8_t leaf[32], const uint8_t (*proof)[32],
    size_t plen, uint8_t out[32])
{
    uint8_t sub[32];
    uint64_t k;

    if (size == 1) {
        if (plen != 0)
            return 0;
        memcpy(out, leaf, 32);
        return 1;
    }
    if (plen == 0)
        return 0;
    k = ref_split(size);
    if (index < k) {
        if (!ref_path(index, k, leaf, proof, plen - 1, sub))
            return 0;
        node(out, sub, proof[plen - 1]);
    } else {
        if (!ref_path(index - k, size - k, leaf, proof, plen - 1, sub))
            return 0;
        node(out, proof[plen - 1], sub);
    }
    return 1;
}

static bv_status
ref_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32], const uint8_t (*proof)[32],
    size_t plen, const uint8_t root[32])
{
    uint8_t r[32];

    if (index >= size || plen > BV_MERKLE_MAX_PROOF || !ref_path(index, size, leaf, proof, plen, r)
        || memcmp(r, root, 32) != 0)
        return BV_EINTEGRITY;
    return BV_OK;
}

/* Old and new roots from SUBPROOF(m, D[n], b); the top hash is last. */
static int
ref_sub(uint64_t m, uint64_t n, int b, const uint8_t root1[32], const uint8_t (*proof)[32],
    size_t plen, uint8_t old[32], uint8_t nw[32])
{
    uint8_t o[32], w[32];
    uint64_t k;

    if (m == n) {
        if (b) {
            if (plen != 0)
                return 0;
            memcpy(old, root1, 32);
            memcpy(nw, root1, 32);
            return 1;
        }
        if (plen != 1)
            return 0;
        memcpy(old, proof[0], 32);
        memcpy(nw, proof[0], 32);
        return 1;
    }
    if (plen == 0)
        return 0;
    k = ref_split(n);
    if (m <= k) {
        if (!ref_sub(m, k, b, root1, proof, plen - 1, o, w))
            return 0;
        memcpy(old, o, 32);
        node(nw, w, proof[plen - 1]);
    } else {
        if (!ref_sub(m - k, n - k, 0, root1, proof, plen - 1, o, w))
            return 0;
        node(old, proof[plen - 1], o);
        node(nw, proof[plen - 1], w);
    }
    return 1;
}

static bv_status
ref_consistency(uint64_t m, uint64_t n, const uint8_t root1[32], const uint8_t root2[32],
    const uint8_t (*proof)[32], size_t plen)
{
    uint8_t o[32], w[32];

    if (m == 0 || m > n || plen > BV_MERKLE_MAX_PROOF || !ref_sub(m, n, 1, root1, proof, plen, o, w)
        || memcmp(o, root1, 32) != 0 || memcmp(w, root2, 32) != 0)
        return BV_EINTEGRITY;
    return BV_OK;
}

static void
cmp_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32], const uint8_t (*proof)[32],
    size_t plen, const uint8_t root[32], bv_status *out)
{
    bv_status st, want;

    bv_err_clear();
    st = bv_merkle_verify_inclusion(index, size, leaf, plen ? proof : NULL, plen, root);
    want = ref_inclusion(index, size, leaf, proof, plen, root);
    FUZZ_CHECK(st == BV_OK || st == BV_EINTEGRITY, "verify_inclusion returned %d", st);
    FUZZ_CHECK(st == want,
        "verify_inclusion(index %llu, size %llu, %zu hashes) = %d, RFC 9162 says %d",
        (unsigned long long)index, (unsigned long long)size, plen, st, want);
    if (out)
        *out = st;
}

static void
cmp_consistency(uint64_t m, uint64_t n, const uint8_t r1[32], const uint8_t r2[32],
    const uint8_t (*proof)[32], size_t plen, bv_status *out)
{
    bv_status st, want;

    bv_err_clear();
    st = bv_merkle_verify_consistency(m, n, r1, r2, plen ? proof : NULL, plen);
    want = ref_consistency(m, n, r1, r2, proof, plen);
    FUZZ_CHECK(st == BV_OK || st == BV_EINTEGRITY, "verify_consistency returned %d", st);
    FUZZ_CHECK(st == want, "verify_consistency(%llu, %llu, %zu hashes) = %d, RFC 9162 says %d",
        (unsigned long long)m, (unsigned long long)n, plen, st, want);
    if (out)
        *out = st;
}

/* ---- mode 0: frontiers ---------------------------------------------- */

static void
ref_frontier_root(const bv_merkle_frontier *f, uint8_t root[32])
{
    int l, first = 1;

    if (f->size == 0) {
        bv_merkle_empty_root(root);
        return;
    }
    for (l = 0; l < 64; l++) {
        if (!((f->size >> l) & 1))
            continue;
        if (first)
            memcpy(root, f->node[l], 32);
        else
            node(root, f->node[l], root);
        first = 0;
    }
}

static void
check_slots(const bv_merkle_frontier *f, const char *when)
{
    static const uint8_t zero[32];
    int l;

    for (l = 0; l < 64; l++)
        if (!((f->size >> l) & 1))
            FUZZ_CHECK(
                memcmp(f->node[l], zero, 32) == 0, "%s: unused slot %d is not zero", when, l);
}

static void
mode_frontier(rd *r)
{
    static const uint8_t zero[sizeof(bv_merkle_frontier)];
    bv_merkle_frontier *f = malloc(sizeof *f);
    uint8_t leaf[32], got[32], want[32];
    bv_buf enc;
    bv_status st;

    FUZZ_CHECK(f != NULL, "oom");
    memset(f, 0xa5, sizeof *f);
    bv_err_clear();
    st = bv_merkle_frontier_decode(f, r->p, r->n);
    if (st != BV_OK) {
        FUZZ_CHECK(st == BV_EINTEGRITY, "frontier_decode returned %d", st);
        FUZZ_CHECK(memcmp(f, zero, sizeof *f) == 0, "a failed decode left the frontier not empty");
        free(f);
        return;
    }
    check_slots(f, "decoded");
    bv_buf_init(&enc);
    bv_merkle_frontier_encode(f, &enc);
    FUZZ_CHECK(!enc.oom && enc.len == r->n && memcmp(enc.p, r->p, r->n) == 0,
        "frontier encode(decode(x)) != x");
    bv_buf_free(&enc);
    bv_merkle_frontier_root(f, got);
    ref_frontier_root(f, want);
    FUZZ_CHECK(memcmp(got, want, 32) == 0, "frontier root differs from the reference fold");
    bv_merkle_leaf_hash(leaf, r->p, r->n);
    st = bv_merkle_frontier_append(f, leaf);
    if (st == BV_OK) {
        check_slots(f, "after append");
        bv_merkle_frontier_root(f, got);
        ref_frontier_root(f, want);
        FUZZ_CHECK(memcmp(got, want, 32) == 0, "root after append differs from the fold");
    } else {
        FUZZ_CHECK(f->size == UINT64_MAX, "append failed below the maximum size");
    }
    free(f);
}

/* ---- modes 1, 2: raw verification ------------------------------------ */

static void
mode_raw(rd *r, int consistency)
{
    uint64_t a = take_u64(r), b = take_u64(r);
    uint8_t h1[32], h2[32];
    uint8_t(*proof)[32];
    size_t plen;

    take_hash(r, h1);
    take_hash(r, h2);
    plen = r->n / 32;
    FUZZ_CHECK((proof = malloc(plen ? plen * 32 : 1)) != NULL, "oom");
    if (plen)
        memcpy(proof, r->p, plen * 32);
    if (consistency)
        cmp_consistency(a, b, h1, h2, BV_MERKLE_CPROOF(proof), plen, NULL);
    else
        cmp_inclusion(a, b, h1, BV_MERKLE_CPROOF(proof), plen, h2, NULL);
    free(proof);
}

/* ---- modes 3, 4: real trees ----------------------------------------- */

typedef struct {
    uint8_t (*h)[32];
    uint64_t n;
} tree;

static bv_status
leaf_of(void *ctx, uint64_t i, uint8_t out[32])
{
    tree *t = ctx;

    FUZZ_CHECK(i < t->n, "leaf %llu asked of a tree of %llu", (unsigned long long)i,
        (unsigned long long)t->n);
    memcpy(out, t->h[i], 32);
    return BV_OK;
}

static void
ref_mth(uint8_t (*h)[32], uint64_t n, uint8_t out[32])
{
    uint8_t l[32], r[32];
    uint64_t k;

    if (n == 0) {
        bv_merkle_empty_root(out);
        return;
    }
    if (n == 1) {
        memcpy(out, h[0], 32);
        return;
    }
    k = ref_split(n);
    ref_mth(h, k, l);
    ref_mth(h + k, n - k, r);
    node(out, l, r);
}

/* The root of the first n leaves, three ways that must agree. */
static void
tree_root(tree *t, uint64_t n, uint8_t root[32])
{
    bv_merkle_frontier *f = malloc(sizeof *f);
    uint8_t a[32], b[32];
    tree sub = *t;
    uint64_t i;

    FUZZ_CHECK(f != NULL, "oom");
    sub.n = n;
    FUZZ_CHECK(bv_merkle_root(leaf_of, &sub, n, root) == BV_OK, "bv_merkle_root failed");
    ref_mth(t->h, n, a);
    bv_merkle_frontier_init(f);
    for (i = 0; i < n; i++)
        FUZZ_CHECK(bv_merkle_frontier_append(f, t->h[i]) == BV_OK, "append failed");
    bv_merkle_frontier_root(f, b);
    FUZZ_CHECK(memcmp(root, a, 32) == 0 && memcmp(root, b, 32) == 0,
        "roots of %llu leaves differ: bv_merkle_root, MTH, frontier", (unsigned long long)n);
    free(f);
}

/* Apply the input's mutations to a proof; returns the new length. */
static size_t
mutate(rd *r, uint8_t (*proof)[32], size_t plen, uint64_t *a, uint64_t *b, uint8_t h[32])
{
    uint8_t op, arg;
    size_t i;

    while (r->n >= 2) {
        op = take_u8(r);
        arg = take_u8(r);
        switch (op % 8) {
        case 0: /* flip a bit of a proof hash */
            if (plen)
                proof[arg % plen][(arg / 8) % 32] ^= (uint8_t)(1u << (arg % 8));
            break;
        case 1: /* drop the last hash */
            if (plen)
                plen--;
            break;
        case 2: /* add a hash (maybe a copy of one already there) */
            if (plen < BV_MERKLE_MAX_PROOF + 2) {
                if (plen && arg & 1)
                    memcpy(proof[plen], proof[arg % plen], 32);
                else
                    take_hash(r, proof[plen]);
                plen++;
            }
            break;
        case 3: /* swap two hashes */
            if (plen > 1) {
                uint8_t t[32];
                i = (size_t)(arg % plen);
                memcpy(t, proof[i], 32);
                memcpy(proof[i], proof[(i + 1) % plen], 32);
                memcpy(proof[(i + 1) % plen], t, 32);
            }
            break;
        case 4: /* nudge the first size or index */
            *a += (uint64_t)(int64_t)(int8_t)arg;
            break;
        case 5: /* nudge the second */
            *b += (uint64_t)(int64_t)(int8_t)arg;
            break;
        case 6: /* change the leaf or old root */
            h[arg % 32] ^= (uint8_t)(1u + (arg >> 5));
            break;
        default: /* a size far away */
            if (arg & 1)
                *b ^= (uint64_t)1 << (arg % 64);
            else
                *a ^= (uint64_t)1 << (arg % 64);
            break;
        }
    }
    return plen;
}

static void
mode_tree(rd *r, int consistency)
{
    uint8_t(*proof)[32], (*orig)[32];
    uint8_t seed, root_n[32], root_m[32], h[32];
    uint64_t n, m, i, a, b;
    size_t plen, olen;
    bv_status st;
    tree t;

    n = 1 + take_u64(r) % MAX_LEAVES;
    m = 1 + take_u64(r) % n; /* index + 1, or the old size */
    seed = take_u8(r);
    FUZZ_CHECK((t.h = malloc(n * 32)) != NULL, "oom");
    t.n = n;
    for (i = 0; i < n; i++) {
        uint8_t d[9];
        d[0] = seed;
        bv_store_be64(d + 1, i);
        bv_merkle_leaf_hash(t.h[i], d, sizeof d);
    }
    FUZZ_CHECK((proof = malloc((BV_MERKLE_MAX_PROOF + 2) * 32)) != NULL, "oom");
    FUZZ_CHECK((orig = malloc(BV_MERKLE_MAX_PROOF * 32)) != NULL, "oom");
    tree_root(&t, n, root_n);
    if (!consistency) {
        a = m - 1;
        b = n;
        st = bv_merkle_inclusion_proof(leaf_of, &t, a, n, orig, &olen);
        FUZZ_CHECK(st == BV_OK, "inclusion_proof(%llu, %llu) failed", (unsigned long long)a,
            (unsigned long long)n);
        memcpy(h, t.h[a], 32);
        cmp_inclusion(a, n, h, BV_MERKLE_CPROOF(orig), olen, root_n, &st);
        FUZZ_CHECK(st == BV_OK, "a generated inclusion proof does not verify");
    } else {
        a = m;
        b = n;
        tree_root(&t, m, root_m);
        st = bv_merkle_consistency_proof(leaf_of, &t, m, n, orig, &olen);
        FUZZ_CHECK(st == BV_OK, "consistency_proof(%llu, %llu) failed", (unsigned long long)m,
            (unsigned long long)n);
        memcpy(h, root_m, 32);
        cmp_consistency(m, n, h, root_n, BV_MERKLE_CPROOF(orig), olen, &st);
        FUZZ_CHECK(st == BV_OK, "a generated consistency proof does not verify");
    }
    memcpy(proof, orig, olen * 32);
    plen = mutate(r, proof, olen, &a, &b, h);
    if (!consistency) {
        cmp_inclusion(a, b, h, BV_MERKLE_CPROOF(proof), plen, root_n, &st);
        /* the statement "leaf a of the tree of n" has one proof */
        if (st == BV_OK && b == n && a == m - 1)
            FUZZ_CHECK(
                memcmp(h, t.h[a], 32) == 0 && plen == olen && memcmp(proof, orig, olen * 32) == 0,
                "a second proof of leaf %llu in %llu leaves was accepted", (unsigned long long)a,
                (unsigned long long)n);
    } else {
        cmp_consistency(a, b, h, root_n, BV_MERKLE_CPROOF(proof), plen, &st);
        if (st == BV_OK && a == m && b == n)
            FUZZ_CHECK(
                memcmp(h, root_m, 32) == 0 && plen == olen && memcmp(proof, orig, olen * 32) == 0,
                "a second consistency proof %llu -> %llu was accepted", (unsigned long long)m,
                (unsigned long long)n);
    }
    free(orig);
    free(proof);
    free(t.h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd r;

    if (size == 0)
        return 0;
    r.p = data + 1;
    r.n = size - 1;
    switch (data[0] % 5) {
    case 0:
        mode_frontier(&r);
        break;
    case 1:
        mode_raw(&r, 0);
        break;
    case 2:
        mode_raw(&r, 1);
        break;
    case 3:
        mode_tree(&r, 0);
        break;
    default:
        mode_tree(&r, 1);
        break;
    }
    return 0;
}
