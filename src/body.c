/*
 * body.c - item bodies in and out of the store (see include/bv_body.h).
 * One message per BV_CHUNK bytes of plaintext (docs/FORMATS.md §5).
 * Format 3, which seal and rekey write, makes each chunk its own
 * ChaCha20-Poly1305 message whose nonce is the chunk's index and a
 * last-chunk flag, hashed with SHA-256; format 2, which open and rekey
 * still read, is one secretstream whose last message carries TAG_FINAL,
 * hashed with BLAKE2b. Either way truncation at a chunk boundary, a
 * reordered chunk and an appended one are caught.
 *
 * Every direction runs as a pipeline over a small ring of slots, so that
 * the cipher, the hash and the store use both cores instead of taking
 * turns on one:
 *
 *   seal:  read -> encrypt + hash (x2) -> store (caller)
 *   open:  fetch (caller) -> hash + check + decrypt (x2) -> write
 *   rekey: fetch (own connection) -> hash + check + decrypt (x2)
 *          -> encrypt + hash (x2) -> store (caller)
 *
 * A stage marked x2 has two workers taking the chunks in turn (format-3
 * chunks are independent); a format-2 body is decrypted by one worker,
 * since its stream state runs in order. Every other stage takes its
 * chunks in order, so the output file and the store see them in order.
 * A chunk is only decrypted once its hash has matched the signed list,
 * and only written (or re-encrypted) once it has also authenticated. A
 * failure stops every stage at the failed chunk; the chunks before it
 * finish, so what is stored or written matches what one thread would have
 * done, and the failure of the earliest chunk is the one reported, raised
 * again on the calling thread.
 *
 * The calling thread owns its store connection; rekey's fetch stage
 * reads through a second, read-only one.
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

/* Slots in flight: one per thread (rekey has six) plus two being
 * refilled, so no stage waits on another's buffer. Memory stays constant
 * in the body size: SLOTS ciphertext buffers and SLOTS plaintext ones. */
#define STAGES 4u /* at most */
#define SLOTS 8u
#define WORKERS 2u /* per parallel stage: the cores of the machines we aim at */
#define CT_MAX (BV_CHUNK + BV_STREAM_ABYTES) /* the larger of the formats' */
#define NONE UINT64_MAX

struct slot {
    uint8_t *ct; /* ciphertext: public, so ordinary heap */
    size_t len;
    uint8_t *pt; /* plaintext: sodium_malloc'd, wiped once used */
    size_t ptlen;
    int last; /* the body's last chunk */
    uint8_t h[32]; /* the new ciphertext's hash (seal, rekey) */
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv[STAGES]; /* stage k's workers wait on cv[k] */
    uint64_t done[STAGES]; /* chunks each stage has finished, all before it too */
    uint64_t fin[STAGES][SLOTS]; /* i + 1 once chunk i is finished (out of order) */
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
        if ((p->slot[i].pt = sodium_malloc(BV_CHUNK)) == NULL)
            return bv_fail(BV_ERR, "out of secure memory");
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

    for (i = 0; i < SLOTS; i++) {
        free(p->slot[i].ct);
        sodium_free(p->slot[i].pt); /* wipes */
    }
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

/* With mu held: 1 when stage k may take chunk i, 0 when there is none to
 * take (the body ended before i, or a chunk at or before i failed), -1
 * when it must wait. */
static int
pipe_ready(struct pipe *p, unsigned k, uint64_t i)
{
    if (i >= p->stop || i >= p->end)
        return 0;
    /* the first stage refills a slot once the last has let go of it */
    if (k == 0 ? i < p->done[p->nst - 1] + SLOTS : i < p->done[k - 1])
        return 1;
    return -1;
}

static int
pipe_wait(struct pipe *p, unsigned k, uint64_t i)
{
    int go;

    pthread_mutex_lock(&p->mu);
    while ((go = pipe_ready(p, k, i)) < 0)
        pthread_cond_wait(&p->cv[k], &p->mu);
    pthread_mutex_unlock(&p->mu);
    return go;
}

/* pipe_wait for at most `secs` seconds: 1 go, 0 nothing to take, -1
 * when the time ran out first. */
static int
pipe_wait_for(struct pipe *p, unsigned k, uint64_t i, double secs)
{
    struct timespec until;
    int go;

    clock_gettime(CLOCK_REALTIME, &until); /* the condition variables' clock */
    until.tv_sec += (time_t)secs;
    until.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    while ((go = pipe_ready(p, k, i)) < 0) {
        if (pthread_cond_timedwait(&p->cv[k], &p->mu, &until) != 0) {
            go = pipe_ready(p, k, i);
            break; /* timed out: -1 unless it came true meanwhile */
        }
    }
    pthread_mutex_unlock(&p->mu);
    return go;
}

/* Stage k has finished chunk i; last says it was the body's last chunk.
 * Two workers of a stage may finish out of order: the stage counts as
 * done up to the first chunk not yet finished. */
static void
pipe_done(struct pipe *p, unsigned k, uint64_t i, int last)
{
    pthread_mutex_lock(&p->mu);
    p->fin[k][i % SLOTS] = i + 1;
    while (p->fin[k][p->done[k] % SLOTS] == p->done[k] + 1)
        p->done[k]++;
    if (last)
        p->end = i + 1;
    /* only the next stage waits on this one; the first waits on the last */
    pthread_cond_broadcast(&p->cv[(k + 1) % p->nst]);
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

/* The threads of one pipeline, started in stage order; the first failure
 * to start one stops the pipeline at chunk 0. */
struct crew {
    pthread_t t[8];
    unsigned n;
    bv_status st;
};

static void
crew_add(struct crew *c, struct pipe *p, void *(*fn)(void *), void *arg)
{
    if (c->st != BV_OK || c->n == sizeof c->t / sizeof c->t[0])
        return;
    if ((c->st = spawn(&c->t[c->n], fn, arg)) != BV_OK) {
        pipe_fail(p, 0, c->st);
        return;
    }
    c->n++;
}

static void
crew_join(struct crew *c)
{
    unsigned i;

    for (i = 0; i < c->n; i++)
        pthread_join(c->t[i], NULL);
}

/* ---- the stages ---- */

/* A worker of one stage: it takes chunks first, first + step, ... */
struct worker {
    struct pipe *p;
    unsigned k, first, step;
    void *ctx; /* the direction's own state */
};

/* Stage that encrypts a slot's plaintext as format-3 chunk i under the
 * new key, wipes the plaintext and hashes the ciphertext for the seal. */
struct resealer {
    const uint8_t *key, *ad;
    size_t adlen;
};

static void *
reseal(void *arg)
{
    struct worker *w = arg;
    const struct resealer *r = w->ctx;
    struct slot *sl;
    uint64_t i;
    bv_status st;

    for (i = w->first; pipe_wait(w->p, w->k, i); i += w->step) {
        sl = &w->p->slot[i % SLOTS];
        st = bv_chunk3_seal(r->key, i, sl->last, r->ad, r->adlen, sl->pt, sl->ptlen, sl->ct);
        sodium_memzero(sl->pt, sl->ptlen);
        if (st == BV_OK) {
            sl->len = sl->ptlen + BV_CHUNK3_ABYTES;
            st = bv_hash_chunk3(sl->h, sl->ct, sl->len);
        }
        if (st != BV_OK) {
            pipe_fail(w->p, i, st);
            break;
        }
        pipe_done(w->p, w->k, i, 0);
    }
    return NULL;
}

/* Stage that checks a stored chunk against the signed hashes, and only
 * then decrypts it into the slot's plaintext: no byte of an unsigned or
 * unauthenticated chunk is ever released (or re-encrypted). ss is the
 * format-2 stream (one worker only); final, whether it has ended. */
struct unsealer {
    const bv_body_src *src;
    bv_stream *ss;
    int final;
};

static bv_status
unseal_one(struct unsealer *u, uint64_t i, struct slot *sl)
{
    const bv_body_src *src = u->src;
    uint8_t h[32];
    int last = i + 1 == src->nchunks, fin = 0;
    bv_status st;

    if (src->format == 3) {
        if ((st = bv_hash_chunk3(h, sl->ct, sl->len)) != BV_OK)
            return st;
    } else
        bv_hash(h, sl->ct, sl->len);
    if (sodium_memcmp(h, src->hashes + i * 32, 32) != 0)
        return bv_fail(BV_EINTEGRITY, "chunk %llu of item %s does not match its seal",
            (unsigned long long)i, src->uid);
    if (src->format == 3) {
        if (bv_chunk3_open(
                src->key, i, last, src->ad, src->adlen, sl->ct, sl->len, sl->pt, &sl->ptlen)
            != BV_OK)
            goto bad;
        /* every chunk but the last is full (§5) */
        if (!last && sl->ptlen != BV_CHUNK)
            return bv_fail(BV_EINTEGRITY, "chunk %llu of item %s has the wrong length",
                (unsigned long long)i, src->uid);
    } else {
        if (u->final)
            return bv_fail(
                BV_EINTEGRITY, "body of item %s is out of order or too long", src->uid);
        if (bv_stream_pull(u->ss, src->ad, src->adlen, sl->ct, sl->len, sl->pt, &sl->ptlen, &fin)
            != BV_OK)
            goto bad;
        u->final = fin;
        if (fin != last) {
            sodium_memzero(sl->pt, sl->ptlen);
            return bv_fail(BV_EINTEGRITY, "body of item %s is truncated", src->uid);
        }
    }
    sl->last = last;
    return BV_OK;
bad:
    return bv_fail(BV_EINTEGRITY, "chunk %llu of item %s fails authentication",
        (unsigned long long)i, src->uid);
}

static void *
unseal(void *arg)
{
    struct worker *w = arg;
    uint64_t i;
    bv_status st;

    for (i = w->first; pipe_wait(w->p, w->k, i); i += w->step) {
        if ((st = unseal_one(w->ctx, i, &w->p->slot[i % SLOTS])) != BV_OK) {
            pipe_fail(w->p, i, st);
            break;
        }
        pipe_done(w->p, w->k, i, 0);
    }
    return NULL;
}

/* Workers for stage k running fn: two when chunks are independent. */
static void
crew_stage(struct crew *c, struct pipe *p, struct worker *w, unsigned n, unsigned k,
    void *(*fn)(void *), void *ctx)
{
    unsigned j;

    for (j = 0; j < n; j++) {
        w[j].p = p;
        w[j].k = k;
        w[j].first = j;
        w[j].step = n;
        w[j].ctx = ctx;
        crew_add(c, p, fn, &w[j]);
    }
}

/* ---- seal ---- */

/* Stage 0 of seal reads. */
struct reader {
    struct pipe *p;
    int fd;
    int polled; /* fd is not a regular file: a read may wait for ever */
    uint8_t *spare[2]; /* the chunk read ahead, and the next buffer */
};

/* Read up to n bytes, retrying short reads: a pipe gives what it has.
 * A pipe may also give nothing for a long time; when the store has
 * failed meanwhile, stop waiting (BV_ERR, the store's message stands). */
static bv_status
read_full(struct reader *z, uint8_t *p, size_t n, size_t *got)
{
    struct pollfd pfd = { z->fd, POLLIN, 0 };
    size_t off = 0;
    ssize_t r;
    int ready;

    while (off < n) {
        while (z->polled && (ready = poll(&pfd, 1, 100)) <= 0) {
            if (ready < 0 && errno != EINTR)
                break; /* read() names the error */
            if (pipe_stopped(z->p))
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

/* Read, looking one chunk ahead so that the last one is known as such
 * (its nonce says so). A chunk read goes into its slot by exchanging
 * buffers, not by copying plaintext. */
static void *
seal_read(void *arg)
{
    struct reader *z = arg;
    struct slot *sl;
    uint8_t *cur = z->spare[0], *next = z->spare[1], *t;
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
        if (!pipe_wait(z->p, 0, i))
            break;
        sl = &z->p->slot[i % SLOTS];
        t = sl->pt, sl->pt = cur, cur = t; /* the slot's old buffer was wiped */
        sl->ptlen = curlen;
        sl->last = final;
        pipe_done(z->p, 0, i, final);
        if (final)
            break;
        t = cur, cur = next, next = t;
        curlen = nextlen;
    }
    z->spare[0] = cur, z->spare[1] = next;
    return NULL;
out:
    z->spare[0] = cur, z->spare[1] = next;
    pipe_fail(z->p, i, st);
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
        d->size += sl->ptlen;
        bv_progress_tick(d->progress, d->size, d->total);
        if (in_tx && (i + 1) % BV_STAGE_BATCH == 0) {
            in_tx = 0;
            if ((st = batch_commit(s, d, b)) != BV_OK)
                break;
        }
        pipe_done(p, k, i, 0);
    }
    bv_stop_arm(0);
    /* every chunk is there: durable before the item's transaction names it */
    if (st == BV_OK && !pipe_stopped(p))
        st = bv_store_body_flush(s, d->body_id);
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

/* What seal and rekey leave in d before their pipeline runs. */
static void
dst_start(bv_body_dst *d)
{
    d->size = d->nchunks = 0;
    memset(d->header, 0, sizeof d->header);
    d->header[0] = 3; /* the format byte (§5): signed with the manifest */
    d->header_len = BV_BODY3_HEADER;
}

bv_status
bv_body_seal(bv_store *s, int fd, bv_body_dst *d)
{
    struct pipe p;
    struct reader z;
    struct resealer r = { d->key, d->ad, d->adlen };
    struct worker w[WORKERS];
    struct crew c = { .n = 0, .st = BV_OK };
    struct stat sb;
    bv_status st;

    dst_start(d);
    memset(&z, 0, sizeof z);
    z.p = &p;
    z.fd = fd;
    z.polled = fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode);
    if ((st = pipe_init(&p, 3)) != BV_OK)
        goto out;
    if ((z.spare[0] = sodium_malloc(BV_CHUNK)) == NULL
        || (z.spare[1] = sodium_malloc(BV_CHUNK)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    /* from here on a failure goes through the pipeline, which stops */
    crew_add(&c, &p, seal_read, &z);
    crew_stage(&c, &p, w, WORKERS, 1, reseal, &r);
    (void)store_stage(s, &p, 2, d);
    crew_join(&c);
    if ((st = pipe_status(&p)) == BV_OK && d->hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    sodium_free(z.spare[0]);
    sodium_free(z.spare[1]);
    pipe_free(&p);
    return st;
}

/* ---- rekey ---- */

struct rekeyer {
    struct pipe *p;
    bv_store *reader;
    const bv_body_src *src;
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

    for (i = 0; pipe_wait(r->p, 0, i); i++) {
        sl = &r->p->slot[i % SLOTS];
        if ((st = bv_store_chunk_get(r->reader, r->src->body_id, i, sl->ct, CT_MAX, &sl->len))
            != BV_OK) {
            pipe_fail(r->p, i, st);
            return NULL;
        }
        pipe_done(r->p, 0, i, i + 1 == r->src->nchunks);
    }
    return NULL;
}

/* A format-2 body's stream, when src is one. */
static bv_status
src_stream(const bv_body_src *src, bv_stream **ss)
{
    *ss = NULL;
    if (src->format == 3)
        return BV_OK;
    if (src->format != 2)
        return bv_fail(BV_EINTEGRITY, "item %s has a body of an unknown format", src->uid);
    return bv_stream_pull_init(src->key, src->header, ss);
}

bv_status
bv_body_rekey(bv_store *s, bv_store *reader, const bv_body_src *src, bv_body_dst *d)
{
    struct pipe p;
    struct rekeyer f = { &p, reader, src };
    struct unsealer u = { src, NULL, 0 };
    struct resealer r = { d->key, d->ad, d->adlen };
    struct worker wu[WORKERS], wr[WORKERS];
    struct crew c = { .n = 0, .st = BV_OK };
    bv_status st;

    dst_start(d);
    if ((st = pipe_init(&p, 4)) != BV_OK || (st = src_stream(src, &u.ss)) != BV_OK)
        goto out;
    crew_add(&c, &p, rekey_fetch, &f);
    crew_stage(&c, &p, wu, src->format == 3 ? WORKERS : 1, 1, unseal, &u);
    crew_stage(&c, &p, wr, WORKERS, 2, reseal, &r);
    (void)store_stage(s, &p, 3, d);
    crew_join(&c);
    if ((st = pipe_status(&p)) == BV_OK && d->nchunks != src->nchunks)
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", src->uid);
    if (st == BV_OK && d->hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    bv_stream_free(u.ss);
    pipe_free(&p);
    return st;
}

/* ---- open ---- */

struct opener {
    struct pipe p;
    const bv_body_src *src;
    uint64_t fetched; /* stage 0, calling thread */
    int halted; /* stage 0 stopped because a later stage failed */
    bv_out *out;
    uint64_t written; /* bytes of plaintext so far, stage 2 */
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

/* Stage 2 of open: write the authenticated plaintext in order, then wipe it. */
static void *
open_write(void *arg)
{
    struct opener *o = arg;
    struct slot *sl;
    uint64_t i;
    bv_status st;

    for (i = 0; pipe_wait(&o->p, 2, i); i++) {
        sl = &o->p.slot[i % SLOTS];
        st = bv_out_write(o->out, sl->pt, sl->ptlen);
        sodium_memzero(sl->pt, sl->ptlen);
        if (st != BV_OK) {
            pipe_fail(&o->p, i, st);
            return NULL;
        }
        /* Start writing this chunk back to disk now, while later chunks
         * are decrypted, so that the fsync of bv_out_commit finds little
         * left to do. Only a hint: errors surface at that fsync. */
        if (!o->out->is_stdout)
            sync_file_range(o->out->fd, (off_t)o->written, (off_t)sl->ptlen, SYNC_FILE_RANGE_WRITE);
        o->written += sl->ptlen;
        bv_progress_tick(o->src->progress, o->written, o->src->size);
        pipe_done(&o->p, 2, i, 0);
    }
    return NULL;
}

bv_status
bv_body_open(bv_store *s, const bv_body_src *src, bv_out *out)
{
    struct opener o;
    struct unsealer u = { src, NULL, 0 };
    struct worker w[WORKERS];
    struct crew c = { .n = 0, .st = BV_OK };
    bv_status st;

    memset(&o, 0, sizeof o);
    o.src = src;
    o.out = out;
    if ((st = pipe_init(&o.p, 3)) != BV_OK || (st = src_stream(src, &u.ss)) != BV_OK)
        goto out;
    /* one read transaction: every chunk comes from the same snapshot */
    if ((st = bv_store_begin_read(s)) != BV_OK)
        goto out;
    crew_stage(&c, &o.p, w, src->format == 3 ? WORKERS : 1, 1, unseal, &u);
    crew_add(&c, &o.p, open_write, &o);
    if ((st = c.st) == BV_OK)
        st = bv_store_chunk_each(s, src->body_id, fetch_slot, fetched, &o);
    bv_store_rollback(s);
    /* a store error, or our own check; a halt is a later stage's failure */
    if (st != BV_OK && !o.halted)
        pipe_fail(&o.p, o.fetched, st);
    pipe_end(&o.p, o.fetched);
    crew_join(&c);
    if ((st = pipe_status(&o.p)) == BV_OK
        && (o.fetched != src->nchunks || o.written != src->size))
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", src->uid);
out:
    bv_stream_free(u.ss);
    pipe_free(&o.p);
    return st;
}
