/*
 * vault_copy.c - `boardvault vault copy SRC DST`: a vault moved between
 * engines (file -> server and back) as the same vault. The source's whole
 * log is verified first, as `audit verify` does: a vault that fails is
 * not copied. The rows go across in the store (store/copy.c) with the
 * vault id and root they had, so the trust pin and the remembered log
 * head, both kept per vault id, apply to the copy. The copy is then
 * opened as a vault of its own and verified the same way (signatures,
 * certificates, the audit tree, stored checkpoints); only then is it
 * reported. On any failure what was created is removed: DST is complete
 * and verified, or absent.
 */
#include "bv_vault_int.h"

#include <string.h>

/* The whole log of v, as audit verify; an entry without authority fails. */
static bv_status
verify_all(bv_vault *v, const char *which, bv_audit_report *rep)
{
    bv_buf unauth;
    bv_status st;

    bv_buf_init(&unauth);
    if ((st = bv_vault_audit_verify(v, NULL, 0, rep, &unauth)) == BV_OK && unauth.len)
        st = bv_fail(BV_EINTEGRITY,
            "the %s's log holds entries without authority: run audit verify on it", which);
    bv_buf_free(&unauth);
    return st;
}

/* Open the copy as a vault, trusted as the source was, and verify it all. */
static bv_status
verify_copy(const bv_vault *src, const char *dst, const char *trust, bv_vault_copy_report *rep)
{
    bv_vault *c = NULL;
    char note[256];
    bv_status st;

    if ((st = bv_vault_open(dst, BV_OPEN_RO | BV_OPEN_VERIFY, trust, note, &c)) != BV_OK)
        goto out;
    if (memcmp(bv_vault_id(c), bv_vault_id(src), sizeof src->id) != 0) {
        st = bv_fail(BV_EINTEGRITY, "the copy has another vault id than the source");
        goto out;
    }
    if ((st = verify_all(c, "copy", &rep->dst)) != BV_OK)
        goto out;
    /* the source may have grown meanwhile (an open was recorded): never shrunk */
    if (rep->dst.size < rep->src.size)
        st = bv_fail(BV_EINTEGRITY, "the copy's log is shorter than the source's");
out:
    bv_vault_close(c);
    return st;
}

bv_status
bv_vault_copy(bv_vault *src, const char *dst, const char *trust, bv_vault_copy_report *rep)
{
    bv_store *d = NULL;
    bv_status st;

    memset(rep, 0, sizeof *rep);
    if (dst == NULL || *dst == '\0')
        return bv_fail(BV_EUSAGE, "no destination vault given");
    if ((st = verify_all(src, "source", &rep->src)) != BV_OK)
        return st;
    /* refuses an existing file or a database that holds a vault (exit 2) */
    if ((st = bv_store_open(dst, BV_STORE_CREATE, &d)) != BV_OK)
        return st;
    st = bv_store_copy(src->s, d, &rep->rows);
    bv_store_close(d);
    if (st == BV_OK)
        st = verify_copy(src, dst, trust, rep);
    /* the copy's failure is the message (the first recorded wins); a
     * removal that fails too leaves a DST that does not verify */
    if (st != BV_OK)
        (void)bv_store_remove(dst);
    return st;
}
