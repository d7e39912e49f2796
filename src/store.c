/*
 * store.c - every SQL statement of boardvault. SQLite in WAL mode with
 * synchronous=FULL (a committed audit record survives power loss),
 * foreign keys on, secure_delete on (freed pages are zeroed, so deleted
 * wrapped keys do not linger in the file), a busy timeout, and our
 * application_id checked before anything is written.
 */
#define _GNU_SOURCE
#include "bv_store.h"
#include "bv_minutes.h"

#include <errno.h>
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

struct bv_store {
    sqlite3 *db;
    int readonly;
    int64_t version; /* the file's format (user_version) when opened */
};

#define BUSY_MS_DEFAULT 5000

/* A member's new key pairs, waiting for an officer to certify them
 * (member rekey, then member approve). sig: the old signing key over the
 * new public keys (FORMATS.md, key-change v1). Format 3. */
#define KEY_CHANGES_TABLE                                                                          \
    "CREATE TABLE key_changes("                                                                    \
    " person_id INTEGER PRIMARY KEY REFERENCES persons(id) ON DELETE CASCADE,"                     \
    " box_pk BLOB NOT NULL, sign_pk BLOB NOT NULL, secret BLOB NOT NULL, sig BLOB NOT NULL,"       \
    " requested TEXT NOT NULL);"

static const char schema_a[]
    = "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
      "CREATE TABLE persons("
      " id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
      " box_pk BLOB NOT NULL, sign_pk BLOB NOT NULL, secret BLOB NOT NULL,"
      " status TEXT NOT NULL CHECK (status IN ('pending','approved')),"
      " cert_by TEXT, cert_sig BLOB, created TEXT NOT NULL);"
      "CREATE TABLE boards("
      " id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, epoch INTEGER NOT NULL,"
      " created_by TEXT NOT NULL, sig BLOB NOT NULL, created TEXT NOT NULL);"
      "CREATE TABLE roles("
      " board_id INTEGER NOT NULL REFERENCES boards(id),"
      " person_id INTEGER NOT NULL REFERENCES persons(id),"
      " role TEXT NOT NULL CHECK (role IN ('officer','member','auditor')),"
      " added_by TEXT NOT NULL, sig BLOB NOT NULL, PRIMARY KEY (board_id, person_id));"
      "CREATE TABLE board_keys("
      " board_id INTEGER NOT NULL REFERENCES boards(id), epoch INTEGER NOT NULL,"
      " person_id INTEGER NOT NULL REFERENCES persons(id), sealed BLOB NOT NULL,"
      " wrapped_by TEXT NOT NULL, sig BLOB NOT NULL, PRIMARY KEY (board_id, epoch, person_id));"
      /* A body is its chunks. Large bodies are written in batches of their
       * own transactions before the item that owns them ('staging'), so
       * that the WAL stays small and hot instead of carrying the whole body
       * twice; the item's transaction makes it 'live'. A body whose item is
       * gone is 'condemned' and deleted in batches after that commit.
       * `touched` is a staging body's heartbeat: one not touched for
       * BV_STAGE_STALE_S belongs to a seal that died, and is swept. */
      "CREATE TABLE bodies("
      " id INTEGER PRIMARY KEY,"
      " state TEXT NOT NULL CHECK (state IN ('staging','live','condemned')),"
      " touched TEXT NOT NULL);"
      "CREATE TABLE items("
      " id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
      " body_id INTEGER NOT NULL UNIQUE REFERENCES bodies(id),"
      " board_id INTEGER NOT NULL REFERENCES boards(id), title TEXT NOT NULL,"
      " size INTEGER NOT NULL, nchunks INTEGER NOT NULL, sealed_epoch INTEGER NOT NULL,"
      " header BLOB NOT NULL, chunk_hashes BLOB NOT NULL, sealed_by TEXT NOT NULL,"
      " sig BLOB NOT NULL, created TEXT NOT NULL, retain_until TEXT);"
      "CREATE INDEX items_board ON items(board_id);"
      "CREATE TABLE item_keys("
      " item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
      " epoch INTEGER NOT NULL, wrapped BLOB NOT NULL, PRIMARY KEY (item_id, epoch));"
      "CREATE TABLE chunks("
      " body_id INTEGER NOT NULL REFERENCES bodies(id),"
      " idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (body_id, idx));"
      "CREATE TABLE grantsets("
      " item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,"
      " version INTEGER NOT NULL, names BLOB NOT NULL, signed_by TEXT NOT NULL,"
      " sig BLOB NOT NULL);"
      "CREATE TABLE grants("
      " item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
      " person_id INTEGER NOT NULL REFERENCES persons(id), sealed BLOB NOT NULL,"
      " granted_by TEXT NOT NULL, sig BLOB NOT NULL, PRIMARY KEY (item_id, person_id));";
/* Split only because C limits one string literal to 4095 bytes. */
static const char schema_b[]
    = "CREATE TABLE audit("
      " seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL,"
      " actor_fp TEXT NOT NULL, action TEXT NOT NULL, board TEXT NOT NULL,"
      " item TEXT NOT NULL, meeting TEXT NOT NULL, agenda TEXT NOT NULL,"
      " outcome TEXT NOT NULL, reason TEXT NOT NULL, leaf BLOB NOT NULL,"
      " leaf_hash BLOB NOT NULL);"
      "CREATE INDEX audit_item ON audit(item, seq);"
      /* covers audit summary: per item, who opened it, how often, when */
      "CREATE INDEX audit_summary ON audit(item, action, actor, outcome, time);"
      "CREATE INDEX audit_board ON audit(board, seq);"
      "CREATE INDEX audit_actor ON audit(actor, seq);"
      "CREATE INDEX audit_action ON audit(action, seq);"
      "CREATE INDEX audit_time ON audit(time);"
      "CREATE TABLE audit_state(id INTEGER PRIMARY KEY CHECK (id = 1), frontier BLOB NOT NULL);"
      "CREATE TABLE checkpoints("
      " id INTEGER PRIMARY KEY, size INTEGER NOT NULL, signed_by TEXT NOT NULL,"
      " note BLOB NOT NULL, created TEXT NOT NULL);"
      /* The open record of meetings: what the importer understood of the
       * published minutes. Restricted bodies never come here: they are
       * items, linked from their agenda entry. */
      /* A signed record that a person was removed from a board: it
       * outweighs the board record (for a creator) and any role row. */
      /* Signing keys of people who were reset: kept so that what they
       * signed in the audit log still verifies. */
      "CREATE TABLE retired_keys("
      " id INTEGER PRIMARY KEY, name TEXT NOT NULL, sign_pk BLOB NOT NULL,"
      " retired_by TEXT NOT NULL, sig BLOB NOT NULL);"
      "CREATE TABLE removals("
      " board_id INTEGER NOT NULL REFERENCES boards(id), name TEXT NOT NULL,"
      " removed_by TEXT NOT NULL, sig BLOB NOT NULL, PRIMARY KEY (board_id, name));"
      /* A board's minutes keys, one per epoch that imported minutes (gen
       * = that epoch), each wrapped under the board key of the current
       * epoch: they key meetings.doc_hash, the newest for new meetings. */
      "CREATE TABLE minutes_keys("
      " board_id INTEGER NOT NULL REFERENCES boards(id), gen INTEGER NOT NULL,"
      " epoch INTEGER NOT NULL, wrapped BLOB NOT NULL, PRIMARY KEY (board_id, gen, epoch));"
      "CREATE TABLE meetings("
      " id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL REFERENCES boards(id),"
      " key_gen INTEGER NOT NULL, doc_hash BLOB NOT NULL, board_line TEXT, date_line TEXT NOT NULL,"
      " date_iso TEXT NOT NULL, time TEXT, venue TEXT, contact TEXT,"
      " imported_by TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (board_id, doc_hash));"
      "CREATE TABLE agenda("
      " meeting_id INTEGER NOT NULL REFERENCES meetings(id), ordinal INTEGER NOT NULL,"
      " number INTEGER NOT NULL, title TEXT NOT NULL, duration INTEGER NOT NULL,"
      " restricted INTEGER NOT NULL, restriction TEXT, para INTEGER NOT NULL,"
      " truncated INTEGER NOT NULL, item_id INTEGER REFERENCES items(id),"
      " PRIMARY KEY (meeting_id, ordinal));"
      "CREATE TABLE blocks("
      " meeting_id INTEGER NOT NULL, ordinal INTEGER NOT NULL, idx INTEGER NOT NULL,"
      " kind INTEGER NOT NULL, level INTEGER NOT NULL, text TEXT NOT NULL,"
      " PRIMARY KEY (meeting_id, ordinal, idx));"
      "CREATE TABLE actions("
      " meeting_id INTEGER NOT NULL, ordinal INTEGER NOT NULL, idx INTEGER NOT NULL,"
      " owners TEXT, text TEXT NOT NULL, status TEXT,"
      " PRIMARY KEY (meeting_id, ordinal, idx));" KEY_CHANGES_TABLE
      /* Accidents, not attackers: whoever can write the file can drop these. */
      "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
      " BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
      "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
      " BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;";

/*
 * Format 1 -> 2 (see docs/FORMATS.md, 9.3): bodies became rows of their
 * own, so that a large one can be written before its item; minutes got
 * keys of their own. SQLite cannot change a column's constraints in
 * place, so items, chunks and meetings are rebuilt the way its ALTER
 * TABLE page lays out (new table, copy, drop, rename), foreign keys off
 * around the transaction and checked before it commits. Each item's body
 * takes the item's id. Meetings keep their format-1 hashes under key
 * generation 0, which no import computes: re-importing a document
 * imported before the upgrade stores it again.
 */
static const char migrate_1_2[]
    = "CREATE TABLE bodies("
      " id INTEGER PRIMARY KEY,"
      " state TEXT NOT NULL CHECK (state IN ('staging','live','condemned')),"
      " touched TEXT NOT NULL);"
      "INSERT INTO bodies(id, state, touched) SELECT id, 'live', created FROM items;"
      "CREATE TABLE items_2("
      " id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
      " body_id INTEGER NOT NULL UNIQUE REFERENCES bodies(id),"
      " board_id INTEGER NOT NULL REFERENCES boards(id), title TEXT NOT NULL,"
      " size INTEGER NOT NULL, nchunks INTEGER NOT NULL, sealed_epoch INTEGER NOT NULL,"
      " header BLOB NOT NULL, chunk_hashes BLOB NOT NULL, sealed_by TEXT NOT NULL,"
      " sig BLOB NOT NULL, created TEXT NOT NULL, retain_until TEXT);"
      "INSERT INTO items_2(id, uid, body_id, board_id, title, size, nchunks, sealed_epoch,"
      " header, chunk_hashes, sealed_by, sig, created, retain_until)"
      " SELECT id, uid, id, board_id, title, size, nchunks, sealed_epoch, header, chunk_hashes,"
      " sealed_by, sig, created, retain_until FROM items;"
      "DROP TABLE items;"
      "ALTER TABLE items_2 RENAME TO items;"
      "CREATE INDEX items_board ON items(board_id);"
      "CREATE TABLE chunks_2("
      " body_id INTEGER NOT NULL REFERENCES bodies(id),"
      " idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (body_id, idx));"
      "INSERT INTO chunks_2(body_id, idx, data) SELECT item_id, idx, data FROM chunks;"
      "DROP TABLE chunks;"
      "ALTER TABLE chunks_2 RENAME TO chunks;"
      "CREATE TABLE minutes_keys("
      " board_id INTEGER NOT NULL REFERENCES boards(id), gen INTEGER NOT NULL,"
      " epoch INTEGER NOT NULL, wrapped BLOB NOT NULL, PRIMARY KEY (board_id, gen, epoch));"
      "CREATE TABLE meetings_2("
      " id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL REFERENCES boards(id),"
      " key_gen INTEGER NOT NULL, doc_hash BLOB NOT NULL, board_line TEXT, date_line TEXT NOT NULL,"
      " date_iso TEXT NOT NULL, time TEXT, venue TEXT, contact TEXT,"
      " imported_by TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (board_id, doc_hash));"
      "INSERT INTO meetings_2(id, board_id, key_gen, doc_hash, board_line, date_line, date_iso,"
      " time, venue, contact, imported_by, created)"
      " SELECT id, board_id, 0, doc_hash, board_line, date_line, date_iso, time, venue, contact,"
      " imported_by, created FROM meetings;"
      "DROP TABLE meetings;"
      "ALTER TABLE meetings_2 RENAME TO meetings;";

/* Format 2 -> 3: a member can ask for new key pairs (key_changes). */
static const char migrate_2_3[] = KEY_CHANGES_TABLE;

/* migrations[v - 1] takes a vault from format v to v + 1. */
static const char *const migrations[] = { migrate_1_2, migrate_2_3 };

static bv_status
sqlerr(bv_store *s, int rc, const char *what)
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
            s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return bv_fail(BV_EINTEGRITY, "the vault file is corrupt (%s)", what);
    case SQLITE_CONSTRAINT:
        return bv_fail(BV_EINTEGRITY, "vault constraint violated while %s: %s", what,
            s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    case SQLITE_NOMEM:
        return bv_fail(BV_ERR, "out of memory while %s", what);
    default:
        return bv_fail(BV_ERR, "vault error while %s: %s", what,
            s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    }
}

static bv_status
exec(bv_store *s, const char *sql, const char *what)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? BV_OK : sqlerr(s, rc, what);
}

static bv_status
prep(bv_store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

    return rc == SQLITE_OK ? BV_OK : sqlerr(s, rc, "preparing a query");
}

/* Look at the file itself before SQLite does, so a file that is not ours
 * is never written to (SQLite would happily turn a 0-byte file into a
 * database, and rewrite another application's file when we set pragmas). */
static bv_status
precheck(const char *path)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    struct stat sb;
    ssize_t n;
    int fd;

    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
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
    sqlite3_busy_timeout(s->db, ms);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    if ((st = exec(s,
             "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
             " PRAGMA synchronous=FULL; PRAGMA cell_size_check=ON;",
             "setting up"))
        != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
pragma_int(bv_store *s, const char *sql, int64_t *v)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, sql, &q)) != BV_OK)
        return st;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? BV_OK : sqlerr(s, rc, "reading the vault header");
}

static bv_status
create_schema(bv_store *s)
{
    char sql[128];
    bv_status st;

    /* large pages: bodies are stored as 1 MiB rows (see BV_CHUNK) */
    /* incremental auto-vacuum: a destroyed item's pages can be handed
     * back to the file system (secure_delete has zeroed them already) */
    if ((st = exec(s, "PRAGMA page_size=65536", "creating the vault")) != BV_OK
        || (st = exec(s, "PRAGMA auto_vacuum=INCREMENTAL", "creating the vault")) != BV_OK
        || (st = exec(s, "PRAGMA journal_mode=WAL", "creating the vault")) != BV_OK)
        return st;
    if ((st = exec(s, "BEGIN IMMEDIATE", "creating the vault")) != BV_OK)
        return st;
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
        BV_APPLICATION_ID, BV_SCHEMA_VERSION);
    if ((st = exec(s, sql, "creating the vault")) != BV_OK
        || (st = exec(s, schema_a, "creating the vault")) != BV_OK
        || (st = exec(s, schema_b, "creating the vault")) != BV_OK) {
        bv_store_rollback(s);
        return st;
    }
    return bv_store_commit(s);
}

/* Nothing to report but failure: a foreign key the rebuild broke. */
static int
fk_ok(void *ctx, int n, char **v, char **names)
{
    (void)n, (void)v, (void)names;
    *(int *)ctx = 0;
    return 0;
}

/* The upgrade itself, on a connection that may write. */
static bv_status
migrate(bv_store *s, const char *path)
{
    char sql[64];
    bv_status st;
    int64_t v;
    int ok = 1;

    if ((st = exec(s, "PRAGMA foreign_keys=OFF", "upgrading the vault")) != BV_OK)
        return st;
    if ((st = exec(s, "BEGIN IMMEDIATE", "upgrading the vault")) != BV_OK)
        goto out;
    /* another process may have upgraded it meanwhile */
    if ((st = pragma_int(s, "PRAGMA user_version", &v)) != BV_OK)
        goto fail;
    for (; v < BV_SCHEMA_VERSION; v++) {
        if ((st = exec(s, migrations[v - 1], "upgrading the vault")) != BV_OK)
            goto fail;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", BV_SCHEMA_VERSION);
    if ((st = exec(s, sql, "upgrading the vault")) != BV_OK)
        goto fail;
    if (sqlite3_exec(s->db, "PRAGMA foreign_key_check", fk_ok, &ok, NULL) != SQLITE_OK || !ok) {
        st = bv_fail(BV_EINTEGRITY,
            "%s: its rows do not fit format %d (foreign keys); not upgraded", path,
            BV_SCHEMA_VERSION);
        goto fail;
    }
    st = bv_store_commit(s);
    goto out;
fail:
    bv_store_rollback(s);
out:
    if (exec(s, "PRAGMA foreign_keys=ON", "upgrading the vault") != BV_OK && st == BV_OK)
        st = BV_ERR;
    return st;
}

bv_status
bv_store_migrate(bv_store *s, int64_t *from)
{
    const char *path = sqlite3_db_filename(s->db, "main");
    bv_store *w = NULL;
    bv_status st;

    *from = s->version;
    if (s->version >= BV_SCHEMA_VERSION)
        return BV_OK;
    if (!s->readonly)
        st = migrate(s, path);
    else if (access(path, W_OK) == 0 && bv_store_open(path, BV_STORE_RW, &w) == BV_OK) {
        /* a command that only reads, on a file that can be written */
        st = migrate(w, path);
        bv_store_close(w);
    } else {
        bv_err_clear();
        return bv_fail(BV_ERR,
            "%s is in format %lld and must be upgraded to format %d: run boardvault on it "
            "once with write access to the file",
            path, (long long)s->version, BV_SCHEMA_VERSION);
    }
    if (st == BV_OK)
        s->version = BV_SCHEMA_VERSION;
    return st;
}

bv_status
bv_store_open(const char *path, int mode, bv_store **out)
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
    } else if ((st = precheck(path)) != BV_OK) {
        return st;
    }
    if ((s = calloc(1, sizeof *s)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    s->readonly = mode == BV_STORE_RO;
    flags = (s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOFOLLOW
        | SQLITE_OPEN_FULLMUTEX;
    if (s->readonly && read_only_copy(path)) {
        if ((st = immutable_uri(path, uri, sizeof uri)) != BV_OK)
            goto fail;
        rc = sqlite3_open_v2(uri, &s->db, flags | SQLITE_OPEN_URI, NULL);
    } else {
        rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    }
    if (rc != SQLITE_OK) {
        st = sqlerr(s, rc, "opening the vault");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    if ((st = pragmas(s)) != BV_OK)
        goto fail;
    if (mode == BV_STORE_CREATE) {
        if ((st = create_schema(s)) != BV_OK)
            goto fail;
    } else {
        if ((st = pragma_int(s, "PRAGMA application_id", &appid)) != BV_OK)
            goto fail;
        if (appid != BV_APPLICATION_ID) {
            st = bv_fail(BV_EINPUT, "%s is an SQLite file of another application", path);
            goto fail;
        }
        if ((st = pragma_int(s, "PRAGMA user_version", &ver)) != BV_OK)
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
        s->version = ver; /* bv_store_migrate brings it up to date */
    }
    *out = s;
    return BV_OK;
fail:
    bv_store_close(s);
    if (mode == BV_STORE_CREATE)
        unlink(path);
    return st;
}

bv_status
bv_store_sync_batches(bv_store *s, int batches)
{
    return exec(s, batches ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
        "setting up the vault");
}

bv_status
bv_store_open_peer(bv_store *s, int mode, bv_store **out)
{
    const char *path = sqlite3_db_filename(s->db, "main");

    if (path == NULL || *path == '\0')
        return bv_fail(BV_ERR, "the vault has no file name");
    return bv_store_open(path, mode == BV_STORE_RO ? BV_STORE_RO : BV_STORE_RW, out);
}

void
bv_store_autocheckpoint(bv_store *s, int on)
{
    /* 1000 pages is SQLite's default */
    (void)sqlite3_wal_autocheckpoint(s->db, on ? 1000 : 0);
}

bv_status
bv_store_checkpoint(bv_store *s)
{
    int rc = sqlite3_wal_checkpoint_v2(s->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

    return rc == SQLITE_OK ? BV_OK : sqlerr(s, rc, "checkpointing the WAL");
}

void
bv_store_close(bv_store *s)
{
    if (s == NULL)
        return;
    sqlite3_close_v2(s->db);
    free(s);
}

bv_status
bv_store_begin(bv_store *s)
{
    if (s->readonly)
        return bv_fail(BV_ERR, "the vault is open read-only");
    return exec(s, "BEGIN IMMEDIATE", "starting a write");
}

int
bv_store_in_tx(bv_store *s)
{
    if (sqlite3_get_autocommit(s->db))
        return 0;
    return sqlite3_txn_state(s->db, "main") == SQLITE_TXN_WRITE ? 2 : 1;
}

bv_status
bv_store_audit_last_seq(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    /* the rowid's maximum: one step down the b-tree, where count(*) reads
     * every row of a million-entry log */
    bv_status st = pragma_int(s, "SELECT coalesce(max(seq), 0) FROM audit", &v);

    *n = v < 0 ? 0 : (uint64_t)v;
    return st;
}

bv_status
bv_store_begin_read(bv_store *s)
{
    return exec(s, "BEGIN", "starting a read");
}

bv_status
bv_store_commit(bv_store *s)
{
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        bv_status st = sqlerr(s, rc, "committing");
        bv_store_rollback(s);
        return st;
    }
    return BV_OK;
}

void
bv_store_rollback(bv_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- column helpers: copy with bounds, so a tampered row can't overflow ---- */

static bv_status
col_text(sqlite3_stmt *q, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    size_t n = (size_t)sqlite3_column_bytes(q, i);

    if (t == NULL) {
        out[0] = '\0';
        return BV_OK;
    }
    if (n >= cap)
        return bv_fail(BV_EINTEGRITY, "vault field is too long (column %d)", i);
    memcpy(out, t, n);
    out[n] = '\0';
    return BV_OK;
}

static bv_status
col_blob(sqlite3_stmt *q, int i, uint8_t *out, size_t cap, size_t *len)
{
    const void *p = sqlite3_column_blob(q, i);
    size_t n = (size_t)sqlite3_column_bytes(q, i);

    if (n > cap)
        return bv_fail(BV_EINTEGRITY, "vault field is too long (column %d)", i);
    if (n)
        memcpy(out, p, n);
    *len = n;
    return BV_OK;
}

static bv_status
col_blob_exact(sqlite3_stmt *q, int i, uint8_t *out, size_t n)
{
    size_t len;
    bv_status st;
    uint8_t tmp[BV_BLOB_MAX];

    if (n > sizeof tmp)
        return BV_ERR;
    if ((st = col_blob(q, i, tmp, sizeof tmp, &len)) != BV_OK)
        return st;
    if (len != n)
        return bv_fail(BV_EINTEGRITY, "vault field has the wrong length (column %d)", i);
    memcpy(out, tmp, n);
    return BV_OK;
}

static bv_status
col_buf(sqlite3_stmt *q, int i, bv_buf *b)
{
    const void *p = sqlite3_column_blob(q, i);
    size_t n = (size_t)sqlite3_column_bytes(q, i);

    b->len = 0;
    bv_buf_put(b, p, n);
    return b->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

static void
bind_text(sqlite3_stmt *q, int i, const char *t)
{
    sqlite3_bind_text(q, i, t, -1, SQLITE_STATIC);
}

static void
bind_blob(sqlite3_stmt *q, int i, const void *p, size_t n)
{
    sqlite3_bind_blob64(q, i, p ? p : "", n, SQLITE_STATIC);
}

static void
bind_opt(sqlite3_stmt *q, int i, const char *t)
{
    if (t)
        bind_text(q, i, t);
    else
        sqlite3_bind_null(q, i);
}

/* Step a statement that returns no rows; finalize it. */
static bv_status
done(bv_store *s, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);

    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? BV_OK : sqlerr(s, rc, what);
}

/* ---- meta ---- */

bv_status
bv_store_meta_get(bv_store *s, const char *key, bv_buf *val)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT value FROM meta WHERE key = ?", &q)) != BV_OK)
        return st;
    bind_text(q, 1, key);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = col_buf(q, 0, val);
    else if (rc == SQLITE_DONE)
        st = bv_fail(BV_EINTEGRITY, "the vault has no %s record", key);
    else
        st = sqlerr(s, rc, "reading vault metadata");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_meta_set(bv_store *s, const char *key, const void *val, size_t len)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", &q)) != BV_OK)
        return st;
    bind_text(q, 1, key);
    bind_blob(q, 2, val, len);
    return done(s, q, "writing vault metadata");
}

/* ---- persons ---- */

#define PERSON_COLS "id, name, box_pk, sign_pk, secret, status, cert_by, cert_sig, created"

static bv_status
person_row(sqlite3_stmt *q, bv_person_row *p)
{
    bv_status st;
    const unsigned char *status;

    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(q, 0);
    status = sqlite3_column_text(q, 5);
    p->approved = status && strcmp((const char *)status, "approved") == 0;
    if ((st = col_text(q, 1, p->name, sizeof p->name)) != BV_OK
        || (st = col_blob_exact(q, 2, p->box_pk, 32)) != BV_OK
        || (st = col_blob_exact(q, 3, p->sign_pk, 32)) != BV_OK
        || (st = col_blob(q, 4, p->secret, sizeof p->secret, &p->secret_len)) != BV_OK
        || (st = col_text(q, 6, p->cert_by, sizeof p->cert_by)) != BV_OK
        || (st = col_blob(q, 7, p->cert_sig, sizeof p->cert_sig, &p->cert_sig_len)) != BV_OK
        || (st = col_text(q, 8, p->created, sizeof p->created)) != BV_OK)
        return st;
    return BV_OK;
}

bv_status
bv_store_person_get(bv_store *s, const char *name, bv_person_row *p)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT " PERSON_COLS " FROM persons WHERE name = ?", &q)) != BV_OK)
        return st;
    bind_text(q, 1, name);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = person_row(q, p);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND; /* callers word it: unknown --as is 3, unknown member 6 */
    else
        st = sqlerr(s, rc, "reading a member");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_person_add(bv_store *s, const bv_person_row *p)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT INTO persons(name, box_pk, sign_pk, secret, status, cert_by, "
             "cert_sig, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    bind_text(q, 1, p->name);
    bind_blob(q, 2, p->box_pk, 32);
    bind_blob(q, 3, p->sign_pk, 32);
    bind_blob(q, 4, p->secret, p->secret_len);
    bind_text(q, 5, p->approved ? "approved" : "pending");
    if (p->approved) {
        bind_text(q, 6, p->cert_by);
        bind_blob(q, 7, p->cert_sig, p->cert_sig_len);
    }
    bind_text(q, 8, p->created);
    return done(s, q, "adding a member");
}

bv_status
bv_store_person_certify(
    bv_store *s, const char *name, const char *by, const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "UPDATE persons SET status = 'approved', cert_by = ?, cert_sig = ? "
             "WHERE name = ?",
             &q))
        != BV_OK)
        return st;
    bind_text(q, 1, by);
    bind_blob(q, 2, sig, siglen);
    bind_text(q, 3, name);
    return done(s, q, "approving a member");
}

bv_status
bv_store_person_set_secret(bv_store *s, int64_t id, const uint8_t *secret, size_t len)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "UPDATE persons SET secret = ? WHERE id = ?", &q)) != BV_OK)
        return st;
    bind_blob(q, 1, secret, len);
    sqlite3_bind_int64(q, 2, id);
    return done(s, q, "storing the re-wrapped keys");
}

bv_status
bv_store_person_each(bv_store *s, bv_status (*fn)(void *, const bv_person_row *), void *ctx)
{
    sqlite3_stmt *q;
    bv_person_row p;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT " PERSON_COLS " FROM persons ORDER BY name", &q)) != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = person_row(q, &p)) != BV_OK || (st = fn(ctx, &p)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing members");
    sqlite3_finalize(q);
    return st;
}

/* ---- boards and roles ---- */

static bv_status
board_row(sqlite3_stmt *q, bv_board_row *b)
{
    bv_status st;

    memset(b, 0, sizeof *b);
    b->id = sqlite3_column_int64(q, 0);
    b->epoch = sqlite3_column_int64(q, 2);
    if ((st = col_text(q, 1, b->name, sizeof b->name)) != BV_OK
        || (st = col_text(q, 3, b->created_by, sizeof b->created_by)) != BV_OK
        || (st = col_blob(q, 4, b->sig, sizeof b->sig, &b->sig_len)) != BV_OK
        || (st = col_text(q, 5, b->created, sizeof b->created)) != BV_OK)
        return st;
    return BV_OK;
}

bv_status
bv_store_board_get(bv_store *s, const char *name, bv_board_row *b)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(
             s, "SELECT id, name, epoch, created_by, sig, created FROM boards WHERE name = ?", &q))
        != BV_OK)
        return st;
    bind_text(q, 1, name);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = board_row(q, b);
    else if (rc == SQLITE_DONE)
        st = bv_fail(BV_ENOTFOUND, "no board named \"%s\"", name);
    else
        st = sqlerr(s, rc, "reading a board");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_board_add(bv_store *s, bv_board_row *b)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT INTO boards(name, epoch, created_by, sig, created) "
             "VALUES (?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    bind_text(q, 1, b->name);
    sqlite3_bind_int64(q, 2, b->epoch);
    bind_text(q, 3, b->created_by);
    bind_blob(q, 4, b->sig, b->sig_len);
    bind_text(q, 5, b->created);
    if ((st = done(s, q, "creating a board")) != BV_OK)
        return st;
    b->id = sqlite3_last_insert_rowid(s->db);
    return BV_OK;
}

bv_status
bv_store_board_each(bv_store *s, bv_status (*fn)(void *, const bv_board_row *), void *ctx)
{
    sqlite3_stmt *q;
    bv_board_row b;
    bv_status st;
    int rc;

    if ((st = prep(
             s, "SELECT id, name, epoch, created_by, sig, created FROM boards ORDER BY name", &q))
        != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = board_row(q, &b)) != BV_OK || (st = fn(ctx, &b)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing boards");
    sqlite3_finalize(q);
    return st;
}

#define ROLE_SELECT                                                                                \
    "SELECT r.board_id, r.person_id, p.name, r.role, r.added_by, r.sig FROM roles r "              \
    "JOIN persons p ON p.id = r.person_id "

static bv_status
role_row(sqlite3_stmt *q, bv_role_row *r)
{
    bv_status st;

    memset(r, 0, sizeof *r);
    r->board_id = sqlite3_column_int64(q, 0);
    r->person_id = sqlite3_column_int64(q, 1);
    if ((st = col_text(q, 2, r->person, sizeof r->person)) != BV_OK
        || (st = col_text(q, 3, r->role, sizeof r->role)) != BV_OK
        || (st = col_text(q, 4, r->added_by, sizeof r->added_by)) != BV_OK
        || (st = col_blob(q, 5, r->sig, sizeof r->sig, &r->sig_len)) != BV_OK)
        return st;
    return BV_OK;
}

bv_status
bv_store_role_get(bv_store *s, int64_t board_id, int64_t person_id, bv_role_row *r)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, ROLE_SELECT "WHERE r.board_id = ? AND r.person_id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, person_id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = role_row(q, r);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND;
    else
        st = sqlerr(s, rc, "reading a board role");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_role_add(bv_store *s, const bv_role_row *r)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT OR REPLACE INTO roles(board_id, person_id, role, added_by, sig) "
             "VALUES (?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, r->board_id);
    sqlite3_bind_int64(q, 2, r->person_id);
    bind_text(q, 3, r->role);
    bind_text(q, 4, r->added_by);
    bind_blob(q, 5, r->sig, r->sig_len);
    return done(s, q, "adding a board role");
}

static bv_status
role_each(bv_store *s, const char *where, int64_t id, bv_status (*fn)(void *, const bv_role_row *),
    void *ctx)
{
    char sql[512];
    sqlite3_stmt *q;
    bv_role_row r;
    bv_status st;
    int rc;

    snprintf(sql, sizeof sql, ROLE_SELECT "WHERE %s = ? ORDER BY r.board_id, p.name", where);
    if ((st = prep(s, sql, &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = role_row(q, &r)) != BV_OK || (st = fn(ctx, &r)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing board roles");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_role_each(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    return role_each(s, "r.board_id", board_id, fn, ctx);
}

bv_status
bv_store_role_each_person(
    bv_store *s, int64_t person_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    return role_each(s, "r.person_id", person_id, fn, ctx);
}

/* ---- wrapped keys: board keys and grants share the row shape ---- */

static bv_status
key_row(sqlite3_stmt *q, bv_keyrow *k)
{
    bv_status st;

    memset(k, 0, sizeof *k);
    k->person_id = sqlite3_column_int64(q, 0);
    if ((st = col_text(q, 1, k->person, sizeof k->person)) != BV_OK
        || (st = col_blob(q, 2, k->sealed, sizeof k->sealed, &k->sealed_len)) != BV_OK
        || (st = col_text(q, 3, k->by, sizeof k->by)) != BV_OK
        || (st = col_blob(q, 4, k->sig, sizeof k->sig, &k->sig_len)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
key_get(bv_store *s, sqlite3_stmt *q, bv_keyrow *k, const char *what)
{
    bv_status st;
    int rc = sqlite3_step(q);

    if (rc == SQLITE_ROW)
        st = key_row(q, k);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND;
    else
        st = sqlerr(s, rc, what);
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_board_key_get(
    bv_store *s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "SELECT k.person_id, p.name, k.sealed, k.wrapped_by, k.sig FROM board_keys k "
             "JOIN persons p ON p.id = k.person_id "
             "WHERE k.board_id = ? AND k.epoch = ? AND k.person_id = ?",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    sqlite3_bind_int64(q, 3, person_id);
    return key_get(s, q, k, "reading a board key");
}

bv_status
bv_store_board_key_add(bv_store *s, int64_t board_id, int64_t epoch, const bv_keyrow *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT OR REPLACE INTO board_keys(board_id, epoch, person_id, sealed, "
             "wrapped_by, sig) VALUES (?, ?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    sqlite3_bind_int64(q, 3, k->person_id);
    bind_blob(q, 4, k->sealed, k->sealed_len);
    bind_text(q, 5, k->by);
    bind_blob(q, 6, k->sig, k->sig_len);
    return done(s, q, "storing a board key");
}

/* ---- items ---- */

void
bv_item_row_init(bv_item_row *it)
{
    memset(it, 0, sizeof *it);
    bv_buf_init(&it->chunk_hashes);
    bv_buf_init(&it->gs_names);
}

void
bv_item_row_free(bv_item_row *it)
{
    bv_buf_free(&it->chunk_hashes);
    bv_buf_free(&it->gs_names);
}

#define ITEM_SELECT                                                                                \
    "SELECT i.id, i.uid, i.board_id, b.name, i.title, i.size, i.nchunks, i.sealed_epoch, "         \
    "i.header, i.chunk_hashes, i.sealed_by, i.sig, i.created, "                                    \
    "g.version, g.names, g.signed_by, g.sig, i.retain_until, i.body_id FROM items i "              \
    "JOIN boards b ON b.id = i.board_id LEFT JOIN grantsets g ON g.item_id = i.id "

static bv_status
item_row(sqlite3_stmt *q, bv_item_row *it)
{
    bv_status st;
    int64_t size, nchunks;

    it->id = sqlite3_column_int64(q, 0);
    it->board_id = sqlite3_column_int64(q, 2);
    size = sqlite3_column_int64(q, 5);
    nchunks = sqlite3_column_int64(q, 6);
    if (size < 0 || nchunks < 1)
        return bv_fail(BV_EINTEGRITY, "item record has an impossible size");
    it->size = (uint64_t)size;
    it->nchunks = (uint64_t)nchunks;
    it->sealed_epoch = sqlite3_column_int64(q, 7);
    it->gs_version = sqlite3_column_int64(q, 13);
    it->body_id = sqlite3_column_int64(q, 18);
    if ((st = col_text(q, 1, it->uid, sizeof it->uid)) != BV_OK
        || (st = col_text(q, 3, it->board, sizeof it->board)) != BV_OK
        || (st = col_text(q, 4, it->title, sizeof it->title)) != BV_OK
        || (st = col_blob(q, 8, it->header, sizeof it->header, &it->header_len)) != BV_OK
        || (st = col_buf(q, 9, &it->chunk_hashes)) != BV_OK
        || (st = col_text(q, 10, it->sealed_by, sizeof it->sealed_by)) != BV_OK
        || (st = col_blob(q, 11, it->sig, sizeof it->sig, &it->sig_len)) != BV_OK
        || (st = col_text(q, 12, it->created, sizeof it->created)) != BV_OK
        || (st = col_buf(q, 14, &it->gs_names)) != BV_OK
        || (st = col_text(q, 15, it->gs_by, sizeof it->gs_by)) != BV_OK
        || (st = col_blob(q, 16, it->gs_sig, sizeof it->gs_sig, &it->gs_sig_len)) != BV_OK
        || (st = col_text(q, 17, it->retain_until, sizeof it->retain_until)) != BV_OK)
        return st;
    return BV_OK;
}

bv_status
bv_store_item_get(bv_store *s, const char *uid, bv_item_row *it)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, ITEM_SELECT "WHERE i.uid = ?", &q)) != BV_OK)
        return st;
    bind_text(q, 1, uid);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = item_row(q, it);
    else if (rc == SQLITE_DONE)
        st = bv_fail(BV_ENOTFOUND, "no item with id %s", uid);
    else
        st = sqlerr(s, rc, "reading an item");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_item_add(bv_store *s, bv_item_row *it)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT INTO items(uid, body_id, board_id, title, size, nchunks, sealed_epoch, "
             "header, chunk_hashes, sealed_by, sig, created, retain_until) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    bind_text(q, 1, it->uid);
    sqlite3_bind_int64(q, 2, it->body_id);
    sqlite3_bind_int64(q, 3, it->board_id);
    bind_text(q, 4, it->title);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)it->size);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)it->nchunks);
    sqlite3_bind_int64(q, 7, it->sealed_epoch);
    bind_blob(q, 8, it->header, it->header_len);
    bind_blob(q, 9, it->chunk_hashes.p, it->chunk_hashes.len);
    bind_text(q, 10, it->sealed_by);
    bind_blob(q, 11, it->sig, it->sig_len);
    bind_text(q, 12, it->created);
    bind_opt(q, 13, it->retain_until[0] ? it->retain_until : NULL);
    if ((st = done(s, q, "adding an item")) != BV_OK)
        return st;
    it->id = sqlite3_last_insert_rowid(s->db);
    return BV_OK;
}

bv_status
bv_store_item_each(
    bv_store *s, const char *board, bv_status (*fn)(void *, const bv_item_row *), void *ctx)
{
    sqlite3_stmt *q;
    bv_item_row it;
    bv_status st;
    int rc;

    if ((st = prep(s, ITEM_SELECT "WHERE ?1 IS NULL OR b.name = ?1 ORDER BY b.name, i.id", &q))
        != BV_OK)
        return st;
    if (board)
        bind_text(q, 1, board);
    bv_item_row_init(&it);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = item_row(q, &it)) != BV_OK || (st = fn(ctx, &it)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing items");
    bv_item_row_free(&it);
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_item_key_get(bv_store *s, int64_t item_id, int64_t epoch, uint8_t *w, size_t *wlen)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT wrapped FROM item_keys WHERE item_id = ? AND epoch = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, epoch);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = col_blob(q, 0, w, BV_BLOB_MAX, wlen);
    else if (rc == SQLITE_DONE)
        st = BV_ENOTFOUND;
    else
        st = sqlerr(s, rc, "reading an item key");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_item_key_set(bv_store *s, int64_t item_id, int64_t epoch, const uint8_t *w, size_t wlen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(
             s, "INSERT OR REPLACE INTO item_keys(item_id, epoch, wrapped) VALUES (?, ?, ?)", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, epoch);
    bind_blob(q, 3, w, wlen);
    return done(s, q, "storing an item key");
}

/* ---- bodies: see the comment on the bodies table ---- */

bv_status
bv_store_body_new(bv_store *s, int staging, int64_t *id)
{
    sqlite3_stmt *q;
    bv_status st;
    char now[21];

    bv_utc_now(now);
    if ((st = prep(s, "INSERT INTO bodies(state, touched) VALUES (?, ?)", &q)) != BV_OK)
        return st;
    bind_text(q, 1, staging ? "staging" : "live");
    bind_text(q, 2, now);
    if ((st = done(s, q, "starting a body")) != BV_OK)
        return st;
    *id = sqlite3_last_insert_rowid(s->db);
    return BV_OK;
}

/* One UPDATE of a body's state that must find the body in state `from`. */
static bv_status
body_move(bv_store *s, int64_t id, const char *from, const char *to, const char *what)
{
    sqlite3_stmt *q;
    bv_status st;
    char now[21];

    bv_utc_now(now);
    if ((st = prep(s, "UPDATE bodies SET state = ?, touched = ? WHERE id = ? AND state = ?", &q))
        != BV_OK)
        return st;
    bind_text(q, 1, to);
    bind_text(q, 2, now);
    sqlite3_bind_int64(q, 3, id);
    bind_text(q, 4, from);
    if ((st = done(s, q, what)) != BV_OK)
        return st;
    if (sqlite3_changes(s->db) != 1)
        return bv_fail(BV_ERR,
            "the body being written was removed as abandoned (no progress for %d s); "
            "nothing was sealed: try again",
            BV_STAGE_STALE_S);
    return BV_OK;
}

bv_status
bv_store_body_touch(bv_store *s, int64_t id)
{
    return body_move(s, id, "staging", "staging", "writing the body");
}

bv_status
bv_store_body_adopt(bv_store *s, int64_t id)
{
    return body_move(s, id, "staging", "live", "storing the body");
}

bv_status
bv_store_body_condemn(bv_store *s, int64_t id)
{
    sqlite3_stmt *q;
    bv_status st;
    char now[21];

    bv_utc_now(now);
    if ((st = prep(s, "UPDATE bodies SET state = 'condemned', touched = ? WHERE id = ?", &q))
        != BV_OK)
        return st;
    bind_text(q, 1, now);
    sqlite3_bind_int64(q, 2, id);
    return done(s, q, "condemning a body");
}

/* The next body to sweep: condemned, or staging and stale. 0 if none. */
static bv_status
sweep_next(bv_store *s, const char *stale, int64_t *id)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    *id = 0;
    if ((st = prep(s,
             "SELECT id FROM bodies WHERE state = 'condemned' "
             "OR (state = 'staging' AND touched < ?) LIMIT 1",
             &q))
        != BV_OK)
        return st;
    bind_text(q, 1, stale);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BV_OK : sqlerr(s, rc, "finding bodies to sweep");
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
        if (bv_store_checkpoint(c->db) != BV_OK)
            bv_err_clear();
        done = want;
        pthread_mutex_lock(&c->mu);
        c->done = done;
        pthread_cond_signal(&c->caught_up);
        pthread_mutex_unlock(&c->mu);
    }
}

/* Before a batch: every CKPT_LAG batches, wait for the checkpointer. */
void
bv_store_ckpt_pace(bv_ckpt *c)
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
bv_ckpt *
bv_store_ckpt_start(bv_store *s)
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
    bv_store_autocheckpoint(s, 0);
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

void
bv_store_ckpt_kick(bv_ckpt *c)
{
    ckpt_kick(c, 0);
}

void
bv_store_ckpt_end(bv_store *s, bv_ckpt *c)
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
    bv_store_autocheckpoint(s, 1);
}

/* One batch per transaction until nothing is left to sweep. */
static bv_status
sweep_batches(bv_store *s, const char *stale, uint64_t *swept, bv_ckpt *ck)
{
    sqlite3_stmt *q = NULL;
    int64_t id;
    bv_status st;

    for (;;) {
        bv_store_ckpt_pace(ck);
        if ((st = bv_store_begin(s)) != BV_OK)
            return st;
        if ((st = sweep_next(s, stale, &id)) != BV_OK || id == 0)
            goto end;
        if ((st = prep(s,
                 "DELETE FROM chunks WHERE rowid IN (SELECT rowid FROM chunks "
                 "WHERE body_id = ?1 LIMIT ?2)",
                 &q))
            != BV_OK)
            goto end;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int(q, 2, BV_STAGE_BATCH);
        if ((st = done(s, q, "sweeping a body")) != BV_OK)
            goto end;
        if (sqlite3_changes(s->db) == 0) {
            if ((st = prep(s, "DELETE FROM bodies WHERE id = ?", &q)) != BV_OK)
                goto end;
            sqlite3_bind_int64(q, 1, id);
            if ((st = done(s, q, "sweeping a body")) != BV_OK)
                goto end;
            (*swept)++;
        }
        if ((st = bv_store_commit(s)) != BV_OK)
            return st;
        bv_store_ckpt_kick(ck);
    }
end:
    if (st == BV_OK)
        return bv_store_commit(s);
    bv_store_rollback(s);
    return st;
}

/*
 * Delete condemned bodies, and staging bodies not touched for
 * BV_STAGE_STALE_S seconds, BV_STAGE_BATCH chunks per transaction:
 * secure_delete zeroes each freed page, and a 1 GiB body deleted in one
 * transaction would put 1 GiB of zeroes through the WAL at once. Outside
 * any transaction. The batches go without an fsync of their own (as a
 * staging body's do): one lost to a power cut is simply swept again.
 */
bv_status
bv_store_body_sweep(bv_store *s, uint64_t *swept)
{
    time_t t = time(NULL) - BV_STAGE_STALE_S;
    struct tm tm;
    char stale[32];
    bv_ckpt *ck;
    int64_t id;
    bv_status st, st2;

    *swept = 0;
    /* the format of bv_utc_now, so that the strings compare as times */
    if (gmtime_r(&t, &tm) == NULL || strftime(stale, sizeof stale, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return bv_fail(BV_ERR, "cannot read the clock");
    /* nearly always nothing to do: find that out without the write lock */
    if ((st = sweep_next(s, stale, &id)) != BV_OK || id == 0)
        return st;
    if ((st = bv_store_sync_batches(s, 1)) != BV_OK)
        return st;
    ck = bv_store_ckpt_start(s);
    st = sweep_batches(s, stale, swept, ck);
    bv_store_ckpt_end(s, ck);
    if ((st2 = bv_store_sync_batches(s, 0)) != BV_OK && st == BV_OK)
        st = st2;
    return st;
}

bv_status
bv_store_chunk_put(bv_store *s, int64_t body_id, uint64_t idx, const uint8_t *p, size_t n)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "INSERT INTO chunks(body_id, idx, data) VALUES (?, ?, ?)", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, body_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)idx);
    bind_blob(q, 3, p, n);
    return done(s, q, "storing the body");
}

bv_status
bv_store_chunk_get(bv_store *s, int64_t body_id, uint64_t idx, uint8_t *p, size_t cap, size_t *n)
{
    sqlite3_stmt *q;
    sqlite3_blob *b = NULL;
    int64_t len = 0, rowid = 0;
    bv_status st;
    int rc;

    /* the row's place and length, then its bytes straight into p (see
     * bv_store_chunk_each) */
    if ((st = prep(s, "SELECT rowid, length(data) FROM chunks WHERE body_id = ? AND idx = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, body_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)idx);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        rowid = sqlite3_column_int64(q, 0);
        len = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is missing", (unsigned long long)idx);
    if (rc != SQLITE_ROW)
        return sqlerr(s, rc, "reading the body");
    if (len < 0 || (uint64_t)len > cap)
        return bv_fail(BV_EINTEGRITY, "body chunk %llu is too long", (unsigned long long)idx);
    *n = (size_t)len;
    if (len == 0)
        return BV_OK;
    rc = sqlite3_blob_open(s->db, "main", "chunks", "data", rowid, 0, &b);
    if (rc == SQLITE_OK)
        rc = sqlite3_blob_read(b, p, (int)len, 0);
    sqlite3_blob_close(b);
    return rc == SQLITE_OK ? BV_OK : sqlerr(s, rc, "reading the body");
}

/*
 * Each chunk is read with sqlite3_blob_read straight into the buffer the
 * caller hands out for it: SQLite reads overflow pages that are not in
 * the WAL directly from the file into that buffer, where a column value
 * would be assembled in a buffer of its own and then copied again.
 */
bv_status
bv_store_chunk_each(bv_store *s, int64_t body_id, bv_chunk_fn want, bv_chunk_done_fn got, void *ctx)
{
    sqlite3_stmt *q;
    sqlite3_blob *b = NULL;
    uint8_t *dst;
    int64_t idx, n;
    bv_status st;
    int rc;

    /* length() of a blob reads no overflow page */
    if ((st = prep(
             s, "SELECT rowid, idx, length(data) FROM chunks WHERE body_id = ? ORDER BY idx", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, body_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        idx = sqlite3_column_int64(q, 1);
        n = sqlite3_column_int64(q, 2);
        if (idx < 0 || n < 0 || n > INT_MAX) {
            st = bv_fail(BV_EINTEGRITY, "body chunk has a negative index or size");
            break;
        }
        if ((st = want(ctx, (uint64_t)idx, (size_t)n, &dst)) != BV_OK)
            break;
        if (n > 0) {
            rc = b ? sqlite3_blob_reopen(b, sqlite3_column_int64(q, 0))
                   : sqlite3_blob_open(
                       s->db, "main", "chunks", "data", sqlite3_column_int64(q, 0), 0, &b);
            if (rc == SQLITE_OK)
                rc = sqlite3_blob_read(b, dst, (int)n, 0);
            if (rc != SQLITE_OK) {
                st = sqlerr(s, rc, "reading the body");
                break;
            }
        }
        if ((st = got(ctx, (uint64_t)idx, (size_t)n)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "reading the body");
    sqlite3_blob_close(b);
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_grantset_set(bv_store *s, int64_t item_id, int64_t version, const uint8_t *names,
    size_t nlen, const char *by, const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT OR REPLACE INTO grantsets(item_id, version, names, signed_by, sig) "
             "VALUES (?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, version);
    bind_blob(q, 3, names, nlen);
    bind_text(q, 4, by);
    bind_blob(q, 5, sig, siglen);
    return done(s, q, "storing the grant set");
}

bv_status
bv_store_grant_get(bv_store *s, int64_t item_id, int64_t person_id, bv_keyrow *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "SELECT g.person_id, p.name, g.sealed, g.granted_by, g.sig FROM grants g "
             "JOIN persons p ON p.id = g.person_id WHERE g.item_id = ? AND g.person_id = ?",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, person_id);
    return key_get(s, q, k, "reading a grant");
}

bv_status
bv_store_grant_put(bv_store *s, int64_t item_id, const bv_keyrow *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT OR REPLACE INTO grants(item_id, person_id, sealed, granted_by, sig) "
             "VALUES (?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, k->person_id);
    bind_blob(q, 3, k->sealed, k->sealed_len);
    bind_text(q, 4, k->by);
    bind_blob(q, 5, k->sig, k->sig_len);
    return done(s, q, "storing a grant");
}

bv_status
bv_store_grant_delete(bv_store *s, int64_t item_id, int64_t person_id)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "DELETE FROM grants WHERE item_id = ? AND person_id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, person_id);
    return done(s, q, "revoking a grant");
}

bv_status
bv_store_grant_each(
    bv_store *s, int64_t item_id, bv_status (*fn)(void *, const bv_keyrow *), void *ctx)
{
    sqlite3_stmt *q;
    bv_keyrow k;
    bv_status st;
    int rc;

    if ((st = prep(s,
             "SELECT g.person_id, p.name, g.sealed, g.granted_by, g.sig FROM grants g "
             "JOIN persons p ON p.id = g.person_id WHERE g.item_id = ? ORDER BY p.name",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = key_row(q, &k)) != BV_OK || (st = fn(ctx, &k)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing grants");
    sqlite3_finalize(q);
    return st;
}

/* ---- audit ---- */

bv_status
bv_store_audit_state(bv_store *s, bv_buf *frontier)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT frontier FROM audit_state WHERE id = 1", &q)) != BV_OK)
        return st;
    rc = sqlite3_step(q);
    frontier->len = 0;
    if (rc == SQLITE_ROW)
        st = col_buf(q, 0, frontier);
    else if (rc != SQLITE_DONE)
        st = sqlerr(s, rc, "reading the audit state");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_audit_append(bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen)
{
    static const char *ins = "INSERT INTO audit(seq, time, actor, actor_fp, action, board, item, "
                             "meeting, agenda, outcome, reason, leaf, leaf_hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, ins, &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, e->seq);
    bind_text(q, 2, e->time);
    bind_text(q, 3, e->actor);
    bind_text(q, 4, e->actor_fp);
    bind_text(q, 5, e->action);
    bind_text(q, 6, e->board);
    bind_text(q, 7, e->item);
    bind_text(q, 8, e->meeting);
    bind_text(q, 9, e->agenda);
    bind_text(q, 10, e->outcome);
    bind_text(q, 11, e->reason);
    bind_blob(q, 12, e->leaf, e->leaf_len);
    bind_blob(q, 13, e->leaf_hash, 32);
    if ((st = done(s, q, "recording the audit entry")) != BV_OK)
        return st;
    if ((st = prep(s, "INSERT OR REPLACE INTO audit_state(id, frontier) VALUES (1, ?)", &q))
        != BV_OK)
        return st;
    bind_blob(q, 1, frontier, flen);
    return done(s, q, "recording the audit entry");
}

static const char *
col_str(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

bv_status
bv_store_audit_each(
    bv_store *s, const bv_audit_filter *f, bv_status (*fn)(void *, const bv_audit_row *), void *ctx)
{
    static const bv_audit_filter none;
    /* Only the filters given go into the query, and only the most
     * selective one may use its index (item, then actor, board, action):
     * the others are written "+col" so the planner cannot pick a worse
     * index, which on a million entries is the difference between a few
     * milliseconds and a full scan. */
    const char *cols[] = { "item", "actor", "board", "action", "outcome" };
    const char *vals[5], *bind[8];
    sqlite3_stmt *q;
    bv_audit_row e;
    bv_buf sql;
    bv_status st;
    int rc, nb = 0, indexed = 0;
    size_t i;

    if (f == NULL)
        f = &none;
    vals[0] = f->item;
    vals[1] = f->actor;
    vals[2] = f->board;
    vals[3] = f->action;
    vals[4] = f->outcome;
    bv_buf_init(&sql);
    bv_buf_puts(&sql,
        "SELECT seq, time, actor, actor_fp, action, board, item, meeting, agenda, "
        "outcome, reason, leaf, leaf_hash FROM audit WHERE 1");
    for (i = 0; i < 5; i++) {
        if (vals[i] == NULL)
            continue;
        bv_buf_printf(&sql, " AND %s%s = ?", indexed || i == 4 ? "+" : "", cols[i]);
        indexed = 1;
        bind[nb++] = vals[i];
    }
    if (f->since) {
        bv_buf_puts(&sql, " AND +time >= ?");
        bind[nb++] = f->since;
    }
    if (f->until) {
        bv_buf_puts(&sql, " AND +time <= ?");
        bind[nb++] = f->until;
    }
    bv_buf_puts(&sql, " ORDER BY seq");
    if (sql.oom)
        return bv_fail(BV_ERR, "out of memory");
    st = prep(s, (const char *)sql.p, &q);
    bv_buf_free(&sql);
    if (st != BV_OK)
        return st;
    for (i = 0; i < (size_t)nb; i++)
        bind_text(q, (int)i + 1, bind[i]);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        e.seq = sqlite3_column_int64(q, 0);
        e.time = col_str(q, 1);
        e.actor = col_str(q, 2);
        e.actor_fp = col_str(q, 3);
        e.action = col_str(q, 4);
        e.board = col_str(q, 5);
        e.item = col_str(q, 6);
        e.meeting = col_str(q, 7);
        e.agenda = col_str(q, 8);
        e.outcome = col_str(q, 9);
        e.reason = col_str(q, 10);
        e.leaf = sqlite3_column_blob(q, 11);
        e.leaf_len = (size_t)sqlite3_column_bytes(q, 11);
        e.leaf_hash = sqlite3_column_bytes(q, 12) == 32 ? sqlite3_column_blob(q, 12) : NULL;
        if ((st = fn(ctx, &e)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "reading the audit log");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_audit_leaf_hash(bv_store *s, uint64_t index, uint8_t out[32])
{
    sqlite3_stmt *q;
    bv_status st;
    size_t n;
    int rc;

    if ((st = prep(s, "SELECT leaf_hash FROM audit WHERE seq = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)(index + 1));
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = col_blob(q, 0, out, 32, &n) == BV_OK && n == 32
            ? BV_OK
            : bv_fail(BV_EINTEGRITY, "audit entry %llu has a bad leaf hash",
                (unsigned long long)index + 1);
    else if (rc == SQLITE_DONE)
        st = bv_fail(BV_ENOTFOUND, "no audit entry %llu", (unsigned long long)index + 1);
    else
        st = sqlerr(s, rc, "reading the audit log");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_audit_count(bv_store *s, uint64_t *n)
{
    int64_t v = 0;
    bv_status st = pragma_int(s, "SELECT count(*) FROM audit", &v);

    *n = (uint64_t)v;
    return st;
}

bv_status
bv_store_audit_item_summary(bv_store *s, const char *item,
    bv_status (*fn)(void *, const char *, const char *, int64_t, const char *, const char *),
    void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s,
             "SELECT actor, outcome, count(*), min(time), max(time) FROM audit "
             "WHERE item = ? AND action = 'open' GROUP BY actor, outcome "
             "ORDER BY outcome DESC, actor",
             &q))
        != BV_OK)
        return st;
    bind_text(q, 1, item);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = fn(ctx, col_str(q, 0), col_str(q, 1), sqlite3_column_int64(q, 2), col_str(q, 3),
                 col_str(q, 4)))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "summarising the audit log");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_checkpoint_add(bv_store *s, uint64_t size, const char *by, const uint8_t *note, size_t len)
{
    sqlite3_stmt *q;
    bv_status st;
    char now[21];

    bv_utc_now(now);
    if ((st = prep(
             s, "INSERT INTO checkpoints(size, signed_by, note, created) VALUES (?, ?, ?, ?)", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)size);
    bind_text(q, 2, by);
    bind_blob(q, 3, note, len);
    bind_text(q, 4, now);
    return done(s, q, "storing the checkpoint");
}

bv_status
bv_store_checkpoint_each(
    bv_store *s, bv_status (*fn)(void *, uint64_t, const uint8_t *, size_t), void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT size, note FROM checkpoints ORDER BY id", &q)) != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t size = sqlite3_column_int64(q, 0);
        if (size < 0) {
            st = bv_fail(BV_EINTEGRITY, "stored checkpoint has a negative size");
            break;
        }
        if ((st = fn(ctx, (uint64_t)size, sqlite3_column_blob(q, 1),
                 (size_t)sqlite3_column_bytes(q, 1)))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "reading checkpoints");
    sqlite3_finalize(q);
    return st;
}

/* ---- meetings ---- */

/* Every wrapped minutes key of the board, oldest generation first. The
 * caller unwraps each for the current epoch, so a row left from another
 * epoch is refused there rather than skipped here. */
bv_status
bv_store_minutes_keys(bv_store *s, int64_t board_id, bv_minutes_key_row **rows, size_t *n)
{
    bv_minutes_key_row *v = NULL, *nv;
    sqlite3_stmt *q;
    size_t cap = 0, k = 0;
    bv_status st;
    int rc;

    *rows = NULL;
    *n = 0;
    if ((st = prep(s,
             "SELECT gen, epoch, wrapped FROM minutes_keys WHERE board_id = ? "
             "ORDER BY gen, epoch",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (k == cap) {
            cap = cap ? cap * 2 : 4;
            if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
                st = bv_fail(BV_ERR, "out of memory");
                goto out;
            }
            v = nv;
        }
        v[k].gen = sqlite3_column_int64(q, 0);
        v[k].epoch = sqlite3_column_int64(q, 1);
        if ((st = col_blob(q, 2, v[k].wrapped, sizeof v[k].wrapped, &v[k].wlen)) != BV_OK)
            goto out;
        k++;
    }
    if (rc != SQLITE_DONE) {
        st = sqlerr(s, rc, "reading the minutes keys");
        goto out;
    }
    *rows = v;
    *n = k;
    v = NULL;
out:
    free(v);
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_minutes_key_set(
    bv_store *s, int64_t board_id, int64_t gen, int64_t epoch, const uint8_t *w, size_t wlen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(
             s, "INSERT INTO minutes_keys(board_id, gen, epoch, wrapped) VALUES (?, ?, ?, ?)", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, gen);
    sqlite3_bind_int64(q, 3, epoch);
    bind_blob(q, 4, w, wlen);
    return done(s, q, "storing a minutes key");
}

bv_status
bv_store_meeting_find(
    bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32], int64_t *id)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(
             s, "SELECT id FROM meetings WHERE board_id = ? AND key_gen = ? AND doc_hash = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, gen);
    bind_blob(q, 3, hash, 32);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(q, 0);
    st = rc == SQLITE_ROW   ? BV_OK
        : rc == SQLITE_DONE ? BV_ENOTFOUND
                            : sqlerr(s, rc, "reading meetings");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_meeting_add(bv_store *s, int64_t board_id, int64_t gen, const uint8_t hash[32],
    const bv_meeting *m, const char *by, int64_t *id)
{
    sqlite3_stmt *q;
    bv_status st;
    char now[21];
    size_t i, k;

    bv_utc_now(now);
    if ((st = prep(s,
             "INSERT INTO meetings(board_id, key_gen, doc_hash, board_line, date_line, "
             "date_iso, time, venue, contact, imported_by, created) "
             "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, gen);
    bind_blob(q, 3, hash, 32);
    bind_opt(q, 4, m->board);
    bind_text(q, 5, m->date_line ? m->date_line : "");
    bind_text(q, 6, m->date_iso ? m->date_iso : "");
    bind_opt(q, 7, m->time);
    bind_opt(q, 8, m->venue);
    bind_opt(q, 9, m->contact);
    bind_text(q, 10, by);
    bind_text(q, 11, now);
    if ((st = done(s, q, "storing the meeting")) != BV_OK)
        return st;
    *id = sqlite3_last_insert_rowid(s->db);
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        if ((st = prep(s,
                 "INSERT INTO agenda(meeting_id, ordinal, number, title, duration, "
                 "restricted, restriction, para, truncated) VALUES (?,?,?,?,?,?,?,?,?)",
                 &q))
            != BV_OK)
            return st;
        sqlite3_bind_int64(q, 1, *id);
        sqlite3_bind_int(q, 2, it->ordinal);
        sqlite3_bind_int(q, 3, it->number);
        bind_text(q, 4, it->title);
        sqlite3_bind_int(q, 5, it->duration_min);
        sqlite3_bind_int(q, 6, it->restricted);
        bind_opt(q, 7, it->restriction);
        sqlite3_bind_int(q, 8, it->schedule12a_para);
        sqlite3_bind_int(q, 9, it->truncated);
        if ((st = done(s, q, "storing the agenda")) != BV_OK)
            return st;
        for (k = 0; k < it->nblocks; k++) {
            if ((st = prep(s,
                     "INSERT INTO blocks(meeting_id, ordinal, idx, kind, level, text) "
                     "VALUES (?,?,?,?,?,?)",
                     &q))
                != BV_OK)
                return st;
            sqlite3_bind_int64(q, 1, *id);
            sqlite3_bind_int(q, 2, it->ordinal);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)k);
            sqlite3_bind_int(q, 4, (int)it->blocks[k].kind);
            sqlite3_bind_int(q, 5, it->blocks[k].level);
            bind_text(q, 6, it->blocks[k].text ? it->blocks[k].text : "");
            if ((st = done(s, q, "storing the minutes")) != BV_OK)
                return st;
        }
        for (k = 0; k < it->nactions; k++) {
            if ((st = prep(s,
                     "INSERT INTO actions(meeting_id, ordinal, idx, owners, text, status) "
                     "VALUES (?,?,?,?,?,?)",
                     &q))
                != BV_OK)
                return st;
            sqlite3_bind_int64(q, 1, *id);
            sqlite3_bind_int(q, 2, it->ordinal);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)k);
            bind_opt(q, 4, it->actions[k].owners);
            bind_text(q, 5, it->actions[k].text ? it->actions[k].text : "");
            bind_opt(q, 6, it->actions[k].status);
            if ((st = done(s, q, "storing the actions")) != BV_OK)
                return st;
        }
    }
    return BV_OK;
}

bv_status
bv_store_agenda_link(bv_store *s, int64_t meeting_id, int ordinal, int64_t item_id)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "UPDATE agenda SET item_id = ? WHERE meeting_id = ? AND ordinal = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, item_id);
    sqlite3_bind_int64(q, 2, meeting_id);
    sqlite3_bind_int(q, 3, ordinal);
    return done(s, q, "linking the sealed item");
}

static char *
dup_col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

bv_status
bv_store_meeting_load(bv_store *s, int64_t id, bv_meeting_row *out)
{
    sqlite3_stmt *q = NULL;
    bv_meeting *m;
    bv_status st;
    int rc;
    size_t n, i;

    memset(out, 0, sizeof *out);
    if ((m = calloc(1, sizeof *m)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    out->m = m;
    if ((st = prep(s,
             "SELECT m.board_line, m.date_line, m.date_iso, m.time, m.venue, m.contact, "
             "b.name, m.board_id, m.imported_by, m.created FROM meetings m "
             "JOIN boards b ON b.id = m.board_id WHERE m.id = ?",
             &q))
        != BV_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        st = rc == SQLITE_DONE ? bv_fail(BV_ENOTFOUND, "no meeting %lld", (long long)id)
                               : sqlerr(s, rc, "reading a meeting");
        goto fail;
    }
    m->board = dup_col(q, 0);
    m->date_line = dup_col(q, 1);
    m->date_iso = dup_col(q, 2);
    m->time = dup_col(q, 3);
    m->venue = dup_col(q, 4);
    m->contact = dup_col(q, 5);
    out->id = id;
    snprintf(out->board, sizeof out->board, "%s", col_str(q, 6));
    out->board_id = sqlite3_column_int64(q, 7);
    snprintf(out->imported_by, sizeof out->imported_by, "%s", col_str(q, 8));
    snprintf(out->created, sizeof out->created, "%s", col_str(q, 9));
    sqlite3_finalize(q);
    q = NULL;
    if (m->board == NULL)
        m->board = strdup(out->board);
    /* agenda */
    if ((st = prep(s,
             "SELECT a.ordinal, a.number, a.title, a.duration, a.restricted, a.restriction, "
             "a.para, a.truncated, i.uid FROM agenda a LEFT JOIN items i ON i.id = a.item_id "
             "WHERE a.meeting_id = ? ORDER BY a.ordinal",
             &q))
        != BV_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        bv_agenda_item *it;
        void *p = realloc(m->items, (n + 1) * sizeof *m->items);
        char(*u)[BV_UID_LEN + 1] = realloc(out->uids, (n + 1) * sizeof *out->uids);
        if (p == NULL || u == NULL) {
            if (p)
                m->items = p;
            if (u)
                out->uids = u;
            st = bv_fail(BV_ERR, "out of memory");
            goto fail;
        }
        m->items = p;
        out->uids = u;
        it = &m->items[n];
        memset(it, 0, sizeof *it);
        it->ordinal = sqlite3_column_int(q, 0);
        it->number = sqlite3_column_int(q, 1);
        it->title = dup_col(q, 2);
        it->duration_min = sqlite3_column_int(q, 3);
        it->restricted = sqlite3_column_int(q, 4);
        it->restriction = dup_col(q, 5);
        it->schedule12a_para = sqlite3_column_int(q, 6);
        it->truncated = sqlite3_column_int(q, 7);
        snprintf(out->uids[n], BV_UID_LEN + 1, "%s", col_str(q, 8));
        m->nitems = ++n;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != SQLITE_DONE) {
        st = sqlerr(s, rc, "reading the agenda");
        goto fail;
    }
    /* blocks and actions, in order */
    for (i = 0; i < m->nitems; i++) {
        bv_agenda_item *it = &m->items[i];
        if ((st = prep(s,
                 "SELECT kind, level, text FROM blocks WHERE meeting_id = ? AND ordinal = ? "
                 "ORDER BY idx",
                 &q))
            != BV_OK)
            goto fail;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int(q, 2, it->ordinal);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            void *p = realloc(it->blocks, (it->nblocks + 1) * sizeof *it->blocks);
            int kind = sqlite3_column_int(q, 0);
            if (p == NULL) {
                st = bv_fail(BV_ERR, "out of memory");
                goto fail;
            }
            it->blocks = p;
            if (kind < BV_BLK_PARA || kind > BV_BLK_HEADING)
                kind = BV_BLK_PARA;
            it->blocks[it->nblocks].kind = (bv_blk_kind)kind;
            it->blocks[it->nblocks].level = sqlite3_column_int(q, 1);
            it->blocks[it->nblocks].text = dup_col(q, 2);
            it->nblocks++;
        }
        sqlite3_finalize(q);
        q = NULL;
        if ((st = prep(s,
                 "SELECT owners, text, status FROM actions WHERE meeting_id = ? AND "
                 "ordinal = ? ORDER BY idx",
                 &q))
            != BV_OK)
            goto fail;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int(q, 2, it->ordinal);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            void *p = realloc(it->actions, (it->nactions + 1) * sizeof *it->actions);
            if (p == NULL) {
                st = bv_fail(BV_ERR, "out of memory");
                goto fail;
            }
            it->actions = p;
            it->actions[it->nactions].owners = dup_col(q, 0);
            it->actions[it->nactions].text = dup_col(q, 1);
            it->actions[it->nactions].status = dup_col(q, 2);
            it->nactions++;
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    return BV_OK;
fail:
    sqlite3_finalize(q);
    bv_meeting_row_free(out);
    return st;
}

void
bv_meeting_row_free(bv_meeting_row *r)
{
    bv_meeting_free(r->m);
    free(r->uids);
    memset(r, 0, sizeof *r);
}

bv_status
bv_store_meeting_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, const char *, const char *, int, int), void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s,
             "SELECT m.id, b.name, m.date_iso, m.date_line, "
             "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id), "
             "(SELECT count(*) FROM agenda a WHERE a.meeting_id = m.id AND a.restricted) "
             "FROM meetings m JOIN boards b ON b.id = m.board_id "
             "WHERE ?1 IS NULL OR b.name = ?1 ORDER BY m.date_iso, m.id",
             &q))
        != BV_OK)
        return st;
    if (board)
        bind_text(q, 1, board);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = fn(ctx, sqlite3_column_int64(q, 0), col_str(q, 1), col_str(q, 2), col_str(q, 3),
                 sqlite3_column_int(q, 4), sqlite3_column_int(q, 5)))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing meetings");
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_action_each(bv_store *s, const char *board,
    bv_status (*fn)(void *, int64_t, const char *, int, int, const char *, const char *,
        const char *, const char *),
    void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s,
             "SELECT x.meeting_id, m.date_iso, a.number, a.ordinal, a.title, x.owners, "
             "x.text, x.status FROM actions x JOIN meetings m ON m.id = x.meeting_id "
             "JOIN agenda a ON a.meeting_id = x.meeting_id AND a.ordinal = x.ordinal "
             "JOIN boards b ON b.id = m.board_id WHERE ?1 IS NULL OR b.name = ?1 "
             "ORDER BY m.date_iso, x.meeting_id, x.ordinal, x.idx",
             &q))
        != BV_OK)
        return st;
    if (board)
        bind_text(q, 1, board);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *owners = sqlite3_column_text(q, 5);
        const unsigned char *status = sqlite3_column_text(q, 7);
        if ((st = fn(ctx, sqlite3_column_int64(q, 0), col_str(q, 1), sqlite3_column_int(q, 2),
                 sqlite3_column_int(q, 3), col_str(q, 4), (const char *)owners, col_str(q, 6),
                 (const char *)status))
            != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing actions");
    sqlite3_finalize(q);
    return st;
}

/* Run each statement in turn with id as its one parameter. */
static bv_status
each_with_id(bv_store *s, const char *const *sql, size_t n, int64_t id, const char *what)
{
    sqlite3_stmt *q;
    bv_status st;
    size_t i;

    for (i = 0; i < n; i++) {
        if ((st = prep(s, sql[i], &q)) != BV_OK)
            return st;
        sqlite3_bind_int64(q, 1, id);
        if ((st = done(s, q, what)) != BV_OK)
            return st;
    }
    return BV_OK;
}

/* Crypto-shred an item: wrapped keys, grants, grant set, the row; the
 * body is condemned, for bv_store_body_sweep to delete after the commit.
 * secure_delete zeroes the freed pages; bv_store_reclaim returns them. */
bv_status
bv_store_item_destroy(bv_store *s, int64_t item_id)
{
    static const char *const sql[] = {
        "UPDATE agenda SET item_id = NULL WHERE item_id = ?",
        "DELETE FROM grants WHERE item_id = ?",
        "DELETE FROM grantsets WHERE item_id = ?",
        "DELETE FROM item_keys WHERE item_id = ?",
        "UPDATE bodies SET state = 'condemned' WHERE id = (SELECT body_id FROM items WHERE id = ?)",
        "DELETE FROM items WHERE id = ?",
    };

    return each_with_id(s, sql, sizeof sql / sizeof sql[0], item_id, "destroying an item");
}

/* After a destroy has committed: give freed pages back and empty the WAL,
 * whose old frames still hold the destroyed rows. Best effort. */
void
bv_store_reclaim(bv_store *s, int vacuum)
{
    /* vacuum hands freed pages back to the file system by moving live
     * pages down: worth it after a destroy, not after a rekey, whose new
     * body would be moved again to fill the old one's place */
    if (vacuum)
        (void)sqlite3_exec(s->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
    (void)sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}

/* Items whose retention date is before `today` (YYYY-MM-DD). */
bv_status
bv_store_item_expired(bv_store *s, const char *today,
    bv_status (*fn)(void *, const char *uid, const char *board), void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s,
             "SELECT i.uid, b.name FROM items i JOIN boards b ON b.id = i.board_id "
             "WHERE i.retain_until IS NOT NULL AND i.retain_until < ? ORDER BY i.id",
             &q))
        != BV_OK)
        return st;
    bind_text(q, 1, today);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = fn(ctx, col_str(q, 0), col_str(q, 1))) != BV_OK)
            break;
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing expired items");
    sqlite3_finalize(q);
    return st;
}

/* ---- board membership changes and key rotation ---- */

bv_status
bv_store_removal_get(bv_store *s, int64_t board_id, const char *name, char by[BV_NAME_MAX + 1],
    uint8_t *sig, size_t *siglen)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT removed_by, sig FROM removals WHERE board_id = ? AND name = ?", &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    bind_text(q, 2, name);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if ((st = col_text(q, 0, by, BV_NAME_MAX + 1)) == BV_OK)
            st = col_blob(q, 1, sig, BV_BLOB_MAX, siglen);
    } else {
        st = rc == SQLITE_DONE ? BV_ENOTFOUND : sqlerr(s, rc, "reading removals");
    }
    sqlite3_finalize(q);
    return st;
}

bv_status
bv_store_removal_set(bv_store *s, int64_t board_id, const char *name, const char *by,
    const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if (by == NULL) {
        if ((st = prep(s, "DELETE FROM removals WHERE board_id = ? AND name = ?", &q)) != BV_OK)
            return st;
        sqlite3_bind_int64(q, 1, board_id);
        bind_text(q, 2, name);
        return done(s, q, "clearing a removal");
    }
    if ((st = prep(s,
             "INSERT OR REPLACE INTO removals(board_id, name, removed_by, sig) "
             "VALUES (?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    bind_text(q, 2, name);
    bind_text(q, 3, by);
    bind_blob(q, 4, sig, siglen);
    return done(s, q, "recording a removal");
}

bv_status
bv_store_role_delete(bv_store *s, int64_t board_id, int64_t person_id)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "DELETE FROM roles WHERE board_id = ? AND person_id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, person_id);
    return done(s, q, "removing a role");
}

bv_status
bv_store_board_set_epoch(bv_store *s, int64_t board_id, int64_t epoch)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "UPDATE boards SET epoch = ? WHERE id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, epoch);
    sqlite3_bind_int64(q, 2, board_id);
    return done(s, q, "advancing the board key epoch");
}

/* Destroy every key of an old epoch: the wrapped board keys and the item
 * keys and every generation of minutes key wrapped under it
 * (secure_delete zeroes their pages). */
bv_status
bv_store_epoch_drop(bv_store *s, int64_t board_id, int64_t epoch)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "DELETE FROM board_keys WHERE board_id = ? AND epoch = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    if ((st = done(s, q, "destroying old board keys")) != BV_OK)
        return st;
    if ((st = prep(s,
             "DELETE FROM item_keys WHERE epoch = ? AND item_id IN "
             "(SELECT id FROM items WHERE board_id = ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, epoch);
    sqlite3_bind_int64(q, 2, board_id);
    if ((st = done(s, q, "destroying old item keys")) != BV_OK)
        return st;
    if ((st = prep(s, "DELETE FROM minutes_keys WHERE board_id = ? AND epoch = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    sqlite3_bind_int64(q, 2, epoch);
    return done(s, q, "destroying the old minutes keys");
}

/* (id, uid) of every item of a board, for rotation and removal. */
bv_status
bv_store_board_items(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, int64_t, const char *), void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT id, uid FROM items WHERE board_id = ? ORDER BY id", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, board_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = fn(ctx, sqlite3_column_int64(q, 0), col_str(q, 1))) != BV_OK)
            break;
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "listing a board's items");
    sqlite3_finalize(q);
    return st;
}

/* A new seal signature over an unchanged item (an officer left). */
bv_status
bv_store_item_resign(
    bv_store *s, int64_t item_id, const char *by, const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "UPDATE items SET sealed_by = ?, sig = ? WHERE id = ?", &q)) != BV_OK)
        return st;
    bind_text(q, 1, by);
    bind_blob(q, 2, sig, siglen);
    sqlite3_bind_int64(q, 3, item_id);
    return done(s, q, "re-signing an item");
}

bv_status
bv_store_item_set_uid(bv_store *s, int64_t item_id, const char *uid)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "UPDATE items SET uid = ? WHERE id = ?", &q)) != BV_OK)
        return st;
    bind_text(q, 1, uid);
    sqlite3_bind_int64(q, 2, item_id);
    return done(s, q, "renaming an item");
}

bv_status
bv_store_agenda_relink(bv_store *s, int64_t from, int64_t to)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s, "UPDATE agenda SET item_id = ? WHERE item_id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, to);
    sqlite3_bind_int64(q, 2, from);
    return done(s, q, "moving an agenda link");
}

bv_status
bv_store_retired_add(bv_store *s, const char *name, const uint8_t pk[32], const char *by,
    const uint8_t *sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(
             s, "INSERT INTO retired_keys(name, sign_pk, retired_by, sig) VALUES (?,?,?,?)", &q))
        != BV_OK)
        return st;
    bind_text(q, 1, name);
    bind_blob(q, 2, pk, 32);
    bind_text(q, 3, by);
    bind_blob(q, 4, sig, siglen);
    return done(s, q, "retiring a key");
}

bv_status
bv_store_retired_each(bv_store *s,
    bv_status (*fn)(void *, const char *name, const uint8_t *pk, size_t pklen, const char *by,
        const uint8_t *sig, size_t siglen),
    void *ctx)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT name, sign_pk, retired_by, sig FROM retired_keys ORDER BY id", &q))
        != BV_OK)
        return st;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = fn(ctx, col_str(q, 0), sqlite3_column_blob(q, 1),
                 (size_t)sqlite3_column_bytes(q, 1), col_str(q, 2), sqlite3_column_blob(q, 3),
                 (size_t)sqlite3_column_bytes(q, 3)))
            != BV_OK)
            break;
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "reading retired keys");
    sqlite3_finalize(q);
    return st;
}

/* A reset person's row goes, with what hangs off it on every board. */
bv_status
bv_store_keychange_put(bv_store *s, int64_t person_id, const bv_keychange_row *k)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "INSERT OR REPLACE INTO key_changes(person_id, box_pk, sign_pk, secret, sig, "
             "requested) VALUES (?, ?, ?, ?, ?, ?)",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, person_id);
    bind_blob(q, 2, k->box_pk, 32);
    bind_blob(q, 3, k->sign_pk, 32);
    bind_blob(q, 4, k->secret, k->secret_len);
    bind_blob(q, 5, k->sig, k->sig_len);
    bind_text(q, 6, k->requested);
    return done(s, q, "storing new keys");
}

bv_status
bv_store_keychange_get(bv_store *s, int64_t person_id, bv_keychange_row *k)
{
    sqlite3_stmt *q;
    bv_status st;
    int rc;

    memset(k, 0, sizeof *k);
    if ((st = prep(s,
             "SELECT box_pk, sign_pk, secret, sig, requested FROM key_changes "
             "WHERE person_id = ?",
             &q))
        != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, person_id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (col_blob_exact(q, 0, k->box_pk, 32) != BV_OK
            || col_blob_exact(q, 1, k->sign_pk, 32) != BV_OK
            || col_blob(q, 2, k->secret, sizeof k->secret, &k->secret_len) != BV_OK
            || col_blob(q, 3, k->sig, sizeof k->sig, &k->sig_len) != BV_OK)
            st = bv_fail(BV_EINTEGRITY, "the new keys waiting for approval are damaged");
        else
            snprintf(k->requested, sizeof k->requested, "%s", col_str(q, 4));
    } else {
        st = rc == SQLITE_DONE ? BV_ENOTFOUND : sqlerr(s, rc, "reading new keys");
    }
    sqlite3_finalize(q);
    return st;
}

/* The person's keys become k's, certified by `by`; the request goes. */
bv_status
bv_store_person_rekey(bv_store *s, int64_t person_id, const bv_keychange_row *k, const char *by,
    const uint8_t *cert_sig, size_t siglen)
{
    sqlite3_stmt *q;
    bv_status st;

    if ((st = prep(s,
             "UPDATE persons SET box_pk = ?, sign_pk = ?, secret = ?, cert_by = ?, cert_sig = ? "
             "WHERE id = ?",
             &q))
        != BV_OK)
        return st;
    bind_blob(q, 1, k->box_pk, 32);
    bind_blob(q, 2, k->sign_pk, 32);
    bind_blob(q, 3, k->secret, k->secret_len);
    bind_text(q, 4, by);
    bind_blob(q, 5, cert_sig, siglen);
    sqlite3_bind_int64(q, 6, person_id);
    if ((st = done(s, q, "storing new keys")) != BV_OK)
        return st;
    if ((st = prep(s, "DELETE FROM key_changes WHERE person_id = ?", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, person_id);
    return done(s, q, "storing new keys");
}

bv_status
bv_store_person_drop(bv_store *s, int64_t person_id)
{
    static const char *const sql[] = {
        "DELETE FROM key_changes WHERE person_id = ?",
        "DELETE FROM grants WHERE person_id = ?",
        "DELETE FROM roles WHERE person_id = ?",
        "DELETE FROM board_keys WHERE person_id = ?",
        "DELETE FROM persons WHERE id = ?",
    };

    return each_with_id(s, sql, sizeof sql / sizeof sql[0], person_id, "resetting a member");
}

/* The leaves after seq `after`, for bv_audit_extend: the columns are
 * not evidence, so they are not read. */
bv_status
bv_store_audit_after(
    bv_store *s, uint64_t after, bv_status (*fn)(void *, const bv_audit_row *), void *ctx)
{
    sqlite3_stmt *q;
    bv_audit_row e;
    bv_status st;
    int rc;

    if ((st = prep(s, "SELECT seq, leaf FROM audit WHERE seq > ? ORDER BY seq", &q)) != BV_OK)
        return st;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)after);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        e.seq = sqlite3_column_int64(q, 0);
        e.leaf = sqlite3_column_blob(q, 1);
        e.leaf_len = (size_t)sqlite3_column_bytes(q, 1);
        if ((st = fn(ctx, &e)) != BV_OK)
            break;
    }
    if (st == BV_OK && rc != SQLITE_DONE)
        st = sqlerr(s, rc, "reading the audit log");
    sqlite3_finalize(q);
    return st;
}
