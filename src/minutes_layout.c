/*
 * minutes_layout.c - how a document numbers its agenda items. Every line
 * that starts with something like an item number ("12.", "1/16", "CSF 14/1",
 * "(a)", "1)", "GBP/2223/001:") is a candidate; candidates of one shape form
 * a numbering, and the numbering whose longest increasing run has the most
 * title-like items is the agenda's. Numbered paragraphs, lists inside an
 * item and old minute numbers quoted in the text have other shapes, go
 * backwards, or are sentences rather than titles, so they lose.
 *
 * Also here: text whose line breaks were lost (PDF text run into one
 * paragraph) is cut back into lines at its item numbers.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes_int.h"

#include <stdio.h>

#define MAX_CANDS 4096
#define FLAT_MIN 1000 /* bytes: a line this long, most of the text, lost its breaks */
#define FLAT_TITLE_WORDS 12

typedef struct {
    size_t line; /* where the number is */
    size_t title; /* the title's line */
    span ttext;
    ilabel l;
    int ok; /* the title looks like one */
    int strong; /* ... and is no sentence: no full stop at its end */
} cand;

static int
seq_less(const ilabel *a, const ilabel *b)
{
    size_t i;

    for (i = 0; i < a->nseq && i < b->nseq; i++)
        if (a->seq[i] != b->seq[i])
            return a->seq[i] < b->seq[i];
    return a->nseq < b->nseq;
}

static int
seq_equal(const ilabel *a, const ilabel *b)
{
    return a->nseq == b->nseq && memcmp(a->seq, b->seq, a->nseq * sizeof a->seq[0]) == 0;
}

static size_t
collect(const mline *L, size_t nl, size_t from, cand *c)
{
    size_t i, t, n = 0;
    ilabel l2;

    for (i = from; i < nl && n < MAX_CANDS; i++) {
        if (!bv_mn_item_label(L[i].t, &c[n].l))
            continue;
        c[n].line = i;
        if (c[n].l.alone) {
            t = bv_mn_next_nonblank(L, nl, i + 1);
            if (t == NO_LINE || (bv_mn_item_label(L[t].t, &l2) && l2.alone))
                continue;
            c[n].title = t;
            c[n].ttext = L[t].t;
            c[n].ok = c[n].strong = 1;
        } else {
            c[n].title = i;
            c[n].ttext = c[n].l.rest;
            c[n].ok = bv_mn_title_like(bv_mn_strip_doc_link(c[n].l.rest));
            c[n].strong = bv_mn_heading_like(bv_mn_strip_doc_link(c[n].l.rest));
        }
        n++;
    }
    return n;
}

/*
 * The longest strictly increasing run among the usable candidates of one
 * shape (idx[0..m)), marked in keep[]. Its length.
 */
static size_t
longest_run(const cand *c, const size_t *idx, size_t m, size_t *len, size_t *prev, int *keep)
{
    size_t j, k, best = 0, end = NO_LINE;

    for (j = 0; j < m; j++) {
        len[j] = 1;
        prev[j] = NO_LINE;
        for (k = 0; k < j; k++)
            if (seq_less(&c[idx[k]].l, &c[idx[j]].l) && len[k] + 1 > len[j]) {
                len[j] = len[k] + 1;
                prev[j] = k;
            }
        if (len[j] > best) {
            best = len[j];
            end = j;
        }
    }
    for (j = end; j != NO_LINE; j = prev[j])
        keep[idx[j]] = 1;
    return best;
}

typedef struct {
    cand *c;
    size_t nc;
    size_t *idx, *len, *prev;
    int *keep;
} scan;

/* Score the numbering of shape key: its run's length, or 0 when most of
 * its candidates are sentences (numbered paragraphs). */
static size_t
score_key(scan *s, const char *key, int mark)
{
    size_t j, m = 0, strong = 0, total = 0, run;

    for (j = 0; j < s->nc; j++) {
        if (strcmp(s->c[j].l.key, key) != 0)
            continue;
        total++;
        strong += (size_t)s->c[j].strong;
        if (s->c[j].ok)
            s->idx[m++] = j;
    }
    if (m == 0 || 2 * strong < total)
        return 0;
    if (!mark) {
        int *save = s->keep;
        size_t r;
        s->keep = calloc(s->nc, sizeof *s->keep);
        if (s->keep == NULL) {
            s->keep = save;
            return 0;
        }
        r = longest_run(s->c, s->idx, m, s->len, s->prev, s->keep);
        free(s->keep);
        s->keep = save;
        return r;
    }
    run = longest_run(s->c, s->idx, m, s->len, s->prev, s->keep);
    return run;
}

static int
add(istart **v, size_t *n, size_t *cap, const cand *c, size_t first, int dur)
{
    istart *p;

    if ((p = bv_mn_grow(*v, cap, *n, sizeof *p)) == NULL)
        return -1;
    *v = p;
    p += *n;
    p->first = first;
    p->title = c->title;
    p->ttext = c->ttext;
    p->label = c->l.label;
    p->number = c->l.number;
    p->duration = dur;
    (*n)++;
    return 0;
}

/* Which group of the numbers varies ("1/16", "2/16": the first). */
static size_t
varying(const scan *s)
{
    size_t j, first = NO_LINE, g;

    for (j = 0; j < s->nc; j++) {
        if (!s->keep[j])
            continue;
        if (first == NO_LINE) {
            first = j;
            continue;
        }
        for (g = 0; g < s->c[j].l.nseq && g < s->c[first].l.nseq; g++)
            if (s->c[j].l.seq[g] != s->c[first].l.seq[g])
                return g;
    }
    return first == NO_LINE ? 0 : s->c[first].l.nseq - 1;
}

/* The kept candidates as item starts; a duration line just before a number
 * belongs to its item. An alone-numbered run repeating a number is an error. */
static bv_status
emit(const mline *L, size_t from, scan *s, istart **v, size_t *n, const char *key)
{
    size_t j, k, p, cap = 0, floor = from, g = varying(s);
    int dur;

    for (j = 0; j < s->nc; j++) {
        if (s->keep[j] && g < s->c[j].l.nseq)
            s->c[j].l.number = (int)(s->c[j].l.seq[g] % 100000u);
        if (!s->keep[j]) {
            for (k = 0; key[strlen(key) - 1] == '|' && k < s->nc; k++)
                if (s->keep[k] && strcmp(s->c[j].l.key, key) == 0
                    && seq_equal(&s->c[j].l, &s->c[k].l))
                    return bv_fail(BV_EINPUT,
                        "item number %d appears twice (titles on lines %zu and %zu)",
                        s->c[j].l.number, (k < j ? s->c[k] : s->c[j]).title + 1,
                        (k < j ? s->c[j] : s->c[k]).title + 1);
            continue;
        }
        dur = 0;
        for (p = s->c[j].line; p > floor && L[p - 1].t.n == 0; p--)
            ;
        if (!(p > floor && bv_mn_duration_line(L[p - 1].t, &dur)))
            p = s->c[j].line + 1;
        if (add(v, n, &cap, &s->c[j], p - 1, dur) != 0)
            return bv_fail(BV_ERR, "out of memory");
        floor = s->c[j].title + 1;
    }
    return BV_OK;
}

static bv_status
scan_alloc(scan *s, size_t nc)
{
    size_t n = nc ? nc : 1;

    s->idx = malloc(n * sizeof *s->idx);
    s->len = malloc(n * sizeof *s->len);
    s->prev = malloc(n * sizeof *s->prev);
    s->keep = calloc(n, sizeof *s->keep);
    if (s->idx == NULL || s->len == NULL || s->prev == NULL || s->keep == NULL)
        return bv_fail(BV_ERR, "out of memory");
    return BV_OK;
}

static void
scan_free(scan *s)
{
    free(s->c);
    free(s->idx);
    free(s->len);
    free(s->prev);
    free(s->keep);
}

/*
 * The agenda's numbering, if it has one: item starts in *v (sorted), the
 * shape in key (empty if none), its run length in *hits and whether the
 * numbers stand alone on their lines in *alone. *paragraphs is 1 when lines
 * of the text are numbered paragraphs (a shape rejected as sentences).
 */
bv_status
bv_mn_scan_numbered(const mline *L, size_t nl, size_t from, istart **v, size_t *n, char key[32],
    size_t *hits, int *paragraphs)
{
    scan s;
    size_t j, k, best = 0, sc, bestj = NO_LINE;
    bv_status st = BV_OK;

    memset(&s, 0, sizeof s);
    key[0] = '\0';
    *hits = 0;
    *paragraphs = 0;
    if ((s.c = malloc(MAX_CANDS * sizeof *s.c)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    s.nc = collect(L, nl, from, s.c);
    if ((st = scan_alloc(&s, s.nc)) != BV_OK)
        goto out;
    for (j = 0; j < s.nc; j++) {
        for (k = 0; k < j && strcmp(s.c[k].l.key, s.c[j].l.key) != 0; k++)
            ;
        if (k < j)
            continue; /* shape seen already */
        sc = score_key(&s, s.c[j].l.key, 0);
        if (sc == 0 && !s.c[j].l.alone)
            *paragraphs = 1;
        /* ties: a number alone on its line is the surer sign */
        if (sc > best || (sc == best && sc > 0 && s.c[j].l.alone && !s.c[bestj].l.alone)) {
            best = sc;
            bestj = j;
        }
    }
    if (bestj == NO_LINE)
        goto out;
    snprintf(key, 32, "%s", s.c[bestj].l.key);
    *hits = score_key(&s, key, 1);
    st = emit(L, from, &s, v, n, key);
out:
    scan_free(&s);
    return st;
}

/* ---- text that lost its line breaks ---------------------------------- */

/* A word that ends a title run into text: "(1)", "1.1.", "25.04.2017", a
 * bare page number, an old minute reference "CSP318(1)". */
static int
title_stop(span w, int caps)
{
    size_t i = 0, dots = 0;

    if (w.n >= 3 && w.s[0] == '(' && is_digit(byte(w, 1)) && w.s[w.n - 1] == ')')
        return 1;
    while (i < w.n && byte(w, i) >= 'A' && byte(w, i) <= 'Z')
        i++;
    if (i > 0 && i < w.n && is_digit(byte(w, i)))
        return 1;
    for (i = 0; i < w.n && (is_digit(byte(w, i)) || w.s[i] == '.'); i++)
        dots += w.s[i] == '.';
    return i == w.n && w.n > 0 && is_digit(byte(w, 0)) && (dots > 0 || (w.n <= 3 && caps != 1));
}

static int
has_lower(span w)
{
    size_t i;

    for (i = 0; i < w.n; i++)
        if (byte(w, i) >= 'a' && byte(w, i) <= 'z')
            return 1;
    return 0;
}

/* How much of x (after an item number) is the title. */
static size_t
flat_title(span x)
{
    size_t i = 0, j, words = 0, end = 0;
    int caps = -1;
    span w;

    while (i < x.n && words < FLAT_TITLE_WORDS) {
        while (i < x.n && ws_len(x.s + i, x.n - i) > 0)
            i += ws_len(x.s + i, x.n - i);
        for (j = i; j < x.n && ws_len(x.s + j, x.n - j) == 0; j++)
            ;
        if (j == i)
            break;
        w = mkspan(x.s + i, j - i);
        if (title_stop(w, caps) || (caps == 1 && has_lower(w)))
            break;
        if (caps < 0)
            caps = !has_lower(w);
        end = j;
        words++;
        i = j;
        if (strchr(".:;", w.s[w.n - 1]) != NULL)
            break;
    }
    return end;
}

typedef struct {
    size_t at; /* offset in the line */
    ilabel l;
} flatc;

/* The positions in line x where an item number starts a title: the longest
 * run of one shape numbered n, n+1, n+2 ... (at least 2), in c[0..*nc). */
static size_t
flat_run(span x, flatc *c, size_t max, size_t *out)
{
    size_t i, n = 0, j, k, best = 0, bestj = 0, run;

    for (i = 0; i < x.n && n < max; i++) {
        if (i > 0 && ws_len_back(x.s, i) == 0)
            continue;
        if (!bv_mn_item_label(skip(x, i), &c[n].l) || c[n].l.alone)
            continue;
        if (!(byte(c[n].l.rest, 0) >= 'A' && byte(c[n].l.rest, 0) <= 'Z'))
            continue;
        c[n].at = i;
        n++;
    }
    for (j = 0; j < n; j++) {
        unsigned want = c[j].l.seq[c[j].l.nseq - 1] + 1;
        for (run = 1, k = j + 1; k < n; k++)
            if (strcmp(c[k].l.key, c[j].l.key) == 0 && c[k].l.seq[c[k].l.nseq - 1] == want) {
                run++;
                want++;
            }
        if (run > best) {
            best = run;
            bestj = j;
        }
    }
    if (best < 2)
        return 0;
    out[0] = c[bestj].at;
    for (run = 1, k = bestj + 1; k < n && run < best; k++)
        if (strcmp(c[k].l.key, c[bestj].l.key) == 0
            && c[k].l.seq[c[k].l.nseq - 1] == c[bestj].l.seq[c[bestj].l.nseq - 1] + run)
            out[run++] = c[k].at;
    return best;
}

static int
push(mline **L, size_t *n, size_t *cap, const char *base, span t)
{
    mline *p;

    if ((p = bv_mn_grow(*L, cap, *n, sizeof *p)) == NULL)
        return -1;
    *L = p;
    p += *n;
    memset(p, 0, sizeof *p);
    p->t = trim(t);
    p->off = (size_t)(t.s - base);
    p->end = p->off + t.n;
    (*n)++;
    return 0;
}

/* Line x cut at the item numbers at[0..na): each item as its number and
 * title, a blank line, and its text. */
static int
cut_line(mline **out, size_t *n, size_t *cap, const char *base, span x, const size_t *at, size_t na)
{
    size_t k, e, tl;
    span seg, blank;
    ilabel l;

    if (push(out, n, cap, base, mkspan(x.s, at[0])) != 0)
        return -1;
    for (k = 0; k < na; k++) {
        e = k + 1 < na ? at[k + 1] : x.n;
        seg = mkspan(x.s + at[k], e - at[k]);
        if (!bv_mn_item_label(seg, &l))
            continue;
        tl = (size_t)(l.rest.s - seg.s) + flat_title(l.rest);
        blank = mkspan(seg.s + tl, 0);
        if (push(out, n, cap, base, mkspan(seg.s, tl)) != 0 || push(out, n, cap, base, blank) != 0
            || push(out, n, cap, base, mkspan(seg.s + tl, seg.n - tl)) != 0
            || push(out, n, cap, base, mkspan(seg.s + seg.n, 0)) != 0)
            return -1;
    }
    return 0;
}

/*
 * A run-on text without item numbers: cut after its first date (the
 * header) and make what follows one item, titled by its first words up to
 * the first full stop. -1 when out of memory, 1 if cut, 0 if there is no date.
 */
static int
cut_at_date(mline **out, size_t *n, size_t *cap, const char *base, span x)
{
    bv_mn_date dt;
    span rest;
    size_t h, t;

    dt.numeric = 0;
    if (!bv_mn_find_date(x, SIZE_MAX, &dt)) {
        dt.numeric = 1;
        if (!bv_mn_find_date(x, SIZE_MAX, &dt))
            return 0;
    }
    h = (size_t)(dt.at.s + dt.at.n - x.s);
    rest = ltrim(skip(x, h));
    t = flat_title(rest);
    while (t > 0 && strchr(".:;,", rest.s[t - 1]) != NULL)
        t--;
    if (t == 0 || t == rest.n)
        return 0;
    if (push(out, n, cap, base, mkspan(x.s, h)) != 0
        || push(out, n, cap, base, mkspan(x.s + h, 0)) != 0
        || push(out, n, cap, base, mkspan(rest.s, t)) != 0
        || push(out, n, cap, base, mkspan(rest.s + t, 0)) != 0
        || push(out, n, cap, base, mkspan(rest.s + t, rest.n - t)) != 0)
        return -1;
    return 1;
}

/*
 * Text whose line breaks were lost: a line of FLAT_MIN bytes or more that
 * is most of the text, holding a run of item numbers. *L is rebuilt with
 * that line cut into items; *flat is set. -1 when out of memory.
 */
int
bv_mn_unflatten(mline **L, size_t *nl, const uint8_t *text, size_t len, int *flat)
{
    flatc *c = NULL;
    size_t *at = NULL, i, na, n = 0, cap = 0;
    mline *out = NULL;
    int r = -1;

    *flat = 0;
    for (i = 0; i < *nl; i++)
        if ((*L)[i].t.n >= FLAT_MIN && 5 * (*L)[i].t.n >= 2 * len)
            break;
    if (i == *nl)
        return 0;
    if ((c = malloc(MAX_CANDS * sizeof *c)) == NULL
        || (at = malloc(MAX_CANDS * sizeof *at)) == NULL)
        goto out;
    for (i = 0; i < *nl; i++) {
        span x = (*L)[i].t;
        na = x.n >= FLAT_MIN && 5 * x.n >= 2 * len ? flat_run(x, c, MAX_CANDS, at) : 0;
        if (na == 0 && x.n >= FLAT_MIN && 5 * x.n >= 2 * len && !*flat) {
            int r2 = cut_at_date(&out, &n, &cap, (const char *)text, x);
            if (r2 < 0)
                goto out;
            if (r2 > 0) {
                *flat = 1;
                continue;
            }
        }
        if (na == 0) {
            mline *p = bv_mn_grow(out, &cap, n, sizeof *out);
            if (p == NULL)
                goto out;
            out = p;
            out[n++] = (*L)[i];
            continue;
        }
        if (cut_line(&out, &n, &cap, (const char *)text, x, at, na) != 0)
            goto out;
        *flat = 1;
    }
    bv_mn_set_gaps(out, n);
    free(*L);
    *L = out;
    *nl = n;
    out = NULL;
    r = 0;
out:
    free(out);
    free(c);
    free(at);
    return r;
}
