/*
 * bv_pass.h - passphrases in and out of locked memory: read from a file
 * descriptor (--passphrase-fd N) or from the terminal with echo off.
 * A passphrase never comes from argv or the environment, where other
 * users could read it in /proc.
 */
#ifndef BV_PASS_H
#define BV_PASS_H

#include "bv.h"

/* p: sodium_malloc'd (guarded, wiped on free), NUL-terminated after len bytes. */
typedef struct {
    char *p;
    size_t len;
} bv_secret;

#define BV_PASS_MAX 1024

/*
 * fd >= 0: the first line of fd, read one byte at a time so a later call
 * reads the next line (old and new passphrase on one fd); the "\n" and a
 * "\r" before it are stripped. confirm is ignored.
 * fd == -1: ask on /dev/tty with echo off; when confirm, ask twice.
 * An empty line gives BV_OK with len 0: whether that is acceptable is the
 * caller's decision. Everything else that is not a usable line (no data,
 * too long, NUL byte, fd not open, no terminal, mismatch) is BV_EUSAGE.
 * On failure *out is left zeroed, so bv_secret_free() is always safe.
 */
bv_status bv_pass_read(int fd, const char *prompt, int confirm, bv_secret *out);

/* Wipe and free; safe on a zeroed struct and when called twice. */
void bv_secret_free(bv_secret *s);

/* Copy len bytes into fresh sodium memory (NUL-terminated). */
bv_status bv_secret_dup(const void *p, size_t len, bv_secret *out);

#endif
