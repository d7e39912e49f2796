/*
 * store/pg/query.c - the helpers every PostgreSQL table file uses
 * (include/bv_pg.h): SQLSTATE to exit status, one parameterised
 * statement start to end, and binary columns copied with bounds.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16
/* type OIDs (pg_type.dat): the parameters' types, given, not guessed */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

bv_status
bv_pg_err(bv_store *s, const PGresult *r, const char *what)
{
    PGconn *c = bv_pgh(s)->conn;
    const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (PQstatus(c) == CONNECTION_BAD)
        return bv_fail(BV_ERR, "lost the connection to the vault server while %s", what);
    if (msg == NULL)
        msg = PQerrorMessage(c);
    if (code == NULL)
        code = "";
    /* 42501 insufficient_privilege, class 28 invalid authorization */
    if (strcmp(code, "42501") == 0 || strncmp(code, "28", 2) == 0)
        return bv_fail(BV_EPERM, "the vault server refused %s: %s", what, msg);
    if (strncmp(code, "23", 2) == 0)
        return bv_fail(BV_EINTEGRITY, "vault constraint violated while %s: %s", what, msg);
    /* lock_not_available (the busy timeout), serialization, deadlock */
    if (strcmp(code, "55P03") == 0 || strcmp(code, "40001") == 0 || strcmp(code, "40P01") == 0)
        return bv_fail(BV_ERR, "vault busy: another boardvault process holds it (%s)", what);
    if (strcmp(code, "53100") == 0)
        return bv_fail(BV_ERR, "the vault server's disk is full while %s", what);
    if (strcmp(code, "25006") == 0)
        return bv_fail(BV_ERR, "cannot write the vault (%s): %s", what, msg);
    return bv_fail(BV_ERR, "vault error while %s: %s", what, msg);
}

bv_status
bv_pg_exec(bv_store *s, const char *sql, const char *what)
{
    PGresult *r = PQexec(bv_pgh(s)->conn, sql);
    ExecStatusType t = PQresultStatus(r);
    bv_status st = BV_OK;

    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
        st = bv_pg_err(s, r, what);
    PQclear(r);
    return st;
}

/* fmt's arguments as libpq parameters; ints and blobs binary, text as text. */
struct params {
    int n;
    Oid types[MAX_PARAMS];
    const char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS], fmts[MAX_PARAMS];
    uint8_t ints[MAX_PARAMS][8];
};

static bv_status
bindv(struct params *p, const char *fmt, va_list ap)
{
    for (p->n = 0; fmt && *fmt; fmt++, p->n++) {
        int i = p->n;
        if (i == MAX_PARAMS)
            return bv_fail(BV_ERR, "internal error: too many parameters");
        p->fmts[i] = 1;
        p->lens[i] = 0;
        if (*fmt == 'i') {
            bv_store_be64(p->ints[i], (uint64_t)va_arg(ap, int64_t));
            p->types[i] = OID_INT8;
            p->vals[i] = (const char *)p->ints[i];
            p->lens[i] = 8;
        } else if (*fmt == 't') {
            p->types[i] = OID_TEXT;
            p->vals[i] = va_arg(ap, const char *);
            p->fmts[i] = 0;
        } else if (*fmt == 'b' || *fmt == 'B') {
            const void *b = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            if (n > 0x3fffffff)
                return bv_fail(BV_ERR, "internal error: a value too large for the server");
            p->types[i] = OID_BYTEA;
            p->vals[i] = b ? (const char *)b : (*fmt == 'b' ? "" : NULL);
            p->lens[i] = b ? (int)n : 0;
        } else {
            return bv_fail(BV_ERR, "internal error: bind format '%c'", *fmt);
        }
    }
    return BV_OK;
}

/* rows: 0 none expected, 1 at most one (BV_ENOTFOUND if none), 2 each */
static bv_status
runv(bv_store *s, int rows, const char *what, bv_pg_row_fn row, void *ctx, const char *sql,
    const char *fmt, va_list ap)
{
    struct params p;
    PGresult *r = NULL;
    ExecStatusType t;
    bv_status st;
    int i, n;

    if ((st = bindv(&p, fmt, ap)) != BV_OK)
        return st;
    r = PQexecParams(
        bv_pgh(s)->conn, sql, p.n, p.types, p.vals, p.lens, p.fmts, 1 /* binary results */);
    t = PQresultStatus(r);
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        st = bv_pg_err(s, r, what);
        goto out;
    }
    n = PQntuples(r);
    if (rows == 0) {
        const char *changed = PQcmdTuples(r);
        bv_pgh(s)->changes = *changed ? strtoll(changed, NULL, 10) : 0;
        if (n > 0 && t == PGRES_TUPLES_OK)
            st = bv_fail(BV_ERR, "internal error: %s returned a row", what);
        goto out;
    }
    if (rows == 1 && n == 0)
        st = BV_ENOTFOUND;
    for (i = 0; st == BV_OK && i < n && (rows == 2 || i < 1); i++)
        st = row(ctx, r, i);
out:
    PQclear(r);
    return st;
}

bv_status
bv_pg_run(bv_store *s, const char *what, const char *sql, const char *fmt, ...)
{
    va_list ap;
    bv_status st;

    va_start(ap, fmt);
    st = runv(s, 0, what, NULL, NULL, sql, fmt, ap);
    va_end(ap);
    return st;
}

bv_status
bv_pg_one(bv_store *s, const char *what, bv_pg_row_fn row, void *ctx, const char *sql,
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
bv_pg_each(bv_store *s, const char *what, bv_pg_row_fn row, void *ctx, const char *sql,
    const char *fmt, ...)
{
    va_list ap;
    bv_status st;

    va_start(ap, fmt);
    st = runv(s, 2, what, row, ctx, sql, fmt, ap);
    va_end(ap);
    return st;
}

int64_t
bv_pg_changes(bv_store *s)
{
    return bv_pgh(s)->changes;
}

bv_status
bv_pg_id_cb(void *ctx, const PGresult *r, int row)
{
    *(int64_t *)ctx = bv_pg_col_int(r, row, 0);
    return BV_OK;
}

bv_status
bv_pg_int(bv_store *s, const char *sql, int64_t *v)
{
    bv_status st = bv_pg_one(s, "reading the vault", bv_pg_id_cb, v, sql, NULL);

    return st == BV_ENOTFOUND ? bv_fail(BV_ERR, "internal error: no row from %s", sql) : st;
}

/* ---- binary columns ---- */

int64_t
bv_pg_col_int(const PGresult *r, int row, int col)
{
    const uint8_t *p = (const uint8_t *)PQgetvalue(r, row, col);

    switch (PQgetlength(r, row, col)) {
    case 8:
        return (int64_t)bv_load_be64(p);
    case 4:
        return (int32_t)bv_load_be32(p);
    case 2:
        return (int16_t)((p[0] << 8) | p[1]);
    default:
        return 0; /* NULL */
    }
}

const char *
bv_pg_col_str(const PGresult *r, int row, int col)
{
    /* libpq ends every value with a NUL, binary ones included */
    return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

const char *
bv_pg_col_opt(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

const uint8_t *
bv_pg_col_bytes(const PGresult *r, int row, int col, size_t *len)
{
    *len = (size_t)PQgetlength(r, row, col);
    return (const uint8_t *)PQgetvalue(r, row, col);
}

bv_status
bv_pg_col_text(const PGresult *r, int row, int col, char *out, size_t cap)
{
    size_t n = (size_t)PQgetlength(r, row, col);

    if (n >= cap)
        return bv_fail(BV_EINTEGRITY, "vault field is too long (column %d)", col);
    memcpy(out, PQgetvalue(r, row, col), n);
    out[n] = '\0';
    if (strlen(out) != n)
        return bv_fail(BV_EINTEGRITY, "vault field has a NUL byte (column %d)", col);
    return BV_OK;
}

bv_status
bv_pg_col_blob(const PGresult *r, int row, int col, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = (size_t)PQgetlength(r, row, col);

    if (n > cap)
        return bv_fail(BV_EINTEGRITY, "vault field is too long (column %d)", col);
    if (n)
        memcpy(out, PQgetvalue(r, row, col), n);
    *len = n;
    return BV_OK;
}

bv_status
bv_pg_col_blob_exact(const PGresult *r, int row, int col, uint8_t *out, size_t n)
{
    if ((size_t)PQgetlength(r, row, col) != n || PQgetisnull(r, row, col))
        return bv_fail(BV_EINTEGRITY, "vault field has the wrong length (column %d)", col);
    memcpy(out, PQgetvalue(r, row, col), n);
    return BV_OK;
}

bv_status
bv_pg_col_buf(const PGresult *r, int row, int col, bv_buf *b)
{
    b->len = 0;
    bv_buf_put(b, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
    return b->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}
