/*
 * store/pg/schema.c - the PostgreSQL engine's tables: the columns and
 * constraints of the SQLite schema (docs/FORMATS.md §9.2) in a schema of
 * their own, BYTEA for blobs and BIGINT for integers; the marker that
 * tells a boardvault database from others; and its format's upgrades.
 *
 * Laid out for the server-enforced record (issue 14): key material sits
 * in tables of its own (board_keys, item_keys, grants, minutes_keys,
 * key_changes, persons.secret), nothing is granted to PUBLIC, and the
 * log refuses UPDATE, DELETE and TRUNCATE by trigger, so that per-person
 * logins and SECURITY DEFINER functions can be added without moving a
 * column.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* meta's "record_sql": the version of the record's functions a vault has
 * (none: the first slice's, or none at all). Raised with any change to
 * bv_pg_record_sql (record_sql.c), so that bv_pg_migrate replaces them. */
#define RECORD_SQL_VERSION "5"

static const char schema_a[]
    = "CREATE SCHEMA " BV_PG_SCHEMA ";"
      "REVOKE ALL ON SCHEMA " BV_PG_SCHEMA " FROM PUBLIC;"
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value BYTEA NOT NULL);"
      "CREATE TABLE persons(" BV_PG_ID ", name TEXT NOT NULL UNIQUE,"
      " box_pk BYTEA NOT NULL, sign_pk BYTEA NOT NULL, secret BYTEA NOT NULL,"
      " status TEXT NOT NULL CHECK (status IN ('pending','approved')),"
      " cert_by TEXT, cert_sig BYTEA, created TEXT NOT NULL);"
      "CREATE TABLE boards(" BV_PG_ID ", name TEXT NOT NULL UNIQUE, epoch BIGINT NOT NULL,"
      " created_by TEXT NOT NULL, sig BYTEA NOT NULL, created TEXT NOT NULL);"
      "CREATE TABLE roles("
      " board_id BIGINT NOT NULL REFERENCES boards(id),"
      " person_id BIGINT NOT NULL REFERENCES persons(id),"
      " role TEXT NOT NULL CHECK (role IN ('officer','member','auditor')),"
      " added_by TEXT NOT NULL, sig BYTEA NOT NULL, PRIMARY KEY (board_id, person_id));"
      "CREATE TABLE board_keys("
      " board_id BIGINT NOT NULL REFERENCES boards(id), epoch BIGINT NOT NULL,"
      " person_id BIGINT NOT NULL REFERENCES persons(id), sealed BYTEA NOT NULL,"
      " wrapped_by TEXT NOT NULL, sig BYTEA NOT NULL, PRIMARY KEY (board_id, epoch, person_id));"
      /* bodies: see store/schema.c (staging, live, condemned) */
      "CREATE TABLE bodies(" BV_PG_ID ","
      " state TEXT NOT NULL CHECK (state IN ('staging','live','condemned')),"
      " touched TEXT NOT NULL);"
      "CREATE TABLE items(" BV_PG_ID ", uid TEXT NOT NULL UNIQUE,"
      " body_id BIGINT NOT NULL UNIQUE REFERENCES bodies(id),"
      " board_id BIGINT NOT NULL REFERENCES boards(id), title TEXT NOT NULL,"
      " size BIGINT NOT NULL, nchunks BIGINT NOT NULL, sealed_epoch BIGINT NOT NULL,"
      " header BYTEA NOT NULL, chunk_hashes BYTEA NOT NULL, sealed_by TEXT NOT NULL,"
      " sig BYTEA NOT NULL, created TEXT NOT NULL, retain_until TEXT);"
      "CREATE INDEX items_board ON items(board_id);"
      "CREATE TABLE item_keys("
      " item_id BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
      " epoch BIGINT NOT NULL, wrapped BYTEA NOT NULL, PRIMARY KEY (item_id, epoch));"
      "CREATE TABLE chunks("
      " body_id BIGINT NOT NULL REFERENCES bodies(id),"
      " idx BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (body_id, idx));"
      /* ciphertext does not compress: don't try */
      "ALTER TABLE chunks ALTER COLUMN data SET STORAGE EXTERNAL;"
      "CREATE TABLE grantsets("
      " item_id BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,"
      " version BIGINT NOT NULL, names BYTEA NOT NULL, signed_by TEXT NOT NULL,"
      " sig BYTEA NOT NULL);"
      "CREATE TABLE grants("
      " item_id BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
      " person_id BIGINT NOT NULL REFERENCES persons(id), sealed BYTEA NOT NULL,"
      " granted_by TEXT NOT NULL, sig BYTEA NOT NULL, PRIMARY KEY (item_id, person_id));";
/* Split only because C limits one string literal to 4095 bytes. */
static const char schema_b[]
    = "CREATE TABLE audit("
      " seq BIGINT PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL,"
      " actor_fp TEXT NOT NULL, action TEXT NOT NULL, board TEXT NOT NULL,"
      " item TEXT NOT NULL, meeting TEXT NOT NULL, agenda TEXT NOT NULL,"
      " outcome TEXT NOT NULL, reason TEXT NOT NULL, leaf BYTEA NOT NULL,"
      " leaf_hash BYTEA NOT NULL);"
      "CREATE INDEX audit_item ON audit(item, seq);"
      "CREATE INDEX audit_summary ON audit(item, action, actor, outcome, time);"
      "CREATE INDEX audit_board ON audit(board, seq);"
      "CREATE INDEX audit_actor ON audit(actor, seq);"
      "CREATE INDEX audit_action ON audit(action, seq);"
      "CREATE INDEX audit_time ON audit(time);"
      "CREATE TABLE audit_state(id BIGINT PRIMARY KEY CHECK (id = 1), frontier BYTEA NOT NULL);"
      "CREATE TABLE checkpoints(" BV_PG_ID ", size BIGINT NOT NULL, signed_by TEXT NOT NULL,"
      " note BYTEA NOT NULL, created TEXT NOT NULL);"
      "CREATE TABLE retired_keys(" BV_PG_ID ", name TEXT NOT NULL, sign_pk BYTEA NOT NULL,"
      " retired_by TEXT NOT NULL, sig BYTEA NOT NULL);"
      "CREATE TABLE removals("
      " board_id BIGINT NOT NULL REFERENCES boards(id), name TEXT NOT NULL,"
      " removed_by TEXT NOT NULL, sig BYTEA NOT NULL, PRIMARY KEY (board_id, name));"
      "CREATE TABLE minutes_keys("
      " board_id BIGINT NOT NULL REFERENCES boards(id), gen BIGINT NOT NULL,"
      " epoch BIGINT NOT NULL, wrapped BYTEA NOT NULL, PRIMARY KEY (board_id, gen, epoch));"
      "CREATE TABLE meetings(" BV_PG_ID ", board_id BIGINT NOT NULL REFERENCES boards(id),"
      " key_gen BIGINT NOT NULL, doc_hash BYTEA NOT NULL, board_line TEXT,"
      " date_line TEXT NOT NULL, date_iso TEXT NOT NULL, time TEXT, venue TEXT, contact TEXT,"
      " imported_by TEXT NOT NULL, created TEXT NOT NULL, UNIQUE (board_id, doc_hash));"
      "CREATE TABLE agenda("
      " meeting_id BIGINT NOT NULL REFERENCES meetings(id), ordinal BIGINT NOT NULL,"
      " number BIGINT NOT NULL, title TEXT NOT NULL, duration BIGINT NOT NULL,"
      " restricted BIGINT NOT NULL, restriction TEXT, para BIGINT NOT NULL,"
      " truncated BIGINT NOT NULL, item_id BIGINT REFERENCES items(id),"
      " PRIMARY KEY (meeting_id, ordinal));"
      "CREATE TABLE blocks("
      " meeting_id BIGINT NOT NULL, ordinal BIGINT NOT NULL, idx BIGINT NOT NULL,"
      " kind BIGINT NOT NULL, level BIGINT NOT NULL, text TEXT NOT NULL,"
      " PRIMARY KEY (meeting_id, ordinal, idx));"
      "CREATE TABLE actions("
      " meeting_id BIGINT NOT NULL, ordinal BIGINT NOT NULL, idx BIGINT NOT NULL,"
      " owners TEXT, text TEXT NOT NULL, status TEXT,"
      " PRIMARY KEY (meeting_id, ordinal, idx));"
      "CREATE TABLE key_changes("
      " person_id BIGINT PRIMARY KEY REFERENCES persons(id) ON DELETE CASCADE,"
      " box_pk BYTEA NOT NULL, sign_pk BYTEA NOT NULL, secret BYTEA NOT NULL,"
      " sig BYTEA NOT NULL, requested TEXT NOT NULL);";
/* Accidents, not attackers: the owner can drop these (THREATS.md). */
static const char schema_c[] = "CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql"
                               " SET search_path = pg_catalog AS"
                               " $$BEGIN RAISE EXCEPTION 'audit entries are append-only'"
                               " USING ERRCODE = 'integrity_constraint_violation'; END$$;"
                               "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
                               " FOR EACH ROW EXECUTE FUNCTION append_only();"
                               "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
                               " FOR EACH STATEMENT EXECUTE FUNCTION append_only();"
                               "REVOKE ALL ON ALL TABLES IN SCHEMA " BV_PG_SCHEMA " FROM PUBLIC;"
                               "REVOKE ALL ON FUNCTION append_only() FROM PUBLIC;";

/*
 * The server-enforced record (issue 14; docs/DESIGN.md "Server-enforced
 * record"). Unused until the DBA switches it on (scripts/pg-record.sql):
 * which login is which person (logins), the login that wrote each entry
 * (audit.login: its default is session_user and no client is granted the
 * column, so only the owner can forge it), refusals the server recorded
 * itself, and the two SECURITY DEFINER functions through which alone an
 * `open` gets its grant. Two steps, not one, on purpose: a grant returned
 * in the transaction that appends the entry could be read by a client
 * that then rolls the entry back, so the grant is released only against
 * an entry committed by an earlier transaction.
 */
static const char schema_d[]
    = "CREATE TABLE logins(login NAME PRIMARY KEY,"
      " person_id BIGINT NOT NULL UNIQUE REFERENCES persons(id) ON DELETE CASCADE);"
      /* NULL on entries written before the server kept it */
      "ALTER TABLE audit ADD COLUMN login NAME;"
      "ALTER TABLE audit ALTER COLUMN login SET DEFAULT session_user;"
      "CREATE TABLE refusals(" BV_PG_ID ", at TIMESTAMPTZ NOT NULL DEFAULT now(),"
      " login NAME NOT NULL DEFAULT session_user, item TEXT NOT NULL, reason TEXT NOT NULL);"
      "CREATE TRIGGER refusals_no_change BEFORE UPDATE OR DELETE ON refusals"
      " FOR EACH ROW EXECUTE FUNCTION append_only();"
      "CREATE TRIGGER refusals_no_truncate BEFORE TRUNCATE ON refusals"
      " FOR EACH STATEMENT EXECUTE FUNCTION append_only();"
      /* the person session_user is, or NULL */
      "CREATE FUNCTION caller() RETURNS BIGINT LANGUAGE sql STABLE SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS"
      " $$SELECT l.person_id FROM logins l JOIN persons p ON p.id = l.person_id"
      " WHERE l.login = session_user AND p.status = 'approved'$$;"
      /* does the leaf carry this line? (the signed text: audit verify checks the rest) */
      "CREATE FUNCTION leaf_has(leaf BYTEA, line TEXT) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE"
      " SET search_path = pg_catalog, pg_temp AS"
      " $$SELECT position(convert_to(E'\\n' || line || E'\\n', 'UTF8') IN leaf) > 0$$;";
/* A database holding a vault already is not overwritten. */
static bv_status
refuse_existing(bv_store *s)
{
    int64_t n = 0;
    bv_status st
        = bv_pg_int(s, "SELECT count(*) FROM pg_namespace WHERE nspname = '" BV_PG_SCHEMA "'", &n);

    if (st == BV_OK && n > 0)
        return bv_fail(BV_EUSAGE,
            "database %s already has a schema \"" BV_PG_SCHEMA "\"; not overwriting it",
            PQdb(bv_pgh(s)->conn));
    return st;
}

/* The record's functions, created or replaced, and their version noted. */
static bv_status
record_sql(bv_store *s, const char *what)
{
    bv_status st;
    size_t i;

    for (i = 0; bv_pg_record_sql[i] != NULL; i++)
        if ((st = bv_pg_exec(s, bv_pg_record_sql[i], what)) != BV_OK)
            return st;
    return bv_pg_meta_set(s, "record_sql", RECORD_SQL_VERSION, strlen(RECORD_SQL_VERSION));
}

bv_status
bv_pg_create_schema(bv_store *s)
{
    char fmt[16];
    bv_status st;

    if ((st = refuse_existing(s)) != BV_OK)
        return st;
    snprintf(fmt, sizeof fmt, "%d", BV_SCHEMA_VERSION);
    if ((st = bv_pg_exec(s, "BEGIN", "creating the vault")) != BV_OK)
        return st;
    if ((st = bv_pg_exec(s, schema_a, "creating the vault")) != BV_OK
        || (st = bv_pg_exec(s, schema_b, "creating the vault")) != BV_OK
        || (st = bv_pg_exec(s, schema_c, "creating the vault")) != BV_OK
        || (st = bv_pg_exec(s, schema_d, "creating the vault")) != BV_OK
        || (st = record_sql(s, "creating the vault")) != BV_OK
        || (st = bv_pg_meta_set(s, "application", BV_PG_APPLICATION, strlen(BV_PG_APPLICATION)))
            != BV_OK
        || (st = bv_pg_meta_set(s, "format", fmt, strlen(fmt))) != BV_OK) {
        bv_store_rollback(s);
        return st;
    }
    return bv_pg_commit(s);
}

/* Without our schema: an empty database wants `init`, any other is not ours. */
static bv_status
not_a_vault(bv_store *s, const char *db)
{
    int64_t n = 0;
    bv_status st = bv_pg_int(s,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm')"
        " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg_toast%'",
        &n);

    if (st != BV_OK)
        return st;
    if (n == 0)
        return bv_fail(
            BV_ENOTFOUND, "no vault in database %s (create one with `boardvault init`)", db);
    return bv_fail(BV_EINPUT, "database %s is not a boardvault vault", db);
}

struct marker {
    char app[64], format[16];
};

static bv_status
marker_cb(void *ctx, const PGresult *r, int row)
{
    struct marker *m = ctx;

    if (bv_pg_col_text(r, row, 0, m->app, sizeof m->app) != BV_OK
        || bv_pg_col_text(r, row, 1, m->format, sizeof m->format) != BV_OK)
        bv_err_clear(); /* a marker too long is no marker of ours */
    return BV_OK;
}

static bv_status record_mode(bv_store *s);

bv_status
bv_pg_check_vault(bv_store *s, const char *where)
{
    const char *db = PQdb(bv_pgh(s)->conn);
    struct marker m = { "", "" };
    int64_t present = 0;
    char *end;
    long v;
    bv_status st;

    (void)where; /* never echoed: it may hold a password */
    if ((st = bv_pg_int(s,
             "SELECT count(*) FROM pg_class c JOIN pg_namespace n"
             " ON n.oid = c.relnamespace WHERE n.nspname = '" BV_PG_SCHEMA "'"
             " AND c.relname = 'meta'",
             &present))
        != BV_OK)
        return st;
    if (present == 0)
        return not_a_vault(s, db);
    /* without USAGE the schema is not on the search path at all, and the
     * server would say "no such table": say what it is, a refusal */
    if ((st = bv_pg_int(s,
             "SELECT (has_schema_privilege('" BV_PG_SCHEMA "', 'USAGE')"
             " AND has_table_privilege('" BV_PG_SCHEMA ".meta', 'SELECT'))::int::int8",
             &present))
        != BV_OK)
        return st;
    if (present == 0)
        return bv_fail(BV_EPERM, "the vault server refused login %s the vault in database %s",
            PQuser(bv_pgh(s)->conn), db);
    if ((st = bv_pg_one(s, "reading the vault header", marker_cb, &m,
             "SELECT (SELECT value FROM meta WHERE key = 'application'),"
             " (SELECT value FROM meta WHERE key = 'format')",
             NULL))
        != BV_OK)
        return st;
    if (strcmp(m.app, BV_PG_APPLICATION) != 0)
        return bv_fail(BV_EINPUT, "database %s is not a boardvault vault", db);
    v = strtol(m.format, &end, 10);
    if (end == m.format || *end != '\0' || v < BV_SCHEMA_VERSION)
        return bv_fail(BV_EINPUT, "database %s has an unknown format version %s", db, m.format);
    if (v > BV_SCHEMA_VERSION)
        return bv_fail(BV_EINPUT, "database %s was made by a newer boardvault (format %ld)", db, v);
    bv_pgh(s)->version = v;
    return record_mode(s);
}

/* 1 when the record's functions are this version's, or this login may
 * not replace them (only the schema's owner may create in it). */
#define RECORD_SQL_DONE                                                                            \
    "SELECT (coalesce((SELECT value FROM meta WHERE key = 'record_sql'), ''::bytea)"               \
    " = convert_to('" RECORD_SQL_VERSION "', 'UTF8')"                                              \
    " OR NOT pg_has_role((SELECT nspowner FROM pg_namespace WHERE nspname = '" BV_PG_SCHEMA "'),"  \
    " 'MEMBER'))::int::int8"
/* 1 when the first slice's tables are there (schema_d is not repeatable) */
#define RECORD_TABLES                                                                              \
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"                \
    " WHERE n.nspname = '" BV_PG_SCHEMA "' AND c.relname = 'logins'"

/*
 * Format 3 is the first on PostgreSQL, so there is no format to upgrade
 * yet. A later format adds its step here: under the write lock, read the
 * format again (another client may have upgraded meanwhile), run the
 * step's SQL and set meta's format row, in one transaction.
 *
 * The server-enforced record came within format 3, in steps: a server
 * vault made before a step gets its tables and functions here, the same
 * way, when the schema's owner opens it for writing: schema_d once,
 * schema_e to schema_l (which replace their own functions and triggers)
 * whenever meta's "record_sql" is not RECORD_SQL_VERSION. Any other login leaves it as it was; it
 * works as before, without the record enforced (or, switched on, fails
 * closed until the owner has written and run scripts/pg-record.sql again).
 */
bv_status
bv_pg_migrate(bv_store *s, int64_t *from)
{
    int64_t done = 1, tables = 0;
    bv_status st;

    *from = bv_pgh(s)->version;
    if (bv_pgh(s)->readonly)
        return BV_OK;
    if ((st = bv_pg_int(s, RECORD_SQL_DONE, &done)) != BV_OK || done)
        return st;
    if ((st = bv_pg_begin(s)) != BV_OK)
        return st;
    if ((st = bv_pg_int(s, RECORD_SQL_DONE, &done)) != BV_OK
        || (!done
            && ((st = bv_pg_int(s, RECORD_TABLES, &tables)) != BV_OK
                || (tables == 0
                    && (st = bv_pg_exec(s, schema_d, "adding the server-enforced record")) != BV_OK)
                || (st = record_sql(s, "adding the server-enforced record")) != BV_OK))) {
        bv_store_rollback(s);
        return st;
    }
    return bv_pg_commit(s);
}

/* ---- meta ---- */

static bv_status
meta_cb(void *ctx, const PGresult *r, int row)
{
    return bv_pg_col_buf(r, row, 0, ctx);
}

/* meta's "record" row: "server" once the DBA has switched the
 * server-enforced record on (scripts/pg-record.sql); absent otherwise. */
static bv_status
record_mode(bv_store *s)
{
    bv_buf val;
    bv_status st;

    bv_buf_init(&val);
    st = bv_pg_one(s, "reading vault metadata", meta_cb, &val,
        "SELECT value FROM meta WHERE key = 'record'", NULL);
    if (st == BV_ENOTFOUND)
        st = BV_OK;
    else if (st == BV_OK)
        bv_pgh(s)->enforced = val.len == 6 && memcmp(val.p, "server", 6) == 0;
    bv_buf_free(&val);
    if (st != BV_OK || !bv_pgh(s)->enforced)
        return st;
    /* the owner reads and writes every table as before: what could the
     * functions withhold from whoever can replace them? */
    return bv_pg_int(s,
        "SELECT pg_has_role((SELECT nspowner FROM pg_namespace"
        " WHERE nspname = '" BV_PG_SCHEMA "'), 'MEMBER')::int::int8",
        &bv_pgh(s)->owner);
}

bv_status
bv_pg_meta_get(bv_store *s, const char *key, bv_buf *val)
{
    bv_status st = bv_pg_one(s, "reading vault metadata", meta_cb, val,
        "SELECT value FROM meta WHERE key = $1", "t", key);

    return st == BV_ENOTFOUND ? bv_fail(BV_EINTEGRITY, "the vault has no %s record", key) : st;
}

bv_status
bv_pg_meta_set(bv_store *s, const char *key, const void *val, size_t len)
{
    return bv_pg_run(s, "writing vault metadata",
        "INSERT INTO meta(key, value) VALUES ($1, $2)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        "tb", key, val, len);
}
