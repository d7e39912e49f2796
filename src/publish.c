/*
 * publish.c - the public document of a meeting: its open record as plain
 * text, Markdown or one self-contained HTML page (see bv_minutes.h).
 * Only titles, header fields, blocks and notices are read here; a
 * restricted item's body never reaches this file.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes.h"

#include <string.h>
#include <strings.h>

#define NOTICE "This item is restricted and is not published."
#define INCOMPLETE                                                                                 \
    "The published minutes of this item are incomplete: the source held only the start of the "    \
    "text."
#define MAX_DEPTH 8

static int
label(const bv_agenda_item *it)
{
    return it->number != 0 ? it->number : it->ordinal;
}

static int
is_list(const bv_block *b)
{
    return b->kind == BV_BLK_BULLET || b->kind == BV_BLK_NUMBERED;
}

/* Characters, not bytes: for underlining in plain text. */
static size_t
utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* "Restriction: Exempt (Local Government Act 1972, Schedule 12A, paragraph 3)." */
static void
reason(const bv_agenda_item *it, bv_buf *b)
{
    const char *r = it->restriction ? it->restriction : "restricted";

    if (it->schedule12a_para > 0 && strcasecmp(r, "schedule 12a") == 0) {
        bv_buf_printf(b, "Restriction: Local Government Act 1972, Schedule 12A, paragraph %d.",
            it->schedule12a_para);
        return;
    }
    bv_buf_printf(b, "Restriction: %s", r);
    if (it->schedule12a_para > 0)
        bv_buf_printf(
            b, " (Local Government Act 1972, Schedule 12A, paragraph %d)", it->schedule12a_para);
    bv_buf_puts(b, ".");
}

/*
 * Where a list block sits: its level, clamped so that a list never opens
 * two levels at once, and its number within its own list for "1." output.
 */
typedef struct {
    int depth;
    bv_blk_kind kind[MAX_DEPTH + 1];
    int count[MAX_DEPTH + 1];
} listpos;

static int
list_step(listpos *lp, const bv_block *b, int *num)
{
    int l = b->level < 1 ? 1 : b->level;

    if (l > lp->depth + 1)
        l = lp->depth + 1;
    if (l > MAX_DEPTH)
        l = MAX_DEPTH;
    if (l > lp->depth || lp->kind[l] != b->kind)
        lp->count[l] = 0;
    lp->kind[l] = b->kind;
    lp->depth = l;
    *num = ++lp->count[l];
    return l;
}

/* ---- plain text ----------------------------------------------------- */

static void
underline(bv_buf *out, const char *s, char c)
{
    size_t i, n = utf8_chars(s);

    for (i = 0; i < n; i++)
        bv_buf_put(out, &c, 1);
    bv_buf_puts(out, "\n");
}

void
bv_minutes_publish_txt(const bv_meeting *m, bv_buf *out)
{
    bv_buf head;
    listpos lp;
    size_t i, k;
    int l, num;

    bv_buf_puts(out, m->board ? m->board : "Minutes");
    bv_buf_puts(out, "\n");
    underline(out, m->board ? m->board : "Minutes", '=');
    if (m->date_line)
        bv_buf_printf(out, "Date: %s\n", m->date_line);
    if (m->venue)
        bv_buf_printf(out, "Venue: %s\n", m->venue);
    if (m->contact)
        bv_buf_printf(out, "Contact: %s\n", m->contact);
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        bv_buf_init(&head);
        bv_buf_printf(&head, "%d. %s", label(it), it->title);
        bv_buf_printf(out, "\n\n%s\n", head.oom ? "" : (const char *)head.p);
        underline(out, head.oom ? "" : (const char *)head.p, '-');
        bv_buf_free(&head);
        if (it->duration_min > 0)
            bv_buf_printf(
                out, "(%d minute%s)\n", it->duration_min, it->duration_min == 1 ? "" : "s");
        if (it->restricted) {
            bv_buf_puts(out, "\n[" NOTICE " ");
            reason(it, out);
            bv_buf_puts(out, "]\n");
        }
        memset(&lp, 0, sizeof lp);
        for (k = 0; k < it->nblocks; k++) {
            const bv_block *b = &it->blocks[k];
            if (!is_list(b) || k == 0 || !is_list(&it->blocks[k - 1]))
                bv_buf_puts(out, "\n");
            if (!is_list(b))
                lp.depth = 0;
            switch (b->kind) {
            case BV_BLK_BULLET:
            case BV_BLK_NUMBERED:
                l = list_step(&lp, b, &num);
                bv_buf_printf(out, "%*s", 2 * (l - 1), "");
                if (b->kind == BV_BLK_BULLET)
                    bv_buf_printf(out, "* %s\n", b->text);
                else
                    bv_buf_printf(out, "%d. %s\n", num, b->text);
                break;
            case BV_BLK_ACTION:
                bv_buf_printf(out, "ACTION: %s\n", b->text);
                break;
            case BV_BLK_HEADING:
                bv_buf_printf(out, "%s\n", b->text);
                underline(out, b->text, '~');
                break;
            case BV_BLK_PARA:
                bv_buf_printf(out, "%s\n", b->text);
                break;
            }
        }
        if (it->truncated && !it->restricted)
            bv_buf_puts(out, "\n[" INCOMPLETE "]\n");
    }
}

/* ---- Markdown ------------------------------------------------------- */

/*
 * Backslash-escape what Markdown would read as markup (CommonMark lets any
 * ASCII punctuation be escaped), so a title like "<script>" or "*x*" comes
 * out as written. At the start of a line, "-", "+", "=" and "1." would
 * also start a list or a heading.
 */
static void
md_esc(bv_buf *out, const char *s)
{
    const char *p = s;

    if (*p == '-' || *p == '+' || *p == '=')
        bv_buf_puts(out, "\\");
    while (*p >= '0' && *p <= '9')
        p++;
    if (p > s && (*p == '.' || *p == ')')) {
        bv_buf_put(out, s, (size_t)(p - s));
        bv_buf_puts(out, "\\");
        s = p;
    }
    for (; *s; s++) {
        if (strchr("\\`*_[]<>#|~&!", *s) != NULL)
            bv_buf_puts(out, "\\");
        bv_buf_put(out, s, 1);
    }
}

void
bv_minutes_publish_md(const bv_meeting *m, bv_buf *out)
{
    bv_buf r;
    listpos lp;
    size_t i, k;
    int l, num;

    bv_buf_puts(out, "# ");
    md_esc(out, m->board ? m->board : "Minutes");
    bv_buf_puts(out, "\n\n");
    if (m->date_line) {
        bv_buf_puts(out, "**Date:** ");
        md_esc(out, m->date_line);
        bv_buf_puts(out, "  \n");
    }
    if (m->venue) {
        bv_buf_puts(out, "**Venue:** ");
        md_esc(out, m->venue);
        bv_buf_puts(out, "  \n");
    }
    if (m->contact) {
        bv_buf_puts(out, "**Contact:** ");
        md_esc(out, m->contact);
        bv_buf_puts(out, "\n");
    }
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        bv_buf_printf(out, "\n## %d. ", label(it));
        md_esc(out, it->title);
        bv_buf_puts(out, "\n");
        if (it->duration_min > 0)
            bv_buf_printf(
                out, "\n*%d minute%s*\n", it->duration_min, it->duration_min == 1 ? "" : "s");
        if (it->restricted) {
            bv_buf_init(&r);
            reason(it, &r);
            bv_buf_puts(out, "\n> **" NOTICE "** ");
            md_esc(out, r.oom ? "" : (const char *)r.p);
            bv_buf_puts(out, "\n");
            bv_buf_free(&r);
        }
        memset(&lp, 0, sizeof lp);
        for (k = 0; k < it->nblocks; k++) {
            const bv_block *b = &it->blocks[k];
            if (!is_list(b) || k == 0 || !is_list(&it->blocks[k - 1]))
                bv_buf_puts(out, it->restricted ? ">\n> " : "\n");
            else if (it->restricted)
                bv_buf_puts(out, "> ");
            if (!is_list(b))
                lp.depth = 0;
            switch (b->kind) {
            case BV_BLK_BULLET:
            case BV_BLK_NUMBERED:
                l = list_step(&lp, b, &num);
                bv_buf_printf(out, "%*s", 4 * (l - 1), "");
                if (b->kind == BV_BLK_BULLET)
                    bv_buf_puts(out, "- ");
                else
                    bv_buf_printf(out, "%d. ", num);
                break;
            case BV_BLK_ACTION:
                bv_buf_puts(out, "**ACTION:** ");
                break;
            case BV_BLK_HEADING:
                bv_buf_puts(out, "### ");
                break;
            case BV_BLK_PARA:
                break;
            }
            md_esc(out, b->text);
            bv_buf_puts(out, "\n");
        }
        if (it->truncated && !it->restricted)
            bv_buf_puts(out, "\n> *" INCOMPLETE "*\n");
    }
}

/* ---- HTML ----------------------------------------------------------- */

static void
html_esc(bv_buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            bv_buf_puts(out, "&amp;");
            break;
        case '<':
            bv_buf_puts(out, "&lt;");
            break;
        case '>':
            bv_buf_puts(out, "&gt;");
            break;
        case '"':
            bv_buf_puts(out, "&quot;");
            break;
        case '\'':
            bv_buf_puts(out, "&#39;");
            break;
        default:
            bv_buf_put(out, s, 1);
        }
    }
}

/* Close open lists down to `level`, each with the <li> that holds it. */
static void
html_close(bv_buf *out, const char **tags, int *depth, int level)
{
    for (; *depth > level; (*depth)--)
        bv_buf_printf(out, "</li>\n</%s>\n", tags[*depth]);
}

static void
html_blocks(bv_buf *out, const bv_agenda_item *it)
{
    const char *tags[MAX_DEPTH + 1];
    int depth = 0, l;
    size_t k;

    for (k = 0; k < it->nblocks; k++) {
        const bv_block *b = &it->blocks[k];
        if (is_list(b)) {
            const char *tag = b->kind == BV_BLK_BULLET ? "ul" : "ol";
            l = b->level < 1 ? 1 : b->level;
            if (l > depth + 1)
                l = depth + 1;
            if (l > MAX_DEPTH)
                l = MAX_DEPTH;
            html_close(out, tags, &depth, l);
            if (depth == l && strcmp(tags[l], tag) == 0) {
                bv_buf_puts(out, "</li>\n<li>");
            } else {
                if (depth == l)
                    html_close(out, tags, &depth, l - 1);
                bv_buf_printf(out, "%s<%s>\n<li>", depth > 0 ? "\n" : "", tag);
                tags[l] = tag;
                depth = l;
            }
            html_esc(out, b->text);
            continue;
        }
        html_close(out, tags, &depth, 0);
        switch (b->kind) {
        case BV_BLK_ACTION:
            bv_buf_puts(out, "<p class=\"action\"><strong>ACTION:</strong> ");
            html_esc(out, b->text);
            bv_buf_puts(out, "</p>\n");
            break;
        case BV_BLK_HEADING:
            bv_buf_puts(out, "<h3>");
            html_esc(out, b->text);
            bv_buf_puts(out, "</h3>\n");
            break;
        default:
            bv_buf_puts(out, "<p>");
            html_esc(out, b->text);
            bv_buf_puts(out, "</p>\n");
        }
    }
    html_close(out, tags, &depth, 0);
}

static const char css[] = "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,"
                          "sans-serif;line-height:1.5;max-width:46rem;margin:2rem auto;"
                          "padding:0 1rem;color:#1b1b1b;background:#fff}\n"
                          "h1{font-size:1.8rem;margin-bottom:.5rem}\n"
                          "h2{font-size:1.3rem;margin-top:2rem;padding-top:1rem;"
                          "border-top:1px solid #b1b4b6}\n"
                          "h3{font-size:1.1rem}\n"
                          ".meta{margin:.25rem 0}\n"
                          ".duration{color:#505a5f;font-size:.9rem}\n"
                          ".action{border-left:4px solid #1d70b8;padding-left:.75rem}\n"
                          ".restricted{border:2px solid #b00020;background:#fdf2f3;"
                          "padding:.25rem 1rem}\n"
                          ".truncated{border-left:4px solid #8a5b00;padding-left:.75rem;"
                          "font-style:italic}\n";

void
bv_minutes_publish_html(const bv_meeting *m, bv_buf *out)
{
    const char *board = m->board ? m->board : "Minutes";
    bv_buf r;
    size_t i;

    bv_buf_puts(out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        /* nothing on the page may load or run, even if escaping were wrong */
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n<title>");
    html_esc(out, board);
    if (m->date_line) {
        bv_buf_puts(out, ": minutes, ");
        html_esc(out, m->date_line);
    }
    bv_buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", css);
    html_esc(out, board);
    bv_buf_puts(out, "</h1>\n");
    if (m->date_line) {
        bv_buf_puts(out, "<p class=\"meta\">Minutes of the meeting held on <time datetime=\"");
        html_esc(out, m->date_iso ? m->date_iso : "");
        if (m->time) {
            bv_buf_puts(out, "T");
            html_esc(out, m->time);
        }
        bv_buf_puts(out, "\">");
        html_esc(out, m->date_line);
        bv_buf_puts(out, "</time></p>\n");
    }
    if (m->venue) {
        bv_buf_puts(out, "<p class=\"meta\">Venue: ");
        html_esc(out, m->venue);
        bv_buf_puts(out, "</p>\n");
    }
    if (m->contact) {
        bv_buf_puts(out, "<p class=\"meta\">Contact: ");
        html_esc(out, m->contact);
        bv_buf_puts(out, "</p>\n");
    }
    bv_buf_puts(out, "</header>\n<main>\n");
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        bv_buf_printf(out, "<section aria-labelledby=\"item-%d\">\n<h2 id=\"item-%d\">%d. ",
            it->ordinal, it->ordinal, label(it));
        html_esc(out, it->title);
        bv_buf_puts(out, "</h2>\n");
        if (it->duration_min > 0)
            bv_buf_printf(out, "<p class=\"duration\">%d minute%s</p>\n", it->duration_min,
                it->duration_min == 1 ? "" : "s");
        if (it->restricted) {
            bv_buf_init(&r);
            reason(it, &r);
            bv_buf_puts(
                out, "<div class=\"restricted\" role=\"note\">\n<p><strong>" NOTICE "</strong> ");
            html_esc(out, r.oom ? "" : (const char *)r.p);
            bv_buf_puts(out, "</p>\n");
            bv_buf_free(&r);
            html_blocks(out, it);
            bv_buf_puts(out, "</div>\n");
        } else {
            html_blocks(out, it);
            if (it->truncated)
                bv_buf_puts(out, "<p class=\"truncated\" role=\"note\">" INCOMPLETE "</p>\n");
        }
        bv_buf_puts(out, "</section>\n");
    }
    bv_buf_puts(out, "</main>\n</body>\n</html>\n");
}

bv_status
bv_minutes_publish(const bv_meeting *m, const char *format, bv_buf *out)
{
    if (format != NULL && strcmp(format, "txt") == 0)
        bv_minutes_publish_txt(m, out);
    else if (format != NULL && strcmp(format, "md") == 0)
        bv_minutes_publish_md(m, out);
    else if (format != NULL && strcmp(format, "html") == 0)
        bv_minutes_publish_html(m, out);
    else
        return bv_fail(
            BV_EUSAGE, "unknown format %s: use txt, md or html", format ? format : "(none)");
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}
