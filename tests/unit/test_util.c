/* test_util.c - bv.h helpers: field encoding, UTF-8 checks, errors;
 * libraries loaded on first use (bv_dl.h). */
#include "bvtest.h"
#include "bv_dl.h"

static void
test_fields_unambiguous(void **state)
{
    bv_buf a, b;
    (void)state;
    bv_buf_init(&a);
    bv_buf_init(&b);
    bv_buf_field_str(&a, "ab");
    bv_buf_field_str(&a, "c");
    bv_buf_field_str(&b, "a");
    bv_buf_field_str(&b, "bc");
    assert_int_equal(a.len, 11);
    assert_false(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    assert_memory_equal(a.p, "\0\0\0\2ab\0\0\0\1c", 11);
    bv_buf_free(&a);
    bv_buf_free(&b);
}

static void
test_field_next(void **state)
{
    bv_buf b;
    char out[8];
    size_t off = 0;
    (void)state;
    bv_buf_init(&b);
    bv_buf_field_str(&b, "alice");
    bv_buf_field_str(&b, "");
    assert_int_equal(bv_field_next(b.p, b.len, &off, out, sizeof out), 1);
    assert_string_equal(out, "alice");
    assert_int_equal(bv_field_next(b.p, b.len, &off, out, sizeof out), 1);
    assert_string_equal(out, "");
    assert_int_equal(bv_field_next(b.p, b.len, &off, out, sizeof out), 0);
    off = 0; /* a field that does not fit, and a cut length */
    assert_int_equal(bv_field_next(b.p, b.len, &off, out, 5), -1);
    off = 0;
    assert_int_equal(bv_field_next(b.p, 7, &off, out, sizeof out), -1);
    off = 9;
    assert_int_equal(bv_field_next(b.p, 11, &off, out, sizeof out), -1);
    bv_buf_free(&b);
}

static void
test_utf8(void **state)
{
    size_t off = 99;
    (void)state;
    assert_true(bv_utf8_ok("Jade Hodgson", 12, NULL));
    assert_true(bv_utf8_ok("D\xe2\x80\x99Urso", 8, NULL));
    assert_false(bv_utf8_ok("ab\xff", 3, &off));
    assert_int_equal(off, 2);
    assert_false(bv_utf8_ok("a\x1b[2J", 5, &off));
    assert_int_equal(off, 1);
    assert_false(bv_utf8_ok("\xc0\xaf", 2, NULL)); /* overlong */
    assert_false(bv_utf8_ok("\xed\xa0\x80", 3, NULL)); /* surrogate */
    assert_false(bv_utf8_ok("\xe2\x80", 2, NULL)); /* cut short */
    assert_true(bv_utf8_ok("\xf0\x9f\x94\x92", 4, NULL)); /* U+1F512 */
}

static void
test_first_error_wins(void **state)
{
    (void)state;
    bv_err_clear();
    assert_int_equal(bv_fail(BV_EAUTH, "first %d", 1), BV_EAUTH);
    bv_fail(BV_ERR, "second");
    assert_string_equal(bv_errmsg(), "first 1");
    bv_err_clear();
}

/* A library found by soname fills every pointer; a missing library or
 * symbol is an error naming what to install or what is missing. */
static void
test_dl_load(void **state)
{
    size_t (*len)(const char *) = NULL;
    void (*nothing)(void) = NULL;
    const bv_dl_sym ok[] = { { "strlen", &len } };
    const bv_dl_sym bad[] = { { "strlen", &len }, { "bv_no_such_function", &nothing } };
    (void)state;

    bv_err_clear();
    assert_int_equal(bv_dl_load("libc.so.6", "the C library", "libc6", ok, 1), BV_OK);
    assert_non_null(len);
    assert_int_equal(len("board"), 5);
    assert_int_equal(bv_dl_load("libc.so.6", "the C library", "libc6", bad, 2), BV_ERR);
    assert_non_null(strstr(bv_errmsg(), "bv_no_such_function"));
    bv_err_clear();
    assert_int_equal(bv_dl_load("libbv-absent.so.9", "a library", "bv-absent9", ok, 1), BV_ERR);
    assert_non_null(strstr(bv_errmsg(), "install the Debian package bv-absent9"));
    bv_err_clear();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_unambiguous),
        cmocka_unit_test(test_field_next),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_dl_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
