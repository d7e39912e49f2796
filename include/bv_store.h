/*
 * bv_store.h - the contract every storage engine implements: rows in,
 * rows out, transactions, and runs of batches for large bodies. The
 * engine is the only code that knows its database; today that is SQLite
 * (src/store/). The store knows rows, not cryptography: what it returns
 * is untrusted until the domain has checked the signatures on it.
 */
#ifndef BV_STORE_H
#define BV_STORE_H

#include "bv.h"
#include "bv_model.h"

/* The engine's format: an older vault is brought up to it on first use. */
#define BV_SCHEMA_VERSION 3

typedef struct bv_store bv_store;

/* Open modes. CREATE makes a new file and refuses an existing one. */
enum { BV_STORE_RW = 0, BV_STORE_RO = 1, BV_STORE_CREATE = 2 };
bv_status bv_store_open(const char *path, int mode, bv_store **out);
void bv_store_close(bv_store *s);
/*
 * A vault of an older format is opened as it is (its meta and persons
 * tables, which the trust check reads, are the same in every format);
 * this brings it up to BV_SCHEMA_VERSION in one transaction, all done or
 * not started. *from gets the format it had. A read-only open cannot:
 * BV_ERR, with what to do.
 */
bv_status bv_store_migrate(bv_store *s, int64_t *from);
/* A second connection to the same vault (BV_STORE_RO or _RW), for a
 * reader beside a writer. */
bv_status bv_store_open_peer(bv_store *s, int mode, bv_store **out);
/*
 * A run of batches: transactions that each write (or delete) a slice of
 * a large body. Each batch is committed cheaply, not made durable on its
 * own: a batch lost to a crash leaves only a body no item names, which
 * the sweep removes, and the item's own commit afterwards is fully
 * durable. The engine decides how. Begin before the first batch, next
 * before each batch's transaction (it may wait for the engine to catch
 * up), done after each commit, end after the last (full durability
 * again). next and done accept NULL.
 */
typedef struct bv_batches bv_batches;
bv_status bv_store_batches_begin(bv_store *s, bv_batches **b);
void bv_store_batch_next(bv_batches *b);
void bv_store_batch_done(bv_batches *b);
bv_status bv_store_batches_end(bv_store *s, bv_batches *b);

/* A write transaction: one writer at a time, waiting up to the busy
 * timeout for another. */
bv_status bv_store_begin(bv_store *s);
bv_status bv_store_begin_read(bv_store *s);
/* 0 outside a transaction, 1 in a read transaction, 2 once it writes. */
int bv_store_in_tx(bv_store *s);
bv_status bv_store_commit(bv_store *s);
void bv_store_rollback(bv_store *s);

bv_status bv_store_meta_get(bv_store *s, const char *key, bv_buf *val);
bv_status bv_store_meta_set(bv_store *s, const char *key, const void *val, size_t len);

bv_status bv_store_person_get(bv_store *s, const char *name, bv_person_row *p);
bv_status bv_store_person_add(bv_store *s, const bv_person_row *p);
bv_status bv_store_person_set_secret(bv_store *s, int64_t id, const uint8_t *secret, size_t len);
bv_status bv_store_person_certify(
    bv_store *s, const char *name, const char *by, const uint8_t *sig, size_t siglen);
/* Calls fn for each person in name order. */
bv_status bv_store_person_each(
    bv_store *s, bv_status (*fn)(void *, const bv_person_row *), void *ctx);

bv_status bv_store_board_get(bv_store *s, const char *name, bv_board_row *b);
bv_status bv_store_board_add(bv_store *s, bv_board_row *b);
bv_status bv_store_board_each(
    bv_store *s, bv_status (*fn)(void *, const bv_board_row *), void *ctx);
bv_status bv_store_role_get(bv_store *s, int64_t board_id, int64_t person_id, bv_role_row *r);
bv_status bv_store_role_add(bv_store *s, const bv_role_row *r);
bv_status bv_store_role_each(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx);
/* Boards a person holds a role on. */
bv_status bv_store_role_each_person(
    bv_store *s, int64_t person_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx);

bv_status bv_store_board_key_get(
    bv_store *s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow *k);
bv_status bv_store_board_key_add(bv_store *s, int64_t board_id, int64_t epoch, const bv_keyrow *k);

bv_status bv_store_item_get(bv_store *s, const char *uid, bv_item_row *it);
/* Inserts the whole item row (its body already stored); fills it->id. */
bv_status bv_store_item_add(bv_store *s, bv_item_row *it);
bv_status bv_store_item_each(
    bv_store *s, const char *board, bv_status (*fn)(void *, const bv_item_row *), void *ctx);
bv_status bv_store_item_key_get(
    bv_store *s, int64_t item_id, int64_t epoch, uint8_t *w, size_t *wlen);
bv_status bv_store_item_key_set(
    bv_store *s, int64_t item_id, int64_t epoch, const uint8_t *w, size_t wlen);
/*
 * Bodies. A body larger than one batch is staged: written in a run of
 * batches of BV_STAGE_BATCH chunks before the item's own transaction
 * adopts it, so that no transaction holds a whole large body. A staging
 * body whose writer has not touched it for BV_STAGE_STALE_S seconds is
 * taken for abandoned (the writer died) and swept, like a condemned one
 * (its item destroyed or rekeyed).
 */
#define BV_STAGE_BATCH 32
#define BV_STAGE_STALE_S 900
/* New body, 'staging' (its own transactions follow) or 'live' (inside
 * the transaction of its item). */
bv_status bv_store_body_new(bv_store *s, int staging, int64_t *id);
/* Heartbeat of a staging body; BV_ERR if it was swept meanwhile. */
bv_status bv_store_body_touch(bv_store *s, int64_t id);
/* Staging -> live, inside the item's transaction; BV_ERR if swept. */
bv_status bv_store_body_adopt(bv_store *s, int64_t id);
bv_status bv_store_body_condemn(bv_store *s, int64_t id);
/* Outside a transaction: delete condemned bodies and stale staging ones,
 * a batch per transaction; counts the bodies deleted. */
/* p, when total (the chunks expected) is not 0, hears how far the sweep
 * is, in chunks. */
bv_status bv_store_body_sweep(bv_store *s, uint64_t *swept, const bv_progress *p, uint64_t total);
bv_status bv_store_chunk_put(
    bv_store *s, int64_t body_id, uint64_t idx, const uint8_t *p, size_t n);
/* Every chunk of body_id is put: make them durable before any
 * transaction that names the body commits (an engine may keep a large
 * body outside its transactions). */
bv_status bv_store_body_flush(bv_store *s, int64_t body_id);
/* *outside 1 when the chunks put so far of body_id (a staging body, from
 * its first chunk on) are kept outside the engine's transactions (a file):
 * its staging batches then hold nothing but the body's heartbeat, and
 * need not end every BV_STAGE_BATCH chunks. */
bv_status bv_store_body_outside(bv_store *s, int64_t body_id, int *outside);
/* A condemned body's bytes given up now, without the overwrite the sweep
 * gives them: after a rekey's commit, whose old ciphertext is under a data
 * key that only former holders of it can use, and whom a copy of the
 * vault then no longer gives it (THREATS.md, "Old ciphertext"). A body
 * kept outside the engine's rows (a file) is unlinked; rows are left to
 * the sweep. A body that is not condemned is an error, nothing removed. */
bv_status bv_store_body_unlink(bv_store *s, int64_t body_id);
/* One chunk into p (cap bytes); BV_EINTEGRITY if missing or too long. */
bv_status bv_store_chunk_get(
    bv_store *s, int64_t body_id, uint64_t idx, uint8_t *p, size_t cap, size_t *n);
/* Streams the chunks in index order: want(idx, n) hands out a buffer of
 * at least n bytes for the chunk, which is read into it, then got(idx, n). */
typedef bv_status (*bv_chunk_fn)(void *ctx, uint64_t idx, size_t n, uint8_t **dst);
typedef bv_status (*bv_chunk_done_fn)(void *ctx, uint64_t idx, size_t n);
bv_status bv_store_chunk_each(
    bv_store *s, int64_t body_id, bv_chunk_fn want, bv_chunk_done_fn got, void *ctx);
bv_status bv_store_grantset_set(bv_store *s, int64_t item_id, int64_t version, const uint8_t *names,
    size_t nlen, const char *by, const uint8_t *sig, size_t siglen);

bv_status bv_store_grant_get(bv_store *s, int64_t item_id, int64_t person_id, bv_keyrow *k);
bv_status bv_store_grant_put(bv_store *s, int64_t item_id, const bv_keyrow *k);
bv_status bv_store_grant_delete(bv_store *s, int64_t item_id, int64_t person_id);
bv_status bv_store_grant_each(
    bv_store *s, int64_t item_id, bv_status (*fn)(void *, const bv_keyrow *), void *ctx);

/* Audit: the tree state (one row) and the entries. */
bv_status bv_store_audit_state(bv_store *s, bv_buf *frontier);
bv_status bv_store_audit_append(
    bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen);
bv_status bv_store_audit_each(bv_store *s, const bv_audit_filter *f,
    bv_status (*fn)(void *, const bv_audit_row *), void *ctx);
bv_status bv_store_audit_leaf_hash(bv_store *s, uint64_t index, uint8_t out[32]);
bv_status bv_store_audit_count(bv_store *s, uint64_t *n);
/* The highest seq stored (0 for none): cheap, unlike the count. */
bv_status bv_store_audit_last_seq(bv_store *s, uint64_t *n);
/* Every entry after seq `after`, in seq order; only seq and leaf are set:
 * the caller reads the signed text, never the columns. */
bv_status bv_store_audit_after(
    bv_store *s, uint64_t after, bv_status (*fn)(void *, const bv_audit_row *), void *ctx);
/*
 * The server-enforced record (docs/DESIGN.md): on a store that keeps it,
 * a grant is never read directly. The `open` entry goes to
 * record_open (in a write transaction; BV_EPERM, the refusal kept by the
 * store, when the caller holds no grant), and once that is committed the
 * grant comes from grant_release, outside any transaction, against the
 * entry's seq (BV_EPERM when refused). Stores that do not keep it say 0
 * and refuse both calls.
 */
int bv_store_record_enforced(bv_store *s);
bv_status bv_store_record_open(
    bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen);
bv_status bv_store_grant_release(bv_store *s, const char *item, uint64_t seq, bv_keyrow *k);
/*
 * Each person's own login, where the record is kept (BV_OK and nothing
 * done elsewhere). login_make, in the approval's write transaction, maps
 * login (NULL: the person's name) to the person and puts it in the
 * members' group, making it if it is missing, when this connection may;
 * what it may not do is left in note->sql. login_drop, in the reset's,
 * before the person is dropped, unmaps their login and drops it the same
 * way. note->sql is the caller's to free (bv_buf_init before).
 */
bv_status bv_store_login_make(
    bv_store *s, const char *person, const char *login, bv_login_note *note);
bv_status bv_store_login_drop(bv_store *s, const char *person, bv_login_note *note);
/* Per actor and outcome: count, first and last time of `open` on item. */
bv_status bv_store_audit_item_summary(bv_store *s, const char *item,
    bv_status (*fn)(void *, const char *actor, const char *outcome, int64_t count,
        const char *first, const char *last),
    void *ctx);
bv_status bv_store_checkpoint_add(
    bv_store *s, uint64_t size, const char *by, const uint8_t *note, size_t len);
bv_status bv_store_checkpoint_each(
    bv_store *s, bv_status (*fn)(void *, uint64_t, const uint8_t *, size_t), void *ctx);
/* The newest stored checkpoint, as its row says (unverified: for status). */
typedef struct {
    uint64_t size;
    char created[21];
    char by[BV_NAME_MAX + 1];
} bv_store_cp_info;
bv_status bv_store_checkpoint_latest(bv_store *s, bv_store_cp_info *info); /* BV_ENOTFOUND: none */
/* Bodies not (yet, or any longer) an item's: staging and condemned. */
bv_status bv_store_body_counts(bv_store *s, uint64_t *staging, uint64_t *condemned);
/* A consistent copy of the vault, taken while it is in use, into path
 * (an empty file the caller made); synced before it returns. */
bv_status bv_store_backup(bv_store *s, const char *path);
/* What a backup at from keeps beside its file (the SQLite engine's file
 * bodies) follows it to the name to, never replacing anything; with keep
 * 0 it is removed instead. */
bv_status bv_store_backup_name(bv_store *s, const char *from, const char *to, int keep);
/*
 * Every row of the vault in from into to, a store just opened with
 * BV_STORE_CREATE (of either engine), in one write transaction on to:
 * the same ids, the bodies' chunks streamed one at a time, the log with
 * its leaf hashes and tree state, the checkpoints and the meta (vault
 * id, root, KDF policy). Staging and condemned bodies stay behind. Reads
 * from in one read transaction. *rows counts the rows written. The copy
 * is unverified: the domain opens it as a vault and checks it.
 */
bv_status bv_store_copy(bv_store *from, bv_store *to, uint64_t *rows);
/* Removes the vault bv_store_open(where, BV_STORE_CREATE) made, once
 * closed: the file and its journals, or the server's schema. */
bv_status bv_store_remove(const char *where);
/* What the vault takes on disk (its pages; not a WAL in flight). */
bv_status bv_store_size(bv_store *s, uint64_t *bytes);

bv_status bv_store_item_destroy(bv_store *s, int64_t item_id);
/* Board membership changes and key rotation. by NULL clears a removal. */
bv_status bv_store_removal_get(bv_store *s, int64_t board_id, const char *name,
    char by[BV_NAME_MAX + 1], uint8_t *sig, size_t *siglen);
bv_status bv_store_removal_set(bv_store *s, int64_t board_id, const char *name, const char *by,
    const uint8_t *sig, size_t siglen);
bv_status bv_store_item_resign(
    bv_store *s, int64_t item_id, const char *by, const uint8_t *sig, size_t siglen);
bv_status bv_store_item_set_uid(bv_store *s, int64_t item_id, const char *uid);
bv_status bv_store_agenda_relink(bv_store *s, int64_t from, int64_t to);
bv_status bv_store_retired_add(bv_store *s, const char *name, const uint8_t pk[32], const char *by,
    const uint8_t *sig, size_t siglen);
bv_status bv_store_retired_each(bv_store *s,
    bv_status (*fn)(void *, const char *name, const uint8_t *pk, size_t pklen, const char *by,
        const uint8_t *sig, size_t siglen),
    void *ctx);
bv_status bv_store_person_drop(bv_store *s, int64_t person_id);

bv_status bv_store_keychange_put(bv_store *s, int64_t person_id, const bv_keychange_row *k);
/* BV_ENOTFOUND (no message) when the person asked for none. */
bv_status bv_store_keychange_get(bv_store *s, int64_t person_id, bv_keychange_row *k);
bv_status bv_store_person_rekey(bv_store *s, int64_t person_id, const bv_keychange_row *k,
    const char *by, const uint8_t *cert_sig, size_t siglen);
bv_status bv_store_role_delete(bv_store *s, int64_t board_id, int64_t person_id);
bv_status bv_store_board_set_epoch(bv_store *s, int64_t board_id, int64_t epoch);
bv_status bv_store_epoch_drop(bv_store *s, int64_t board_id, int64_t epoch);
bv_status bv_store_board_items(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, int64_t, const char *), void *ctx);
/* After secrets were deleted (best effort): no old copy of the deleted
 * rows left in the engine's journal, and with give_back the freed space
 * returned to the file system. */
void bv_store_reclaim(bv_store *s, int give_back);
bv_status bv_store_item_expired(bv_store *s, const char *today,
    bv_status (*fn)(void *, const char *uid, const char *board), void *ctx);

/* OUT rows: every minutes key row of the board, oldest generation first
 * (none before its first import); the caller frees *rows with free(). */
bv_status bv_store_minutes_keys(
    bv_store *s, int64_t board_id, bv_minutes_key_row **rows, size_t *n);
bv_status bv_store_minutes_key_set(
    bv_store *s, int64_t board_id, int64_t gen, int64_t epoch, const uint8_t *w, size_t wlen);
/* The board's meeting whose doc_hash, made with minutes key gen, is hash. */
bv_status bv_store_meeting_find(
    bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32], int64_t *id);
bv_status bv_store_meeting_add(bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32],
    const struct bv_meeting *m, const char *by, int64_t *id);
bv_status bv_store_agenda_link(bv_store *s, int64_t meeting_id, int ordinal, int64_t item_id);
bv_status bv_store_meeting_load(bv_store *s, int64_t id, bv_meeting_row *out);
/* fn(ctx, id, board, date_iso, date_line, items, restricted) */
bv_status bv_store_meeting_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int),
    void *ctx);
/* fn(ctx, meeting, date_iso, number, ordinal, item title, owners, text, status) */
bv_status bv_store_action_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,
        const char *, const char *),
    void *ctx);

#endif
