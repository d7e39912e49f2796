/*
 * store/pg/items.c - items, their bodies (staging, live, condemned) and
 * chunks, the sweep, grant sets and grants, on PostgreSQL (as
 * store/items.c). A chunk is one BYTEA row, stored uncompressed.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_SELECT                                                                                \
    "SELECT i.id, i.uid, i.board_id, b.name, i.title, i.size, i.nchunks, i.sealed_epoch, "         \
    "i.header, i.chunk_hashes, i.sealed_by, i.sig, i.created, "                                    \
    "g.version, g.names, g.signed_by, g.sig, i.retain_until, i.body_id FROM items i "              \
    "JOIN boards b ON b.id = i.board_id LEFT JOIN grantsets g ON g.item_id = i.id "

static bv_status
item_row(const PGresult *r, int i, bv_item_row *it)
{
    bv_status st;
    int64_t size = bv_pg_col_int(r, i, 5), nchunks = bv_pg_col_int(r, i, 6);

    it->id = bv_pg_col_int(r, i, 0);
    it->board_id = bv_pg_col_int(r, i, 2);
    if (size < 0 || nchunks < 1)
        return bv_fail(BV_EINTEGRITY, "item record has an impossible size");
    it->size = (uint64_t)size;
    it->nchunks = (uint64_t)nchunks;
    it->sealed_epoch = bv_pg_col_int(r, i, 7);
    it->gs_version = bv_pg_col_int(r, i, 13);
    it->body_id = bv_pg_col_int(r, i, 18);
    if ((st = bv_pg_col_text(r, i, 1, it->uid, sizeof it->uid)) != BV_OK
        || (st = bv_pg_col_text(r, i, 3, it->board, sizeof it->board)) != BV_OK
        || (st = bv_pg_col_text(r, i, 4, it->title, sizeof it->title)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 8, it->header, sizeof it->header, &it->header_len)) != BV_OK
        || (st = bv_pg_col_buf(r, i, 9, &it->chunk_hashes)) != BV_OK
        || (st = bv_pg_col_text(r, i, 10, it->sealed_by, sizeof it->sealed_by)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 11, it->sig, sizeof it->sig, &it->sig_len)) != BV_OK
        || (st = bv_pg_col_text(r, i, 12, it->created, sizeof it->created)) != BV_OK
        || (st = bv_pg_col_buf(r, i, 14, &it->gs_names)) != BV_OK
        || (st = bv_pg_col_text(r, i, 15, it->gs_by, sizeof it->gs_by)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 16, it->gs_sig, sizeof it->gs_sig, &it->gs_sig_len)) != BV_OK
        || (st = bv_pg_col_text(r, i, 17, it->retain_until, sizeof it->retain_until)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
item_cb(void *ctx, const PGresult *r, int i)
{
    return item_row(r, i, ctx);
}

bv_status
bv_pg_item_get(bv_store *s, const char *uid, bv_item_row *it)
{
    bv_status st
        = bv_pg_one(s, "reading an item", item_cb, it, ITEM_SELECT "WHERE i.uid = $1", "t", uid);

    return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no item with id %s", uid) : st;
}

bv_status
bv_pg_item_add(bv_store *s, bv_item_row *it)
{
    return bv_pg_one(s, "adding an item", bv_pg_id_cb, &it->id,
        "INSERT INTO items(uid, body_id, board_id, title, size, nchunks, sealed_epoch, header, "
        "chunk_hashes, sealed_by, sig, created, retain_until) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        "tiitiiibbtbtt", it->uid, it->body_id, it->board_id, it->title, (int64_t)it->size,
        (int64_t)it->nchunks, it->sealed_epoch, it->header, it->header_len, it->chunk_hashes.p,
        it->chunk_hashes.len, it->sealed_by, it->sig, it->sig_len, it->created,
        it->retain_until[0] ? it->retain_until : NULL);
}

struct item_each {
    bv_status (*fn)(void *, const bv_item_row *);
    void *ctx;
    bv_item_row it;
};

static bv_status
item_each_cb(void *ctx, const PGresult *r, int i)
{
    struct item_each *e = ctx;
    bv_status st;

    return (st = item_row(r, i, &e->it)) != BV_OK ? st : e->fn(e->ctx, &e->it);
}

bv_status
bv_pg_item_each(
    bv_store *s, const char *board, bv_status (*fn)(void *, const bv_item_row *), void *ctx)
{
    struct item_each e = { fn, ctx, { 0 } };
    bv_status st;

    bv_item_row_init(&e.it);
    st = bv_pg_each(s, "listing items", item_each_cb, &e,
        ITEM_SELECT "WHERE $1::text IS NULL OR b.name = $1 ORDER BY b.name COLLATE \"C\", i.id",
        "t", board);
    bv_item_row_free(&e.it);
    return st;
}

/* ---- bodies: see the comment on the bodies table (store/schema.c) ---- */

bv_status
bv_pg_body_new(bv_store *s, int staging, int64_t *id)
{
    char now[21];

    bv_utc_now(now);
    return bv_pg_one(s, "starting a body", bv_pg_id_cb, id,
        "INSERT INTO bodies(state, touched) VALUES ($1, $2) RETURNING id", "tt",
        staging ? "staging" : "live", now);
}

/* One UPDATE of a body's state that must find the body in state `from`. */
static bv_status
body_move(bv_store *s, int64_t id, const char *from, const char *to, const char *what)
{
    char now[21];
    bv_status st;

    bv_utc_now(now);
    if ((st = bv_pg_run(s, what,
             "UPDATE bodies SET state = $1, touched = $2 WHERE id = $3 AND state = $4", "ttit", to,
             now, id, from))
        != BV_OK)
        return st;
    if (bv_pg_changes(s) != 1)
        return bv_fail(BV_ERR,
            "the body being written was removed as abandoned (no progress for %d s); "
            "nothing was sealed: try again",
            BV_STAGE_STALE_S);
    return BV_OK;
}

bv_status
bv_pg_body_touch(bv_store *s, int64_t id)
{
    return body_move(s, id, "staging", "staging", "writing the body");
}

bv_status
bv_pg_body_adopt(bv_store *s, int64_t id)
{
    return body_move(s, id, "staging", "live", "storing the body");
}

bv_status
bv_pg_body_condemn(bv_store *s, int64_t id)
{
    char now[21];

    bv_utc_now(now);
    return bv_pg_run(s, "condemning a body",
        "UPDATE bodies SET state = 'condemned', touched = $1 WHERE id = $2", "ti", now, id);
}

/* The next body to sweep: condemned, or staging and stale. 0 if none. */
bv_status
bv_pg_sweep_next(bv_store *s, const char *stale, int64_t *id)
{
    bv_status st;

    *id = 0;
    st = bv_pg_one(s, "finding bodies to sweep", bv_pg_id_cb, id,
        "SELECT id FROM bodies WHERE state = 'condemned' "
        "OR (state = 'staging' AND touched < $1 COLLATE \"C\") LIMIT 1",
        "t", stale);
    return st == BV_ENOTFOUND ? BV_OK : st;
}

/* One batch of the body's chunks; with none left, the body. */
bv_status
bv_pg_sweep_step(bv_store *s, int64_t id, int *gone)
{
    bv_status st;

    *gone = 0;
    if ((st = bv_pg_run(s, "sweeping a body",
             "DELETE FROM chunks WHERE body_id = $1 AND idx IN (SELECT idx FROM chunks "
             "WHERE body_id = $1 ORDER BY idx LIMIT $2)",
             "ii", id, (int64_t)BV_STAGE_BATCH))
        != BV_OK)
        return st;
    if (bv_pg_changes(s) > 0)
        return BV_OK;
    *gone = 1;
    return bv_pg_run(s, "sweeping a body", "DELETE FROM bodies WHERE id = $1", "i", id);
}

/* ---- chunks ---- */

bv_status
bv_pg_chunk_put(bv_store *s, int64_t body_id, uint64_t idx, const uint8_t *p, size_t n)
{
    return bv_pg_run(s, "storing the body",
        "INSERT INTO chunks(body_id, idx, data) VALUES ($1, $2, $3)", "iib", body_id, (int64_t)idx,
        p, n);
}

struct chunk_out {
    uint64_t idx;
    uint8_t *p;
    size_t cap, *n;
};

static bv_status
chunk_cb(void *ctx, const PGresult *r, int i)
{
    struct chunk_out *o = ctx;
    size_t len;
    const uint8_t *d = bv_pg_col_bytes(r, i, 0, &len);

    if (len > o->cap)
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is too long", (unsigned long long)o->idx);
    if (len)
        memcpy(o->p, d, len);
    *o->n = len;
    return BV_OK;
}

bv_status
bv_pg_chunk_get(bv_store *s, int64_t body_id, uint64_t idx, uint8_t *p, size_t cap, size_t *n)
{
    struct chunk_out o = { idx, p, cap, n };
    bv_status st = bv_pg_one(s, "reading the body", chunk_cb, &o,
        "SELECT data FROM chunks WHERE body_id = $1 AND idx = $2", "ii", body_id, (int64_t)idx);

    if (st == BV_ENOTFOUND)
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is missing", (unsigned long long)idx);
    return st;
}

/* The chunks' indexes and sizes; octet_length reads no TOASTed value. */
struct chunk_list {
    struct chunk_at {
        int64_t idx, len;
    } * v;
    size_t n, cap;
};

static bv_status
chunk_list_cb(void *ctx, const PGresult *r, int i)
{
    struct chunk_list *l = ctx;
    struct chunk_at *e = bv_grow(&l->v, &l->n, &l->cap, sizeof *l->v);

    if (e == NULL)
        return BV_ERR;
    e->idx = bv_pg_col_int(r, i, 0);
    e->len = bv_pg_col_int(r, i, 1);
    return BV_OK;
}

/*
 * The chunks one statement each, in index order, each straight into the
 * buffer the caller hands out for it: one chunk in memory at a time,
 * where one result for the whole body would hold all of it.
 */
bv_status
bv_pg_chunk_each(bv_store *s, int64_t body_id, bv_chunk_fn want, bv_chunk_done_fn got, void *ctx)
{
    struct chunk_list l = { NULL, 0, 0 };
    uint8_t *dst;
    size_t i, n;
    bv_status st;

    st = bv_pg_each(s, "reading the body", chunk_list_cb, &l,
        "SELECT idx, octet_length(data) FROM chunks WHERE body_id = $1 ORDER BY idx", "i", body_id);
    for (i = 0; st == BV_OK && i < l.n; i++) {
        const struct chunk_at *c = &l.v[i];
        if (c->idx < 0 || c->len < 0 || c->len > INT_MAX) {
            st = bv_fail(BV_EINTEGRITY, "body chunk has a negative index or size");
            break;
        }
        if ((st = want(ctx, (uint64_t)c->idx, (size_t)c->len, &dst)) != BV_OK
            || (st = bv_pg_chunk_get(s, body_id, (uint64_t)c->idx, dst, (size_t)c->len, &n))
                != BV_OK)
            break;
        st = got(ctx, (uint64_t)c->idx, n);
    }
    free(l.v);
    return st;
}

/* ---- grant sets and grants ---- */

bv_status
bv_pg_grantset_set(bv_store *s, int64_t item_id, int64_t version, const uint8_t *names, size_t nlen,
    const char *by, const uint8_t *sig, size_t siglen)
{
    return bv_pg_run(s, "storing the grant set",
        "INSERT INTO grantsets(item_id, version, names, signed_by, sig) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (item_id) DO UPDATE SET "
        "version = excluded.version, names = excluded.names, signed_by = excluded.signed_by, "
        "sig = excluded.sig",
        "iibtb", item_id, version, names, nlen, by, sig, siglen);
}

#define GRANT_SELECT                                                                               \
    "SELECT g.person_id, p.name, g.sealed, g.granted_by, g.sig FROM grants g "                     \
    "JOIN persons p ON p.id = g.person_id "

bv_status
bv_pg_grant_get(bv_store *s, int64_t item_id, int64_t person_id, bv_keyrow *k)
{
    return bv_pg_one(s, "reading a grant", bv_pg_key_cb, k,
        GRANT_SELECT "WHERE g.item_id = $1 AND g.person_id = $2", "ii", item_id, person_id);
}

bv_status
bv_pg_grant_put(bv_store *s, int64_t item_id, const bv_keyrow *k)
{
    bv_status st;

    if (bv_pg_via_record(s)) { /* as bv_pg_board_key_add */
        if ((st = bv_pg_run(s, "storing a grant",
                 "DELETE FROM grants WHERE item_id = $1 AND person_id = $2", "ii", item_id,
                 k->person_id))
            != BV_OK)
            return st;
        return bv_pg_run(s, "storing a grant",
            "INSERT INTO grants(item_id, person_id, sealed, granted_by, sig) "
            "VALUES ($1, $2, $3, $4, $5)",
            "iibtb", item_id, k->person_id, k->sealed, k->sealed_len, k->by, k->sig, k->sig_len);
    }
    return bv_pg_run(s, "storing a grant",
        "INSERT INTO grants(item_id, person_id, sealed, granted_by, sig) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (item_id, person_id) DO UPDATE SET "
        "sealed = excluded.sealed, granted_by = excluded.granted_by, sig = excluded.sig",
        "iibtb", item_id, k->person_id, k->sealed, k->sealed_len, k->by, k->sig, k->sig_len);
}

bv_status
bv_pg_grant_delete(bv_store *s, int64_t item_id, int64_t person_id)
{
    return bv_pg_run(s, "revoking a grant",
        "DELETE FROM grants WHERE item_id = $1 AND person_id = $2", "ii", item_id, person_id);
}

struct key_each {
    bv_status (*fn)(void *, const bv_keyrow *);
    void *ctx;
    int released; /* release_grants' first row, of NULLs, was seen */
};

static bv_status
key_each_cb(void *ctx, const PGresult *r, int i)
{
    struct key_each *e = ctx;
    bv_keyrow k;
    bv_status st;

    if (PQgetisnull(r, i, 0)) {
        e->released = 1;
        return BV_OK;
    }
    return (st = bv_pg_key_row(r, i, &k)) != BV_OK ? st : e->fn(e->ctx, &k);
}

bv_status
bv_pg_grant_each(
    bv_store *s, int64_t item_id, bv_status (*fn)(void *, const bv_keyrow *), void *ctx)
{
    struct key_each e = { fn, ctx, 0 };
    bv_status st;

    /* the grants, each sealed to its holder, through the record */
    if (bv_pg_via_record(s)) {
        st = bv_pg_each(s, "listing grants", key_each_cb, &e,
            "SELECT r_person, r_name, r_sealed, r_by, r_sig FROM release_grants($1)", "i", item_id);
        if (st == BV_OK && !e.released)
            st = bv_fail(
                BV_EPERM, "the vault server released no grants of this item to this login");
        return st;
    }
    return bv_pg_each(s, "listing grants", key_each_cb, &e,
        GRANT_SELECT "WHERE g.item_id = $1 ORDER BY p.name COLLATE \"C\"", "i", item_id);
}

/* Crypto-shred an item: wrapped keys, grants, grant set, the row; the
 * body is condemned, for bv_store_body_sweep to delete after the commit. */
bv_status
bv_pg_item_destroy(bv_store *s, int64_t item_id)
{
    static const char *const sql[] = {
        "UPDATE agenda SET item_id = NULL WHERE item_id = $1",
        "DELETE FROM grants WHERE item_id = $1",
        "DELETE FROM grantsets WHERE item_id = $1",
        "DELETE FROM item_keys WHERE item_id = $1",
        "UPDATE bodies SET state = 'condemned' WHERE id = "
        "(SELECT body_id FROM items WHERE id = $1)",
        "DELETE FROM items WHERE id = $1",
    };
    bv_status st = BV_OK;
    size_t i;

    for (i = 0; st == BV_OK && i < sizeof sql / sizeof sql[0]; i++)
        st = bv_pg_run(s, "destroying an item", sql[i], "i", item_id);
    return st;
}

struct uid_board {
    bv_status (*fn)(void *, const char *, const char *);
    void *ctx;
};

static bv_status
uid_board_cb(void *ctx, const PGresult *r, int i)
{
    struct uid_board *e = ctx;

    return e->fn(e->ctx, bv_pg_col_str(r, i, 0), bv_pg_col_str(r, i, 1));
}

/* Items whose retention date is before `today` (YYYY-MM-DD). */
bv_status
bv_pg_item_expired(bv_store *s, const char *today,
    bv_status (*fn)(void *, const char *uid, const char *board), void *ctx)
{
    struct uid_board e = { fn, ctx };

    return bv_pg_each(s, "listing expired items", uid_board_cb, &e,
        "SELECT i.uid, b.name FROM items i JOIN boards b ON b.id = i.board_id "
        "WHERE i.retain_until IS NOT NULL AND i.retain_until < $1 COLLATE \"C\" ORDER BY i.id",
        "t", today);
}

/* A new seal signature over an unchanged item (an officer left). */
bv_status
bv_pg_item_resign(bv_store *s, int64_t item_id, const char *by, const uint8_t *sig, size_t siglen)
{
    return bv_pg_run(s, "re-signing an item",
        "UPDATE items SET sealed_by = $1, sig = $2 WHERE id = $3", "tbi", by, sig, siglen, item_id);
}

bv_status
bv_pg_item_set_uid(bv_store *s, int64_t item_id, const char *uid)
{
    return bv_pg_run(
        s, "renaming an item", "UPDATE items SET uid = $1 WHERE id = $2", "ti", uid, item_id);
}

bv_status
bv_pg_body_counts(bv_store *s, uint64_t *staging, uint64_t *condemned)
{
    int64_t a = 0, b = 0;
    bv_status st;

    if ((st = bv_pg_int(s, "SELECT count(*) FROM bodies WHERE state = 'staging'", &a)) == BV_OK)
        st = bv_pg_int(s, "SELECT count(*) FROM bodies WHERE state = 'condemned'", &b);
    *staging = a < 0 ? 0 : (uint64_t)a;
    *condemned = b < 0 ? 0 : (uint64_t)b;
    return st;
}
