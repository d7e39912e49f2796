/*
 * fuzz_minutes.c - bv_minutes_parse on arbitrary bytes, then every view of
 * a meeting it accepts: bv_minutes_json, bv_minutes_table and
 * bv_minutes_publish as txt, md and html.
 *
 * Invariants checked on every accepted input (a broken one aborts, which
 * libFuzzer saves as a crash-* input):
 *  1. the meeting is well formed as bv_minutes.h describes it: a date, at
 *     least one item, ordinals 1..n, numbers all set or all 0 and unique,
 *     block kinds and levels in range, a restricted item has a restriction,
 *     no actions and only notice paragraphs, its body is a piece of the
 *     input, an open item has no body; every string is whole UTF-8 (no
 *     character cut in two) with no control but tab and form feed;
 *     bv_minutes_item finds each item under its label;
 *  2. every output is whole UTF-8 (JSON: no raw control at all);
 *  3. the renderers never read restricted_body: overwriting every body
 *     leaves all five outputs byte for byte the same;
 *  4. the HTML escapes everything: its '<', '>' and '"' are exactly those
 *     of the same page rendered with every text field emptied;
 *  5. no output holds a restricted body, nor any line of one, of 16 bytes
 *     or more (compared whitespace-folded, ASCII case-folded, entities and
 *     Markdown escapes undone, from the first letter on) unless that text
 *     is also open: a second copy elsewhere in the input, or wording the
 *     renderers print for every meeting;
 *  6. taint: with the letters of every restricted body ROT13'd (located by
 *     its unique occurrence in the input) the parse must give the same
 *     open record. When the change moves item boundaries or restriction
 *     findings (item count, numbers, durations, restricted, restriction,
 *     schedule12a_para, truncated, body lengths) the input is skipped;
 *     otherwise any difference in a title, block, action or header field
 *     is body text that reached open text.
 */
#define _GNU_SOURCE
#include "bv_minutes.h"
#include "fuzz_common.h"

enum { OUT_JSON, OUT_TABLE, OUT_TXT, OUT_MD, OUT_HTML, NOUT };
static const char *const out_name[NOUT] = { "json", "table", "txt", "md", "html" };

#define MIN_SECRET 16

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_sodium_init();
    return 0;
}

/* ---- rendering ------------------------------------------------------ */

static void
render(const bv_meeting *m, bv_buf out[NOUT])
{
    static const char *const fmt[] = { "txt", "md", "html" };
    bv_status st;
    size_t i;

    for (i = 0; i < NOUT; i++)
        bv_buf_init(&out[i]);
    st = bv_minutes_json(m, &out[OUT_JSON]);
    FUZZ_CHECK(st == BV_OK, "bv_minutes_json: %d %s", st, bv_errmsg());
    st = bv_minutes_table(m, &out[OUT_TABLE]);
    FUZZ_CHECK(st == BV_OK, "bv_minutes_table: %d %s", st, bv_errmsg());
    for (i = 0; i < 3; i++) {
        st = bv_minutes_publish(m, fmt[i], &out[OUT_TXT + i]);
        FUZZ_CHECK(st == BV_OK, "bv_minutes_publish %s: %d %s", fmt[i], st, bv_errmsg());
    }
}

static void
render_free(bv_buf out[NOUT])
{
    size_t i;

    for (i = 0; i < NOUT; i++)
        bv_buf_free(&out[i]);
}

/* ---- 1. the meeting itself ------------------------------------------ */

static void
check_str(const char *s, const char *what, size_t item)
{
    FUZZ_CHECK(s != NULL, "item %zu: %s is NULL", item, what);
    FUZZ_CHECK(fuzz_utf8_ok((const uint8_t *)s, strlen(s), "\t\f"),
        "item %zu: %s is not whole UTF-8 or holds a control character: \"%s\"", item, what, s);
}

static void
check_opt(const char *s, const char *what)
{
    if (s != NULL)
        check_str(s, what, 0);
}

static int
digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void
check_meeting(const bv_meeting *m, const uint8_t *data, size_t size)
{
    size_t i, k, j, numbered = 0;
    const char *d;

    FUZZ_CHECK(m->date_line != NULL && m->date_iso != NULL, "accepted a meeting without a date");
    check_str(m->date_line, "date_line", 0);
    d = m->date_iso;
    FUZZ_CHECK(strlen(d) == 10 && digits(d, 4) && d[4] == '-' && digits(d + 5, 2) && d[7] == '-'
            && digits(d + 8, 2) && strncmp(d + 5, "00", 2) != 0 && strncmp(d + 5, "12", 2) <= 0
            && strncmp(d + 8, "00", 2) != 0 && strncmp(d + 8, "31", 2) <= 0,
        "date_iso is not a date: \"%s\"", d);
    if (m->time != NULL)
        FUZZ_CHECK(strlen(m->time) == 5 && digits(m->time, 2) && m->time[2] == ':'
                && digits(m->time + 3, 2) && strncmp(m->time, "23", 2) <= 0
                && strncmp(m->time + 3, "59", 2) <= 0,
            "time is not HH:MM: \"%s\"", m->time);
    check_opt(m->board, "board");
    check_opt(m->venue, "venue");
    check_opt(m->contact, "contact");
    FUZZ_CHECK(m->nitems >= 1 && m->items != NULL, "accepted a meeting without items");

    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        FUZZ_CHECK(it->ordinal == (int)i + 1, "item %zu has ordinal %d", i, it->ordinal);
        FUZZ_CHECK(it->number >= 0 && it->number <= 999, "item %zu: number %d", i, it->number);
        numbered += it->number != 0;
        for (j = 0; j < i; j++)
            FUZZ_CHECK(it->number == 0 || m->items[j].number != it->number,
                "items %zu and %zu share number %d", j, i, it->number);
        FUZZ_CHECK(bv_minutes_item(m, it->number ? it->number : it->ordinal) == it,
            "bv_minutes_item does not find item %zu under its label", i);
        FUZZ_CHECK(it->duration_min >= 0, "item %zu: duration %d", i, it->duration_min);
        FUZZ_CHECK(it->schedule12a_para >= 0 && it->schedule12a_para < 100,
            "item %zu: schedule12a_para %d", i, it->schedule12a_para);
        FUZZ_CHECK(it->restricted == 0 || it->restricted == 1, "item %zu: restricted %d", i,
            it->restricted);
        FUZZ_CHECK(
            it->truncated == 0 || it->truncated == 1, "item %zu: truncated %d", i, it->truncated);
        check_str(it->title, "title", i);
        if (it->restricted) {
            check_str(it->restriction, "restriction", i);
            FUZZ_CHECK(it->nactions == 0, "restricted item %zu has %zu actions from its body", i,
                it->nactions);
            for (k = 0; k < it->nblocks; k++)
                FUZZ_CHECK(it->blocks[k].kind == BV_BLK_PARA,
                    "restricted item %zu: block %zu is kind %d, not a notice paragraph", i, k,
                    (int)it->blocks[k].kind);
        } else {
            FUZZ_CHECK(it->restriction == NULL, "open item %zu has restriction \"%s\"", i,
                it->restriction);
            FUZZ_CHECK(it->restricted_body == NULL && it->restricted_body_len == 0,
                "open item %zu has a restricted body", i);
        }
        if (it->restricted_body != NULL) {
            FUZZ_CHECK(it->restricted_body_len > 0 && it->restricted_body_len <= size,
                "item %zu: body of %zu bytes", i, it->restricted_body_len);
            FUZZ_CHECK(fuzz_count(data, size, it->restricted_body, it->restricted_body_len) > 0,
                "item %zu: restricted_body is not a piece of the input", i);
        } else {
            FUZZ_CHECK(it->restricted_body_len == 0, "item %zu: NULL body of %zu bytes", i,
                it->restricted_body_len);
        }
        FUZZ_CHECK(it->nblocks == 0 || it->blocks != NULL, "item %zu: blocks NULL", i);
        for (k = 0; k < it->nblocks; k++) {
            const bv_block *b = &it->blocks[k];
            check_str(b->text, "block text", i);
            switch (b->kind) {
            case BV_BLK_BULLET:
            case BV_BLK_NUMBERED:
                FUZZ_CHECK(b->level >= 1 && b->level <= 8, "item %zu block %zu: list level %d", i,
                    k, b->level);
                break;
            case BV_BLK_HEADING:
                FUZZ_CHECK(b->level == 1, "item %zu block %zu: heading level %d", i, k, b->level);
                break;
            case BV_BLK_PARA:
            case BV_BLK_ACTION:
                FUZZ_CHECK(b->level == 0, "item %zu block %zu: level %d", i, k, b->level);
                break;
            default:
                FUZZ_CHECK(0, "item %zu block %zu: kind %d", i, k, (int)b->kind);
            }
        }
        FUZZ_CHECK(it->nactions == 0 || it->actions != NULL, "item %zu: actions NULL", i);
        for (k = 0; k < it->nactions; k++) {
            check_str(it->actions[k].text, "action text", i);
            if (it->actions[k].owners != NULL)
                check_str(it->actions[k].owners, "action owners", i);
            if (it->actions[k].status != NULL)
                check_str(it->actions[k].status, "action status", i);
        }
    }
    FUZZ_CHECK(numbered == 0 || numbered == m->nitems, "%zu of %zu items are numbered", numbered,
        m->nitems);
    FUZZ_CHECK(bv_minutes_item(m, 0) == NULL && bv_minutes_item(m, -1) == NULL
            && bv_minutes_item(NULL, 1) == NULL,
        "bv_minutes_item found a label that no item has");
}

/* ---- 2. outputs are text -------------------------------------------- */

static void
check_outputs_utf8(bv_buf out[NOUT])
{
    size_t i;

    FUZZ_CHECK(bv_utf8_ok((const char *)out[OUT_JSON].p, out[OUT_JSON].len, NULL),
        "JSON output is not whole UTF-8 or holds a raw control character");
    for (i = OUT_TABLE; i < NOUT; i++)
        FUZZ_CHECK(fuzz_utf8_ok(out[i].p, out[i].len, "\t\n\f"),
            "%s output is not whole UTF-8 or holds a control character", out_name[i]);
}

/* ---- 3. the renderers never read restricted_body -------------------- */

static void
check_body_not_read(bv_meeting *m, bv_buf out[NOUT])
{
    bv_buf again[NOUT];
    size_t i, any = 0;

    for (i = 0; i < m->nitems; i++)
        if (m->items[i].restricted_body != NULL) {
            memset(m->items[i].restricted_body, 'Q', m->items[i].restricted_body_len);
            any = 1;
        }
    if (!any)
        return;
    render(m, again);
    for (i = 0; i < NOUT; i++)
        FUZZ_CHECK(again[i].len == out[i].len && memcmp(again[i].p, out[i].p, out[i].len) == 0,
            "%s output changes when a restricted body changes: the renderer reads it", out_name[i]);
    render_free(again);
}

/* ---- 4. the HTML structure is the template's ------------------------- */

/* A copy of m with every free-text field emptied: what the renderers write
 * whatever the minutes say. Strings are borrowed, not owned. */
static char empty_str[1];

static bv_meeting *
skeleton_new(const bv_meeting *m)
{
    bv_meeting *s = calloc(1, sizeof *s);
    size_t i, k;

    FUZZ_CHECK(s != NULL && (s->items = calloc(m->nitems, sizeof *s->items)) != NULL, "oom");
    s->nitems = m->nitems;
#define BLANK(f) (s->f = m->f ? empty_str : NULL)
    BLANK(board);
    BLANK(date_line);
    BLANK(date_iso);
    BLANK(time);
    BLANK(venue);
    BLANK(contact);
#undef BLANK
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *a = &m->items[i];
        bv_agenda_item *b = &s->items[i];
        *b = *a;
        b->title = empty_str;
        b->restricted_body = NULL;
        b->restricted_body_len = 0;
        b->actions = NULL;
        b->nactions = 0;
        b->blocks = NULL;
        if (a->nblocks > 0) {
            FUZZ_CHECK((b->blocks = calloc(a->nblocks, sizeof *b->blocks)) != NULL, "oom");
            for (k = 0; k < a->nblocks; k++) {
                b->blocks[k] = a->blocks[k];
                b->blocks[k].text = empty_str;
            }
        }
    }
    return s;
}

static void
skeleton_free(bv_meeting *s)
{
    size_t i;

    for (i = 0; i < s->nitems; i++)
        free(s->items[i].blocks);
    free(s->items);
    free(s);
}

static void
markup_only(const bv_buf *b, bv_buf *out)
{
    size_t i;

    bv_buf_init(out);
    for (i = 0; i < b->len; i++)
        if (b->p[i] == '<' || b->p[i] == '>' || b->p[i] == '"')
            bv_buf_put(out, &b->p[i], 1);
    bv_buf_put(out, "", 0);
}

static void
check_html_escaped(const bv_buf *html, const bv_buf *skel_html)
{
    bv_buf a, b;
    size_t i;

    markup_only(html, &a);
    markup_only(skel_html, &b);
    for (i = 0; i < a.len && i < b.len && a.p[i] == b.p[i]; i++)
        ;
    FUZZ_CHECK(a.len == b.len && i == a.len,
        "HTML markup differs from the template's at markup character %zu: text not escaped", i);
    bv_buf_free(&a);
    bv_buf_free(&b);
}

/* ---- 5. no restricted body in any output ----------------------------- */

enum { DEC_NONE, DEC_HTML, DEC_MD };

/*
 * Fold text for comparison: undo HTML entities or Markdown escapes, fold
 * every run of white space (ASCII, U+00A0) to one space, lower-case ASCII,
 * trim. Folding only ever makes more things match.
 */
static void
fold(const uint8_t *p, size_t n, int dec, bv_buf *out)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
        { "&#39;", '\'' } };
    size_t i = 0, k, l;
    int space = 0;
    uint8_t c;

    bv_buf_init(out);
    bv_buf_put(out, "", 0);
    while (i < n) {
        c = p[i];
        l = 1;
        if (dec == DEC_HTML && c == '&') {
            for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
                size_t el = strlen(ents[k].ent);
                if (n - i >= el && memcmp(p + i, ents[k].ent, el) == 0) {
                    c = (uint8_t)ents[k].c;
                    l = el;
                    break;
                }
            }
        } else if (dec == DEC_MD && c == '\\' && i + 1 < n && p[i + 1] < 0x80
            && strchr("\\`*_[]<>#|~&!-+=.)", p[i + 1]) != NULL && p[i + 1] != 0) {
            c = p[i + 1];
            l = 2;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
            || (c == 0xc2 && l == 1 && i + 1 < n && p[i + 1] == 0xa0)) {
            if (c == 0xc2)
                l = 2;
            space = 1;
        } else {
            if (space && out->len > 0)
                bv_buf_put(out, " ", 1);
            space = 0;
            if (c >= 'A' && c <= 'Z')
                c = (uint8_t)(c + ('a' - 'A'));
            bv_buf_put(out, &c, 1);
        }
        i += l;
    }
    FUZZ_CHECK(!out->oom, "oom");
}

/* Is the folded secret s open anyway (a second copy in the folded input,
 * or the renderers' own words), or in no output? Aborts if it leaked. */
static void
check_secret(const uint8_t *s, size_t n, const bv_buf *fin, bv_buf fo[NOUT], bv_buf fs[NOUT],
    size_t item, const char *what)
{
    size_t k;

    /* from the first letter: list numbers and glyphs are renumbered and
     * redrawn, so they prove nothing */
    while (n > 0 && !(s[0] >= 'a' && s[0] <= 'z')) {
        s++;
        n--;
    }
    if (n < MIN_SECRET || fuzz_count(fin->p, fin->len, s, n) >= 2)
        return;
    for (k = 0; k < NOUT; k++)
        if (memmem(fs[k].p, fs[k].len, s, n) != NULL)
            return;
    for (k = 0; k < NOUT; k++)
        FUZZ_CHECK(memmem(fo[k].p, fo[k].len, s, n) == NULL,
            "%s of the restricted body of item %zu is in the %s output: \"%.*s\"", what, item,
            out_name[k], (int)n, (const char *)s);
}

static void
check_no_body_in_outputs(
    const bv_meeting *m, const uint8_t *data, size_t size, bv_buf out[NOUT], bv_buf skel[NOUT])
{
    bv_buf fin, fb, fo[NOUT], fs[NOUT];
    const uint8_t *p, *end, *e;
    size_t i, k;
    int folded = 0;

    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        if (it->restricted_body == NULL || it->restricted_body_len < MIN_SECRET)
            continue;
        if (!folded) {
            fold(data, size, DEC_NONE, &fin);
            for (k = 0; k < NOUT; k++) {
                int dec = k == OUT_HTML ? DEC_HTML : k == OUT_MD ? DEC_MD : DEC_NONE;
                fold(out[k].p, out[k].len, dec, &fo[k]);
                fold(skel[k].p, skel[k].len, dec, &fs[k]);
            }
            folded = 1;
        }
        /* the whole body, then each of its lines */
        fold(it->restricted_body, it->restricted_body_len, DEC_NONE, &fb);
        check_secret(fb.p, fb.len, &fin, fo, fs, i, "all");
        bv_buf_free(&fb);
        end = it->restricted_body + it->restricted_body_len;
        for (p = it->restricted_body; p < end; p = e + 1) {
            for (e = p; e < end && *e != '\n' && *e != '\r'; e++)
                ;
            if ((size_t)(e - p) >= MIN_SECRET) {
                fold(p, (size_t)(e - p), DEC_NONE, &fb);
                check_secret(fb.p, fb.len, &fin, fo, fs, i, "a line");
                bv_buf_free(&fb);
            }
        }
    }
    if (folded) {
        bv_buf_free(&fin);
        for (k = 0; k < NOUT; k++) {
            bv_buf_free(&fo[k]);
            bv_buf_free(&fs[k]);
        }
    }
}

/* ---- 6. taint: body bytes never reach open text ---------------------- */

static int
str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
rot13(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] >= 'a' && p[i] <= 'z')
            p[i] = (uint8_t)('a' + (p[i] - 'a' + 13) % 26);
        else if (p[i] >= 'A' && p[i] <= 'Z')
            p[i] = (uint8_t)('A' + (p[i] - 'A' + 13) % 26);
    }
}

/* Same item boundaries and restriction findings: the change to the body
 * did not change what the parser was told, only what the body says. */
static int
same_shape(const bv_meeting *a, const bv_meeting *b)
{
    size_t i;

    if (a->nitems != b->nitems)
        return 0;
    for (i = 0; i < a->nitems; i++) {
        const bv_agenda_item *x = &a->items[i], *y = &b->items[i];
        if (x->restricted != y->restricted || !str_eq(x->restriction, y->restriction)
            || x->schedule12a_para != y->schedule12a_para || x->truncated != y->truncated
            || (x->restricted_body == NULL) != (y->restricted_body == NULL)
            || x->restricted_body_len != y->restricted_body_len || x->number != y->number
            || x->duration_min != y->duration_min)
            return 0;
    }
    return 1;
}

static void
check_taint(const uint8_t *data, size_t size, const bv_meeting *m)
{
    bv_meeting *m2 = NULL;
    uint8_t *t, *want;
    size_t i, k, pos;
    int any = 0;

    for (i = 0; i < m->nitems; i++)
        if (m->items[i].restricted_body != NULL)
            break;
    if (i == m->nitems)
        return;
    FUZZ_CHECK((t = malloc(size)) != NULL, "oom");
    memcpy(t, data, size);
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        const uint8_t *at;
        if (it->restricted_body == NULL)
            continue;
        if (fuzz_count(data, size, it->restricted_body, it->restricted_body_len) != 1)
            goto out; /* cannot tell which copy is the body */
        at = memmem(data, size, it->restricted_body, it->restricted_body_len);
        pos = (size_t)(at - data);
        rot13(t + pos, it->restricted_body_len);
        any = 1;
    }
    if (!any || bv_minutes_parse(t, size, &m2) != BV_OK || !same_shape(m, m2))
        goto out;

    FUZZ_CHECK(str_eq(m->board, m2->board) && str_eq(m->date_line, m2->date_line)
            && str_eq(m->date_iso, m2->date_iso) && str_eq(m->time, m2->time)
            && str_eq(m->venue, m2->venue) && str_eq(m->contact, m2->contact),
        "a header field changes with the text of a restricted body");
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *x = &m->items[i], *y = &m2->items[i];
        FUZZ_CHECK(str_eq(x->title, y->title),
            "item %zu: the title changes with a restricted body: \"%s\" -> \"%s\"", i, x->title,
            y->title);
        FUZZ_CHECK(x->nblocks == y->nblocks && x->nactions == y->nactions,
            "item %zu: blocks %zu -> %zu, actions %zu -> %zu when a restricted body changes", i,
            x->nblocks, y->nblocks, x->nactions, y->nactions);
        for (k = 0; k < x->nblocks; k++)
            FUZZ_CHECK(x->blocks[k].kind == y->blocks[k].kind
                    && x->blocks[k].level == y->blocks[k].level
                    && str_eq(x->blocks[k].text, y->blocks[k].text),
                "item %zu block %zu changes with a restricted body: \"%s\" -> \"%s\"", i, k,
                x->blocks[k].text, y->blocks[k].text);
        for (k = 0; k < x->nactions; k++)
            FUZZ_CHECK(str_eq(x->actions[k].owners, y->actions[k].owners)
                    && str_eq(x->actions[k].text, y->actions[k].text)
                    && str_eq(x->actions[k].status, y->actions[k].status),
                "item %zu action %zu changes with a restricted body", i, k);
        if (x->restricted_body != NULL) {
            FUZZ_CHECK((want = malloc(x->restricted_body_len)) != NULL, "oom");
            memcpy(want, x->restricted_body, x->restricted_body_len);
            rot13(want, x->restricted_body_len);
            FUZZ_CHECK(memcmp(want, y->restricted_body, x->restricted_body_len) == 0,
                "item %zu: the body is not the bytes it was found at", i);
            free(want);
        }
    }
out:
    bv_meeting_free(m2);
    free(t);
}

/* ---- entry ---------------------------------------------------------- */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bv_meeting sentinel;
    bv_meeting *m = &sentinel, *skel;
    bv_buf out[NOUT], sk[NOUT], junk;
    bv_status st;

    bv_err_clear();
    st = bv_minutes_parse(data, size, &m);
    if (st != BV_OK) {
        FUZZ_CHECK(m == NULL, "a failed parse left *out set");
        FUZZ_CHECK(st == BV_EINPUT || st == BV_ERR, "parse returned status %d", st);
        FUZZ_CHECK(strcmp(bv_errmsg(), "unknown error") != 0, "parse failed without a message");
        return 0;
    }
    FUZZ_CHECK(m != NULL, "parse succeeded without a meeting");
    check_meeting(m, data, size);

    render(m, out);
    check_outputs_utf8(out);
    bv_buf_init(&junk);
    FUZZ_CHECK(bv_minutes_publish(m, "pdf", &junk) == BV_EUSAGE
            && bv_minutes_publish(m, NULL, &junk) == BV_EUSAGE,
        "an unknown format was accepted");
    bv_buf_free(&junk);

    skel = skeleton_new(m);
    render(skel, sk);
    check_html_escaped(&out[OUT_HTML], &sk[OUT_HTML]);
    check_no_body_in_outputs(m, data, size, out, sk);
    check_taint(data, size, m);
    check_body_not_read(m, out); /* last: it overwrites the bodies */

    render_free(sk);
    skeleton_free(skel);
    render_free(out);
    bv_meeting_free(m);
    return 0;
}
