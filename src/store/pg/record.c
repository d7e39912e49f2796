/*
 * store/pg/record.c - the server-enforced record (docs/DESIGN.md
 * "Server-enforced record"): once meta's "record" row says "server", an
 * `open` reaches its grant only through the SECURITY DEFINER functions of
 * schema.c. record_open appends the client's signed entry after checking
 * that the login is the person it names and holds a grant; release_grant
 * returns the grant only against an entry of that login committed by an
 * earlier transaction, so no rollback can take the entry back from under
 * a released grant. Every other entry of a member's login goes through
 * append_entry, which keeps the tree state the server's own.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <string.h>

int
bv_pg_record_enforced(bv_store *s)
{
    return bv_pgh(s)->enforced;
}

int
bv_pg_via_record(bv_store *s)
{
    return bv_pgh(s)->enforced && !bv_pgh(s)->owner;
}

static bv_status
seq_cb(void *ctx, const PGresult *r, int row)
{
    *(int64_t *)ctx = PQgetisnull(r, row, 0) ? 0 : bv_pg_col_int(r, row, 0);
    return BV_OK;
}

bv_status
bv_pg_record_open(bv_store *s, const bv_audit_row *e, const uint8_t *frontier, size_t flen)
{
    int64_t seq = 0;
    bv_status st;

    if (bv_pgh(s)->tx != 2)
        return bv_fail(BV_ERR, "the open entry is recorded inside a write");
    st = bv_pg_one(s, "recording the audit entry", seq_cb, &seq,
        "SELECT record_open($1, $2, $3, $4, $5, $6, $7, $8, $9)", "itttttbbb", e->seq, e->time,
        e->actor, e->actor_fp, e->board, e->item, e->leaf, e->leaf_len, e->leaf_hash, (size_t)32,
        frontier, flen);
    if (st != BV_OK)
        return st;
    /* the server kept its refusal; the caller commits it */
    if (seq != e->seq)
        return bv_fail(
            BV_EPERM, "the vault server refused to record %s's open of item %s", e->actor, e->item);
    return BV_OK;
}

/*
 * An entry of a login that is not the owner's, on an enforced vault:
 * append_entry checks it (the login is the person it names, its seq and
 * prev follow the server's own tree state, its lines match its columns)
 * and appends it with the state the server computed, so the client's
 * frontier is not taken.
 */
bv_status
bv_pg_record_append(bv_store *s, const bv_audit_row *e)
{
    int64_t seq = 0;
    bv_status st;

    st = bv_pg_one(s, "recording the audit entry", seq_cb, &seq,
        "SELECT append_entry($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        "ittttttttttbb", e->seq, e->time, e->actor, e->actor_fp, e->action, e->board, e->item,
        e->meeting, e->agenda, e->outcome, e->reason, e->leaf, e->leaf_len, e->leaf_hash,
        (size_t)32);
    if (st != BV_OK)
        return st;
    if (seq != e->seq)
        return bv_fail(BV_EPERM, "the vault server refused %s's %s entry from this login", e->actor,
            e->action);
    return BV_OK;
}

bv_status
bv_pg_grant_release(bv_store *s, const char *item, uint64_t seq, bv_keyrow *k)
{
    bv_status st;

    if (bv_pgh(s)->tx != 0)
        return bv_fail(BV_ERR, "a grant is released outside any transaction");
    /* one statement, its own transaction: the refusal it keeps commits */
    st = bv_pg_one(s, "releasing the grant", bv_pg_key_cb, k,
        "SELECT r_person, r_name, r_sealed, r_by, r_sig FROM release_grant($1, $2)", "ti", item,
        (int64_t)seq);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_EPERM, "the vault server released no grant of item %s", item);
    return st;
}

/*
 * Officers' keys (schema.c, schema_i): the board key sealed to the
 * caller's own person, only while an officer of the board, only in a
 * transaction that has written nothing (the server refuses otherwise),
 * and only against a key_releases row of this login, board and epoch
 * committed before: the first call of an epoch logs its row and returns
 * none (a row of NULLs), and is asked again, in a transaction of its own.
 * The server returns the login's own row whatever person is asked for:
 * another person's is refused here.
 */
struct board_key_out {
    bv_keyrow *k;
    int again;
};

static bv_status
board_key_cb(void *ctx, const PGresult *r, int i)
{
    struct board_key_out *o = ctx;

    o->again = PQgetisnull(r, i, 2);
    return o->again ? BV_OK : bv_pg_key_row(r, i, o->k);
}

bv_status
bv_pg_board_key_release(
    bv_store *s, int64_t board_id, int64_t epoch, int64_t person_id, bv_keyrow *k)
{
    struct board_key_out o = { k, 1 };
    bv_status st = BV_OK;
    int tries;

    memset(k, 0, sizeof *k);
    for (tries = 0; tries < 2 && st == BV_OK && o.again; tries++)
        st = bv_pg_one(s, "releasing the board key", board_key_cb, &o,
            "SELECT r_person, r_name, r_sealed, r_by, r_sig FROM release_board_key($1, $2)", "ii",
            board_id, epoch);
    if (st == BV_ENOTFOUND || (st == BV_OK && (o.again || k->person_id != person_id))) {
        memset(k, 0, sizeof *k);
        return bv_fail(BV_EPERM, "the vault server released no key of this board to this login");
    }
    return st;
}

struct released {
    uint8_t *p;
    size_t *len;
};

static bv_status
released_cb(void *ctx, const PGresult *r, int i)
{
    struct released *o = ctx;

    if (PQgetisnull(r, i, 0))
        return bv_fail(BV_EPERM, "the vault server released no item key to this login");
    return bv_pg_col_blob(r, i, 0, o->p, BV_BLOB_MAX, o->len);
}

/* An item key wrapped under the board key: to an officer of its board
 * now, logged; allowed inside the write. NULL is a refusal (kept by the
 * server if the write commits) or no key of that epoch. */
bv_status
bv_pg_item_key_release(bv_store *s, int64_t item_id, int64_t epoch, uint8_t *w, size_t *wlen)
{
    struct released o = { w, wlen };

    return bv_pg_one(s, "releasing an item key", released_cb, &o, "SELECT release_item_key($1, $2)",
        "ii", item_id, epoch);
}
