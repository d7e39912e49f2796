/*
 * audit_verify.c - `audit verify`: the whole log checked from its first
 * entry, each signature against the certified keys, the chain of "prev"
 * lines and sequence numbers, the Merkle tree rebuilt and compared with
 * the stored state, then every stored and given checkpoint (docs/AUDIT.md).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_audit_int.h"
#include "bv_merkle.h"
#include "bv_note.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    const bv_progress *progress; /* entries checked of total */
    uint64_t total;
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

/* The leaf says where it sits: this vault, its seq, and the root of
 * everything before it. */
static bv_status
place_check(struct vctx *c, const bv_audit_parsed *e)
{
    uint8_t root[32];
    char rootb64[64], want[96], seq[24];

    snprintf(seq, sizeof seq, "%llu", (unsigned long long)c->n);
    bv_merkle_frontier_root(&c->f, root);
    sodium_bin2base64(rootb64, sizeof rootb64, root, 32, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, "%llu %s", (unsigned long long)(c->n - 1), rootb64);
    if (strcmp(e->v[F_LOG], c->origin) != 0)
        return bad(c->n, "belongs to another vault");
    if (strcmp(e->v[F_SEQ], seq) != 0)
        return bad(c->n, "its signed sequence number differs (moved or renumbered)");
    if (strcmp(e->v[F_PREV], want) != 0)
        return bad(c->n,
            "the history before it differs (an earlier entry was changed, "
            "removed, inserted or reordered)");
    return BV_OK;
}

/* The columns shown to auditors must say what was signed. */
static bv_status
columns_check(const struct vctx *c, const bv_audit_row *r, const bv_audit_parsed *e)
{
    const char *cols[BV_AUDIT_NFIELDS] = { NULL };
    char want[96];
    size_t i;

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
        if (i == F_AUTH || strcmp(cols[i], e->v[i]) == 0)
            continue;
        snprintf(want, sizeof want, "its %s column differs from the signed entry",
            bv_audit_field_names[i]);
        return bad(c->n, want);
    }
    return BV_OK;
}

/* A signed entry goes to the signature batch if a certified key of its
 * actor's (or, for what concerns only them, a pending member's own key)
 * may have signed it; an unsigned one may only record a refusal. */
static bv_status
auth_check(struct vctx *c, const bv_audit_row *r, const bv_audit_parsed *e)
{
    const bv_audit_key *k;
    size_t q;
    int self, any = 0;

    if (strcmp(e->v[F_AUTH], "none") == 0) {
        if (e->has_sig)
            return bad(c->n, "marked unsigned but carries a signature block");
        if (strcmp(e->v[F_OUTCOME], "ok") == 0)
            return bad(c->n, "an unsigned entry claims a successful action");
        c->rep->unsigned_entries++;
        return BV_OK;
    }
    if (strcmp(e->v[F_AUTH], "signed") != 0)
        return bad(c->n, "its auth field is neither signed nor none");
    if (!e->has_sig)
        return bad(c->n, "marked signed but carries no signature");
    /* their enrolment and the re-wrapping of their own keys */
    self = strcmp(e->v[F_ACTION], "enroll") == 0 || strcmp(e->v[F_ACTION], "passwd") == 0
        || strcmp(e->v[F_ACTION], "kdf-upgrade") == 0;
    k = bv_audit_keyring_find(c->kr, e->v[F_ACTOR]);
    for (q = 0; k && q < c->kr->n; q++)
        any |= c->kr->k[q].certified && strcmp(c->kr->k[q].name, k->name) == 0;
    if (k == NULL || (!any && !self))
        return bad(c->n, "signed by a key that is not certified");
    c->self_ok = self;
    return batch_push(c, r->leaf, r->leaf_len, e->text_len, k);
}

/* After a failure st: an earlier entry's bad signature, still in the
 * batch, is the first thing wrong and the one reported. */
static bv_status
earliest_failure(struct vctx *c, bv_status st)
{
    bv_status early;
    char msg[512];

    if (st == BV_OK || c->b->n == 0)
        return st;
    snprintf(msg, sizeof msg, "%s", bv_errmsg());
    bv_err_clear();
    if (c->b->job[c->b->n - 1].seq == c->n)
        c->b->n--; /* the failing entry itself is not an earlier one */
    if ((early = batch_flush(c)) != BV_OK)
        return early;
    bv_err_clear();
    return bv_fail(st, "%s", msg);
}

static bv_status
verify_entry(void *ctx, const bv_audit_row *r)
{
    struct vctx *c = ctx;
    bv_audit_parsed e;
    uint8_t lh[32];
    bv_status st;
    size_t i;

    c->n++;
    if (c->n % 1024 == 0)
        bv_progress_tick(c->progress, c->n, c->total);
    if ((uint64_t)r->seq != c->n) {
        if ((uint64_t)r->seq > c->n)
            return bad(c->n, "missing (sequence jumps to a later number)");
        return bad((uint64_t)r->seq, "out of sequence");
    }
    if (bv_audit_parse(r->leaf, r->leaf_len, &e) != BV_OK) {
        bv_audit_parsed_free(&e);
        return bad(c->n, "its signed bytes are malformed");
    }
    if ((st = place_check(c, &e)) != BV_OK || (st = columns_check(c, r, &e)) != BV_OK
        || (st = auth_check(c, r, &e)) != BV_OK)
        goto out;
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
    bv_audit_parsed_free(&e);
    return earliest_failure(c, st);
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
            if ((st = bv_merkle_consistency_proof(
                     bv_audit_leaf_cb, s, ext_size[i], c->n, proof, &plen))
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
    const bv_audit_cp *ext, size_t next, bv_audit_report *rep, const bv_progress *progress)
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
    c.progress = progress;
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
    if (progress && (st = bv_store_audit_count(s, &c.total)) != BV_OK)
        goto out;
    if ((st = bv_store_audit_each(s, NULL, verify_entry, &c)) != BV_OK
        || (st = batch_flush(&c)) != BV_OK)
        goto out;
    bv_progress_tick(progress, c.n, c.total);
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
