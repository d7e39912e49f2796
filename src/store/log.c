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
bv_store_audit_last_seq(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    /* the rowid's maximum: one step down the b-tree, where count(*) reads
     * every row of a million-entry log */
    bv_status st = bv_sqlite_int(s, "SELECT coalesce(max(seq), 0) FROM audit", &v);

    *n = v < 0 ? 0 : (uint64_t)v;
    return st;
}

/* ---- audit ---- */

bv_status
bv_store_audit_state(bv_store *s, bv_buf *frontier)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s, "SELECT frontier FROM audit_state WHERE id = 1", &q)) != BV_OK)
        return st;
    rc = sqlite3_step(q);
    frontier->len = 0;
    if (rc == SQLITE_ROW)
        st = bv_sqlite_col_buf(q, 0, frontier);
    else if (rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "reading the audit state");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_audit_append(bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen)
{
    static const char *ins = "INSERT INTO audit(seq, time, actor, actor_fp, action, board, item, "
                             "meeting, agenda, outcome, reason, leaf, leaf_hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s, ins, &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, e->seq);
    bv_sqlite_bind_text(q, 2, e->time);
    bv_sqlite_bind_text(q, 3, e->actor);
    bv_sqlite_bind_text(q, 4, e->actor_fp);
    bv_sqlite_bind_text(q, 5, e->action);
    bv_sqlite_bind_text(q, 6, e->board);
    bv_sqlite_bind_text(q, 7, e->item);
    bv_sqlite_bind_text(q, 8, e->meeting);
    bv_sqlite_bind_text(q, 9, e->agenda);
    bv_sqlite_bind_text(q, 10, e->outcome);
    bv_sqlite_bind_text(q, 11, e->reason);
    bv_sqlite_bind_blob(q, 12, e->leaf, e->leaf_len);
    bv_sqlite_bind_blob(q, 13, e->leaf_hash, 32);
    if ((st = bv_sqlite_done(s, q, "recording the audit entry")) != BV_OK)
        return st;
    if ((st = bv_sqlite_prep(
             s, "INSERT OR REPLACE INTO audit_state(id, frontier) VALUES (1, ?)", &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_blob(q, 1, frontier, flen);
    return bv_sqlite_done(s, q, "recording the audit entry");
}

bv_status
bv_store_audit_each(
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
    for (i = 0; i < (size_t)nb; i++)
        bv_sqlite_bind_text(q, (int)i + 1, bind[i]);
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
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_audit_leaf_hash(bv_store *s, uint64_t index, uint8_t out[32])
{
    sqlite3_stmt *q;
    bv_status st;
    size_t n;
    int rc;

    if ((st = bv_sqlite_prep(s, "SELECT leaf_hash FROM audit WHERE seq = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)(index + 1));
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = bv_sqlite_col_blob(q, 0, out, 32, &n) == BV_OK && n == 32
            ? BV_OK
            : bv_fail(BV_EINTEGRITY, "audit entry %llu has a bad leaf hash",
                (unsigned long long)index + 1);
    else if (rc == SQLITE_DONE)
        st = bv_fail(BV_ENOTFOUND, "no audit entry %llu", (unsigned long long)index + 1);
    else
        st = bv_sqlite_err(s, rc, "reading the audit log");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_audit_count(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    bv_status st = bv_sqlite_int(s, "SELECT count(*) FROM audit", &v);

    *n = (uint64_t)v;
    return st;
}

bv_status
bv_store_audit_item_summary(bv_store *s, const char *item,
    bv_status (*fn)(void *, const char *, const char *, int64_t, const char *, const char *),
    void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s,
             "SELECT actor, outcome, count(*), min(time), max(time) FROM audit "
             "WHERE item = ? AND action = 'open' GROUP BY actor, outcome "
             "ORDER BY outcome DESC, actor",
             &q))
        != BV_OK)
        return st;
    bv_sqlite_bind_text(q, 1, item);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = fn(ctx, bv_sqlite_col_str(q, 0), bv_sqlite_col_str(q, 1),
                 sqlite3_column_int64(q, 2), bv_sqlite_col_str(q, 3), bv_sqlite_col_str(q, 4)))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "summarising the audit log");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_checkpoint_add(bv_store *s, uint64_t size, const char *by, const uint8_t *note, size_t len)
{
    sqlite3_stmt *q;
    bv_status st;
    char now[21];

    bv_utc_now(now);
    if ((st = bv_sqlite_prep(
             s, "INSERT INTO checkpoints(size, signed_by, note, created) VALUES (?, ?, ?, ?)", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)size);
    bv_sqlite_bind_text(q, 2, by);
    bv_sqlite_bind_blob(q, 3, note, len);
    bv_sqlite_bind_text(q, 4, now);
    return bv_sqlite_done(s, q, "storing the checkpoint");
}

bv_status
bv_store_checkpoint_each(
    bv_store *s, bv_status (*fn)(void *, uint64_t, const uint8_t *, size_t), void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s, "SELECT size, note FROM checkpoints ORDER BY id", &q)) != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t size = sqlite3_column_int64(q, 0);
        if (size < 0) {
            st = bv_fail(BV_EINTEGRITY, "stored checkpoint has a negative size");
            break;
        }
        if ((st = fn(ctx, (uint64_t)size, sqlite3_column_blob(q, 1),
                 (size_t)sqlite3_column_bytes(q, 1)))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "reading checkpoints");
    sqlite3_finalize(q);
    return st;
}

/* The leaves after seq `after`, for bv_audit_extend: the columns are
 * not evidence, so they are not read. */
bv_status
bv_store_audit_after(
    bv_store *s, uint64_t after, bv_status (*fn)(void *, const bv_audit_row *), void *ctx)
{
    sqlite3_stmt *q;
    bv_audit_row e;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s, "SELECT seq, leaf FROM audit WHERE seq > ? ORDER BY seq", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)after);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        e.seq = sqlite3_column_int64(q, 0);
        e.leaf = sqlite3_column_blob(q, 1);
        e.leaf_len = (size_t)sqlite3_column_bytes(q, 1);
        if ((st = fn(ctx, &e)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "reading the audit log");
    sqlite3_finalize(q);
    return st;
}
