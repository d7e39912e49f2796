/*
 * fuzz_reader_text.c - bv_read_text (src/reader_text.c) on arbitrary
 * bytes, then the minutes parser on its text; the checks are
 * fuzz_reader.h's, and: input that is UTF-8 comes back byte for byte, and
 * what was read as UTF-16 or Windows-1252 is whole UTF-8.
 * Seeds: tests/fuzz/reader_text/seeds (UTF-8, UTF-16 LE/BE and
 * Windows-1252 minutes, and text that is none of them).
 */
#include "fuzz_reader.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *text = (uint8_t *)1;
    size_t tlen = 1;
    bv_doc_kind kind = BV_DOC_PDF;
    bv_status st = bv_read_text(data, size, &kind, &text, &tlen);

    if (st == BV_OK && kind == BV_DOC_UTF8)
        FUZZ_CHECK(tlen == size && (size == 0 || memcmp(text, data, size) == 0),
            "UTF-8 input changed by the reader");
    if (st == BV_OK)
        FUZZ_CHECK(kind == BV_DOC_UTF8 || kind == BV_DOC_UTF16 || kind == BV_DOC_CP1252,
            "text read as kind %d", (int)kind);
    fuzz_reader_check(st, text, tlen, st == BV_OK && kind != BV_DOC_UTF8);
    return 0;
}
