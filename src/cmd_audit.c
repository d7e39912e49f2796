/*
 * cmd_audit.c - audit log (the auditor's commands grow here).
 */
#define _GNU_SOURCE
#include "bv_cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_BOARD = 100, OPT_ITEM, OPT_MEMBER, OPT_ACTION, OPT_OUTCOME, OPT_SINCE, OPT_UNTIL };

static const bv_opt log_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { "--csv", 0, OPT_CSV }, { "--board", 1, OPT_BOARD },
    { "--item", 1, OPT_ITEM }, { "--member", 1, OPT_MEMBER }, { "--action", 1, OPT_ACTION },
    { "--outcome", 1, OPT_OUTCOME }, { "--since", 1, OPT_SINCE }, { "--until", 1, OPT_UNTIL },
    { NULL, 0, 0 } };

struct logview {
    int json, csv, n;
};

static void
local_time(const char *utc, char out[32])
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof tm);
    if (strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL || (t = timegm(&tm)) == (time_t)-1
        || localtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, 32, "%s", utc);
}

static void
csv_field(const char *s, int last)
{
    const char *p;

    putchar('"');
    for (p = s; *p; p++) {
        if (*p == '"')
            putchar('"');
        putchar(*p);
    }
    putchar('"');
    putchar(last ? '\n' : ',');
}

static bv_status
log_cb(void *ctx, const bv_audit_row *e)
{
    struct logview *l = ctx;
    const char *f[] = { e->time, e->actor, e->actor_fp, e->action, e->board, e->item, e->meeting,
        e->agenda, e->outcome, e->reason };
    static const char *names[] = { "time", "actor", "actor_key", "action", "board", "item",
        "meeting", "agenda", "outcome", "reason" };
    char lt[32];
    size_t i;

    if (l->json) {
        bv_buf b;
        bv_buf_init(&b);
        bv_buf_printf(&b, "%s  {\"seq\": %lld", l->n++ ? ",\n" : "", (long long)e->seq);
        for (i = 0; i < sizeof f / sizeof f[0]; i++) {
            bv_buf_printf(&b, ", \"%s\": ", names[i]);
            bv_json_str(&b, f[i]);
        }
        bv_buf_puts(&b, "}");
        if (!b.oom)
            fwrite(b.p, 1, b.len, stdout);
        bv_buf_free(&b);
        return BV_OK;
    }
    if (l->csv) {
        printf("%lld,", (long long)e->seq);
        for (i = 0; i < sizeof f / sizeof f[0]; i++)
            csv_field(f[i], i + 1 == sizeof f / sizeof f[0]);
        return BV_OK;
    }
    local_time(e->time, lt);
    printf("%6lld  %-19s  %-16.16s  %-12s  %-8s  ", (long long)e->seq, lt, e->actor, e->action,
        e->outcome);
    bv_cli_print_safe(*e->board ? e->board : "-");
    printf("  %s  ", *e->item ? e->item : "-");
    bv_cli_print_safe(*e->reason ? e->reason : "");
    printf("\n");
    return BV_OK;
}

int
bv_cmd_audit_log(bv_cli *g, int argc, char **argv)
{
    bv_audit_filter f;
    struct logview l;
    bv_cli_opts o;
    bv_optres ex[64];
    bv_vault *v = NULL;
    char *pos[1];
    size_t npos, nex, i;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, log_opts, &o, ex, &nex, pos, 0, 0, &npos, "audit", "log"))
        != BV_CLI_GO)
        return rc;
    memset(&f, 0, sizeof f);
    for (i = 0; i < nex; i++) {
        switch (ex[i].id) {
        case OPT_BOARD:
            f.board = ex[i].val;
            break;
        case OPT_ITEM:
            f.item = ex[i].val;
            break;
        case OPT_MEMBER:
            f.actor = ex[i].val;
            break;
        case OPT_ACTION:
            f.action = ex[i].val;
            break;
        case OPT_OUTCOME:
            f.outcome = ex[i].val;
            break;
        case OPT_SINCE:
            f.since = ex[i].val;
            break;
        case OPT_UNTIL:
            f.until = ex[i].val;
            break;
        default:
            break;
        }
    }
    if (f.outcome && strcmp(f.outcome, "ok") != 0 && strcmp(f.outcome, "denied") != 0
        && strcmp(f.outcome, "failed") != 0)
        return bv_cli_usage("--outcome must be ok, denied or failed");
    if (o.json && o.csv)
        return bv_cli_usage("choose one of --json and --csv");
    memset(&l, 0, sizeof l);
    l.json = o.json;
    l.csv = o.csv;
    if ((st = bv_cli_vault(g, 1, &v)) != BV_OK)
        return bv_cli_error(st);
    if (l.json)
        printf("[\n");
    else if (l.csv)
        printf("seq,time,actor,actor_key,action,board,item,meeting,agenda,outcome,reason\n");
    else
        printf("%6s  %-19s  %-16s  %-12s  %-8s  %s\n", "SEQ", "TIME (local)", "ACTOR", "ACTION",
            "OUTCOME", "BOARD  ITEM  REASON");
    st = bv_store_audit_each(bv_vault_store(v), &f, log_cb, &l);
    if (l.json)
        printf("%s]\n", l.n ? "\n" : "");
    bv_vault_close(v);
    return st == BV_OK ? 0 : bv_cli_error(st);
}
