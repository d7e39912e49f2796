/*
 * bv_merkle.h - the RFC 6962 / RFC 9162 §2.1 Merkle tree over the audit
 * log: leaf and node hashes, the O(log n) right border kept for appends,
 * tree heads, and inclusion and consistency proofs (generation and
 * verification). SHA-256 throughout, as both RFCs and C2SP checkpoints fix.
 *
 * Status codes. Verification only ever returns BV_OK or BV_EINTEGRITY:
 * its inputs (sizes, hashes, proofs) come from checkpoints, exports and
 * other parties, so anything that cannot be a valid proof - index >= size,
 * size 0, m > n, m == 0, an over-long proof - is evidence against the data,
 * not a caller mistake. Generation reads the caller's own tree, so bad
 * arguments there are BV_EUSAGE, and a callback's status is returned as is.
 */
#ifndef BV_MERKLE_H
#define BV_MERKLE_H

#include "bv.h"

#define BV_MERKLE_HASH 32
/* The deepest tree a uint64_t size allows; every inclusion proof fits. */
#define BV_MERKLE_MAX_PROOF 64
/* C before C23 warns (-Wpedantic) when uint8_t (*)[32] is passed for
 * const uint8_t (*)[32]: wrap a writable proof array in this to verify it. */
#define BV_MERKLE_CPROOF(p) ((const uint8_t(*)[BV_MERKLE_HASH])(p))

/* SHA-256(0x00 || leaf): RFC 9162 §2.1.1, MTH({d(0)}); leaf may be NULL if len is 0. */
void bv_merkle_leaf_hash(uint8_t out[32], const uint8_t *leaf, size_t len);
/* SHA-256(0x01 || l || r); out may be l or r. */
void bv_merkle_node_hash(uint8_t out[32], const uint8_t l[32], const uint8_t r[32]);
/* SHA-256(""): the root of the empty tree, MTH({}). */
void bv_merkle_empty_root(uint8_t out[32]);

/*
 * The right border of the tree ("compact range"): O(log n) state for
 * appends. node[level] is the root of the perfect subtree of 2^level leaves
 * on the border, valid iff bit `level` of size is set; the other slots are
 * zero.
 */
typedef struct {
    uint64_t size;
    uint8_t node[64][32];
} bv_merkle_frontier;

void bv_merkle_frontier_init(bv_merkle_frontier *f);
/* Add one leaf hash; BV_ERR if size is already UINT64_MAX. */
bv_status bv_merkle_frontier_append(bv_merkle_frontier *f, const uint8_t leaf_hash[32]);
/* The tree head of the f->size leaves appended so far. */
void bv_merkle_frontier_root(const bv_merkle_frontier *f, uint8_t root[32]);
/*
 * Serialise for storage: 8-byte big-endian size, then the valid nodes, low
 * level first, 32 bytes each. The caller checks out->oom. Decode returns
 * BV_EINTEGRITY unless len is exactly 8 + 32 * popcount(size). It cannot see
 * a changed size that keeps the same popcount or a changed node: compare the
 * root with one computed from the leaves for that. On failure f is empty.
 */
void bv_merkle_frontier_encode(const bv_merkle_frontier *f, bv_buf *out);
bv_status bv_merkle_frontier_decode(bv_merkle_frontier *f, const uint8_t *p, size_t len);

/*
 * Leaf hashes come from the caller (the store reads them from SQLite).
 * Generation calls fn at most once per leaf, so O(n) times, and keeps
 * O(log n) state on the stack whatever n is (no heap, no deep recursion).
 */
typedef bv_status (*bv_merkle_leaf_fn)(void *ctx, uint64_t index, uint8_t out[32]);

/* MTH of leaves 0..n-1; n == 0 gives SHA-256(""). */
bv_status bv_merkle_root(bv_merkle_leaf_fn fn, void *ctx, uint64_t n, uint8_t root[32]);
/*
 * PATH(index, D[size]) (RFC 9162 §2.1.3.1), leaf's sibling first, into
 * proof[0..*plen-1]; proof must hold BV_MERKLE_MAX_PROOF hashes.
 * BV_EUSAGE if index >= size (so also if size == 0).
 */
bv_status bv_merkle_inclusion_proof(bv_merkle_leaf_fn fn, void *ctx, uint64_t index, uint64_t size,
    uint8_t proof[][32], size_t *plen);
/*
 * PROOF(m, D[n]) (RFC 9162 §2.1.4.1); proof must hold BV_MERKLE_MAX_PROOF
 * hashes. m == n gives an empty proof. BV_EUSAGE if m == 0 (a proof from
 * the empty tree is meaningless: any tree extends it) or m > n; BV_ERR if
 * the proof would not fit, which needs n > 2^63.
 */
bv_status bv_merkle_consistency_proof(
    bv_merkle_leaf_fn fn, void *ctx, uint64_t m, uint64_t n, uint8_t proof[][32], size_t *plen);

/*
 * RFC 9162 §2.1.3.2: BV_OK iff proof shows leaf_hash at index in the tree
 * of `size` leaves with head root; otherwise BV_EINTEGRITY (also for
 * index >= size, size == 0 and plen > BV_MERKLE_MAX_PROOF). proof may be
 * NULL when plen is 0. The size is bound only through root (a proof can fit
 * several sizes): root must be the head signed for that size. Whoever
 * decodes a leaf hash or proof hash must refuse one that is not 32 bytes.
 */
bv_status bv_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf_hash[32],
    const uint8_t proof[][32], size_t plen, const uint8_t root[32]);
/*
 * RFC 9162 §2.1.4.2: BV_OK iff proof shows the tree of n leaves with head
 * root2 extends the tree of m leaves with head root1; otherwise
 * BV_EINTEGRITY. m == n needs an empty proof and root1 == root2. m == 0 is
 * refused, as transparency-dev/merkle and its test data do; a checkpoint
 * verifier that must accept the empty tree (C2SP tlog-witness) checks
 * root1 == SHA-256("") and an empty proof itself instead of calling this.
 */
bv_status bv_merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t root1[32],
    const uint8_t root2[32], const uint8_t proof[][32], size_t plen);

#endif
