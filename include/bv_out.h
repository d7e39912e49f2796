/*
 * bv_out.h - output files that are complete or absent: bytes go to a
 * temporary file next to the target, which is synced and renamed into
 * place only on commit. An interrupted run leaves no half-written file
 * under the final name, and nothing is ever written through a symlink.
 */
#ifndef BV_OUT_H
#define BV_OUT_H

#include "bv.h"

typedef struct {
    int fd; /* -1 when closed */
    int is_stdout; /* writing to fd 1; commit and abort leave it open */
    char *path; /* final name, as given */
    char *tmp; /* ".<basename>.bv-XXXXXXXXXXXX" in the same directory */
    int force; /* replace an existing regular file */
    int anon; /* fd is an O_TMPFILE: no name until commit links it in */
} bv_out;

/*
 * path NULL or "-" means standard output, refused when it is a terminal unless
 * force. A path that is a symlink or not a regular file is refused even
 * with force; an existing file only with force. mode is applied exactly
 * (umask does not widen or narrow it), e.g. 0600 for secrets.
 * On failure *o is left safe to bv_out_abort().
 */
bv_status bv_out_open(bv_out *o, const char *path, int force, unsigned mode);

/* All n bytes or BV_ERR naming the error (EPIPE, ENOSPC, EIO...). */
bv_status bv_out_write(bv_out *o, const void *p, size_t n);

/*
 * File: fsync, rename into place (refusing a file that appeared since
 * open unless force), fsync the directory. Whatever the result, *o is
 * finished afterwards: on failure the temporary file is already gone.
 */
bv_status bv_out_commit(bv_out *o);

/* Close and unlink the temporary file. No-op after commit, on a zeroed
 * struct, and when called twice. Never closes standard output. */
void bv_out_abort(bv_out *o);

#endif
