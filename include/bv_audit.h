/*
 * bv_audit.h - the audit log: one entry per state change and per attempt,
 * appended in the caller's write transaction so that the change and its
 * record commit together (or, for open, the record commits before any
 * plaintext is released). Entries are C2SP signed notes whose text is
 * fixed in docs/AUDIT.md; they are the leaves of an RFC 6962 tree.
 */
#ifndef BV_AUDIT_H
#define BV_AUDIT_H

#include "bv.h"
#include "bv_crypto.h"
#include "bv_merkle.h"
#include "bv_model.h"

/* The store, as the audit module uses it (bv_store.h). */
typedef struct bv_store bv_store;

#define BV_AUDIT_HEADER "boardvault-audit/v1"

typedef struct {
    const char *actor; /* the name given with --as (may be unknown) */
    const char *actor_fp; /* the actor's key fingerprint, NULL if unknown */
    bv_act action;
    const char *board, *item, *meeting, *agenda; /* NULL when not applicable */
    const char *outcome; /* ok, denied, failed */
    const char *reason; /* NULL or a short reason: wrong-passphrase, no-grant, ... */
} bv_audit_event;

/*
 * Append one entry. Must run inside a write transaction (bv_store_begin).
 * signer NULL makes an unsigned ("auth none") entry: only for attempts
 * where the actor could not authenticate.
 */
bv_status bv_audit_append(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN],
    const bv_audit_event *ev, const bv_keys *signer);
/* The same entry, handed to put instead of bv_store_audit_append (the
 * server-enforced record's bv_store_record_open); its seq in *seq_out. */
typedef bv_status (*bv_audit_put_fn)(
    bv_store *s, const bv_audit_row *row, const uint8_t *frontier, size_t flen);
bv_status bv_audit_append_via(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN],
    const bv_audit_event *ev, const bv_keys *signer, bv_audit_put_fn put, uint64_t *seq_out);

/* One entry's decoded fields (bounded copies). */
typedef struct {
    char actor[BV_NAME_MAX + 1], action[32], board[BV_NAME_MAX + 1], item[BV_UID_LEN + 8];
    char outcome[16], reason[256];
    int64_t seq; /* the position the entry was signed for */
    int is_signed; /* auth signed, with a signature block (not yet checked) */
} bv_audit_fields;

/*
 * Check a single entry on its own: well formed, of this vault, signed,
 * and its signature made by the key that key_of() gives for its actor
 * (key_of decides whether that actor's key counts). BV_EINTEGRITY if not.
 */
bv_status bv_audit_entry_check(const uint8_t vault_id[BV_VAULT_ID_LEN], const uint8_t *leaf,
    size_t len, bv_audit_fields *f, bv_status (*key_of)(void *, const char *, uint8_t[32]),
    void *ctx);

/*
 * Extend a tree head this client verified earlier (f, its right border)
 * by every stored entry after it, in order: each must sit at the next
 * position (row and signed seq), belong to this vault, and name in its
 * prev line exactly the head so far; its leaf hash is then appended to f,
 * and fn (may be NULL) sees its leaf and fields, signature not checked.
 * If seen is given, the log must pass through it too (the head a client
 * remembers, while f starts from nothing to read the whole log). Last,
 * the stored tree state must equal the new head. BV_EINTEGRITY, naming
 * the first entry that does not extend f, otherwise; fn's status is
 * returned as is. Run it inside a read transaction.
 */
bv_status bv_audit_extend(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN],
    bv_merkle_frontier *f, const bv_merkle_frontier *seen,
    bv_status (*fn)(void *, const uint8_t *, size_t, const bv_audit_fields *), void *ctx);

/* "boardvault/<32 hex>" - the log origin and the prefix of key names. */
void bv_audit_origin(const uint8_t vault_id[BV_VAULT_ID_LEN], char out[44]);
/* The signed-note key name of a person: origin "/" percent-encoded name. */
bv_status bv_audit_key_name(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, bv_buf *out);

/* A person's signing key as the verifier knows it. */
typedef struct {
    char name[BV_NAME_MAX + 1];
    char *keyname; /* origin "/" percent-encoded name */
    uint8_t pk[32];
    int certified; /* 0: pending (may sign only its own enroll entry) */
    int witness; /* an officer or auditor: may sign checkpoints */
} bv_audit_key;

typedef struct {
    bv_audit_key *k;
    size_t n;
} bv_audit_keyring;

bv_status bv_audit_keyring_add(bv_audit_keyring *kr, const uint8_t vault_id[BV_VAULT_ID_LEN],
    const char *name, const uint8_t pk[32], int certified, int witness);
void bv_audit_keyring_free(bv_audit_keyring *kr);

/*
 * Verify the whole log: every leaf against its columns and its hash,
 * sequence continuity, each entry's "prev" against the tree so far, every
 * signature against the keyring, the stored tree state, every stored
 * checkpoint and every external one (whose log must be a prefix of this
 * one, shown by a consistency proof). BV_EINTEGRITY names the first bad
 * entry; BV_EINPUT for a malformed external checkpoint.
 */
bv_status bv_audit_verify(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN],
    const bv_audit_keyring *kr, const bv_audit_cp *ext, size_t next, bv_audit_report *rep,
    const bv_progress *progress);

/* The checkpoint text for the current log: origin, size, root. */
bv_status bv_audit_checkpoint_text(
    bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], bv_buf *text, uint64_t *size);

/* RFC 6962 root of the first n entries, from the stored leaf hashes. */
bv_status bv_audit_root(bv_store *s, uint64_t n, uint8_t root[32]);
bv_status bv_audit_prove(bv_store *s, uint64_t seq, uint64_t size, uint8_t leaf_hash[32],
    uint8_t root[32], uint8_t proof[][32], size_t *plen);
bv_status bv_audit_consistency(bv_store *s, uint64_t m, uint64_t n, uint8_t root1[32],
    uint8_t root2[32], uint8_t proof[][32], size_t *plen);

#endif
