/*
 * bv_body.h - streaming an item's body in and out of the store: the
 * secretstream chunks (docs/FORMATS.md), the per-chunk BLAKE2b-256 hashes
 * the seal signature covers, in constant memory.
 */
#ifndef BV_BODY_H
#define BV_BODY_H

#include "bv.h"
#include "bv_crypto.h"
#include "bv_out.h"
#include "bv_store.h"

/*
 * Read fd to its end, encrypt it under key with ad on every chunk, store
 * the chunks of item item_id (inside the caller's write transaction), and
 * fill header, the concatenated chunk hashes, size and chunk count.
 */
bv_status bv_body_seal(bv_store *s, int64_t item_id, int fd, const uint8_t key[32],
    const uint8_t *ad, size_t adlen, uint8_t header[BV_STREAM_HEADER], bv_buf *hashes,
    uint64_t *size, uint64_t *nchunks);

/*
 * Stream item item_id's chunks to out: each chunk's hash is checked
 * against hashes (already covered by a verified signature) before it is
 * decrypted, so nothing unsigned or unauthenticated is ever written.
 * BV_EINTEGRITY on any mismatch, reordering, truncation or extra chunk.
 */
bv_status bv_body_open(bv_store *s, int64_t item_id, const char *uid, const uint8_t key[32],
    const uint8_t header[BV_STREAM_HEADER], const uint8_t *ad, size_t adlen, const uint8_t *hashes,
    uint64_t nchunks, bv_out *out);

#endif
