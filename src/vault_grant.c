/*
 * vault_grant.c - who may open an item: the signed grant set, grant rows,
 * and the grant and revoke commands.
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

/* The signed grant set lists names as length-prefixed fields, sorted. */
int
bv_vault_names_has(const uint8_t *p, size_t len, const char *name)
{
    char n[BV_NAME_MAX + 1];
    size_t off = 0;

    while (bv_field_next(p, len, &off, n, sizeof n) == 1)
        if (strcmp(n, name) == 0)
            return 1;
    return 0;
}

bv_status
bv_vault_nameset_add(struct nameset *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return BV_OK;
    {
        char *s_slot = bv_grow(&s->v, &s->n, &s->cap, sizeof *s->v);
        if (s_slot == NULL)
            return BV_ERR;
        snprintf(s_slot, BV_NAME_MAX + 1, "%s", name);
    }
    return BV_OK;
}

void
bv_vault_nameset_del(struct nameset *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0) {
            memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof *s->v);
            s->n--;
            return;
        }
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

bv_status
bv_vault_nameset_parse(struct nameset *s, const uint8_t *p, size_t len)
{
    char name[BV_NAME_MAX + 1];
    size_t off = 0;
    bv_status st;
    int r;

    while ((r = bv_field_next(p, len, &off, name, sizeof name)) == 1)
        if ((st = bv_vault_nameset_add(s, name)) != BV_OK)
            return st;
    return r == 0 ? BV_OK : bv_fail(BV_EINTEGRITY, "grant set is malformed");
}

/* Sign and store the item's grant set, one version up. */
bv_status
bv_vault_put_grantset(bv_vault *v, const bv_actor *o, const bv_item_row *it, struct nameset *s)
{
    bv_buf names, m;
    uint8_t sig[64];
    size_t i;
    bv_status st;

    bv_buf_init(&names);
    if (s->n > 1)
        qsort(s->v, s->n, sizeof *s->v, cmp_names);
    for (i = 0; i < s->n; i++)
        bv_buf_field_str(&names, s->v[i]);
    bv_fmt_grantset(
        &m, v->id, it->board, it->uid, it->gs_version + 1, names.p, names.len, o->row.name);
    if ((st = bv_vault_oom(&names)) == BV_OK && (st = bv_vault_sign(o->keys, &m, sig)) == BV_OK)
        st = bv_store_grantset_set(
            v->s, it->id, it->gs_version + 1, names.p, names.len, o->row.name, sig, sizeof sig);
    if (st == BV_OK) {
        /* the version goes into the signed, chained log too: a grant set
         * put back from an old copy of the file is older than the log says */
        char reason[32];
        snprintf(reason, sizeof reason, "v%lld", (long long)(it->gs_version + 1));
        st = bv_vault_audit(v, o, BV_ACT_GRANTSET, it->board, it->uid, "ok", reason);
    }
    bv_buf_free(&names);
    bv_buf_free(&m);
    return st;
}

/* The grant set as stored, after checking its signature. */
bv_status
bv_vault_grantset_check(bv_vault *v, const bv_board_row *b, const bv_item_row *it)
{
    bv_person_row signer;
    bv_buf m;
    bv_status st;

    if (it->gs_version < 1)
        return bv_fail(BV_EINTEGRITY, "item %s has no signed grant set", it->uid);
    if ((st = bv_vault_officer_of(v, b, it->gs_by, 0)) != BV_OK
        || (st = bv_vault_person_ok(v, it->gs_by, &signer, 0)) != BV_OK) {
        bv_err_clear();
        return bv_fail(
            BV_EINTEGRITY, "the grant set of item %s was not signed by an officer", it->uid);
    }
    bv_fmt_grantset(
        &m, v->id, it->board, it->uid, it->gs_version, it->gs_names.p, it->gs_names.len, it->gs_by);
    st = bv_vault_verify(signer.sign_pk, &m, it->gs_sig, it->gs_sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(BV_EINTEGRITY, "the grant set of item %s does not verify", it->uid);
    {
        int64_t logged;
        if ((st = bv_vault_view_fact(v, 1, it->uid, &logged)) != BV_OK)
            return st;
        if (logged == 0)
            return bv_fail(BV_EINTEGRITY,
                "the audit log holds no grant set of item %s signed by an officer", it->uid);
        if (it->gs_version < logged)
            return bv_fail(BV_EINTEGRITY,
                "the grant set of item %s is version %lld but the "
                "audit log says %lld: rolled back",
                it->uid, (long long)it->gs_version, (long long)logged);
    }
    return BV_OK;
}

/* Wrap data key for person p as a signed grant. */
bv_status
bv_vault_put_grant(bv_vault *v, const bv_actor *o, const bv_item_row *it, const bv_person_row *p,
    const uint8_t key[32])
{
    bv_keyrow k;
    bv_buf ctx, m, sealed;
    bv_status st;

    memset(&k, 0, sizeof k);
    bv_buf_init(&m);
    bv_buf_init(&sealed);
    bv_fmt_grant_ctx(&ctx, v->id, it->board, it->uid, p);
    if ((st = bv_vault_oom(&ctx)) != BV_OK
        || (st = bv_seal_key(p->box_pk, ctx.p, ctx.len, key, &sealed)) != BV_OK)
        goto out;
    k.person_id = p->id;
    snprintf(k.person, sizeof k.person, "%s", p->name);
    memcpy(k.sealed, sealed.p, sealed.len);
    k.sealed_len = sealed.len;
    snprintf(k.by, sizeof k.by, "%s", o->row.name);
    bv_fmt_grant_sig(&m, v->id, it->board, it->uid, &k);
    if ((st = bv_vault_sign(o->keys, &m, k.sig)) != BV_OK)
        goto out;
    k.sig_len = 64;
    st = bv_store_grant_put(v->s, it->id, &k);
out:
    bv_buf_free(&ctx);
    bv_buf_free(&m);
    bv_buf_free(&sealed);
    return st;
}

/* A grantee must be certified, on the board, and not only an auditor. */
bv_status
bv_vault_grantee_ok(bv_vault *v, const bv_board_row *b, const char *name, bv_person_row *p)
{
    char role[16];
    bv_status st;

    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    if ((st = bv_vault_person_ok(v, name, p, 0)) != BV_OK
        || (st = bv_vault_role_of(v, b, p, role)) != BV_OK)
        return st;
    if (strcmp(role, "auditor") == 0)
        return bv_fail(
            BV_EPERM, "%s is an auditor of %s; auditors cannot be granted items", name, b->name);
    return BV_OK;
}

/* Shared set-up of grant and revoke: item, board, officer check. */
bv_status
bv_vault_item_for_officer(bv_vault *v, bv_actor *o, const char *uid, bv_act action, bv_item_row *it,
    bv_board_row *b, struct nameset *gs)
{
    bv_status st;

    if ((st = bv_vault_actor_ok(v, o)) != BV_OK || (st = bv_store_item_get(v->s, uid, it)) != BV_OK
        || (st = bv_store_board_get(v->s, it->board, b)) != BV_OK)
        return st;
    if ((st = bv_vault_officer_of(v, b, o->row.name, 0)) != BV_OK)
        return bv_vault_refuse_item(v, o, action, b->name, uid, st, "not-an-officer");
    if ((st = bv_vault_item_check(v, b, it)) != BV_OK
        || (st = bv_vault_grantset_check(v, b, it)) != BV_OK)
        return st;
    return bv_vault_nameset_parse(gs, it->gs_names.p, it->gs_names.len);
}

bv_status
bv_item_grant(bv_vault *v, bv_actor *o, const char *uid, char *const *names, size_t n)
{
    bv_item_row it;
    bv_board_row b;
    struct nameset gs = { 0 };
    bv_person_row *gp = NULL;
    uint8_t *dk = NULL;
    size_t i;
    bv_status st;

    bv_item_row_init(&it);
    if ((st = bv_vault_item_for_officer(v, o, uid, BV_ACT_GRANT, &it, &b, &gs)) != BV_OK)
        goto out;
    if ((gp = calloc(n, sizeof *gp)) == NULL || (dk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        if ((st = bv_vault_grantee_ok(v, &b, names[i], &gp[i])) != BV_OK
            || (st = bv_vault_nameset_add(&gs, names[i])) != BV_OK)
            goto out;
    if ((st = bv_vault_item_key_officer(v, o, &b, &it, dk)) != BV_OK)
        goto out;
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    for (i = 0; i < n; i++)
        if ((st = bv_vault_put_grant(v, o, &it, &gp[i], dk)) != BV_OK
            || (st = bv_vault_audit(v, o, BV_ACT_GRANT, b.name, uid, "ok", gp[i].name)) != BV_OK)
            break;
    if (st == BV_OK)
        st = bv_vault_put_grantset(v, o, &it, &gs);
    if (st != BV_OK)
        bv_store_rollback(v->s);
    else
        st = bv_store_commit(v->s);
out:
    bv_key_free(dk);
    free(gp);
    free(gs.v);
    bv_item_row_free(&it);
    return st;
}

bv_status
bv_item_revoke(bv_vault *v, bv_actor *o, const char *uid, char *const *names, size_t n)
{
    bv_item_row it;
    bv_board_row b;
    struct nameset gs = { 0 };
    bv_person_row p;
    size_t i;
    bv_status st;

    bv_item_row_init(&it);
    if ((st = bv_vault_item_for_officer(v, o, uid, BV_ACT_REVOKE, &it, &b, &gs)) != BV_OK)
        goto out;
    for (i = 0; i < n; i++) {
        if ((st = bv_name_check("member", names[i])) != BV_OK)
            goto out;
        if (!bv_vault_names_has(it.gs_names.p, it.gs_names.len, names[i])) {
            st = bv_fail(BV_ENOTFOUND, "%s holds no grant of item %s", names[i], uid);
            goto out;
        }
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    for (i = 0; i < n && st == BV_OK; i++) {
        bv_vault_nameset_del(&gs, names[i]);
        if ((st = bv_store_person_get(v->s, names[i], &p)) == BV_OK
            && (st = bv_store_grant_delete(v->s, it.id, p.id)) == BV_OK)
            st = bv_vault_audit(v, o, BV_ACT_REVOKE, b.name, uid, "ok", names[i]);
    }
    if (st == BV_OK)
        st = bv_vault_put_grantset(v, o, &it, &gs);
    if (st != BV_OK)
        bv_store_rollback(v->s);
    else
        st = bv_store_commit(v->s);
out:
    free(gs.v);
    bv_item_row_free(&it);
    return st;
}
