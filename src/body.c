/*
 * body.c - item bodies in and out of the store (see include/bv_body.h).
 * One message per BV_CHUNK bytes of plaintext; the last carries TAG_FINAL
 * (libsodium secretstream), so truncation at a chunk boundary is caught.
 */
#include "bv_body.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read up to n bytes, retrying short reads: a pipe gives what it has. */
static bv_status
read_full(int fd, uint8_t *p, size_t n, size_t *got)
{
    size_t off = 0;
    ssize_t r;

    while (off < n) {
        r = read(fd, p + off, n - off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return bv_fail(BV_EINPUT, "cannot read the input: %s", strerror(errno));
        }
        if (r == 0)
            break;
        off += (size_t)r;
    }
    *got = off;
    return BV_OK;
}

bv_status
bv_body_seal(bv_store *s, int64_t item_id, int fd, const uint8_t key[32], const uint8_t *ad,
             size_t adlen, uint8_t header[BV_STREAM_HEADER], bv_buf *hashes, uint64_t *size,
             uint64_t *nchunks)
{
    bv_stream *ss = NULL;
    uint8_t *cur = NULL, *next = NULL, *ct = NULL, *t;
    uint8_t h[32];
    size_t curlen, nextlen;
    bv_status st;
    int final;

    *size = *nchunks = 0;
    if ((cur = sodium_malloc(BV_CHUNK)) == NULL || (next = sodium_malloc(BV_CHUNK)) == NULL ||
        (ct = malloc(BV_CHUNK + BV_STREAM_ABYTES)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = bv_stream_push_init(key, header, &ss)) != BV_OK ||
        (st = read_full(fd, cur, BV_CHUNK, &curlen)) != BV_OK)
        goto out;
    for (;;) {
        /* look one chunk ahead so that the last one carries TAG_FINAL */
        nextlen = 0;
        if (curlen == BV_CHUNK && (st = read_full(fd, next, BV_CHUNK, &nextlen)) != BV_OK)
            goto out;
        final = nextlen == 0;
        if ((st = bv_stream_push(ss, ad, adlen, cur, curlen, final, ct)) != BV_OK)
            goto out;
        bv_hash(h, ct, curlen + BV_STREAM_ABYTES);
        bv_buf_put(hashes, h, 32);
        if ((st = bv_store_chunk_put(s, item_id, *nchunks, ct, curlen + BV_STREAM_ABYTES)) !=
            BV_OK)
            goto out;
        (*nchunks)++;
        *size += curlen;
        if (final)
            break;
        t = cur, cur = next, next = t;
        curlen = nextlen;
    }
    if (hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    bv_stream_free(ss);
    sodium_free(cur);
    sodium_free(next);
    free(ct);
    return st;
}

struct reader {
    bv_stream *ss;
    const char *uid;
    const uint8_t *ad, *hashes;
    size_t adlen;
    uint64_t nchunks, next;
    uint8_t *pt;
    bv_out *out;
    int final;
};

static bv_status
read_chunk(void *ctx, uint64_t idx, const uint8_t *ct, size_t n)
{
    struct reader *r = ctx;
    uint8_t h[32];
    size_t ptlen;
    bv_status st;

    /* The seal signature covers every chunk's hash: check it before
     * decrypting, so no byte of an unsigned chunk is ever released. */
    if (r->final || idx != r->next || idx >= r->nchunks || n > BV_CHUNK + BV_STREAM_ABYTES)
        return bv_fail(BV_EINTEGRITY, "body of item %s is out of order or too long", r->uid);
    bv_hash(h, ct, n);
    if (sodium_memcmp(h, r->hashes + idx * 32, 32) != 0)
        return bv_fail(BV_EINTEGRITY, "chunk %llu of item %s does not match its seal",
                       (unsigned long long)idx, r->uid);
    if (bv_stream_pull(r->ss, r->ad, r->adlen, ct, n, r->pt, &ptlen, &r->final) != BV_OK)
        return bv_fail(BV_EINTEGRITY, "chunk %llu of item %s fails authentication",
                       (unsigned long long)idx, r->uid);
    r->next++;
    st = bv_out_write(r->out, r->pt, ptlen);
    sodium_memzero(r->pt, ptlen);
    return st;
}

bv_status
bv_body_open(bv_store *s, int64_t item_id, const char *uid, const uint8_t key[32],
             const uint8_t header[BV_STREAM_HEADER], const uint8_t *ad, size_t adlen,
             const uint8_t *hashes, uint64_t nchunks, bv_out *out)
{
    struct reader r;
    bv_status st;

    memset(&r, 0, sizeof r);
    r.uid = uid;
    r.ad = ad;
    r.adlen = adlen;
    r.hashes = hashes;
    r.nchunks = nchunks;
    r.out = out;
    if ((r.pt = sodium_malloc(BV_CHUNK)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    if ((st = bv_stream_pull_init(key, header, &r.ss)) != BV_OK)
        goto out;
    /* one read transaction: every chunk comes from the same snapshot */
    if ((st = bv_store_begin_read(s)) != BV_OK)
        goto out;
    st = bv_store_chunk_each(s, item_id, read_chunk, &r);
    bv_store_rollback(s);
    if (st == BV_OK && (!r.final || r.next != nchunks))
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", uid);
out:
    bv_stream_free(r.ss);
    sodium_free(r.pt);
    return st;
}
