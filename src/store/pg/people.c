/*
 * store/pg/people.c - persons, their roles on boards, removals, retired
 * keys and pending key changes, on PostgreSQL (as store/people.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <stdio.h>
#include <string.h>

/* ---- persons ---- */

#define PERSON_COLS "id, name, box_pk, sign_pk, secret, status, cert_by, cert_sig, created"
/* Under the server-enforced record a login reads its own person's
 * wrapped secret only (schema.c, person_secret); the others' come back
 * empty, as they do to a pending person's unlock. */
#define PERSON_COLS_REC                                                                            \
    "id, name, box_pk, sign_pk, person_secret(id), status, cert_by, cert_sig, created"

static int
own_secret_only(bv_store *s)
{
    return bv_pgh(s)->enforced && !bv_pgh(s)->owner;
}

static bv_status
person_row(const PGresult *r, int i, bv_person_row *p)
{
    bv_status st;

    memset(p, 0, sizeof *p);
    p->id = bv_pg_col_int(r, i, 0);
    p->approved = strcmp(bv_pg_col_str(r, i, 5), "approved") == 0;
    if ((st = bv_pg_col_text(r, i, 1, p->name, sizeof p->name)) != BV_OK
        || (st = bv_pg_col_blob_exact(r, i, 2, p->box_pk, 32)) != BV_OK
        || (st = bv_pg_col_blob_exact(r, i, 3, p->sign_pk, 32)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 4, p->secret, sizeof p->secret, &p->secret_len)) != BV_OK
        || (st = bv_pg_col_text(r, i, 6, p->cert_by, sizeof p->cert_by)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 7, p->cert_sig, sizeof p->cert_sig, &p->cert_sig_len))
            != BV_OK
        || (st = bv_pg_col_text(r, i, 8, p->created, sizeof p->created)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
person_cb(void *ctx, const PGresult *r, int i)
{
    return person_row(r, i, ctx);
}

bv_status
bv_pg_person_get(bv_store *s, const char *name, bv_person_row *p)
{
    /* not found carries no message: callers word it */
    return bv_pg_one(s, "reading a member", person_cb, p,
        own_secret_only(s) ? "SELECT " PERSON_COLS_REC " FROM persons WHERE name = $1"
                           : "SELECT " PERSON_COLS " FROM persons WHERE name = $1",
        "t", name);
}

bv_status
bv_pg_person_add(bv_store *s, const bv_person_row *p)
{
    return bv_pg_run(s, "adding a member",
        "INSERT INTO persons(name, box_pk, sign_pk, secret, status, cert_by, cert_sig, created) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        "tbbbttBt", p->name, p->box_pk, (size_t)32, p->sign_pk, (size_t)32, p->secret,
        p->secret_len, p->approved ? "approved" : "pending", p->approved ? p->cert_by : NULL,
        p->approved ? (const void *)p->cert_sig : NULL, p->approved ? p->cert_sig_len : 0,
        p->created);
}

bv_status
bv_pg_person_certify(
    bv_store *s, const char *name, const char *by, const uint8_t *sig, size_t siglen)
{
    return bv_pg_run(s, "approving a member",
        "UPDATE persons SET status = 'approved', cert_by = $1, cert_sig = $2 WHERE name = $3",
        "tbt", by, sig, siglen, name);
}

bv_status
bv_pg_person_set_secret(bv_store *s, int64_t id, const uint8_t *secret, size_t len)
{
    int64_t done = 0;
    bv_status st;

    if (!own_secret_only(s))
        return bv_pg_run(s, "storing the re-wrapped keys",
            "UPDATE persons SET secret = $1 WHERE id = $2", "bi", secret, len, id);
    /* a member's login writes its own person's key record only (schema.c) */
    if ((st = bv_pg_one(s, "storing the re-wrapped keys", bv_pg_id_cb, &done,
             "SELECT coalesce(set_own_secret($1, $2), 0)", "ib", id, secret, len))
        != BV_OK)
        return st;
    return done == id ? BV_OK
                      : bv_fail(BV_EPERM, "the vault server refused storing the re-wrapped keys");
}

struct person_each {
    bv_status (*fn)(void *, const bv_person_row *);
    void *ctx;
};

static bv_status
person_each_cb(void *ctx, const PGresult *r, int i)
{
    struct person_each *e = ctx;
    bv_person_row p;
    bv_status st;

    return (st = person_row(r, i, &p)) != BV_OK ? st : e->fn(e->ctx, &p);
}

bv_status
bv_pg_person_each(bv_store *s, bv_status (*fn)(void *, const bv_person_row *), void *ctx)
{
    struct person_each e = { fn, ctx };

    /* COLLATE "C": byte order, as SQLite sorts */
    return bv_pg_each(s, "listing members", person_each_cb, &e,
        own_secret_only(s) ? "SELECT " PERSON_COLS_REC " FROM persons ORDER BY name COLLATE \"C\""
                           : "SELECT " PERSON_COLS " FROM persons ORDER BY name COLLATE \"C\"",
        NULL);
}

/* ---- roles ---- */

#define ROLE_SELECT                                                                                \
    "SELECT r.board_id, r.person_id, p.name, r.role, r.added_by, r.sig FROM roles r "              \
    "JOIN persons p ON p.id = r.person_id "

static bv_status
role_row(const PGresult *r, int i, bv_role_row *o)
{
    bv_status st;

    memset(o, 0, sizeof *o);
    o->board_id = bv_pg_col_int(r, i, 0);
    o->person_id = bv_pg_col_int(r, i, 1);
    if ((st = bv_pg_col_text(r, i, 2, o->person, sizeof o->person)) != BV_OK
        || (st = bv_pg_col_text(r, i, 3, o->role, sizeof o->role)) != BV_OK
        || (st = bv_pg_col_text(r, i, 4, o->added_by, sizeof o->added_by)) != BV_OK
        || (st = bv_pg_col_blob(r, i, 5, o->sig, sizeof o->sig, &o->sig_len)) != BV_OK)
        return st;
    return BV_OK;
}

static bv_status
role_cb(void *ctx, const PGresult *r, int i)
{
    return role_row(r, i, ctx);
}

bv_status
bv_pg_role_get(bv_store *s, int64_t board_id, int64_t person_id, bv_role_row *r)
{
    return bv_pg_one(s, "reading a board role", role_cb, r,
        ROLE_SELECT "WHERE r.board_id = $1 AND r.person_id = $2", "ii", board_id, person_id);
}

bv_status
bv_pg_role_add(bv_store *s, const bv_role_row *r)
{
    return bv_pg_run(s, "adding a board role",
        "INSERT INTO roles(board_id, person_id, role, added_by, sig) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (board_id, person_id) DO UPDATE SET role = excluded.role, "
        "added_by = excluded.added_by, sig = excluded.sig",
        "iittb", r->board_id, r->person_id, r->role, r->added_by, r->sig, r->sig_len);
}

struct role_each {
    bv_status (*fn)(void *, const bv_role_row *);
    void *ctx;
};

static bv_status
role_each_cb(void *ctx, const PGresult *r, int i)
{
    struct role_each *e = ctx;
    bv_role_row o;
    bv_status st;

    return (st = role_row(r, i, &o)) != BV_OK ? st : e->fn(e->ctx, &o);
}

bv_status
bv_pg_role_each(
    bv_store *s, int64_t board_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    struct role_each e = { fn, ctx };

    return bv_pg_each(s, "listing board roles", role_each_cb, &e,
        ROLE_SELECT "WHERE r.board_id = $1 ORDER BY r.board_id, p.name COLLATE \"C\"", "i",
        board_id);
}

bv_status
bv_pg_role_each_person(
    bv_store *s, int64_t person_id, bv_status (*fn)(void *, const bv_role_row *), void *ctx)
{
    struct role_each e = { fn, ctx };

    return bv_pg_each(s, "listing board roles", role_each_cb, &e,
        ROLE_SELECT "WHERE r.person_id = $1 ORDER BY r.board_id, p.name COLLATE \"C\"", "i",
        person_id);
}

bv_status
bv_pg_role_delete(bv_store *s, int64_t board_id, int64_t person_id)
{
    return bv_pg_run(s, "removing a role",
        "DELETE FROM roles WHERE board_id = $1 AND person_id = $2", "ii", board_id, person_id);
}

/* ---- removals and retired keys ---- */

struct removal_out {
    char *by;
    uint8_t *sig;
    size_t *siglen;
};

static bv_status
removal_cb(void *ctx, const PGresult *r, int i)
{
    struct removal_out *o = ctx;
    bv_status st;

    if ((st = bv_pg_col_text(r, i, 0, o->by, BV_NAME_MAX + 1)) != BV_OK)
        return st;
    return bv_pg_col_blob(r, i, 1, o->sig, BV_BLOB_MAX, o->siglen);
}

bv_status
bv_pg_removal_get(bv_store *s, int64_t board_id, const char *name, char by[BV_NAME_MAX + 1],
    uint8_t *sig, size_t *siglen)
{
    struct removal_out o = { by, sig, siglen };

    return bv_pg_one(s, "reading removals", removal_cb, &o,
        "SELECT removed_by, sig FROM removals WHERE board_id = $1 AND name = $2", "it", board_id,
        name);
}

bv_status
bv_pg_removal_set(bv_store *s, int64_t board_id, const char *name, const char *by,
    const uint8_t *sig, size_t siglen)
{
    if (by == NULL)
        return bv_pg_run(s, "clearing a removal",
            "DELETE FROM removals WHERE board_id = $1 AND name = $2", "it", board_id, name);
    return bv_pg_run(s, "recording a removal",
        "INSERT INTO removals(board_id, name, removed_by, sig) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (board_id, name) DO UPDATE SET removed_by = excluded.removed_by, "
        "sig = excluded.sig",
        "ittb", board_id, name, by, sig, siglen);
}

bv_status
bv_pg_retired_add(bv_store *s, const char *name, const uint8_t pk[32], const char *by,
    const uint8_t *sig, size_t siglen)
{
    return bv_pg_run(s, "retiring a key",
        "INSERT INTO retired_keys(name, sign_pk, retired_by, sig) VALUES ($1, $2, $3, $4)", "tbtb",
        name, pk, (size_t)32, by, sig, siglen);
}

struct retired_each {
    bv_status (*fn)(
        void *, const char *, const uint8_t *, size_t, const char *, const uint8_t *, size_t);
    void *ctx;
};

static bv_status
retired_each_cb(void *ctx, const PGresult *r, int i)
{
    struct retired_each *e = ctx;
    const uint8_t *pk, *sig;
    size_t pklen, siglen;

    pk = bv_pg_col_bytes(r, i, 1, &pklen);
    sig = bv_pg_col_bytes(r, i, 3, &siglen);
    return e->fn(e->ctx, bv_pg_col_str(r, i, 0), pk, pklen, bv_pg_col_str(r, i, 2), sig, siglen);
}

bv_status
bv_pg_retired_each(bv_store *s,
    bv_status (*fn)(void *, const char *name, const uint8_t *pk, size_t pklen, const char *by,
        const uint8_t *sig, size_t siglen),
    void *ctx)
{
    struct retired_each e = { fn, ctx };

    return bv_pg_each(s, "reading retired keys", retired_each_cb, &e,
        "SELECT name, sign_pk, retired_by, sig FROM retired_keys ORDER BY id", NULL);
}

/* ---- new keys a member asked for (member rekey) ---- */

bv_status
bv_pg_keychange_put(bv_store *s, int64_t person_id, const bv_keychange_row *k)
{
    int64_t done = 0;
    bv_status st;

    if (own_secret_only(s)) {
        /* a login that is not the owner's stores its own person's request
         * only, through the server (schema.c, schema_m) */
        if ((st = bv_pg_one(s, "storing new keys", bv_pg_id_cb, &done,
                 "SELECT coalesce(request_key_change($1, $2, $3, $4, $5, $6), 0)", "ibbbbt",
                 person_id, k->box_pk, (size_t)32, k->sign_pk, (size_t)32, k->secret, k->secret_len,
                 k->sig, k->sig_len, k->requested))
            != BV_OK)
            return st;
        return done == person_id
            ? BV_OK
            : bv_fail(BV_EPERM, "the vault server refused storing these new keys");
    }
    return bv_pg_run(s, "storing new keys",
        "INSERT INTO key_changes(person_id, box_pk, sign_pk, secret, sig, requested) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id) DO UPDATE SET "
        "box_pk = excluded.box_pk, sign_pk = excluded.sign_pk, secret = excluded.secret, "
        "sig = excluded.sig, requested = excluded.requested",
        "ibbbbt", person_id, k->box_pk, (size_t)32, k->sign_pk, (size_t)32, k->secret,
        k->secret_len, k->sig, k->sig_len, k->requested);
}

static bv_status
keychange_cb(void *ctx, const PGresult *r, int i)
{
    bv_keychange_row *k = ctx;

    if (bv_pg_col_blob_exact(r, i, 0, k->box_pk, 32) != BV_OK
        || bv_pg_col_blob_exact(r, i, 1, k->sign_pk, 32) != BV_OK
        || bv_pg_col_blob(r, i, 2, k->secret, sizeof k->secret, &k->secret_len) != BV_OK
        || bv_pg_col_blob(r, i, 3, k->sig, sizeof k->sig, &k->sig_len) != BV_OK
        || bv_pg_col_text(r, i, 4, k->requested, sizeof k->requested) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the new keys waiting for approval are damaged");
    }
    return BV_OK;
}

bv_status
bv_pg_keychange_get(bv_store *s, int64_t person_id, bv_keychange_row *k)
{
    memset(k, 0, sizeof *k);
    /* an officer's own login reads all but the secret, which
     * approve_key_change moves on the server (schema.c, schema_l) */
    if (bv_pg_via_record(s))
        return bv_pg_one(s, "reading new keys", keychange_cb, k,
            "SELECT box_pk, sign_pk, ''::bytea, sig, requested FROM key_changes"
            " WHERE person_id = $1",
            "i", person_id);
    return bv_pg_one(s, "reading new keys", keychange_cb, k,
        "SELECT box_pk, sign_pk, secret, sig, requested FROM key_changes WHERE person_id = $1", "i",
        person_id);
}

static bv_status
rekeyed_cb(void *ctx, const PGresult *r, int row)
{
    *(int64_t *)ctx = PQgetisnull(r, row, 0) ? 0 : bv_pg_col_int(r, row, 0);
    return BV_OK;
}

bv_status
bv_pg_person_rekey(bv_store *s, int64_t person_id, const bv_keychange_row *k, const char *by,
    const uint8_t *cert_sig, size_t siglen)
{
    int64_t id = 0;
    bv_status st;

    if (bv_pg_via_record(s)) {
        /* the keys the officer certified; the secret moves server-side */
        if ((st = bv_pg_one(s, "storing new keys", rekeyed_cb, &id,
                 "SELECT approve_key_change($1, $2, $3, $4, $5)", "ibbtb", person_id, k->box_pk,
                 (size_t)32, k->sign_pk, (size_t)32, by, cert_sig, siglen))
            != BV_OK)
            return st;
        return id == person_id
            ? BV_OK
            : bv_fail(BV_EPERM, "the vault server refused to approve these new keys");
    }
    if ((st = bv_pg_run(s, "storing new keys",
             "UPDATE persons SET box_pk = $1, sign_pk = $2, secret = $3, cert_by = $4, "
             "cert_sig = $5 WHERE id = $6",
             "bbbtbi", k->box_pk, (size_t)32, k->sign_pk, (size_t)32, k->secret, k->secret_len, by,
             cert_sig, siglen, person_id))
        != BV_OK)
        return st;
    return bv_pg_run(
        s, "storing new keys", "DELETE FROM key_changes WHERE person_id = $1", "i", person_id);
}

/* A reset person's row goes, with what hangs off it on every board. */
bv_status
bv_pg_person_drop(bv_store *s, int64_t person_id)
{
    static const char *const sql[] = {
        "DELETE FROM key_changes WHERE person_id = $1",
        "DELETE FROM grants WHERE person_id = $1",
        "DELETE FROM roles WHERE person_id = $1",
        "DELETE FROM board_keys WHERE person_id = $1",
        "DELETE FROM persons WHERE id = $1",
    };
    bv_status st = BV_OK;
    size_t i;

    for (i = 0; st == BV_OK && i < sizeof sql / sizeof sql[0]; i++)
        st = bv_pg_run(s, "resetting a member", sql[i], "i", person_id);
    return st;
}
