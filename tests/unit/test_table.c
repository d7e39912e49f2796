/* test_table.c - bv_table_escape: what a table cell may put on a terminal. */
#include "bvtest.h"

#include "bv_table.h"

static void
check(const char *in, const char *want)
{
    char *got = bv_table_escape(in);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void
test_escape(void **state)
{
    (void)state;
    /* UTF-8 letters pass whole */
    check("Zoë Ålander-Øyvindsdóttir", "Zoë Ålander-Øyvindsdóttir");
    check("日本 😀", "日本 😀");
    /* C0 controls, DEL and C1 controls (U+0085) are shown, not obeyed */
    check("a\x1b[2Jb\x07\x7f", "a\\x1b[2Jb\\x07\\x7f");
    check("x\xc2\x85y", "x\\xc2\\x85y");
    /* bytes that are not UTF-8: a stray continuation, a cut sequence at
     * the end, an overlong form, a surrogate */
    check("\x80z", "\\x80z");
    check("Zo\xc3", "Zo\\xc3");
    check("\xc0\xaf", "\\xc0\\xaf");
    check("\xed\xa0\x80", "\\xed\\xa0\\x80");
    check("", "");
    check(NULL, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
