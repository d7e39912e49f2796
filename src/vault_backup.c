/*
 * vault_backup.c - `boardvault backup DEST`: a consistent copy of a live
 * vault, verified before it is given its name. The copy is taken into a
 * new file beside DEST (0600, created exclusively, never through a link),
 * opened as a vault of its own and its whole log verified; only then is
 * it linked in as DEST, which must not exist. So DEST is complete and
 * verified, or absent.
 */
#define _GNU_SOURCE
#include "bv_vault_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory of path, for syncing the new name. */
static bv_status
sync_dir_of(const char *path)
{
    if (bv_sync_parent(path) != 0)
        return bv_fail(BV_ERR, "cannot sync the directory of %s: %s", path, strerror(errno));
    return BV_OK;
}

/* tmp, tmp-wal and tmp-shm: none may outlive a failed backup. */
static void
remove_tmp(const char tmp[4200])
{
    char p[4210];

    unlink(tmp);
    snprintf(p, sizeof p, "%s-wal", tmp);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", tmp);
    unlink(p);
}

/* Open the copy as a vault and verify all of it, as `audit verify`. */
static bv_status
verify_copy(const char *tmp, bv_audit_report *rep)
{
    bv_vault *c = NULL;
    bv_buf unauth;
    char note[256];
    bv_status st;

    bv_buf_init(&unauth);
    if ((st = bv_vault_open(tmp, BV_OPEN_RO | BV_OPEN_VERIFY, NULL, note, &c)) == BV_OK
        && (st = bv_vault_audit_verify(c, NULL, 0, rep, &unauth)) == BV_OK && unauth.len)
        st = bv_fail(BV_EINTEGRITY,
            "the copy's log holds entries without authority: run audit verify on the vault");
    bv_vault_close(c);
    bv_buf_free(&unauth);
    return st;
}

bv_status
bv_vault_backup(bv_vault *v, const char *dest, bv_audit_report *rep)
{
    struct stat sb;
    uint8_t rnd[8];
    char tmp[4200], hex[17];
    int fd, made = 0;
    bv_status st;

    memset(rep, 0, sizeof *rep);
    if (*dest == '\0')
        return bv_fail(BV_EUSAGE, "empty backup file name");
    if (lstat(dest, &sb) == 0)
        return bv_fail(BV_EUSAGE, "%s already exists; not overwriting it", dest);
    if (errno != ENOENT)
        return bv_fail(BV_ERR, "cannot check %s: %s", dest, strerror(errno));
    randombytes_buf(rnd, sizeof rnd);
    bv_hex(hex, rnd, sizeof rnd);
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%s", dest, hex) >= (int)sizeof tmp - 8)
        return bv_fail(BV_EUSAGE, "backup path too long");
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return bv_fail(BV_ERR, "cannot create a file beside %s: %s", dest, strerror(errno));
    close(fd);
    made = 1;
    if ((st = bv_store_backup(v->s, tmp)) != BV_OK || (st = verify_copy(tmp, rep)) != BV_OK)
        goto out;
    /* the file bodies beside it take DEST's name first, so that DEST
     * never appears without them */
    if ((st = bv_store_backup_name(v->s, tmp, dest, 1)) != BV_OK)
        goto out;
    /* link, not rename: a DEST made meanwhile is never replaced */
    if (link(tmp, dest) != 0) {
        st = errno == EEXIST
            ? bv_fail(BV_EUSAGE, "%s already exists; not overwriting it", dest)
            : bv_fail(BV_ERR, "cannot name the copy %s: %s", dest, strerror(errno));
        (void)bv_store_backup_name(v->s, dest, NULL, 0);
        goto out;
    }
    st = sync_dir_of(dest);
out:
    if (made) {
        remove_tmp(tmp);
        (void)bv_store_backup_name(v->s, tmp, NULL, 0); /* still there only if not named */
    }
    return st;
}
