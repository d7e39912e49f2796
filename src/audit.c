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
#define _POSIX_C_SOURCE 200809L
#include "bv_audit.h"
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

static const bv_audit_key *
keyring_find(const bv_audit_keyring *kr, const char *name)
{
    size_t i;

    for (i = 0; i < kr->n; i++)
        if (strcmp(kr->k[i].name, name) == 0)
            return &kr->k[i];
    return NULL;
}

/* ---- parsing an entry back ---- */

#define NFIELDS 15
static const char *const field_names[NFIELDS]
    = { "log", "seq", "prev", "time", "actor", "actor-key", "auth", "action", "board", "meeting",
          "agenda", "item", "outcome", "reason", NULL };

enum {
    F_LOG,
    F_SEQ,
    F_PREV,
    F_TIME,
    F_ACTOR,
    F_ACTORKEY,
    F_AUTH,
    F_ACTION,
    F_BOARD,
    F_MEETING,
    F_AGENDA,
    F_ITEM,
    F_OUTCOME,
    F_REASON
};

typedef struct {
    char *v[NFIELDS]; /* decoded values, "" when absent */
    size_t text_len; /* bytes of the note text */
    int has_sig;
} parsed_entry;

static void
parsed_free(parsed_entry *e)
{
    size_t i;

    for (i = 0; i < NFIELDS; i++)
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
static bv_status
parse_entry(const uint8_t *leaf, size_t len, parsed_entry *e)
{
    const char *p = (const char *)leaf, *end = p + len, *nl, *sp;
    size_t i, hl = strlen(BV_AUDIT_HEADER);

    memset(e, 0, sizeof *e);
    if (len < hl + 1 || memcmp(p, BV_AUDIT_HEADER "\n", hl + 1) != 0)
        return BV_EINTEGRITY;
    p += hl + 1;
    for (i = 0; field_names[i]; i++) {
        size_t nlen = strlen(field_names[i]);
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            return BV_EINTEGRITY;
        if ((size_t)(nl - p) < nlen + 2 || memcmp(p, field_names[i], nlen) != 0 || p[nlen] != ' ')
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

/* ---- verification ---- */

struct cpreq {
    uint64_t size;
    uint8_t root[32];
    int have; /* root at that size computed */
};

/*
 * Signatures dominate the cost of verify (an Ed25519 verification is
 * some fifty times a SHA-256 of the entry), and unlike the tree they do
 * not depend on each other: they are checked in batches, split across
 * the machine's cores, while the chain checks stay sequential.
 */
#define BATCH 2048
#define MAX_THREADS 8

struct sigjob {
    int self_ok; /* an uncertified key of the actor's may have signed it */
    uint64_t seq;
    size_t off, len, text_len;
    const bv_audit_key *k;
};

struct batch {
    const bv_audit_keyring *kr;
    struct sigjob job[BATCH];
    size_t n;
    bv_buf leaves;
    uint64_t bad_seq; /* lowest failing seq in the batch, 0 if none */
};

struct vctx {
    int self_ok; /* for the entry being queued */
    struct batch *b;
    int threads;
    const uint8_t *vid;
    const bv_audit_keyring *kr;
    char origin[44];
    bv_merkle_frontier f;
    uint64_t n;
    bv_audit_report *rep;
    struct cpreq *cps;
    size_t ncps;
};

struct worker {
    struct batch *b;
    size_t from, to;
    uint64_t bad_seq;
};

static void *
verify_range(void *arg)
{
    struct worker *w = arg;
    size_t i, tl;
    int ok;

    for (i = w->from; i < w->to; i++) {
        const struct sigjob *j = &w->b->job[i];
        const bv_audit_keyring *kr = w->b->kr;
        size_t k;
        ok = 0;
        /* a person may have had several keys (a reset retires one): any
         * certified key of theirs may have signed this entry */
        for (k = 0; k < kr->n && !ok; k++) {
            bv_note_verifier nv;
            if (strcmp(kr->k[k].name, j->k->name) != 0 || (!kr->k[k].certified && !j->self_ok))
                continue;
            nv.name = kr->k[k].keyname;
            memcpy(nv.pk, kr->k[k].pk, 32);
            if (bv_note_open(w->b->leaves.p + j->off, j->len, &nv, 1, &tl, &ok) != BV_OK
                || tl != j->text_len)
                ok = 0;
            bv_err_clear();
        }
        if (!ok) {
            w->bad_seq = j->seq; /* jobs are in seq order: the first is the lowest */
            break;
        }
    }
    return NULL;
}

static bv_status bad(uint64_t seq, const char *what);

/* Verify the queued signatures on all cores; report the first bad one. */
static bv_status
batch_flush(struct vctx *c)
{
    struct worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = { 0 };
    size_t per, i, nt = (size_t)c->threads;
    struct batch *b = c->b;
    uint64_t first = 0;

    if (b->n == 0)
        return BV_OK;
    if (b->leaves.oom)
        return bv_fail(BV_ERR, "out of memory");
    if (b->n < 64)
        nt = 1;
    per = (b->n + nt - 1) / nt;
    for (i = 0; i < nt; i++) {
        w[i].b = b;
        w[i].from = i * per;
        w[i].to = (i + 1) * per < b->n ? (i + 1) * per : b->n;
        w[i].bad_seq = 0;
        if (i > 0 && pthread_create(&tid[i], NULL, verify_range, &w[i]) == 0)
            started[i] = 1;
    }
    verify_range(&w[0]);
    for (i = 1; i < nt; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            verify_range(&w[i]); /* no thread: do it here */
    }
    for (i = 0; i < nt; i++)
        if (w[i].bad_seq && (first == 0 || w[i].bad_seq < first))
            first = w[i].bad_seq;
    c->rep->signed_entries += b->n;
    b->n = 0;
    b->leaves.len = 0;
    if (first)
        return bad(first, "its signature does not verify (forged or changed)");
    return BV_OK;
}

static bv_status
batch_push(struct vctx *c, const uint8_t *leaf, size_t len, size_t text_len, const bv_audit_key *k)
{
    struct batch *b = c->b;
    struct sigjob *j = &b->job[b->n++];

    j->seq = c->n;
    j->self_ok = c->self_ok;
    j->off = b->leaves.len;
    j->len = len;
    j->text_len = text_len;
    j->k = k;
    bv_buf_put(&b->leaves, leaf, len);
    if (b->n == BATCH)
        return batch_flush(c);
    return BV_OK;
}

static bv_status
bad(uint64_t seq, const char *what)
{
    return bv_fail(BV_EINTEGRITY, "audit entry %llu: %s", (unsigned long long)seq, what);
}

static bv_status
verify_entry(void *ctx, const bv_audit_row *r)
{
    struct vctx *c = ctx;
    const char *cols[NFIELDS] = { NULL };
    parsed_entry e;
    uint8_t root[32], lh[32];
    char rootb64[64], want[96], seq[24];
    const bv_audit_key *k;
    bv_status st = BV_OK;
    size_t i;

    c->n++;
    if ((uint64_t)r->seq != c->n) {
        if ((uint64_t)r->seq > c->n)
            return bad(c->n, "missing (sequence jumps to a later number)");
        return bad((uint64_t)r->seq, "out of sequence");
    }
    if (parse_entry(r->leaf, r->leaf_len, &e) != BV_OK) {
        parsed_free(&e);
        return bad(c->n, "its signed bytes are malformed");
    }
    /* the leaf says where it sits: seq and the root of everything before */
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)c->n);
    bv_merkle_frontier_root(&c->f, root);
    sodium_bin2base64(rootb64, sizeof rootb64, root, 32, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, "%llu %s", (unsigned long long)(c->n - 1), rootb64);
    if (strcmp(e.v[F_LOG], c->origin) != 0)
        st = bad(c->n, "belongs to another vault");
    else if (strcmp(e.v[F_SEQ], seq) != 0)
        st = bad(c->n, "its signed sequence number differs (moved or renumbered)");
    else if (strcmp(e.v[F_PREV], want) != 0)
        st = bad(c->n,
            "the history before it differs (an earlier entry was changed, "
            "removed, inserted or reordered)");
    if (st != BV_OK)
        goto out;
    /* the columns shown to auditors must say what was signed */
    cols[F_TIME] = r->time;
    cols[F_ACTOR] = r->actor;
    cols[F_ACTORKEY] = r->actor_fp;
    cols[F_ACTION] = r->action;
    cols[F_BOARD] = r->board;
    cols[F_MEETING] = r->meeting;
    cols[F_AGENDA] = r->agenda;
    cols[F_ITEM] = r->item;
    cols[F_OUTCOME] = r->outcome;
    cols[F_REASON] = r->reason;
    for (i = F_TIME; i <= F_REASON; i++) {
        if (i == F_AUTH)
            continue;
        if (strcmp(cols[i], e.v[i]) != 0) {
            snprintf(
                want, sizeof want, "its %s column differs from the signed entry", field_names[i]);
            st = bad(c->n, want);
            goto out;
        }
    }
    if (strcmp(e.v[F_AUTH], "signed") == 0) {
        if (!e.has_sig) {
            st = bad(c->n, "marked signed but carries no signature");
            goto out;
        }
        /* a pending member's own key may sign what concerns only them:
         * their enrolment and the re-wrapping of their own keys */
        int self = strcmp(e.v[F_ACTION], "enroll") == 0 || strcmp(e.v[F_ACTION], "passwd") == 0
            || strcmp(e.v[F_ACTION], "kdf-upgrade") == 0;
        size_t q;
        int any = 0;
        k = keyring_find(c->kr, e.v[F_ACTOR]);
        for (q = 0; k && q < c->kr->n; q++)
            any |= c->kr->k[q].certified && strcmp(c->kr->k[q].name, k->name) == 0;
        if (k == NULL || (!any && !self)) {
            st = bad(c->n, "signed by a key that is not certified");
            goto out;
        }
        c->self_ok = self;
        if ((st = batch_push(c, r->leaf, r->leaf_len, e.text_len, k)) != BV_OK)
            goto out;
    } else if (strcmp(e.v[F_AUTH], "none") == 0) {
        if (e.has_sig) {
            st = bad(c->n, "marked unsigned but carries a signature block");
            goto out;
        }
        if (strcmp(e.v[F_OUTCOME], "ok") == 0) {
            st = bad(c->n, "an unsigned entry claims a successful action");
            goto out;
        }
        c->rep->unsigned_entries++;
    } else {
        st = bad(c->n, "its auth field is neither signed nor none");
        goto out;
    }
    bv_merkle_leaf_hash(lh, r->leaf, r->leaf_len);
    /* proofs are built from the stored hashes: they must be the leaves' */
    if (r->leaf_hash == NULL || memcmp(r->leaf_hash, lh, 32) != 0) {
        st = bad(c->n, "its stored leaf hash is not the hash of its leaf");
        goto out;
    }
    if ((st = bv_merkle_frontier_append(&c->f, lh)) != BV_OK)
        goto out;
    for (i = 0; i < c->ncps; i++)
        if (c->cps[i].size == c->n) {
            bv_merkle_frontier_root(&c->f, c->cps[i].root);
            c->cps[i].have = 1;
        }
out:
    parsed_free(&e);
    if (st != BV_OK && c->b->n) {
        /* an earlier entry's bad signature is the first thing wrong */
        bv_status early;
        char msg[512];
        snprintf(msg, sizeof msg, "%s", bv_errmsg());
        bv_err_clear();
        if (c->b->job[c->b->n - 1].seq == c->n)
            c->b->n--; /* the failing entry itself is not an earlier one */
        if ((early = batch_flush(c)) != BV_OK)
            return early;
        bv_err_clear();
        return bv_fail(st, "%s", msg);
    }
    return st;
}

struct cplist {
    bv_buf notes; /* concatenated stored checkpoint notes */
    size_t *off, *len;
    uint64_t *size;
    size_t n;
};

static bv_status
collect_cp(void *ctx, uint64_t size, const uint8_t *note, size_t len)
{
    struct cplist *l = ctx;
    size_t *o, *ln;
    uint64_t *sz;

    if ((o = realloc(l->off, (l->n + 1) * sizeof *o)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    l->off = o;
    if ((ln = realloc(l->len, (l->n + 1) * sizeof *ln)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    l->len = ln;
    if ((sz = realloc(l->size, (l->n + 1) * sizeof *sz)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    l->size = sz;
    l->off[l->n] = l->notes.len;
    l->len[l->n] = len;
    l->size[l->n] = size;
    bv_buf_put(&l->notes, note, len);
    l->n++;
    return l->notes.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

/* Open a checkpoint note with every known key; parse its text. */
static bv_status
open_checkpoint(const struct vctx *c, const char *label, const uint8_t *note, size_t len,
    uint64_t *size, uint8_t root[32])
{
    bv_note_verifier *nv = NULL;
    bv_buf origin;
    size_t i, tl;
    int *ok = NULL;
    bv_status st;

    bv_buf_init(&origin);
    if (len == 0)
        return bv_fail(BV_EINPUT, "checkpoint %s is empty", label);
    /* what it claims first: a checkpoint of another vault is named as such,
     * not as "unknown key" (its signers are named by that vault) */
    {
        const uint8_t *p = note, *end = note + len, *last = NULL;
        for (; p + 1 < end; p++)
            if (p[0] == '\n' && p[1] == '\n')
                last = p;
        if (last == NULL
            || bv_checkpoint_parse(note, (size_t)(last - note) + 1, &origin, size, root) != BV_OK) {
            bv_err_clear();
            st = bv_fail(BV_EINPUT, "checkpoint %s is not a signed checkpoint note", label);
            goto out;
        }
        if (strcmp((const char *)origin.p, c->origin) != 0) {
            st = bv_fail(BV_EINTEGRITY, "checkpoint %s is for another vault (%s)", label,
                (const char *)origin.p);
            goto out;
        }
        bv_buf_free(&origin);
    }
    if ((nv = calloc(c->kr->n + 1, sizeof *nv)) == NULL
        || (ok = calloc(c->kr->n + 1, sizeof *ok)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    for (i = 0; i < c->kr->n; i++) {
        nv[i].name = c->kr->k[i].keyname;
        memcpy(nv[i].pk, c->kr->k[i].pk, 32);
    }
    st = bv_note_open(note, len, nv, c->kr->n, &tl, ok);
    if (st == BV_EINPUT) {
        bv_err_clear();
        st = bv_fail(BV_EINPUT, "checkpoint %s is not a signed note", label);
        goto out;
    }
    if (st != BV_OK) {
        bv_err_clear();
        st = bv_fail(BV_EINTEGRITY, "checkpoint %s: no valid signature by a known key", label);
        goto out;
    }
    for (i = 0; i < c->kr->n; i++)
        if (ok[i] && !c->kr->k[i].witness) {
            st = bv_fail(BV_EINTEGRITY,
                "checkpoint %s is signed by %s, who is neither an "
                "officer nor an auditor",
                label, c->kr->k[i].name);
            goto out;
        }
    if (bv_checkpoint_parse(note, tl, &origin, size, root) != BV_OK) {
        bv_err_clear();
        st = bv_fail(BV_EINPUT, "checkpoint %s is not a checkpoint", label);
        goto out;
    }
    if (strcmp((const char *)origin.p, c->origin) != 0)
        st = bv_fail(BV_EINTEGRITY, "checkpoint %s is for another vault (%s)", label,
            (const char *)origin.p);
out:
    free(nv);
    free(ok);
    bv_buf_free(&origin);
    return st;
}

static bv_status
leaf_cb(void *ctx, uint64_t index, uint8_t out[32])
{
    return bv_store_audit_leaf_hash(ctx, index, out);
}

/* Each stored checkpoint: signed by a known key, for this vault, and
 * matching the root of the log at its size. */
static bv_status
check_stored(struct vctx *c, const struct cplist *l, size_t next, bv_audit_report *rep)
{
    size_t i;
    bv_status st = BV_OK;

    for (i = 0; i < l->n; i++) {
        uint64_t size;
        uint8_t root[32];
        char label[32];
        snprintf(label, sizeof label, "#%zu (stored)", i + 1);
        st = open_checkpoint(c, label, l->notes.p + l->off[i], l->len[i], &size, root);
        if (st == BV_EINPUT)
            st = bv_fail(BV_EINTEGRITY, "stored checkpoint %zu is malformed", i + 1);
        if (st != BV_OK)
            return st;
        if (size != l->size[i] || size > c->n) {
            st = bv_fail(BV_EINTEGRITY,
                "rollback: stored checkpoint %zu covers %llu entries, "
                "the log has %llu",
                i + 1, (unsigned long long)size, (unsigned long long)c->n);
            return st;
        }
        if (memcmp(root, c->cps[next + i].root, 32) != 0) {
            st = bv_fail(BV_EINTEGRITY,
                "stored checkpoint %zu: the first %llu entries were "
                "rewritten",
                i + 1, (unsigned long long)size);
            return st;
        }
        rep->checkpoints++;
    }
    return st;
}

/* Each given checkpoint: the log at its size has its root, and an RFC
 * 6962 consistency proof leads from it to today's log. */
static bv_status
check_given(bv_store *s, const struct vctx *c, const bv_audit_cp *ext, size_t next,
    const uint64_t *ext_size, uint8_t (*ext_root)[32], const bv_audit_report *rep)
{
    size_t i;
    bv_status st = BV_OK;

    for (i = 0; i < next; i++) {
        uint8_t proof[BV_MERKLE_MAX_PROOF][32];
        size_t plen = 0;
        if (ext_size[i] > c->n) {
            st = bv_fail(BV_EINTEGRITY,
                "rollback: checkpoint %s covers %llu entries, the log "
                "has only %llu",
                ext[i].label, (unsigned long long)ext_size[i], (unsigned long long)c->n);
            return st;
        }
        if (ext_size[i] == 0) {
            uint8_t empty[32];
            bv_merkle_empty_root(empty);
            if (memcmp(empty, ext_root[i], 32) != 0) {
                st = bv_fail(
                    BV_EINTEGRITY, "checkpoint %s: bad root for an empty log", ext[i].label);
                return st;
            }
            continue;
        }
        if (memcmp(ext_root[i], c->cps[i].root, 32) != 0) {
            st = bv_fail(BV_EINTEGRITY,
                "checkpoint %s: the first %llu entries were rewritten "
                "since it was made",
                ext[i].label, (unsigned long long)ext_size[i]);
            return st;
        }
        /* and prove it the RFC 6962 way, as any auditor's tool would */
        if (ext_size[i] < c->n) {
            if ((st = bv_merkle_consistency_proof(leaf_cb, s, ext_size[i], c->n, proof, &plen))
                    != BV_OK
                || (st = bv_merkle_verify_consistency(
                        ext_size[i], c->n, ext_root[i], rep->root, BV_MERKLE_CPROOF(proof), plen))
                    != BV_OK)
                return st;
        }
    }
    return st;
}

bv_status
bv_audit_verify(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], const bv_audit_keyring *kr,
    const bv_audit_cp *ext, size_t next, bv_audit_report *rep)
{
    struct vctx c;
    struct cplist l;
    bv_merkle_frontier *stored = NULL;
    uint64_t *ext_size = NULL;
    uint8_t(*ext_root)[32] = NULL;
    bv_buf state;
    size_t i;
    bv_status st;

    memset(&c, 0, sizeof c);
    memset(&l, 0, sizeof l);
    memset(rep, 0, sizeof *rep);
    bv_buf_init(&l.notes);
    bv_buf_init(&state);
    c.vid = vault_id;
    c.kr = kr;
    c.rep = rep;
    {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c.threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
    }
    if ((c.b = calloc(1, sizeof *c.b)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    bv_buf_init(&c.b->leaves);
    c.b->kr = kr;
    bv_audit_origin(vault_id, c.origin);
    bv_merkle_frontier_init(&c.f);
    if ((st = bv_store_checkpoint_each(s, collect_cp, &l)) != BV_OK)
        goto out;
    if ((ext_size = calloc(next + 1, sizeof *ext_size)) == NULL
        || (ext_root = calloc(next + 1, sizeof *ext_root)) == NULL
        || (c.cps = calloc(l.n + next + 1, sizeof *c.cps)) == NULL
        || (stored = malloc(sizeof *stored)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    /* external checkpoints first: a malformed file is the user's input */
    for (i = 0; i < next; i++) {
        if ((st = open_checkpoint(
                 &c, ext[i].label, ext[i].p, ext[i].len, &ext_size[i], ext_root[i]))
            != BV_OK)
            goto out;
        c.cps[c.ncps++].size = ext_size[i];
    }
    for (i = 0; i < l.n; i++)
        c.cps[c.ncps++].size = l.size[i];
    if ((st = bv_store_audit_each(s, NULL, verify_entry, &c)) != BV_OK
        || (st = batch_flush(&c)) != BV_OK)
        goto out;
    if (c.n == 0) {
        st = bv_fail(BV_EINTEGRITY, "the audit log is empty (it starts with init)");
        goto out;
    }
    rep->size = c.n;
    bv_merkle_frontier_root(&c.f, rep->root);
    /* the stored tree state names the size the log had at the last append */
    if ((st = bv_store_audit_state(s, &state)) != BV_OK)
        goto out;
    if (bv_merkle_frontier_decode(stored, state.p, state.len) != BV_OK || stored->size != c.f.size
        || memcmp(stored, &c.f, sizeof *stored) != 0) {
        bv_err_clear();
        st = bv_fail(BV_EINTEGRITY,
            "audit entries after %llu are missing or changed "
            "(the tree state records %llu entries)",
            (unsigned long long)c.n, (unsigned long long)stored->size);
        goto out;
    }
    if ((st = check_stored(&c, &l, next, rep)) != BV_OK)
        goto out;
    st = check_given(s, &c, ext, next, ext_size, ext_root, rep);
out:
    if (c.b)
        bv_buf_free(&c.b->leaves);
    free(c.b);
    free(stored);
    free(ext_size);
    free(ext_root);
    free(c.cps);
    free(l.off);
    free(l.len);
    free(l.size);
    bv_buf_free(&l.notes);
    bv_buf_free(&state);
    return st;
}

bv_status
bv_audit_root(bv_store *s, uint64_t n, uint8_t root[32])
{
    if (n == 0) {
        bv_merkle_empty_root(root);
        return BV_OK;
    }
    return bv_merkle_root(leaf_cb, s, n, root);
}

bv_status
bv_audit_checkpoint_text(
    bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], bv_buf *text, uint64_t *size)
{
    bv_merkle_frontier f;
    char origin[44];
    uint8_t root[32];
    bv_buf state;
    bv_status st;

    bv_buf_init(&state);
    if ((st = bv_store_audit_state(s, &state)) != BV_OK)
        goto out;
    if (bv_merkle_frontier_decode(&f, state.p, state.len) != BV_OK) {
        bv_err_clear();
        st = bv_fail(BV_EINTEGRITY, "the audit tree state is damaged");
        goto out;
    }
    bv_merkle_frontier_root(&f, root);
    bv_audit_origin(vault_id, origin);
    *size = f.size;
    st = bv_checkpoint_format(origin, f.size, root, text);
out:
    bv_buf_free(&state);
    return st;
}

bv_status
bv_audit_prove(bv_store *s, uint64_t seq, uint64_t size, uint8_t leaf_hash[32], uint8_t root[32],
    uint8_t proof[][32], size_t *plen)
{
    uint64_t n;
    bv_status st;

    if ((st = bv_store_audit_count(s, &n)) != BV_OK)
        return st;
    if (seq == 0 || seq > n)
        return bv_fail(BV_ENOTFOUND, "no audit entry %llu (the log has %llu)",
            (unsigned long long)seq, (unsigned long long)n);
    if (size == 0)
        size = n;
    if (size > n)
        return bv_fail(BV_ENOTFOUND, "the log has only %llu entries", (unsigned long long)n);
    if (seq > size)
        return bv_fail(BV_EUSAGE, "entry %llu is not in a tree of size %llu",
            (unsigned long long)seq, (unsigned long long)size);
    if ((st = bv_store_audit_leaf_hash(s, seq - 1, leaf_hash)) != BV_OK
        || (st = bv_audit_root(s, size, root)) != BV_OK
        || (st = bv_merkle_inclusion_proof(leaf_cb, s, seq - 1, size, proof, plen)) != BV_OK)
        return st;
    /* never print a proof we would not accept ourselves */
    return bv_merkle_verify_inclusion(
        seq - 1, size, leaf_hash, BV_MERKLE_CPROOF(proof), *plen, root);
}

bv_status
bv_audit_consistency(bv_store *s, uint64_t m, uint64_t n, uint8_t root1[32], uint8_t root2[32],
    uint8_t proof[][32], size_t *plen)
{
    uint64_t count;
    bv_status st;

    if ((st = bv_store_audit_count(s, &count)) != BV_OK)
        return st;
    if (m == 0 || m > n)
        return bv_fail(BV_EUSAGE, "consistency needs 0 < OLD <= NEW");
    if (n > count)
        return bv_fail(BV_ENOTFOUND, "the log has only %llu entries", (unsigned long long)count);
    *plen = 0;
    if ((st = bv_audit_root(s, m, root1)) != BV_OK || (st = bv_audit_root(s, n, root2)) != BV_OK)
        return st;
    if (m == n)
        return BV_OK;
    if ((st = bv_merkle_consistency_proof(leaf_cb, s, m, n, proof, plen)) != BV_OK)
        return st;
    return bv_merkle_verify_consistency(m, n, root1, root2, BV_MERKLE_CPROOF(proof), *plen);
}

bv_status
bv_audit_entry_check(const uint8_t vault_id[BV_VAULT_ID_LEN], const uint8_t *leaf, size_t len,
    bv_audit_fields *f, bv_status (*key_of)(void *, const char *, uint8_t[32]), void *ctx)
{
    parsed_entry e;
    bv_note_verifier nv;
    bv_buf kn;
    char origin[44];
    size_t tl;
    int ok = 0;
    bv_status st = BV_EINTEGRITY;

    bv_buf_init(&kn);
    memset(f, 0, sizeof *f);
    bv_audit_origin(vault_id, origin);
    if (parse_entry(leaf, len, &e) != BV_OK || strcmp(e.v[F_LOG], origin) != 0 || !e.has_sig
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
    parsed_free(&e);
    bv_buf_free(&kn);
    return st;
}

/* ---- extending a remembered head ---- */

struct extend {
    const uint8_t *vid;
    char origin[44];
    bv_merkle_frontier *f;
    const bv_merkle_frontier *seen;
    uint8_t root[32];
    bv_status (*fn)(void *, const uint8_t *, size_t, const bv_audit_fields *);
    void *ctx;
};

static bv_status
extend_cb(void *ctx, const bv_audit_row *r)
{
    struct extend *x = ctx;
    parsed_entry e;
    bv_audit_fields fl;
    char want[24 + 64], b64[64];
    uint64_t next = x->f->size + 1;
    uint8_t lh[32];
    bv_status st;

    if ((uint64_t)r->seq != next)
        return bv_fail(BV_EINTEGRITY, "audit entry %llu is missing (the next one stored is %lld)",
            (unsigned long long)next, (long long)r->seq);
    if (parse_entry(r->leaf, r->leaf_len, &e) != BV_OK) {
        parsed_free(&e);
        return bv_fail(BV_EINTEGRITY, "audit entry %llu is malformed", (unsigned long long)next);
    }
    sodium_bin2base64(b64, sizeof b64, x->root, 32, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, "%llu %s", (unsigned long long)x->f->size, b64);
    if (strcmp(e.v[F_LOG], x->origin) != 0 || strtoull(e.v[F_SEQ], NULL, 10) != next
        || strcmp(e.v[F_PREV], want) != 0) {
        parsed_free(&e);
        return bv_fail(BV_EINTEGRITY,
            "audit entry %llu does not follow the log before it (another vault's, moved, or "
            "the history before it changed)",
            (unsigned long long)next);
    }
    memset(&fl, 0, sizeof fl);
    snprintf(fl.actor, sizeof fl.actor, "%s", e.v[F_ACTOR]);
    snprintf(fl.action, sizeof fl.action, "%s", e.v[F_ACTION]);
    snprintf(fl.board, sizeof fl.board, "%s", e.v[F_BOARD]);
    snprintf(fl.item, sizeof fl.item, "%s", e.v[F_ITEM]);
    snprintf(fl.outcome, sizeof fl.outcome, "%s", e.v[F_OUTCOME]);
    snprintf(fl.reason, sizeof fl.reason, "%s", e.v[F_REASON]);
    fl.seq = (int64_t)next;
    fl.is_signed = e.has_sig && strcmp(e.v[F_AUTH], "signed") == 0;
    parsed_free(&e);
    bv_merkle_leaf_hash(lh, r->leaf, r->leaf_len);
    if ((st = bv_merkle_frontier_append(x->f, lh)) != BV_OK)
        return st;
    bv_merkle_frontier_root(x->f, x->root);
    if (x->seen && x->seen->size == x->f->size) {
        uint8_t seen_root[32];
        bv_merkle_frontier_root(x->seen, seen_root);
        if (sodium_memcmp(seen_root, x->root, 32) != 0)
            return bv_fail(BV_EINTEGRITY,
                "its first %llu entries are not those this client verified (the history was "
                "changed)",
                (unsigned long long)x->f->size);
    }
    return x->fn ? x->fn(x->ctx, r->leaf, r->leaf_len, &fl) : BV_OK;
}

bv_status
bv_audit_extend(bv_store *s, const uint8_t vault_id[BV_VAULT_ID_LEN], bv_merkle_frontier *f,
    const bv_merkle_frontier *seen,
    bv_status (*fn)(void *, const uint8_t *, size_t, const bv_audit_fields *), void *ctx)
{
    struct extend x = { .vid = vault_id, .f = f, .seen = seen, .fn = fn, .ctx = ctx };
    bv_merkle_frontier *stored = NULL;
    bv_buf state;
    uint8_t sroot[32];
    uint64_t n;
    bv_status st;

    bv_buf_init(&state);
    bv_audit_origin(vault_id, x.origin);
    bv_merkle_frontier_root(f, x.root);
    if ((st = bv_store_audit_last_seq(s, &n)) != BV_OK)
        goto out;
    if (n < f->size || (seen && n < seen->size)) {
        st = bv_fail(BV_EINTEGRITY,
            "the log now holds %llu entries: entries were removed, or the vault was replaced by "
            "an older copy",
            (unsigned long long)n);
        goto out;
    }
    if (seen && seen->size < f->size)
        x.seen = NULL; /* already past it */
    if ((st = bv_store_audit_after(s, f->size, extend_cb, &x)) != BV_OK)
        goto out;
    /* the rows after the head are all accounted for; the stored tree state,
     * from which the next entry's prev is written, must be this same head */
    if ((stored = malloc(sizeof *stored)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory");
        goto out;
    }
    if ((st = bv_store_audit_state(s, &state)) != BV_OK)
        goto out;
    if (state.len == 0)
        bv_merkle_frontier_init(stored);
    else if (bv_merkle_frontier_decode(stored, state.p, state.len) != BV_OK)
        stored->size = UINT64_MAX;
    if (stored->size != UINT64_MAX)
        bv_merkle_frontier_root(stored, sroot);
    if (stored->size != f->size || sodium_memcmp(sroot, x.root, 32) != 0)
        st = bv_fail(BV_EINTEGRITY,
            "the stored tree state does not match the log's %llu entries (the history was "
            "changed)",
            (unsigned long long)f->size);
out:
    free(stored);
    bv_buf_free(&state);
    return st;
}
