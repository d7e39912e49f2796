/*
 * commands.c - the one table of commands, their help, the "did you mean"
 * for a mistyped one, the global options and the dispatch; and the
 * parsing of a command's own arguments, which answers --help from the
 * same table.
 */
#define _GNU_SOURCE
#include "bv_cli.h"
#include "bv_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_CODES                                                                                 \
    "Exit codes:\n"                                                                                \
    "  0 ok   1 other error   2 usage   3 authentication failed\n"                                 \
    "  4 not permitted   5 integrity failure   6 not found   7 bad input data\n"

static int cmd_help(bv_run *r, int argc, char **argv);
static int cmd_complete(bv_run *r, int argc, char **argv);

static const struct bv_command commands[] = {
    { NULL, "help", cmd_help, 0, BV_ACT_NONE, "help [COMMAND...]",
        "the command list, or a command's usage and options (as COMMAND --help)", "" },
    { NULL, "init", bv_cmd_init, 0, BV_ACT_NONE,
        "init --as NAME [--passphrase-fd N] [KDF options] [--json]",
        "create a vault and its first officer (the root)",
        "  --kdf-memory KIB     Argon2id memory (default 524288, floor 19456)\n"
        "  --kdf-time N         Argon2id passes (default 2, floor 2)\n"
        "  --kdf-lanes N        Argon2id lanes/threads (default 2)\n" },
    { NULL, "complete", cmd_complete, 0, BV_ACT_NONE,
        "complete commands|options|boards|members [COMMAND...]",
        "candidates for shell completion, one a line (scripts/completion/)",
        "  commands             the commands and groups\n"
        "  options COMMAND...   the options of a command\n"
        "  boards, members      the names in the vault (read without a passphrase)\n" },
    { "member", "enroll", bv_cmd_member_enroll, BV_NEED_VAULT, BV_ACT_NONE,
        "member enroll NAME [--passphrase-fd N] [KDF options]",
        "enrol a new member (pending until an officer approves)",
        "  --passphrase-fd N    read the new passphrase from fd N\n"
        "  --kdf-memory KIB, --kdf-time N, --kdf-lanes N   as for init\n" },
    { "member", "approve", bv_cmd_member_approve, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_APPROVE,
        "member approve NAME [--fingerprint FP] [--yes] --as OFFICER [--passphrase-fd N]",
        "certify a pending member's keys, once their fingerprint is the one they read out",
        "  --fingerprint FP     the fingerprint the member read out (SHA256:... or the 32 hex\n"
        "                       digits of its read-aloud form): other keys are refused (exit 5)\n"
        "  --yes                do not ask; without --fingerprint, on a terminal approve shows\n"
        "                       the fingerprint and asks first\n" },
    { "member", "passwd", bv_cmd_member_passwd, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_PASSWD,
        "member passwd --as NAME [--passphrase-fd N] [KDF options]",
        "choose a new passphrase (the current one first); keys re-wrapped, grants kept",
        "  with --passphrase-fd: line 1 the current passphrase, line 2 the new one\n"
        "  --kdf-memory KIB, --kdf-time N, --kdf-lanes N   default: the vault's setting\n" },
    { "member", "rekey", bv_cmd_member_rekey, BV_NEED_VAULT | BV_NEED_ACTOR | BV_NEED_PASSPHRASE,
        BV_ACT_KEY_CHANGE, "member rekey --as NAME [--passphrase-fd N] [KDF options]",
        "for an exposed passphrase: new key pairs under a new passphrase; an officer approves",
        "  with --passphrase-fd: line 1 the current passphrase, line 2 the new one\n"
        "  then an officer compares the new fingerprint and runs member approve NAME:\n"
        "  your grants are re-issued to the new keys and the old ones retired\n" },
    { "member", "reset", bv_cmd_member_reset, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_RESET,
        "member reset NAME [--yes] --as OFFICER",
        "for a forgotten passphrase: drop the member's keys and grants, list what they had", "" },
    { "member", "list", bv_cmd_member_list, BV_NEED_READ, BV_ACT_NONE, "member list [--json]",
        "list members", "" },
    { "member", "show", bv_cmd_member_show, BV_NEED_READ, BV_ACT_NONE, "member show NAME [--json]",
        "show a member, fingerprint and verifier key", "" },
    { "board", "create", bv_cmd_board_create, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_BOARD_CREATE,
        "board create BOARD --as OFFICER", "create a board and its first board key", "" },
    { "board", "add", bv_cmd_board_add, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_BOARD_ADD,
        "board add BOARD NAME --role officer|member|auditor --as OFFICER",
        "give a person a role on a board", "" },
    { "board", "remove", bv_cmd_board_remove, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_BOARD_REMOVE,
        "board remove BOARD NAME [--yes] --as OFFICER",
        "take a person off a board: grants revoked; an officer's leaving rotates the board key",
        "" },
    { "board", "list", bv_cmd_board_list, BV_NEED_READ, BV_ACT_NONE, "board list [--json]",
        "list boards", "" },
    { "board", "show", bv_cmd_board_show, BV_NEED_READ, BV_ACT_NONE, "board show BOARD [--json]",
        "show a board and its people", "" },
    { NULL, "seal", bv_cmd_seal, BV_NEED_VAULT | BV_NEED_ACTOR | BV_SHOW_PROGRESS, BV_ACT_SEAL,
        "seal BOARD FILE|- (--title TEXT | --meeting M --agenda-item N)\n"
        "          [--grant NAME[,NAME...]] [--retain-until DATE] [--json] --as OFFICER",
        "encrypt a restricted item; prints its id",
        "  --title TEXT         the item's title (shown to everyone who can list items)\n"
        "  --meeting M --agenda-item N\n"
        "                       attach the body to restricted item N of an imported meeting\n"
        "                       (its title then comes from the agenda)\n"
        "  --grant NAMES        comma-separated members to grant at once (repeatable)\n"
        "  --retain-until DATE  destroy it at `retention run` after DATE (YYYY-MM-DD)\n" },
    { NULL, "grant", bv_cmd_grant, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_GRANT,
        "grant ITEM NAME... --as OFFICER", "grant members access to an item", "" },
    { NULL, "revoke", bv_cmd_revoke, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_REVOKE,
        "revoke ITEM NAME... --as OFFICER", "withdraw members' access to an item", "" },
    { NULL, "items", bv_cmd_items, BV_NEED_READ, BV_ACT_NONE, "items [--board BOARD] [--json]",
        "list sealed items (never their content)", "" },
    { NULL, "open", bv_cmd_open, BV_NEED_VAULT | BV_NEED_ACTOR | BV_SHOW_PROGRESS, BV_ACT_OPEN,
        "open ITEM [-o FILE] [--force] --as NAME",
        "decrypt an item granted to you; the access is recorded first",
        "  -o, --output FILE    write to FILE (0600, complete or absent)\n"
        "  --force              replace FILE, or write to a terminal\n" },
    { NULL, "rekey", bv_cmd_rekey, BV_NEED_VAULT | BV_NEED_ACTOR | BV_SHOW_PROGRESS, BV_ACT_REKEY,
        "rekey ITEM --as OFFICER",
        "give an item a new data key (after a revocation): body re-encrypted, grants re-issued",
        "" },
    { "item", "destroy", bv_cmd_item_destroy, BV_NEED_VAULT | BV_NEED_ACTOR | BV_SHOW_PROGRESS,
        BV_ACT_DESTROY, "item destroy ITEM [--yes] --as OFFICER",
        "crypto-shred an item: body and keys deleted, its audit record kept", "" },
    { NULL, "gc", bv_cmd_gc, BV_NEED_VAULT, BV_ACT_NONE, "gc [--json]",
        "sweep now the leftover ciphertext of destroyed, rekeyed or abandoned bodies",
        "  no passphrase: it is ciphertext that no item names; says why if it stops\n" },
    { NULL, "status", bv_cmd_status, BV_NEED_READ, BV_ACT_NONE, "status [--as NAME] [--json]",
        "the vault, its root, the log against the head you remember, checkpoints, KDF, leftovers",
        "  --as NAME            also compare NAME's key record's KDF with the vault's policy\n"
        "                       (read without a passphrase: nothing is unlocked)\n" },
    { NULL, "backup", bv_cmd_backup, BV_NEED_READ, BV_ACT_NONE, "backup DEST [--json]",
        "a consistent copy of the vault in use, verified before it is named DEST",
        "  DEST must not exist; it is complete and verified, or absent (no passphrase)\n" },
    { "vault", "copy", bv_cmd_vault_copy, BV_NEED_VERIFY, BV_ACT_NONE,
        "vault copy SRC DST [--json]",
        "copy a vault between a file and a server, verified before and after",
        "  SRC, DST             a vault file or a PostgreSQL URI/conninfo (as --vault)\n"
        "  SRC's whole log is verified first (exit 5 if it fails); DST must not exist\n"
        "  (a file) or must be an empty database (exit 2); the copy keeps the vault id and\n"
        "  root, so trust pins and remembered heads apply; it is verified as audit verify\n"
        "  does, and removed if anything fails (no passphrase)\n" },
    { "retention", "run", bv_cmd_retention_run, BV_NEED_VAULT | BV_NEED_ACTOR, BV_ACT_RETENTION,
        "retention run [--yes] --as OFFICER",
        "destroy every item whose --retain-until date has passed", "" },
    { NULL, "unlock", bv_cmd_unlock, BV_NEED_VAULT | BV_NEED_ACTOR | BV_NEED_PASSPHRASE,
        BV_ACT_UNLOCK, "unlock --as NAME [--for DURATION] [--passphrase-fd N]",
        "keep NAME's keys in an agent so that later commands as NAME need no passphrase",
        "  --for DURATION       how long: 90s, 15m, 1h (default 15m, at most 12h)\n"
        "  the agent signs and opens keys for NAME and never hands the keys out; it\n"
        "  listens in $XDG_RUNTIME_DIR/boardvault/ (yours, 0700) for your uid only;\n"
        "  --no-agent on any other command asks the passphrase anyway\n" },
    { NULL, "lock", bv_cmd_lock, BV_NEED_READ, BV_ACT_NONE, "lock [--as NAME]",
        "end the agents of this vault (yours, or NAME's only): keys wiped at once", "" },
    { "audit", "log", bv_cmd_audit_log, BV_NEED_READ, BV_ACT_NONE,
        "audit log [--board B] [--item I] [--member M] [--action A] [--outcome ok|denied|failed]\n"
        "          [--since T] [--until T] [--json|--csv]",
        "show the audit log", "" },
    { "audit", "verify", bv_cmd_audit_verify, BV_NEED_VERIFY | BV_SHOW_PROGRESS, BV_ACT_NONE,
        "audit verify [--checkpoint FILE ...] [--json]",
        "check the whole log, its stored checkpoints and saved ones (no passphrase)",
        "  --checkpoint FILE    a checkpoint saved outside the vault: today's log must\n"
        "                       extend it (repeatable)\n" },
    { "audit", "checkpoint", bv_cmd_audit_checkpoint, BV_NEED_VAULT | BV_NEED_ACTOR,
        BV_ACT_CHECKPOINT, "audit checkpoint [--json] --as NAME",
        "verify the log, then sign and store a C2SP checkpoint of it; print it", "" },
    { "audit", "prove", bv_cmd_audit_prove, BV_NEED_READ, BV_ACT_NONE,
        "audit prove SEQ [--size N] [--json]", "print an RFC 6962 inclusion proof of entry SEQ",
        "" },
    { "audit", "consistency", bv_cmd_audit_consistency, BV_NEED_READ, BV_ACT_NONE,
        "audit consistency OLD NEW [--json]",
        "print an RFC 6962 consistency proof between two tree sizes", "" },
    { "audit", "export", bv_cmd_audit_export, BV_NEED_READ, BV_ACT_NONE,
        "audit export --format jsonl|csv",
        "every entry, fields decoded, with the exact leaf bytes in base64", "" },
    { "audit", "summary", bv_cmd_audit_summary, BV_NEED_READ, BV_ACT_NONE,
        "audit summary [--board B] [--json]",
        "per item: who opened it, how often, refusals, grantees who never opened it", "" },
    { "minutes", "import", bv_cmd_minutes_import, BV_NEED_VAULT | BV_NEED_ACTOR,
        BV_ACT_MINUTES_IMPORT,
        "minutes import FILE|- --board BOARD --as OFFICER [--dry-run [--json]]",
        "store published minutes; seal any restricted body found in them at once",
        "  --board BOARD        the board the meeting belongs to\n"
        "  --dry-run            show what would be stored (a table, or --json); store nothing\n" },
    { "minutes", "list", bv_cmd_minutes_list, BV_NEED_READ, BV_ACT_NONE,
        "minutes list [--board BOARD] [--json]", "list imported meetings", "" },
    { "minutes", "show", bv_cmd_minutes_show, BV_NEED_READ, BV_ACT_NONE,
        "minutes show MEETING [--json] [--audit]",
        "the open record; restricted items with their seal and grants",
        "  --audit              add each restricted item's access history\n" },
    { "minutes", "publish", bv_cmd_minutes_publish, BV_NEED_READ, BV_ACT_NONE,
        "minutes publish MEETING --format txt|md|html [-o FILE] [--force]",
        "the public document: open minutes, restricted items as notices only",
        "  -o, --output FILE    write to FILE (complete or absent, never through a symlink)\n" },
    { "minutes", "actions", bv_cmd_minutes_actions, BV_NEED_READ, BV_ACT_NONE,
        "minutes actions [--board BOARD] [--open] [--json]",
        "every ACTION: line with its owners, meeting, item and status",
        "  --open               only actions not marked completed\n" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const struct bv_command *
bv_cli_commands(size_t *n)
{
    *n = NCOMMANDS;
    return commands;
}

static void
usage_all(FILE *f)
{
    size_t i;

    fprintf(f,
        "usage: boardvault [--vault PATH] COMMAND [ARGS]\n\n"
        "A vault for the restricted items of public boards.\n\n"
        "Commands:\n");
    for (i = 0; i < NCOMMANDS; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s%s", commands[i].group ? commands[i].group : "",
            commands[i].group ? " " : "", commands[i].name);
        fprintf(f, "  %-16s %s\n", name, commands[i].summary);
    }
    fprintf(f,
        "\nThe vault is PATH, else $BOARDVAULT_PATH, else ./boardvault.db.\n"
        "Passphrases come from the terminal (no echo) or --passphrase-fd N, never\n"
        "from arguments or the environment. Each vault's root key is pinned on first\n"
        "use ($XDG_CONFIG_HOME/boardvault/trusted_roots); --trust FINGERPRINT names\n"
        "the root key you expect. 'boardvault COMMAND --help' for more.\n\n" EXIT_CODES);
}

/* The table entry for group (NULL for a one-word command) and name. */
static const struct bv_command *
find(const char *group, const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0 && (group == NULL) == (commands[i].group == NULL)
            && (group == NULL || strcmp(group, commands[i].group) == 0))
            return &commands[i];
    return NULL;
}

static int
is_group(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (commands[i].group && strcmp(commands[i].group, name) == 0)
            return 1;
    return 0;
}

int
bv_cli_help(const char *group, const char *name)
{
    const struct bv_command *c = find(group, name);

    if (c == NULL)
        return 0;
    printf("usage: boardvault %s\n\n%s.\n", c->usage, c->summary);
    if (*c->help)
        printf("\n%s", c->help);
    if (strstr(c->usage, "[--yes]") && !strstr(c->help, "--yes"))
        printf("  --yes                do not ask: on a terminal the command says what will go\n"
               "                       and asks y/N first\n");
    if (strstr(c->usage, "--as") && !strstr(c->help, "--as NAME"))
        printf("  --as NAME            act as NAME (asks NAME's passphrase)\n"
               "  --passphrase-fd N    read the passphrase from fd N (first line)\n");
    if (strstr(c->usage, "--as") && !(c->needs & BV_NEED_PASSPHRASE) && (c->needs & BV_NEED_ACTOR))
        printf("  --no-agent           ask the passphrase even if `boardvault unlock` left an "
               "agent\n");
    printf("\n" EXIT_CODES);
    return 0;
}

static void
usage_group(FILE *f, const char *group)
{
    size_t i;

    fprintf(f, "usage:\n");
    for (i = 0; i < NCOMMANDS; i++)
        if (commands[i].group && strcmp(commands[i].group, group) == 0)
            fprintf(f, "  boardvault %s\n", commands[i].usage);
}

/* Optimal string alignment distance (edits and swaps of neighbours). */
size_t
bv_cli_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j, d[33][33];

    if (la > 32 || lb > 32)
        return 99;
    for (i = 0; i <= la; i++)
        d[i][0] = i;
    for (j = 0; j <= lb; j++)
        d[0][j] = j;
    for (i = 1; i <= la; i++)
        for (j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && d[i - 2][j - 2] + 1 < c)
                c = d[i - 2][j - 2] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

/* How close word is to name: 0 for the same, 1 for a prefix of it, else
 * the edit distance + 1; 99 when too far to suggest. */
static size_t
closeness(const char *word, const char *name)
{
    size_t d, lw = strlen(word);

    if (strcmp(word, name) == 0)
        return 0;
    if (lw >= 2 && strncmp(word, name, lw) == 0)
        return 1;
    d = bv_cli_distance(word, name);
    /* one edit in a short word, two in a longer one */
    return d <= (lw <= 4 ? 1u : 2u) ? d + 1 : 99;
}

/*
 * The nearest command to what was typed: w1 alone (a one-word command or
 * a group) or w1 w2 (group and subcommand; w2 may be NULL). The best
 * score wins; best gets "group name" or "name", or "" when nothing is near.
 */
static void
suggest(const char *w1, const char *w2, char *best, size_t cap)
{
    size_t i, n, score, top = 99;

    best[0] = '\0';
    for (i = 0; i < NCOMMANDS; i++) {
        const struct bv_command *c = &commands[i];
        if (c->group == NULL) {
            if (is_group(w1))
                continue; /* "item destory" is about the item group, not items */
            score = closeness(w1, c->name);
            if (score < top) {
                top = score;
                snprintf(best, cap, "%s", c->name);
            }
            continue;
        }
        if ((score = closeness(w1, c->group)) == 99)
            continue;
        /* no subcommand near w2 (or none given): the group, then its help */
        n = w2 ? closeness(w2, c->name) : 99;
        score += n == 99 ? 50 : n;
        if (score < top) {
            top = score;
            if (n == 99)
                snprintf(best, cap, "%s", c->group);
            else
                snprintf(best, cap, "%s %s", c->group, c->name);
        }
    }
}

/* One line for an unknown command, with the nearest one if any. w2 is
 * the next word, which names a subcommand only after a group. */
static int
unknown(const char *w1, const char *w2)
{
    char best[64];

    suggest(w1, w2, best, sizeof best);
    if (w2 && !is_group(w1) && strchr(best, ' ') == NULL)
        w2 = NULL; /* "sael CSP": CSP is the command's argument, not part of its name */
    bv_err_clear();
    if (best[0])
        bv_fail(BV_EUSAGE, "unknown command %s%s%s; did you mean `%s`? (boardvault help %s)", w1,
            w2 ? " " : "", w2 ? w2 : "", best, best);
    else
        bv_fail(BV_EUSAGE, "unknown command %s (the list: boardvault help)", w1);
    return bv_cli_error(BV_EUSAGE);
}

/* Every "--option" (and "-o") in s, once each, printed a line each. */
static void
print_options(const char *s, bv_buf *seen)
{
    const char *p = s, *e;
    char opt[40];

    while ((p = strstr(p, "-")) != NULL) {
        if ((p == s || p[-1] == ' ' || p[-1] == '[' || p[-1] == '(' || p[-1] == '|')
            && ((p[1] == '-' && p[2] >= 'a' && p[2] <= 'z') || (p[1] == 'o' && p[2] == ' '))) {
            for (e = p + 1; *e == '-' || (*e >= 'a' && *e <= 'z'); e++)
                ;
            if ((size_t)(e - p) < sizeof opt - 2) {
                /* seen is "\n--a\n--b\n": each option once */
                snprintf(opt, sizeof opt, "\n%.*s\n", (int)(e - p), p);
                if (!strstr((const char *)seen->p, opt)) {
                    printf("%s", opt + 1);
                    bv_buf_puts(seen, opt + 1);
                }
            }
            p = e;
        } else {
            p++;
        }
    }
}

static bv_status
name_line(void *ctx, const char *name)
{
    (void)ctx;
    printf("%s\n", name);
    return BV_OK;
}

static bv_status
board_line(void *ctx, const bv_board_row *b)
{
    return name_line(ctx, b->name);
}

static bv_status
person_line(void *ctx, const bv_person_row *p)
{
    return name_line(ctx, p->name);
}

/*
 * complete KIND [COMMAND...]: what a shell's completion offers. Names come
 * from the vault read-only, with no passphrase; a vault that cannot be
 * read offers nothing, quietly (completion must never print an error
 * into the line being typed).
 */
static int
cmd_complete(bv_run *r, int argc, char **argv)
{
    const struct bv_command *c;
    bv_buf seen;
    size_t i;

    if (argc < 2)
        return bv_cli_usage("complete needs commands, options, boards or members");
    if (strcmp(argv[1], "commands") == 0) {
        for (i = 0; i < NCOMMANDS; i++)
            if (commands[i].group == NULL || i == 0 || commands[i - 1].group == NULL
                || strcmp(commands[i - 1].group, commands[i].group) != 0)
                printf("%s\n", commands[i].group ? commands[i].group : commands[i].name);
        return 0;
    }
    if (strcmp(argv[1], "options") == 0) {
        if (argc == 3 && is_group(argv[2])) {
            for (i = 0; i < NCOMMANDS; i++)
                if (commands[i].group && strcmp(commands[i].group, argv[2]) == 0)
                    printf("%s\n", commands[i].name);
            return 0;
        }
        c = argc == 3 ? find(NULL, argv[2]) : argc == 4 ? find(argv[2], argv[3]) : NULL;
        if (c == NULL)
            return 0;
        bv_buf_init(&seen);
        bv_buf_puts(&seen, "\n");
        print_options(c->usage, &seen);
        print_options(c->help, &seen);
        if (strstr(c->usage, "--as") && !strstr((const char *)seen.p, "\n--passphrase-fd\n"))
            printf("--passphrase-fd\n");
        if ((c->needs & BV_NEED_ACTOR) && !(c->needs & BV_NEED_PASSPHRASE))
            printf("--no-agent\n");
        bv_buf_free(&seen);
        printf("--help\n--vault\n--quiet\n");
        return 0;
    }
    if (strcmp(argv[1], "boards") == 0 || strcmp(argv[1], "members") == 0) {
        static const struct bv_command reader
            = { NULL, "complete", NULL, BV_NEED_READ, BV_ACT_NONE, "", "", "" };
        bv_run rr = { r->g, &reader, NULL, NULL };
        if (bv_run_vault(&rr) == BV_OK) {
            if (argv[1][0] == 'b')
                (void)bv_read_boards(rr.v, board_line, NULL);
            else
                (void)bv_read_persons(rr.v, person_line, NULL);
        }
        bv_err_clear();
        bv_run_done(&rr);
        return 0;
    }
    return bv_cli_usage("complete takes commands, options, boards or members");
}

/* help [COMMAND...]: the list, a group's commands, or one command's usage. */
static int
cmd_help(bv_run *r, int argc, char **argv)
{
    (void)r;
    if (argc > 1 && argv[1][0] == '-'
        && (argc > 2 || (strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)))
        return bv_cli_usage("help takes command names: boardvault help [COMMAND...]");
    if (argc == 1 || argv[1][0] == '-') {
        usage_all(stdout);
        return 0;
    }
    if (argc > 3)
        return bv_cli_usage("help takes at most a group and a command name");
    if (argc == 2 && find(NULL, argv[1]))
        return bv_cli_help(NULL, argv[1]);
    if (argc == 2 && is_group(argv[1])) {
        usage_group(stdout, argv[1]);
        return 0;
    }
    if (argc == 3 && find(argv[1], argv[2]))
        return bv_cli_help(argv[1], argv[2]);
    return unknown(argv[1], argc == 3 ? argv[2] : NULL);
}

/* The global options of the command being run: --vault and --trust may
 * also come after its name (`items --vault X`), as git takes -C only
 * before but most tools take their options anywhere. */
static bv_cli *running;

/* A global option given after the command's name; twice is refused. */
static int
global_opt(const bv_optres *r)
{
    const char *name = r->id == OPT_VAULT ? "--vault" : "--trust";
    int *given = r->id == OPT_VAULT ? &running->vault_given : &running->trust_given;

    if (*given) {
        bv_fail(BV_EUSAGE, "%s is given twice", name);
        return -1;
    }
    if (*r->val == '\0') {
        bv_fail(BV_EUSAGE, "%s needs a value", name);
        return -1;
    }
    *given = 1;
    if (r->id == OPT_VAULT)
        running->vault = r->val;
    else
        running->trust = r->val;
    return 0;
}

int
bv_cli_args(int argc, char **argv, const bv_opt *opts, bv_cli_opts *o, bv_optres *extra,
    size_t *nextra, char **pos, size_t minpos, size_t maxpos, size_t *npos, const char *group,
    const char *name)
{
    bv_optres res[64];
    bv_opt all[64];
    size_t nres, i, k = 0, n = 0;
    int c;

    bv_cli_opts_init(o);
    for (k = 0; opts[k].name && k < 61; k++)
        all[k] = opts[k];
    if (running) {
        all[k++] = (bv_opt) { "--vault", 1, OPT_VAULT };
        all[k++] = (bv_opt) { "--trust", 1, OPT_TRUST };
        all[k++] = (bv_opt) { "--quiet", 0, OPT_QUIET };
    }
    all[k] = (bv_opt) { NULL, 0, 0 };
    if (bv_cli_parse(argc, argv, all, res, 64, &nres, pos, maxpos, npos) != BV_OK)
        return bv_cli_error(BV_EUSAGE);
    for (i = 0; i < nres; i++) {
        if (res[i].id == OPT_HELP)
            return bv_cli_help(group, name);
        if (res[i].id == OPT_QUIET) {
            running->quiet = 1;
            continue;
        }
        if (res[i].id == OPT_VAULT || res[i].id == OPT_TRUST) {
            if (global_opt(&res[i]) < 0)
                return bv_cli_error(BV_EUSAGE);
            continue;
        }
        if ((c = bv_cli_common(&res[i], o)) < 0)
            return bv_cli_error(BV_EUSAGE);
        if (c == 0 && extra) {
            extra[n++] = res[i];
        }
    }
    if (nextra)
        *nextra = n;
    if (*npos < minpos)
        return bv_cli_usage(
            "missing arguments: boardvault %s%s%s ...", group ? group : "", group ? " " : "", name);
    return BV_CLI_GO;
}

int
bv_cli_dispatch(int argc, char **argv)
{
    bv_cli g = { NULL };
    const struct bv_command *c;
    const char *group = NULL, *name;
    int ai = 1;

    g.vault = getenv("BOARDVAULT_PATH");
    if (g.vault == NULL || *g.vault == '\0')
        g.vault = "boardvault.db";
    while (ai < argc && argv[ai][0] == '-') {
        if (strcmp(argv[ai], "--vault") == 0 && ai + 1 < argc) {
            g.vault = argv[ai + 1];
            g.vault_given = 1;
            ai += 2;
        } else if (strcmp(argv[ai], "--trust") == 0 && ai + 1 < argc) {
            g.trust = argv[ai + 1];
            g.trust_given = 1;
            ai += 2;
        } else if (strncmp(argv[ai], "--vault=", 8) == 0) {
            g.vault = argv[ai] + 8;
            g.vault_given = 1;
            ai++;
        } else if (strcmp(argv[ai], "--quiet") == 0 || strcmp(argv[ai], "-q") == 0) {
            g.quiet = 1;
            ai++;
        } else if (strcmp(argv[ai], "--version") == 0) {
            printf("boardvault %s\n", BV_VERSION);
            return 0;
        } else if (strcmp(argv[ai], "--help") == 0 || strcmp(argv[ai], "-h") == 0) {
            usage_all(stdout);
            return 0;
        } else {
            bv_err_clear();
            bv_fail(BV_EUSAGE, "unknown option %s (see boardvault help)", argv[ai]);
            return bv_cli_error(BV_EUSAGE);
        }
    }
    if (ai >= argc) {
        usage_all(stderr);
        return BV_EUSAGE;
    }
    if (*g.vault == '\0')
        return bv_cli_usage("--vault needs a path");
    name = argv[ai];
    if (is_group(name)) {
        group = name;
        if (ai + 1 >= argc || argv[ai + 1][0] == '-') {
            int help = ai + 1 < argc
                && (strcmp(argv[ai + 1], "--help") == 0 || strcmp(argv[ai + 1], "-h") == 0);
            usage_group(help ? stdout : stderr, group);
            return help ? 0 : BV_EUSAGE;
        }
        name = argv[++ai];
    }
    if ((c = find(group, name)) != NULL) {
        /* what the command opened, it leaves to be closed here */
        bv_run r = { &g, c, NULL, NULL };
        int rc;
        running = &g;
        rc = c->fn(&r, argc - ai, argv + ai);
        running = NULL;
        bv_run_done(&r);
        return rc;
    }
    if (group)
        return unknown(group, name);
    return unknown(name, ai + 1 < argc && argv[ai + 1][0] != '-' ? argv[ai + 1] : NULL);
}
