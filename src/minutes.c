/*
 * minutes.c - the minutes parser: text in, a bv_meeting out (see
 * include/bv_minutes.h). Finds the agenda items' numbering or headings and
 * hands each item to minutes_blocks.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "minutes_int.h"

#include <sodium.h>
#include <stdio.h>

/* ---- agenda structure ----------------------------------------------- */

static int
header_field(span x)
{
    char iso[32], hhmm[32];
    int t;

    return starts_ci(x, "venue:") || starts_ci(x, "contact:") || bv_mn_page_title(x)
        || bv_mn_items_heading(x) || bv_mn_date_line(x, iso, hhmm, &t);
}

static int
add_start(istart **v, size_t *n, size_t *cap, size_t first, size_t title, int number, int dur)
{
    istart *p;

    if ((p = bv_mn_grow(*v, cap, *n, sizeof *p)) == NULL)
        return -1;
    *v = p;
    (*v)[*n].first = first;
    (*v)[*n].title = title;
    (*v)[*n].number = number;
    (*v)[*n].duration = dur;
    (*n)++;
    return 0;
}

/*
 * Numbered agendas: a line "N." alone, its title on the next non-blank
 * line. A duration line just before the number belongs to that item.
 */
static int
scan_numbered(const mline *L, size_t nl, size_t from, istart **v, size_t *n)
{
    size_t i, t, p, cap = 0, floor = from;
    int num, dur;

    for (i = from; i < nl; i++) {
        if (!bv_mn_number_line(L[i].t, &num))
            continue;
        t = bv_mn_next_nonblank(L, nl, i + 1);
        if (t == NO_LINE || bv_mn_number_line(L[t].t, &dur))
            continue;
        dur = 0;
        p = i;
        while (p > floor && L[p - 1].t.n == 0)
            p--;
        if (p > floor && bv_mn_duration_line(L[p - 1].t, &dur))
            p--;
        else
            p = i;
        if (add_start(v, n, &cap, p, t, num, dur) != 0)
            return -1;
        floor = t + 1;
        i = t;
    }
    return 0;
}

/*
 * Unnumbered agendas. A duration line ("2 minutes") opens an item whose
 * title is the next non-blank line. Items without one are found by layout:
 * the page sets an agenda title apart from its minutes by two or more blank
 * lines above and below, while a sub-heading inside the minutes ("Children
 * and Young People (CYP)", "Managing Offenders") has only one blank line
 * below it. A title carrying a document link or followed by "Additional
 * documents:" is a title even with one blank line below: only agenda titles
 * get attachments. The line must also look like a title (see heading_like),
 * which keeps out the prose and ACTION lines that also sit between double gaps.
 */
static int
scan_unnumbered(const mline *L, size_t nl, size_t from, int boundary, istart **v, size_t *n)
{
    size_t i, t, cap = 0, gb, first = bv_mn_next_nonblank(L, nl, from);
    int dur;

    for (i = from; i < nl; i++) {
        span x = L[i].t;
        if (x.n == 0)
            continue;
        if (bv_mn_duration_line(x, &dur)) {
            t = bv_mn_next_nonblank(L, nl, i + 1);
            if (t == NO_LINE || bv_mn_duration_line(L[t].t, &dur))
                continue;
            bv_mn_duration_line(x, &dur);
            if (add_start(v, n, &cap, i, t, 0, dur) != 0)
                return -1;
            i = t;
            continue;
        }
        gb = boundary && i == first ? 2 : L[i].gap_before;
        if (gb < 2 || !bv_mn_heading_like(x) || header_field(x))
            continue;
        t = bv_mn_next_nonblank(L, nl, i + 1);
        if (t == NO_LINE)
            continue;
        if (L[i].gap_after >= 2 || bv_mn_is_doc_link(x) || eq_ci(L[t].t, "additional documents:")) {
            if (add_start(v, n, &cap, i, i, 0, 0) != 0)
                return -1;
        }
    }
    return 0;
}

bv_status
bv_minutes_parse(const uint8_t *text, size_t len, bv_meeting **out)
{
    bv_meeting *m = NULL;
    mline *L = NULL;
    istart *starts = NULL;
    size_t nl = 0, ns = 0, i, from = 0, hend, first_struct, k, end;
    size_t seen[MAX_ITEM_NO + 1];
    int numbered = 0, marker = 0, v;
    bv_status st;

    *out = NULL;
    if (text == NULL)
        len = 0;
    if ((st = bv_mn_check_text(text, len)) != BV_OK)
        return st;
    if (sodium_init() < 0)
        return bv_fail(BV_ERR, "libsodium failed to initialise");
    if ((m = calloc(1, sizeof *m)) == NULL || (L = bv_mn_split_lines(text, len, &nl)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto done;
    }

    /* the table heading, if any, ends the header; it can only come before
     * the first number or duration line */
    for (first_struct = 0; first_struct < nl; first_struct++)
        if (bv_mn_number_line(L[first_struct].t, &v) || bv_mn_duration_line(L[first_struct].t, &v))
            break;
    for (i = 0; i < first_struct; i++)
        if (bv_mn_items_heading(L[i].t))
            break;
    hend = i;
    if (i < first_struct) {
        marker = 1;
        for (k = i; k < first_struct && (L[k].t.n == 0 || bv_mn_items_heading(L[k].t)); k++)
            if (L[k].t.n > 0)
                from = k + 1;
    }
    for (i = from; i < nl && !numbered; i++)
        if (bv_mn_number_line(L[i].t, &v)) {
            k = bv_mn_next_nonblank(L, nl, i + 1);
            numbered = k != NO_LINE && !bv_mn_number_line(L[k].t, &v);
        }
    if ((numbered ? scan_numbered(L, nl, from, &starts, &ns)
                  : scan_unnumbered(L, nl, from, marker, &starts, &ns))
        != 0) {
        st = bv_fail(BV_ERR, "out of memory");
        goto done;
    }
    if (ns == 0) {
        st = bv_fail(BV_EINPUT,
            "no agenda items found: expected numbered items (\"1.\") or "
            "items with durations (\"5 minutes\")");
        goto done;
    }
    if (!marker)
        hend = starts[0].first;
    if ((st = bv_mn_parse_header(m, L, hend)) != BV_OK)
        goto done;

    memset(seen, 0, sizeof seen);
    for (k = 0; k < ns; k++) {
        if (starts[k].number == 0)
            continue;
        if (seen[starts[k].number]) {
            st = bv_fail(BV_EINPUT, "item number %d appears twice (titles on lines %zu and %zu)",
                starts[k].number, seen[starts[k].number], starts[k].title + 1);
            goto done;
        }
        seen[starts[k].number] = starts[k].title + 1; /* 1-based, 0 is unseen */
    }

    if ((m->items = calloc(ns, sizeof *m->items)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto done;
    }
    for (k = 0; k < ns; k++) {
        bv_agenda_item *it = &m->items[k];
        span t = L[starts[k].title].t;
        m->nitems = k + 1;
        it->number = starts[k].number;
        it->ordinal = (int)k + 1;
        it->duration_min = starts[k].duration;
        bv_mn_strip_truncation(&t);
        if ((it->title = dup_span(bv_mn_strip_doc_link(t))) == NULL) {
            st = bv_fail(BV_ERR, "out of memory");
            goto done;
        }
        end = k + 1 < ns ? starts[k + 1].first : nl;
        if ((st = bv_mn_build_item(it, L, starts[k].title + 1, end, text)) != BV_OK)
            goto done;
    }
    *out = m;
    m = NULL;
done:
    bv_meeting_free(m);
    free(L);
    free(starts);
    return st;
}

void
bv_meeting_free(bv_meeting *m)
{
    size_t i, k;

    if (m == NULL)
        return;
    for (i = 0; i < m->nitems; i++) {
        bv_agenda_item *it = &m->items[i];
        free(it->title);
        free(it->restriction);
        for (k = 0; k < it->nblocks; k++)
            free(it->blocks[k].text);
        free(it->blocks);
        for (k = 0; k < it->nactions; k++) {
            free(it->actions[k].owners);
            free(it->actions[k].text);
            free(it->actions[k].status);
        }
        free(it->actions);
        if (it->restricted_body != NULL)
            sodium_memzero(it->restricted_body, it->restricted_body_len);
        free(it->restricted_body);
    }
    free(m->items);
    free(m->board);
    free(m->date_line);
    free(m->date_iso);
    free(m->time);
    free(m->venue);
    free(m->contact);
    free(m);
}

const bv_agenda_item *
bv_minutes_item(const bv_meeting *m, int n)
{
    size_t i;

    for (i = 0; m != NULL && i < m->nitems; i++)
        if ((m->items[i].number != 0 ? m->items[i].number : m->items[i].ordinal) == n)
            return &m->items[i];
    return NULL;
}
