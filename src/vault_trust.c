/*
 * vault_trust.c - who is who: certificate chains to the root, roles on a
 * board (chains that end at the board's creator), removals, and the
 * board key an officer holds at the board's current epoch.
 */
#include "bv_vault_int.h"
#include "bv_audit.h"
#include "bv_body.h"
#include "bv_format.h"
#include "bv_logview.h"
#include "bv_note.h"
#include "bv_trust.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- trust ---- */

/* Load a person and check the certificate chain up to the root. */
bv_status
bv_vault_person_ok(bv_vault *v, const char *name, bv_person_row *p, int depth)
{
    bv_person_row signer;
    bv_buf m;
    bv_status st;

    if (depth > MAX_DEPTH)
        return bv_fail(BV_EINTEGRITY, "certificate chain of %s is too long", name);
    st = bv_store_person_get(v->s, name, p);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name);
    if (st != BV_OK)
        return st;
    if (!p->approved)
        return bv_fail(BV_EPERM, "%s is pending approval by an officer", name);
    bv_fmt_cert(&m, v->id, p, p->cert_by);
    if (strcmp(name, v->root) == 0) {
        /* the root certifies itself; its fingerprint is what users pin */
        st = strcmp(p->cert_by, name) == 0
            ? bv_vault_verify(p->sign_pk, &m, p->cert_sig, p->cert_sig_len)
            : BV_EINTEGRITY;
    } else if (strcmp(p->cert_by, name) == 0) {
        st = BV_EINTEGRITY; /* only the root is self-certified */
    } else if ((st = bv_vault_person_ok(v, p->cert_by, &signer, depth + 1)) == BV_OK) {
        st = bv_vault_verify(signer.sign_pk, &m, p->cert_sig, p->cert_sig_len);
        if (st == BV_OK)
            st = bv_vault_officer_anywhere(v, p->cert_by, depth + 1);
    }
    bv_buf_free(&m);
    if (st == BV_EINTEGRITY || st == BV_EPERM || st == BV_ENOTFOUND)
        return bv_fail(BV_EINTEGRITY, "the certificate of %s does not verify", name);
    return st;
}

/* Has `name` been removed from b? By a removal the log view holds, or by
 * a removal row an officer signed: a forged removal removes nobody. */
int
bv_vault_removed(bv_vault *v, const bv_board_row *b, const char *name, int depth)
{
    char by[BV_NAME_MAX + 1];
    uint8_t sig[BV_BLOB_MAX];
    size_t siglen;
    bv_person_row signer;
    bv_buf m;
    int yes = 0;

    /* the log, as this client read it, outweighs a removal row gone */
    if (v->view && bv_logview_removed(v->view, b->name, name))
        return 1;
    if (bv_store_removal_get(v->s, b->id, name, by, sig, &siglen) != BV_OK) {
        bv_err_clear();
        return 0;
    }
    if (depth <= MAX_DEPTH && strcmp(by, name) != 0
        && bv_vault_person_ok(v, by, &signer, depth + 1) == BV_OK
        && bv_vault_officer_of(v, b, by, depth + 1) == BV_OK) {
        bv_fmt_removal(&m, v->id, b->name, name, by);
        yes = bv_vault_verify(signer.sign_pk, &m, sig, siglen) == BV_OK;
        bv_buf_free(&m);
    }
    bv_err_clear();
    return yes;
}

/* Is `name` an officer of `b`? The chain of role signatures must end at
 * the board's creator, whose board record is signed. */
bv_status
bv_vault_officer_of(bv_vault *v, const bv_board_row *b, const char *name, int depth)
{
    bv_person_row p, signer;
    bv_role_row r;
    bv_buf m;
    bv_status st;

    if (depth > MAX_DEPTH)
        return bv_fail(BV_EINTEGRITY, "officer chain of board %s is too long", b->name);
    if ((st = bv_vault_person_ok(v, name, &p, depth + 1)) != BV_OK)
        return st;
    if (bv_vault_removed(v, b, name, depth + 1))
        return bv_fail(BV_EPERM, "%s was removed from board %s", name, b->name);
    if (strcmp(name, b->created_by) == 0) {
        bv_fmt_board(&m, v->id, b->name, b->created_by);
        st = bv_vault_verify(p.sign_pk, &m, b->sig, b->sig_len);
        bv_buf_free(&m);
        if (st != BV_OK)
            return bv_fail(BV_EINTEGRITY, "the record of board %s does not verify", b->name);
        return strcmp(name, v->root) == 0 ? BV_OK : bv_vault_officer_anywhere(v, name, depth + 1);
    }
    st = bv_store_role_get(v->s, b->id, p.id, &r);
    if (st == BV_ENOTFOUND || (st == BV_OK && strcmp(r.role, "officer") != 0))
        return bv_fail(BV_EPERM, "%s is not an officer of board %s", name, b->name);
    if (st != BV_OK)
        return st;
    if (strcmp(r.added_by, name) == 0)
        return bv_fail(BV_EINTEGRITY, "the role of %s on board %s does not verify", name, b->name);
    if ((st = bv_vault_person_ok(v, r.added_by, &signer, depth + 1)) != BV_OK)
        return st;
    bv_fmt_role(&m, v->id, b->name, &p, r.role, r.added_by);
    st = bv_vault_verify(signer.sign_pk, &m, r.sig, r.sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(BV_EINTEGRITY, "the role of %s on board %s does not verify", name, b->name);
    return bv_vault_officer_of(v, b, r.added_by, depth + 1);
}

bv_status
bv_vault_board_by_id_cb(void *ctx, const bv_board_row *b)
{
    struct board_by_id *f = ctx;

    if (b->id == f->id) {
        f->b = *b;
        f->found = 1;
    }
    return BV_OK;
}

struct officer_boards {
    int64_t ids[64];
    size_t n;
};

static bv_status
officer_boards_cb(void *ctx, const bv_role_row *r)
{
    struct officer_boards *o = ctx;

    if (strcmp(r->role, "officer") == 0 && o->n < 64)
        o->ids[o->n++] = r->board_id;
    return BV_OK;
}

/* Root, or the creator of a board, or a verified officer of some board. */
bv_status
bv_vault_officer_anywhere(bv_vault *v, const char *name, int depth)
{
    struct officer_boards ob = { .n = 0 };
    struct board_by_id f;
    bv_person_row p;
    bv_status st;
    size_t i;

    if (strcmp(name, v->root) == 0)
        return BV_OK;
    if (depth > MAX_DEPTH)
        return bv_fail(BV_EINTEGRITY, "officer chain of %s is too long", name);
    if ((st = bv_store_person_get(v->s, name, &p)) != BV_OK)
        return st == BV_ENOTFOUND ? bv_fail(BV_ENOTFOUND, "no member named \"%s\"", name) : st;
    if ((st = bv_store_role_each_person(v->s, p.id, officer_boards_cb, &ob)) != BV_OK)
        return st;
    for (i = 0; i < ob.n; i++) {
        memset(&f, 0, sizeof f);
        f.id = ob.ids[i];
        if ((st = bv_store_board_each(v->s, bv_vault_board_by_id_cb, &f)) != BV_OK)
            return st;
        if (f.found && bv_vault_officer_of(v, &f.b, name, depth + 1) == BV_OK) {
            bv_err_clear();
            return BV_OK;
        }
    }
    bv_err_clear();
    return bv_fail(BV_EPERM, "%s is not an officer of any board", name);
}

/*
 * The role person p holds on board b, checked: the creator is an officer
 * by the signed board record; any other role row must be signed by an
 * officer of b. BV_EPERM when p is not on the board.
 */
bv_status
bv_vault_role_of(bv_vault *v, const bv_board_row *b, const bv_person_row *p, char role[16])
{
    bv_person_row signer;
    bv_role_row r;
    bv_buf m;
    bv_status st;

    if (bv_vault_removed(v, b, p->name, 0))
        return bv_fail(BV_EPERM, "%s is not on board %s (bv_vault_removed)", p->name, b->name);
    if (strcmp(p->name, b->created_by) == 0) {
        strcpy(role, "officer");
        return bv_vault_officer_of(v, b, p->name, 0);
    }
    st = bv_store_role_get(v->s, b->id, p->id, &r);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_EPERM, "%s is not on board %s", p->name, b->name);
    if (st != BV_OK)
        return st;
    if (strcmp(r.added_by, p->name) == 0 || bv_vault_officer_of(v, b, r.added_by, 0) != BV_OK
        || bv_vault_person_ok(v, r.added_by, &signer, 0) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the role of %s on board %s was not given by an officer",
            p->name, b->name);
    }
    bv_fmt_role(&m, v->id, b->name, p, r.role, r.added_by);
    st = bv_vault_verify(signer.sign_pk, &m, r.sig, r.sig_len);
    bv_buf_free(&m);
    if (st != BV_OK)
        return bv_fail(
            BV_EINTEGRITY, "the role of %s on board %s does not verify", p->name, b->name);
    snprintf(role, 16, "%s", r.role);
    return BV_OK;
}

bv_status
bv_vault_actor_ok(bv_vault *v, bv_actor *a)
{
    bv_person_row p;

    return bv_vault_person_ok(v, a->row.name, &p, 0);
}

/* ---- boards ---- */

bv_status
bv_vault_get_board(bv_vault *v, const char *board, bv_board_row *b)
{
    bv_status st;

    if ((st = bv_name_check("board", board)) != BV_OK)
        return st;
    return bv_store_board_get(v->s, board, b);
}

/* Seal `key` to person p for board b at epoch, signed by the officer. */
bv_status
bv_vault_put_board_key(bv_vault *v, const bv_actor *o, const bv_board_row *b, int64_t epoch,
    const bv_person_row *p, const uint8_t key[32])
{
    bv_keyrow k;
    bv_buf ctx, m, sealed;
    bv_status st;

    memset(&k, 0, sizeof k);
    bv_buf_init(&m);
    bv_buf_init(&sealed);
    bv_fmt_board_key_ctx(&ctx, v->id, b->name, epoch, p);
    if ((st = bv_vault_oom(&ctx)) != BV_OK
        || (st = bv_seal_key(p->box_pk, ctx.p, ctx.len, key, &sealed)) != BV_OK)
        goto out;
    k.person_id = p->id;
    snprintf(k.person, sizeof k.person, "%s", p->name);
    memcpy(k.sealed, sealed.p, sealed.len);
    k.sealed_len = sealed.len;
    snprintf(k.by, sizeof k.by, "%s", o->row.name);
    bv_fmt_board_key_sig(&m, v->id, b->name, epoch, &k);
    if ((st = bv_vault_sign(o->keys, &m, k.sig)) != BV_OK)
        goto out;
    k.sig_len = 64;
    st = bv_store_board_key_add(v->s, b->id, epoch, &k);
out:
    bv_buf_free(&ctx);
    bv_buf_free(&m);
    bv_buf_free(&sealed);
    return st;
}

/* The last occurrence: a name earlier in the reason may contain the word. */
const char *
bv_vault_last_of(const char *s, const char *w)
{
    const char *p, *last = NULL;

    for (p = strstr(s, w); p; p = strstr(p + 1, w))
        last = p;
    return last;
}

/*
 * boards.epoch is a plain column; the signed, chained audit log says which
 * epoch is current, as this client's log view read it from entries signed
 * by the board's officers. A board put back to an older epoch (whose key a
 * removed officer may have kept) is refused rather than used. A stored
 * epoch above the view's is a rotation this client has not read yet.
 */
bv_status
bv_vault_epoch_check(bv_vault *v, const bv_board_row *b)
{
    int64_t logged;
    bv_status st;

    if ((st = bv_vault_view_fact(v, 0, b->name, &logged)) != BV_OK)
        return st;
    if (logged == 0)
        return bv_fail(BV_EINTEGRITY,
            "the audit log holds no record of board %s signed by its officers", b->name);
    if (b->epoch < logged)
        return bv_fail(BV_EINTEGRITY,
            "board %s is at key epoch %lld but the audit log says %lld: "
            "rolled back",
            b->name, (long long)b->epoch, (long long)logged);
    return BV_OK;
}

bv_status
bv_vault_board_key(bv_vault *v, bv_actor *o, const bv_board_row *b, uint8_t key[32])
{
    bv_status st;

    if ((st = bv_vault_actor_ok(v, o)) != BV_OK)
        return st;
    if ((st = bv_vault_officer_of(v, b, o->row.name, 0)) != BV_OK)
        return st;
    return bv_vault_get_board_key(v, o, b, key);
}

/* The current board key, as held by officer o: checked and opened. */
bv_status
bv_vault_get_board_key(bv_vault *v, const bv_actor *o, const bv_board_row *b, uint8_t key[32])
{
    bv_keyrow k;
    bv_buf ctx, m;
    bv_status st;

    if ((st = bv_vault_epoch_check(v, b)) != BV_OK)
        return st;
    st = bv_store_board_key_get(v->s, b->id, b->epoch, o->row.id, &k);
    if (st == BV_ENOTFOUND)
        return bv_fail(BV_EPERM, "%s holds no key of board %s", o->row.name, b->name);
    if (st != BV_OK)
        return st;
    if ((st = bv_vault_officer_of(v, b, k.by, 0)) != BV_OK) {
        bv_err_clear();
        return bv_fail(BV_EINTEGRITY, "the key of board %s was not wrapped by an officer", b->name);
    }
    bv_fmt_board_key_sig(&m, v->id, b->name, b->epoch, &k);
    bv_fmt_board_key_ctx(&ctx, v->id, b->name, b->epoch, &o->row);
    {
        bv_person_row signer;
        if ((st = bv_vault_person_ok(v, k.by, &signer, 0)) == BV_OK)
            st = bv_vault_verify(signer.sign_pk, &m, k.sig, k.sig_len);
    }
    if (st == BV_OK && (st = bv_vault_oom(&ctx)) == BV_OK)
        st = bv_open_key(o->keys, ctx.p, ctx.len, k.sealed, k.sealed_len, key);
    bv_buf_free(&ctx);
    bv_buf_free(&m);
    if (st == BV_EINTEGRITY)
        return bv_fail(BV_EINTEGRITY, "the wrapped key of board %s does not verify", b->name);
    return st;
}
