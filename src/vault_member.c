/*
 * vault_member.c - people: unlocking, enrolment, approval, passphrase and
 * KDF changes, new key pairs (member rekey), and reset.
 */
#include "bv_agent.h"
#include "bv_vault_int.h"
#include "bv_audit.h"
#include "bv_format.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The vault's KDF policy: what init used (meta kdf_policy), else defaults. */
static void
kdf_policy(bv_vault *v, bv_kdf_params *kp)
{
    bv_buf b;

    bv_kdf_defaults(kp);
    bv_buf_init(&b);
    if (bv_store_meta_get(v->s, "kdf_policy", &b) == BV_OK && b.len == 12) {
        kp->m_kib = bv_load_be32(b.p);
        kp->t = bv_load_be32(b.p + 4);
        kp->p = bv_load_be32(b.p + 8);
        if (bv_kdf_check(kp) != BV_OK)
            bv_kdf_defaults(kp);
    }
    bv_err_clear();
    bv_buf_free(&b);
}

/* Re-wrap a's keys under pass with params kp, store them, and log why. */
static bv_status
rewrap(bv_vault *v, bv_actor *a, const bv_secret *pass, const bv_kdf_params *kp, bv_act action)
{
    uint8_t secret[BV_SECRET_MAX];
    size_t len;
    bv_status st;

    if ((st = bv_fmt_secret_wrap(v->id, a->row.name, a->keys, pass, kp, secret, &len)) != BV_OK)
        return st;
    if ((st = bv_vault_begin(v)) != BV_OK)
        return st;
    if ((st = bv_store_person_set_secret(v->s, a->row.id, secret, len)) != BV_OK
        || (st = bv_vault_audit(v, a, action, NULL, NULL, "ok", NULL)) != BV_OK) {
        bv_store_rollback(v->s);
        return st;
    }
    if ((st = bv_store_commit(v->s)) != BV_OK)
        return st;
    memcpy(a->row.secret, secret, len);
    a->row.secret_len = len;
    return BV_OK;
}

static bv_status
kdf_upgrade(bv_vault *v, bv_actor *a, const bv_secret *pass)
{
    bv_kdf_params want, have;

    kdf_policy(v, &want);
    /* the policy is a plain row: never let it force more than our defaults */
    if (want.m_kib > BV_KDF_DEF_M)
        want.m_kib = BV_KDF_DEF_M;
    if (want.t > BV_KDF_DEF_T)
        want.t = BV_KDF_DEF_T;
    if (bv_fmt_secret_params(a->row.secret, a->row.secret_len, &have) != BV_OK)
        return BV_OK; /* unlock read it a moment ago: cannot happen */
    if (have.m_kib >= want.m_kib && have.t >= want.t)
        return BV_OK;
    if (want.m_kib < have.m_kib)
        want.m_kib = have.m_kib;
    if (want.t < have.t)
        want.t = have.t;
    return rewrap(v, a, pass, &want, BV_ACT_KDF_UPGRADE);
}

bv_status
bv_member_passwd(bv_vault *v, bv_actor *a, const bv_secret *newpass, const bv_kdf_params *kp)
{
    bv_status st;

    if ((st = bv_kdf_check(kp)) != BV_OK || (st = bv_pass_strength(newpass, a->row.name)) != BV_OK)
        return st;
    return rewrap(v, a, newpass, kp, BV_ACT_PASSWD);
}

bv_status
bv_vault_kdf_policy(bv_vault *v, bv_kdf_params *kp)
{
    kdf_policy(v, kp);
    return BV_OK;
}

bv_status
bv_vault_unlock(bv_vault *v, const char *name, const bv_secret *pass, bv_act action,
    const char *item, bv_actor **out)
{
    bv_audit_event ev = { .actor = name, .action = action, .item = item, .outcome = "failed" };
    bv_actor *a;
    bv_status st;

    *out = NULL;
    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    if ((a = calloc(1, sizeof *a)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    st = bv_store_person_get(v->s, name, &a->row);
    if (st == BV_ENOTFOUND) {
        /* run the KDF anyway at default cost, so the time taken does not
         * tell whether a name exists */
        bv_kdf_params kp;
        bv_person_row root;
        uint8_t salt[BV_SALT_LEN] = { 0 }, *junk = bv_key_alloc();
        /* at the root's cost: what a real person's unlock costs here */
        bv_kdf_defaults(&kp);
        if (bv_store_person_get(v->s, v->root, &root) != BV_OK
            || bv_fmt_secret_params(root.secret, root.secret_len, &kp) != BV_OK
            || bv_kdf_check(&kp) != BV_OK)
            bv_kdf_defaults(&kp);
        bv_err_clear();
        if (junk)
            (void)bv_kdf_derive(pass, salt, &kp, junk);
        bv_key_free(junk);
        ev.reason = "unknown-person";
        (void)bv_vault_record(v, &ev, NULL);
        bv_err_clear();
        st = bv_fail(BV_EAUTH, "authentication failed for \"%s\"", name);
        goto out;
    }
    if (st != BV_OK)
        goto out;
    bv_fingerprint(a->row.sign_pk, a->row.box_pk, a->fp);
    if (a->row.approved) {
        /* A public key changed in the database would otherwise look like
         * a wrong passphrase (the keys are bound to the secret record):
         * check the certificate first and call it what it is. */
        bv_person_row chk;
        if ((st = bv_vault_person_ok(v, name, &chk, 0)) != BV_OK) {
            ev.actor_fp = a->fp;
            ev.reason = "integrity";
            (void)bv_vault_record(v, &ev, NULL);
            goto out;
        }
    }
    /* the record's server releases a key record to its own person's
     * connection only: that is a refusal, not damage */
    if (a->row.secret_len == 0 && bv_store_record_enforced(v->s)) {
        st = bv_fail(
            BV_EPERM, "the vault releases %s's key record to %s's own login only", name, name);
        ev.actor_fp = a->fp;
        ev.reason = "withheld";
        (void)bv_vault_record(v, &ev, NULL);
        goto out;
    }
    if ((st = bv_fmt_secret_unwrap(v->id, &a->row, pass, &a->keys)) != BV_OK) {
        ev.actor_fp = a->fp;
        ev.reason = st == BV_EAUTH ? "wrong-passphrase" : "integrity";
        (void)bv_vault_record(v, &ev, NULL);
        goto out;
    }
    /* keys wrapped under weaker KDF settings than the vault now asks for
     * are re-wrapped with the same passphrase, once, here */
    if ((st = kdf_upgrade(v, a, pass)) != BV_OK)
        goto out;
    *out = a;
    return BV_OK;
out:
    bv_actor_free(a);
    return st;
}

bv_status
bv_vault_unlock_agent(
    bv_vault *v, const char *name, bv_act action, const char *item, bv_actor **out)
{
    bv_audit_event ev = { .actor = name, .action = action, .item = item, .outcome = "failed" };
    uint8_t chal[32], sig[64];
    bv_person_row chk;
    bv_actor *a;
    bv_status st;

    *out = NULL;
    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    if ((a = calloc(1, sizeof *a)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    if ((st = bv_agent_find(v->id, name, &a->keys)) != BV_OK)
        goto out;
    if ((st = bv_store_person_get(v->s, name, &a->row)) != BV_OK) {
        if (st == BV_ENOTFOUND) {
            bv_err_clear();
            st = bv_fail(
                BV_EAUTH, "the agent holds keys for %s, who is not in this vault now", name);
        }
        goto out;
    }
    /* the agent is not trusted to say who someone is: the keys it holds
     * must be the ones the vault has for NAME ... */
    if (sodium_memcmp(a->row.sign_pk, a->keys->sign_pk, 32) != 0
        || sodium_memcmp(a->row.box_pk, a->keys->box_pk, 32) != 0) {
        st = bv_fail(
            BV_EAUTH, "the agent holds keys that are no longer %s's (boardvault lock)", name);
        goto out;
    }
    bv_fingerprint(a->row.sign_pk, a->row.box_pk, a->fp);
    /* ... certified, as after a passphrase ... */
    if (a->row.approved && (st = bv_vault_person_ok(v, name, &chk, 0)) != BV_OK) {
        ev.actor_fp = a->fp;
        ev.reason = "integrity";
        (void)bv_vault_record(v, &ev, NULL);
        goto out;
    }
    /* ... and it must hold their secret half now */
    randombytes_buf(chal, sizeof chal);
    if ((st = bv_sign(a->keys, chal, sizeof chal, sig)) != BV_OK)
        goto out;
    *out = a;
    return BV_OK;
out:
    bv_actor_free(a);
    return st;
}

void
bv_actor_free(bv_actor *a)
{
    if (a == NULL)
        return;
    bv_keys_free(a->keys);
    free(a);
}

/* ---- members ---- */

bv_status
bv_member_enroll(bv_vault *v, const char *name, const bv_secret *pass, const bv_kdf_params *kp,
    char fp[BV_FP_LEN])
{
    bv_person_row old;
    bv_actor a;
    bv_status st;

    memset(&a, 0, sizeof a);
    if ((st = bv_name_check("member", name)) != BV_OK || (st = bv_kdf_check(kp)) != BV_OK)
        return st;
    st = bv_store_person_get(v->s, name, &old);
    if (st == BV_OK)
        return bv_fail(BV_EUSAGE, "a member named \"%s\" already exists", name);
    if (st != BV_ENOTFOUND)
        return st;
    if ((st = bv_pass_strength(pass, name)) != BV_OK)
        return st;
    if ((st = bv_vault_make_person(v, name, pass, kp, &a.row, &a.keys)) != BV_OK)
        return st;
    bv_fingerprint(a.row.sign_pk, a.row.box_pk, a.fp);
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    if ((st = bv_store_person_add(v->s, &a.row)) != BV_OK
        || (st = bv_vault_audit(v, &a, BV_ACT_ENROLL, NULL, NULL, "ok", "pending")) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    if ((st = bv_store_commit(v->s)) != BV_OK)
        goto out;
    memcpy(fp, a.fp, BV_FP_LEN);
out:
    bv_keys_free(a.keys);
    return st;
}

/* The officer was given another fingerprint than that of the keys about
 * to be certified: someone may have put their own keys in the vault. */
static bv_status
fp_check(const char *name, const char fp[BV_FP_LEN], const char *expect)
{
    char aloud[BV_FP_ALOUD_LEN];

    if (expect == NULL || bv_fingerprint_match(fp, expect))
        return BV_OK;
    bv_fingerprint_aloud(fp, aloud);
    return bv_fail(BV_EINTEGRITY,
        "the keys of %s in the vault have fingerprint %s (%s), not %s: nothing approved; "
        "ask %s for their fingerprint again",
        name, fp, aloud, expect, name);
}

static bv_status approve_keychange(bv_vault *v, bv_actor *o, const bv_person_row *p,
    const bv_keychange_row *k, const char *expect, char fp[BV_FP_LEN]);

bv_status
bv_member_approve(
    bv_vault *v, bv_actor *o, const char *name, const char *expect, char fp[BV_FP_LEN])
{
    return bv_member_approve_login(v, o, name, expect, fp, NULL, NULL);
}

bv_status
bv_member_approve_login(bv_vault *v, bv_actor *o, const char *name, const char *expect,
    char fp[BV_FP_LEN], const char *login, bv_login_note *note)
{
    bv_person_row p;
    bv_buf m;
    uint8_t sig[64];
    bv_status st;

    bv_buf_init(&m);
    if ((st = bv_vault_actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = bv_vault_officer_anywhere(v, o->row.name, 0)) != BV_OK)
        return bv_vault_refuse_item(v, o, BV_ACT_APPROVE, NULL, NULL, st, "not-an-officer");
    st = bv_store_person_get(v->s, name, &p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if (p.approved) {
        bv_keychange_row k;
        if ((st = bv_store_keychange_get(v->s, p.id, &k)) == BV_OK)
            return approve_keychange(v, o, &p, &k, expect, fp);
        if (st != BV_ENOTFOUND)
            return st;
        return bv_fail(BV_EUSAGE, "%s is already approved", name);
    }
    bv_fingerprint(p.sign_pk, p.box_pk, fp);
    if ((st = fp_check(name, fp, expect)) != BV_OK)
        return st;
    bv_fmt_cert(&m, v->id, &p, o->row.name);
    if ((st = bv_vault_sign(o->keys, &m, sig)) != BV_OK)
        goto out;
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    /* the login with the approval, or neither */
    if ((st = bv_store_person_certify(v->s, name, o->row.name, sig, sizeof sig)) != BV_OK
        || (note && (st = bv_store_login_make(v->s, name, login, note)) != BV_OK)
        || (st = bv_vault_audit(v, o, BV_ACT_APPROVE, NULL, NULL, "ok", name)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    st = bv_store_commit(v->s);
out:
    bv_buf_free(&m);
    return st;
}

bv_status
bv_member_pending_fp(
    bv_vault *v, const char *name, const char *expect, char fp[BV_FP_LEN], int *keychange)
{
    bv_person_row p;
    bv_keychange_row k;
    bv_status st;

    *keychange = 0;
    if ((st = bv_store_begin_read(v->s)) != BV_OK)
        return st;
    st = bv_store_person_get(v->s, name, &p);
    if (st == BV_ENOTFOUND)
        st = bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        goto out;
    bv_fingerprint(p.sign_pk, p.box_pk, fp);
    if (p.approved) {
        if ((st = bv_store_keychange_get(v->s, p.id, &k)) == BV_ENOTFOUND)
            st = bv_fail(BV_EUSAGE, "%s is already approved", name);
        else if (st == BV_OK) {
            bv_fingerprint(k.sign_pk, k.box_pk, fp);
            *keychange = 1;
        }
    }
    if (st == BV_OK)
        st = fp_check(name, fp, expect);
out:
    bv_store_rollback(v->s);
    return st;
}

const char *
bv_member_state(bv_vault *v, const char *name)
{
    bv_person_row p;
    bv_status st = bv_vault_person_ok(v, name, &p, 0);

    bv_err_clear();
    if (st == BV_OK)
        return "approved";
    if (st == BV_EPERM)
        return "pending";
    return "INVALID";
}

/* ---- reset: a member who forgot their passphrase ---- */

struct had {
    bv_vault *v;
    const char *name;
    int64_t person_id;
    bv_reset_fn report;
    void *ctx;
    int officer;
    struct idlist items;
};

static bv_status
had_role_cb(void *ctx, const bv_role_row *r)
{
    struct had *h = ctx;
    struct board_by_id f;

    memset(&f, 0, sizeof f);
    f.id = r->board_id;
    if (bv_store_board_each(h->v->s, bv_vault_board_by_id_cb, &f) != BV_OK || !f.found)
        return BV_OK;
    if (strcmp(r->role, "officer") == 0)
        h->officer = 1;
    h->report(h->ctx, "role", f.b.name, r->role);
    return BV_OK;
}

static bv_status
had_item_cb(void *ctx, const bv_item_row *it)
{
    struct had *h = ctx;

    if (bv_vault_names_has(it->gs_names.p, it->gs_names.len, h->name)) {
        h->report(h->ctx, "grant", it->board, it->uid);
        return bv_vault_idlist_cb(&h->items, it->id, it->uid);
    }
    return BV_OK;
}

bv_status
bv_member_reset(
    bv_vault *v, bv_actor *o, const char *name, bv_reset_fn report, void *ctx, bv_login_note *note)
{
    struct had h;
    bv_person_row p;
    uint8_t sig[64];
    char reason[BV_NAME_MAX + 64];
    size_t i;
    bv_buf m;
    bv_status st;
    int in_tx = 0;

    memset(&h, 0, sizeof h);
    bv_buf_init(&m);
    if ((st = bv_vault_actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = bv_vault_officer_anywhere(v, o->row.name, 0)) != BV_OK)
        return bv_vault_refuse_item(v, o, BV_ACT_RESET, NULL, NULL, st, "not-an-officer");
    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    st = bv_store_person_get(v->s, name, &p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if (strcmp(name, v->root) == 0)
        return bv_vault_refuse_item(v, o, BV_ACT_RESET, NULL, NULL,
            bv_fail(BV_EPERM,
                "the root officer cannot be reset: the vault's trust "
                "starts there"),
            "root");
    h.v = v;
    h.name = name;
    h.person_id = p.id;
    h.report = report;
    h.ctx = ctx;
    /* what they had, so that officers can give it back */
    if ((st = bv_store_role_each_person(v->s, p.id, had_role_cb, &h)) != BV_OK)
        goto out;
    if (h.officer) {
        st = bv_fail(BV_EPERM,
            "%s holds a board key: remove them from each board they are an "
            "officer of first (board remove rotates the key)",
            name);
        goto out;
    }
    if ((st = bv_store_item_each(v->s, NULL, had_item_cb, &h)) != BV_OK)
        goto out;
    /* their grant sets are signed again: only an officer of each board can */
    for (i = 0; i < h.items.n; i++) {
        bv_item_row it;
        bv_board_row b;
        bv_item_row_init(&it);
        if ((st = bv_store_item_get(v->s, h.items.uid[i], &it)) == BV_OK
            && (st = bv_store_board_get(v->s, it.board, &b)) == BV_OK
            && bv_vault_officer_of(v, &b, o->row.name, 0) != BV_OK) {
            bv_err_clear();
            st = bv_fail(BV_EPERM, "%s holds grants on board %s, of which you are not an officer",
                name, b.name);
        }
        bv_item_row_free(&it);
        if (st != BV_OK)
            goto out;
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    in_tx = 1;
    for (i = 0; i < h.items.n; i++) {
        bv_item_row it;
        struct nameset gs = { 0 };
        bv_item_row_init(&it);
        if ((st = bv_store_item_get(v->s, h.items.uid[i], &it)) == BV_OK
            && (st = bv_vault_nameset_parse(&gs, it.gs_names.p, it.gs_names.len)) == BV_OK) {
            bv_vault_nameset_del(&gs, name);
            st = bv_vault_put_grantset(v, o, &it, &gs);
        }
        free(gs.v);
        bv_item_row_free(&it);
        if (st != BV_OK)
            goto out;
    }
    bv_fmt_retired(&m, v->id, name, p.sign_pk, o->row.name);
    snprintf(reason, sizeof reason, "%s: keys retired, %zu grants dropped", name, h.items.n);
    if ((st = bv_vault_sign(o->keys, &m, sig)) != BV_OK
        || (st = bv_store_retired_add(v->s, name, p.sign_pk, o->row.name, sig, sizeof sig)) != BV_OK
        || (note && (st = bv_store_login_drop(v->s, name, note)) != BV_OK)
        || (st = bv_store_person_drop(v->s, p.id)) != BV_OK
        || (st = bv_vault_audit(v, o, BV_ACT_RESET, NULL, NULL, "ok", reason)) != BV_OK)
        goto out;
    st = bv_store_commit(v->s);
    in_tx = 0;
    if (st == BV_OK)
        bv_store_reclaim(v->s, 1);
out:
    if (in_tx)
        bv_store_rollback(v->s);
    free(h.items.id);
    free(h.items.uid);
    bv_buf_free(&m);
    return st;
}

/* ---- new key pairs for a member whose passphrase was exposed ----
 *
 * A new passphrase alone re-wraps the same keys: whoever knows the old
 * passphrase and holds an older copy of the file still has them, and so
 * every grant sealed to them later. member rekey makes new key pairs,
 * wrapped under a new passphrase and signed by the old key, and leaves
 * them waiting; an officer compares the new fingerprint with the member
 * and approves, which certifies them, re-issues each of the member's
 * grants and re-signs their roles under the new keys, and retires the old
 * signing key (it still verifies what it signed), in one transaction.
 * Officers are excluded: everything they signed (seals, grants, roles,
 * certificates) would need signing again; they leave their boards first.
 */

struct officer_roles {
    int officer;
};

static bv_status
officer_roles_cb(void *ctx, const bv_role_row *r)
{
    if (strcmp(r->role, "officer") == 0)
        ((struct officer_roles *)ctx)->officer = 1;
    return BV_OK;
}

static bv_status
not_an_officer(bv_vault *v, const bv_person_row *p)
{
    struct officer_roles r = { 0 };
    bv_status st;

    if ((st = bv_store_role_each_person(v->s, p->id, officer_roles_cb, &r)) != BV_OK)
        return st;
    if (r.officer || strcmp(p->name, v->root) == 0)
        return bv_fail(BV_EPERM,
            "%s is an officer: what they signed would need signing again; leave each board "
            "(board remove) first, or choose a new passphrase with member passwd",
            p->name);
    return BV_OK;
}

bv_status
bv_member_rekey(
    bv_vault *v, bv_actor *a, const bv_secret *newpass, const bv_kdf_params *kp, char fp[BV_FP_LEN])
{
    bv_keychange_row k;
    bv_person_row np;
    bv_keys *keys = NULL;
    char reason[BV_FP_LEN + 16];
    bv_buf m;
    bv_status st;

    bv_buf_init(&m);
    memset(&k, 0, sizeof k);
    if ((st = bv_kdf_check(kp)) != BV_OK || (st = bv_pass_strength(newpass, a->row.name)) != BV_OK
        || (st = bv_vault_actor_ok(v, a)) != BV_OK || (st = not_an_officer(v, &a->row)) != BV_OK)
        return st;
    if ((st = bv_vault_make_person(v, a->row.name, newpass, kp, &np, &keys)) != BV_OK)
        return st;
    memcpy(k.box_pk, np.box_pk, 32);
    memcpy(k.sign_pk, np.sign_pk, 32);
    memcpy(k.secret, np.secret, np.secret_len);
    k.secret_len = np.secret_len;
    bv_utc_now(k.requested);
    bv_fmt_keychange(&m, v->id, a->row.name, k.box_pk, k.sign_pk);
    if ((st = bv_vault_sign(a->keys, &m, k.sig)) != BV_OK)
        goto out;
    k.sig_len = 64;
    bv_fingerprint(k.sign_pk, k.box_pk, fp);
    snprintf(reason, sizeof reason, "requested %s", fp);
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    if ((st = bv_store_keychange_put(v->s, a->row.id, &k)) != BV_OK
        || (st = bv_vault_audit(v, a, BV_ACT_KEY_CHANGE, NULL, NULL, "ok", reason)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    st = bv_store_commit(v->s);
out:
    sodium_memzero(&k, sizeof k);
    sodium_memzero(&np, sizeof np);
    bv_keys_free(keys);
    bv_buf_free(&m);
    return st;
}

static void
no_report(void *ctx, const char *what, const char *board, const char *detail)
{
    (void)ctx;
    (void)what;
    (void)board;
    (void)detail;
}

struct keychange_roles {
    bv_role_row *r;
    size_t n, cap;
};

static bv_status
keychange_roles_cb(void *ctx, const bv_role_row *r)
{
    struct keychange_roles *l = ctx;
    bv_role_row *slot = bv_grow(&l->r, &l->n, &l->cap, sizeof *l->r);

    if (slot == NULL)
        return BV_ERR;
    *slot = *r;
    return BV_OK;
}

/*
 * The data key of each item the member holds a grant on, through the
 * board key held by o: fetched before the write begins, since a server
 * releases a board key only to a transaction that has written nothing
 * (docs/DESIGN.md "Server-enforced record"). Kept in secure memory.
 */
static bv_status
keychange_item_keys(
    bv_vault *v, bv_actor *o, const char *name, const struct idlist *items, uint8_t **dks)
{
    size_t i;
    bv_status st = BV_OK;

    if ((*dks = sodium_allocarray(items->n ? items->n : 1, 32)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    for (i = 0; i < items->n && st == BV_OK; i++) {
        bv_item_row it;
        bv_board_row b;
        bv_item_row_init(&it);
        if ((st = bv_store_item_get(v->s, items->uid[i], &it)) == BV_OK
            && (st = bv_vault_get_board(v, it.board, &b)) == BV_OK) {
            if (bv_vault_officer_of(v, &b, o->row.name, 0) != BV_OK) {
                bv_err_clear();
                st = bv_fail(BV_EPERM,
                    "%s holds grants on board %s, of which you are not an officer", name, b.name);
            } else if ((st = bv_vault_grantset_check(v, &b, &it)) == BV_OK)
                st = bv_vault_item_key_officer(v, o, &b, &it, *dks + 32 * i);
        }
        bv_item_row_free(&it);
    }
    return st;
}

/* The member's roles and grants, re-signed and re-issued by o to np,
 * each grant with its item's key from keychange_item_keys. */
static bv_status
keychange_carry(bv_vault *v, bv_actor *o, const bv_person_row *np, struct keychange_roles *roles,
    const struct idlist *items, const uint8_t *dks)
{
    bv_buf m;
    size_t i;
    bv_status st = BV_OK;

    bv_buf_init(&m);
    for (i = 0; i < roles->n && st == BV_OK; i++) {
        bv_board_row b;
        struct board_by_id f = { .id = roles->r[i].board_id };
        if ((st = bv_store_board_each(v->s, bv_vault_board_by_id_cb, &f)) != BV_OK)
            break;
        b = f.b;
        if (!f.found || bv_vault_officer_of(v, &b, o->row.name, 0) != BV_OK) {
            bv_err_clear();
            st = bv_fail(BV_EPERM, "%s is on board %s, of which you are not an officer", np->name,
                f.found ? b.name : "?");
            break;
        }
        snprintf(roles->r[i].added_by, sizeof roles->r[i].added_by, "%s", o->row.name);
        bv_fmt_role(&m, v->id, b.name, np, roles->r[i].role, o->row.name);
        if ((st = bv_vault_sign(o->keys, &m, roles->r[i].sig)) == BV_OK) {
            roles->r[i].sig_len = 64;
            st = bv_store_role_add(v->s, &roles->r[i]);
        }
        bv_buf_free(&m);
    }
    for (i = 0; i < items->n && st == BV_OK; i++) {
        bv_item_row it;
        bv_item_row_init(&it);
        if ((st = bv_store_item_get(v->s, items->uid[i], &it)) == BV_OK)
            st = bv_vault_put_grant(v, o, &it, np, dks + 32 * i);
        bv_item_row_free(&it);
    }
    return st;
}

static bv_status
approve_keychange(bv_vault *v, bv_actor *o, const bv_person_row *p, const bv_keychange_row *k,
    const char *expect, char fp[BV_FP_LEN])
{
    struct keychange_roles roles = { 0 };
    struct had h;
    bv_person_row np;
    uint8_t *dks = NULL;
    uint8_t cert[64], ret[64];
    char reason[BV_NAME_MAX + BV_FP_LEN + 64];
    bv_buf m;
    bv_status st;
    int in_tx = 0;

    memset(&h, 0, sizeof h);
    bv_buf_init(&m);
    bv_fmt_keychange(&m, v->id, p->name, k->box_pk, k->sign_pk);
    st = bv_vault_verify(p->sign_pk, &m, k->sig, k->sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(
            BV_EINTEGRITY, "the new keys of %s were not asked for with their old key", p->name);
    if ((st = not_an_officer(v, p)) != BV_OK)
        return st;
    np = *p;
    memcpy(np.box_pk, k->box_pk, 32);
    memcpy(np.sign_pk, k->sign_pk, 32);
    snprintf(np.cert_by, sizeof np.cert_by, "%s", o->row.name);
    bv_fingerprint(np.sign_pk, np.box_pk, fp);
    if ((st = fp_check(p->name, fp, expect)) != BV_OK)
        return st;
    h.v = v;
    h.name = p->name;
    h.person_id = p->id;
    h.report = no_report;
    if ((st = bv_store_role_each_person(v->s, p->id, keychange_roles_cb, &roles)) != BV_OK
        || (st = bv_store_item_each(v->s, NULL, had_item_cb, &h)) != BV_OK)
        goto out;
    bv_fmt_cert(&m, v->id, &np, o->row.name);
    if ((st = bv_vault_sign(o->keys, &m, cert)) != BV_OK)
        goto out;
    bv_buf_free(&m);
    bv_fmt_retired(&m, v->id, p->name, p->sign_pk, o->row.name);
    if ((st = bv_vault_sign(o->keys, &m, ret)) != BV_OK)
        goto out;
    snprintf(
        reason, sizeof reason, "%s: new keys %s, %zu grants re-issued", p->name, fp, h.items.n);
    if ((st = keychange_item_keys(v, o, p->name, &h.items, &dks)) != BV_OK
        || (st = bv_vault_begin(v)) != BV_OK)
        goto out;
    in_tx = 1;
    if ((st = bv_store_person_rekey(v->s, p->id, k, o->row.name, cert, sizeof cert)) != BV_OK
        || (st = bv_store_retired_add(v->s, p->name, p->sign_pk, o->row.name, ret, sizeof ret))
            != BV_OK
        || (st = keychange_carry(v, o, &np, &roles, &h.items, dks)) != BV_OK
        || (st = bv_vault_audit(v, o, BV_ACT_KEY_CHANGE, NULL, NULL, "ok", reason)) != BV_OK)
        goto out;
    st = bv_store_commit(v->s);
    in_tx = 0;
out:
    if (in_tx)
        bv_store_rollback(v->s);
    if (dks)
        sodium_free(dks); /* wipes them */
    free(roles.r);
    free(h.items.id);
    free(h.items.uid);
    bv_buf_free(&m);
    return st;
}
