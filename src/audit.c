/*
 * audit.c - building and appending audit entries, and parsing one back
 * (docs/AUDIT.md). Verifying the log is audit_verify.c; the tree's roots,
 * proofs and the extension of a remembered head are audit_tree.c.
 *
 * An entry's text is a fixed list of "name value" lines; values are
 * percent-encoded so that no value can contain a line break or start a
 * signature line, which keeps the text unambiguous without any JSON
 * canonicalisation. A signed entry is a C2SP signed note
 * (c2sp.org/signed-note) by the actor's Ed25519 key, so any signed-note
 * verifier can check it given the actor's verifier key. Each entry names
 * the tree size and root before it ("prev"), which chains signed entries
 * to all earlier history even before any checkpoint exists.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_audit.h"
#include "bv_audit_int.h"
#include "bv_store.h"
#include "bv_merkle.h"
#include "bv_note.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
bv_audit_origin(const uint8_t vault_id[BV_VAULT_ID_LEN], char out[44])
{
    memcpy(out, "boardvault/", 11);
    bv_hex(out + 11, vault_id, BV_VAULT_ID_LEN);
}

/* Unreserved URL characters pass; every other byte becomes %XX. */
static void
pct(bv_buf *b, const char *v, int keyname)
{
    const unsigned char *u = (const unsigned char *)v;

    for (; *u; u++) {
        int plain = (*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9')
            || *u == '.' || *u == '_' || *u == '-' || *u == '~';
        /* in entry values, spaces and UTF-8 stay readable; '%' and
         * controls never do */
        if (!keyname && (*u == ' ' || *u >= 0x80 || (*u > 0x20 && *u < 0x7f && *u != '%')))
            plain = 1;
        if (plain)
            bv_buf_put(b, u, 1);
        else
            bv_buf_printf(b, "%%%02X", *u);
    }
}

bv_status
bv_audit_key_name(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, bv_buf *out)
{
    char origin[44];

    bv_audit_origin(vault_id, origin);
    bv_buf_init(out);
    bv_buf_puts(out, origin);
    bv_buf_puts(out, "/");
    pct(out, name, 1);
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

static void
field(bv_buf *b, const char *name, const char *v)
{
    bv_buf_puts(b, name);
    bv_buf_puts(b, " ");
    if (v == NULL || *v == '\0')
        bv_buf_puts(b, "-");
    else if (strcmp(v, "-") == 0)
        bv_buf_puts(b, "%2D"); /* a literal "-" must not read as "absent" */
    else
        pct(b, v, 0);
    bv_buf_puts(b, "\n");
}

static const char *const act_names[] = {
    "init",
    "enroll",
    "approve",
    "passwd",
    "kdf-upgrade",
    "key-change",
    "reset",
    "board-create",
    "board-add",
    "board-remove",
    "seal",
    "grant",
    "revoke",
    "grantset",
    "open",
    "rekey",
    "destroy",
    "retention",
    "checkpoint",
    "minutes-import",
    "unlock",
};

const char *
bv_audit_act_name(bv_act a)
{
    return (size_t)a < sizeof act_names / sizeof act_names[0] ? act_names[a] : "-";
}

bv_act
bv_audit_act_parse(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof act_names / sizeof act_names[0]; i++)
        if (strcmp(act_names[i], name) == 0)
            return (bv_act)i;
    return BV_ACT_NONE;
}

static bv_status
store_put(bv_store *s, const bv_audit_row *row, const uint8_t *frontier, size_t flen)
{
    return bv_store_audit_append(s, row, frontier, flen);
}

bv_status
bv_audit_append(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], const bv_audit_event *ev,
    const bv_keys *signer)
{
    return bv_audit_append_via(s, vault_id, ev, signer, store_put, NULL);
}

bv_status
bv_audit_append_via(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], const bv_audit_event *ev,
    const bv_keys *signer, bv_audit_put_fn put, uint64_t *seq_out)
{
    bv_merkle_frontier *f = NULL;
    bv_buf state, text, leaf, keyname, fenc;
    char origin[44], now[21], rootb64[64], seq[24];
    uint8_t root[32], lh[32];
    bv_audit_row row;
    bv_status st;

    bv_buf_init(&state);
    bv_buf_init(&text);
    bv_buf_init(&leaf);
    bv_buf_init(&keyname);
    bv_buf_init(&fenc);
    if ((f = malloc(sizeof *f)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = bv_store_audit_state(s, &state)) != BV_OK)
        goto out;
    if (state.len == 0)
        bv_merkle_frontier_init(f);
    else if ((st = bv_merkle_frontier_decode(f, state.p, state.len)) != BV_OK)
        goto out;
    bv_merkle_frontier_root(f, root);
    sodium_bin2base64(rootb64, sizeof rootb64, root, 32, sodium_base64_VARIANT_ORIGINAL);
    bv_audit_origin(vault_id, origin);
    bv_utc_now(now);
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)f->size + 1);

    bv_buf_puts(&text, BV_AUDIT_HEADER "\n");
    bv_buf_printf(&text, "log %s\n", origin);
    bv_buf_printf(&text, "seq %s\n", seq);
    bv_buf_printf(&text, "prev %llu %s\n", (unsigned long long)f->size, rootb64);
    bv_buf_printf(&text, "time %s\n", now);
    field(&text, "actor", ev->actor);
    field(&text, "actor-key", ev->actor_fp);
    field(&text, "auth", signer ? "signed" : "none");
    field(&text, "action", bv_audit_act_name(ev->action));
    field(&text, "board", ev->board);
    field(&text, "meeting", ev->meeting);
    field(&text, "agenda", ev->agenda);
    field(&text, "item", ev->item);
    field(&text, "outcome", ev->outcome);
    field(&text, "reason", ev->reason);
    if (text.oom) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if (signer) {
        if ((st = bv_audit_key_name(vault_id, ev->actor, &keyname)) != BV_OK
            || (st = bv_note_sign_by(text.p, text.len, (const char *)keyname.p, signer->sign_pk,
                    bv_keys_note_signer, (void *)signer, &leaf))
                != BV_OK)
            goto out;
    } else {
        bv_buf_put(&leaf, text.p, text.len);
    }
    bv_merkle_leaf_hash(lh, leaf.p, leaf.len);
    if ((st = bv_merkle_frontier_append(f, lh)) != BV_OK)
        goto out;
    bv_merkle_frontier_encode(f, &fenc);
    if (leaf.oom || fenc.oom) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    memset(&row, 0, sizeof row);
    row.seq = (int64_t)f->size;
    row.time = now;
    row.actor = ev->actor ? ev->actor : "";
    row.actor_fp = ev->actor_fp ? ev->actor_fp : "";
    row.action = bv_audit_act_name(ev->action);
    row.board = ev->board ? ev->board : "";
    row.item = ev->item ? ev->item : "";
    row.meeting = ev->meeting ? ev->meeting : "";
    row.agenda = ev->agenda ? ev->agenda : "";
    row.outcome = ev->outcome;
    row.reason = ev->reason ? ev->reason : "";
    row.leaf = leaf.p;
    row.leaf_len = leaf.len;
    row.leaf_hash = lh;
    if ((st = put(s, &row, fenc.p, fenc.len)) == BV_OK && seq_out)
        *seq_out = f->size;
out:
    free(f);
    bv_buf_free(&state);
    bv_buf_free(&text);
    bv_buf_free(&leaf);
    bv_buf_free(&keyname);
    bv_buf_free(&fenc);
    return st;
}

/* ---- the keyring ---- */

bv_status
bv_audit_keyring_add(bv_audit_keyring *kr, const uint8_t vault_id[BV_VAULT_ID_LEN],
    const char *name, const uint8_t pk[32], int certified, int witness)
{
    bv_audit_key *k;
    bv_buf kn;
    bv_status st;

    if ((k = realloc(kr->k, (kr->n + 1) * sizeof *k)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    kr->k = k;
    k = &kr->k[kr->n];
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", name);
    memcpy(k->pk, pk, 32);
    k->certified = certified;
    k->witness = witness;
    if ((st = bv_audit_key_name(vault_id, name, &kn)) != BV_OK)
        return st;
    k->keyname = (char *)kn.p; /* owned by the keyring now */
    kr->n++;
    return BV_OK;
}

void
bv_audit_keyring_free(bv_audit_keyring *kr)
{
    size_t i;

    for (i = 0; i < kr->n; i++)
        free(kr->k[i].keyname);
    free(kr->k);
    kr->k = NULL;
    kr->n = 0;
}

const bv_audit_key *
bv_audit_keyring_find(const bv_audit_keyring *kr, const char *name)
{
    size_t i;

    for (i = 0; i < kr->n; i++)
        if (strcmp(kr->k[i].name, name) == 0)
            return &kr->k[i];
    return NULL;
}

/* ---- parsing an entry back ---- */

const char *const bv_audit_field_names[BV_AUDIT_NFIELDS]
    = { "log", "seq", "prev", "time", "actor", "actor-key", "auth", "action", "board", "meeting",
          "agenda", "item", "outcome", "reason", NULL };

void
bv_audit_parsed_free(bv_audit_parsed *e)
{
    size_t i;

    for (i = 0; i < BV_AUDIT_NFIELDS; i++)
        free(e->v[i]);
    memset(e, 0, sizeof *e);
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode; "-" alone means absent. NULL if malformed. */
static char *
pct_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t i, o = 0;

    if (out == NULL)
        return NULL;
    if (n == 1 && s[0] == '-') {
        out[0] = '\0';
        return out;
    }
    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n) {
                free(out);
                return NULL;
            }
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            /* only the bytes the encoder escapes may be escaped: one value
             * has one encoding, as independent verifiers expect */
            {
                int c = hi << 4 | lo;
                if (!(c == '%' || c < 0x20 || c == 0x7f || (c == '-' && n == 3))) {
                    free(out);
                    return NULL;
                }
                out[o++] = (char)c;
            }
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Split an entry into its fields; checks the fixed order and header. */
bv_status
bv_audit_parse(const uint8_t *leaf, size_t len, bv_audit_parsed *e)
{
    const char *p = (const char *)leaf, *end = p + len, *nl, *sp;
    size_t i, hl = strlen(BV_AUDIT_HEADER);

    memset(e, 0, sizeof *e);
    if (len < hl + 1 || memcmp(p, BV_AUDIT_HEADER "\n", hl + 1) != 0)
        return BV_EINTEGRITY;
    p += hl + 1;
    for (i = 0; bv_audit_field_names[i]; i++) {
        size_t nlen = strlen(bv_audit_field_names[i]);
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            return BV_EINTEGRITY;
        if ((size_t)(nl - p) < nlen + 2 || memcmp(p, bv_audit_field_names[i], nlen) != 0
            || p[nlen] != ' ')
            return BV_EINTEGRITY;
        sp = p + nlen + 1;
        /* prev keeps its raw form ("M base64"): it is compared as text */
        if (i == F_PREV || i == F_LOG || i == F_SEQ || i == F_TIME) {
            if ((e->v[i] = malloc((size_t)(nl - sp) + 1)) != NULL) {
                memcpy(e->v[i], sp, (size_t)(nl - sp));
                e->v[i][nl - sp] = '\0';
            }
        } else {
            e->v[i] = pct_decode(sp, (size_t)(nl - sp));
        }
        if (e->v[i] == NULL)
            return BV_EINTEGRITY;
        p = nl + 1;
    }
    e->text_len = (size_t)(p - (const char *)leaf);
    if (p == end) {
        e->has_sig = 0;
        return BV_OK;
    }
    /* a signed note: a blank line, then the signature block */
    if (*p != '\n')
        return BV_EINTEGRITY;
    e->has_sig = 1;
    return BV_OK;
}

bv_status
bv_audit_entry_check(const uint8_t vault_id[BV_VAULT_ID_LEN], const uint8_t *leaf, size_t len,
    bv_audit_fields *f, bv_status (*key_of)(void *, const char *, uint8_t[32]), void *ctx)
{
    bv_audit_parsed e;
    bv_note_verifier nv;
    bv_buf kn;
    char origin[44];
    size_t tl;
    int ok = 0;
    bv_status st = BV_EINTEGRITY;

    bv_buf_init(&kn);
    memset(f, 0, sizeof *f);
    bv_audit_origin(vault_id, origin);
    if (bv_audit_parse(leaf, len, &e) != BV_OK || strcmp(e.v[F_LOG], origin) != 0 || !e.has_sig
        || strcmp(e.v[F_AUTH], "signed") != 0)
        goto out;
    snprintf(f->actor, sizeof f->actor, "%s", e.v[F_ACTOR]);
    snprintf(f->action, sizeof f->action, "%s", e.v[F_ACTION]);
    snprintf(f->board, sizeof f->board, "%s", e.v[F_BOARD]);
    snprintf(f->item, sizeof f->item, "%s", e.v[F_ITEM]);
    snprintf(f->outcome, sizeof f->outcome, "%s", e.v[F_OUTCOME]);
    snprintf(f->reason, sizeof f->reason, "%s", e.v[F_REASON]);
    f->seq = strtoll(e.v[F_SEQ], NULL, 10);
    if (key_of(ctx, f->actor, nv.pk) != BV_OK
        || bv_audit_key_name(vault_id, f->actor, &kn) != BV_OK)
        goto out;
    nv.name = (const char *)kn.p;
    if (bv_note_open(leaf, len, &nv, 1, &tl, &ok) == BV_OK && ok && tl == e.text_len)
        st = BV_OK;
out:
    bv_err_clear();
    bv_audit_parsed_free(&e);
    bv_buf_free(&kn);
    return st;
}
