/*
 * store/pg/copy_rows.c - the PostgreSQL engine's side of `vault copy`
 * (store/copy.c): a table's rows read out as typed values, written back
 * one parameterised INSERT a row with the ids they had, the identity
 * generators then moved past them; and a failed copy's schema dropped.
 * Table and column names are the copier's constants, never input.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define SQL_MAX 1024
/* type OIDs (pg_type.dat), as store/pg/query.c gives them */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

struct rows {
    const bv_copy_table *t;
    size_t ncol;
    bv_copy_row_fn fn;
    void *ctx;
};

static bv_status
row_cb(void *ctx, const PGresult *r, int row)
{
    struct rows *w = ctx;
    bv_copy_value v[BV_COPY_COLS_MAX];
    size_t i;

    memset(v, 0, sizeof v);
    for (i = 0; i < w->ncol; i++) {
        int c = (int)i;
        if (PQgetisnull(r, row, c))
            v[i].null = 1;
        else if (w->t->types[i] == 'i' && PQgetlength(r, row, c) != 8)
            return bv_fail(
                BV_EINTEGRITY, "a vault row holds a non-integer where an integer belongs");
        else if (w->t->types[i] == 'i')
            v[i].i = bv_pg_col_int(r, row, c);
        else
            v[i].p = bv_pg_col_bytes(r, row, c, &v[i].n); /* binary text is its bytes */
    }
    return w->fn(w->ctx, v);
}

/* The rows are all fetched first (bv_pg_each): bodies never come here,
 * their chunks are streamed one by one (bv_store_chunk_each). */
bv_status
bv_pg_copy_rows(bv_store *s, const bv_copy_table *t, bv_copy_row_fn fn, void *ctx)
{
    struct rows w = { t, strlen(t->types), fn, ctx };
    char sql[SQL_MAX];
    int len;

    if (w.ncol > BV_COPY_COLS_MAX)
        return bv_fail(BV_ERR, "internal error: table %s has too many columns", t->name);
    len = snprintf(sql, sizeof sql, "SELECT %s FROM %s%s%s ORDER BY %s", t->cols, t->name,
        t->where ? " WHERE " : "", t->where ? t->where : "", t->order);
    if (len < 0 || (size_t)len >= sizeof sql)
        return bv_fail(BV_ERR, "internal error: the query of table %s is too long", t->name);
    return bv_pg_each(s, "reading the vault to copy it", row_cb, &w, sql, NULL);
}

bv_status
bv_pg_copy_insert(bv_store *s, const bv_copy_table *t, const bv_copy_value *row)
{
    Oid types[BV_COPY_COLS_MAX];
    const char *vals[BV_COPY_COLS_MAX];
    int lens[BV_COPY_COLS_MAX], fmts[BV_COPY_COLS_MAX];
    uint8_t ints[BV_COPY_COLS_MAX][8];
    char sql[SQL_MAX], marks[5 * BV_COPY_COLS_MAX];
    size_t ncol = strlen(t->types), i, m = 0;
    PGresult *r;
    bv_status st = BV_OK;
    int len;

    if (ncol == 0 || ncol > BV_COPY_COLS_MAX)
        return bv_fail(BV_ERR, "internal error: table %s has too many columns", t->name);
    for (i = 0; i < ncol; i++) {
        const bv_copy_value *v = &row[i];
        m += (size_t)snprintf(marks + m, sizeof marks - m, "%s$%zu", i ? "," : "", i + 1);
        /* every parameter binary: integers big-endian, text and bytea their bytes */
        fmts[i] = 1;
        types[i] = t->types[i] == 'i' ? OID_INT8 : t->types[i] == 't' ? OID_TEXT : OID_BYTEA;
        if (v->n > INT_MAX)
            return bv_fail(BV_ERR, "a value of table %s too large for the server", t->name);
        if (v->null) {
            vals[i] = NULL;
            lens[i] = 0;
        } else if (t->types[i] == 'i') {
            bv_store_be64(ints[i], (uint64_t)v->i);
            vals[i] = (const char *)ints[i];
            lens[i] = 8;
        } else {
            vals[i] = v->p ? (const char *)v->p : "";
            lens[i] = (int)v->n;
        }
    }
    len = snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES (%s)", t->name, t->cols, marks);
    if (len < 0 || (size_t)len >= sizeof sql)
        return bv_fail(BV_ERR, "internal error: the insert into %s is too long", t->name);
    r = PQexecParams(bv_pgh(s)->conn, sql, (int)ncol, types, vals, lens, fmts, 1);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        st = bv_pg_err(s, r, "writing the copy");
    PQclear(r);
    return st;
}

static bv_status
ignore_cb(void *ctx, const PGresult *r, int row)
{
    (void)ctx, (void)r, (void)row;
    return BV_OK;
}

/* The rows came with their ids: the next id generated must follow them. */
bv_status
bv_pg_copy_end(bv_store *s, const bv_copy_table *t)
{
    char sql[SQL_MAX];
    int len;

    if (!t->serial)
        return BV_OK;
    len = snprintf(sql, sizeof sql,
        "SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM %s"
        " HAVING max(id) IS NOT NULL",
        t->name);
    if (len < 0 || (size_t)len >= sizeof sql)
        return bv_fail(BV_ERR, "internal error: the query of table %s is too long", t->name);
    return bv_pg_each(s, "writing the copy", ignore_cb, NULL, sql, "t", t->name);
}

/*
 * A copy goes into an empty database: the vault's schema just made and
 * nothing beside it, so that removing that schema on failure leaves the
 * database as it was, and no one's tables share the vault's database.
 */
bv_status
bv_pg_copy_check(bv_store *s)
{
    int64_t n = 0;
    bv_status st = bv_pg_int(s,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        " AND n.nspname NOT IN ('pg_catalog', 'information_schema', '" BV_PG_SCHEMA "')"
        " AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'",
        &n);

    if (st == BV_OK && n > 0)
        return bv_fail(BV_EUSAGE,
            "database %s holds tables of its own; vault copy wants an empty database",
            PQdb(bv_pgh(s)->conn));
    return st;
}

/* The schema a CREATE open made, and everything in it; the database stays. */
bv_status
bv_pg_remove(const char *where)
{
    PGconn *c;
    PGresult *r;
    bv_status st;

    if ((st = bv_pg_connect(where, 0, &c)) != BV_OK)
        return st;
    r = PQexec(c, "DROP SCHEMA IF EXISTS " BV_PG_SCHEMA " CASCADE");
    st = PQresultStatus(r) == PGRES_COMMAND_OK
        ? BV_OK
        : bv_fail(BV_ERR, "cannot remove the failed copy's schema: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return st;
}
