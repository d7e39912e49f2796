/*
 * vault_board.c - boards: creating one, adding people, and removing them
 * (with the board key's rotation when an officer leaves).
 */
#include "bv_vault_int.h"
#include "bv_audit.h"
#include "bv_body.h"
#include "bv_format.h"
#include "bv_logview.h"
#include "bv_note.h"
#include "bv_trust.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bv_status
bv_board_create(bv_vault *v, bv_actor *o, const char *board)
{
    bv_board_row b, old;
    uint8_t *key = NULL;
    bv_buf m;
    bv_status st;

    bv_buf_init(&m);
    if ((st = bv_name_check("board", board)) != BV_OK || (st = bv_vault_actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = bv_vault_officer_anywhere(v, o->row.name, 0)) != BV_OK)
        return bv_vault_refuse_item(v, o, BV_ACT_BOARD_CREATE, board, NULL, st, "not-an-officer");
    st = bv_store_board_get(v->s, board, &old);
    if (st == BV_OK)
        return bv_fail(BV_EUSAGE, "board %s already exists", board);
    if (st != BV_ENOTFOUND)
        return st;
    bv_err_clear();
    memset(&b, 0, sizeof b);
    snprintf(b.name, sizeof b.name, "%s", board);
    snprintf(b.created_by, sizeof b.created_by, "%s", o->row.name);
    bv_utc_now(b.created);
    b.epoch = 1;
    bv_fmt_board(&m, v->id, board, o->row.name);
    if ((st = bv_vault_sign(o->keys, &m, b.sig)) != BV_OK)
        goto out;
    b.sig_len = 64;
    if ((key = bv_key_new()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    if ((st = bv_store_board_add(v->s, &b)) != BV_OK
        || (st = bv_vault_put_board_key(v, o, &b, 1, &o->row, key)) != BV_OK
        || (st = bv_vault_audit(v, o, BV_ACT_BOARD_CREATE, board, NULL, "ok", "epoch 1"))
            != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    st = bv_store_commit(v->s);
out:
    bv_key_free(key);
    bv_buf_free(&m);
    return st;
}

bv_status
bv_board_add(bv_vault *v, bv_actor *o, const char *board, const char *name, const char *role)
{
    bv_board_row b;
    bv_person_row p;
    bv_role_row r;
    uint8_t *key = NULL;
    char reason[BV_NAME_MAX + 32], oldrole[16];
    bv_buf m;
    bv_status st;

    bv_buf_init(&m);
    if (strcmp(role, "officer") != 0 && strcmp(role, "member") != 0 && strcmp(role, "auditor") != 0)
        return bv_fail(BV_EUSAGE, "role must be officer, member or auditor");
    if ((st = bv_vault_get_board(v, board, &b)) != BV_OK || (st = bv_vault_actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = bv_vault_officer_of(v, &b, o->row.name, 0)) != BV_OK)
        return bv_vault_refuse_item(v, o, BV_ACT_BOARD_ADD, board, NULL, st, "not-an-officer");
    if ((st = bv_vault_person_ok(v, name, &p, 0)) != BV_OK)
        return st;
    if (bv_vault_role_of(v, &b, &p, oldrole) == BV_OK)
        return bv_fail(BV_EUSAGE, "%s is already on board %s", name, board);
    bv_err_clear();
    memset(&r, 0, sizeof r);
    r.board_id = b.id;
    r.person_id = p.id;
    snprintf(r.person, sizeof r.person, "%s", name);
    snprintf(r.role, sizeof r.role, "%s", role);
    snprintf(r.added_by, sizeof r.added_by, "%s", o->row.name);
    bv_fmt_role(&m, v->id, board, &p, role, o->row.name);
    if ((st = bv_vault_sign(o->keys, &m, r.sig)) != BV_OK)
        goto out;
    r.sig_len = 64;
    snprintf(reason, sizeof reason, "%s as %s", name, role);
    if (strcmp(role, "officer") == 0) {
        if ((key = bv_key_alloc()) == NULL) {
            st = bv_fail(BV_ERR, "out of secure memory");
            goto out;
        }
        if ((st = bv_vault_get_board_key(v, o, &b, key)) != BV_OK)
            goto out;
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    if ((st = bv_store_role_add(v->s, &r)) != BV_OK
        || (st = bv_store_removal_set(v->s, b.id, name, NULL, NULL, 0)) != BV_OK
        || (key && (st = bv_vault_put_board_key(v, o, &b, b.epoch, &p, key)) != BV_OK)
        || (st = bv_vault_audit(v, o, BV_ACT_BOARD_ADD, board, NULL, "ok", reason)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    st = bv_store_commit(v->s);
out:
    bv_key_free(key);
    bv_buf_free(&m);
    return st;
}

struct officers {
    char (*name)[BV_NAME_MAX + 1];
    size_t n, cap;
};

static bv_status
officers_add(struct officers *o, const char *name)
{
    {
        char *o_slot = bv_grow(&o->name, &o->n, &o->cap, sizeof *o->name);
        if (o_slot == NULL)
            return BV_ERR;
        snprintf(o_slot, BV_NAME_MAX + 1, "%s", name);
    }
    return BV_OK;
}

static bv_status
officers_cb(void *ctx, const bv_role_row *r)
{
    return strcmp(r->role, "officer") == 0 ? officers_add(ctx, r->person) : BV_OK;
}

/* The rows one person made (grants by, roles added by), copied out of
 * an each-row walk: re-signing them writes, which the walk cannot. */
struct bylist {
    void *rows;
    size_t n, cap, size, by_off;
    const char *by;
};

static bv_status
bylist_add(struct bylist *l, const void *row)
{
    void *slot;

    if (strcmp((const char *)row + l->by_off, l->by) != 0)
        return BV_OK;
    if ((slot = bv_grow(&l->rows, &l->n, &l->cap, l->size)) == NULL)
        return BV_ERR;
    memcpy(slot, row, l->size);
    return BV_OK;
}

static bv_status
grant_by_cb(void *ctx, const bv_keyrow *k)
{
    return bylist_add(ctx, k);
}

static bv_status
role_by_cb(void *ctx, const bv_role_row *r)
{
    return bylist_add(ctx, r);
}

/*
 * A signature by the leaver over old becomes o's over new. *carried is 0
 * when the leaver did not make it (it stays as it is, and whatever checks
 * it refuses it): nothing of the leaver's authority is carried over.
 */
static bv_status
carry_sig(const bv_actor *o, const bv_person_row *leaver, bv_buf *old, bv_buf *new_,
    uint8_t sig[64], size_t *sig_len, int *carried)
{
    bv_status st = BV_OK;

    *carried = 0;
    if (bv_vault_verify(leaver->sign_pk, old, sig, *sig_len) != BV_OK) {
        bv_err_clear();
        goto out;
    }
    if ((st = bv_vault_sign(o->keys, new_, sig)) == BV_OK) {
        *sig_len = 64;
        *carried = 1;
    }
out:
    bv_buf_free(old);
    bv_buf_free(new_);
    return st;
}

/* Grants of item it made by the leaver: signed again by o. */
static bv_status
resign_grants(bv_vault *v, const bv_actor *o, const bv_item_row *it, const bv_person_row *leaver)
{
    struct bylist l = { NULL, 0, 0, sizeof(bv_keyrow), offsetof(bv_keyrow, by), leaver->name };
    bv_keyrow *k;
    bv_buf old, new_;
    size_t i;
    int carried;
    bv_status st;

    if ((st = bv_store_grant_each(v->s, it->id, grant_by_cb, &l)) != BV_OK)
        goto out;
    for (i = 0; i < l.n && st == BV_OK; i++) {
        k = (bv_keyrow *)l.rows + i;
        bv_fmt_grant_sig(&old, v->id, it->board, it->uid, k);
        snprintf(k->by, sizeof k->by, "%s", o->row.name);
        bv_fmt_grant_sig(&new_, v->id, it->board, it->uid, k);
        if ((st = carry_sig(o, leaver, &old, &new_, k->sig, &k->sig_len, &carried)) == BV_OK
            && carried)
            st = bv_store_grant_put(v->s, it->id, k);
    }
out:
    free(l.rows);
    return st;
}

/* Roles on b that the leaver gave: signed again by o. */
static bv_status
resign_roles(bv_vault *v, const bv_actor *o, const bv_board_row *b, const bv_person_row *leaver)
{
    struct bylist l
        = { NULL, 0, 0, sizeof(bv_role_row), offsetof(bv_role_row, added_by), leaver->name };
    bv_role_row *r;
    bv_person_row p;
    bv_buf old, new_;
    size_t i;
    int carried;
    bv_status st;

    if ((st = bv_store_role_each(v->s, b->id, role_by_cb, &l)) != BV_OK)
        goto out;
    for (i = 0; i < l.n && st == BV_OK; i++) {
        r = (bv_role_row *)l.rows + i;
        if (strcmp(r->person, o->row.name) == 0)
            continue; /* o's own role: nobody signs their own */
        if ((st = bv_store_person_get(v->s, r->person, &p)) != BV_OK)
            break;
        bv_fmt_role(&old, v->id, b->name, &p, r->role, leaver->name);
        snprintf(r->added_by, sizeof r->added_by, "%s", o->row.name);
        bv_fmt_role(&new_, v->id, b->name, &p, r->role, o->row.name);
        if ((st = carry_sig(o, leaver, &old, &new_, r->sig, &r->sig_len, &carried)) == BV_OK
            && carried)
            st = bv_store_role_add(v->s, r);
    }
out:
    free(l.rows);
    return st;
}

struct certlist {
    bv_vault *v;
    const bv_person_row *leaver;
    bv_person_row *p;
    size_t n, cap;
};

static bv_status
certlist_cb(void *ctx, const bv_person_row *p)
{
    struct certlist *l = ctx;
    bv_buf m;
    int ok;

    if (!p->approved || strcmp(p->cert_by, l->leaver->name) != 0
        || strcmp(p->name, l->leaver->name) == 0)
        return BV_OK;
    bv_fmt_cert(&m, l->v->id, p, l->leaver->name);
    ok = bv_vault_verify(l->leaver->sign_pk, &m, p->cert_sig, p->cert_sig_len) == BV_OK;
    bv_buf_free(&m);
    if (!ok)
        return BV_OK; /* not the leaver's certificate: it stays invalid */
    {
        bv_person_row *l_slot = bv_grow(&l->p, &l->n, &l->cap, sizeof *l->p);
        if (l_slot == NULL)
            return BV_ERR;
        *l_slot = *p;
    }
    return BV_OK;
}

/* People the leaver approved, certified again by o. */
static bv_status
recertify(bv_vault *v, const bv_actor *o, const bv_person_row *leaver)
{
    struct certlist l = { v, leaver, NULL, 0, 0 };
    uint8_t sig[64];
    bv_buf m;
    size_t i;
    bv_status st;

    bv_err_clear();
    if ((st = bv_store_person_each(v->s, certlist_cb, &l)) != BV_OK)
        goto out;
    for (i = 0; i < l.n && st == BV_OK; i++) {
        bv_fmt_cert(&m, v->id, &l.p[i], o->row.name);
        if ((st = bv_vault_sign(o->keys, &m, sig)) == BV_OK)
            st = bv_store_person_certify(v->s, l.p[i].name, o->row.name, sig, sizeof sig);
        bv_buf_free(&m);
    }
out:
    free(l.p);
    return st;
}

/* Re-wrap every item key of board b from epoch e (key old) to e+1 (key
 * new): the bodies, bound to the epoch they were sealed under, stay. */
static bv_status
rewrap_items(bv_vault *v, const bv_board_row *b, const struct idlist *items, const uint8_t *old,
    const uint8_t *new_key, int64_t e)
{
    uint8_t w[BV_BLOB_MAX], *dk = NULL;
    size_t wlen, i;
    bv_buf ad, ad2, out;
    bv_status st = BV_OK;

    if ((dk = bv_key_alloc()) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    for (i = 0; i < items->n && st == BV_OK; i++) {
        bv_buf_init(&out);
        if ((st = bv_store_item_key_get(v->s, items->id[i], e, w, &wlen)) != BV_OK) {
            if (st == BV_ENOTFOUND)
                st = bv_fail(BV_EINTEGRITY, "item %s has no key for epoch %lld", items->uid[i],
                    (long long)e);
            break;
        }
        bv_fmt_item_key_ad(&ad, v->id, b->name, items->uid[i], e);
        bv_fmt_item_key_ad(&ad2, v->id, b->name, items->uid[i], e + 1);
        if ((st = bv_vault_oom(&ad)) == BV_OK && (st = bv_vault_oom(&ad2)) == BV_OK) {
            if (bv_unwrap(old, ad.p, ad.len, w, wlen, dk, 32) != BV_OK)
                st = bv_fail(
                    BV_EINTEGRITY, "the wrapped key of item %s does not verify", items->uid[i]);
            else if ((st = bv_wrap(new_key, ad2.p, ad2.len, dk, 32, &out)) == BV_OK)
                st = bv_store_item_key_set(v->s, items->id[i], e + 1, out.p, out.len);
        }
        bv_buf_free(&ad);
        bv_buf_free(&ad2);
        bv_buf_free(&out);
    }
    bv_key_free(dk);
    return st;
}

/* The board's minutes keys (meeting.c) go from epoch e to e+1 as well,
 * every generation: they key the hashes that recognise documents imported
 * before, so the remaining officers keep them all. None is made here: the
 * first import of epoch e+1 makes that epoch's key, which the leaver never
 * holds. A board with no import yet has none. */
static bv_status
rewrap_minutes_keys(bv_vault *v, const bv_board_row *b, const uint8_t *old, const uint8_t *new_key)
{
    bv_minutes_key_row *rows = NULL;
    uint8_t *mk = NULL;
    size_t n, i;
    bv_buf out;
    bv_status st;

    bv_buf_init(&out);
    if ((st = bv_store_minutes_keys(v->s, b->id, &rows, &n)) != BV_OK || n == 0)
        goto out;
    if ((mk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        const bv_minutes_key_row *r = &rows[i];
        if ((st = bv_fmt_minutes_key_unwrap(
                 v->id, b->name, r->gen, b->epoch, old, r->wrapped, r->wlen, mk))
                != BV_OK
            || (st = bv_fmt_minutes_key_wrap(
                    v->id, b->name, r->gen, b->epoch + 1, new_key, mk, &out))
                != BV_OK
            || (st = bv_store_minutes_key_set(v->s, b->id, r->gen, b->epoch + 1, out.p, out.len))
                != BV_OK)
            goto out;
        bv_buf_free(&out);
    }
out:
    bv_key_free(mk);
    bv_buf_free(&out);
    free(rows);
    return st;
}

/*
 * Step 1: the leaver's place on the board, and who keeps the board key
 * (every checked officer but the one leaving). Refuses the last officer.
 */
static bv_status
removal_plan(bv_vault *v, bv_actor *o, const bv_board_row *b, const char *name, bv_person_row *p,
    struct officers *offs, bv_remove_result *res)
{
    char role[16];
    size_t i, remaining = 0;
    bv_status st;

    if ((st = bv_vault_officer_of(v, b, o->row.name, 0)) != BV_OK)
        return bv_vault_refuse_item(v, o, BV_ACT_BOARD_REMOVE, b->name, NULL, st, "not-an-officer");
    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    st = bv_store_person_get(v->s, name, p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if ((st = bv_vault_role_of(v, b, p, role)) != BV_OK) {
        if (st == BV_EPERM) {
            bv_err_clear();
            return bv_fail(BV_ENOTFOUND, "%s is not on board %s", name, b->name);
        }
        return st;
    }
    res->was_officer = strcmp(role, "officer") == 0;
    snprintf(res->role, sizeof res->role, "%s", role);
    if (strcmp(b->created_by, name) != 0 && bv_vault_officer_of(v, b, b->created_by, 0) == BV_OK
        && (st = officers_add(offs, b->created_by)) != BV_OK)
        return st;
    bv_err_clear();
    if ((st = bv_store_role_each(v->s, b->id, officers_cb, offs)) != BV_OK)
        return st;
    for (i = 0; i < offs->n; i++) {
        if (strcmp(offs->name[i], name) == 0
            || bv_vault_officer_of(v, b, offs->name[i], 0) != BV_OK) {
            offs->name[i][0] = '\0'; /* leaving, or not a checked officer: no key */
            continue;
        }
        remaining++;
    }
    bv_err_clear();
    if (res->was_officer && remaining == 0)
        return bv_vault_refuse_item(v, o, BV_ACT_BOARD_REMOVE, b->name, NULL,
            bv_fail(BV_EPERM, "%s is the last officer of board %s: add another officer first", name,
                b->name),
            "last-officer");
    return BV_OK;
}

/*
 * Step 2, for each item of the board: the leaver's grant ends with the
 * membership, and what they signed as an officer (the seal, the grant
 * set, grants) is signed again by the officer removing them, so every
 * signature a decision rests on stays one by a current officer. Only
 * what verifies as the leaver's own signature is signed again.
 */
static bv_status
remove_from_item(
    bv_vault *v, bv_actor *o, const char *uid, const bv_person_row *p, bv_remove_result *res)
{
    bv_item_row it;
    struct nameset gs = { 0 };
    uint8_t sig[64];
    bv_buf m;
    bv_status st;
    int drop;

    bv_buf_init(&m);
    bv_item_row_init(&it);
    if ((st = bv_store_item_get(v->s, uid, &it)) != BV_OK)
        goto out;
    if (strcmp(it.sealed_by, p->name) == 0) {
        bv_fmt_item(&m, v->id, &it);
        if (bv_vault_verify(p->sign_pk, &m, it.sig, it.sig_len) == BV_OK) {
            bv_buf_free(&m);
            snprintf(it.sealed_by, sizeof it.sealed_by, "%s", o->row.name);
            bv_fmt_item(&m, v->id, &it);
            if ((st = bv_vault_sign(o->keys, &m, sig)) != BV_OK
                || (st = bv_store_item_resign(v->s, it.id, o->row.name, sig, sizeof sig)) != BV_OK)
                goto out;
            res->resigned++;
        }
        bv_buf_free(&m);
    }
    drop = bv_vault_names_has(it.gs_names.p, it.gs_names.len, p->name);
    if (strcmp(it.gs_by, p->name) == 0) {
        bv_fmt_grantset(
            &m, v->id, it.board, it.uid, it.gs_version, it.gs_names.p, it.gs_names.len, it.gs_by);
        st = bv_vault_verify(p->sign_pk, &m, it.gs_sig, it.gs_sig_len);
        bv_buf_free(&m);
        if (st != BV_OK) { /* a forged set stays forged: open refuses it */
            st = resign_grants(v, o, &it, p);
            goto out;
        }
    }
    if (drop || strcmp(it.gs_by, p->name) == 0) {
        if ((st = bv_vault_nameset_parse(&gs, it.gs_names.p, it.gs_names.len)) != BV_OK)
            goto out;
        bv_vault_nameset_del(&gs, p->name);
        if ((drop && (st = bv_store_grant_delete(v->s, it.id, p->id)) != BV_OK)
            || (st = bv_vault_put_grantset(v, o, &it, &gs)) != BV_OK)
            goto out;
        res->grants_revoked += (size_t)drop;
    }
    st = resign_grants(v, o, &it, p);
out:
    bv_buf_free(&m);
    free(gs.v);
    bv_item_row_free(&it);
    return st;
}

/*
 * Step 3: the removal itself, signed by the remover, with the roles the
 * leaver gave signed again; refused if it would end the remover's own
 * role. Certificates the leaver signed stay valid only while they are an
 * officer somewhere: if this was their last board, they are signed again.
 */
static bv_status
record_removal(bv_vault *v, bv_actor *o, const bv_board_row *b, const bv_person_row *p)
{
    uint8_t sig[64];
    bv_buf m;
    bv_status st;

    if ((st = resign_roles(v, o, b, p)) != BV_OK)
        return st;
    bv_fmt_removal(&m, v->id, b->name, p->name, o->row.name);
    st = bv_vault_sign(o->keys, &m, sig);
    bv_buf_free(&m);
    if (st != BV_OK || (st = bv_store_role_delete(v->s, b->id, p->id)) != BV_OK
        || (st = bv_store_removal_set(v->s, b->id, p->name, o->row.name, sig, sizeof sig)) != BV_OK)
        return st;
    if (bv_vault_officer_of(v, b, o->row.name, 0) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EPERM,
            "removing %s would end your own officer role on %s (it was given through them): ask "
            "another officer",
            p->name, b->name);
    }
    if (bv_vault_officer_anywhere(v, p->name, 0) != BV_OK && (st = recertify(v, o, p)) != BV_OK)
        return st;
    bv_err_clear();
    return BV_OK;
}

/*
 * Step 4, when the leaver held the board key: a new key for epoch e+1
 * sealed to the remaining officers only, every item key and every
 * minutes key re-wrapped under it, epoch e's rows destroyed.
 */
static bv_status
rotate_board_key(bv_vault *v, bv_actor *o, const bv_board_row *b, const struct officers *offs,
    const struct idlist *items, const uint8_t *old, bv_remove_result *res)
{
    uint8_t *new_key;
    bv_person_row q;
    size_t i;
    bv_status st = BV_OK;

    if ((new_key = bv_key_new()) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    for (i = 0; i < offs->n && st == BV_OK; i++) {
        if (!offs->name[i][0])
            continue;
        if ((st = bv_vault_person_ok(v, offs->name[i], &q, 0)) == BV_OK)
            st = bv_vault_put_board_key(v, o, b, b->epoch + 1, &q, new_key);
    }
    if (st == BV_OK && (st = rewrap_items(v, b, items, old, new_key, b->epoch)) == BV_OK
        && (st = rewrap_minutes_keys(v, b, old, new_key)) == BV_OK
        && (st = bv_store_epoch_drop(v->s, b->id, b->epoch)) == BV_OK
        && (st = bv_store_board_set_epoch(v->s, b->id, b->epoch + 1)) == BV_OK) {
        res->epoch = b->epoch + 1;
        res->items_rewrapped = items->n;
    }
    bv_key_free(new_key);
    return st;
}

bv_status
bv_board_remove(
    bv_vault *v, bv_actor *o, const char *board, const char *name, bv_remove_result *res)
{
    struct idlist items = { 0 };
    struct officers offs = { 0 };
    bv_board_row b;
    bv_person_row p;
    uint8_t *old = NULL;
    char reason[BV_NAME_MAX + 96];
    size_t i;
    bv_status st;
    int in_tx = 0;

    memset(res, 0, sizeof *res);
    if ((st = bv_vault_get_board(v, board, &b)) != BV_OK || (st = bv_vault_actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = removal_plan(v, o, &b, name, &p, &offs, res)) != BV_OK
        || (st = bv_store_board_items(v->s, b.id, bv_vault_idlist_cb, &items)) != BV_OK)
        goto out;
    if (res->was_officer) {
        if ((old = bv_key_alloc()) == NULL) {
            st = bv_fail(BV_ERR, "out of secure memory");
            goto out;
        }
        if ((st = bv_vault_get_board_key(v, o, &b, old)) != BV_OK)
            goto out;
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    in_tx = 1;
    for (i = 0; i < items.n; i++)
        if ((st = remove_from_item(v, o, items.uid[i], &p, res)) != BV_OK)
            goto out;
    if ((st = record_removal(v, o, &b, &p)) != BV_OK)
        goto out;
    res->epoch = b.epoch;
    if (res->was_officer && (st = rotate_board_key(v, o, &b, &offs, &items, old, res)) != BV_OK)
        goto out;
    snprintf(reason, sizeof reason, "%s (%s); epoch %lld", name, res->role, (long long)res->epoch);
    if ((st = bv_vault_audit(v, o, BV_ACT_BOARD_REMOVE, board, NULL, "ok", reason)) != BV_OK)
        goto out;
    st = bv_store_commit(v->s);
    in_tx = 0;
    if (st == BV_OK)
        bv_store_reclaim(v->s, 1);
out:
    if (in_tx)
        bv_store_rollback(v->s);
    bv_key_free(old);
    free(items.id);
    free(items.uid);
    free(offs.name);
    return st;
}
