/*
 * cmd_item.c - seal, grant, revoke, items, open.
 */
#define _GNU_SOURCE
#include "bv_cli.h"
#include "bv_read.h"
#include "bv_meeting.h"
#include "bv_precheck.h"
#include "bv_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { OPT_TITLE = 100, OPT_GRANT, OPT_BOARD, OPT_OUT, OPT_MEETING, OPT_AGENDA, OPT_RETAIN };

#define MAX_NAMES 256

static const bv_opt seal_opts[]
    = { BV_COMMON_OPTS, { "--title", 1, OPT_TITLE }, { "--grant", BV_ARG_LIST, OPT_GRANT },
          { "--meeting", 1, OPT_MEETING }, { "--agenda-item", 1, OPT_AGENDA },
          { "--retain-until", 1, OPT_RETAIN }, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt person_opts[] = { BV_COMMON_OPTS, { NULL, 0, 0 } };
static const bv_opt yes_opts[] = { BV_COMMON_OPTS, BV_YES_OPT, { NULL, 0, 0 } };
static const bv_opt gc_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt items_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { "--board", 1, OPT_BOARD }, { NULL, 0, 0 } };
static const bv_opt open_opts[] = { BV_COMMON_OPTS, { "-o", 1, OPT_OUT },
    { "--output", 1, OPT_OUT }, { "--force", 0, OPT_FORCE }, { NULL, 0, 0 } };

/*
 * --retain-until: a real calendar date written YYYY-MM-DD, today or later
 * (today is UTC "YYYY-MM-DD"). An item whose date has passed is destroyed
 * by the next `retention run`, so a past date is refused, not obeyed.
 */
static bv_status
retain_check(const char *s, const char *today)
{
    static const char *const months[] = { "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December" };
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d, last, i;

    for (i = 0; i < 10; i++)
        if (s[i] == '\0' || (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')))
            break;
    if (i != 10 || s[10] != '\0')
        return bv_fail(BV_EUSAGE, "--retain-until needs a date YYYY-MM-DD, not \"%.32s\"", s);
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if (m < 1 || m > 12)
        return bv_fail(BV_EUSAGE, "%s is not a date: there is no month %d", s, m);
    last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d < 1 || d > last)
        return bv_fail(BV_EUSAGE, "%s is not a date: %s %d has %d days", s, months[m - 1], y, last);
    if (strcmp(s, today) < 0)
        return bv_fail(BV_EUSAGE,
            "--retain-until %s is in the past (today is %s): the next retention run would destroy "
            "the item",
            s, today);
    return BV_OK;
}

/* Open the input to seal: exit 6 if it is missing, 7 if unreadable. */
static bv_status
open_input(const char *path, int *fd)
{
    struct stat sb;

    if (strcmp(path, "-") == 0) {
        *fd = 0;
        return BV_OK;
    }
    if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return bv_fail(BV_ENOTFOUND, "no such file: %s", path);
        return bv_fail(BV_EINPUT, "cannot read %s: %s", path, strerror(errno));
    }
    if (fstat(*fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
        close(*fd);
        *fd = -1;
        return bv_fail(BV_EINPUT, "%s is a directory, not a file", path);
    }
    return BV_OK;
}

int
bv_cmd_seal(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    const char *title = NULL, *meeting = NULL, *agenda = NULL, *retain = NULL;
    uint32_t mid = 0, ano = 0;
    char *pos[2], *names[MAX_NAMES], *list = NULL, *tok, *save;
    char uid[BV_UID_LEN + 1];
    size_t npos, nex, i, nnames = 0;
    bv_status st;
    int rc, fd = -1;

    if ((rc = bv_cli_args(argc, argv, seal_opts, &o, ex, &nex, pos, 2, 2, &npos, NULL, "seal"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++) {
        if (ex[i].id == OPT_TITLE)
            title = ex[i].val;
        else if (ex[i].id == OPT_MEETING)
            meeting = ex[i].val;
        else if (ex[i].id == OPT_AGENDA)
            agenda = ex[i].val;
        else if (ex[i].id == OPT_RETAIN)
            retain = ex[i].val;
        else if (ex[i].id == OPT_GRANT) {
            /* --grant may be repeated: the lists add up */
            size_t n = (list ? strlen(list) + 1 : 0) + strlen(ex[i].val) + 1;
            char *more = malloc(n);
            if (more == NULL) {
                free(list);
                return bv_cli_error(bv_fail(BV_ERR, "out of memory"));
            }
            snprintf(more, n, "%s%s%s", list ? list : "", list ? "," : "", ex[i].val);
            free(list);
            list = more;
        }
    }
    if (retain) {
        char today[21];
        bv_utc_now(today);
        today[10] = '\0';
        if ((st = retain_check(retain, today)) != BV_OK)
            return free(list), bv_cli_error(st);
    }
    if (retain && meeting)
        return free(list), bv_cli_usage("--retain-until is for items sealed with --title");
    if ((meeting == NULL) != (agenda == NULL))
        return free(list), bv_cli_usage("--meeting and --agenda-item go together");
    if (meeting && title)
        return free(list),
               bv_cli_usage("an agenda item's title comes from the minutes: drop --title");
    if (meeting
        && ((st = bv_cli_uint("--meeting", meeting, 1, INT32_MAX, &mid)) != BV_OK
            || (st = bv_cli_uint("--agenda-item", agenda, 1, 100000, &ano)) != BV_OK))
        return free(list), bv_cli_error(st);
    if (title == NULL && meeting == NULL)
        return free(list), bv_cli_usage("seal needs --title TEXT (or --meeting M --agenda-item N)");
    if (strcmp(pos[1], "-") == 0 && o.pass_fd == 0)
        return free(list), bv_cli_usage("the body and the passphrase cannot both come from stdin");
    if (list) {
        for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (nnames == MAX_NAMES) {
                free(list);
                return bv_cli_usage("too many names in --grant");
            }
            names[nnames++] = tok;
        }
        if (nnames == 0) {
            free(list);
            return bv_cli_usage("--grant needs at least one name");
        }
    }
    if ((st = bv_name_check("board", pos[0])) != BV_OK || (st = open_input(pos[1], &fd)) != BV_OK
        || (st = bv_run_vault(r)) != BV_OK || (st = bv_pre_board(r->v, &pos[0])) != BV_OK
        || (meeting && (st = bv_pre_agenda(r->v, pos[0], mid, (int)ano)) != BV_OK))
        goto out;
    /* everything that needs no key is checked before the passphrase */
    for (i = 0; i < nnames; i++)
        if ((st = bv_pre_person(r->v, &names[i])) != BV_OK)
            goto out;
    if ((st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = meeting
            ? bv_meeting_seal(r->v, r->a, pos[0], mid, (int)ano, fd, names, nnames, uid)
            : bv_item_seal(r->v, r->a, pos[0], fd, title, names, nnames, NULL, retain, uid);
out:
    free(list);
    /* after the vault: were the input the vault file itself, closing it
     * first would drop the vault's locks (see bv_store_open) */
    bv_run_done(r);
    if (fd > 0)
        close(fd);
    if (st != BV_OK)
        return bv_cli_error(st);
    printf(o.json ? "{\"id\": \"%s\"}\n" : "%s\n", uid);
    return 0;
}

static int
grant_or_revoke(bv_run *r, int argc, char **argv, int grant)
{
    bv_cli_opts o;
    char *pos[MAX_NAMES + 1], uid[BV_UID_LEN + 1];
    size_t npos, i;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, person_opts, &o, NULL, NULL, pos, 2, MAX_NAMES + 1, &npos,
             NULL, grant ? "grant" : "revoke"))
        != BV_CLI_GO)
        return rc;
    for (i = 1; i < npos; i++)
        if ((st = bv_name_check("member", pos[i])) != BV_OK)
            return bv_cli_error(st);
    if ((st = bv_run_vault(r)) != BV_OK || (st = bv_pre_item(r->v, pos[0], 0, uid)) != BV_OK)
        goto out;
    for (i = 1; i < npos; i++)
        if ((st = bv_pre_person(r->v, &pos[i])) != BV_OK)
            goto out;
    if ((st = bv_run_unlock(r, &o, uid)) == BV_OK)
        st = grant ? bv_item_grant(r->v, r->a, uid, pos + 1, npos - 1)
                   : bv_item_revoke(r->v, r->a, uid, pos + 1, npos - 1);
out:
    if (st != BV_OK)
        return bv_cli_error(st);
    for (i = 1; i < npos; i++) {
        printf("%s ", grant ? "granted" : "revoked");
        bv_cli_print_safe(pos[i]);
        printf(" on %s\n", uid);
    }
    return 0;
}

int
bv_cmd_grant(bv_run *r, int argc, char **argv)
{
    return grant_or_revoke(r, argc, argv, 1);
}

int
bv_cmd_revoke(bv_run *r, int argc, char **argv)
{
    return grant_or_revoke(r, argc, argv, 0);
}

struct listing {
    bv_buf out;
    bv_table *t;
    int json, n;
};

static bv_status
item_cb(void *ctx, const bv_item_row *it)
{
    struct listing *l = ctx;
    const char *cells[6];
    char size[24];
    bv_buf g;
    bv_status st;

    if (l->json) {
        bv_buf_puts(&l->out, l->n++ ? ",\n  {\"id\": " : "  {\"id\": ");
        bv_json_str(&l->out, it->uid);
        bv_buf_puts(&l->out, ", \"board\": ");
        bv_json_str(&l->out, it->board);
        bv_buf_puts(&l->out, ", \"title\": ");
        bv_json_str(&l->out, it->title);
        bv_buf_printf(&l->out, ", \"size\": %llu, \"sealed_by\": ", (unsigned long long)it->size);
        bv_json_str(&l->out, it->sealed_by);
        bv_buf_printf(&l->out, ", \"sealed\": \"%s\", \"retain_until\": ", it->created);
        if (it->retain_until[0])
            bv_json_str(&l->out, it->retain_until);
        else
            bv_buf_puts(&l->out, "null");
        bv_buf_puts(&l->out, ", \"grantees\": [");
        bv_cli_grantees(&l->out, it, 1);
        bv_buf_puts(&l->out, "]}");
        return l->out.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
    }
    bv_buf_init(&g);
    bv_cli_grantees(&g, it, 0);
    snprintf(size, sizeof size, "%llu", (unsigned long long)it->size);
    cells[0] = it->uid;
    cells[1] = size;
    cells[2] = it->retain_until[0] ? it->retain_until : "-";
    cells[3] = it->board;
    cells[4] = it->title;
    cells[5] = g.len ? (const char *)g.p : "-";
    st = g.oom ? bv_fail(BV_ERR, "out of memory") : bv_table_row(l->t, cells);
    bv_buf_free(&g);
    return st;
}

int
bv_cmd_items(bv_run *r, int argc, char **argv)
{
    static const char *const heads[]
        = { "ID", "SIZE", "RETAIN", "BOARD", "TITLE", "GRANTEES", NULL };
    static const int flags[] = { 0, BV_COL_RIGHT, 0, BV_COL_TRUNC, BV_COL_TRUNC, BV_COL_TRUNC };
    struct listing l;
    bv_cli_opts o;
    bv_optres ex[64];
    bv_board_row b;
    const char *board = NULL;
    char *pos[1];
    size_t npos, nex, i;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, items_opts, &o, ex, &nex, pos, 0, 0, &npos, NULL, "items"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++)
        if (ex[i].id == OPT_BOARD)
            board = ex[i].val;
    memset(&l, 0, sizeof l);
    l.json = o.json;
    if ((board && (st = bv_name_check("board", board)) != BV_OK) || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if (board && (st = bv_read_board(r->v, board, &b)) != BV_OK)
        goto out;
    if (!o.json && (st = bv_table_new(&l.t, heads, flags)) != BV_OK)
        goto out;
    st = bv_read_items(r->v, board, item_cb, &l);
    if (st == BV_OK && o.json)
        printf("[\n%s%s]\n", l.out.len ? (const char *)l.out.p : "", l.n ? "\n" : "");
    else if (st == BV_OK)
        st = bv_table_print(l.t);
out:
    bv_table_free(l.t);
    bv_buf_free(&l.out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

int
bv_cmd_open(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    bv_out out;
    const char *path = NULL;
    char *pos[1], uid[BV_UID_LEN + 1];
    size_t npos, nex, i;
    bv_status st;
    int rc;

    memset(&out, 0, sizeof out);
    out.fd = -1;
    if ((rc = bv_cli_args(argc, argv, open_opts, &o, ex, &nex, pos, 1, 1, &npos, NULL, "open"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++)
        if (ex[i].id == OPT_OUT)
            path = ex[i].val;
    if (o.as == NULL)
        return bv_cli_usage("open needs --as NAME");
    if ((st = bv_run_vault(r)) != BV_OK || (st = bv_pre_item(r->v, pos[0], 0, uid)) != BV_OK)
        goto out;
    /* the output is checked (terminal, symlink, existing file) before the KDF */
    if ((st = bv_out_open(&out, path, o.force, 0600)) != BV_OK)
        goto out;
    bv_cli_cleanup_path(out.anon ? NULL : out.tmp); /* an unnamed file needs none */
    if ((st = bv_run_unlock(r, &o, uid)) != BV_OK)
        goto out;
    if ((st = bv_item_open(r->v, r->a, uid, &out)) != BV_OK) {
        if (out.is_stdout && strncmp(bv_errmsg(), "writing standard output", 23) == 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", bv_errmsg());
            bv_err_clear();
            st = bv_fail(st,
                "%s (the output is incomplete; the access is recorded in the audit log and "
                "the item is unchanged in the vault: nothing was lost, open it again)",
                msg);
        }
        goto out;
    }
    st = bv_out_commit(&out);
out:
    bv_out_abort(&out);
    bv_cli_cleanup_path(NULL);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

int
bv_cmd_item_destroy(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_item_row it;
    char *pos[1], uid[BV_UID_LEN + 1], what[512];
    size_t npos;
    bv_status st;
    int rc;

    memset(&it, 0, sizeof it);
    if ((rc = bv_cli_args(
             argc, argv, yes_opts, &o, NULL, NULL, pos, 1, 1, &npos, "item", "destroy"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_run_vault(r)) != BV_OK || (st = bv_pre_item(r->v, pos[0], 0, uid)) != BV_OK
        || (st = bv_read_item(r->v, uid, &it)) != BV_OK)
        goto out;
    snprintf(what, sizeof what,
        "Destroying item %s (\"%.200s\", board %.64s) deletes its body and keys for good; "
        "only its audit record stays.\n",
        uid, it.title, it.board);
    if ((st = bv_cli_confirm(&o, what, "Destroy it?")) == BV_OK
        && (st = bv_run_unlock(r, &o, uid)) == BV_OK)
        st = bv_item_destroy(r->v, r->a, uid, NULL);
out:
    bv_item_row_free(&it);
    if (st != BV_OK)
        return bv_cli_error(st);
    printf("destroyed item %s: body and keys deleted; its audit record stays\n", uid);
    return 0;
}

static void
retention_done(void *ctx, const char *uid, bv_status st)
{
    (void)ctx;
    if (st == BV_OK)
        printf("destroyed %s (retention date passed)\n", uid);
    else
        printf("kept %s: %s\n", uid, bv_errmsg());
}

struct expiring {
    bv_buf list;
    size_t n;
};

static bv_status
expiring_cb(void *ctx, const char *uid, const char *board)
{
    struct expiring *x = ctx;

    if (x->n++ < 20)
        bv_buf_printf(&x->list, "  %s (board %.64s)\n", uid, board);
    return x->list.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

int
bv_cmd_retention_run(bv_run *r, int argc, char **argv)
{
    struct expiring x;
    bv_cli_opts o;
    char *pos[1], today[21];
    bv_buf msg;
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, yes_opts, &o, NULL, NULL, pos, 0, 0, &npos, "retention", "run"))
        != BV_CLI_GO)
        return rc;
    bv_utc_now(today);
    today[10] = '\0';
    memset(&x, 0, sizeof x);
    bv_buf_init(&x.list);
    bv_buf_init(&msg);
    if ((st = bv_run_vault(r)) != BV_OK
        || (st = bv_read_expired(r->v, today, expiring_cb, &x)) != BV_OK)
        goto out;
    /* nothing past its date: nothing to confirm, and the run records that */
    if (x.n > 0) {
        bv_buf_printf(&msg, "%zu item%s past %s retention date, to be destroyed for good:\n%s%s",
            x.n, x.n == 1 ? " is" : "s are", x.n == 1 ? "its" : "their", (const char *)x.list.p,
            x.n > 20 ? "  ...\n" : "");
        if ((st = (msg.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK)) != BV_OK
            || (st = bv_cli_confirm(&o, (const char *)msg.p, "Destroy them?")) != BV_OK)
            goto out;
    }
    if ((st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = bv_retention_run(r->v, r->a, today, retention_done, NULL);
out:
    bv_buf_free(&x.list);
    bv_buf_free(&msg);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

int
bv_cmd_gc(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    char *pos[1];
    size_t npos;
    uint64_t n = 0;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, gc_opts, &o, NULL, NULL, pos, 0, 0, &npos, NULL, "gc"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_run_vault(r)) == BV_OK)
        st = bv_vault_gc(r->v, &n);
    if (st != BV_OK)
        return bv_cli_error(st);
    if (o.json)
        printf("{\"swept\": %llu}\n", (unsigned long long)n);
    else
        printf("swept %llu bod%s\n", (unsigned long long)n, n == 1 ? "y" : "ies");
    return 0;
}

int
bv_cmd_rekey(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    char *pos[1], uid[BV_UID_LEN + 1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, person_opts, &o, NULL, NULL, pos, 1, 1, &npos, NULL, "rekey"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_run_vault(r)) == BV_OK && (st = bv_pre_item(r->v, pos[0], 0, uid)) == BV_OK
        && (st = bv_run_unlock(r, &o, uid)) == BV_OK)
        st = bv_item_rekey(r->v, r->a, uid);
    if (st != BV_OK)
        return bv_cli_error(st);
    printf("item %s has a new data key; the body is re-encrypted, grants re-issued to its "
           "current grantees, the old ciphertext deleted\n",
        uid);
    return 0;
}
