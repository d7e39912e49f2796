/*
 * kdf.c - Argon2id key derivation and the passphrase strength rule.
 */
#include "bv_kdf.h"

#include <argon2.h>
#include <sodium.h>
#include <string.h>
#include <zxcvbn.h>

#define MIN_CHARS 12
#define MIN_BITS 60.0

void
bv_kdf_defaults(bv_kdf_params *kp)
{
    kp->m_kib = BV_KDF_DEF_M;
    kp->t = BV_KDF_DEF_T;
    kp->p = BV_KDF_DEF_P;
}

bv_status
bv_kdf_check(const bv_kdf_params *kp)
{
    if (kp->m_kib < BV_KDF_MIN_M || kp->t < BV_KDF_MIN_T)
        return bv_fail(BV_EUSAGE, "KDF parameters below the floor (memory %u KiB, time %u)",
            BV_KDF_MIN_M, BV_KDF_MIN_T);
    if (kp->p < 1 || kp->p > BV_KDF_MAX_P || kp->m_kib > BV_KDF_MAX_M || kp->t > BV_KDF_MAX_T)
        return bv_fail(BV_EUSAGE,
            "KDF parameters out of range (memory <= %u KiB, time <= %u, "
            "lanes 1..%u)",
            BV_KDF_MAX_M, BV_KDF_MAX_T, BV_KDF_MAX_P);
    /* RFC 9106 §3.1: memory must be at least 8 KiB per lane */
    if (kp->m_kib < 8u * kp->p)
        return bv_fail(BV_EUSAGE, "KDF memory too small for %u lanes", kp->p);
    return BV_OK;
}

bv_status
bv_kdf_derive(const bv_secret *pass, const uint8_t salt[BV_SALT_LEN], const bv_kdf_params *kp,
    uint8_t key[32])
{
    int rc;

    if (bv_kdf_check(kp) != BV_OK)
        return BV_EINTEGRITY; /* stored parameters we would never write */
    rc = argon2id_hash_raw(kp->t, kp->m_kib, kp->p, pass->p, pass->len, salt, BV_SALT_LEN, key, 32);
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return bv_fail(BV_ERR, "out of memory for the KDF (%u KiB)", kp->m_kib);
    if (rc != ARGON2_OK)
        return bv_fail(BV_ERR, "Argon2id failed: %s", argon2_error_message(rc));
    return BV_OK;
}

static size_t
codepoints(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

bv_status
bv_pass_strength(const bv_secret *pass, const char *name)
{
    const char *dict[] = { name, "boardvault", "board", "vault", NULL };
    double bits;

    if (pass->len == 0)
        return bv_fail(BV_EINPUT, "the passphrase is empty");
    if (strlen(pass->p) != pass->len)
        return bv_fail(BV_EINPUT, "the passphrase contains a NUL byte");
    if (codepoints(pass->p, pass->len) < MIN_CHARS)
        return bv_fail(BV_EINPUT,
            "the passphrase is too short: use at least %d characters, "
            "for example four unrelated words",
            MIN_CHARS);
    bits = ZxcvbnMatch(pass->p, dict, NULL);
    if (bits < MIN_BITS)
        return bv_fail(BV_EINPUT,
            "the passphrase is too easy to guess (about %.0f bits; %.0f "
            "needed): avoid names, dictionary words and patterns",
            bits, MIN_BITS);
    return BV_OK;
}
