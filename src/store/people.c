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

bv_status
bv_store_person_get(bv_store *s, const char *name, bv_person_row *p)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s, "SELECT " PERSON_COLS " FROM persons WHERE name = ?", &q)) != BV_OK)
        return st;
    bv_sqlite_bind_text(q, 1, name);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = person_row(q, p);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND; /* callers word it: unknown --as is 3, unknown member 6 */
    else
        st = bv_sqlite_err(s, rc, "reading a member");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_person_add(bv_store *s, const bv_person_row *p)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "INSERT INTO persons(name, box_pk, sign_pk, secret, status, cert_by, "
             "cert_sig, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_text(q, 1, p->name);
    bv_sqlite_bind_blob(q, 2, p->box_pk, 32);
    bv_sqlite_bind_blob(q, 3, p->sign_pk, 32);
    bv_sqlite_bind_blob(q, 4, p->secret, p->secret_len);
    bv_sqlite_bind_text(q, 5, p->approved ? "approved" : "pending");
    if (p->approved) {
        bv_sqlite_bind_text(q, 6, p->cert_by);
        bv_sqlite_bind_blob(q, 7, p->cert_sig, p->cert_sig_len);
    }
    bv_sqlite_bind_text(q, 8, p->created);
    return bv_sqlite_done(s, q, "adding a member");
}

bv_status
bv_store_person_certify(
    bv_store *s, const char *name, const char *by, const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "UPDATE persons SET status = 'approved', cert_by = ?, cert_sig = ? "
             "WHERE name = ?",
             &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_text(q, 1, by);
    bv_sqlite_bind_blob(q, 2, sig, siglen);
    bv_sqlite_bind_text(q, 3, name);
    return bv_sqlite_done(s, q, "approving a member");
}

bv_status
bv_store_person_set_secret(bv_store *s, int64_t id, const uint8_t *secret, size_t len)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s, "UPDATE persons SET secret = ? WHERE id = ?", &q)) != BV_OK)
        return st;
    bv_sqlite_bind_blob(q, 1, secret, len);
    sqlite3_bind_int64(q, 2, id);
    return bv_sqlite_done(s, q, "storing the re-wrapped keys");
}

bv_status
bv_store_person_each(bv_store *s, bv_status (*fn)(void *, const bv_person_row *), void *ctx)
{
    sqlite3_stmt *q;
    bv_person_row p;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s, "SELECT " PERSON_COLS " FROM persons ORDER BY name", &q)) != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = person_row(q, &p)) != BV_OK || (st = fn(ctx, &p)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "listing members");
    sqlite3_finalize(q);
    return st;
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

bv_status
bv_store_role_get(bv_store *s, int64_t board_id, int64_t person_id, bv_role_row *r)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s, ROLE_SELECT "WHERE r.board_id = ? AND r.person_id = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, person_id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = role_row(q, r);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND;
    else
        st = bv_sqlite_err(s, rc, "reading a board role");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_role_add(bv_store *s, const bv_role_row *r)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "INSERT OR REPLACE INTO roles(board_id, person_id, role, added_by, sig) "
             "VALUES (?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, r->board_id);
    sqlite3_bind_int64(q, 2, r->person_id);
    bv_sqlite_bind_text(q, 3, r->role);
    bv_sqlite_bind_text(q, 4, r->added_by);
    bv_sqlite_bind_blob(q, 5, r->sig, r->sig_len);
    return bv_sqlite_done(s, q, "adding a board role");
}

static bv_status
role_each(bv_store *s, const char *where, int64_t id, bv_status (*fn)(void *, const bv_role_row *),
    void *ctx)
{
    char sql[512];
    sqlite3_stmt *q;
    bv_role_row r;
    bv_status st;
    int rc;

    snprintf(sql, sizeof sql, ROLE_SELECT "WHERE %s = ? ORDER BY r.board_id, p.name", where);
    if ((st = bv_sqlite_prep(s, sql, &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = role_row(q, &r)) != BV_OK || (st = fn(ctx, &r)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "listing board roles");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_role_each(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    return role_each(s, "r.board_id", board_id, fn, ctx);
}

bv_status
bv_store_role_each_person(
    bv_store *s, int64_t person_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    return role_each(s, "r.person_id", person_id, fn, ctx);
}

/* ---- board membership changes and key rotation ---- */

bv_status
bv_store_removal_get(bv_store *s, int64_t board_id, const char *name, char by[BV_NAME_MAX + 1],
    uint8_t *sig, size_t *siglen)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(
             s, "SELECT removed_by, sig FROM removals WHERE board_id = ? AND name = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    bv_sqlite_bind_text(q, 2, name);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if ((st = bv_sqlite_col_text(q, 0, by, BV_NAME_MAX + 1)) == BV_OK)
            st = bv_sqlite_col_blob(q, 1, sig, BV_BLOB_MAX, siglen);
    } else {
        st = rc == SQLITE_DONE ? BV_ENOTFOUND : bv_sqlite_err(s, rc, "reading removals");
    }
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_removal_set(bv_store *s, int64_t board_id, const char *name, const char *by,
    const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if (by == NULL) {
        if ((st = bv_sqlite_prep(s, "DELETE FROM removals WHERE board_id = ? AND name = ?", &q))
            != BV_OK)
            return st;
        sqlite3_bind_int64(q, 1, board_id);
        bv_sqlite_bind_text(q, 2, name);
        return bv_sqlite_done(s, q, "clearing a removal");
    }
    if ((st = bv_sqlite_prep(s,
             "INSERT OR REPLACE INTO removals(board_id, name, removed_by, sig) "
             "VALUES (?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    bv_sqlite_bind_text(q, 2, name);
    bv_sqlite_bind_text(q, 3, by);
    bv_sqlite_bind_blob(q, 4, sig, siglen);
    return bv_sqlite_done(s, q, "recording a removal");
}

bv_status
bv_store_role_delete(bv_store *s, int64_t board_id, int64_t person_id)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s, "DELETE FROM roles WHERE board_id = ? AND person_id = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, person_id);
    return bv_sqlite_done(s, q, "removing a role");
}

bv_status
bv_store_retired_add(bv_store *s, const char *name, const uint8_t pk[32], const char *by,
    const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(
             s, "INSERT INTO retired_keys(name, sign_pk, retired_by, sig) VALUES (?,?,?,?)", &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_text(q, 1, name);
    bv_sqlite_bind_blob(q, 2, pk, 32);
    bv_sqlite_bind_text(q, 3, by);
    bv_sqlite_bind_blob(q, 4, sig, siglen);
    return bv_sqlite_done(s, q, "retiring a key");
}

bv_status
bv_store_retired_each(bv_store *s,
    bv_status (*fn)(void *, const char *name, const uint8_t *pk, size_t pklen, const char *by,
        const uint8_t *sig, size_t siglen),
    void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(
             s, "SELECT name, sign_pk, retired_by, sig FROM retired_keys ORDER BY id", &q))
        != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = fn(ctx, bv_sqlite_col_str(q, 0), sqlite3_column_blob(q, 1),
                 (size_t)sqlite3_column_bytes(q, 1), bv_sqlite_col_str(q, 2),
                 sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3)))
            != BV_OK)
            break;
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "reading retired keys");
    sqlite3_finalize(q);
    return st;
}

/* A reset person's row goes, with what hangs off it on every board. */
bv_status
bv_store_keychange_put(bv_store *s, int64_t person_id, const bv_keychange_row *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "INSERT OR REPLACE INTO key_changes(person_id, box_pk, sign_pk, secret, sig, "
             "requested) VALUES (?, ?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, person_id);
    bv_sqlite_bind_blob(q, 2, k->box_pk, 32);
    bv_sqlite_bind_blob(q, 3, k->sign_pk, 32);
    bv_sqlite_bind_blob(q, 4, k->secret, k->secret_len);
    bv_sqlite_bind_blob(q, 5, k->sig, k->sig_len);
    bv_sqlite_bind_text(q, 6, k->requested);
    return bv_sqlite_done(s, q, "storing new keys");
}

bv_status
bv_store_keychange_get(bv_store *s, int64_t person_id, bv_keychange_row *k)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    memset(k, 0, sizeof *k);
    if ((st = bv_sqlite_prep(s,
             "SELECT box_pk, sign_pk, secret, sig, requested FROM key_changes "
             "WHERE person_id = ?",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, person_id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (bv_sqlite_col_blob_exact(q, 0, k->box_pk, 32) != BV_OK
            || bv_sqlite_col_blob_exact(q, 1, k->sign_pk, 32) != BV_OK
            || bv_sqlite_col_blob(q, 2, k->secret, sizeof k->secret, &k->secret_len) != BV_OK
            || bv_sqlite_col_blob(q, 3, k->sig, sizeof k->sig, &k->sig_len) != BV_OK)
            st = bv_fail(BV_EINTEGRITY, "the new keys waiting for approval are damaged");
        else
            snprintf(k->requested, sizeof k->requested, "%s", bv_sqlite_col_str(q, 4));
    } else {
        st = rc == SQLITE_DONE ? BV_ENOTFOUND : bv_sqlite_err(s, rc, "reading new keys");
    }
    sqlite3_finalize(q);
    return st;
}

/* The person's keys become k's, certified by `by`; the request goes. */
bv_status
bv_store_person_rekey(bv_store *s, int64_t person_id, const bv_keychange_row *k, const char *by,
    const uint8_t *cert_sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "UPDATE persons SET box_pk = ?, sign_pk = ?, secret = ?, cert_by = ?, cert_sig = ? "
             "WHERE id = ?",
             &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_blob(q, 1, k->box_pk, 32);
    bv_sqlite_bind_blob(q, 2, k->sign_pk, 32);
    bv_sqlite_bind_blob(q, 3, k->secret, k->secret_len);
    bv_sqlite_bind_text(q, 4, by);
    bv_sqlite_bind_blob(q, 5, cert_sig, siglen);
    sqlite3_bind_int64(q, 6, person_id);
    if ((st = bv_sqlite_done(s, q, "storing new keys")) != BV_OK)
        return st;
    if ((st = bv_sqlite_prep(s, "DELETE FROM key_changes WHERE person_id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, person_id);
    return bv_sqlite_done(s, q, "storing new keys");
}

bv_status
bv_store_person_drop(bv_store *s, int64_t person_id)
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
