/*
 * bv_pg.h - what the PostgreSQL engine's files (src/store/pg/) share, and
 * only they: the handle, error mapping, and one-statement helpers that
 * bind parameters (never splice them into SQL) and read binary columns
 * with bounds, so a tampered row cannot overflow a buffer. Nothing
 * outside src/store/pg/ includes it or libpq-fe.h (make check-layers).
 */
#ifndef BV_PG_H
#define BV_PG_H

#include "bv_engine.h"

#include <libpq-fe.h>

/* libpq is opened on the first connection, not linked (bv_dl.h says
 * why). Every libpq function the engine calls is listed here; the
 * engine's code calls them by their own names, which the defines below
 * turn into calls through bv_pq, filled by bv_pg_connect. A call of a
 * libpq function missing from this list fails to link: add it here. */
#define BV_PQ_CALLS(X)                                                                             \
    X(PQconnectdbParams)                                                                           \
    X(PQstatus)                                                                                    \
    X(PQfinish)                                                                                    \
    X(PQerrorMessage)                                                                              \
    X(PQexec)                                                                                      \
    X(PQexecParams)                                                                                \
    X(PQresultStatus)                                                                              \
    X(PQresultErrorField)                                                                          \
    X(PQclear)                                                                                     \
    X(PQntuples)                                                                                   \
    X(PQgetvalue)                                                                                  \
    X(PQgetlength)                                                                                 \
    X(PQgetisnull)                                                                                 \
    X(PQcmdTuples)                                                                                 \
    X(PQcmdStatus)                                                                                 \
    X(PQtransactionStatus)                                                                         \
    X(PQdb)                                                                                        \
    X(PQuser)                                                                                      \
    X(PQsetNoticeProcessor)                                                                        \
    X(PQfreemem)                                                                                   \
    X(PQescapeIdentifier)
#define BV_PQ_POINTER(f) __typeof__(f) *p_##f;
struct bv_pq_api {
    BV_PQ_CALLS(BV_PQ_POINTER)
};
#undef BV_PQ_POINTER
extern struct bv_pq_api bv_pq;
#define PQconnectdbParams (*bv_pq.p_PQconnectdbParams)
#define PQstatus (*bv_pq.p_PQstatus)
#define PQfinish (*bv_pq.p_PQfinish)
#define PQerrorMessage (*bv_pq.p_PQerrorMessage)
#define PQexec (*bv_pq.p_PQexec)
#define PQexecParams (*bv_pq.p_PQexecParams)
#define PQresultStatus (*bv_pq.p_PQresultStatus)
#define PQresultErrorField (*bv_pq.p_PQresultErrorField)
#define PQclear (*bv_pq.p_PQclear)
#define PQntuples (*bv_pq.p_PQntuples)
#define PQgetvalue (*bv_pq.p_PQgetvalue)
#define PQgetlength (*bv_pq.p_PQgetlength)
#define PQgetisnull (*bv_pq.p_PQgetisnull)
#define PQcmdTuples (*bv_pq.p_PQcmdTuples)
#define PQcmdStatus (*bv_pq.p_PQcmdStatus)
#define PQtransactionStatus (*bv_pq.p_PQtransactionStatus)
#define PQdb (*bv_pq.p_PQdb)
#define PQuser (*bv_pq.p_PQuser)
#define PQsetNoticeProcessor (*bv_pq.p_PQsetNoticeProcessor)
#define PQfreemem (*bv_pq.p_PQfreemem)
#define PQescapeIdentifier (*bv_pq.p_PQescapeIdentifier)

/* The vault's tables live in a schema of their own, one vault a database. */
#define BV_PG_SCHEMA "boardvault"
/* meta's marker row: tells our databases from others before any write. */
#define BV_PG_APPLICATION "boardvault vault"

typedef struct {
    bv_store base; /* first: the store's dispatch (bv_engine.h) */
    PGconn *conn;
    char *where; /* the conninfo or URI, for a peer connection */
    int readonly;
    int tx; /* bv_store_in_tx: 0 none, 1 read, 2 write */
    int64_t version; /* the vault's format when opened */
    int64_t changes; /* rows the last bv_pg_run changed */
    int enforced; /* meta "record" is "server": grants only through the record */
    int64_t owner; /* enforced, and this login may act as the schema's owner */
} bv_pg;

static inline bv_pg *
bv_pgh(bv_store *s)
{
    return (bv_pg *)s;
}

/* The engine's calls of the contract (bv_engine.h), one per table file. */
#define BV_PG_DECLARE(name, params, args) bv_status bv_pg_##name params;
BV_ENGINE_CALLS(BV_PG_DECLARE)
#undef BV_PG_DECLARE
/* The sweep's steps (bv_engine.h). */
bv_status bv_pg_sweep_next(bv_store *s, const char *stale, int64_t *id);
bv_status bv_pg_sweep_step(bv_store *s, int64_t id, int *gone);

/* The server-enforced record (store/pg/record.c; bv_engine.h). */
int bv_pg_record_enforced(bv_store *s);
/* 1 when key-bearing tables are read only through the record's functions:
 * an enforced vault and a login that is not the schema's owner's. */
int bv_pg_via_record(bv_store *s);
bv_status bv_pg_board_key_release(
    bv_store *s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow *k);
bv_status bv_pg_item_key_release(
    bv_store *s, int64_t item_id, int64_t epoch, uint8_t *w, size_t *wlen);
bv_status bv_pg_record_open(
    bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen);
bv_status bv_pg_grant_release(bv_store *s, const char *item, uint64_t seq, bv_keyrow *k);
/* An audit entry through the server's checks, when the record binds this login. */
bv_status bv_pg_record_append(bv_store *s, const bv_audit_row *e);
/* Each person's login (store/pg/logins.c; bv_store.h). */
bv_status bv_pg_login_make(bv_store *s, const char *person, const char *login, bv_login_note *note);
bv_status bv_pg_login_drop(bv_store *s, const char *person, bv_login_note *note);

/* The schema a CREATE open made (a failed vault copy). */
bv_status bv_pg_remove(const char *where);
/* Connecting (store/pg/conn.c): a session set up for the vault. */
bv_status bv_pg_connect(const char *where, int readonly, PGconn **out);
/* The vault's tables, created in one transaction (store/pg/schema.c);
 * its format checked on open. */
bv_status bv_pg_create_schema(bv_store *s);
bv_status bv_pg_check_vault(bv_store *s, const char *where);

/* The status for a failed result r (NULL: the connection's own error). */
bv_status bv_pg_err(bv_store *s, const PGresult *r, const char *what);
/* SQL without parameters, possibly several statements (schema, BEGIN). */
bv_status bv_pg_exec(bv_store *s, const char *sql, const char *what);

/*
 * One statement, start to end: bind fmt's arguments ($1, $2, ... ; one
 * letter a parameter: i int64_t, t const char * or NULL, b const void *
 * and size_t (NULL: an empty bytea), B the same but NULL binds NULL),
 * run it with binary results, check it, clear it.
 *   run   a statement that returns no row (bv_pg_changes: rows changed);
 *   one   row(ctx, r, 0) for its first row; BV_ENOTFOUND (no message) if none;
 *   each  row(ctx, r, i) for every row, until row returns other than BV_OK.
 * The rows are all fetched before the first call, so row may query the
 * store again. what says what was being done, for the error message.
 */
typedef bv_status (*bv_pg_row_fn)(void *ctx, const PGresult *r, int row);
bv_status bv_pg_run(bv_store *s, const char *what, const char *sql, const char *fmt, ...);
bv_status bv_pg_one(bv_store *s, const char *what, bv_pg_row_fn row, void *ctx, const char *sql,
    const char *fmt, ...);
bv_status bv_pg_each(bv_store *s, const char *what, bv_pg_row_fn row, void *ctx, const char *sql,
    const char *fmt, ...);
int64_t bv_pg_changes(bv_store *s);
/* The one integer a query without parameters returns. */
bv_status bv_pg_int(bv_store *s, const char *sql, int64_t *v);

/* Columns of a binary result, copied with bounds. Integers are bigint. */
int64_t bv_pg_col_int(const PGresult *r, int row, int col);
bv_status bv_pg_col_text(const PGresult *r, int row, int col, char *out, size_t cap);
bv_status bv_pg_col_blob(
    const PGresult *r, int row, int col, uint8_t *out, size_t cap, size_t *len);
bv_status bv_pg_col_blob_exact(const PGresult *r, int row, int col, uint8_t *out, size_t n);
bv_status bv_pg_col_buf(const PGresult *r, int row, int col, bv_buf *b);
/* The column's bytes as they are in r ("" for NULL) and their length. */
const char *bv_pg_col_str(const PGresult *r, int row, int col);
const uint8_t *bv_pg_col_bytes(const PGresult *r, int row, int col, size_t *len);
/* NULL for SQL NULL, else the text. */
const char *bv_pg_col_opt(const PGresult *r, int row, int col);

/* Rows that more than one table file reads. */
bv_status bv_pg_key_row(const PGresult *r, int row, bv_keyrow *k);
bv_status bv_pg_key_cb(void *ctx, const PGresult *r, int row);
bv_status bv_pg_id_cb(void *ctx, const PGresult *r, int row);

#endif
