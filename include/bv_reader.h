/*
 * bv_reader.h - minutes as officers have them: a document's format is told
 * from its content (never its name) and its text handed to the minutes
 * parser as UTF-8. Readers work from memory only: the document may hold a
 * restricted body, so no reader writes a byte of it to disk, and the text
 * they return is in sodium_malloc'ed memory (free it with bv_doc_free).
 *
 *  - text: UTF-8 (with or without a byte order mark), UTF-16 with a byte
 *    order mark, or Windows-1252 when it is not UTF-8 (iconv);
 *  - HTML saved from a council's site (libxml2's HTML parser): scripts,
 *    styles and the head dropped, blocks and table cells on lines of their
 *    own, headings set apart, list items as bullets;
 *  - .docx (libzip from memory, libxml2): word/document.xml's paragraphs,
 *    table cells and breaks; Word's automatic numbering printed as "N.";
 *  - PDF (poppler-glib from memory): the text of each page in reading order.
 *
 * Errors are BV_EINPUT with a message naming what is wrong (the caller adds
 * the file name); for text, the line.
 */
#ifndef BV_READER_H
#define BV_READER_H

#include "bv.h"

typedef enum {
    BV_DOC_UTF8,
    BV_DOC_UTF16,
    BV_DOC_CP1252,
    BV_DOC_HTML,
    BV_DOC_DOCX,
    BV_DOC_PDF
} bv_doc_kind;

/* What the document is, by its first bytes and structure. */
bv_doc_kind bv_doc_detect(const uint8_t *doc, size_t len);

/* "UTF-8 text", "UTF-16 text", "Windows-1252 text", "HTML", "Word (.docx)", "PDF". */
const char *bv_doc_kind_name(bv_doc_kind k);

/*
 * The text of doc as UTF-8 in *text (sodium_malloc'ed, *tlen bytes, not
 * NUL-terminated), its kind in *kind. A UTF-8 document is copied as it is,
 * so that the parser reports its own errors by byte offset.
 */
bv_status bv_doc_text(
    const uint8_t *doc, size_t len, bv_doc_kind *kind, uint8_t **text, size_t *tlen);

void bv_doc_free(uint8_t *text, size_t tlen);

/* The readers, for the fuzzers and tests; bv_doc_text picks one. */
bv_status bv_read_text(
    const uint8_t *doc, size_t len, bv_doc_kind *kind, uint8_t **text, size_t *tlen);
bv_status bv_read_html(const uint8_t *doc, size_t len, uint8_t **text, size_t *tlen);
bv_status bv_read_docx(const uint8_t *doc, size_t len, uint8_t **text, size_t *tlen);
bv_status bv_read_pdf(const uint8_t *doc, size_t len, uint8_t **text, size_t *tlen);

/* A growing buffer in sodium_malloc'ed memory, for the readers: grown by
 * copying into a new guarded allocation and freeing (wiping) the old. */
typedef struct {
    uint8_t *p;
    size_t len, cap;
    int oom; /* an append failed: the content is incomplete */
} bv_sbuf;

void bv_sbuf_put(bv_sbuf *b, const void *p, size_t n);
void bv_sbuf_puts(bv_sbuf *b, const char *s);
/* Hand the content over: *text, *tlen; BV_ERR if an append failed. */
bv_status bv_sbuf_take(bv_sbuf *b, uint8_t **text, size_t *tlen);
/* The same, repaired for the parser: bytes that start no well-formed
 * character become U+FFFD, C1 controls (U+0080..U+009F) the Windows-1252
 * characters of those codes, NUL a space. For text a library produced. */
bv_status bv_sbuf_take_text(bv_sbuf *b, uint8_t **text, size_t *tlen);
/* A table cell written from start that holds only a number ("12") gets
 * the full stop an item number alone on its line has ("12."): how tables
 * of items number their rows. */
void bv_sbuf_number_cell(bv_sbuf *b, size_t start);
void bv_sbuf_free(bv_sbuf *b);

#endif
