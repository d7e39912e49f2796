/*
 * test_reader.c - the document readers: format told by content, the text
 * each reader gives for the committed .docx, PDF and HTML fixtures, UTF-16
 * and Windows-1252 text, and the errors for broken documents.
 */
#define _GNU_SOURCE /* memmem */
#include "bvtest.h"
#include "bv_minutes.h"
#include "bv_reader.h"

static uint8_t *
load(const char *name, size_t *len)
{
    char path[512];
    uint8_t *p;
    FILE *f;
    long n;

    snprintf(path, sizeof path, "%s/tests/fixtures/%s", BV_TOP, name);
    if ((f = fopen(path, "rb")) == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    p = malloc((size_t)n);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* The text of a document, NUL-terminated in a plain copy for strstr. */
static char *
text_of(const uint8_t *doc, size_t len, bv_doc_kind *kind)
{
    uint8_t *t = NULL;
    size_t tl = 0;
    char *s;

    bv_err_clear();
    if (bv_doc_text(doc, len, kind, &t, &tl) != BV_OK)
        fail_msg("read failed: %s", bv_errmsg());
    s = malloc(tl + 1);
    assert_non_null(s);
    memcpy(s, t, tl);
    s[tl] = '\0';
    bv_doc_free(t, tl);
    return s;
}

/* The fixture's meeting: three items, the third excluded and holding the marker. */
static void
check_exempt_meeting(const char *text)
{
    bv_meeting *m = NULL;

    bv_err_clear();
    if (bv_minutes_parse((const uint8_t *)text, strlen(text), &m) != BV_OK)
        fail_msg("parse failed: %s", bv_errmsg());
    assert_int_equal(m->nitems, 3);
    assert_string_equal(m->items[0].title, "Apologies for Absence");
    assert_string_equal(m->items[1].title, "Exclusion of the Press and Public");
    assert_string_equal(m->items[2].title, "Review of a Private Hire Driver Licence");
    assert_string_equal(m->date_iso, "2024-03-05");
    assert_int_equal(m->items[1].exclusion_motion, 1);
    assert_int_equal(m->items[2].restricted, 1);
    assert_non_null(m->items[2].restricted_body);
    assert_non_null(memmem(
        m->items[2].restricted_body, m->items[2].restricted_body_len, "ZZ-SECRET-MARKER-7f3a", 21));
    bv_meeting_free(m);
}

static void
test_fixtures(void **state)
{
    static const struct {
        const char *file;
        bv_doc_kind kind;
    } docs[] = {
        { "minutes-exempt.docx", BV_DOC_DOCX },
        { "minutes-exempt.pdf", BV_DOC_PDF },
        { "minutes-exempt.html", BV_DOC_HTML },
    };
    bv_doc_kind kind;
    size_t i, len;
    uint8_t *doc;
    char *t;
    (void)state;

    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        doc = load(docs[i].file, &len);
        assert_int_equal(bv_doc_detect(doc, len), docs[i].kind);
        t = text_of(doc, len, &kind);
        assert_int_equal(kind, docs[i].kind);
        check_exempt_meeting(t);
        free(t);
        free(doc);
    }
    /* the HTML reader drops the head, scripts and navigation, and decodes entities */
    doc = load("minutes-exempt.html", &len);
    t = text_of(doc, len, &kind);
    assert_null(strstr(t, "tracking"));
    assert_null(strstr(t, "vertical-align"));
    assert_null(strstr(t, "Home"));
    assert_non_null(strstr(t, "\xc2\xa9 The Council"));
    assert_non_null(strstr(t, "\n\n1.\n\nApologies for Absence\n\n"));
    free(t);
    free(doc);
    /* Word's list numbering is printed */
    doc = load("minutes-exempt.docx", &len);
    t = text_of(doc, len, &kind);
    assert_non_null(strstr(t, "2.\tExclusion of the Press and Public"));
    free(t);
    free(doc);
}

/* A table of items: a cell holding only "2" numbers its row like "2." */
static void
test_item_table(void **state)
{
    static const char html[]
        = "<html><body><h1>Safeguarding Adults Board</h1><p>Minutes of the meeting held on "
          "Thursday "
          "16 April 2015</p><table><tr><th>Item</th><th>Minute</th><th>Action</th></tr>"
          "<tr><td>1</td><td><p>Apologies</p><p>None.</p></td><td></td></tr>"
          "<tr><td> 2 </td><td><p>Welcome</p><p>All welcomed.</p></td><td>JC</td></tr>"
          "<tr><td>3</td><td><p>Finance</p><p>Noted 12 items.</p></td><td>12 May</td></tr>"
          "</table></body></html>";
    bv_meeting *m = NULL;
    bv_doc_kind kind;
    char *t;
    (void)state;

    t = text_of((const uint8_t *)html, sizeof html - 1, &kind);
    assert_int_equal(kind, BV_DOC_HTML);
    assert_non_null(strstr(t, "\n2.\n"));
    assert_null(strstr(t, "12 May."));
    assert_int_equal(bv_minutes_parse((const uint8_t *)t, strlen(t), &m), BV_OK);
    assert_int_equal(m->nitems, 3);
    assert_string_equal(m->items[1].title, "Welcome");
    assert_int_equal(m->items[2].number, 3);
    bv_meeting_free(m);
    free(t);
}

static void
test_text_encodings(void **state)
{
    /* "Café – Board" in UTF-16LE and BE with their marks, and in Windows-1252 */
    static const uint8_t le[] = { 0xff, 0xfe, 'C', 0, 'a', 0, 'f', 0, 0xe9, 0, ' ', 0, 0x13, 0x20,
        ' ', 0, 'B', 0, '\n', 0 };
    static const uint8_t be[] = { 0xfe, 0xff, 0, 'C', 0, 'a', 0, 'f', 0, 0xe9, 0, ' ', 0x20, 0x13,
        0, ' ', 0, 'B', 0, '\n' };
    static const uint8_t cp[] = { 'C', 'a', 'f', 0xe9, ' ', 0x96, ' ', 'B', '\n' };
    static const char want[] = "Caf\xc3\xa9 \xe2\x80\x93 B\n";
    static const uint8_t bad16[] = { 0xff, 0xfe, 'A', 0, '\n', 0, 'B', 0, '\n', 0, 0x00, 0xdc };
    static const uint8_t bad1252[] = { 'A', '\n', 'B', '\n', 'C', 0x81, '\n' };
    bv_doc_kind kind;
    uint8_t *t;
    size_t tl;
    char *s;
    (void)state;

    s = text_of(le, sizeof le, &kind);
    assert_int_equal(kind, BV_DOC_UTF16);
    assert_string_equal(s, want);
    free(s);
    s = text_of(be, sizeof be, &kind);
    assert_string_equal(s, want);
    free(s);
    s = text_of(cp, sizeof cp, &kind);
    assert_int_equal(kind, BV_DOC_CP1252);
    assert_string_equal(s, want);
    free(s);
    s = text_of((const uint8_t *)want, strlen(want), &kind);
    assert_int_equal(kind, BV_DOC_UTF8);
    assert_string_equal(s, want);
    free(s);

    bv_err_clear();
    assert_int_equal(bv_doc_text(bad16, sizeof bad16, &kind, &t, &tl), BV_EINPUT);
    assert_null(t);
    assert_string_equal(bv_errmsg(), "line 3: not UTF-16 at byte offset 10");
    bv_err_clear();
    assert_int_equal(bv_doc_text(bad1252, sizeof bad1252, &kind, &t, &tl), BV_EINPUT);
    assert_string_equal(
        bv_errmsg(), "line 3: byte 0x81 at byte offset 5 is neither UTF-8 nor Windows-1252");
    bv_err_clear();
}

static void
test_broken_documents(void **state)
{
    static const uint8_t zip_only[] = "PK\x03\x04 this is not a zip file at all";
    static const uint8_t pdf_only[] = "%PDF-1.4\nnot really a pdf\n";
    bv_doc_kind kind;
    uint8_t *doc, *t;
    size_t len, tl;
    (void)state;

    bv_err_clear();
    assert_int_equal(bv_doc_text(zip_only, sizeof zip_only - 1, &kind, &t, &tl), BV_EINPUT);
    assert_non_null(strstr(bv_errmsg(), "not a readable .docx"));
    bv_err_clear();
    assert_int_equal(bv_doc_text(pdf_only, sizeof pdf_only - 1, &kind, &t, &tl), BV_EINPUT);
    assert_non_null(strstr(bv_errmsg(), "not a readable PDF"));
    bv_err_clear();
    /* a truncated .docx and PDF */
    doc = load("minutes-exempt.docx", &len);
    assert_int_equal(bv_doc_text(doc, len / 2, &kind, &t, &tl), BV_EINPUT);
    assert_null(t);
    bv_err_clear();
    free(doc);
    doc = load("minutes-exempt.pdf", &len);
    assert_int_equal(bv_doc_detect(doc, len / 3), BV_DOC_PDF);
    bv_err_clear();
    free(doc);
    /* minutes text that quotes markup is text, not HTML */
    assert_int_equal(
        bv_doc_detect((const uint8_t *)"Minutes\n<AI1>\n21. Apologies\n", 28), BV_DOC_UTF8);
    assert_int_equal(bv_doc_detect((const uint8_t *)"  <!DOCTYPE html><p>x", 21), BV_DOC_HTML);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_item_table),
        cmocka_unit_test(test_text_encodings),
        cmocka_unit_test(test_broken_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
