/*
 * store/files.c - the SQLite engine's file bodies (docs/FORMATS.md §9.6).
 * A body whose first chunk is at least BV_FILE_MIN bytes is written to a
 * file of its own in <vault>.bodies/ instead of chunk rows: written once,
 * where rows would be written to the WAL and again at the checkpoint.
 *
 * The file of body N is written as "N.tmp" (O_EXCL, 0600, never through
 * a link), synced, renamed "N" and the directory synced, all before the
 * transaction that names the body commits (bv_store_body_flush): so a
 * committed item never names a file that is not durable. Body ids are
 * only ever held by one writer (a staging body's row is committed before
 * its file is made; a live one's is inside the writer's own write
 * transaction), so a file "N" or "N.tmp" with no bodies row N is left by
 * a writer that died, and the sweep removes it under the write lock.
 * The file is ciphertext whose every chunk's hash is signed (§4.11):
 * a file swapped, edited, cut short or extended fails at open (exit 5).
 */
#define _GNU_SOURCE /* renameat2 */
#include "bv_sqlite.h"
#include "bv_behind.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file's first 16 bytes: what it is, and the length of every chunk
 * but the last (which may be shorter). Not signed: a changed stride cuts
 * the chunks elsewhere, and their signed hashes no longer match. */
#define MAGIC "BVBODY1\n"
#define HDR 16u

struct bv_sqfiles {
    int wfd; /* the body being written, or -1 */
    int dfd;
    int64_t wbody;
    uint64_t wnext;
    size_t wstride;
    int wshort; /* its last chunk came: no more may follow */
    struct bv_behind wbehind; /* its write-behind (bv_behind.h) */
    /* The body last read chunk by chunk (rekey's fetch), held open: an
     * open, a header read and a close per chunk, and the query before
     * them, were a third of that stage's time. A named body file is
     * never rewritten, only removed (which closes this first). */
    int rfd; /* or -1 */
    struct bv_direct rdirect;
    int64_t rbody;
    size_t rstride;
    uint64_t rnchunks, rdata;
};

/* "<vault>.bodies" for the vault file path. */
static bv_status
dir_name(const char *vault, char *out, size_t cap)
{
    if (snprintf(out, cap, "%s.bodies", vault) >= (int)cap)
        return bv_fail(BV_ERR, "path too long: %s", vault);
    return BV_OK;
}

static const char *
vault_path(bv_store *s)
{
    const char *p = sqlite3_db_filename(bv_sq(s)->db, "main");

    return p && *p ? p : NULL;
}

/* The bodies directory of vault, opened (never through a link); made
 * 0700 when create and it is not there. -1 and errno ENOENT when absent. */
static int
dir_open(const char *vault, int create)
{
    char d[PATH_MAX];
    int fd;

    if (dir_name(vault, d, sizeof d) != BV_OK) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        if (mkdir(d, 0700) != 0 && errno != EEXIST)
            return -1;
        if (bv_sync_parent(d) != 0)
            return -1;
        fd = open(d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    return fd;
}

static void
body_name(char out[32], int64_t id, int tmp)
{
    snprintf(out, 32, "%lld%s", (long long)id, tmp ? ".tmp" : "");
}

static bv_status
io_fail(const char *what, int64_t id)
{
    return bv_fail(BV_ERR, "%s the file of body %lld: %s", what, (long long)id, strerror(errno));
}

static int
write_all(int fd, const uint8_t *p, size_t n, off_t off)
{
    ssize_t w;

    while (n > 0) {
        if ((w = pwrite(fd, p, n, off)) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w, n -= (size_t)w, off += w;
    }
    return 0;
}

static struct bv_sqfiles *
files_of(bv_store *s)
{
    struct bv_sqfiles *f = bv_sq(s)->files;

    if (f == NULL && (f = calloc(1, sizeof *f)) != NULL) {
        f->wfd = f->dfd = f->rfd = f->wbehind.fd = -1;
        bv_sq(s)->files = f;
    }
    return f;
}

static void
reader_close(struct bv_sqfiles *f)
{
    if (f != NULL && f->rfd >= 0) {
        bv_direct_end(&f->rdirect);
        close(f->rfd);
        f->rfd = -1;
        f->rbody = 0;
    }
}

/* Forget the body being written; its .tmp stays for the sweep. */
static void
writer_close(struct bv_sqfiles *f)
{
    (void)bv_behind_end(&f->wbehind); /* the file is abandoned: no result */
    if (f->wfd >= 0)
        close(f->wfd);
    if (f->dfd >= 0)
        close(f->dfd);
    f->wfd = f->dfd = -1;
    f->wbody = 0;
}

void
bv_sqlite_files_close(bv_store *s)
{
    if (bv_sq(s)->files) {
        writer_close(bv_sq(s)->files);
        reader_close(bv_sq(s)->files);
        free(bv_sq(s)->files);
        bv_sq(s)->files = NULL;
    }
}

/* A new file for body id, chunk 0 of n bytes setting the stride. */
static bv_status
writer_open(bv_store *s, struct bv_sqfiles *f, int64_t id, size_t n)
{
    const char *vault = vault_path(s);
    uint8_t hdr[HDR];
    char name[32];
    int tries;

    writer_close(f);
    if (vault == NULL)
        return bv_fail(BV_ERR, "the vault has no file name");
    if ((f->dfd = dir_open(vault, 1)) < 0)
        return bv_fail(
            BV_ERR, "cannot open the bodies directory of %s: %s", vault, strerror(errno));
    body_name(name, id, 1);
    for (tries = 0; tries < 2; tries++) {
        f->wfd = openat(f->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (f->wfd >= 0 || errno != EEXIST)
            break;
        /* the id is ours alone: this one was left by a writer that died */
        if (unlinkat(f->dfd, name, 0) != 0)
            break;
    }
    if (f->wfd < 0) {
        bv_status st = io_fail("cannot create", id);
        writer_close(f);
        return st;
    }
    memcpy(hdr, MAGIC, 8);
    bv_store_be64(hdr + 8, (uint64_t)n);
    if (write_all(f->wfd, hdr, HDR, 0) != 0) {
        bv_status st = io_fail("cannot write", id);
        writer_close(f);
        return st;
    }
    f->wbody = id;
    f->wnext = 0;
    f->wstride = n;
    f->wshort = 0;
    bv_behind_start(&f->wbehind, f->wfd);
    return BV_OK;
}

/* BOARDVAULT_FILE_BODIES=0 keeps every new body in rows (boardvault.1):
 * the tests of row bodies, and whoever wants the vault in one file. */
static int
files_on(void)
{
    const char *e = getenv("BOARDVAULT_FILE_BODIES");

    return !(e && strcmp(e, "0") == 0);
}

bv_status
bv_sqlite_file_put(bv_store *s, int64_t id, uint64_t idx, const uint8_t *p, size_t n, int *taken)
{
    struct bv_sqfiles *f = bv_sq(s)->files;
    bv_status st;

    *taken = 0;
    if ((f == NULL || f->wfd < 0 || f->wbody != id)
        && !(idx == 0 && n >= BV_FILE_MIN && files_on()))
        return BV_OK; /* a body in rows */
    *taken = 1;
    if (idx == 0) {
        if ((f = files_of(s)) == NULL)
            return bv_fail(BV_ERR, "out of memory");
        if ((st = writer_open(s, f, id, n)) != BV_OK)
            return st;
    }
    if (idx != f->wnext || f->wshort || n > f->wstride)
        return bv_fail(
            BV_ERR, "body %lld: chunk %llu out of order", (long long)id, (unsigned long long)idx);
    if (write_all(f->wfd, p, n, (off_t)(HDR + idx * f->wstride)) != 0)
        return io_fail("cannot write", id);
    /* while the workers encrypt the next chunks; errors surface at the
     * fsync of bv_sqlite_body_flush, which is checked */
    bv_behind_wrote(&f->wbehind, (off_t)(HDR + idx * f->wstride + n));
    f->wshort = n < f->wstride;
    f->wnext++;
    return BV_OK;
}

/* Durable before named: sync the file, give it its name, sync the
 * directory. Nothing to do for a body in rows. */
bv_status
bv_sqlite_body_flush(bv_store *s, int64_t id)
{
    struct bv_sqfiles *f = bv_sq(s)->files;
    char tmp[32], name[32];
    bv_status st = BV_OK;

    if (f == NULL || f->wfd < 0 || f->wbody != id)
        return BV_OK;
    body_name(tmp, id, 1);
    body_name(name, id, 0);
    if (bv_behind_end(&f->wbehind) != 0 || fsync(f->wfd) != 0)
        st = io_fail("cannot sync", id);
    else if (renameat(f->dfd, tmp, f->dfd, name) != 0)
        st = io_fail("cannot name", id);
    else if (fsync(f->dfd) != 0)
        st = io_fail("cannot sync the directory of", id);
    writer_close(f);
    return st;
}

/* The body being written to a file: its chunks are in no transaction. */
bv_status
bv_sqlite_body_outside(bv_store *s, int64_t id, int *outside)
{
    struct bv_sqfiles *f = bv_sq(s)->files;

    *outside = f != NULL && f->wfd >= 0 && f->wbody == id;
    return BV_OK;
}

/* The named file of body id: its descriptor, stride and chunk count.
 * *fd -1 when there is none. */
static bv_status
reader_open(bv_store *s, int64_t id, int *fd, size_t *stride, uint64_t *nchunks, uint64_t *data)
{
    const char *vault = vault_path(s);
    uint8_t hdr[HDR];
    struct stat sb;
    char name[32];
    int dfd;

    *fd = -1;
    if (vault == NULL || (dfd = dir_open(vault, 0)) < 0)
        return BV_OK;
    body_name(name, id, 0);
    *fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dfd);
    if (*fd < 0 && errno == ELOOP) /* a link put in its place */
        return bv_fail(BV_EINTEGRITY, "the file of body %lld is not a body", (long long)id);
    if (*fd < 0)
        return errno == ENOENT ? BV_OK : io_fail("cannot open", id);
    if (fstat(*fd, &sb) != 0 || sb.st_size < (off_t)HDR || pread(*fd, hdr, HDR, 0) != (ssize_t)HDR
        || memcmp(hdr, MAGIC, 8) != 0 || (*stride = (size_t)bv_load_be64(hdr + 8)) == 0
        || *stride > INT_MAX) {
        close(*fd);
        *fd = -1;
        return bv_fail(BV_EINTEGRITY, "the file of body %lld is not a body", (long long)id);
    }
    *data = (uint64_t)sb.st_size - HDR;
    *nchunks = (*data + *stride - 1) / *stride;
    return BV_OK;
}

int
bv_sqlite_file_held(bv_store *s, int64_t id)
{
    const struct bv_sqfiles *f = bv_sq(s)->files;

    return f != NULL && f->rfd >= 0 && f->rbody == id;
}

bv_status
bv_sqlite_file_get(
    bv_store *s, int64_t id, uint64_t idx, uint8_t *p, size_t cap, size_t *n, int *found)
{
    struct bv_sqfiles *f = files_of(s);
    size_t len;
    bv_status st;

    *found = 0;
    if (f == NULL)
        return bv_fail(BV_ERR, "out of memory");
    if (!bv_sqlite_file_held(s, id)) {
        reader_close(f);
        if ((st = reader_open(s, id, &f->rfd, &f->rstride, &f->rnchunks, &f->rdata)) != BV_OK
            || f->rfd < 0)
            return st;
        f->rbody = id;
        bv_direct_start(&f->rdirect, f->rfd, f->rstride);
    }
    *found = 1;
    if (idx >= f->rnchunks)
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is missing", (unsigned long long)idx);
    len = (size_t)(f->rdata - idx * f->rstride < f->rstride ? f->rdata - idx * f->rstride
                                                            : f->rstride);
    if (len > cap)
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is too long", (unsigned long long)idx);
    if (bv_direct_read(f->rfd, &f->rdirect, p, len, (off_t)(HDR + idx * f->rstride)) != 0)
        return io_fail("cannot read", id);
    *n = len;
    return BV_OK;
}

bv_status
bv_sqlite_file_each(
    bv_store *s, int64_t id, bv_chunk_fn want, bv_chunk_done_fn got, void *ctx, int *found)
{
    uint64_t nchunks, data, i;
    size_t stride, len;
    uint8_t *dst;
    struct bv_direct d;
    bv_status st;
    int fd;

    *found = 0;
    if ((st = reader_open(s, id, &fd, &stride, &nchunks, &data)) != BV_OK || fd < 0)
        return st;
    *found = 1;
    bv_direct_start(&d, fd, stride);
    for (i = 0; i < nchunks && st == BV_OK; i++) {
        len = (size_t)(data - i * stride < stride ? data - i * stride : stride);
        if ((st = want(ctx, i, len, &dst)) != BV_OK)
            break;
        if (bv_direct_read(fd, &d, dst, len, (off_t)(HDR + i * stride)) != 0)
            st = io_fail("cannot read", id);
        else
            st = got(ctx, i, len);
    }
    bv_direct_end(&d);
    close(fd);
    return st;
}

/* Overwrite name in dfd with zeros, sync, unlink. Absent: nothing to do.
 * On ext4 and SSDs the old blocks may survive elsewhere (THREATS.md). */
static int
shred_at(int dfd, const char *name)
{
    static const uint8_t zero[65536];
    struct stat sb;
    off_t off;
    int fd, ok = 1;

    if ((fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return errno == ENOENT ? 0 : -1;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        for (off = 0; ok && off < sb.st_size; off += (off_t)sizeof zero)
            ok = write_all(fd, zero,
                     sb.st_size - off < (off_t)sizeof zero ? (size_t)(sb.st_size - off)
                                                           : sizeof zero,
                     off)
                == 0;
        ok = ok && fdatasync(fd) == 0;
    }
    close(fd);
    if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT)
        return -1;
    return ok ? 1 : -1;
}

/* Both names of body id, if there: after a destroy's commit, or for a
 * body abandoned or orphaned. */
bv_status
bv_sqlite_file_drop(bv_store *s, int64_t id)
{
    struct bv_sqfiles *f = bv_sq(s)->files;
    const char *vault = vault_path(s);
    char name[32];
    int dfd, r1, r2;

    if (f && f->wbody == id)
        writer_close(f);
    reader_close(f);
    if (vault == NULL || (dfd = dir_open(vault, 0)) < 0)
        return BV_OK;
    body_name(name, id, 0);
    r1 = shred_at(dfd, name);
    body_name(name, id, 1);
    r2 = shred_at(dfd, name);
    if (r1 < 0 || r2 < 0) {
        close(dfd);
        return io_fail("cannot remove", id);
    }
    if ((r1 || r2) && fsync(dfd) != 0 && errno != EINVAL) {
        close(dfd);
        return io_fail("cannot sync the directory of", id);
    }
    close(dfd);
    return BV_OK;
}

static bv_status
state_cb(void *ctx, sqlite3_stmt *q)
{
    const unsigned char *t = sqlite3_column_text(q, 0);

    *(int *)ctx = t != NULL && strcmp((const char *)t, "condemned") == 0;
    return BV_OK;
}

/* A condemned body's file unlinked without the overwrite the sweep gives
 * it (rekey: see bv_store.h). Only a condemned body: the row is checked
 * first, so no caller's mistake can take a live body's file. */
bv_status
bv_sqlite_body_unlink(bv_store *s, int64_t id)
{
    struct bv_sqfiles *f = bv_sq(s)->files;
    const char *vault = vault_path(s);
    char name[32];
    int dfd, condemned = 0, gone = 0, tmp;
    bv_status st;

    st = bv_sqlite_one(s, "reading a body's state", state_cb, &condemned,
        "SELECT state FROM bodies WHERE id = ?", "i", id);
    if (st == BV_ENOTFOUND || (st == BV_OK && !condemned))
        return bv_fail(BV_ERR, "body %lld is not condemned: its file stays", (long long)id);
    if (st != BV_OK)
        return st;
    if (f && f->wbody == id)
        writer_close(f);
    reader_close(f);
    if (vault == NULL || (dfd = dir_open(vault, 0)) < 0)
        return BV_OK;
    for (tmp = 0; tmp <= 1; tmp++) {
        body_name(name, id, tmp);
        if (unlinkat(dfd, name, 0) == 0)
            gone = 1;
        else if (errno != ENOENT) {
            close(dfd);
            return io_fail("cannot remove", id);
        }
    }
    if (gone && fsync(dfd) != 0 && errno != EINVAL) {
        close(dfd);
        return io_fail("cannot sync the directory of", id);
    }
    close(dfd);
    return BV_OK;
}

/* A body id from a file name of ours ("N" or "N.tmp"); 0 if not one. */
static int64_t
name_id(const char *n)
{
    char *end;
    long long v;

    if (*n < '1' || *n > '9')
        return 0;
    errno = 0;
    v = strtoll(n, &end, 10);
    if (errno || v <= 0 || (*end && strcmp(end, ".tmp") != 0))
        return 0;
    return (int64_t)v;
}

static bv_status
found_cb(void *ctx, sqlite3_stmt *q)
{
    (void)q;
    *(int *)ctx = 1;
    return BV_OK;
}

static bv_status
row_exists(bv_store *s, int64_t id, int *yes)
{
    bv_status st;

    *yes = 0;
    st = bv_sqlite_one(
        s, "finding a body", found_cb, yes, "SELECT 1 FROM bodies WHERE id = ?", "i", id);
    return st == BV_ENOTFOUND ? BV_OK : st;
}

/*
 * Files no bodies row names: left by a writer that died before its row
 * committed (or after the sweep deleted the row). Candidates are found
 * without the write lock, then each checked again under it: a writer in
 * the middle of a seal holds the lock while its row is not yet
 * committed, so none of its files is taken.
 */
#define ORPHANS_MAX 64
bv_status
bv_sqlite_files_sweep(bv_store *s, uint64_t *swept)
{
    const char *vault = vault_path(s);
    int64_t cand[ORPHANS_MAX], id;
    size_t n = 0, i;
    struct dirent *e;
    DIR *d;
    bv_status st = BV_OK;
    int dfd, yes;

    if (bv_sq(s)->readonly || vault == NULL || (dfd = dir_open(vault, 0)) < 0)
        return BV_OK;
    if ((d = fdopendir(dfd)) == NULL) {
        close(dfd);
        return BV_OK;
    }
    while (n < ORPHANS_MAX && (e = readdir(d)) != NULL) {
        if ((id = name_id(e->d_name)) == 0)
            continue;
        if ((st = row_exists(s, id, &yes)) != BV_OK)
            break;
        for (i = 0; i < n && cand[i] != id; i++)
            ;
        if (!yes && i == n)
            cand[n++] = id;
    }
    closedir(d);
    if (st != BV_OK || n == 0)
        return st;
    if ((st = bv_sqlite_begin(s)) != BV_OK)
        return st;
    for (i = 0; i < n && st == BV_OK; i++) {
        if ((st = row_exists(s, cand[i], &yes)) == BV_OK && !yes
            && (st = bv_sqlite_file_drop(s, cand[i])) == BV_OK)
            ++*swept;
    }
    if (st != BV_OK) {
        bv_store_rollback(s);
        return st;
    }
    return bv_sqlite_commit(s);
}

/* Copy one file of src's directory into dst's (the backup's). */
static bv_status
copy_file(int sfd, int dfd, const char *name, int64_t id)
{
    uint8_t buf[1 << 16];
    ssize_t r;
    off_t off = 0;
    int in, out;
    bv_status st = BV_OK;

    if ((in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return errno == ENOENT ? bv_fail(BV_ERR,
                   "body %lld was destroyed while the backup ran: run it again", (long long)id)
                               : io_fail("cannot open", id);
    if ((out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        close(in);
        return io_fail("cannot create the copy of", id);
    }
    while ((r = read(in, buf, sizeof buf)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || write_all(out, buf, (size_t)r, off) != 0) {
            st = io_fail("cannot copy", id);
            break;
        }
        off += r;
    }
    if (st == BV_OK && fsync(out) != 0)
        st = io_fail("cannot sync the copy of", id);
    close(in);
    close(out);
    return st;
}

/* bv_sqlite_files_backup's copy of one body's file. */
struct backup {
    const char *path;
    int sfd, dfd;
};

static bv_status
backup_cb(void *ctx, sqlite3_stmt *q)
{
    struct backup *k = ctx;
    int64_t id = sqlite3_column_int64(q, 0);
    char name[32];

    if (k->dfd < 0 && (k->dfd = dir_open(k->path, 1)) < 0)
        return bv_fail(
            BV_ERR, "cannot make the bodies directory of %s: %s", k->path, strerror(errno));
    body_name(name, id, 0);
    return copy_file(k->sfd, k->dfd, name, id);
}

/* The file bodies a backup's copy names (its live bodies without rows),
 * copied from the vault's directory into <path>.bodies/. */
bv_status
bv_sqlite_files_backup(bv_store *s, bv_store *copy, const char *path)
{
    const char *vault = vault_path(s);
    struct backup k = { path, -1, -1 };
    bv_status st;

    if (vault == NULL || (k.sfd = dir_open(vault, 0)) < 0)
        return BV_OK; /* no file bodies */
    if ((st = bv_sqlite_each(copy, "listing the bodies", backup_cb, &k,
             "SELECT id FROM bodies WHERE state = 'live' AND NOT EXISTS "
             "(SELECT 1 FROM chunks WHERE body_id = bodies.id)",
             NULL))
        != BV_OK)
        goto out;
    if (k.dfd >= 0 && fsync(k.dfd) != 0 && errno != EINVAL)
        st = bv_fail(BV_ERR, "cannot sync the bodies directory of %s", path);
out:
    close(k.sfd);
    if (k.dfd >= 0)
        close(k.dfd);
    return st;
}

/* Remove <vault>.bodies and the files of ours in it (a copy or backup
 * that failed); anything else in it is left, and so is the directory. */
bv_status
bv_sqlite_files_remove(const char *vault)
{
    struct dirent *e;
    char d[PATH_MAX];
    DIR *dir;
    int dfd, ok = 1;

    if (dir_name(vault, d, sizeof d) != BV_OK || (dfd = dir_open(vault, 0)) < 0)
        return BV_OK;
    if ((dir = fdopendir(dfd)) == NULL) {
        close(dfd);
        return bv_fail(BV_ERR, "cannot read %s", d);
    }
    while ((e = readdir(dir)) != NULL)
        if (name_id(e->d_name) != 0 && unlinkat(dfd, e->d_name, 0) != 0)
            ok = 0;
    closedir(dir);
    if (rmdir(d) != 0 && errno != ENOENT)
        ok = 0;
    return ok ? BV_OK : bv_fail(BV_ERR, "cannot remove %s: %s", d, strerror(errno));
}

/* A backup's bodies follow its name: <from>.bodies becomes <to>.bodies
 * (never replacing one), or with keep 0 is removed. */
bv_status
bv_sqlite_backup_name(bv_store *s, const char *from, const char *to, int keep)
{
    char a[PATH_MAX], b[PATH_MAX];
    struct stat sb;

    (void)s;
    if (!keep)
        return bv_sqlite_files_remove(from);
    if (dir_name(from, a, sizeof a) != BV_OK || dir_name(to, b, sizeof b) != BV_OK)
        return bv_fail(BV_EUSAGE, "backup path too long");
    if (lstat(a, &sb) != 0)
        return BV_OK; /* a vault without file bodies */
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE) != 0)
        return errno == EEXIST ? bv_fail(BV_EUSAGE, "%s already exists; not overwriting it", b)
                               : bv_fail(BV_ERR, "cannot name %s: %s", b, strerror(errno));
    return bv_sync_parent(b) == 0 ? BV_OK : bv_fail(BV_ERR, "cannot sync the directory of %s", b);
}
