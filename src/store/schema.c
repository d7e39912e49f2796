/*
 * store/schema.c - the SQLite engine's tables (docs/FORMATS.md §9.2), as
 * created for a new vault and as each older format is brought up to date.
 */
#define _GNU_SOURCE
#include "bv_sqlite.h"
#include "bv_minutes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

bv_status
bv_sqlite_create_schema(bv_store *s)
{
    char sql[128];
    bv_status st;

    /* large pages: bodies are stored as 1 MiB rows (see BV_CHUNK) */
    /* incremental auto-vacuum: a destroyed item's pages can be handed
     * back to the file system (secure_delete has zeroed them already) */
    if ((st = bv_sqlite_exec(s, "PRAGMA page_size=65536", "creating the vault")) != BV_OK
        || (st = bv_sqlite_exec(s, "PRAGMA auto_vacuum=INCREMENTAL", "creating the vault")) != BV_OK
        || (st = bv_sqlite_exec(s, "PRAGMA journal_mode=WAL", "creating the vault")) != BV_OK)
        return st;
    if ((st = bv_sqlite_exec(s, "BEGIN IMMEDIATE", "creating the vault")) != BV_OK)
        return st;
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
        BV_APPLICATION_ID, BV_SCHEMA_VERSION);
    if ((st = bv_sqlite_exec(s, sql, "creating the vault")) != BV_OK
        || (st = bv_sqlite_exec(s, schema_a, "creating the vault")) != BV_OK
        || (st = bv_sqlite_exec(s, schema_b, "creating the vault")) != BV_OK) {
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

    if ((st = bv_sqlite_exec(s, "PRAGMA foreign_keys=OFF", "upgrading the vault")) != BV_OK)
        return st;
    if ((st = bv_sqlite_exec(s, "BEGIN IMMEDIATE", "upgrading the vault")) != BV_OK)
        goto out;
    /* another process may have upgraded it meanwhile */
    if ((st = bv_sqlite_int(s, "PRAGMA user_version", &v)) != BV_OK)
        goto fail;
    for (; v < BV_SCHEMA_VERSION; v++) {
        if ((st = bv_sqlite_exec(s, migrations[v - 1], "upgrading the vault")) != BV_OK)
            goto fail;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", BV_SCHEMA_VERSION);
    if ((st = bv_sqlite_exec(s, sql, "upgrading the vault")) != BV_OK)
        goto fail;
    if (sqlite3_exec(bv_sq(s)->db, "PRAGMA foreign_key_check", fk_ok, &ok, NULL) != SQLITE_OK
        || !ok) {
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
    if (bv_sqlite_exec(s, "PRAGMA foreign_keys=ON", "upgrading the vault") != BV_OK && st == BV_OK)
        st = BV_ERR;
    return st;
}

bv_status
bv_sqlite_migrate(bv_store *s, int64_t *from)
{
    const char *path = sqlite3_db_filename(bv_sq(s)->db, "main");
    bv_store *w = NULL;
    bv_status st;

    *from = bv_sq(s)->version;
    if (bv_sq(s)->version >= BV_SCHEMA_VERSION)
        return BV_OK;
    if (!bv_sq(s)->readonly)
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
            path, (long long)bv_sq(s)->version, BV_SCHEMA_VERSION);
    }
    if (st == BV_OK)
        bv_sq(s)->version = BV_SCHEMA_VERSION;
    return st;
}
