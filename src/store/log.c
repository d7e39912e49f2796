/*
 * store/log.c - the audit log's rows, its tree state and stored
 * checkpoints.
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

bv_status
bv_sqlite_audit_last_seq(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    /* the rowid's maximum: one step down the b-tree, where count(*) reads
     * every row of a million-entry log */
    bv_status st = bv_sqlite_int(s, "SELECT coalesce(max(seq), 0) FROM audit", &v);

    *n = v < 0 ? 0 : (uint64_t)v;
    return st;
}

/* ---- audit ---- */

static bv_status
buf_cb(void *ctx, sqlite3_stmt *q)
{
    return bv_sqlite_col_buf(q, 0, ctx);
}

bv_status
bv_sqlite_audit_state(bv_store *s, bv_buf *frontier)
{
    bv_status st;

    frontier->len = 0;
    st = bv_sqlite_one(s, "reading the audit state", buf_cb, frontier,
        "SELECT frontier FROM audit_state WHERE id = 1", NULL);
    return st == BV_ENOTFOUND ? BV_OK : st; /* an empty log has no state yet */
}

bv_status
bv_sqlite_audit_append(bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen)
{
    bv_status st;

    if ((st = bv_sqlite_run(s, "recording the audit entry",
             "INSERT INTO audit(seq, time, actor, actor_fp, action, board, item, meeting, agenda, "
             "outcome, reason, leaf, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             "ittttttttttbb", e->seq, e->time, e->actor, e->actor_fp, e->action, e->board, e->item,
             e->meeting, e->agenda, e->outcome, e->reason, e->leaf, e->leaf_len, e->leaf_hash,
             (size_t)32))
        != BV_OK)
        return st;
    return bv_sqlite_run(s, "recording the audit entry",
        "INSERT OR REPLACE INTO audit_state(id, frontier) VALUES (1, ?)", "b", frontier, flen);
}

bv_status
bv_sqlite_audit_each(
    bv_store *s, const bv_audit_filter *f, bv_status (*fn)(void *, const bv_audit_row *), void *ctx)
{
    static const bv_audit_filter none;
    /* Only the filters given go into the query, and only the most
     * selective one may use its index (item, then actor, board, action):
     * the others are written "+col" so the planner cannot pick a worse
     * index, which on a million entries is the difference between a few
     * milliseconds and a full scan. */
    const char *cols[] = { "item", "actor", "board", "action", "outcome" };
    const char *vals[5], *bind[8];
    sqlite3_stmt *q;
    bv_audit_row e;
    bv_buf sql;
    bv_status st;
    int rc, nb = 0, indexed = 0;
    size_t i;

    if (f == NULL)
        f = &none;
    vals[0] = f->item;
    vals[1] = f->actor;
    vals[2] = f->board;
    vals[3] = f->action;
    vals[4] = f->outcome;
    bv_buf_init(&sql);
    bv_buf_puts(&sql,
        "SELECT seq, time, actor, actor_fp, action, board, item, meeting, agenda, "
        "outcome, reason, leaf, leaf_hash FROM audit WHERE 1");
    for (i = 0; i < 5; i++) {
        if (vals[i] == NULL)
            continue;
        bv_buf_printf(&sql, " AND %s%s = ?", indexed || i == 4 ? "+" : "", cols[i]);
        indexed = 1;
        bind[nb++] = vals[i];
    }
    if (f->since) {
        bv_buf_puts(&sql, " AND +time >= ?");
        bind[nb++] = f->since;
    }
    if (f->until) {
        bv_buf_puts(&sql, " AND +time <= ?");
        bind[nb++] = f->until;
    }
    bv_buf_puts(&sql, " ORDER BY seq");
    if (sql.oom)
        return bv_fail(BV_ERR, "out of memory");
    st = bv_sqlite_prep(s, (const char *)sql.p, &q);
    bv_buf_free(&sql);
    if (st != BV_OK)
        return st;
    /* hand-written: its parameters vary with the filter given */
    for (i = 0, rc = SQLITE_OK; i < (size_t)nb && rc == SQLITE_OK; i++)
        rc = sqlite3_bind_text(q, (int)i + 1, bind[i], -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) {
        st = bv_sqlite_err(s, rc, "binding a query");
        goto out;
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        e.seq = sqlite3_column_int64(q, 0);
        e.time = bv_sqlite_col_str(q, 1);
        e.actor = bv_sqlite_col_str(q, 2);
        e.actor_fp = bv_sqlite_col_str(q, 3);
        e.action = bv_sqlite_col_str(q, 4);
        e.board = bv_sqlite_col_str(q, 5);
        e.item = bv_sqlite_col_str(q, 6);
        e.meeting = bv_sqlite_col_str(q, 7);
        e.agenda = bv_sqlite_col_str(q, 8);
        e.outcome = bv_sqlite_col_str(q, 9);
        e.reason = bv_sqlite_col_str(q, 10);
        e.leaf = sqlite3_column_blob(q, 11);
        e.leaf_len = (size_t)sqlite3_column_bytes(q, 11);
        e.leaf_hash = sqlite3_column_bytes(q, 12) == 32 ? sqlite3_column_blob(q, 12) : NULL;
        if ((st = fn(ctx, &e)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "reading the audit log");
out:
    sqlite3_finalize(q);
    return st;
}

static bv_status
hash_cb(void *ctx, sqlite3_stmt *q)
{
    return bv_sqlite_col_blob_exact(q, 0, ctx, 32);
}

bv_status
bv_sqlite_audit_leaf_hash(bv_store *s, uint64_t index, uint8_t out[32])
{
    bv_status st = bv_sqlite_one(s, "reading the audit log", hash_cb, out,
        "SELECT leaf_hash FROM audit WHERE seq = ?", "i", (int64_t)(index + 1));

    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no audit entry %llu", (unsigned long long)index + 1);
    if (st == BV_EINTEGRITY) {
        bv_err_clear();
        return bv_fail(
            BV_EINTEGRITY, "audit entry %llu has a bad leaf hash", (unsigned long long)index + 1);
    }
    return st;
}

bv_status
bv_sqlite_audit_count(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    bv_status st = bv_sqlite_int(s, "SELECT count(*) FROM audit", &v);

    *n = (uint64_t)v;
    return st;
}

struct summary_each {
    bv_status (*fn)(void *, const char *, const char *, int64_t, const char *, const char *);
    void *ctx;
};

static bv_status
summary_cb(void *ctx, sqlite3_stmt *q)
{
    struct summary_each *e = ctx;

    return e->fn(e->ctx, bv_sqlite_col_str(q, 0), bv_sqlite_col_str(q, 1),
        sqlite3_column_int64(q, 2), bv_sqlite_col_str(q, 3), bv_sqlite_col_str(q, 4));
}

bv_status
bv_sqlite_audit_item_summary(bv_store *s, const char *item,
    bv_status (*fn)(void *, const char *, const char *, int64_t, const char *, const char *),
    void *ctx)
{
    struct summary_each e = { fn, ctx };

    return bv_sqlite_each(s, "summarising the audit log", summary_cb, &e,
        "SELECT actor, outcome, count(*), min(time), max(time) FROM audit "
        "WHERE item = ? AND action = 'open' GROUP BY actor, outcome ORDER BY outcome DESC, actor",
        "t", item);
}

bv_status
bv_sqlite_checkpoint_add(
    bv_store *s, uint64_t size, const char *by, const uint8_t *note, size_t len)
{
    char now[21];

    bv_utc_now(now);
    return bv_sqlite_run(s, "storing the checkpoint",
        "INSERT INTO checkpoints(size, signed_by, note, created) VALUES (?, ?, ?, ?)", "itbt",
        (int64_t)size, by, note, len, now);
}

struct cp_each {
    bv_status (*fn)(void *, uint64_t, const uint8_t *, size_t);
    void *ctx;
};

static bv_status
cp_cb(void *ctx, sqlite3_stmt *q)
{
    struct cp_each *e = ctx;
    int64_t size = sqlite3_column_int64(q, 0);

    if (size < 0)
        return bv_fail(BV_EINTEGRITY, "stored checkpoint has a negative size");
    return e->fn(
        e->ctx, (uint64_t)size, sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1));
}

bv_status
bv_sqlite_checkpoint_each(
    bv_store *s, bv_status (*fn)(void *, uint64_t, const uint8_t *, size_t), void *ctx)
{
    struct cp_each e = { fn, ctx };

    return bv_sqlite_each(s, "reading checkpoints", cp_cb, &e,
        "SELECT size, note FROM checkpoints ORDER BY id", NULL);
}

static bv_status
cp_latest_cb(void *ctx, sqlite3_stmt *q)
{
    bv_store_cp_info *i = ctx;

    i->size = (uint64_t)sqlite3_column_int64(q, 0);
    snprintf(i->created, sizeof i->created, "%s", bv_sqlite_col_str(q, 1));
    snprintf(i->by, sizeof i->by, "%s", bv_sqlite_col_str(q, 2));
    return BV_OK;
}

bv_status
bv_sqlite_checkpoint_latest(bv_store *s, bv_store_cp_info *info)
{
    memset(info, 0, sizeof *info);
    return bv_sqlite_one(s, "reading checkpoints", cp_latest_cb, info,
        "SELECT size, created, signed_by FROM checkpoints ORDER BY id DESC LIMIT 1", NULL);
}

/* The leaves after seq `after`, for bv_audit_extend: the columns are
 * not evidence, so they are not read. */
struct leaf_each {
    bv_status (*fn)(void *, const bv_audit_row *);
    void *ctx;
};

static bv_status
leaf_cb(void *ctx, sqlite3_stmt *q)
{
    struct leaf_each *e = ctx;
    bv_audit_row r;

    memset(&r, 0, sizeof r);
    r.seq = sqlite3_column_int64(q, 0);
    r.leaf = sqlite3_column_blob(q, 1);
    r.leaf_len = (size_t)sqlite3_column_bytes(q, 1);
    return e->fn(e->ctx, &r);
}

bv_status
bv_sqlite_audit_after(
    bv_store *s, uint64_t after, bv_status (*fn)(void *, const bv_audit_row *), void *ctx)
{
    struct leaf_each e = { fn, ctx };

    return bv_sqlite_each(s, "reading the audit log", leaf_cb, &e,
        "SELECT seq, leaf FROM audit WHERE seq > ? ORDER BY seq", "i", (int64_t)after);
}
