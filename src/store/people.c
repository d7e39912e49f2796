/*
 * store/people.c - persons, their roles on boards, removals, retired keys
 * and pending key changes.
 */
#define _GNU_SOURCE
#include "bv_sqlite.h"
#include "bv_minutes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- persons ---- */

#define PERSON_COLS "id, name, box_pk, sign_pk, secret, status, cert_by, cert_sig, created"

static bv_status
person_row(sqlite3_stmt *q, bv_person_row *p)
{
    bv_status st;
    const unsigned char *status;

    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(q, 0);
    status = sqlite3_column_text(q, 5);
    p->approved = status && strcmp((const char *)status, "approved") == 0;
    if ((st = bv_sqlite_col_text(q, 1, p->name, sizeof p->name)) != BV_OK
        || (st = bv_sqlite_col_blob_exact(q, 2, p->box_pk, 32)) != BV_OK
        || (st = bv_sqlite_col_blob_exact(q, 3, p->sign_pk, 32)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 4, p->secret, sizeof p->secret, &p->secret_len)) != BV_OK
        || (st = bv_sqlite_col_text(q, 6, p->cert_by, sizeof p->cert_by)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 7, p->cert_sig, sizeof p->cert_sig, &p->cert_sig_len))
            != BV_OK
        || (st = bv_sqlite_col_text(q, 8, p->created, sizeof p->created)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
person_cb(void *ctx, sqlite3_stmt *q)
{
    return person_row(q, ctx);
}

bv_status
bv_sqlite_person_get(bv_store *s, const char *name, bv_person_row *p)
{
    /* not found carries no message: callers word it (an unknown --as is
     * exit 3, an unknown member 6) */
    return bv_sqlite_one(s, "reading a member", person_cb, p,
        "SELECT " PERSON_COLS " FROM persons WHERE name = ?", "t", name);
}

bv_status
bv_sqlite_person_add(bv_store *s, const bv_person_row *p)
{
    return bv_sqlite_run(s, "adding a member",
        "INSERT INTO persons(name, box_pk, sign_pk, secret, status, cert_by, cert_sig, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "tbbbttBt", p->name, p->box_pk, (size_t)32, p->sign_pk, (size_t)32, p->secret,
        p->secret_len, p->approved ? "approved" : "pending", p->approved ? p->cert_by : NULL,
        p->approved ? (const void *)p->cert_sig : NULL, p->approved ? p->cert_sig_len : 0,
        p->created);
}

bv_status
bv_sqlite_person_certify(
    bv_store *s, const char *name, const char *by, const uint8_t *sig, size_t siglen)
{
    return bv_sqlite_run(s, "approving a member",
        "UPDATE persons SET status = 'approved', cert_by = ?, cert_sig = ? WHERE name = ?", "tbt",
        by, sig, siglen, name);
}

bv_status
bv_sqlite_person_set_secret(bv_store *s, int64_t id, const uint8_t *secret, size_t len)
{
    return bv_sqlite_run(s, "storing the re-wrapped keys",
        "UPDATE persons SET secret = ? WHERE id = ?", "bi", secret, len, id);
}

struct person_each {
    bv_status (*fn)(void *, const bv_person_row *);
    void *ctx;
};

static bv_status
person_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct person_each *e = ctx;
    bv_person_row p;
    bv_status st;

    return (st = person_row(q, &p)) != BV_OK ? st : e->fn(e->ctx, &p);
}

bv_status
bv_sqlite_person_each(bv_store *s, bv_status (*fn)(void *, const bv_person_row *), void *ctx)
{
    struct person_each e = { fn, ctx };

    return bv_sqlite_each(s, "listing members", person_each_cb, &e,
        "SELECT " PERSON_COLS " FROM persons ORDER BY name", NULL);
}

#define ROLE_SELECT                                                                                \
    "SELECT r.board_id, r.person_id, p.name, r.role, r.added_by, r.sig FROM roles r "              \
    "JOIN persons p ON p.id = r.person_id "

static bv_status
role_row(sqlite3_stmt *q, bv_role_row *r)
{
    bv_status st;

    memset(r, 0, sizeof *r);
    r->board_id = sqlite3_column_int64(q, 0);
    r->person_id = sqlite3_column_int64(q, 1);
    if ((st = bv_sqlite_col_text(q, 2, r->person, sizeof r->person)) != BV_OK
        || (st = bv_sqlite_col_text(q, 3, r->role, sizeof r->role)) != BV_OK
        || (st = bv_sqlite_col_text(q, 4, r->added_by, sizeof r->added_by)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 5, r->sig, sizeof r->sig, &r->sig_len)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
role_cb(void *ctx, sqlite3_stmt *q)
{
    return role_row(q, ctx);
}

bv_status
bv_sqlite_role_get(bv_store *s, int64_t board_id, int64_t person_id, bv_role_row *r)
{
    return bv_sqlite_one(s, "reading a board role", role_cb, r,
        ROLE_SELECT "WHERE r.board_id = ? AND r.person_id = ?", "ii", board_id, person_id);
}

bv_status
bv_sqlite_role_add(bv_store *s, const bv_role_row *r)
{
    return bv_sqlite_run(s, "adding a board role",
        "INSERT OR REPLACE INTO roles(board_id, person_id, role, added_by, sig) "
        "VALUES (?, ?, ?, ?, ?)",
        "iittb", r->board_id, r->person_id, r->role, r->added_by, r->sig, r->sig_len);
}

struct role_each {
    bv_status (*fn)(void *, const bv_role_row *);
    void *ctx;
};

static bv_status
role_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct role_each *e = ctx;
    bv_role_row r;
    bv_status st;

    return (st = role_row(q, &r)) != BV_OK ? st : e->fn(e->ctx, &r);
}

static bv_status
role_each(bv_store *s, const char *where, int64_t id, bv_status (*fn)(void *, const bv_role_row *),
    void *ctx)
{
    struct role_each e = { fn, ctx };
    char sql[512];

    snprintf(sql, sizeof sql, ROLE_SELECT "WHERE %s = ? ORDER BY r.board_id, p.name", where);
    return bv_sqlite_each(s, "listing board roles", role_each_cb, &e, sql, "i", id);
}

bv_status
bv_sqlite_role_each(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    return role_each(s, "r.board_id", board_id, fn, ctx);
}

bv_status
bv_sqlite_role_each_person(
    bv_store *s, int64_t person_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    return role_each(s, "r.person_id", person_id, fn, ctx);
}

/* ---- board membership changes and key rotation ---- */

struct removal_out {
    char *by;
    uint8_t *sig;
    size_t *siglen;
};

static bv_status
removal_cb(void *ctx, sqlite3_stmt *q)
{
    struct removal_out *o = ctx;
    bv_status st;

    if ((st = bv_sqlite_col_text(q, 0, o->by, BV_NAME_MAX + 1)) != BV_OK)
        return st;
    return bv_sqlite_col_blob(q, 1, o->sig, BV_BLOB_MAX, o->siglen);
}

bv_status
bv_sqlite_removal_get(bv_store *s, int64_t board_id, const char *name, char by[BV_NAME_MAX + 1],
    uint8_t *sig, size_t *siglen)
{
    struct removal_out o = { by, sig, siglen };

    return bv_sqlite_one(s, "reading removals", removal_cb, &o,
        "SELECT removed_by, sig FROM removals WHERE board_id = ? AND name = ?", "it", board_id,
        name);
}

bv_status
bv_sqlite_removal_set(bv_store *s, int64_t board_id, const char *name, const char *by,
    const uint8_t *sig, size_t siglen)
{
    if (by == NULL)
        return bv_sqlite_run(s, "clearing a removal",
            "DELETE FROM removals WHERE board_id = ? AND name = ?", "it", board_id, name);
    return bv_sqlite_run(s, "recording a removal",
        "INSERT OR REPLACE INTO removals(board_id, name, removed_by, sig) VALUES (?, ?, ?, ?)",
        "ittb", board_id, name, by, sig, siglen);
}

bv_status
bv_sqlite_role_delete(bv_store *s, int64_t board_id, int64_t person_id)
{
    return bv_sqlite_run(s, "removing a role",
        "DELETE FROM roles WHERE board_id = ? AND person_id = ?", "ii", board_id, person_id);
}

bv_status
bv_sqlite_retired_add(bv_store *s, const char *name, const uint8_t pk[32], const char *by,
    const uint8_t *sig, size_t siglen)
{
    return bv_sqlite_run(s, "retiring a key",
        "INSERT INTO retired_keys(name, sign_pk, retired_by, sig) VALUES (?, ?, ?, ?)", "tbtb",
        name, pk, (size_t)32, by, sig, siglen);
}

struct retired_each {
    bv_status (*fn)(
        void *, const char *, const uint8_t *, size_t, const char *, const uint8_t *, size_t);
    void *ctx;
};

static bv_status
retired_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct retired_each *e = ctx;

    return e->fn(e->ctx, bv_sqlite_col_str(q, 0), sqlite3_column_blob(q, 1),
        (size_t)sqlite3_column_bytes(q, 1), bv_sqlite_col_str(q, 2), sqlite3_column_blob(q, 3),
        (size_t)sqlite3_column_bytes(q, 3));
}

bv_status
bv_sqlite_retired_each(bv_store *s,
    bv_status (*fn)(void *, const char *name, const uint8_t *pk, size_t pklen, const char *by,
        const uint8_t *sig, size_t siglen),
    void *ctx)
{
    struct retired_each e = { fn, ctx };

    return bv_sqlite_each(s, "reading retired keys", retired_each_cb, &e,
        "SELECT name, sign_pk, retired_by, sig FROM retired_keys ORDER BY id", NULL);
}

/* ---- new keys a member asked for (member rekey) ---- */

bv_status
bv_sqlite_keychange_put(bv_store *s, int64_t person_id, const bv_keychange_row *k)
{
    return bv_sqlite_run(s, "storing new keys",
        "INSERT OR REPLACE INTO key_changes(person_id, box_pk, sign_pk, secret, sig, requested) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        "ibbbbt", person_id, k->box_pk, (size_t)32, k->sign_pk, (size_t)32, k->secret,
        k->secret_len, k->sig, k->sig_len, k->requested);
}

static bv_status
keychange_cb(void *ctx, sqlite3_stmt *q)
{
    bv_keychange_row *k = ctx;

    if (bv_sqlite_col_blob_exact(q, 0, k->box_pk, 32) != BV_OK
        || bv_sqlite_col_blob_exact(q, 1, k->sign_pk, 32) != BV_OK
        || bv_sqlite_col_blob(q, 2, k->secret, sizeof k->secret, &k->secret_len) != BV_OK
        || bv_sqlite_col_blob(q, 3, k->sig, sizeof k->sig, &k->sig_len) != BV_OK
        || bv_sqlite_col_text(q, 4, k->requested, sizeof k->requested) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the new keys waiting for approval are damaged");
    }
    return BV_OK;
}

bv_status
bv_sqlite_keychange_get(bv_store *s, int64_t person_id, bv_keychange_row *k)
{
    memset(k, 0, sizeof *k);
    return bv_sqlite_one(s, "reading new keys", keychange_cb, k,
        "SELECT box_pk, sign_pk, secret, sig, requested FROM key_changes WHERE person_id = ?", "i",
        person_id);
}

/* The person's keys become k's, certified by `by`; the request goes. */
bv_status
bv_sqlite_person_rekey(bv_store *s, int64_t person_id, const bv_keychange_row *k, const char *by,
    const uint8_t *cert_sig, size_t siglen)
{
    bv_status st;

    if ((st = bv_sqlite_run(s, "storing new keys",
             "UPDATE persons SET box_pk = ?, sign_pk = ?, secret = ?, cert_by = ?, cert_sig = ? "
             "WHERE id = ?",
             "bbbtbi", k->box_pk, (size_t)32, k->sign_pk, (size_t)32, k->secret, k->secret_len, by,
             cert_sig, siglen, person_id))
        != BV_OK)
        return st;
    return bv_sqlite_run(
        s, "storing new keys", "DELETE FROM key_changes WHERE person_id = ?", "i", person_id);
}

/* A reset person's row goes, with what hangs off it on every board. */
bv_status
bv_sqlite_person_drop(bv_store *s, int64_t person_id)
{
    static const char *const sql[] = {
        "DELETE FROM key_changes WHERE person_id = ?",
        "DELETE FROM grants WHERE person_id = ?",
        "DELETE FROM roles WHERE person_id = ?",
        "DELETE FROM board_keys WHERE person_id = ?",
        "DELETE FROM persons WHERE id = ?",
    };

    return bv_sqlite_each_with_id(
        s, sql, sizeof sql / sizeof sql[0], person_id, "resetting a member");
}
