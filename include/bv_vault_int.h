/*
 * bv_vault_int.h - what the domain's files (src/vault*.c) share, and only
 * they: the vault handle, the checks of signatures and roles, the audit
 * append, grant sets, the log view. Commands never include it; they see
 * include/bv_vault.h (make check-layers).
 */
#ifndef BV_VAULT_INT_H
#define BV_VAULT_INT_H

#include "bv_audit.h"
#include "bv_logview.h"
#include "bv_store.h"
#include "bv_vault.h"

/* Certificate and role chains longer than this are refused. */
#define MAX_DEPTH 16

struct bv_vault {
    bv_store *s;
    bv_logview *view; /* what this client verified of the log */
    const bv_progress *progress; /* long runs report here (NULL: nowhere) */
    int readonly;
    uint8_t id[BV_VAULT_ID_LEN];
    char root[BV_NAME_MAX + 1];
};

/* A board found by id (bv_vault_board_by_id_cb). */
struct board_by_id {
    int64_t id;
    bv_board_row b;
    int found;
};

/* The names of a grant set, parsed. */
struct nameset {
    char (*v)[BV_NAME_MAX + 1];
    size_t n, cap;
};

/* Items by id and uid (bv_vault_idlist_cb). */
struct idlist {
    int64_t *id;
    char (*uid)[BV_UID_LEN + 1];
    size_t n, cap;
};

/* ---- vault.c: the handle, signing, the log ---- */
bv_status bv_vault_audit(bv_vault *v, const bv_actor *a, bv_act action, const char *board,
    const char *item, const char *outcome, const char *reason);
bv_status bv_vault_idlist_cb(void *ctx, int64_t id, const char *uid);
bv_status bv_vault_make_person(const bv_vault *v, const char *name, const bv_secret *pass,
    const bv_kdf_params *kp, bv_person_row *p, bv_keys **keys);
bv_status bv_vault_oom(bv_buf *b);
bv_status bv_vault_record(bv_vault *v, const bv_audit_event *ev, const bv_keys *signer);
bv_status bv_vault_refuse_item(bv_vault *v, const bv_actor *a, bv_act action, const char *board,
    const char *item, bv_status why, const char *reason);
bv_status bv_vault_sign(const bv_keys *k, bv_buf *msg, uint8_t sig[64]);
/* shown: bytes of the body being swept that the progress should show
 * (a destroy's), 0 for a sweep of leftovers nobody waits for. */
bv_status bv_vault_sweep(bv_vault *v, uint64_t shown);
void bv_vault_unstage(bv_vault *v, int64_t body_id, bv_status st);
bv_status bv_vault_verify(const uint8_t pk[32], bv_buf *msg, const uint8_t *sig, size_t siglen);

/* ---- vault_trust.c: chains, roles, board keys ---- */
bv_status bv_vault_actor_ok(bv_vault *v, bv_actor *a);
bv_status bv_vault_board_by_id_cb(void *ctx, const bv_board_row *b);
bv_status bv_vault_epoch_check(bv_vault *v, const bv_board_row *b);
bv_status bv_vault_get_board(bv_vault *v, const char *board, bv_board_row *b);
bv_status bv_vault_get_board_key(
    bv_vault *v, const bv_actor *o, const bv_board_row *b, uint8_t key[32]);
const char *bv_vault_last_of(const char *s, const char *w);
bv_status bv_vault_officer_anywhere(bv_vault *v, const char *name, int depth);
bv_status bv_vault_officer_of(bv_vault *v, const bv_board_row *b, const char *name, int depth);
bv_status bv_vault_person_ok(bv_vault *v, const char *name, bv_person_row *p, int depth);
bv_status bv_vault_put_board_key(bv_vault *v, const bv_actor *o, const bv_board_row *b,
    int64_t epoch, const bv_person_row *p, const uint8_t key[32]);
int bv_vault_removed(bv_vault *v, const bv_board_row *b, const char *name, int depth);
bv_status bv_vault_role_of(
    bv_vault *v, const bv_board_row *b, const bv_person_row *p, char role[16]);

/* ---- vault_view.c: the log view ---- */
bv_status bv_vault_view_extend(bv_vault *v, bv_logview *lv, const bv_logview *seen, bv_buf *unauth);
bv_status bv_vault_view_fact(bv_vault *v, int grantset, const char *key, int64_t *n);
bv_status bv_vault_view_sync(bv_vault *v, char note[256]);

/* ---- vault_grant.c: grant sets and grants ---- */
bv_status bv_vault_grantee_ok(
    bv_vault *v, const bv_board_row *b, const char *name, bv_person_row *p);
bv_status bv_vault_grantset_check(bv_vault *v, const bv_board_row *b, const bv_item_row *it);
bv_status bv_vault_item_for_officer(bv_vault *v, bv_actor *o, const char *uid, bv_act action,
    bv_item_row *it, bv_board_row *b, struct nameset *gs);
int bv_vault_names_has(const uint8_t *p, size_t len, const char *name);
bv_status bv_vault_nameset_add(struct nameset *s, const char *name);
void bv_vault_nameset_del(struct nameset *s, const char *name);
bv_status bv_vault_nameset_parse(struct nameset *s, const uint8_t *p, size_t len);
bv_status bv_vault_put_grant(bv_vault *v, const bv_actor *o, const bv_item_row *it,
    const bv_person_row *p, const uint8_t key[32]);
bv_status bv_vault_put_grantset(
    bv_vault *v, const bv_actor *o, const bv_item_row *it, struct nameset *s);

/* ---- vault_item.c: items ---- */
bv_status bv_vault_item_check(bv_vault *v, const bv_board_row *b, const bv_item_row *it);
bv_status bv_vault_item_key_officer(
    bv_vault *v, const bv_actor *o, const bv_board_row *b, const bv_item_row *it, uint8_t key[32]);
void bv_vault_new_uid(char uid[BV_UID_LEN + 1]);

/* A write transaction, the log view brought up to date first. */
bv_status bv_vault_begin(bv_vault *v);

/* ---- for the domain's own files and the test tools ---- */
bv_store *bv_vault_store(bv_vault *v);
/* Every person's signing key, marked certified when its chain verifies. */
bv_status bv_vault_keyring(bv_vault *v, bv_audit_keyring *kr);

#endif
