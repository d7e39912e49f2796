/*
 * cli.c - helpers shared by the command files: option parsing, error
 * printing, opening the vault and unlocking the acting person.
 */
#define _GNU_SOURCE
#include "bv_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void
bv_cli_print_safe(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    for (; *u; u++) {
        if (*u < 0x20 || *u == 0x7f)
            printf("\\x%02x", *u);
        else
            putchar(*u);
    }
}

int
bv_cli_error(bv_status st)
{
    const unsigned char *u = (const unsigned char *)bv_errmsg();

    fputs("boardvault: ", stderr);
    for (; *u; u++) {
        /* names and titles come from the vault: never let them drive the terminal */
        if (*u < 0x20 || *u == 0x7f)
            fprintf(stderr, "\\x%02x", *u);
        else
            fputc(*u, stderr);
    }
    fputc('\n', stderr);
    bv_err_clear();
    return (int)st;
}

int
bv_cli_usage(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bv_err_clear();
    bv_fail(BV_EUSAGE, "%s (see --help)", msg);
    return bv_cli_error(BV_EUSAGE);
}

bv_status
bv_cli_uint(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return bv_fail(BV_EUSAGE, "%s needs a number", opt);
    v = strtoull(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return bv_fail(BV_EUSAGE, "%s must be a number from %u to %u", opt, lo, hi);
    *out = (uint32_t)v;
    return BV_OK;
}

void
bv_cli_opts_init(bv_cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->pass_fd = -1;
    bv_kdf_defaults(&o->kdf);
}

int
bv_cli_common(const bv_optres *r, bv_cli_opts *o)
{
    uint32_t v;

    switch (r->id) {
    case OPT_AS:
        o->as = r->val;
        return 1;
    case OPT_PASSFD:
        if (bv_cli_uint("--passphrase-fd", r->val, 0, 1024, &v) != BV_OK)
            return -1;
        /* checked now, before any file is opened: a closed fd N would
         * otherwise be handed to the next open() and its contents read as
         * the passphrase */
        if (fcntl((int)v, F_GETFD) == -1) {
            bv_fail(BV_EUSAGE, "--passphrase-fd %u: fd %u is not open (give it, e.g. %u<FILE)", v,
                v, v);
            return -1;
        }
        o->pass_fd = (int)v;
        return 1;
    case OPT_NO_AGENT:
        o->no_agent = 1;
        return 1;
    case OPT_JSON:
        o->json = 1;
        return 1;
    case OPT_CSV:
        o->csv = 1;
        return 1;
    case OPT_FORCE:
        o->force = 1;
        return 1;
    case OPT_KDF_M:
        o->kdf_set = 1;
        return bv_cli_uint("--kdf-memory", r->val, 0, UINT32_MAX, &o->kdf.m_kib) == BV_OK ? 1 : -1;
    case OPT_KDF_T:
        o->kdf_set = 1;
        return bv_cli_uint("--kdf-time", r->val, 0, UINT32_MAX, &o->kdf.t) == BV_OK ? 1 : -1;
    case OPT_KDF_P:
        o->kdf_set = 1;
        return bv_cli_uint("--kdf-lanes", r->val, 1, BV_KDF_MAX_P, &o->kdf.p) == BV_OK ? 1 : -1;
    default:
        return 0;
    }
}

bv_status
bv_cli_parse(int argc, char **argv, const bv_opt *opts, bv_optres *res, size_t maxres, size_t *nres,
    char **pos, size_t maxpos, size_t *npos)
{
    int i, only_pos = 0;
    size_t k;

    *nres = *npos = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *eq;
        size_t alen;
        const bv_opt *o = NULL;

        if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
            if (*npos == maxpos)
                return bv_fail(BV_EUSAGE, "unexpected argument \"%.64s\"", a);
            pos[(*npos)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        eq = strchr(a, '=');
        alen = eq ? (size_t)(eq - a) : strlen(a);
        for (k = 0; opts[k].name; k++)
            if (strlen(opts[k].name) == alen && strncmp(opts[k].name, a, alen) == 0)
                o = &opts[k];
        if (o == NULL)
            return bv_fail(BV_EUSAGE, "unknown option %.*s", (int)alen, a);
        if (*nres == maxres)
            return bv_fail(BV_EUSAGE, "too many options");
        /* given twice, which one would count? Only a list may repeat */
        if (o->has_arg != BV_ARG_LIST)
            for (k = 0; k < *nres; k++)
                if (res[k].id == o->id)
                    return bv_fail(BV_EUSAGE, "%s is given twice", o->name);
        res[*nres].id = o->id;
        res[*nres].val = NULL;
        if (o->has_arg) {
            if (eq)
                res[*nres].val = eq + 1;
            else if (i + 1 < argc)
                res[*nres].val = argv[++i];
            else
                return bv_fail(BV_EUSAGE, "%s needs a value", o->name);
        } else if (eq) {
            return bv_fail(BV_EUSAGE, "%s takes no value", o->name);
        }
        (*nres)++;
    }
    return BV_OK;
}

static bv_status
cli_vault(bv_cli *g, int flags, bv_vault **v)
{
    char note[256];
    struct stat sb;
    bv_status st;

    *v = NULL;
    /* a missing vault is "not found" (6); a file that is not a vault stays
     * bad input (7), as the store says */
    if (stat(g->vault, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR))
        return bv_fail(
            BV_ENOTFOUND, "no vault at %s (create one with `boardvault init`)", g->vault);
    st = bv_vault_open(g->vault, flags, g->trust, note, v);

    if (st == BV_OK && note[0])
        fprintf(stderr, "boardvault: %s\n", note);
    return st;
}

bv_status
bv_cli_read_pass(const bv_cli_opts *o, bv_secret *pass)
{
    char prompt[128];
    bv_status st;

    memset(pass, 0, sizeof *pass);
    if (o->as == NULL)
        return bv_fail(BV_EUSAGE, "this command needs --as NAME");
    if ((st = bv_name_check("member", o->as)) != BV_OK)
        return st;
    snprintf(prompt, sizeof prompt, "Passphrase for %.64s: ", o->as);
    return bv_pass_read(o->pass_fd, prompt, 0, pass);
}

bv_status
bv_run_vault(bv_run *r)
{
    unsigned n = r->c->needs;
    int flags = (n & BV_NEED_VERIFY) ? BV_OPEN_RO | BV_OPEN_VERIFY
        : (n & BV_NEED_READ)         ? BV_OPEN_RO
                                     : 0;

    if (!(n & (BV_NEED_VAULT | BV_NEED_READ | BV_NEED_VERIFY)) || r->v)
        return bv_fail(BV_ERR, "internal error: the command table does not open a vault here");
    return cli_vault(r->g, flags, &r->v);
}

bv_status
bv_run_unlock(bv_run *r, const bv_cli_opts *o, const char *item)
{
    bv_secret pass = { 0 };
    bv_status st;

    if (!(r->c->needs & BV_NEED_ACTOR) || r->v == NULL || r->a)
        return bv_fail(BV_ERR, "internal error: the command table has no actor here");
    /* an agent holding the person's keys (boardvault unlock) answers
     * instead of a prompt; none, or one that will not do, and we ask */
    if (o->as && o->pass_fd < 0 && !o->no_agent && !(r->c->needs & BV_NEED_PASSPHRASE)) {
        st = bv_vault_unlock_agent(r->v, o->as, r->c->act, item, &r->a);
        if (st == BV_OK)
            return st;
        if (st != BV_ENOTFOUND)
            fprintf(stderr, "boardvault: not using the agent: %s\n", bv_errmsg());
        bv_err_clear();
    }
    if ((st = bv_cli_read_pass(o, &pass)) != BV_OK)
        return st;
    st = bv_vault_unlock(r->v, o->as, &pass, r->c->act, item, &r->a);
    bv_secret_free(&pass);
    return st;
}

void
bv_run_done(bv_run *r)
{
    bv_actor_free(r->a);
    r->a = NULL;
    bv_vault_close(r->v);
    r->v = NULL;
}

void
bv_cli_grantees(bv_buf *out, const bv_item_row *it, int json)
{
    char name[BV_NAME_MAX + 1];
    size_t off = 0;
    int k = 0;

    while (bv_field_next(it->gs_names.p, it->gs_names.len, &off, name, sizeof name) == 1) {
        if (k++)
            bv_buf_puts(out, ", ");
        if (json)
            bv_json_str(out, name);
        else
            bv_buf_puts(out, name);
    }
}

/* ---- the process: a temp file of plaintext removed on a signal ---- */

static const char *cleanup;

void
bv_cli_cleanup_path(const char *path)
{
    cleanup = path;
}

static void
on_signal(int sig)
{
    /* async-signal-safe: a half-written temp file of plaintext must not
     * outlive us */
    if (cleanup)
        unlink(cleanup);
    signal(sig, SIG_DFL);
    raise(sig);
}

void
bv_cli_harden(void)
{
    struct rlimit rl = { 0, 0 };
    struct sigaction sa;

    /* no core dump may carry a key or plaintext */
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    umask(077);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* EPIPE is reported by write(2) and handled as an error */
    signal(SIGPIPE, SIG_IGN);
}
