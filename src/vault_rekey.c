/*
 * vault_rekey.c - rekey: an item's new data key, its body re-encrypted,
 * its grants issued again.
 */
#include "bv_vault_int.h"
#include "bv_audit.h"
#include "bv_body.h"
#include "bv_format.h"
#include "bv_logview.h"
#include "bv_note.h"
#include "bv_trust.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The new body is staged outside the transaction, like a seal's, read
 * from the old one through a second connection; the transaction then
 * checks that the item, its grant set and the board key are what the
 * new body was made from, and swaps the item over. The old body is
 * condemned there and swept (secure_delete zeroes it) after the commit.
 */

/* What a rekey carries from one step to the next. */
struct rekey {
    bv_item_row it, nit; /* the item as it is, and as it will be */
    bv_board_row b;
    struct nameset gs; /* the current grantees, who get new grants */
    bv_person_row *gp;
    uint8_t *old, *dk, *bk; /* the old and new data keys, the board key */
    int staged; /* nit.body_id is a staging body of ours */
};

/* Step 1: who may, what the item is, and the keys. */
static bv_status
rekey_check(bv_vault *v, bv_actor *o, const char *uid, struct rekey *r)
{
    size_t i;
    bv_status st;

    if ((st = bv_vault_actor_ok(v, o)) != BV_OK
        || (st = bv_store_item_get(v->s, uid, &r->it)) != BV_OK
        || (st = bv_store_board_get(v->s, r->it.board, &r->b)) != BV_OK)
        return st;
    if ((st = bv_vault_officer_of(v, &r->b, o->row.name, 0)) != BV_OK)
        return bv_vault_refuse_item(v, o, BV_ACT_REKEY, r->b.name, uid, st, "not-an-officer");
    if ((st = bv_vault_item_check(v, &r->b, &r->it)) != BV_OK
        || (st = bv_vault_grantset_check(v, &r->b, &r->it)) != BV_OK
        || (st = bv_vault_nameset_parse(&r->gs, r->it.gs_names.p, r->it.gs_names.len)) != BV_OK)
        return st;
    /* grants are re-issued to the current grantees only */
    if (r->gs.n && (r->gp = calloc(r->gs.n, sizeof *r->gp)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    for (i = 0; i < r->gs.n; i++)
        if ((st = bv_vault_grantee_ok(v, &r->b, r->gs.v[i], &r->gp[i])) != BV_OK)
            return st;
    if ((r->old = bv_key_alloc()) == NULL || (r->dk = bv_key_new()) == NULL
        || (r->bk = bv_key_alloc()) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    if ((st = bv_vault_item_key_officer(v, o, &r->b, &r->it, r->old)) != BV_OK)
        return st;
    return bv_vault_get_board_key(v, o, &r->b, r->bk);
}

/* Step 2: the new body, under the current epoch, staged from the old one
 * (which keeps its own epoch until it is deleted). */
static bv_status
rekey_stage(bv_vault *v, bv_actor *o, struct rekey *r)
{
    bv_store *reader = NULL;
    bv_body_dst d = { 0 };
    bv_buf ad, ad2;
    bv_status st;

    bv_buf_init(&ad);
    bv_buf_init(&ad2);
    int fmt = bv_fmt_body_format(r->it.header, r->it.header_len);

    /* the old body in its own format, the new one always in format 3 */
    bv_fmt_body_ad_of(&ad, v->id, r->b.name, r->it.uid, r->it.sealed_epoch, fmt);
    bv_fmt_body_ad_of(&ad2, v->id, r->b.name, r->it.uid, r->b.epoch, 3);
    if ((st = bv_vault_oom(&ad)) != BV_OK || (st = bv_vault_oom(&ad2)) != BV_OK)
        goto out;
    r->nit = r->it;
    bv_buf_init(&r->nit.chunk_hashes);
    bv_buf_init(&r->nit.gs_names);
    snprintf(r->nit.sealed_by, sizeof r->nit.sealed_by, "%s", o->row.name);
    r->nit.sealed_epoch = r->b.epoch;
    bv_utc_now(r->nit.created);
    if ((st = bv_vault_sweep(v, 0)) != BV_OK
        || (st = bv_store_open_peer(v->s, BV_STORE_RO, &reader)) != BV_OK
        || (st = bv_store_body_new(v->s, 1, &r->nit.body_id)) != BV_OK)
        goto out;
    r->staged = 1;
    {
        /* the progress is the new body's, written as the old one is read */
        bv_body_src src = { r->it.body_id, r->it.uid, r->old, r->it.header, ad.p,
            r->it.chunk_hashes.p, ad.len, r->it.nchunks, NULL, 0, fmt };
        d.body_id = r->nit.body_id;
        d.staging = 1;
        d.key = r->dk;
        d.ad = ad2.p;
        d.adlen = ad2.len;
        d.hashes = &r->nit.chunk_hashes;
        d.progress = v->progress;
        d.total = (uint64_t)r->it.size;
        if ((st = bv_body_rekey(v->s, reader, &src, &d)) != BV_OK)
            goto out;
    }
    memcpy(r->nit.header, d.header, sizeof r->nit.header);
    r->nit.header_len = d.header_len;
    r->nit.size = d.size;
    r->nit.nchunks = d.nchunks;
out:
    bv_store_close(reader);
    bv_buf_free(&ad);
    bv_buf_free(&ad2);
    return st;
}

/* Step 3, in the transaction: the item and its board as the new body
 * found them, then the swap. The old row steps aside for the new one,
 * which takes its uid; the grant set continues its versions. */
static bv_status
rekey_swap(bv_vault *v, bv_actor *o, struct rekey *r)
{
    bv_item_row cur;
    bv_board_row bnow;
    char tmpuid[BV_UID_LEN + 8], reason[64];
    bv_buf kad, w, m;
    size_t i;
    bv_status st;

    bv_item_row_init(&cur);
    bv_buf_init(&kad);
    bv_buf_init(&w);
    bv_buf_init(&m);
    if ((st = bv_store_item_get(v->s, r->it.uid, &cur)) != BV_OK
        || (st = bv_store_board_get(v->s, r->it.board, &bnow)) != BV_OK)
        goto out;
    if (cur.id != r->it.id || cur.body_id != r->it.body_id || cur.gs_version != r->it.gs_version
        || bnow.epoch != r->b.epoch) {
        st = bv_fail(BV_ERR,
            "item %s or its board changed while it was re-encrypted; nothing was changed: "
            "run rekey again",
            r->it.uid);
        goto out;
    }
    if ((st = bv_vault_officer_of(v, &bnow, o->row.name, 0)) != BV_OK
        || (st = bv_store_body_adopt(v->s, r->nit.body_id)) != BV_OK)
        goto out;
    bv_fmt_item_key_ad(&kad, v->id, r->b.name, r->it.uid, r->b.epoch);
    bv_fmt_item(&m, v->id, &r->nit);
    if ((st = bv_vault_oom(&kad)) != BV_OK || (st = bv_vault_oom(&r->nit.chunk_hashes)) != BV_OK
        || (st = bv_wrap(r->bk, kad.p, kad.len, r->dk, 32, &w)) != BV_OK
        || (st = bv_vault_sign(o->keys, &m, r->nit.sig)) != BV_OK)
        goto out;
    r->nit.sig_len = 64;
    snprintf(tmpuid, sizeof tmpuid, "%s-rekey", r->it.uid);
    if ((st = bv_store_item_set_uid(v->s, r->it.id, tmpuid)) != BV_OK
        || (st = bv_store_item_add(v->s, &r->nit)) != BV_OK
        || (st = bv_store_item_key_set(v->s, r->nit.id, r->b.epoch, w.p, w.len)) != BV_OK
        || (st = bv_store_agenda_relink(v->s, r->it.id, r->nit.id)) != BV_OK
        || (st = bv_store_item_destroy(v->s, r->it.id)) != BV_OK /* old keys; body condemned */
        || (st = bv_vault_put_grantset(v, o, &r->nit, &r->gs)) != BV_OK)
        goto out;
    for (i = 0; i < r->gs.n; i++)
        if ((st = bv_vault_put_grant(v, o, &r->nit, &r->gp[i], r->dk)) != BV_OK)
            goto out;
    snprintf(reason, sizeof reason, "%zu grants re-issued", r->gs.n);
    st = bv_vault_audit(v, o, BV_ACT_REKEY, r->b.name, r->it.uid, "ok", reason);
out:
    bv_item_row_free(&cur);
    bv_buf_free(&kad);
    bv_buf_free(&w);
    bv_buf_free(&m);
    return st;
}

bv_status
bv_item_rekey(bv_vault *v, bv_actor *o, const char *uid)
{
    struct rekey r;
    bv_status st;
    int in_tx = 0;

    memset(&r, 0, sizeof r);
    bv_item_row_init(&r.it);
    bv_item_row_init(&r.nit);
    if ((st = rekey_check(v, o, uid, &r)) != BV_OK || (st = rekey_stage(v, o, &r)) != BV_OK
        || (st = bv_vault_begin(v)) != BV_OK)
        goto out;
    in_tx = 1;
    if ((st = rekey_swap(v, o, &r)) != BV_OK)
        goto out;
    st = bv_store_commit(v->s);
    in_tx = 0;
    if (st == BV_OK) {
        r.staged = 0;
        /* the old body: its file unlinked at once, not overwritten (an
         * overwrite doubled a large rekey's writing; bv_store.h says why
         * that is enough), then its rows swept */
        if ((st = bv_store_body_unlink(v->s, r.it.body_id)) == BV_OK
            && (st = bv_vault_sweep(v, 0)) == BV_OK)
            bv_store_reclaim(v->s, 0);
    }
out:
    if (in_tx)
        bv_store_rollback(v->s);
    if (r.staged)
        bv_vault_unstage(v, r.nit.body_id, st);
    bv_key_free(r.old);
    bv_key_free(r.dk);
    bv_key_free(r.bk);
    free(r.gp);
    free(r.gs.v);
    bv_item_row_free(&r.it);
    bv_item_row_free(&r.nit);
    return st;
}
