/*
 * reader_html.c - minutes saved from a council's web page: libxml2's HTML
 * parser (forgiving, no network, no entities fetched) turns the page into
 * a tree, and the tree is written out as the text a browser would show:
 * head, scripts and styles dropped, each block and table cell on lines of
 * its own, headings set apart by blank lines, list items as bullets.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_reader.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

#define MAX_DEPTH 256 /* deeper nesting is not a page of minutes */

static int
named(const xmlNode *n, const char *const *names)
{
    size_t k;

    for (k = 0; names[k]; k++)
        if (xmlStrcasecmp(n->name, (const xmlChar *)names[k]) == 0)
            return 1;
    return 0;
}

static const char *const skipped[] = { "head", "script", "style", "noscript", "template", "svg",
    "iframe", "object", "button", "select", "nav", NULL };
static const char *const blocks[] = { "p", "div", "section", "article", "header", "footer", "main",
    "aside", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "hr", "form", "fieldset", "address", "figure", "caption", "center", NULL };
static const char *const headings[] = { "h1", "h2", "h3", "h4", "h5", "h6", NULL };

/* Text with runs of white space as one space, as a browser shows it. */
static void
put_text(bv_sbuf *b, const xmlChar *s, int pre, int *space)
{
    size_t i, start = 0, n = strlen((const char *)s);

    if (pre) {
        bv_sbuf_put(b, s, n);
        return;
    }
    for (i = 0; i <= n; i++) {
        if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f')
            continue;
        if (i > start) {
            if (*space && b->len > 0 && b->p[b->len - 1] != '\n')
                bv_sbuf_put(b, " ", 1);
            bv_sbuf_put(b, s + start, i - start);
            *space = 0;
        }
        if (i < n)
            *space = 1;
        start = i + 1;
    }
}

/* At least k line breaks at the end of the text so far (none at its start). */
static void
breaks(bv_sbuf *b, size_t k)
{
    size_t have = 0;

    while (have < b->len && b->p[b->len - 1 - have] == '\n')
        have++;
    for (; b->len > 0 && have < k; have++)
        bv_sbuf_put(b, "\n", 1);
}

static void
walk(bv_sbuf *b, const xmlNode *n, int depth, int pre, int *space)
{
    const xmlNode *c;
    size_t start;

    for (; n != NULL && depth < MAX_DEPTH; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != NULL)
                put_text(b, n->content, pre, space);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || named(n, skipped))
            continue;
        if (xmlStrcasecmp(n->name, (const xmlChar *)"br") == 0) {
            bv_sbuf_puts(b, "\n");
            *space = 0;
            continue;
        }
        if (named(n, headings)) {
            breaks(b, 3);
        } else if (xmlStrcasecmp(n->name, (const xmlChar *)"li") == 0) {
            breaks(b, 2);
            bv_sbuf_puts(b, "\xe2\x80\xa2 ");
        } else if (named(n, blocks)) {
            breaks(b, 2);
        }
        *space = 0;
        c = n->children;
        start = b->len;
        walk(b, c, depth + 1, pre || xmlStrcasecmp(n->name, (const xmlChar *)"pre") == 0, space);
        if (xmlStrcasecmp(n->name, (const xmlChar *)"td") == 0
            || xmlStrcasecmp(n->name, (const xmlChar *)"th") == 0)
            bv_sbuf_number_cell(b, start);
        if (named(n, headings))
            breaks(b, 3);
        else if (named(n, blocks) || xmlStrcasecmp(n->name, (const xmlChar *)"li") == 0)
            breaks(b, 2);
        *space = 0;
    }
}

bv_status
bv_read_html(const uint8_t *doc, size_t len, uint8_t **text, size_t *tlen)
{
    bv_sbuf b = { 0 };
    htmlDocPtr d;
    int space = 0;

    *text = NULL;
    *tlen = 0;
    if (len > (size_t)0x7fffffff)
        return bv_fail(BV_EINPUT, "too large for an HTML page");
    d = htmlReadMemory((const char *)doc, (int)len, NULL, NULL,
        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET
            | HTML_PARSE_COMPACT);
    if (d == NULL || xmlDocGetRootElement(d) == NULL) {
        xmlFreeDoc(d);
        return bv_fail(BV_EINPUT, "not a readable HTML page");
    }
    walk(&b, xmlDocGetRootElement(d), 0, 0, &space);
    xmlFreeDoc(d);
    return bv_sbuf_take_text(&b, text, tlen);
}
