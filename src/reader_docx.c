/*
 * reader_docx.c - minutes as a Word document (.docx): the zip is opened
 * from memory with libzip (zip_source_buffer_create: nothing is unpacked
 * to disk), word/document.xml is inflated into guarded memory and parsed
 * with libxml2 (no network, no entity expansion). Each paragraph becomes a
 * line with a blank line after it, headings ("Heading 1", "Title") are set
 * apart by two, table cells end a paragraph, and Word's automatic list
 * numbering is printed as "1." at the first level and as a bullet below it.
 * Deleted text (tracked changes) and field codes are left out.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_reader.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

#define MAX_XML (64u * 1024u * 1024u) /* inflated bytes: more is a zip bomb */
#define MAX_DEPTH 256
#define MAX_LISTS 64

typedef struct {
    bv_sbuf *b;
    long num_id[MAX_LISTS];
    int count[MAX_LISTS];
    size_t nlists;
} docx;

static int
is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

static void
breaks(bv_sbuf *b, size_t k)
{
    size_t have = 0;

    while (have < b->len && b->p[b->len - 1 - have] == '\n')
        have++;
    for (; b->len > 0 && have < k; have++)
        bv_sbuf_put(b, "\n", 1);
}

/* w:val of the first child element `name` of n, or NULL. */
static xmlChar *
child_val(const xmlNode *n, const char *name)
{
    const xmlNode *c;

    for (c = n ? n->children : NULL; c != NULL; c = c->next)
        if (is(c, name))
            return xmlGetNsProp(c, (const xmlChar *)"val", c->ns ? c->ns->href : NULL);
    return NULL;
}

static const xmlNode *
child(const xmlNode *n, const char *name)
{
    const xmlNode *c;

    for (c = n ? n->children : NULL; c != NULL; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* The paragraph's style and numbering: 2 heading, 1 numbered "N.", 0 plain; *n the number. */
static int
para_kind(docx *d, const xmlNode *p, int *n)
{
    const xmlNode *ppr = child(p, "pPr"), *num = child(ppr, "numPr");
    xmlChar *style = child_val(ppr, "pStyle"), *lvl, *id;
    int kind = 0;
    long v;
    size_t k;

    if (style != NULL
        && (xmlStrncasecmp(style, (const xmlChar *)"heading", 7) == 0
            || xmlStrcasecmp(style, (const xmlChar *)"title") == 0))
        kind = 2;
    xmlFree(style);
    if (num == NULL)
        return kind;
    lvl = child_val(num, "ilvl");
    id = child_val(num, "numId");
    v = id ? strtol((const char *)id, NULL, 10) : 0;
    if (lvl != NULL && xmlStrcmp(lvl, (const xmlChar *)"0") != 0) {
        kind = kind ? kind : 3; /* a bullet under a numbered line */
    } else {
        for (k = 0; k < d->nlists && d->num_id[k] != v; k++)
            ;
        if (k == d->nlists && k < MAX_LISTS) {
            d->num_id[k] = v;
            d->count[k] = 0;
            d->nlists++;
        }
        *n = k < MAX_LISTS ? ++d->count[k] : 0;
        kind = *n > 0 ? (kind == 2 ? 4 : 1) : kind;
    }
    xmlFree(lvl);
    xmlFree(id);
    return kind;
}

static void
walk(docx *d, const xmlNode *n, int depth)
{
    char num[24];
    int kind, k;

    for (; n != NULL && depth < MAX_DEPTH; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || is(n, "del") || is(n, "instrText") || is(n, "pPr"))
            continue;
        if (is(n, "t")) {
            xmlChar *s = xmlNodeGetContent(n);
            if (s != NULL) {
                bv_sbuf_puts(d->b, (const char *)s);
                sodium_memzero(s, (size_t)xmlStrlen(s));
            }
            xmlFree(s);
        } else if (is(n, "tab")) {
            bv_sbuf_puts(d->b, "\t");
        } else if (is(n, "br") || is(n, "cr")) {
            bv_sbuf_puts(d->b, "\n");
        } else if (is(n, "p")) {
            k = 0;
            kind = para_kind(d, n, &k);
            breaks(d->b, kind == 2 || kind == 4 ? 3 : 2);
            if (kind == 1 || kind == 4) {
                snprintf(num, sizeof num, "%d.\t", k);
                bv_sbuf_puts(d->b, num);
            } else if (kind == 3) {
                bv_sbuf_puts(d->b, "\xe2\x80\xa2 ");
            }
            walk(d, n->children, depth + 1);
            breaks(d->b, kind == 2 || kind == 4 ? 3 : 2);
        } else {
            size_t start = d->b->len;
            walk(d, n->children, depth + 1);
            if (is(n, "tc")) {
                bv_sbuf_number_cell(d->b, start);
                breaks(d->b, 2);
            }
        }
    }
}

/* word/document.xml inflated into guarded memory. */
static bv_status
inflate_body(const uint8_t *doc, size_t len, uint8_t **xml, size_t *xlen)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z = NULL;
    zip_file_t *f = NULL;
    zip_stat_t sb;
    zip_int64_t r;
    bv_status st = BV_OK;

    *xml = NULL;
    zip_error_init(&ze);
    if ((src = zip_source_buffer_create(doc, len, 0, &ze)) == NULL) {
        zip_error_fini(&ze);
        return bv_fail(BV_ERR, "out of memory");
    }
    if ((z = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
        zip_source_free(src);
        st = bv_fail(BV_EINPUT, "not a readable .docx (zip): %s", zip_error_strerror(&ze));
        goto out;
    }
    zip_stat_init(&sb);
    if (zip_stat(z, "word/document.xml", 0, &sb) != 0 || !(sb.valid & ZIP_STAT_SIZE)) {
        st = bv_fail(BV_EINPUT, "a zip file but not a Word document: no word/document.xml");
        goto out;
    }
    if (sb.size > MAX_XML) {
        st = bv_fail(BV_EINPUT, "its text is larger than %u MiB: not minutes", MAX_XML >> 20);
        goto out;
    }
    if (sodium_init() < 0 || (*xml = sodium_malloc((size_t)sb.size + 1)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((f = zip_fopen(z, "word/document.xml", 0)) == NULL || (r = zip_fread(f, *xml, sb.size)) < 0
        || (zip_uint64_t)r != sb.size) {
        st = bv_fail(BV_EINPUT, "word/document.xml cannot be read: %s",
            f ? zip_error_strerror(zip_file_get_error(f)) : zip_error_strerror(zip_get_error(z)));
        goto out;
    }
    *xlen = (size_t)sb.size;
out:
    if (f != NULL)
        zip_fclose(f);
    if (z != NULL)
        zip_discard(z);
    zip_error_fini(&ze);
    if (st != BV_OK) {
        sodium_free(*xml);
        *xml = NULL;
    }
    return st;
}

bv_status
bv_read_docx(const uint8_t *doc, size_t len, uint8_t **text, size_t *tlen)
{
    bv_sbuf b = { 0 };
    docx d;
    uint8_t *xml = NULL;
    size_t xlen = 0;
    xmlDocPtr x = NULL;
    bv_status st;

    *text = NULL;
    *tlen = 0;
    memset(&d, 0, sizeof d);
    d.b = &b;
    if ((st = inflate_body(doc, len, &xml, &xlen)) != BV_OK)
        return st;
    if (xlen > (size_t)0x7fffffff
        || (x = xmlReadMemory((const char *)xml, (int)xlen, NULL, NULL,
                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING))
            == NULL
        || xmlDocGetRootElement(x) == NULL) {
        st = bv_fail(BV_EINPUT, "word/document.xml is not well-formed XML");
        goto out;
    }
    walk(&d, xmlDocGetRootElement(x), 0);
    st = bv_sbuf_take_text(&b, text, tlen);
out:
    xmlFreeDoc(x);
    sodium_free(xml);
    bv_sbuf_free(&b);
    return st;
}
