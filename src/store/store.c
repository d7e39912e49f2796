/*
 * store/store.c - the store's front door: which engine a vault lives in,
 * told from where it is (a libpq URI or conninfo string is PostgreSQL,
 * anything else an SQLite file), and every call of include/bv_store.h
 * handed to that engine's table (include/bv_engine.h). The engines
 * themselves are store/ (SQLite) and store/pg/ (PostgreSQL).
 */
#include "bv_engine.h"

#include <stdlib.h>
#include <string.h>

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

void
bv_store_reclaim(bv_store *s, int give_back)
{
    s->engine->reclaim(s, give_back);
}

#define DISPATCH(name, params, args)                                                               \
    bv_status bv_store_##name params { return s->engine->name args; }
BV_ENGINE_CALLS(DISPATCH)
#undef DISPATCH
