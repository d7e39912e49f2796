/*
 * bv_minutes_int.h - what the minutes parser's modules share (src/minutes*.c):
 * spans of the source text, its lines, and the functions one module calls
 * in another. Not part of the library's contract: bv_minutes.h is. It
 * lives in include/ so that the build rebuilds those modules when it changes.
 */
#ifndef BV_MINUTES_INT_H
#define BV_MINUTES_INT_H

#include "bv_minutes.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ITEM_NO 999
#define MAX_TITLE 160 /* bytes: a longer line is prose, not a title or heading */
#define MAX_TITLE_WORDS 20
#define MAX_NOTICE 300 /* bytes: a restriction notice is one short sentence */
#define MAX_OWNERS 100 /* bytes: more than that before " to " is not a list of names */
#define MAX_LEVEL 8
#define NO_LINE ((size_t)-1)

/* A piece of the source text; never NUL-terminated. */
typedef struct {
    const char *s;
    size_t n;
} span;

typedef struct {
    span t; /* the line, trimmed of white space and no-break spaces */
    size_t off; /* where the raw line starts in the source */
    size_t end; /* where its content ends, before the line break */
    size_t gap_before; /* blank lines just before it */
    size_t gap_after; /* blank lines just after it (0 at the end of the text) */
} mline;

/* Where an agenda item starts: its duration or number line, and its title. */
typedef struct {
    size_t first;
    size_t title; /* the title's line */
    span ttext; /* the title: that line, or what follows the number on it */
    span label; /* the number as printed, or empty */
    int number;
    int duration;
} istart;

/* A date found in a line (bv_mn_find_date). */
typedef struct {
    char iso[11];
    char hhmm[6];
    int has_time, y, mo, d;
    int numeric; /* in: look for "12/09/2018" rather than "12 September 2018" */
    span at; /* as written, from the weekday to the time */
} bv_mn_date;

/* An item number as printed (bv_mn_item_label). */
typedef struct {
    char key[32];
    unsigned seq[4];
    size_t nseq;
    int number;
    int alone;
    span label;
    span rest;
} ilabel;

/* ---- spans ---------------------------------------------------------- */

static inline int
lc(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int
is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}

static inline int
byte(span x, size_t i)
{
    return (unsigned char)x.s[i];
}

/* Length of the white space starting at p: ASCII blanks or U+00A0, which
 * the committee pages use as spacing everywhere. */
static inline size_t
ws_len(const char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\f' || p[0] == '\v'))
        return 1;
    if (n >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
        return 2;
    return 0;
}

/* The same, for white space ending just before p + n. */
static inline size_t
ws_len_back(const char *p, size_t n)
{
    if (n >= 1 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\f' || p[n - 1] == '\v'))
        return 1;
    /* 0xc2 is never a continuation byte, so c2 a0 is always U+00A0 */
    if (n >= 2 && (unsigned char)p[n - 2] == 0xc2 && (unsigned char)p[n - 1] == 0xa0)
        return 2;
    return 0;
}

static inline span
mkspan(const char *s, size_t n)
{
    span x;

    x.s = s;
    x.n = n;
    return x;
}

static inline span
skip(span x, size_t k)
{
    return mkspan(x.s + k, x.n - k);
}

static inline span
ltrim(span x)
{
    size_t k;

    while ((k = ws_len(x.s, x.n)) > 0)
        x = skip(x, k);
    return x;
}

static inline span
rtrim(span x)
{
    size_t k;

    while ((k = ws_len_back(x.s, x.n)) > 0)
        x.n -= k;
    return x;
}

static inline span
trim(span x)
{
    return rtrim(ltrim(x));
}

static inline int
prefix_ci(span x, size_t at, const char *w)
{
    size_t i, n = strlen(w);

    if (at > x.n || x.n - at < n)
        return 0;
    for (i = 0; i < n; i++)
        if (lc(byte(x, at + i)) != lc((unsigned char)w[i]))
            return 0;
    return 1;
}

static inline int
starts_ci(span x, const char *w)
{
    return prefix_ci(x, 0, w);
}

static inline int
eq_ci(span x, const char *w)
{
    return x.n == strlen(w) && starts_ci(x, w);
}

static inline int
ends_with(span x, const char *w)
{
    size_t n = strlen(w);

    return x.n >= n && memcmp(x.s + x.n - n, w, n) == 0;
}

/* w at `at` as a whole word: no letter or digit either side. */
static inline int
word_at(span x, size_t at, const char *w)
{
    size_t n = strlen(w);

    return prefix_ci(x, at, w) && (at == 0 || !is_alnum(byte(x, at - 1)))
        && (at + n == x.n || !is_alnum(byte(x, at + n)));
}

/* First position of w in x as a whole word, or NO_LINE. */
static inline size_t
find_word(span x, const char *w)
{
    size_t i;

    for (i = 0; i < x.n; i++)
        if (word_at(x, i, w))
            return i;
    return NO_LINE;
}

/* The first word of x (up to white space or a comma). */
static inline span
first_word(span x)
{
    size_t i;

    x = ltrim(x);
    for (i = 0; i < x.n && x.s[i] != ',' && ws_len(x.s + i, x.n - i) == 0; i++)
        ;
    return mkspan(x.s, i);
}

static inline char *
dup_span(span x)
{
    char *p = malloc(x.n + 1);

    if (p != NULL) {
        memcpy(p, x.s, x.n);
        p[x.n] = '\0';
    }
    return p;
}

/* list glyph classes (bv_mn_list_item) */
enum { G_DOT = 1, G_CIRCLE, G_DASH, G_ARROW, G_SQUARE, G_NUM };

/* minutes_text.c */
void bv_mn_set_gaps(mline *L, size_t n);
int bv_mn_section_heading(span x);
int bv_mn_page_footer(span x);
int bv_mn_item_label(span x, ilabel *l);
int bv_mn_title_like(span x);
bv_status bv_mn_check_text(const uint8_t *text, size_t len);
mline *bv_mn_split_lines(const uint8_t *text, size_t len, size_t *nl);
size_t bv_mn_next_nonblank(const mline *L, size_t nl, size_t i);
int bv_mn_number_line(span x, int *num);
int bv_mn_duration_line(span x, int *minutes);
int bv_mn_items_heading(span x);
int bv_mn_page_title(span x);
span bv_mn_strip_doc_link(span x);
int bv_mn_is_doc_link(span x);
int bv_mn_noise_line(span x);
int bv_mn_strip_truncation(span *x);
int bv_mn_list_item(span x, int *cls, span *rest);
int bv_mn_action_line(span x, span *rest);
int bv_mn_heading_like(span x);

/* minutes_restrict.c */
int bv_mn_strong_marker(span x, span *found);
int bv_mn_title_marker(span t, span *found);
int bv_mn_schedule12a_para(span x);
int bv_mn_motion_title(span t);
int bv_mn_motion_declined(span x);
int bv_mn_readmitted(span x);
int bv_mn_restricted_section(span x);
int bv_mn_excludes_following(span x);

/* minutes_blocks.c */
void *bv_mn_grow(void *p, size_t *cap, size_t n, size_t elem);
bv_status bv_mn_build_item(bv_agenda_item *it, const mline *L, size_t b0, size_t b1,
    const uint8_t *src, const char *inherited, int inherited_para);

/* minutes_layout.c */
bv_status bv_mn_scan_numbered(const mline *L, size_t nl, size_t from, istart **v, size_t *n,
    char key[32], size_t *hits, int *paragraphs);
int bv_mn_unflatten(mline **L, size_t *nl, const uint8_t *text, size_t len, int *flat);

/* minutes.c */
int bv_mn_warn(bv_meeting *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* minutes_date.c */
int bv_mn_month_of(span w);
int bv_mn_date_line(span x, char iso[32], char hhmm[32], int *has_time);
int bv_mn_find_date(span x, size_t maxw, bv_mn_date *out);
int bv_mn_infer_date(const mline *L, size_t a, size_t b, bv_mn_date *out, size_t *line);
bv_status bv_mn_parse_header(bv_meeting *m, const mline *L, size_t hend, size_t board_end);

#endif
