/*
 * fuzz_body.h - the known ciphertexts fuzz_body checks against, made with
 * fixed keys and the deterministic RNG of fuzz_common.h, so fuzz_body.c
 * (at start-up) and gen_seeds.c (to write the seeds) make the very same
 * bytes. Call body_known_build right after fuzz_sodium_init.
 *
 *  - two bodies as bv_body_seal writes them: secretstream under KEY with
 *    BODY_AD on every chunk, the last chunk TAG_FINAL. Stream 0 has three
 *    chunks of 64, 1 and 200 bytes; stream 1 is the empty body (one empty
 *    final chunk);
 *  - two wrapped keys (bv_wrap under KEK): a 32-byte key with WRAP_AD0 and
 *    64 bytes of seeds with WRAP_AD1;
 *  - one sealed key (bv_seal_key) for the person whose seeds are
 *    BLAKE2b-512("boardvault fuzz: person"), bound to SEAL_CTX.
 */
#ifndef BV_FUZZ_BODY_H
#define BV_FUZZ_BODY_H

#include "bv_crypto.h"
#include "fuzz_common.h"

#define BODY_AD "boardvault fuzz: board 1 item 7f3a body"
#define WRAP_AD0 "boardvault fuzz: wrapped item key"
#define WRAP_AD1 "boardvault fuzz: wrapped person seeds"
#define SEAL_CTX "boardvault fuzz: sealed-box context"
#define NSTREAMS 2
#define MAX_CHUNKS 3

typedef struct {
    uint8_t key[32];
    uint8_t header[NSTREAMS][BV_STREAM_HEADER];
    size_t nchunks[NSTREAMS];
    uint8_t *ct[NSTREAMS][MAX_CHUNKS];
    size_t ctlen[NSTREAMS][MAX_CHUNKS];
    uint8_t *pt[NSTREAMS][MAX_CHUNKS];
    size_t ptlen[NSTREAMS][MAX_CHUNKS];

    uint8_t kek[32];
    bv_buf wrapped[2];
    uint8_t wmsg[2][64];
    size_t wmlen[2];

    bv_keys *person;
    bv_buf sealed;
    uint8_t sealed_key[32];
} body_known;

static inline void
body_known_stream(body_known *k, size_t s, const size_t *sizes, size_t n)
{
    bv_stream *ss = NULL;
    size_t c, i;

    if (bv_stream_push_init(k->key, k->header[s], &ss) != BV_OK)
        abort();
    k->nchunks[s] = n;
    for (c = 0; c < n; c++) {
        k->ptlen[s][c] = sizes[c];
        k->ctlen[s][c] = sizes[c] + BV_STREAM_ABYTES;
        if ((k->pt[s][c] = malloc(sizes[c] + 1)) == NULL
            || (k->ct[s][c] = malloc(k->ctlen[s][c])) == NULL)
            abort();
        for (i = 0; i < sizes[c]; i++)
            k->pt[s][c][i] = (uint8_t)(0x20 + (i * 7 + c * 13 + s) % 95);
        if (bv_stream_push(ss, (const uint8_t *)BODY_AD, strlen(BODY_AD), k->pt[s][c], sizes[c],
                c + 1 == n, k->ct[s][c])
            != BV_OK)
            abort();
    }
    bv_stream_free(ss);
}

static inline void
body_known_build(body_known *k)
{
    static const size_t s0[] = { 64, 1, 200 }, s1[] = { 0 };
    uint8_t seeds[64];
    size_t i;

    memset(k, 0, sizeof *k);
    fuzz_rng_reset();
    crypto_generichash(k->key, 32, (const uint8_t *)"boardvault fuzz: body key", 25, NULL, 0);
    crypto_generichash(k->kek, 32, (const uint8_t *)"boardvault fuzz: kek", 20, NULL, 0);
    body_known_stream(k, 0, s0, 3);
    body_known_stream(k, 1, s1, 1);

    k->wmlen[0] = 32;
    k->wmlen[1] = 64;
    for (i = 0; i < 64; i++) {
        k->wmsg[0][i] = (uint8_t)(i * 3 + 1);
        k->wmsg[1][i] = (uint8_t)(255 - i);
    }
    if (bv_wrap(k->kek, (const uint8_t *)WRAP_AD0, strlen(WRAP_AD0), k->wmsg[0], k->wmlen[0],
            &k->wrapped[0])
            != BV_OK
        || bv_wrap(k->kek, (const uint8_t *)WRAP_AD1, strlen(WRAP_AD1), k->wmsg[1], k->wmlen[1],
               &k->wrapped[1])
            != BV_OK)
        abort();

    crypto_generichash(seeds, 64, (const uint8_t *)"boardvault fuzz: person", 23, NULL, 0);
    if (bv_keys_from_seeds(seeds, &k->person) != BV_OK)
        abort();
    for (i = 0; i < 32; i++)
        k->sealed_key[i] = (uint8_t)(0xc0 ^ i);
    if (bv_seal_key(k->person->box_pk, (const uint8_t *)SEAL_CTX, strlen(SEAL_CTX), k->sealed_key,
            &k->sealed)
        != BV_OK)
        abort();
}

static inline void
body_known_free(body_known *k)
{
    size_t s, c;

    for (s = 0; s < NSTREAMS; s++)
        for (c = 0; c < k->nchunks[s]; c++) {
            free(k->ct[s][c]);
            free(k->pt[s][c]);
        }
    bv_buf_free(&k->wrapped[0]);
    bv_buf_free(&k->wrapped[1]);
    bv_buf_free(&k->sealed);
    bv_keys_free(k->person);
    memset(k, 0, sizeof *k);
}

#endif
