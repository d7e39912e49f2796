/*
 * precheck.c - checks that need no key, made before the passphrase
 * prompt (see bv_precheck.h).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "bv_precheck.h"
#include "bv_cli.h"
#include "bv_read.h"
#include "bv_minutes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Names the user's differs from only in case, and the nearest other. */
struct near {
    const char *want;
    char same[2][BV_NAME_MAX + 1]; /* the first two that match but for case */
    size_t nsame;
    char best[BV_NAME_MAX + 1];
    size_t dist;
};

static void
near_add(struct near *n, const char *name)
{
    size_t d;

    if (strcasecmp(name, n->want) == 0) {
        if (n->nsame < 2)
            snprintf(n->same[n->nsame], sizeof n->same[0], "%s", name);
        n->nsame++;
        return;
    }
    d = bv_cli_distance(n->want, name);
    if (d < n->dist) {
        n->dist = d;
        snprintf(n->best, sizeof n->best, "%s", name);
    }
}

static bv_status
near_board(void *ctx, const bv_board_row *b)
{
    near_add(ctx, b->name);
    return BV_OK;
}

static bv_status
near_person(void *ctx, const bv_person_row *p)
{
    near_add(ctx, p->name);
    return BV_OK;
}

/* The names resolved so far, each kept until the process ends: a seal
 * may resolve hundreds (one per grantee), and every pointer handed out
 * must stay valid, so no slot is ever reused. */
static char **kept;
static size_t nkept, capkept;

static void
free_kept(void)
{
    size_t i;

    for (i = 0; i < nkept; i++)
        free(kept[i]);
    free(kept);
    kept = NULL;
    nkept = capkept = 0;
}

static char *
keep(const char *name)
{
    char **slot, *copy;

    if (kept == NULL && atexit(free_kept) != 0)
        return NULL;
    if ((copy = strdup(name)) == NULL)
        return NULL;
    if ((slot = bv_grow(&kept, &nkept, &capkept, sizeof *kept)) == NULL) {
        free(copy);
        return NULL;
    }
    *slot = copy;
    return copy;
}

/* After an exact lookup found nothing (st, with its message): the one
 * name equal but for case, or a message that helps. */
static bv_status
resolve(bv_vault *v, const char *kind, char **name, bv_status st, int boards)
{
    struct near n;
    bv_status st2;

    if (st != BV_ENOTFOUND)
        return st;
    memset(&n, 0, sizeof n);
    n.want = *name;
    n.dist = 3; /* at most two edits away to be suggested */
    st2 = boards ? bv_read_boards(v, near_board, &n) : bv_read_persons(v, near_person, &n);
    if (st2 != BV_OK)
        return st2;
    bv_err_clear();
    if (n.nsame == 1) {
        char *k = keep(n.same[0]);
        if (k == NULL)
            return bv_fail(BV_ERR, "out of memory");
        *name = k;
        return BV_OK;
    }
    if (n.nsame > 1)
        return bv_fail(BV_EUSAGE,
            "\"%s\" matches \"%s\" and \"%s\" but for case: give the exact name", *name, n.same[0],
            n.same[1]);
    if (n.best[0])
        return bv_fail(
            BV_ENOTFOUND, "no %s named \"%s\"; did you mean \"%s\"?", kind, *name, n.best);
    return bv_fail(BV_ENOTFOUND, "no %s named \"%s\"", kind, *name);
}

bv_status
bv_pre_board(bv_vault *v, char **board)
{
    bv_board_row b;

    return resolve(v, "board", board, bv_read_board(v, *board, &b), 1);
}

bv_status
bv_pre_person(bv_vault *v, char **name)
{
    bv_person_row p;

    return resolve(v, "member", name, bv_read_person(v, *name, &p), 0);
}

const char *
bv_pre_actor(bv_vault *v, const char *name)
{
    char buf[BV_NAME_MAX + 1], *n = buf;

    snprintf(buf, sizeof buf, "%s", name);
    if (bv_pre_person(v, &n) != BV_OK) {
        bv_err_clear();
        return name;
    }
    return n == buf ? name : n;
}

/* The distinct ids that start with the prefix. */
struct matches {
    const char *prefix;
    size_t plen;
    char (*uid)[BV_UID_LEN + 1];
    size_t n, cap;
};

static bv_status
add_match(struct matches *m, const char *uid)
{
    char(*slot)[BV_UID_LEN + 1];
    size_t i;

    if (strlen(uid) != BV_UID_LEN || strncmp(uid, m->prefix, m->plen) != 0)
        return BV_OK;
    for (i = 0; i < m->n; i++)
        if (strcmp(m->uid[i], uid) == 0)
            return BV_OK;
    if ((slot = bv_grow(&m->uid, &m->n, &m->cap, sizeof *m->uid)) == NULL)
        return BV_ERR;
    memcpy(*slot, uid, BV_UID_LEN + 1);
    return BV_OK;
}

static bv_status
item_match(void *ctx, const bv_item_row *it)
{
    return add_match(ctx, it->uid);
}

static bv_status
log_match(void *ctx, const bv_audit_row *e)
{
    return add_match(ctx, e->item ? e->item : "");
}

bv_status
bv_pre_item(bv_vault *v, const char *arg, int in_log, char uid[BV_UID_LEN + 1])
{
    struct matches m;
    bv_item_row it;
    size_t len = strlen(arg);
    bv_status st;

    memset(&m, 0, sizeof m);
    uid[0] = '\0';
    if (len < BV_ITEM_PREFIX_MIN || len > BV_UID_LEN || strspn(arg, "0123456789abcdef") != len)
        return bv_fail(BV_EUSAGE,
            "an item id is %d lower-case hex digits (or its first %d or more): \"%.64s\"",
            BV_UID_LEN, BV_ITEM_PREFIX_MIN, arg);
    if (len == BV_UID_LEN && !in_log) {
        bv_item_row_init(&it);
        st = bv_read_item(v, arg, &it);
        bv_item_row_free(&it);
        if (st == BV_OK)
            memcpy(uid, arg, BV_UID_LEN + 1);
        return st; /* the store words "no item with id ..." */
    }
    if (len == BV_UID_LEN) {
        /* a full id: the log may name an item that is gone; let it through */
        memcpy(uid, arg, BV_UID_LEN + 1);
        return BV_OK;
    }
    m.prefix = arg;
    m.plen = len;
    st = bv_read_items(v, NULL, item_match, &m);
    if (st == BV_OK && in_log)
        st = bv_read_audit(v, NULL, log_match, &m);
    if (st != BV_OK)
        goto out;
    if (m.n == 0)
        st = bv_fail(BV_ENOTFOUND, "no item with an id starting %s", arg);
    else if (m.n > 1)
        st = bv_fail(BV_EUSAGE, "%s is the start of %zu item ids: give more of the id", arg, m.n);
    else
        memcpy(uid, m.uid[0], BV_UID_LEN + 1);
out:
    free(m.uid);
    return st;
}

bv_status
bv_pre_agenda(bv_vault *v, const char *board, int64_t meeting, int agenda_no)
{
    bv_meeting_row mr;
    const bv_agenda_item *it;
    bv_status st;

    memset(&mr, 0, sizeof mr);
    if ((st = bv_read_meeting(v, meeting, &mr)) != BV_OK)
        return st;
    if (strcmp(mr.board, board) != 0)
        st = bv_fail(BV_EUSAGE, "meeting %lld belongs to board %s, not %s", (long long)meeting,
            mr.board, board);
    else if ((it = bv_minutes_item(mr.m, agenda_no)) == NULL)
        st = bv_fail(
            BV_ENOTFOUND, "meeting %lld has no agenda item %d", (long long)meeting, agenda_no);
    else if (!it->restricted)
        st = bv_fail(BV_EUSAGE, "agenda item %d is open minutes, not a restricted item", agenda_no);
    else if (mr.uids[it - mr.m->items][0])
        st = bv_fail(BV_EUSAGE, "agenda item %d already has a sealed body (item %s)", agenda_no,
            mr.uids[it - mr.m->items]);
    bv_meeting_row_free(&mr);
    return st;
}
