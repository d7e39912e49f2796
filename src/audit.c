/*
 * audit.c - building and appending audit entries (docs/AUDIT.md).
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
#include "bv_audit.h"
#include "bv_merkle.h"
#include "bv_note.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

bv_status
bv_audit_append(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], const bv_audit_event *ev,
    const bv_keys *signer)
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
    field(&text, "action", ev->action);
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
            || (st = bv_note_sign(
                    text.p, text.len, (const char *)keyname.p, signer->sign_sk, &leaf))
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
    memcpy(row.time, now, sizeof row.time);
    row.actor = ev->actor ? ev->actor : "";
    row.actor_fp = ev->actor_fp ? ev->actor_fp : "";
    row.action = ev->action;
    row.board = ev->board ? ev->board : "";
    row.item = ev->item ? ev->item : "";
    row.meeting = ev->meeting ? ev->meeting : "";
    row.agenda = ev->agenda ? ev->agenda : "";
    row.outcome = ev->outcome;
    row.reason = ev->reason ? ev->reason : "";
    row.leaf = leaf.p;
    row.leaf_len = leaf.len;
    row.leaf_hash = lh;
    st = bv_store_audit_append(s, &row, fenc.p, fenc.len);
out:
    free(f);
    bv_buf_free(&state);
    bv_buf_free(&text);
    bv_buf_free(&leaf);
    bv_buf_free(&keyname);
    bv_buf_free(&fenc);
    return st;
}
