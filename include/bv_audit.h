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
#include "bv_store.h"

#define BV_AUDIT_HEADER "boardvault-audit/v1"

typedef struct {
    const char *actor; /* the name given with --as (may be unknown) */
    const char *actor_fp; /* the actor's key fingerprint, NULL if unknown */
    const char *action; /* init, enroll, approve, board-create, seal, open, ... */
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

/* "boardvault/<32 hex>" - the log origin and the prefix of key names. */
void bv_audit_origin(const uint8_t vault_id[BV_VAULT_ID_LEN], char out[44]);
/* The signed-note key name of a person: origin "/" percent-encoded name. */
bv_status bv_audit_key_name(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, bv_buf *out);

#endif
