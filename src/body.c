/*
 * body.c - item bodies in and out of the store (see include/bv_body.h).
 * One message per BV_CHUNK bytes of plaintext; the last carries TAG_FINAL
 * (libsodium secretstream), so truncation at a chunk boundary is caught.
 *
 * Both directions run as a three-stage pipeline over a small ring of
 * ciphertext slots, one thread per stage, so that BLAKE2b, the stream
 * cipher and SQLite use both cores instead of taking turns on one:
 *
 *   seal: read + encrypt (worker) -> hash (worker) -> store (caller)
 *   open: fetch (caller) -> hash + check (worker) -> decrypt + write (worker)
 *
 * SQLite is only ever called on the calling thread, which owns the
 * connection. Each stage takes the chunks in order, so the secretstream
 * state and the output file each stay with one thread, and a chunk is
 * only decrypted once its hash has matched and only written once it has
 * also authenticated. A failure stops every stage at the failed chunk;
 * the stages before it finish, so what is stored or written matches what
 * one thread would have done, and the failure of the earliest chunk is
 * the one reported, raised again on the calling thread.
 */
#define _GNU_SOURCE /* sync_file_range */
#include "bv_body.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Slots in flight: one per stage plus one being refilled, so no stage
 * waits on another's buffer. Memory stays constant in the body size. */
#define SLOTS 4u
#define STAGES 3u
#define CT_MAX (BV_CHUNK + BV_STREAM_ABYTES)
#define NONE UINT64_MAX

struct slot {
    uint8_t *ct; /* ciphertext: public, so ordinary heap */
    size_t len;
    uint8_t h[32];
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv[STAGES]; /* stage k waits on cv[k] */
    uint64_t done[STAGES]; /* chunks each stage has finished, in order */
    uint64_t end; /* number of chunks, once the first stage knows it */
    uint64_t stop; /* index of the earliest failed chunk, NONE if none */
    bv_status st; /* that failure, and its message from whichever thread */
    char msg[512];
    struct slot slot[SLOTS];
    int have_mu;
    unsigned ncv; /* condition variables initialised */
};

static bv_status
pipe_init(struct pipe *p)
{
    unsigned i;

    memset(p, 0, sizeof *p);
    p->end = p->stop = NONE;
    for (i = 0; i < SLOTS; i++) {
        if ((p->slot[i].ct = malloc(CT_MAX)) == NULL)
            return bv_fail(BV_ERR, "out of memory");
    }
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return bv_fail(BV_ERR, "out of memory");
    p->have_mu = 1;
    for (; p->ncv < STAGES; p->ncv++) {
        if (pthread_cond_init(&p->cv[p->ncv], NULL) != 0)
            return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

static void
pipe_free(struct pipe *p)
{
    unsigned i;

    for (i = 0; i < SLOTS; i++)
        free(p->slot[i].ct);
    for (i = 0; i < p->ncv; i++)
        pthread_cond_destroy(&p->cv[i]);
    if (p->have_mu)
        pthread_mutex_destroy(&p->mu);
}

/* The end or a failure concerns every stage. Called with mu held. */
static void
wake_all(struct pipe *p)
{
    unsigned k;

    for (k = 0; k < STAGES; k++)
        pthread_cond_broadcast(&p->cv[k]);
}

/* 1 when stage k may take chunk i; 0 when there is none to take: the
 * body ended before i, or a chunk at or before i failed. */
static int
pipe_wait(struct pipe *p, unsigned k, uint64_t i)
{
    int go;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (i >= p->stop || i >= p->end) {
            go = 0;
            break;
        }
        /* the first stage refills a slot once the last has let go of it */
        if (k == 0 ? i < p->done[STAGES - 1] + SLOTS : i < p->done[k - 1]) {
            go = 1;
            break;
        }
        pthread_cond_wait(&p->cv[k], &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return go;
}

/* Stage k has finished chunk i; last says it was the body's last chunk. */
static void
pipe_done(struct pipe *p, unsigned k, uint64_t i, int last)
{
    pthread_mutex_lock(&p->mu);
    p->done[k] = i + 1;
    if (last)
        p->end = i + 1;
    /* only the next stage waits on this one; the first waits on the last */
    pthread_cond_signal(&p->cv[(k + 1) % STAGES]);
    if (last)
        wake_all(p);
    pthread_mutex_unlock(&p->mu);
}

/* The first stage has delivered n chunks and there are no more. */
static void
pipe_end(struct pipe *p, uint64_t n)
{
    pthread_mutex_lock(&p->mu);
    if (p->end == NONE)
        p->end = n;
    wake_all(p);
    pthread_mutex_unlock(&p->mu);
}

/* Chunk i failed with st, whose message bv_fail left on this thread. The
 * earliest chunk wins: that is the failure one thread would have met. */
static void
pipe_fail(struct pipe *p, uint64_t i, bv_status st)
{
    pthread_mutex_lock(&p->mu);
    if (i < p->stop) {
        p->stop = i;
        p->st = st;
        snprintf(p->msg, sizeof p->msg, "%s", bv_errmsg());
    }
    wake_all(p);
    pthread_mutex_unlock(&p->mu);
}

static int
pipe_stopped(struct pipe *p)
{
    int stopped;

    pthread_mutex_lock(&p->mu);
    stopped = p->stop != NONE;
    pthread_mutex_unlock(&p->mu);
    return stopped;
}

/* The failure to return from the calling thread. bv_fail keeps the first
 * message per thread, and this thread may have met a later chunk's
 * failure before a worker reported an earlier one: replace it. */
static bv_status
pipe_status(struct pipe *p)
{
    if (p->stop == NONE)
        return BV_OK;
    bv_err_clear();
    return bv_fail(p->st, "%s", p->msg);
}

/* Workers block every signal, so SIGINT and friends still reach the
 * calling thread, whose handler removes a partial output file. */
static bv_status
spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    int rc;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return bv_fail(BV_ERR, "cannot start a thread: %s", strerror(rc));
    return BV_OK;
}

struct sealer {
    struct pipe p;
    bv_stream *ss;
    int fd;
    int polled; /* fd is not a regular file: a read may wait for ever */
    const uint8_t *ad;
    size_t adlen;
    uint8_t *pt[2]; /* the chunk being encrypted and the one after it */
};

/* Read up to n bytes, retrying short reads: a pipe gives what it has.
 * A pipe may also give nothing for a long time; when the store has
 * failed meanwhile, stop waiting (BV_ERR, the store's message stands). */
static bv_status
read_full(struct sealer *z, uint8_t *p, size_t n, size_t *got)
{
    struct pollfd pfd = { z->fd, POLLIN, 0 };
    size_t off = 0;
    ssize_t r;
    int ready;

    while (off < n) {
        while (z->polled && (ready = poll(&pfd, 1, 100)) <= 0) {
            if (ready < 0 && errno != EINTR)
                break; /* read() names the error */
            if (pipe_stopped(&z->p))
                return BV_ERR;
        }
        r = read(z->fd, p + off, n - off);
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

/* Stage 0 of seal: read, looking one chunk ahead so that the last one
 * carries TAG_FINAL, and encrypt (the stream is sequential). */
static void *
seal_encrypt(void *arg)
{
    struct sealer *z = arg;
    struct slot *sl;
    uint8_t *cur = z->pt[0], *next = z->pt[1], *t;
    size_t curlen, nextlen;
    uint64_t i = 0;
    bv_status st;
    int final;

    if ((st = read_full(z, cur, BV_CHUNK, &curlen)) != BV_OK)
        goto out;
    for (;; i++) {
        nextlen = 0;
        if (curlen == BV_CHUNK && (st = read_full(z, next, BV_CHUNK, &nextlen)) != BV_OK)
            goto out;
        final = nextlen == 0;
        if (!pipe_wait(&z->p, 0, i))
            return NULL;
        sl = &z->p.slot[i % SLOTS];
        if ((st = bv_stream_push(z->ss, z->ad, z->adlen, cur, curlen, final, sl->ct)) != BV_OK)
            goto out;
        sl->len = curlen + BV_STREAM_ABYTES;
        pipe_done(&z->p, 0, i, final);
        if (final)
            return NULL;
        t = cur, cur = next, next = t;
        curlen = nextlen;
    }
out:
    pipe_fail(&z->p, i, st);
    return NULL;
}

/* Stage 1 of seal: the hash of each ciphertext chunk, for the signature. */
static void *
seal_hash(void *arg)
{
    struct pipe *p = arg;
    struct slot *sl;
    uint64_t i;

    for (i = 0; pipe_wait(p, 1, i); i++) {
        sl = &p->slot[i % SLOTS];
        bv_hash(sl->h, sl->ct, sl->len);
        pipe_done(p, 1, i, 0);
    }
    return NULL;
}

bv_status
bv_body_seal(bv_store *s, int64_t item_id, int fd, const uint8_t key[32], const uint8_t *ad,
    size_t adlen, uint8_t header[BV_STREAM_HEADER], bv_buf *hashes, uint64_t *size,
    uint64_t *nchunks)
{
    struct sealer z;
    struct slot *sl;
    struct stat sb;
    pthread_t enc, hash;
    int have_enc = 0, have_hash = 0;
    uint64_t i;
    bv_status st;

    *size = *nchunks = 0;
    memset(&z, 0, sizeof z);
    z.fd = fd;
    z.polled = fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode);
    z.ad = ad;
    z.adlen = adlen;
    if ((st = pipe_init(&z.p)) != BV_OK)
        goto out;
    if ((z.pt[0] = sodium_malloc(BV_CHUNK)) == NULL
        || (z.pt[1] = sodium_malloc(BV_CHUNK)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = bv_stream_push_init(key, header, &z.ss)) != BV_OK)
        goto out;
    /* from here on a failure goes through the pipeline, which stops */
    if ((st = spawn(&enc, seal_encrypt, &z)) == BV_OK) {
        have_enc = 1;
        if ((st = spawn(&hash, seal_hash, &z.p)) == BV_OK)
            have_hash = 1;
    }
    if (st != BV_OK)
        pipe_fail(&z.p, 0, st);
    /* stage 2, here: SQLite stays on the thread that owns the connection */
    for (i = 0; pipe_wait(&z.p, 2, i); i++) {
        sl = &z.p.slot[i % SLOTS];
        bv_buf_put(hashes, sl->h, 32);
        if ((st = bv_store_chunk_put(s, item_id, i, sl->ct, sl->len)) != BV_OK) {
            pipe_fail(&z.p, i, st);
            break;
        }
        (*nchunks)++;
        *size += sl->len - BV_STREAM_ABYTES;
        pipe_done(&z.p, 2, i, 0);
    }
    if (have_enc)
        pthread_join(enc, NULL);
    if (have_hash)
        pthread_join(hash, NULL);
    if ((st = pipe_status(&z.p)) == BV_OK && hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    bv_stream_free(z.ss);
    sodium_free(z.pt[0]);
    sodium_free(z.pt[1]);
    pipe_free(&z.p);
    return st;
}

struct opener {
    struct pipe p;
    bv_stream *ss;
    const char *uid;
    const uint8_t *ad, *hashes;
    size_t adlen;
    uint64_t nchunks;
    uint64_t fetched; /* stage 0, calling thread */
    int halted; /* stage 0 stopped because a later stage failed */
    uint8_t *pt; /* stage 2 */
    bv_out *out;
    int final;
    uint64_t written; /* bytes of plaintext so far */
};

/* Stage 0 of open, on the calling thread: bv_store_chunk_each's callback. */
static bv_status
fetch_chunk(void *ctx, uint64_t idx, const uint8_t *ct, size_t n)
{
    struct opener *o = ctx;
    struct slot *sl;
    uint64_t i = o->fetched;
    bv_status st;

    if (idx != i || idx >= o->nchunks || n > CT_MAX) {
        st = bv_fail(BV_EINTEGRITY, "body of item %s is out of order or too long", o->uid);
        pipe_fail(&o->p, i, st);
        return st;
    }
    if (!pipe_wait(&o->p, 0, i)) {
        o->halted = 1;
        return BV_ERR; /* the failed stage has the message */
    }
    sl = &o->p.slot[i % SLOTS];
    memcpy(sl->ct, ct, n); /* ct lives only until the next row */
    sl->len = n;
    o->fetched++;
    pipe_done(&o->p, 0, i, 0);
    return BV_OK;
}

/* Stage 1 of open: the seal signature covers every chunk's hash; check it
 * before decrypting, so no byte of an unsigned chunk is ever released. */
static void *
open_check(void *arg)
{
    struct opener *o = arg;
    struct slot *sl;
    uint8_t h[32];
    uint64_t i;

    for (i = 0; pipe_wait(&o->p, 1, i); i++) {
        sl = &o->p.slot[i % SLOTS];
        bv_hash(h, sl->ct, sl->len);
        if (sodium_memcmp(h, o->hashes + i * 32, 32) != 0) {
            pipe_fail(&o->p, i,
                bv_fail(BV_EINTEGRITY, "chunk %llu of item %s does not match its seal",
                    (unsigned long long)i, o->uid));
            break;
        }
        pipe_done(&o->p, 1, i, 0);
    }
    return NULL;
}

/* Stage 2 of open: decrypt and write, then wipe the plaintext. */
static void *
open_decrypt(void *arg)
{
    struct opener *o = arg;
    struct slot *sl;
    size_t ptlen;
    uint64_t i;
    bv_status st;

    for (i = 0; pipe_wait(&o->p, 2, i); i++) {
        sl = &o->p.slot[i % SLOTS];
        if (o->final) {
            st = bv_fail(BV_EINTEGRITY, "body of item %s is out of order or too long", o->uid);
            goto fail;
        }
        if (bv_stream_pull(o->ss, o->ad, o->adlen, sl->ct, sl->len, o->pt, &ptlen, &o->final)
            != BV_OK) {
            st = bv_fail(BV_EINTEGRITY, "chunk %llu of item %s fails authentication",
                (unsigned long long)i, o->uid);
            goto fail;
        }
        st = bv_out_write(o->out, o->pt, ptlen);
        sodium_memzero(o->pt, ptlen);
        if (st != BV_OK)
            goto fail;
        /* Start writing this chunk back to disk now, while later chunks
         * are decrypted, so that the fsync of bv_out_commit finds little
         * left to do. Only a hint: errors surface at that fsync. */
        if (!o->out->is_stdout)
            sync_file_range(o->out->fd, (off_t)o->written, (off_t)ptlen, SYNC_FILE_RANGE_WRITE);
        o->written += ptlen;
        pipe_done(&o->p, 2, i, 0);
    }
    return NULL;
fail:
    pipe_fail(&o->p, i, st);
    return NULL;
}

bv_status
bv_body_open(bv_store *s, int64_t item_id, const char *uid, const uint8_t key[32],
    const uint8_t header[BV_STREAM_HEADER], const uint8_t *ad, size_t adlen, const uint8_t *hashes,
    uint64_t nchunks, bv_out *out)
{
    struct opener o;
    pthread_t check, dec;
    int have_check = 0, have_dec = 0;
    bv_status st;

    memset(&o, 0, sizeof o);
    o.uid = uid;
    o.ad = ad;
    o.adlen = adlen;
    o.hashes = hashes;
    o.nchunks = nchunks;
    o.out = out;
    if ((st = pipe_init(&o.p)) != BV_OK)
        goto out;
    if ((o.pt = sodium_malloc(BV_CHUNK)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = bv_stream_pull_init(key, header, &o.ss)) != BV_OK)
        goto out;
    /* one read transaction: every chunk comes from the same snapshot */
    if ((st = bv_store_begin_read(s)) != BV_OK)
        goto out;
    if ((st = spawn(&check, open_check, &o)) == BV_OK) {
        have_check = 1;
        if ((st = spawn(&dec, open_decrypt, &o)) == BV_OK)
            have_dec = 1;
    }
    if (st == BV_OK)
        st = bv_store_chunk_each(s, item_id, fetch_chunk, &o);
    bv_store_rollback(s);
    /* a store error, or our own check; a halt is a later stage's failure */
    if (st != BV_OK && !o.halted)
        pipe_fail(&o.p, o.fetched, st);
    pipe_end(&o.p, o.fetched);
    if (have_check)
        pthread_join(check, NULL);
    if (have_dec)
        pthread_join(dec, NULL);
    if ((st = pipe_status(&o.p)) == BV_OK && (!o.final || o.fetched != nchunks))
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", uid);
out:
    bv_stream_free(o.ss);
    sodium_free(o.pt);
    pipe_free(&o.p);
    return st;
}
