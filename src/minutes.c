/*
 * minutes.c - the minutes parser: text in, a bv_meeting out (see
 * include/bv_minutes.h). Chooses how the agenda is laid out (numbered, see
 * minutes_layout.c; unnumbered headings; one item), hands each item to
 * minutes_blocks.c, carries an exclusion of the press and public to the
 * items after it, settles the meeting date and records what it guessed.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes_int.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>

#define EXCLUDED "press and public excluded"

/* The document's shape, as the parse found it. */
typedef struct {
    mline *L;
    size_t nl;
    istart *starts;
    size_t ns;
    size_t from; /* first line after the table heading, 0 without one */
    size_t marker; /* the table heading's line, NO_LINE without one */
    int flat; /* line breaks were lost and put back */
    char key[32]; /* the numbering's shape, "" when unnumbered */
} layout;

/* s without the bytes of characters that "%.80s" or the buffer's end cut
 * in two: a warning quotes titles, and must stay whole UTF-8. */
static void
keep_whole_utf8(char *s)
{
    size_t i = 0, o = 0, n = strlen(s), k, need;
    unsigned char c;

    while (i < n) {
        c = (unsigned char)s[i];
        need = c < 0x80              ? 0
            : c >= 0xc2 && c <= 0xdf ? 1
            : c >= 0xe0 && c <= 0xef ? 2
            : c >= 0xf0 && c <= 0xf4 ? 3
                                     : 9;
        for (k = 1; need != 9 && k <= need; k++)
            if (i + k >= n || ((unsigned char)s[i + k] & 0xc0) != 0x80)
                need = 9;
        if (need == 9 || !bv_utf8_ok(s + i, need + 1, NULL)) {
            i++;
            continue;
        }
        memmove(s + o, s + i, need + 1);
        o += need + 1;
        i += need + 1;
    }
    s[o] = '\0';
}

int
bv_mn_warn(bv_meeting *m, const char *fmt, ...)
{
    char buf[512], **w;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    keep_whole_utf8(buf);
    if ((w = realloc(m->warnings, (m->nwarnings + 1) * sizeof *w)) == NULL)
        return -1;
    m->warnings = w;
    if ((w[m->nwarnings] = strdup(buf)) == NULL)
        return -1;
    m->nwarnings++;
    return 0;
}

/* ---- unnumbered agendas --------------------------------------------- */

static int
header_field(span x)
{
    char iso[32], hhmm[32];
    int t;

    return starts_ci(x, "venue:") || starts_ci(x, "contact:") || bv_mn_page_title(x)
        || bv_mn_items_heading(x) || bv_mn_date_line(x, iso, hhmm, &t);
}

static int
add_start(istart **v, size_t *n, size_t *cap, size_t first, const mline *L, size_t title, int dur)
{
    istart *p;

    if ((p = bv_mn_grow(*v, cap, *n, sizeof *p)) == NULL)
        return -1;
    *v = p;
    p += *n;
    memset(p, 0, sizeof *p);
    p->first = first;
    p->title = title;
    p->ttext = L[title].t;
    p->duration = dur;
    (*n)++;
    return 0;
}

/* A heading line opens an item (see scan_unnumbered). */
static int
heading_opens(const mline *L, size_t nl, size_t i, size_t gb, int relaxed, int paragraphs)
{
    size_t t = bv_mn_next_nonblank(L, nl, i + 1);
    span x = L[i].t;
    ilabel l;

    if (t == NO_LINE || !bv_mn_heading_like(x) || header_field(x) || bv_mn_section_heading(x))
        return 0;
    if (gb >= 2
        && (L[i].gap_after >= 2 || bv_mn_is_doc_link(x) || eq_ci(L[t].t, "additional documents:")))
        return 1;
    if (relaxed && gb >= 2 && L[i].gap_after >= 1)
        return 1;
    return relaxed && paragraphs && gb >= 1 && L[i].gap_after >= 1 && bv_mn_item_label(L[t].t, &l)
        && !l.alone;
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
 *
 * Pages without the Note column (relaxed) have no sub-headings to confuse:
 * there a title needs two blank lines above and one below (the agenda's own
 * description follows it at one line's distance), and a heading over
 * numbered paragraphs ("Matters arising" over "3. There were no ...") is a
 * title with one blank line either side.
 */
static int
scan_unnumbered(const layout *y, int boundary, int relaxed, int paragraphs, istart **v, size_t *n)
{
    size_t i, t, cap = 0, gb, first = bv_mn_next_nonblank(y->L, y->nl, y->from);
    int dur;

    for (i = y->from; i < y->nl; i++) {
        span x = y->L[i].t;
        if (x.n == 0)
            continue;
        if (bv_mn_duration_line(x, &dur)) {
            t = bv_mn_next_nonblank(y->L, y->nl, i + 1);
            if (t == NO_LINE || bv_mn_duration_line(y->L[t].t, &dur))
                continue;
            bv_mn_duration_line(x, &dur);
            if (add_start(v, n, &cap, i, y->L, t, dur) != 0)
                return -1;
            i = t;
            continue;
        }
        gb = boundary && i == first ? 2 : y->L[i].gap_before;
        if (heading_opens(y->L, y->nl, i, gb, relaxed, paragraphs)
            && add_start(v, n, &cap, i, y->L, i, 0) != 0)
            return -1;
    }
    return 0;
}

/* Words a decision is recorded under, in capitals on a line of their own. */
static int
decision_word(span x)
{
    static const char *const w[] = { "resolved", "agreed", "ordered", "noted", "decision",
        "decisions", "action", "actions", "recommendation", "recommendations", "present",
        "in attendance", "apologies", "members", "officers", "minutes", NULL };
    size_t k;

    for (k = 0; w[k]; k++)
        if (eq_ci(x, w[k]))
            return 1;
    return 0;
}

/*
 * Pages whose headings have only one blank line around them, like their
 * paragraphs (text from a PDF or a word processor): a heading is a short
 * title-like line followed by text that is not itself a heading. Tried
 * only when the stricter rules found at most one item; with fewer than two
 * such headings the stricter answer stands.
 */
static int
loose_headings(const layout *y, istart **v, size_t *n)
{
    istart *w = NULL;
    size_t i, t, cap = 0, nw = 0, words, k;
    span x;

    for (i = y->from; i < y->nl; i++) {
        x = y->L[i].t;
        if (x.n == 0 || (y->L[i].gap_before < 1 && i > y->from) || y->L[i].gap_after < 1
            || !bv_mn_heading_like(x) || header_field(x) || bv_mn_section_heading(x)
            || decision_word(x))
            continue;
        for (k = 0, words = 0; k < x.n; k++)
            words += ws_len(x.s + k, x.n - k) > 0;
        t = bv_mn_next_nonblank(y->L, y->nl, i + 1);
        if (words >= 10 || t == NO_LINE || bv_mn_heading_like(y->L[t].t))
            continue;
        if (add_start(&w, &nw, &cap, i, y->L, i, 0) != 0) {
            free(w);
            return -1;
        }
    }
    if (nw >= 2) {
        free(*v);
        *v = w;
        *n = nw;
        return 0;
    }
    free(w);
    return 0;
}

/* No numbering and no headings: a page about one item ("Issue - meetings")
 * is that item, titled by the first heading after the date line. */
static int
one_item(const layout *y, istart **v, size_t *n)
{
    size_t i, from = y->from, cap = 0;

    for (i = y->from; i < y->nl; i++)
        if (header_field(y->L[i].t) && !bv_mn_page_title(y->L[i].t))
            from = i + 1;
    for (i = from; i < y->nl; i++)
        if (bv_mn_heading_like(y->L[i].t) && !header_field(y->L[i].t)
            && !bv_mn_section_heading(y->L[i].t)
            && bv_mn_next_nonblank(y->L, y->nl, i + 1) != NO_LINE)
            return add_start(v, n, &cap, i, y->L, i, 0);
    return 0;
}

static int
has_durations(const layout *y)
{
    size_t i;
    int d;

    for (i = y->from; i < y->nl; i++)
        if (bv_mn_duration_line(y->L[i].t, &d))
            return 1;
    return 0;
}

/* ---- layout --------------------------------------------------------- */

/* The table heading ("Items", "No. Item"), if any, ends the header; it can
 * only come before the first number or duration line. */
static void
find_marker(layout *y)
{
    size_t i, k, first;
    ilabel l;
    int v;

    y->marker = NO_LINE;
    for (first = 0; first < y->nl; first++)
        if ((bv_mn_item_label(y->L[first].t, &l) && l.alone)
            || bv_mn_duration_line(y->L[first].t, &v))
            break;
    for (i = 0; i < first; i++)
        if (bv_mn_items_heading(y->L[i].t))
            break;
    if (i == first)
        return;
    y->marker = i;
    for (k = i; k < first && (y->L[k].t.n == 0 || bv_mn_items_heading(y->L[k].t)); k++)
        if (y->L[k].t.n > 0)
            y->from = k + 1;
}

/* Unnumbered rules in turn: headings by their gaps, looser headings, one item. */
static int
find_unnumbered(bv_meeting *m, layout *y, int dur, int paragraphs, size_t hits)
{
    if (scan_unnumbered(y, y->marker != NO_LINE, !dur, paragraphs, &y->starts, &y->ns) != 0)
        return -1;
    if (y->ns <= 1 && !dur && loose_headings(y, &y->starts, &y->ns) != 0)
        return -1;
    if (y->ns > 0 || hits >= 1)
        return 0;
    if (one_item(y, &y->starts, &y->ns) != 0)
        return -1;
    return y->ns == 1 ? bv_mn_warn(m, "no numbering or headings found: read as one item") : 0;
}

/*
 * The items: a numbering with a number alone on its line wins; so does one
 * of numbers before their titles, unless the page has a Note column of
 * durations; otherwise the unnumbered rules, and a numbering of one title
 * only when they find nothing.
 */
static bv_status
find_items(bv_meeting *m, layout *y)
{
    istart *num = NULL;
    size_t nnum = 0, hits;
    int paragraphs, alone, dur;
    char key[32];
    bv_status st;

    find_marker(y);
    if ((st = bv_mn_scan_numbered(y->L, y->nl, y->from, &num, &nnum, key, &hits, &paragraphs))
        != BV_OK)
        goto out;
    alone = key[0] != '\0' && key[strlen(key) - 1] == '|';
    dur = has_durations(y);
    if (!(hits >= 1 && alone) && !(hits >= 2 && !dur)) {
        if (find_unnumbered(m, y, dur, paragraphs, hits) != 0) {
            st = bv_fail(BV_ERR, "out of memory");
            goto out;
        }
        if (y->ns > 0)
            key[0] = '\0';
    }
    memcpy(y->key, key, sizeof key);
    if (y->key[0] != '\0') {
        free(y->starts);
        y->starts = num;
        y->ns = nnum;
        num = NULL;
    }
out:
    free(num);
    return st;
}

/* ---- items ---------------------------------------------------------- */

/* Item numbers must name one item each: when their last parts repeat
 * ("CSF 14/1", "CSF 15/1") items are called by their position instead. */
static int
unique_numbers(bv_meeting *m)
{
    size_t i, k, j;

    for (i = 0; i < m->nitems; i++)
        if (m->items[i].number > MAX_ITEM_NO) {
            for (j = 0; j < m->nitems; j++)
                m->items[j].number = 0;
            return bv_mn_warn(m,
                "item number \"%s\" is over %d: items are called by their position",
                m->items[i].label ? m->items[i].label : "", MAX_ITEM_NO);
        }
    for (i = 0; i < m->nitems && i < 2000; i++)
        for (k = i + 1; k < m->nitems && k < 2000; k++) {
            if (m->items[i].number != m->items[k].number)
                continue;
            for (j = 0; j < m->nitems; j++)
                m->items[j].number = 0;
            return bv_mn_warn(m,
                "item numbers \"%s\" and \"%s\" end alike: items are called by their position",
                m->items[i].label ? m->items[i].label : "",
                m->items[k].label ? m->items[k].label : "");
        }
    return 0;
}

static int
item_says(const mline *L, size_t a, size_t b, int (*f)(span))
{
    for (; a < b; a++)
        if (f(L[a].t))
            return 1;
    return 0;
}

static int
warn_restricted(bv_meeting *m, const bv_agenda_item *it, size_t motion)
{
    char name[32];

    snprintf(name, sizeof name, "%d", it->number ? it->number : it->ordinal);
    if (strcmp(it->restriction, EXCLUDED) == 0)
        return bv_mn_warn(m,
            "item %s \"%.80s\" is taken as restricted: it comes after item %zu, which excluded "
            "the press and public or opened restricted business",
            it->label ? it->label : name, it->title, motion);
    return bv_mn_warn(m, "item %s \"%.80s\" is restricted (\"%s\")", it->label ? it->label : name,
        it->title, it->restriction);
}

static bv_status
build_items(bv_meeting *m, const layout *y, const uint8_t *text)
{
    const char *inh = NULL;
    size_t k, end, motion = 0;
    int para = 0;
    bv_status st;

    if ((m->items = calloc(y->ns, sizeof *m->items)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    for (k = 0; k < y->ns; k++) {
        bv_agenda_item *it = &m->items[k];
        span t = y->starts[k].ttext;
        m->nitems = k + 1;
        it->number = y->starts[k].number;
        it->ordinal = (int)k + 1;
        it->duration_min = y->starts[k].duration;
        bv_mn_strip_truncation(&t);
        if ((it->title = dup_span(bv_mn_strip_doc_link(t))) == NULL
            || (y->starts[k].label.n > 0 && (it->label = dup_span(y->starts[k].label)) == NULL))
            return bv_fail(BV_ERR, "out of memory");
        end = k + 1 < y->ns ? y->starts[k + 1].first : y->nl;
        if ((st = bv_mn_build_item(it, y->L, y->starts[k].title + 1, end, text, inh, para))
            != BV_OK)
            return st;
        if ((it->exclusion_motion
                && !item_says(y->L, y->starts[k].title, end, bv_mn_motion_declined))
            || item_says(y->L, y->starts[k].title + 1, end, bv_mn_restricted_section)) {
            inh = EXCLUDED;
            para = it->schedule12a_para;
            motion = k + 1;
        } else if (inh != NULL && item_says(y->L, y->starts[k].title + 1, end, bv_mn_readmitted)) {
            inh = NULL;
        }
        if (it->restricted && warn_restricted(m, it, motion) != 0)
            return bv_fail(BV_ERR, "out of memory");
    }
    return unique_numbers(m) != 0 ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

/* ---- date and board ------------------------------------------------- */

static int
set_str(char **dst, const char *s)
{
    free(*dst);
    return (*dst = strdup(s)) == NULL ? -1 : 0;
}

/* No date in the header: one worked out from the open text, else the
 * caller's, else the error that asks for it. */
static bv_status
settle_date(bv_meeting *m, const layout *y, const bv_minutes_opts *o)
{
    bv_mn_date dt;
    size_t k, line = 0, end;
    int found = 0;

    for (k = 0; m->date_iso == NULL && !found && k < y->ns; k++) {
        end = k + 1 < y->ns ? y->starts[k + 1].first : y->nl;
        if (!m->items[k].restricted)
            found = bv_mn_infer_date(y->L, y->starts[k].first, end, &dt, &line);
    }
    if (found) {
        if (set_str(&m->date_iso, dt.iso) != 0 || set_str(&m->date_line, dt.iso) != 0
            || bv_mn_warn(m,
                   "no meeting date printed: %s worked out from line %zu (\"the working day "
                   "before the meeting\"); give --date YYYY-MM-DD if it is wrong",
                   dt.iso, line)
                != 0)
            return bv_fail(BV_ERR, "out of memory");
        m->date_source = BV_DATE_INFERRED;
    }
    if (o != NULL && o->date_iso != NULL) {
        if (m->date_iso != NULL && strcmp(m->date_iso, o->date_iso) != 0
            && bv_mn_warn(m, "--date %s replaces the date found in the text (%s)", o->date_iso,
                   m->date_iso)
                != 0)
            return bv_fail(BV_ERR, "out of memory");
        if (set_str(&m->date_iso, o->date_iso) != 0
            || (m->date_line == NULL && set_str(&m->date_line, o->date_iso) != 0))
            return bv_fail(BV_ERR, "out of memory");
        m->date_source = BV_DATE_GIVEN;
    }
    if (m->date_iso == NULL)
        return bv_fail(BV_EINPUT,
            "no meeting found: no date line (such as \"Wednesday, 7 December 2022 10:00 am\") "
            "before the first agenda item; give the meeting date with --date YYYY-MM-DD");
    return BV_OK;
}

static int
stop_word(span w)
{
    return eq_ci(w, "the") || eq_ci(w, "and") || eq_ci(w, "of") || eq_ci(w, "&") || eq_ci(w, "for")
        || eq_ci(w, "a") || eq_ci(w, "-");
}

static int
same_ci(span x, size_t at, span w)
{
    size_t i;

    for (i = 0; i < w.n; i++)
        if (lc(byte(x, at + i)) != lc(byte(w, i)))
            return 0;
    return 1;
}

/* w as a whole word on one of the lines [0, hend). */
static int
word_in(const mline *L, size_t hend, span w)
{
    size_t i, p;
    span x;

    for (i = 0; i < hend; i++)
        for (x = L[i].t, p = 0; p + w.n <= x.n; p++)
            if ((p == 0 || !is_alnum(byte(x, p - 1)))
                && (p + w.n == x.n || !is_alnum(byte(x, p + w.n))) && same_ci(x, p, w))
                return 1;
    return 0;
}

/* The initials of the significant words of x, lower case, in ini. */
static size_t
initials(span x, char *ini, size_t max)
{
    size_t n = 0;
    span w;

    for (x = ltrim(x); x.n > 0 && n + 1 < max; x = ltrim(skip(x, w.n ? w.n : 1))) {
        w = first_word(x);
        if (w.n > 0 && !stop_word(w) && is_alpha(byte(w, 0)))
            ini[n++] = (char)lc(byte(w, 0));
    }
    ini[n] = '\0';
    return n;
}

/* Does the header [0, hend) name the board: all its words, or its initials
 * either way round ("CSP" and "Community Safety Partnership")? */
static int
board_named(const mline *L, size_t hend, const char *board)
{
    char ini[32], line[256];
    span b = mkspan(board, strlen(board)), w;
    size_t i, k, nw = 0, miss = 0;

    for (b = ltrim(b); b.n > 0; b = ltrim(skip(b, w.n ? w.n : 1))) {
        w = first_word(b);
        if (w.n > 0 && !stop_word(w)) {
            nw++;
            miss += !word_in(L, hend, w);
        }
    }
    if (miss == 0)
        return 1;
    b = mkspan(board, strlen(board));
    if (initials(b, ini, sizeof ini) > 1 && nw > 1 && word_in(L, hend, mkspan(ini, strlen(ini))))
        return 1;
    if (nw != 1 || b.n < 2 || b.n >= sizeof ini)
        return 0;
    for (k = 0; k < b.n; k++)
        ini[k] = (char)lc(byte(b, k));
    ini[b.n] = '\0';
    for (i = 0; i < hend; i++)
        if (initials(L[i].t, line, sizeof line) > 0 && strstr(line, ini) != NULL)
            return 1;
    return 0;
}

/* Minutes of another body than the board they are imported into warn. */
static bv_status
check_board(bv_meeting *m, const layout *y, size_t hend, const char *board)
{
    if (board == NULL || board_named(y->L, hend, board))
        return BV_OK;
    if (bv_mn_warn(m,
            "the minutes' heading does not name board \"%s\"%s%s%s: check they are its "
            "minutes",
            board, m->board ? " (they name \"" : "", m->board ? m->board : "",
            m->board ? "\")" : "")
        != 0)
        return bv_fail(BV_ERR, "out of memory");
    return BV_OK;
}

static int
warn_layout(bv_meeting *m, const layout *y)
{
    if (y->flat
        && bv_mn_warn(m,
               "the text has lost its line breaks: items and their titles were found in the "
               "running text and are guesses")
            != 0)
        return -1;
    if (y->key[0] == '\0' && m->nitems == 1)
        return 0; /* "read as one item" was said, or there is one heading */
    if (y->key[0] != '\0' && m->nitems > 0)
        return bv_mn_warn(m, "%zu items numbered as printed, like \"%s\"", m->nitems,
            m->items[0].label ? m->items[0].label : "");
    return bv_mn_warn(m, "%zu unnumbered items, found by their headings", m->nitems);
}

/* ---- the parse ------------------------------------------------------ */

static bv_status
parse_layout(bv_meeting *m, layout *y, const uint8_t *text, size_t len, const bv_minutes_opts *o)
{
    size_t hend;
    bv_status st;

    if (o != NULL && o->format != NULL && bv_mn_warn(m, "read as %s", o->format) != 0)
        return bv_fail(BV_ERR, "out of memory");
    if ((y->L = bv_mn_split_lines(text, len, &y->nl)) == NULL
        || bv_mn_unflatten(&y->L, &y->nl, text, len, &y->flat) != 0)
        return bv_fail(BV_ERR, "out of memory");
    if ((st = find_items(m, y)) != BV_OK)
        return st;
    if (y->ns == 0)
        return bv_fail(BV_EINPUT,
            "no agenda items found: expected numbered items (\"1.\", \"Item 1\", \"CSF 14/1\"), "
            "items with durations (\"5 minutes\") or headings set apart from the text");
    hend = y->starts[0].first;
    if ((st = bv_mn_parse_header(m, y->L, hend, y->marker != NO_LINE ? y->marker : hend)) != BV_OK
        || (st = build_items(m, y, text)) != BV_OK || (st = settle_date(m, y, o)) != BV_OK
        || (st = check_board(m, y, hend, o ? o->board : NULL)) != BV_OK)
        return st;
    return warn_layout(m, y) != 0 ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

bv_status
bv_minutes_parse_opts(const uint8_t *text, size_t len, const bv_minutes_opts *o, bv_meeting **out)
{
    bv_meeting *m = NULL;
    layout y;
    bv_status st;

    *out = NULL;
    memset(&y, 0, sizeof y);
    if (text == NULL)
        len = 0;
    if (o != NULL && o->date_iso != NULL && !bv_minutes_date_ok(o->date_iso))
        return bv_fail(
            BV_EUSAGE, "--date wants a real date written YYYY-MM-DD, not \"%s\"", o->date_iso);
    if ((st = bv_mn_check_text(text, len)) != BV_OK)
        return st;
    if (sodium_init() < 0)
        return bv_fail(BV_ERR, "libsodium failed to initialise");
    if ((m = calloc(1, sizeof *m)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = parse_layout(m, &y, text, len, o)) != BV_OK)
        goto out;
    *out = m;
    m = NULL;
out:
    bv_meeting_free(m);
    free(y.L);
    free(y.starts);
    return st;
}

bv_status
bv_minutes_parse(const uint8_t *text, size_t len, bv_meeting **out)
{
    return bv_minutes_parse_opts(text, len, NULL, out);
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
        free(it->label);
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
    for (i = 0; i < m->nwarnings; i++)
        free(m->warnings[i]);
    free(m->warnings);
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
