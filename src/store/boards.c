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

static bv_status
board_cb(void *ctx, sqlite3_stmt *q)
{
    return bv_sqlite_board_row(q, ctx);
}

#define BOARD_COLS "id, name, epoch, created_by, sig, created"

bv_status
bv_sqlite_board_get(bv_store *s, const char *name, bv_board_row *b)
{
    bv_status st = bv_sqlite_one(s, "reading a board", board_cb, b,
        "SELECT " BOARD_COLS " FROM boards WHERE name = ?", "t", name);

    return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no board named \"%s\"", name) : st;
}

bv_status
bv_sqlite_board_add(bv_store *s, bv_board_row *b)
{
    bv_status st = bv_sqlite_run(s, "creating a board",
        "INSERT INTO boards(name, epoch, created_by, sig, created) VALUES (?, ?, ?, ?, ?)", "titbt",
        b->name, b->epoch, b->created_by, b->sig, b->sig_len, b->created);

    if (st == BV_OK)
        b->id = sqlite3_last_insert_rowid(bv_sq(s)->db);
    return st;
}

struct board_each {
    bv_status (*fn)(void *, const bv_board_row *);
    void *ctx;
};

static bv_status
board_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct board_each *e = ctx;
    bv_board_row b;
    bv_status st;

    return (st = bv_sqlite_board_row(q, &b)) != BV_OK ? st : e->fn(e->ctx, &b);
}

bv_status
bv_sqlite_board_each(bv_store *s, bv_status (*fn)(void *, const bv_board_row *), void *ctx)
{
    struct board_each e = { fn, ctx };

    return bv_sqlite_each(s, "listing boards", board_each_cb, &e,
        "SELECT " BOARD_COLS " FROM boards ORDER BY name", NULL);
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
bv_sqlite_key_cb(void *ctx, sqlite3_stmt *q)
{
    return bv_sqlite_key_row(q, ctx);
}

bv_status
bv_sqlite_board_key_get(
    bv_store *s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow *k)
{
    return bv_sqlite_one(s, "reading a board key", bv_sqlite_key_cb, k,
        "SELECT k.person_id, p.name, k.sealed, k.wrapped_by, k.sig FROM board_keys k "
        "JOIN persons p ON p.id = k.person_id "
        "WHERE k.board_id = ? AND k.epoch = ? AND k.person_id = ?",
        "iii", board_id, epoch, person_id);
}

bv_status
bv_sqlite_board_key_add(bv_store *s, int64_t board_id, int64_t epoch, const bv_keyrow *k)
{
    return bv_sqlite_run(s, "storing a board key",
        "INSERT OR REPLACE INTO board_keys(board_id, epoch, person_id, sealed, wrapped_by, sig) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        "iiibtb", board_id, epoch, k->person_id, k->sealed, k->sealed_len, k->by, k->sig,
        k->sig_len);
}

struct blob_out {
    uint8_t *p;
    size_t *len;
};

static bv_status
wrapped_cb(void *ctx, sqlite3_stmt *q)
{
    struct blob_out *o = ctx;

    return bv_sqlite_col_blob(q, 0, o->p, BV_BLOB_MAX, o->len);
}

bv_status
bv_sqlite_item_key_get(bv_store *s, int64_t item_id, int64_t epoch, uint8_t *w, size_t *wlen)
{
    struct blob_out o = { w, wlen };

    return bv_sqlite_one(s, "reading an item key", wrapped_cb, &o,
        "SELECT wrapped FROM item_keys WHERE item_id = ? AND epoch = ?", "ii", item_id, epoch);
}

bv_status
bv_sqlite_item_key_set(bv_store *s, int64_t item_id, int64_t epoch, const uint8_t *w, size_t wlen)
{
    return bv_sqlite_run(s, "storing an item key",
        "INSERT OR REPLACE INTO item_keys(item_id, epoch, wrapped) VALUES (?, ?, ?)", "iib",
        item_id, epoch, w, wlen);
}

bv_status
bv_sqlite_board_set_epoch(bv_store *s, int64_t board_id, int64_t epoch)
{
    return bv_sqlite_run(s, "advancing the board key epoch",
        "UPDATE boards SET epoch = ? WHERE id = ?", "ii", epoch, board_id);
}

/* Destroy every key of an old epoch: the wrapped board keys and the item
 * keys and every generation of minutes key wrapped under it
 * (secure_delete zeroes their pages). */
bv_status
bv_sqlite_epoch_drop(bv_store *s, int64_t board_id, int64_t epoch)
{
    bv_status st;

    if ((st = bv_sqlite_run(s, "destroying old board keys",
             "DELETE FROM board_keys WHERE board_id = ? AND epoch = ?", "ii", board_id, epoch))
            != BV_OK
        || (st = bv_sqlite_run(s, "destroying old item keys",
                "DELETE FROM item_keys WHERE epoch = ? AND item_id IN "
                "(SELECT id FROM items WHERE board_id = ?)",
                "ii", epoch, board_id))
            != BV_OK)
        return st;
    return bv_sqlite_run(s, "destroying the old minutes keys",
        "DELETE FROM minutes_keys WHERE board_id = ? AND epoch = ?", "ii", board_id, epoch);
}

struct id_uid {
    bv_status (*fn)(void *, int64_t, const char *);
    void *ctx;
};

static bv_status
id_uid_cb(void *ctx, sqlite3_stmt *q)
{
    struct id_uid *e = ctx;

    return e->fn(e->ctx, sqlite3_column_int64(q, 0), bv_sqlite_col_str(q, 1));
}

/* (id, uid) of every item of a board, for rotation and removal. */
bv_status
bv_sqlite_board_items(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, int64_t, const char *), void *ctx)
{
    struct id_uid e = { fn, ctx };

    return bv_sqlite_each(s, "listing a board's items", id_uid_cb, &e,
        "SELECT id, uid FROM items WHERE board_id = ? ORDER BY id", "i", board_id);
}
