/*
 * reader_pdf.c - minutes as a PDF: poppler's GLib API opens the document
 * from memory (poppler_document_new_from_bytes over the caller's buffer, no
 * copy, no file) and gives each page's text in reading order, with a blank
 * line between pages. Each page's text is copied into guarded memory and
 * wiped from poppler's heap copy at once. Encrypted PDFs are refused.
 *
 * poppler-glib is opened on the first PDF (bv_dl.h says why): the calls
 * below go through the pointers of `pp`, filled from it by name.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_dl.h"
#include "bv_reader.h"

#include <poppler.h>
#include <sodium.h>
#include <string.h>

#define MAX_PAGES 5000

#define POPPLER_SONAME "libpoppler-glib.so.8"

/* the functions this reader calls, found in poppler-glib (the GLib ones
 * through its own dependencies, which dlsym searches too) */
static struct {
    __typeof__(poppler_document_new_from_bytes) *doc_new;
    __typeof__(poppler_document_get_n_pages) *n_pages;
    __typeof__(poppler_document_get_page) *get_page;
    __typeof__(poppler_page_get_text) *page_text;
    __typeof__(poppler_error_quark) *error_quark;
    __typeof__(g_bytes_new_static) *bytes_new;
    __typeof__(g_bytes_unref) *bytes_unref;
    __typeof__(g_object_unref) *object_unref;
    __typeof__(g_clear_error) *clear_error;
    __typeof__(g_free) *free;
} pp;

static bv_status
load_poppler(void)
{
    static int loaded;
    const bv_dl_sym syms[] = {
        { "poppler_document_new_from_bytes", &pp.doc_new },
        { "poppler_document_get_n_pages", &pp.n_pages },
        { "poppler_document_get_page", &pp.get_page },
        { "poppler_page_get_text", &pp.page_text },
        { "poppler_error_quark", &pp.error_quark },
        { "g_bytes_new_static", &pp.bytes_new },
        { "g_bytes_unref", &pp.bytes_unref },
        { "g_object_unref", &pp.object_unref },
        { "g_clear_error", &pp.clear_error },
        { "g_free", &pp.free },
    };
    bv_status st;

    if (loaded)
        return BV_OK;
    st = bv_dl_load(POPPLER_SONAME, "the PDF library poppler-glib", "libpoppler-glib8", syms,
        sizeof syms / sizeof syms[0]);
    if (st == BV_OK)
        loaded = 1;
    return st;
}

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
    if ((st = load_poppler()) != BV_OK)
        return st;
    bytes = pp.bytes_new(doc, len);
    pd = pp.doc_new(bytes, NULL, &err);
    pp.bytes_unref(bytes);
    if (pd == NULL) {
        st = err != NULL && err->domain == pp.error_quark() && err->code == POPPLER_ERROR_ENCRYPTED
            ? bv_fail(BV_EINPUT, "an encrypted PDF: save it without a password first")
            : bv_fail(BV_EINPUT, "not a readable PDF: %s", err ? err->message : "unknown error");
        pp.clear_error(&err);
        return st;
    }
    n = pp.n_pages(pd);
    if (n > MAX_PAGES) {
        pp.object_unref(pd);
        return bv_fail(BV_EINPUT, "%d pages: not minutes", n);
    }
    for (i = 0; i < n; i++) {
        PopplerPage *pg = pp.get_page(pd, i);
        char *t = pg ? pp.page_text(pg) : NULL;
        if (t != NULL) {
            size_t tl = strlen(t);
            bv_sbuf_put(&b, t, tl);
            bv_sbuf_put(&b, "\n\n", 2);
            sodium_memzero(t, tl);
            pp.free(t);
        }
        if (pg != NULL)
            pp.object_unref(pg);
    }
    pp.object_unref(pd);
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
