/*
 * bv_kdf.h - passphrase to key: Argon2id (RFC 9106) through libargon2's
 * argon2id_hash_raw, with a floor no caller can go under, and the
 * zxcvbn strength check applied when a passphrase is chosen.
 */
#ifndef BV_KDF_H
#define BV_KDF_H

#include "bv.h"
#include "bv_pass.h"

typedef struct {
    uint32_t m_kib; /* memory in KiB */
    uint32_t t; /* passes */
    uint32_t p; /* lanes, each run on its own thread */
} bv_kdf_params;

/*
 * Floor: OWASP's Argon2id minimum (19 MiB, t=2). Ceiling: what a stored
 * record may ask for before we refuse it as tampering rather than try to
 * allocate it (a hostile vault must not make us allocate 4 TiB).
 * Defaults: about one second on a 2-core machine, both lanes busy.
 */
#define BV_KDF_MIN_M 19456u
#define BV_KDF_MIN_T 2u
#define BV_KDF_MAX_M (4u * 1024u * 1024u) /* 4 GiB */
#define BV_KDF_MAX_T 64u
#define BV_KDF_MAX_P 16u
#define BV_KDF_DEF_M 524288u
#define BV_KDF_DEF_T 2u
#define BV_KDF_DEF_P 2u
#define BV_SALT_LEN 16

void bv_kdf_defaults(bv_kdf_params *kp);
/* BV_EUSAGE when a caller asks for less than the floor or more than the ceiling. */
bv_status bv_kdf_check(const bv_kdf_params *kp);
/* key = Argon2id(pass, salt, params), 32 bytes, into caller's (sodium) memory. */
bv_status bv_kdf_derive(const bv_secret *pass, const uint8_t salt[BV_SALT_LEN],
    const bv_kdf_params *kp, uint8_t key[32]);
/*
 * Refuse a weak new passphrase with a reason (BV_EINPUT): fewer than 12
 * characters, or a zxcvbn estimate under 60 bits once the person's own
 * name and the word "boardvault" count as known words.
 */
bv_status bv_pass_strength(const bv_secret *pass, const char *name);

#endif
