/*
 * reader.c - which reader a document needs, told from its content, and the
 * guarded buffer the readers write text into (see include/bv_reader.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_reader.h"

#include <sodium.h>
#include <string.h>

#define SBUF_MAX (64u * 1024u * 1024u) /* bytes of text: more is a bomb, not minutes */

void
bv_sbuf_put(bv_sbuf *b, const void *p, size_t n)
{
    size_t cap;
    uint8_t *q;

    if (b->oom || n == 0)
        return;
    if (b->len + n > SBUF_MAX) {
        b->oom = 2;
        return;
    }
    if (b->len + n > b->cap) {
        if (b->cap == 0 && sodium_init() < 0) {
            b->oom = 1;
            return;
        }
        for (cap = b->cap ? b->cap : 4096; cap < b->len + n; cap *= 2)
            ;
        if ((q = sodium_malloc(cap)) == NULL) {
            b->oom = 1;
            return;
        }
        if (b->len > 0)
            memcpy(q, b->p, b->len);
        sodium_free(b->p); /* wipes the old copy */
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void
bv_sbuf_puts(bv_sbuf *b, const char *s)
{
    bv_sbuf_put(b, s, strlen(s));
}

bv_status
bv_sbuf_take(bv_sbuf *b, uint8_t **text, size_t *tlen)
{
    if (b->oom) {
        bv_status st = b->oom == 2
            ? bv_fail(BV_EINPUT, "its text is larger than %u MiB: not minutes", SBUF_MAX >> 20)
            : bv_fail(BV_ERR, "out of secure memory");
        bv_sbuf_free(b);
        return st;
    }
    if (b->p == NULL && (sodium_init() < 0 || (b->p = sodium_malloc(1)) == NULL))
        return bv_fail(BV_ERR, "out of secure memory");
    *text = b->p;
    *tlen = b->len;
    memset(b, 0, sizeof *b);
    return BV_OK;
}

/*
 * C1 controls (U+0080..U+009F) are what a Windows-1252 byte becomes when
 * a document declares the wrong encoding, or an HTML page writes "&#150;";
 * the parser refuses them. Each becomes the character Windows-1252 (and a
 * browser) gives that code, or U+FFFD where it gives none.
 */
static const uint16_t c1_cp1252[32]
    = { 0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
          0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
          0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178 };

static void
put_cp(bv_sbuf *o, unsigned cp)
{
    uint8_t u[3];

    if (cp < 0x800) {
        u[0] = (uint8_t)(0xc0 | cp >> 6);
        u[1] = (uint8_t)(0x80 | (cp & 0x3f));
        bv_sbuf_put(o, u, 2);
        return;
    }
    u[0] = (uint8_t)(0xe0 | cp >> 12);
    u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    u[2] = (uint8_t)(0x80 | (cp & 0x3f));
    bv_sbuf_put(o, u, 3);
}

/* The length of the well-formed UTF-8 character at p (n bytes left) and
 * its code point, or 0 when it is not one. */
static size_t
utf8_char(const uint8_t *p, size_t n, unsigned *cp)
{
    size_t need, k;
    unsigned min;

    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        need = 1, *cp = p[0] & 0x1fu, min = 0x80;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        need = 2, *cp = p[0] & 0x0fu, min = 0x800;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        need = 3, *cp = p[0] & 0x07u, min = 0x10000;
    else
        return 0;
    if (n <= need)
        return 0;
    for (k = 1; k <= need; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (p[k] & 0x3fu);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return need + 1;
}

/*
 * Hand over text that a library or a conversion produced, repaired as the
 * parser needs it: a byte that starts no well-formed character (a page
 * that lies about its encoding) becomes U+FFFD, a C1 control its
 * Windows-1252 character, a NUL a space.
 */
bv_status
bv_sbuf_take_text(bv_sbuf *b, uint8_t **text, size_t *tlen)
{
    bv_sbuf o = { 0 };
    size_t i = 0, start = 0, k;
    unsigned cp = 0;

    while (i < b->len && !o.oom) {
        if (b->p[i] != 0 && b->p[i] < 0x80) {
            i++;
            continue;
        }
        k = b->p[i] == 0 ? 0 : utf8_char(b->p + i, b->len - i, &cp);
        if (k > 0 && !(cp >= 0x80 && cp <= 0x9f)) {
            i += k;
            continue;
        }
        bv_sbuf_put(&o, b->p + start, i - start);
        if (b->p[i] == 0)
            bv_sbuf_put(&o, " ", 1);
        else
            put_cp(&o, k > 0 ? c1_cp1252[cp - 0x80] : 0xfffdu);
        i += k > 0 ? k : 1;
        start = i;
    }
    if (start == 0 && !o.oom) {
        bv_sbuf_free(&o);
        return bv_sbuf_take(b, text, tlen);
    }
    bv_sbuf_put(&o, b->p + start, b->len - start);
    o.oom = o.oom ? o.oom : b->oom;
    bv_sbuf_free(b);
    return bv_sbuf_take(&o, text, tlen);
}

void
bv_sbuf_number_cell(bv_sbuf *b, size_t start)
{
    size_t i = start, d;

    while (i < b->len && (b->p[i] == ' ' || b->p[i] == '\n' || b->p[i] == '\t'))
        i++;
    for (d = 0; i < b->len && b->p[i] >= '0' && b->p[i] <= '9'; i++)
        d++;
    if (d == 0 || d > 3)
        return;
    while (b->len > i
        && (b->p[b->len - 1] == ' ' || b->p[b->len - 1] == '\n' || b->p[b->len - 1] == '\t'))
        b->len--;
    if (b->len == i)
        bv_sbuf_put(b, ".", 1);
}

void
bv_sbuf_free(bv_sbuf *b)
{
    sodium_free(b->p);
    memset(b, 0, sizeof *b);
}

void
bv_doc_free(uint8_t *text, size_t tlen)
{
    (void)tlen; /* sodium_free wipes the whole allocation */
    sodium_free(text);
}

static int
lc(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* needle (lower case) in the first max bytes of doc, case-insensitive. */
static int
has_ci(const uint8_t *doc, size_t len, size_t max, const char *needle)
{
    size_t i, k, n = strlen(needle);

    if (len > max)
        len = max;
    for (i = 0; i + n <= len; i++) {
        for (k = 0; k < n && lc(doc[i + k]) == needle[k]; k++)
            ;
        if (k == n)
            return 1;
    }
    return 0;
}

bv_doc_kind
bv_doc_detect(const uint8_t *doc, size_t len)
{
    size_t i = 0;

    if (len >= 4 && memcmp(doc, "PK\x03\x04", 4) == 0)
        return BV_DOC_DOCX;
    if (len >= 5 && has_ci(doc, len, 1024, "%pdf-"))
        return BV_DOC_PDF;
    if (len >= 2 && ((doc[0] == 0xff && doc[1] == 0xfe) || (doc[0] == 0xfe && doc[1] == 0xff)))
        return BV_DOC_UTF16;
    if (len >= 3 && memcmp(doc, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\r' || doc[i] == '\n'))
        i++;
    if (i < len && doc[i] == '<'
        && (has_ci(doc + i, len - i, 2048, "<!doctype html")
            || has_ci(doc + i, len - i, 2048, "<html") || has_ci(doc + i, len - i, 2048, "<body")))
        return BV_DOC_HTML;
    return BV_DOC_UTF8; /* or Windows-1252: bv_read_text decides */
}

const char *
bv_doc_kind_name(bv_doc_kind k)
{
    switch (k) {
    case BV_DOC_UTF8:
        return "UTF-8 text";
    case BV_DOC_UTF16:
        return "UTF-16 text";
    case BV_DOC_CP1252:
        return "Windows-1252 text";
    case BV_DOC_HTML:
        return "HTML";
    case BV_DOC_DOCX:
        return "Word (.docx)";
    case BV_DOC_PDF:
        return "PDF";
    }
    return "text";
}

bv_status
bv_doc_text(const uint8_t *doc, size_t len, bv_doc_kind *kind, uint8_t **text, size_t *tlen)
{
    *text = NULL;
    *tlen = 0;
    *kind = bv_doc_detect(doc, len);
    switch (*kind) {
    case BV_DOC_DOCX:
        return bv_read_docx(doc, len, text, tlen);
    case BV_DOC_PDF:
        return bv_read_pdf(doc, len, text, tlen);
    case BV_DOC_HTML:
        return bv_read_html(doc, len, text, tlen);
    case BV_DOC_UTF8:
    case BV_DOC_UTF16:
    case BV_DOC_CP1252:
        break;
    }
    return bv_read_text(doc, len, kind, text, tlen);
}
