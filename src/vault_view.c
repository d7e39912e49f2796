/*
 * vault_view.c - the log view (include/bv_logview.h) kept up to date from
 * the vault's log: which entries carry authority, and the facts they move.
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

/* ---- the log view: what this client verified of the log ----
 *
 * The freshness checks (a board's epoch, an item's grant-set version, a
 * removal) are decided from facts that this client took from the signed
 * text of entries it verified itself, kept in its own log view
 * (bv_logview.h), never from the audit table's columns or from a row
 * being absent. On every open the view's head is extended by the entries
 * stored after it (bv_audit_extend): a log that does not extend what this
 * client saw is refused.
 *
 * An entry moves a fact only if it carries authority: outcome ok, signed
 * by a certified key of its actor (current or retired), and the actor an
 * officer of its board - now and not removed before the entry within the
 * entries being read, or else removed from the board as an officer later
 * in the log (what an officer signed stays theirs after they leave).
 */

struct fact {
    bv_audit_fields f;
    bv_act act;
    uint8_t *leaf;
    size_t len;
    int auth; /* 1 carries authority, 0 not, -1 not judged yet */
    char who[BV_NAME_MAX + 1]; /* board-add/remove: the person */
    char role[16];
    int64_t n; /* epoch or version */
};

struct facts {
    struct fact *e;
    size_t n, cap;
};

static void
facts_free(struct facts *fs)
{
    size_t i;

    for (i = 0; i < fs->n; i++)
        free(fs->e[i].leaf);
    free(fs->e);
    memset(fs, 0, sizeof *fs);
}

/* Split a fact entry's reason; 0 if it is not one boardvault writes. */
static int
fact_parse(struct fact *x)
{
    const char *r = x->f.reason, *p, *q;
    char *end;

    if (x->act == BV_ACT_GRANTSET) {
        if (r[0] != 'v' || r[1] < '1' || r[1] > '9')
            return 0;
        x->n = strtoll(r + 1, &end, 10);
        return *end == '\0' && x->f.item[0];
    }
    if (x->act == BV_ACT_DESTROY)
        return x->f.item[0] != '\0';
    if (x->act == BV_ACT_BOARD_CREATE)
        return sscanf(r, "epoch %" SCNd64, &x->n) == 1 && x->n >= 1;
    if (x->act == BV_ACT_BOARD_ADD) {
        /* "NAME as ROLE" */
        if ((p = bv_vault_last_of(r, " as ")) == NULL || (size_t)(p - r) > BV_NAME_MAX)
            return 0;
        snprintf(x->who, sizeof x->who, "%.*s", (int)(p - r), r);
        snprintf(x->role, sizeof x->role, "%s", p + 4);
        return 1;
    }
    if (x->act == BV_ACT_BOARD_REMOVE) {
        /* "NAME (ROLE); epoch N" */
        if ((q = bv_vault_last_of(r, "; epoch ")) == NULL || (p = bv_vault_last_of(r, " (")) == NULL
            || p > q || q[-1] != ')' || (size_t)(p - r) > BV_NAME_MAX || q - p - 3 >= 16)
            return 0;
        x->n = strtoll(q + 8, &end, 10);
        if (*end != '\0' || x->n < 1)
            return 0;
        snprintf(x->who, sizeof x->who, "%.*s", (int)(p - r), r);
        snprintf(x->role, sizeof x->role, "%.*s", (int)(q - p - 3), p + 2);
        return 1;
    }
    return 0;
}

static bv_status
facts_cb(void *ctx, const uint8_t *leaf, size_t len, const bv_audit_fields *f)
{
    struct facts *fs = ctx;
    struct fact *x;
    bv_act act = bv_audit_act_parse(f->action);

    if ((act != BV_ACT_BOARD_CREATE && act != BV_ACT_BOARD_ADD && act != BV_ACT_BOARD_REMOVE
            && act != BV_ACT_GRANTSET && act != BV_ACT_DESTROY)
        || strcmp(f->outcome, "ok") != 0)
        return BV_OK; /* refusals and other actions move no fact */
    if ((x = bv_grow(&fs->e, &fs->n, &fs->cap, sizeof *fs->e)) == NULL)
        return BV_ERR;
    memset(x, 0, sizeof *x);
    x->f = *f;
    x->act = act;
    x->auth = -1;
    if ((x->leaf = malloc(len)) == NULL) {
        fs->n--;
        return bv_fail(BV_ERR, "out of memory");
    }
    memcpy(x->leaf, leaf, len);
    x->len = len;
    return BV_OK;
}

struct sigkey {
    const uint8_t *pk;
};

static bv_status
sigkey_of(void *ctx, const char *name, uint8_t pk[32])
{
    (void)name;
    memcpy(pk, ((struct sigkey *)ctx)->pk, 32);
    return BV_OK;
}

/* Signed by a certified key (current or retired) of its actor? */
static int
fact_signed(bv_vault *v, const bv_audit_keyring *kr, const struct fact *x)
{
    bv_audit_fields f;
    struct sigkey k;
    size_t i;

    if (!x->f.is_signed)
        return 0;
    for (i = 0; i < kr->n; i++) {
        if (!kr->k[i].certified || strcmp(kr->k[i].name, x->f.actor) != 0)
            continue;
        k.pk = kr->k[i].pk;
        if (bv_audit_entry_check(v->id, x->leaf, x->len, &f, sigkey_of, &k) == BV_OK
            && f.seq == x->f.seq)
            return 1;
    }
    return 0;
}

/* Is the actor of fs->e[i] an officer of its board by today's signed rows? */
static int
officer_now(bv_vault *v, const struct fact *x)
{
    bv_board_row b;
    int yes;

    yes = bv_vault_get_board(v, x->f.board, &b) == BV_OK
        && bv_vault_officer_of(v, &b, x->f.actor, 0) == BV_OK;
    bv_err_clear();
    return yes;
}

/*
 * Judge every fact entry read. Whether an entry counts can rest on a
 * removal before it (its author had left) or after it (its author was an
 * officer then), and whether those count on the same question about their
 * own authors: so the answers are refined until they hold still, starting
 * from "an officer now". Only board-add and board-remove entries, few
 * beside the grant sets, are searched for removals.
 */
static bv_status
facts_judge(bv_vault *v, bv_logview *lv, struct facts *fs)
{
    bv_audit_keyring kr;
    size_t i, j, k, nm = 0, npairs = 0, *mem = NULL, *pairs = NULL;
    int *now = NULL, *ok = NULL, iter, changed = 1;
    bv_status st;

    if (fs->n == 0)
        return BV_OK;
    if ((st = bv_vault_keyring(v, &kr)) != BV_OK)
        return st;
    if ((now = calloc(fs->n, sizeof *now)) == NULL || (ok = calloc(fs->n, sizeof *ok)) == NULL
        || (mem = calloc(fs->n, sizeof *mem)) == NULL
        || (pairs = calloc(fs->n, sizeof *pairs)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    for (i = 0; i < fs->n; i++) {
        struct fact *x = &fs->e[i];
        if (!fact_parse(x) || !fact_signed(v, &kr, x))
            continue;
        ok[i] = 1;
        if (x->who[0])
            mem[nm++] = i;
        /* the same author and board as the one before of them: same answer
         * (pairs[] holds the first entry of each pair, a handful) */
        for (j = 0; j < npairs; j++)
            if (strcmp(fs->e[pairs[j]].f.actor, x->f.actor) == 0
                && strcmp(fs->e[pairs[j]].f.board, x->f.board) == 0)
                break;
        if (j < npairs) {
            now[i] = now[pairs[j]];
        } else {
            now[i] = officer_now(v, x);
            pairs[npairs++] = i;
        }
        x->auth = now[i];
    }
    for (iter = 0; iter < 16 && changed; iter++) {
        changed = 0;
        for (i = 0; i < fs->n; i++) {
            struct fact *x = &fs->e[i];
            int before, later = 0, a;
            if (!ok[i])
                continue;
            before = bv_logview_removed(lv, x->f.board, x->f.actor);
            for (k = 0; k < nm; k++) {
                const struct fact *y = &fs->e[mem[k]];
                if (y->auth != 1 || strcmp(y->f.board, x->f.board) != 0
                    || strcmp(y->who, x->f.actor) != 0)
                    continue;
                if (mem[k] < i)
                    before = y->act == BV_ACT_BOARD_REMOVE;
                else if (mem[k] > i && y->act == BV_ACT_BOARD_REMOVE
                    && strcmp(y->role, "officer") == 0)
                    later = 1;
            }
            a = (now[i] && !before) || later;
            if (a != x->auth) {
                x->auth = a;
                changed = 1;
            }
        }
    }
    for (i = 0; i < fs->n; i++)
        if (!ok[i])
            fs->e[i].auth = 0;
out:
    free(now);
    free(ok);
    free(mem);
    free(pairs);
    bv_audit_keyring_free(&kr);
    return st;
}

/* Move the view's facts by the entries that carry authority. */
static bv_status
facts_apply(bv_logview *lv, const struct facts *fs)
{
    size_t i;
    bv_status st = BV_OK;

    for (i = 0; i < fs->n && st == BV_OK; i++) {
        const struct fact *x = &fs->e[i];
        if (x->auth != 1)
            continue;
        if (x->act == BV_ACT_GRANTSET)
            st = bv_logview_grantset_raise(lv, x->f.item, x->n);
        else if (x->act == BV_ACT_DESTROY)
            st = bv_logview_grantset_drop(lv, x->f.item);
        else if (x->act == BV_ACT_BOARD_CREATE)
            st = bv_logview_epoch_raise(lv, x->f.board, x->n);
        else if (x->act == BV_ACT_BOARD_ADD)
            st = bv_logview_set_removed(lv, x->f.board, x->who, 0);
        else if ((st = bv_logview_set_removed(lv, x->f.board, x->who, 1)) == BV_OK)
            st = bv_logview_epoch_raise(lv, x->f.board, x->n);
    }
    return st;
}

/*
 * Extend view lv by the stored entries after its head and move its facts.
 * unauth (may be NULL) collects a line for each entry that claims a change
 * of state without the authority to make it.
 */
bv_status
bv_vault_view_extend(bv_vault *v, bv_logview *lv, const bv_logview *seen, bv_buf *unauth)
{
    bv_merkle_frontier *f = NULL;
    struct facts fs = { 0 };
    uint8_t root[32];
    char b64[64];
    size_t i;
    int in_tx;
    bv_status st;

    if ((f = malloc(sizeof *f)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    *f = *bv_logview_head(lv);
    /* inside a command's own transaction, read within it */
    if (!(in_tx = bv_store_in_tx(v->s)) && (st = bv_store_begin_read(v->s)) != BV_OK)
        goto out;
    st = bv_audit_extend(v->s, v->id, f, seen ? bv_logview_head(seen) : NULL, facts_cb, &fs);
    if (seen == NULL)
        seen = lv;
    if (st == BV_EINTEGRITY && bv_logview_head(seen)->size > 0) {
        /* say what this client saw, as the user needs it to judge */
        char why[512];
        snprintf(why, sizeof why, "%s", bv_errmsg());
        bv_err_clear();
        bv_merkle_frontier_root(bv_logview_head(seen), root);
        sodium_bin2base64(b64, sizeof b64, root, 32, sodium_base64_VARIANT_ORIGINAL);
        st = bv_fail(BV_EINTEGRITY,
            "the audit log does not extend the one this client verified (%llu entries, root %s, "
            "on %s): %s",
            (unsigned long long)bv_logview_head(seen)->size, b64, bv_logview_when(seen), why);
    }
    if (st == BV_OK)
        st = facts_judge(v, lv, &fs);
    if (!in_tx)
        bv_store_rollback(v->s);
    if (st != BV_OK)
        goto out;
    for (i = 0; unauth && i < fs.n; i++)
        if (fs.e[i].auth != 1)
            bv_buf_printf(unauth,
                "audit entry %lld: a %s of %s %s by %s, who is not an officer of board %s "
                "(or it is not signed): it carries no authority\n",
                (long long)fs.e[i].f.seq, fs.e[i].f.action, fs.e[i].f.item[0] ? "item" : "board",
                fs.e[i].f.item[0] ? fs.e[i].f.item : fs.e[i].f.board, fs.e[i].f.actor,
                fs.e[i].f.board);
    if ((st = facts_apply(lv, &fs)) == BV_OK)
        bv_logview_set_head(lv, f);
out:
    facts_free(&fs);
    free(f);
    return st;
}

/*
 * The view a check reads: this client's, brought up to date with the
 * entries committed since (this command's own included). Inside a write
 * transaction the entries read may be this transaction's and could still
 * roll back, and the view must never get ahead of what is committed: then
 * a copy is brought up to date instead (*tmp, for the caller to free).
 */
static bv_status
view_for_check(bv_vault *v, const bv_logview **lv, bv_logview **tmp)
{
    uint64_t last;
    bv_status st;

    *tmp = NULL;
    *lv = v->view;
    if (v->view == NULL)
        return bv_fail(BV_ERR, "the vault was opened without its log view");
    if (bv_store_in_tx(v->s) != 2)
        return bv_vault_view_extend(v, v->view, NULL, NULL);
    if ((st = bv_store_audit_last_seq(v->s, &last)) != BV_OK)
        return st;
    if (last == bv_logview_head(v->view)->size)
        return BV_OK;
    if ((st = bv_logview_clone(v->view, tmp)) != BV_OK)
        return st;
    if ((st = bv_vault_view_extend(v, *tmp, NULL, NULL)) != BV_OK) {
        bv_logview_free(*tmp);
        *tmp = NULL;
        return st;
    }
    *lv = *tmp;
    return BV_OK;
}

/*
 * Begin a write transaction with the log view up to date: the checks
 * inside it then read only the transaction's own entries (on a copy),
 * not everything committed since the view was last brought forward,
 * which a process making many changes through one handle would read
 * again at every change.
 */
bv_status
bv_vault_begin(bv_vault *v)
{
    bv_status st;

    if (v->view && !bv_store_in_tx(v->s)
        && (st = bv_vault_view_extend(v, v->view, NULL, NULL)) != BV_OK)
        return st;
    return bv_store_begin(v->s);
}

/* A board's logged epoch (grantset 0) or an item's grant-set version
 * (grantset 1), as the up-to-date view holds it; 0 if none. */
bv_status
bv_vault_view_fact(bv_vault *v, int grantset, const char *key, int64_t *n)
{
    const bv_logview *lv;
    bv_logview *tmp;
    bv_status st;

    if ((st = view_for_check(v, &lv, &tmp)) != BV_OK)
        return st;
    *n = grantset ? bv_logview_grantset(lv, key) : bv_logview_epoch(lv, key);
    bv_logview_free(tmp);
    return BV_OK;
}

/* On open: load this client's view, extend it, save it. */
bv_status
bv_vault_view_sync(bv_vault *v, char note[256])
{
    char hex[2 * BV_VAULT_ID_LEN + 1], msg[256];
    bv_status st;

    bv_hex(hex, v->id, sizeof v->id);
    if ((st = bv_logview_load(hex, &v->view)) != BV_OK
        || (st = bv_vault_view_extend(v, v->view, NULL, NULL)) != BV_OK)
        return st;
    if ((st = bv_logview_save(v->view, msg)) == BV_OK && msg[0]) {
        size_t n = strlen(note);
        snprintf(note + n, 256 - n, "%s%s", n ? "; " : "", msg);
    }
    return st;
}
