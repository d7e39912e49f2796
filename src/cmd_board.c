/*
 * cmd_board.c - board create/add/list/show.
 */
#include "bv_cli.h"
#include "bv_read.h"
#include "bv_precheck.h"
#include "bv_table.h"

#include <stdio.h>
#include <string.h>

enum { OPT_ROLE = 100 };

static const bv_opt person_opts[] = { BV_COMMON_OPTS, { NULL, 0, 0 } };
static const bv_opt remove_opts[] = { BV_COMMON_OPTS, BV_YES_OPT, { NULL, 0, 0 } };
static const bv_opt add_opts[] = { BV_COMMON_OPTS, { "--role", 1, OPT_ROLE }, { NULL, 0, 0 } };
static const bv_opt list_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };

int
bv_cmd_board_create(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, person_opts, &o, NULL, NULL, pos, 1, 1, &npos, "board", "create"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_name_check("board", pos[0])) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if ((st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = bv_board_create(r->v, r->a, pos[0]);
    if (st != BV_OK)
        return bv_cli_error(st);
    printf("created board ");
    bv_cli_print_safe(pos[0]);
    printf(" (key epoch 1)\n");
    return 0;
}

int
bv_cmd_board_add(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[64];
    const char *role = NULL;
    char *pos[2];
    size_t npos, nex, i;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, add_opts, &o, ex, &nex, pos, 2, 2, &npos, "board", "add"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++)
        if (ex[i].id == OPT_ROLE)
            role = ex[i].val;
    if (role == NULL)
        return bv_cli_usage("board add needs --role officer|member|auditor");
    if (strcmp(role, "officer") != 0 && strcmp(role, "member") != 0 && strcmp(role, "auditor") != 0)
        return bv_cli_usage("--role must be officer, member or auditor");
    if ((st = bv_name_check("board", pos[0])) != BV_OK
        || (st = bv_name_check("member", pos[1])) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    /* what needs no key is checked before the passphrase */
    if ((st = bv_pre_board(r->v, &pos[0])) == BV_OK && (st = bv_pre_person(r->v, &pos[1])) == BV_OK
        && (st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = bv_board_add(r->v, r->a, pos[0], pos[1], role);
    if (st != BV_OK)
        return bv_cli_error(st);
    printf("added ");
    bv_cli_print_safe(pos[1]);
    printf(" to ");
    bv_cli_print_safe(pos[0]);
    printf(" as %s\n", role);
    return 0;
}

struct listing {
    bv_buf out;
    bv_table *t;
    int json, n;
};

static bv_status
board_cb(void *ctx, const bv_board_row *b)
{
    struct listing *l = ctx;

    if (l->json) {
        bv_buf_puts(&l->out, l->n++ ? ",\n  {\"name\": " : "  {\"name\": ");
        bv_json_str(&l->out, b->name);
        bv_buf_printf(&l->out, ", \"epoch\": %lld, \"created_by\": ", (long long)b->epoch);
        bv_json_str(&l->out, b->created_by);
        bv_buf_printf(&l->out, ", \"created\": \"%s\"}", b->created);
    } else {
        char epoch[24];
        const char *cells[3] = { epoch, b->created, b->name };
        snprintf(epoch, sizeof epoch, "%lld", (long long)b->epoch);
        return bv_table_row(l->t, cells);
    }
    return BV_OK;
}

int
bv_cmd_board_list(bv_run *r, int argc, char **argv)
{
    static const char *const heads[] = { "EPOCH", "CREATED", "BOARD", NULL };
    static const int flags[] = { BV_COL_RIGHT, 0, BV_COL_TRUNC };
    struct listing l;
    bv_cli_opts o;
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, list_opts, &o, NULL, NULL, pos, 0, 0, &npos, "board", "list"))
        != BV_CLI_GO)
        return rc;
    memset(&l, 0, sizeof l);
    l.json = o.json;
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if (o.json || (st = bv_table_new(&l.t, heads, flags)) == BV_OK)
        st = bv_read_boards(r->v, board_cb, &l);
    if (st == BV_OK && o.json)
        printf("[\n%s%s]\n", l.out.len ? (const char *)l.out.p : "", l.n ? "\n" : "");
    else if (st == BV_OK)
        st = bv_table_print(l.t);
    bv_table_free(l.t);
    bv_buf_free(&l.out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

static bv_status
role_cb(void *ctx, const bv_role_row *r)
{
    struct listing *l = ctx;

    if (l->json) {
        bv_buf_puts(&l->out, ", ");
        bv_buf_puts(&l->out, "{\"name\": ");
        bv_json_str(&l->out, r->person);
        bv_buf_printf(&l->out, ", \"role\": \"%s\", \"added_by\": ", r->role);
        bv_json_str(&l->out, r->added_by);
        bv_buf_puts(&l->out, "}");
    } else {
        const char *cells[3] = { r->role, r->person, r->added_by };
        return bv_table_row(l->t, cells);
    }
    return BV_OK;
}

int
bv_cmd_board_show(bv_run *r, int argc, char **argv)
{
    static const char *const heads[] = { "ROLE", "NAME", "ADDED BY", NULL };
    static const int flags[] = { 0, BV_COL_TRUNC, BV_COL_TRUNC };
    struct listing l;
    bv_cli_opts o;
    bv_board_row b;
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, list_opts, &o, NULL, NULL, pos, 1, 1, &npos, "board", "show"))
        != BV_CLI_GO)
        return rc;
    memset(&l, 0, sizeof l);
    l.json = o.json;
    if ((st = bv_name_check("board", pos[0])) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if ((st = bv_read_board(r->v, pos[0], &b)) != BV_OK)
        goto out;
    if (o.json) {
        bv_buf_puts(&l.out, "{\"name\": ");
        bv_json_str(&l.out, b.name);
        bv_buf_printf(&l.out, ", \"epoch\": %lld, \"created\": \"%s\", \"people\": [",
            (long long)b.epoch, b.created);
        bv_buf_puts(&l.out, "{\"name\": ");
        bv_json_str(&l.out, b.created_by);
        bv_buf_puts(&l.out, ", \"role\": \"officer\", \"added_by\": ");
        bv_json_str(&l.out, b.created_by);
        bv_buf_puts(&l.out, "}");
    } else {
        const char *cells[3] = { "officer", b.created_by, "(created the board)" };
        printf("board:    ");
        bv_cli_print_safe(b.name);
        printf("\nepoch:    %lld\ncreated:  %s\npeople:\n", (long long)b.epoch, b.created);
        if ((st = bv_table_new(&l.t, heads, flags)) != BV_OK
            || (st = bv_table_row(l.t, cells)) != BV_OK)
            goto out;
    }
    st = bv_read_roles(r->v, b.id, role_cb, &l);
    if (st == BV_OK && o.json) {
        bv_buf_puts(&l.out, "]}\n");
        fwrite(l.out.p, 1, l.out.len, stdout);
    } else if (st == BV_OK) {
        st = bv_table_print(l.t);
    }
out:
    bv_table_free(l.t);
    bv_buf_free(&l.out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

int
bv_cmd_board_remove(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_remove_result res;
    char *pos[2], what[320];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, remove_opts, &o, NULL, NULL, pos, 2, 2, &npos, "board", "remove"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_name_check("board", pos[0])) != BV_OK
        || (st = bv_name_check("member", pos[1])) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    snprintf(what, sizeof what,
        "Removing %.64s from %.64s revokes their grants on its items at once; if they are an "
        "officer, the board key is rotated and the old epoch's keys destroyed.\n",
        pos[1], pos[0]);
    if ((st = bv_pre_board(r->v, &pos[0])) == BV_OK && (st = bv_pre_person(r->v, &pos[1])) == BV_OK
        && (st = bv_cli_confirm(&o, what, "Remove them?")) == BV_OK
        && (st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = bv_board_remove(r->v, r->a, pos[0], pos[1], &res);
    if (st != BV_OK)
        return bv_cli_error(st);
    printf("removed ");
    bv_cli_print_safe(pos[1]);
    printf(" from ");
    bv_cli_print_safe(pos[0]);
    printf("; %zu grants revoked\n", res.grants_revoked);
    if (res.was_officer)
        printf("board key rotated to epoch %lld; %zu item keys re-wrapped; the old epoch's keys "
               "destroyed\n",
            (long long)res.epoch, res.items_rewrapped);
    return 0;
}
