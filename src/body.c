/*
 * body.c - item bodies in and out of the store (see include/bv_body.h).
 * One message per BV_CHUNK bytes of plaintext; the last carries TAG_FINAL
 * (libsodium secretstream), so truncation at a chunk boundary is caught.
 *
 * Every direction runs as a pipeline over a small ring of ciphertext
 * slots, one thread per stage, so that BLAKE2b, the stream cipher and
 * SQLite use both cores instead of taking turns on one:
 *
 *   seal:  read + encrypt -> hash -> store (caller)
 *   open:  fetch (caller) -> hash + check -> decrypt + write
 *   rekey: fetch (own connection) -> hash + check -> decrypt + encrypt
 *          -> hash -> store (caller)
 *
 * The calling thread owns its SQLite connection; rekey's fetch stage
 * reads through a second, read-only one. Each stage takes the chunks in
 * order, so each secretstream state and the output file stay with one
 * thread, and a chunk is only decrypted once its hash has matched and
 * only written once it has also authenticated. A failure stops every
 * stage at the failed chunk; the stages before it finish, so what is
 * stored or written matches what one thread would have done, and the
 * failure of the earliest chunk is the one reported, raised again on the
 * calling thread.
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
#include <time.h>
#include <unistd.h>

/* Slots in flight: one per stage plus one being refilled, so no stage
 * waits on another's buffer. Memory stays constant in the body size. */
#define STAGES 5u /* at most */
#define SLOTS (STAGES + 1u)
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
    unsigned nst; /* stages of this pipeline */
    struct slot slot[SLOTS];
    int have_mu;
    unsigned ncv; /* condition variables initialised */
};

static bv_status
pipe_init(struct pipe *p, unsigned nst)
{
    unsigned i;

    memset(p, 0, sizeof *p);
    p->nst = nst;
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
        if (k == 0 ? i < p->done[p->nst - 1] + SLOTS : i < p->done[k - 1]) {
            go = 1;
            break;
        }
        pthread_cond_wait(&p->cv[k], &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return go;
}

/* pipe_wait for at most `secs` seconds: 1 go, 0 nothing to take, -1
 * when the time ran out first. */
static int
pipe_wait_for(struct pipe *p, unsigned k, uint64_t i, double secs)
{
    struct timespec until;
    int go = -1;

    clock_gettime(CLOCK_REALTIME, &until); /* the condition variables' clock */
    until.tv_sec += (time_t)secs;
    until.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (i >= p->stop || i >= p->end) {
            go = 0;
            break;
        }
        if (k == 0 ? i < p->done[p->nst - 1] + SLOTS : i < p->done[k - 1]) {
            go = 1;
            break;
        }
        if (pthread_cond_timedwait(&p->cv[k], &p->mu, &until) != 0)
            break; /* timed out (the condition was checked just before) */
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
    pthread_cond_signal(&p->cv[(k + 1) % p->nst]);
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

/* Stage 0 of seal reads; the last stage (seal and rekey) stores. */
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

/* The stage that hashes each new ciphertext chunk for the signature. */
struct hasher {
    struct pipe *p;
    unsigned k;
};

static void *
hash_new(void *arg)
{
    struct hasher *h = arg;
    struct slot *sl;
    uint64_t i;

    for (i = 0; pipe_wait(h->p, h->k, i); i++) {
        sl = &h->p->slot[i % SLOTS];
        bv_hash(sl->h, sl->ct, sl->len);
        pipe_done(h->p, h->k, i, 0);
    }
    return NULL;
}

/* End a staging batch: heartbeat and commit. */
static bv_status
batch_commit(bv_store *s, bv_body_dst *d, bv_batches *b)
{
    bv_status st;

    if ((st = bv_store_body_touch(s, d->body_id)) != BV_OK || (st = bv_store_commit(s)) != BV_OK) {
        bv_store_rollback(s);
        return st;
    }
    bv_store_batch_done(b);
    return BV_OK;
}

/*
 * The last stage of seal and rekey, on the calling thread: store each
 * chunk and collect its hash. A staging body is committed every
 * BV_STAGE_BATCH chunks, each batch its own transaction; and whenever
 * the next chunk has kept it waiting BATCH_WAIT_S, so that a slow pipe
 * never holds the vault's write lock (and an open's audit record waiting
 * on it) while it waits, and keeps its heartbeat.
 */
#define BATCH_WAIT_S 0.2
static bv_status
store_stage(bv_store *s, struct pipe *p, unsigned k, bv_body_dst *d)
{
    struct slot *sl;
    uint64_t i;
    bv_batches *b = NULL;
    bv_status st = BV_OK, st2;
    int in_tx = 0, go;

    if (d->staging && (st = bv_store_batches_begin(s, &b)) != BV_OK) {
        pipe_fail(p, 0, st);
        return st;
    }

    bv_stop_arm(1);
    for (i = 0;; i++) {
        /* never an unbounded wait: a stop asked for is seen within one */
        while ((go = pipe_wait_for(p, k, i, BATCH_WAIT_S)) < 0 && !bv_stop_requested()) {
            if (in_tx) { /* a slow source: commit what there is, then wait */
                in_tx = 0;
                if ((st = batch_commit(s, d, b)) != BV_OK)
                    break;
            }
        }
        if (st == BV_OK && bv_stop_requested()) {
            st = bv_fail(BV_ERR,
                "interrupted: nothing was stored, and what was written of the body is removed");
            break;
        }
        if (st != BV_OK || !go)
            break;
        sl = &p->slot[i % SLOTS];
        if (d->staging && !in_tx) {
            bv_store_batch_next(b);
            if ((st = bv_store_begin(s)) != BV_OK)
                break;
            in_tx = 1;
        }
        bv_buf_put(d->hashes, sl->h, 32);
        if ((st = bv_store_chunk_put(s, d->body_id, i, sl->ct, sl->len)) != BV_OK)
            break;
        d->nchunks++;
        d->size += sl->len - BV_STREAM_ABYTES;
        bv_progress_tick(d->progress, d->size, d->total);
        if (in_tx && (i + 1) % BV_STAGE_BATCH == 0) {
            in_tx = 0;
            if ((st = batch_commit(s, d, b)) != BV_OK)
                break;
        }
        pipe_done(p, k, i, 0);
    }
    bv_stop_arm(0);
    if (st == BV_OK && in_tx) {
        in_tx = 0;
        st = batch_commit(s, d, b);
    }
    if (in_tx)
        bv_store_rollback(s);
    if ((st2 = bv_store_batches_end(s, b)) != BV_OK && st == BV_OK)
        st = st2;
    if (st != BV_OK)
        pipe_fail(p, i, st);
    return st;
}

static void
join_all(pthread_t *t, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

bv_status
bv_body_seal(bv_store *s, int fd, bv_body_dst *d)
{
    struct sealer z;
    struct hasher h;
    struct stat sb;
    pthread_t t[2];
    unsigned nt = 0;
    bv_status st;

    d->size = d->nchunks = 0;
    memset(&z, 0, sizeof z);
    z.fd = fd;
    z.polled = fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode);
    z.ad = d->ad;
    z.adlen = d->adlen;
    h.p = &z.p;
    h.k = 1;
    if ((st = pipe_init(&z.p, 3)) != BV_OK)
        goto out;
    if ((z.pt[0] = sodium_malloc(BV_CHUNK)) == NULL
        || (z.pt[1] = sodium_malloc(BV_CHUNK)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = bv_stream_push_init(d->key, d->header, &z.ss)) != BV_OK)
        goto out;
    /* from here on a failure goes through the pipeline, which stops */
    if ((st = spawn(&t[nt], seal_encrypt, &z)) == BV_OK && ++nt
        && (st = spawn(&t[nt], hash_new, &h)) == BV_OK)
        nt++;
    if (st != BV_OK)
        pipe_fail(&z.p, 0, st);
    (void)store_stage(s, &z.p, 2, d);
    join_all(t, nt);
    if ((st = pipe_status(&z.p)) == BV_OK && d->hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    bv_stream_free(z.ss);
    sodium_free(z.pt[0]);
    sodium_free(z.pt[1]);
    pipe_free(&z.p);
    return st;
}

/* Stage 1 of open and rekey: the seal signature covers every chunk's
 * hash; check it before decrypting, so no byte of an unsigned chunk is
 * ever released (or re-encrypted). */
struct checker {
    struct pipe *p;
    const bv_body_src *src;
};

static void *
check_old(void *arg)
{
    struct checker *c = arg;
    struct slot *sl;
    uint8_t h[32];
    uint64_t i;

    for (i = 0; pipe_wait(c->p, 1, i); i++) {
        sl = &c->p->slot[i % SLOTS];
        bv_hash(h, sl->ct, sl->len);
        if (sodium_memcmp(h, c->src->hashes + i * 32, 32) != 0) {
            pipe_fail(c->p, i,
                bv_fail(BV_EINTEGRITY, "chunk %llu of item %s does not match its seal",
                    (unsigned long long)i, c->src->uid));
            break;
        }
        pipe_done(c->p, 1, i, 0);
    }
    return NULL;
}

struct rekeyer {
    struct pipe p;
    bv_store *reader;
    const bv_body_src *src;
    bv_stream *in, *out;
    const uint8_t *ad;
    size_t adlen;
    uint8_t *pt;
};

/* Stage 0 of rekey: one chunk at a time through the reader connection,
 * each read its own short transaction, so that the WAL can still be
 * checkpointed behind the batches the store stage commits. */
static void *
rekey_fetch(void *arg)
{
    struct rekeyer *r = arg;
    struct slot *sl;
    uint64_t i;
    bv_status st;

    for (i = 0; pipe_wait(&r->p, 0, i); i++) {
        sl = &r->p.slot[i % SLOTS];
        if ((st = bv_store_chunk_get(r->reader, r->src->body_id, i, sl->ct, CT_MAX, &sl->len))
            != BV_OK) {
            pipe_fail(&r->p, i, st);
            return NULL;
        }
        pipe_done(&r->p, 0, i, i + 1 == r->src->nchunks);
    }
    return NULL;
}

/* Stage 2 of rekey: decrypt under the old key and encrypt the plaintext
 * under the new one into the same slot, then wipe it. */
static void *
rekey_recrypt(void *arg)
{
    struct rekeyer *r = arg;
    struct slot *sl;
    size_t ptlen;
    uint64_t i;
    bv_status st;
    int final = 0;

    for (i = 0; pipe_wait(&r->p, 2, i); i++) {
        sl = &r->p.slot[i % SLOTS];
        if (final
            || bv_stream_pull(
                   r->in, r->src->ad, r->src->adlen, sl->ct, sl->len, r->pt, &ptlen, &final)
                != BV_OK) {
            st = bv_fail(BV_EINTEGRITY, "chunk %llu of item %s fails authentication",
                (unsigned long long)i, r->src->uid);
            goto fail;
        }
        if (final != (i + 1 == r->src->nchunks)) {
            st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", r->src->uid);
            goto fail;
        }
        st = bv_stream_push(r->out, r->ad, r->adlen, r->pt, ptlen, final, sl->ct);
        sodium_memzero(r->pt, ptlen);
        if (st != BV_OK)
            goto fail;
        sl->len = ptlen + BV_STREAM_ABYTES;
        pipe_done(&r->p, 2, i, 0);
    }
    return NULL;
fail:
    pipe_fail(&r->p, i, st);
    return NULL;
}

bv_status
bv_body_rekey(bv_store *s, bv_store *reader, const bv_body_src *src, bv_body_dst *d)
{
    struct rekeyer r;
    struct checker c;
    struct hasher h;
    pthread_t t[4];
    unsigned nt = 0;
    bv_status st;

    d->size = d->nchunks = 0;
    memset(&r, 0, sizeof r);
    r.reader = reader;
    r.src = src;
    r.ad = d->ad;
    r.adlen = d->adlen;
    c.p = h.p = &r.p;
    c.src = src;
    h.k = 3;
    if ((st = pipe_init(&r.p, 5)) != BV_OK)
        goto out;
    if ((r.pt = sodium_malloc(BV_CHUNK)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = bv_stream_pull_init(src->key, src->header, &r.in)) != BV_OK
        || (st = bv_stream_push_init(d->key, d->header, &r.out)) != BV_OK)
        goto out;
    if ((st = spawn(&t[nt], rekey_fetch, &r)) == BV_OK && ++nt
        && (st = spawn(&t[nt], check_old, &c)) == BV_OK && ++nt
        && (st = spawn(&t[nt], rekey_recrypt, &r)) == BV_OK && ++nt
        && (st = spawn(&t[nt], hash_new, &h)) == BV_OK)
        nt++;
    if (st != BV_OK)
        pipe_fail(&r.p, 0, st);
    (void)store_stage(s, &r.p, 4, d);
    join_all(t, nt);
    if ((st = pipe_status(&r.p)) == BV_OK && d->nchunks != src->nchunks)
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", src->uid);
    if (st == BV_OK && d->hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    bv_stream_free(r.in);
    bv_stream_free(r.out);
    sodium_free(r.pt);
    pipe_free(&r.p);
    return st;
}

struct opener {
    struct pipe p;
    bv_stream *ss;
    const bv_body_src *src;
    uint64_t fetched; /* stage 0, calling thread */
    int halted; /* stage 0 stopped because a later stage failed */
    uint8_t *pt; /* stage 2 */
    bv_out *out;
    int final;
    uint64_t written; /* bytes of plaintext so far */
};

/* Stage 0 of open, on the calling thread, in bv_store_chunk_each: a slot
 * for chunk idx, which the store then reads into... */
static bv_status
fetch_slot(void *ctx, uint64_t idx, size_t n, uint8_t **dst)
{
    struct opener *o = ctx;
    uint64_t i = o->fetched;
    bv_status st;

    if (idx != i || idx >= o->src->nchunks || n > CT_MAX) {
        st = bv_fail(BV_EINTEGRITY, "body of item %s is out of order or too long", o->src->uid);
        pipe_fail(&o->p, i, st);
        return st;
    }
    if (!pipe_wait(&o->p, 0, i)) {
        o->halted = 1;
        return BV_ERR; /* the failed stage has the message */
    }
    *dst = o->p.slot[i % SLOTS].ct;
    return BV_OK;
}

/* ...and hands on once it is there. */
static bv_status
fetched(void *ctx, uint64_t idx, size_t n)
{
    struct opener *o = ctx;

    o->p.slot[idx % SLOTS].len = n;
    o->fetched++;
    pipe_done(&o->p, 0, idx, 0);
    return BV_OK;
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
            st = bv_fail(BV_EINTEGRITY, "body of item %s is out of order or too long", o->src->uid);
            goto fail;
        }
        if (bv_stream_pull(
                o->ss, o->src->ad, o->src->adlen, sl->ct, sl->len, o->pt, &ptlen, &o->final)
            != BV_OK) {
            st = bv_fail(BV_EINTEGRITY, "chunk %llu of item %s fails authentication",
                (unsigned long long)i, o->src->uid);
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
        bv_progress_tick(o->src->progress, o->written, o->src->size);
        pipe_done(&o->p, 2, i, 0);
    }
    return NULL;
fail:
    pipe_fail(&o->p, i, st);
    return NULL;
}

bv_status
bv_body_open(bv_store *s, const bv_body_src *src, bv_out *out)
{
    struct opener o;
    struct checker c;
    pthread_t t[2];
    unsigned nt = 0;
    bv_status st;

    memset(&o, 0, sizeof o);
    o.src = src;
    o.out = out;
    c.p = &o.p;
    c.src = src;
    if ((st = pipe_init(&o.p, 3)) != BV_OK)
        goto out;
    if ((o.pt = sodium_malloc(BV_CHUNK)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    if ((st = bv_stream_pull_init(src->key, src->header, &o.ss)) != BV_OK)
        goto out;
    /* one read transaction: every chunk comes from the same snapshot */
    if ((st = bv_store_begin_read(s)) != BV_OK)
        goto out;
    if ((st = spawn(&t[nt], check_old, &c)) == BV_OK && ++nt
        && (st = spawn(&t[nt], open_decrypt, &o)) == BV_OK)
        nt++;
    if (st == BV_OK)
        st = bv_store_chunk_each(s, src->body_id, fetch_slot, fetched, &o);
    bv_store_rollback(s);
    /* a store error, or our own check; a halt is a later stage's failure */
    if (st != BV_OK && !o.halted)
        pipe_fail(&o.p, o.fetched, st);
    pipe_end(&o.p, o.fetched);
    join_all(t, nt);
    if ((st = pipe_status(&o.p)) == BV_OK && (!o.final || o.fetched != src->nchunks))
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", src->uid);
out:
    bv_stream_free(o.ss);
    sodium_free(o.pt);
    pipe_free(&o.p);
    return st;
}
