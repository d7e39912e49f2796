/*
 * cmd_audit.c - audit log (the auditor's commands grow here).
 */
#define _GNU_SOURCE
#include "bv_cli.h"
#include "bv_read.h"

#include "bv_merkle.h"
#include "bv_precheck.h"
#include "bv_table.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
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
    bv_table *t;
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

/*
 * One CSV cell, quoted (RFC 4180). A cell that begins with = + - @ tab or
 * CR would be taken for a formula by a spreadsheet (a name given as
 * --as '=HYPERLINK(...)' would run): it gets a leading ' inside the quotes,
 * which spreadsheets show as text (OWASP, CSV injection). The JSON
 * outputs keep the exact data.
 */
static void
csv_cell(bv_buf *b, const char *s)
{
    const char *p;

    bv_buf_puts(b, "\"");
    if (*s && strchr("=+-@\t\r", *s) != NULL)
        bv_buf_puts(b, "'");
    for (p = s; *p; p++)
        bv_buf_put(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    bv_buf_puts(b, "\"");
}

static bv_status
log_cb(void *ctx, const bv_audit_row *e)
{
    struct logview *l = ctx;
    const char *f[] = { e->time, e->actor, e->actor_fp, e->action, e->board, e->item, e->meeting,
        e->agenda, e->outcome, e->reason };
    static const char *names[] = { "time", "actor", "actor_key", "action", "board", "item",
        "meeting", "agenda", "outcome", "reason" };
    const char *cells[8];
    char lt[32], seq[24];
    size_t i;
    int oom;

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
        bv_buf b;
        bv_buf_init(&b);
        bv_buf_printf(&b, "%lld", (long long)e->seq);
        for (i = 0; i < sizeof f / sizeof f[0]; i++) {
            bv_buf_puts(&b, ",");
            csv_cell(&b, f[i]);
        }
        bv_buf_puts(&b, "\n");
        oom = b.oom;
        if (!oom)
            fwrite(b.p, 1, b.len, stdout);
        bv_buf_free(&b);
        return oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
    }
    local_time(e->time, lt);
    snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
    cells[0] = seq;
    cells[1] = lt;
    cells[2] = e->actor;
    cells[3] = e->action;
    cells[4] = e->outcome;
    cells[5] = *e->board ? e->board : "-";
    cells[6] = *e->item ? e->item : "-";
    cells[7] = e->reason;
    return bv_table_row(l->t, cells);
}

/* A date (the whole day: from its start, or up to its end) or a full UTC
 * time, as the stored "YYYY-MM-DDTHH:MM:SSZ" strings compare. */
static int
time_arg(const char *s, int end_of_day, char out[21])
{
    struct tm tm;
    const char *e;

    memset(&tm, 0, sizeof tm);
    if (strlen(s) == 10 && (e = strptime(s, "%Y-%m-%d", &tm)) != NULL && *e == '\0') {
        snprintf(out, 21, "%sT%s", s, end_of_day ? "23:59:59Z" : "00:00:00Z");
        return 1;
    }
    memset(&tm, 0, sizeof tm);
    if (strlen(s) == 20 && (e = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL && *e == '\0') {
        snprintf(out, 21, "%s", s);
        return 1;
    }
    return 0;
}

int
bv_cmd_audit_log(bv_run *r, int argc, char **argv)
{
    static const char *const heads[]
        = { "SEQ", "TIME (local)", "ACTOR", "ACTION", "OUTCOME", "BOARD", "ITEM", "REASON", NULL };
    static const int flags[]
        = { BV_COL_RIGHT, 0, BV_COL_TRUNC, 0, 0, BV_COL_TRUNC, 0, BV_COL_TRUNC };
    char since[21], until[21], item[BV_UID_LEN + 1];
    bv_audit_filter f;
    struct logview l;
    bv_cli_opts o;
    bv_optres ex[64];
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
    if ((f.since && !time_arg(f.since, 0, since)) || (f.until && !time_arg(f.until, 1, until)))
        return bv_cli_usage("--since and --until take YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
    if (f.since)
        f.since = since;
    if (f.until)
        f.until = until;
    if (f.outcome && strcmp(f.outcome, "ok") != 0 && strcmp(f.outcome, "denied") != 0
        && strcmp(f.outcome, "failed") != 0)
        return bv_cli_usage("--outcome must be ok, denied or failed");
    if (o.json && o.csv)
        return bv_cli_usage("choose one of --json and --csv");
    memset(&l, 0, sizeof l);
    l.json = o.json;
    l.csv = o.csv;
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    /* an id prefix names one item, of today or one the log still names */
    if (f.item && (st = bv_pre_item(r->v, f.item, 1, item)) != BV_OK)
        return bv_cli_error(st);
    if (f.item)
        f.item = item;
    if (l.json)
        printf("[\n");
    else if (l.csv)
        printf("seq,time,actor,actor_key,action,board,item,meeting,agenda,outcome,reason\n");
    else if ((st = bv_table_new(&l.t, heads, flags)) != BV_OK)
        goto out;
    st = bv_read_audit(r->v, &f, log_cb, &l);
    if (l.json)
        printf("%s]\n", l.n ? "\n" : "");
    else if (l.t && st == BV_OK)
        st = bv_table_print(l.t);
out:
    bv_table_free(l.t);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

enum { OPT_CHECKPOINT = 200, OPT_SIZE, OPT_FORMAT };

static const bv_opt verify_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--checkpoint", BV_ARG_LIST, OPT_CHECKPOINT }, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt cp_opts[] = { BV_COMMON_OPTS, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt prove_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--size", 1, OPT_SIZE }, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt plain_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt export_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--format", 1, OPT_FORMAT }, { NULL, 0, 0 } };
static const bv_opt summary_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--board", 1, OPT_BOARD }, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };

#define MAX_CP_FILE (64 * 1024)

/* Read a whole (small) checkpoint file. */
static bv_status
read_small(const char *path, bv_buf *b)
{
    FILE *f;
    uint8_t chunk[4096];
    size_t n;

    bv_buf_init(b);
    if ((f = fopen(path, "rb")) == NULL) {
        if (errno == ENOENT)
            return bv_fail(BV_ENOTFOUND, "no checkpoint file %s", path);
        return bv_fail(BV_EINPUT, "cannot read checkpoint %s: %s", path, strerror(errno));
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        bv_buf_put(b, chunk, n);
        if (b->len > MAX_CP_FILE) {
            fclose(f);
            return bv_fail(BV_EINPUT, "checkpoint %s is too large", path);
        }
    }
    if (ferror(f)) {
        fclose(f);
        return bv_fail(BV_EINPUT, "cannot read checkpoint %s (is it a directory?)", path);
    }
    fclose(f);
    bv_buf_put(b, "", 0);
    return b->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

static void
b64(const uint8_t *p, size_t n, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
}

/* One JSON object on stdout: what verify found; the entries without
 * authority (one line each in unauth) as strings. */
static void
verify_json(const bv_audit_report *rep, const char *root, size_t given, const char *unauth)
{
    const char *p = unauth, *nl;
    char line[1024];
    bv_buf b;
    int k = 0;

    bv_buf_init(&b);
    bv_buf_printf(&b,
        "{\"ok\": %s, \"size\": %llu, \"root\": \"%s\", \"signed\": %llu, \"unsigned\": %llu, "
        "\"stored_checkpoints\": %llu, \"given_checkpoints\": %zu, \"without_authority\": [",
        *unauth ? "false" : "true", (unsigned long long)rep->size, root,
        (unsigned long long)rep->signed_entries, (unsigned long long)rep->unsigned_entries,
        (unsigned long long)rep->checkpoints, given);
    for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
        bv_buf_puts(&b, k++ ? ", " : "");
        bv_json_str(&b, line);
    }
    bv_buf_puts(&b, "]}\n");
    (void)bv_cli_put(&b); /* the verification's result decides the exit */
}

/* A proof's hashes, base64, as a JSON array. */
static void
proof_json(bv_buf *b, uint8_t proof[][32], size_t plen)
{
    char h[64];
    size_t i;

    bv_buf_puts(b, "[");
    for (i = 0; i < plen; i++) {
        b64(proof[i], 32, h, sizeof h);
        bv_buf_printf(b, "%s\"%s\"", i ? ", " : "", h);
    }
    bv_buf_puts(b, "]");
}

int
bv_cmd_audit_verify(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    bv_audit_cp cps[64];
    bv_buf files[64];
    bv_audit_report rep;
    bv_buf unauth;
    char *pos[1], root[64];
    size_t npos, nex, i, n = 0, lines;
    bv_status st = BV_OK;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, verify_opts, &o, ex, &nex, pos, 0, 0, &npos, "audit", "verify"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex && st == BV_OK; i++) {
        if (ex[i].id != OPT_CHECKPOINT)
            continue;
        if ((st = read_small(ex[i].val, &files[n])) != BV_OK) {
            bv_buf_free(&files[n]);
            break;
        }
        cps[n].label = ex[i].val;
        cps[n].p = files[n].p;
        cps[n].len = files[n].len;
        n++;
    }
    bv_buf_init(&unauth);
    if (st == BV_OK && (st = bv_run_vault(r)) == BV_OK)
        st = bv_vault_audit_verify(r->v, cps, n, &rep, &unauth);
    for (i = 0; i < n; i++)
        bv_buf_free(&files[i]);
    if (st == BV_OK && unauth.oom)
        st = bv_fail(BV_ERR, "out of memory");
    if (st != BV_OK) {
        bv_buf_free(&unauth);
        return bv_cli_error(st);
    }
    b64(rep.root, 32, root, sizeof root);
    lines = 0;
    for (i = 0; i < unauth.len; i++)
        lines += unauth.p[i] == '\n';
    bv_buf_put(&unauth, "", 1);
    if (o.json)
        verify_json(&rep, root, n, (const char *)unauth.p);
    else
        printf("size %llu\nroot %s\n", (unsigned long long)rep.size, root);
    if (lines) {
        /* every entry is intact and signed, but some claim changes their
         * signer could not make: someone wrote them into the file */
        if (!o.json)
            fputs((const char *)unauth.p, stderr);
        bv_buf_free(&unauth);
        bv_fail(BV_EINTEGRITY,
            "the log is intact, but %zu entr%s above claim%s a change without the authority to "
            "make it (ignored by every check; someone wrote %s into the file)",
            lines, lines == 1 ? "y" : "ies", lines == 1 ? "s" : "", lines == 1 ? "it" : "them");
        return bv_cli_error(BV_EINTEGRITY);
    }
    bv_buf_free(&unauth);
    if (!o.json)
        printf("OK: %llu entries (%llu signed, %llu unsigned attempts), %llu stored and %zu given "
               "checkpoints verified\n",
            (unsigned long long)rep.size, (unsigned long long)rep.signed_entries,
            (unsigned long long)rep.unsigned_entries, (unsigned long long)rep.checkpoints, n);
    return 0;
}

int
bv_cmd_audit_checkpoint(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_buf note;
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    bv_buf_init(&note);
    if ((rc = bv_cli_args(
             argc, argv, cp_opts, &o, NULL, NULL, pos, 0, 0, &npos, "audit", "checkpoint"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if ((st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = bv_vault_checkpoint(r->v, r->a, &note);
    if (st == BV_OK && o.json) {
        /* a C2SP checkpoint: origin, size and root are its first three lines */
        bv_buf j, t;
        char origin[128] = "", root[64] = "";
        unsigned long long size = 0;
        bv_buf_init(&j);
        bv_buf_init(&t);
        bv_buf_put(&t, note.p, note.len);
        bv_buf_put(&t, "", 1);
        if (!t.oom)
            (void)sscanf((const char *)t.p, "%127[^\n]\n%llu\n%63[^\n]", origin, &size, root);
        bv_buf_puts(&j, "{\"origin\": ");
        bv_json_str(&j, origin);
        bv_buf_printf(&j, ", \"size\": %llu, \"root\": \"%s\", \"note\": ", size, root);
        bv_json_str(&j, t.oom ? "" : (const char *)t.p);
        bv_buf_puts(&j, "}\n");
        bv_buf_free(&t);
        bv_buf_free(&note);
        return bv_cli_put(&j);
    }
    if (st == BV_OK)
        fwrite(note.p, 1, note.len, stdout);
    bv_buf_free(&note);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

static bv_status
parse_u64(const char *what, const char *s, uint64_t *out)
{
    char *end;

    if (*s < '0' || *s > '9')
        return bv_fail(BV_EUSAGE, "%s must be a number", what);
    errno = 0;
    *out = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return bv_fail(BV_EUSAGE, "%s must be a number", what);
    return BV_OK;
}

static void
print_proof(uint8_t proof[][32], size_t plen)
{
    char b[64];
    size_t i;

    for (i = 0; i < plen; i++) {
        b64(proof[i], 32, b, sizeof b);
        printf("proof %s\n", b);
    }
}

int
bv_cmd_audit_prove(bv_run *r, int argc, char **argv)
{
    uint8_t proof[BV_MERKLE_MAX_PROOF][32], lh[32], root[32];
    bv_cli_opts o;
    bv_optres ex[64];
    uint64_t seq, size = 0;
    char *pos[1], b[64];
    size_t npos, nex, i, plen = 0;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, prove_opts, &o, ex, &nex, pos, 1, 1, &npos, "audit", "prove"))
        != BV_CLI_GO)
        return rc;
    if ((st = parse_u64("SEQ", pos[0], &seq)) != BV_OK)
        return bv_cli_error(st);
    for (i = 0; i < nex; i++)
        if (ex[i].id == OPT_SIZE && (st = parse_u64("--size", ex[i].val, &size)) != BV_OK)
            return bv_cli_error(st);
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    st = bv_read_prove(r->v, seq, &size, lh, root, proof, &plen);
    if (st != BV_OK)
        return bv_cli_error(st);
    if (o.json) {
        bv_buf j;
        char h[64];
        bv_buf_init(&j);
        b64(lh, 32, b, sizeof b);
        b64(root, 32, h, sizeof h);
        bv_buf_printf(&j,
            "{\"seq\": %llu, \"index\": %llu, \"size\": %llu, \"leaf_hash\": \"%s\", "
            "\"root\": \"%s\", \"proof\": ",
            (unsigned long long)seq, (unsigned long long)seq - 1, (unsigned long long)size, b, h);
        proof_json(&j, proof, plen);
        bv_buf_puts(&j, "}\n");
        return bv_cli_put(&j);
    }
    printf("seq %llu\nindex %llu\nsize %llu\n", (unsigned long long)seq,
        (unsigned long long)seq - 1, (unsigned long long)size);
    b64(lh, 32, b, sizeof b);
    printf("leaf-hash %s\n", b);
    b64(root, 32, b, sizeof b);
    printf("root %s\n", b);
    print_proof(proof, plen);
    return 0;
}

int
bv_cmd_audit_consistency(bv_run *r, int argc, char **argv)
{
    uint8_t proof[BV_MERKLE_MAX_PROOF][32], r1[32], r2[32];
    bv_cli_opts o;
    uint64_t m, n;
    char *pos[2], b[64];
    size_t npos, plen = 0;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, plain_opts, &o, NULL, NULL, pos, 2, 2, &npos, "audit", "consistency"))
        != BV_CLI_GO)
        return rc;
    if ((st = parse_u64("OLD", pos[0], &m)) != BV_OK
        || (st = parse_u64("NEW", pos[1], &n)) != BV_OK)
        return bv_cli_error(st);
    if (m == 0 || m > n)
        return bv_cli_usage("consistency needs 0 < OLD <= NEW");
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    st = bv_read_consistency(r->v, m, n, r1, r2, proof, &plen);
    if (st != BV_OK)
        return bv_cli_error(st);
    if (o.json) {
        bv_buf j;
        char h[64];
        bv_buf_init(&j);
        b64(r1, 32, b, sizeof b);
        b64(r2, 32, h, sizeof h);
        bv_buf_printf(&j,
            "{\"old\": {\"size\": %llu, \"root\": \"%s\"}, \"new\": {\"size\": %llu, "
            "\"root\": \"%s\"}, \"proof\": ",
            (unsigned long long)m, b, (unsigned long long)n, h);
        proof_json(&j, proof, plen);
        bv_buf_puts(&j, "}\n");
        return bv_cli_put(&j);
    }
    b64(r1, 32, b, sizeof b);
    printf("old %llu %s\n", (unsigned long long)m, b);
    b64(r2, 32, b, sizeof b);
    printf("new %llu %s\n", (unsigned long long)n, b);
    print_proof(proof, plen);
    return 0;
}

struct exporter {
    int csv;
};

static bv_status
export_cb(void *ctx, const bv_audit_row *e)
{
    struct exporter *x = ctx;
    const char *f[] = { e->time, e->actor, e->actor_fp, e->action, e->board, e->item, e->meeting,
        e->agenda, e->outcome, e->reason };
    static const char *names[] = { "time", "actor", "actor_key", "action", "board", "item",
        "meeting", "agenda", "outcome", "reason" };
    /* as the entry itself says (docs/AUDIT.md); verify checks it matches */
    const char *auth = memmem(e->leaf, e->leaf_len, "\nauth signed\n", 13) ? "signed" : "none";
    char *leaf;
    size_t i, cap = sodium_base64_ENCODED_LEN(e->leaf_len, sodium_base64_VARIANT_ORIGINAL);
    bv_buf b;
    int oom;

    if ((leaf = malloc(cap)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    b64(e->leaf, e->leaf_len, leaf, cap);
    bv_buf_init(&b);
    if (x->csv) {
        bv_buf_printf(&b, "%lld", (long long)e->seq);
        for (i = 0; i < sizeof f / sizeof f[0]; i++) {
            bv_buf_puts(&b, ",");
            csv_cell(&b, f[i]);
        }
        /* auth is a word; the leaf's base64 starts "Ym9h" (boardvault-audit/v1) */
        bv_buf_printf(&b, ",%s,%s\n", auth, leaf);
    } else {
        bv_buf_printf(&b, "{\"seq\": %lld", (long long)e->seq);
        for (i = 0; i < sizeof f / sizeof f[0]; i++) {
            bv_buf_printf(&b, ", \"%s\": ", names[i]);
            bv_json_str(&b, f[i]);
        }
        bv_buf_printf(&b, ", \"auth\": \"%s\", \"leaf\": \"%s\"}\n", auth, leaf);
    }
    free(leaf);
    oom = b.oom;
    if (!oom)
        fwrite(b.p, 1, b.len, stdout);
    bv_buf_free(&b);
    return oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

int
bv_cmd_audit_export(bv_run *r, int argc, char **argv)
{
    struct exporter x = { 0 };
    bv_cli_opts o;
    bv_optres ex[64];
    const char *fmt = NULL;
    char *pos[1];
    size_t npos, nex, i;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, export_opts, &o, ex, &nex, pos, 0, 0, &npos, "audit", "export"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++)
        if (ex[i].id == OPT_FORMAT)
            fmt = ex[i].val;
    if (fmt == NULL || (strcmp(fmt, "jsonl") != 0 && strcmp(fmt, "csv") != 0))
        return bv_cli_usage("audit export needs --format jsonl|csv");
    x.csv = strcmp(fmt, "csv") == 0;
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if (x.csv)
        printf("seq,time,actor,actor_key,action,board,item,meeting,agenda,outcome,reason,auth,"
               "leaf\n");
    st = bv_read_audit(r->v, NULL, export_cb, &x);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

struct summary {
    bv_vault *v;
    int json, n;
    bv_buf out;
    bv_table *t;
    const bv_item_row *it; /* the item whose rows come in */
    char opened[64][BV_NAME_MAX + 1];
    size_t nopened;
};

/* One table row: the item, then outcome, member, count, first and last. */
static bv_status
summary_cells(struct summary *x, const char *outcome, const char *member, const char *count,
    const char *first, const char *last)
{
    const char *cells[8];

    cells[0] = x->it->uid;
    cells[1] = x->it->board;
    cells[2] = x->it->title;
    cells[3] = outcome;
    cells[4] = member;
    cells[5] = count;
    cells[6] = first;
    cells[7] = last;
    return bv_table_row(x->t, cells);
}

static bv_status
summary_row(void *ctx, const char *actor, const char *outcome, int64_t count, const char *first,
    const char *last)
{
    struct summary *x = ctx;
    char f[32], l[32], n[24];

    if (strcmp(outcome, "ok") == 0 && x->nopened < 64)
        snprintf(x->opened[x->nopened++], BV_NAME_MAX + 1, "%s", actor);
    if (x->json) {
        bv_buf_puts(&x->out, x->n++ ? ", {\"member\": " : "{\"member\": ");
        bv_json_str(&x->out, actor);
        bv_buf_printf(&x->out,
            ", \"outcome\": \"%s\", \"count\": %lld, \"first\": \"%s\", "
            "\"last\": \"%s\"}",
            outcome, (long long)count, first, last);
        return BV_OK;
    }
    x->n++;
    local_time(first, f);
    local_time(last, l);
    snprintf(n, sizeof n, "%lld", (long long)count);
    return summary_cells(x, outcome, actor, n, f, l);
}

static bv_status
summary_item(void *ctx, const bv_item_row *it)
{
    struct summary *x = ctx;
    size_t off = 0, i, never = 0;
    char name[BV_NAME_MAX + 1];
    bv_status st;

    x->nopened = 0;
    x->n = 0;
    x->it = it;
    if (x->json) {
        bv_buf_puts(&x->out, x->out.len > 2 ? ",\n  {\"id\": " : "  {\"id\": ");
        bv_json_str(&x->out, it->uid);
        bv_buf_puts(&x->out, ", \"board\": ");
        bv_json_str(&x->out, it->board);
        bv_buf_puts(&x->out, ", \"title\": ");
        bv_json_str(&x->out, it->title);
        bv_buf_puts(&x->out, ", \"opens\": [");
    }
    if ((st = bv_read_audit_summary(x->v, it->uid, summary_row, x)) != BV_OK)
        return st;
    if (x->json)
        bv_buf_puts(&x->out, "], \"granted_never_opened\": [");
    /* grantees in the grant set who have no successful open */
    while (bv_field_next(it->gs_names.p, it->gs_names.len, &off, name, sizeof name) == 1) {
        int seen = 0;
        for (i = 0; i < x->nopened; i++)
            seen |= strcmp(x->opened[i], name) == 0;
        if (seen)
            continue;
        if (x->json) {
            if (never++)
                bv_buf_puts(&x->out, ", ");
            bv_json_str(&x->out, name);
        } else if ((st = summary_cells(x, "never opened", name, "0", "-", "-")) != BV_OK) {
            return st;
        } else {
            never++;
        }
    }
    if (x->json)
        bv_buf_puts(&x->out, "]}");
    else if (x->n == 0 && never == 0
        && (st = summary_cells(x, "never opened", "-", "0", "-", "-")) != BV_OK)
        return st;
    return x->out.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

int
bv_cmd_audit_summary(bv_run *r, int argc, char **argv)
{
    static const char *const heads[]
        = { "ITEM", "BOARD", "TITLE", "OUTCOME", "MEMBER", "OPENS", "FIRST", "LAST", NULL };
    static const int flags[]
        = { 0, BV_COL_TRUNC, BV_COL_TRUNC, 0, BV_COL_TRUNC, BV_COL_RIGHT, 0, 0 };
    struct summary *x;
    bv_cli_opts o;
    bv_optres ex[64];
    bv_board_row b;
    const char *board = NULL;
    char *pos[1];
    size_t npos, nex, i;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, summary_opts, &o, ex, &nex, pos, 0, 0, &npos, "audit", "summary"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++)
        if (ex[i].id == OPT_BOARD)
            board = ex[i].val;
    if ((x = calloc(1, sizeof *x)) == NULL)
        return bv_cli_error(bv_fail(BV_ERR, "out of memory"));
    x->json = o.json;
    bv_buf_init(&x->out);
    bv_buf_puts(&x->out, "[\n");
    if ((st = bv_run_vault(r)) != BV_OK)
        goto out;
    if (!x->json && (st = bv_table_new(&x->t, heads, flags)) != BV_OK)
        goto out;
    x->v = r->v;
    if (board && (st = bv_read_board(r->v, board, &b)) != BV_OK)
        goto out;
    st = bv_read_items(r->v, board, summary_item, x);
    if (st == BV_OK && x->json) {
        bv_buf_puts(&x->out, "\n]\n");
        fwrite(x->out.p, 1, x->out.len, stdout);
    } else if (st == BV_OK) {
        st = bv_table_print(x->t);
    }
out:
    bv_table_free(x->t);
    bv_buf_free(&x->out);
    free(x);
    return st == BV_OK ? 0 : bv_cli_error(st);
}
