/*
 * bv_engine.h - what the store's engines share, and only they: the
 * handle every engine's own handle begins with, and the table of the
 * engine's functions that store/store.c dispatches bv_store.h to. The
 * domain sees bv_store.h alone; nothing outside src/store/ includes this
 * (make check-layers).
 */
#ifndef BV_ENGINE_H
#define BV_ENGINE_H

#include "bv_store.h"

/*
 * Copying a vault row by row between engines (store/copy.c): a table as
 * both engines hold it, and one column's value. types has a letter per
 * column: i integer, t text, b blob; any may be NULL. Names are the
 * copier's constants, never input.
 */
#define BV_COPY_COLS_MAX 16
typedef struct {
    const char *name; /* the table */
    const char *cols; /* "id, name, ...", in the order of types */
    const char *types;
    const char *order; /* ORDER BY: its primary key */
    const char *where; /* the rows worth copying, or NULL for all */
    int serial; /* its id is generated: the engine moves the generator on */
} bv_copy_table;
typedef struct {
    int null;
    int64_t i;
    const uint8_t *p; /* text (without its NUL) or blob bytes */
    size_t n;
} bv_copy_value;
typedef bv_status (*bv_copy_row_fn)(void *ctx, const bv_copy_value *row);

/*
 * Every call of the contract that takes a store and returns a status,
 * as X(name, parameters, arguments): one list, so that the table, the
 * dispatch and each engine's declarations cannot drift apart. The calls
 * that open, close, report or run batches are in the table by hand.
 */
#define BV_ENGINE_CALLS(X)                                                                         \
    X(migrate, (bv_store * s, int64_t * from), (s, from))                                          \
    X(begin, (bv_store * s), (s))                                                                  \
    X(begin_read, (bv_store * s), (s))                                                             \
    X(commit, (bv_store * s), (s))                                                                 \
    X(meta_get, (bv_store * s, const char *key, bv_buf *val), (s, key, val))                       \
    X(meta_set, (bv_store * s, const char *key, const void *val, size_t len), (s, key, val, len))  \
    X(person_get, (bv_store * s, const char *name, bv_person_row *p), (s, name, p))                \
    X(person_add, (bv_store * s, const bv_person_row *p), (s, p))                                  \
    X(person_set_secret, (bv_store * s, int64_t id, const uint8_t *secret, size_t len),            \
        (s, id, secret, len))                                                                      \
    X(person_certify,                                                                              \
        (bv_store * s, const char *name, const char *by, const uint8_t *sig, size_t siglen),       \
        (s, name, by, sig, siglen))                                                                \
    X(person_each, (bv_store * s, bv_status(*fn)(void *, const bv_person_row *), void *ctx),       \
        (s, fn, ctx))                                                                              \
    X(board_get, (bv_store * s, const char *name, bv_board_row *b), (s, name, b))                  \
    X(board_add, (bv_store * s, bv_board_row * b), (s, b))                                         \
    X(board_each, (bv_store * s, bv_status(*fn)(void *, const bv_board_row *), void *ctx),         \
        (s, fn, ctx))                                                                              \
    X(role_get, (bv_store * s, int64_t board_id, int64_t person_id, bv_role_row * r),              \
        (s, board_id, person_id, r))                                                               \
    X(role_add, (bv_store * s, const bv_role_row *r), (s, r))                                      \
    X(role_each,                                                                                   \
        (bv_store * s, int64_t board_id, bv_status(*fn)(void *, const bv_role_row *), void *ctx),  \
        (s, board_id, fn, ctx))                                                                    \
    X(role_each_person,                                                                            \
        (bv_store * s, int64_t person_id, bv_status(*fn)(void *, const bv_role_row *), void *ctx), \
        (s, person_id, fn, ctx))                                                                   \
    X(board_key_get,                                                                               \
        (bv_store * s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow * k),         \
        (s, board_id, epoch, person_id, k))                                                        \
    X(board_key_add, (bv_store * s, int64_t board_id, int64_t epoch, const bv_keyrow *k),          \
        (s, board_id, epoch, k))                                                                   \
    X(item_get, (bv_store * s, const char *uid, bv_item_row *it), (s, uid, it))                    \
    X(item_add, (bv_store * s, bv_item_row * it), (s, it))                                         \
    X(item_each,                                                                                   \
        (bv_store * s, const char *board, bv_status (*fn)(void *, const bv_item_row *),            \
            void *ctx),                                                                            \
        (s, board, fn, ctx))                                                                       \
    X(item_key_get, (bv_store * s, int64_t item_id, int64_t epoch, uint8_t * w, size_t * wlen),    \
        (s, item_id, epoch, w, wlen))                                                              \
    X(item_key_set, (bv_store * s, int64_t item_id, int64_t epoch, const uint8_t *w, size_t wlen), \
        (s, item_id, epoch, w, wlen))                                                              \
    X(body_new, (bv_store * s, int staging, int64_t *id), (s, staging, id))                        \
    X(body_touch, (bv_store * s, int64_t id), (s, id))                                             \
    X(body_adopt, (bv_store * s, int64_t id), (s, id))                                             \
    X(body_condemn, (bv_store * s, int64_t id), (s, id))                                           \
    X(chunk_put, (bv_store * s, int64_t body_id, uint64_t idx, const uint8_t *p, size_t n),        \
        (s, body_id, idx, p, n))                                                                   \
    X(chunk_get,                                                                                   \
        (bv_store * s, int64_t body_id, uint64_t idx, uint8_t * p, size_t cap, size_t * n),        \
        (s, body_id, idx, p, cap, n))                                                              \
    X(chunk_each,                                                                                  \
        (bv_store * s, int64_t body_id, bv_chunk_fn want, bv_chunk_done_fn got, void *ctx),        \
        (s, body_id, want, got, ctx))                                                              \
    X(grantset_set,                                                                                \
        (bv_store * s, int64_t item_id, int64_t version, const uint8_t *names, size_t nlen,        \
            const char *by, const uint8_t *sig, size_t siglen),                                    \
        (s, item_id, version, names, nlen, by, sig, siglen))                                       \
    X(grant_get, (bv_store * s, int64_t item_id, int64_t person_id, bv_keyrow * k),                \
        (s, item_id, person_id, k))                                                                \
    X(grant_put, (bv_store * s, int64_t item_id, const bv_keyrow *k), (s, item_id, k))             \
    X(grant_delete, (bv_store * s, int64_t item_id, int64_t person_id), (s, item_id, person_id))   \
    X(grant_each,                                                                                  \
        (bv_store * s, int64_t item_id, bv_status(*fn)(void *, const bv_keyrow *), void *ctx),     \
        (s, item_id, fn, ctx))                                                                     \
    X(audit_state, (bv_store * s, bv_buf * frontier), (s, frontier))                               \
    X(audit_append, (bv_store * s, const bv_audit_row *e, const uint8_t *frontier, size_t flen),   \
        (s, e, frontier, flen))                                                                    \
    X(audit_each,                                                                                  \
        (bv_store * s, const bv_audit_filter *f, bv_status (*fn)(void *, const bv_audit_row *),    \
            void *ctx),                                                                            \
        (s, f, fn, ctx))                                                                           \
    X(audit_leaf_hash, (bv_store * s, uint64_t index, uint8_t out[32]), (s, index, out))           \
    X(audit_count, (bv_store * s, uint64_t * n), (s, n))                                           \
    X(audit_last_seq, (bv_store * s, uint64_t * n), (s, n))                                        \
    X(audit_after,                                                                                 \
        (bv_store * s, uint64_t after, bv_status(*fn)(void *, const bv_audit_row *), void *ctx),   \
        (s, after, fn, ctx))                                                                       \
    X(audit_item_summary,                                                                          \
        (bv_store * s, const char *item,                                                           \
            bv_status (*fn)(void *, const char *actor, const char *outcome, int64_t count,         \
                const char *first, const char *last),                                              \
            void *ctx),                                                                            \
        (s, item, fn, ctx))                                                                        \
    X(checkpoint_add,                                                                              \
        (bv_store * s, uint64_t size, const char *by, const uint8_t *note, size_t len),            \
        (s, size, by, note, len))                                                                  \
    X(checkpoint_each,                                                                             \
        (bv_store * s, bv_status(*fn)(void *, uint64_t, const uint8_t *, size_t), void *ctx),      \
        (s, fn, ctx))                                                                              \
    X(checkpoint_latest, (bv_store * s, bv_store_cp_info * info), (s, info))                       \
    X(body_counts, (bv_store * s, uint64_t * staging, uint64_t * condemned),                       \
        (s, staging, condemned))                                                                   \
    X(size, (bv_store * s, uint64_t * bytes), (s, bytes))                                          \
    X(backup, (bv_store * s, const char *path), (s, path))                                         \
    X(backup_name, (bv_store * s, const char *from, const char *to, int keep),                     \
        (s, from, to, keep))                                                                       \
    X(body_flush, (bv_store * s, int64_t id), (s, id))                                             \
    X(body_unlink, (bv_store * s, int64_t id), (s, id))                                            \
    X(body_outside, (bv_store * s, int64_t id, int *outside), (s, id, outside))                    \
    X(item_destroy, (bv_store * s, int64_t item_id), (s, item_id))                                 \
    X(removal_get,                                                                                 \
        (bv_store * s, int64_t board_id, const char *name, char by[BV_NAME_MAX + 1], uint8_t *sig, \
            size_t *siglen),                                                                       \
        (s, board_id, name, by, sig, siglen))                                                      \
    X(removal_set,                                                                                 \
        (bv_store * s, int64_t board_id, const char *name, const char *by, const uint8_t *sig,     \
            size_t siglen),                                                                        \
        (s, board_id, name, by, sig, siglen))                                                      \
    X(item_resign,                                                                                 \
        (bv_store * s, int64_t item_id, const char *by, const uint8_t *sig, size_t siglen),        \
        (s, item_id, by, sig, siglen))                                                             \
    X(item_set_uid, (bv_store * s, int64_t item_id, const char *uid), (s, item_id, uid))           \
    X(agenda_relink, (bv_store * s, int64_t from, int64_t to), (s, from, to))                      \
    X(retired_add,                                                                                 \
        (bv_store * s, const char *name, const uint8_t pk[32], const char *by, const uint8_t *sig, \
            size_t siglen),                                                                        \
        (s, name, pk, by, sig, siglen))                                                            \
    X(retired_each,                                                                                \
        (bv_store * s,                                                                             \
            bv_status(*fn)(void *, const char *name, const uint8_t *pk, size_t pklen,              \
                const char *by, const uint8_t *sig, size_t siglen),                                \
            void *ctx),                                                                            \
        (s, fn, ctx))                                                                              \
    X(person_drop, (bv_store * s, int64_t person_id), (s, person_id))                              \
    X(keychange_put, (bv_store * s, int64_t person_id, const bv_keychange_row *k),                 \
        (s, person_id, k))                                                                         \
    X(keychange_get, (bv_store * s, int64_t person_id, bv_keychange_row * k), (s, person_id, k))   \
    X(person_rekey,                                                                                \
        (bv_store * s, int64_t person_id, const bv_keychange_row *k, const char *by,               \
            const uint8_t *cert_sig, size_t siglen),                                               \
        (s, person_id, k, by, cert_sig, siglen))                                                   \
    X(role_delete, (bv_store * s, int64_t board_id, int64_t person_id), (s, board_id, person_id))  \
    X(board_set_epoch, (bv_store * s, int64_t board_id, int64_t epoch), (s, board_id, epoch))      \
    X(epoch_drop, (bv_store * s, int64_t board_id, int64_t epoch), (s, board_id, epoch))           \
    X(board_items,                                                                                 \
        (bv_store * s, int64_t board_id, bv_status(*fn)(void *, int64_t, const char *),            \
            void *ctx),                                                                            \
        (s, board_id, fn, ctx))                                                                    \
    X(item_expired,                                                                                \
        (bv_store * s, const char *today,                                                          \
            bv_status (*fn)(void *, const char *uid, const char *board), void *ctx),               \
        (s, today, fn, ctx))                                                                       \
    X(minutes_keys, (bv_store * s, int64_t board_id, bv_minutes_key_row * *rows, size_t * n),      \
        (s, board_id, rows, n))                                                                    \
    X(minutes_key_set,                                                                             \
        (bv_store * s, int64_t board_id, int64_t gen, int64_t epoch, const uint8_t *w,             \
            size_t wlen),                                                                          \
        (s, board_id, gen, epoch, w, wlen))                                                        \
    X(meeting_find,                                                                                \
        (bv_store * s, int64_t board_id, int64_t gen, const uint8_t hash[32], int64_t *id),        \
        (s, board_id, gen, hash, id))                                                              \
    X(meeting_add,                                                                                 \
        (bv_store * s, int64_t board_id, int64_t gen, const uint8_t hash[32],                      \
            const struct bv_meeting *m, const char *by, int64_t *id),                              \
        (s, board_id, gen, hash, m, by, id))                                                       \
    X(agenda_link, (bv_store * s, int64_t meeting_id, int ordinal, int64_t item_id),               \
        (s, meeting_id, ordinal, item_id))                                                         \
    X(meeting_load, (bv_store * s, int64_t id, bv_meeting_row * out), (s, id, out))                \
    X(meeting_each,                                                                                \
        (bv_store * s, const char *board,                                                          \
            bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int),  \
            void *ctx),                                                                            \
        (s, board, fn, ctx))                                                                       \
    X(action_each,                                                                                 \
        (bv_store * s, const char *board,                                                          \
            bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,   \
                const char *, const char *),                                                       \
            void *ctx),                                                                            \
        (s, board, fn, ctx))                                                                       \
    X(copy_rows, (bv_store * s, const bv_copy_table *t, bv_copy_row_fn fn, void *ctx),             \
        (s, t, fn, ctx))                                                                           \
    X(copy_insert, (bv_store * s, const bv_copy_table *t, const bv_copy_value *row), (s, t, row))  \
    X(copy_end, (bv_store * s, const bv_copy_table *t), (s, t))                                    \
    X(copy_check, (bv_store * s), (s))

typedef struct bv_engine bv_engine;

struct bv_engine {
    const char *name; /* "sqlite", "postgresql": for messages */
    bv_status (*open)(const char *where, int mode, bv_store **out);
    void (*close)(bv_store *s);
    bv_status (*open_peer)(bv_store *s, int mode, bv_store **out);
    /* a run of batches: the engine's own state, NULL when it keeps none */
    bv_status (*batches_begin)(bv_store *s, void **run);
    void (*batch_next)(void *run);
    void (*batch_done)(void *run);
    bv_status (*batches_end)(bv_store *s, void *run);
    int (*in_tx)(bv_store *s);
    void (*rollback)(bv_store *s);
    void (*reclaim)(bv_store *s, int give_back);
    /* the sweep (store.c), one step at a time: the next body to sweep
     * (condemned, or staging and touched before stale; 0 for none), and
     * one batch of its chunks deleted, or with none left the body
     * itself (*gone 1) */
    bv_status (*sweep_next)(bv_store *s, const char *stale, int64_t *id);
    bv_status (*sweep_step)(bv_store *s, int64_t id, int *gone);
    /* what else a writer that died left (the SQLite engine's files no
     * body names); NULL where nothing can be left */
    bv_status (*sweep_files)(bv_store *s, uint64_t *swept);
    /* the server-enforced record (bv_store.h); NULL where not kept */
    int (*record_enforced)(bv_store *s);
    bv_status (*record_open)(
        bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen);
    bv_status (*grant_release)(bv_store *s, const char *item, uint64_t seq, bv_keyrow *k);
    bv_status (*login_make)(
        bv_store *s, const char *person, const char *login, bv_login_note *note);
    bv_status (*login_drop)(bv_store *s, const char *person, bv_login_note *note);
    /* removes the vault that open(where, BV_STORE_CREATE) made (a
     * vault copy that failed): the file and its journals, or the schema */
    bv_status (*remove)(const char *where);
#define BV_ENGINE_MEMBER(name, params, args) bv_status(*name) params;
    BV_ENGINE_CALLS(BV_ENGINE_MEMBER)
#undef BV_ENGINE_MEMBER
};

/* The first member of every engine's handle. */
struct bv_store {
    const bv_engine *engine;
};

extern const bv_engine bv_sqlite_engine;
extern const bv_engine bv_pg_engine;

/* The copier's calls, dispatched as the contract's are (store/store.c). */
bv_status bv_store_copy_rows(bv_store *s, const bv_copy_table *t, bv_copy_row_fn fn, void *ctx);
bv_status bv_store_copy_insert(bv_store *s, const bv_copy_table *t, const bv_copy_value *row);
bv_status bv_store_copy_end(bv_store *s, const bv_copy_table *t);
/* Whether a store just created may take a copy: BV_EUSAGE if it shares its
 * place with something else (a server database with other tables). */
bv_status bv_store_copy_check(bv_store *s);

#endif
