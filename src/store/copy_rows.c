/*
 * store/copy_rows.c - the SQLite engine's side of `vault copy`
 * (store/copy.c): a table's rows read out column by column as typed
 * values, and written back one parameterised INSERT a row. The table and
 * column names are the copier's constants (bv_copy_table), never input;
 * every value is bound.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_sqlite.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SQL_MAX 1024

/* The column i of the current row as the type the table says it is. */
static bv_status
column(sqlite3_stmt *q, int i, char type, bv_copy_value *v)
{
    memset(v, 0, sizeof *v);
    if (sqlite3_column_type(q, i) == SQLITE_NULL) {
        v->null = 1;
        return BV_OK;
    }
    if (type == 'i') {
        if (sqlite3_column_type(q, i) != SQLITE_INTEGER)
            return bv_fail(
                BV_EINTEGRITY, "a vault row holds a non-integer where an integer belongs");
        v->i = sqlite3_column_int64(q, i);
        return BV_OK;
    }
    /* text or blob: SQLite hands out its bytes either way, with their length */
    v->p = type == 't' ? (const uint8_t *)sqlite3_column_text(q, i) : sqlite3_column_blob(q, i);
    v->n = (size_t)sqlite3_column_bytes(q, i);
    return BV_OK;
}

/* bv_sqlite_copy_rows's walk: each row's columns typed, handed to fn. */
struct copy_walk {
    const bv_copy_table *t;
    size_t ncol;
    bv_copy_row_fn fn;
    void *ctx;
};

static bv_status
copy_row_cb(void *ctx, sqlite3_stmt *q)
{
    struct copy_walk *w = ctx;
    bv_copy_value row[BV_COPY_COLS_MAX];
    bv_status st = BV_OK;
    size_t i;

    for (i = 0; i < w->ncol && st == BV_OK; i++)
        st = column(q, (int)i, w->t->types[i], &row[i]);
    return st == BV_OK ? w->fn(w->ctx, row) : st;
}

bv_status
bv_sqlite_copy_rows(bv_store *s, const bv_copy_table *t, bv_copy_row_fn fn, void *ctx)
{
    struct copy_walk w = { t, strlen(t->types), fn, ctx };
    char sql[SQL_MAX];
    int len;

    if (w.ncol > BV_COPY_COLS_MAX)
        return bv_fail(BV_ERR, "internal error: table %s has too many columns", t->name);
    len = snprintf(sql, sizeof sql, "SELECT %s FROM %s%s%s ORDER BY %s", t->cols, t->name,
        t->where ? " WHERE " : "", t->where ? t->where : "", t->order);
    if (len < 0 || (size_t)len >= sizeof sql)
        return bv_fail(BV_ERR, "internal error: the query of table %s is too long", t->name);
    return bv_sqlite_each(s, "reading the vault to copy it", copy_row_cb, &w, sql, NULL);
}

bv_status
bv_sqlite_copy_insert(bv_store *s, const bv_copy_table *t, const bv_copy_value *row)
{
    sqlite3_stmt *q = NULL;
    char sql[SQL_MAX], marks[3 * BV_COPY_COLS_MAX];
    size_t ncol = strlen(t->types), i;
    bv_status st;
    int rc = SQLITE_OK, len;

    if (ncol == 0 || ncol > BV_COPY_COLS_MAX)
        return bv_fail(BV_ERR, "internal error: table %s has too many columns", t->name);
    /* "?,?,?": a mark a column */
    for (i = 0; i < ncol; i++) {
        marks[2 * i] = '?';
        marks[2 * i + 1] = ',';
    }
    marks[2 * ncol - 1] = '\0';
    len = snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES (%s)", t->name, t->cols, marks);
    if (len < 0 || (size_t)len >= sizeof sql)
        return bv_fail(BV_ERR, "internal error: the insert into %s is too long", t->name);
    if ((st = bv_sqlite_prep(s, sql, &q)) != BV_OK)
        goto out;
    /* hand-written: its parameters are the table's columns, as many as it has */
    for (i = 0; i < ncol && rc == SQLITE_OK; i++) {
        const bv_copy_value *v = &row[i];
        int c = (int)i + 1;
        if (v->n > 0x7fffffff)
            rc = SQLITE_TOOBIG;
        else if (v->null)
            rc = sqlite3_bind_null(q, c);
        else if (t->types[i] == 'i')
            rc = sqlite3_bind_int64(q, c, v->i);
        else if (t->types[i] == 't')
            rc = sqlite3_bind_text(q, c, v->p ? (const char *)v->p : "", (int)v->n, SQLITE_STATIC);
        else if (v->n == 0)
            rc = sqlite3_bind_zeroblob(q, c, 0); /* an empty blob, not NULL */
        else
            rc = sqlite3_bind_blob(q, c, v->p, (int)v->n, SQLITE_STATIC);
    }
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_DONE)
        rc = SQLITE_OK;
    if (rc != SQLITE_OK)
        st = bv_sqlite_err(s, rc, "writing the copy");
out:
    sqlite3_finalize(q);
    return st;
}

/* An INTEGER PRIMARY KEY takes the next id after the largest: nothing to move. */
bv_status
bv_sqlite_copy_end(bv_store *s, const bv_copy_table *t)
{
    (void)s, (void)t;
    return BV_OK;
}

/* The file was created exclusively: nothing else is in it. */
bv_status
bv_sqlite_copy_check(bv_store *s)
{
    (void)s;
    return BV_OK;
}

/* The file a CREATE open made, and its journals: none may outlive a failed copy. */
bv_status
bv_sqlite_remove(const char *path)
{
    static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
    char p[4096];
    size_t i;
    int ok = 1;

    for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        if (snprintf(p, sizeof p, "%s%s", path, ext[i]) >= (int)sizeof p)
            return bv_fail(BV_ERR, "path too long: %s", path);
        if (unlink(p) != 0 && errno != ENOENT)
            ok = 0;
    }
    if (!ok)
        return bv_fail(BV_ERR, "cannot remove the failed copy %s: %s", path, strerror(errno));
    return bv_sqlite_files_remove(path);
}
