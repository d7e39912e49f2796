/*
 * vault_read.c - the reads the commands make (include/bv_read.h): each in
 * a read transaction of its own, or in the caller's when one is open.
 */
#include "bv_read.h"
#include "bv_note.h"
#include "bv_vault_int.h"

/* Begin a read transaction unless one is open; *own says whether to end it. */
static bv_status
begin(bv_vault *v, int *own)
{
    *own = !bv_store_in_tx(v->s);
    return *own ? bv_store_begin_read(v->s) : BV_OK;
}

static bv_status
end(bv_vault *v, int own, bv_status st)
{
    if (own)
        bv_store_rollback(v->s);
    return st;
}

bv_status
bv_read_board(bv_vault *v, const char *name, bv_board_row *b)
{
    bv_status st;

    if ((st = bv_name_check("board", name)) != BV_OK)
        return st;
    st = bv_store_board_get(v->s, name, b);
    return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no board named \"%s\"", name) : st;
}

bv_status
bv_read_person(bv_vault *v, const char *name, bv_person_row *p)
{
    bv_status st;

    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    st = bv_store_person_get(v->s, name, p);
    return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name) : st;
}

bv_status
bv_read_item(bv_vault *v, const char *uid, bv_item_row *it)
{
    bv_status st = bv_store_item_get(v->s, uid, it);

    return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no item %s", uid) : st;
}

bv_status
bv_read_meeting(bv_vault *v, int64_t id, bv_meeting_row *r)
{
    return bv_store_meeting_load(v->s, id, r);
}

bv_status
bv_read_boards(bv_vault *v, bv_board_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_board_each(v->s, fn, ctx) : st);
}

bv_status
bv_read_roles(bv_vault *v, int64_t board_id, bv_role_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_role_each(v->s, board_id, fn, ctx) : st);
}

bv_status
bv_read_persons(bv_vault *v, bv_person_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_person_each(v->s, fn, ctx) : st);
}

bv_status
bv_read_items(bv_vault *v, const char *board, bv_item_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_item_each(v->s, board, fn, ctx) : st);
}

bv_status
bv_read_expired(bv_vault *v, const char *today,
    bv_status (*fn)(void *, const char *uid, const char *board), void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_item_expired(v->s, today, fn, ctx) : st);
}

bv_status
bv_read_meetings(bv_vault *v, const char *board, bv_meeting_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_meeting_each(v->s, board, fn, ctx) : st);
}

bv_status
bv_read_actions(bv_vault *v, const char *board, bv_action_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_action_each(v->s, board, fn, ctx) : st);
}

bv_status
bv_read_audit(bv_vault *v, const bv_audit_filter *f, bv_audit_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_audit_each(v->s, f, fn, ctx) : st);
}

bv_status
bv_read_audit_summary(bv_vault *v, const char *item, bv_summary_fn fn, void *ctx)
{
    int own;
    bv_status st = begin(v, &own);

    return end(v, own, st == BV_OK ? bv_store_audit_item_summary(v->s, item, fn, ctx) : st);
}

bv_status
bv_read_prove(bv_vault *v, uint64_t seq, uint64_t *size, uint8_t leaf_hash[32], uint8_t root[32],
    uint8_t proof[][32], size_t *plen)
{
    int own;
    bv_status st = begin(v, &own);

    if (st == BV_OK && *size == 0)
        st = bv_store_audit_count(v->s, size);
    if (st == BV_OK)
        st = bv_audit_prove(v->s, seq, *size, leaf_hash, root, proof, plen);
    return end(v, own, st);
}

bv_status
bv_read_consistency(bv_vault *v, uint64_t m, uint64_t n, uint8_t root1[32], uint8_t root2[32],
    uint8_t proof[][32], size_t *plen)
{
    int own;
    bv_status st = begin(v, &own);

    if (st == BV_OK)
        st = bv_audit_consistency(v->s, m, n, root1, root2, proof, plen);
    return end(v, own, st);
}

bv_status
bv_read_verifier_key(bv_vault *v, const bv_person_row *p, bv_buf *out)
{
    bv_buf kn;
    bv_status st;

    bv_buf_init(&kn);
    if ((st = bv_audit_key_name(v->id, p->name, &kn)) == BV_OK)
        st = bv_note_vkey((const char *)kn.p, p->sign_pk, out);
    bv_buf_free(&kn);
    return st;
}
