/*
 * store/pg/boards.c - boards, their keys per epoch (sealed to officers),
 * item keys wrapped under them, and the epoch's move at a rotation, on
 * PostgreSQL (as store/boards.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <string.h>

#define BOARD_COLS "id, name, epoch, created_by, sig, created"

static bv_status
board_row(const PGresult *r, int i, bv_board_row *b)
{
    bv_status st;

    memset(b, 0, sizeof *b);
    b->id = bv_pg_col_int(r, i, 0);
    b->epoch = bv_pg_col_int(r, i, 2);
    if ((st = bv_pg_col_text(r, i, 1, b->name, sizeof b->name)) != BV_OK
        || (st = bv_pg_col_text(r, i, 3, b->created_by, sizeof b->created_by)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 4, b->sig, sizeof b->sig, &b->sig_len)) != BV_OK
        || (st = bv_pg_col_text(r, i, 5, b->created, sizeof b->created)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
board_cb(void *ctx, const PGresult *r, int i)
{
    return board_row(r, i, ctx);
}

bv_status
bv_pg_board_get(bv_store *s, const char *name, bv_board_row *b)
{
    bv_status st = bv_pg_one(s, "reading a board", board_cb, b,
        "SELECT " BOARD_COLS " FROM boards WHERE name = $1", "t", name);

    return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no board named \"%s\"", name) : st;
}

bv_status
bv_pg_board_add(bv_store *s, bv_board_row *b)
{
    return bv_pg_one(s, "creating a board", bv_pg_id_cb, &b->id,
        "INSERT INTO boards(name, epoch, created_by, sig, created) VALUES ($1, $2, $3, $4, $5) "
        "RETURNING id",
        "titbt", b->name, b->epoch, b->created_by, b->sig, b->sig_len, b->created);
}

struct board_each {
    bv_status (*fn)(void *, const bv_board_row *);
    void *ctx;
};

static bv_status
board_each_cb(void *ctx, const PGresult *r, int i)
{
    struct board_each *e = ctx;
    bv_board_row b;
    bv_status st;

    return (st = board_row(r, i, &b)) != BV_OK ? st : e->fn(e->ctx, &b);
}

bv_status
bv_pg_board_each(bv_store *s, bv_status (*fn)(void *, const bv_board_row *), void *ctx)
{
    struct board_each e = { fn, ctx };

    return bv_pg_each(s, "listing boards", board_each_cb, &e,
        "SELECT " BOARD_COLS " FROM boards ORDER BY name COLLATE \"C\"", NULL);
}

/* ---- wrapped keys: board keys and grants share the row shape ---- */

bv_status
bv_pg_key_row(const PGresult *r, int i, bv_keyrow *k)
{
    bv_status st;

    memset(k, 0, sizeof *k);
    k->person_id = bv_pg_col_int(r, i, 0);
    if ((st = bv_pg_col_text(r, i, 1, k->person, sizeof k->person)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 2, k->sealed, sizeof k->sealed, &k->sealed_len)) != BV_OK
        || (st = bv_pg_col_text(r, i, 3, k->by, sizeof k->by)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 4, k->sig, sizeof k->sig, &k->sig_len)) != BV_OK)
        return st;
    return BV_OK;
}

bv_status
bv_pg_key_cb(void *ctx, const PGresult *r, int i)
{
    return bv_pg_key_row(r, i, ctx);
}

bv_status
bv_pg_board_key_get(bv_store *s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow *k)
{
    if (bv_pg_via_record(s))
        return bv_pg_board_key_release(s, board_id, epoch, person_id, k);
    return bv_pg_one(s, "reading a board key", bv_pg_key_cb, k,
        "SELECT k.person_id, p.name, k.sealed, k.wrapped_by, k.sig FROM board_keys k "
        "JOIN persons p ON p.id = k.person_id "
        "WHERE k.board_id = $1 AND k.epoch = $2 AND k.person_id = $3",
        "iii", board_id, epoch, person_id);
}

bv_status
bv_pg_board_key_add(bv_store *s, int64_t board_id, int64_t epoch, const bv_keyrow *k)
{
    bv_status st;

    /* a login that may not read key rows may not UPDATE them either: the
     * row goes and comes back (writing a key wrapped to someone is no
     * decryption) */
    if (bv_pg_via_record(s)) {
        if ((st = bv_pg_run(s, "storing a board key",
                 "DELETE FROM board_keys WHERE board_id = $1 AND epoch = $2 AND person_id = $3",
                 "iii", board_id, epoch, k->person_id))
            != BV_OK)
            return st;
        return bv_pg_run(s, "storing a board key",
            "INSERT INTO board_keys(board_id, epoch, person_id, sealed, wrapped_by, sig) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            "iiibtb", board_id, epoch, k->person_id, k->sealed, k->sealed_len, k->by, k->sig,
            k->sig_len);
    }
    return bv_pg_run(s, "storing a board key",
        "INSERT INTO board_keys(board_id, epoch, person_id, sealed, wrapped_by, sig) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (board_id, epoch, person_id) DO UPDATE "
        "SET sealed = excluded.sealed, wrapped_by = excluded.wrapped_by, sig = excluded.sig",
        "iiibtb", board_id, epoch, k->person_id, k->sealed, k->sealed_len, k->by, k->sig,
        k->sig_len);
}

struct blob_out {
    uint8_t *p;
    size_t *len;
};

static bv_status
wrapped_cb(void *ctx, const PGresult *r, int i)
{
    struct blob_out *o = ctx;

    return bv_pg_col_blob(r, i, 0, o->p, BV_BLOB_MAX, o->len);
}

bv_status
bv_pg_item_key_get(bv_store *s, int64_t item_id, int64_t epoch, uint8_t *w, size_t *wlen)
{
    struct blob_out o = { w, wlen };

    if (bv_pg_via_record(s))
        return bv_pg_item_key_release(s, item_id, epoch, w, wlen);
    return bv_pg_one(s, "reading an item key", wrapped_cb, &o,
        "SELECT wrapped FROM item_keys WHERE item_id = $1 AND epoch = $2", "ii", item_id, epoch);
}

bv_status
bv_pg_item_key_set(bv_store *s, int64_t item_id, int64_t epoch, const uint8_t *w, size_t wlen)
{
    bv_status st;

    if (bv_pg_via_record(s)) { /* as bv_pg_board_key_add */
        if ((st = bv_pg_run(s, "storing an item key",
                 "DELETE FROM item_keys WHERE item_id = $1 AND epoch = $2", "ii", item_id, epoch))
            != BV_OK)
            return st;
        return bv_pg_run(s, "storing an item key",
            "INSERT INTO item_keys(item_id, epoch, wrapped) VALUES ($1, $2, $3)", "iib", item_id,
            epoch, w, wlen);
    }
    return bv_pg_run(s, "storing an item key",
        "INSERT INTO item_keys(item_id, epoch, wrapped) VALUES ($1, $2, $3) "
        "ON CONFLICT (item_id, epoch) DO UPDATE SET wrapped = excluded.wrapped",
        "iib", item_id, epoch, w, wlen);
}

bv_status
bv_pg_board_set_epoch(bv_store *s, int64_t board_id, int64_t epoch)
{
    return bv_pg_run(s, "advancing the board key epoch",
        "UPDATE boards SET epoch = $1 WHERE id = $2", "ii", epoch, board_id);
}

/* Every key of an old epoch goes: the wrapped board keys, the item keys
 * and minutes keys wrapped under it (the dead row versions stay until
 * VACUUM: bv_store_reclaim, THREATS.md). */
bv_status
bv_pg_epoch_drop(bv_store *s, int64_t board_id, int64_t epoch)
{
    bv_status st;

    if ((st = bv_pg_run(s, "destroying old board keys",
             "DELETE FROM board_keys WHERE board_id = $1 AND epoch = $2", "ii", board_id, epoch))
            != BV_OK
        || (st = bv_pg_run(s, "destroying old item keys",
                "DELETE FROM item_keys WHERE epoch = $1 AND item_id IN "
                "(SELECT id FROM items WHERE board_id = $2)",
                "ii", epoch, board_id))
            != BV_OK)
        return st;
    return bv_pg_run(s, "destroying the old minutes keys",
        "DELETE FROM minutes_keys WHERE board_id = $1 AND epoch = $2", "ii", board_id, epoch);
}

struct id_uid {
    bv_status (*fn)(void *, int64_t, const char *);
    void *ctx;
};

static bv_status
id_uid_cb(void *ctx, const PGresult *r, int i)
{
    struct id_uid *e = ctx;

    return e->fn(e->ctx, bv_pg_col_int(r, i, 0), bv_pg_col_str(r, i, 1));
}

bv_status
bv_pg_board_items(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, int64_t, const char *), void *ctx)
{
    struct id_uid e = { fn, ctx };

    return bv_pg_each(s, "listing a board's items", id_uid_cb, &e,
        "SELECT id, uid FROM items WHERE board_id = $1 ORDER BY id", "i", board_id);
}
