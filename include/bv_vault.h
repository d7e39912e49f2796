/*
 * bv_vault.h - what the commands do: the domain layer between the CLI and
 * the store/crypto modules. Each operation checks who may do it, checks
 * every signature on the rows it relies on (the database is untrusted),
 * changes the vault and appends its audit entry in one transaction.
 */
#ifndef BV_VAULT_H
#define BV_VAULT_H

#include "bv.h"
#include "bv_crypto.h"
#include "bv_kdf.h"
#include "bv_out.h"
#include "bv_pass.h"
#include "bv_model.h"

typedef struct bv_vault bv_vault;

/* A person who has unlocked their keys with their passphrase. */
typedef struct {
    bv_person_row row;
    bv_keys *keys;
    char fp[BV_FP_LEN];
} bv_actor;

/* Names of people and boards: 1..64 bytes of UTF-8, no control characters. */
bv_status bv_name_check(const char *what, const char *name);

bv_status bv_vault_create(const char *path, const char *root, const bv_secret *pass,
    const bv_kdf_params *kp, char vault_hex[33], char fp[BV_FP_LEN]);
/*
 * Open a vault. Its root key must match the pin for this vault (pinned on
 * first use, see bv_trust.h) and trust (a fingerprint the user gave with
 * --trust, or NULL): BV_EINTEGRITY otherwise. note gets a message for the
 * user when a pin was written.
 */
/* flags: */
#define BV_OPEN_RO 1 /* read only */
#define BV_OPEN_VERIFY 2 /* audit verify: the log view is read after the log is */
bv_status bv_vault_open(
    const char *path, int flags, const char *trust, char note[256], bv_vault **out);
void bv_vault_close(bv_vault *v);
/* Where seal, open, rekey and audit verify report their progress; p
 * must outlive v's use (NULL: nowhere). */
void bv_vault_set_progress(bv_vault *v, const bv_progress *p);
const uint8_t *bv_vault_id(const bv_vault *v);

/*
 * Unlock NAME's keys. An unknown name or a wrong passphrase is recorded
 * (unsigned entry: action `action`, item `item`) and returns BV_EAUTH.
 */
bv_status bv_vault_unlock(bv_vault *v, const char *name, const bv_secret *pass, bv_act action,
    const char *item, bv_actor **out);
/*
 * Unlock NAME through the agent holding their keys (bv_agent.h), if one
 * runs for this vault: its public keys must be NAME's in the vault, with
 * a certificate chain that verifies, and it must sign a fresh challenge
 * with them. BV_ENOTFOUND when there is no agent; BV_EAUTH when it holds
 * keys that are not NAME's in this vault now (a rekey or reset since).
 * Either way the caller may ask for the passphrase instead.
 */
bv_status bv_vault_unlock_agent(
    bv_vault *v, const char *name, bv_act action, const char *item, bv_actor **out);
void bv_actor_free(bv_actor *a);
/* Record a refused attempt by a (keeping the refusal's message); returns why. */
bv_status bv_vault_refuse(bv_vault *v, const bv_actor *a, bv_act action, const char *board,
    bv_status why, const char *reason);

bv_status bv_member_enroll(bv_vault *v, const char *name, const bv_secret *pass,
    const bv_kdf_params *kp, char fp[BV_FP_LEN]);
/* A new passphrase for a's keys (checked for strength); no grant changes. */
bv_status bv_member_passwd(
    bv_vault *v, bv_actor *a, const bv_secret *newpass, const bv_kdf_params *kp);
/* Called for each thing a reset member had: ("role", board, role) or
 * ("grant", board, item id). */
typedef void (*bv_reset_fn)(void *ctx, const char *what, const char *board, const char *detail);
/*
 * For a forgotten passphrase: the member's keys, roles and grants are
 * dropped (their old signing key is kept, retired, for the audit log), so
 * that they can enrol again and be approved and granted anew. Refused for
 * an officer who holds a board key (remove them from the board first).
 * Where the vault keeps each person's own login (the server-enforced
 * record), it is unmapped and dropped with them, or note->sql says how.
 */
bv_status bv_member_reset(bv_vault *v, bv_actor *officer, const char *name, bv_reset_fn report,
    void *ctx, bv_login_note *note);
/* The KDF settings this vault asks for (set at init). */
bv_status bv_vault_kdf_policy(bv_vault *v, bv_kdf_params *kp);
/*
 * For an exposed passphrase: new key pairs for a (not an officer), under
 * newpass, signed by a's current key; they wait for an officer's
 * bv_member_approve, which certifies them, re-issues a's grants and
 * re-signs a's roles, and retires the old keys. fp gets the new keys'
 * fingerprint, to read out to the officer.
 */
bv_status bv_member_rekey(bv_vault *v, bv_actor *a, const bv_secret *newpass,
    const bv_kdf_params *kp, char fp[BV_FP_LEN]);
/* Certify a pending member's keys, or the new keys an approved member
 * asked for with bv_member_rekey; fp gets the keys' fingerprint. With
 * expect (a fingerprint in either form, as the member read it out), keys
 * of another fingerprint are refused: BV_EINTEGRITY, nothing approved. */
bv_status bv_member_approve(
    bv_vault *v, bv_actor *officer, const char *name, const char *expect, char fp[BV_FP_LEN]);
/* The same; where the vault keeps each person's own login (the
 * server-enforced record), a first approval also maps login (NULL: the
 * person's name) to them and makes it, in the same transaction, or
 * note->sql says how (note's buffer initialised by the caller). */
bv_status bv_member_approve_login(bv_vault *v, bv_actor *officer, const char *name,
    const char *expect, char fp[BV_FP_LEN], const char *login, bv_login_note *note);
/* The fingerprint of the keys bv_member_approve would certify now (a
 * pending member's, or the new keys of a pending change: *keychange),
 * read without a key, to show and compare before the passphrase; with
 * expect, refused as bv_member_approve would refuse it. */
bv_status bv_member_pending_fp(
    bv_vault *v, const char *name, const char *expect, char fp[BV_FP_LEN], int *keychange);
/* Certificate state of a person as checked now: "approved", "pending" or
 * "INVALID" (a signature in its chain does not verify). */
const char *bv_member_state(bv_vault *v, const char *name);

bv_status bv_board_create(bv_vault *v, bv_actor *officer, const char *board);
/* The current key of board b, for an officer of b (checked). */
bv_status bv_vault_board_key(
    bv_vault *v, bv_actor *officer, const bv_board_row *b, uint8_t key[32]);
typedef struct {
    int was_officer;
    char role[16]; /* the role the person had */
    int64_t epoch; /* the board key epoch after the removal */
    size_t items_rewrapped; /* item keys moved to the new epoch */
    size_t grants_revoked;
    size_t resigned; /* seals signed again by the remover */
} bv_remove_result;

/*
 * Remove a person from a board: their grants on it are revoked and a
 * signed removal recorded. If they held the board key, it is rotated: a
 * new epoch wrapped to the remaining officers, every item key re-wrapped,
 * the old epoch's keys destroyed. One transaction. The last officer
 * cannot be removed (BV_EPERM).
 */
bv_status bv_board_remove(
    bv_vault *v, bv_actor *officer, const char *board, const char *name, bv_remove_result *res);
bv_status bv_board_add(
    bv_vault *v, bv_actor *officer, const char *board, const char *name, const char *role);

/* Where a sealed item sits in the open record of a meeting. */
typedef struct {
    int64_t meeting_id;
    int ordinal; /* position in the agenda */
    int agenda_no; /* the number as published (the ordinal if unnumbered) */
} bv_item_link;

/* Seal fd's contents as a new item of board; prints nothing. link may be NULL. */
bv_status bv_item_seal(bv_vault *v, bv_actor *officer, const char *board, int fd, const char *title,
    char *const *grantees, size_t ngrantees, const bv_item_link *link, const char *retain_until,
    char uid[BV_UID_LEN + 1]);
/* The same inside the caller's write transaction (minutes import), with
 * the board key of epoch bk_epoch the caller fetched before it began: on
 * a server that keeps the record, a board key is released only to a
 * transaction that has written nothing. Refused if the epoch moved. */
bv_status bv_item_seal_tx(bv_vault *v, bv_actor *officer, const char *board, int fd,
    const char *title, char *const *grantees, size_t ngrantees, const bv_item_link *link,
    const char *retain_until, const uint8_t *bk, int64_t bk_epoch, char uid[BV_UID_LEN + 1]);
/*
 * Crypto-shred an item: its body, every wrapped key and grant are deleted
 * (secure_delete zeroes the pages, which are then handed back, and the WAL
 * is emptied); the audit entries about it stay, with a "destroy" entry.
 */
/*
 * A new data key for an item: the body re-encrypted (streamed, one
 * transaction), grants re-issued to the current grantees only, the old
 * ciphertext and keys destroyed, the seal signed again by officer.
 */
bv_status bv_item_rekey(bv_vault *v, bv_actor *officer, const char *uid);
bv_status bv_item_destroy(bv_vault *v, bv_actor *officer, const char *uid, const char *reason);
/* Destroy every item whose retention date is before today (YYYY-MM-DD);
 * done() is told about each. */
/*
 * Sweep now what seals, rekeys and destroys sweep on their way, best
 * effort: the bodies of destroyed or rekeyed items, and staging bodies
 * abandoned by a seal or rekey that died (untouched for 15 minutes). No
 * key is needed: it is ciphertext no item names. Unlike their sweep,
 * this one reports why it stopped. *swept gets the bodies removed.
 */
bv_status bv_vault_gc(bv_vault *v, uint64_t *swept);
bv_status bv_retention_run(bv_vault *v, bv_actor *officer, const char *today,
    void (*done)(void *, const char *uid, bv_status st), void *ctx);
bv_status bv_item_grant(
    bv_vault *v, bv_actor *officer, const char *uid, char *const *names, size_t n);
bv_status bv_item_revoke(
    bv_vault *v, bv_actor *officer, const char *uid, char *const *names, size_t n);
/*
 * Open: check the grant and every signature, commit the audit record,
 * then stream authenticated plaintext into out. Refusals and integrity
 * failures are recorded too. The caller commits or aborts out.
 */
bv_status bv_item_open(bv_vault *v, bv_actor *reader, const char *uid, bv_out *out);

/*
 * Verify the log (no passphrase needed), then read its facts afresh into
 * this client's log view: unauth gets a line for each entry that claims a
 * change of state (a grant set, an epoch, a removal) that its signer had
 * no authority to make. Those move nothing; the caller decides how loud.
 */
bv_status bv_vault_audit_verify(
    bv_vault *v, const bv_audit_cp *ext, size_t next, bv_audit_report *rep, bv_buf *unauth);
/* A consistent copy of the live vault as dest (which must not exist),
 * verified as audit verify does before it is given that name; rep gets
 * the copy's verification. No key is needed: the copy is ciphertext. */
bv_status bv_vault_backup(bv_vault *v, const char *dest, bv_audit_report *rep);
/* vault copy: the source's log as verified before the copy, the copy's
 * as verified after it, and the rows (and chunks) written. */
typedef struct {
    bv_audit_report src, dst;
    uint64_t rows;
} bv_vault_copy_report;
/* The vault src, verified, copied as a new vault dst of either engine
 * (a file, or a server's database without a vault) with its id and root,
 * then opened under trust and verified; dst is removed on any failure. */
bv_status bv_vault_copy(
    bv_vault *src, const char *dst, const char *trust, bv_vault_copy_report *rep);
/* Verify, then sign and store a checkpoint as person a (an officer or an
 * auditor of some board); note receives the signed checkpoint. */
bv_status bv_vault_checkpoint(bv_vault *v, bv_actor *a, bv_buf *note);

#endif
