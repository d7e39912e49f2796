/*
 * outfile.c - write output to a temporary file beside the target and
 * rename it into place on commit, so the target is complete or absent
 * (see bv_out.h).
 */
#define _GNU_SOURCE
#include "bv_out.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".bv-"
#define RND_BYTES 6
/* keeps "." + base + ".bv-" + 12 hex digits within NAME_MAX (255) */
#define BASE_KEEP 200
#define TRIES 100

/* Directory part of path as a malloc'd string ("." when there is none). */
static char *
dir_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL) {
        *base = path;
        return strdup(".");
    }
    *base = slash + 1;
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static const char *
out_name(const bv_out *o)
{
    return o->is_stdout ? "standard output" : o->path;
}

static void
reset(bv_out *o)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
}

/* What path names now: nothing, or a regular file that --force may
 * replace; never a symbolic link, even with --force (the rename would
 * replace the link, surprising whoever made it). */
static bv_status
target_check(const char *path, int force)
{
    struct stat sb;

    if (*path == '\0')
        return bv_fail(BV_EUSAGE, "empty output file name");
    if (lstat(path, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return bv_fail(BV_EUSAGE, "refusing to follow symbolic link %s", path);
        if (!S_ISREG(sb.st_mode))
            return bv_fail(BV_EUSAGE, "%s exists and is not a regular file", path);
        if (!force)
            return bv_fail(BV_EUSAGE, "%s exists; use --force to replace it", path);
    } else if (errno != ENOENT) {
        return bv_fail(BV_ERR, "cannot check %s: %s", path, strerror(errno));
    }
    return BV_OK;
}

bv_status
bv_out_open(bv_out *o, const char *path, int force, unsigned mode)
{
    const char *base;
    char *dir = NULL, *tmp = NULL;
    uint8_t rnd[RND_BYTES];
    char hex[2 * RND_BYTES + 1];
    size_t keep, tmpsz;
    int fd = -1, i;
    bv_status st = BV_OK;

    reset(o);
    /* "-" is standard output wherever -o is taken, as everywhere in Unix */
    if (path != NULL && strcmp(path, "-") == 0)
        path = NULL;
    if (path == NULL) {
        /* ciphertext or key material on a terminal helps no one */
        if (isatty(STDOUT_FILENO) && !force)
            return bv_fail(BV_EUSAGE, "refusing to write to a terminal; use -o FILE or --force");
        o->fd = STDOUT_FILENO;
        o->is_stdout = 1;
        return BV_OK;
    }
    if ((st = target_check(path, force)) != BV_OK)
        return st;
    if (sodium_init() < 0)
        return bv_fail(BV_ERR, "cannot initialise libsodium");
    if ((dir = dir_of(path, &base)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if (*base == '\0') {
        st = bv_fail(BV_EUSAGE, "%s names a directory, not a file", path);
        goto out;
    }
    keep = strlen(base) < BASE_KEEP ? strlen(base) : BASE_KEEP;
    tmpsz = strlen(dir) + 2 + keep + sizeof TMP_TAG + sizeof hex;
    if ((tmp = malloc(tmpsz)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    /* Best: an unnamed file (O_TMPFILE), linked in only at commit, so a
     * process killed with SIGKILL (or a power cut) leaves no plaintext
     * under any name. tmp then only reserves a name for --force. */
    randombytes_buf(rnd, sizeof rnd);
    bv_hex(hex, rnd, sizeof rnd);
    snprintf(tmp, tmpsz, "%s/.%.*s" TMP_TAG "%s", dir, (int)keep, base, hex);
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, (mode_t)(mode & 0777));
    if (fd >= 0 && access("/proc/self/fd", X_OK) == 0) {
        o->anon = 1;
        i = TRIES;
    } else if (fd >= 0) {
        close(fd);
        fd = -1;
    }
    /* O_EXCL makes each try atomic; a clash means someone else's file, try another name */
    for (i = o->anon ? TRIES : 0; i < TRIES; i++) {
        randombytes_buf(rnd, sizeof rnd);
        bv_hex(hex, rnd, sizeof rnd);
        snprintf(tmp, tmpsz, "%s/.%.*s" TMP_TAG "%s", dir, (int)keep, base, hex);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)(mode & 0777));
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0) {
        st = bv_fail(BV_ERR, "cannot create a file in %s: %s", dir, strerror(errno));
        goto out;
    }
    /* open() applied the umask; the caller's mode is what must stick */
    if (fchmod(fd, (mode_t)(mode & 0777)) != 0) {
        st = bv_fail(BV_ERR, "cannot set the mode of %s: %s", tmp, strerror(errno));
        goto out;
    }
    if ((o->path = strdup(path)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    o->fd = fd;
    o->tmp = tmp;
    o->force = force;
    fd = -1;
    tmp = NULL;
out:
    if (fd >= 0) {
        close(fd);
        if (!o->anon)
            unlink(tmp);
    }
    free(tmp);
    free(dir);
    if (st != BV_OK)
        bv_out_abort(o);
    return st;
}

/* Give the unnamed file a name: it appears complete, all at once. */
static int
link_anon(int fd, const char *to)
{
    char proc[64];

    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno == EEXIST)
        return -1;
    return linkat(fd, "", AT_FDCWD, to, AT_EMPTY_PATH);
}

bv_status
bv_out_write(bv_out *o, const void *p, size_t n)
{
    const uint8_t *c = p;
    ssize_t w;

    /* a zeroed struct has fd 0: never write there */
    if (o->fd < 0 || (!o->is_stdout && o->tmp == NULL))
        return bv_fail(BV_ERR, "output is not open");
    while (n > 0) {
        w = write(o->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && o->is_stdout)
            return bv_fail(BV_ERR, "writing standard output: %s", strerror(errno));
        if (w < 0)
            return bv_fail(BV_ERR, "cannot write to %s: %s", out_name(o), strerror(errno));
        if (w == 0)
            return bv_fail(BV_ERR, "cannot write to %s: no progress", out_name(o));
        c += w;
        n -= (size_t)w;
    }
    return BV_OK;
}

/*
 * rename(2) that fails with EEXIST instead of replacing. Where the file
 * system has no RENAME_NOREPLACE, link(2) refuses an existing name just
 * as atomically.
 */
static int
rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(from, to) != 0)
        return -1;
    unlink(from);
    return 0;
}

bv_status
bv_out_commit(bv_out *o)
{
    const char *base;
    char *dir = NULL;
    int dfd = -1, rc;
    bv_status st = BV_OK;

    if (o->is_stdout) {
        reset(o); /* write(2) buffers nothing; a pipe has no directory to sync */
        return BV_OK;
    }
    if (o->tmp == NULL || o->fd < 0)
        return bv_fail(BV_ERR, "no output file to commit");
    if (fsync(o->fd) != 0) {
        st = bv_fail(BV_ERR, "cannot write to %s: %s", o->path, strerror(errno));
        goto out;
    }
    if (o->anon) {
        /* without force, linkat refuses a name that appeared since open;
         * with force, link under the reserved name, then rename over */
        if (!o->force) {
            rc = link_anon(o->fd, o->path);
        } else if ((rc = link_anon(o->fd, o->tmp)) == 0) {
            o->anon = 0; /* it has a name now: abort must remove it */
            rc = rename(o->tmp, o->path);
        }
    } else {
        rc = close(o->fd);
        o->fd = -1;
        /* NFS reports write errors at close; EINTR still closed the fd */
        if (rc != 0 && errno != EINTR) {
            st = bv_fail(BV_ERR, "cannot write to %s: %s", o->path, strerror(errno));
            goto out;
        }
        /* without force, a file created at the final name since open is never clobbered */
        rc = o->force ? rename(o->tmp, o->path) : rename_noreplace(o->tmp, o->path);
    }
    if (rc != 0) {
        if (errno == EEXIST && !o->force)
            st = bv_fail(BV_EUSAGE, "%s exists; use --force to replace it", o->path);
        else
            st = bv_fail(
                BV_ERR, "cannot move the new file into place as %s: %s", o->path, strerror(errno));
        goto out;
    }
    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
    }
    o->anon = 0;
    free(o->tmp);
    o->tmp = NULL; /* it is the final file now: abort must not unlink it */
    /* the new name is durable only once the directory entry is */
    if ((dir = dir_of(o->path, &base)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || (fsync(dfd) != 0 && errno != EINVAL)) {
        st = bv_fail(
            BV_ERR, "wrote %s but cannot sync its directory: %s", o->path, strerror(errno));
        goto out;
    }
out:
    if (dfd >= 0)
        close(dfd);
    free(dir);
    bv_out_abort(o);
    return st;
}

void
bv_out_abort(bv_out *o)
{
    /* only a file we created is ours to close and remove; stdout is not;
     * an unnamed file vanishes when closed */
    if (o->tmp != NULL) {
        if (o->fd >= 0)
            close(o->fd);
        if (!o->anon)
            unlink(o->tmp);
    }
    free(o->tmp);
    free(o->path);
    reset(o);
}
