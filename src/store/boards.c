/*
 * store/boards.c - boards, their keys per epoch (sealed to officers), and
 * item keys wrapped under them; the epoch's move at a rotation.
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

/* ---- boards and roles ---- */

bv_status
bv_sqlite_board_row(sqlite3_stmt *q, bv_board_row *b)
{
    bv_status st;

    memset(b, 0, sizeof *b);
    b->id = sqlite3_column_int64(q, 0);
    b->epoch = sqlite3_column_int64(q, 2);
    if ((st = bv_sqlite_col_text(q, 1, b->name, sizeof b->name)) != BV_OK
        || (st = bv_sqlite_col_text(q, 3, b->created_by, sizeof b->created_by)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 4, b->sig, sizeof b->sig, &b->sig_len)) != BV_OK
        || (st = bv_sqlite_col_text(q, 5, b->created, sizeof b->created)) != BV_OK)
        return st;
    return BV_OK;
}

bv_status
bv_store_board_get(bv_store *s, const char *name, bv_board_row *b)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(
             s, "SELECT id, name, epoch, created_by, sig, created FROM boards WHERE name = ?", &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_text(q, 1, name);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = bv_sqlite_board_row(q, b);
    else if (rc == SQLITE_DONE)
        st = bv_fail(BV_ENOTFOUND, "no board named \"%s\"", name);
    else
        st = bv_sqlite_err(s, rc, "reading a board");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_board_add(bv_store *s, bv_board_row *b)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "INSERT INTO boards(name, epoch, created_by, sig, created) "
             "VALUES (?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_text(q, 1, b->name);
    sqlite3_bind_int64(q, 2, b->epoch);
    bv_sqlite_bind_text(q, 3, b->created_by);
    bv_sqlite_bind_blob(q, 4, b->sig, b->sig_len);
    bv_sqlite_bind_text(q, 5, b->created);
    if ((st = bv_sqlite_done(s, q, "creating a board")) != BV_OK)
        return st;
    b->id = sqlite3_last_insert_rowid(s->db);
    return BV_OK;
}

bv_status
bv_store_board_each(bv_store *s, bv_status (*fn)(void *, const bv_board_row *), void *ctx)
{
    sqlite3_stmt *q;
    bv_board_row b;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(
             s, "SELECT id, name, epoch, created_by, sig, created FROM boards ORDER BY name", &q))
        != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = bv_sqlite_board_row(q, &b)) != BV_OK || (st = fn(ctx, &b)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "listing boards");
    sqlite3_finalize(q);
    return st;
}

/* ---- wrapped keys: board keys and grants share the row shape ---- */

bv_status
bv_sqlite_key_row(sqlite3_stmt *q, bv_keyrow *k)
{
    bv_status st;

    memset(k, 0, sizeof *k);
    k->person_id = sqlite3_column_int64(q, 0);
    if ((st = bv_sqlite_col_text(q, 1, k->person, sizeof k->person)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 2, k->sealed, sizeof k->sealed, &k->sealed_len)) != BV_OK
        || (st = bv_sqlite_col_text(q, 3, k->by, sizeof k->by)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 4, k->sig, sizeof k->sig, &k->sig_len)) != BV_OK)
        return st;
    return BV_OK;
}

bv_status
bv_sqlite_key_get(bv_store *s, sqlite3_stmt *q, bv_keyrow *k, const char *what)
{
    bv_status st;
    int rc = sqlite3_step(q);

    if (rc == SQLITE_ROW)
        st = bv_sqlite_key_row(q, k);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND;
    else
        st = bv_sqlite_err(s, rc, what);
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_board_key_get(
    bv_store *s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "SELECT k.person_id, p.name, k.sealed, k.wrapped_by, k.sig FROM board_keys k "
             "JOIN persons p ON p.id = k.person_id "
             "WHERE k.board_id = ? AND k.epoch = ? AND k.person_id = ?",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    sqlite3_bind_int64(q, 3, person_id);
    return bv_sqlite_key_get(s, q, k, "reading a board key");
}

bv_status
bv_store_board_key_add(bv_store *s, int64_t board_id, int64_t epoch, const bv_keyrow *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s,
             "INSERT OR REPLACE INTO board_keys(board_id, epoch, person_id, sealed, "
             "wrapped_by, sig) VALUES (?, ?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    sqlite3_bind_int64(q, 3, k->person_id);
    bv_sqlite_bind_blob(q, 4, k->sealed, k->sealed_len);
    bv_sqlite_bind_text(q, 5, k->by);
    bv_sqlite_bind_blob(q, 6, k->sig, k->sig_len);
    return bv_sqlite_done(s, q, "storing a board key");
}

bv_status
bv_store_item_key_get(bv_store *s, int64_t item_id, int64_t epoch, uint8_t *w, size_t *wlen)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(
             s, "SELECT wrapped FROM item_keys WHERE item_id = ? AND epoch = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, epoch);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = bv_sqlite_col_blob(q, 0, w, BV_BLOB_MAX, wlen);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND;
    else
        st = bv_sqlite_err(s, rc, "reading an item key");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_item_key_set(bv_store *s, int64_t item_id, int64_t epoch, const uint8_t *w, size_t wlen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(
             s, "INSERT OR REPLACE INTO item_keys(item_id, epoch, wrapped) VALUES (?, ?, ?)", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, epoch);
    bv_sqlite_bind_blob(q, 3, w, wlen);
    return bv_sqlite_done(s, q, "storing an item key");
}

bv_status
bv_store_board_set_epoch(bv_store *s, int64_t board_id, int64_t epoch)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s, "UPDATE boards SET epoch = ? WHERE id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, epoch);
    sqlite3_bind_int64(q, 2, board_id);
    return bv_sqlite_done(s, q, "advancing the board key epoch");
}

/* Destroy every key of an old epoch: the wrapped board keys and the item
 * keys and every generation of minutes key wrapped under it
 * (secure_delete zeroes their pages). */
bv_status
bv_store_epoch_drop(bv_store *s, int64_t board_id, int64_t epoch)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s, "DELETE FROM board_keys WHERE board_id = ? AND epoch = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    if ((st = bv_sqlite_done(s, q, "destroying old board keys")) != BV_OK)
        return st;
    if ((st = bv_sqlite_prep(s,
             "DELETE FROM item_keys WHERE epoch = ? AND item_id IN "
             "(SELECT id FROM items WHERE board_id = ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, epoch);
    sqlite3_bind_int64(q, 2, board_id);
    if ((st = bv_sqlite_done(s, q, "destroying old item keys")) != BV_OK)
        return st;
    if ((st = bv_sqlite_prep(s, "DELETE FROM minutes_keys WHERE board_id = ? AND epoch = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    return bv_sqlite_done(s, q, "destroying the old minutes keys");
}

/* (id, uid) of every item of a board, for rotation and removal. */
bv_status
bv_store_board_items(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, int64_t, const char *), void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s, "SELECT id, uid FROM items WHERE board_id = ? ORDER BY id", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = fn(ctx, sqlite3_column_int64(q, 0), bv_sqlite_col_str(q, 1))) != BV_OK)
            break;
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "listing a board's items");
    sqlite3_finalize(q);
    return st;
}
