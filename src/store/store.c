/*
 * store/store.c - the store's front door: which engine a vault lives in,
 * told from where it is (a libpq URI or conninfo string is PostgreSQL,
 * anything else an SQLite file), and every call of include/bv_store.h
 * handed to that engine's table (include/bv_engine.h). The engines
 * themselves are store/ (SQLite) and store/pg/ (PostgreSQL).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * A connection URI (postgresql://, postgres://) or a conninfo string
 * (keyword=value pairs: "service=csp", "host=/run/postgresql dbname=csp").
 * A file name with '=' in it is taken for conninfo: name such a file
 * with a directory in front ("./a=b.db"), which has a '/' before the '='.
 */
static const bv_engine *
engine_for(const char *where)
{
    const char *eq = strchr(where, '='), *slash = strchr(where, '/');

    if (strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0)
        return &bv_pg_engine;
    if (eq != NULL && (slash == NULL || slash > eq))
        return &bv_pg_engine;
    return &bv_sqlite_engine;
}

bv_status
bv_store_open(const char *path, int mode, bv_store **out)
{
    *out = NULL;
    if (path == NULL || *path == '\0')
        return bv_fail(BV_EUSAGE, "no vault given");
    return engine_for(path)->open(path, mode, out);
}

bv_status
bv_store_remove(const char *where)
{
    if (where == NULL || *where == '\0')
        return bv_fail(BV_EUSAGE, "no vault given");
    return engine_for(where)->remove(where);
}

void
bv_store_close(bv_store *s)
{
    if (s != NULL)
        s->engine->close(s);
}

bv_status
bv_store_open_peer(bv_store *s, int mode, bv_store **out)
{
    *out = NULL;
    return s->engine->open_peer(s, mode, out);
}

/* A run of batches remembers its engine: next and done get no store. */
struct bv_batches {
    const bv_engine *engine;
    void *run;
};

bv_status
bv_store_batches_begin(bv_store *s, bv_batches **out)
{
    bv_batches *b;
    bv_status st;

    *out = NULL;
    if ((b = calloc(1, sizeof *b)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    b->engine = s->engine;
    if ((st = s->engine->batches_begin(s, &b->run)) != BV_OK) {
        free(b);
        return st;
    }
    *out = b;
    return BV_OK;
}

void
bv_store_batch_next(bv_batches *b)
{
    if (b != NULL)
        b->engine->batch_next(b->run);
}

void
bv_store_batch_done(bv_batches *b)
{
    if (b != NULL)
        b->engine->batch_done(b->run);
}

bv_status
bv_store_batches_end(bv_store *s, bv_batches *b)
{
    bv_status st;

    if (b == NULL)
        return BV_OK;
    st = s->engine->batches_end(s, b->run);
    free(b);
    return st;
}

int
bv_store_in_tx(bv_store *s)
{
    return s->engine->in_tx(s);
}

void
bv_store_rollback(bv_store *s)
{
    s->engine->rollback(s);
}

int
bv_store_record_enforced(bv_store *s)
{
    return s->engine->record_enforced != NULL && s->engine->record_enforced(s);
}

bv_status
bv_store_record_open(bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen)
{
    if (!bv_store_record_enforced(s))
        return bv_fail(BV_ERR, "this vault does not keep the record on its server");
    return s->engine->record_open(s, e, frontier, flen);
}

bv_status
bv_store_grant_release(bv_store *s, const char *item, uint64_t seq, bv_keyrow *k)
{
    if (!bv_store_record_enforced(s))
        return bv_fail(BV_ERR, "this vault does not keep the record on its server");
    return s->engine->grant_release(s, item, seq, k);
}

bv_status
bv_store_login_make(bv_store *s, const char *person, const char *login, bv_login_note *note)
{
    /* without the record, a person's login means nothing to the vault */
    if (!bv_store_record_enforced(s))
        return BV_OK;
    return s->engine->login_make(s, person, login, note);
}

bv_status
bv_store_login_drop(bv_store *s, const char *person, bv_login_note *note)
{
    if (!bv_store_record_enforced(s))
        return BV_OK;
    return s->engine->login_drop(s, person, note);
}

void
bv_store_reclaim(bv_store *s, int give_back)
{
    s->engine->reclaim(s, give_back);
}

/* One batch per transaction until nothing is left to sweep. */
static bv_status
sweep_batches(bv_store *s, const char *stale, uint64_t *swept, bv_batches *b, const bv_progress *p,
    uint64_t total)
{
    const bv_engine *e = s->engine;
    uint64_t done = 0;
    int64_t id;
    int gone;
    bv_status st;

    for (;;) {
        bv_store_batch_next(b);
        if ((st = bv_store_begin(s)) != BV_OK)
            return st;
        if ((st = e->sweep_next(s, stale, &id)) != BV_OK || id == 0)
            goto end;
        if ((st = e->sweep_step(s, id, &gone)) != BV_OK)
            goto end;
        *swept += (uint64_t)gone;
        if ((st = bv_store_commit(s)) != BV_OK)
            return st;
        done += BV_STAGE_BATCH; /* chunks, at most, that the batch deleted */
        if (total)
            bv_progress_tick(p, done < total ? done : total, total);
        bv_store_batch_done(b);
    }
end:
    if (st == BV_OK)
        return bv_store_commit(s);
    bv_store_rollback(s);
    return st;
}

/*
 * Delete condemned bodies, and staging bodies not touched for
 * BV_STAGE_STALE_S seconds, BV_STAGE_BATCH chunks per transaction, so
 * that no one transaction deletes (on SQLite: zeroes, through the WAL) a
 * whole large body. Outside any transaction; the batches are a run of
 * batches (bv_store.h): one lost to a crash is simply swept again.
 */
bv_status
bv_store_body_sweep(bv_store *s, uint64_t *swept, const bv_progress *p, uint64_t total)
{
    time_t t = time(NULL) - BV_STAGE_STALE_S;
    struct tm tm;
    char stale[32];
    bv_batches *b;
    int64_t id;
    bv_status st, st2;

    *swept = 0;
    /* the format of bv_utc_now, so that the strings compare as times */
    if (gmtime_r(&t, &tm) == NULL || strftime(stale, sizeof stale, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return bv_fail(BV_ERR, "cannot read the clock");
    /* what a writer that died left beside the bodies */
    if (s->engine->sweep_files && (st = s->engine->sweep_files(s, swept)) != BV_OK)
        return st;
    /* nearly always nothing to do: find that out without the write lock */
    if ((st = s->engine->sweep_next(s, stale, &id)) != BV_OK || id == 0)
        return st;
    if ((st = bv_store_batches_begin(s, &b)) != BV_OK)
        return st;
    st = sweep_batches(s, stale, swept, b, p, total);
    if ((st2 = bv_store_batches_end(s, b)) != BV_OK && st == BV_OK)
        st = st2;
    return st;
}

#define DISPATCH(name, params, args)                                                               \
    bv_status bv_store_##name params { return s->engine->name args; }
BV_ENGINE_CALLS(DISPATCH)
#undef DISPATCH
