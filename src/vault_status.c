/*
 * vault_status.c - `boardvault status`: what a careful user checks before
 * trusting a vault, gathered in one read: which vault and root, how the
 * log stands against the head this client remembers, how old the newest
 * checkpoint is, whether a key record's KDF is below the vault's policy,
 * and what leftover ciphertext waits for a sweep. No key is needed.
 */
#define _DEFAULT_SOURCE /* timegm */
#include "bv_vault_int.h"
#include "bv_format.h"
#include "bv_logview.h"
#include "bv_read.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Seconds since a bv_utc_now time, or -1 if it does not parse. */
static int64_t
age_of(const char *utc)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    if (sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
            &tm.tm_min, &tm.tm_sec)
        != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)(time(NULL) - timegm(&tm));
}

/* The head this client remembers on disk. Opening the vault (this
 * command's too, read-only or not) extends and saves it, so the size is
 * the log's as this command found it and the time is when it last
 * verified; status shows it as the file says, from the file. */
static void
remembered(bv_vault_status_rep *r)
{
    bv_logview *lv = NULL;

    if (bv_logview_load(r->vault_id, &lv) != BV_OK) {
        bv_err_clear();
        return;
    }
    r->seen_size = bv_logview_head(lv)->size;
    snprintf(r->seen_when, sizeof r->seen_when, "%s", bv_logview_when(lv));
    bv_logview_free(lv);
}

static bv_status
person_kdf(bv_vault *v, const char *as, bv_vault_status_rep *r)
{
    bv_person_row p;
    bv_status st;

    if ((st = bv_store_person_get(v->s, as, &p)) == BV_ENOTFOUND)
        return bv_fail(BV_ENOTFOUND, "no member named \"%s\"", as);
    if (st != BV_OK || (st = bv_fmt_secret_params(p.secret, p.secret_len, &r->mine)) != BV_OK)
        return st;
    snprintf(r->as, sizeof r->as, "%s", as);
    r->kdf_below = r->mine.m_kib < r->policy.m_kib || r->mine.t < r->policy.t;
    return BV_OK;
}

bv_status
bv_read_status(bv_vault *v, const char *as, bv_vault_status_rep *r)
{
    bv_store_cp_info cp;
    bv_person_row root;
    bv_status st;

    memset(r, 0, sizeof *r);
    r->cp_age = -1;
    bv_hex(r->vault_id, v->id, BV_VAULT_ID_LEN);
    snprintf(r->root, sizeof r->root, "%s", v->root);
    remembered(r);
    if ((st = bv_vault_kdf_policy(v, &r->policy)) != BV_OK
        || (st = bv_store_begin_read(v->s)) != BV_OK)
        return st;
    if ((st = bv_store_person_get(v->s, v->root, &root)) != BV_OK)
        goto out;
    bv_fingerprint(root.sign_pk, root.box_pk, r->root_fp);
    if ((st = bv_store_audit_count(v->s, &r->log_size)) != BV_OK
        || (st = bv_store_body_counts(v->s, &r->staging, &r->condemned)) != BV_OK
        || (st = bv_store_size(v->s, &r->bytes)) != BV_OK
        || (as && (st = person_kdf(v, as, r)) != BV_OK))
        goto out;
    if ((st = bv_store_checkpoint_latest(v->s, &cp)) == BV_OK) {
        r->cp_size = cp.size;
        snprintf(r->cp_when, sizeof r->cp_when, "%s", cp.created);
        r->cp_age = age_of(cp.created);
    } else if (st == BV_ENOTFOUND) {
        st = BV_OK;
    }
out:
    bv_store_rollback(v->s);
    return st;
}
