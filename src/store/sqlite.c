/*
 * store/sqlite.c - the SQLite engine behind include/bv_store.h: opening a
 * vault, transactions, batches, and the helpers the table files share
 * (include/bv_sqlite.h). Every SQL statement of boardvault lives under
 * src/store/, one file per group of tables. SQLite in WAL mode with
 * synchronous=FULL (a committed audit record survives power loss),
 * foreign keys on, secure_delete on (freed pages are zeroed, so deleted
 * wrapped keys do not linger in the file), a busy timeout, and our
 * application_id checked before anything is written.
 */
#define _GNU_SOURCE
#include "bv_sqlite.h"
#include "bv_minutes.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUSY_MS_DEFAULT 5000

bv_status
bv_sqlite_err(bv_store *s, int rc, const char *what)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return bv_fail(BV_ERR, "vault busy: another boardvault process holds it (%s)", what);
    case SQLITE_FULL:
        return bv_fail(BV_ERR, "disk full while %s", what);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        return bv_fail(BV_ERR, "cannot write the vault (%s): %s", what,
            s && bv_sq(s)->db ? sqlite3_errmsg(bv_sq(s)->db) : sqlite3_errstr(rc));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return bv_fail(BV_EINTEGRITY, "the vault file is corrupt (%s)", what);
    case SQLITE_CONSTRAINT:
        return bv_fail(BV_EINTEGRITY, "vault constraint violated while %s: %s", what,
            s && bv_sq(s)->db ? sqlite3_errmsg(bv_sq(s)->db) : sqlite3_errstr(rc));
    case SQLITE_NOMEM:
        return bv_fail(BV_ERR, "out of memory while %s", what);
    default:
        return bv_fail(BV_ERR, "vault error while %s: %s", what,
            s && bv_sq(s)->db ? sqlite3_errmsg(bv_sq(s)->db) : sqlite3_errstr(rc));
    }
}

bv_status
bv_sqlite_exec(bv_store *s, const char *sql, const char *what)
{
    int rc = sqlite3_exec(bv_sq(s)->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? BV_OK : bv_sqlite_err(s, rc, what);
}

bv_status
bv_sqlite_prep(bv_store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(bv_sq(s)->db, sql, -1, st, NULL);

    return rc == SQLITE_OK ? BV_OK : bv_sqlite_err(s, rc, "preparing a query");
}

/* Look at the file itself before SQLite does, so a file that is not ours
 * is never written to (SQLite would happily turn a 0-byte file into a
 * database, and rewrite another application's file when we set pragmas). */
bv_status
bv_sqlite_precheck(const char *path)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    struct stat sb;
    ssize_t n;
    int fd;

    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return bv_fail(
                BV_ENOTFOUND, "no vault at %s (create one with `boardvault init`)", path);
        return bv_fail(BV_EINPUT, "cannot use vault %s: %s", path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return bv_fail(BV_EINPUT, "vault path %s is a directory", path);
    if (!S_ISREG(sb.st_mode))
        return bv_fail(BV_EINPUT, "vault path %s is not a regular file", path);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return bv_fail(BV_EINPUT, "cannot read vault %s: %s", path, strerror(errno));
    n = read(fd, head, sizeof head);
    close(fd);
    if (n != (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0)
        return bv_fail(BV_EINPUT, "%s is not a boardvault vault", path);
    return BV_OK;
}

/*
 * A WAL vault is read through its -shm file, which a reader must be able
 * to create or write. An auditor given a vault they cannot write (a copy
 * on a read-only share, a file of another user) could then not even
 * verify it. When nothing is in flight — no -wal beside it — and the file
 * or its directory is not writable to us, it is opened `immutable`
 * (sqlite.org/uri.html): no locks, no -shm, the file as it is. A vault
 * with a -wal is opened as usual, since its latest commits are there.
 */
static int
read_only_copy(const char *path)
{
    char wal[PATH_MAX], dir[PATH_MAX], *slash;
    struct stat sb;

    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal
        || snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return 0;
    if (lstat(wal, &sb) == 0 || errno != ENOENT)
        return 0;
    if ((slash = strrchr(dir, '/')) == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return access(path, W_OK) != 0 || access(dir, W_OK) != 0;
}

/* file:PATH?immutable=1, the path percent-encoded (RFC 3986, as SQLite
 * decodes it) so that '?', '#' and '%' in a name stay part of it. */
static bv_status
immutable_uri(const char *path, char *uri, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)path;
    size_t n = 0;

    if (cap < 32)
        return bv_fail(BV_ERR, "vault path too long");
    memcpy(uri, "file:", 5);
    n = 5;
    for (; *p; p++) {
        if (n + 4 + sizeof "?immutable=1" > cap)
            return bv_fail(BV_EUSAGE, "vault path too long");
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
            || strchr("/-._~", *p) != NULL) {
            uri[n++] = (char)*p;
        } else {
            uri[n++] = '%';
            uri[n++] = hex[*p >> 4];
            uri[n++] = hex[*p & 15];
        }
    }
    memcpy(uri + n, "?immutable=1", sizeof "?immutable=1");
    return BV_OK;
}

static bv_status
pragmas(bv_store *s)
{
    const char *env = getenv("BOARDVAULT_BUSY_TIMEOUT_MS");
    int ms = BUSY_MS_DEFAULT;
    bv_status st;

    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 0 && v <= 600000)
            ms = (int)v; /* anything else keeps the default */
    }
    sqlite3_busy_timeout(bv_sq(s)->db, ms);
    sqlite3_db_config(bv_sq(s)->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    sqlite3_db_config(bv_sq(s)->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    if ((st = bv_sqlite_exec(s,
             "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
             " PRAGMA synchronous=FULL; PRAGMA cell_size_check=ON;",
             "setting up"))
        != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
int_cb(void *ctx, sqlite3_stmt *q)
{
    *(int64_t *)ctx = sqlite3_column_int64(q, 0);
    return BV_OK;
}

bv_status
bv_sqlite_int(bv_store *s, const char *sql, int64_t *v)
{
    bv_status st = bv_sqlite_one(s, "reading the vault header", int_cb, v, sql, NULL);

    /* no row: as a step that found none always said */
    return st == BV_ENOTFOUND ? bv_sqlite_err(s, SQLITE_DONE, "reading the vault header") : st;
}

/*
 * peer: a second connection to a vault this process already has open.
 * Then the file is not looked at first: bv_sqlite_precheck opens and
 * closes it, and closing any descriptor of a file drops every POSIX lock
 * the process holds on it (sqlite.org/howtocorrupt.html, section 2.2).
 * Without the open connection's shared lock, another process closing the
 * vault thinks itself the last user: it checkpoints, deletes the -wal and
 * -shm, and this process goes on committing into a WAL no one else sees.
 */
static void sq_close(bv_store *s);
static void sq_rollback(bv_store *s);

static bv_status
store_open(const char *path, int mode, int peer, bv_store **out)
{
    bv_store *s;
    int64_t appid = 0, ver = 0;
    char uri[3 * PATH_MAX + 32];
    bv_status st;
    int flags, fd, rc;

    *out = NULL;
    if (mode == BV_STORE_CREATE) {
        /* 0600 from the first byte; SQLite gives -wal and -shm the same mode. */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (errno == EEXIST)
                return bv_fail(BV_EUSAGE, "%s already exists; not overwriting it", path);
            return bv_fail(BV_ERR, "cannot create %s: %s", path, strerror(errno));
        }
        close(fd);
    } else if (!peer && (st = bv_sqlite_precheck(path)) != BV_OK) {
        return st;
    }
    if ((s = calloc(1, sizeof(bv_sqlite))) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    s->engine = &bv_sqlite_engine;
    bv_sq(s)->readonly = mode == BV_STORE_RO;
    flags = (bv_sq(s)->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
        | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;
    if (bv_sq(s)->readonly && read_only_copy(path)) {
        if ((st = immutable_uri(path, uri, sizeof uri)) != BV_OK)
            goto fail;
        rc = sqlite3_open_v2(uri, &bv_sq(s)->db, flags | SQLITE_OPEN_URI, NULL);
    } else {
        rc = sqlite3_open_v2(path, &bv_sq(s)->db, flags, NULL);
    }
    if (rc != SQLITE_OK) {
        st = bv_sqlite_err(s, rc, "opening the vault");
        goto fail;
    }
    sqlite3_extended_result_codes(bv_sq(s)->db, 1);
    if ((st = pragmas(s)) != BV_OK)
        goto fail;
    if (mode == BV_STORE_CREATE) {
        if ((st = bv_sqlite_create_schema(s)) != BV_OK)
            goto fail;
    } else {
        if ((st = bv_sqlite_int(s, "PRAGMA application_id", &appid)) != BV_OK)
            goto fail;
        if (appid != BV_APPLICATION_ID) {
            st = bv_fail(BV_EINPUT, "%s is an SQLite file of another application", path);
            goto fail;
        }
        if ((st = bv_sqlite_int(s, "PRAGMA user_version", &ver)) != BV_OK)
            goto fail;
        if (ver > BV_SCHEMA_VERSION) {
            st = bv_fail(
                BV_EINPUT, "%s was made by a newer boardvault (format %lld)", path, (long long)ver);
            goto fail;
        }
        if (ver < 1) {
            st = bv_fail(BV_EINPUT, "%s has an unknown format version %lld", path, (long long)ver);
            goto fail;
        }
        bv_sq(s)->version = ver; /* bv_store_migrate brings it up to date */
    }
    *out = s;
    return BV_OK;
fail:
    sq_close(s);
    if (mode == BV_STORE_CREATE)
        unlink(path);
    return st;
}

static bv_status
sq_open(const char *path, int mode, bv_store **out)
{
    return store_open(path, mode, 0, out);
}

static bv_status
sync_batches(bv_store *s, int batches)
{
    return bv_sqlite_exec(s, batches ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
        "setting up the vault");
}

static bv_status
sq_open_peer(bv_store *s, int mode, bv_store **out)
{
    const char *path = sqlite3_db_filename(bv_sq(s)->db, "main");

    if (path == NULL || *path == '\0')
        return bv_fail(BV_ERR, "the vault has no file name");
    return store_open(path, mode == BV_STORE_RO ? BV_STORE_RO : BV_STORE_RW, 1, out);
}

static void
autocheckpoint(bv_store *s, int on)
{
    /* 1000 pages is SQLite's default */
    (void)sqlite3_wal_autocheckpoint(bv_sq(s)->db, on ? 1000 : 0);
}

static bv_status
checkpoint(bv_store *s)
{
    int rc = sqlite3_wal_checkpoint_v2(bv_sq(s)->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

    return rc == SQLITE_OK ? BV_OK : bv_sqlite_err(s, rc, "checkpointing the WAL");
}

bv_status
bv_sqlite_size(bv_store *s, uint64_t *bytes)
{
    int64_t pages = 0, size = 0;
    bv_status st;

    if ((st = bv_sqlite_int(s, "PRAGMA page_count", &pages)) == BV_OK)
        st = bv_sqlite_int(s, "PRAGMA page_size", &size);
    *bytes = (uint64_t)pages * (uint64_t)size;
    return st;
}

/*
 * A consistent copy of the vault into path, an empty file of ours: the
 * online backup API copies every page under one read transaction, so
 * writers (an open's record) go on meanwhile and the copy is the vault as
 * of one commit. The copy's WAL is folded back and the file synced.
 */
bv_status
bv_sqlite_backup(bv_store *s, const char *path)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b;
    bv_sqlite d;
    bv_status st = BV_OK;
    int rc;

    memset(&d, 0, sizeof d);
    d.base.engine = s->engine;
    rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    d.db = dst;
    if (rc != SQLITE_OK) {
        st = bv_sqlite_err(&d.base, rc, "creating the copy");
        goto out;
    }
    sqlite3_busy_timeout(dst, 5000);
    if ((b = sqlite3_backup_init(dst, "main", bv_sq(s)->db, "main")) == NULL) {
        st = bv_sqlite_err(&d.base, sqlite3_errcode(dst), "starting the copy");
        goto out;
    }
    while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep(50);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        st = bv_sqlite_err(&d.base, rc, "copying the vault");
        goto out;
    }
    st = bv_sqlite_exec(
        &d.base, "PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(TRUNCATE);", "syncing the copy");
    /* the file bodies its live items name, beside it */
    if (st == BV_OK)
        st = bv_sqlite_files_backup(s, &d.base, path);
out:
    if (dst && sqlite3_close(dst) != SQLITE_OK && st == BV_OK)
        st = bv_fail(BV_ERR, "cannot close the copy");
    return st;
}

static void
sq_close(bv_store *s)
{
    if (s == NULL)
        return;
    bv_sqlite_files_close(s);
    sqlite3_close_v2(bv_sq(s)->db);
    free(s);
}

bv_status
bv_sqlite_begin(bv_store *s)
{
    if (bv_sq(s)->readonly)
        return bv_fail(BV_ERR, "the vault is open read-only");
    return bv_sqlite_exec(s, "BEGIN IMMEDIATE", "starting a write");
}

static int
sq_in_tx(bv_store *s)
{
    if (sqlite3_get_autocommit(bv_sq(s)->db))
        return 0;
    return sqlite3_txn_state(bv_sq(s)->db, "main") == SQLITE_TXN_WRITE ? 2 : 1;
}

bv_status
bv_sqlite_begin_read(bv_store *s)
{
    return bv_sqlite_exec(s, "BEGIN", "starting a read");
}

bv_status
bv_sqlite_commit(bv_store *s)
{
    int rc = sqlite3_exec(bv_sq(s)->db, "COMMIT", NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        bv_status st = bv_sqlite_err(s, rc, "committing");
        sq_rollback(s);
        return st;
    }
    return BV_OK;
}

static void
sq_rollback(bv_store *s)
{
    if (!sqlite3_get_autocommit(bv_sq(s)->db))
        (void)sqlite3_exec(bv_sq(s)->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- meta ---- */

static bv_status
buf_cb(void *ctx, sqlite3_stmt *q)
{
    return bv_sqlite_col_buf(q, 0, ctx);
}

bv_status
bv_sqlite_meta_get(bv_store *s, const char *key, bv_buf *val)
{
    bv_status st = bv_sqlite_one(
        s, "reading vault metadata", buf_cb, val, "SELECT value FROM meta WHERE key = ?", "t", key);

    return st == BV_ENOTFOUND ? bv_fail(BV_EINTEGRITY, "the vault has no %s record", key) : st;
}

bv_status
bv_sqlite_meta_set(bv_store *s, const char *key, const void *val, size_t len)
{
    return bv_sqlite_run(s, "writing vault metadata",
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "tb", key, val, len);
}

/*
 * During a run of batches (a staging body, a sweep) checkpoints run on a
 * thread of their own, with a connection of their own: a checkpoint
 * syncs the WAL and the vault file, and the batches (and, for a body,
 * the whole pipeline behind them) would otherwise wait on the disk after
 * every few of them. PASSIVE: it copies what is committed and waits for
 * no one. Best effort: whatever it does not copy stays in the WAL, as
 * durable, for the next checkpoint.
 */
typedef struct bv_ckpt bv_ckpt;
struct bv_ckpt {
    pthread_mutex_t mu;
    pthread_cond_t cv, caught_up;
    bv_store *db;
    pthread_t thread;
    uint64_t commits; /* batches committed so far */
    uint64_t done; /* batches the last checkpoint covered */
    int stop;
};

/*
 * The WAL starts again from its beginning only when a transaction begins
 * with every frame already copied back. With the checkpoints running
 * beside the batches that never happens on its own, and the WAL would
 * grow to the size of the body, each page of it new to the page cache.
 * So every CKPT_LAG batches the writer waits for the checkpointer to
 * catch up: the WAL then cycles through a few batches' worth of pages.
 * Each wait is on the checkpointer's fsyncs, and stalls the pipeline.
 */
#define CKPT_LAG 8u /* ~256 MiB of WAL; 4 and 16 measured slower */

static void *
ckpt_run(void *arg)
{
    bv_ckpt *c = arg;
    uint64_t done = 0, want;
    int stop;

    for (;;) {
        pthread_mutex_lock(&c->mu);
        while (c->commits == done && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        want = c->commits;
        stop = c->stop;
        pthread_mutex_unlock(&c->mu);
        if (want == done && stop)
            return NULL;
        if (checkpoint(c->db) != BV_OK)
            bv_err_clear();
        done = want;
        pthread_mutex_lock(&c->mu);
        c->done = done;
        pthread_cond_signal(&c->caught_up);
        pthread_mutex_unlock(&c->mu);
    }
}

/* Before a batch: every CKPT_LAG batches, wait for the checkpointer. */
static void
ckpt_pace(bv_ckpt *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    if (c->commits > 0 && c->commits % CKPT_LAG == 0)
        while (c->done != c->commits)
            pthread_cond_wait(&c->caught_up, &c->mu);
    pthread_mutex_unlock(&c->mu);
}

/* NULL when no thread could be had: SQLite's own checkpoints, in line. */
static bv_ckpt *
ckpt_start(bv_store *s)
{
    bv_ckpt *c;
    sigset_t all, old;
    int rc;

    if ((c = calloc(1, sizeof *c)) == NULL)
        return NULL;
    if (bv_store_open_peer(s, BV_STORE_RW, &c->db) != BV_OK) {
        bv_err_clear();
        free(c);
        return NULL;
    }
    if (pthread_mutex_init(&c->mu, NULL) != 0)
        goto fail_db;
    if (pthread_cond_init(&c->cv, NULL) != 0)
        goto fail_mu;
    if (pthread_cond_init(&c->caught_up, NULL) != 0)
        goto fail_cv;
    /* signals stay with the calling thread (see body.c) */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&c->thread, NULL, ckpt_run, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        goto fail_cu;
    autocheckpoint(s, 0);
    return c;
fail_cu:
    pthread_cond_destroy(&c->caught_up);
fail_cv:
    pthread_cond_destroy(&c->cv);
fail_mu:
    pthread_mutex_destroy(&c->mu);
fail_db:
    bv_store_close(c->db);
    free(c);
    return NULL;
}

static void
ckpt_kick(bv_ckpt *c, int stop)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    c->commits++;
    c->stop |= stop;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void
ckpt_end(bv_store *s, bv_ckpt *c)
{
    if (c == NULL)
        return;
    ckpt_kick(c, 1);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->caught_up);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    bv_store_close(c->db);
    free(c);
    autocheckpoint(s, 1);
}

/* A run of batches: synchronous=NORMAL (each commit reaches the WAL,
 * unsynced), checkpoints on their own thread; FULL again at the end. */
struct sq_run {
    bv_ckpt *ck; /* NULL: no thread, SQLite checkpoints in line */
};

static bv_status
sq_batches_begin(bv_store *s, void **out)
{
    struct sq_run *b;
    bv_status st;

    *out = NULL;
    if ((b = calloc(1, sizeof *b)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    if ((st = sync_batches(s, 1)) != BV_OK) {
        free(b);
        return st;
    }
    b->ck = ckpt_start(s);
    *out = b;
    return BV_OK;
}

static void
sq_batch_next(void *run)
{
    struct sq_run *b = run;

    if (b)
        ckpt_pace(b->ck);
}

static void
sq_batch_done(void *run)
{
    struct sq_run *b = run;

    if (b)
        ckpt_kick(b->ck, 0);
}

static bv_status
sq_batches_end(bv_store *s, void *run)
{
    struct sq_run *b = run;

    if (b == NULL)
        return BV_OK;
    ckpt_end(s, b->ck);
    free(b);
    return sync_batches(s, 0);
}

/* After a destroy has committed: give freed pages back and empty the WAL,
 * whose old frames still hold the destroyed rows. Best effort. */
static void
sq_reclaim(bv_store *s, int vacuum)
{
    /* vacuum hands freed pages back to the file system by moving live
     * pages down: worth it after a destroy, not after a rekey, whose new
     * body would be moved again to fill the old one's place */
    if (vacuum)
        (void)sqlite3_exec(bv_sq(s)->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
    (void)sqlite3_exec(bv_sq(s)->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}

const bv_engine bv_sqlite_engine = { .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .open_peer = sq_open_peer,
    .batches_begin = sq_batches_begin,
    .batch_next = sq_batch_next,
    .batch_done = sq_batch_done,
    .batches_end = sq_batches_end,
    .in_tx = sq_in_tx,
    .rollback = sq_rollback,
    .reclaim = sq_reclaim,
    .sweep_next = bv_sqlite_sweep_next,
    .sweep_step = bv_sqlite_sweep_step,
    .sweep_files = bv_sqlite_files_sweep,
    .remove = bv_sqlite_remove,
#define BV_SQLITE_CALL(name, params, args) .name = bv_sqlite_##name,
    BV_ENGINE_CALLS(BV_SQLITE_CALL)
#undef BV_SQLITE_CALL
};
