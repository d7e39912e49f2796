/*
 * cli.c - helpers shared by the command files: option parsing, error
 * printing, opening the vault and unlocking the acting person.
 */
#define _GNU_SOURCE
#include "bv_cli.h"
#include "bv_precheck.h"

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
#include <time.h>

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
    case OPT_YES:
        o->yes = 1;
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
    bv_status st;

    *v = NULL;
    /* a missing vault is "not found" (6), one that is not a vault bad
     * input (7): the store tells, as only it knows file from server */
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

/*
 * The progress bar of a long run, on stderr when it is a terminal: shown
 * once the run has taken BAR_AFTER_MS (so quick commands stay quiet),
 * redrawn at most ten times a second, with the rate and the time left.
 * Nothing is drawn otherwise, so scripts and logs see no difference.
 */
#define BAR_AFTER_MS 2000
#define BAR_WIDTH 24

struct bar {
    const char *label;
    int bytes; /* bytes of a body, else entries of the log */
    double start, last, after;
    uint64_t done, total; /* as last told, for the final draw */
    int drawn;
};
static struct bar bar;

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
amount(char *out, size_t cap, double v, int bytes)
{
    if (!bytes)
        snprintf(out, cap, "%.0f", v);
    else if (v >= 1024.0 * 1024 * 1024)
        snprintf(out, cap, "%.2f GiB", v / (1024.0 * 1024 * 1024));
    else
        snprintf(out, cap, "%.1f MiB", v / (1024.0 * 1024));
}

static void
bar_draw(void *ctx, uint64_t done, uint64_t total)
{
    struct bar *b = ctx;
    double t = now_s(), el = t - b->start, rate;
    char d[32], rt[32], left[32] = "";
    int i, fill;

    b->done = done;
    b->total = total;
    if (el * 1000.0 < b->after || (b->drawn && t - b->last < 0.1 && done != total))
        return;
    rate = el > 0 ? (double)done / el : 0;
    amount(d, sizeof d, (double)done, b->bytes);
    amount(rt, sizeof rt, rate, b->bytes);
    fprintf(stderr, "\r%s ", b->label);
    if (total) {
        fill = (int)((double)BAR_WIDTH * (double)done / (double)total);
        fputc('[', stderr);
        for (i = 0; i < BAR_WIDTH; i++)
            fputc(i < fill ? '#' : '.', stderr);
        if (rate > 0 && done < total)
            snprintf(left, sizeof left, ", %.0f s left", (double)(total - done) / rate);
        fprintf(stderr, "] %3d%% %s%s, %s%s/s%s\033[K", (int)(100.0 * (double)done / (double)total),
            d, b->bytes ? "" : " entries", rt, b->bytes ? "" : " entries", left);
    } else {
        fprintf(stderr, "%s, %s%s/s\033[K", d, rt, b->bytes ? "" : " entries");
    }
    b->drawn = 1;
    b->last = t;
    if (total && done == total) {
        /* complete: the bar stays as a record of the run, and whatever
         * the command prints next starts on a line of its own */
        fputc('\n', stderr);
        b->drawn = 0;
    }
    fflush(stderr);
}

static const bv_progress bar_progress = { bar_draw, &bar };

static int
chatty(const bv_run *r)
{
    return !r->g->quiet && isatty(STDERR_FILENO);
}

bv_status
bv_run_vault(bv_run *r)
{
    unsigned n = r->c->needs;
    int flags = (n & BV_NEED_VERIFY) ? BV_OPEN_RO | BV_OPEN_VERIFY
        : (n & BV_NEED_READ)         ? BV_OPEN_RO
                                     : 0;
    bv_status st;

    if (!(n & (BV_NEED_VAULT | BV_NEED_READ | BV_NEED_VERIFY)) || r->v)
        return bv_fail(BV_ERR, "internal error: the command table does not open a vault here");
    if ((st = cli_vault(r->g, flags, &r->v)) == BV_OK && (n & BV_SHOW_PROGRESS) && chatty(r)) {
        const char *env = getenv("BOARDVAULT_PROGRESS_AFTER_MS"); /* tests only */
        memset(&bar, 0, sizeof bar);
        bar.label = r->c->name;
        /* bodies in bytes; audit verify counts entries */
        bar.bytes = !(r->c->group && strcmp(r->c->group, "audit") == 0);
        bar.after = env && *env ? strtod(env, NULL) : BAR_AFTER_MS;
        bar.start = now_s();
        bv_vault_set_progress(r->v, &bar_progress);
    }
    return st;
}

bv_status
bv_run_unlock(bv_run *r, const bv_cli_opts *o, const char *item)
{
    bv_secret pass = { 0 };
    bv_cli_opts oc;
    bv_status st;

    if (!(r->c->needs & BV_NEED_ACTOR) || r->v == NULL || r->a)
        return bv_fail(BV_ERR, "internal error: the command table has no actor here");
    if (o->as) {
        /* --as "jade hodgson" is Jade Hodgson when she is the only one */
        oc = *o;
        oc.as = bv_pre_actor(r->v, o->as);
        o = &oc;
    }
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
    /* Argon2id takes a second or more: say what the wait is */
    if (chatty(r)) {
        fputs("Unlocking ", stderr);
        for (const char *p = o->as; *p; p++)
            fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
        fputs("\xe2\x80\xa6", stderr);
        fflush(stderr);
    }
    st = bv_vault_unlock(r->v, o->as, &pass, r->c->act, item, &r->a);
    if (chatty(r))
        fputs("\r\033[K", stderr);
    bv_secret_free(&pass);
    return st;
}

void
bv_run_done(bv_run *r)
{
    if (bar.drawn) {
        /* the bar as the run ended stays, as a record of it */
        bar.last = 0;
        bar_draw(&bar, bar.done, bar.done);
        fputc('\n', stderr);
        bar.drawn = 0;
    }
    bv_actor_free(r->a);
    r->a = NULL;
    bv_vault_close(r->v);
    r->v = NULL;
}

bv_status
bv_cli_confirm(const bv_cli_opts *o, const char *what, const char *question)
{
    char line[16];
    FILE *tty;
    int ok;

    if (o->yes || !isatty(STDIN_FILENO))
        return BV_OK;
    if ((tty = fopen("/dev/tty", "r+e")) == NULL)
        return bv_fail(BV_ERR, "cannot ask on the terminal: %s (give --yes)", strerror(errno));
    fprintf(tty, "%s%s [y/N] ", what, question);
    fflush(tty);
    ok = fgets(line, sizeof line, tty) != NULL
        && (strcmp(line, "y\n") == 0 || strcmp(line, "Y\n") == 0 || strcmp(line, "yes\n") == 0
            || strcmp(line, "YES\n") == 0);
    fclose(tty);
    return ok ? BV_OK : bv_fail(BV_ERR, "not confirmed: nothing done");
}

int
bv_cli_put(bv_buf *b)
{
    int oom = b->oom;

    if (!oom)
        fwrite(b->p, 1, b->len, stdout);
    bv_buf_free(b);
    return oom ? bv_cli_error(bv_fail(BV_ERR, "out of memory")) : 0;
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
    /* a body being written stops at its next chunk and removes itself;
     * a second signal ends the process at once */
    if (bv_stop_armed() && !bv_stop_requested()) {
        bv_stop_request();
        return;
    }
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
