/*
 * store/pg/pg.c - the PostgreSQL engine behind include/bv_store.h:
 * connecting, opening a vault, transactions and runs of batches. The
 * statements live beside it, one file per group of tables, as for SQLite
 * (store/). One writer at a time, as on SQLite: a write transaction
 * first takes the vault's advisory lock, so audit sequence numbers stay
 * contiguous and a rotation cannot interleave with a seal whichever
 * machines the clients run on. Readers take no lock and read a snapshot.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_dl.h"
#include "bv_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "BVT1", as SQLite's application_id: the one advisory lock key we take. */
#define WRITE_LOCK "1112953905"
#define BUSY_MS_DEFAULT 5000
#define CONNECT_TIMEOUT_S "10"

/* Notices (NOTICE: ... already exists) are the server talking to a DBA;
 * only the CLI prints, and it has nothing to say about them. */
static void
quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

/* The first line of libpq's message, without its trailing newline. */
static void
first_line(const char *msg, char *out, size_t cap)
{
    size_t n = strcspn(msg ? msg : "", "\n");

    if (n >= cap)
        n = cap - 1;
    memcpy(out, msg ? msg : "", n);
    out[n] = '\0';
}

/*
 * A connection that failed: the server's own refusals (FATAL, with its
 * reason in English unless the server's lc_messages says otherwise) are
 * told from a server that is not there. libpq gives no SQLSTATE here.
 */
static bv_status
connect_err(PGconn *c)
{
    const char *msg = PQerrorMessage(c), *fatal = strstr(msg, "FATAL:");
    char line[512];

    first_line(msg, line, sizeof line);
    if (fatal != NULL) {
        first_line(fatal + 6 + strspn(fatal + 6, " "), line, sizeof line);
        if (strstr(fatal, "database \"") && strstr(fatal, "does not exist"))
            return bv_fail(BV_ENOTFOUND, "no vault on the server: %s", line);
        if (strstr(fatal, "authentication") || strstr(fatal, "permission denied")
            || strstr(fatal, "pg_hba.conf") || strstr(fatal, "role \""))
            return bv_fail(BV_EPERM, "the vault server refused the connection: %s", line);
    }
    return bv_fail(BV_ERR, "cannot reach the vault server: %s", line);
}

/* The session: our schema first, the busy timeout as a lock timeout, and
 * a read-only open read-only on the server too. */
static bv_status
session(PGconn *c, int readonly)
{
    const char *env = getenv("BOARDVAULT_BUSY_TIMEOUT_MS");
    char sql[256];
    long ms = BUSY_MS_DEFAULT;
    PGresult *r;
    int ok;

    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 0 && v <= 600000)
            ms = v; /* anything else keeps the default */
    }
    snprintf(sql, sizeof sql,
        "SET search_path = " BV_PG_SCHEMA "; SET lock_timeout = %ld;"
        " SET client_min_messages = warning; SET default_transaction_read_only = %s",
        ms, readonly ? "on" : "off");
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? BV_OK : connect_err(c);
}

struct bv_pq_api bv_pq;

/* libpq, opened on the first connection (bv_pg.h) */
static bv_status
load_libpq(void)
{
#define BV_PQ_SYM(f) { #f, &bv_pq.p_##f },
    const bv_dl_sym syms[] = { BV_PQ_CALLS(BV_PQ_SYM) };
#undef BV_PQ_SYM
    static int loaded;
    bv_status st;

    if (loaded)
        return BV_OK;
    st = bv_dl_load(
        "libpq.so.5", "PostgreSQL's client library", "libpq5", syms, sizeof syms / sizeof syms[0]);
    if (st == BV_OK)
        loaded = 1;
    return st;
}

bv_status
bv_pg_connect(const char *where, int readonly, PGconn **out)
{
    /* later keywords win: the user's own connect_timeout, in `where`
     * (expanded as dbname) or PGCONNECT_TIMEOUT, overrides ours */
    const char *env = getenv("PGCONNECT_TIMEOUT");
    const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
    const char *vals[] = { env && *env ? env : CONNECT_TIMEOUT_S, "boardvault", where, NULL };
    PGconn *c;
    bv_status st;

    *out = NULL;
    if ((st = load_libpq()) != BV_OK)
        return st;
    if ((c = PQconnectdbParams(keys, vals, 1)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    if (PQstatus(c) != CONNECTION_OK) {
        st = connect_err(c);
        PQfinish(c);
        return st;
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    if ((st = session(c, readonly)) != BV_OK) {
        PQfinish(c);
        return st;
    }
    *out = c;
    return BV_OK;
}

static void
pg_close(bv_store *s)
{
    if (s == NULL)
        return;
    PQfinish(bv_pgh(s)->conn);
    free(bv_pgh(s)->where);
    free(s);
}

static bv_status
pg_open(const char *where, int mode, bv_store **out)
{
    bv_pg *h;
    bv_status st;

    *out = NULL;
    if ((h = calloc(1, sizeof *h)) == NULL || (h->where = strdup(where)) == NULL) {
        free(h);
        return bv_fail(BV_ERR, "out of memory");
    }
    h->base.engine = &bv_pg_engine;
    h->readonly = mode == BV_STORE_RO;
    if ((st = bv_pg_connect(where, h->readonly, &h->conn)) != BV_OK)
        goto fail;
    if (mode == BV_STORE_CREATE)
        st = bv_pg_create_schema(&h->base);
    else
        st = bv_pg_check_vault(&h->base, where);
    if (st != BV_OK)
        goto fail;
    *out = &h->base;
    return BV_OK;
fail:
    pg_close(&h->base);
    return st;
}

/* A second connection to the same vault: a reader beside a writer. */
static bv_status
pg_open_peer(bv_store *s, int mode, bv_store **out)
{
    return pg_open(bv_pgh(s)->where, mode == BV_STORE_RO ? BV_STORE_RO : BV_STORE_RW, out);
}

bv_status
bv_pg_begin(bv_store *s)
{
    bv_status st;

    if (bv_pgh(s)->readonly)
        return bv_fail(BV_ERR, "the vault is open read-only");
    if ((st = bv_pg_exec(s, "BEGIN ISOLATION LEVEL READ COMMITTED", "starting a write")) != BV_OK)
        return st;
    /* one writer at a time, waiting up to lock_timeout (the busy timeout) */
    if ((st = bv_pg_exec(s, "SELECT pg_advisory_xact_lock(" WRITE_LOCK ")", "starting a write"))
        != BV_OK) {
        bv_pg_exec(s, "ROLLBACK", "starting a write");
        return st;
    }
    bv_pgh(s)->tx = 2;
    return BV_OK;
}

bv_status
bv_pg_begin_read(bv_store *s)
{
    bv_status st = bv_pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", "starting a read");

    if (st == BV_OK)
        bv_pgh(s)->tx = 1;
    return st;
}

static int
pg_in_tx(bv_store *s)
{
    if (PQtransactionStatus(bv_pgh(s)->conn) == PQTRANS_IDLE)
        bv_pgh(s)->tx = 0;
    return bv_pgh(s)->tx;
}

static void
pg_rollback(bv_store *s)
{
    PGTransactionStatusType t = PQtransactionStatus(bv_pgh(s)->conn);

    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        PQclear(PQexec(bv_pgh(s)->conn, "ROLLBACK"));
    bv_pgh(s)->tx = 0;
}

/* A transaction that failed on the server answers COMMIT with ROLLBACK,
 * and no error: look at what it says. */
bv_status
bv_pg_commit(bv_store *s)
{
    PGresult *r;
    bv_status st = BV_OK;

    if (PQtransactionStatus(bv_pgh(s)->conn) == PQTRANS_INERROR) {
        pg_rollback(s);
        return bv_fail(BV_ERR, "the vault server rolled the change back");
    }
    r = PQexec(bv_pgh(s)->conn, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        st = bv_pg_err(s, r, "committing");
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0)
        st = bv_fail(BV_ERR, "the vault server rolled the change back");
    PQclear(r);
    if (st != BV_OK)
        pg_rollback(s);
    bv_pgh(s)->tx = 0;
    return st;
}

/*
 * Batches are plain transactions here: each commit waits for its WAL
 * flush as any other (the server's synchronous_commit decides), and the
 * server checkpoints on its own. Nothing to keep between batches.
 */
static bv_status
pg_batches_begin(bv_store *s, void **run)
{
    (void)s;
    *run = NULL;
    return BV_OK;
}

static void
pg_batch_step(void *run)
{
    (void)run;
}

static bv_status
pg_batches_end(bv_store *s, void *run)
{
    (void)s, (void)run;
    return BV_OK;
}

/*
 * After secrets were deleted: VACUUM the tables that held wrapped keys
 * (and the bodies, with give_back), so the dead row versions leave the
 * heap's visible pages. Best effort, outside any transaction; it needs
 * the table's owner. What it cannot reach (WAL segments not yet recycled,
 * replicas, backups, free space not yet overwritten) is in THREATS.md.
 */
static void
pg_reclaim(bv_store *s, int give_back)
{
    if (bv_pgh(s)->readonly || pg_in_tx(s))
        return;
    PQclear(PQexec(bv_pgh(s)->conn,
        give_back ? "VACUUM grants, item_keys, board_keys, minutes_keys, persons, key_changes,"
                    " grantsets, items, bodies, chunks"
                  : "VACUUM grants, item_keys, board_keys, minutes_keys, persons, key_changes"));
}

/* What the vault's tables take on the server: its schema's relations,
 * indexes and TOAST included. */
bv_status
bv_pg_size(bv_store *s, uint64_t *bytes)
{
    int64_t v = 0;
    bv_status st = bv_pg_int(s,
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = '" BV_PG_SCHEMA "' AND c.relkind = 'r'",
        &v);

    *bytes = v < 0 ? 0 : (uint64_t)v;
    return st;
}

/* A server vault is backed up by the server's own tools, which know its
 * replicas, WAL archive and point-in-time recovery. */
bv_status
bv_pg_backup(bv_store *s, const char *path)
{
    (void)s, (void)path;
    return bv_fail(BV_EUSAGE,
        "a vault on PostgreSQL is backed up with the server's tools (pg_dump -n %s, or a base "
        "backup with WAL archiving), not boardvault backup",
        BV_PG_SCHEMA);
}

/* Nothing is kept beside a server vault: bodies are rows. */
bv_status
bv_pg_backup_name(bv_store *s, const char *from, const char *to, int keep)
{
    (void)s, (void)from, (void)to, (void)keep;
    return BV_OK;
}

/* Chunks are rows, committed with the transaction that writes them. */
bv_status
bv_pg_body_flush(bv_store *s, int64_t id)
{
    (void)s, (void)id;
    return BV_OK;
}

/* Chunks are rows, inside the transactions that write them. */
bv_status
bv_pg_body_outside(bv_store *s, int64_t id, int *outside)
{
    (void)s, (void)id;
    *outside = 0;
    return BV_OK;
}

/* Chunks are rows: the sweep deletes them. */
bv_status
bv_pg_body_unlink(bv_store *s, int64_t id)
{
    (void)s, (void)id;
    return BV_OK;
}

const bv_engine bv_pg_engine = { .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .open_peer = pg_open_peer,
    .batches_begin = pg_batches_begin,
    .batch_next = pg_batch_step,
    .batch_done = pg_batch_step,
    .batches_end = pg_batches_end,
    .in_tx = pg_in_tx,
    .rollback = pg_rollback,
    .reclaim = pg_reclaim,
    .sweep_next = bv_pg_sweep_next,
    .sweep_step = bv_pg_sweep_step,
    .record_enforced = bv_pg_record_enforced,
    .record_open = bv_pg_record_open,
    .grant_release = bv_pg_grant_release,
    .login_make = bv_pg_login_make,
    .login_drop = bv_pg_login_drop,
    .remove = bv_pg_remove,
#define BV_PG_CALL(name, params, args) .name = bv_pg_##name,
    BV_ENGINE_CALLS(BV_PG_CALL)
#undef BV_PG_CALL
};
