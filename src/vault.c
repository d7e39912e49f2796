/*
 * vault.c - the domain layer (see include/bv_vault.h).
 *
 * Trust: the database is untrusted storage. Everything a decision rests
 * on is signed, and checked here before use:
 *   person   certified by an officer (the root certifies itself);
 *   board    signed by its creator, who must be the root or an officer;
 *   role     signed by an officer of that board (chains end at the creator);
 *   board key, grant, grant set, item manifest: signed by an officer of
 *            the board.
 * Every signed message is a list of length-prefixed fields whose first
 * field names its kind, so no signature can be replayed as another kind.
 */
#include "bv_vault.h"
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

#define MAX_DEPTH 16

struct bv_vault {
    bv_store *s;
    bv_logview *view; /* what this client verified of the log */
    int readonly;
    uint8_t id[BV_VAULT_ID_LEN];
    char root[BV_NAME_MAX + 1];
};

bv_store *
bv_vault_store(bv_vault *v)
{
    return v->s;
}

const uint8_t *
bv_vault_id(const bv_vault *v)
{
    return v->id;
}

bv_status
bv_name_check(const char *what, const char *name)
{
    size_t n = strlen(name), off;

    if (n == 0)
        return bv_fail(BV_EUSAGE, "%s name is empty", what);
    if (n > BV_NAME_MAX)
        return bv_fail(BV_EUSAGE, "%s name is longer than %d bytes", what, BV_NAME_MAX);
    if (!bv_utf8_ok(name, n, &off))
        return bv_fail(BV_EUSAGE, "%s name is not printable UTF-8 (byte %zu)", what, off);
    if (name[0] == ' ' || name[n - 1] == ' ' || name[0] == '-')
        return bv_fail(
            BV_EUSAGE, "%s name may not start with a space or '-' or end with a space", what);
    return BV_OK;
}

static bv_status
oom(bv_buf *b)
{
    return b->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

/* Condemned and abandoned bodies go before a new one is written, and
 * after a failed write. Best effort: a busy vault leaves them for the
 * next seal, rekey or destroy. */
static void
sweep(bv_vault *v)
{
    uint64_t n;

    if (bv_store_body_sweep(v->s, &n) != BV_OK)
        bv_err_clear();
}

/* After a failure st: the staged body goes too, and the failure's
 * message stays the one shown (the clean-up is best effort). */
static void
unstage(bv_vault *v, int64_t body_id, bv_status st)
{
    char msg[512];

    snprintf(msg, sizeof msg, "%s", bv_errmsg());
    bv_err_clear();
    if (bv_store_body_condemn(v->s, body_id) == BV_OK)
        sweep(v);
    bv_err_clear();
    (void)bv_fail(st, "%s", msg);
}

static bv_status
sign_buf(const bv_keys *k, bv_buf *msg, uint8_t sig[64])
{
    if (msg->oom)
        return bv_fail(BV_ERR, "out of memory");
    bv_sign(k, msg->p, msg->len, sig);
    return BV_OK;
}

static bv_status
verify_buf(const uint8_t pk[32], bv_buf *msg, const uint8_t *sig, size_t siglen)
{
    if (msg->oom)
        return bv_fail(BV_ERR, "out of memory");
    return bv_verify(pk, msg->p, msg->len, sig, siglen);
}

/* ---- trust ---- */

static bv_status officer_anywhere(bv_vault *v, const char *name, int depth);

/* Load a person and check the certificate chain up to the root. */
static bv_status
person_ok(bv_vault *v, const char *name, bv_person_row *p, int depth)
{
    bv_person_row signer;
    bv_buf m;
    bv_status st;

    if (depth > MAX_DEPTH)
        return bv_fail(BV_EINTEGRITY, "certificate chain of %s is too long", name);
    st = bv_store_person_get(v->s, name, p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if (!p->approved)
        return bv_fail(BV_EPERM, "%s is pending approval by an officer", name);
    bv_fmt_cert(&m, v->id, p, p->cert_by);
    if (strcmp(name, v->root) == 0) {
        /* the root certifies itself; its fingerprint is what users pin */
        st = strcmp(p->cert_by, name) == 0
            ? verify_buf(p->sign_pk, &m, p->cert_sig, p->cert_sig_len)
            : BV_EINTEGRITY;
    } else if (strcmp(p->cert_by, name) == 0) {
        st = BV_EINTEGRITY; /* only the root is self-certified */
    } else if ((st = person_ok(v, p->cert_by, &signer, depth + 1)) == BV_OK) {
        st = verify_buf(signer.sign_pk, &m, p->cert_sig, p->cert_sig_len);
        if (st == BV_OK)
            st = officer_anywhere(v, p->cert_by, depth + 1);
    }
    bv_buf_free(&m);
    if (st == BV_EINTEGRITY || st == BV_EPERM || st == BV_ENOTFOUND)
        return bv_fail(BV_EINTEGRITY, "the certificate of %s does not verify", name);
    return st;
}

static bv_status officer_of(bv_vault *v, const bv_board_row *b, const char *name, int depth);

/* Has `name` been removed from b? By a removal the log view holds, or by
 * a removal row an officer signed: a forged removal removes nobody. */
static int
removed(bv_vault *v, const bv_board_row *b, const char *name, int depth)
{
    char by[BV_NAME_MAX + 1];
    uint8_t sig[BV_BLOB_MAX];
    size_t siglen;
    bv_person_row signer;
    bv_buf m;
    int yes = 0;

    /* the log, as this client read it, outweighs a removal row gone */
    if (v->view && bv_logview_removed(v->view, b->name, name))
        return 1;
    if (bv_store_removal_get(v->s, b->id, name, by, sig, &siglen) != BV_OK) {
        bv_err_clear();
        return 0;
    }
    if (depth <= MAX_DEPTH && strcmp(by, name) != 0 && person_ok(v, by, &signer, depth + 1) == BV_OK
        && officer_of(v, b, by, depth + 1) == BV_OK) {
        bv_fmt_removal(&m, v->id, b->name, name, by);
        yes = verify_buf(signer.sign_pk, &m, sig, siglen) == BV_OK;
        bv_buf_free(&m);
    }
    bv_err_clear();
    return yes;
}

/* Is `name` an officer of `b`? The chain of role signatures must end at
 * the board's creator, whose board record is signed. */
static bv_status
officer_of(bv_vault *v, const bv_board_row *b, const char *name, int depth)
{
    bv_person_row p, signer;
    bv_role_row r;
    bv_buf m;
    bv_status st;

    if (depth > MAX_DEPTH)
        return bv_fail(BV_EINTEGRITY, "officer chain of board %s is too long", b->name);
    if ((st = person_ok(v, name, &p, depth + 1)) != BV_OK)
        return st;
    if (removed(v, b, name, depth + 1))
        return bv_fail(BV_EPERM, "%s was removed from board %s", name, b->name);
    if (strcmp(name, b->created_by) == 0) {
        bv_fmt_board(&m, v->id, b->name, b->created_by);
        st = verify_buf(p.sign_pk, &m, b->sig, b->sig_len);
        bv_buf_free(&m);
        if (st != BV_OK)
            return bv_fail(BV_EINTEGRITY, "the record of board %s does not verify", b->name);
        return strcmp(name, v->root) == 0 ? BV_OK : officer_anywhere(v, name, depth + 1);
    }
    st = bv_store_role_get(v->s, b->id, p.id, &r);
    if (st == BV_ENOTFOUND || (st == BV_OK && strcmp(r.role, "officer") != 0))
        return bv_fail(BV_EPERM, "%s is not an officer of board %s", name, b->name);
    if (st != BV_OK)
        return st;
    if (strcmp(r.added_by, name) == 0)
        return bv_fail(BV_EINTEGRITY, "the role of %s on board %s does not verify", name, b->name);
    if ((st = person_ok(v, r.added_by, &signer, depth + 1)) != BV_OK)
        return st;
    bv_fmt_role(&m, v->id, b->name, &p, r.role, r.added_by);
    st = verify_buf(signer.sign_pk, &m, r.sig, r.sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(BV_EINTEGRITY, "the role of %s on board %s does not verify", name, b->name);
    return officer_of(v, b, r.added_by, depth + 1);
}

struct board_by_id {
    int64_t id;
    bv_board_row b;
    int found;
};

static bv_status
board_by_id_cb(void *ctx, const bv_board_row *b)
{
    struct board_by_id *f = ctx;

    if (b->id == f->id) {
        f->b = *b;
        f->found = 1;
    }
    return BV_OK;
}

struct officer_boards {
    int64_t ids[64];
    size_t n;
};

static bv_status
officer_boards_cb(void *ctx, const bv_role_row *r)
{
    struct officer_boards *o = ctx;

    if (strcmp(r->role, "officer") == 0 && o->n < 64)
        o->ids[o->n++] = r->board_id;
    return BV_OK;
}

/* Root, or the creator of a board, or a verified officer of some board. */
static bv_status
officer_anywhere(bv_vault *v, const char *name, int depth)
{
    struct officer_boards ob = { .n = 0 };
    struct board_by_id f;
    bv_person_row p;
    bv_status st;
    size_t i;

    if (strcmp(name, v->root) == 0)
        return BV_OK;
    if (depth > MAX_DEPTH)
        return bv_fail(BV_EINTEGRITY, "officer chain of %s is too long", name);
    if ((st = bv_store_person_get(v->s, name, &p)) != BV_OK)
        return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name) : st;
    if ((st = bv_store_role_each_person(v->s, p.id, officer_boards_cb, &ob)) != BV_OK)
        return st;
    for (i = 0; i < ob.n; i++) {
        memset(&f, 0, sizeof f);
        f.id = ob.ids[i];
        if ((st = bv_store_board_each(v->s, board_by_id_cb, &f)) != BV_OK)
            return st;
        if (f.found && officer_of(v, &f.b, name, depth + 1) == BV_OK) {
            bv_err_clear();
            return BV_OK;
        }
    }
    bv_err_clear();
    return bv_fail(BV_EPERM, "%s is not an officer of any board", name);
}

/*
 * The role person p holds on board b, checked: the creator is an officer
 * by the signed board record; any other role row must be signed by an
 * officer of b. BV_EPERM when p is not on the board.
 */
static bv_status
role_of(bv_vault *v, const bv_board_row *b, const bv_person_row *p, char role[16])
{
    bv_person_row signer;
    bv_role_row r;
    bv_buf m;
    bv_status st;

    if (removed(v, b, p->name, 0))
        return bv_fail(BV_EPERM, "%s is not on board %s (removed)", p->name, b->name);
    if (strcmp(p->name, b->created_by) == 0) {
        strcpy(role, "officer");
        return officer_of(v, b, p->name, 0);
    }
    st = bv_store_role_get(v->s, b->id, p->id, &r);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_EPERM, "%s is not on board %s", p->name, b->name);
    if (st != BV_OK)
        return st;
    if (strcmp(r.added_by, p->name) == 0 || officer_of(v, b, r.added_by, 0) != BV_OK
        || person_ok(v, r.added_by, &signer, 0) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the role of %s on board %s was not given by an officer",
            p->name, b->name);
    }
    bv_fmt_role(&m, v->id, b->name, p, r.role, r.added_by);
    st = verify_buf(signer.sign_pk, &m, r.sig, r.sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(
            BV_EINTEGRITY, "the role of %s on board %s does not verify", p->name, b->name);
    snprintf(role, 16, "%s", r.role);
    return BV_OK;
}

/* ---- opening and creating ---- */

static bv_status
load_meta(bv_vault *v)
{
    bv_buf b;
    bv_status st;

    bv_buf_init(&b);
    if ((st = bv_store_meta_get(v->s, "vault_id", &b)) != BV_OK)
        goto out;
    if (b.len != BV_VAULT_ID_LEN) {
        st = bv_fail(BV_EINTEGRITY, "the vault id record is damaged");
        goto out;
    }
    memcpy(v->id, b.p, BV_VAULT_ID_LEN);
    b.len = 0;
    if ((st = bv_store_meta_get(v->s, "root", &b)) != BV_OK)
        goto out;
    if (b.len == 0 || b.len > BV_NAME_MAX) {
        st = bv_fail(BV_EINTEGRITY, "the root record is damaged");
        goto out;
    }
    memcpy(v->root, b.p, b.len);
    v->root[b.len] = '\0';
out:
    bv_buf_free(&b);
    return st;
}

static bv_status view_sync(bv_vault *v, char note[256]);
static bv_status view_extend(bv_vault *v, bv_logview *lv, const bv_logview *seen, bv_buf *unauth);

bv_status
bv_vault_open(const char *path, int flags, const char *trust, char note[256], bv_vault **out)
{
    bv_person_row root;
    bv_vault *v;
    char hex[2 * BV_VAULT_ID_LEN + 1], fp[BV_FP_LEN];
    int64_t from;
    bv_status st;

    *out = NULL;
    note[0] = '\0';
    if ((v = calloc(1, sizeof *v)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    v->readonly = flags & BV_OPEN_RO;
    if ((st = bv_store_open(path, (flags & BV_OPEN_RO) ? BV_STORE_RO : BV_STORE_RW, &v->s)) != BV_OK
        || (st = load_meta(v)) != BV_OK)
        goto fail;
    /* Everything else chains to the root: it must be the root the user
     * pinned (or named with --trust), and self-certified. */
    if ((st = person_ok(v, v->root, &root, 0)) != BV_OK) {
        bv_err_clear();
        st = bv_fail(BV_EINTEGRITY, "the root certificate of this vault does not verify");
        goto fail;
    }
    bv_fingerprint(root.sign_pk, root.box_pk, fp);
    bv_hex(hex, v->id, sizeof v->id);
    if ((st = bv_trust_check(hex, fp, trust, note)) != BV_OK)
        goto fail;
    /* only a vault whose root is trusted is changed to the current format */
    if ((st = bv_store_migrate(v->s, &from)) != BV_OK)
        goto fail;
    /* the log must extend what this client verified before; audit verify
     * reads the whole log first and extends the view after */
    if (!(flags & BV_OPEN_VERIFY) && (st = view_sync(v, note)) != BV_OK)
        goto fail;
    if (from < BV_SCHEMA_VERSION) {
        size_t n = strlen(note);
        snprintf(note + n, 256 - n, "%supgraded the vault from format %lld to %d", n ? "; " : "",
            (long long)from, BV_SCHEMA_VERSION);
    }
    *out = v;
    return BV_OK;
fail:
    bv_vault_close(v);
    return st;
}

void
bv_vault_close(bv_vault *v)
{
    char note[256];
    int had_error = strcmp(bv_errmsg(), "unknown error") != 0;

    if (v == NULL)
        return;
    /* What this command wrote is verified now, so that a copy of the file
     * from before it is refused next time. Best effort: the next open
     * checks again and says why. */
    if (v->view && !v->readonly && !had_error && view_extend(v, v->view, NULL, NULL) == BV_OK)
        (void)bv_logview_save(v->view, note);
    if (!had_error)
        bv_err_clear(); /* the caller's own message, if any, stays first */
    bv_store_close(v->s);
    bv_logview_free(v->view);
    free(v);
}

static bv_status
make_person(const bv_vault *v, const char *name, const bv_secret *pass, const bv_kdf_params *kp,
    bv_person_row *p, bv_keys **keys)
{
    bv_status st;

    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    bv_utc_now(p->created);
    if ((st = bv_keys_generate(keys)) != BV_OK)
        return st;
    memcpy(p->box_pk, (*keys)->box_pk, 32);
    memcpy(p->sign_pk, (*keys)->sign_pk, 32);
    if ((st = bv_fmt_secret_wrap(v->id, p->name, *keys, pass, kp, p->secret, &p->secret_len))
        != BV_OK) {
        bv_keys_free(*keys);
        *keys = NULL;
    }
    return st;
}

static bv_status
audit(bv_vault *v, const bv_actor *a, const char *action, const char *board, const char *item,
    const char *outcome, const char *reason)
{
    bv_audit_event ev = { a->row.name, a->fp, action, board, item, NULL, NULL, outcome, reason };

    return bv_audit_append(v->s, v->id, &ev, a->keys);
}

bv_status
bv_vault_create(const char *path, const char *root, const bv_secret *pass, const bv_kdf_params *kp,
    char vault_hex[33], char fp[BV_FP_LEN])
{
    bv_vault *v = NULL;
    bv_actor a;
    bv_buf m;
    bv_status st;
    int created = 0;

    uint8_t policy[12];

    memset(&a, 0, sizeof a);
    bv_buf_init(&m);
    bv_store_be32(policy, kp->m_kib);
    bv_store_be32(policy + 4, kp->t);
    bv_store_be32(policy + 8, kp->p);
    if ((st = bv_name_check("member", root)) != BV_OK || (st = bv_kdf_check(kp)) != BV_OK
        || (st = bv_pass_strength(pass, root)) != BV_OK)
        return st;
    if ((v = calloc(1, sizeof *v)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    randombytes_buf(v->id, sizeof v->id);
    snprintf(v->root, sizeof v->root, "%s", root);
    /* the KDF runs before the file exists: nothing to clean up if it fails */
    if ((st = make_person(v, root, pass, kp, &a.row, &a.keys)) != BV_OK)
        goto out;
    if ((st = bv_store_open(path, BV_STORE_CREATE, &v->s)) != BV_OK)
        goto out;
    created = 1;
    a.row.approved = 1;
    snprintf(a.row.cert_by, sizeof a.row.cert_by, "%s", root);
    bv_fmt_cert(&m, v->id, &a.row, root);
    if ((st = sign_buf(a.keys, &m, a.row.cert_sig)) != BV_OK)
        goto out;
    a.row.cert_sig_len = 64;
    bv_fingerprint(a.row.sign_pk, a.row.box_pk, a.fp);
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    if ((st = bv_store_meta_set(v->s, "vault_id", v->id, sizeof v->id)) != BV_OK
        || (st = bv_store_meta_set(v->s, "root", root, strlen(root))) != BV_OK
        || (st = bv_store_meta_set(v->s, "kdf_policy", policy, sizeof policy)) != BV_OK
        || (st = bv_store_person_add(v->s, &a.row)) != BV_OK
        || (st = audit(v, &a, "init", NULL, NULL, "ok", NULL)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    if ((st = bv_store_commit(v->s)) != BV_OK)
        goto out;
    bv_hex(vault_hex, v->id, sizeof v->id);
    memcpy(fp, a.fp, BV_FP_LEN);
    {
        char note[256];
        (void)bv_trust_check(vault_hex, a.fp, NULL, note); /* pin our own root at once */
    }
out:
    bv_buf_free(&m);
    bv_keys_free(a.keys);
    if (v)
        bv_store_close(v->s);
    bv_logview_free(v->view);
    free(v);
    if (st != BV_OK && created) {
        /* init is all or nothing: no half-made vault is left behind */
        char side[4096];
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
    return st;
}

/* Record an attempt in its own transaction. */
static bv_status
record(bv_vault *v, const bv_audit_event *ev, const bv_keys *signer)
{
    bv_status st;

    if ((st = bv_store_begin(v->s)) != BV_OK)
        return st;
    if ((st = bv_audit_append(v->s, v->id, ev, signer)) != BV_OK) {
        bv_store_rollback(v->s);
        return st;
    }
    return bv_store_commit(v->s);
}

/* Record a refusal and keep the refusal's own status and message. */
static bv_status
refuse(bv_vault *v, const bv_actor *a, const char *action, const char *board, const char *item,
    bv_status why, const char *reason)
{
    bv_audit_event ev = { a->row.name, a->fp, action, board, item, NULL, NULL,
        why == BV_EPERM ? "denied" : "failed", reason };
    bv_person_row chk;
    /* a pending member's key is not certified: their refusals are logged
     * unsigned, as claims of the software, like a failed passphrase */
    int certified = a->row.approved && person_ok(v, a->row.name, &chk, 0) == BV_OK;
    char msg[512];

    snprintf(msg, sizeof msg, "%s", bv_errmsg());
    bv_err_clear();
    (void)record(v, &ev, certified ? a->keys : NULL);
    bv_err_clear();
    (void)bv_fail(why, "%s", msg); /* the refusal's own message is the one shown */
    return why;
}

bv_status
bv_vault_refuse(bv_vault *v, const bv_actor *a, const char *action, const char *board,
    bv_status why, const char *reason)
{
    return refuse(v, a, action, board, NULL, why, reason);
}

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
rewrap(bv_vault *v, bv_actor *a, const bv_secret *pass, const bv_kdf_params *kp, const char *action)
{
    uint8_t secret[BV_SECRET_MAX];
    size_t len;
    bv_status st;

    if ((st = bv_fmt_secret_wrap(v->id, a->row.name, a->keys, pass, kp, secret, &len)) != BV_OK)
        return st;
    if ((st = bv_store_begin(v->s)) != BV_OK)
        return st;
    if ((st = bv_store_person_set_secret(v->s, a->row.id, secret, len)) != BV_OK
        || (st = audit(v, a, action, NULL, NULL, "ok", NULL)) != BV_OK) {
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
    have.m_kib = bv_load_be32(a->row.secret + 4);
    have.t = bv_load_be32(a->row.secret + 8);
    have.p = bv_load_be32(a->row.secret + 12);
    if (have.m_kib >= want.m_kib && have.t >= want.t)
        return BV_OK;
    if (want.m_kib < have.m_kib)
        want.m_kib = have.m_kib;
    if (want.t < have.t)
        want.t = have.t;
    return rewrap(v, a, pass, &want, "kdf-upgrade");
}

bv_status
bv_member_passwd(bv_vault *v, bv_actor *a, const bv_secret *newpass, const bv_kdf_params *kp)
{
    bv_status st;

    if ((st = bv_kdf_check(kp)) != BV_OK || (st = bv_pass_strength(newpass, a->row.name)) != BV_OK)
        return st;
    return rewrap(v, a, newpass, kp, "passwd");
}

bv_status
bv_vault_kdf_policy(bv_vault *v, bv_kdf_params *kp)
{
    kdf_policy(v, kp);
    return BV_OK;
}

bv_status
bv_vault_unlock(bv_vault *v, const char *name, const bv_secret *pass, const char *action,
    const char *item, bv_actor **out)
{
    bv_audit_event ev = { name, NULL, action, NULL, item, NULL, NULL, "failed", NULL };
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
        if (bv_store_person_get(v->s, v->root, &root) == BV_OK
            && root.secret_len >= BV_SECRET_HDR) {
            kp.m_kib = bv_load_be32(root.secret + 4);
            kp.t = bv_load_be32(root.secret + 8);
            kp.p = bv_load_be32(root.secret + 12);
        }
        if (junk)
            (void)bv_kdf_derive(pass, salt, &kp, junk);
        bv_key_free(junk);
        ev.reason = "unknown-person";
        (void)record(v, &ev, NULL);
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
        if ((st = person_ok(v, name, &chk, 0)) != BV_OK) {
            ev.actor_fp = a->fp;
            ev.reason = "integrity";
            (void)record(v, &ev, NULL);
            goto out;
        }
    }
    if ((st = bv_fmt_secret_unwrap(v->id, &a->row, pass, &a->keys)) != BV_OK) {
        ev.actor_fp = a->fp;
        ev.reason = st == BV_EAUTH ? "wrong-passphrase" : "integrity";
        (void)record(v, &ev, NULL);
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
    if ((st = make_person(v, name, pass, kp, &a.row, &a.keys)) != BV_OK)
        return st;
    bv_fingerprint(a.row.sign_pk, a.row.box_pk, a.fp);
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    if ((st = bv_store_person_add(v->s, &a.row)) != BV_OK
        || (st = audit(v, &a, "enroll", NULL, NULL, "ok", "pending")) != BV_OK) {
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

static bv_status
actor_ok(bv_vault *v, bv_actor *a)
{
    bv_person_row p;

    return person_ok(v, a->row.name, &p, 0);
}

static bv_status approve_keychange(bv_vault *v, bv_actor *o, const bv_person_row *p,
    const bv_keychange_row *k, char fp[BV_FP_LEN]);

bv_status
bv_member_approve(bv_vault *v, bv_actor *o, const char *name, char fp[BV_FP_LEN])
{
    bv_person_row p;
    bv_buf m;
    uint8_t sig[64];
    bv_status st;

    bv_buf_init(&m);
    if ((st = actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = officer_anywhere(v, o->row.name, 0)) != BV_OK)
        return refuse(v, o, "approve", NULL, NULL, st, "not-an-officer");
    st = bv_store_person_get(v->s, name, &p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if (p.approved) {
        bv_keychange_row k;
        if ((st = bv_store_keychange_get(v->s, p.id, &k)) == BV_OK)
            return approve_keychange(v, o, &p, &k, fp);
        if (st != BV_ENOTFOUND)
            return st;
        return bv_fail(BV_EUSAGE, "%s is already approved", name);
    }
    bv_fmt_cert(&m, v->id, &p, o->row.name);
    if ((st = sign_buf(o->keys, &m, sig)) != BV_OK)
        goto out;
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    if ((st = bv_store_person_certify(v->s, name, o->row.name, sig, sizeof sig)) != BV_OK
        || (st = audit(v, o, "approve", NULL, NULL, "ok", name)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    if ((st = bv_store_commit(v->s)) != BV_OK)
        goto out;
    bv_fingerprint(p.sign_pk, p.box_pk, fp);
out:
    bv_buf_free(&m);
    return st;
}

const char *
bv_member_state(bv_vault *v, const char *name)
{
    bv_person_row p;
    bv_status st = person_ok(v, name, &p, 0);

    bv_err_clear();
    if (st == BV_OK)
        return "approved";
    if (st == BV_EPERM)
        return "pending";
    return "INVALID";
}

/* ---- boards ---- */

static bv_status
get_board(bv_vault *v, const char *board, bv_board_row *b)
{
    bv_status st;

    if ((st = bv_name_check("board", board)) != BV_OK)
        return st;
    return bv_store_board_get(v->s, board, b);
}

/* Seal `key` to person p for board b at epoch, signed by the officer. */
static bv_status
put_board_key(bv_vault *v, const bv_actor *o, const bv_board_row *b, int64_t epoch,
    const bv_person_row *p, const uint8_t key[32])
{
    bv_keyrow k;
    bv_buf ctx, m, sealed;
    bv_status st;

    memset(&k, 0, sizeof k);
    bv_buf_init(&m);
    bv_buf_init(&sealed);
    bv_fmt_board_key_ctx(&ctx, v->id, b->name, epoch, p);
    if ((st = oom(&ctx)) != BV_OK
        || (st = bv_seal_key(p->box_pk, ctx.p, ctx.len, key, &sealed)) != BV_OK)
        goto out;
    k.person_id = p->id;
    snprintf(k.person, sizeof k.person, "%s", p->name);
    memcpy(k.sealed, sealed.p, sealed.len);
    k.sealed_len = sealed.len;
    snprintf(k.by, sizeof k.by, "%s", o->row.name);
    bv_fmt_board_key_sig(&m, v->id, b->name, epoch, &k);
    if ((st = sign_buf(o->keys, &m, k.sig)) != BV_OK)
        goto out;
    k.sig_len = 64;
    st = bv_store_board_key_add(v->s, b->id, epoch, &k);
out:
    bv_buf_free(&ctx);
    bv_buf_free(&m);
    bv_buf_free(&sealed);
    return st;
}

/* The last occurrence: a name earlier in the reason may contain the word. */
static const char *
last_of(const char *s, const char *w)
{
    const char *p, *last = NULL;

    for (p = strstr(s, w); p; p = strstr(p + 1, w))
        last = p;
    return last;
}

/* ---- the log view: what this client verified of the log ----
 *
 * The freshness checks (a board's epoch, an item's grant-set version, a
 * removal) are decided from facts that this client took from the signed
 * text of entries it verified itself, kept in its own log view
 * (bv_logview.h), never from the audit table's columns or from a row
 * being absent. On every open the view's head is extended by the entries
 * stored after it (bv_audit_extend): a log that does not extend what this
 * client saw is refused.
 *
 * An entry moves a fact only if it carries authority: outcome ok, signed
 * by a certified key of its actor (current or retired), and the actor an
 * officer of its board - now and not removed before the entry within the
 * entries being read, or else removed from the board as an officer later
 * in the log (what an officer signed stays theirs after they leave).
 */

struct fact {
    bv_audit_fields f;
    uint8_t *leaf;
    size_t len;
    int auth; /* 1 carries authority, 0 not, -1 not judged yet */
    char who[BV_NAME_MAX + 1]; /* board-add/remove: the person */
    char role[16];
    int64_t n; /* epoch or version */
};

struct facts {
    struct fact *e;
    size_t n, cap;
};

static void
facts_free(struct facts *fs)
{
    size_t i;

    for (i = 0; i < fs->n; i++)
        free(fs->e[i].leaf);
    free(fs->e);
    memset(fs, 0, sizeof *fs);
}

/* Split a fact entry's reason; 0 if it is not one boardvault writes. */
static int
fact_parse(struct fact *x)
{
    const char *r = x->f.reason, *p, *q;
    char *end;

    if (strcmp(x->f.action, "grantset") == 0) {
        if (r[0] != 'v' || r[1] < '1' || r[1] > '9')
            return 0;
        x->n = strtoll(r + 1, &end, 10);
        return *end == '\0' && x->f.item[0];
    }
    if (strcmp(x->f.action, "destroy") == 0)
        return x->f.item[0] != '\0';
    if (strcmp(x->f.action, "board-create") == 0)
        return sscanf(r, "epoch %" SCNd64, &x->n) == 1 && x->n >= 1;
    if (strcmp(x->f.action, "board-add") == 0) {
        /* "NAME as ROLE" */
        if ((p = last_of(r, " as ")) == NULL || (size_t)(p - r) > BV_NAME_MAX)
            return 0;
        snprintf(x->who, sizeof x->who, "%.*s", (int)(p - r), r);
        snprintf(x->role, sizeof x->role, "%s", p + 4);
        return 1;
    }
    if (strcmp(x->f.action, "board-remove") == 0) {
        /* "NAME (ROLE); epoch N" */
        if ((q = last_of(r, "; epoch ")) == NULL || (p = last_of(r, " (")) == NULL || p > q
            || q[-1] != ')' || (size_t)(p - r) > BV_NAME_MAX || q - p - 3 >= 16)
            return 0;
        x->n = strtoll(q + 8, &end, 10);
        if (*end != '\0' || x->n < 1)
            return 0;
        snprintf(x->who, sizeof x->who, "%.*s", (int)(p - r), r);
        snprintf(x->role, sizeof x->role, "%.*s", (int)(q - p - 3), p + 2);
        return 1;
    }
    return 0;
}

static bv_status
facts_cb(void *ctx, const uint8_t *leaf, size_t len, const bv_audit_fields *f)
{
    static const char *const kinds[]
        = { "board-create", "board-add", "board-remove", "grantset", "destroy" };
    struct facts *fs = ctx;
    struct fact *x;
    size_t i;

    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(f->action, kinds[i]) == 0)
            break;
    if (i == sizeof kinds / sizeof kinds[0] || strcmp(f->outcome, "ok") != 0)
        return BV_OK; /* refusals and other actions move no fact */
    if ((x = bv_grow(&fs->e, &fs->n, &fs->cap, sizeof *fs->e)) == NULL)
        return BV_ERR;
    memset(x, 0, sizeof *x);
    x->f = *f;
    x->auth = -1;
    if ((x->leaf = malloc(len)) == NULL) {
        fs->n--;
        return bv_fail(BV_ERR, "out of memory");
    }
    memcpy(x->leaf, leaf, len);
    x->len = len;
    return BV_OK;
}

struct sigkey {
    const uint8_t *pk;
};

static bv_status
sigkey_of(void *ctx, const char *name, uint8_t pk[32])
{
    (void)name;
    memcpy(pk, ((struct sigkey *)ctx)->pk, 32);
    return BV_OK;
}

/* Signed by a certified key (current or retired) of its actor? */
static int
fact_signed(bv_vault *v, const bv_audit_keyring *kr, const struct fact *x)
{
    bv_audit_fields f;
    struct sigkey k;
    size_t i;

    if (!x->f.is_signed)
        return 0;
    for (i = 0; i < kr->n; i++) {
        if (!kr->k[i].certified || strcmp(kr->k[i].name, x->f.actor) != 0)
            continue;
        k.pk = kr->k[i].pk;
        if (bv_audit_entry_check(v->id, x->leaf, x->len, &f, sigkey_of, &k) == BV_OK
            && f.seq == x->f.seq)
            return 1;
    }
    return 0;
}

/* Is the actor of fs->e[i] an officer of its board by today's signed rows? */
static int
officer_now(bv_vault *v, const struct fact *x)
{
    bv_board_row b;
    int yes;

    yes = get_board(v, x->f.board, &b) == BV_OK && officer_of(v, &b, x->f.actor, 0) == BV_OK;
    bv_err_clear();
    return yes;
}

/*
 * Judge every fact entry read. Whether an entry counts can rest on a
 * removal before it (its author had left) or after it (its author was an
 * officer then), and whether those count on the same question about their
 * own authors: so the answers are refined until they hold still, starting
 * from "an officer now". Only board-add and board-remove entries, few
 * beside the grant sets, are searched for removals.
 */
static bv_status
facts_judge(bv_vault *v, bv_logview *lv, struct facts *fs)
{
    bv_audit_keyring kr;
    size_t i, j, k, nm = 0, npairs = 0, *mem = NULL, *pairs = NULL;
    int *now = NULL, *ok = NULL, iter, changed = 1;
    bv_status st;

    if (fs->n == 0)
        return BV_OK;
    if ((st = bv_vault_keyring(v, &kr)) != BV_OK)
        return st;
    if ((now = calloc(fs->n, sizeof *now)) == NULL || (ok = calloc(fs->n, sizeof *ok)) == NULL
        || (mem = calloc(fs->n, sizeof *mem)) == NULL
        || (pairs = calloc(fs->n, sizeof *pairs)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    for (i = 0; i < fs->n; i++) {
        struct fact *x = &fs->e[i];
        if (!fact_parse(x) || !fact_signed(v, &kr, x))
            continue;
        ok[i] = 1;
        if (x->who[0])
            mem[nm++] = i;
        /* the same author and board as the one before of them: same answer
         * (pairs[] holds the first entry of each pair, a handful) */
        for (j = 0; j < npairs; j++)
            if (strcmp(fs->e[pairs[j]].f.actor, x->f.actor) == 0
                && strcmp(fs->e[pairs[j]].f.board, x->f.board) == 0)
                break;
        if (j < npairs) {
            now[i] = now[pairs[j]];
        } else {
            now[i] = officer_now(v, x);
            pairs[npairs++] = i;
        }
        x->auth = now[i];
    }
    for (iter = 0; iter < 16 && changed; iter++) {
        changed = 0;
        for (i = 0; i < fs->n; i++) {
            struct fact *x = &fs->e[i];
            int before, later = 0, a;
            if (!ok[i])
                continue;
            before = bv_logview_removed(lv, x->f.board, x->f.actor);
            for (k = 0; k < nm; k++) {
                const struct fact *y = &fs->e[mem[k]];
                if (y->auth != 1 || strcmp(y->f.board, x->f.board) != 0
                    || strcmp(y->who, x->f.actor) != 0)
                    continue;
                if (mem[k] < i)
                    before = strcmp(y->f.action, "board-remove") == 0;
                else if (mem[k] > i && strcmp(y->f.action, "board-remove") == 0
                    && strcmp(y->role, "officer") == 0)
                    later = 1;
            }
            a = (now[i] && !before) || later;
            if (a != x->auth) {
                x->auth = a;
                changed = 1;
            }
        }
    }
    for (i = 0; i < fs->n; i++)
        if (!ok[i])
            fs->e[i].auth = 0;
out:
    free(now);
    free(ok);
    free(mem);
    free(pairs);
    bv_audit_keyring_free(&kr);
    return st;
}

/* Move the view's facts by the entries that carry authority. */
static bv_status
facts_apply(bv_logview *lv, const struct facts *fs)
{
    size_t i;
    bv_status st = BV_OK;

    for (i = 0; i < fs->n && st == BV_OK; i++) {
        const struct fact *x = &fs->e[i];
        if (x->auth != 1)
            continue;
        if (strcmp(x->f.action, "grantset") == 0)
            st = bv_logview_grantset_raise(lv, x->f.item, x->n);
        else if (strcmp(x->f.action, "destroy") == 0)
            st = bv_logview_grantset_drop(lv, x->f.item);
        else if (strcmp(x->f.action, "board-create") == 0)
            st = bv_logview_epoch_raise(lv, x->f.board, x->n);
        else if (strcmp(x->f.action, "board-add") == 0)
            st = bv_logview_set_removed(lv, x->f.board, x->who, 0);
        else if ((st = bv_logview_set_removed(lv, x->f.board, x->who, 1)) == BV_OK)
            st = bv_logview_epoch_raise(lv, x->f.board, x->n);
    }
    return st;
}

/*
 * Extend view lv by the stored entries after its head and move its facts.
 * unauth (may be NULL) collects a line for each entry that claims a change
 * of state without the authority to make it.
 */
static bv_status
view_extend(bv_vault *v, bv_logview *lv, const bv_logview *seen, bv_buf *unauth)
{
    bv_merkle_frontier *f = NULL;
    struct facts fs = { 0 };
    uint8_t root[32];
    char b64[64];
    size_t i;
    int in_tx;
    bv_status st;

    if ((f = malloc(sizeof *f)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    *f = *bv_logview_head(lv);
    /* inside a command's own transaction, read within it */
    if (!(in_tx = bv_store_in_tx(v->s)) && (st = bv_store_begin_read(v->s)) != BV_OK)
        goto out;
    st = bv_audit_extend(v->s, v->id, f, seen ? bv_logview_head(seen) : NULL, facts_cb, &fs);
    if (seen == NULL)
        seen = lv;
    if (st == BV_EINTEGRITY && bv_logview_head(seen)->size > 0) {
        /* say what this client saw, as the user needs it to judge */
        char why[512];
        snprintf(why, sizeof why, "%s", bv_errmsg());
        bv_err_clear();
        bv_merkle_frontier_root(bv_logview_head(seen), root);
        sodium_bin2base64(b64, sizeof b64, root, 32, sodium_base64_VARIANT_ORIGINAL);
        st = bv_fail(BV_EINTEGRITY,
            "the audit log does not extend the one this client verified (%llu entries, root %s, "
            "on %s): %s",
            (unsigned long long)bv_logview_head(seen)->size, b64, bv_logview_when(seen), why);
    }
    if (st == BV_OK)
        st = facts_judge(v, lv, &fs);
    if (!in_tx)
        bv_store_rollback(v->s);
    if (st != BV_OK)
        goto out;
    for (i = 0; unauth && i < fs.n; i++)
        if (fs.e[i].auth != 1)
            bv_buf_printf(unauth,
                "audit entry %lld: a %s of %s %s by %s, who is not an officer of board %s "
                "(or it is not signed): it carries no authority\n",
                (long long)fs.e[i].f.seq, fs.e[i].f.action, fs.e[i].f.item[0] ? "item" : "board",
                fs.e[i].f.item[0] ? fs.e[i].f.item : fs.e[i].f.board, fs.e[i].f.actor,
                fs.e[i].f.board);
    if ((st = facts_apply(lv, &fs)) == BV_OK)
        bv_logview_set_head(lv, f);
out:
    facts_free(&fs);
    free(f);
    return st;
}

/*
 * The view a check reads: this client's, brought up to date with the
 * entries committed since (this command's own included). Inside a write
 * transaction the entries read may be this transaction's and could still
 * roll back, and the view must never get ahead of what is committed: then
 * a copy is brought up to date instead (*tmp, for the caller to free).
 */
static bv_status
view_for_check(bv_vault *v, const bv_logview **lv, bv_logview **tmp)
{
    uint64_t last;
    bv_status st;

    *tmp = NULL;
    *lv = v->view;
    if (v->view == NULL)
        return bv_fail(BV_ERR, "the vault was opened without its log view");
    if (bv_store_in_tx(v->s) != 2)
        return view_extend(v, v->view, NULL, NULL);
    if ((st = bv_store_audit_last_seq(v->s, &last)) != BV_OK)
        return st;
    if (last == bv_logview_head(v->view)->size)
        return BV_OK;
    if ((st = bv_logview_clone(v->view, tmp)) != BV_OK)
        return st;
    if ((st = view_extend(v, *tmp, NULL, NULL)) != BV_OK) {
        bv_logview_free(*tmp);
        *tmp = NULL;
        return st;
    }
    *lv = *tmp;
    return BV_OK;
}

/* A board's logged epoch (grantset 0) or an item's grant-set version
 * (grantset 1), as the up-to-date view holds it; 0 if none. */
static bv_status
view_fact(bv_vault *v, int grantset, const char *key, int64_t *n)
{
    const bv_logview *lv;
    bv_logview *tmp;
    bv_status st;

    if ((st = view_for_check(v, &lv, &tmp)) != BV_OK)
        return st;
    *n = grantset ? bv_logview_grantset(lv, key) : bv_logview_epoch(lv, key);
    bv_logview_free(tmp);
    return BV_OK;
}

/* On open: load this client's view, extend it, save it. */
static bv_status
view_sync(bv_vault *v, char note[256])
{
    char hex[2 * BV_VAULT_ID_LEN + 1], msg[256];
    bv_status st;

    bv_hex(hex, v->id, sizeof v->id);
    if ((st = bv_logview_load(hex, &v->view)) != BV_OK
        || (st = view_extend(v, v->view, NULL, NULL)) != BV_OK)
        return st;
    if ((st = bv_logview_save(v->view, msg)) == BV_OK && msg[0]) {
        size_t n = strlen(note);
        snprintf(note + n, 256 - n, "%s%s", n ? "; " : "", msg);
    }
    return st;
}

/*
 * boards.epoch is a plain column; the signed, chained audit log says which
 * epoch is current, as this client's log view read it from entries signed
 * by the board's officers. A board put back to an older epoch (whose key a
 * removed officer may have kept) is refused rather than used. A stored
 * epoch above the view's is a rotation this client has not read yet.
 */
static bv_status
epoch_check(bv_vault *v, const bv_board_row *b)
{
    int64_t logged;
    bv_status st;

    if ((st = view_fact(v, 0, b->name, &logged)) != BV_OK)
        return st;
    if (logged == 0)
        return bv_fail(BV_EINTEGRITY,
            "the audit log holds no record of board %s signed by its officers", b->name);
    if (b->epoch < logged)
        return bv_fail(BV_EINTEGRITY,
            "board %s is at key epoch %lld but the audit log says %lld: "
            "rolled back",
            b->name, (long long)b->epoch, (long long)logged);
    return BV_OK;
}

/* The current board key, as held by officer o: checked and opened. */
static bv_status get_board_key(
    bv_vault *v, const bv_actor *o, const bv_board_row *b, uint8_t key[32]);

bv_status
bv_vault_board_key(bv_vault *v, bv_actor *o, const bv_board_row *b, uint8_t key[32])
{
    bv_status st;

    if ((st = actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = officer_of(v, b, o->row.name, 0)) != BV_OK)
        return st;
    return get_board_key(v, o, b, key);
}

static bv_status
get_board_key(bv_vault *v, const bv_actor *o, const bv_board_row *b, uint8_t key[32])
{
    bv_keyrow k;
    bv_buf ctx, m;
    bv_status st;

    if ((st = epoch_check(v, b)) != BV_OK)
        return st;
    st = bv_store_board_key_get(v->s, b->id, b->epoch, o->row.id, &k);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_EPERM, "%s holds no key of board %s", o->row.name, b->name);
    if (st != BV_OK)
        return st;
    if ((st = officer_of(v, b, k.by, 0)) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the key of board %s was not wrapped by an officer", b->name);
    }
    bv_fmt_board_key_sig(&m, v->id, b->name, b->epoch, &k);
    bv_fmt_board_key_ctx(&ctx, v->id, b->name, b->epoch, &o->row);
    {
        bv_person_row signer;
        if ((st = person_ok(v, k.by, &signer, 0)) == BV_OK)
            st = verify_buf(signer.sign_pk, &m, k.sig, k.sig_len);
    }
    if (st == BV_OK && (st = oom(&ctx)) == BV_OK)
        st = bv_open_key(o->keys, ctx.p, ctx.len, k.sealed, k.sealed_len, key);
    bv_buf_free(&ctx);
    bv_buf_free(&m);
    if (st == BV_EINTEGRITY)
        return bv_fail(BV_EINTEGRITY, "the wrapped key of board %s does not verify", b->name);
    return st;
}

bv_status
bv_board_create(bv_vault *v, bv_actor *o, const char *board)
{
    bv_board_row b, old;
    uint8_t *key = NULL;
    bv_buf m;
    bv_status st;

    bv_buf_init(&m);
    if ((st = bv_name_check("board", board)) != BV_OK || (st = actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = officer_anywhere(v, o->row.name, 0)) != BV_OK)
        return refuse(v, o, "board-create", board, NULL, st, "not-an-officer");
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
    if ((st = sign_buf(o->keys, &m, b.sig)) != BV_OK)
        goto out;
    b.sig_len = 64;
    if ((key = bv_key_new()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    if ((st = bv_store_board_add(v->s, &b)) != BV_OK
        || (st = put_board_key(v, o, &b, 1, &o->row, key)) != BV_OK
        || (st = audit(v, o, "board-create", board, NULL, "ok", "epoch 1")) != BV_OK) {
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
    if ((st = get_board(v, board, &b)) != BV_OK || (st = actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = officer_of(v, &b, o->row.name, 0)) != BV_OK)
        return refuse(v, o, "board-add", board, NULL, st, "not-an-officer");
    if ((st = person_ok(v, name, &p, 0)) != BV_OK)
        return st;
    if (role_of(v, &b, &p, oldrole) == BV_OK)
        return bv_fail(BV_EUSAGE, "%s is already on board %s", name, board);
    bv_err_clear();
    memset(&r, 0, sizeof r);
    r.board_id = b.id;
    r.person_id = p.id;
    snprintf(r.person, sizeof r.person, "%s", name);
    snprintf(r.role, sizeof r.role, "%s", role);
    snprintf(r.added_by, sizeof r.added_by, "%s", o->row.name);
    bv_fmt_role(&m, v->id, board, &p, role, o->row.name);
    if ((st = sign_buf(o->keys, &m, r.sig)) != BV_OK)
        goto out;
    r.sig_len = 64;
    snprintf(reason, sizeof reason, "%s as %s", name, role);
    if (strcmp(role, "officer") == 0) {
        if ((key = bv_key_alloc()) == NULL) {
            st = bv_fail(BV_ERR, "out of secure memory");
            goto out;
        }
        if ((st = get_board_key(v, o, &b, key)) != BV_OK)
            goto out;
    }
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    if ((st = bv_store_role_add(v->s, &r)) != BV_OK
        || (st = bv_store_removal_set(v->s, b.id, name, NULL, NULL, 0)) != BV_OK
        || (key && (st = put_board_key(v, o, &b, b.epoch, &p, key)) != BV_OK)
        || (st = audit(v, o, "board-add", board, NULL, "ok", reason)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    st = bv_store_commit(v->s);
out:
    bv_key_free(key);
    bv_buf_free(&m);
    return st;
}

/* ---- items ---- */

static void
new_uid(char uid[BV_UID_LEN + 1])
{
    uint8_t r[BV_UID_LEN / 2];

    randombytes_buf(r, sizeof r);
    bv_hex(uid, r, sizeof r);
}

/* The signed grant set lists names as length-prefixed fields, sorted. */
static int
names_has(const uint8_t *p, size_t len, const char *name)
{
    char n[BV_NAME_MAX + 1];
    size_t off = 0;

    while (bv_field_next(p, len, &off, n, sizeof n) == 1)
        if (strcmp(n, name) == 0)
            return 1;
    return 0;
}

struct nameset {
    char (*v)[BV_NAME_MAX + 1];
    size_t n, cap;
};

static bv_status
nameset_add(struct nameset *s, const char *name)
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

static void
nameset_del(struct nameset *s, const char *name)
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

static bv_status
nameset_parse(struct nameset *s, const uint8_t *p, size_t len)
{
    char name[BV_NAME_MAX + 1];
    size_t off = 0;
    bv_status st;
    int r;

    while ((r = bv_field_next(p, len, &off, name, sizeof name)) == 1)
        if ((st = nameset_add(s, name)) != BV_OK)
            return st;
    return r == 0 ? BV_OK : bv_fail(BV_EINTEGRITY, "grant set is malformed");
}

/* Sign and store the item's grant set, one version up. */
static bv_status
put_grantset(bv_vault *v, const bv_actor *o, const bv_item_row *it, struct nameset *s)
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
    if ((st = oom(&names)) == BV_OK && (st = sign_buf(o->keys, &m, sig)) == BV_OK)
        st = bv_store_grantset_set(
            v->s, it->id, it->gs_version + 1, names.p, names.len, o->row.name, sig, sizeof sig);
    if (st == BV_OK) {
        /* the version goes into the signed, chained log too: a grant set
         * put back from an old copy of the file is older than the log says */
        char reason[32];
        snprintf(reason, sizeof reason, "v%lld", (long long)(it->gs_version + 1));
        st = audit(v, o, "grantset", it->board, it->uid, "ok", reason);
    }
    bv_buf_free(&names);
    bv_buf_free(&m);
    return st;
}

/* The grant set as stored, after checking its signature. */
static bv_status
grantset_check(bv_vault *v, const bv_board_row *b, const bv_item_row *it)
{
    bv_person_row signer;
    bv_buf m;
    bv_status st;

    if (it->gs_version < 1)
        return bv_fail(BV_EINTEGRITY, "item %s has no signed grant set", it->uid);
    if ((st = officer_of(v, b, it->gs_by, 0)) != BV_OK
        || (st = person_ok(v, it->gs_by, &signer, 0)) != BV_OK) {
        bv_err_clear();
        return bv_fail(
            BV_EINTEGRITY, "the grant set of item %s was not signed by an officer", it->uid);
    }
    bv_fmt_grantset(
        &m, v->id, it->board, it->uid, it->gs_version, it->gs_names.p, it->gs_names.len, it->gs_by);
    st = verify_buf(signer.sign_pk, &m, it->gs_sig, it->gs_sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(BV_EINTEGRITY, "the grant set of item %s does not verify", it->uid);
    {
        int64_t logged;
        if ((st = view_fact(v, 1, it->uid, &logged)) != BV_OK)
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

static bv_status
item_check(bv_vault *v, const bv_board_row *b, const bv_item_row *it)
{
    bv_person_row signer;
    bv_buf m;
    bv_status st;

    if (it->header_len != BV_STREAM_HEADER || it->chunk_hashes.len != it->nchunks * 32
        || it->nchunks != (it->size == 0 ? 1 : (it->size + BV_CHUNK - 1) / BV_CHUNK))
        return bv_fail(BV_EINTEGRITY, "the record of item %s is damaged", it->uid);
    if ((st = officer_of(v, b, it->sealed_by, 0)) != BV_OK
        || (st = person_ok(v, it->sealed_by, &signer, 0)) != BV_OK) {
        bv_err_clear();
        return bv_fail(
            BV_EINTEGRITY, "item %s was not sealed by an officer of %s", it->uid, b->name);
    }
    bv_fmt_item(&m, v->id, it);
    st = verify_buf(signer.sign_pk, &m, it->sig, it->sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(BV_EINTEGRITY, "the seal of item %s does not verify", it->uid);
    return BV_OK;
}

/* Wrap data key for person p as a signed grant. */
static bv_status
put_grant(bv_vault *v, const bv_actor *o, const bv_item_row *it, const bv_person_row *p,
    const uint8_t key[32])
{
    bv_keyrow k;
    bv_buf ctx, m, sealed;
    bv_status st;

    memset(&k, 0, sizeof k);
    bv_buf_init(&m);
    bv_buf_init(&sealed);
    bv_fmt_grant_ctx(&ctx, v->id, it->board, it->uid, p);
    if ((st = oom(&ctx)) != BV_OK
        || (st = bv_seal_key(p->box_pk, ctx.p, ctx.len, key, &sealed)) != BV_OK)
        goto out;
    k.person_id = p->id;
    snprintf(k.person, sizeof k.person, "%s", p->name);
    memcpy(k.sealed, sealed.p, sealed.len);
    k.sealed_len = sealed.len;
    snprintf(k.by, sizeof k.by, "%s", o->row.name);
    bv_fmt_grant_sig(&m, v->id, it->board, it->uid, &k);
    if ((st = sign_buf(o->keys, &m, k.sig)) != BV_OK)
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
static bv_status
grantee_ok(bv_vault *v, const bv_board_row *b, const char *name, bv_person_row *p)
{
    char role[16];
    bv_status st;

    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    if ((st = person_ok(v, name, p, 0)) != BV_OK || (st = role_of(v, b, p, role)) != BV_OK)
        return st;
    if (strcmp(role, "auditor") == 0)
        return bv_fail(
            BV_EPERM, "%s is an auditor of %s; auditors cannot be granted items", name, b->name);
    return BV_OK;
}

/* The item's data key via the board key held by officer o. */
static bv_status
item_key_officer(
    bv_vault *v, const bv_actor *o, const bv_board_row *b, const bv_item_row *it, uint8_t key[32])
{
    uint8_t *bk = NULL;
    uint8_t w[BV_BLOB_MAX];
    size_t wlen;
    bv_buf ad;
    bv_status st;

    bv_buf_init(&ad);
    if ((bk = bv_key_alloc()) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    if ((st = get_board_key(v, o, b, bk)) != BV_OK)
        goto out;
    st = bv_store_item_key_get(v->s, it->id, b->epoch, w, &wlen);
    if (st == BV_ENOTFOUND)
        st = bv_fail(
            BV_EINTEGRITY, "item %s has no key for epoch %lld", it->uid, (long long)b->epoch);
    if (st != BV_OK)
        goto out;
    bv_fmt_item_key_ad(&ad, v->id, b->name, it->uid, b->epoch);
    if ((st = oom(&ad)) == BV_OK && bv_unwrap(bk, ad.p, ad.len, w, wlen, key, 32) != BV_OK)
        st = bv_fail(BV_EINTEGRITY, "the wrapped key of item %s does not verify", it->uid);
out:
    bv_key_free(bk);
    bv_buf_free(&ad);
    return st;
}

/* A body staged before its item's transaction (bv_item_seal). */
struct staged {
    int64_t epoch; /* the board's, under which the body was begun */
    char uid[BV_UID_LEN + 1];
    uint8_t *dk;
    bv_body_dst d;
    bv_buf hashes;
};

/* Who may seal what: the title, the board, the officer, each grantee. */
static bv_status
seal_check(bv_vault *v, bv_actor *o, const char *board, const char *title, char *const *grantees,
    size_t ngrantees, bv_board_row *b, bv_person_row *gp, struct nameset *gs)
{
    size_t i, off;
    bv_status st;

    if (strlen(title) == 0 || strlen(title) > BV_TITLE_MAX
        || !bv_utf8_ok(title, strlen(title), &off))
        return bv_fail(
            BV_EUSAGE, "the title must be 1 to %d bytes of printable UTF-8", BV_TITLE_MAX);
    if ((st = get_board(v, board, b)) != BV_OK || (st = actor_ok(v, o)) != BV_OK
        || (st = officer_of(v, b, o->row.name, 0)) != BV_OK)
        return st;
    for (i = 0; i < ngrantees; i++) {
        if ((st = grantee_ok(v, b, grantees[i], &gp[i])) != BV_OK
            || (gs && (st = nameset_add(gs, grantees[i])) != BV_OK))
            return st;
    }
    return BV_OK;
}

/*
 * Seal inside the caller's write transaction: the body (unless staged),
 * its key, the seal signature, the grant set, grants and audit entries.
 * link, when not NULL, names the meeting and agenda entry the item
 * belongs to.
 */
static bv_status
seal_tx(bv_vault *v, bv_actor *o, const char *board, int fd, const char *title,
    char *const *grantees, size_t ngrantees, const bv_item_link *link, const char *retain_until,
    struct staged *pre, char uid[BV_UID_LEN + 1])
{
    bv_board_row b;
    bv_item_row it;
    uint8_t *bk = NULL, *dk = NULL;
    bv_buf ad, kad, w, m;
    struct nameset gs = { 0 };
    bv_person_row *gp = NULL;
    char meeting[24] = "", agenda[24] = "";
    size_t i;
    bv_status st;

    bv_item_row_init(&it);
    bv_buf_init(&ad);
    bv_buf_init(&kad);
    bv_buf_init(&w);
    bv_buf_init(&m);
    if (link) {
        snprintf(meeting, sizeof meeting, "%lld", (long long)link->meeting_id);
        snprintf(agenda, sizeof agenda, "%d", link->agenda_no);
    }
    if (ngrantees && (gp = calloc(ngrantees, sizeof *gp)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    if ((st = seal_check(v, o, board, title, grantees, ngrantees, &b, gp, &gs)) != BV_OK)
        goto out;
    if ((bk = bv_key_alloc()) == NULL || (!pre && (dk = bv_key_new()) == NULL)) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = get_board_key(v, o, &b, bk)) != BV_OK)
        goto out;
    it.board_id = b.id;
    snprintf(it.board, sizeof it.board, "%s", b.name);
    snprintf(it.title, sizeof it.title, "%s", title);
    snprintf(it.sealed_by, sizeof it.sealed_by, "%s", o->row.name);
    bv_utc_now(it.created);
    it.sealed_epoch = b.epoch;
    it.header_len = BV_STREAM_HEADER;
    if (retain_until)
        snprintf(it.retain_until, sizeof it.retain_until, "%s", retain_until);
    if (pre) {
        /* the body names the epoch it was staged under */
        if (pre->epoch != b.epoch) {
            st = bv_fail(BV_ERR,
                "the key of board %s was rotated while the body was written; "
                "nothing was sealed: seal again",
                b.name);
            goto out;
        }
        memcpy(it.uid, pre->uid, sizeof it.uid);
        memcpy(it.header, pre->d.header, sizeof it.header);
        bv_buf_put(&it.chunk_hashes, pre->hashes.p, pre->hashes.len);
        it.size = pre->d.size;
        it.nchunks = pre->d.nchunks;
        it.body_id = pre->d.body_id;
        if ((st = oom(&it.chunk_hashes)) != BV_OK
            || (st = bv_store_body_adopt(v->s, pre->d.body_id)) != BV_OK)
            goto out;
    } else {
        bv_body_dst d = { 0 };
        new_uid(it.uid);
        bv_fmt_body_ad(&ad, v->id, b.name, it.uid, b.epoch);
        if ((st = oom(&ad)) != BV_OK || (st = bv_store_body_new(v->s, 0, &it.body_id)) != BV_OK)
            goto out;
        d.body_id = it.body_id;
        d.key = dk;
        d.ad = ad.p;
        d.adlen = ad.len;
        d.hashes = &it.chunk_hashes;
        if ((st = bv_body_seal(v->s, fd, &d)) != BV_OK)
            goto out;
        memcpy(it.header, d.header, sizeof it.header);
        it.size = d.size;
        it.nchunks = d.nchunks;
    }
    bv_fmt_item_key_ad(&kad, v->id, b.name, it.uid, b.epoch);
    bv_fmt_item(&m, v->id, &it);
    if ((st = oom(&kad)) != BV_OK
        || (st = bv_wrap(bk, kad.p, kad.len, pre ? pre->dk : dk, 32, &w)) != BV_OK
        || (st = sign_buf(o->keys, &m, it.sig)) != BV_OK)
        goto out;
    it.sig_len = 64;
    if ((st = bv_store_item_add(v->s, &it)) != BV_OK
        || (st = bv_store_item_key_set(v->s, it.id, b.epoch, w.p, w.len)) != BV_OK
        || (st = put_grantset(v, o, &it, &gs)) != BV_OK
        || (link
            && (st = bv_store_agenda_link(v->s, link->meeting_id, link->ordinal, it.id)) != BV_OK))
        goto out;
    {
        bv_audit_event ev = { o->row.name, o->fp, "seal", b.name, it.uid, link ? meeting : NULL,
            link ? agenda : NULL, "ok", NULL };
        if ((st = bv_audit_append(v->s, v->id, &ev, o->keys)) != BV_OK)
            goto out;
    }
    for (i = 0; i < ngrantees; i++) {
        if ((st = put_grant(v, o, &it, &gp[i], pre ? pre->dk : dk)) != BV_OK
            || (st = audit(v, o, "grant", b.name, it.uid, "ok", gp[i].name)) != BV_OK)
            goto out;
    }
    memcpy(uid, it.uid, sizeof it.uid);
out:
    bv_key_free(bk);
    bv_key_free(dk);
    free(gp);
    free(gs.v);
    bv_item_row_free(&it);
    bv_buf_free(&ad);
    bv_buf_free(&kad);
    bv_buf_free(&w);
    bv_buf_free(&m);
    return st;
}

bv_status
bv_item_seal_tx(bv_vault *v, bv_actor *o, const char *board, int fd, const char *title,
    char *const *grantees, size_t ngrantees, const bv_item_link *link, const char *retain_until,
    char uid[BV_UID_LEN + 1])
{
    return seal_tx(v, o, board, fd, title, grantees, ngrantees, link, retain_until, NULL, uid);
}

/*
 * Stage a large body (bv_store.h), then seal in one transaction that
 * checks everything again and adopts it. The staging write is outside that
 * transaction on purpose: a 1 GiB body inside it would pass through the
 * WAL and then be copied again at checkpoint, and would keep every other
 * writer (an open's audit record) waiting for the whole seal.
 */
bv_status
bv_item_seal(bv_vault *v, bv_actor *o, const char *board, int fd, const char *title,
    char *const *grantees, size_t ngrantees, const bv_item_link *link, const char *retain_until,
    char uid[BV_UID_LEN + 1])
{
    struct staged pre;
    struct stat sb;
    bv_board_row b;
    bv_person_row *gp = NULL;
    bv_buf ad;
    bv_status st;
    int staged = 0;

    /* a file smaller than one batch goes in with its item, in one
     * transaction; anything larger, or of unknown size, is staged */
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)
        && sb.st_size < (off_t)BV_STAGE_BATCH * (off_t)BV_CHUNK) {
        sweep(v);
        if ((st = bv_store_begin(v->s)) != BV_OK)
            return st;
        st = seal_tx(v, o, board, fd, title, grantees, ngrantees, link, retain_until, NULL, uid);
        if (st != BV_OK) {
            bv_store_rollback(v->s);
            return st == BV_EPERM ? refuse(v, o, "seal", board, NULL, st, "not-permitted") : st;
        }
        return bv_store_commit(v->s);
    }
    memset(&pre, 0, sizeof pre);
    bv_buf_init(&pre.hashes);
    bv_buf_init(&ad);
    if (ngrantees && (gp = calloc(ngrantees, sizeof *gp)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    /* refuse before writing a byte; the transaction below decides */
    if ((st = bv_store_begin_read(v->s)) != BV_OK)
        goto out;
    st = seal_check(v, o, board, title, grantees, ngrantees, &b, gp, NULL);
    bv_store_rollback(v->s);
    if (st == BV_EPERM) {
        st = refuse(v, o, "seal", board, NULL, st, "not-permitted");
        goto out;
    }
    if (st != BV_OK)
        goto out;
    sweep(v);
    if ((pre.dk = bv_key_new()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    new_uid(pre.uid);
    pre.epoch = b.epoch;
    bv_fmt_body_ad(&ad, v->id, b.name, pre.uid, b.epoch);
    if ((st = oom(&ad)) != BV_OK || (st = bv_store_body_new(v->s, 1, &pre.d.body_id)) != BV_OK)
        goto out;
    staged = 1;
    pre.d.staging = 1;
    pre.d.key = pre.dk;
    pre.d.ad = ad.p;
    pre.d.adlen = ad.len;
    pre.d.hashes = &pre.hashes;
    if ((st = bv_body_seal(v->s, fd, &pre.d)) != BV_OK || (st = oom(&pre.hashes)) != BV_OK)
        goto out;
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    st = seal_tx(v, o, board, -1, title, grantees, ngrantees, link, retain_until, &pre, uid);
    if (st != BV_OK) {
        bv_store_rollback(v->s);
        if (st == BV_EPERM)
            st = refuse(v, o, "seal", board, NULL, st, "not-permitted");
        goto out;
    }
    if ((st = bv_store_commit(v->s)) == BV_OK)
        staged = 0;
out:
    if (staged)
        unstage(v, pre.d.body_id, st);
    bv_key_free(pre.dk);
    bv_buf_free(&pre.hashes);
    bv_buf_free(&ad);
    free(gp);
    return st;
}

/* Shared set-up of grant and revoke: item, board, officer check. */
static bv_status
item_for_officer(bv_vault *v, bv_actor *o, const char *uid, const char *action, bv_item_row *it,
    bv_board_row *b, struct nameset *gs)
{
    bv_status st;

    if ((st = actor_ok(v, o)) != BV_OK || (st = bv_store_item_get(v->s, uid, it)) != BV_OK
        || (st = bv_store_board_get(v->s, it->board, b)) != BV_OK)
        return st;
    if ((st = officer_of(v, b, o->row.name, 0)) != BV_OK)
        return refuse(v, o, action, b->name, uid, st, "not-an-officer");
    if ((st = item_check(v, b, it)) != BV_OK || (st = grantset_check(v, b, it)) != BV_OK)
        return st;
    return nameset_parse(gs, it->gs_names.p, it->gs_names.len);
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
    if ((st = item_for_officer(v, o, uid, "grant", &it, &b, &gs)) != BV_OK)
        goto out;
    if ((gp = calloc(n, sizeof *gp)) == NULL || (dk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        if ((st = grantee_ok(v, &b, names[i], &gp[i])) != BV_OK
            || (st = nameset_add(&gs, names[i])) != BV_OK)
            goto out;
    if ((st = item_key_officer(v, o, &b, &it, dk)) != BV_OK)
        goto out;
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    for (i = 0; i < n; i++)
        if ((st = put_grant(v, o, &it, &gp[i], dk)) != BV_OK
            || (st = audit(v, o, "grant", b.name, uid, "ok", gp[i].name)) != BV_OK)
            break;
    if (st == BV_OK)
        st = put_grantset(v, o, &it, &gs);
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
    if ((st = item_for_officer(v, o, uid, "revoke", &it, &b, &gs)) != BV_OK)
        goto out;
    for (i = 0; i < n; i++) {
        if ((st = bv_name_check("member", names[i])) != BV_OK)
            goto out;
        if (!names_has(it.gs_names.p, it.gs_names.len, names[i])) {
            st = bv_fail(BV_ENOTFOUND, "%s holds no grant of item %s", names[i], uid);
            goto out;
        }
    }
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    for (i = 0; i < n && st == BV_OK; i++) {
        nameset_del(&gs, names[i]);
        if ((st = bv_store_person_get(v->s, names[i], &p)) == BV_OK
            && (st = bv_store_grant_delete(v->s, it.id, p.id)) == BV_OK)
            st = audit(v, o, "revoke", b.name, uid, "ok", names[i]);
    }
    if (st == BV_OK)
        st = put_grantset(v, o, &it, &gs);
    if (st != BV_OK)
        bv_store_rollback(v->s);
    else
        st = bv_store_commit(v->s);
out:
    free(gs.v);
    bv_item_row_free(&it);
    return st;
}

/* ---- open ---- */

/* Everything open checks before it records an access. The reason string
 * for the log comes back in *why. */
static bv_status
open_checks(bv_vault *v, bv_actor *a, const bv_board_row *b, const bv_item_row *it, uint8_t dk[32],
    const char **why)
{
    bv_person_row signer;
    char role[16];
    bv_keyrow k;
    bv_buf ctx, m;
    bv_status st;

    bv_buf_init(&ctx);
    bv_buf_init(&m);
    *why = "integrity";
    if ((st = actor_ok(v, a)) != BV_OK) {
        *why = st == BV_EPERM ? "pending" : "integrity";
        return st;
    }
    if ((st = role_of(v, b, &a->row, role)) != BV_OK) {
        *why = st == BV_EPERM ? "not-on-board" : "integrity";
        return st;
    }
    if (strcmp(role, "auditor") == 0) {
        *why = "auditor";
        return bv_fail(BV_EPERM, "auditors cannot open items");
    }
    if ((st = grantset_check(v, b, it)) != BV_OK)
        return st;
    if (!names_has(it->gs_names.p, it->gs_names.len, a->row.name)) {
        *why = "no-grant";
        return bv_fail(BV_EPERM, "%s holds no grant of item %s", a->row.name, it->uid);
    }
    st = bv_store_grant_get(v->s, it->id, a->row.id, &k);
    if (st == BV_ENOTFOUND) {
        *why = "no-grant";
        return bv_fail(BV_EPERM, "%s holds no grant of item %s", a->row.name, it->uid);
    }
    if (st != BV_OK)
        return st;
    if ((st = item_check(v, b, it)) != BV_OK)
        return st;
    if (officer_of(v, b, k.by, 0) != BV_OK || person_ok(v, k.by, &signer, 0) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the grant of item %s was not made by an officer", it->uid);
    }
    bv_fmt_grant_sig(&m, v->id, b->name, it->uid, &k);
    bv_fmt_grant_ctx(&ctx, v->id, b->name, it->uid, &a->row);
    st = verify_buf(signer.sign_pk, &m, k.sig, k.sig_len);
    if (st == BV_OK && (st = oom(&ctx)) == BV_OK)
        st = bv_open_key(a->keys, ctx.p, ctx.len, k.sealed, k.sealed_len, dk);
    bv_buf_free(&ctx);
    bv_buf_free(&m);
    if (st == BV_EINTEGRITY)
        return bv_fail(BV_EINTEGRITY, "the grant of item %s does not verify", it->uid);
    return st;
}

bv_status
bv_item_open(bv_vault *v, bv_actor *a, const char *uid, bv_out *out)
{
    bv_item_row it;
    bv_board_row b;
    uint8_t *dk = NULL;
    const char *why = NULL;
    bv_buf ad;
    bv_status st;

    bv_item_row_init(&it);
    bv_buf_init(&ad);
    if ((st = bv_store_item_get(v->s, uid, &it)) != BV_OK) {
        if (st == BV_ENOTFOUND)
            refuse(v, a, "open", NULL, uid, BV_ENOTFOUND, "not-found");
        goto out;
    }
    if ((st = bv_store_board_get(v->s, it.board, &b)) != BV_OK)
        goto out;
    if ((dk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = open_checks(v, a, &b, &it, dk, &why)) != BV_OK) {
        refuse(v, a, "open", b.name, uid, st, why);
        goto out;
    }
    /* The record of this access is durable before any plaintext exists
     * outside this process. If it cannot be committed, we stop here. */
    {
        bv_audit_event ev = { a->row.name, a->fp, "open", b.name, uid, NULL, NULL, "ok", NULL };
        if ((st = record(v, &ev, a->keys)) != BV_OK)
            goto out;
    }
    bv_fmt_body_ad(&ad, v->id, b.name, uid, it.sealed_epoch);
    if ((st = oom(&ad)) == BV_OK) {
        bv_body_src src
            = { it.body_id, uid, dk, it.header, ad.p, it.chunk_hashes.p, ad.len, it.nchunks };
        st = bv_body_open(v->s, &src, out);
    }
    if (st == BV_EINTEGRITY) {
        /* destroyed between the record and the read? say so, not "tampered" */
        bv_item_row again;
        bv_item_row_init(&again);
        if (bv_store_item_get(v->s, uid, &again) == BV_ENOTFOUND) {
            bv_err_clear();
            st = bv_fail(BV_ENOTFOUND,
                "item %s was destroyed while it was being opened; "
                "nothing was released",
                uid);
            refuse(v, a, "open", b.name, uid, st, "destroyed");
        } else {
            refuse(v, a, "open", b.name, uid, st, "integrity");
        }
        bv_item_row_free(&again);
    }
out:
    bv_key_free(dk);
    bv_item_row_free(&it);
    bv_buf_free(&ad);
    return st;
}

/* ---- the audit log, as the domain sees it ---- */

static int may_witness(bv_vault *v, const bv_person_row *p);

struct kr_ctx {
    bv_vault *v;
    bv_audit_keyring *kr;
};

static bv_status
keyring_cb(void *ctx, const bv_person_row *p)
{
    struct kr_ctx *c = ctx;
    bv_person_row chk;
    int certified = person_ok(c->v, p->name, &chk, 0) == BV_OK;
    int witness = certified && may_witness(c->v, p);

    bv_err_clear();
    return bv_audit_keyring_add(c->kr, c->v->id, p->name, p->sign_pk, certified, witness);
}

/* Keys of people who were reset: still theirs for what they signed then,
 * if an officer signed the retirement. */
static bv_status
retired_cb(void *ctx, const char *name, const uint8_t *pk, size_t pklen, const char *by,
    const uint8_t *sig, size_t siglen)
{
    struct kr_ctx *c = ctx;
    bv_person_row signer;
    bv_buf m;
    int ok = 0;

    if (pklen == 32 && person_ok(c->v, by, &signer, 0) == BV_OK
        && officer_anywhere(c->v, by, 0) == BV_OK) {
        bv_fmt_retired(&m, c->v->id, name, pk, by);
        ok = verify_buf(signer.sign_pk, &m, sig, siglen) == BV_OK;
        bv_buf_free(&m);
    }
    bv_err_clear();
    return ok ? bv_audit_keyring_add(c->kr, c->v->id, name, pk, 1, 1) : BV_OK;
}

bv_status
bv_vault_keyring(bv_vault *v, bv_audit_keyring *kr)
{
    struct kr_ctx c = { v, kr };
    bv_status st;

    memset(kr, 0, sizeof *kr);
    if ((st = bv_store_person_each(v->s, keyring_cb, &c)) != BV_OK)
        return st;
    return bv_store_retired_each(v->s, retired_cb, &c);
}

bv_status
bv_vault_audit_verify(
    bv_vault *v, const bv_audit_cp *ext, size_t next, bv_audit_report *rep, bv_buf *unauth)
{
    bv_audit_keyring kr;
    bv_logview *fresh = NULL;
    char hex[2 * BV_VAULT_ID_LEN + 1], msg[256];
    bv_status st;

    memset(&kr, 0, sizeof kr);
    if ((st = bv_store_begin_read(v->s)) != BV_OK)
        return st;
    if ((st = bv_vault_keyring(v, &kr)) == BV_OK)
        st = bv_audit_verify(v->s, v->id, &kr, ext, next, rep);
    bv_store_rollback(v->s);
    bv_audit_keyring_free(&kr);
    if (st != BV_OK)
        return st;
    /* The log is whole. Read its facts afresh, naming every entry that
     * claims a change it had no authority to make; the log must also pass
     * through the head this client verified before. */
    bv_hex(hex, v->id, sizeof v->id);
    if (v->view == NULL && (st = bv_logview_load(hex, &v->view)) != BV_OK)
        return st;
    if ((st = bv_logview_empty(v->view, &fresh)) != BV_OK)
        return st;
    if ((st = view_extend(v, fresh, v->view, unauth)) == BV_OK
        && (st = bv_logview_merge(fresh, v->view)) == BV_OK
        && (st = bv_logview_save(fresh, msg)) == BV_OK) {
        bv_logview_free(v->view);
        v->view = fresh;
        fresh = NULL;
    }
    bv_logview_free(fresh);
    return st;
}

struct roles_of {
    int64_t board[64];
    char role[64][16];
    size_t n;
};

static bv_status
roles_of_cb(void *ctx, const bv_role_row *r)
{
    struct roles_of *x = ctx;

    if (x->n < 64) {
        x->board[x->n] = r->board_id;
        snprintf(x->role[x->n++], 16, "%s", r->role);
    }
    return BV_OK;
}

/* Officers and auditors may sign checkpoints: checked, not just read. */
static int
may_witness(bv_vault *v, const bv_person_row *p)
{
    struct roles_of ro = { .n = 0 };
    struct board_by_id f;
    char role[16];
    size_t i;

    if (officer_anywhere(v, p->name, 0) == BV_OK)
        return 1;
    bv_err_clear();
    if (bv_store_role_each_person(v->s, p->id, roles_of_cb, &ro) != BV_OK)
        return 0;
    for (i = 0; i < ro.n; i++) {
        if (strcmp(ro.role[i], "auditor") != 0)
            continue;
        memset(&f, 0, sizeof f);
        f.id = ro.board[i];
        if (bv_store_board_each(v->s, board_by_id_cb, &f) == BV_OK && f.found
            && role_of(v, &f.b, p, role) == BV_OK && strcmp(role, "auditor") == 0)
            return 1;
        bv_err_clear();
    }
    return 0;
}

bv_status
bv_vault_checkpoint(bv_vault *v, bv_actor *a, bv_buf *note)
{
    bv_audit_keyring kr;
    bv_audit_report rep;
    bv_buf text, kn;
    uint64_t size;
    bv_status st;
    int in_tx = 0;

    memset(&kr, 0, sizeof kr);
    bv_buf_init(&text);
    bv_buf_init(&kn);
    bv_buf_init(note);
    if ((st = actor_ok(v, a)) != BV_OK)
        return st;
    if (!may_witness(v, &a->row)) {
        bv_err_clear();
        return refuse(v, a, "checkpoint", NULL, NULL,
            bv_fail(BV_EPERM, "only officers and auditors sign checkpoints"), "not-permitted");
    }
    /* Hold the write lock while verifying: the checkpoint then covers
     * exactly the log that was checked, and nothing slips in between. */
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    in_tx = 1;
    if ((st = bv_vault_keyring(v, &kr)) != BV_OK
        || (st = bv_audit_verify(v->s, v->id, &kr, NULL, 0, &rep)) != BV_OK)
        goto out;
    if ((st = bv_audit_checkpoint_text(v->s, v->id, &text, &size)) != BV_OK
        || (st = bv_audit_key_name(v->id, a->row.name, &kn)) != BV_OK
        || (st = bv_note_sign(text.p, text.len, (const char *)kn.p, a->keys->sign_sk, note))
            != BV_OK
        || (st = bv_store_checkpoint_add(v->s, size, a->row.name, note->p, note->len)) != BV_OK
        || (st = audit(v, a, "checkpoint", NULL, NULL, "ok", NULL)) != BV_OK)
        goto out;
    st = bv_store_commit(v->s);
    in_tx = 0;
out:
    if (in_tx)
        bv_store_rollback(v->s);
    if (st != BV_OK)
        bv_buf_free(note);
    bv_audit_keyring_free(&kr);
    bv_buf_free(&text);
    bv_buf_free(&kn);
    return st;
}

/* ---- destruction ---- */

bv_status
bv_item_destroy(bv_vault *v, bv_actor *o, const char *uid, const char *reason)
{
    bv_item_row it;
    bv_board_row b;
    bv_status st;

    bv_item_row_init(&it);
    if ((st = actor_ok(v, o)) != BV_OK || (st = bv_store_item_get(v->s, uid, &it)) != BV_OK
        || (st = bv_store_board_get(v->s, it.board, &b)) != BV_OK)
        goto out;
    if ((st = officer_of(v, &b, o->row.name, 0)) != BV_OK) {
        st = refuse(v, o, "destroy", b.name, uid, st, "not-an-officer");
        goto out;
    }
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    if ((st = bv_store_item_destroy(v->s, it.id)) != BV_OK
        || (st = audit(v, o, "destroy", b.name, uid, "ok", reason)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    if ((st = bv_store_commit(v->s)) == BV_OK) {
        sweep(v); /* the body, now condemned */
        bv_store_reclaim(v->s, 1);
    }
out:
    bv_item_row_free(&it);
    return st;
}

struct expired {
    char (*uid)[BV_UID_LEN + 1];
    size_t n, cap;
};

static bv_status
expired_cb(void *ctx, const char *uid, const char *board)
{
    struct expired *e = ctx;

    (void)board;
    {
        char *e_slot = bv_grow(&e->uid, &e->n, &e->cap, sizeof *e->uid);
        if (e_slot == NULL)
            return BV_ERR;
        snprintf(e_slot, BV_UID_LEN + 1, "%s", uid);
    }
    return BV_OK;
}

bv_status
bv_retention_run(bv_vault *v, bv_actor *o, const char *today,
    void (*done)(void *, const char *uid, bv_status st), void *ctx)
{
    struct expired e = { NULL, 0, 0 };
    bv_status st, first = BV_OK;
    size_t i;

    if ((st = bv_store_item_expired(v->s, today, expired_cb, &e)) != BV_OK)
        goto out;
    for (i = 0; i < e.n; i++) {
        bv_item_row it;
        bv_board_row b;
        /* the date is read from the column: destroy only if the seal
         * signature (which covers it) agrees */
        bv_item_row_init(&it);
        st = bv_store_item_get(v->s, e.uid[i], &it);
        if (st == BV_OK && (st = bv_store_board_get(v->s, it.board, &b)) == BV_OK)
            st = item_check(v, &b, &it);
        bv_item_row_free(&it);
        /* items of boards this officer does not run are left to their officers */
        if (st == BV_OK)
            st = bv_item_destroy(v, o, e.uid[i], "retention");
        done(ctx, e.uid[i], st);
        if (st != BV_OK && first == BV_OK)
            first = st;
        bv_err_clear();
    }
    st = first == BV_OK ? BV_OK : bv_fail(first, "some expired items were not destroyed");
out:
    free(e.uid);
    return st;
}

/* ---- removal from a board, and board key rotation ---- */

struct idlist {
    int64_t *id;
    char (*uid)[BV_UID_LEN + 1];
    size_t n, cap;
};

static bv_status
idlist_cb(void *ctx, int64_t id, const char *uid)
{
    struct idlist *l = ctx;

    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        int64_t *a = realloc(l->id, cap * sizeof *a);
        char(*b)[BV_UID_LEN + 1];
        if (a == NULL)
            return bv_fail(BV_ERR, "out of memory");
        l->id = a;
        if ((b = realloc(l->uid, cap * sizeof *b)) == NULL)
            return bv_fail(BV_ERR, "out of memory");
        l->uid = b;
        l->cap = cap;
    }
    l->id[l->n] = id;
    snprintf(l->uid[l->n++], BV_UID_LEN + 1, "%s", uid);
    return BV_OK;
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

struct grantlist {
    bv_keyrow *k;
    size_t n, cap;
    const char *by;
};

static bv_status
grantlist_cb(void *ctx, const bv_keyrow *k)
{
    struct grantlist *l = ctx;

    if (strcmp(k->by, l->by) != 0)
        return BV_OK;
    {
        bv_keyrow *l_slot = bv_grow(&l->k, &l->n, &l->cap, sizeof *l->k);
        if (l_slot == NULL)
            return BV_ERR;
        *l_slot = *k;
    }
    return BV_OK;
}

/* Grants of item it made by `name`: signed again by o. */
static bv_status
resign_grants(bv_vault *v, const bv_actor *o, const bv_item_row *it, const bv_person_row *leaver)
{
    struct grantlist l = { NULL, 0, 0, leaver->name };
    bv_buf m;
    size_t i;
    bv_status st;

    if ((st = bv_store_grant_each(v->s, it->id, grantlist_cb, &l)) != BV_OK)
        goto out;
    for (i = 0; i < l.n && st == BV_OK; i++) {
        bv_fmt_grant_sig(&m, v->id, it->board, it->uid, &l.k[i]);
        if (verify_buf(leaver->sign_pk, &m, l.k[i].sig, l.k[i].sig_len) != BV_OK) {
            bv_buf_free(&m);
            continue; /* not the leaver's: stays as it is, and is refused */
        }
        bv_buf_free(&m);
        snprintf(l.k[i].by, sizeof l.k[i].by, "%s", o->row.name);
        bv_fmt_grant_sig(&m, v->id, it->board, it->uid, &l.k[i]);
        if ((st = sign_buf(o->keys, &m, l.k[i].sig)) == BV_OK) {
            l.k[i].sig_len = 64;
            st = bv_store_grant_put(v->s, it->id, &l.k[i]);
        }
        bv_buf_free(&m);
    }
out:
    free(l.k);
    return st;
}

struct rolelist {
    bv_role_row *r;
    size_t n, cap;
    const char *by;
};

static bv_status
rolelist_cb(void *ctx, const bv_role_row *r)
{
    struct rolelist *l = ctx;

    if (strcmp(r->added_by, l->by) != 0)
        return BV_OK;
    {
        bv_role_row *l_slot = bv_grow(&l->r, &l->n, &l->cap, sizeof *l->r);
        if (l_slot == NULL)
            return BV_ERR;
        *l_slot = *r;
    }
    return BV_OK;
}

/* Roles on b that `name` gave: signed again by o. */
static bv_status
resign_roles(bv_vault *v, const bv_actor *o, const bv_board_row *b, const bv_person_row *leaver)
{
    struct rolelist l = { NULL, 0, 0, leaver->name };
    bv_person_row p;
    bv_buf m;
    size_t i;
    bv_status st;

    if ((st = bv_store_role_each(v->s, b->id, rolelist_cb, &l)) != BV_OK)
        goto out;
    for (i = 0; i < l.n && st == BV_OK; i++) {
        if (strcmp(l.r[i].person, o->row.name) == 0)
            continue; /* o's own role: nobody signs their own */
        if ((st = bv_store_person_get(v->s, l.r[i].person, &p)) != BV_OK)
            break;
        bv_fmt_role(&m, v->id, b->name, &p, l.r[i].role, leaver->name);
        if (verify_buf(leaver->sign_pk, &m, l.r[i].sig, l.r[i].sig_len) != BV_OK) {
            bv_buf_free(&m);
            continue; /* not the leaver's signature: nothing to carry over */
        }
        bv_buf_free(&m);
        snprintf(l.r[i].added_by, sizeof l.r[i].added_by, "%s", o->row.name);
        bv_fmt_role(&m, v->id, b->name, &p, l.r[i].role, o->row.name);
        if ((st = sign_buf(o->keys, &m, l.r[i].sig)) == BV_OK) {
            l.r[i].sig_len = 64;
            st = bv_store_role_add(v->s, &l.r[i]);
        }
        bv_buf_free(&m);
    }
out:
    free(l.r);
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
    ok = verify_buf(l->leaver->sign_pk, &m, p->cert_sig, p->cert_sig_len) == BV_OK;
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
        if ((st = sign_buf(o->keys, &m, sig)) == BV_OK)
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
        if ((st = oom(&ad)) == BV_OK && (st = oom(&ad2)) == BV_OK) {
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

bv_status
bv_board_remove(
    bv_vault *v, bv_actor *o, const char *board, const char *name, bv_remove_result *res)
{
    struct idlist items = { 0 };
    struct officers offs = { 0 };
    bv_board_row b;
    bv_person_row p, q;
    uint8_t *old = NULL, *new_key = NULL, sig[64];
    char role[16], reason[BV_NAME_MAX + 96];
    size_t i, remaining = 0;
    bv_buf m;
    bv_status st;
    int in_tx = 0;

    memset(res, 0, sizeof *res);
    bv_buf_init(&m);
    if ((st = get_board(v, board, &b)) != BV_OK || (st = actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = officer_of(v, &b, o->row.name, 0)) != BV_OK)
        return refuse(v, o, "board-remove", board, NULL, st, "not-an-officer");
    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    st = bv_store_person_get(v->s, name, &p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if ((st = role_of(v, &b, &p, role)) != BV_OK) {
        if (st == BV_EPERM) {
            bv_err_clear();
            return bv_fail(BV_ENOTFOUND, "%s is not on board %s", name, board);
        }
        return st;
    }
    res->was_officer = strcmp(role, "officer") == 0;
    /* who keeps the board key: every checked officer but the one leaving */
    if (strcmp(b.created_by, name) != 0 && officer_of(v, &b, b.created_by, 0) == BV_OK
        && (st = officers_add(&offs, b.created_by)) != BV_OK)
        goto out;
    bv_err_clear();
    if ((st = bv_store_role_each(v->s, b.id, officers_cb, &offs)) != BV_OK)
        goto out;
    for (i = 0; i < offs.n; i++) {
        if (strcmp(offs.name[i], name) == 0 || officer_of(v, &b, offs.name[i], 0) != BV_OK) {
            offs.name[i][0] = '\0'; /* leaving, or not a checked officer: no key */
            continue;
        }
        remaining++;
    }
    bv_err_clear();
    if (res->was_officer && remaining == 0) {
        st = refuse(v, o, "board-remove", board, NULL,
            bv_fail(BV_EPERM,
                "%s is the last officer of board %s: add another officer "
                "first",
                name, board),
            "last-officer");
        goto out;
    }
    if ((st = bv_store_board_items(v->s, b.id, idlist_cb, &items)) != BV_OK)
        goto out;
    if (res->was_officer) {
        if ((old = bv_key_alloc()) == NULL || (new_key = bv_key_new()) == NULL) {
            st = bv_fail(BV_ERR, "out of secure memory");
            goto out;
        }
        if ((st = get_board_key(v, o, &b, old)) != BV_OK)
            goto out;
    }
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    in_tx = 1;
    /* The person's grants on this board end with the membership, and what
     * they signed as an officer (seals, grant sets, grants, roles) is
     * signed again by the officer removing them: every signature a
     * decision rests on stays one by a current officer. */
    for (i = 0; i < items.n; i++) {
        bv_item_row it;
        struct nameset gs = { 0 };
        int drop;
        bv_item_row_init(&it);
        if ((st = bv_store_item_get(v->s, items.uid[i], &it)) != BV_OK)
            goto item_done;
        if (strcmp(it.sealed_by, name) == 0) {
            /* only what the leaver really signed is signed again */
            bv_fmt_item(&m, v->id, &it);
            if (verify_buf(p.sign_pk, &m, it.sig, it.sig_len) != BV_OK) {
                bv_buf_free(&m);
                goto grants;
            }
            bv_buf_free(&m);
            snprintf(it.sealed_by, sizeof it.sealed_by, "%s", o->row.name);
            bv_fmt_item(&m, v->id, &it);
            if ((st = sign_buf(o->keys, &m, sig)) != BV_OK
                || (st = bv_store_item_resign(v->s, it.id, o->row.name, sig, sizeof sig)) != BV_OK)
                goto item_done;
            bv_buf_free(&m);
            res->resigned++;
        }
    grants:
        drop = names_has(it.gs_names.p, it.gs_names.len, name);
        if (strcmp(it.gs_by, name) == 0) {
            bv_fmt_grantset(&m, v->id, it.board, it.uid, it.gs_version, it.gs_names.p,
                it.gs_names.len, it.gs_by);
            if (verify_buf(p.sign_pk, &m, it.gs_sig, it.gs_sig_len) != BV_OK) {
                bv_buf_free(&m);
                goto grant_rows; /* a forged set stays forged: open refuses it */
            }
            bv_buf_free(&m);
        }
        if (drop || strcmp(it.gs_by, name) == 0) {
            if ((st = nameset_parse(&gs, it.gs_names.p, it.gs_names.len)) != BV_OK)
                goto item_done;
            nameset_del(&gs, name);
            if ((drop && (st = bv_store_grant_delete(v->s, it.id, p.id)) != BV_OK)
                || (st = put_grantset(v, o, &it, &gs)) != BV_OK)
                goto item_done;
            res->grants_revoked += (size_t)drop;
        }
    grant_rows:
        st = resign_grants(v, o, &it, &p);
    item_done:
        bv_buf_free(&m);
        free(gs.v);
        bv_item_row_free(&it);
        if (st != BV_OK)
            goto out;
    }
    if ((st = resign_roles(v, o, &b, &p)) != BV_OK)
        goto out;
    bv_fmt_removal(&m, v->id, board, name, o->row.name);
    if ((st = sign_buf(o->keys, &m, sig)) != BV_OK
        || (st = bv_store_role_delete(v->s, b.id, p.id)) != BV_OK
        || (st = bv_store_removal_set(v->s, b.id, name, o->row.name, sig, sizeof sig)) != BV_OK)
        goto out;
    /* the remover must still be an officer once the leaver is gone (their
     * own role may hang from the leaver's signature) */
    if (officer_of(v, &b, o->row.name, 0) != BV_OK) {
        bv_err_clear();
        st = bv_fail(BV_EPERM,
            "removing %s would end your own officer role on %s (it was given "
            "through them): ask another officer",
            name, board);
        goto out;
    }
    /* certificates the leaver signed stay valid only while they are an
     * officer somewhere: if this was their last board, sign them again */
    if (officer_anywhere(v, name, 0) != BV_OK && (st = recertify(v, o, &p)) != BV_OK)
        goto out;
    bv_err_clear();
    res->epoch = b.epoch;
    if (res->was_officer) {
        /* rotate: a new key for epoch e+1, to the remaining officers only;
         * every item key and every minutes key re-wrapped under it; epoch
         * e destroyed */
        for (i = 0; i < offs.n; i++) {
            if (!offs.name[i][0])
                continue;
            if ((st = person_ok(v, offs.name[i], &q, 0)) != BV_OK
                || (st = put_board_key(v, o, &b, b.epoch + 1, &q, new_key)) != BV_OK)
                goto out;
        }
        if ((st = rewrap_items(v, &b, &items, old, new_key, b.epoch)) != BV_OK
            || (st = rewrap_minutes_keys(v, &b, old, new_key)) != BV_OK
            || (st = bv_store_epoch_drop(v->s, b.id, b.epoch)) != BV_OK
            || (st = bv_store_board_set_epoch(v->s, b.id, b.epoch + 1)) != BV_OK)
            goto out;
        res->epoch = b.epoch + 1;
        res->items_rewrapped = items.n;
    }
    snprintf(reason, sizeof reason, "%s (%s); epoch %lld", name, role, (long long)res->epoch);
    if ((st = audit(v, o, "board-remove", board, NULL, "ok", reason)) != BV_OK)
        goto out;
    st = bv_store_commit(v->s);
    in_tx = 0;
    if (st == BV_OK)
        bv_store_reclaim(v->s, 1);
out:
    if (in_tx)
        bv_store_rollback(v->s);
    bv_key_free(old);
    bv_key_free(new_key);
    free(items.id);
    free(items.uid);
    free(offs.name);
    bv_buf_free(&m);
    return st;
}

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
    if ((st = actor_ok(v, o)) != BV_OK || (st = bv_store_item_get(v->s, uid, &it)) != BV_OK
        || (st = bv_store_board_get(v->s, it.board, &b)) != BV_OK)
        goto out;
    if ((st = officer_of(v, &b, o->row.name, 0)) != BV_OK) {
        st = refuse(v, o, "rekey", b.name, uid, st, "not-an-officer");
        goto out;
    }
    if ((st = item_check(v, &b, &it)) != BV_OK || (st = grantset_check(v, &b, &it)) != BV_OK
        || (st = nameset_parse(&gs, it.gs_names.p, it.gs_names.len)) != BV_OK)
        goto out;
    /* grants are re-issued to the current grantees only */
    if (gs.n && (gp = calloc(gs.n, sizeof *gp)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    for (i = 0; i < gs.n; i++)
        if ((st = grantee_ok(v, &b, gs.v[i], &gp[i])) != BV_OK)
            goto out;
    if ((old = bv_key_alloc()) == NULL || (dk = bv_key_new()) == NULL
        || (bk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = item_key_officer(v, o, &b, &it, old)) != BV_OK
        || (st = get_board_key(v, o, &b, bk)) != BV_OK)
        goto out;
    /* the new body is sealed under the current epoch; the old one keeps
     * its own until it is deleted */
    bv_fmt_body_ad(&ad, v->id, b.name, uid, it.sealed_epoch);
    bv_fmt_body_ad(&ad2, v->id, b.name, uid, b.epoch);
    if ((st = oom(&ad)) != BV_OK || (st = oom(&ad2)) != BV_OK)
        goto out;
    nit = it;
    bv_buf_init(&nit.chunk_hashes);
    bv_buf_init(&nit.gs_names);
    snprintf(nit.sealed_by, sizeof nit.sealed_by, "%s", o->row.name);
    nit.sealed_epoch = b.epoch;
    nit.header_len = BV_STREAM_HEADER;
    bv_utc_now(nit.created);
    sweep(v);
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
    if ((st = officer_of(v, &bnow, o->row.name, 0)) != BV_OK
        || (st = bv_store_body_adopt(v->s, nit.body_id)) != BV_OK)
        goto out;
    bv_fmt_item_key_ad(&kad, v->id, b.name, uid, b.epoch);
    bv_fmt_item(&m, v->id, &nit);
    if ((st = oom(&kad)) != BV_OK || (st = oom(&nit.chunk_hashes)) != BV_OK
        || (st = bv_wrap(bk, kad.p, kad.len, dk, 32, &w)) != BV_OK
        || (st = sign_buf(o->keys, &m, nit.sig)) != BV_OK)
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
        (st = put_grantset(v, o, &nit, &gs)) != BV_OK)
        goto out;
    for (i = 0; i < gs.n; i++)
        if ((st = put_grant(v, o, &nit, &gp[i], dk)) != BV_OK)
            goto out;
    {
        char reason[64];
        snprintf(reason, sizeof reason, "%zu grants re-issued", gs.n);
        if ((st = audit(v, o, "rekey", b.name, uid, "ok", reason)) != BV_OK)
            goto out;
    }
    st = bv_store_commit(v->s);
    in_tx = 0;
    if (st == BV_OK) {
        staged = 0;
        sweep(v); /* the old body */
        bv_store_reclaim(v->s, 0);
    }
out:
    if (in_tx)
        bv_store_rollback(v->s);
    bv_store_close(reader);
    if (staged)
        unstage(v, nit.body_id, st);
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
    if (bv_store_board_each(h->v->s, board_by_id_cb, &f) != BV_OK || !f.found)
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

    if (names_has(it->gs_names.p, it->gs_names.len, h->name)) {
        h->report(h->ctx, "grant", it->board, it->uid);
        return idlist_cb(&h->items, it->id, it->uid);
    }
    return BV_OK;
}

bv_status
bv_member_reset(bv_vault *v, bv_actor *o, const char *name, bv_reset_fn report, void *ctx)
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
    if ((st = actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = officer_anywhere(v, o->row.name, 0)) != BV_OK)
        return refuse(v, o, "reset", NULL, NULL, st, "not-an-officer");
    if ((st = bv_name_check("member", name)) != BV_OK)
        return st;
    st = bv_store_person_get(v->s, name, &p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if (strcmp(name, v->root) == 0)
        return refuse(v, o, "reset", NULL, NULL,
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
            && officer_of(v, &b, o->row.name, 0) != BV_OK) {
            bv_err_clear();
            st = bv_fail(BV_EPERM, "%s holds grants on board %s, of which you are not an officer",
                name, b.name);
        }
        bv_item_row_free(&it);
        if (st != BV_OK)
            goto out;
    }
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    in_tx = 1;
    for (i = 0; i < h.items.n; i++) {
        bv_item_row it;
        struct nameset gs = { 0 };
        bv_item_row_init(&it);
        if ((st = bv_store_item_get(v->s, h.items.uid[i], &it)) == BV_OK
            && (st = nameset_parse(&gs, it.gs_names.p, it.gs_names.len)) == BV_OK) {
            nameset_del(&gs, name);
            st = put_grantset(v, o, &it, &gs);
        }
        free(gs.v);
        bv_item_row_free(&it);
        if (st != BV_OK)
            goto out;
    }
    bv_fmt_retired(&m, v->id, name, p.sign_pk, o->row.name);
    snprintf(reason, sizeof reason, "%s: keys retired, %zu grants dropped", name, h.items.n);
    if ((st = sign_buf(o->keys, &m, sig)) != BV_OK
        || (st = bv_store_retired_add(v->s, name, p.sign_pk, o->row.name, sig, sizeof sig)) != BV_OK
        || (st = bv_store_person_drop(v->s, p.id)) != BV_OK
        || (st = audit(v, o, "reset", NULL, NULL, "ok", reason)) != BV_OK)
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
        || (st = actor_ok(v, a)) != BV_OK || (st = not_an_officer(v, &a->row)) != BV_OK)
        return st;
    if ((st = make_person(v, a->row.name, newpass, kp, &np, &keys)) != BV_OK)
        return st;
    memcpy(k.box_pk, np.box_pk, 32);
    memcpy(k.sign_pk, np.sign_pk, 32);
    memcpy(k.secret, np.secret, np.secret_len);
    k.secret_len = np.secret_len;
    bv_utc_now(k.requested);
    bv_fmt_keychange(&m, v->id, a->row.name, k.box_pk, k.sign_pk);
    if ((st = sign_buf(a->keys, &m, k.sig)) != BV_OK)
        goto out;
    k.sig_len = 64;
    bv_fingerprint(k.sign_pk, k.box_pk, fp);
    snprintf(reason, sizeof reason, "requested %s", fp);
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    if ((st = bv_store_keychange_put(v->s, a->row.id, &k)) != BV_OK
        || (st = audit(v, a, "key-change", NULL, NULL, "ok", reason)) != BV_OK) {
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

/* The member's roles and grants, re-signed and re-issued by o to np. */
static bv_status
keychange_carry(bv_vault *v, bv_actor *o, const bv_person_row *np, struct keychange_roles *roles,
    const struct idlist *items)
{
    uint8_t *dk = NULL;
    bv_buf m;
    size_t i;
    bv_status st = BV_OK;

    bv_buf_init(&m);
    for (i = 0; i < roles->n && st == BV_OK; i++) {
        bv_board_row b;
        struct board_by_id f = { .id = roles->r[i].board_id };
        if ((st = bv_store_board_each(v->s, board_by_id_cb, &f)) != BV_OK)
            break;
        b = f.b;
        if (!f.found || officer_of(v, &b, o->row.name, 0) != BV_OK) {
            bv_err_clear();
            st = bv_fail(BV_EPERM, "%s is on board %s, of which you are not an officer", np->name,
                f.found ? b.name : "?");
            break;
        }
        snprintf(roles->r[i].added_by, sizeof roles->r[i].added_by, "%s", o->row.name);
        bv_fmt_role(&m, v->id, b.name, np, roles->r[i].role, o->row.name);
        if ((st = sign_buf(o->keys, &m, roles->r[i].sig)) == BV_OK) {
            roles->r[i].sig_len = 64;
            st = bv_store_role_add(v->s, &roles->r[i]);
        }
        bv_buf_free(&m);
    }
    if (st == BV_OK && (dk = bv_key_alloc()) == NULL)
        st = bv_fail(BV_ERR, "out of secure memory");
    for (i = 0; i < items->n && st == BV_OK; i++) {
        bv_item_row it;
        bv_board_row b;
        bv_item_row_init(&it);
        if ((st = bv_store_item_get(v->s, items->uid[i], &it)) == BV_OK
            && (st = get_board(v, it.board, &b)) == BV_OK) {
            if (officer_of(v, &b, o->row.name, 0) != BV_OK) {
                bv_err_clear();
                st = bv_fail(BV_EPERM,
                    "%s holds grants on board %s, of which you are not an officer", np->name,
                    b.name);
            } else if ((st = grantset_check(v, &b, &it)) == BV_OK
                && (st = item_key_officer(v, o, &b, &it, dk)) == BV_OK) {
                st = put_grant(v, o, &it, np, dk);
            }
        }
        bv_item_row_free(&it);
    }
    bv_key_free(dk);
    return st;
}

static bv_status
approve_keychange(
    bv_vault *v, bv_actor *o, const bv_person_row *p, const bv_keychange_row *k, char fp[BV_FP_LEN])
{
    struct keychange_roles roles = { 0 };
    struct had h;
    bv_person_row np;
    uint8_t cert[64], ret[64];
    char reason[BV_NAME_MAX + BV_FP_LEN + 64];
    bv_buf m;
    bv_status st;
    int in_tx = 0;

    memset(&h, 0, sizeof h);
    bv_buf_init(&m);
    bv_fmt_keychange(&m, v->id, p->name, k->box_pk, k->sign_pk);
    st = verify_buf(p->sign_pk, &m, k->sig, k->sig_len);
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
    h.v = v;
    h.name = p->name;
    h.person_id = p->id;
    h.report = no_report;
    if ((st = bv_store_role_each_person(v->s, p->id, keychange_roles_cb, &roles)) != BV_OK
        || (st = bv_store_item_each(v->s, NULL, had_item_cb, &h)) != BV_OK)
        goto out;
    bv_fmt_cert(&m, v->id, &np, o->row.name);
    if ((st = sign_buf(o->keys, &m, cert)) != BV_OK)
        goto out;
    bv_buf_free(&m);
    bv_fmt_retired(&m, v->id, p->name, p->sign_pk, o->row.name);
    if ((st = sign_buf(o->keys, &m, ret)) != BV_OK)
        goto out;
    bv_fingerprint(np.sign_pk, np.box_pk, fp);
    snprintf(
        reason, sizeof reason, "%s: new keys %s, %zu grants re-issued", p->name, fp, h.items.n);
    if ((st = bv_store_begin(v->s)) != BV_OK)
        goto out;
    in_tx = 1;
    if ((st = bv_store_person_rekey(v->s, p->id, k, o->row.name, cert, sizeof cert)) != BV_OK
        || (st = bv_store_retired_add(v->s, p->name, p->sign_pk, o->row.name, ret, sizeof ret))
            != BV_OK
        || (st = keychange_carry(v, o, &np, &roles, &h.items)) != BV_OK
        || (st = audit(v, o, "key-change", NULL, NULL, "ok", reason)) != BV_OK)
        goto out;
    st = bv_store_commit(v->s);
    in_tx = 0;
out:
    if (in_tx)
        bv_store_rollback(v->s);
    free(roles.r);
    free(h.items.id);
    free(h.items.uid);
    bv_buf_free(&m);
    return st;
}
