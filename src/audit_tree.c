/*
 * audit_tree.c - the log as an RFC 6962 tree: its root, the text of a
 * checkpoint, inclusion and consistency proofs, and the extension of the
 * head a client remembers by the entries appended since (issue 11).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_audit_int.h"
#include "bv_merkle.h"
#include "bv_note.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bv_status
bv_audit_leaf_cb(void *ctx, uint64_t index, uint8_t out[32])
{
    return bv_store_audit_leaf_hash(ctx, index, out);
}

bv_status
bv_audit_root(bv_store *s, uint64_t n, uint8_t root[32])
{
    if (n == 0) {
        bv_merkle_empty_root(root);
        return BV_OK;
    }
    return bv_merkle_root(bv_audit_leaf_cb, s, n, root);
}

bv_status
bv_audit_checkpoint_text(
    bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], bv_buf *text, uint64_t *size)
{
    bv_merkle_frontier f;
    char origin[44];
    uint8_t root[32];
    bv_buf state;
    bv_status st;

    bv_buf_init(&state);
    if ((st = bv_store_audit_state(s, &state)) != BV_OK)
        goto out;
    if (bv_merkle_frontier_decode(&f, state.p, state.len) != BV_OK) {
        bv_err_clear();
        st = bv_fail(BV_EINTEGRITY, "the audit tree state is damaged");
        goto out;
    }
    bv_merkle_frontier_root(&f, root);
    bv_audit_origin(vault_id, origin);
    *size = f.size;
    st = bv_checkpoint_format(origin, f.size, root, text);
out:
    bv_buf_free(&state);
    return st;
}

bv_status
bv_audit_prove(bv_store *s, uint64_t seq, uint64_t size, uint8_t leaf_hash[32], uint8_t root[32],
    uint8_t proof[][32], size_t *plen)
{
    uint64_t n;
    bv_status st;

    if ((st = bv_store_audit_count(s, &n)) != BV_OK)
        return st;
    if (seq == 0 || seq > n)
        return bv_fail(BV_ENOTFOUND, "no audit entry %llu (the log has %llu)",
            (unsigned long long)seq, (unsigned long long)n);
    if (size == 0)
        size = n;
    if (size > n)
        return bv_fail(BV_ENOTFOUND, "the log has only %llu entries", (unsigned long long)n);
    if (seq > size)
        return bv_fail(BV_EUSAGE, "entry %llu is not in a tree of size %llu",
            (unsigned long long)seq, (unsigned long long)size);
    if ((st = bv_store_audit_leaf_hash(s, seq - 1, leaf_hash)) != BV_OK
        || (st = bv_audit_root(s, size, root)) != BV_OK
        || (st = bv_merkle_inclusion_proof(bv_audit_leaf_cb, s, seq - 1, size, proof, plen))
            != BV_OK)
        return st;
    /* never print a proof we would not accept ourselves */
    return bv_merkle_verify_inclusion(
        seq - 1, size, leaf_hash, BV_MERKLE_CPROOF(proof), *plen, root);
}

bv_status
bv_audit_consistency(bv_store *s, uint64_t m, uint64_t n, uint8_t root1[32], uint8_t root2[32],
    uint8_t proof[][32], size_t *plen)
{
    uint64_t count;
    bv_status st;

    if ((st = bv_store_audit_count(s, &count)) != BV_OK)
        return st;
    if (m == 0 || m > n)
        return bv_fail(BV_EUSAGE, "consistency needs 0 < OLD <= NEW");
    if (n > count)
        return bv_fail(BV_ENOTFOUND, "the log has only %llu entries", (unsigned long long)count);
    *plen = 0;
    if ((st = bv_audit_root(s, m, root1)) != BV_OK || (st = bv_audit_root(s, n, root2)) != BV_OK)
        return st;
    if (m == n)
        return BV_OK;
    if ((st = bv_merkle_consistency_proof(bv_audit_leaf_cb, s, m, n, proof, plen)) != BV_OK)
        return st;
    return bv_merkle_verify_consistency(m, n, root1, root2, BV_MERKLE_CPROOF(proof), *plen);
}

/* ---- extending a remembered head ---- */

struct extend {
    const uint8_t *vid;
    char origin[44];
    bv_merkle_frontier *f;
    const bv_merkle_frontier *seen;
    uint8_t root[32];
    bv_status (*fn)(void *, const uint8_t *, size_t, const bv_audit_fields *);
    void *ctx;
};

static bv_status
extend_cb(void *ctx, const bv_audit_row *r)
{
    struct extend *x = ctx;
    bv_audit_parsed e;
    bv_audit_fields fl;
    char want[24 + 64], b64[64];
    uint64_t next = x->f->size + 1;
    uint8_t lh[32];
    bv_status st;

    if ((uint64_t)r->seq != next)
        return bv_fail(BV_EINTEGRITY, "audit entry %llu is missing (the next one stored is %lld)",
            (unsigned long long)next, (long long)r->seq);
    if (bv_audit_parse(r->leaf, r->leaf_len, &e) != BV_OK) {
        bv_audit_parsed_free(&e);
        return bv_fail(BV_EINTEGRITY, "audit entry %llu is malformed", (unsigned long long)next);
    }
    sodium_bin2base64(b64, sizeof b64, x->root, 32, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, "%llu %s", (unsigned long long)x->f->size, b64);
    if (strcmp(e.v[F_LOG], x->origin) != 0 || strtoull(e.v[F_SEQ], NULL, 10) != next
        || strcmp(e.v[F_PREV], want) != 0) {
        bv_audit_parsed_free(&e);
        return bv_fail(BV_EINTEGRITY,
            "audit entry %llu does not follow the log before it (another vault's, moved, or "
            "the history before it changed)",
            (unsigned long long)next);
    }
    memset(&fl, 0, sizeof fl);
    snprintf(fl.actor, sizeof fl.actor, "%s", e.v[F_ACTOR]);
    snprintf(fl.action, sizeof fl.action, "%s", e.v[F_ACTION]);
    snprintf(fl.board, sizeof fl.board, "%s", e.v[F_BOARD]);
    snprintf(fl.item, sizeof fl.item, "%s", e.v[F_ITEM]);
    snprintf(fl.outcome, sizeof fl.outcome, "%s", e.v[F_OUTCOME]);
    snprintf(fl.reason, sizeof fl.reason, "%s", e.v[F_REASON]);
    fl.seq = (int64_t)next;
    fl.is_signed = e.has_sig && strcmp(e.v[F_AUTH], "signed") == 0;
    bv_audit_parsed_free(&e);
    bv_merkle_leaf_hash(lh, r->leaf, r->leaf_len);
    if ((st = bv_merkle_frontier_append(x->f, lh)) != BV_OK)
        return st;
    bv_merkle_frontier_root(x->f, x->root);
    if (x->seen && x->seen->size == x->f->size) {
        uint8_t seen_root[32];
        bv_merkle_frontier_root(x->seen, seen_root);
        if (sodium_memcmp(seen_root, x->root, 32) != 0)
            return bv_fail(BV_EINTEGRITY,
                "its first %llu entries are not those this client verified (the history was "
                "changed)",
                (unsigned long long)x->f->size);
    }
    return x->fn ? x->fn(x->ctx, r->leaf, r->leaf_len, &fl) : BV_OK;
}

bv_status
bv_audit_extend(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], bv_merkle_frontier *f,
    const bv_merkle_frontier *seen,
    bv_status (*fn)(void *, const uint8_t *, size_t, const bv_audit_fields *), void *ctx)
{
    struct extend x = { .vid = vault_id, .f = f, .seen = seen, .fn = fn, .ctx = ctx };
    bv_merkle_frontier *stored = NULL;
    bv_buf state;
    uint8_t sroot[32];
    uint64_t n;
    bv_status st;

    bv_buf_init(&state);
    bv_audit_origin(vault_id, x.origin);
    bv_merkle_frontier_root(f, x.root);
    if ((st = bv_store_audit_last_seq(s, &n)) != BV_OK)
        goto out;
    if (n < f->size || (seen && n < seen->size)) {
        st = bv_fail(BV_EINTEGRITY,
            "the log now holds %llu entries: entries were removed, or the vault was replaced by "
            "an older copy",
            (unsigned long long)n);
        goto out;
    }
    if (seen && seen->size < f->size)
        x.seen = NULL; /* already past it */
    if ((st = bv_store_audit_after(s, f->size, extend_cb, &x)) != BV_OK)
        goto out;
    /* the rows after the head are all accounted for; the stored tree state,
     * from which the next entry's prev is written, must be this same head */
    if ((stored = malloc(sizeof *stored)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = bv_store_audit_state(s, &state)) != BV_OK)
        goto out;
    if (state.len == 0)
        bv_merkle_frontier_init(stored);
    else if (bv_merkle_frontier_decode(stored, state.p, state.len) != BV_OK)
        stored->size = UINT64_MAX;
    if (stored->size != UINT64_MAX)
        bv_merkle_frontier_root(stored, sroot);
    if (stored->size != f->size || sodium_memcmp(sroot, x.root, 32) != 0)
        st = bv_fail(BV_EINTEGRITY,
            "the stored tree state does not match the log's %llu entries (the history was "
            "changed)",
            (unsigned long long)f->size);
out:
    free(stored);
    bv_buf_free(&state);
    return st;
}
