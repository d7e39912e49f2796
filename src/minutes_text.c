/*
 * minutes_text.c - the minutes parser's view of text: input checks, lines, and what a
 * line is (item number, duration, list item, action, heading, noise).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes_int.h"

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
/*
 * Markup that printed minutes carry into their text and that is not
 * content: ModernGov's "<AI1>" / "</AI1>" item anchors at either end of a
 * line, and the pipes and rules of a table saved as text ("No. | Item |
 * ||||", "---|---|"). A line of nothing else becomes blank.
 */
static span
clean_line(span x)
{
    size_t i, k;
    int again = 1;

    while (again && x.n > 0) {
        again = 0;
        if (x.s[0] == '<') {
            for (i = 1; i < x.n && i < 12 && x.s[i] != '>'; i++)
                ;
            k = x.s[1] == '/' ? 2 : 1;
            if (i < x.n && x.s[i] == '>' && prefix_ci(x, k, "ai")) {
                x = ltrim(skip(x, i + 1));
                again = 1;
            }
        }
        if (x.n > 0 && x.s[x.n - 1] == '>') {
            for (i = x.n - 1; i > 0 && x.n - i < 12 && x.s[i] != '<'; i--)
                ;
            k = i + 1 < x.n && x.s[i + 1] == '/' ? i + 2 : i + 1;
            if (x.s[i] == '<' && prefix_ci(x, k, "ai")) {
                x = rtrim(mkspan(x.s, i));
                again = 1;
            }
        }
        while (x.n > 0 && (x.s[x.n - 1] == '|' || ws_len_back(x.s, x.n) > 0)) {
            x.n -= x.s[x.n - 1] == '|' ? 1 : ws_len_back(x.s, x.n);
            again = 1;
        }
        while (x.n > 0 && x.s[0] == '|') {
            x = ltrim(skip(x, 1));
            again = 1;
        }
    }
    for (i = 0; i < x.n && strchr("-|: ", x.s[i]) != NULL; i++)
        ;
    return i == x.n ? mkspan(x.s, 0) : x;
}

void
bv_mn_set_gaps(mline *L, size_t n)
{
    size_t k, gap;

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
}

/* Split into lines (LF, CRLF or CR), trimmed and cleaned, with the blank-line gaps. */
mline *
bv_mn_split_lines(const uint8_t *text, size_t len, size_t *nl)
{
    const char *s = (const char *)text;
    size_t i = 0, n = 0, cap = 64;
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
        L[n].t = clean_line(trim(mkspan(s + i, j - i)));
        n++;
        if (j < len && s[j] == '\r' && j + 1 < len && s[j + 1] == '\n')
            j++;
        i = j + 1;
    }
    bv_mn_set_gaps(L, n);
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

/*
 * x compared with w ignoring case, table pipes and runs of white space:
 * "No. | Item" equals "no. item".
 */
static int
eq_loose(span x, const char *w)
{
    size_t i = 0, k = 0, n = strlen(w), sp;

    while (i < x.n || k < n) {
        for (sp = 0; i < x.n && (x.s[i] == '|' || ws_len(x.s + i, x.n - i) > 0); sp = 1)
            i += x.s[i] == '|' ? 1 : ws_len(x.s + i, x.n - i);
        if (sp && k < n && w[k] == ' ')
            k++;
        else if (sp && k > 0 && k < n && i < x.n)
            return 0;
        if (i == x.n || k == n)
            return i == x.n && k == n;
        if (lc(byte(x, i)) != lc((unsigned char)w[k]))
            return 0;
        i++;
        k++;
    }
    return 1;
}

static int
in_list(span x, const char *const *h)
{
    size_t k;

    for (k = 0; h[k]; k++)
        if (eq_loose(x, h[k]))
            return 1;
    return 0;
}

/* The table heading of the agenda, and the page title above the board. */
int
bv_mn_items_heading(span x)
{
    static const char *const h[] = { "items", "item", "no. item", "no item", "note no. item",
        "note no item", "no. item note", "item minute", "item no. item", NULL };

    return in_list(x, h);
}

int
bv_mn_page_title(span x)
{
    static const char *const h[]
        = { "agenda and minutes", "agenda and draft minutes", "agenda and decisions",
              "agenda, decisions and minutes", "agenda", "minutes", "draft minutes",
              "minutes template", "meeting notes template", "meeting details", "meeting summary",
              "issue - meetings", "documents", "public agenda", "minutes: read the minutes", NULL };

    return in_list(x, h) || starts_ci(x, "agendas, meetings and minutes");
}

/*
 * Section headings of an agenda, not items: "PART 1 - PUBLIC",
 * "UNRESTRICTED ITEMS", "Items and actions", "Matters for Recommendation to
 * the Cabinet".
 */
int
bv_mn_section_heading(span x)
{
    static const char *const h[] = { "part 1 - public", "part 1", "part i", "part a", "part one",
        "part 1 - public items", "public items", "open business", "unrestricted items",
        "items and actions", "points of discussion", "public agenda", "agenda", "present",
        "in attendance", "apologies", "actions", NULL };

    return in_list(x, h) || starts_ci(x, "matters for ") || starts_ci(x, "items for ")
        || starts_ci(x, "part 1 ");
}

/* A page footer or header left in the text: "Page 3", "Page 1 of 12",
 * "Printed: 23/06/11 Page 1", "... Minutes - Final Page 1 of 12". */
int
bv_mn_page_footer(span x)
{
    size_t i, p = NO_LINE;

    if (x.n > 100)
        return 0;
    for (i = 0; i < x.n; i++)
        if (word_at(x, i, "page"))
            p = i;
    if (p == NO_LINE)
        return 0;
    x = ltrim(skip(x, p + 4));
    for (i = 0; i < x.n && is_digit(byte(x, i)); i++)
        ;
    if (i == 0)
        return 0;
    x = ltrim(skip(x, i));
    if (x.n == 0)
        return 1;
    if (!word_at(x, 0, "of"))
        return 0;
    x = ltrim(skip(x, 2));
    for (i = 0; i < x.n && is_digit(byte(x, i)); i++)
        ;
    return i > 0 && i == x.n;
}

static size_t
digits(span x, size_t at, unsigned *v)
{
    size_t i;

    *v = 0;
    for (i = at; i < x.n && i - at < 5 && is_digit(byte(x, i)); i++)
        *v = *v * 10 + (unsigned)(byte(x, i) - '0');
    return i - at;
}

/* The words an item number may be printed with: "Item 5", "Minute 12". */
static size_t
label_word(span x)
{
    static const char *const w[]
        = { "agenda item", "item no.", "item", "minute no.", "minute", NULL };
    size_t k, i;

    for (k = 0; w[k]; k++)
        if (word_at(x, 0, w[k]) || (prefix_ci(x, 0, w[k]) && w[k][strlen(w[k]) - 1] == '.'))
            return strlen(w[k]);
    for (i = 0; i < x.n && i < 7 && byte(x, i) >= 'A' && byte(x, i) <= 'Z'; i++)
        ;
    return i > 0 && i < 7 ? i : 0;
}

/* x without a leading separator ("-", ":", "|", an en or em dash) and the space after it. */
static span
strip_separator(span x)
{
    size_t k;

    for (;;) {
        k = x.n > 0 && strchr("-:|", x.s[0]) != NULL                       ? 1
            : starts_ci(x, "\xe2\x80\x93") || starts_ci(x, "\xe2\x80\x94") ? 3
                                                                           : 0;
        if (k == 0 || x.n <= k || ws_len(x.s + k, x.n - k) == 0)
            return x;
        x = trim(skip(x, k));
    }
}

/* Groups "14/1", "2223/001", "16" from `at`: their values in l->seq. */
static size_t
label_groups(span x, size_t at, ilabel *l, char *key, size_t *kn)
{
    size_t i = at, d;
    unsigned v;

    while (l->nseq < 4 && (d = digits(x, i, &v)) > 0) {
        l->seq[l->nseq++] = v;
        i += d;
        if (*kn < sizeof l->key - 4)
            key[(*kn)++] = '#';
        if (i + 1 < x.n && x.s[i] == '/' && is_digit(byte(x, i + 1))) {
            key[(*kn)++] = '/';
            i++;
        } else {
            break;
        }
    }
    return i;
}

/*
 * An agenda item's number at the start of x, as councils print them: "12.",
 * "112.", "1/16", "CSF 14/1", "CSP319", "GBP/2223/001:", "Item 5", "(a)",
 * "1)", a bare "1" before the title. Not numbers: "1.1." and "15.1"
 * (paragraphs), a date ("2 Feb 2026"), a time, a year. On success l->key
 * is the numbering's shape ("#.", "CSF #/#", "(a)"), with '|' for a number
 * alone on its line and '+' for one followed by the title.
 */
int
bv_mn_item_label(span x, ilabel *l)
{
    size_t i = 0, kn = 0, pw = 0, start;
    unsigned v;
    char *key = l->key;

    memset(l, 0, sizeof *l);
    if (x.n >= 3 && x.s[0] == '(') {
        if (byte(x, 1) >= 'a' && byte(x, 1) <= 'z' && x.s[2] == ')') {
            l->seq[l->nseq++] = (unsigned)(byte(x, 1) - 'a' + 1);
            memcpy(key, "(a)", 3);
            kn = 3;
            i = 3;
        } else if ((i = digits(x, 1, &v)) > 0 && i < 4 && 1 + i < x.n && x.s[1 + i] == ')') {
            l->seq[l->nseq++] = v;
            memcpy(key, "(#)", 3);
            kn = 3;
            i += 2;
        } else {
            return 0;
        }
    } else {
        if ((pw = label_word(x)) > 0) {
            for (i = 0; i < pw; i++) /* pw <= 11: the key has room */
                key[kn++] = (char)lc(byte(x, i));
            if (i < x.n && (x.s[i] == '/' || x.s[i] == ' '))
                key[kn++] = x.s[i++];
        }
        start = i;
        i = label_groups(x, start, l, key, &kn);
        if (l->nseq == 0 || (pw == 0 && l->nseq == 1 && i - start > 3))
            return 0;
        /* after a bare number the stop tells items ("1.") from lists ("1)");
         * after "Item 5" or "CSF 14/1" it is only punctuation */
        if (i < x.n && (x.s[i] == '.' || x.s[i] == ':' || (x.s[i] == ')' && pw == 0))) {
            if (pw == 0)
                key[kn++] = x.s[i];
            i++;
        }
    }
    if (i < x.n && ws_len(x.s + i, x.n - i) == 0)
        return 0;
    l->label = mkspan(x.s, i);
    while (l->label.n > 0 && strchr(".:", l->label.s[l->label.n - 1]) != NULL)
        l->label.n--;
    l->rest = trim(skip(x, i));
    /* "Item 7 - Determination", "AGENDA ITEM 5: BUDGET", "45/23 | Apologies": the
     * separator is not the title */
    l->rest = strip_separator(l->rest);
    l->alone = l->rest.n == 0;
    key[kn++] = l->alone ? '|' : '+';
    key[kn] = '\0';
    l->number = (int)(l->seq[l->nseq - 1] % 100000u);
    /* a bare number alone is a page number; before a month it is a date */
    if (l->alone && strcmp(key, "#|") == 0)
        return 0;
    if (!l->alone && bv_mn_month_of(first_word(l->rest)) > 0)
        return 0;
    return l->number > 0;
}

/* Looks like a title: a heading, or a short sentence ("To receive apologies for absence."). */
int
bv_mn_title_like(span x)
{
    size_t i, words = 0;

    if (bv_mn_heading_like(x))
        return 1;
    if (x.n == 0 || x.n > MAX_TITLE || x.s[x.n - 1] != '.'
        || (byte(x, 0) >= 'a' && byte(x, 0) <= 'z'))
        return 0;
    for (i = 0; i + 1 < x.n; i++) {
        if (x.s[i] == '.' && ws_len(x.s + i + 1, x.n - i - 1) > 0)
            return 0;
        if (ws_len(x.s + i, x.n - i) == 0 && (i == 0 || ws_len_back(x.s, i) > 0))
            words++;
    }
    return words <= 8;
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
    return eq_ci(x, "minutes:") || eq_ci(x, "additional documents:") || eq_ci(x, "decision:")
        || eq_ci(x, "decisions:") || bv_mn_is_doc_link(x) || bv_mn_page_footer(x);
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
    if (x.n >= 2 && x.s[x.n - 1] == '-' && x.s[x.n - 2] == ':') /* "resolved:-" leads in */
        return 0;
    for (i = 0; i < x.n; i++)
        if (ws_len(x.s + i, x.n - i) == 0 && (i == 0 || ws_len_back(x.s, i) > 0))
            words++;
    return words <= MAX_TITLE_WORDS;
}
