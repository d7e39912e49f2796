/*
 * merkle.c - the RFC 9162 §2.1 Merkle tree (the same tree as RFC 6962
 * §2.1): hashes, the right border kept for appends, tree heads, and
 * inclusion and consistency proofs.
 *
 * Generation runs the RFC's recursive definitions (§2.1.3.1, §2.1.4.1)
 * top-down as loops and hashes every subtree it needs through a local
 * right border, so it uses a few KiB of stack for any tree size and never
 * recurses. Verification follows §2.1.3.2 and §2.1.4.2 step by step.
 */
#include "bv_merkle.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

void
bv_merkle_leaf_hash(uint8_t out[32], const uint8_t *leaf, size_t len)
{
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_state st;

    /* The 0x00 and 0x01 prefixes (§2.1.1) keep a leaf from ever being
     * taken for an interior node: the second-preimage defence. */
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    if (len)
        crypto_hash_sha256_update(&st, leaf, len);
    crypto_hash_sha256_final(&st, out);
}

void
bv_merkle_node_hash(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
    static const uint8_t prefix = 0x01;
    crypto_hash_sha256_state st;

    /* multi-part, so no 65-byte copy; out is written only by _final, after
     * both inputs are read, which lets callers hash in place */
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, l, 32);
    crypto_hash_sha256_update(&st, r, 32);
    crypto_hash_sha256_final(&st, out);
}

void
bv_merkle_empty_root(uint8_t out[32])
{
    static const uint8_t none[1];

    crypto_hash_sha256(out, none, 0);
}

void
bv_merkle_frontier_init(bv_merkle_frontier *f)
{
    memset(f, 0, sizeof *f);
}

bv_status
bv_merkle_frontier_append(bv_merkle_frontier *f, const uint8_t leaf_hash[32])
{
    uint8_t h[32];
    unsigned level = 0;

    /* at UINT64_MAX every level is full and the carry would need node[64] */
    if (f->size == UINT64_MAX)
        return bv_fail(BV_ERR, "audit tree is full (%" PRIu64 " entries)", f->size);
    memcpy(h, leaf_hash, 32);
    /* Adding one to size carries through its low set bits; each carry
     * merges two perfect subtrees of 2^level leaves into one of
     * 2^(level+1) (§2.1.1: k < n <= 2k splits off exactly these). */
    while ((f->size >> level) & 1) {
        bv_merkle_node_hash(h, f->node[level], h);
        memset(f->node[level], 0, 32); /* keep invalid slots zero */
        level++;
    }
    memcpy(f->node[level], h, 32);
    f->size++;
    return BV_OK;
}

void
bv_merkle_frontier_root(const bv_merkle_frontier *f, uint8_t root[32])
{
    unsigned level = 0;

    if (f->size == 0) {
        bv_merkle_empty_root(root);
        return;
    }
    /* The border subtrees, smallest (rightmost) first: MTH splits off the
     * largest power of two on the left (§2.1.1), so the right part is
     * always folded in as the right child. */
    while (((f->size >> level) & 1) == 0)
        level++;
    memcpy(root, f->node[level], 32);
    for (level++; level < 64; level++) {
        if ((f->size >> level) & 1)
            bv_merkle_node_hash(root, f->node[level], root);
    }
}

void
bv_merkle_frontier_encode(const bv_merkle_frontier *f, bv_buf *out)
{
    uint8_t sz[8];
    unsigned level;

    bv_store_be64(sz, f->size);
    bv_buf_put(out, sz, 8);
    for (level = 0; level < 64; level++) {
        if ((f->size >> level) & 1)
            bv_buf_put(out, f->node[level], 32);
    }
}

bv_status
bv_merkle_frontier_decode(bv_merkle_frontier *f, const uint8_t *p, size_t len)
{
    uint64_t size;
    size_t count = 0;
    unsigned level;

    bv_merkle_frontier_init(f);
    if (len < 8)
        return bv_fail(BV_EINTEGRITY, "audit tree state is truncated");
    size = bv_load_be64(p);
    for (level = 0; level < 64; level++)
        count += (size_t)((size >> level) & 1);
    /* the size says exactly how many nodes follow: anything else is damage */
    if (len - 8 != 32 * count)
        return bv_fail(BV_EINTEGRITY, "audit tree state has %zu bytes, size %" PRIu64 " needs %zu",
            len, size, 8 + 32 * count);
    p += 8;
    for (level = 0; level < 64; level++) {
        if ((size >> level) & 1) {
            memcpy(f->node[level], p, 32);
            p += 32;
        }
    }
    f->size = size;
    return BV_OK;
}

/* k of §2.1.1 for n >= 2: the largest power of two below n, k < n <= 2k.
 * Written as k < n - k so that it cannot overflow for n > 2^63. */
static uint64_t
split(uint64_t n)
{
    uint64_t k = 1;

    while (k < n - k)
        k <<= 1;
    return k;
}

/* MTH(D[lo:lo+count]) for count >= 1. The leaves go through a local right
 * border: the iterative form of §2.1.1, O(log n) state and no recursion. */
static bv_status
subtree(bv_merkle_leaf_fn fn, void *ctx, uint64_t lo, uint64_t count, uint8_t out[32])
{
    bv_merkle_frontier f;
    uint8_t h[32];
    uint64_t i;
    bv_status st;

    bv_merkle_frontier_init(&f);
    for (i = 0; i < count; i++) {
        if ((st = fn(ctx, lo + i, h)) != BV_OK)
            return st;
        if ((st = bv_merkle_frontier_append(&f, h)) != BV_OK)
            return st;
    }
    bv_merkle_frontier_root(&f, out);
    return BV_OK;
}

/* The RFC appends each level's hash after the proof of the level below it
 * (PATH(...) : MTH(...)); the loops meet the levels root side first. */
static void
reverse(uint8_t proof[][32], size_t len)
{
    uint8_t t[32];
    size_t i;

    for (i = 0; i < len / 2; i++) {
        memcpy(t, proof[i], 32);
        memcpy(proof[i], proof[len - 1 - i], 32);
        memcpy(proof[len - 1 - i], t, 32);
    }
}

bv_status
bv_merkle_root(bv_merkle_leaf_fn fn, void *ctx, uint64_t n, uint8_t root[32])
{
    if (n == 0) {
        bv_merkle_empty_root(root);
        return BV_OK;
    }
    return subtree(fn, ctx, 0, n, root);
}

bv_status
bv_merkle_inclusion_proof(bv_merkle_leaf_fn fn, void *ctx, uint64_t index, uint64_t size,
    uint8_t proof[][32], size_t *plen)
{
    uint64_t lo = 0, n = size, m = index, k;
    size_t len = 0;
    bv_status st;

    *plen = 0;
    if (index >= size)
        return bv_fail(
            BV_EUSAGE, "no leaf %" PRIu64 " in a tree of %" PRIu64 " leaves", index, size);
    /* PATH(m, D[n]) (§2.1.3.1): keep the half that holds leaf m and record
     * the MTH of the other half. n at least halves each step, so there
     * are at most 64 steps; the check only guards that argument. */
    while (n > 1) {
        if (len == BV_MERKLE_MAX_PROOF)
            return bv_fail(BV_ERR, "inclusion proof too long");
        k = split(n);
        if (m < k) {
            st = subtree(fn, ctx, lo + k, n - k, proof[len]);
            n = k;
        } else {
            st = subtree(fn, ctx, lo, k, proof[len]);
            lo += k;
            m -= k;
            n -= k;
        }
        if (st != BV_OK)
            return st;
        len++;
    }
    reverse(proof, len);
    *plen = len;
    return BV_OK;
}

bv_status
bv_merkle_consistency_proof(
    bv_merkle_leaf_fn fn, void *ctx, uint64_t m, uint64_t n, uint8_t proof[][32], size_t *plen)
{
    uint64_t lo = 0, k;
    size_t len = 0;
    int whole = 1; /* the b of SUBPROOF: D[lo:lo+m] is still the old tree itself */
    bv_status st;

    *plen = 0;
    if (m == 0)
        return bv_fail(BV_EUSAGE, "consistency proof from the empty tree is meaningless");
    if (m > n)
        return bv_fail(BV_EUSAGE,
            "no consistency proof from %" PRIu64 " to %" PRIu64 " leaves: "
            "the tree would shrink",
            m, n);
    /* SUBPROOF(m, D[n], b) (§2.1.4.1) as a loop over (lo, m, n, b) */
    while (m != n) {
        if (len == BV_MERKLE_MAX_PROOF)
            return bv_fail(BV_ERR, "consistency proof too long");
        k = split(n);
        if (m <= k) {
            st = subtree(fn, ctx, lo + k, n - k, proof[len]);
            n = k;
        } else {
            st = subtree(fn, ctx, lo, k, proof[len]);
            lo += k;
            m -= k;
            n -= k;
            whole = 0;
        }
        if (st != BV_OK)
            return st;
        len++;
    }
    /* SUBPROOF(m, D[m], false) = {MTH(D[m])}; when b is still true the
     * verifier already holds that hash as the old root and it is left out */
    if (!whole) {
        if (len == BV_MERKLE_MAX_PROOF)
            return bv_fail(BV_ERR, "consistency proof too long");
        if ((st = subtree(fn, ctx, lo, m, proof[len])) != BV_OK)
            return st;
        len++;
    }
    reverse(proof, len);
    *plen = len;
    return BV_OK;
}

/* §2.1.3.2 step 4b / §2.1.4.2 step 6b: after a right-hand node at the end
 * of a level with no right sibling, skip the levels where the node is
 * promoted unchanged (a left child with nothing to its right). */
static void
skip_border(uint64_t *fn, uint64_t *sn)
{
    while ((*fn & 1) == 0 && *fn != 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

bv_status
bv_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf_hash[32],
    const uint8_t proof[][32], size_t plen, const uint8_t root[32])
{
    uint64_t fn = index, sn;
    uint8_t r[32];
    size_t i;

    if (index >= size)
        return bv_fail(BV_EINTEGRITY,
            "inclusion proof names leaf %" PRIu64 " of a tree of %" PRIu64 " leaves", index, size);
    if (plen > BV_MERKLE_MAX_PROOF)
        return bv_fail(BV_EINTEGRITY, "inclusion proof is too long");
    sn = size - 1;
    memcpy(r, leaf_hash, 32);
    for (i = 0; i < plen; i++) {
        /* §2.1.3.2 step 4a: more hashes than levels */
        if (sn == 0)
            return bv_fail(BV_EINTEGRITY, "inclusion proof is too long");
        if ((fn & 1) || fn == sn) {
            bv_merkle_node_hash(r, proof[i], r);
            skip_border(&fn, &sn);
        } else {
            bv_merkle_node_hash(r, r, proof[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* step 5: sn == 0 means the path reached the top (no hash missing);
     * tree heads are public, so a plain memcmp is fine */
    if (sn != 0)
        return bv_fail(BV_EINTEGRITY, "inclusion proof is too short");
    if (memcmp(r, root, 32) != 0)
        return bv_fail(BV_EINTEGRITY, "inclusion proof does not match root");
    return BV_OK;
}

bv_status
bv_merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t root1[32],
    const uint8_t root2[32], const uint8_t proof[][32], size_t plen)
{
    uint64_t fn, sn;
    uint8_t fr[32], sr[32];
    const uint8_t *c;
    size_t i;

    /* The steps of §2.1.4.2 assume 0 < m < n; these checks come first.
     * m == 0 is refused even when n == 0, as transparency-dev/merkle and
     * its test data do. */
    if (m > n)
        return bv_fail(BV_EINTEGRITY,
            "tree of %" PRIu64 " leaves cannot extend one of %" PRIu64 " leaves", n, m);
    if (m == 0)
        return bv_fail(BV_EINTEGRITY, "consistency proof from the empty tree is meaningless");
    if (m == n) {
        if (plen != 0)
            return bv_fail(BV_EINTEGRITY, "consistency proof between equal sizes is not empty");
        if (memcmp(root1, root2, 32) != 0)
            return bv_fail(BV_EINTEGRITY, "two tree heads of %" PRIu64 " leaves differ", m);
        return BV_OK;
    }
    /* step 1; and any longer proof would fail step 6a anyway */
    if (plen == 0)
        return bv_fail(BV_EINTEGRITY, "consistency proof is empty");
    if (plen > BV_MERKLE_MAX_PROOF)
        return bv_fail(BV_EINTEGRITY, "consistency proof is too long");
    /* step 2: when m is a power of two the old tree is a whole subtree of
     * the new one and its root is the proof's first (omitted) hash */
    i = 0;
    if ((m & (m - 1)) == 0) {
        c = root1;
    } else {
        c = proof[0];
        i = 1;
    }
    /* steps 3-5 */
    fn = m - 1;
    sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    memcpy(fr, c, 32);
    memcpy(sr, c, 32);
    /* step 6: fr rebuilds the old root, sr the new one, from shared nodes */
    for (; i < plen; i++) {
        c = proof[i];
        if (sn == 0)
            return bv_fail(BV_EINTEGRITY, "consistency proof is too long");
        if ((fn & 1) || fn == sn) {
            bv_merkle_node_hash(fr, c, fr);
            bv_merkle_node_hash(sr, c, sr);
            skip_border(&fn, &sn);
        } else {
            bv_merkle_node_hash(sr, sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* step 7 */
    if (sn != 0)
        return bv_fail(BV_EINTEGRITY, "consistency proof is too short");
    if (memcmp(fr, root1, 32) != 0 || memcmp(sr, root2, 32) != 0)
        return bv_fail(BV_EINTEGRITY, "consistency proof does not match the tree heads");
    return BV_OK;
}
