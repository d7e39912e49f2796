/*
 * bv_format.h - the exact bytes boardvault signs, binds and stores
 * (docs/FORMATS.md; vectors in keys/). Every signed message and every
 * associated-data string is a list of fields, each a u32 big-endian
 * length and its bytes; the first field names the kind and version, the
 * second is the vault id. A format change here must change keys/.
 */
#ifndef BV_FORMAT_H
#define BV_FORMAT_H

#include "bv.h"
#include "bv_crypto.h"
#include "bv_kdf.h"
#include "bv_pass.h"
#include "bv_store.h"

#define BV_SECRET_MAGIC "BVK1"
#define BV_SECRET_HDR (4 + 12 + BV_SALT_LEN)
#define BV_SECRET_LEN (BV_SECRET_HDR + BV_WRAPPED_LEN + 32)

typedef const uint8_t bv_vid[BV_VAULT_ID_LEN];

void bv_fmt_start(bv_buf *b, bv_vid vid, const char *kind);
/* An officer's certificate of a person's name and public keys. */
void bv_fmt_cert(bv_buf *b, bv_vid vid, const bv_person_row *p, const char *by);
void bv_fmt_board(bv_buf *b, bv_vid vid, const char *board, const char *by);
void bv_fmt_role(bv_buf *b, bv_vid vid, const char *board, const bv_person_row *p, const char *role,
    const char *by);
/* Context inside a sealed board key: board, epoch, recipient. */
void bv_fmt_board_key_ctx(
    bv_buf *b, bv_vid vid, const char *board, int64_t epoch, const bv_person_row *p);
/* AD of an item's data key wrapped under the board key of `epoch`. */
void bv_fmt_item_key_ad(bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t epoch);
/*
 * A board's minutes keys key the hash that recognises a document imported
 * before. Generation g is the key made in epoch g (at the first import of
 * that epoch), so that no officer removed before it ever held it; every
 * generation is wrapped under the board key of the current `epoch` with
 * this AD and re-wrapped at every rotation, so old documents stay
 * recognisable under the key they were hashed with.
 */
void bv_fmt_minutes_key_ad(bv_buf *b, bv_vid vid, const char *board, int64_t gen, int64_t epoch);
bv_status bv_fmt_minutes_key_wrap(bv_vid vid, const char *board, int64_t gen, int64_t epoch,
    const uint8_t board_key[32], const uint8_t key[32], bv_buf *out);
/* BV_EINTEGRITY if the wrapping is not this board's generation at this epoch. */
bv_status bv_fmt_minutes_key_unwrap(bv_vid vid, const char *board, int64_t gen, int64_t epoch,
    const uint8_t board_key[32], const uint8_t *w, size_t wlen, uint8_t key[32]);
/* meetings.doc_hash: BLAKE2b-256 keyed with the minutes key, over a tag
 * and the document as imported. */
void bv_fmt_minutes_hash(uint8_t out[32], const uint8_t key[32], const uint8_t *doc, size_t len);
/* AD of every body chunk: the epoch the item was sealed under, for life. */
void bv_fmt_body_ad(
    bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t sealed_epoch);
/* The AD of a body of the given format (2: bv_fmt_body_ad; 3: the same
 * fields and then F(u64 3), FORMATS.md §4.7). */
void bv_fmt_body_ad_of(
    bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t sealed_epoch, int format);
/* A body's format from its signed items.header (FORMATS.md §5): 2 for a
 * 24-byte secretstream header, 3 for the single byte 0x03, 0 otherwise. */
int bv_fmt_body_format(const uint8_t *header, size_t len);
/* Context inside a grant's sealed box. */
void bv_fmt_grant_ctx(
    bv_buf *b, bv_vid vid, const char *board, const char *uid, const bv_person_row *p);
/* Officers' signatures over a wrapped board key and over a grant. */
void bv_fmt_board_key_sig(
    bv_buf *b, bv_vid vid, const char *board, int64_t epoch, const bv_keyrow *k);
void bv_fmt_grant_sig(
    bv_buf *b, bv_vid vid, const char *board, const char *uid, const bv_keyrow *k);
/* An officer's record that a reset person's old signing key is retired. */
void bv_fmt_retired(bv_buf *b, bv_vid vid, const char *name, const uint8_t pk[32], const char *by);
/* An officer's record that a person left a board. */
/* key-change v1: a member's new public keys, signed with their old key. */
void bv_fmt_keychange(
    bv_buf *b, bv_vid vid, const char *name, const uint8_t box_pk[32], const uint8_t sign_pk[32]);
void bv_fmt_removal(bv_buf *b, bv_vid vid, const char *board, const char *name, const char *by);
void bv_fmt_grantset(bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t version,
    const uint8_t *names, size_t nlen, const char *by);
/* The sealing officer's signature: covers the hash of all chunk hashes. */
void bv_fmt_item(bv_buf *b, bv_vid vid, const bv_item_row *it);

/*
 * A person's secret-key record: "BVK1" | m_kib | t | p (u32 BE) | salt16 |
 * nonce24 | XChaCha20-Poly1305(box_sk || ed25519 seed), AD = the person
 * key context including that header. out holds BV_SECRET_LEN bytes.
 */
bv_status bv_fmt_secret_wrap(bv_vid vid, const char *name, const bv_keys *k, const bv_secret *pass,
    const bv_kdf_params *kp, uint8_t *out, size_t *outlen);
/* BV_EAUTH for a wrong passphrase, BV_EINTEGRITY for a damaged record. */
/* The KDF parameters a record was made with; BV_EINTEGRITY (no message)
 * if it is not a record. */
bv_status bv_fmt_secret_params(const uint8_t *secret, size_t len, bv_kdf_params *kp);
bv_status bv_fmt_secret_unwrap(
    bv_vid vid, const bv_person_row *p, const bv_secret *pass, bv_keys **out);

#endif
