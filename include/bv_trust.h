/*
 * bv_trust.h - trust on first use of a vault's root key, known-hosts
 * style: $XDG_CONFIG_HOME/boardvault/trusted_roots (else
 * ~/.config/boardvault/trusted_roots) holds one line per vault,
 * "<vault id> <root fingerprint>". A vault whose root key differs from
 * the pinned one is refused: its certificates could all be forged.
 */
#ifndef BV_TRUST_H
#define BV_TRUST_H

#include "bv.h"

/*
 * Check the root fingerprint fp of vault vault_hex against the pin and
 * against given (a --trust FINGERPRINT, or NULL). Pins on first use.
 * BV_EINTEGRITY on a mismatch. *note receives a short message for the
 * user when a pin was written (or could not be), else "".
 */
/*
 * The directory of this user's boardvault state (pins, log heads):
 * $XDG_CONFIG_HOME/boardvault, else ~/.config/boardvault; created 0700 if
 * create. BV_ENOTFOUND when neither variable names an absolute path.
 * No bv_fail message: callers say what they could not do.
 */
bv_status bv_trust_dir(char *dir, size_t cap, int create);

bv_status bv_trust_check(const char *vault_hex, const char *fp, const char *given, char note[256]);

#endif
