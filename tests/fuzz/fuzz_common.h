/*
 * fuzz_common.h - what every libFuzzer harness in tests/fuzz shares: the
 * entry point prototypes, an invariant check that aborts (so libFuzzer
 * saves the input as a crash-* artifact), a deterministic libsodium RNG
 * (so that nonces, stream headers and sealed boxes made by a harness are
 * the same in every run and in gen_seeds) and a few byte helpers.
 *
 * Header-only: each harness is one translation unit, so everything here is
 * static. gen_seeds.c includes it too (with FUZZ_NO_ENTRY_POINTS).
 */
#ifndef BV_FUZZ_COMMON_H
#define BV_FUZZ_COMMON_H

#include "bv.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NO_ENTRY_POINTS
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
#endif

/* An invariant the code under test broke: say which, then abort, which
 * libFuzzer turns into a crash-<sha1> artifact holding the input. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "\n== FUZZ INVARIANT BROKEN at %s:%d: %s\n== ", __FILE__, __LINE__,    \
                #cond);                                                                            \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* ---- deterministic randomness -------------------------------------- */

/*
 * libsodium calls implementation->buf for every random byte it needs
 * (secretstream headers, crypto_box_seal ephemeral keys, bv_wrap nonces).
 * Here each call returns randombytes_buf_deterministic(seed || counter):
 * a fixed sequence, so a process that makes the same calls in the same
 * order after fuzz_rng_reset() gets the same bytes. Never use outside
 * tests: it is deterministic on purpose.
 */
static uint64_t fuzz_rng_ctr;

static inline const char *
fuzz_rng_name(void)
{
    return "boardvault-fuzz-deterministic";
}

static inline void
fuzz_rng_buf(void *const buf, const size_t size)
{
    uint8_t seed[randombytes_SEEDBYTES];

    memset(seed, 0x5a, sizeof seed);
    memcpy(seed, "bvfuzz", 6);
    bv_store_be64(seed + 8, fuzz_rng_ctr++);
    randombytes_buf_deterministic(buf, size, seed);
}

static inline uint32_t
fuzz_rng_random(void)
{
    uint8_t b[4];

    fuzz_rng_buf(b, sizeof b);
    return bv_load_be32(b);
}

static randombytes_implementation fuzz_rng_impl = {
    fuzz_rng_name,
    fuzz_rng_random,
    NULL,
    NULL,
    fuzz_rng_buf,
    NULL,
};

static inline void
fuzz_rng_reset(void)
{
    fuzz_rng_ctr = 0;
}

/* Install the deterministic RNG, then sodium_init. Call once, first. */
static inline void
fuzz_sodium_init(void)
{
    if (randombytes_set_implementation(&fuzz_rng_impl) != 0 || sodium_init() < 0) {
        fprintf(stderr, "fuzz: libsodium failed to initialise\n");
        abort();
    }
    fuzz_rng_reset();
}

/* ---- bytes ---------------------------------------------------------- */

/* Strict padded base64 into out (cap bytes); aborts if the constant is bad. */
static inline size_t
fuzz_b64(uint8_t *out, size_t cap, const char *b64)
{
    size_t n = 0;

    if (sodium_base642bin(
            out, cap, b64, strlen(b64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL)
        != 0) {
        fprintf(stderr, "fuzz: bad base64 constant %s\n", b64);
        abort();
    }
    return n;
}

/* 1 if [p, p + n) is valid UTF-8 whose only control characters are in
 * `allowed` (e.g. "\n" or "\t\n\f"); NUL is never allowed. */
static inline int
fuzz_utf8_ok(const uint8_t *p, size_t n, const char *allowed)
{
    size_t i = 0, j;

    while (i <= n) {
        for (j = i; j < n && (p[j] == 0 || strchr(allowed, p[j]) == NULL); j++)
            ;
        if (!bv_utf8_ok((const char *)p + i, j - i, NULL))
            return 0;
        i = j + 1;
    }
    return 1;
}

/* Number of positions at which needle occurs in hay (overlaps count). */
static inline size_t
fuzz_count(const uint8_t *hay, size_t hn, const uint8_t *needle, size_t nn)
{
    size_t c = 0, i;

    if (nn == 0 || nn > hn)
        return 0;
    for (i = 0; i + nn <= hn; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
            c++;
    return c;
}

#endif
