/*
 * reader_pdf.c - minutes as a PDF: poppler's GLib API opens the document
 * from memory (poppler_document_new_from_bytes over the caller's buffer, no
 * copy, no file) and gives each page's text in reading order, with a blank
 * line between pages. Each page's text is copied into guarded memory and
 * wiped from poppler's heap copy at once. Encrypted PDFs are refused.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_reader.h"

#include <poppler.h>
#include <sodium.h>
#include <string.h>

#define MAX_PAGES 5000

bv_status
bv_read_pdf(const uint8_t *doc, size_t len, uint8_t **text, size_t *tlen)
{
    bv_sbuf b = { 0 };
    PopplerDocument *pd;
    GBytes *bytes;
    GError *err = NULL;
    int i, n;
    size_t k;
    bv_status st;

    *text = NULL;
    *tlen = 0;
    bytes = g_bytes_new_static(doc, len);
    pd = poppler_document_new_from_bytes(bytes, NULL, &err);
    g_bytes_unref(bytes);
    if (pd == NULL) {
        st = err != NULL && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED
            ? bv_fail(BV_EINPUT, "an encrypted PDF: save it without a password first")
            : bv_fail(BV_EINPUT, "not a readable PDF: %s", err ? err->message : "unknown error");
        g_clear_error(&err);
        return st;
    }
    n = poppler_document_get_n_pages(pd);
    if (n > MAX_PAGES) {
        g_object_unref(pd);
        return bv_fail(BV_EINPUT, "%d pages: not minutes", n);
    }
    for (i = 0; i < n; i++) {
        PopplerPage *pg = poppler_document_get_page(pd, i);
        char *t = pg ? poppler_page_get_text(pg) : NULL;
        if (t != NULL) {
            size_t tl = strlen(t);
            bv_sbuf_put(&b, t, tl);
            bv_sbuf_put(&b, "\n\n", 2);
            sodium_memzero(t, tl);
            g_free(t);
        }
        if (pg != NULL)
            g_object_unref(pg);
    }
    g_object_unref(pd);
    for (k = 0; k < b.len
         && (b.p[k] == ' ' || b.p[k] == '\n' || b.p[k] == '\t' || b.p[k] == '\f' || b.p[k] == '\r');
         k++)
        ;
    if (!b.oom && k == b.len) {
        bv_sbuf_free(&b);
        return bv_fail(BV_EINPUT, "a PDF without text (a scan?): it needs OCR first");
    }
    return bv_sbuf_take_text(&b, text, tlen);
}
