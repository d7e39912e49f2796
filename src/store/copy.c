/*
 * store/copy.c - `vault copy`'s rows: one engine-neutral copier that
 * walks every table of a vault with the source engine's copy_rows and
 * writes each row with the destination's copy_insert (bv_engine.h), so a
 * vault moves file -> server, server -> file or alike with the same
 * code. Ids are kept as they are: rows refer to each other by them, and
 * the signed records name people, boards and items, never ids, so the
 * copy is the same vault. Bodies are streamed a chunk at a time (one may
 * be 1 GiB). The copier trusts nothing it moves: the domain verifies the
 * copy as a vault afterwards (vault_copy.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_engine.h"

#include <stdlib.h>
#include <string.h>

/*
 * The tables in an order that satisfies their foreign keys, with the
 * columns both engines' schemas give them (store/schema.c,
 * store/pg/schema.c). chunks are not here: they follow each live body.
 * A new table in the schema must be added here, or a copy loses it
 * (tests/e2e/copy.bats compares every table's row count).
 */
static const bv_copy_table tables[] = {
    /* application and format: the PostgreSQL engine's own markers, which
     * the destination wrote when it was created (SQLite keeps them in its
     * header); record and record_sql: the server-enforced record's switch
     * and the version of its functions, the state of one server's schema
     * (its DBA switches a copy on anew, with its own logins) */
    { "meta", "key, value", "tb", "key",
        "key NOT IN ('application', 'format', 'record', 'record_sql')", 0 },
    { "persons", "id, name, box_pk, sign_pk, secret, status, cert_by, cert_sig, created",
        "itbbbttbt", "id", NULL, 1 },
    { "boards", "id, name, epoch, created_by, sig, created", "ititbt", "id", NULL, 1 },
    { "roles", "board_id, person_id, role, added_by, sig", "iittb", "board_id, person_id", NULL,
        0 },
    { "board_keys", "board_id, epoch, person_id, sealed, wrapped_by, sig", "iiibtb",
        "board_id, epoch, person_id", NULL, 0 },
    /* staging bodies belong to seals in flight, condemned ones to items
     * gone: neither is part of the vault */
    { "bodies", "id, state, touched", "itt", "id", "state = 'live'", 1 },
    { "items",
        "id, uid, body_id, board_id, title, size, nchunks, sealed_epoch, header, chunk_hashes,"
        " sealed_by, sig, created, retain_until",
        "itiitiiibbtbtt", "id", NULL, 1 },
    { "item_keys", "item_id, epoch, wrapped", "iib", "item_id, epoch", NULL, 0 },
    { "grantsets", "item_id, version, names, signed_by, sig", "iibtb", "item_id", NULL, 0 },
    { "grants", "item_id, person_id, sealed, granted_by, sig", "iibtb", "item_id, person_id", NULL,
        0 },
    { "audit",
        "seq, time, actor, actor_fp, action, board, item, meeting, agenda, outcome, reason, leaf,"
        " leaf_hash",
        "ittttttttttbb", "seq", NULL, 0 },
    { "audit_state", "id, frontier", "ib", "id", NULL, 0 },
    { "checkpoints", "id, size, signed_by, note, created", "iitbt", "id", NULL, 1 },
    { "retired_keys", "id, name, sign_pk, retired_by, sig", "itbtb", "id", NULL, 1 },
    { "removals", "board_id, name, removed_by, sig", "ittb", "board_id, name", NULL, 0 },
    { "minutes_keys", "board_id, gen, epoch, wrapped", "iiib", "board_id, gen, epoch", NULL, 0 },
    { "meetings",
        "id, board_id, key_gen, doc_hash, board_line, date_line, date_iso, time, venue, contact,"
        " imported_by, created",
        "iiibtttttttt", "id", NULL, 1 },
    { "agenda",
        "meeting_id, ordinal, number, title, duration, restricted, restriction, para, truncated,"
        " item_id",
        "iiitiitiii", "meeting_id, ordinal", NULL, 0 },
    { "blocks", "meeting_id, ordinal, idx, kind, level, text", "iiiiit", "meeting_id, ordinal, idx",
        NULL, 0 },
    { "actions", "meeting_id, ordinal, idx, owners, text, status", "iiittt",
        "meeting_id, ordinal, idx", NULL, 0 },
    { "key_changes", "person_id, box_pk, sign_pk, secret, sig, requested", "ibbbbt", "person_id",
        NULL, 0 },
};

struct copy {
    bv_store *to;
    const bv_copy_table *t;
    uint64_t rows;
    int64_t *bodies; /* the live bodies' ids, whose chunks follow */
    size_t nbodies, cap;
    uint8_t *buf; /* one chunk */
    size_t buflen;
    int64_t body;
};

static bv_status
row_cb(void *ctx, const bv_copy_value *row)
{
    struct copy *c = ctx;
    bv_status st;

    if ((st = bv_store_copy_insert(c->to, c->t, row)) != BV_OK)
        return st;
    c->rows++;
    if (strcmp(c->t->name, "bodies") == 0) {
        if (row[0].null)
            return bv_fail(BV_EINTEGRITY, "a body without an id");
        if (c->nbodies == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 64;
            int64_t *p = realloc(c->bodies, cap * sizeof *p);
            if (p == NULL)
                return bv_fail(BV_ERR, "out of memory");
            c->bodies = p;
            c->cap = cap;
        }
        c->bodies[c->nbodies++] = row[0].i;
    }
    return BV_OK;
}

/* bv_store_chunk_each's buffer: one chunk, grown to the largest seen. */
static bv_status
chunk_want(void *ctx, uint64_t idx, size_t n, uint8_t **dst)
{
    struct copy *c = ctx;

    (void)idx;
    if (n > c->buflen) {
        uint8_t *p = realloc(c->buf, n);
        if (p == NULL)
            return bv_fail(BV_ERR, "out of memory");
        c->buf = p;
        c->buflen = n;
    }
    *dst = c->buf;
    return BV_OK;
}

static bv_status
chunk_got(void *ctx, uint64_t idx, size_t n)
{
    struct copy *c = ctx;

    c->rows++;
    return bv_store_chunk_put(c->to, c->body, idx, c->buf, n);
}

static bv_status
copy_all(bv_store *from, struct copy *c)
{
    size_t i;
    bv_status st;

    for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        c->t = &tables[i];
        if ((st = bv_store_copy_rows(from, c->t, row_cb, c)) != BV_OK
            || (st = bv_store_copy_end(c->to, c->t)) != BV_OK)
            return st;
        if (strcmp(c->t->name, "bodies") != 0)
            continue;
        /* the chunks now, before the items that name their bodies */
        for (size_t b = 0; b < c->nbodies; b++) {
            c->body = c->bodies[b];
            if ((st = bv_store_chunk_each(from, c->body, chunk_want, chunk_got, c)) != BV_OK
                || (st = bv_store_body_flush(c->to, c->body)) != BV_OK)
                return st;
        }
    }
    return BV_OK;
}

bv_status
bv_store_copy(bv_store *from, bv_store *to, uint64_t *rows)
{
    struct copy c;
    bv_status st;
    int reading = 0;

    memset(&c, 0, sizeof c);
    c.to = to;
    *rows = 0;
    /* one snapshot of the source, whoever writes it meanwhile */
    if (bv_store_in_tx(from) == 0) {
        if ((st = bv_store_begin_read(from)) != BV_OK)
            return st;
        reading = 1;
    }
    if ((st = bv_store_copy_check(to)) != BV_OK || (st = bv_store_begin(to)) != BV_OK)
        goto out;
    if ((st = copy_all(from, &c)) != BV_OK) {
        bv_store_rollback(to);
        goto out;
    }
    if ((st = bv_store_commit(to)) == BV_OK)
        *rows = c.rows;
out:
    if (reading)
        bv_store_rollback(from); /* it only read */
    free(c.bodies);
    free(c.buf);
    return st;
}
