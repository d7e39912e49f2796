/*
 * cmd_minutes.c - minutes import, list, show, publish, actions.
 */
#define _GNU_SOURCE
#include "bv_cli.h"
#include "bv_read.h"
#include "bv_meeting.h"
#include "bv_precheck.h"
#include "bv_reader.h"
#include "bv_table.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_BOARD = 100, OPT_DRY, OPT_AUDIT, OPT_FORMAT, OPT_OUT, OPT_OPEN, OPT_DATE };

#define MAX_MINUTES (16u * 1024u * 1024u)

static const bv_opt import_opts[]
    = { BV_COMMON_OPTS, { "--board", 1, OPT_BOARD }, { "--dry-run", 0, OPT_DRY },
          { "--json", 0, OPT_JSON }, { "--date", 1, OPT_DATE }, { NULL, 0, 0 } };
static const bv_opt list_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--board", 1, OPT_BOARD }, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt show_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { "--audit", 0, OPT_AUDIT }, { NULL, 0, 0 } };
static const bv_opt publish_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--format", 1, OPT_FORMAT }, { "-o", 1, OPT_OUT }, { "--output", 1, OPT_OUT },
    { "--force", 0, OPT_FORCE }, { NULL, 0, 0 } };
static const bv_opt actions_opts[]
    = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP }, { "--board", 1, OPT_BOARD },
          { "--open", 0, OPT_OPEN }, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };

static const char *
opt_val(const bv_optres *ex, size_t n, int id)
{
    const char *v = NULL;
    size_t i;

    for (i = 0; i < n; i++)
        if (ex[i].id == id)
            v = ex[i].val ? ex[i].val : "";
    return v;
}

/*
 * Read the whole document into locked memory: it may hold the body of a
 * restricted item. Missing: 6; a directory, unreadable or too large: 7.
 */
static bv_status
read_doc(const char *path, uint8_t **out, size_t *len)
{
    uint8_t *p = NULL;
    size_t off = 0;
    ssize_t n;
    struct stat sb;
    int fd = 0;

    *out = NULL;
    *len = 0;
    if (strcmp(path, "-") != 0) {
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return bv_fail(errno == ENOENT ? BV_ENOTFOUND : BV_EINPUT, "cannot read %s: %s", path,
                strerror(errno));
        if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
            close(fd);
            return bv_fail(BV_EINPUT, "%s is a directory, not minutes", path);
        }
    }
    if ((p = sodium_malloc(MAX_MINUTES + 1)) == NULL) {
        if (fd > 0)
            close(fd);
        return bv_fail(BV_ERR, "out of secure memory");
    }
    for (;;) {
        n = read(fd, p + off, MAX_MINUTES + 1 - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (fd > 0)
                close(fd);
            sodium_free(p);
            return bv_fail(BV_EINPUT, "cannot read %s: %s", path, strerror(errno));
        }
        if (n == 0)
            break;
        off += (size_t)n;
        if (off > MAX_MINUTES) {
            if (fd > 0)
                close(fd);
            sodium_free(p);
            return bv_fail(
                BV_EINPUT, "%s is larger than %u MiB: not minutes", path, MAX_MINUTES >> 20);
        }
    }
    if (fd > 0)
        close(fd);
    *out = p;
    *len = off;
    return BV_OK;
}

static void
print_summary(const bv_meeting *m)
{
    size_t i, nact = 0;

    printf("items:   %zu\n", m->nitems);
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        nact += it->nactions;
        if (!it->restricted)
            continue;
        printf("restricted: %d. ", it->number ? it->number : it->ordinal);
        bv_cli_print_safe(it->title);
        printf(" (%s", it->restriction ? it->restriction : "restricted");
        if (it->schedule12a_para)
            printf(", Schedule 12A paragraph %d", it->schedule12a_para);
        printf("; %s)\n",
            it->restricted_body ? "body found in the source: sealed at import"
                                : "no body: awaiting seal");
    }
    printf("actions: %zu\n", nact);
}

/* The line of byte offset off in text, 1-based. */
static size_t
line_at(const uint8_t *text, size_t len, size_t off)
{
    size_t i, line = 1;

    for (i = 0; i < off && i < len; i++)
        line += text[i] == '\n';
    return line;
}

/*
 * Read the document, whatever its format, and parse its text. Errors name
 * the file; the parser's byte offsets get their line.
 */
static bv_status
read_minutes(const char *path, const uint8_t *doc, size_t len, bv_minutes_opts *mo, bv_meeting **m)
{
    char msg[512], extra[48] = "";
    const char *p;
    uint8_t *text = NULL;
    size_t tlen = 0, off;
    bv_doc_kind kind;
    bv_status st;

    if ((st = bv_doc_text(doc, len, &kind, &text, &tlen)) == BV_OK) {
        mo->format = kind == BV_DOC_UTF8 ? NULL : bv_doc_kind_name(kind);
        st = bv_minutes_parse_opts(text, tlen, mo, m);
    }
    if (st == BV_EINPUT) {
        snprintf(msg, sizeof msg, "%s", bv_errmsg());
        if ((p = strstr(msg, "byte offset ")) != NULL && strncmp(msg, "binary", 6) != 0
            && sscanf(p + 12, "%zu", &off) == 1 && text != NULL && kind != BV_DOC_PDF
            && kind != BV_DOC_DOCX && kind != BV_DOC_HTML)
            snprintf(extra, sizeof extra, " (line %zu)", line_at(text, tlen, off));
        bv_err_clear();
        st = bv_fail(BV_EINPUT, "%s: %s%s", strcmp(path, "-") == 0 ? "stdin" : path, msg, extra);
    }
    if (text != NULL)
        bv_doc_free(text, tlen);
    return st;
}

/* What the parser guessed, on stderr; controls escaped as bv_cli_error does. */
static void
print_warnings(const bv_meeting *m)
{
    const unsigned char *u;
    size_t i;

    fflush(stdout);
    for (i = 0; i < m->nwarnings; i++) {
        fputs("boardvault: warning: ", stderr);
        for (u = (const unsigned char *)m->warnings[i]; *u; u++)
            if (*u < 0x20 || *u == 0x7f)
                fprintf(stderr, "\\x%02x", *u);
            else
                fputc(*u, stderr);
        fputc('\n', stderr);
    }
}

int
bv_cmd_minutes_import(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    bv_meeting *m = NULL;
    bv_import_result res;
    uint8_t *doc = NULL;
    const char *board;
    char *pos[1], bname[BV_NAME_MAX + 1], *bp = bname;
    size_t npos, nex, i, len = 0;
    bv_minutes_opts mo;
    bv_buf out;
    bv_status st;
    int rc, dry;

    bv_buf_init(&out);
    memset(&mo, 0, sizeof mo);
    memset(&res, 0, sizeof res);
    if ((rc = bv_cli_args(
             argc, argv, import_opts, &o, ex, &nex, pos, 1, 1, &npos, "minutes", "import"))
        != BV_CLI_GO)
        return rc;
    board = opt_val(ex, nex, OPT_BOARD);
    dry = opt_val(ex, nex, OPT_DRY) != NULL;
    if (board == NULL)
        return bv_cli_usage("minutes import needs --board BOARD");
    if (!dry && o.as == NULL)
        return bv_cli_usage("minutes import needs --as OFFICER (or --dry-run)");
    if (strcmp(pos[0], "-") == 0 && o.pass_fd == 0)
        return bv_cli_usage("the minutes and the passphrase cannot both come from stdin");
    mo.board = board;
    mo.date_iso = opt_val(ex, nex, OPT_DATE);
    if (mo.date_iso != NULL && !bv_minutes_date_ok(mo.date_iso))
        return bv_cli_usage("--date wants a real date written YYYY-MM-DD");
    if ((st = bv_name_check("board", board)) != BV_OK
        || (st = read_doc(pos[0], &doc, &len)) != BV_OK
        || (st = read_minutes(pos[0], doc, len, &mo, &m)) != BV_OK)
        goto out;
    print_warnings(m);
    if (dry) {
        if (o.json)
            st = bv_minutes_json(m, &out);
        else
            st = bv_minutes_table(m, &out);
        if (st == BV_OK) {
            fwrite(out.p, 1, out.len, stdout);
            if (o.json)
                putchar('\n');
            if (!o.json)
                print_summary(m);
            printf("%s", o.json ? "" : "(dry run: nothing stored)\n");
        }
        goto out;
    }
    /* an unknown board costs no passphrase prompt and no Argon2id run */
    snprintf(bname, sizeof bname, "%s", board);
    if ((st = bv_run_vault(r)) != BV_OK || (st = bv_pre_board(r->v, &bp)) != BV_OK
        || (st = bv_run_unlock(r, &o, NULL)) != BV_OK
        || (st = bv_meeting_import(r->v, r->a, bp, doc, len, m, &res)) != BV_OK)
        goto out;
    if (res.duplicate) {
        printf("meeting: %lld\nthis document was imported before (same content): nothing "
               "stored\n",
            (long long)res.meeting_id);
        goto out;
    }
    printf("meeting: %lld\n", (long long)res.meeting_id);
    printf("date:    %s\n", m->date_line ? m->date_line : "");
    print_summary(m);
    /* the ids an officer grants next: boardvault grant ID NAME... */
    for (i = 0; i < res.sealed; i++)
        printf("sealed:  %s (agenda item %d)\n", res.body[i].uid, res.body[i].number);
out:
    bv_import_result_free(&res);
    bv_meeting_free(m);
    sodium_free(doc);
    bv_buf_free(&out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

struct mlist {
    bv_buf out;
    bv_table *t;
    int json, n;
};

static bv_status
meeting_cb(void *ctx, int64_t id, const char *board, const char *date_iso, const char *date_line,
    int items, int restricted)
{
    struct mlist *l = ctx;

    if (l->json) {
        bv_buf_printf(
            &l->out, "%s  {\"id\": %lld, \"board\": ", l->n++ ? ",\n" : "", (long long)id);
        bv_json_str(&l->out, board);
        bv_buf_printf(&l->out, ", \"date\": \"%s\", \"date_line\": ", date_iso);
        bv_json_str(&l->out, date_line);
        bv_buf_printf(&l->out, ", \"items\": %d, \"restricted\": %d}", items, restricted);
        return l->out.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
    }
    {
        char sid[24], sitems[16], srestr[16];
        const char *cells[5] = { sid, date_iso, sitems, srestr, board };
        snprintf(sid, sizeof sid, "%lld", (long long)id);
        snprintf(sitems, sizeof sitems, "%d", items);
        snprintf(srestr, sizeof srestr, "%d", restricted);
        return bv_table_row(l->t, cells);
    }
}

int
bv_cmd_minutes_list(bv_run *r, int argc, char **argv)
{
    static const char *const heads[] = { "ID", "DATE", "ITEMS", "RESTRICTED", "BOARD", NULL };
    static const int flags[] = { BV_COL_RIGHT, 0, BV_COL_RIGHT, BV_COL_RIGHT, BV_COL_TRUNC };
    struct mlist l;
    bv_cli_opts o;
    bv_optres ex[64];
    bv_board_row b;
    const char *board;
    char *pos[1];
    size_t npos, nex;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, list_opts, &o, ex, &nex, pos, 0, 0, &npos, "minutes", "list"))
        != BV_CLI_GO)
        return rc;
    board = opt_val(ex, nex, OPT_BOARD);
    memset(&l, 0, sizeof l);
    l.json = o.json;
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if (board && (st = bv_read_board(r->v, board, &b)) != BV_OK)
        goto out;
    if (!o.json && (st = bv_table_new(&l.t, heads, flags)) != BV_OK)
        goto out;
    st = bv_read_meetings(r->v, board, meeting_cb, &l);
    if (st == BV_OK && o.json)
        printf("[\n%s%s]\n", l.out.len ? (const char *)l.out.p : "", l.n ? "\n" : "");
    else if (st == BV_OK)
        st = bv_table_print(l.t);
out:
    bv_table_free(l.t);
    bv_buf_free(&l.out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

static bv_status
parse_meeting_id(const char *s, int64_t *id)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno || v < 1)
        return bv_fail(BV_EUSAGE, "a meeting id is a number (see: boardvault minutes list)");
    *id = (int64_t)v;
    return BV_OK;
}

/* Grantees of a sealed item, from its stored grant set. */
static void
grantees(bv_vault *v, const char *uid, bv_buf *out, int json)
{
    bv_item_row it;

    bv_item_row_init(&it);
    if (bv_read_item(v, uid, &it) == BV_OK)
        bv_cli_grantees(out, &it, json);
    bv_err_clear();
    bv_item_row_free(&it);
}

struct hist {
    int n;
};

static bv_status
hist_cb(void *ctx, const bv_audit_row *e)
{
    struct hist *h = ctx;

    h->n++;
    printf("      %s  %-12s %-8s ", e->time, e->action, e->outcome);
    bv_cli_print_safe(e->actor);
    if (*e->reason) {
        printf("  (");
        bv_cli_print_safe(e->reason);
        printf(")");
    }
    printf("\n");
    return BV_OK;
}

/* minutes show --json: the meeting and its restricted items. */
static bv_status
show_json(bv_vault *v, int64_t id, const bv_meeting_row *mr, bv_buf *out)
{
    size_t i, k;
    bv_status st;

    bv_buf_printf(out, "{\"id\": %lld, \"board\": ", (long long)id);
    bv_json_str(out, mr->board);
    bv_buf_puts(out, ", \"imported_by\": ");
    bv_json_str(out, mr->imported_by);
    bv_buf_puts(out, ", \"meeting\": ");
    if ((st = bv_minutes_json(mr->m, out)) != BV_OK)
        return st;
    bv_buf_puts(out, ", \"restricted\": [");
    for (i = 0, k = 0; i < mr->m->nitems; i++) {
        const bv_agenda_item *it = &mr->m->items[i];
        if (!it->restricted)
            continue;
        bv_buf_printf(out, "%s{\"ordinal\": %d, \"number\": %d, \"title\": ", k++ ? ", " : "",
            it->ordinal, it->number);
        bv_json_str(out, it->title);
        bv_buf_puts(out, ", \"marker\": ");
        bv_json_str(out, it->restriction ? it->restriction : "restricted");
        bv_buf_printf(out, ", \"sealed\": %s, \"item\": ", mr->uids[i][0] ? "true" : "false");
        if (mr->uids[i][0])
            bv_json_str(out, mr->uids[i]);
        else
            bv_buf_puts(out, "null");
        bv_buf_puts(out, ", \"grantees\": [");
        if (mr->uids[i][0])
            grantees(v, mr->uids[i], out, 1);
        bv_buf_puts(out, "]}");
    }
    bv_buf_puts(out, "]}\n");
    if (out->oom)
        return bv_fail(BV_ERR, "out of memory");
    fwrite(out->p, 1, out->len, stdout);
    return BV_OK;
}

/* minutes show: the open record, restricted items as their notice,
 * seal and grantees (and with --audit their access history). */
static bv_status
show_text(bv_vault *v, int64_t id, const bv_meeting_row *mr, int audit, bv_buf *out)
{
    size_t i, k;
    bv_status st = BV_OK;

    printf("meeting %lld: ", (long long)id);
    bv_cli_print_safe(mr->board);
    printf("\n%s\n", mr->m->date_line ? mr->m->date_line : "");
    if (mr->m->venue) {
        printf("Venue: ");
        bv_cli_print_safe(mr->m->venue);
        printf("\n");
    }
    if (mr->m->contact) {
        printf("Contact: ");
        bv_cli_print_safe(mr->m->contact);
        printf("\n");
    }
    for (i = 0; i < mr->m->nitems; i++) {
        const bv_agenda_item *it = &mr->m->items[i];
        printf("\n%2d. ", it->number ? it->number : it->ordinal);
        bv_cli_print_safe(it->title);
        printf("%s\n", it->truncated ? "  [published text incomplete]" : "");
        if (it->restricted) {
            bv_buf_free(out);
            printf("    [%s", it->restriction ? it->restriction : "restricted");
            if (it->schedule12a_para)
                printf(", Schedule 12A para %d", it->schedule12a_para);
            if (mr->uids[i][0]) {
                grantees(v, mr->uids[i], out, 0);
                printf("] sealed as item %s; granted to: %s\n", mr->uids[i],
                    out->len ? (const char *)out->p : "nobody yet");
            } else {
                printf(
                    "] no sealed body yet (boardvault seal ... --meeting %lld --agenda-item %d)\n",
                    (long long)id, it->number ? it->number : it->ordinal);
            }
            if (audit && mr->uids[i][0]) {
                bv_audit_filter f = { 0 };
                struct hist h = { 0 };
                f.item = mr->uids[i];
                printf("    access history:\n");
                if ((st = bv_read_audit(v, &f, hist_cb, &h)) != BV_OK)
                    return st;
            }
        }
        for (k = 0; k < it->nblocks; k++) {
            const bv_block *bl = &it->blocks[k];
            printf("    %s",
                bl->kind == BV_BLK_BULLET         ? "- "
                    : bl->kind == BV_BLK_NUMBERED ? "# "
                    : bl->kind == BV_BLK_ACTION   ? "ACTION: "
                    : bl->kind == BV_BLK_HEADING  ? "## "
                                                  : "");
            bv_cli_print_safe(bl->text ? bl->text : "");
            printf("\n");
        }
    }
    return st;
}

int
bv_cmd_minutes_show(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    bv_meeting_row mr;
    bv_buf out;
    int64_t id;
    char *pos[1];
    size_t npos, nex;
    bv_status st;
    int rc, audit;

    memset(&mr, 0, sizeof mr);
    bv_buf_init(&out);
    if ((rc = bv_cli_args(argc, argv, show_opts, &o, ex, &nex, pos, 1, 1, &npos, "minutes", "show"))
        != BV_CLI_GO)
        return rc;
    audit = opt_val(ex, nex, OPT_AUDIT) != NULL;
    if ((st = parse_meeting_id(pos[0], &id)) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if ((st = bv_read_meeting(r->v, id, &mr)) == BV_OK)
        st = o.json ? show_json(r->v, id, &mr, &out) : show_text(r->v, id, &mr, audit, &out);
    bv_meeting_row_free(&mr);
    bv_buf_free(&out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

int
bv_cmd_minutes_publish(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    bv_meeting_row mr;
    bv_out out;
    bv_buf doc;
    const char *fmt, *path;
    int64_t id;
    char *pos[1];
    size_t npos, nex;
    bv_status st;
    int rc;

    memset(&mr, 0, sizeof mr);
    memset(&out, 0, sizeof out);
    out.fd = -1;
    bv_buf_init(&doc);
    if ((rc = bv_cli_args(
             argc, argv, publish_opts, &o, ex, &nex, pos, 1, 1, &npos, "minutes", "publish"))
        != BV_CLI_GO)
        return rc;
    fmt = opt_val(ex, nex, OPT_FORMAT);
    path = opt_val(ex, nex, OPT_OUT);
    if (fmt == NULL
        || (strcmp(fmt, "txt") != 0 && strcmp(fmt, "md") != 0 && strcmp(fmt, "html") != 0))
        return bv_cli_usage("minutes publish needs --format txt|md|html");
    if ((st = parse_meeting_id(pos[0], &id)) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    /* a public document: a terminal is fine, the file rules are open's */
    if (path && strcmp(path, "-") == 0)
        path = NULL;
    if ((st = bv_out_open(&out, path, path ? o.force : 1, 0644)) != BV_OK)
        goto out;
    bv_cli_cleanup_path(out.anon ? NULL : out.tmp); /* an unnamed file needs none */
    if ((st = bv_read_meeting(r->v, id, &mr)) != BV_OK
        || (st = bv_minutes_publish(mr.m, fmt, &doc)) != BV_OK
        || (st = bv_out_write(&out, doc.p, doc.len)) != BV_OK)
        goto out;
    st = bv_out_commit(&out);
out:
    bv_out_abort(&out);
    bv_cli_cleanup_path(NULL);
    bv_meeting_row_free(&mr);
    bv_buf_free(&doc);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

struct alist {
    bv_buf out;
    bv_table *t;
    int json, open_only, n;
};

static int
is_done(const char *status)
{
    return status
        && (strcasecmp(status, "COMPLETED") == 0 || strcasecmp(status, "COMPLETE") == 0
            || strcasecmp(status, "DONE") == 0 || strcasecmp(status, "CLOSED") == 0);
}

static bv_status
action_cb(void *ctx, int64_t meeting, const char *date, int number, int ordinal, const char *title,
    const char *owners, const char *text, const char *status)
{
    struct alist *l = ctx;
    int item = number ? number : ordinal;

    if (l->open_only && is_done(status))
        return BV_OK;
    if (l->json) {
        bv_buf_printf(&l->out,
            "%s  {\"meeting\": %lld, \"date\": \"%s\", \"item\": %d, \"title\": ",
            l->n++ ? ",\n" : "", (long long)meeting, date, item);
        bv_json_str(&l->out, title);
        bv_buf_puts(&l->out, ", \"owners\": ");
        if (owners)
            bv_json_str(&l->out, owners);
        else
            bv_buf_puts(&l->out, "null");
        bv_buf_puts(&l->out, ", \"text\": ");
        bv_json_str(&l->out, text);
        bv_buf_puts(&l->out, ", \"status\": ");
        if (status)
            bv_json_str(&l->out, status);
        else
            bv_buf_puts(&l->out, "null");
        bv_buf_puts(&l->out, "}");
        return l->out.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
    }
    {
        char smtg[24], sitem[16];
        const char *cells[6]
            = { smtg, date, sitem, status ? status : "open", owners ? owners : "-", text };
        snprintf(smtg, sizeof smtg, "%lld", (long long)meeting);
        snprintf(sitem, sizeof sitem, "%d", item);
        return bv_table_row(l->t, cells);
    }
}

int
bv_cmd_minutes_actions(bv_run *r, int argc, char **argv)
{
    static const char *const heads[]
        = { "MTG", "DATE", "ITEM", "STATUS", "OWNERS", "ACTION", NULL };
    static const int flags[] = { BV_COL_RIGHT, 0, BV_COL_RIGHT, 0, BV_COL_TRUNC, BV_COL_TRUNC };
    struct alist l;
    bv_cli_opts o;
    bv_optres ex[64];
    bv_board_row b;
    const char *board;
    char *pos[1];
    size_t npos, nex;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, actions_opts, &o, ex, &nex, pos, 0, 0, &npos, "minutes", "actions"))
        != BV_CLI_GO)
        return rc;
    memset(&l, 0, sizeof l);
    l.json = o.json;
    l.open_only = opt_val(ex, nex, OPT_OPEN) != NULL;
    board = opt_val(ex, nex, OPT_BOARD);
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if (board && (st = bv_read_board(r->v, board, &b)) != BV_OK)
        goto out;
    if (!o.json && (st = bv_table_new(&l.t, heads, flags)) != BV_OK)
        goto out;
    st = bv_read_actions(r->v, board, action_cb, &l);
    if (st == BV_OK && o.json)
        printf("[\n%s%s]\n", l.out.len ? (const char *)l.out.p : "", l.n ? "\n" : "");
    else if (st == BV_OK)
        st = bv_table_print(l.t);
out:
    bv_table_free(l.t);
    bv_buf_free(&l.out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}
