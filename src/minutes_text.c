/*
 * minutes_text.c - the minutes parser's view of text: input checks, lines, and what a
 * line is (item number, duration, list item, action, heading, noise).
 */
#define _POSIX_C_SOURCE 200809L
#include "minutes_int.h"


/* ---- input checks --------------------------------------------------- */

/*
 * bv_utf8_ok refuses every C0 control, but minutes have tabs, line breaks
 * and the odd form feed from PDF conversion. Those four split the text into
 * runs and each run must pass bv_utf8_ok; a multi-byte sequence never holds
 * one of them, so the split cannot cut a valid character in two.
 */
bv_status
bv_mn_check_text(const uint8_t *text, size_t len)
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
mline *
bv_mn_split_lines(const uint8_t *text, size_t len, size_t *nl)
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

size_t
bv_mn_next_nonblank(const mline *L, size_t nl, size_t i)
{
    for (; i < nl; i++)
        if (L[i].t.n > 0)
            return i;
    return NO_LINE;
}

/* ---- line kinds ----------------------------------------------------- */

/* A line "N." alone: the number column of a numbered agenda. */
int
bv_mn_number_line(span x, int *num)
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
int
bv_mn_duration_line(span x, int *minutes)
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
int
bv_mn_items_heading(span x)
{
    static const char *const h[] = { "items", "item", "no. item", "no item", "note no. item",
        "note no item", "no. item note", NULL };
    size_t k;

    for (k = 0; h[k]; k++)
        if (eq_ci(x, h[k]))
            return 1;
    return 0;
}

int
bv_mn_page_title(span x)
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
span
bv_mn_strip_doc_link(span x)
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

int
bv_mn_is_doc_link(span x)
{
    return bv_mn_strip_doc_link(x).n < x.n;
}

/* Lines of the page that are not minutes. */
int
bv_mn_noise_line(span x)
{
    return eq_ci(x, "minutes:") || eq_ci(x, "additional documents:") || bv_mn_is_doc_link(x);
}

/* Cut "... view the full minutes text for item N." off x; 1 if it was there. */
int
bv_mn_strip_truncation(span *x)
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
int
bv_mn_list_item(span x, int *cls, span *rest)
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
int
bv_mn_action_line(span x, span *rest)
{
    span r;
    int cls;

    if (bv_mn_list_item(x, &cls, &r) >= 0)
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
int
bv_mn_heading_like(span x)
{
    span r;
    size_t i, words = 0;
    int cls;

    if (x.n == 0 || x.n > MAX_TITLE || bv_mn_list_item(x, &cls, &r) >= 0
        || bv_mn_action_line(x, &r))
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
