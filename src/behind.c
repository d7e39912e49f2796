/*
 * behind.c - large files past the page cache: write-behind, and direct
 * reads (see include/bv_behind.h for why and what it measured).
 *
 * Everything here is a hint to the kernel except the flusher's result:
 * sync_file_range and posix_fadvise failing only leave more to the final
 * fsync, but an fdatasync that fails has consumed the write-back error
 * that fsync would have reported, so it is kept and returned by
 * bv_behind_end.
 */
#define _GNU_SOURCE /* sync_file_range, O_DIRECT */
#include "bv_behind.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *
flusher(void *arg)
{
    struct bv_behind *b = arg;
    off_t upto;
    int err;

    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->stop && b->written - b->flushed < BV_FLUSH_EVERY)
            pthread_cond_wait(&b->cv, &b->mu);
        if (b->stop)
            break;
        upto = b->written;
        pthread_mutex_unlock(&b->mu);
        err = fdatasync(b->fd) == 0 ? 0 : errno;
        pthread_mutex_lock(&b->mu);
        b->flushed = upto;
        if (err != 0 && b->err == 0)
            b->err = err;
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

void
bv_behind_start(struct bv_behind *b, int fd)
{
    sigset_t all, old;

    b->fd = fd;
    b->started = b->dropped = b->written = b->flushed = 0;
    b->running = b->stop = b->err = 0;
    if (pthread_mutex_init(&b->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&b->cv, NULL) != 0) {
        pthread_mutex_destroy(&b->mu);
        return;
    }
    /* signals stay with the calling thread, whose handlers clean up */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    b->running = pthread_create(&b->thread, NULL, flusher, b) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!b->running) {
        pthread_cond_destroy(&b->cv);
        pthread_mutex_destroy(&b->mu);
    }
}

void
bv_behind_wrote(struct bv_behind *b, off_t written)
{
    off_t upto = written - BV_BEHIND, from;

    if (b->fd < 0)
        return;
    if (written > b->started) {
        (void)sync_file_range(b->fd, b->started, written - b->started, SYNC_FILE_RANGE_WRITE);
        b->started = written;
    }
    if (b->running) {
        pthread_mutex_lock(&b->mu);
        b->written = written;
        if (written - b->flushed >= BV_FLUSH_EVERY)
            pthread_cond_signal(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
    if (upto <= b->dropped)
        return;
    /* from the page that straddled the last call's end: written by now */
    from = b->dropped & ~(off_t)4095;
    (void)sync_file_range(b->fd, from, upto - from,
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    (void)posix_fadvise(b->fd, from, upto - from, POSIX_FADV_DONTNEED);
    b->dropped = upto;
}

int
bv_behind_end(struct bv_behind *b)
{
    int err = 0;

    if (b->fd >= 0 && b->running) {
        pthread_mutex_lock(&b->mu);
        b->stop = 1;
        pthread_cond_signal(&b->cv);
        pthread_mutex_unlock(&b->mu);
        pthread_join(b->thread, NULL);
        err = b->err;
        pthread_cond_destroy(&b->cv);
        pthread_mutex_destroy(&b->mu);
    }
    b->running = 0;
    b->fd = -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

/* ---- direct reads ---- */

void
bv_direct_start(struct bv_direct *d, int fd, size_t max)
{
    void *p = NULL;
    int fl;

    d->on = 0;
    d->buf = NULL;
    d->cap = (max + 2 * BV_DIRECT_ALIGN) & ~(size_t)(BV_DIRECT_ALIGN - 1);
    if (posix_memalign(&p, BV_DIRECT_ALIGN, d->cap) != 0)
        return;
    d->buf = p;
    d->on = (fl = fcntl(fd, F_GETFL)) >= 0 && fcntl(fd, F_SETFL, fl | O_DIRECT) == 0;
}

void
bv_direct_end(struct bv_direct *d)
{
    free(d->buf); /* ciphertext only: nothing to wipe */
    d->buf = NULL;
    d->on = 0;
}

/* Up to n bytes at off into p, stopping early only at the end of the
 * file; the count read, or -1 with errno. A direct read short of a
 * whole block has reached the end (the next would be misaligned). */
static ssize_t
read_upto(int fd, uint8_t *p, size_t n, off_t off, int direct)
{
    size_t got = 0;
    ssize_t r;

    while (got < n) {
        if ((r = pread(fd, p + got, n - got, off + (off_t)got)) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
        if (r == 0 || (direct && (size_t)r % BV_DIRECT_ALIGN != 0))
            break;
    }
    return (ssize_t)got;
}

int
bv_direct_read(int fd, struct bv_direct *d, uint8_t *p, size_t n, off_t off)
{
    off_t a = off & ~(off_t)(BV_DIRECT_ALIGN - 1);
    size_t skip = (size_t)(off - a);
    size_t span = (skip + n + BV_DIRECT_ALIGN - 1) & ~(size_t)(BV_DIRECT_ALIGN - 1);
    ssize_t r;
    int fl;

    if (d->on && span <= d->cap) {
        /* the span may pass the end of the file: a short read there */
        if ((r = read_upto(fd, d->buf, span, a, 1)) >= 0) {
            if ((size_t)r < skip + n) {
                errno = EIO;
                return -1;
            }
            memcpy(p, d->buf + skip, n);
            return 0;
        }
        if (errno != EINVAL)
            return -1;
        /* refused after all: through the cache from now on */
        d->on = 0;
        if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_DIRECT) != 0)
            return -1;
    }
    if ((r = read_upto(fd, p, n, off, 0)) < 0)
        return -1;
    if ((size_t)r < n) {
        errno = EIO;
        return -1;
    }
    return 0;
}
