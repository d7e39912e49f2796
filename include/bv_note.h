/*
 * bv_note.h - C2SP signed notes (c2sp.org/signed-note@v1.0.0) with
 * Ed25519 keys, and the checkpoint text they carry for a transparency
 * log (c2sp.org/tlog-checkpoint@v1.0.0). The formats are the ones the Go
 * tools (golang.org/x/mod/sumdb/note) read, so an auditor can check our
 * audit entries and checkpoints with any signed-note verifier.
 *
 * Output buffers are overwritten (bv_buf_init), as elsewhere; the caller
 * frees them, also after an error.
 */
#ifndef BV_NOTE_H
#define BV_NOTE_H

#include "bv.h"

/* Go caps the signature lines of one note at 100; the spec asks for >= 16. */
#define BV_NOTE_MAX_SIGS 100

/* SHA-256(name || 0x0A || 0x01 || pk)[:4] read big-endian (0x01 = Ed25519). */
uint32_t bv_note_key_id(const char *name, const uint8_t pk[32]);

/* 1 if name is a usable key name: non-empty, valid UTF-8, no Unicode or
 * ASCII spaces, no '+', no control characters; else 0. */
int bv_note_name_ok(const char *name);

/* The verifier key "name+%08x+base64(0x01 || pk)". BV_EINPUT for a bad name. */
bv_status bv_note_vkey(const char *name, const uint8_t pk[32], bv_buf *out);

/* Parse a verifier key. name is NUL-terminated. BV_EINPUT if malformed, if
 * the key ID does not match, if the type is not Ed25519 or the key is not
 * 32 bytes. */
bv_status bv_note_vkey_parse(const char *vkey, bv_buf *name, uint8_t pk[32]);

/*
 * Sign text (non-empty, ending in LF, valid UTF-8 without control
 * characters other than LF). out = text "\n" "— name base64(keyid||sig)\n".
 * sk is libsodium's 64-byte Ed25519 secret key (seed || pk).
 */
bv_status bv_note_sign(
    const uint8_t *text, size_t len, const char *name, const uint8_t sk[64], bv_buf *out);
/*
 * The same, with the signature made by a callback for the key whose
 * public half is pk (a person's keys may be held by an agent, which signs
 * for us and never hands out sk). sign returns BV_OK or why it failed.
 */
typedef bv_status (*bv_note_signer)(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64]);
bv_status bv_note_sign_by(const uint8_t *text, size_t len, const char *name, const uint8_t pk[32],
    bv_note_signer sign, void *ctx, bv_buf *out);

/*
 * Append one more signature line to a signed note (a cosignature by a
 * second person). The existing signatures are NOT verified here: open the
 * note first. BV_EINPUT if the note is malformed, already carries a line
 * from this (name, key ID), or already has BV_NOTE_MAX_SIGS lines.
 */
bv_status bv_note_add_signature(
    const uint8_t *note, size_t len, const char *name, const uint8_t sk[64], bv_buf *out);

typedef struct {
    const char *name;
    uint8_t pk[32];
} bv_note_verifier;

/*
 * Open a signed note: split text and signatures, ignore signatures from
 * unknown (name, key ID) pairs, verify every known one.
 * BV_EINPUT: malformed note (empty, not UTF-8, control characters, no
 *   signature block, bad signature line, bad base64, more than
 *   BV_NOTE_MAX_SIGS lines), or a signature line matching two verifiers
 *   (same name and key ID: "ambiguous key").
 * BV_EINTEGRITY: a known signature fails, or no signature is from a known
 *   key ("signed by an unknown key").
 * On BV_OK: *text_len = length of the text (with its final LF); if
 * verified is not NULL, verified[i] is 1 for each verifier i whose
 * signature verified and 0 for the others.
 */
bv_status bv_note_open(const uint8_t *note, size_t len, const bv_note_verifier *v, size_t nv,
    size_t *text_len, int *verified);

/* Checkpoint text: origin LF decimal-size LF base64(root) LF. BV_EINPUT for
 * an empty or unprintable origin. */
bv_status bv_checkpoint_format(
    const char *origin, uint64_t size, const uint8_t root[32], bv_buf *out);

/*
 * Parse a checkpoint TEXT (not the whole note: open it first). origin is
 * NUL-terminated. Extension lines are allowed and ignored. BV_EINPUT on an
 * empty origin, a size that is not plain decimal (sign, leading zero,
 * overflow), a root that is not base64 of exactly 32 bytes, a missing LF
 * or an empty extension line.
 */
bv_status bv_checkpoint_parse(
    const uint8_t *text, size_t len, bv_buf *origin, uint64_t *size, uint8_t root[32]);

#endif
