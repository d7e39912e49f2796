/*
 * reader_text.c - minutes saved as text: UTF-8 as it is, UTF-16 with a
 * byte order mark and Windows-1252 (what Word's "Save as plain text" and
 * older systems write) converted to UTF-8 with iconv.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_reader.h"

#include <errno.h>
#include <iconv.h>
#include <sodium.h>
#include <string.h>

/* Is doc well-formed UTF-8 (controls allowed)? Else the offset of the first bad byte. */
static int
utf8_shape(const uint8_t *s, size_t len, size_t *bad)
{
    size_t i = 0, n, k;

    while (i < len) {
        uint8_t c = s[i];
        n = c < 0x80             ? 0
            : (c & 0xe0) == 0xc0 ? 1
            : (c & 0xf0) == 0xe0 ? 2
            : (c & 0xf8) == 0xf0 ? 3
                                 : 9;
        if (n == 9 || c == 0xc0 || c == 0xc1)
            goto bad;
        for (k = 1; k <= n; k++)
            if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
                goto bad;
        i += n + 1;
    }
    return 1;
bad:
    *bad = i;
    return 0;
}

static size_t
line_of(const uint8_t *s, size_t off)
{
    size_t i, line = 1;

    for (i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

/* The same for UTF-16 with its byte order mark at s[0]. */
static size_t
line_of16(const uint8_t *s, size_t off)
{
    size_t i, line = 1;
    int le = s[0] == 0xff;

    for (i = 2; i + 1 < off; i += 2)
        line += (le ? (unsigned)s[i] | (unsigned)s[i + 1] << 8
                    : (unsigned)s[i] << 8 | (unsigned)s[i + 1])
            == 0x0au;
    return line;
}

/* from (an iconv charset) to UTF-8 into *text; errors name the line. */
static bv_status
convert(const char *from, const uint8_t *doc, size_t len, uint8_t **text, size_t *tlen)
{
    char out[4096], *ip = (char *)(uintptr_t)doc, *op;
    size_t il = len, ol, r, off;
    bv_sbuf b = { 0 };
    bv_status st = BV_OK;
    iconv_t cd;
    int e;

    if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
        return bv_fail(BV_ERR, "iconv cannot convert from %s: %s", from, strerror(errno));
    while (il > 0 && st == BV_OK) {
        op = out;
        ol = sizeof out;
        r = iconv(cd, &ip, &il, &op, &ol);
        e = errno;
        bv_sbuf_put(&b, out, sizeof out - ol);
        if (r != (size_t)-1 || e == E2BIG)
            continue;
        off = (size_t)((const uint8_t *)ip - doc);
        st = strcmp(from, "UTF-16") == 0
            ? bv_fail(
                BV_EINPUT, "line %zu: not UTF-16 at byte offset %zu", line_of16(doc, off), off)
            : bv_fail(BV_EINPUT,
                "line %zu: byte 0x%02x at byte offset %zu is neither UTF-8 nor Windows-1252",
                line_of(doc, off), doc[off], off);
    }
    if (st == BV_OK && b.p != NULL && (op = memchr(b.p, 0, b.len)) != NULL)
        st = bv_fail(BV_EINPUT, "line %zu: a NUL character: binary, not minutes",
            line_of(b.p, (size_t)((uint8_t *)op - b.p)));
    if (st == BV_OK)
        st = bv_sbuf_take_text(&b, text, tlen);
    iconv_close(cd);
    sodium_memzero(out, sizeof out);
    bv_sbuf_free(&b);
    return st;
}

bv_status
bv_read_text(const uint8_t *doc, size_t len, bv_doc_kind *kind, uint8_t **text, size_t *tlen)
{
    size_t bad;
    bv_sbuf b = { 0 };

    *text = NULL;
    *tlen = 0;
    if (len >= 2 && ((doc[0] == 0xff && doc[1] == 0xfe) || (doc[0] == 0xfe && doc[1] == 0xff))) {
        *kind = BV_DOC_UTF16;
        return convert("UTF-16", doc, len, text, tlen);
    }
    /* UTF-8, or binary that the parser refuses with its own message */
    if (memchr(doc, 0, len) != NULL || utf8_shape(doc, len, &bad)) {
        *kind = BV_DOC_UTF8;
        bv_sbuf_put(&b, doc, len);
        return bv_sbuf_take(&b, text, tlen);
    }
    *kind = BV_DOC_CP1252;
    return convert("WINDOWS-1252", doc, len, text, tlen);
}
