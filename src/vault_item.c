/*
 * vault_item.c - items: seal (with staging of large bodies), open (the
 * audit record first), destroy and retention.
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

/* ---- items ---- */

void
bv_vault_new_uid(char uid[BV_UID_LEN + 1])
{
    uint8_t r[BV_UID_LEN / 2];

    randombytes_buf(r, sizeof r);
    bv_hex(uid, r, sizeof r);
}

bv_status
bv_vault_item_check(bv_vault *v, const bv_board_row *b, const bv_item_row *it)
{
    bv_person_row signer;
    bv_buf m;
    bv_status st;

    if (bv_fmt_body_format(it->header, it->header_len) == 0
        || it->chunk_hashes.len != it->nchunks * 32
        || it->nchunks != (it->size == 0 ? 1 : (it->size + BV_CHUNK - 1) / BV_CHUNK))
        return bv_fail(BV_EINTEGRITY, "the record of item %s is damaged", it->uid);
    if ((st = bv_vault_officer_of(v, b, it->sealed_by, 0)) != BV_OK
        || (st = bv_vault_person_ok(v, it->sealed_by, &signer, 0)) != BV_OK) {
        bv_err_clear();
        return bv_fail(
            BV_EINTEGRITY, "item %s was not sealed by an officer of %s", it->uid, b->name);
    }
    bv_fmt_item(&m, v->id, it);
    st = bv_vault_verify(signer.sign_pk, &m, it->sig, it->sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(BV_EINTEGRITY, "the seal of item %s does not verify", it->uid);
    return BV_OK;
}

/* The item's data key via the board key held by officer o. */
bv_status
bv_vault_item_key_officer(
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
    if ((st = bv_vault_get_board_key(v, o, b, bk)) != BV_OK)
        goto out;
    st = bv_store_item_key_get(v->s, it->id, b->epoch, w, &wlen);
    if (st == BV_ENOTFOUND)
        st = bv_fail(
            BV_EINTEGRITY, "item %s has no key for epoch %lld", it->uid, (long long)b->epoch);
    if (st != BV_OK)
        goto out;
    bv_fmt_item_key_ad(&ad, v->id, b->name, it->uid, b->epoch);
    if ((st = bv_vault_oom(&ad)) == BV_OK && bv_unwrap(bk, ad.p, ad.len, w, wlen, key, 32) != BV_OK)
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
    if ((st = bv_vault_get_board(v, board, b)) != BV_OK || (st = bv_vault_actor_ok(v, o)) != BV_OK
        || (st = bv_vault_officer_of(v, b, o->row.name, 0)) != BV_OK)
        return st;
    for (i = 0; i < ngrantees; i++) {
        if ((st = bv_vault_grantee_ok(v, b, grantees[i], &gp[i])) != BV_OK
            || (gs && (st = bv_vault_nameset_add(gs, grantees[i])) != BV_OK))
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
/* The body: adopted from its staging (pre), or written here from fd. */
static bv_status
seal_body(bv_vault *v, const bv_board_row *b, bv_item_row *it, int fd, const struct staged *pre,
    const uint8_t *dk)
{
    bv_body_dst d = { 0 };
    struct stat sb;
    bv_buf ad;
    bv_status st;

    if (pre) {
        /* the body names the epoch it was staged under */
        if (pre->epoch != b->epoch)
            return bv_fail(BV_ERR,
                "the key of board %s was rotated while the body was written; "
                "nothing was sealed: seal again",
                b->name);
        memcpy(it->uid, pre->uid, sizeof it->uid);
        memcpy(it->header, pre->d.header, sizeof it->header);
        it->header_len = pre->d.header_len;
        bv_buf_put(&it->chunk_hashes, pre->hashes.p, pre->hashes.len);
        it->size = pre->d.size;
        it->nchunks = pre->d.nchunks;
        it->body_id = pre->d.body_id;
        if ((st = bv_vault_oom(&it->chunk_hashes)) != BV_OK)
            return st;
        return bv_store_body_adopt(v->s, pre->d.body_id);
    }
    bv_buf_init(&ad);
    bv_vault_new_uid(it->uid);
    bv_fmt_body_ad_of(&ad, v->id, b->name, it->uid, b->epoch, 3);
    if ((st = bv_vault_oom(&ad)) == BV_OK
        && (st = bv_store_body_new(v->s, 0, &it->body_id)) == BV_OK) {
        d.body_id = it->body_id;
        d.key = dk;
        d.ad = ad.p;
        d.adlen = ad.len;
        d.hashes = &it->chunk_hashes;
        d.progress = v->progress;
        d.total = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
        if ((st = bv_body_seal(v->s, fd, &d)) == BV_OK) {
            memcpy(it->header, d.header, sizeof it->header);
            it->header_len = d.header_len;
            it->size = d.size;
            it->nchunks = d.nchunks;
        }
    }
    bv_buf_free(&ad);
    return st;
}

/* The item's rows, its grant set, its link to the agenda, and the log:
 * the seal, then each grant. key is the data key, bk the board key. */
static bv_status
seal_record(bv_vault *v, bv_actor *o, const bv_board_row *b, bv_item_row *it, struct nameset *gs,
    const bv_person_row *gp, size_t ngrantees, const bv_item_link *link, const uint8_t *key,
    const uint8_t *bk)
{
    char meeting[24] = "", agenda[24] = "";
    bv_buf kad, w, m;
    size_t i;
    bv_status st;

    bv_buf_init(&w);
    bv_fmt_item_key_ad(&kad, v->id, b->name, it->uid, b->epoch);
    bv_fmt_item(&m, v->id, it);
    if ((st = bv_vault_oom(&kad)) != BV_OK
        || (st = bv_wrap(bk, kad.p, kad.len, key, 32, &w)) != BV_OK
        || (st = bv_vault_sign(o->keys, &m, it->sig)) != BV_OK)
        goto out;
    it->sig_len = 64;
    if ((st = bv_store_item_add(v->s, it)) != BV_OK
        || (st = bv_store_item_key_set(v->s, it->id, b->epoch, w.p, w.len)) != BV_OK
        || (st = bv_vault_put_grantset(v, o, it, gs)) != BV_OK
        || (link
            && (st = bv_store_agenda_link(v->s, link->meeting_id, link->ordinal, it->id)) != BV_OK))
        goto out;
    if (link) {
        snprintf(meeting, sizeof meeting, "%lld", (long long)link->meeting_id);
        snprintf(agenda, sizeof agenda, "%d", link->agenda_no);
    }
    {
        bv_audit_event ev = { .actor = o->row.name,
            .actor_fp = o->fp,
            .action = BV_ACT_SEAL,
            .board = b->name,
            .item = it->uid,
            .meeting = link ? meeting : NULL,
            .agenda = link ? agenda : NULL,
            .outcome = "ok" };
        if ((st = bv_audit_append(v->s, v->id, &ev, o->keys)) != BV_OK)
            goto out;
    }
    for (i = 0; i < ngrantees && st == BV_OK; i++)
        if ((st = bv_vault_put_grant(v, o, it, &gp[i], key)) == BV_OK)
            st = bv_vault_audit(v, o, BV_ACT_GRANT, b->name, it->uid, "ok", gp[i].name);
out:
    bv_buf_free(&kad);
    bv_buf_free(&w);
    bv_buf_free(&m);
    return st;
}

static bv_status
seal_tx(bv_vault *v, bv_actor *o, const char *board, int fd, const char *title,
    char *const *grantees, size_t ngrantees, const bv_item_link *link, const char *retain_until,
    struct staged *pre, const uint8_t *bk_in, int64_t bk_epoch, char uid[BV_UID_LEN + 1])
{
    bv_board_row b;
    bv_item_row it;
    uint8_t *bk = NULL, *dk = NULL;
    struct nameset gs = { 0 };
    bv_person_row *gp = NULL;
    bv_status st;

    bv_item_row_init(&it);
    if (ngrantees && (gp = calloc(ngrantees, sizeof *gp)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    if ((st = seal_check(v, o, board, title, grantees, ngrantees, &b, gp, &gs)) != BV_OK)
        goto out;
    if ((bk = bv_key_alloc()) == NULL || (!pre && (dk = bv_key_new()) == NULL)) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    /* the key was fetched before the transaction began (bv_item_seal):
     * a rotation since then is refused, never sealed under an old key */
    if (b.epoch != bk_epoch) {
        st = bv_fail(BV_ERR,
            "the key of board %s was rotated while the body was written; "
            "nothing was sealed: seal again",
            b.name);
        goto out;
    }
    memcpy(bk, bk_in, 32);
    it.board_id = b.id;
    snprintf(it.board, sizeof it.board, "%s", b.name);
    snprintf(it.title, sizeof it.title, "%s", title);
    snprintf(it.sealed_by, sizeof it.sealed_by, "%s", o->row.name);
    bv_utc_now(it.created);
    it.sealed_epoch = b.epoch;
    if (retain_until)
        snprintf(it.retain_until, sizeof it.retain_until, "%s", retain_until);
    if ((st = seal_body(v, &b, &it, fd, pre, dk)) != BV_OK
        || (st = seal_record(v, o, &b, &it, &gs, gp, ngrantees, link, pre ? pre->dk : dk, bk))
            != BV_OK)
        goto out;
    memcpy(uid, it.uid, sizeof it.uid);
out:
    bv_key_free(bk);
    bv_key_free(dk);
    free(gp);
    free(gs.v);
    bv_item_row_free(&it);
    return st;
}

bv_status
bv_item_seal_tx(bv_vault *v, bv_actor *o, const char *board, int fd, const char *title,
    char *const *grantees, size_t ngrantees, const bv_item_link *link, const char *retain_until,
    const uint8_t *bk, int64_t bk_epoch, char uid[BV_UID_LEN + 1])
{
    return seal_tx(
        v, o, board, fd, title, grantees, ngrantees, link, retain_until, NULL, bk, bk_epoch, uid);
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
    uint8_t *bk = NULL;
    bv_buf ad;
    bv_status st;
    int staged = 0, small;

    /* a file smaller than one batch goes in with its item, in one
     * transaction; anything larger, or of unknown size, is staged */
    small = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)
        && sb.st_size < (off_t)BV_STAGE_BATCH * (off_t)BV_CHUNK;
    memset(&pre, 0, sizeof pre);
    bv_buf_init(&pre.hashes);
    bv_buf_init(&ad);
    if (ngrantees && (gp = calloc(ngrantees, sizeof *gp)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    if ((bk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    /* refuse before writing a byte; the transaction below decides */
    if ((st = bv_store_begin_read(v->s)) != BV_OK)
        goto out;
    st = seal_check(v, o, board, title, grantees, ngrantees, &b, gp, NULL);
    bv_store_rollback(v->s);
    /* the board key before any write: a server that keeps the record
     * releases it, logged, only to a transaction that has written nothing */
    if (st == BV_OK)
        st = bv_vault_get_board_key(v, o, &b, bk);
    if (st == BV_EPERM) {
        st = bv_vault_refuse_item(v, o, BV_ACT_SEAL, board, NULL, st, "not-permitted");
        goto out;
    }
    if (st != BV_OK || (st = bv_vault_sweep(v, 0)) != BV_OK)
        goto out;
    if (small) {
        if ((st = bv_vault_begin(v)) != BV_OK)
            goto out;
        st = seal_tx(v, o, board, fd, title, grantees, ngrantees, link, retain_until, NULL, bk,
            b.epoch, uid);
        if (st != BV_OK) {
            bv_store_rollback(v->s);
            if (st == BV_EPERM)
                st = bv_vault_refuse_item(v, o, BV_ACT_SEAL, board, NULL, st, "not-permitted");
            goto out;
        }
        st = bv_store_commit(v->s);
        goto out;
    }
    if ((pre.dk = bv_key_new()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    bv_vault_new_uid(pre.uid);
    pre.epoch = b.epoch;
    bv_fmt_body_ad_of(&ad, v->id, b.name, pre.uid, b.epoch, 3);
    if ((st = bv_vault_oom(&ad)) != BV_OK
        || (st = bv_store_body_new(v->s, 1, &pre.d.body_id)) != BV_OK)
        goto out;
    staged = 1;
    pre.d.staging = 1;
    pre.d.key = pre.dk;
    pre.d.ad = ad.p;
    pre.d.adlen = ad.len;
    pre.d.hashes = &pre.hashes;
    pre.d.progress = v->progress;
    pre.d.total = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    if ((st = bv_body_seal(v->s, fd, &pre.d)) != BV_OK || (st = bv_vault_oom(&pre.hashes)) != BV_OK)
        goto out;
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    st = seal_tx(
        v, o, board, -1, title, grantees, ngrantees, link, retain_until, &pre, bk, b.epoch, uid);
    if (st != BV_OK) {
        bv_store_rollback(v->s);
        if (st == BV_EPERM)
            st = bv_vault_refuse_item(v, o, BV_ACT_SEAL, board, NULL, st, "not-permitted");
        goto out;
    }
    if ((st = bv_store_commit(v->s)) == BV_OK)
        staged = 0;
out:
    if (staged)
        bv_vault_unstage(v, pre.d.body_id, st);
    bv_key_free(bk);
    bv_key_free(pre.dk);
    bv_buf_free(&pre.hashes);
    bv_buf_free(&ad);
    free(gp);
    return st;
}

/* ---- open ---- */

/* Test-only (make e2e-pg builds boardvault-norecord): a client that
 * skips its `open` entry, to show that on a vault whose server keeps the
 * record it gets nothing to decrypt with. */
#ifdef BV_TEST_SKIP_OPEN_RECORD
static const int skip_record = 1;
#else
static const int skip_record = 0;
#endif

/* Who may open: an approved person of the board, not an auditor, named
 * in the item's signed grant set. The reason for the log in *why. */
static bv_status
open_entitled(
    bv_vault *v, bv_actor *a, const bv_board_row *b, const bv_item_row *it, const char **why)
{
    char role[16];
    bv_status st;

    *why = "integrity";
    if ((st = bv_vault_actor_ok(v, a)) != BV_OK) {
        *why = st == BV_EPERM ? "pending" : "integrity";
        return st;
    }
    if ((st = bv_vault_role_of(v, b, &a->row, role)) != BV_OK) {
        *why = st == BV_EPERM ? "not-on-board" : "integrity";
        return st;
    }
    if (strcmp(role, "auditor") == 0) {
        *why = "auditor";
        return bv_fail(BV_EPERM, "auditors cannot open items");
    }
    if ((st = bv_vault_grantset_check(v, b, it)) != BV_OK)
        return st;
    if (!bv_vault_names_has(it->gs_names.p, it->gs_names.len, a->row.name)) {
        *why = "no-grant";
        return bv_fail(BV_EPERM, "%s holds no grant of item %s", a->row.name, it->uid);
    }
    return BV_OK;
}

/* The grant k, checked (the item's seal, the granting officer's
 * signature) and opened with a's key into the data key dk. */
static bv_status
open_grant(bv_vault *v, bv_actor *a, const bv_board_row *b, const bv_item_row *it,
    const bv_keyrow *k, uint8_t dk[32])
{
    bv_person_row signer;
    bv_buf ctx, m;
    bv_status st;

    bv_buf_init(&ctx);
    bv_buf_init(&m);
    if ((st = bv_vault_item_check(v, b, it)) != BV_OK)
        return st;
    if (bv_vault_officer_of(v, b, k->by, 0) != BV_OK
        || bv_vault_person_ok(v, k->by, &signer, 0) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the grant of item %s was not made by an officer", it->uid);
    }
    bv_fmt_grant_sig(&m, v->id, b->name, it->uid, k);
    bv_fmt_grant_ctx(&ctx, v->id, b->name, it->uid, &a->row);
    st = bv_vault_verify(signer.sign_pk, &m, k->sig, k->sig_len);
    if (st == BV_OK && (st = bv_vault_oom(&ctx)) == BV_OK)
        st = bv_open_key(a->keys, ctx.p, ctx.len, k->sealed, k->sealed_len, dk);
    bv_buf_free(&ctx);
    bv_buf_free(&m);
    if (st == BV_EINTEGRITY)
        return bv_fail(BV_EINTEGRITY, "the grant of item %s does not verify", it->uid);
    return st;
}

/* Everything open checks before it records an access (a vault that
 * does not keep the record on its server). */
static bv_status
open_checks(bv_vault *v, bv_actor *a, const bv_board_row *b, const bv_item_row *it, uint8_t dk[32],
    const char **why)
{
    bv_keyrow k;
    bv_status st;

    if ((st = open_entitled(v, a, b, it, why)) != BV_OK)
        return st;
    st = bv_store_grant_get(v->s, it->id, a->row.id, &k);
    if (st == BV_ENOTFOUND) {
        *why = "no-grant";
        return bv_fail(BV_EPERM, "%s holds no grant of item %s", a->row.name, it->uid);
    }
    if (st != BV_OK)
        return st;
    *why = "integrity";
    return open_grant(v, a, b, it, &k, dk);
}

/*
 * On a vault that keeps the record on its server the order is the
 * server's: the signed `open` entry is committed through the store
 * (which refuses, and keeps its refusal, when a's login holds no grant),
 * and only then is the grant released, against that entry's seq. No
 * grant reaches this process without its committed entry.
 */
static bv_status
open_on_record(bv_vault *v, bv_actor *a, const bv_board_row *b, const bv_item_row *it,
    uint8_t dk[32], const char **why)
{
    bv_audit_event ev = { .actor = a->row.name,
        .actor_fp = a->fp,
        .action = BV_ACT_OPEN,
        .board = b->name,
        .item = it->uid,
        .outcome = "ok" };
    uint64_t seq = 0;
    bv_keyrow k;
    bv_status st;

    if ((st = open_entitled(v, a, b, it, why)) != BV_OK)
        return st;
    if (skip_record) {
        /* the grant read directly, else released against the newest entry */
        *why = "no-grant";
        if ((st = bv_store_grant_get(v->s, it->id, a->row.id, &k)) != BV_OK) {
            bv_err_clear();
            if ((st = bv_store_audit_last_seq(v->s, &seq)) != BV_OK
                || (st = bv_store_grant_release(v->s, it->uid, seq, &k)) != BV_OK)
                return st;
        }
        return open_grant(v, a, b, it, &k, dk);
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        return st;
    st = bv_audit_append_via(v->s, v->id, &ev, a->keys, bv_store_record_open, &seq);
    if (st == BV_EPERM) {
        /* the server's own refusal stands: commit it */
        *why = "no-grant";
        (void)bv_store_commit(v->s);
        return BV_EPERM;
    }
    if (st != BV_OK || (st = bv_store_commit(v->s)) != BV_OK) {
        bv_store_rollback(v->s);
        return st;
    }
    if ((st = bv_store_grant_release(v->s, it->uid, seq, &k)) != BV_OK) {
        *why = st == BV_EPERM ? "no-grant" : "integrity";
        return st;
    }
    *why = "integrity";
    return open_grant(v, a, b, it, &k, dk);
}

bv_status
bv_item_open(bv_vault *v, bv_actor *a, const char *uid, bv_out *out)
{
    bv_item_row it;
    bv_board_row b;
    uint8_t *dk = NULL;
    const char *why = NULL;
    bv_buf ad;
    int fmt;
    bv_status st;

    bv_item_row_init(&it);
    bv_buf_init(&ad);
    if ((st = bv_store_item_get(v->s, uid, &it)) != BV_OK) {
        if (st == BV_ENOTFOUND)
            bv_vault_refuse_item(v, a, BV_ACT_OPEN, NULL, uid, BV_ENOTFOUND, "not-found");
        goto out;
    }
    if ((st = bv_store_board_get(v->s, it.board, &b)) != BV_OK)
        goto out;
    if ((dk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if (bv_store_record_enforced(v->s))
        st = open_on_record(v, a, &b, &it, dk, &why);
    else
        st = open_checks(v, a, &b, &it, dk, &why);
    if (st != BV_OK) {
        bv_vault_refuse_item(v, a, BV_ACT_OPEN, b.name, uid, st, why);
        goto out;
    }
    /* The record of this access is durable before any plaintext exists
     * outside this process. If it cannot be committed, we stop here. */
    if (!bv_store_record_enforced(v->s) && !skip_record) {
        bv_audit_event ev = { .actor = a->row.name,
            .actor_fp = a->fp,
            .action = BV_ACT_OPEN,
            .board = b.name,
            .item = uid,
            .outcome = "ok" };
        if ((st = bv_vault_record(v, &ev, a->keys)) != BV_OK)
            goto out;
    }
    fmt = bv_fmt_body_format(it.header, it.header_len);
    bv_fmt_body_ad_of(&ad, v->id, b.name, uid, it.sealed_epoch, fmt);
    if ((st = bv_vault_oom(&ad)) == BV_OK) {
        bv_body_src src = { it.body_id, uid, dk, it.header, ad.p, it.chunk_hashes.p, ad.len,
            it.nchunks, v->progress, (uint64_t)it.size, fmt };
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
            bv_vault_refuse_item(v, a, BV_ACT_OPEN, b.name, uid, st, "destroyed");
        } else {
            bv_vault_refuse_item(v, a, BV_ACT_OPEN, b.name, uid, st, "integrity");
        }
        bv_item_row_free(&again);
    }
out:
    bv_key_free(dk);
    bv_item_row_free(&it);
    bv_buf_free(&ad);
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
    if ((st = bv_vault_actor_ok(v, o)) != BV_OK || (st = bv_store_item_get(v->s, uid, &it)) != BV_OK
        || (st = bv_store_board_get(v->s, it.board, &b)) != BV_OK)
        goto out;
    if ((st = bv_vault_officer_of(v, &b, o->row.name, 0)) != BV_OK) {
        st = bv_vault_refuse_item(v, o, BV_ACT_DESTROY, b.name, uid, st, "not-an-officer");
        goto out;
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    if ((st = bv_store_item_destroy(v->s, it.id)) != BV_OK
        || (st = bv_vault_audit(v, o, BV_ACT_DESTROY, b.name, uid, "ok", reason)) != BV_OK) {
        bv_store_rollback(v->s);
        goto out;
    }
    /* the body, now condemned; the destroy stands whatever the sweep finds */
    if ((st = bv_store_commit(v->s)) == BV_OK
        && (st = bv_vault_sweep(v, (uint64_t)it.size)) == BV_OK)
        bv_store_reclaim(v->s, 1);
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
            st = bv_vault_item_check(v, &b, &it);
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
