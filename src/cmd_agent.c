/*
 * cmd_agent.c - unlock and lock: start an agent that holds one person's
 * keys for a while (bv_agent.h), and end it. The agent itself is a
 * domain/crypto module; these commands only parse, unlock and say what
 * happened.
 */
#define _GNU_SOURCE
#include "bv_agent.h"
#include "bv_cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_FOR = 100 };

static const bv_opt unlock_opts[] = { BV_COMMON_OPTS, { "--for", 1, OPT_FOR }, { NULL, 0, 0 } };
static const bv_opt lock_opts[]
    = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP }, { "--as", 1, OPT_AS }, { NULL, 0, 0 } };

/* "90s", "15m", "1h" (or plain seconds) into seconds, 1 s to the maximum. */
static bv_status
duration(const char *s, uint32_t *out)
{
    char num[16];
    size_t n = strlen(s);
    uint32_t v, mul = 1;

    if (n == 0 || n >= sizeof num)
        return bv_fail(BV_EUSAGE, "--for needs a duration such as 90s, 15m or 1h");
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 's':
        num[--n] = '\0';
        break;
    case 'm':
        mul = 60;
        num[--n] = '\0';
        break;
    case 'h':
        mul = 3600;
        num[--n] = '\0';
        break;
    default:
        break;
    }
    if (n == 0 || bv_cli_uint("--for", num, 1, BV_AGENT_MAX_SECS, &v) != BV_OK
        || v > BV_AGENT_MAX_SECS / mul) {
        bv_err_clear();
        return bv_fail(BV_EUSAGE, "--for takes a duration from 1s to %uh (such as 90s, 15m, 1h)",
            BV_AGENT_MAX_SECS / 3600);
    }
    *out = v * mul;
    return BV_OK;
}

int
bv_cmd_unlock(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    bv_agent_info info;
    uint32_t secs = BV_AGENT_DEFAULT_SECS;
    char *pos[1], when[32];
    size_t npos, nex, i;
    struct tm tm;
    time_t t;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, unlock_opts, &o, ex, &nex, pos, 0, 0, &npos, NULL, "unlock"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++)
        if (ex[i].id == OPT_FOR && duration(ex[i].val, &secs) != BV_OK)
            return bv_cli_error(BV_EUSAGE);
    if (o.as == NULL)
        return bv_cli_usage("unlock needs --as NAME");
    /* the runtime directory is checked before the passphrase is asked */
    if ((st = bv_name_check("member", o.as)) != BV_OK || (st = bv_agent_ready()) != BV_OK
        || (st = bv_run_vault(r)) != BV_OK || (st = bv_run_unlock(r, &o, NULL)) != BV_OK
        || (st = bv_agent_start(bv_vault_id(r->v), o.as, r->a->keys, secs, &info)) != BV_OK)
        return bv_cli_error(st);
    t = (time_t)info.expires;
    if (localtime_r(&t, &tm) == NULL || strftime(when, sizeof when, "%H:%M:%S", &tm) == 0)
        snprintf(when, sizeof when, "in %us", secs);
    printf("unlocked ");
    bv_cli_print_safe(o.as);
    printf(" until %s (agent pid %u; `boardvault lock` ends it sooner)\n", when, info.pid);
    return 0;
}

static void
say_locked(void *ctx, const bv_agent_info *info)
{
    (void)ctx;
    printf("locked ");
    bv_cli_print_safe(info->name);
    printf(" (agent pid %u): keys wiped\n", info->pid);
}

int
bv_cmd_lock(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    char *pos[1];
    size_t npos, n;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, lock_opts, &o, NULL, NULL, pos, 0, 0, &npos, NULL, "lock"))
        != BV_CLI_GO)
        return rc;
    if (o.as && (st = bv_name_check("member", o.as)) != BV_OK)
        return bv_cli_error(st);
    if ((st = bv_run_vault(r)) != BV_OK
        || (st = bv_agent_lock(bv_vault_id(r->v), o.as, say_locked, NULL, &n)) != BV_OK)
        return bv_cli_error(st);
    if (n == 0) {
        if (o.as) {
            printf("nothing to lock: ");
            bv_cli_print_safe(o.as);
            printf(" is not unlocked in this vault\n");
        } else {
            printf("nothing to lock: no one is unlocked in this vault\n");
        }
    }
    return 0;
}
