/*
 * main.c - boardvault's entry point: process hardening, standard output
 * watched to the last byte, and the dispatch (commands.c).
 */
#define _GNU_SOURCE
#include "bv_cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Everything printed on stdout must have got there: a full disk or a
 * closed pipe (EPIPE: SIGPIPE is ignored) turns success into exit 1.
 */
static int out_errno; /* the first write(2) error on standard output */

static ssize_t
out_write(void *cookie, const char *p, size_t n)
{
    ssize_t w;

    (void)cookie;
    do
        w = write(STDOUT_FILENO, p, n);
    while (w < 0 && errno == EINTR);
    if (w < 0 && out_errno == 0)
        out_errno = errno;
    return w < 0 ? -1 : w;
}

/* stdio keeps no reason for an error it met on the way (a large fwrite
 * that failed is dropped), so stdout goes through out_write, which does */
static void
watch_stdout(void)
{
    cookie_io_functions_t io = { NULL, out_write, NULL, NULL };
    FILE *f = fopencookie(NULL, "w", io);

    if (f == NULL)
        return; /* plain stdout: errors are still seen, with a vaguer reason */
    if (setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ) != 0) {
        fclose(f);
        return;
    }
    stdout = f;
}

static int
finish(int rc)
{
    int err = 0;

    if (fflush(stdout) != 0)
        err = out_errno ? out_errno : errno;
    else if (ferror(stdout))
        err = out_errno ? out_errno : EIO;
    if (err == 0)
        return rc;
    fprintf(stderr, "boardvault: writing standard output: %s\n", strerror(err));
    return rc == 0 ? BV_ERR : rc;
}

int
main(int argc, char **argv)
{
    bv_cli_harden();
    watch_stdout();
    if (bv_crypto_init() != BV_OK)
        return finish(bv_cli_error(BV_ERR));
    return finish(bv_cli_dispatch(argc, argv));
}
