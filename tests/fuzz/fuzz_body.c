/*
 * fuzz_body.c - the crypto envelope (src/crypto.c) on fuzzed ciphertext:
 * bv_stream_pull over fuzzed body chunks, bv_unwrap over fuzzed wrapped
 * keys, bv_open_key over fuzzed sealed boxes. The keys, the stream headers
 * and the genuine ciphertexts are fixed (fuzz_body.h).
 *
 * Input: byte 0 picks the mode (byte & 3):
 *  0, 1  stream 0 or 1: bit 0x80 set means the next 24 bytes are the
 *        stream header (the two streams share a key, so a header picks the
 *        stream), else the genuine header is used; then chunks, each
 *        a 2-byte big-endian length and that many bytes (the last may be
 *        short). Chunks are pulled in order with BODY_AD; a refused chunk
 *        is skipped and the next one tried at the same position.
 *  2     bv_unwrap of the rest under the fixed KEK with WRAP_AD0 and with
 *        WRAP_AD1, message length = rest - 40 (or 32 if shorter).
 *  3     bv_open_key of the rest for the fixed person and SEAL_CTX.
 * Invariants: nothing is accepted but the genuine ciphertext: a pulled
 * chunk is byte for byte the genuine chunk at that position (with the
 * genuine header), decrypts to the genuine plaintext with the genuine
 * final flag, and nothing is pulled after the final chunk; an unwrapped
 * or opened key is the genuine blob and gives the genuine key. Statuses
 * are BV_OK or BV_EINTEGRITY only, and outputs are written only on BV_OK.
 */
#include "bv_crypto.h"
#include "fuzz_body.h"
#include "fuzz_common.h"

static body_known K;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_sodium_init();
    body_known_build(&K);
    return 0;
}

static void
mode_stream(const uint8_t *p, size_t n, size_t s, int own_header)
{
    uint8_t header[BV_STREAM_HEADER];
    bv_stream *ss = NULL;
    size_t pos = 0, len, ptlen, k;
    uint8_t *pt;
    bv_status st;
    int final;

    memcpy(header, K.header[s], sizeof header);
    if (own_header) {
        memset(header, 0, sizeof header);
        k = n < sizeof header ? n : sizeof header;
        memcpy(header, p, k);
        p += k;
        n -= k;
    }
    /* both streams are under the same key: the header says which one this is */
    for (s = 0; s < NSTREAMS && memcmp(header, K.header[s], sizeof header) != 0; s++)
        ;
    st = bv_stream_pull_init(K.key, header, &ss);
    FUZZ_CHECK(st == BV_OK || st == BV_EINTEGRITY, "pull_init returned %d", st);
    if (st != BV_OK) {
        FUZZ_CHECK(ss == NULL, "failed pull_init left a stream");
        return;
    }
    while (n >= 2) {
        len = (size_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
        if (len > n)
            len = n;
        /* exactly the room the API asks for, so ASan sees any overrun */
        FUZZ_CHECK(
            (pt = malloc(len > BV_STREAM_ABYTES ? len - BV_STREAM_ABYTES : 1)) != NULL, "oom");
        ptlen = 0x5a5a;
        final = 0x5a;
        st = bv_stream_pull(
            ss, (const uint8_t *)BODY_AD, strlen(BODY_AD), p, len, pt, &ptlen, &final);
        FUZZ_CHECK(st == BV_OK || st == BV_EINTEGRITY, "stream_pull returned %d", st);
        if (st == BV_OK) {
            FUZZ_CHECK(s < NSTREAMS, "a chunk decrypted under a header no stream has");
            FUZZ_CHECK(pos < K.nchunks[s], "chunk %zu pulled after the final chunk", pos);
            FUZZ_CHECK(len == K.ctlen[s][pos] && memcmp(p, K.ct[s][pos], len) == 0,
                "forged chunk %zu (%zu bytes) accepted", pos, len);
            FUZZ_CHECK(ptlen == K.ptlen[s][pos] && memcmp(pt, K.pt[s][pos], ptlen) == 0,
                "chunk %zu decrypts to the wrong plaintext", pos);
            FUZZ_CHECK(final == (pos + 1 == K.nchunks[s]), "chunk %zu: final flag %d", pos, final);
            pos++;
        } else {
            FUZZ_CHECK(ptlen == 0x5a5a && final == 0x5a, "a refused chunk set ptlen or final");
        }
        free(pt);
        p += len;
        n -= len;
    }
    bv_stream_free(ss);
}

static void
mode_unwrap(const uint8_t *p, size_t n)
{
    static const char *const ads[2] = { WRAP_AD0, WRAP_AD1 };
    size_t mlen = n >= 40 ? n - 40 : 32, j;
    uint8_t *msg;
    bv_status st;

    FUZZ_CHECK((msg = malloc(mlen ? mlen : 1)) != NULL, "oom");
    for (j = 0; j < 2; j++) {
        memset(msg, 0xee, mlen);
        st = bv_unwrap(K.kek, (const uint8_t *)ads[j], strlen(ads[j]), p, n, msg, mlen);
        FUZZ_CHECK(st == BV_OK || st == BV_EINTEGRITY, "unwrap returned %d", st);
        if (st == BV_OK) {
            FUZZ_CHECK(n == K.wrapped[j].len && memcmp(p, K.wrapped[j].p, n) == 0,
                "a forged wrapped key (%zu bytes, ad %zu) was accepted", n, j);
            FUZZ_CHECK(mlen == K.wmlen[j] && memcmp(msg, K.wmsg[j], mlen) == 0,
                "unwrap gave the wrong key");
        }
    }
    free(msg);
}

static void
mode_open_key(const uint8_t *p, size_t n)
{
    uint8_t key[32];
    bv_status st;

    memset(key, 0xee, sizeof key);
    st = bv_open_key(K.person, (const uint8_t *)SEAL_CTX, strlen(SEAL_CTX), p, n, key);
    FUZZ_CHECK(st == BV_OK || st == BV_EINTEGRITY, "open_key returned %d", st);
    if (st == BV_OK) {
        FUZZ_CHECK(
            n == K.sealed.len && memcmp(p, K.sealed.p, n) == 0, "a forged sealed box was opened");
        FUZZ_CHECK(memcmp(key, K.sealed_key, 32) == 0, "open_key gave the wrong key");
    } else {
        for (n = 0; n < sizeof key; n++)
            FUZZ_CHECK(key[n] == 0xee, "a refused sealed box wrote the key");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bv_err_clear();
    switch (data[0] & 3) {
    case 0:
    case 1:
        mode_stream(data + 1, size - 1, data[0] & 1u, (data[0] & 0x80) != 0);
        break;
    case 2:
        mode_unwrap(data + 1, size - 1);
        break;
    default:
        mode_open_key(data + 1, size - 1);
        break;
    }
    return 0;
}
