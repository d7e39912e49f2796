/*
 * store/meetings.c - imported minutes: meetings, agenda items, their
 * blocks and actions, and the boards' minutes keys.
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

/* ---- meetings ---- */

/* Every wrapped minutes key of the board, oldest generation first. The
 * caller unwraps each for the current epoch, so a row left from another
 * epoch is refused there rather than skipped here. */
bv_status
bv_store_minutes_keys(bv_store *s, int64_t board_id, bv_minutes_key_row **rows, size_t *n)
{
    bv_minutes_key_row *v = NULL, *nv;
    sqlite3_stmt *q;
    size_t cap = 0, k = 0;
    bv_status st;
    int rc;

    *rows = NULL;
    *n = 0;
    if ((st = bv_sqlite_prep(s,
             "SELECT gen, epoch, wrapped FROM minutes_keys WHERE board_id = ? "
             "ORDER BY gen, epoch",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (k == cap) {
            cap = cap ? cap * 2 : 4;
            if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
                st = bv_fail(BV_ERR, "out of memory");
                goto out;
            }
            v = nv;
        }
        v[k].gen = sqlite3_column_int64(q, 0);
        v[k].epoch = sqlite3_column_int64(q, 1);
        if ((st = bv_sqlite_col_blob(q, 2, v[k].wrapped, sizeof v[k].wrapped, &v[k].wlen)) != BV_OK)
            goto out;
        k++;
    }
    if (rc != SQLITE_DONE) {
        st = bv_sqlite_err(s, rc, "reading the minutes keys");
        goto out;
    }
    *rows = v;
    *n = k;
    v = NULL;
out:
    free(v);
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_minutes_key_set(
    bv_store *s, int64_t board_id, int64_t gen, int64_t epoch, const uint8_t *w, size_t wlen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(
             s, "INSERT INTO minutes_keys(board_id, gen, epoch, wrapped) VALUES (?, ?, ?, ?)", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, gen);
    sqlite3_bind_int64(q, 3, epoch);
    bv_sqlite_bind_blob(q, 4, w, wlen);
    return bv_sqlite_done(s, q, "storing a minutes key");
}

bv_status
bv_store_meeting_find(
    bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32], int64_t *id)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(
             s, "SELECT id FROM meetings WHERE board_id = ? AND key_gen = ? AND doc_hash = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, gen);
    bv_sqlite_bind_blob(q, 3, hash, 32);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(q, 0);
    st = rc == SQLITE_ROW   ? BV_OK
        : rc == SQLITE_DONE ? BV_ENOTFOUND
                            : bv_sqlite_err(s, rc, "reading meetings");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_meeting_add(bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32],
    const bv_meeting *m, const char *by, int64_t *id)
{
    sqlite3_stmt *q;
    bv_status st;
    char now[21];
    size_t i, k;

    bv_utc_now(now);
    if ((st = bv_sqlite_prep(s,
             "INSERT INTO meetings(board_id, key_gen, doc_hash, board_line, date_line, "
             "date_iso, time, venue, contact, imported_by, created) "
             "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, gen);
    bv_sqlite_bind_blob(q, 3, hash, 32);
    bv_sqlite_bind_opt(q, 4, m->board);
    bv_sqlite_bind_text(q, 5, m->date_line ? m->date_line : "");
    bv_sqlite_bind_text(q, 6, m->date_iso ? m->date_iso : "");
    bv_sqlite_bind_opt(q, 7, m->time);
    bv_sqlite_bind_opt(q, 8, m->venue);
    bv_sqlite_bind_opt(q, 9, m->contact);
    bv_sqlite_bind_text(q, 10, by);
    bv_sqlite_bind_text(q, 11, now);
    if ((st = bv_sqlite_done(s, q, "storing the meeting")) != BV_OK)
        return st;
    *id = sqlite3_last_insert_rowid(s->db);
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        if ((st = bv_sqlite_prep(s,
                 "INSERT INTO agenda(meeting_id, ordinal, number, title, duration, "
                 "restricted, restriction, para, truncated) VALUES (?,?,?,?,?,?,?,?,?)",
                 &q))
            != BV_OK)
            return st;
        sqlite3_bind_int64(q, 1, *id);
        sqlite3_bind_int(q, 2, it->ordinal);
        sqlite3_bind_int(q, 3, it->number);
        bv_sqlite_bind_text(q, 4, it->title);
        sqlite3_bind_int(q, 5, it->duration_min);
        sqlite3_bind_int(q, 6, it->restricted);
        bv_sqlite_bind_opt(q, 7, it->restriction);
        sqlite3_bind_int(q, 8, it->schedule12a_para);
        sqlite3_bind_int(q, 9, it->truncated);
        if ((st = bv_sqlite_done(s, q, "storing the agenda")) != BV_OK)
            return st;
        for (k = 0; k < it->nblocks; k++) {
            if ((st = bv_sqlite_prep(s,
                     "INSERT INTO blocks(meeting_id, ordinal, idx, kind, level, text) "
                     "VALUES (?,?,?,?,?,?)",
                     &q))
                != BV_OK)
                return st;
            sqlite3_bind_int64(q, 1, *id);
            sqlite3_bind_int(q, 2, it->ordinal);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)k);
            sqlite3_bind_int(q, 4, (int)it->blocks[k].kind);
            sqlite3_bind_int(q, 5, it->blocks[k].level);
            bv_sqlite_bind_text(q, 6, it->blocks[k].text ? it->blocks[k].text : "");
            if ((st = bv_sqlite_done(s, q, "storing the minutes")) != BV_OK)
                return st;
        }
        for (k = 0; k < it->nactions; k++) {
            if ((st = bv_sqlite_prep(s,
                     "INSERT INTO actions(meeting_id, ordinal, idx, owners, text, status) "
                     "VALUES (?,?,?,?,?,?)",
                     &q))
                != BV_OK)
                return st;
            sqlite3_bind_int64(q, 1, *id);
            sqlite3_bind_int(q, 2, it->ordinal);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)k);
            bv_sqlite_bind_opt(q, 4, it->actions[k].owners);
            bv_sqlite_bind_text(q, 5, it->actions[k].text ? it->actions[k].text : "");
            bv_sqlite_bind_opt(q, 6, it->actions[k].status);
            if ((st = bv_sqlite_done(s, q, "storing the actions")) != BV_OK)
                return st;
        }
    }
    return BV_OK;
}

bv_status
bv_store_agenda_link(bv_store *s, int64_t meeting_id, int ordinal, int64_t item_id)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(
             s, "UPDATE agenda SET item_id = ? WHERE meeting_id = ? AND ordinal = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, meeting_id);
    sqlite3_bind_int(q, 3, ordinal);
    return bv_sqlite_done(s, q, "linking the sealed item");
}

static char *
dup_col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

bv_status
bv_store_meeting_load(bv_store *s, int64_t id, bv_meeting_row *out)
{
    sqlite3_stmt *q = NULL;
    bv_meeting *m;
    bv_status st;
    int rc;
    size_t n, i;

    memset(out, 0, sizeof *out);
    if ((m = calloc(1, sizeof *m)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    out->m = m;
    if ((st = bv_sqlite_prep(s,
             "SELECT m.board_line, m.date_line, m.date_iso, m.time, m.venue, m.contact, "
             "b.name, m.board_id, m.imported_by, m.created FROM meetings m "
             "JOIN boards b ON b.id = m.board_id WHERE m.id = ?",
             &q))
        != BV_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = rc == SQLITE_DONE ? bv_fail(BV_ENOTFOUND, "no meeting %lld", (long long)id)
                               : bv_sqlite_err(s, rc, "reading a meeting");
        goto fail;
    }
    m->board = dup_col(q, 0);
    m->date_line = dup_col(q, 1);
    m->date_iso = dup_col(q, 2);
    m->time = dup_col(q, 3);
    m->venue = dup_col(q, 4);
    m->contact = dup_col(q, 5);
    out->id = id;
    snprintf(out->board, sizeof out->board, "%s", bv_sqlite_col_str(q, 6));
    out->board_id = sqlite3_column_int64(q, 7);
    snprintf(out->imported_by, sizeof out->imported_by, "%s", bv_sqlite_col_str(q, 8));
    snprintf(out->created, sizeof out->created, "%s", bv_sqlite_col_str(q, 9));
    sqlite3_finalize(q);
    q = NULL;
    if (m->board == NULL)
        m->board = strdup(out->board);
    /* agenda */
    if ((st = bv_sqlite_prep(s,
             "SELECT a.ordinal, a.number, a.title, a.duration, a.restricted, a.restriction, "
             "a.para, a.truncated, i.uid FROM agenda a LEFT JOIN items i ON i.id = a.item_id "
             "WHERE a.meeting_id = ? ORDER BY a.ordinal",
             &q))
        != BV_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        bv_agenda_item *it;
        void *p = realloc(m->items, (n + 1) * sizeof *m->items);
        char(*u)[BV_UID_LEN + 1] = realloc(out->uids, (n + 1) * sizeof *out->uids);
        if (p == NULL || u == NULL) {
            if (p)
                m->items = p;
            if (u)
                out->uids = u;
            st = bv_fail(BV_ERR, "out of memory");
            goto fail;
        }
        m->items = p;
        out->uids = u;
        it = &m->items[n];
        memset(it, 0, sizeof *it);
        it->ordinal = sqlite3_column_int(q, 0);
        it->number = sqlite3_column_int(q, 1);
        it->title = dup_col(q, 2);
        it->duration_min = sqlite3_column_int(q, 3);
        it->restricted = sqlite3_column_int(q, 4);
        it->restriction = dup_col(q, 5);
        it->schedule12a_para = sqlite3_column_int(q, 6);
        it->truncated = sqlite3_column_int(q, 7);
        snprintf(out->uids[n], BV_UID_LEN + 1, "%s", bv_sqlite_col_str(q, 8));
        m->nitems = ++n;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != SQLITE_DONE) {
        st = bv_sqlite_err(s, rc, "reading the agenda");
        goto fail;
    }
    /* blocks and actions, in order */
    for (i = 0; i < m->nitems; i++) {
        bv_agenda_item *it = &m->items[i];
        if ((st = bv_sqlite_prep(s,
                 "SELECT kind, level, text FROM blocks WHERE meeting_id = ? AND ordinal = ? "
                 "ORDER BY idx",
                 &q))
            != BV_OK)
            goto fail;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int(q, 2, it->ordinal);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            void *p = realloc(it->blocks, (it->nblocks + 1) * sizeof *it->blocks);
            int kind = sqlite3_column_int(q, 0);
            if (p == NULL) {
                st = bv_fail(BV_ERR, "out of memory");
                goto fail;
            }
            it->blocks = p;
            if (kind < BV_BLK_PARA || kind > BV_BLK_HEADING)
                kind = BV_BLK_PARA;
            it->blocks[it->nblocks].kind = (bv_blk_kind)kind;
            it->blocks[it->nblocks].level = sqlite3_column_int(q, 1);
            it->blocks[it->nblocks].text = dup_col(q, 2);
            it->nblocks++;
        }
        sqlite3_finalize(q);
        q = NULL;
        if ((st = bv_sqlite_prep(s,
                 "SELECT owners, text, status FROM actions WHERE meeting_id = ? AND "
                 "ordinal = ? ORDER BY idx",
                 &q))
            != BV_OK)
            goto fail;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int(q, 2, it->ordinal);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            void *p = realloc(it->actions, (it->nactions + 1) * sizeof *it->actions);
            if (p == NULL) {
                st = bv_fail(BV_ERR, "out of memory");
                goto fail;
            }
            it->actions = p;
            it->actions[it->nactions].owners = dup_col(q, 0);
            it->actions[it->nactions].text = dup_col(q, 1);
            it->actions[it->nactions].status = dup_col(q, 2);
            it->nactions++;
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    return BV_OK;
fail:
    sqlite3_finalize(q);
    bv_meeting_row_free(out);
    return st;
}

bv_status
bv_store_meeting_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int), void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s,
             "SELECT m.id, b.name, m.date_iso, m.date_line, "
             "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id), "
             "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id AND a.restricted) "
             "FROM meetings m JOIN boards b ON b.id = m.board_id "
             "WHERE ?1 IS NULL OR b.name = ?1 ORDER BY m.date_iso, m.id",
             &q))
        != BV_OK)
        return st;
    if (board)
        bv_sqlite_bind_text(q, 1, board);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = fn(ctx, sqlite3_column_int64(q, 0), bv_sqlite_col_str(q, 1),
                 bv_sqlite_col_str(q, 2), bv_sqlite_col_str(q, 3), sqlite3_column_int(q, 4),
                 sqlite3_column_int(q, 5)))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "listing meetings");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_action_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,
        const char *, const char *),
    void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = bv_sqlite_prep(s,
             "SELECT x.meeting_id, m.date_iso, a.number, a.ordinal, a.title, x.owners, "
             "x.text, x.status FROM actions x JOIN meetings m ON m.id = x.meeting_id "
             "JOIN agenda a ON a.meeting_id = x.meeting_id AND a.ordinal = x.ordinal "
             "JOIN boards b ON b.id = m.board_id WHERE ?1 IS NULL OR b.name = ?1 "
             "ORDER BY m.date_iso, x.meeting_id, x.ordinal, x.idx",
             &q))
        != BV_OK)
        return st;
    if (board)
        bv_sqlite_bind_text(q, 1, board);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *owners = sqlite3_column_text(q, 5);
        const unsigned char *status = sqlite3_column_text(q, 7);
        if ((st = fn(ctx, sqlite3_column_int64(q, 0), bv_sqlite_col_str(q, 1),
                 sqlite3_column_int(q, 2), sqlite3_column_int(q, 3), bv_sqlite_col_str(q, 4),
                 (const char *)owners, bv_sqlite_col_str(q, 6), (const char *)status))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, "listing actions");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_agenda_relink(bv_store *s, int64_t from, int64_t to)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = bv_sqlite_prep(s, "UPDATE agenda SET item_id = ? WHERE item_id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, to);
    sqlite3_bind_int64(q, 2, from);
    return bv_sqlite_done(s, q, "moving an agenda link");
}
