/*
 * bv_read.h - what the commands may read of a vault without acting as
 * anyone: listings, the open record, the audit log and its proofs. Each
 * call owns its read transaction (or joins the caller's, when one read
 * runs inside another's callback), so a listing is one consistent view.
 * Rows are as stored: unverified. Listings say so; only the domain's own
 * checks (open, grant, audit verify) decide anything on them.
 */
#ifndef BV_READ_H
#define BV_READ_H

#include "bv_model.h"
#include "bv_vault.h"

typedef bv_status (*bv_board_fn)(void *, const bv_board_row *);
typedef bv_status (*bv_role_fn)(void *, const bv_role_row *);
typedef bv_status (*bv_person_fn)(void *, const bv_person_row *);
typedef bv_status (*bv_item_fn)(void *, const bv_item_row *);
typedef bv_status (*bv_audit_fn)(void *, const bv_audit_row *);
/* fn(ctx, id, board, date_iso, date_line, items, restricted) */
typedef bv_status (*bv_meeting_fn)(
    void *, int64_t, const char *, const char *, const char *, int, int);
/* fn(ctx, meeting, date_iso, number, ordinal, item title, owners, text, status) */
typedef bv_status (*bv_action_fn)(void *, int64_t, const char *, int, int, const char *,
    const char *, const char *, const char *);
/* fn(ctx, actor, outcome, count, first, last): an item's opens */
typedef bv_status (*bv_summary_fn)(
    void *, const char *, const char *, int64_t, const char *, const char *);

/* One row by name, uid or id: BV_ENOTFOUND (with a message) if none. */
bv_status bv_read_board(bv_vault *v, const char *name, bv_board_row *b);
bv_status bv_read_person(bv_vault *v, const char *name, bv_person_row *p);
bv_status bv_read_item(bv_vault *v, const char *uid, bv_item_row *it);
bv_status bv_read_meeting(bv_vault *v, int64_t id, bv_meeting_row *r);

/* Every row, in the store's order; board NULL for all boards. */
bv_status bv_read_boards(bv_vault *v, bv_board_fn fn, void *ctx);
bv_status bv_read_roles(bv_vault *v, int64_t board_id, bv_role_fn fn, void *ctx);
bv_status bv_read_persons(bv_vault *v, bv_person_fn fn, void *ctx);
bv_status bv_read_items(bv_vault *v, const char *board, bv_item_fn fn, void *ctx);
/* The items `retention run` would destroy on today (YYYY-MM-DD): the
 * same query it runs. */
bv_status bv_read_expired(bv_vault *v, const char *today,
    bv_status (*fn)(void *, const char *uid, const char *board), void *ctx);
bv_status bv_read_meetings(bv_vault *v, const char *board, bv_meeting_fn fn, void *ctx);
bv_status bv_read_actions(bv_vault *v, const char *board, bv_action_fn fn, void *ctx);

/* The audit log's entries that pass f (NULL: all), in seq order, and an
 * item's opens summed per person. */
bv_status bv_read_audit(bv_vault *v, const bv_audit_filter *f, bv_audit_fn fn, void *ctx);
bv_status bv_read_audit_summary(bv_vault *v, const char *item, bv_summary_fn fn, void *ctx);

/* RFC 9162 proofs over the stored log: inclusion of entry seq in the
 * tree of *size entries (0: the whole log, and *size gets its size),
 * and consistency from m to n entries. proof holds BV_MERKLE_MAX_PROOF. */
bv_status bv_read_prove(bv_vault *v, uint64_t seq, uint64_t *size, uint8_t leaf_hash[32],
    uint8_t root[32], uint8_t proof[][32], size_t *plen);
bv_status bv_read_consistency(bv_vault *v, uint64_t m, uint64_t n, uint8_t root1[32],
    uint8_t root2[32], uint8_t proof[][32], size_t *plen);

/* A person's verifier key in the signed-note form (key_name+id+key). */
bv_status bv_read_verifier_key(bv_vault *v, const bv_person_row *p, bv_buf *out);

/* What `boardvault status` shows (bv_read_status). Times are as
 * bv_utc_now writes them; "" when there is none. */
typedef struct {
    char vault_id[2 * BV_VAULT_ID_LEN + 1];
    char root[BV_NAME_MAX + 1]; /* the root officer, whose key this client pinned */
    char root_fp[BV_FP_LEN];
    uint64_t log_size; /* entries in the log now (verified as the vault was opened) */
    uint64_t seen_size; /* the head this client remembers, and since when */
    char seen_when[21];
    uint64_t cp_size; /* the newest stored checkpoint: its size, time and age */
    char cp_when[21];
    int64_t cp_age; /* seconds; -1 when there is no checkpoint */
    bv_kdf_params policy; /* the vault's KDF policy (set at init) */
    char as[BV_NAME_MAX + 1]; /* with a name: that key record's KDF */
    bv_kdf_params mine;
    int kdf_below; /* weaker than the policy: member passwd upgrades it */
    uint64_t staging, condemned; /* leftover bodies (boardvault gc) */
    uint64_t bytes; /* the vault's size */
} bv_vault_status_rep;
/* The status of v; as NULL or a person whose key record's KDF to
 * compare with the vault's policy. Needs no key. */
bv_status bv_read_status(bv_vault *v, const char *as, bv_vault_status_rep *r);

#endif
