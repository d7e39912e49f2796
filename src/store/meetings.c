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

struct key_rows {
    bv_minutes_key_row *v;
    size_t n, cap;
};

static bv_status
key_rows_cb(void *ctx, sqlite3_stmt *q)
{
    struct key_rows *l = ctx;
    bv_minutes_key_row *r = bv_grow(&l->v, &l->n, &l->cap, sizeof *l->v);

    if (r == NULL)
        return BV_ERR;
    r->gen = sqlite3_column_int64(q, 0);
    r->epoch = sqlite3_column_int64(q, 1);
    return bv_sqlite_col_blob(q, 2, r->wrapped, sizeof r->wrapped, &r->wlen);
}

/* Every wrapped minutes key of the board, oldest generation first. The
 * caller unwraps each for the current epoch, so a row left from another
 * epoch is refused there rather than skipped here. */
bv_status
bv_sqlite_minutes_keys(bv_store *s, int64_t board_id, bv_minutes_key_row **rows, size_t *n)
{
    struct key_rows l = { NULL, 0, 0 };
    bv_status st;

    *rows = NULL;
    *n = 0;
    st = bv_sqlite_each(s, "reading the minutes keys", key_rows_cb, &l,
        "SELECT gen, epoch, wrapped FROM minutes_keys WHERE board_id = ? ORDER BY gen, epoch", "i",
        board_id);
    if (st != BV_OK) {
        free(l.v);
        return st;
    }
    *rows = l.v;
    *n = l.n;
    return BV_OK;
}

bv_status
bv_sqlite_minutes_key_set(
    bv_store *s, int64_t board_id, int64_t gen, int64_t epoch, const uint8_t *w, size_t wlen)
{
    return bv_sqlite_run(s, "storing a minutes key",
        "INSERT INTO minutes_keys(board_id, gen, epoch, wrapped) VALUES (?, ?, ?, ?)", "iiib",
        board_id, gen, epoch, w, wlen);
}

static bv_status
id_cb(void *ctx, sqlite3_stmt *q)
{
    *(int64_t *)ctx = sqlite3_column_int64(q, 0);
    return BV_OK;
}

bv_status
bv_sqlite_meeting_find(
    bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32], int64_t *id)
{
    return bv_sqlite_one(s, "reading meetings", id_cb, id,
        "SELECT id FROM meetings WHERE board_id = ? AND key_gen = ? AND doc_hash = ?", "iib",
        board_id, gen, hash, (size_t)32);
}

/* One agenda item with its blocks and actions. */
static bv_status
agenda_add(bv_store *s, int64_t id, const bv_agenda_item *it)
{
    size_t k;
    bv_status st;

    if ((st = bv_sqlite_run(s, "storing the agenda",
             "INSERT INTO agenda(meeting_id, ordinal, number, title, duration, restricted, "
             "restriction, para, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
             "iiitiitii", id, (int64_t)it->ordinal, (int64_t)it->number, it->title,
             (int64_t)it->duration_min, (int64_t)it->restricted, it->restriction,
             (int64_t)it->schedule12a_para, (int64_t)it->truncated))
        != BV_OK)
        return st;
    for (k = 0; k < it->nblocks; k++)
        if ((st = bv_sqlite_run(s, "storing the minutes",
                 "INSERT INTO blocks(meeting_id, ordinal, idx, kind, level, text) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 "iiiiit", id, (int64_t)it->ordinal, (int64_t)k, (int64_t)it->blocks[k].kind,
                 (int64_t)it->blocks[k].level, it->blocks[k].text ? it->blocks[k].text : ""))
            != BV_OK)
            return st;
    for (k = 0; k < it->nactions; k++)
        if ((st = bv_sqlite_run(s, "storing the actions",
                 "INSERT INTO actions(meeting_id, ordinal, idx, owners, text, status) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 "iiittt", id, (int64_t)it->ordinal, (int64_t)k, it->actions[k].owners,
                 it->actions[k].text ? it->actions[k].text : "", it->actions[k].status))
            != BV_OK)
            return st;
    return BV_OK;
}

bv_status
bv_sqlite_meeting_add(bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32],
    const bv_meeting *m, const char *by, int64_t *id)
{
    char now[21];
    size_t i;
    bv_status st;

    bv_utc_now(now);
    if ((st = bv_sqlite_run(s, "storing the meeting",
             "INSERT INTO meetings(board_id, key_gen, doc_hash, board_line, date_line, date_iso, "
             "time, venue, contact, imported_by, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
             "iibtttttttt", board_id, gen, hash, (size_t)32, m->board,
             m->date_line ? m->date_line : "", m->date_iso ? m->date_iso : "", m->time, m->venue,
             m->contact, by, now))
        != BV_OK)
        return st;
    *id = sqlite3_last_insert_rowid(bv_sq(s)->db);
    for (i = 0; i < m->nitems; i++)
        if ((st = agenda_add(s, *id, &m->items[i])) != BV_OK)
            return st;
    return BV_OK;
}

bv_status
bv_sqlite_agenda_link(bv_store *s, int64_t meeting_id, int ordinal, int64_t item_id)
{
    return bv_sqlite_run(s, "linking the sealed item",
        "UPDATE agenda SET item_id = ? WHERE meeting_id = ? AND ordinal = ?", "iii", item_id,
        meeting_id, (int64_t)ordinal);
}

static char *
dup_col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

static bv_status
meeting_cb(void *ctx, sqlite3_stmt *q)
{
    bv_meeting_row *out = ctx;
    bv_meeting *m = out->m;

    m->board = dup_col(q, 0);
    m->date_line = dup_col(q, 1);
    m->date_iso = dup_col(q, 2);
    m->time = dup_col(q, 3);
    m->venue = dup_col(q, 4);
    m->contact = dup_col(q, 5);
    snprintf(out->board, sizeof out->board, "%s", bv_sqlite_col_str(q, 6));
    out->board_id = sqlite3_column_int64(q, 7);
    snprintf(out->imported_by, sizeof out->imported_by, "%s", bv_sqlite_col_str(q, 8));
    snprintf(out->created, sizeof out->created, "%s", bv_sqlite_col_str(q, 9));
    if (m->board == NULL)
        m->board = strdup(out->board);
    return BV_OK;
}

static bv_status
agenda_cb(void *ctx, sqlite3_stmt *q)
{
    bv_meeting_row *out = ctx;
    bv_meeting *m = out->m;
    size_t n = m->nitems;
    bv_agenda_item *it;
    void *p = realloc(m->items, (n + 1) * sizeof *m->items);
    char(*u)[BV_UID_LEN + 1];

    if (p == NULL)
        return bv_fail(BV_ERR, "out of memory");
    m->items = p;
    if ((u = realloc(out->uids, (n + 1) * sizeof *out->uids)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
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
    m->nitems = n + 1;
    return BV_OK;
}

static bv_status
block_cb(void *ctx, sqlite3_stmt *q)
{
    bv_agenda_item *it = ctx;
    void *p = realloc(it->blocks, (it->nblocks + 1) * sizeof *it->blocks);
    int kind = sqlite3_column_int(q, 0);

    if (p == NULL)
        return bv_fail(BV_ERR, "out of memory");
    it->blocks = p;
    if (kind < BV_BLK_PARA || kind > BV_BLK_HEADING)
        kind = BV_BLK_PARA;
    it->blocks[it->nblocks].kind = (bv_blk_kind)kind;
    it->blocks[it->nblocks].level = sqlite3_column_int(q, 1);
    it->blocks[it->nblocks].text = dup_col(q, 2);
    it->nblocks++;
    return BV_OK;
}

static bv_status
action_cb(void *ctx, sqlite3_stmt *q)
{
    bv_agenda_item *it = ctx;
    void *p = realloc(it->actions, (it->nactions + 1) * sizeof *it->actions);

    if (p == NULL)
        return bv_fail(BV_ERR, "out of memory");
    it->actions = p;
    it->actions[it->nactions].owners = dup_col(q, 0);
    it->actions[it->nactions].text = dup_col(q, 1);
    it->actions[it->nactions].status = dup_col(q, 2);
    it->nactions++;
    return BV_OK;
}

bv_status
bv_sqlite_meeting_load(bv_store *s, int64_t id, bv_meeting_row *out)
{
    bv_meeting *m;
    size_t i;
    bv_status st;

    memset(out, 0, sizeof *out);
    if ((m = calloc(1, sizeof *m)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    out->m = m;
    out->id = id;
    st = bv_sqlite_one(s, "reading a meeting", meeting_cb, out,
        "SELECT m.board_line, m.date_line, m.date_iso, m.time, m.venue, m.contact, b.name, "
        "m.board_id, m.imported_by, m.created FROM meetings m "
        "JOIN boards b ON b.id = m.board_id WHERE m.id = ?",
        "i", id);
    if (st == BV_ENOTFOUND)
        st = bv_fail(BV_ENOTFOUND, "no meeting %lld", (long long)id);
    if (st == BV_OK)
        st = bv_sqlite_each(s, "reading the agenda", agenda_cb, out,
            "SELECT a.ordinal, a.number, a.title, a.duration, a.restricted, a.restriction, "
            "a.para, a.truncated, i.uid FROM agenda a LEFT JOIN items i ON i.id = a.item_id "
            "WHERE a.meeting_id = ? ORDER BY a.ordinal",
            "i", id);
    /* blocks and actions, in order */
    for (i = 0; st == BV_OK && i < m->nitems; i++) {
        bv_agenda_item *it = &m->items[i];
        if ((st = bv_sqlite_each(s, "reading the minutes", block_cb, it,
                 "SELECT kind, level, text FROM blocks WHERE meeting_id = ? AND ordinal = ? "
                 "ORDER BY idx",
                 "ii", id, (int64_t)it->ordinal))
            == BV_OK)
            st = bv_sqlite_each(s, "reading the actions", action_cb, it,
                "SELECT owners, text, status FROM actions WHERE meeting_id = ? AND ordinal = ? "
                "ORDER BY idx",
                "ii", id, (int64_t)it->ordinal);
    }
    if (st != BV_OK)
        bv_meeting_row_free(out);
    return st;
}

struct meeting_each {
    bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int);
    void *ctx;
};

static bv_status
meeting_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct meeting_each *e = ctx;

    return e->fn(e->ctx, sqlite3_column_int64(q, 0), bv_sqlite_col_str(q, 1),
        bv_sqlite_col_str(q, 2), bv_sqlite_col_str(q, 3), sqlite3_column_int(q, 4),
        sqlite3_column_int(q, 5));
}

bv_status
bv_sqlite_meeting_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int), void *ctx)
{
    struct meeting_each e = { fn, ctx };

    return bv_sqlite_each(s, "listing meetings", meeting_each_cb, &e,
        "SELECT m.id, b.name, m.date_iso, m.date_line, "
        "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id), "
        "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id AND a.restricted) "
        "FROM meetings m JOIN boards b ON b.id = m.board_id "
        "WHERE ?1 IS NULL OR b.name = ?1 ORDER BY m.date_iso, m.id",
        "t", board);
}

struct action_each {
    bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,
        const char *, const char *);
    void *ctx;
};

static bv_status
action_each_cb(void *ctx, sqlite3_stmt *q)
{
    struct action_each *e = ctx;

    return e->fn(e->ctx, sqlite3_column_int64(q, 0), bv_sqlite_col_str(q, 1),
        sqlite3_column_int(q, 2), sqlite3_column_int(q, 3), bv_sqlite_col_str(q, 4),
        (const char *)sqlite3_column_text(q, 5), bv_sqlite_col_str(q, 6),
        (const char *)sqlite3_column_text(q, 7));
}

bv_status
bv_sqlite_action_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,
        const char *, const char *),
    void *ctx)
{
    struct action_each e = { fn, ctx };

    return bv_sqlite_each(s, "listing actions", action_each_cb, &e,
        "SELECT x.meeting_id, m.date_iso, a.number, a.ordinal, a.title, x.owners, x.text, "
        "x.status FROM actions x JOIN meetings m ON m.id = x.meeting_id "
        "JOIN agenda a ON a.meeting_id = x.meeting_id AND a.ordinal = x.ordinal "
        "JOIN boards b ON b.id = m.board_id WHERE ?1 IS NULL OR b.name = ?1 "
        "ORDER BY m.date_iso, x.meeting_id, x.ordinal, x.idx",
        "t", board);
}

bv_status
bv_sqlite_agenda_relink(bv_store *s, int64_t from, int64_t to)
{
    return bv_sqlite_run(s, "moving an agenda link",
        "UPDATE agenda SET item_id = ? WHERE item_id = ?", "ii", to, from);
}
