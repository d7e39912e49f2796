/*
 * table.c - terminal tables through libsmartcols (see bv_table.h).
 */
#define _GNU_SOURCE
#include "bv_table.h"

#include <libsmartcols.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 16

struct bv_table {
    struct libscols_table *tb;
    const char *const *heads;
    size_t ncols;
};

char *
bv_table_escape(const char *s)
{
    static const uint8_t seqlen[4] = { 2, 3, 4, 0 };
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)u), i = 0, k;
    bv_buf b;

    bv_buf_init(&b);
    bv_buf_put(&b, "", 0);
    while (i < n) {
        /* a whole character that bv_utf8_ok accepts (no C0, C1 or DEL) */
        k = u[i] < 0x80                    ? 1
            : u[i] >= 0xc2 && u[i] <= 0xf4 ? seqlen[(u[i] >= 0xe0) + (u[i] >= 0xf0)]
                                           : 0;
        if (k && k <= n - i && bv_utf8_ok((const char *)u + i, k, NULL)) {
            bv_buf_put(&b, u + i, k);
            i += k;
        } else {
            bv_buf_printf(&b, "\\x%02x", u[i]);
            i++;
        }
    }
    if (b.oom) {
        bv_buf_free(&b);
        return NULL;
    }
    return (char *)b.p;
}

bv_status
bv_table_new(bv_table **t, const char *const *headers, const int *flags)
{
    bv_table *x;
    size_t i;
    bv_status st = BV_OK;

    *t = NULL;
    if ((x = calloc(1, sizeof *x)) == NULL || (x->tb = scols_new_table()) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    /* cells are escaped here (bv_table_escape), once: smartcols' own
     * encoding would escape the backslashes of ours again */
    if (scols_table_set_column_separator(x->tb, "  ") != 0
        || scols_table_enable_noencoding(x->tb, 1) != 0
        || scols_table_set_stream(x->tb, stdout) != 0) {
        st = bv_fail(BV_ERR, "cannot set up a table");
        goto out;
    }
    for (i = 0; headers[i]; i++) {
        int fl = (flags[i] & BV_COL_RIGHT ? SCOLS_FL_RIGHT : 0)
            | (flags[i] & BV_COL_TRUNC ? SCOLS_FL_TRUNC : 0);
        /* a truncatable column asks for a share of the terminal, the rest
         * for what their cells need */
        if (i == MAX_COLS
            || scols_table_new_column(x->tb, headers[i], flags[i] & BV_COL_TRUNC ? 0.2 : 0, fl)
                == NULL) {
            st = bv_fail(BV_ERR, "cannot set up a table column");
            goto out;
        }
    }
    x->ncols = i;
    x->heads = headers;
    *t = x;
    x = NULL;
out:
    bv_table_free(x);
    return st;
}

bv_status
bv_table_row(bv_table *t, const char *const *cells)
{
    struct libscols_line *ln;
    size_t i;
    char *e;

    if ((ln = scols_table_new_line(t->tb, NULL)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    for (i = 0; i < t->ncols; i++) {
        if ((e = bv_table_escape(cells[i])) == NULL)
            return bv_fail(BV_ERR, "out of memory");
        /* the line owns e from here */
        if (scols_line_refer_data(ln, i, e) != 0) {
            free(e);
            return bv_fail(BV_ERR, "out of memory");
        }
    }
    return BV_OK;
}

bv_status
bv_table_print(bv_table *t)
{
    locale_t utf8, old = (locale_t)0;
    int rc;

    /* widths are counted in characters of UTF-8 (what names and titles
     * are), whatever the user's locale says: C.UTF-8 is built into glibc */
    if ((utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)) != (locale_t)0)
        old = uselocale(utf8);
    if (scols_table_is_empty(t->tb)) {
        /* smartcols prints nothing for no rows; the headers say what is empty */
        size_t i;
        for (i = 0; i < t->ncols; i++)
            printf("%s%s", i ? "  " : "", t->heads[i]);
        printf("\n");
        rc = 0;
    } else {
        rc = scols_print_table(t->tb);
    }
    if (utf8 != (locale_t)0) {
        uselocale(old);
        freelocale(utf8);
    }
    return rc == 0 ? BV_OK : bv_fail(BV_ERR, "cannot print a table");
}

void
bv_table_free(bv_table *t)
{
    if (t == NULL)
        return;
    scols_unref_table(t->tb);
    free(t);
}
