/*
 * store/pg/meetings.c - imported minutes: meetings, agenda items, their
 * blocks and actions, and the boards' minutes keys, on PostgreSQL (as
 * store/meetings.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"
#include "bv_minutes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct key_rows {
    bv_minutes_key_row *v;
    size_t n, cap;
    int released; /* release_minutes_keys' first row, of NULLs, was seen */
};

static bv_status
key_rows_cb(void *ctx, const PGresult *r, int i)
{
    struct key_rows *l = ctx;
    bv_minutes_key_row *k;

    if (PQgetisnull(r, i, 0)) {
        l->released = 1;
        return BV_OK;
    }
    if ((k = bv_grow(&l->v, &l->n, &l->cap, sizeof *l->v)) == NULL)
        return BV_ERR;
    k->gen = bv_pg_col_int(r, i, 0);
    k->epoch = bv_pg_col_int(r, i, 1);
    return bv_pg_col_blob(r, i, 2, k->wrapped, sizeof k->wrapped, &k->wlen);
}

bv_status
bv_pg_minutes_keys(bv_store *s, int64_t board_id, bv_minutes_key_row **rows, size_t *n)
{
    struct key_rows l = { NULL, 0, 0, 0 };
    bv_status st;

    *rows = NULL;
    *n = 0;
    if (bv_pg_via_record(s)) {
        /* through the record: to an officer of the board, logged */
        st = bv_pg_each(s, "reading the minutes keys", key_rows_cb, &l,
            "SELECT r_gen, r_epoch, r_wrapped FROM release_minutes_keys($1)", "i", board_id);
        if (st == BV_OK && !l.released)
            st = bv_fail(
                BV_EPERM, "the vault server released no minutes keys of this board to this login");
    } else
        st = bv_pg_each(s, "reading the minutes keys", key_rows_cb, &l,
            "SELECT gen, epoch, wrapped FROM minutes_keys WHERE board_id = $1 ORDER BY gen, epoch",
            "i", board_id);
    if (st != BV_OK) {
        free(l.v);
        return st;
    }
    *rows = l.v;
    *n = l.n;
    return BV_OK;
}

bv_status
bv_pg_minutes_key_set(
    bv_store *s, int64_t board_id, int64_t gen, int64_t epoch, const uint8_t *w, size_t wlen)
{
    return bv_pg_run(s, "storing a minutes key",
        "INSERT INTO minutes_keys(board_id, gen, epoch, wrapped) VALUES ($1, $2, $3, $4)", "iiib",
        board_id, gen, epoch, w, wlen);
}

bv_status
bv_pg_meeting_find(bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32], int64_t *id)
{
    return bv_pg_one(s, "reading meetings", bv_pg_id_cb, id,
        "SELECT id FROM meetings WHERE board_id = $1 AND key_gen = $2 AND doc_hash = $3", "iib",
        board_id, gen, hash, (size_t)32);
}

/* One agenda item with its blocks and actions. */
static bv_status
agenda_add(bv_store *s, int64_t id, const bv_agenda_item *it)
{
    size_t k;
    bv_status st;

    if ((st = bv_pg_run(s, "storing the agenda",
             "INSERT INTO agenda(meeting_id, ordinal, number, title, duration, restricted, "
             "restriction, para, truncated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
             "iiitiitii", id, (int64_t)it->ordinal, (int64_t)it->number, it->title,
             (int64_t)it->duration_min, (int64_t)it->restricted, it->restriction,
             (int64_t)it->schedule12a_para, (int64_t)it->truncated))
        != BV_OK)
        return st;
    for (k = 0; k < it->nblocks; k++)
        if ((st = bv_pg_run(s, "storing the minutes",
                 "INSERT INTO blocks(meeting_id, ordinal, idx, kind, level, text) "
                 "VALUES ($1, $2, $3, $4, $5, $6)",
                 "iiiiit", id, (int64_t)it->ordinal, (int64_t)k, (int64_t)it->blocks[k].kind,
                 (int64_t)it->blocks[k].level, it->blocks[k].text ? it->blocks[k].text : ""))
            != BV_OK)
            return st;
    for (k = 0; k < it->nactions; k++)
        if ((st = bv_pg_run(s, "storing the actions",
                 "INSERT INTO actions(meeting_id, ordinal, idx, owners, text, status) "
                 "VALUES ($1, $2, $3, $4, $5, $6)",
                 "iiittt", id, (int64_t)it->ordinal, (int64_t)k, it->actions[k].owners,
                 it->actions[k].text ? it->actions[k].text : "", it->actions[k].status))
            != BV_OK)
            return st;
    return BV_OK;
}

bv_status
bv_pg_meeting_add(bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32],
    const bv_meeting *m, const char *by, int64_t *id)
{
    char now[21];
    size_t i;
    bv_status st;

    bv_utc_now(now);
    if ((st = bv_pg_one(s, "storing the meeting", bv_pg_id_cb, id,
             "INSERT INTO meetings(board_id, key_gen, doc_hash, board_line, date_line, date_iso, "
             "time, venue, contact, imported_by, created) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
             "iibtttttttt", board_id, gen, hash, (size_t)32, m->board,
             m->date_line ? m->date_line : "", m->date_iso ? m->date_iso : "", m->time, m->venue,
             m->contact, by, now))
        != BV_OK)
        return st;
    for (i = 0; i < m->nitems; i++)
        if ((st = agenda_add(s, *id, &m->items[i])) != BV_OK)
            return st;
    return BV_OK;
}

bv_status
bv_pg_agenda_link(bv_store *s, int64_t meeting_id, int ordinal, int64_t item_id)
{
    return bv_pg_run(s, "linking the sealed item",
        "UPDATE agenda SET item_id = $1 WHERE meeting_id = $2 AND ordinal = $3", "iii", item_id,
        meeting_id, (int64_t)ordinal);
}

bv_status
bv_pg_agenda_relink(bv_store *s, int64_t from, int64_t to)
{
    return bv_pg_run(s, "moving an agenda link",
        "UPDATE agenda SET item_id = $1 WHERE item_id = $2", "ii", to, from);
}

static char *
dup_col(const PGresult *r, int i, int col)
{
    const char *t = bv_pg_col_opt(r, i, col);
    return t ? strdup(t) : NULL;
}

static bv_status
meeting_cb(void *ctx, const PGresult *r, int i)
{
    bv_meeting_row *out = ctx;
    bv_meeting *m = out->m;

    m->board = dup_col(r, i, 0);
    m->date_line = dup_col(r, i, 1);
    m->date_iso = dup_col(r, i, 2);
    m->time = dup_col(r, i, 3);
    m->venue = dup_col(r, i, 4);
    m->contact = dup_col(r, i, 5);
    snprintf(out->board, sizeof out->board, "%s", bv_pg_col_str(r, i, 6));
    out->board_id = bv_pg_col_int(r, i, 7);
    snprintf(out->imported_by, sizeof out->imported_by, "%s", bv_pg_col_str(r, i, 8));
    snprintf(out->created, sizeof out->created, "%s", bv_pg_col_str(r, i, 9));
    if (m->board == NULL)
        m->board = strdup(out->board);
    return BV_OK;
}

static bv_status
agenda_cb(void *ctx, const PGresult *r, int i)
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
    it->ordinal = (int)bv_pg_col_int(r, i, 0);
    it->number = (int)bv_pg_col_int(r, i, 1);
    it->title = dup_col(r, i, 2);
    it->duration_min = (int)bv_pg_col_int(r, i, 3);
    it->restricted = (int)bv_pg_col_int(r, i, 4);
    it->restriction = dup_col(r, i, 5);
    it->schedule12a_para = (int)bv_pg_col_int(r, i, 6);
    it->truncated = (int)bv_pg_col_int(r, i, 7);
    snprintf(out->uids[n], BV_UID_LEN + 1, "%s", bv_pg_col_str(r, i, 8));
    m->nitems = n + 1;
    return BV_OK;
}

static bv_status
block_cb(void *ctx, const PGresult *r, int i)
{
    bv_agenda_item *it = ctx;
    void *p = realloc(it->blocks, (it->nblocks + 1) * sizeof *it->blocks);
    int64_t kind = bv_pg_col_int(r, i, 0);

    if (p == NULL)
        return bv_fail(BV_ERR, "out of memory");
    it->blocks = p;
    if (kind < BV_BLK_PARA || kind > BV_BLK_HEADING)
        kind = BV_BLK_PARA;
    it->blocks[it->nblocks].kind = (bv_blk_kind)kind;
    it->blocks[it->nblocks].level = (int)bv_pg_col_int(r, i, 1);
    it->blocks[it->nblocks].text = dup_col(r, i, 2);
    it->nblocks++;
    return BV_OK;
}

static bv_status
action_cb(void *ctx, const PGresult *r, int i)
{
    bv_agenda_item *it = ctx;
    void *p = realloc(it->actions, (it->nactions + 1) * sizeof *it->actions);

    if (p == NULL)
        return bv_fail(BV_ERR, "out of memory");
    it->actions = p;
    it->actions[it->nactions].owners = dup_col(r, i, 0);
    it->actions[it->nactions].text = dup_col(r, i, 1);
    it->actions[it->nactions].status = dup_col(r, i, 2);
    it->nactions++;
    return BV_OK;
}

/* Each agenda item's blocks and actions, in order. */
static bv_status
meeting_parts(bv_store *s, int64_t id, bv_meeting *m)
{
    bv_status st = BV_OK;
    size_t i;

    for (i = 0; st == BV_OK && i < m->nitems; i++) {
        bv_agenda_item *it = &m->items[i];
        if ((st = bv_pg_each(s, "reading the minutes", block_cb, it,
                 "SELECT kind, level, text FROM blocks WHERE meeting_id = $1 AND ordinal = $2 "
                 "ORDER BY idx",
                 "ii", id, (int64_t)it->ordinal))
            == BV_OK)
            st = bv_pg_each(s, "reading the actions", action_cb, it,
                "SELECT owners, text, status FROM actions WHERE meeting_id = $1 AND ordinal = $2 "
                "ORDER BY idx",
                "ii", id, (int64_t)it->ordinal);
    }
    return st;
}

bv_status
bv_pg_meeting_load(bv_store *s, int64_t id, bv_meeting_row *out)
{
    bv_meeting *m;
    bv_status st;

    memset(out, 0, sizeof *out);
    if ((m = calloc(1, sizeof *m)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    out->m = m;
    out->id = id;
    st = bv_pg_one(s, "reading a meeting", meeting_cb, out,
        "SELECT m.board_line, m.date_line, m.date_iso, m.time, m.venue, m.contact, b.name, "
        "m.board_id, m.imported_by, m.created FROM meetings m "
        "JOIN boards b ON b.id = m.board_id WHERE m.id = $1",
        "i", id);
    if (st == BV_ENOTFOUND)
        st = bv_fail(BV_ENOTFOUND, "no meeting %lld", (long long)id);
    if (st == BV_OK)
        st = bv_pg_each(s, "reading the agenda", agenda_cb, out,
            "SELECT a.ordinal, a.number, a.title, a.duration, a.restricted, a.restriction, "
            "a.para, a.truncated, i.uid FROM agenda a LEFT JOIN items i ON i.id = a.item_id "
            "WHERE a.meeting_id = $1 ORDER BY a.ordinal",
            "i", id);
    if (st == BV_OK)
        st = meeting_parts(s, id, m);
    if (st != BV_OK)
        bv_meeting_row_free(out);
    return st;
}

struct meeting_each {
    bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int);
    void *ctx;
};

static bv_status
meeting_each_cb(void *ctx, const PGresult *r, int i)
{
    struct meeting_each *e = ctx;

    return e->fn(e->ctx, bv_pg_col_int(r, i, 0), bv_pg_col_str(r, i, 1), bv_pg_col_str(r, i, 2),
        bv_pg_col_str(r, i, 3), (int)bv_pg_col_int(r, i, 4), (int)bv_pg_col_int(r, i, 5));
}

bv_status
bv_pg_meeting_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int), void *ctx)
{
    struct meeting_each e = { fn, ctx };

    return bv_pg_each(s, "listing meetings", meeting_each_cb, &e,
        "SELECT m.id, b.name, m.date_iso, m.date_line, "
        "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id), "
        "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id AND a.restricted <> 0) "
        "FROM meetings m JOIN boards b ON b.id = m.board_id "
        "WHERE $1::text IS NULL OR b.name = $1 ORDER BY m.date_iso COLLATE \"C\", m.id",
        "t", board);
}

struct action_each {
    bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,
        const char *, const char *);
    void *ctx;
};

static bv_status
action_each_cb(void *ctx, const PGresult *r, int i)
{
    struct action_each *e = ctx;

    return e->fn(e->ctx, bv_pg_col_int(r, i, 0), bv_pg_col_str(r, i, 1),
        (int)bv_pg_col_int(r, i, 2), (int)bv_pg_col_int(r, i, 3), bv_pg_col_str(r, i, 4),
        bv_pg_col_opt(r, i, 5), bv_pg_col_str(r, i, 6), bv_pg_col_opt(r, i, 7));
}

bv_status
bv_pg_action_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,
        const char *, const char *),
    void *ctx)
{
    struct action_each e = { fn, ctx };

    return bv_pg_each(s, "listing actions", action_each_cb, &e,
        "SELECT x.meeting_id, m.date_iso, a.number, a.ordinal, a.title, x.owners, x.text, "
        "x.status FROM actions x JOIN meetings m ON m.id = x.meeting_id "
        "JOIN agenda a ON a.meeting_id = x.meeting_id AND a.ordinal = x.ordinal "
        "JOIN boards b ON b.id = m.board_id WHERE $1::text IS NULL OR b.name = $1 "
        "ORDER BY m.date_iso COLLATE \"C\", x.meeting_id, x.ordinal, x.idx",
        "t", board);
}
