/*
 * vault.c - the domain layer (see include/bv_vault.h): the vault handle
 * (open, create, close), signing and the audit append as the domain uses
 * them, and the log's verification and checkpoints. The other concerns
 * have files of their own, vault_*.c, sharing include/bv_vault_int.h.
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

void
bv_vault_set_progress(bv_vault *v, const bv_progress *p)
{
    v->progress = p;
}

bv_status
bv_vault_oom(bv_buf *b)
{
    return b->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

/* Condemned and abandoned bodies go before a new one is written, and
 * after a failed write. Best effort: a busy vault leaves them for the
 * next seal, rekey or destroy. But a vault found corrupt on the way is
 * not passed over in silence: that is BV_EINTEGRITY, with its message. */
/* The store counts a sweep in chunks; whoever watches counts bytes. */
static void
chunks_as_bytes(void *ctx, uint64_t done, uint64_t total)
{
    bv_progress_tick(ctx, done * BV_CHUNK, total * BV_CHUNK);
}

bv_status
bv_vault_sweep(bv_vault *v, uint64_t shown)
{
    bv_progress p = { chunks_as_bytes, (void *)(uintptr_t)v->progress };
    uint64_t n;
    bv_status st;

    st = bv_store_body_sweep(v->s, &n, v->progress ? &p : NULL, (shown + BV_CHUNK - 1) / BV_CHUNK);
    if (st == BV_EINTEGRITY)
        return st;
    if (st != BV_OK)
        bv_err_clear();
    return BV_OK;
}

bv_status
bv_vault_gc(bv_vault *v, uint64_t *swept)
{
    bv_status st;

    *swept = 0;
    if ((st = bv_store_body_sweep(v->s, swept, NULL, 0)) == BV_OK)
        bv_store_reclaim(v->s, *swept > 0);
    return st;
}

/* After a failure st: the staged body goes too, and the failure's
 * message stays the one shown (the clean-up is best effort). */
void
bv_vault_unstage(bv_vault *v, int64_t body_id, bv_status st)
{
    char msg[512];

    snprintf(msg, sizeof msg, "%s", bv_errmsg());
    bv_err_clear();
    /* the failure st is what the user must see; a sweep that finds
     * worse is found again by the next seal, rekey or gc */
    if (bv_store_body_condemn(v->s, body_id) == BV_OK)
        (void)bv_vault_sweep(v, 0);
    bv_err_clear();
    (void)bv_fail(st, "%s", msg);
}

bv_status
bv_vault_sign(const bv_keys *k, bv_buf *msg, uint8_t sig[64])
{
    if (msg->oom)
        return bv_fail(BV_ERR, "out of memory");
    return bv_sign(k, msg->p, msg->len, sig);
}

bv_status
bv_vault_verify(const uint8_t pk[32], bv_buf *msg, const uint8_t *sig, size_t siglen)
{
    if (msg->oom)
        return bv_fail(BV_ERR, "out of memory");
    return bv_verify(pk, msg->p, msg->len, sig, siglen);
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
    if ((st = bv_vault_person_ok(v, v->root, &root, 0)) != BV_OK) {
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
    if (!(flags & BV_OPEN_VERIFY) && (st = bv_vault_view_sync(v, note)) != BV_OK)
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
    if (v->view && !v->readonly && !had_error
        && bv_vault_view_extend(v, v->view, NULL, NULL) == BV_OK)
        (void)bv_logview_save(v->view, note);
    if (!had_error)
        bv_err_clear(); /* the caller's own message, if any, stays first */
    bv_store_close(v->s);
    bv_logview_free(v->view);
    free(v);
}

bv_status
bv_vault_make_person(const bv_vault *v, const char *name, const bv_secret *pass,
    const bv_kdf_params *kp, bv_person_row *p, bv_keys **keys)
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

bv_status
bv_vault_audit(bv_vault *v, const bv_actor *a, bv_act action, const char *board, const char *item,
    const char *outcome, const char *reason)
{
    bv_audit_event ev = { .actor = a->row.name,
        .actor_fp = a->fp,
        .action = action,
        .board = board,
        .item = item,
        .outcome = outcome,
        .reason = reason };

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
    if ((st = bv_vault_make_person(v, root, pass, kp, &a.row, &a.keys)) != BV_OK)
        goto out;
    if ((st = bv_store_open(path, BV_STORE_CREATE, &v->s)) != BV_OK)
        goto out;
    created = 1;
    a.row.approved = 1;
    snprintf(a.row.cert_by, sizeof a.row.cert_by, "%s", root);
    bv_fmt_cert(&m, v->id, &a.row, root);
    if ((st = bv_vault_sign(a.keys, &m, a.row.cert_sig)) != BV_OK)
        goto out;
    a.row.cert_sig_len = 64;
    bv_fingerprint(a.row.sign_pk, a.row.box_pk, a.fp);
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    if ((st = bv_store_meta_set(v->s, "vault_id", v->id, sizeof v->id)) != BV_OK
        || (st = bv_store_meta_set(v->s, "root", root, strlen(root))) != BV_OK
        || (st = bv_store_meta_set(v->s, "kdf_policy", policy, sizeof policy)) != BV_OK
        || (st = bv_store_person_add(v->s, &a.row)) != BV_OK
        || (st = bv_vault_audit(v, &a, BV_ACT_INIT, NULL, NULL, "ok", NULL)) != BV_OK) {
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
bv_status
bv_vault_record(bv_vault *v, const bv_audit_event *ev, const bv_keys *signer)
{
    bv_status st;

    if ((st = bv_vault_begin(v)) != BV_OK)
        return st;
    if ((st = bv_audit_append(v->s, v->id, ev, signer)) != BV_OK) {
        bv_store_rollback(v->s);
        return st;
    }
    return bv_store_commit(v->s);
}

/* Record a refusal and keep the refusal's own status and message. */
bv_status
bv_vault_refuse_item(bv_vault *v, const bv_actor *a, bv_act action, const char *board,
    const char *item, bv_status why, const char *reason)
{
    bv_audit_event ev = { .actor = a->row.name,
        .actor_fp = a->fp,
        .action = action,
        .board = board,
        .item = item,
        .outcome = why == BV_EPERM ? "denied" : "failed",
        .reason = reason };
    bv_person_row chk;
    /* a pending member's key is not certified: their refusals are logged
     * unsigned, as claims of the software, like a failed passphrase */
    int certified = a->row.approved && bv_vault_person_ok(v, a->row.name, &chk, 0) == BV_OK;
    char msg[512];

    snprintf(msg, sizeof msg, "%s", bv_errmsg());
    bv_err_clear();
    (void)bv_vault_record(v, &ev, certified ? a->keys : NULL);
    bv_err_clear();
    (void)bv_fail(why, "%s", msg); /* the refusal's own message is the one shown */
    return why;
}

bv_status
bv_vault_refuse(bv_vault *v, const bv_actor *a, bv_act action, const char *board, bv_status why,
    const char *reason)
{
    return bv_vault_refuse_item(v, a, action, board, NULL, why, reason);
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
    int certified = bv_vault_person_ok(c->v, p->name, &chk, 0) == BV_OK;
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

    if (pklen == 32 && bv_vault_person_ok(c->v, by, &signer, 0) == BV_OK
        && bv_vault_officer_anywhere(c->v, by, 0) == BV_OK) {
        bv_fmt_retired(&m, c->v->id, name, pk, by);
        ok = bv_vault_verify(signer.sign_pk, &m, sig, siglen) == BV_OK;
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
        st = bv_audit_verify(v->s, v->id, &kr, ext, next, rep, v->progress);
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
    if ((st = bv_vault_view_extend(v, fresh, v->view, unauth)) == BV_OK
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

    if (bv_vault_officer_anywhere(v, p->name, 0) == BV_OK)
        return 1;
    bv_err_clear();
    if (bv_store_role_each_person(v->s, p->id, roles_of_cb, &ro) != BV_OK)
        return 0;
    for (i = 0; i < ro.n; i++) {
        if (strcmp(ro.role[i], "auditor") != 0)
            continue;
        memset(&f, 0, sizeof f);
        f.id = ro.board[i];
        if (bv_store_board_each(v->s, bv_vault_board_by_id_cb, &f) == BV_OK && f.found
            && bv_vault_role_of(v, &f.b, p, role) == BV_OK && strcmp(role, "auditor") == 0)
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
    if ((st = bv_vault_actor_ok(v, a)) != BV_OK)
        return st;
    if (!may_witness(v, &a->row)) {
        bv_err_clear();
        return bv_vault_refuse_item(v, a, BV_ACT_CHECKPOINT, NULL, NULL,
            bv_fail(BV_EPERM, "only officers and auditors sign checkpoints"), "not-permitted");
    }
    /* Hold the write lock while verifying: the checkpoint then covers
     * exactly the log that was checked, and nothing slips in between. */
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    in_tx = 1;
    if ((st = bv_vault_keyring(v, &kr)) != BV_OK
        || (st = bv_audit_verify(v->s, v->id, &kr, NULL, 0, &rep, NULL)) != BV_OK)
        goto out;
    if ((st = bv_audit_checkpoint_text(v->s, v->id, &text, &size)) != BV_OK
        || (st = bv_audit_key_name(v->id, a->row.name, &kn)) != BV_OK
        || (st = bv_note_sign_by(text.p, text.len, (const char *)kn.p, a->keys->sign_pk,
                bv_keys_note_signer, a->keys, note))
            != BV_OK
        || (st = bv_store_checkpoint_add(v->s, size, a->row.name, note->p, note->len)) != BV_OK
        || (st = bv_vault_audit(v, a, BV_ACT_CHECKPOINT, NULL, NULL, "ok", NULL)) != BV_OK)
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

bv_status
bv_vault_idlist_cb(void *ctx, int64_t id, const char *uid)
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
