/*
 * fuzz_reader_pdf.c - bv_read_pdf (src/reader_pdf.c) on arbitrary bytes,
 * then the minutes parser on its text; the checks are fuzz_reader.h's.
 * Seeds: tests/fuzz/reader_pdf/seeds (the committed minutes-exempt fixture).
 */
#include "fuzz_reader.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *text = (uint8_t *)1;
    size_t tlen = 1;
    bv_status st = bv_read_pdf(data, size, &text, &tlen);

    fuzz_reader_check(st, text, tlen, 1);
    return 0;
}
