/*
 * fuzz_reader.h - what the four reader harnesses (fuzz_reader_text.c,
 * _html.c, _docx.c, _pdf.c) check on every input, whatever the reader:
 *  1. on failure nothing is handed out: text NULL, length 0, and a message;
 *  2. on success the text is at most 64 MiB (the readers' cap) and is
 *     whole UTF-8 once its C0 controls are set aside (a reader may pass a
 *     control through; it never cuts or invents a multi-byte character),
 *     except for the text reader's UTF-8 input, which is passed on as it is;
 *  3. the text then goes through bv_minutes_parse, and a meeting it gives
 *     is freed (ASan: nothing leaks, nothing is read out of bounds).
 * The readers work from memory only, so the harnesses need no files.
 */
#ifndef BV_FUZZ_READER_H
#define BV_FUZZ_READER_H

#include "bv_minutes.h"
#include "bv_reader.h"
#include "fuzz_common.h"

#define FUZZ_C0                                                                                    \
    "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17" \
    "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_sodium_init();
    return 0;
}

static void
fuzz_reader_check(bv_status st, uint8_t *text, size_t tlen, int utf8_checked)
{
    bv_meeting *m = NULL;

    if (st != BV_OK) {
        FUZZ_CHECK(text == NULL && tlen == 0, "failed (%d) but handed out %zu bytes", st, tlen);
        FUZZ_CHECK(*bv_errmsg() != '\0', "failed (%d) without a message", st);
        bv_err_clear();
        return;
    }
    FUZZ_CHECK(text != NULL, "succeeded without text");
    FUZZ_CHECK(tlen <= 64u * 1024u * 1024u, "%zu bytes of text", tlen);
    if (utf8_checked)
        FUZZ_CHECK(fuzz_utf8_ok(text, tlen, FUZZ_C0), "the text is not whole UTF-8");
    if (bv_minutes_parse(text, tlen, &m) == BV_OK)
        bv_meeting_free(m);
    bv_err_clear();
    bv_doc_free(text, tlen);
}

#endif
