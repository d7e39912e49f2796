/*
 * format.c - canonical messages, associated data and the secret-key
 * record (see include/bv_format.h and docs/FORMATS.md).
 */
#include "bv_format.h"

#include <sodium.h>
#include <string.h>

static bv_status
oom(bv_buf *b)
{
    return b->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

void
bv_fmt_start(bv_buf *b, bv_vid vid, const char *kind)
{
    bv_buf_init(b);
    bv_buf_field_str(b, kind);
    bv_buf_field(b, vid, BV_VAULT_ID_LEN);
}

void
bv_fmt_cert(bv_buf *b, bv_vid vid, const bv_person_row *p, const char *by)
{
    bv_fmt_start(b, vid, "boardvault cert v1");
    bv_buf_field_str(b, p->name);
    bv_buf_field(b, p->box_pk, 32);
    bv_buf_field(b, p->sign_pk, 32);
    bv_buf_field_str(b, by);
}

void
bv_fmt_board(bv_buf *b, bv_vid vid, const char *board, const char *by)
{
    bv_fmt_start(b, vid, "boardvault board v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, by);
}

void
bv_fmt_role(bv_buf *b, bv_vid vid, const char *board, const bv_person_row *p, const char *role,
    const char *by)
{
    bv_fmt_start(b, vid, "boardvault role v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, p->name);
    bv_buf_field(b, p->sign_pk, 32);
    bv_buf_field_str(b, role);
    bv_buf_field_str(b, by);
}

void
bv_fmt_board_key_ctx(
    bv_buf *b, bv_vid vid, const char *board, int64_t epoch, const bv_person_row *p)
{
    bv_fmt_start(b, vid, "boardvault board-key v1");
    bv_buf_field_str(b, board);
    bv_buf_field_u64(b, (uint64_t)epoch);
    bv_buf_field_str(b, p->name);
    bv_buf_field(b, p->box_pk, 32);
}

void
bv_fmt_item_key_ad(bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t epoch)
{
    bv_fmt_start(b, vid, "boardvault item-key v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, uid);
    bv_buf_field_u64(b, (uint64_t)epoch);
}

void
bv_fmt_minutes_key_ad(bv_buf *b, bv_vid vid, const char *board, int64_t gen, int64_t epoch)
{
    bv_fmt_start(b, vid, "boardvault minutes-key v1");
    bv_buf_field_str(b, board);
    bv_buf_field_u64(b, (uint64_t)gen);
    bv_buf_field_u64(b, (uint64_t)epoch);
}

bv_status
bv_fmt_minutes_key_wrap(bv_vid vid, const char *board, int64_t gen, int64_t epoch,
    const uint8_t board_key[32], const uint8_t key[32], bv_buf *out)
{
    bv_buf ad;
    bv_status st;

    bv_fmt_minutes_key_ad(&ad, vid, board, gen, epoch);
    if ((st = oom(&ad)) == BV_OK)
        st = bv_wrap(board_key, ad.p, ad.len, key, 32, out);
    bv_buf_free(&ad);
    return st;
}

bv_status
bv_fmt_minutes_key_unwrap(bv_vid vid, const char *board, int64_t gen, int64_t epoch,
    const uint8_t board_key[32], const uint8_t *w, size_t wlen, uint8_t key[32])
{
    bv_buf ad;
    bv_status st;

    bv_fmt_minutes_key_ad(&ad, vid, board, gen, epoch);
    if ((st = oom(&ad)) == BV_OK && bv_unwrap(board_key, ad.p, ad.len, w, wlen, key, 32) != BV_OK)
        st = bv_fail(
            BV_EINTEGRITY, "minutes key %lld of board %s does not verify", (long long)gen, board);
    bv_buf_free(&ad);
    return st;
}

void
bv_fmt_minutes_hash(uint8_t out[32], const uint8_t key[32], const uint8_t *doc, size_t len)
{
    /* v2: keyed with the minutes key; v1 was keyed with the board key of
     * the epoch at import, and so changed at every rotation */
    static const char tag[] = "boardvault minutes-hash v2";
    crypto_generichash_state h;

    crypto_generichash_init(&h, key, 32, 32);
    crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag);
    crypto_generichash_update(&h, doc, len);
    crypto_generichash_final(&h, out, 32);
    sodium_memzero(&h, sizeof h); /* the state holds the key */
}

void
bv_fmt_body_ad(bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t sealed_epoch)
{
    bv_fmt_start(b, vid, "boardvault body v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, uid);
    bv_buf_field_u64(b, (uint64_t)sealed_epoch);
}

void
bv_fmt_body_ad_of(
    bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t sealed_epoch, int format)
{
    bv_fmt_body_ad(b, vid, board, uid, sealed_epoch);
    if (format >= 3) /* FORMATS.md §4.7: format 3 appends its number */
        bv_buf_field_u64(b, (uint64_t)format);
}

int
bv_fmt_body_format(const uint8_t *header, size_t len)
{
    if (len == BV_STREAM_HEADER)
        return 2;
    if (len == BV_BODY3_HEADER && header[0] == 3)
        return 3;
    return 0;
}

void
bv_fmt_grant_ctx(bv_buf *b, bv_vid vid, const char *board, const char *uid, const bv_person_row *p)
{
    bv_fmt_start(b, vid, "boardvault grant v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, uid);
    bv_buf_field_str(b, p->name);
    bv_buf_field(b, p->box_pk, 32);
}

static void
keyrow_tail(bv_buf *b, const bv_keyrow *k)
{
    bv_buf_field_str(b, k->person);
    bv_buf_field(b, k->sealed, k->sealed_len);
    bv_buf_field_str(b, k->by);
}

void
bv_fmt_board_key_sig(bv_buf *b, bv_vid vid, const char *board, int64_t epoch, const bv_keyrow *k)
{
    bv_fmt_start(b, vid, "boardvault board-key-sig v1");
    bv_buf_field_str(b, board);
    bv_buf_field_u64(b, (uint64_t)epoch);
    keyrow_tail(b, k);
}

void
bv_fmt_grant_sig(bv_buf *b, bv_vid vid, const char *board, const char *uid, const bv_keyrow *k)
{
    bv_fmt_start(b, vid, "boardvault grant-sig v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, uid);
    keyrow_tail(b, k);
}

void
bv_fmt_retired(bv_buf *b, bv_vid vid, const char *name, const uint8_t pk[32], const char *by)
{
    bv_fmt_start(b, vid, "boardvault retired-key v1");
    bv_buf_field_str(b, name);
    bv_buf_field(b, pk, 32);
    bv_buf_field_str(b, by);
}

void
bv_fmt_keychange(
    bv_buf *b, bv_vid vid, const char *name, const uint8_t box_pk[32], const uint8_t sign_pk[32])
{
    bv_fmt_start(b, vid, "boardvault key-change v1");
    bv_buf_field_str(b, name);
    bv_buf_field(b, box_pk, 32);
    bv_buf_field(b, sign_pk, 32);
}

void
bv_fmt_removal(bv_buf *b, bv_vid vid, const char *board, const char *name, const char *by)
{
    bv_fmt_start(b, vid, "boardvault removal v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, name);
    bv_buf_field_str(b, by);
}

void
bv_fmt_grantset(bv_buf *b, bv_vid vid, const char *board, const char *uid, int64_t version,
    const uint8_t *names, size_t nlen, const char *by)
{
    bv_fmt_start(b, vid, "boardvault grantset v1");
    bv_buf_field_str(b, board);
    bv_buf_field_str(b, uid);
    bv_buf_field_u64(b, (uint64_t)version);
    bv_buf_field(b, names, nlen);
    bv_buf_field_str(b, by);
}

void
bv_fmt_item(bv_buf *b, bv_vid vid, const bv_item_row *it)
{
    uint8_t h[32];

    bv_hash(h, it->chunk_hashes.p, it->chunk_hashes.len);
    bv_fmt_start(b, vid, "boardvault item v1");
    bv_buf_field_str(b, it->board);
    bv_buf_field_str(b, it->uid);
    bv_buf_field_str(b, it->title);
    bv_buf_field_u64(b, (uint64_t)it->sealed_epoch);
    bv_buf_field_u64(b, it->size);
    bv_buf_field_u64(b, it->nchunks);
    bv_buf_field(b, it->header, it->header_len);
    bv_buf_field(b, h, 32);
    bv_buf_field_str(b, it->sealed_by);
    bv_buf_field_str(b, it->retain_until); /* "" when kept until destroyed */
}

/* Wrap a person's two seeds under their passphrase (docs/FORMATS.md). */
bv_status
bv_fmt_secret_wrap(bv_vid vid, const char *name, const bv_keys *k, const bv_secret *pass,
    const bv_kdf_params *kp, uint8_t *outp, size_t *outlen)
{
    uint8_t *kek = NULL, *seeds = NULL;
    uint8_t hdr[BV_SECRET_HDR];
    bv_buf ad, w;
    bv_status st;

    bv_buf_init(&w);
    memcpy(hdr, BV_SECRET_MAGIC, 4);
    bv_store_be32(hdr + 4, kp->m_kib);
    bv_store_be32(hdr + 8, kp->t);
    bv_store_be32(hdr + 12, kp->p);
    randombytes_buf(hdr + 16, BV_SALT_LEN);
    bv_fmt_start(&ad, vid, "boardvault person-key v1");
    bv_buf_field_str(&ad, name);
    bv_buf_field(&ad, k->box_pk, 32);
    bv_buf_field(&ad, k->sign_pk, 32);
    bv_buf_field(&ad, hdr, sizeof hdr);
    if ((kek = bv_key_alloc()) == NULL || (seeds = sodium_malloc(64)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = oom(&ad)) != BV_OK || (st = bv_kdf_derive(pass, hdr + 16, kp, kek)) != BV_OK)
        goto out;
    if ((st = bv_keys_seeds(k, seeds)) != BV_OK
        || (st = bv_wrap(kek, ad.p, ad.len, seeds, 64, &w)) != BV_OK)
        goto out;
    memcpy(outp, hdr, sizeof hdr);
    memcpy(outp + sizeof hdr, w.p, w.len);
    *outlen = sizeof hdr + w.len;
out:
    bv_key_free(kek);
    sodium_free(seeds);
    bv_buf_free(&ad);
    bv_buf_free(&w);
    return st;
}

/* The one reader of a record's header (FORMATS.md §3): magic, then the
 * Argon2id parameters, big-endian. */
bv_status
bv_fmt_secret_params(const uint8_t *secret, size_t len, bv_kdf_params *kp)
{
    if (len != BV_SECRET_LEN || memcmp(secret, BV_SECRET_MAGIC, 4) != 0)
        return BV_EINTEGRITY;
    kp->m_kib = bv_load_be32(secret + 4);
    kp->t = bv_load_be32(secret + 8);
    kp->p = bv_load_be32(secret + 12);
    return BV_OK;
}

bv_status
bv_fmt_secret_unwrap(bv_vid vid, const bv_person_row *p, const bv_secret *pass, bv_keys **out)
{
    uint8_t *kek = NULL, *seeds = NULL;
    bv_kdf_params kp;
    bv_keys *k = NULL;
    bv_buf ad;
    bv_status st;

    *out = NULL;
    bv_buf_init(&ad);
    if (bv_fmt_secret_params(p->secret, p->secret_len, &kp) != BV_OK)
        return bv_fail(BV_EINTEGRITY, "the key record of %s is damaged", p->name);
    /* refuse tampered parameters before the KDF allocates anything */
    if (bv_kdf_check(&kp) != BV_OK) {
        bv_err_clear();
        return bv_fail(
            BV_EINTEGRITY, "the key record of %s has impossible KDF parameters", p->name);
    }
    bv_fmt_start(&ad, vid, "boardvault person-key v1");
    bv_buf_field_str(&ad, p->name);
    bv_buf_field(&ad, p->box_pk, 32);
    bv_buf_field(&ad, p->sign_pk, 32);
    bv_buf_field(&ad, p->secret, BV_SECRET_HDR);
    if ((kek = bv_key_alloc()) == NULL || (seeds = sodium_malloc(64)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = oom(&ad)) != BV_OK || (st = bv_kdf_derive(pass, p->secret + 16, &kp, kek)) != BV_OK)
        goto out;
    if (bv_unwrap(
            kek, ad.p, ad.len, p->secret + BV_SECRET_HDR, p->secret_len - BV_SECRET_HDR, seeds, 64)
        != BV_OK) {
        /* a wrong passphrase and a damaged record look the same here */
        st = bv_fail(BV_EAUTH, "wrong passphrase for %s", p->name);
        goto out;
    }
    if ((st = bv_keys_from_seeds(seeds, &k)) != BV_OK)
        goto out;
    if (sodium_memcmp(k->box_pk, p->box_pk, 32) != 0
        || sodium_memcmp(k->sign_pk, p->sign_pk, 32) != 0) {
        st = bv_fail(BV_EINTEGRITY, "the public keys of %s do not match the secret keys", p->name);
        goto out;
    }
    *out = k;
    k = NULL;
out:
    bv_keys_free(k);
    bv_key_free(kek);
    sodium_free(seeds);
    bv_buf_free(&ad);
    return st;
}
