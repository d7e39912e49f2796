/*
 * minutes.c - the minutes parser: an "Agenda and minutes" page saved as
 * text in, a bv_meeting out (see include/bv_minutes.h), plus the JSON and
 * table dumps that import --dry-run and show print.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes.h"

#include <sodium.h>
#include <stdio.h>
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
    size_t title;
    int number;
    int duration;
} istart;

/* ---- spans ---------------------------------------------------------- */

static int
lc(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}

static int
byte(span x, size_t i)
{
    return (unsigned char)x.s[i];
}

/* Length of the white space starting at p: ASCII blanks or U+00A0, which
 * the committee pages use as spacing everywhere. */
static size_t
ws_len(const char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\f' || p[0] == '\v'))
        return 1;
    if (n >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
        return 2;
    return 0;
}

/* The same, for white space ending just before p + n. */
static size_t
ws_len_back(const char *p, size_t n)
{
    if (n >= 1 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\f' || p[n - 1] == '\v'))
        return 1;
    /* 0xc2 is never a continuation byte, so c2 a0 is always U+00A0 */
    if (n >= 2 && (unsigned char)p[n - 2] == 0xc2 && (unsigned char)p[n - 1] == 0xa0)
        return 2;
    return 0;
}

static span
mkspan(const char *s, size_t n)
{
    span x;

    x.s = s;
    x.n = n;
    return x;
}

static span
skip(span x, size_t k)
{
    return mkspan(x.s + k, x.n - k);
}

static span
ltrim(span x)
{
    size_t k;

    while ((k = ws_len(x.s, x.n)) > 0)
        x = skip(x, k);
    return x;
}

static span
rtrim(span x)
{
    size_t k;

    while ((k = ws_len_back(x.s, x.n)) > 0)
        x.n -= k;
    return x;
}

static span
trim(span x)
{
    return rtrim(ltrim(x));
}

static int
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

static int
starts_ci(span x, const char *w)
{
    return prefix_ci(x, 0, w);
}

static int
eq_ci(span x, const char *w)
{
    return x.n == strlen(w) && starts_ci(x, w);
}

static int
ends_with(span x, const char *w)
{
    size_t n = strlen(w);

    return x.n >= n && memcmp(x.s + x.n - n, w, n) == 0;
}

/* w at `at` as a whole word: no letter or digit either side. */
static int
word_at(span x, size_t at, const char *w)
{
    size_t n = strlen(w);

    return prefix_ci(x, at, w) && (at == 0 || !is_alnum(byte(x, at - 1)))
        && (at + n == x.n || !is_alnum(byte(x, at + n)));
}

/* First position of w in x as a whole word, or NO_LINE. */
static size_t
find_word(span x, const char *w)
{
    size_t i;

    for (i = 0; i < x.n; i++)
        if (word_at(x, i, w))
            return i;
    return NO_LINE;
}

static char *
dup_span(span x)
{
    char *p = malloc(x.n + 1);

    if (p != NULL) {
        memcpy(p, x.s, x.n);
        p[x.n] = '\0';
    }
    return p;
}

/* ---- input checks --------------------------------------------------- */

/*
 * bv_utf8_ok refuses every C0 control, but minutes have tabs, line breaks
 * and the odd form feed from PDF conversion. Those four split the text into
 * runs and each run must pass bv_utf8_ok; a multi-byte sequence never holds
 * one of them, so the split cannot cut a valid character in two.
 */
static bv_status
check_text(const uint8_t *text, size_t len)
{
    const char *s = (const char *)text;
    const void *nul;
    size_t i = 0, j, bad;
    int blank = 1;

    if (len == 0)
        return bv_fail(BV_EINPUT, "empty input: no minutes to read");
    if ((nul = memchr(text, 0, len)) != NULL)
        return bv_fail(BV_EINPUT, "binary input: NUL byte at byte offset %zu",
            (size_t)((const uint8_t *)nul - text));
    while (i < len) {
        for (j = i; j < len && strchr("\t\n\r\f", s[j]) == NULL; j++)
            ;
        if (!bv_utf8_ok(s + i, j - i, &bad)) {
            unsigned char c = text[i + bad];
            if (c < 0x20 || c == 0x7f)
                return bv_fail(
                    BV_EINPUT, "control character 0x%02x at byte offset %zu", c, i + bad);
            return bv_fail(BV_EINPUT, "not UTF-8 at byte offset %zu", i + bad);
        }
        if (blank && trim(mkspan(s + i, j - i)).n > 0)
            blank = 0;
        i = j + 1;
    }
    if (blank)
        return bv_fail(BV_EINPUT, "empty input: only white space");
    return BV_OK;
}

/* Split into lines (LF, CRLF or CR), trimmed, with the blank-line gaps. */
static mline *
split_lines(const uint8_t *text, size_t len, size_t *nl)
{
    const char *s = (const char *)text;
    size_t i = 0, n = 0, cap = 64, k, gap;
    mline *L = malloc(cap * sizeof *L), *p;

    if (L == NULL)
        return NULL;
    if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* a byte order mark is not text */
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '\n' && s[j] != '\r')
            j++;
        if (n == cap) {
            if ((p = realloc(L, 2 * cap * sizeof *L)) == NULL) {
                free(L);
                return NULL;
            }
            L = p;
            cap *= 2;
        }
        L[n].off = i;
        L[n].end = j;
        L[n].t = trim(mkspan(s + i, j - i));
        n++;
        if (j < len && s[j] == '\r' && j + 1 < len && s[j + 1] == '\n')
            j++;
        i = j + 1;
    }
    for (k = 0, gap = 0; k < n; k++) {
        L[k].gap_before = gap;
        gap = L[k].t.n == 0 ? gap + 1 : 0;
    }
    for (k = n, gap = 0; k-- > 0;) {
        L[k].gap_after = gap;
        gap = L[k].t.n == 0 ? gap + 1 : 0;
    }
    /* blank lines before the end of the text separate nothing */
    for (k = n; k-- > 0 && L[k].t.n == 0;)
        ;
    if (k < n)
        L[k].gap_after = 0;
    *nl = n;
    return L;
}

static size_t
next_nonblank(const mline *L, size_t nl, size_t i)
{
    for (; i < nl; i++)
        if (L[i].t.n > 0)
            return i;
    return NO_LINE;
}

/* ---- line kinds ----------------------------------------------------- */

/* A line "N." alone: the number column of a numbered agenda. */
static int
number_line(span x, int *num)
{
    size_t i;
    int v = 0;

    for (i = 0; i < x.n && i < 4 && is_digit(byte(x, i)); i++)
        v = v * 10 + (byte(x, i) - '0');
    if (i == 0 || i > 3 || i + 1 != x.n || x.s[i] != '.' || v < 1 || v > MAX_ITEM_NO)
        return 0;
    *num = v;
    return 1;
}

/* "5 minutes", "1 hour": the Note column of an agenda. */
static int
duration_line(span x, int *minutes)
{
    static const char *const mins[] = { "minutes", "minute", "mins", "min", NULL };
    static const char *const hours[] = { "hours", "hour", "hrs", "hr", NULL };
    size_t i, k;
    int v = 0;
    span u;

    for (i = 0; i < x.n && i < 4 && is_digit(byte(x, i)); i++)
        v = v * 10 + (byte(x, i) - '0');
    if (i == 0 || i > 3 || ws_len(x.s + i, x.n - i) == 0)
        return 0;
    u = ltrim(skip(x, i));
    for (k = 0; mins[k]; k++)
        if (eq_ci(u, mins[k])) {
            *minutes = v;
            return 1;
        }
    for (k = 0; hours[k]; k++)
        if (eq_ci(u, hours[k])) {
            *minutes = v * 60;
            return 1;
        }
    return 0;
}

/* The table heading of the agenda, and the page title above the board. */
static int
items_heading(span x)
{
    static const char *const h[] = { "items", "item", "no. item", "no item", "note no. item",
        "note no item", "no. item note", NULL };
    size_t k;

    for (k = 0; h[k]; k++)
        if (eq_ci(x, h[k]))
            return 1;
    return 0;
}

static int
page_title(span x)
{
    static const char *const h[] = { "agenda and minutes", "agenda and draft minutes",
        "agenda and decisions", "agenda", "minutes", "draft minutes", NULL };
    size_t k;

    for (k = 0; h[k]; k++)
        if (eq_ci(x, h[k]))
            return 1;
    return 0;
}

static int
all_alpha(span x)
{
    size_t i;

    for (i = 0; i < x.n; i++)
        if (!is_alpha(byte(x, i)))
            return 0;
    return x.n > 0;
}

/* The last word of x, and what comes before it in *before. */
static span
last_word(span x, span *before)
{
    size_t b;

    x = rtrim(x);
    for (b = x.n; b > 0 && ws_len_back(x.s, b) == 0; b--)
        ;
    *before = mkspan(x.s, b);
    return skip(x, b);
}

/*
 * x without a trailing document link, e.g. "Minutes pdf icon PDF 131 KB"
 * gives "Minutes": "<ext> icon <EXT> <size> <unit>" is how the committee
 * page renders a link to an attached file.
 */
static span
strip_doc_link(span x)
{
    static const char *const units[] = { "kb", "mb", "gb", "b", "bytes", NULL };
    span w[5], rest = x;
    size_t k, i;
    int ok = 0;

    for (k = 0; k < 5; k++)
        w[k] = last_word(rest, &rest);
    for (k = 0; units[k]; k++)
        ok |= eq_ci(w[0], units[k]);
    for (i = 0; i < w[1].n; i++)
        ok &= is_digit(byte(w[1], i)) || (i > 0 && w[1].s[i] == '.');
    if (!ok || w[1].n == 0 || !all_alpha(w[2]) || w[2].n > 5 || !eq_ci(w[3], "icon")
        || !all_alpha(w[4]) || w[4].n > 5)
        return x;
    return rtrim(rest);
}

static int
is_doc_link(span x)
{
    return strip_doc_link(x).n < x.n;
}

/* Lines of the page that are not minutes. */
static int
noise_line(span x)
{
    return eq_ci(x, "minutes:") || eq_ci(x, "additional documents:") || is_doc_link(x);
}

/* Cut "... view the full minutes text for item N." off x; 1 if it was there. */
static int
strip_truncation(span *x)
{
    span y = *x;
    size_t i;

    for (i = 0; i < y.n; i++)
        if (prefix_ci(y, i, "view the full minutes text for item"))
            break;
    if (i == y.n)
        return 0;
    y = trim(mkspan(y.s, i));
    for (;;) {
        if (ends_with(y, "..."))
            y.n -= 3;
        else if (ends_with(y, "\xe2\x80\xa6")) /* U+2026 */
            y.n -= 3;
        else
            break;
        y = rtrim(y);
    }
    *x = y;
    return 1;
}

enum { G_DOT = 1, G_CIRCLE, G_DASH, G_ARROW, G_SQUARE, G_NUM };

/*
 * List glyphs as they come out of word processors and committee pages.
 * Those that are also ordinary characters ("o", "-", "Ø", "*") count only
 * when white space follows. • and · share a class: the same bullet in two
 * fonts, so a list going from one to the other stays on its level.
 */
static const struct {
    const char *g;
    int space;
    int cls;
} glyphs[] = {
    { "\xe2\x80\xa2", 0, G_DOT }, /* • */
    { "\xc2\xb7", 1, G_DOT }, /* · */
    { "\xef\x82\xb7", 0, G_DOT }, /* Symbol-font bullet, private use */
    { "*", 1, G_DOT }, /* plain-text bullet */
    { "o", 1, G_CIRCLE }, /* Courier "o": Word's second level */
    { "\xe2\x97\xa6", 0, G_CIRCLE }, /* ◦ */
    { "-", 1, G_DASH }, /* hyphen */
    { "\xe2\x80\x93", 1, G_DASH }, /* – */
    { "\xc3\x98", 1, G_ARROW }, /* Ø: Wingdings arrow seen as Latin */
    { "\xef\x83\x98", 0, G_ARROW }, /* Wingdings arrow, private use */
    { "\xe2\x9e\xa2", 0, G_ARROW }, /* ➢ */
    { "\xe2\x96\xba", 0, G_ARROW }, /* ► */
    { "\xc2\xa7", 1, G_SQUARE }, /* §: Wingdings square seen as Latin */
    { "\xe2\x96\xaa", 0, G_SQUARE }, /* ▪ */
    { "\xef\x82\xa7", 0, G_SQUARE }, /* Wingdings square, private use */
};

/* BV_BLK_BULLET or BV_BLK_NUMBERED with the glyph class and the text, or -1. */
static int
list_item(span x, int *cls, span *rest)
{
    size_t k, i, n;

    for (k = 0; k < sizeof glyphs / sizeof glyphs[0]; k++) {
        n = strlen(glyphs[k].g);
        if (x.n <= n || memcmp(x.s, glyphs[k].g, n) != 0)
            continue;
        if (glyphs[k].space && ws_len(x.s + n, x.n - n) == 0)
            continue;
        *rest = ltrim(skip(x, n));
        *cls = glyphs[k].cls;
        return rest->n > 0 ? BV_BLK_BULLET : -1;
    }
    for (i = 0; i < x.n && i < 4 && is_digit(byte(x, i)); i++)
        ;
    if (i == 0 || i > 3 || i + 1 >= x.n || (x.s[i] != '.' && x.s[i] != ')')
        || ws_len(x.s + i + 1, x.n - i - 1) == 0)
        return -1;
    *rest = ltrim(skip(x, i + 1));
    *cls = G_NUM;
    return rest->n > 0 ? BV_BLK_NUMBERED : -1;
}

/* "ACTION: ..." or "- ACTION: ...": the text after the colon. */
static int
action_line(span x, span *rest)
{
    span r;
    int cls;

    if (list_item(x, &cls, &r) >= 0)
        x = r;
    if (!word_at(x, 0, "action"))
        return 0;
    x = ltrim(skip(x, 6));
    if (x.n == 0 || x.s[0] != ':')
        return 0;
    x = trim(skip(x, 1));
    if (x.n == 0)
        return 0;
    *rest = x;
    return 1;
}

/* Short, no sentence punctuation at the end, not starting in lower case. */
static int
heading_like(span x)
{
    span r;
    size_t i, words = 0;
    int cls;

    if (x.n == 0 || x.n > MAX_TITLE || list_item(x, &cls, &r) >= 0 || action_line(x, &r))
        return 0;
    if (byte(x, 0) >= 'a' && byte(x, 0) <= 'z')
        return 0;
    if (strchr(".;:,!?", x.s[x.n - 1]) != NULL)
        return 0;
    for (i = 0; i < x.n; i++)
        if (ws_len(x.s + i, x.n - i) == 0 && (i == 0 || ws_len_back(x.s, i) > 0))
            words++;
    return words <= MAX_TITLE_WORDS;
}

/* ---- restriction markers -------------------------------------------- */

/*
 * Phrases that mark an item restricted wherever they appear: they are what
 * the notices and the Local Government Act resolutions say, and they do not
 * occur in open business. Being wrong here only withholds an open item.
 */
static const char *const strong_markers[]
    = { "not for publication", "exclusion of the press and public", "press and public be excluded",
          "press and public were excluded", "schedule 12a", "exempt information",
          "will not be published", NULL };

/*
 * Words that mark an item restricted only in its title, and only in a
 * marker position: at the start followed by punctuation ("Exempt: ...",
 * "RESTRICTED: ...", "Part 2 - ..."), in brackets ("(Confidential)") or
 * last after a separator ("... - Exempt"). Open items use the same words
 * ("Exempt Accommodation Review", "Confidential Reporting Policy") and open
 * minutes talk of officers "on restricted duty", so a bare word is not enough.
 */
static const char *const title_markers[] = { "restricted", "exempt", "confidential", "private",
    "part 2", "part ii", "part b", "part two", NULL };
static const char *const marker_nouns[] = { "items", "item", "information", "report", "business",
    "session", "minutes", "matters", "matter", NULL };

static int
strong_marker(span x, span *found)
{
    size_t k, p, best = NO_LINE, bestn = 0;

    for (k = 0; strong_markers[k]; k++) {
        p = find_word(x, strong_markers[k]);
        if (p != NO_LINE && (best == NO_LINE || p < best)) {
            best = p;
            bestn = strlen(strong_markers[k]);
        }
    }
    if (best == NO_LINE)
        return 0;
    *found = mkspan(x.s + best, bestn);
    return 1;
}

static int
separator_before(span x)
{
    x = rtrim(x);
    return x.n > 0
        && (strchr(":-,|", x.s[x.n - 1]) != NULL || ends_with(x, "\xe2\x80\x93")
            || ends_with(x, "\xe2\x80\x94"));
}

static int
title_marker(span t, span *found)
{
    size_t k, q, i, n;
    span after, before, end;

    for (k = 0; title_markers[k]; k++) {
        n = strlen(title_markers[k]);
        if (!word_at(t, 0, title_markers[k]))
            continue;
        after = ltrim(skip(t, n));
        for (q = 0; marker_nouns[q]; q++)
            if (word_at(after, 0, marker_nouns[q])) {
                after = ltrim(skip(after, strlen(marker_nouns[q])));
                break;
            }
        if (after.n == 0 || (!is_alnum(byte(after, 0)) && byte(after, 0) < 0x80)
            || byte(after, 0) == 0xe2) {
            *found = mkspan(t.s, n);
            return 1;
        }
    }
    for (i = 0; i < t.n; i++) {
        if (t.s[i] != '(' && t.s[i] != '[')
            continue;
        after = ltrim(skip(t, i + 1));
        for (k = 0; title_markers[k]; k++)
            if (word_at(after, 0, title_markers[k])) {
                *found = mkspan(after.s, strlen(title_markers[k]));
                return 1;
            }
    }
    end = t;
    while (end.n > 0 && end.s[end.n - 1] == '.')
        end = rtrim(mkspan(end.s, end.n - 1));
    for (k = 0; title_markers[k]; k++) {
        n = strlen(title_markers[k]);
        if (end.n <= n || !word_at(end, end.n - n, title_markers[k]))
            continue;
        before = mkspan(end.s, end.n - n);
        if (separator_before(before)) {
            *found = mkspan(end.s + end.n - n, n);
            return 1;
        }
    }
    return 0;
}

/* "Schedule 12A ... paragraph 3" or "paragraph 3 of ... Schedule 12A": 3. */
static int
schedule12a_para(span x)
{
    size_t i, j;
    int v;

    if (find_word(x, "schedule 12a") == NO_LINE)
        return 0;
    for (i = 0; i < x.n; i++) {
        if (!prefix_ci(x, i, "para") || (i > 0 && is_alnum(byte(x, i - 1))))
            continue;
        for (j = i + 4; j < x.n && is_alpha(byte(x, j)); j++)
            ;
        if (j < x.n && x.s[j] == '.')
            j++;
        j = (size_t)(ltrim(skip(x, j)).s - x.s);
        for (v = 0; j < x.n && is_digit(byte(x, j)) && v < 100; j++)
            v = v * 10 + (byte(x, j) - '0');
        if (v > 0 && v < 100)
            return v;
    }
    return 0;
}

/* ---- building the meeting ------------------------------------------- */

/* Room for element n of p (cap elements now): the array, maybe moved, or NULL. */
static void *
grow(void *p, size_t *cap, size_t n, size_t elem)
{
    size_t c = *cap ? *cap * 2 : 8;
    void *q;

    if (n < *cap)
        return p;
    if ((q = realloc(p, c * elem)) == NULL)
        return NULL;
    *cap = c;
    return q;
}

static int
add_block(bv_agenda_item *it, size_t *cap, bv_blk_kind kind, int level, span text)
{
    bv_block *b;

    if ((b = grow(it->blocks, cap, it->nblocks, sizeof *b)) == NULL)
        return -1;
    it->blocks = b;
    b += it->nblocks;
    b->kind = kind;
    b->level = level;
    if ((b->text = dup_span(text)) == NULL)
        return -1;
    it->nblocks++;
    return 0;
}

/* Wrapped text: the next line of a paragraph or list item. */
static int
append_text(bv_block *b, span more)
{
    size_t n = strlen(b->text);
    char *p = realloc(b->text, n + 1 + more.n + 1);

    if (p == NULL)
        return -1;
    p[n] = ' ';
    memcpy(p + n + 1, more.s, more.n);
    p[n + 1 + more.n] = '\0';
    b->text = p;
    return 0;
}

static int
known_status(span x)
{
    static const char *const st[] = { "completed", "complete", "done", "ongoing", "open", "closed",
        "in progress", "carried forward", "deferred", "outstanding", "pending", NULL };
    size_t k;

    for (k = 0; st[k]; k++)
        if (eq_ci(x, st[k]))
            return 1;
    return 0;
}

/*
 * "Daniel James to contact Stuart Bell ... (COMPLETED)." gives owners
 * "Daniel James", the text up to the status, status "COMPLETED". The owners
 * are what comes before the first " to ", unless the sentence is passive
 * ("Update ... to be presented at ..."): then it names nobody.
 */
static int
add_action(bv_agenda_item *it, size_t *cap, span r)
{
    bv_action *a;
    span x = r, status = { NULL, 0 };
    size_t i, open;

    if ((a = grow(it->actions, cap, it->nactions, sizeof *a)) == NULL)
        return -1;
    it->actions = a;
    a += it->nactions;
    memset(a, 0, sizeof *a);
    if (x.n > 0 && x.s[x.n - 1] == '.')
        x = rtrim(mkspan(x.s, x.n - 1));
    if (x.n > 0 && x.s[x.n - 1] == ')') {
        for (open = x.n - 1; open > 0 && x.s[open] != '('; open--)
            ;
        if (x.s[open] == '(' && known_status(trim(mkspan(x.s + open + 1, x.n - open - 2)))) {
            status = trim(mkspan(x.s + open + 1, x.n - open - 2));
            x = rtrim(mkspan(x.s, open));
        }
    }
    if (x.n > 0 && x.s[x.n - 1] == '.')
        x = rtrim(mkspan(x.s, x.n - 1));
    for (i = 0; i + 4 <= x.n; i++)
        if (prefix_ci(x, i, " to "))
            break;
    if (i > 0 && i + 4 <= x.n && i <= MAX_OWNERS && !word_at(x, i + 4, "be")) {
        if ((a->owners = dup_span(mkspan(x.s, i))) == NULL)
            return -1;
        x = ltrim(skip(x, i + 4));
    }
    it->nactions++; /* counted now so that bv_meeting_free sees what is set */
    if ((a->text = dup_span(x)) == NULL)
        return -1;
    if (status.s != NULL && (a->status = dup_span(status)) == NULL)
        return -1;
    return 0;
}

/* Nesting by glyph: see bv_block.level. */
static int
list_level(int *stack, size_t *depth, int cls)
{
    size_t i;

    for (i = 0; i < *depth; i++)
        if (stack[i] == cls) {
            *depth = i + 1;
            return (int)*depth;
        }
    if (*depth < MAX_LEVEL)
        (*depth)++;
    stack[*depth - 1] = cls;
    return (int)*depth;
}

/*
 * The open minutes of lines [b0, b1) as blocks and actions. A sub-heading
 * is a title-like line closer to the text below it than to the text above
 * (two or more blank lines before, fewer after, and text of the item after
 * it): how the page sets off "Children and Young People (CYP)" inside an
 * item. A line cut short by "view the full minutes text" is never one.
 */
static int
open_blocks(bv_agenda_item *it, const mline *L, size_t b0, size_t b1)
{
    size_t i, bcap = 0, acap = 0, depth = 0, cont = NO_LINE;
    int stack[MAX_LEVEL], kind, cls, cut;
    span x, r;

    for (i = b0; i < b1; i++) {
        x = L[i].t;
        if (x.n == 0 || noise_line(x)) {
            cont = NO_LINE;
            continue;
        }
        cut = strip_truncation(&x);
        if (cut && x.n == 0) {
            cont = NO_LINE;
            continue;
        }
        if (action_line(x, &r)) {
            if (add_block(it, &bcap, BV_BLK_ACTION, 0, r) != 0 || add_action(it, &acap, r) != 0)
                return -1;
            depth = 0;
            cont = NO_LINE;
        } else if ((kind = list_item(x, &cls, &r)) >= 0) {
            if (add_block(it, &bcap, (bv_blk_kind)kind, list_level(stack, &depth, cls), r) != 0)
                return -1;
            cont = it->nblocks - 1;
        } else if (!cut && heading_like(x) && L[i].gap_before >= 2 && L[i].gap_after >= 1
            && L[i].gap_after < L[i].gap_before && i + L[i].gap_after + 1 < b1) {
            if (add_block(it, &bcap, BV_BLK_HEADING, 1, x) != 0)
                return -1;
            depth = 0;
            cont = NO_LINE;
        } else if (cont != NO_LINE) {
            if (append_text(&it->blocks[cont], x) != 0)
                return -1;
        } else {
            if (add_block(it, &bcap, BV_BLK_PARA, 0, x) != 0)
                return -1;
            depth = 0;
            cont = it->nblocks - 1;
        }
    }
    return 0;
}

/*
 * A restricted item: the leading notice paragraphs (short, and saying it is
 * not published) stay as open text; everything after them, from the first
 * other line to the item's last line, is the body, copied raw and never
 * turned into blocks or actions. A notice-like sentence after the body
 * starts stays inside it: when in doubt the text is sealed, not published.
 */
static int
restricted_blocks(bv_agenda_item *it, const mline *L, size_t b0, size_t b1, const uint8_t *src)
{
    size_t i, last, bcap = 0;
    span x, found;

    for (i = b0; i < b1; i++) {
        x = L[i].t;
        if (x.n == 0 || noise_line(x))
            continue;
        strip_truncation(&x);
        if (x.n == 0 || x.n > MAX_NOTICE || !strong_marker(x, &found))
            break;
        if (add_block(it, &bcap, BV_BLK_PARA, 0, x) != 0)
            return -1;
    }
    for (last = b1; last > i && L[last - 1].t.n == 0; last--)
        ;
    if (i >= last)
        return 0;
    it->restricted_body_len = L[last - 1].end - L[i].off;
    if ((it->restricted_body = malloc(it->restricted_body_len)) == NULL) {
        it->restricted_body_len = 0;
        return -1;
    }
    memcpy(it->restricted_body, src + L[i].off, it->restricted_body_len);
    return 0;
}

static bv_status
build_item(bv_agenda_item *it, const mline *L, size_t b0, size_t b1, const uint8_t *src)
{
    span found = { NULL, 0 }, x;
    size_t i;
    int has = 0;

    x = mkspan(it->title, strlen(it->title));
    if (title_marker(x, &found) || strong_marker(x, &found))
        has = 1;
    it->schedule12a_para = schedule12a_para(x);
    for (i = b0; i < b1; i++) {
        x = L[i].t;
        if (!has && strong_marker(x, &found))
            has = 1;
        if (it->schedule12a_para == 0)
            it->schedule12a_para = schedule12a_para(x);
        if (strip_truncation(&x))
            it->truncated = 1;
    }
    if (has) {
        it->restricted = 1;
        if ((it->restriction = dup_span(found)) == NULL)
            return bv_fail(BV_ERR, "out of memory");
    }
    if ((has ? restricted_blocks(it, L, b0, b1, src) : open_blocks(it, L, b0, b1)) != 0)
        return bv_fail(BV_ERR, "out of memory");
    return BV_OK;
}

/* ---- header --------------------------------------------------------- */

/* "December", "Dec" or "Sept": 1..12, else 0. */
static int
month_of(span w)
{
    static const char *const months[] = { "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december" };
    size_t i;
    int k;

    if (eq_ci(w, "sept"))
        return 9;
    for (k = 0; k < 12; k++) {
        if (eq_ci(w, months[k]))
            return k + 1;
        if (w.n != 3)
            continue;
        for (i = 0; i < 3 && lc(byte(w, i)) == months[k][i]; i++)
            ;
        if (i == 3)
            return k + 1;
    }
    return 0;
}

static int
number_prefix(span w, size_t maxd, size_t *used)
{
    size_t i;
    int v = 0;

    for (i = 0; i < w.n && i < maxd && is_digit(byte(w, i)); i++)
        v = v * 10 + (byte(w, i) - '0');
    *used = i;
    return v;
}

/* A day: "7", "07", "7th". */
static int
day_of(span w)
{
    size_t used;
    int d = number_prefix(w, 2, &used);
    span rest = skip(w, used);

    if (used == 0
        || (rest.n > 0
            && !(eq_ci(rest, "st") || eq_ci(rest, "nd") || eq_ci(rest, "rd") || eq_ci(rest, "th"))))
        return 0;
    return d;
}

static int
year_of(span w)
{
    size_t used;
    int y = number_prefix(w, 4, &used);

    return used == 4 && w.n == 4 && y >= 1900 && y <= 2999 ? y : 0;
}

/* "10:00", "10.00 am", "6.30pm", "7pm" in words w[0] (and w[1]): minutes past midnight. */
static int
time_of(span *w, size_t nw, int *mins)
{
    size_t used, i;
    int h, m = 0, have_m = 0;
    span rest, ampm = { NULL, 0 };

    h = number_prefix(w[0], 2, &used);
    if (used == 0)
        return 0;
    rest = skip(w[0], used);
    if (rest.n >= 3 && (rest.s[0] == ':' || rest.s[0] == '.') && is_digit(byte(rest, 1))
        && is_digit(byte(rest, 2))) {
        m = (byte(rest, 1) - '0') * 10 + (byte(rest, 2) - '0');
        have_m = 1;
        rest = skip(rest, 3);
    }
    if (rest.n > 0)
        ampm = rest;
    else if (nw > 1)
        ampm = w[1];
    if (ampm.s != NULL) {
        char t[5];
        size_t k = 0;
        for (i = 0; i < ampm.n && k < 4; i++)
            if (ampm.s[i] != '.')
                t[k++] = (char)lc((unsigned char)ampm.s[i]);
        t[k] = '\0';
        if (strcmp(t, "am") == 0 || strcmp(t, "pm") == 0) {
            if (h < 1 || h > 12)
                return 0;
            h = t[0] == 'p' ? (h % 12) + 12 : h % 12;
        } else if (rest.n > 0) {
            return 0;
        } else if (!have_m) {
            return 0;
        }
    } else if (!have_m) {
        return 0;
    }
    if (h > 23 || m > 59)
        return 0;
    *mins = h * 60 + m;
    return 1;
}

/* "Wednesday, 7 December 2022 10:00 am" (or "December 7, 2022"). */
static int
date_line(span x, char iso[32], char hhmm[32], int *has_time)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    span w[16];
    size_t nw = 0, i = 0, j, k;
    int d = 0, mo = 0, y = 0, t;

    while (i < x.n && nw < 16) {
        while (i < x.n && (ws_len(x.s + i, x.n - i) > 0 || x.s[i] == ','))
            i += x.s[i] == ',' ? 1 : ws_len(x.s + i, x.n - i);
        for (j = i; j < x.n && x.s[j] != ',' && ws_len(x.s + j, x.n - j) == 0; j++)
            ;
        if (j > i)
            w[nw++] = mkspan(x.s + i, j - i);
        i = j;
    }
    for (k = 0; k < nw; k++) {
        if ((mo = month_of(w[k])) == 0)
            continue;
        if (k > 0 && k + 1 < nw && (d = day_of(w[k - 1])) > 0 && (y = year_of(w[k + 1])) > 0)
            break;
        if (k + 2 < nw && (d = day_of(w[k + 1])) > 0 && (y = year_of(w[k + 2])) > 0) {
            k++;
            break;
        }
        mo = 0;
    }
    if (mo == 0 || d < 1 || d > mdays[mo - 1]
        || (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return 0;
    /* the modulos only tell the compiler the widths; the values are in range */
    snprintf(
        iso, 32, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)mo % 100u, (unsigned)d % 100u);
    *has_time = 0;
    for (k += 2; k < nw; k++)
        if (time_of(w + k, nw - k, &t)) {
            snprintf(hhmm, 32, "%02u:%02u", (unsigned)t / 60u % 100u, (unsigned)t % 60u);
            *has_time = 1;
            break;
        }
    return 1;
}

static int
set_field(char **dst, span x)
{
    if (*dst != NULL || x.n == 0)
        return 0;
    return (*dst = dup_span(x)) == NULL ? -1 : 0;
}

static bv_status
parse_header(bv_meeting *m, const mline *L, size_t hend)
{
    char iso[32], hhmm[32];
    size_t i;
    int has_time, r = 0;
    span x;

    for (i = 0; i < hend && r == 0; i++) {
        x = L[i].t;
        if (x.n == 0 || page_title(x) || items_heading(x))
            continue;
        if (starts_ci(x, "venue:"))
            r = set_field(&m->venue, trim(skip(x, 6)));
        else if (starts_ci(x, "contact:"))
            r = set_field(&m->contact, trim(skip(x, 8)));
        else if (m->date_line == NULL && date_line(x, iso, hhmm, &has_time)) {
            r = set_field(&m->date_line, x);
            if (r == 0)
                r = set_field(&m->date_iso, mkspan(iso, strlen(iso)));
            if (r == 0 && has_time)
                r = set_field(&m->time, mkspan(hhmm, strlen(hhmm)));
        } else if (m->board == NULL) {
            r = set_field(&m->board, x);
        }
    }
    if (r != 0)
        return bv_fail(BV_ERR, "out of memory");
    if (m->date_line == NULL)
        return bv_fail(BV_EINPUT,
            "no meeting found: no date line (such as \"Wednesday, 7 December "
            "2022 10:00 am\") before the first agenda item");
    return BV_OK;
}

/* ---- agenda structure ----------------------------------------------- */

static int
header_field(span x)
{
    char iso[32], hhmm[32];
    int t;

    return starts_ci(x, "venue:") || starts_ci(x, "contact:") || page_title(x) || items_heading(x)
        || date_line(x, iso, hhmm, &t);
}

static int
add_start(istart **v, size_t *n, size_t *cap, size_t first, size_t title, int number, int dur)
{
    istart *p;

    if ((p = grow(*v, cap, *n, sizeof *p)) == NULL)
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
        if (!number_line(L[i].t, &num))
            continue;
        t = next_nonblank(L, nl, i + 1);
        if (t == NO_LINE || number_line(L[t].t, &dur))
            continue;
        dur = 0;
        p = i;
        while (p > floor && L[p - 1].t.n == 0)
            p--;
        if (p > floor && duration_line(L[p - 1].t, &dur))
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
    size_t i, t, cap = 0, gb, first = next_nonblank(L, nl, from);
    int dur;

    for (i = from; i < nl; i++) {
        span x = L[i].t;
        if (x.n == 0)
            continue;
        if (duration_line(x, &dur)) {
            t = next_nonblank(L, nl, i + 1);
            if (t == NO_LINE || duration_line(L[t].t, &dur))
                continue;
            duration_line(x, &dur);
            if (add_start(v, n, &cap, i, t, 0, dur) != 0)
                return -1;
            i = t;
            continue;
        }
        gb = boundary && i == first ? 2 : L[i].gap_before;
        if (gb < 2 || !heading_like(x) || header_field(x))
            continue;
        t = next_nonblank(L, nl, i + 1);
        if (t == NO_LINE)
            continue;
        if (L[i].gap_after >= 2 || is_doc_link(x) || eq_ci(L[t].t, "additional documents:")) {
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
    if ((st = check_text(text, len)) != BV_OK)
        return st;
    if (sodium_init() < 0)
        return bv_fail(BV_ERR, "libsodium failed to initialise");
    if ((m = calloc(1, sizeof *m)) == NULL || (L = split_lines(text, len, &nl)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto done;
    }

    /* the table heading, if any, ends the header; it can only come before
     * the first number or duration line */
    for (first_struct = 0; first_struct < nl; first_struct++)
        if (number_line(L[first_struct].t, &v) || duration_line(L[first_struct].t, &v))
            break;
    for (i = 0; i < first_struct; i++)
        if (items_heading(L[i].t))
            break;
    hend = i;
    if (i < first_struct) {
        marker = 1;
        for (k = i; k < first_struct && (L[k].t.n == 0 || items_heading(L[k].t)); k++)
            if (L[k].t.n > 0)
                from = k + 1;
    }
    for (i = from; i < nl && !numbered; i++)
        if (number_line(L[i].t, &v)) {
            k = next_nonblank(L, nl, i + 1);
            numbered = k != NO_LINE && !number_line(L[k].t, &v);
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
    if ((st = parse_header(m, L, hend)) != BV_OK)
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
        strip_truncation(&t);
        if ((it->title = dup_span(strip_doc_link(t))) == NULL) {
            st = bv_fail(BV_ERR, "out of memory");
            goto done;
        }
        end = k + 1 < ns ? starts[k + 1].first : nl;
        if ((st = build_item(it, L, starts[k].title + 1, end, text)) != BV_OK)
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

/* ---- dumps ---------------------------------------------------------- */

static void
json_str_or_null(bv_buf *b, const char *s)
{
    if (s == NULL)
        bv_buf_puts(b, "null");
    else
        bv_json_str(b, s);
}

static const char *
kind_name(bv_blk_kind k)
{
    switch (k) {
    case BV_BLK_PARA:
        return "para";
    case BV_BLK_BULLET:
        return "bullet";
    case BV_BLK_NUMBERED:
        return "numbered";
    case BV_BLK_ACTION:
        return "action";
    case BV_BLK_HEADING:
        return "heading";
    }
    return "para";
}

bv_status
bv_minutes_json(const bv_meeting *m, bv_buf *out)
{
    size_t i, k;

    bv_buf_puts(out, "{\"board\":");
    json_str_or_null(out, m->board);
    bv_buf_puts(out, ",\"date\":");
    json_str_or_null(out, m->date_line);
    bv_buf_puts(out, ",\"date_iso\":");
    json_str_or_null(out, m->date_iso);
    bv_buf_puts(out, ",\"time\":");
    json_str_or_null(out, m->time);
    bv_buf_puts(out, ",\"venue\":");
    json_str_or_null(out, m->venue);
    bv_buf_puts(out, ",\"contact\":");
    json_str_or_null(out, m->contact);
    bv_buf_puts(out, ",\"items\":[");
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        bv_buf_printf(out, "%s{\"number\":%d,\"ordinal\":%d,\"title\":", i ? "," : "", it->number,
            it->ordinal);
        json_str_or_null(out, it->title);
        bv_buf_printf(out,
            ",\"duration_min\":%d,\"restricted\":%s,\"restriction\":", it->duration_min,
            it->restricted ? "true" : "false");
        json_str_or_null(out, it->restriction);
        bv_buf_printf(out,
            ",\"schedule12a_para\":%d,\"truncated\":%s,\"has_restricted_body\":%s,\"blocks\":[",
            it->schedule12a_para, it->truncated ? "true" : "false",
            it->restricted_body != NULL ? "true" : "false");
        for (k = 0; k < it->nblocks; k++) {
            bv_buf_printf(out, "%s{\"kind\":\"%s\",\"level\":%d,\"text\":", k ? "," : "",
                kind_name(it->blocks[k].kind), it->blocks[k].level);
            json_str_or_null(out, it->blocks[k].text);
            bv_buf_puts(out, "}");
        }
        bv_buf_puts(out, "],\"actions\":[");
        for (k = 0; k < it->nactions; k++) {
            bv_buf_puts(out, k ? ",{\"owners\":" : "{\"owners\":");
            json_str_or_null(out, it->actions[k].owners);
            bv_buf_puts(out, ",\"text\":");
            json_str_or_null(out, it->actions[k].text);
            bv_buf_puts(out, ",\"status\":");
            json_str_or_null(out, it->actions[k].status);
            bv_buf_puts(out, "}");
        }
        bv_buf_puts(out, "]}");
    }
    bv_buf_puts(out, "]}");
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

bv_status
bv_minutes_table(const bv_meeting *m, bv_buf *out)
{
    size_t i, k, nrestricted = 0, nactions = 0;
    char what[64];

    for (i = 0; i < m->nitems; i++) {
        nrestricted += m->items[i].restricted ? 1 : 0;
        nactions += m->items[i].nactions;
    }
    bv_buf_printf(out, "board:    %s\n", m->board ? m->board : "-");
    bv_buf_printf(out, "date:     %s %s (%s)\n", m->date_iso, m->time ? m->time : "", m->date_line);
    bv_buf_printf(out, "venue:    %s\n", m->venue ? m->venue : "-");
    bv_buf_printf(out, "contact:  %s\n", m->contact ? m->contact : "-");
    bv_buf_printf(
        out, "items:    %zu (%zu restricted, %zu actions)\n\n", m->nitems, nrestricted, nactions);
    bv_buf_printf(out, "%4s  %-36s %4s  %s\n", "No.", "Restricted", "Act", "Title");
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        if (!it->restricted)
            snprintf(what, sizeof what, "-");
        else if (it->schedule12a_para > 0)
            snprintf(what, sizeof what, "%.20s para %d, %s", it->restriction, it->schedule12a_para,
                it->restricted_body ? "body" : "placeholder");
        else
            snprintf(what, sizeof what, "%.24s, %s", it->restriction,
                it->restricted_body ? "body" : "placeholder");
        bv_buf_printf(out, "%4d  %-36s %4zu  %s%s\n", it->number ? it->number : it->ordinal, what,
            it->nactions, it->title, it->truncated ? " [text incomplete]" : "");
    }
    if (nactions > 0)
        bv_buf_puts(out, "\nactions:\n");
    for (i = 0; i < m->nitems; i++)
        for (k = 0; k < m->items[i].nactions; k++) {
            const bv_action *a = &m->items[i].actions[k];
            bv_buf_printf(out, "%4d  %s: %s%s%s%s\n",
                m->items[i].number ? m->items[i].number : m->items[i].ordinal,
                a->owners ? a->owners : "(no owner)", a->text, a->status ? " [" : "",
                a->status ? a->status : "", a->status ? "]" : "");
        }
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}
