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
 * reads through a second, read-only one. The ring of slots and the
 * threads of the stages are in body_pipe.c (bv_body_pipe.h); this file
 * holds the stages themselves.
 */
#include "bv_body.h"
#include "bv_behind.h"
#include "bv_body_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the stages ---- */

/* Stage that encrypts a slot's plaintext as format-3 chunk i under the
 * new key, wipes the plaintext and hashes the ciphertext for the seal. */
struct resealer {
    const uint8_t *key, *ad;
    size_t adlen;
};

static bv_status
reseal_one(const struct resealer *r, uint64_t i, struct bv_slot *sl)
{
    bv_status st;

    st = bv_chunk3_seal(r->key, i, sl->last, r->ad, r->adlen, sl->pt, sl->ptlen, sl->ct);
    sodium_memzero(sl->pt, sl->ptlen);
    if (st == BV_OK) {
        sl->len = sl->ptlen + BV_CHUNK3_ABYTES;
        st = bv_hash_chunk3(sl->h, sl->ct, sl->len);
    }
    return st;
}

static void *
reseal(void *arg)
{
    struct bv_worker *w = arg;
    uint64_t i;
    bv_status st;

    for (i = w->first; bv_pipe_wait(w->p, w->k, i); i += w->step) {
        if ((st = reseal_one(w->ctx, i, &w->p->slot[i % BV_PIPE_SLOTS])) != BV_OK) {
            bv_pipe_fail(w->p, i, st);
            break;
        }
        bv_pipe_done(w->p, w->k, i, 0);
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
unseal_one(struct unsealer *u, uint64_t i, struct bv_slot *sl)
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
            return bv_fail(BV_EINTEGRITY, "body of item %s is out of order or too long", src->uid);
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
    struct bv_worker *w = arg;
    uint64_t i;
    bv_status st;

    for (i = w->first; bv_pipe_wait(w->p, w->k, i); i += w->step) {
        if ((st = unseal_one(w->ctx, i, &w->p->slot[i % BV_PIPE_SLOTS])) != BV_OK) {
            bv_pipe_fail(w->p, i, st);
            break;
        }
        bv_pipe_done(w->p, w->k, i, 0);
    }
    return NULL;
}

/* A format-3 rekey's middle stage: check and decrypt a chunk, then
 * encrypt it again under the new key, in one worker while the chunk is
 * still in the core's cache. Two separate stages cost a third more time:
 * twice the hand-offs, and the plaintext read back from memory. */
struct recrypter {
    struct unsealer *u;
    const struct resealer *r;
};

static void *
recrypt(void *arg)
{
    struct bv_worker *w = arg;
    const struct recrypter *x = w->ctx;
    struct bv_slot *sl;
    uint64_t i;
    bv_status st;

    for (i = w->first; bv_pipe_wait(w->p, w->k, i); i += w->step) {
        sl = &w->p->slot[i % BV_PIPE_SLOTS];
        if ((st = unseal_one(x->u, i, sl)) != BV_OK || (st = reseal_one(x->r, i, sl)) != BV_OK) {
            bv_pipe_fail(w->p, i, st);
            break;
        }
        bv_pipe_done(w->p, w->k, i, 0);
    }
    return NULL;
}

/* ---- seal ---- */

/* Stage 0 of seal reads. */
struct reader {
    struct bv_pipe *p;
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
            if (bv_pipe_stopped(z->p))
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
    struct bv_slot *sl;
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
        if (!bv_pipe_wait(z->p, 0, i))
            break;
        sl = &z->p->slot[i % BV_PIPE_SLOTS];
        t = sl->pt, sl->pt = cur, cur = t; /* the slot's old buffer was wiped */
        sl->ptlen = curlen;
        sl->last = final;
        bv_pipe_done(z->p, 0, i, final);
        if (final)
            break;
        t = cur, cur = next, next = t;
        curlen = nextlen;
    }
    z->spare[0] = cur, z->spare[1] = next;
    return NULL;
out:
    z->spare[0] = cur, z->spare[1] = next;
    bv_pipe_fail(z->p, i, st);
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
 *
 * A body the store keeps outside its transactions (a file) has nothing
 * in a batch but that heartbeat: one after its first chunk, then one
 * every BEAT_S, well inside BV_STAGE_STALE_S. Every commit syncs the
 * vault's log, and on ext4 a sync waits for the blocks the file has been
 * given meanwhile: a commit every 32 chunks cost a 1 GiB rekey a sixth
 * of its time, the pipeline stalled behind it.
 */
#define BATCH_WAIT_S 0.2
#define BEAT_S 60
static bv_status
store_stage(bv_store *s, struct bv_pipe *p, unsigned k, bv_body_dst *d)
{
    struct bv_slot *sl;
    uint64_t i;
    bv_batches *b = NULL;
    bv_status st = BV_OK, st2;
    int in_tx = 0, go, outside = 0;
    time_t beat = 0;

    if (d->staging && (st = bv_store_batches_begin(s, &b)) != BV_OK) {
        bv_pipe_fail(p, 0, st);
        return st;
    }

    bv_stop_arm(1);
    for (i = 0;; i++) {
        /* never an unbounded wait: a stop asked for is seen within one */
        while ((go = bv_pipe_wait_for(p, k, i, BATCH_WAIT_S)) < 0 && !bv_stop_requested()) {
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
        sl = &p->slot[i % BV_PIPE_SLOTS];
        if (d->staging && !in_tx && (!outside || time(NULL) - beat >= BEAT_S)) {
            bv_store_batch_next(b);
            if ((st = bv_store_begin(s)) != BV_OK)
                break;
            in_tx = 1;
        }
        bv_buf_put(d->hashes, sl->h, 32);
        if ((st = bv_store_chunk_put(s, d->body_id, i, sl->ct, sl->len)) != BV_OK)
            break;
        if (i == 0 && d->staging && (st = bv_store_body_outside(s, d->body_id, &outside)) != BV_OK)
            break;
        d->nchunks++;
        d->size += sl->ptlen;
        bv_progress_tick(d->progress, d->size, d->total);
        if (in_tx && (outside || (i + 1) % BV_STAGE_BATCH == 0)) {
            in_tx = 0;
            if ((st = batch_commit(s, d, b)) != BV_OK)
                break;
            beat = time(NULL);
        }
        bv_pipe_done(p, k, i, 0);
    }
    bv_stop_arm(0);
    /* every chunk is there: durable before the item's transaction names it */
    if (st == BV_OK && !bv_pipe_stopped(p))
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
        bv_pipe_fail(p, i, st);
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
    struct bv_pipe p;
    struct reader z;
    struct resealer r = { d->key, d->ad, d->adlen };
    struct bv_worker w[BV_PIPE_WORKERS];
    struct bv_crew c = { .n = 0, .st = BV_OK };
    struct stat sb;
    bv_status st;

    dst_start(d);
    memset(&z, 0, sizeof z);
    z.p = &p;
    z.fd = fd;
    z.polled = fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode);
    if ((st = bv_pipe_init(&p, 3)) != BV_OK)
        goto out;
    if ((z.spare[0] = sodium_malloc(BV_CHUNK)) == NULL
        || (z.spare[1] = sodium_malloc(BV_CHUNK)) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    /* from here on a failure goes through the pipeline, which stops */
    bv_crew_add(&c, &p, seal_read, &z);
    bv_crew_stage(&c, &p, w, BV_PIPE_WORKERS, 1, reseal, &r);
    (void)store_stage(s, &p, 2, d);
    bv_crew_join(&c);
    if ((st = bv_pipe_status(&p)) == BV_OK && d->hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    sodium_free(z.spare[0]);
    sodium_free(z.spare[1]);
    bv_pipe_free(&p);
    return st;
}

/* ---- rekey ---- */

struct rekeyer {
    struct bv_pipe *p;
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
    struct bv_slot *sl;
    uint64_t i;
    bv_status st;

    for (i = 0; bv_pipe_wait(r->p, 0, i); i++) {
        sl = &r->p->slot[i % BV_PIPE_SLOTS];
        if ((st = bv_store_chunk_get(
                 r->reader, r->src->body_id, i, sl->ct, BV_PIPE_CT_MAX, &sl->len))
            != BV_OK) {
            bv_pipe_fail(r->p, i, st);
            return NULL;
        }
        bv_pipe_done(r->p, 0, i, i + 1 == r->src->nchunks);
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
    struct bv_pipe p;
    struct rekeyer f = { &p, reader, src };
    struct unsealer u = { src, NULL, 0 };
    struct resealer r = { d->key, d->ad, d->adlen };
    struct recrypter x = { &u, &r };
    struct bv_worker wu[BV_PIPE_WORKERS], wr[BV_PIPE_WORKERS];
    struct bv_crew c = { .n = 0, .st = BV_OK };
    bv_status st;

    dst_start(d);
    if ((st = bv_pipe_init(&p, src->format == 3 ? 3 : 4)) != BV_OK
        || (st = src_stream(src, &u.ss)) != BV_OK)
        goto out;
    bv_crew_add(&c, &p, rekey_fetch, &f);
    if (src->format == 3) {
        bv_crew_stage(&c, &p, wu, BV_PIPE_WORKERS, 1, recrypt, &x);
    } else { /* a format-2 stream decrypts in order, on one worker */
        bv_crew_stage(&c, &p, wu, 1, 1, unseal, &u);
        bv_crew_stage(&c, &p, wr, BV_PIPE_WORKERS, 2, reseal, &r);
    }
    (void)store_stage(s, &p, p.nst - 1, d);
    bv_crew_join(&c);
    if ((st = bv_pipe_status(&p)) == BV_OK && d->nchunks != src->nchunks)
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", src->uid);
    if (st == BV_OK && d->hashes->oom)
        st = bv_fail(BV_ERR, "out of memory");
out:
    bv_stream_free(u.ss);
    bv_pipe_free(&p);
    return st;
}

/* ---- open ---- */

struct opener {
    struct bv_pipe p;
    const bv_body_src *src;
    uint64_t fetched; /* stage 0, calling thread */
    int halted; /* stage 0 stopped because a later stage failed */
    bv_out *out;
    uint64_t written; /* bytes of plaintext so far, stage 2 */
    struct bv_behind behind; /* the output's write-behind, stage 2 */
};

/* Stage 0 of open, on the calling thread, in bv_store_chunk_each: a slot
 * for chunk idx, which the store then reads into... */
static bv_status
fetch_slot(void *ctx, uint64_t idx, size_t n, uint8_t **dst)
{
    struct opener *o = ctx;
    uint64_t i = o->fetched;
    bv_status st;

    if (idx != i || idx >= o->src->nchunks || n > BV_PIPE_CT_MAX) {
        st = bv_fail(BV_EINTEGRITY, "body of item %s is out of order or too long", o->src->uid);
        bv_pipe_fail(&o->p, i, st);
        return st;
    }
    if (!bv_pipe_wait(&o->p, 0, i)) {
        o->halted = 1;
        return BV_ERR; /* the failed stage has the message */
    }
    *dst = o->p.slot[i % BV_PIPE_SLOTS].ct;
    return BV_OK;
}

/* ...and hands on once it is there. */
static bv_status
fetched(void *ctx, uint64_t idx, size_t n)
{
    struct opener *o = ctx;

    o->p.slot[idx % BV_PIPE_SLOTS].len = n;
    o->fetched++;
    bv_pipe_done(&o->p, 0, idx, 0);
    return BV_OK;
}

/* Stage 2 of open: write the authenticated plaintext in order, then wipe it. */
static void *
open_write(void *arg)
{
    struct opener *o = arg;
    struct bv_slot *sl;
    uint64_t i;
    bv_status st;

    for (i = 0; bv_pipe_wait(&o->p, 2, i); i++) {
        sl = &o->p.slot[i % BV_PIPE_SLOTS];
        st = bv_out_write(o->out, sl->pt, sl->ptlen);
        sodium_memzero(sl->pt, sl->ptlen);
        if (st != BV_OK) {
            bv_pipe_fail(&o->p, i, st);
            return NULL;
        }
        o->written += sl->ptlen;
        /* while later chunks are decrypted; errors surface at
         * bv_behind_end below or at the fsync of bv_out_commit */
        if (!o->out->is_stdout)
            bv_behind_wrote(&o->behind, (off_t)o->written);
        bv_progress_tick(o->src->progress, o->written, o->src->size);
        bv_pipe_done(&o->p, 2, i, 0);
    }
    return NULL;
}

bv_status
bv_body_open(bv_store *s, const bv_body_src *src, bv_out *out)
{
    struct opener o;
    struct unsealer u = { src, NULL, 0 };
    struct bv_worker w[BV_PIPE_WORKERS];
    struct bv_crew c = { .n = 0, .st = BV_OK };
    bv_status st;

    memset(&o, 0, sizeof o);
    o.src = src;
    o.out = out;
    o.behind.fd = -1;
    if ((st = bv_pipe_init(&o.p, 3)) != BV_OK || (st = src_stream(src, &u.ss)) != BV_OK)
        goto out;
    if (!out->is_stdout)
        bv_behind_start(&o.behind, out->fd);
    /* one read transaction: every chunk comes from the same snapshot */
    if ((st = bv_store_begin_read(s)) != BV_OK)
        goto out;
    bv_crew_stage(&c, &o.p, w, src->format == 3 ? BV_PIPE_WORKERS : 1, 1, unseal, &u);
    bv_crew_add(&c, &o.p, open_write, &o);
    if ((st = c.st) == BV_OK)
        st = bv_store_chunk_each(s, src->body_id, fetch_slot, fetched, &o);
    bv_store_rollback(s);
    /* a store error, or our own check; a halt is a later stage's failure */
    if (st != BV_OK && !o.halted)
        bv_pipe_fail(&o.p, o.fetched, st);
    bv_pipe_end(&o.p, o.fetched);
    bv_crew_join(&c);
    if ((st = bv_pipe_status(&o.p)) == BV_OK
        && (o.fetched != src->nchunks || o.written != src->size))
        st = bv_fail(BV_EINTEGRITY, "body of item %s is truncated", src->uid);
out:
    /* bv_out_commit's fsync follows, and cannot see this failure */
    if (bv_behind_end(&o.behind) != 0 && st == BV_OK)
        st = bv_fail(BV_ERR, "cannot write the output: %s", strerror(errno));
    bv_stream_free(u.ss);
    bv_pipe_free(&o.p);
    return st;
}
