/*
 * crypto.c - the envelope around libsodium (see include/bv_crypto.h), and
 * body format 3's AEAD and hash through OpenSSL's libcrypto.
 * Secret keys and stream states live in sodium_malloc'd memory: guard
 * pages, mlock, excluded from core dumps, wiped on free.
 */
#include "bv_crypto.h"
#include "bv_agent.h"

#include <limits.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct bv_stream {
    crypto_secretstream_xchacha20poly1305_state st;
};

bv_status
bv_crypto_init(void)
{
    if (sodium_init() < 0)
        return bv_fail(BV_ERR, "libsodium failed to initialise");
    return BV_OK;
}

bv_status
bv_keys_alloc(bv_keys **out)
{
    if ((*out = sodium_malloc(sizeof **out)) == NULL) {
        /* BV_ERR spelt out: gcc then sees that no caller goes on with NULL */
        (void)bv_fail(BV_ERR, "out of secure memory");
        return BV_ERR;
    }
    sodium_memzero(*out, sizeof **out);
    return BV_OK;
}

bv_status
bv_keys_from_seeds(const uint8_t seeds[64], bv_keys **out)
{
    bv_keys *k;
    bv_status st;

    if ((st = bv_keys_alloc(&k)) != BV_OK)
        return st;
    memcpy(k->box_sk, seeds, 32);
    if (crypto_scalarmult_base(k->box_pk, k->box_sk) != 0
        || crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seeds + 32) != 0) {
        bv_keys_free(k);
        return bv_fail(BV_ERR, "key derivation failed");
    }
    *out = k;
    return BV_OK;
}

bv_status
bv_keys_generate(bv_keys **out)
{
    uint8_t *seeds;
    bv_status st;

    if ((seeds = sodium_malloc(64)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    randombytes_buf(seeds, 64);
    st = bv_keys_from_seeds(seeds, out);
    sodium_free(seeds);
    return st;
}

bv_status
bv_keys_seeds(const bv_keys *k, uint8_t seeds[64])
{
    /* the zeros standing for an agent's keys must never be wrapped */
    if (k->agent)
        return bv_fail(BV_EUSAGE, "the agent never hands out keys: give the passphrase");
    memcpy(seeds, k->box_sk, 32);
    memcpy(seeds + 32, k->sign_sk, 32); /* the first half of libsodium's sk is the seed */
    return BV_OK;
}

void
bv_keys_free(bv_keys *k)
{
    if (k == NULL)
        return;
    bv_agent_conn_free(k->agent);
    sodium_free(k); /* wipes */
}

uint8_t *
bv_key_alloc(void)
{
    uint8_t *k = sodium_malloc(BV_KEY_LEN);

    if (k)
        sodium_memzero(k, BV_KEY_LEN);
    return k;
}

uint8_t *
bv_key_new(void)
{
    uint8_t *k = sodium_malloc(BV_KEY_LEN);

    if (k)
        randombytes_buf(k, BV_KEY_LEN);
    return k;
}

void
bv_key_free(uint8_t *key)
{
    sodium_free(key);
}

void
bv_fingerprint(const uint8_t sign_pk[32], const uint8_t box_pk[32], char out[BV_FP_LEN])
{
    crypto_hash_sha256_state h;
    uint8_t d[32];

    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, sign_pk, 32);
    crypto_hash_sha256_update(&h, box_pk, 32);
    crypto_hash_sha256_final(&h, d);
    memcpy(out, "SHA256:", 7);
    sodium_bin2base64(
        out + 7, BV_FP_LEN - 7, d, sizeof d, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

/*
 * The same fingerprint to be read aloud over a telephone: the first 128
 * bits of its SHA-256 as eight groups of four hex digits ("3f9a 1c22 …").
 * Base64 is a poor thing to read out (case, +, /); 128 bits is still far
 * beyond what anyone could match by making keys.
 */
void
bv_fingerprint_aloud(const char fp[BV_FP_LEN], char out[BV_FP_ALOUD_LEN])
{
    uint8_t d[32];
    size_t n = 0, i, o = 0;
    static const char hex[] = "0123456789abcdef";

    memset(d, 0, sizeof d);
    if (strncmp(fp, "SHA256:", 7) != 0
        || sodium_base642bin(d, sizeof d, fp + 7, strlen(fp + 7), NULL, &n, NULL,
               sodium_base64_VARIANT_ORIGINAL_NO_PADDING)
            != 0
        || n != sizeof d) {
        snprintf(out, BV_FP_ALOUD_LEN, "?");
        return;
    }
    for (i = 0; i < 16; i++) {
        if (i && i % 2 == 0)
            out[o++] = ' ';
        out[o++] = hex[d[i] >> 4];
        out[o++] = hex[d[i] & 15];
    }
    out[o] = '\0';
}

int
bv_fingerprint_valid(const char *given)
{
    size_t n = 0;

    if (strncmp(given, "SHA256:", 7) == 0)
        return strlen(given) == 7 + 43;
    for (; *given; given++) {
        if (*given == ' ' || *given == '-' || *given == ':')
            continue;
        if (!((*given >= '0' && *given <= '9') || (*given >= 'a' && *given <= 'f')
                || (*given >= 'A' && *given <= 'F')))
            return 0;
        n++;
    }
    return n == 32;
}

int
bv_fingerprint_match(const char fp[BV_FP_LEN], const char *given)
{
    char aloud[BV_FP_ALOUD_LEN];
    const char *a;

    if (strncmp(given, "SHA256:", 7) == 0)
        return strcmp(fp, given) == 0;
    if (!bv_fingerprint_valid(given))
        return 0;
    bv_fingerprint_aloud(fp, aloud);
    /* the hex digits in order, whatever groups, case or separators */
    for (a = aloud; *given; given++) {
        if (*given == ' ' || *given == '-' || *given == ':')
            continue;
        while (*a == ' ')
            a++;
        if (*a == '\0' || (*given | 0x20) != *a)
            return 0;
        a++;
    }
    return *a == '\0';
}

bv_status
bv_wrap(const uint8_t kek[32], const uint8_t *ad, size_t adlen, const uint8_t *msg, size_t mlen,
    bv_buf *out)
{
    const size_t nlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    const size_t alen = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned long long clen;
    uint8_t *p;

    bv_buf_init(out);
    bv_buf_put(out, NULL, 0);
    if (out->oom || mlen > SIZE_MAX - nlen - alen)
        return bv_fail(BV_ERR, "out of memory");
    if ((p = malloc(nlen + mlen + alen)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    randombytes_buf(p, nlen);
    crypto_aead_xchacha20poly1305_ietf_encrypt(p + nlen, &clen, msg, mlen, ad, adlen, NULL, p, kek);
    bv_buf_put(out, p, nlen + (size_t)clen);
    free(p);
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

bv_status
bv_unwrap(const uint8_t kek[32], const uint8_t *ad, size_t adlen, const uint8_t *wrapped,
    size_t wlen, uint8_t *msg, size_t mlen)
{
    const size_t nlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    const size_t alen = crypto_aead_xchacha20poly1305_ietf_ABYTES;

    if (wlen != nlen + mlen + alen)
        return bv_fail(BV_EINTEGRITY, "wrapped key has the wrong length");
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            msg, NULL, NULL, wrapped + nlen, wlen - nlen, ad, adlen, wrapped, kek)
        != 0)
        return BV_EINTEGRITY; /* caller names what failed */
    return BV_OK;
}

static void
ctx_hash(uint8_t out[32], const uint8_t *ctx, size_t ctxlen)
{
    crypto_hash_sha256(out, ctx, ctxlen);
}

bv_status
bv_seal_key(
    const uint8_t pk[32], const uint8_t *ctx, size_t ctxlen, const uint8_t key[32], bv_buf *out)
{
    uint8_t *pt;
    uint8_t ct[BV_SEALED_LEN];

    bv_buf_init(out);
    if ((pt = sodium_malloc(64)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    ctx_hash(pt, ctx, ctxlen);
    memcpy(pt + 32, key, 32);
    if (crypto_box_seal(ct, pt, 64, pk) != 0) {
        sodium_free(pt);
        return bv_fail(BV_EINTEGRITY, "public key refused by crypto_box_seal");
    }
    sodium_free(pt);
    bv_buf_put(out, ct, sizeof ct);
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

bv_status
bv_open_key(const bv_keys *k, const uint8_t *ctx, size_t ctxlen, const uint8_t *sealed, size_t slen,
    uint8_t key[32])
{
    uint8_t *pt;
    uint8_t want[32];
    bv_status st = BV_EINTEGRITY;

    if (slen != BV_SEALED_LEN)
        return BV_EINTEGRITY;
    if (k->agent)
        return bv_agent_open_key(k->agent, ctx, ctxlen, sealed, slen, key);
    if ((pt = sodium_malloc(64)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    if (crypto_box_seal_open(pt, sealed, slen, k->box_pk, k->box_sk) != 0)
        goto out;
    ctx_hash(want, ctx, ctxlen);
    if (sodium_memcmp(pt, want, 32) != 0)
        goto out;
    memcpy(key, pt + 32, 32);
    st = BV_OK;
out:
    sodium_free(pt);
    return st;
}

bv_status
bv_sign(const bv_keys *k, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    if (k->agent)
        return bv_agent_sign(k->agent, msg, len, sig);
    crypto_sign_detached(sig, NULL, msg, len, k->sign_sk);
    return BV_OK;
}

bv_status
bv_keys_note_signer(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return bv_sign(ctx, msg, len, sig);
}

bv_status
bv_verify(const uint8_t pk[32], const uint8_t *msg, size_t len, const uint8_t *sig, size_t siglen)
{
    if (siglen != BV_SIG_LEN || crypto_sign_verify_detached(sig, msg, len, pk) != 0)
        return BV_EINTEGRITY;
    return BV_OK;
}

void
bv_hash(uint8_t out[32], const uint8_t *p, size_t n)
{
    crypto_generichash(out, 32, p, n, NULL, 0);
}

static bv_status
stream_alloc(bv_stream **out)
{
    if ((*out = sodium_malloc(sizeof **out)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    return BV_OK;
}

bv_status
bv_stream_push_init(const uint8_t key[32], uint8_t header[BV_STREAM_HEADER], bv_stream **out)
{
    bv_status st;

    if ((st = stream_alloc(out)) != BV_OK)
        return st;
    crypto_secretstream_xchacha20poly1305_init_push(&(*out)->st, header, key);
    return BV_OK;
}

bv_status
bv_stream_pull_init(const uint8_t key[32], const uint8_t header[BV_STREAM_HEADER], bv_stream **out)
{
    bv_status st;

    if ((st = stream_alloc(out)) != BV_OK)
        return st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&(*out)->st, header, key) != 0) {
        bv_stream_free(*out);
        *out = NULL;
        return bv_fail(BV_EINTEGRITY, "body header is invalid");
    }
    return BV_OK;
}

bv_status
bv_stream_push(bv_stream *s, const uint8_t *ad, size_t adlen, const uint8_t *pt, size_t n,
    int final, uint8_t *ct)
{
    uint8_t tag = final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                        : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;

    if (crypto_secretstream_xchacha20poly1305_push(&s->st, ct, NULL, pt, n, ad, adlen, tag) != 0)
        return bv_fail(BV_ERR, "chunk encryption failed");
    return BV_OK;
}

bv_status
bv_stream_pull(bv_stream *s, const uint8_t *ad, size_t adlen, const uint8_t *ct, size_t ctlen,
    uint8_t *pt, size_t *ptlen, int *final)
{
    unsigned long long n;
    uint8_t tag;

    if (ctlen < BV_STREAM_ABYTES
        || crypto_secretstream_xchacha20poly1305_pull(&s->st, pt, &n, &tag, ct, ctlen, ad, adlen)
            != 0)
        return BV_EINTEGRITY;
    if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
        && tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        return BV_EINTEGRITY; /* we never write PUSH or REKEY tags */
    *ptlen = (size_t)n;
    *final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    return BV_OK;
}

void
bv_stream_free(bv_stream *s)
{
    sodium_free(s);
}

/* ---- body format 3 (FORMATS.md §5.2), through OpenSSL's EVP ---- */

bv_status
bv_hash_chunk3(uint8_t out[32], const uint8_t *p, size_t n)
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != 32)
        return bv_fail(BV_ERR, "SHA-256 failed in libcrypto");
    return BV_OK;
}

/* The STREAM nonce: 11-byte big-endian chunk index, then the last-chunk
 * flag. An index needs 11 bytes only past 2^64 chunks, so the top three
 * are zero. */
static void
chunk3_nonce(uint8_t nonce[12], uint64_t idx, int last)
{
    memset(nonce, 0, 3);
    bv_store_be64(nonce + 3, idx);
    nonce[11] = last ? 0x01 : 0x00;
}

/* One AEAD pass. enc: ct = E(in) then the tag after it; else in is ct
 * (n bytes without the tag), tag checked. 0 on success. */
static int
chunk3_crypt(int enc, const uint8_t key[32], uint64_t idx, int last, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c;
    uint8_t nonce[12];
    int len, ok = 0;

    if (n > INT_MAX || adlen > INT_MAX || (c = EVP_CIPHER_CTX_new()) == NULL)
        return -1;
    chunk3_nonce(nonce, idx, last);
    if (EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, NULL, NULL, enc) != 1
        || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1
        || EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) != 1
        || (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
        || (adlen && EVP_CipherUpdate(c, NULL, &len, ad, (int)adlen) != 1)
        || (n && EVP_CipherUpdate(c, out, &len, in, (int)n) != 1)
        || EVP_CipherFinal_ex(c, out + n, &len) != 1
        || (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1))
        goto out;
    ok = 1;
out:
    EVP_CIPHER_CTX_free(c); /* clears the key schedule */
    return ok ? 0 : -1;
}

bv_status
bv_chunk3_seal(const uint8_t key[32], uint64_t idx, int last, const uint8_t *ad, size_t adlen,
    const uint8_t *pt, size_t n, uint8_t *ct)
{
    if (chunk3_crypt(1, key, idx, last, ad, adlen, pt, n, ct, ct + n) != 0)
        return bv_fail(BV_ERR, "chunk encryption failed in libcrypto");
    return BV_OK;
}

bv_status
bv_chunk3_open(const uint8_t key[32], uint64_t idx, int last, const uint8_t *ad, size_t adlen,
    const uint8_t *ct, size_t ctlen, uint8_t *pt, size_t *ptlen)
{
    uint8_t tag[16];
    size_t n;

    if (ctlen < BV_CHUNK3_ABYTES)
        return BV_EINTEGRITY;
    n = ctlen - BV_CHUNK3_ABYTES;
    memcpy(tag, ct + n, 16);
    if (chunk3_crypt(0, key, idx, last, ad, adlen, ct, n, pt, tag) != 0) {
        sodium_memzero(pt, n); /* nothing unauthenticated stays behind */
        return BV_EINTEGRITY;
    }
    *ptlen = n;
    return BV_OK;
}
