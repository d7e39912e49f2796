/*
 * logview.c - the log head and facts this client has verified, per vault
 * (include/bv_logview.h).
 *
 * The file is text, one record a line, so that a user can read it:
 *
 *   boardvault-log-view v1
 *   size N
 *   border BASE64          the tree's right border (bv_merkle_frontier_encode)
 *   root BASE64            its head, for messages and for readers
 *   verified TIME
 *   epoch N BOARD
 *   grantset N ITEM
 *   removed BOARD NAME
 *
 * BOARD, ITEM and NAME are percent-encoded (bytes up to 0x20, '%' and 0x7f
 * become %XX) so that a line splits on spaces. Facts live in one hash
 * table keyed by kind and name, so that a first scan of a large log (tens
 * of thousands of grant sets) stays linear.
 */
#define _GNU_SOURCE
#include "bv_logview.h"
#include "bv_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "boardvault-log-view v1"
#define VIEW_MAX (64u << 20) /* a view over 64 MiB is not one of ours */

enum { K_EPOCH = 'e', K_GRANTSET = 'g', K_REMOVED = 'r' };

struct slot {
    char *key; /* kind byte, then the name(s); NULL when empty */
    int64_t val; /* 0: no fact (a dropped one stays as a tombstone) */
};

struct bv_logview {
    char vault[2 * 16 + 1];
    bv_merkle_frontier head;
    char when[21];
    struct slot *t;
    size_t cap, used;
};

static uint64_t
fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct slot *
find(const bv_logview *lv, const char *key)
{
    size_t i;

    if (lv->cap == 0)
        return NULL;
    for (i = (size_t)(fnv(key) & (lv->cap - 1));; i = (i + 1) & (lv->cap - 1)) {
        if (lv->t[i].key == NULL || strcmp(lv->t[i].key, key) == 0)
            return &lv->t[i];
    }
}

static bv_status
grow(bv_logview *lv)
{
    struct slot *old = lv->t, *s;
    size_t oldcap = lv->cap, i;

    lv->cap = oldcap ? oldcap * 2 : 64;
    if ((lv->t = calloc(lv->cap, sizeof *lv->t)) == NULL) {
        lv->t = old;
        lv->cap = oldcap;
        return bv_fail(BV_ERR, "out of memory");
    }
    for (i = 0; i < oldcap; i++) {
        if (old[i].key == NULL)
            continue;
        s = find(lv, old[i].key);
        *s = old[i];
    }
    free(old);
    return BV_OK;
}

/* The key "<kind><a>" or "<kind><a>\x1f<b>" into a heap string. */
static char *
make_key(int kind, const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) + 1 : 0;
    char *k = malloc(1 + la + lb + 1);

    if (k == NULL)
        return NULL;
    k[0] = (char)kind;
    memcpy(k + 1, a, la);
    if (b) {
        k[1 + la] = '\x1f';
        memcpy(k + 2 + la, b, lb - 1);
    }
    k[1 + la + lb] = '\0';
    return k;
}

static int64_t
get(const bv_logview *lv, int kind, const char *a, const char *b)
{
    char *k = make_key(kind, a, b);
    struct slot *s;
    int64_t v = 0;

    if (k == NULL)
        return 0;
    if ((s = find(lv, k)) != NULL && s->key)
        v = s->val;
    free(k);
    return v;
}

/* Set a fact; raise: only ever upwards. */
static bv_status
put(bv_logview *lv, int kind, const char *a, const char *b, int64_t v, int raise)
{
    char *k;
    struct slot *s;
    bv_status st;

    if ((lv->used + 1) * 2 > lv->cap && (st = grow(lv)) != BV_OK)
        return st;
    if ((k = make_key(kind, a, b)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    s = find(lv, k);
    if (s->key) {
        free(k);
        if (!raise || v > s->val)
            s->val = v;
        return BV_OK;
    }
    s->key = k;
    s->val = v;
    lv->used++;
    return BV_OK;
}

bv_status
bv_logview_empty(const bv_logview *lv, bv_logview **out)
{
    if ((*out = calloc(1, sizeof **out)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    memcpy((*out)->vault, lv->vault, sizeof lv->vault);
    bv_merkle_frontier_init(&(*out)->head);
    return BV_OK;
}

bv_status
bv_logview_clone(const bv_logview *lv, bv_logview **out)
{
    bv_logview *c;
    size_t i;

    if ((c = calloc(1, sizeof *c)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    *c = *lv;
    c->t = NULL;
    if (lv->cap && (c->t = calloc(lv->cap, sizeof *c->t)) == NULL) {
        free(c);
        return bv_fail(BV_ERR, "out of memory");
    }
    for (i = 0; i < lv->cap; i++) {
        if (lv->t[i].key == NULL)
            continue;
        c->t[i].val = lv->t[i].val;
        if ((c->t[i].key = strdup(lv->t[i].key)) == NULL) {
            bv_logview_free(c);
            return bv_fail(BV_ERR, "out of memory");
        }
    }
    *out = c;
    return BV_OK;
}

void
bv_logview_free(bv_logview *lv)
{
    size_t i;

    if (lv == NULL)
        return;
    for (i = 0; i < lv->cap; i++)
        free(lv->t[i].key);
    free(lv->t);
    free(lv);
}

const bv_merkle_frontier *
bv_logview_head(const bv_logview *lv)
{
    return &lv->head;
}

const char *
bv_logview_when(const bv_logview *lv)
{
    return lv->when;
}

void
bv_logview_set_head(bv_logview *lv, const bv_merkle_frontier *f)
{
    lv->head = *f;
    bv_utc_now(lv->when);
}

int64_t
bv_logview_epoch(const bv_logview *lv, const char *board)
{
    return get(lv, K_EPOCH, board, NULL);
}

bv_status
bv_logview_epoch_raise(bv_logview *lv, const char *board, int64_t epoch)
{
    return put(lv, K_EPOCH, board, NULL, epoch, 1);
}

int64_t
bv_logview_grantset(const bv_logview *lv, const char *item)
{
    return get(lv, K_GRANTSET, item, NULL);
}

bv_status
bv_logview_grantset_raise(bv_logview *lv, const char *item, int64_t version)
{
    return put(lv, K_GRANTSET, item, NULL, version, 1);
}

bv_status
bv_logview_grantset_drop(bv_logview *lv, const char *item)
{
    return put(lv, K_GRANTSET, item, NULL, 0, 0);
}

int
bv_logview_removed(const bv_logview *lv, const char *board, const char *name)
{
    return get(lv, K_REMOVED, board, name) != 0;
}

bv_status
bv_logview_set_removed(bv_logview *lv, const char *board, const char *name, int removed)
{
    return put(lv, K_REMOVED, board, name, removed ? 1 : 0, 0);
}

bv_status
bv_logview_merge(bv_logview *dst, const bv_logview *src)
{
    size_t i;
    bv_status st;

    for (i = 0; i < src->cap; i++) {
        const struct slot *s = &src->t[i];
        struct slot *d;
        if (s->key == NULL || s->val == 0 || (s->key[0] != K_EPOCH && s->key[0] != K_GRANTSET))
            continue;
        if ((d = find(dst, s->key)) != NULL && d->key) {
            if (d->val != 0 && s->val > d->val)
                d->val = s->val; /* a tombstone (destroyed) stays one */
            continue;
        }
        if ((st = put(dst, s->key[0], s->key + 1, NULL, s->val, 1)) != BV_OK)
            return st;
    }
    return BV_OK;
}

/* ---- the file ---- */

static void
enc(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == '%' || c == 0x7f)
            fprintf(f, "%%%02X", c);
        else
            fputc(c, f);
    }
}

static int
hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode in place; -1 if malformed. */
static int
dec(char *s)
{
    char *o = s;

    for (; *s; s++) {
        if (*s == '%') {
            int hi = hexv(s[1]), lo = hi < 0 ? -1 : hexv(s[2]);
            if (hi < 0 || lo < 0 || (hi << 4 | lo) == 0)
                return -1;
            *o++ = (char)(hi << 4 | lo);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return 0;
}

static int
path_of(const char *vault_hex, int create, char *path, size_t cap)
{
    char dir[4096];

    if (bv_trust_dir(dir, sizeof dir, create) != BV_OK)
        return -1;
    if (create) {
        size_t n = strlen(dir);
        if (n + 11 >= sizeof dir)
            return -1;
        memcpy(dir + n, "/log_heads", 11);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return -1;
        return (size_t)snprintf(path, cap, "%s/%s", dir, vault_hex) >= cap ? -1 : 0;
    }
    return (size_t)snprintf(path, cap, "%s/log_heads/%s", dir, vault_hex) >= cap ? -1 : 0;
}

static bv_status
parse_line(bv_logview *lv, char *line, int *have_size, uint64_t *size)
{
    char *a, *b, *end;
    int64_t n;

    if (strncmp(line, "size ", 5) == 0) {
        *size = strtoull(line + 5, &end, 10);
        *have_size = *end == '\0' && line[5] >= '0' && line[5] <= '9';
        return *have_size ? BV_OK : BV_EINTEGRITY;
    }
    if (strncmp(line, "border ", 7) == 0) {
        uint8_t raw[8 + 64 * 32];
        size_t rl;
        if (sodium_base642bin(raw, sizeof raw, line + 7, strlen(line + 7), NULL, &rl, NULL,
                sodium_base64_VARIANT_ORIGINAL)
                != 0
            || bv_merkle_frontier_decode(&lv->head, raw, rl) != BV_OK)
            return BV_EINTEGRITY;
        return BV_OK;
    }
    if (strncmp(line, "verified ", 9) == 0) {
        snprintf(lv->when, sizeof lv->when, "%s", line + 9);
        return BV_OK;
    }
    if (strncmp(line, "root ", 5) == 0)
        return BV_OK; /* for readers; the border is what counts */
    if (strncmp(line, "removed ", 8) == 0) {
        a = line + 8;
        if ((b = strchr(a, ' ')) == NULL)
            return BV_EINTEGRITY;
        *b++ = '\0';
        if (dec(a) || dec(b) || !*a || !*b)
            return BV_EINTEGRITY;
        return bv_logview_set_removed(lv, a, b, 1);
    }
    if (strncmp(line, "epoch ", 6) == 0 || strncmp(line, "grantset ", 9) == 0) {
        int kind = line[0] == 'e' ? K_EPOCH : K_GRANTSET;
        a = line + (kind == K_EPOCH ? 6 : 9);
        n = strtoll(a, &end, 10);
        if (end == a || *end != ' ' || n <= 0)
            return BV_EINTEGRITY;
        b = end + 1;
        if (dec(b) || !*b)
            return BV_EINTEGRITY;
        return put(lv, kind, b, NULL, n, 1);
    }
    return BV_EINTEGRITY;
}

bv_status
bv_logview_load(const char *vault_hex, bv_logview **out)
{
    char path[4200], *line = NULL;
    size_t lcap = 0, lineno = 0;
    ssize_t got;
    uint64_t size = 0;
    int have_size = 0;
    bv_logview *lv;
    FILE *f = NULL;
    struct stat sb;
    int fd;
    bv_status st = BV_OK;

    *out = NULL;
    if ((lv = calloc(1, sizeof *lv)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    snprintf(lv->vault, sizeof lv->vault, "%s", vault_hex);
    bv_merkle_frontier_init(&lv->head);
    if (path_of(vault_hex, 0, path, sizeof path) != 0)
        goto done;
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            goto done;
        st = bv_fail(BV_ERR, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (off_t)VIEW_MAX
        || (f = fdopen(fd, "r")) == NULL) {
        close(fd);
        st = bv_fail(BV_EINTEGRITY, "%s is not a log view", path);
        goto done;
    }
    while ((got = getline(&line, &lcap, f)) > 0) {
        lineno++;
        if (line[got - 1] == '\n')
            line[got - 1] = '\0';
        if (lineno == 1) {
            if (strcmp(line, MAGIC) != 0) {
                st = BV_EINTEGRITY;
                break;
            }
            continue;
        }
        if ((st = parse_line(lv, line, &have_size, &size)) != BV_OK)
            break;
    }
    if (st == BV_OK && (ferror(f) || lineno == 0 || !have_size || size != lv->head.size))
        st = BV_EINTEGRITY;
    if (st == BV_EINTEGRITY)
        st = bv_fail(BV_EINTEGRITY,
            "%s, where this client keeps what it has verified of the vault's log, is damaged "
            "(line %zu): move it away to start again from the vault as it is",
            path, lineno);
done:
    free(line);
    if (f)
        fclose(f);
    if (st != BV_OK) {
        bv_logview_free(lv);
        return st;
    }
    *out = lv;
    return BV_OK;
}

static int
write_view(const bv_logview *lv, FILE *f)
{
    bv_buf b;
    char *b64;
    uint8_t root[32];
    char rootb64[64];
    size_t i, cap;

    bv_buf_init(&b);
    bv_merkle_frontier_encode(&lv->head, &b);
    if (b.oom)
        return -1;
    cap = sodium_base64_encoded_len(b.len, sodium_base64_VARIANT_ORIGINAL);
    if ((b64 = malloc(cap)) == NULL) {
        bv_buf_free(&b);
        return -1;
    }
    sodium_bin2base64(b64, cap, b.p, b.len, sodium_base64_VARIANT_ORIGINAL);
    bv_merkle_frontier_root(&lv->head, root);
    sodium_bin2base64(rootb64, sizeof rootb64, root, 32, sodium_base64_VARIANT_ORIGINAL);
    fprintf(f, MAGIC "\nsize %llu\nborder %s\nroot %s\nverified %s\n",
        (unsigned long long)lv->head.size, b64, rootb64, lv->when);
    free(b64);
    bv_buf_free(&b);
    for (i = 0; i < lv->cap; i++) {
        const char *k = lv->t[i].key, *sep;
        if (k == NULL || lv->t[i].val == 0)
            continue;
        switch (k[0]) {
        case K_EPOCH:
        case K_GRANTSET:
            fprintf(f, "%s %lld ", k[0] == K_EPOCH ? "epoch" : "grantset", (long long)lv->t[i].val);
            enc(f, k + 1);
            break;
        case K_REMOVED:
            if ((sep = strchr(k + 1, '\x1f')) == NULL)
                continue;
            fputs("removed ", f);
            {
                char board[512];
                snprintf(board, sizeof board, "%.*s", (int)(sep - k - 1), k + 1);
                enc(f, board);
            }
            fputc(' ', f);
            enc(f, sep + 1);
            break;
        default:
            continue;
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* The size recorded in the view file at path, 0 if none or unreadable. */
static uint64_t
saved_size(const char *path)
{
    char line[128];
    uint64_t n = 0;
    FILE *f = fopen(path, "re");

    if (f == NULL)
        return 0;
    if (fgets(line, sizeof line, f) && fgets(line, sizeof line, f)
        && strncmp(line, "size ", 5) == 0)
        n = strtoull(line + 5, NULL, 10);
    fclose(f);
    return n;
}

bv_status
bv_logview_save(const bv_logview *lv, char note[256])
{
    char path[4200], tmp[4300], lock[4300];
    int lfd = -1, fd = -1, ok = 0;
    FILE *f = NULL;

    note[0] = '\0';
    if (path_of(lv->vault, 1, path, sizeof path) != 0) {
        snprintf(note, 256,
            "no writable config directory: the log head this client verified is not kept");
        return BV_OK;
    }
    snprintf(lock, sizeof lock, "%s.lock", path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if ((lfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0
        || flock(lfd, LOCK_EX) != 0)
        goto out;
    if (saved_size(path) > lv->head.size) {
        ok = 1; /* another command got further: keep theirs */
        goto out;
    }
    (void)unlink(tmp);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0
        || (f = fdopen(fd, "w")) == NULL)
        goto out;
    fd = -1;
    if (write_view(lv, f) != 0 || fflush(f) != 0 || fsync(fileno(f)) != 0)
        goto out;
    if (fclose(f) != 0) {
        f = NULL;
        goto out;
    }
    f = NULL;
    ok = rename(tmp, path) == 0;
out:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (!ok) {
        (void)unlink(tmp);
        snprintf(note, 256, "could not save the log head this client verified (%.200s)", path);
    }
    if (lfd >= 0)
        close(lfd); /* releases the lock */
    return BV_OK;
}
