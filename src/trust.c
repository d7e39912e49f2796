/*
 * trust.c - pinning vaults' root keys on first use (include/bv_trust.h).
 */
#define _GNU_SOURCE
#include "bv_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_LEN 256

bv_status
bv_trust_dir(char *dir, size_t cap, int create)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    if (xdg && *xdg == '/') {
        if ((size_t)snprintf(dir, cap, "%s/boardvault", xdg) >= cap)
            return BV_ERR;
    } else if (home && *home == '/') {
        if ((size_t)snprintf(dir, cap, "%s/.config/boardvault", home) >= cap)
            return BV_ERR;
    } else {
        return BV_ENOTFOUND;
    }
    if (create) {
        char parent[4096];
        char *slash;
        snprintf(parent, sizeof parent, "%s", dir);
        if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
            *slash = '\0';
            (void)mkdir(parent, 0700);
        }
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return BV_ERR;
    }
    return BV_OK;
}

/* The pin file's path, its directory created 0700 when missing. */
static int
pin_path(char *path, size_t cap, int create)
{
    char dir[4096];

    if (bv_trust_dir(dir, sizeof dir, create) != BV_OK)
        return -1;
    if ((size_t)snprintf(path, cap, "%s/trusted_roots", dir) >= cap)
        return -1;
    return 0;
}

/* The pinned fingerprint of vault_hex, if any, into pin. 1 found, 0 not. */
static int
find_pin(const char *path, const char *vault_hex, char pin[LINE_MAX_LEN])
{
    char line[LINE_MAX_LEN];
    size_t vl = strlen(vault_hex);
    FILE *f;
    int found = 0;

    if ((f = fopen(path, "re")) == NULL)
        return 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, vault_hex, vl) == 0 && line[vl] == ' ') {
            snprintf(pin, LINE_MAX_LEN, "%s", line + vl + 1);
            found = 1; /* the last line for a vault wins */
        }
    }
    fclose(f);
    return found;
}

bv_status
bv_trust_check(const char *vault_hex, const char *fp, const char *given, char note[256])
{
    char path[4200], pin[LINE_MAX_LEN];
    int fd;

    note[0] = '\0';
    if (given && strcmp(given, fp) != 0)
        return bv_fail(BV_EINTEGRITY,
            "the root key of this vault (%s) is not the one you "
            "trust (%s): refusing it",
            fp, given);
    if (pin_path(path, sizeof path, 0) == 0 && find_pin(path, vault_hex, pin)) {
        if (strcmp(pin, fp) != 0 && given == NULL)
            return bv_fail(BV_EINTEGRITY,
                "the root key of vault %s has changed (pinned %s, "
                "now %s): refusing it; if the change is genuine, "
                "confirm the new fingerprint with --trust",
                vault_hex, pin, fp);
        if (strcmp(pin, fp) == 0)
            return BV_OK;
    }
    /* first use (or a confirmed change): pin it */
    if (pin_path(path, sizeof path, 1) != 0
        || (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        snprintf(note, 256,
            "cannot record the root key of vault %s (no writable config "
            "directory); pass --trust %s each time",
            vault_hex, fp);
        return BV_OK;
    }
    dprintf(fd, "%s %s\n", vault_hex, fp);
    if (fsync(fd) != 0 || close(fd) != 0)
        snprintf(note, 256, "could not save the pin of vault %s", vault_hex);
    else
        snprintf(note, 256, "trusting root key %s for vault %s from now on (%.60s)", fp, vault_hex,
            path);
    return BV_OK;
}
