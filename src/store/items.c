/*
 * store/items.c - items, their bodies (staging, live, condemned) and
 * chunks, the sweep, grant sets and grants.
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

#define ITEM_SELECT                                                                                \
    "SELECT i.id, i.uid, i.board_id, b.name, i.title, i.size, i.nchunks, i.sealed_epoch, "         \
    "i.header, i.chunk_hashes, i.sealed_by, i.sig, i.created, "                                    \
    "g.version, g.names, g.signed_by, g.sig, i.retain_until, i.body_id FROM items i "              \
    "JOIN boards b ON b.id = i.board_id LEFT JOIN grantsets g ON g.item_id = i.id "

bv_status
bv_sqlite_item_row(sqlite3_stmt *q, bv_item_row *it)
{
    bv_status st;
    int64_t size, nchunks;

    it->id = sqlite3_column_int64(q, 0);
    it->board_id = sqlite3_column_int64(q, 2);
    size = sqlite3_column_int64(q, 5);
    nchunks = sqlite3_column_int64(q, 6);
    if (size < 0 || nchunks < 1)
        return bv_fail(BV_EINTEGRITY, "item record has an impossible size");
    it->size = (uint64_t)size;
    it->nchunks = (uint64_t)nchunks;
    it->sealed_epoch = sqlite3_column_int64(q, 7);
    it->gs_version = sqlite3_column_int64(q, 13);
    it->body_id = sqlite3_column_int64(q, 18);
    if ((st = bv_sqlite_col_text(q, 1, it->uid, sizeof it->uid)) != BV_OK
        || (st = bv_sqlite_col_text(q, 3, it->board, sizeof it->board)) != BV_OK
        || (st = bv_sqlite_col_text(q, 4, it->title, sizeof it->title)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 8, it->header, sizeof it->header, &it->header_len)) != BV_OK
        || (st = bv_sqlite_col_buf(q, 9, &it->chunk_hashes)) != BV_OK
        || (st = bv_sqlite_col_text(q, 10, it->sealed_by, sizeof it->sealed_by)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 11, it->sig, sizeof it->sig, &it->sig_len)) != BV_OK
        || (st = bv_sqlite_col_text(q, 12, it->created, sizeof it->created)) != BV_OK
        || (st = bv_sqlite_col_buf(q, 14, &it->gs_names)) != BV_OK
        || (st = bv_sqlite_col_text(q, 15, it->gs_by, sizeof it->gs_by)) != BV_OK
        || (st = bv_sqlite_col_blob(q, 16, it->gs_sig, sizeof it->gs_sig, &it->gs_sig_len)) != BV_OK
        || (st = bv_sqlite_col_text(q, 17, it->retain_until, sizeof it->retain_until)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
item_cb(void *ctx, sqlite3_stmt *q)
{
    return bv_sqlite_item_row(q, ctx);
}

bv_status
bv_sqlite_item_get(bv_store *s, const char *uid, bv_item_row *it)
{
    bv_status st
        = bv_sqlite_one(s, "reading an item", item_cb, it, ITEM_SELECT "WHERE i.uid = ?", "t", uid);

    return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no item with id %s", uid) : st;
}

bv_status
bv_sqlite_item_add(bv_store *s, bv_item_row *it)
{
    bv_status st = bv_sqlite_run(s, "adding an item",
        "INSERT INTO items(uid, body_id, board_id, title, size, nchunks, sealed_epoch, header, "
        "chunk_hashes, sealed_by, sig, created, retain_until) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "tiitiiibbtbtt", it->uid, it->body_id, it->board_id, it->title, (int64_t)it->size,
        (int64_t)it->nchunks, it->sealed_epoch, it->header, it->header_len, it->chunk_hashes.p,
        it->chunk_hashes.len, it->sealed_by, it->sig, it->sig_len, it->created,
        it->retain_until[0] ? it->retain_until : NULL);

    if (st == BV_OK)
        it->id = sqlite3_last_insert_rowid(bv_sq(s)->db);
    return st;
}

struct item_each {
    bv_status (*fn)(void *, const bv_item_row *);
    void *ctx;
    bv_item_row it;
};

static bv_status
item_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct item_each *e = ctx;
    bv_status st;

    return (st = bv_sqlite_item_row(q, &e->it)) != BV_OK ? st : e->fn(e->ctx, &e->it);
}

bv_status
bv_sqlite_item_each(
    bv_store *s, const char *board, bv_status (*fn)(void *, const bv_item_row *), void *ctx)
{
    struct item_each e = { fn, ctx, { 0 } };
    bv_status st;

    bv_item_row_init(&e.it);
    st = bv_sqlite_each(s, "listing items", item_each_cb, &e,
        ITEM_SELECT "WHERE ?1 IS NULL OR b.name = ?1 ORDER BY b.name, i.id", "t", board);
    bv_item_row_free(&e.it);
    return st;
}

/* ---- bodies: see the comment on the bodies table ---- */

bv_status
bv_sqlite_body_new(bv_store *s, int staging, int64_t *id)
{
    char now[21];
    bv_status st;

    bv_utc_now(now);
    st = bv_sqlite_run(s, "starting a body", "INSERT INTO bodies(state, touched) VALUES (?, ?)",
        "tt", staging ? "staging" : "live", now);
    if (st == BV_OK)
        *id = sqlite3_last_insert_rowid(bv_sq(s)->db);
    return st;
}

/* One UPDATE of a body's state that must find the body in state `from`. */
static bv_status
body_move(bv_store *s, int64_t id, const char *from, const char *to, const char *what)
{
    char now[21];
    bv_status st;

    bv_utc_now(now);
    if ((st = bv_sqlite_run(s, what,
             "UPDATE bodies SET state = ?, touched = ? WHERE id = ? AND state = ?", "ttit", to, now,
             id, from))
        != BV_OK)
        return st;
    if (sqlite3_changes(bv_sq(s)->db) != 1)
        return bv_fail(BV_ERR,
            "the body being written was removed as abandoned (no progress for %d s); "
            "nothing was sealed: try again",
            BV_STAGE_STALE_S);
    return BV_OK;
}

bv_status
bv_sqlite_body_touch(bv_store *s, int64_t id)
{
    return body_move(s, id, "staging", "staging", "writing the body");
}

bv_status
bv_sqlite_body_adopt(bv_store *s, int64_t id)
{
    return body_move(s, id, "staging", "live", "storing the body");
}

bv_status
bv_sqlite_body_condemn(bv_store *s, int64_t id)
{
    char now[21];

    bv_utc_now(now);
    return bv_sqlite_run(s, "condemning a body",
        "UPDATE bodies SET state = 'condemned', touched = ? WHERE id = ?", "ti", now, id);
}

/* The next body to sweep: condemned, or staging and stale. 0 if none. */
static bv_status
id_cb(void *ctx, sqlite3_stmt *q)
{
    *(int64_t *)ctx = sqlite3_column_int64(q, 0);
    return BV_OK;
}

bv_status
bv_sqlite_sweep_next(bv_store *s, const char *stale, int64_t *id)
{
    bv_status st;

    *id = 0;
    st = bv_sqlite_one(s, "finding bodies to sweep", id_cb, id,
        "SELECT id FROM bodies WHERE state = 'condemned' "
        "OR (state = 'staging' AND touched < ?) LIMIT 1",
        "t", stale);
    return st == BV_ENOTFOUND ? BV_OK : st;
}

/* One batch of the body's chunks; with none left, the body. */
bv_status
bv_sqlite_sweep_step(bv_store *s, int64_t id, int *gone)
{
    bv_status st;

    *gone = 0;
    /* a file first: its row goes only once the file is gone, so a crash
     * in between leaves the row, and the sweep comes back for the file */
    if ((st = bv_sqlite_file_drop(s, id)) != BV_OK)
        return st;
    if ((st = bv_sqlite_run(s, "sweeping a body",
             "DELETE FROM chunks WHERE rowid IN (SELECT rowid FROM chunks "
             "WHERE body_id = ?1 LIMIT ?2)",
             "ii", id, (int64_t)BV_STAGE_BATCH))
        != BV_OK)
        return st;
    if (sqlite3_changes(bv_sq(s)->db) > 0)
        return BV_OK;
    *gone = 1;
    return bv_sqlite_run(s, "sweeping a body", "DELETE FROM bodies WHERE id = ?", "i", id);
}

bv_status
bv_sqlite_body_counts(bv_store *s, uint64_t *staging, uint64_t *condemned)
{
    int64_t a = 0, b = 0;
    bv_status st;

    if ((st = bv_sqlite_int(s, "SELECT count(*) FROM bodies WHERE state = 'staging'", &a)) == BV_OK)
        st = bv_sqlite_int(s, "SELECT count(*) FROM bodies WHERE state = 'condemned'", &b);
    *staging = (uint64_t)a;
    *condemned = (uint64_t)b;
    return st;
}

bv_status
bv_sqlite_chunk_put(bv_store *s, int64_t body_id, uint64_t idx, const uint8_t *p, size_t n)
{
    bv_status st;
    int taken;

    if ((st = bv_sqlite_file_put(s, body_id, idx, p, n, &taken)) != BV_OK || taken)
        return st;
    return bv_sqlite_run(s, "storing the body",
        "INSERT INTO chunks(body_id, idx, data) VALUES (?, ?, ?)", "iib", body_id, (int64_t)idx, p,
        n);
}

/* A chunk's row: its place, and its length (length() of a blob reads no
 * overflow page). */
struct chunk_at {
    int64_t rowid, idx, len;
};

static bv_status
chunk_at_cb(void *ctx, sqlite3_stmt *q)
{
    struct chunk_at *c = ctx;

    c->rowid = sqlite3_column_int64(q, 0);
    c->idx = sqlite3_column_int64(q, 1);
    c->len = sqlite3_column_int64(q, 2);
    return BV_OK;
}

bv_status
bv_sqlite_chunk_get(bv_store *s, int64_t body_id, uint64_t idx, uint8_t *p, size_t cap, size_t *n)
{
    struct chunk_at c = { 0, 0, 0 };
    sqlite3_blob *b = NULL;
    bv_status st;
    int rc, found;

    if (bv_sqlite_file_held(s, body_id))
        return bv_sqlite_file_get(s, body_id, idx, p, cap, n, &found);
    /* the row's place and length, then its bytes straight into p (see
     * bv_store_chunk_each) */
    st = bv_sqlite_one(s, "reading the body", chunk_at_cb, &c,
        "SELECT rowid, idx, length(data) FROM chunks WHERE body_id = ? AND idx = ?", "ii", body_id,
        (int64_t)idx);
    if (st == BV_ENOTFOUND) { /* no row: a body in a file, or a chunk missing */
        if ((st = bv_sqlite_file_get(s, body_id, idx, p, cap, n, &found)) != BV_OK || found)
            return st;
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is missing", (unsigned long long)idx);
    }
    if (st != BV_OK)
        return st;
    if (c.len < 0 || (uint64_t)c.len > cap)
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is too long", (unsigned long long)idx);
    *n = (size_t)c.len;
    if (c.len == 0)
        return BV_OK;
    /* blob streaming, which the statement helpers do not do: checked here */
    rc = sqlite3_blob_open(bv_sq(s)->db, "main", "chunks", "data", c.rowid, 0, &b);
    if (rc == SQLITE_OK)
        rc = sqlite3_blob_read(b, p, (int)c.len, 0);
    sqlite3_blob_close(b);
    return rc == SQLITE_OK ? BV_OK : bv_sqlite_err(s, rc, "reading the body");
}

/* bv_sqlite_chunk_each's walk over the rows: one blob handle, moved from
 * row to row. */
struct chunk_walk {
    bv_store *s;
    sqlite3_blob *b;
    bv_chunk_fn want;
    bv_chunk_done_fn got;
    void *ctx;
    int rows;
};

static bv_status
chunk_walk_cb(void *ctx, sqlite3_stmt *q)
{
    struct chunk_walk *w = ctx;
    struct chunk_at c;
    uint8_t *dst;
    bv_status st;
    int rc;

    (void)chunk_at_cb(&c, q);
    if (c.idx < 0 || c.len < 0 || c.len > INT_MAX)
        return bv_fail(BV_EINTEGRITY, "body chunk has a negative index or size");
    if ((st = w->want(w->ctx, (uint64_t)c.idx, (size_t)c.len, &dst)) != BV_OK)
        return st;
    if (c.len > 0) {
        rc = w->b ? sqlite3_blob_reopen(w->b, c.rowid)
                  : sqlite3_blob_open(bv_sq(w->s)->db, "main", "chunks", "data", c.rowid, 0, &w->b);
        if (rc == SQLITE_OK)
            rc = sqlite3_blob_read(w->b, dst, (int)c.len, 0);
        if (rc != SQLITE_OK)
            return bv_sqlite_err(w->s, rc, "reading the body");
    }
    if ((st = w->got(w->ctx, (uint64_t)c.idx, (size_t)c.len)) != BV_OK)
        return st;
    w->rows++;
    return BV_OK;
}

/*
 * Each chunk is read with sqlite3_blob_read straight into the buffer the
 * caller hands out for it: SQLite reads overflow pages that are not in
 * the WAL directly from the file into that buffer, where a column value
 * would be assembled in a buffer of its own and then copied again.
 */
bv_status
bv_sqlite_chunk_each(
    bv_store *s, int64_t body_id, bv_chunk_fn want, bv_chunk_done_fn got, void *ctx)
{
    struct chunk_walk w = { s, NULL, want, got, ctx, 0 };
    bv_status st;
    int found;

    st = bv_sqlite_each(s, "reading the body", chunk_walk_cb, &w,
        "SELECT rowid, idx, length(data) FROM chunks WHERE body_id = ? ORDER BY idx", "i", body_id);
    sqlite3_blob_close(w.b);
    /* no row: the body is a file, or none at all (and so truncated) */
    if (st == BV_OK && w.rows == 0)
        st = bv_sqlite_file_each(s, body_id, want, got, ctx, &found);
    return st;
}

bv_status
bv_sqlite_grantset_set(bv_store *s, int64_t item_id, int64_t version, const uint8_t *names,
    size_t nlen, const char *by, const uint8_t *sig, size_t siglen)
{
    return bv_sqlite_run(s, "storing the grant set",
        "INSERT OR REPLACE INTO grantsets(item_id, version, names, signed_by, sig) "
        "VALUES (?, ?, ?, ?, ?)",
        "iibtb", item_id, version, names, nlen, by, sig, siglen);
}

#define GRANT_SELECT                                                                               \
    "SELECT g.person_id, p.name, g.sealed, g.granted_by, g.sig FROM grants g "                     \
    "JOIN persons p ON p.id = g.person_id "

bv_status
bv_sqlite_grant_get(bv_store *s, int64_t item_id, int64_t person_id, bv_keyrow *k)
{
    return bv_sqlite_one(s, "reading a grant", bv_sqlite_key_cb, k,
        GRANT_SELECT "WHERE g.item_id = ? AND g.person_id = ?", "ii", item_id, person_id);
}

bv_status
bv_sqlite_grant_put(bv_store *s, int64_t item_id, const bv_keyrow *k)
{
    return bv_sqlite_run(s, "storing a grant",
        "INSERT OR REPLACE INTO grants(item_id, person_id, sealed, granted_by, sig) "
        "VALUES (?, ?, ?, ?, ?)",
        "iibtb", item_id, k->person_id, k->sealed, k->sealed_len, k->by, k->sig, k->sig_len);
}

bv_status
bv_sqlite_grant_delete(bv_store *s, int64_t item_id, int64_t person_id)
{
    return bv_sqlite_run(s, "revoking a grant",
        "DELETE FROM grants WHERE item_id = ? AND person_id = ?", "ii", item_id, person_id);
}

struct key_each {
    bv_status (*fn)(void *, const bv_keyrow *);
    void *ctx;
};

static bv_status
key_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct key_each *e = ctx;
    bv_keyrow k;
    bv_status st;

    return (st = bv_sqlite_key_row(q, &k)) != BV_OK ? st : e->fn(e->ctx, &k);
}

bv_status
bv_sqlite_grant_each(
    bv_store *s, int64_t item_id, bv_status (*fn)(void *, const bv_keyrow *), void *ctx)
{
    struct key_each e = { fn, ctx };

    return bv_sqlite_each(s, "listing grants", key_each_cb, &e,
        GRANT_SELECT "WHERE g.item_id = ? ORDER BY p.name", "i", item_id);
}

/* Crypto-shred an item: wrapped keys, grants, grant set, the row; the
 * body is condemned, for bv_store_body_sweep to delete after the commit.
 * secure_delete zeroes the freed pages; bv_store_reclaim returns them. */
bv_status
bv_sqlite_item_destroy(bv_store *s, int64_t item_id)
{
    static const char *const sql[] = {
        "UPDATE agenda SET item_id = NULL WHERE item_id = ?",
        "DELETE FROM grants WHERE item_id = ?",
        "DELETE FROM grantsets WHERE item_id = ?",
        "DELETE FROM item_keys WHERE item_id = ?",
        "UPDATE bodies SET state = 'condemned' WHERE id = (SELECT body_id FROM items WHERE id = ?)",
        "DELETE FROM items WHERE id = ?",
    };

    return bv_sqlite_each_with_id(
        s, sql, sizeof sql / sizeof sql[0], item_id, "destroying an item");
}

/* Items whose retention date is before `today` (YYYY-MM-DD). */
struct uid_board {
    bv_status (*fn)(void *, const char *, const char *);
    void *ctx;
};

static bv_status
uid_board_cb(void *ctx, sqlite3_stmt *q)
{
    struct uid_board *e = ctx;

    return e->fn(e->ctx, bv_sqlite_col_str(q, 0), bv_sqlite_col_str(q, 1));
}

bv_status
bv_sqlite_item_expired(bv_store *s, const char *today,
    bv_status (*fn)(void *, const char *uid, const char *board), void *ctx)
{
    struct uid_board e = { fn, ctx };

    return bv_sqlite_each(s, "listing expired items", uid_board_cb, &e,
        "SELECT i.uid, b.name FROM items i JOIN boards b ON b.id = i.board_id "
        "WHERE i.retain_until IS NOT NULL AND i.retain_until < ? ORDER BY i.id",
        "t", today);
}

/* A new seal signature over an unchanged item (an officer left). */
bv_status
bv_sqlite_item_resign(
    bv_store *s, int64_t item_id, const char *by, const uint8_t *sig, size_t siglen)
{
    return bv_sqlite_run(s, "re-signing an item",
        "UPDATE items SET sealed_by = ?, sig = ? WHERE id = ?", "tbi", by, sig, siglen, item_id);
}

bv_status
bv_sqlite_item_set_uid(bv_store *s, int64_t item_id, const char *uid)
{
    return bv_sqlite_run(
        s, "renaming an item", "UPDATE items SET uid = ? WHERE id = ?", "ti", uid, item_id);
}
