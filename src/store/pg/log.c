/*
 * store/pg/log.c - the audit log's rows, its tree state and stored
 * checkpoints, on PostgreSQL (as store/log.c). Appends come only inside
 * a write transaction, which holds the vault's write lock (pg.c): the
 * state read and the entry written cannot interleave with another
 * client's, and seq's primary key refuses a fork outright.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <stdint.h>
#include <string.h>

/* A long log is read a page at a time, never held whole in memory. */
#define AUDIT_PAGE "1000"

bv_status
bv_pg_audit_last_seq(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    bv_status st = bv_pg_int(s, "SELECT coalesce(max(seq), 0) FROM audit", &v);

    *n = v < 0 ? 0 : (uint64_t)v;
    return st;
}

bv_status
bv_pg_audit_count(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    bv_status st = bv_pg_int(s, "SELECT count(*) FROM audit", &v);

    *n = v < 0 ? 0 : (uint64_t)v;
    return st;
}

static bv_status
buf_cb(void *ctx, const PGresult *r, int i)
{
    return bv_pg_col_buf(r, i, 0, ctx);
}

bv_status
bv_pg_audit_state(bv_store *s, bv_buf *frontier)
{
    bv_status st;

    frontier->len = 0;
    st = bv_pg_one(s, "reading the audit state", buf_cb, frontier,
        "SELECT frontier FROM audit_state WHERE id = 1", NULL);
    return st == BV_ENOTFOUND ? BV_OK : st; /* an empty log has no state yet */
}

bv_status
bv_pg_audit_append(bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen)
{
    bv_status st;

    /* a member's login may not write the log's rows itself (record.c) */
    if (bv_pgh(s)->enforced && !bv_pgh(s)->owner)
        return bv_pg_record_append(s, e);
    if ((st = bv_pg_run(s, "recording the audit entry",
             "INSERT INTO audit(seq, time, actor, actor_fp, action, board, item, meeting, agenda, "
             "outcome, reason, leaf, leaf_hash) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
             "ittttttttttbb", e->seq, e->time, e->actor, e->actor_fp, e->action, e->board, e->item,
             e->meeting, e->agenda, e->outcome, e->reason, e->leaf, e->leaf_len, e->leaf_hash,
             (size_t)32))
        != BV_OK)
        return st;
    return bv_pg_run(s, "recording the audit entry",
        "INSERT INTO audit_state(id, frontier) VALUES (1, $1) "
        "ON CONFLICT (id) DO UPDATE SET frontier = excluded.frontier",
        "b", frontier, flen);
}

/* A page of entries: fn's for each, and the last seq read (the next
 * page starts after it). */
struct page {
    bv_status (*fn)(void *, const bv_audit_row *);
    void *ctx;
    int64_t last;
    int n;
};

static bv_status
audit_cb(void *ctx, const PGresult *r, int i)
{
    struct page *p = ctx;
    bv_audit_row e;
    size_t hlen;

    memset(&e, 0, sizeof e);
    e.seq = bv_pg_col_int(r, i, 0);
    e.time = bv_pg_col_str(r, i, 1);
    e.actor = bv_pg_col_str(r, i, 2);
    e.actor_fp = bv_pg_col_str(r, i, 3);
    e.action = bv_pg_col_str(r, i, 4);
    e.board = bv_pg_col_str(r, i, 5);
    e.item = bv_pg_col_str(r, i, 6);
    e.meeting = bv_pg_col_str(r, i, 7);
    e.agenda = bv_pg_col_str(r, i, 8);
    e.outcome = bv_pg_col_str(r, i, 9);
    e.reason = bv_pg_col_str(r, i, 10);
    e.leaf = bv_pg_col_bytes(r, i, 11, &e.leaf_len);
    e.leaf_hash = bv_pg_col_bytes(r, i, 12, &hlen);
    if (hlen != 32)
        e.leaf_hash = NULL;
    p->last = e.seq;
    p->n++;
    return p->fn(p->ctx, &e);
}

/*
 * The filters are parameters whether given or not ($n IS NULL OR col =
 * $n): the statement's text never varies, and no value is spliced in.
 */
bv_status
bv_pg_audit_each(
    bv_store *s, const bv_audit_filter *f, bv_status (*fn)(void *, const bv_audit_row *), void *ctx)
{
    static const bv_audit_filter none;
    struct page p = { fn, ctx, INT64_MIN, 0 };
    bv_status st;

    if (f == NULL)
        f = &none;
    do {
        p.n = 0;
        st = bv_pg_each(s, "reading the audit log", audit_cb, &p,
            "SELECT seq, time, actor, actor_fp, action, board, item, meeting, agenda, "
            "outcome, reason, leaf, leaf_hash FROM audit WHERE seq > $1 "
            "AND ($2::text IS NULL OR item = $2) AND ($3::text IS NULL OR actor = $3) "
            "AND ($4::text IS NULL OR board = $4) AND ($5::text IS NULL OR action = $5) "
            "AND ($6::text IS NULL OR outcome = $6) "
            "AND ($7::text IS NULL OR time >= $7 COLLATE \"C\") "
            "AND ($8::text IS NULL OR time <= $8 COLLATE \"C\") "
            "ORDER BY seq LIMIT " AUDIT_PAGE,
            "itttttt"
            "t",
            p.last, f->item, f->actor, f->board, f->action, f->outcome, f->since, f->until);
    } while (st == BV_OK && p.n > 0);
    return st;
}

static bv_status
hash_cb(void *ctx, const PGresult *r, int i)
{
    return bv_pg_col_blob_exact(r, i, 0, ctx, 32);
}

bv_status
bv_pg_audit_leaf_hash(bv_store *s, uint64_t index, uint8_t out[32])
{
    bv_status st = bv_pg_one(s, "reading the audit log", hash_cb, out,
        "SELECT leaf_hash FROM audit WHERE seq = $1", "i", (int64_t)(index + 1));

    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no audit entry %llu", (unsigned long long)index + 1);
    if (st == BV_EINTEGRITY) {
        bv_err_clear();
        return bv_fail(
            BV_EINTEGRITY, "audit entry %llu has a bad leaf hash", (unsigned long long)index + 1);
    }
    return st;
}

struct summary_each {
    bv_status (*fn)(void *, const char *, const char *, int64_t, const char *, const char *);
    void *ctx;
};

static bv_status
summary_cb(void *ctx, const PGresult *r, int i)
{
    struct summary_each *e = ctx;

    return e->fn(e->ctx, bv_pg_col_str(r, i, 0), bv_pg_col_str(r, i, 1), bv_pg_col_int(r, i, 2),
        bv_pg_col_str(r, i, 3), bv_pg_col_str(r, i, 4));
}

bv_status
bv_pg_audit_item_summary(bv_store *s, const char *item,
    bv_status (*fn)(void *, const char *, const char *, int64_t, const char *, const char *),
    void *ctx)
{
    struct summary_each e = { fn, ctx };

    return bv_pg_each(s, "summarising the audit log", summary_cb, &e,
        "SELECT actor, outcome, count(*), min(time COLLATE \"C\"), max(time COLLATE \"C\") "
        "FROM audit WHERE item = $1 AND action = 'open' GROUP BY actor, outcome "
        "ORDER BY outcome COLLATE \"C\" DESC, actor COLLATE \"C\"",
        "t", item);
}

static bv_status
nullable_int_cb(void *ctx, const PGresult *r, int row)
{
    *(int64_t *)ctx = PQgetisnull(r, row, 0) ? 0 : bv_pg_col_int(r, row, 0);
    return BV_OK;
}

bv_status
bv_pg_checkpoint_add(bv_store *s, uint64_t size, const char *by, const uint8_t *note, size_t len)
{
    char now[21];
    int64_t id = 0;
    bv_status st;

    bv_utc_now(now);
    if (bv_pg_via_record(s)) {
        /* not the owner's login: the server stores it only if its size
         * and root are the server's own tree state (schema.c, schema_l) */
        if ((st = bv_pg_one(s, "storing the checkpoint", nullable_int_cb, &id,
                 "SELECT store_checkpoint($1, $2, $3, $4)", "itbt", (int64_t)size, by, note, len,
                 now))
            != BV_OK)
            return st;
        return id > 0 ? BV_OK
                      : bv_fail(BV_EPERM, "the vault server refused the checkpoint of %s", by);
    }
    return bv_pg_run(s, "storing the checkpoint",
        "INSERT INTO checkpoints(size, signed_by, note, created) VALUES ($1, $2, $3, $4)", "itbt",
        (int64_t)size, by, note, len, now);
}

struct cp_each {
    bv_status (*fn)(void *, uint64_t, const uint8_t *, size_t);
    void *ctx;
};

static bv_status
cp_cb(void *ctx, const PGresult *r, int i)
{
    struct cp_each *e = ctx;
    int64_t size = bv_pg_col_int(r, i, 0);
    const uint8_t *note;
    size_t len;

    if (size < 0)
        return bv_fail(BV_EINTEGRITY, "stored checkpoint has a negative size");
    note = bv_pg_col_bytes(r, i, 1, &len);
    return e->fn(e->ctx, (uint64_t)size, note, len);
}

bv_status
bv_pg_checkpoint_each(
    bv_store *s, bv_status (*fn)(void *, uint64_t, const uint8_t *, size_t), void *ctx)
{
    struct cp_each e = { fn, ctx };

    return bv_pg_each(s, "reading checkpoints", cp_cb, &e,
        "SELECT size, note FROM checkpoints ORDER BY id", NULL);
}

/* The leaves after seq `after`, for bv_audit_extend: the columns are not
 * evidence, so they are not read. A page at a time, as audit_each. */

static bv_status
leaf_cb(void *ctx, const PGresult *r, int i)
{
    struct page *p = ctx;
    bv_audit_row e;

    memset(&e, 0, sizeof e);
    e.seq = bv_pg_col_int(r, i, 0);
    e.leaf = bv_pg_col_bytes(r, i, 1, &e.leaf_len);
    p->last = e.seq;
    p->n++;
    return p->fn(p->ctx, &e);
}

bv_status
bv_pg_audit_after(
    bv_store *s, uint64_t after, bv_status (*fn)(void *, const bv_audit_row *), void *ctx)
{
    struct page p = { fn, ctx, (int64_t)after, 0 };
    bv_status st;

    do {
        p.n = 0;
        st = bv_pg_each(s, "reading the audit log", leaf_cb, &p,
            "SELECT seq, leaf FROM audit WHERE seq > $1 ORDER BY seq LIMIT " AUDIT_PAGE, "i",
            p.last);
    } while (st == BV_OK && p.n > 0);
    return st;
}

static bv_status
cp_latest_cb(void *ctx, const PGresult *r, int i)
{
    bv_store_cp_info *info = ctx;
    int64_t size = bv_pg_col_int(r, i, 0);
    bv_status st;

    if (size < 0)
        return bv_fail(BV_EINTEGRITY, "stored checkpoint has a negative size");
    info->size = (uint64_t)size;
    if ((st = bv_pg_col_text(r, i, 1, info->created, sizeof info->created)) != BV_OK)
        return st;
    return bv_pg_col_text(r, i, 2, info->by, sizeof info->by);
}

bv_status
bv_pg_checkpoint_latest(bv_store *s, bv_store_cp_info *info)
{
    memset(info, 0, sizeof *info);
    return bv_pg_one(s, "reading checkpoints", cp_latest_cb, info,
        "SELECT size, created, signed_by FROM checkpoints ORDER BY id DESC LIMIT 1", NULL);
}
