/*
 * bv_model.h - the rows the domain and a storage engine pass each other:
 * people, boards, roles, wrapped keys, items, audit entries, meetings.
 * Neither the commands nor an engine owns them. What a row holds is
 * untrusted until the domain has checked its signatures.
 */
#ifndef BV_MODEL_H
#define BV_MODEL_H

#include "bv.h"

struct bv_meeting; /* bv_minutes.h */

#define BV_NAME_MAX 64 /* bytes of a person or board name */
#define BV_TITLE_MAX 1024 /* bytes of an item title */
#define BV_UID_LEN 16 /* item ids: 16 lower-case hex digits */
#define BV_SECRET_MAX 256 /* a person's wrapped secret-key record */
#define BV_BLOB_MAX 256 /* wrapped keys and signatures */

/*
 * What the store did about a person's own login to the vault's database
 * (the server-enforced record), for the command to say: login is the one
 * concerned ("" for none), done that it is in place (or gone) now, sql
 * the statements left for the database's administrator ("" for none).
 */
typedef struct {
    char login[BV_NAME_MAX + 1];
    int done;
    bv_buf sql;
} bv_login_note;

typedef struct {
    int64_t id;
    char name[BV_NAME_MAX + 1];
    uint8_t box_pk[32], sign_pk[32];
    uint8_t secret[BV_SECRET_MAX];
    size_t secret_len;
    int approved;
    char cert_by[BV_NAME_MAX + 1]; /* "" while pending */
    uint8_t cert_sig[BV_BLOB_MAX];
    size_t cert_sig_len;
    char created[21];
} bv_person_row;

typedef struct {
    int64_t id;
    char name[BV_NAME_MAX + 1];
    int64_t epoch;
    char created_by[BV_NAME_MAX + 1];
    uint8_t sig[BV_BLOB_MAX];
    size_t sig_len;
    char created[21];
} bv_board_row;

typedef struct {
    int64_t board_id, person_id;
    char person[BV_NAME_MAX + 1];
    char role[16];
    char added_by[BV_NAME_MAX + 1];
    uint8_t sig[BV_BLOB_MAX];
    size_t sig_len;
} bv_role_row;

/* A wrapped key held by a person: board key (per epoch) or item grant. */
typedef struct {
    int64_t person_id;
    char person[BV_NAME_MAX + 1];
    uint8_t sealed[BV_BLOB_MAX];
    size_t sealed_len;
    char by[BV_NAME_MAX + 1];
    uint8_t sig[BV_BLOB_MAX];
    size_t sig_len;
} bv_keyrow;

typedef struct {
    int64_t id;
    char uid[BV_UID_LEN + 1];
    int64_t body_id; /* bodies.id of its chunks */
    int64_t board_id;
    char board[BV_NAME_MAX + 1];
    char title[BV_TITLE_MAX + 1];
    uint64_t size, nchunks;
    int64_t sealed_epoch;
    uint8_t header[24];
    size_t header_len;
    bv_buf chunk_hashes; /* nchunks x 32 bytes */
    char sealed_by[BV_NAME_MAX + 1];
    uint8_t sig[BV_BLOB_MAX];
    size_t sig_len;
    char created[21];
    char retain_until[11]; /* "YYYY-MM-DD" or "" (signed with the seal) */
    /* the current signed grant set */
    int64_t gs_version;
    bv_buf gs_names;
    char gs_by[BV_NAME_MAX + 1];
    uint8_t gs_sig[BV_BLOB_MAX];
    size_t gs_sig_len;
} bv_item_row;

/* An audit entry's columns; leaf holds the exact signed bytes. */
typedef struct {
    int64_t seq;
    const char *time;
    const char *actor, *actor_fp, *action, *board, *item, *meeting, *agenda, *outcome, *reason;
    const uint8_t *leaf;
    size_t leaf_len;
    const uint8_t *leaf_hash; /* stored RFC 6962 leaf hash (NULL if malformed) */
} bv_audit_row;

typedef struct {
    const char *board, *item, *actor, *action, *outcome, *since, *until;
} bv_audit_filter;

void bv_item_row_init(bv_item_row *it);
void bv_item_row_free(bv_item_row *it);

/* New key pairs a member asked for (member rekey), until an officer
 * certifies them (member approve). */
typedef struct {
    uint8_t box_pk[32], sign_pk[32];
    uint8_t secret[BV_SECRET_MAX];
    size_t secret_len;
    uint8_t sig[BV_BLOB_MAX];
    size_t sig_len;
    char requested[21];
} bv_keychange_row;

/* ---- meetings: the open record of imported minutes ---- */
typedef struct {
    int64_t id, board_id;
    char board[BV_NAME_MAX + 1];
    char imported_by[BV_NAME_MAX + 1];
    char created[21];
    struct bv_meeting *m; /* agenda, blocks and actions (bv_minutes.h) */
    char (*uids)[BV_UID_LEN + 1]; /* per agenda item: sealed item id or "" */
} bv_meeting_row;

/* One wrapped minutes key: generation gen under the board key of epoch. */
typedef struct {
    int64_t gen, epoch;
    uint8_t wrapped[BV_BLOB_MAX];
    size_t wlen;
} bv_minutes_key_row;

void bv_meeting_row_free(bv_meeting_row *r);

/* Audit verification: a checkpoint given from outside (an auditor's saved copy). */
typedef struct {
    const char *label; /* file name, for messages */
    const uint8_t *p;
    size_t len;
} bv_audit_cp;

typedef struct {
    uint64_t size;
    uint8_t root[32];
    uint64_t signed_entries, unsigned_entries, checkpoints;
} bv_audit_report;

/* What an entry records: one table of names (audit.c), the words of the
 * log's action line (AUDIT.md §1). */
typedef enum {
    BV_ACT_INIT,
    BV_ACT_ENROLL,
    BV_ACT_APPROVE,
    BV_ACT_PASSWD,
    BV_ACT_KDF_UPGRADE,
    BV_ACT_KEY_CHANGE,
    BV_ACT_RESET,
    BV_ACT_BOARD_CREATE,
    BV_ACT_BOARD_ADD,
    BV_ACT_BOARD_REMOVE,
    BV_ACT_SEAL,
    BV_ACT_GRANT,
    BV_ACT_REVOKE,
    BV_ACT_GRANTSET,
    BV_ACT_OPEN,
    BV_ACT_REKEY,
    BV_ACT_DESTROY,
    BV_ACT_RETENTION,
    BV_ACT_CHECKPOINT,
    BV_ACT_MINUTES_IMPORT,
    BV_ACT_UNLOCK, /* boardvault unlock: only its failures are entries */
    BV_ACT_NONE /* not one of ours: a name read from an entry that is not */
} bv_act;

/* The action's name as written in entries. */
const char *bv_audit_act_name(bv_act a);
/* The action a name stands for; BV_ACT_NONE if none. */
bv_act bv_audit_act_parse(const char *name);

#endif
