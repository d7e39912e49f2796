/*
 * store/stmt.c - the SQLite engine's statement helpers (include/bv_sqlite.h):
 * prepare, bind every parameter with its result checked, step, and read
 * columns with bounds, so that a tampered row cannot overflow a buffer.
 * The table files run every statement through bv_sqlite_run (no row),
 * bv_sqlite_one (exactly one) and bv_sqlite_each (each row).
 */
#include "bv_sqlite.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- column helpers: copy with bounds, so a tampered row can't overflow ---- */

bv_status
bv_sqlite_col_text(sqlite3_stmt *q, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    size_t n = (size_t)sqlite3_column_bytes(q, i);

    if (t == NULL) {
        out[0] = '\0';
        return BV_OK;
    }
    if (n >= cap)
        return bv_fail(BV_EINTEGRITY, "vault field is too long (column %d)", i);
    memcpy(out, t, n);
    out[n] = '\0';
    return BV_OK;
}

bv_status
bv_sqlite_col_blob(sqlite3_stmt *q, int i, uint8_t *out, size_t cap, size_t *len)
{
    const void *p = sqlite3_column_blob(q, i);
    size_t n = (size_t)sqlite3_column_bytes(q, i);

    if (n > cap)
        return bv_fail(BV_EINTEGRITY, "vault field is too long (column %d)", i);
    if (n)
        memcpy(out, p, n);
    *len = n;
    return BV_OK;
}

bv_status
bv_sqlite_col_blob_exact(sqlite3_stmt *q, int i, uint8_t *out, size_t n)
{
    size_t len;
    bv_status st;
    uint8_t tmp[BV_BLOB_MAX];

    if (n > sizeof tmp)
        return BV_ERR;
    if ((st = bv_sqlite_col_blob(q, i, tmp, sizeof tmp, &len)) != BV_OK)
        return st;
    if (len != n)
        return bv_fail(BV_EINTEGRITY, "vault field has the wrong length (column %d)", i);
    memcpy(out, tmp, n);
    return BV_OK;
}

bv_status
bv_sqlite_col_buf(sqlite3_stmt *q, int i, bv_buf *b)
{
    const void *p = sqlite3_column_blob(q, i);
    size_t n = (size_t)sqlite3_column_bytes(q, i);

    b->len = 0;
    bv_buf_put(b, p, n);
    return b->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

/* ---- one statement: prepare, bind every parameter (checked), step ---- */

static bv_status
bindv(bv_store *s, sqlite3_stmt *q, const char *fmt, va_list ap)
{
    int i, rc = SQLITE_OK;

    for (i = 1; fmt && *fmt && rc == SQLITE_OK; fmt++, i++) {
        switch (*fmt) {
        case 'i':
            rc = sqlite3_bind_int64(q, i, (sqlite3_int64)va_arg(ap, int64_t));
            break;
        case 't': {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(q, i, t, -1, SQLITE_STATIC) : sqlite3_bind_null(q, i);
            break;
        }
        case 'b':
        case 'B': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            if (p == NULL && *fmt == 'B')
                rc = sqlite3_bind_null(q, i);
            else
                rc = sqlite3_bind_blob64(q, i, p ? p : "", n, SQLITE_STATIC);
            break;
        }
        default:
            return bv_fail(BV_ERR, "internal error: bind format '%c'", *fmt);
        }
    }
    return rc == SQLITE_OK ? BV_OK : bv_sqlite_err(s, rc, "binding a query");
}

/* rows: 0 none expected, 1 at most one (BV_ENOTFOUND if none), 2 each */
static bv_status
runv(bv_store *s, int rows, const char *what, bv_sqlite_row_fn row, void *ctx, const char *sql,
    const char *fmt, va_list ap)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc, n = 0;

    if ((st = bv_sqlite_prep(s, sql, &q)) != BV_OK)
        return st;
    if ((st = bindv(s, q, fmt, ap)) != BV_OK) {
        sqlite3_finalize(q);
        return st;
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        n++;
        if (rows == 0 || (st = row(ctx, q)) != BV_OK || rows == 1)
            break;
    }
    if (st == BV_OK && rows == 0 && rc == SQLITE_ROW)
        st = bv_fail(BV_ERR, "internal error: %s returned a row", what);
    else if (st == BV_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = bv_sqlite_err(s, rc, what);
    else if (st == BV_OK && rows == 1 && n == 0)
        st = BV_ENOTFOUND;
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_sqlite_run(bv_store *s, const char *what, const char *sql, const char *fmt, ...)
{
    va_list ap;
    bv_status st;

    va_start(ap, fmt);
    st = runv(s, 0, what, NULL, NULL, sql, fmt, ap);
    va_end(ap);
    return st;
}

bv_status
bv_sqlite_one(bv_store *s, const char *what, bv_sqlite_row_fn row, void *ctx, const char *sql,
    const char *fmt, ...)
{
    va_list ap;
    bv_status st;

    va_start(ap, fmt);
    st = runv(s, 1, what, row, ctx, sql, fmt, ap);
    va_end(ap);
    return st;
}

bv_status
bv_sqlite_each(bv_store *s, const char *what, bv_sqlite_row_fn row, void *ctx, const char *sql,
    const char *fmt, ...)
{
    va_list ap;
    bv_status st;

    va_start(ap, fmt);
    st = runv(s, 2, what, row, ctx, sql, fmt, ap);
    va_end(ap);
    return st;
}

const char *
bv_sqlite_col_str(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

/* Run each statement in turn with id as its one parameter. */
bv_status
bv_sqlite_each_with_id(bv_store *s, const char *const *sql, size_t n, int64_t id, const char *what)
{
    bv_status st = BV_OK;
    size_t i;

    for (i = 0; i < n && st == BV_OK; i++)
        st = bv_sqlite_run(s, what, sql[i], "i", id);
    return st;
}
