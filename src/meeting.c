/*
 * meeting.c - minutes import and sealing onto the agenda (see
 * include/bv_meeting.h).
 */
#include "bv_meeting.h"
#include "bv_vault_int.h"
#include "bv_format.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A restricted body found in an imported document is sealed straight from
 * memory: a thread writes it into a pipe that the sealing code reads like
 * any input. The bytes pass through a kernel pipe buffer, never a file.
 */
struct feeder {
    int fd;
    const uint8_t *p;
    size_t len;
};

static void *
feed(void *arg)
{
    struct feeder *f = arg;
    size_t off = 0;
    ssize_t n;

    while (off < f->len) {
        n = write(f->fd, f->p + off, f->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the reader gave up: EPIPE */
        off += (size_t)n;
    }
    close(f->fd);
    return NULL;
}

static bv_status
seal_memory(bv_vault *v, bv_actor *o, const bv_board_row *b, const uint8_t *bk, const uint8_t *p,
    size_t len, const char *title, const bv_item_link *link, char uid[BV_UID_LEN + 1])
{
    struct feeder f;
    pthread_t t;
    int fds[2];
    bv_status st;

    if (pipe(fds) != 0)
        return bv_fail(BV_ERR, "cannot make a pipe: %s", strerror(errno));
    f.fd = fds[1];
    f.p = p;
    f.len = len;
    if (pthread_create(&t, NULL, feed, &f) != 0) {
        close(fds[0]);
        close(fds[1]);
        return bv_fail(BV_ERR, "cannot start a thread");
    }
    st = bv_item_seal_tx(v, o, b->name, fds[0], title, NULL, 0, link, NULL, bk, b->epoch, uid);
    close(fds[0]); /* unblocks the writer if sealing stopped early */
    pthread_join(t, NULL);
    return st;
}

/*
 * Whether doc was imported for the board before: its hash under each of
 * the board's minutes keys, looked up among the meetings hashed with that
 * key (a handful of keys: one per epoch that imported minutes). Leaves
 * the newest key in mk and its generation in *gen (0 when the board has
 * none yet). A row that does not unwrap for the current epoch is refused,
 * never skipped: skipping it would forget the documents it recognises.
 */
static bv_status
find_document(bv_vault *v, const bv_board_row *b, const uint8_t *bk, const uint8_t *doc, size_t len,
    uint8_t *mk, int64_t *gen, int64_t *meeting_id)
{
    bv_store *s = bv_vault_store(v);
    bv_minutes_key_row *rows = NULL;
    uint8_t hash[32];
    size_t n, i;
    bv_status st;

    *gen = 0;
    if ((st = bv_store_minutes_keys(s, b->id, &rows, &n)) != BV_OK)
        return st;
    st = BV_ENOTFOUND;
    for (i = 0; i < n && st == BV_ENOTFOUND; i++) {
        /* a key made in a later epoch than the board's cannot be real */
        if (rows[i].gen < 1 || rows[i].gen > b->epoch) {
            st = bv_fail(BV_EINTEGRITY, "minutes key %lld of board %s is not of an epoch so far",
                (long long)rows[i].gen, b->name);
            break;
        }
        if ((st = bv_fmt_minutes_key_unwrap(bv_vault_id(v), b->name, rows[i].gen, b->epoch, bk,
                 rows[i].wrapped, rows[i].wlen, mk))
            != BV_OK)
            break;
        *gen = rows[i].gen;
        bv_fmt_minutes_hash(hash, mk, doc, len);
        st = bv_store_meeting_find(s, b->id, rows[i].gen, hash, meeting_id);
    }
    free(rows);
    return st;
}

/*
 * The key a new meeting is hashed with: the board's key of the current
 * epoch, made now if this is the epoch's first import (*gen, the newest
 * generation, is then older or 0). An officer removed since an older key
 * was made may have kept it; no one removed has held this one, so they
 * cannot test guesses of documents imported after they left.
 */
static bv_status
current_key(bv_vault *v, const bv_board_row *b, const uint8_t *bk, uint8_t *mk, int64_t *gen)
{
    bv_buf out;
    bv_status st;

    if (*gen == b->epoch)
        return BV_OK;
    bv_buf_init(&out);
    randombytes_buf(mk, 32);
    if ((st = bv_fmt_minutes_key_wrap(bv_vault_id(v), b->name, b->epoch, b->epoch, bk, mk, &out))
        != BV_OK)
        goto out;
    if ((st = bv_store_minutes_key_set(
             bv_vault_store(v), b->id, b->epoch, b->epoch, out.p, out.len))
        != BV_OK)
        goto out;
    *gen = b->epoch;
out:
    bv_buf_free(&out);
    return st;
}

void
bv_import_result_free(bv_import_result *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

bv_status
bv_meeting_import(bv_vault *v, bv_actor *o, const char *board, const uint8_t *doc, size_t len,
    const bv_meeting *m, bv_import_result *r)
{
    bv_store *s = bv_vault_store(v);
    bv_board_row b, bnow;
    uint8_t *bk = NULL, *mk = NULL, hash[32];
    char mid[24], reason[96];
    int64_t gen;
    size_t i;
    bv_status st;
    int in_tx = 0;

    memset(r, 0, sizeof *r);
    if ((st = bv_name_check("board", board)) != BV_OK)
        return st;
    if ((bk = bv_key_alloc()) == NULL || (mk = bv_key_alloc()) == NULL) {
        st = bv_fail(BV_ERR, "out of secure memory");
        goto out;
    }
    /* the board key proves the importer is an officer of the board; it is
     * fetched before the write begins (a server that keeps the record
     * releases it, logged, only to a transaction that has written
     * nothing), and the board's epoch is read again inside, where the
     * minutes keys are read and a new one may be stored: a rotation in
     * between is refused, not imported under an old key */
    if ((st = bv_store_board_get(s, board, &b)) != BV_OK)
        goto out;
    if ((st = bv_vault_board_key(v, o, &b, bk)) != BV_OK) {
        if (st == BV_EPERM)
            st = bv_vault_refuse(v, o, BV_ACT_MINUTES_IMPORT, board, st, "not-an-officer");
        goto out;
    }
    if ((st = bv_vault_begin(v)) != BV_OK)
        goto out;
    in_tx = 1;
    if ((st = bv_store_board_get(s, board, &bnow)) != BV_OK)
        goto out;
    if (bnow.id != b.id || bnow.epoch != b.epoch) {
        st = bv_fail(BV_ERR,
            "the key of board %s was rotated meanwhile; nothing was imported: import again", board);
        goto out;
    }
    st = find_document(v, &b, bk, doc, len, mk, &gen, &r->meeting_id);
    if (st == BV_OK) {
        r->duplicate = 1;
        goto out;
    }
    if (st != BV_ENOTFOUND || (st = current_key(v, &b, bk, mk, &gen)) != BV_OK)
        goto out;
    bv_fmt_minutes_hash(hash, mk, doc, len);
    if ((st = bv_store_meeting_add(s, b.id, gen, hash, m, o->row.name, &r->meeting_id)) != BV_OK)
        goto out;
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        bv_item_link link = { r->meeting_id, it->ordinal, it->number ? it->number : it->ordinal };
        bv_import_sealed *sl;
        r->restricted += it->restricted != 0;
        if (!it->restricted || it->restricted_body == NULL)
            continue;
        if ((sl = bv_grow(&r->body, &r->sealed, &r->body_cap, sizeof *r->body)) == NULL) {
            st = BV_ERR;
            goto out;
        }
        sl->number = link.agenda_no;
        if ((st = seal_memory(v, o, &b, bk, it->restricted_body, it->restricted_body_len, it->title,
                 &link, sl->uid))
            != BV_OK)
            goto out;
    }
    snprintf(mid, sizeof mid, "%lld", (long long)r->meeting_id);
    snprintf(reason, sizeof reason, "%zu items, %zu restricted, %zu sealed", m->nitems,
        r->restricted, r->sealed);
    {
        bv_audit_event ev = { .actor = o->row.name,
            .actor_fp = o->fp,
            .action = BV_ACT_MINUTES_IMPORT,
            .board = board,
            .meeting = mid,
            .outcome = "ok",
            .reason = reason };
        if ((st = bv_audit_append(s, bv_vault_id(v), &ev, o->keys)) != BV_OK)
            goto out;
    }
    st = bv_store_commit(s);
    in_tx = 0;
out:
    if (in_tx)
        bv_store_rollback(s);
    bv_key_free(bk);
    bv_key_free(mk);
    return st;
}

bv_status
bv_meeting_seal(bv_vault *v, bv_actor *o, const char *board, int64_t meeting_id, int agenda_no,
    int fd, char *const *grantees, size_t ngrantees, char uid[BV_UID_LEN + 1])
{
    bv_meeting_row mr;
    const bv_agenda_item *it;
    bv_item_link link;
    size_t k;
    bv_status st;

    if ((st = bv_store_meeting_load(bv_vault_store(v), meeting_id, &mr)) != BV_OK)
        return st;
    if (strcmp(mr.board, board) != 0) {
        st = bv_fail(BV_EUSAGE, "meeting %lld belongs to board %s, not %s", (long long)meeting_id,
            mr.board, board);
        goto out;
    }
    if ((it = bv_minutes_item(mr.m, agenda_no)) == NULL) {
        st = bv_fail(
            BV_ENOTFOUND, "meeting %lld has no agenda item %d", (long long)meeting_id, agenda_no);
        goto out;
    }
    k = (size_t)(it - mr.m->items);
    if (!it->restricted) {
        st = bv_fail(BV_EUSAGE, "agenda item %d is open minutes, not a restricted item", agenda_no);
        goto out;
    }
    if (mr.uids[k][0]) {
        st = bv_fail(
            BV_EUSAGE, "agenda item %d already has a sealed body (item %s)", agenda_no, mr.uids[k]);
        goto out;
    }
    link.meeting_id = meeting_id;
    link.ordinal = it->ordinal;
    link.agenda_no = agenda_no;
    st = bv_item_seal(v, o, board, fd, it->title, grantees, ngrantees, &link, NULL, uid);
out:
    bv_meeting_row_free(&mr);
    return st;
}
