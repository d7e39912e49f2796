/*
 * bv_body.h - streaming an item's body in and out of the store, in
 * constant memory: format 3 (independent ChaCha20-Poly1305 chunks, SHA-256
 * per chunk), which seal and rekey write, and format 2 (one secretstream,
 * BLAKE2b-256 per chunk), which open and rekey still read (docs/FORMATS.md
 * §5). The seal signature covers the per-chunk hashes.
 */
#ifndef BV_BODY_H
#define BV_BODY_H

#include "bv.h"
#include "bv_crypto.h"
#include "bv_out.h"
#include "bv_store.h"

/* A stored body to read: its chunks, key, stream header, associated
 * data and the signed per-chunk hashes (already covered by a verified
 * seal signature). */
typedef struct {
    int64_t body_id;
    const char *uid; /* the item's, for messages */
    const uint8_t *key, *header, *ad, *hashes;
    size_t adlen;
    uint64_t nchunks;
    const bv_progress *progress; /* plaintext bytes written of size */
    uint64_t size;
    int format; /* 2 or 3 (bv_fmt_body_format of the signed header) */
} bv_body_src;

/* A body to write, always format 3: into body_id under key and ad (the
 * format-3 AD); the header (the format byte), the concatenated chunk
 * hashes, size and chunk count are filled in. */
typedef struct {
    int64_t body_id;
    int staging; /* batches in their own transactions (bv_store.h); else
                    inside the caller's write transaction */
    const uint8_t *key, *ad;
    size_t adlen;
    uint8_t header[BV_STREAM_HEADER];
    size_t header_len;
    bv_buf *hashes;
    uint64_t size, nchunks;
    const bv_progress *progress; /* plaintext bytes stored of total (0: unknown) */
    uint64_t total;
} bv_body_dst;

/* Read fd to its end, encrypt it and store its chunks (format 3). */
bv_status bv_body_seal(bv_store *s, int fd, bv_body_dst *d);

/*
 * Stream src's chunks to out: each chunk's hash is checked against the
 * signed hashes before it is decrypted, so nothing unsigned or
 * unauthenticated is ever written. BV_EINTEGRITY on any mismatch,
 * reordering, truncation or extra chunk.
 */
bv_status bv_body_open(bv_store *s, const bv_body_src *src, bv_out *out);

/*
 * Re-encrypt src (format 2 or 3) into d (format 3), checked exactly as bv_body_open checks, chunks
 * read through `reader` (a second connection to the same vault: the
 * store stage commits batches on s meanwhile).
 */
bv_status bv_body_rekey(bv_store *s, bv_store *reader, const bv_body_src *src, bv_body_dst *d);

#endif
