/*
 * bv_body_pipe.h - the ring of chunk slots and the stage threads that
 * body.c's pipelines (seal, open, rekey) run on; src/body_pipe.c. Private
 * to the body module: only body.c and body_pipe.c include it.
 *
 * Stage k of a pipeline takes chunk i once stage k - 1 has finished it
 * (stage 0 once the last stage has let go of the slot it reuses); a
 * failure stops every stage at the failed chunk, and the earliest
 * chunk's failure is the one reported.
 */
#ifndef BV_BODY_PIPE_H
#define BV_BODY_PIPE_H

#include "bv.h"
#include "bv_crypto.h"

#include <pthread.h>

/* Slots in flight: one per thread (rekey has six) plus two being
 * refilled, so no stage waits on another's buffer. Memory stays constant
 * in the body size: BV_PIPE_SLOTS ciphertext buffers and as many
 * plaintext ones. */
#define BV_PIPE_STAGES 4u /* at most */
#define BV_PIPE_SLOTS 8u
#define BV_PIPE_WORKERS 2u /* per parallel stage: the cores of the machines we aim at */
#define BV_PIPE_CT_MAX (BV_CHUNK + BV_STREAM_ABYTES) /* the larger of the formats' */

struct bv_slot {
    uint8_t *ct; /* ciphertext: public, so ordinary heap */
    size_t len;
    uint8_t *pt; /* plaintext: sodium_malloc'd, wiped once used */
    size_t ptlen;
    int last; /* the body's last chunk */
    uint8_t h[32]; /* the new ciphertext's hash (seal, rekey) */
};

struct bv_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv[BV_PIPE_STAGES]; /* stage k's workers wait on cv[k] */
    uint64_t done[BV_PIPE_STAGES]; /* chunks each stage has finished, all before it too */
    uint64_t fin[BV_PIPE_STAGES][BV_PIPE_SLOTS]; /* i + 1 once chunk i is finished (out of order) */
    uint64_t end; /* number of chunks, once the first stage knows it */
    uint64_t stop; /* index of the earliest failed chunk, UINT64_MAX if none */
    bv_status st; /* that failure, and its message from whichever thread */
    char msg[512];
    unsigned nst; /* stages of this pipeline */
    struct bv_slot slot[BV_PIPE_SLOTS];
    int have_mu;
    unsigned ncv; /* condition variables initialised */
};

/* A worker of one stage: it takes chunks first, first + step, ... */
struct bv_worker {
    struct bv_pipe *p;
    unsigned k, first, step;
    void *ctx; /* the direction's own state */
};

/* The threads of one pipeline, started in stage order; the first failure
 * to start one stops the pipeline at chunk 0. */
struct bv_crew {
    pthread_t t[8];
    unsigned n;
    bv_status st;
};

/* The ring: nst stages, BV_PIPE_SLOTS slots with their buffers. */
bv_status bv_pipe_init(struct bv_pipe *p, unsigned nst);
void bv_pipe_free(struct bv_pipe *p);
/* Wait until stage k may take chunk i: 1 go, 0 there is none to take. */
int bv_pipe_wait(struct bv_pipe *p, unsigned k, uint64_t i);
/* The same for at most secs seconds: -1 when the time ran out first. */
int bv_pipe_wait_for(struct bv_pipe *p, unsigned k, uint64_t i, double secs);
/* Stage k has finished chunk i; last: it was the body's last chunk. */
void bv_pipe_done(struct bv_pipe *p, unsigned k, uint64_t i, int last);
/* The first stage has delivered n chunks and there are no more. */
void bv_pipe_end(struct bv_pipe *p, uint64_t n);
/* Chunk i failed with st (its message on this thread's bv_fail). */
void bv_pipe_fail(struct bv_pipe *p, uint64_t i, bv_status st);
/* 1 once any chunk has failed. */
int bv_pipe_stopped(struct bv_pipe *p);
/* The earliest failure, raised again on the calling thread; BV_OK if none. */
bv_status bv_pipe_status(struct bv_pipe *p);

/* A thread running fn(arg), with every signal blocked; a failure to start
 * it stops the pipeline at chunk 0. */
void bv_crew_add(struct bv_crew *c, struct bv_pipe *p, void *(*fn)(void *), void *arg);
/* n workers w[] for stage k running fn over ctx, taking chunks in turn. */
void bv_crew_stage(struct bv_crew *c, struct bv_pipe *p, struct bv_worker *w, unsigned n,
    unsigned k, void *(*fn)(void *), void *ctx);
/* Every thread started, joined. */
void bv_crew_join(struct bv_crew *c);

#endif
