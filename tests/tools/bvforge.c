/*
 * bvforge.c - the insider of the end-to-end tests: someone who can write
 * the vault file and knows one person's passphrase (their own, say), and
 * so can append audit entries of any content that person's key signs,
 * with a correct prev chain and tree state, as a modified client would.
 *
 *   bvforge VAULT NAME ACTION BOARD ITEM OUTCOME REASON    passphrase on fd 3
 *
 * "-" for BOARD, ITEM or REASON means none. Prints the new entry's seq.
 * Test-only: never built into boardvault, never installed.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_audit.h"
#include "bv_pass.h"
#include "bv_vault_int.h"

#include <stdio.h>
#include <string.h>

static const char *
opt(const char *s)
{
    return strcmp(s, "-") == 0 ? NULL : s;
}

int
main(int argc, char **argv)
{
    bv_secret pass = { 0 };
    bv_vault *v = NULL;
    bv_actor *a = NULL;
    bv_audit_event ev;
    uint64_t n = 0;
    char note[256];
    bv_status st;

    if (argc != 8) {
        fprintf(stderr, "usage: bvforge VAULT NAME ACTION BOARD ITEM OUTCOME REASON\n");
        return 2;
    }
    if ((st = bv_crypto_init()) != BV_OK
        || (st = bv_vault_open(argv[1], 0, NULL, note, &v)) != BV_OK
        || (st = bv_pass_read(3, NULL, 0, &pass)) != BV_OK
        || (st = bv_vault_unlock(v, argv[2], &pass, BV_ACT_OPEN, NULL, &a)) != BV_OK)
        goto out;
    memset(&ev, 0, sizeof ev);
    ev.actor = a->row.name;
    ev.actor_fp = a->fp;
    if ((ev.action = bv_audit_act_parse(argv[3])) == BV_ACT_NONE) {
        st = bv_fail(BV_EUSAGE, "no such action: %s", argv[3]);
        goto out;
    }
    ev.board = opt(argv[4]);
    ev.item = opt(argv[5]);
    ev.outcome = argv[6];
    ev.reason = opt(argv[7]);
    if ((st = bv_store_begin(bv_vault_store(v))) != BV_OK)
        goto out;
    if ((st = bv_audit_append(bv_vault_store(v), bv_vault_id(v), &ev, a->keys)) != BV_OK
        || (st = bv_store_audit_count(bv_vault_store(v), &n)) != BV_OK) {
        bv_store_rollback(bv_vault_store(v));
        goto out;
    }
    st = bv_store_commit(bv_vault_store(v));
    if (st == BV_OK)
        printf("%llu\n", (unsigned long long)n);
out:
    if (st != BV_OK)
        fprintf(stderr, "bvforge: %s\n", bv_errmsg());
    bv_secret_free(&pass);
    bv_actor_free(a);
    bv_vault_close(v);
    return (int)st;
}
