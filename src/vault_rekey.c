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

/* ---- rekey ---- */

/*
 * The new body is staged outside the transaction, like a seal's, read
 * from the old one through a second connection; the transaction then
 * checks that the item, its grant set and the board key are what the
 * new body was made from, and swaps the item over. The old body is
 * condemned there and swept (secure_delete zeroes it) after the commit.
 */
bv_status
bv_item_rekey(bv_vault *v, bv_actor *o, const char *uid)
{
    bv_item_row it, nit, cur;
    bv_board_row b, bnow;
    struct nameset gs = { 0 };
    bv_person_row *gp = NULL;
    bv_store *reader = NULL;
    uint8_t *old = NULL, *dk = NULL, *bk = NULL;
    char tmpuid[BV_UID_LEN + 8];
    bv_buf ad, ad2, kad, w, m;
    bv_body_dst d = { 0 };
    size_t i;
    bv_status st;
    int in_tx = 0, staged = 0;

    bv_item_row_init(&it);
    bv_item_row_init(&nit);
    bv_item_row_init(&cur);
    bv_buf_init(&ad);
    bv_buf_init(&ad2);
    bv_buf_init(&kad);
    bv_buf_init(&w);
    bv_buf_init(&m);
    if ((st = bv_vault_actor_ok(v, o)) != BV_OK || (st = bv_store_item_get(v->s, uid, &it)) != BV_OK
        || (st = bv_store_board_get(v->s, it.board, &b)) != BV_OK)
        goto out;
    if ((st = bv_vault_officer_of(v, &b, o->row.name, 0)) != BV_OK) {
        st = bv_vault_refuse_item(v, o, "rekey", b.name, uid, st, "not-an-officer");
        goto out;
    }
    if ((st = bv_vault_item_check(v, &b, &it)) != BV_OK
        || (st = bv_vault_grantset_check(v, &b, &it)) != BV_OK
        || (st = bv_vault_nameset_parse(&gs, it.gs_names.p, it.gs_names.len)) != BV_OK)
        goto out;
    /* grants are re-issued to the current grantees only */
    if (gs.n && (gp = calloc(gs.n, sizeof *gp)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    for (i = 0; i < gs.n; i++)
        if ((st = bv_vault_grantee_ok(v, &b, gs.v[i], &gp[i])) != BV_OK)
            goto out;
    if ((old = bv_key_alloc()) == NULL || (dk = bv_key_new()) == NULL
        || (bk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = bv_vault_item_key_officer(v, o, &b, &it, old)) != BV_OK
        || (st = bv_vault_get_board_key(v, o, &b, bk)) != BV_OK)
        goto out;
    /* the new body is sealed under the current epoch; the old one keeps
     * its own until it is deleted */
    bv_fmt_body_ad(&ad, v->id, b.name, uid, it.sealed_epoch);
    bv_fmt_body_ad(&ad2, v->id, b.name, uid, b.epoch);
    if ((st = bv_vault_oom(&ad)) != BV_OK || (st = bv_vault_oom(&ad2)) != BV_OK)
        goto out;
    nit = it;
    bv_buf_init(&nit.chunk_hashes);
    bv_buf_init(&nit.gs_names);
    snprintf(nit.sealed_by, sizeof nit.sealed_by, "%s", o->row.name);
    nit.sealed_epoch = b.epoch;
    nit.header_len = BV_STREAM_HEADER;
    bv_utc_now(nit.created);
    bv_vault_sweep(v);
    if ((st = bv_store_open_peer(v->s, BV_STORE_RO, &reader)) != BV_OK
        || (st = bv_store_body_new(v->s, 1, &nit.body_id)) != BV_OK)
        goto out;
    staged = 1;
    {
        bv_body_src src
            = { it.body_id, uid, old, it.header, ad.p, it.chunk_hashes.p, ad.len, it.nchunks };
        d.body_id = nit.body_id;
        d.staging = 1;
        d.key = dk;
        d.ad = ad2.p;
        d.adlen = ad2.len;
        d.hashes = &nit.chunk_hashes;
        if ((st = bv_body_rekey(v->s, reader, &src, &d)) != BV_OK)
            goto out;
    }
    bv_store_close(reader);
    reader = NULL;
    memcpy(nit.header, d.header, sizeof nit.header);
    nit.size = d.size;
    nit.nchunks = d.nchunks;
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    in_tx = 1;
    /* what the new body was made from must still be what is there */
    if ((st = bv_store_item_get(v->s, uid, &cur)) != BV_OK
        || (st = bv_store_board_get(v->s, it.board, &bnow)) != BV_OK)
        goto out;
    if (cur.id != it.id || cur.body_id != it.body_id || cur.gs_version != it.gs_version
        || bnow.epoch != b.epoch) {
        st = bv_fail(BV_ERR,
            "item %s or its board changed while it was re-encrypted; nothing was changed: "
            "run rekey again",
            uid);
        goto out;
    }
    if ((st = bv_vault_officer_of(v, &bnow, o->row.name, 0)) != BV_OK
        || (st = bv_store_body_adopt(v->s, nit.body_id)) != BV_OK)
        goto out;
    bv_fmt_item_key_ad(&kad, v->id, b.name, uid, b.epoch);
    bv_fmt_item(&m, v->id, &nit);
    if ((st = bv_vault_oom(&kad)) != BV_OK || (st = bv_vault_oom(&nit.chunk_hashes)) != BV_OK
        || (st = bv_wrap(bk, kad.p, kad.len, dk, 32, &w)) != BV_OK
        || (st = bv_vault_sign(o->keys, &m, nit.sig)) != BV_OK)
        goto out;
    nit.sig_len = 64;
    /* the old row steps aside for the new one, which takes its uid; the
     * grant set continues its versions (the log's last one is the old's) */
    snprintf(tmpuid, sizeof tmpuid, "%s-rekey", uid);
    if ((st = bv_store_item_set_uid(v->s, it.id, tmpuid)) != BV_OK
        || (st = bv_store_item_add(v->s, &nit)) != BV_OK
        || (st = bv_store_item_key_set(v->s, nit.id, b.epoch, w.p, w.len)) != BV_OK
        || (st = bv_store_agenda_relink(v->s, it.id, nit.id)) != BV_OK
        || (st = bv_store_item_destroy(v->s, it.id)) != BV_OK || /* old keys; body condemned */
        (st = bv_vault_put_grantset(v, o, &nit, &gs)) != BV_OK)
        goto out;
    for (i = 0; i < gs.n; i++)
        if ((st = bv_vault_put_grant(v, o, &nit, &gp[i], dk)) != BV_OK)
            goto out;
    {
        char reason[64];
        snprintf(reason, sizeof reason, "%zu grants re-issued", gs.n);
        if ((st = bv_vault_audit(v, o, "rekey", b.name, uid, "ok", reason)) != BV_OK)
            goto out;
    }
    st = bv_store_commit(v->s);
    in_tx = 0;
    if (st == BV_OK) {
        staged = 0;
        bv_vault_sweep(v); /* the old body */
        bv_store_reclaim(v->s, 0);
    }
out:
    if (in_tx)
        bv_store_rollback(v->s);
    bv_store_close(reader);
    if (staged)
        bv_vault_unstage(v, nit.body_id, st);
    bv_key_free(old);
    bv_key_free(dk);
    bv_key_free(bk);
    free(gp);
    free(gs.v);
    bv_item_row_free(&it);
    bv_item_row_free(&nit);
    bv_item_row_free(&cur);
    bv_buf_free(&ad);
    bv_buf_free(&ad2);
    bv_buf_free(&kad);
    bv_buf_free(&w);
    bv_buf_free(&m);
    return st;
}
