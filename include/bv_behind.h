/*
 * bv_behind.h - large files past the page cache (src/behind.c): written
 * in order without filling the cache and without leaving all of the flush
 * to the final fsync (the body files of seal and rekey, the output of
 * open), and read straight from the disk (a body, at open and rekey).
 *
 * Measured on the bench's 2-core VM (docs/BENCHMARKS.md, "How it is
 * measured"), 1 GiB written in 1 MiB pieces with 0.7 ms of CPU work
 * between them, then fsync'd: 1.8 s plainly; 1.27 s with the writeback
 * started at once and the pages more than BV_BEHIND back dropped (the
 * writer reuses its own freed pages, where a VM that hands freed memory
 * back to its host faults in new ones, 1.3 s of CPU per GiB); 0.9 s with
 * a thread that also flushes every BV_FLUSH_EVERY bytes, so that the
 * device's cache is emptied while the work goes on instead of all at the
 * final fsync (0.35 s of it otherwise). An fdatasync in the writer's own
 * thread instead costs more than it saves (1.36 s).
 *
 * Usage: bv_behind_start once the file is open, bv_behind_wrote after
 * each write, bv_behind_end before the fsync that must follow, whose
 * result it is part of: a failure the flusher saw is reported there, as
 * the kernel reports a write-back error to one fsync only.
 */
#ifndef BV_BEHIND_H
#define BV_BEHIND_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BV_BEHIND (16 << 20) /* bytes kept in the page cache behind the writer */
#define BV_FLUSH_EVERY (8 << 20) /* bytes between the flusher's fdatasyncs */

struct bv_behind {
    int fd; /* -1: not started */
    off_t started, dropped; /* writeback started, pages dropped, up to */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    off_t written, flushed; /* under mu */
    int running, stop, err; /* err: errno of a failed fdatasync */
};

/* Starts the flusher for fd (without one, if no thread can be had: only
 * slower). */
void bv_behind_start(struct bv_behind *b, int fd);
/* written: bytes of the file written so far, in order. */
void bv_behind_wrote(struct bv_behind *b, off_t written);
/* Stops the flusher. 0, or -1 with errno when one of its fdatasyncs
 * failed: the caller's fsync may then succeed, and must not be trusted. */
int bv_behind_end(struct bv_behind *b);

/*
 * Reading from the disk itself (O_DIRECT), not through the page cache: a
 * body is read once per open, long after it was written, and on the
 * bench's VM reading 1 GiB cold through the cache cost 1.5 s of CPU in
 * new pages, straight from the disk 0.06 s (0.3 s of wall time; 0.9 s
 * beside a writer on the same disk). O_DIRECT wants the offset, length
 * and buffer aligned, which a body's chunks are not: the aligned span
 * around each is read into an aligned buffer and copied out. Where the
 * file system refuses (tmpfs: EINVAL) the descriptor goes back to the
 * page cache, for good.
 */
struct bv_direct {
    int on;
    uint8_t *buf; /* BV_DIRECT_ALIGN-aligned, cap bytes */
    size_t cap;
};
#define BV_DIRECT_ALIGN 4096u
/* For reads of up to max bytes from fd; never fails (reads then go
 * through the cache). */
void bv_direct_start(struct bv_direct *d, int fd, size_t max);
void bv_direct_end(struct bv_direct *d);
/* n bytes at off into p: 0, or -1 with errno (a short file: EIO). */
int bv_direct_read(int fd, struct bv_direct *d, uint8_t *p, size_t n, off_t off);

#endif
