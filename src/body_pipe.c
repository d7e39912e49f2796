/*
 * body_pipe.c - the ring of chunk slots and the stage threads under
 * body.c's pipelines (include/bv_body_pipe.h): each stage waits on the
 * one before it (the first on the last, for a free slot), two workers of
 * one stage may finish out of order, and a failure stops every stage at
 * the earliest failed chunk, whose message is raised again on the
 * calling thread. It knows nothing of formats, keys or the store.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_sigmask */
#include "bv_body_pipe.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NONE UINT64_MAX /* no chunk: no end known yet, no failure */

bv_status
bv_pipe_init(struct bv_pipe *p, unsigned nst)
{
    unsigned i;

    memset(p, 0, sizeof *p);
    p->nst = nst;
    p->end = p->stop = NONE;
    for (i = 0; i < BV_PIPE_SLOTS; i++) {
        if ((p->slot[i].ct = malloc(BV_PIPE_CT_MAX)) == NULL)
            return bv_fail(BV_ERR, "out of memory");
        if ((p->slot[i].pt = sodium_malloc(BV_CHUNK)) == NULL)
            return bv_fail(BV_ERR, "out of secure memory");
    }
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return bv_fail(BV_ERR, "out of memory");
    p->have_mu = 1;
    for (; p->ncv < BV_PIPE_STAGES; p->ncv++) {
        if (pthread_cond_init(&p->cv[p->ncv], NULL) != 0)
            return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

void
bv_pipe_free(struct bv_pipe *p)
{
    unsigned i;

    for (i = 0; i < BV_PIPE_SLOTS; i++) {
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
wake_all(struct bv_pipe *p)
{
    unsigned k;

    for (k = 0; k < BV_PIPE_STAGES; k++)
        pthread_cond_broadcast(&p->cv[k]);
}

/* With mu held: 1 when stage k may take chunk i, 0 when there is none to
 * take (the body ended before i, or a chunk at or before i failed), -1
 * when it must wait. */
static int
pipe_ready(struct bv_pipe *p, unsigned k, uint64_t i)
{
    if (i >= p->stop || i >= p->end)
        return 0;
    /* the first stage refills a slot once the last has let go of it */
    if (k == 0 ? i < p->done[p->nst - 1] + BV_PIPE_SLOTS : i < p->done[k - 1])
        return 1;
    return -1;
}

int
bv_pipe_wait(struct bv_pipe *p, unsigned k, uint64_t i)
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
int
bv_pipe_wait_for(struct bv_pipe *p, unsigned k, uint64_t i, double secs)
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
void
bv_pipe_done(struct bv_pipe *p, unsigned k, uint64_t i, int last)
{
    pthread_mutex_lock(&p->mu);
    p->fin[k][i % BV_PIPE_SLOTS] = i + 1;
    while (p->fin[k][p->done[k] % BV_PIPE_SLOTS] == p->done[k] + 1)
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
void
bv_pipe_end(struct bv_pipe *p, uint64_t n)
{
    pthread_mutex_lock(&p->mu);
    if (p->end == NONE)
        p->end = n;
    wake_all(p);
    pthread_mutex_unlock(&p->mu);
}

/* Chunk i failed with st, whose message bv_fail left on this thread. The
 * earliest chunk wins: that is the failure one thread would have met. */
void
bv_pipe_fail(struct bv_pipe *p, uint64_t i, bv_status st)
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

int
bv_pipe_stopped(struct bv_pipe *p)
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
bv_status
bv_pipe_status(struct bv_pipe *p)
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

void
bv_crew_add(struct bv_crew *c, struct bv_pipe *p, void *(*fn)(void *), void *arg)
{
    if (c->st != BV_OK || c->n == sizeof c->t / sizeof c->t[0])
        return;
    if ((c->st = spawn(&c->t[c->n], fn, arg)) != BV_OK) {
        bv_pipe_fail(p, 0, c->st);
        return;
    }
    c->n++;
}

void
bv_crew_join(struct bv_crew *c)
{
    unsigned i;

    for (i = 0; i < c->n; i++)
        pthread_join(c->t[i], NULL);
}

/* Workers for stage k running fn: two when chunks are independent. */
void
bv_crew_stage(struct bv_crew *c, struct bv_pipe *p, struct bv_worker *w, unsigned n, unsigned k,
    void *(*fn)(void *), void *ctx)
{
    unsigned j;

    for (j = 0; j < n; j++) {
        w[j].p = p;
        w[j].k = k;
        w[j].first = j;
        w[j].step = n;
        w[j].ctx = ctx;
        bv_crew_add(c, p, fn, &w[j]);
    }
}
