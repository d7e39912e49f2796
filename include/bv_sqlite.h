/*
 * bv_sqlite.h - what the SQLite engine's files (src/store/) share, and
 * only they: the handle, error mapping, statements, and column and bind
 * helpers that copy with bounds (a tampered row cannot overflow a
 * buffer). Nothing outside src/store/ includes it (make check-layers).
 */
#ifndef BV_SQLITE_H
#define BV_SQLITE_H

#include "bv_engine.h"

#include <sqlite3.h>

/* "BVT1": tells our files from other SQLite databases before any write. */
#define BV_APPLICATION_ID 0x42565431

typedef struct {
    bv_store base; /* first: the store's dispatch (bv_engine.h) */
    sqlite3 *db;
    int readonly;
    int64_t version; /* the file's format (user_version) when opened */
    struct bv_sqfiles *files; /* a file body being written (store/files.c) */
} bv_sqlite;

/* The SQLite handle of a store that bv_sqlite_engine opened. */
static inline bv_sqlite *
bv_sq(bv_store *s)
{
    return (bv_sqlite *)s;
}

/* The engine's calls of the contract (bv_engine.h), one per table file. */
#define BV_SQLITE_DECLARE(name, params, args) bv_status bv_sqlite_##name params;
BV_ENGINE_CALLS(BV_SQLITE_DECLARE)
#undef BV_SQLITE_DECLARE
/* The sweep's steps (bv_engine.h). */
bv_status bv_sqlite_sweep_next(bv_store *s, const char *stale, int64_t *id);
bv_status bv_sqlite_sweep_step(bv_store *s, int64_t id, int *gone);

/*
 * File bodies (store/files.c): a body whose first chunk is at least
 * BV_FILE_MIN bytes is a file of its own in <vault>.bodies/. 256 KiB:
 * above SQLite's measured crossover of about 100 KB for blobs kept
 * outside the database (sqlite.org/intern-v-extern-blob.html), which our
 * WAL, writing every row twice, only lowers; below it a body stays in
 * rows, in its item's one transaction and the vault's one file.
 */
#ifndef BV_FILE_MIN /* -DBV_FILE_MIN=N: a build to measure the crossover with */
#define BV_FILE_MIN (256u * 1024u)
#endif
/* chunk_put's: *taken when the chunk went to the body's file. */
bv_status bv_sqlite_file_put(
    bv_store *s, int64_t id, uint64_t idx, const uint8_t *p, size_t n, int *taken);
/* chunk_get's and chunk_each's, for a body without rows: *found when it
 * has a file. chunk_get's keeps the file open for the next chunk. */
bv_status bv_sqlite_file_get(
    bv_store *s, int64_t id, uint64_t idx, uint8_t *p, size_t cap, size_t *n, int *found);
/* 1 when chunk_get holds body id's file open: a body in a file, so no
 * query for its rows is needed (a body is rows or a file, never both). */
int bv_sqlite_file_held(bv_store *s, int64_t id);
bv_status bv_sqlite_file_each(
    bv_store *s, int64_t id, bv_chunk_fn want, bv_chunk_done_fn got, void *ctx, int *found);
/* The body's file overwritten and removed, if it has one (the sweep). */
bv_status bv_sqlite_file_drop(bv_store *s, int64_t id);
/* Files that no bodies row names, removed under the write lock. */
bv_status bv_sqlite_files_sweep(bv_store *s, uint64_t *swept);
/* The file bodies a backup's copy names, into <path>.bodies/. */
bv_status bv_sqlite_files_backup(bv_store *s, bv_store *copy, const char *path);
/* <vault>.bodies and its files, gone (a failed copy). */
bv_status bv_sqlite_files_remove(const char *vault);
void bv_sqlite_files_close(bv_store *s);

/* The file a CREATE open made, and its journals (a failed vault copy). */
bv_status bv_sqlite_remove(const char *path);
/* The file's header checked before SQLite opens it (store/sqlite.c). */
bv_status bv_sqlite_precheck(const char *path);
/* A new vault's tables (store/schema.c). */
bv_status bv_sqlite_create_schema(bv_store *s);

/* Errors, statements. */
bv_status bv_sqlite_err(bv_store *s, int rc, const char *what);
bv_status bv_sqlite_exec(bv_store *s, const char *sql, const char *what);
bv_status bv_sqlite_prep(bv_store *s, const char *sql, sqlite3_stmt **st);
/* The one integer a query returns. */
bv_status bv_sqlite_int(bv_store *s, const char *sql, int64_t *v);
/* Run each statement of sql[] with ?1 = id, in order. */
bv_status bv_sqlite_each_with_id(
    bv_store *s, const char *const *sql, size_t n, int64_t id, const char *what);

/*
 * One statement, start to end: prepare sql, bind fmt's arguments (one
 * letter a parameter: i int64_t, t const char * or NULL, b const void *
 * and size_t (NULL: an empty blob), B the same but NULL binds NULL),
 * every bind and step checked, and finalize.
 *   run   a statement that returns no row;
 *   one   row(ctx, q) for its first row; BV_ENOTFOUND (no message) if none;
 *   each  row(ctx, q) for every row, until row returns other than BV_OK.
 * what says what was being done, for the error message.
 */
typedef bv_status (*bv_sqlite_row_fn)(void *ctx, sqlite3_stmt *q);
bv_status bv_sqlite_run(bv_store *s, const char *what, const char *sql, const char *fmt, ...);
bv_status bv_sqlite_one(bv_store *s, const char *what, bv_sqlite_row_fn row, void *ctx,
    const char *sql, const char *fmt, ...);
bv_status bv_sqlite_each(bv_store *s, const char *what, bv_sqlite_row_fn row, void *ctx,
    const char *sql, const char *fmt, ...);

/* Columns, copied with bounds. */
bv_status bv_sqlite_col_text(sqlite3_stmt *q, int i, char *out, size_t cap);
bv_status bv_sqlite_col_blob(sqlite3_stmt *q, int i, uint8_t *out, size_t cap, size_t *len);
bv_status bv_sqlite_col_blob_exact(sqlite3_stmt *q, int i, uint8_t *out, size_t n);
bv_status bv_sqlite_col_buf(sqlite3_stmt *q, int i, bv_buf *b);
const char *bv_sqlite_col_str(sqlite3_stmt *q, int i);

/* Rows that more than one table file reads. */
bv_status bv_sqlite_board_row(sqlite3_stmt *q, bv_board_row *b);
bv_status bv_sqlite_item_row(sqlite3_stmt *q, bv_item_row *it);
bv_status bv_sqlite_key_row(sqlite3_stmt *q, bv_keyrow *k);
/* A bv_sqlite_row_fn filling the bv_keyrow ctx. */
bv_status bv_sqlite_key_cb(void *ctx, sqlite3_stmt *q);

#endif
