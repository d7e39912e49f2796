/*
 * agent.c - the agent process and its clients (see include/bv_agent.h).
 *
 * `boardvault unlock` forks an agent that keeps one person's keys in
 * sodium_malloc'd (locked, guarded) memory and answers, on a Unix socket
 * in $XDG_RUNTIME_DIR/boardvault/, requests to sign a message or open a
 * sealed key for that person. Every peer's uid is checked with
 * SO_PEERCRED: another user gets no answer at all. The agent wipes the
 * keys and exits at its deadline, on LOCK and on SIGTERM/SIGINT/SIGHUP.
 *
 * Paths: the directory is opened once without following symlinks and
 * checked (ours, 0700); sockets are then named through
 * /proc/self/fd/N/NAME, so a directory swapped for a symlink afterwards
 * is never followed, and the address stays short whatever the runtime
 * directory's length.
 */
#define _GNU_SOURCE
#include "bv_agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define IO_TIMEOUT_SEC 5 /* a peer that stalls mid-request is dropped */
#define SOCK_NAME_MAX 64 /* 32 hex (vault) + '-' + 16 hex (name) + ".sock" */

struct bv_agent_conn {
    int dirfd;
    char sock[SOCK_NAME_MAX];
    uint8_t sign_pk[BV_PK_LEN]; /* to check what it signs */
};

/* ---- the directory and the socket names ---- */

static bv_status
check_dir(int fd, const char *what)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0)
        return bv_fail(BV_ERR, "%s: %s", what, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return bv_fail(BV_EPERM, "%s is not a directory: the agent will not use it", what);
    if (sb.st_uid != geteuid())
        return bv_fail(BV_EPERM, "%s is owned by uid %u, not by you: the agent will not use it",
            what, (unsigned)sb.st_uid);
    if ((sb.st_mode & 07777) != 0700)
        return bv_fail(BV_EPERM, "%s has mode %04o, not 0700: the agent will not use it", what,
            (unsigned)(sb.st_mode & 07777));
    return BV_OK;
}

/* $XDG_RUNTIME_DIR/boardvault, made (0700) if create, opened without
 * following a symlink at either step and checked. */
static bv_status
agent_dir(int create, int *out)
{
    const char *x = getenv("XDG_RUNTIME_DIR");
    char what[300];
    int xfd = -1, fd = -1;
    bv_status st;

    *out = -1;
    if (x == NULL || *x == '\0')
        return bv_fail(BV_ENOTFOUND,
            "XDG_RUNTIME_DIR is not set: the agent needs your private runtime directory "
            "(a login session sets it; else give --passphrase-fd or answer the prompt)");
    if (x[0] != '/')
        return bv_fail(BV_EUSAGE, "XDG_RUNTIME_DIR (%.200s) is not an absolute path", x);
    snprintf(what, sizeof what, "XDG_RUNTIME_DIR (%.200s)", x);
    if ((xfd = open(x, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        st = bv_fail(errno == ENOENT ? BV_ENOTFOUND : BV_EPERM, "%s: %s", what,
            errno == ELOOP ? "is a symlink" : strerror(errno));
        goto out;
    }
    if ((st = check_dir(xfd, what)) != BV_OK)
        goto out;
    /* mkdirat never follows a symlink in the last component: one planted
     * there is EEXIST, then refused by the open below */
    if (create && mkdirat(xfd, "boardvault", 0700) != 0 && errno != EEXIST) {
        st = bv_fail(BV_ERR, "%s/boardvault: %s", x, strerror(errno));
        goto out;
    }
    snprintf(what, sizeof what, "%.200s/boardvault", x);
    if ((fd = openat(xfd, "boardvault", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            st = bv_fail(BV_ENOTFOUND, "no agent is running");
        else
            st = bv_fail(BV_EPERM, "%s: %s", what,
                errno == ELOOP || errno == ENOTDIR ? "not a directory (a symlink?): refused"
                                                   : strerror(errno));
        goto out;
    }
    if ((st = check_dir(fd, what)) != BV_OK)
        goto out;
    *out = fd;
    fd = -1;
out:
    if (xfd >= 0)
        close(xfd);
    if (fd >= 0)
        close(fd);
    return st;
}

/* vault id in hex, '-', 8 bytes of BLAKE2b of the name: no name bytes in
 * a path, and the vault's agents found by prefix */
static void
sock_name(const uint8_t vid[BV_VAULT_ID_LEN], const char *name, char out[SOCK_NAME_MAX])
{
    uint8_t h[8];
    char vh[2 * BV_VAULT_ID_LEN + 1], hh[17];

    crypto_generichash(h, sizeof h, (const uint8_t *)name, strlen(name), NULL, 0);
    bv_hex(vh, vid, BV_VAULT_ID_LEN);
    bv_hex(hh, h, sizeof h);
    snprintf(out, SOCK_NAME_MAX, "%s-%s.sock", vh, hh);
}

static void
sock_addr(int dirfd, const char *sock, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", dirfd, sock);
}

static void
set_timeouts(int fd)
{
    struct timeval tv = { IO_TIMEOUT_SEC, 0 };

    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* 1 if the peer runs as our uid */
static int
peer_is_us(int fd)
{
    struct ucred cr;
    socklen_t len = sizeof cr;

    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && len == sizeof cr
        && cr.uid == geteuid();
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n); /* SIGPIPE is ignored: a gone peer is EPIPE */
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int
read_all(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Connect to an agent's socket: BV_ENOTFOUND when none listens there. */
static bv_status
sock_connect(int dirfd, const char *sock, int *out)
{
    struct sockaddr_un sa;
    int fd;

    *out = -1;
    sock_addr(dirfd, sock, &sa);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return bv_fail(BV_ERR, "socket: %s", strerror(errno));
    set_timeouts(fd);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        if (e == ENOENT || e == ECONNREFUSED)
            return bv_fail(BV_ENOTFOUND, "no agent is running");
        return bv_fail(BV_ERR, "the agent's socket: %s", strerror(e));
    }
    /* only root could have put a socket in our 0700 directory; still, the
     * agent we hand messages to must be ours */
    if (!peer_is_us(fd)) {
        close(fd);
        return bv_fail(BV_EPERM, "the agent's socket belongs to another user: refused");
    }
    *out = fd;
    return BV_OK;
}

/*
 * One request, one response on a fresh connection. resp (BV_AGENT_MAX_RESP
 * bytes, sodium memory: it may carry an opened key) gets the response's
 * body; *rlen its length. The agent's status is mapped: EINTEGRITY is
 * returned without a message (the caller names what failed).
 */
static bv_status
exchange(int dirfd, const char *sock, uint8_t op, const uint8_t *body, size_t len, uint8_t *resp,
    size_t *rlen)
{
    bv_buf req;
    uint8_t hdr[4], code;
    const uint8_t *rb;
    size_t n, blen;
    int fd = -1;
    bv_status st;

    bv_buf_init(&req);
    *rlen = 0;
    if ((st = bv_agent_encode(op, body, len, &req)) != BV_OK
        || (st = sock_connect(dirfd, sock, &fd)) != BV_OK)
        goto out;
    if (write_all(fd, req.p, req.len) != 0 || read_all(fd, hdr, 4) != 0) {
        st = bv_fail(BV_ERR, "the agent did not answer (it may have timed out or been locked)");
        goto out;
    }
    n = bv_load_be32(hdr);
    if (n < 2 || n > BV_AGENT_MAX_RESP || read_all(fd, resp, n) != 0) {
        st = bv_fail(BV_ERR, "the agent's answer is malformed");
        goto out;
    }
    if ((st = bv_agent_decode(resp, n, &code, &rb, &blen)) != BV_OK)
        goto out;
    if (code == BV_AGENT_EINTEGRITY) {
        st = BV_EINTEGRITY;
        goto out;
    }
    if (code != BV_AGENT_OK) {
        st = bv_fail(BV_ERR, "the agent refused the request (code %u)", code);
        goto out;
    }
    memmove(resp, rb, blen);
    *rlen = blen;
out:
    if (fd >= 0)
        close(fd);
    bv_buf_free(&req);
    return st;
}

static bv_status
info_of(int dirfd, const char *sock, bv_agent_info *info)
{
    uint8_t *resp;
    size_t n;
    bv_status st;

    if ((resp = sodium_malloc(BV_AGENT_MAX_RESP)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    if ((st = exchange(dirfd, sock, BV_AGENT_INFO, NULL, 0, resp, &n)) == BV_OK)
        st = bv_agent_info_parse(resp, n, info);
    sodium_free(resp);
    return st;
}

/* ---- the client side: keys standing for an agent's ---- */

bv_status
bv_agent_sign(const struct bv_agent_conn *c, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    uint8_t *resp;
    size_t n;
    bv_status st;

    if ((resp = sodium_malloc(BV_AGENT_MAX_RESP)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    st = exchange(c->dirfd, c->sock, BV_AGENT_SIGN, msg, len, resp, &n);
    if (st == BV_OK && n != 64)
        st = bv_fail(BV_ERR, "the agent's signature is malformed");
    /* a signature we would store must be one that verifies */
    if (st == BV_OK && crypto_sign_verify_detached(resp, msg, len, c->sign_pk) != 0)
        st = bv_fail(BV_EINTEGRITY, "the agent's signature does not verify");
    if (st == BV_OK)
        memcpy(sig, resp, 64);
    sodium_free(resp);
    return st;
}

bv_status
bv_agent_open_key(const struct bv_agent_conn *c, const uint8_t *ctx, size_t ctxlen,
    const uint8_t *sealed, size_t slen, uint8_t key[32])
{
    uint8_t *resp;
    bv_buf body;
    size_t n;
    bv_status st;

    if ((st = bv_agent_open_body(ctx, ctxlen, sealed, slen, &body)) != BV_OK)
        return st;
    if ((resp = sodium_malloc(BV_AGENT_MAX_RESP)) == NULL) {
        bv_buf_free(&body);
        return bv_fail(BV_ERR, "out of secure memory");
    }
    st = exchange(c->dirfd, c->sock, BV_AGENT_OPEN_KEY, body.p, body.len, resp, &n);
    if (st == BV_OK && n != 32)
        st = bv_fail(BV_ERR, "the agent's answer is malformed");
    if (st == BV_OK)
        memcpy(key, resp, 32);
    sodium_free(resp);
    bv_buf_free(&body);
    return st;
}

void
bv_agent_conn_free(struct bv_agent_conn *c)
{
    if (c == NULL)
        return;
    if (c->dirfd >= 0)
        close(c->dirfd);
    free(c);
}

bv_status
bv_agent_find(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, bv_keys **out)
{
    struct bv_agent_conn *c = NULL;
    bv_agent_info info;
    bv_keys *k = NULL;
    bv_status st;

    *out = NULL;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    c->dirfd = -1;
    if ((st = agent_dir(0, &c->dirfd)) != BV_OK)
        goto out;
    sock_name(vault_id, name, c->sock);
    if ((st = info_of(c->dirfd, c->sock, &info)) != BV_OK)
        goto out;
    if (sodium_memcmp(info.vault_id, vault_id, BV_VAULT_ID_LEN) != 0
        || strcmp(info.name, name) != 0) {
        st = bv_fail(BV_ENOTFOUND, "the agent at that socket holds someone else's keys");
        goto out;
    }
    if ((st = bv_keys_alloc(&k)) != BV_OK)
        goto out;
    memcpy(k->sign_pk, info.sign_pk, BV_PK_LEN);
    memcpy(k->box_pk, info.box_pk, BV_PK_LEN);
    memcpy(c->sign_pk, info.sign_pk, BV_PK_LEN);
    k->agent = c;
    c = NULL;
    *out = k;
out:
    bv_agent_conn_free(c);
    return st;
}

/* Ask the agent at sock to lock; *found 0 when none was there (a stale
 * socket left by a killed agent is removed). */
static bv_status
lock_one(int dirfd, const char *sock, bv_agent_info *info, int *found)
{
    uint8_t *resp;
    size_t n;
    bv_status st;

    *found = 0;
    st = info_of(dirfd, sock, info);
    if (st == BV_ENOTFOUND) {
        bv_err_clear();
        (void)unlinkat(dirfd, sock, 0);
        return BV_OK;
    }
    if (st != BV_OK)
        return st;
    if ((resp = sodium_malloc(BV_AGENT_MAX_RESP)) == NULL)
        return bv_fail(BV_ERR, "out of secure memory");
    st = exchange(dirfd, sock, BV_AGENT_LOCK, NULL, 0, resp, &n);
    sodium_free(resp);
    if (st == BV_OK)
        *found = 1;
    return st;
}

bv_status
bv_agent_lock(
    const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, bv_agent_fn fn, void *ctx, size_t *n)
{
    char vh[2 * BV_VAULT_ID_LEN + 1], sock[SOCK_NAME_MAX];
    bv_agent_info info;
    struct dirent *e;
    DIR *d = NULL;
    int dirfd = -1, dfd2, found;
    bv_status st;

    *n = 0;
    if ((st = agent_dir(0, &dirfd)) != BV_OK) {
        if (st == BV_ENOTFOUND) {
            bv_err_clear();
            st = BV_OK; /* no directory, so no agent */
        }
        return st;
    }
    if (name) {
        sock_name(vault_id, name, sock);
        if ((st = lock_one(dirfd, sock, &info, &found)) == BV_OK && found) {
            (*n)++;
            fn(ctx, &info);
        }
        goto out;
    }
    bv_hex(vh, vault_id, BV_VAULT_ID_LEN);
    if ((dfd2 = dup(dirfd)) < 0 || (d = fdopendir(dfd2)) == NULL) {
        if (dfd2 >= 0)
            close(dfd2);
        st = bv_fail(BV_ERR, "the agent directory: %s", strerror(errno));
        goto out;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len >= SOCK_NAME_MAX || strncmp(e->d_name, vh, strlen(vh)) != 0
            || e->d_name[strlen(vh)] != '-' || len < 5 || strcmp(e->d_name + len - 5, ".sock") != 0)
            continue;
        memcpy(sock, e->d_name, len + 1); /* len < SOCK_NAME_MAX, checked above */
        if ((st = lock_one(dirfd, sock, &info, &found)) != BV_OK)
            goto out;
        if (found) {
            (*n)++;
            fn(ctx, &info);
        }
    }
out:
    if (d)
        closedir(d);
    close(dirfd);
    return st;
}

/* ---- the agent ---- */

static volatile sig_atomic_t stop_now;

static void
on_stop(int sig)
{
    (void)sig;
    stop_now = 1;
}

struct agent {
    int lfd, dirfd;
    char sock[SOCK_NAME_MAX];
    dev_t dev; /* the socket we bound, so that we never remove a successor's */
    ino_t ino;
    bv_keys *keys;
    bv_agent_info info;
};

static void
unlink_ours(const struct agent *ag)
{
    struct stat sb;

    if (fstatat(ag->dirfd, ag->sock, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_dev == ag->dev
        && sb.st_ino == ag->ino)
        (void)unlinkat(ag->dirfd, ag->sock, 0);
}

static void
reply(int fd, uint8_t status, const uint8_t *body, size_t len)
{
    bv_buf b;

    if (bv_agent_encode(status, body, len, &b) == BV_OK)
        (void)write_all(fd, b.p, b.len);
    bv_buf_free(&b);
}

/* The one key-bearing answer: built in sodium memory and wiped. */
static void
reply_open(int fd, const struct agent *ag, const uint8_t *body, size_t blen)
{
    const uint8_t *ctx, *sealed;
    size_t ctxlen, slen;
    uint8_t *r;

    if (bv_agent_open_parse(body, blen, &ctx, &ctxlen, &sealed, &slen) != BV_OK) {
        reply(fd, BV_AGENT_EBADREQ, NULL, 0);
        return;
    }
    if ((r = sodium_malloc(6 + 32)) == NULL) {
        reply(fd, BV_AGENT_EBADREQ, NULL, 0);
        return;
    }
    if (bv_open_key(ag->keys, ctx, ctxlen, sealed, slen, r + 6) != BV_OK) {
        reply(fd, BV_AGENT_EINTEGRITY, NULL, 0);
    } else {
        bv_store_be32(r, 2 + 32);
        r[4] = BV_AGENT_VERSION;
        r[5] = BV_AGENT_OK;
        (void)write_all(fd, r, 6 + 32);
    }
    sodium_free(r);
}

/* Serve one connection. Returns 1 when it asked us to lock. */
static int
serve_one(int fd, struct agent *ag)
{
    uint8_t hdr[4], code, sig[64];
    const uint8_t *body;
    uint8_t *req = NULL;
    size_t n, blen;
    bv_buf b;
    int locked = 0;

    /* another user gets nothing: no answer, no log line */
    if (!peer_is_us(fd))
        return 0;
    set_timeouts(fd);
    if (read_all(fd, hdr, 4) != 0)
        return 0;
    n = bv_load_be32(hdr);
    if (n < 2 || n > BV_AGENT_MAX_REQ || (req = malloc(n)) == NULL || read_all(fd, req, n) != 0)
        goto out;
    if (bv_agent_decode(req, n, &code, &body, &blen) != BV_OK) {
        reply(fd, BV_AGENT_EBADREQ, NULL, 0);
        goto out;
    }
    switch (code) {
    case BV_AGENT_INFO:
        if (bv_agent_info_body(&ag->info, &b) == BV_OK)
            reply(fd, BV_AGENT_OK, b.p, b.len);
        bv_buf_free(&b);
        break;
    case BV_AGENT_SIGN:
        if (bv_sign(ag->keys, body, blen, sig) == BV_OK)
            reply(fd, BV_AGENT_OK, sig, sizeof sig);
        break;
    case BV_AGENT_OPEN_KEY:
        reply_open(fd, ag, body, blen);
        break;
    case BV_AGENT_LOCK:
        /* gone from the directory before the caller hears it, so that an
         * unlock that replaces us binds a name we no longer remove */
        unlink_ours(ag);
        reply(fd, BV_AGENT_OK, NULL, 0);
        locked = 1;
        break;
    default:
        reply(fd, BV_AGENT_EBADREQ, NULL, 0);
    }
out:
    free(req);
    bv_err_clear();
    return locked;
}

/* The agent process: never returns. */
static void __attribute__((noreturn))
agent_main(struct agent *ag, const bv_keys *inherited, uint32_t secs, int ready)
{
    struct rlimit rl = { 0, 0 };
    struct sigaction sa;
    struct timespec deadline, now, left;
    sigset_t block, none;
    uint32_t pid = (uint32_t)getpid();
    int fd, maxfd, locked = 0, devnull;
    uint8_t msg[4];

    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* mlock is not inherited across fork: copy the keys into memory this
     * process locks, then wipe the copy-on-write copy we inherited */
    if (bv_keys_alloc(&ag->keys) != BV_OK)
        _exit(1);
    memcpy(ag->keys, inherited, sizeof *ag->keys);
    ag->keys->agent = NULL;
    sodium_memzero((void *)(uintptr_t)inherited, sizeof *inherited);
    ag->info.pid = pid;

    /* detached: no terminal, no inherited descriptors (the vault's among
     * them), signals of our own */
    if ((devnull = open("/dev/null", O_RDWR)) >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        if (devnull > 2)
            close(devnull);
    }
    maxfd = (int)sysconf(_SC_OPEN_MAX);
    if (maxfd < 0 || maxfd > 65536)
        maxfd = 65536;
    for (fd = 3; fd < maxfd; fd++)
        if (fd != ag->lfd && fd != ag->dirfd && fd != ready)
            close(fd);
    if (chdir("/") != 0)
        _exit(1);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&none);

    bv_store_be32(msg, pid);
    (void)write_all(ready, msg, 4);
    close(ready);

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)secs;
    while (!stop_now && !locked) {
        struct pollfd p = { ag->lfd, POLLIN, 0 };
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline.tv_sec
            || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
            break;
        left.tv_sec = deadline.tv_sec - now.tv_sec;
        left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
        if (left.tv_nsec < 0) {
            left.tv_sec--;
            left.tv_nsec += 1000000000L;
        }
        /* the stop signals are let in only while we wait */
        if (ppoll(&p, 1, &left, &none) <= 0)
            continue;
        if ((fd = accept4(ag->lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
            continue;
        locked = serve_one(fd, ag);
        close(fd);
    }
    if (!locked)
        unlink_ours(ag);
    bv_keys_free(ag->keys); /* wipes */
    _exit(0);
}

static bv_status
bind_listen(struct agent *ag)
{
    struct sockaddr_un sa;
    struct stat sb;

    sock_addr(ag->dirfd, ag->sock, &sa);
    if ((ag->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return bv_fail(BV_ERR, "socket: %s", strerror(errno));
    if (bind(ag->lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ag->lfd, 16) != 0)
        return bv_fail(BV_ERR, "the agent's socket: %s", strerror(errno));
    if (fstatat(ag->dirfd, ag->sock, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return bv_fail(BV_ERR, "the agent's socket: %s", strerror(errno));
    ag->dev = sb.st_dev;
    ag->ino = sb.st_ino;
    return BV_OK;
}

bv_status
bv_agent_ready(void)
{
    int fd;
    bv_status st;

    if ((st = agent_dir(1, &fd)) == BV_OK)
        close(fd);
    return st;
}

bv_status
bv_agent_start(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, const bv_keys *k,
    uint32_t secs, bv_agent_info *out)
{
    struct agent ag;
    bv_agent_info old;
    uint8_t msg[4];
    int pfd[2] = { -1, -1 }, found, wst;
    pid_t pid;
    bv_status st;

    memset(&ag, 0, sizeof ag);
    ag.lfd = ag.dirfd = -1;
    if (k->agent)
        return bv_fail(BV_EUSAGE, "these keys are already held by an agent");
    if (secs == 0 || secs > BV_AGENT_MAX_SECS)
        return bv_fail(
            BV_EUSAGE, "an agent runs from 1 second to %u hours", BV_AGENT_MAX_SECS / 3600);
    if ((st = agent_dir(1, &ag.dirfd)) != BV_OK)
        return st;
    sock_name(vault_id, name, ag.sock);
    /* one agent per person and vault: a second unlock replaces the first */
    if ((st = lock_one(ag.dirfd, ag.sock, &old, &found)) != BV_OK)
        goto out;
    if (unlinkat(ag.dirfd, ag.sock, 0) != 0 && errno != ENOENT) {
        st = bv_fail(BV_ERR, "the agent's old socket: %s", strerror(errno));
        goto out;
    }
    if ((st = bind_listen(&ag)) != BV_OK)
        goto out;
    memcpy(ag.info.vault_id, vault_id, BV_VAULT_ID_LEN);
    memcpy(ag.info.sign_pk, k->sign_pk, BV_PK_LEN);
    memcpy(ag.info.box_pk, k->box_pk, BV_PK_LEN);
    snprintf(ag.info.name, sizeof ag.info.name, "%s", name);
    ag.info.expires = (uint64_t)time(NULL) + secs;
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        st = bv_fail(BV_ERR, "pipe: %s", strerror(errno));
        goto out;
    }
    fflush(NULL); /* nothing buffered is written twice */
    if ((pid = fork()) < 0) {
        st = bv_fail(BV_ERR, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        /* a session of its own, and a grandchild, so that no terminal
         * and no parent waits on it */
        close(pfd[0]);
        setsid();
        if ((pid = fork()) != 0)
            _exit(pid < 0 ? 1 : 0);
        agent_main(&ag, k, secs, pfd[1]);
    }
    close(pfd[1]);
    pfd[1] = -1;
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
        ;
    if (read_all(pfd[0], msg, 4) != 0) {
        st = bv_fail(BV_ERR, "the agent did not start");
        (void)unlinkat(ag.dirfd, ag.sock, 0);
        goto out;
    }
    ag.info.pid = bv_load_be32(msg);
    *out = ag.info;
out:
    if (pfd[0] >= 0)
        close(pfd[0]);
    if (pfd[1] >= 0)
        close(pfd[1]);
    if (ag.lfd >= 0)
        close(ag.lfd);
    close(ag.dirfd);
    return st;
}
