/*
 * bv_crypto.h - the crypto envelope: person key pairs, key wrapping with
 * associated data, sealed boxes bound to a context, signatures and the
 * chunked body stream. Everything is libsodium, except body format 3's
 * AEAD and hash (OpenSSL libcrypto, for its speed); nothing here knows about
 * the store or the command line. Formats are fixed in docs/FORMATS.md and
 * pinned by the vectors in keys/.
 */
#ifndef BV_CRYPTO_H
#define BV_CRYPTO_H

#include "bv.h"

#define BV_KEY_LEN 32
#define BV_PK_LEN 32
#define BV_SIG_LEN 64
#define BV_VAULT_ID_LEN 16
#define BV_FP_LEN 52 /* "SHA256:" + 43 base64 chars + NUL, rounded */
/* Body chunk: 1 MiB of plaintext per secretstream message (and per row:
 * with 64 KiB pages a chunk fills 17 pages, so storage overhead stays
 * near 6% and SQLite issues few, large writes). */
#define BV_CHUNK 1048576u
#define BV_STREAM_HEADER 24u /* crypto_secretstream_xchacha20poly1305_HEADERBYTES */
#define BV_STREAM_ABYTES 17u /* crypto_secretstream_xchacha20poly1305_ABYTES */
/* A wrapped symmetric key: 24-byte nonce || 32-byte key || 16-byte tag. */
#define BV_WRAPPED_LEN (24u + 32u + 16u)
/* A key in a sealed box: 48-byte box overhead || 32-byte context hash || key. */
#define BV_SEALED_LEN (48u + 32u + 32u)

struct bv_agent_conn; /* bv_agent.h */

/* A person's four keys. Always allocated with sodium_malloc. When agent
 * is set, an agent holds the secret halves (zero here): bv_sign and
 * bv_open_key ask it, and the seeds cannot be had (bv_keys_seeds). */
typedef struct {
    uint8_t box_pk[32]; /* X25519, for sealed boxes */
    uint8_t box_sk[32];
    uint8_t sign_pk[32]; /* Ed25519 */
    uint8_t sign_sk[64]; /* libsodium layout: seed || pk */
    struct bv_agent_conn *agent;
} bv_keys;

/* sodium_init, and a check that we link the library we were built for. */
bv_status bv_crypto_init(void);

bv_status bv_keys_alloc(bv_keys **out);
bv_status bv_keys_generate(bv_keys **out);
/* Rebuild the key pairs from the two 32-byte seeds stored wrapped. */
bv_status bv_keys_from_seeds(const uint8_t seeds[64], bv_keys **out);
/* BV_EUSAGE for keys held by an agent: it never hands out a seed. */
bv_status bv_keys_seeds(const bv_keys *k, uint8_t seeds[64]);
void bv_keys_free(bv_keys *k);

/* A random symmetric key in sodium memory. */
uint8_t *bv_key_new(void);
uint8_t *bv_key_alloc(void);
void bv_key_free(uint8_t *key);

/* "SHA256:" + unpadded base64 of SHA-256(sign_pk || box_pk). */
void bv_fingerprint(const uint8_t sign_pk[32], const uint8_t box_pk[32], char out[BV_FP_LEN]);
#define BV_FP_ALOUD_LEN 40 /* "xxxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx" + NUL */
/* fp as eight groups of four hex digits, for reading aloud ("?" if fp
 * is not a fingerprint). */
void bv_fingerprint_aloud(const char fp[BV_FP_LEN], char out[BV_FP_ALOUD_LEN]);
/* given is a fingerprint in either form (SHA256:…, or the 32 hex digits
 * of the aloud form, spaces, dashes, colons and case free). */
int bv_fingerprint_valid(const char *given);
/* fp and given name the same keys (given in either form). */
int bv_fingerprint_match(const char fp[BV_FP_LEN], const char *given);

/* XChaCha20-Poly1305 (IETF) under kek, nonce random, ad bound. out: nonce || ct. */
bv_status bv_wrap(const uint8_t kek[32], const uint8_t *ad, size_t adlen, const uint8_t *msg,
    size_t mlen, bv_buf *out);
/* BV_EINTEGRITY if the tag, the ad or the length does not match. */
bv_status bv_unwrap(const uint8_t kek[32], const uint8_t *ad, size_t adlen, const uint8_t *wrapped,
    size_t wlen, uint8_t *msg, size_t mlen);

/*
 * Sealed boxes carry no associated data, so the plaintext is
 * SHA-256(context) || key and opening checks the context: a box moved
 * to another item, board or person fails with BV_EINTEGRITY.
 */
bv_status bv_seal_key(
    const uint8_t pk[32], const uint8_t *ctx, size_t ctxlen, const uint8_t key[32], bv_buf *out);
bv_status bv_open_key(const bv_keys *k, const uint8_t *ctx, size_t ctxlen, const uint8_t *sealed,
    size_t slen, uint8_t key[32]);

/* Fails only for keys held by an agent that has gone or refuses. */
bv_status bv_sign(const bv_keys *k, const uint8_t *msg, size_t len, uint8_t sig[64]);
/* bv_sign for a bv_note_signer (bv_note.h): ctx is the const bv_keys. */
bv_status bv_keys_note_signer(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);
bv_status bv_verify(
    const uint8_t pk[32], const uint8_t *msg, size_t len, const uint8_t *sig, size_t siglen);

/* BLAKE2b-256, the collision-resistant hash of format-2 ciphertext
 * chunks and of the manifest's list of chunk hashes. */
void bv_hash(uint8_t out[32], const uint8_t *p, size_t n);

/*
 * Body format 3 (docs/FORMATS.md §5.2): each chunk its own
 * ChaCha20-Poly1305 (IETF, RFC 8439) message under the item's data key,
 * nonce = u88_be(chunk index) || u8(1 on the last chunk, else 0), the
 * STREAM construction; stored as ct || tag16. Chunks are independent, so
 * they encrypt on every core. OpenSSL's libcrypto does the arithmetic
 * (the same bytes as libsodium's crypto_aead_chacha20poly1305_ietf, at
 * twice its speed here); SHA-256 through it uses SHA-NI where present.
 */
#define BV_CHUNK3_ABYTES 16u
#define BV_BODY3_HEADER 1u /* items.header of a format-3 body: the byte 0x03 */
/* SHA-256 of a format-3 ciphertext chunk, the hash the seal signs. */
bv_status bv_hash_chunk3(uint8_t out[32], const uint8_t *p, size_t n);
/* ct must hold n + BV_CHUNK3_ABYTES bytes. */
bv_status bv_chunk3_seal(const uint8_t key[32], uint64_t idx, int last, const uint8_t *ad,
    size_t adlen, const uint8_t *pt, size_t n, uint8_t *ct);
/* pt must hold ctlen - BV_CHUNK3_ABYTES bytes; BV_EINTEGRITY unless
 * ct authenticates as chunk idx (last or not) under key and ad. */
bv_status bv_chunk3_open(const uint8_t key[32], uint64_t idx, int last, const uint8_t *ad,
    size_t adlen, const uint8_t *ct, size_t ctlen, uint8_t *pt, size_t *ptlen);

/*
 * The body: crypto_secretstream_xchacha20poly1305, one message per chunk,
 * TAG_FINAL on the last (an empty body is one empty final chunk). The
 * same ad goes with every chunk; the stream's own counter orders them.
 */
typedef struct bv_stream bv_stream;
bv_status bv_stream_push_init(
    const uint8_t key[32], uint8_t header[BV_STREAM_HEADER], bv_stream **out);
bv_status bv_stream_pull_init(
    const uint8_t key[32], const uint8_t header[BV_STREAM_HEADER], bv_stream **out);
/* ct must hold n + BV_STREAM_ABYTES bytes. */
bv_status bv_stream_push(bv_stream *s, const uint8_t *ad, size_t adlen, const uint8_t *pt, size_t n,
    int final, uint8_t *ct);
/* pt must hold ctlen - BV_STREAM_ABYTES bytes. *final set from the tag. */
bv_status bv_stream_pull(bv_stream *s, const uint8_t *ad, size_t adlen, const uint8_t *ct,
    size_t ctlen, uint8_t *pt, size_t *ptlen, int *final);
void bv_stream_free(bv_stream *s);

#endif
