/*
 * cmd_copy.c - `vault copy SRC DST`: a vault moved between a file and a
 * server (either way, or alike). SRC is opened as `audit verify` opens
 * the vault; the domain (vault_copy.c) verifies it, copies it and
 * verifies the copy. No passphrase: what moves is ciphertext and signed
 * records.
 */
#include "bv_cli.h"

#include <stdio.h>

static const bv_opt copy_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };

int
bv_cmd_vault_copy(bv_run *r, int argc, char **argv)
{
    bv_vault_copy_report rep;
    bv_cli_opts o;
    char *pos[2];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, copy_opts, &o, NULL, NULL, pos, 2, 2, &npos, "vault", "copy"))
        != BV_CLI_GO)
        return rc;
    /* SRC is the vault this run opens, whatever --vault said */
    r->g->vault = pos[0];
    if ((st = bv_run_vault(r)) != BV_OK
        || (st = bv_vault_copy(r->v, pos[1], r->g->trust, &rep)) != BV_OK)
        return bv_cli_error(st);
    if (o.json) {
        bv_buf b;
        bv_buf_init(&b);
        bv_buf_puts(&b, "{\"source\": ");
        bv_json_str(&b, pos[0]);
        bv_buf_puts(&b, ", \"copy\": ");
        bv_json_str(&b, pos[1]);
        bv_buf_printf(&b,
            ", \"size\": %llu, \"source_size\": %llu, \"rows\": %llu, \"checkpoints\": %llu, "
            "\"verified\": true}\n",
            (unsigned long long)rep.dst.size, (unsigned long long)rep.src.size,
            (unsigned long long)rep.rows, (unsigned long long)rep.dst.checkpoints);
        return bv_cli_put(&b);
    }
    printf("copied ");
    bv_cli_print_safe(pos[0]);
    printf(" to ");
    bv_cli_print_safe(pos[1]);
    printf(": %llu audit entries and %llu stored checkpoints verified in the copy\n",
        (unsigned long long)rep.dst.size, (unsigned long long)rep.dst.checkpoints);
    return 0;
}
