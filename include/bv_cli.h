/*
 * bv_cli.h - what the command files share: the global options, the
 * person-acting options (--as, --passphrase-fd), printing an error and
 * output helpers. Only the CLI layer prints errors and picks exit codes.
 */
#ifndef BV_CLI_H
#define BV_CLI_H

#include "bv.h"
#include "bv_vault.h"

typedef struct {
    const char *vault; /* --vault, else $BOARDVAULT_PATH, else ./boardvault.db */
    const char *trust; /* --trust FINGERPRINT: the root key the user expects */
    int vault_given, trust_given; /* on the line (before the command or after it) */
    int quiet; /* --quiet: no "Unlocking…", no progress bar */
} bv_cli;

/* Options common to commands that act as a person. */
typedef struct {
    const char *as;
    int pass_fd; /* -1: ask on the terminal */
    int json, csv, force, yes;
    bv_kdf_params kdf;
    int kdf_set; /* a --kdf-* option was given */
    int no_agent; /* --no-agent: ask the passphrase even if an agent holds the keys */
} bv_cli_opts;

/*
 * What a command needs before its action, declared in its commands[]
 * entry: the dispatcher and bv_run_* below do the opening, unlocking,
 * freeing and closing, so no command writes them out.
 */
enum {
    BV_NEED_VAULT = 1, /* the vault, for writing */
    BV_NEED_READ = 2, /* the vault, read-only */
    BV_NEED_VERIFY = 4, /* read-only, every fact read afresh (audit verify) */
    BV_NEED_ACTOR = 8, /* the --as person, unlocked; recorded as the entry's act */
    BV_SHOW_PROGRESS = 16, /* a bar on a terminal when the run is long */
    BV_NEED_PASSPHRASE = 32 /* the actor's keys themselves: never through an agent */
};

struct bv_command;
/* One run of one command: what bv_run_vault and bv_run_unlock opened,
 * freed by the dispatcher when the command returns. */
typedef struct {
    bv_cli *g;
    const struct bv_command *c;
    bv_vault *v;
    bv_actor *a;
} bv_run;

/* A command: its arguments from its own name on; returns the exit code. */
typedef int (*bv_cmd_fn)(bv_run *r, int argc, char **argv);

struct bv_command {
    const char *group; /* "member", or NULL for a one-word command */
    const char *name;
    bv_cmd_fn fn;
    unsigned needs; /* BV_NEED_* */
    bv_act act; /* what the actor's unlock (and its refusal) is recorded as */
    const char *usage; /* the synopsis after "boardvault " */
    const char *summary; /* one line for the command list */
    const char *help; /* the options, for --help */
};

/* Open the vault as the command's entry says (after the checks that
 * need no vault, so that a usage error never waits on one). */
bv_status bv_run_vault(bv_run *r);
/* Unlock the --as person (after the checks that need no key), recorded
 * as the entry's act on item (NULL for none). */
bv_status bv_run_unlock(bv_run *r, const bv_cli_opts *o, const char *item);
/* Free the actor and close the vault now; the dispatcher's own call is
 * then a no-op. For a command that must close the vault before
 * something else (seal closes its input after it). */
void bv_run_done(bv_run *r);

/* Print "boardvault: <message>" (control bytes escaped) and return st. */
int bv_cli_error(bv_status st);
/* Print the usage line and return BV_EUSAGE. */
int bv_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parse a decimal option value into [lo, hi]. */
bv_status bv_cli_uint(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out);
/* Read the --as person's passphrase (first line of the fd, or the
 * terminal) without unlocking anything. */
bv_status bv_cli_read_pass(const bv_cli_opts *o, bv_secret *pass);
/*
 * Before what cannot be undone: when standard input is a terminal and
 * --yes was not given, print what (to the terminal) and ask y/N; anything
 * but y or yes is BV_ERR "not confirmed", nothing done. Off a terminal
 * (a script) nothing is asked, as before.
 */
bv_status bv_cli_confirm(const bv_cli_opts *o, const char *what, const char *question);
/* Write b (a JSON document, say) to stdout and free it: 0, or the exit
 * code of "out of memory" if b ran out while it was built. */
int bv_cli_put(bv_buf *b);
/* Print a string for a terminal: control bytes shown as \xNN. */
void bv_cli_print_safe(const char *s);
/* The names in an item's stored grant set, ", "-separated or as JSON
 * strings. Listed as stored: open checks the signature, listings do not. */
void bv_cli_grantees(bv_buf *out, const bv_item_row *it, int json);
/* Registered temp file removed if a signal ends the process. */
void bv_cli_cleanup_path(const char *path);
/* No core dumps, umask 077, the signal handlers above, SIGPIPE ignored. */
void bv_cli_harden(void);
/* Edits (and swaps of neighbours) from a to b; 99 for long strings. */
size_t bv_cli_distance(const char *a, const char *b);
/* The command table, for its tests (commands.c). */
const struct bv_command *bv_cli_commands(size_t *n);
/* The global options, then the command named in argv (commands.c). */
int bv_cli_dispatch(int argc, char **argv);

/* The command functions, one file per group. */
int bv_cmd_init(bv_run *r, int argc, char **argv);
int bv_cmd_member_enroll(bv_run *r, int argc, char **argv);
int bv_cmd_member_approve(bv_run *r, int argc, char **argv);
int bv_cmd_member_passwd(bv_run *r, int argc, char **argv);
int bv_cmd_member_reset(bv_run *r, int argc, char **argv);
int bv_cmd_member_rekey(bv_run *r, int argc, char **argv);
int bv_cmd_member_list(bv_run *r, int argc, char **argv);
int bv_cmd_member_show(bv_run *r, int argc, char **argv);
int bv_cmd_board_create(bv_run *r, int argc, char **argv);
int bv_cmd_board_add(bv_run *r, int argc, char **argv);
int bv_cmd_board_remove(bv_run *r, int argc, char **argv);
int bv_cmd_board_list(bv_run *r, int argc, char **argv);
int bv_cmd_board_show(bv_run *r, int argc, char **argv);
int bv_cmd_seal(bv_run *r, int argc, char **argv);
int bv_cmd_grant(bv_run *r, int argc, char **argv);
int bv_cmd_revoke(bv_run *r, int argc, char **argv);
int bv_cmd_items(bv_run *r, int argc, char **argv);
int bv_cmd_open(bv_run *r, int argc, char **argv);
int bv_cmd_item_destroy(bv_run *r, int argc, char **argv);
int bv_cmd_rekey(bv_run *r, int argc, char **argv);
int bv_cmd_gc(bv_run *r, int argc, char **argv);
int bv_cmd_status(bv_run *r, int argc, char **argv);
int bv_cmd_backup(bv_run *r, int argc, char **argv);
int bv_cmd_vault_copy(bv_run *r, int argc, char **argv);
int bv_cmd_retention_run(bv_run *r, int argc, char **argv);
int bv_cmd_audit_log(bv_run *r, int argc, char **argv);
int bv_cmd_audit_verify(bv_run *r, int argc, char **argv);
int bv_cmd_audit_checkpoint(bv_run *r, int argc, char **argv);
int bv_cmd_audit_prove(bv_run *r, int argc, char **argv);
int bv_cmd_audit_consistency(bv_run *r, int argc, char **argv);
int bv_cmd_audit_export(bv_run *r, int argc, char **argv);
int bv_cmd_audit_summary(bv_run *r, int argc, char **argv);
int bv_cmd_minutes_import(bv_run *r, int argc, char **argv);
int bv_cmd_minutes_list(bv_run *r, int argc, char **argv);
int bv_cmd_minutes_show(bv_run *r, int argc, char **argv);
int bv_cmd_minutes_publish(bv_run *r, int argc, char **argv);
int bv_cmd_minutes_actions(bv_run *r, int argc, char **argv);
int bv_cmd_unlock(bv_run *r, int argc, char **argv);
int bv_cmd_lock(bv_run *r, int argc, char **argv);

/*
 * A small option parser shared by the commands: long options only, each
 * with or without a value; positional arguments collected in order.
 */
typedef struct {
    const char *name; /* "--as" */
    int has_arg; /* 0 a flag, 1 takes a value, BV_ARG_LIST a value and may repeat */
    int id;
} bv_opt;
#define BV_ARG_LIST 2
typedef struct {
    int id;
    const char *val;
} bv_optres;
/*
 * Parse argv[1..] against opts. Positional args go to pos (up to maxpos).
 * Returns BV_OK, or BV_EUSAGE with a message. id -1 is --help.
 */
bv_status bv_cli_parse(int argc, char **argv, const bv_opt *opts, bv_optres *res, size_t maxres,
    size_t *nres, char **pos, size_t maxpos, size_t *npos);
/* Handle the options every person-acting command shares. Returns 1 if
 * consumed, 0 if not one of them, or a negative number on a bad value. */
int bv_cli_common(const bv_optres *r, bv_cli_opts *o);
void bv_cli_opts_init(bv_cli_opts *o);
/*
 * Parse a command's arguments: shared options into o, the command's own
 * into extra, positionals into pos (between minpos and maxpos of them).
 * Returns BV_CLI_GO to carry on, else the exit code (0 after --help).
 */
#define BV_CLI_GO (-1)
int bv_cli_args(int argc, char **argv, const bv_opt *opts, bv_cli_opts *o, bv_optres *extra,
    size_t *nextra, char **pos, size_t minpos, size_t maxpos, size_t *npos, const char *group,
    const char *name);
int bv_cli_help(const char *group, const char *name);

/* Option ids shared by all commands (a command's own start at 100). */
enum {
    OPT_HELP = -1,
    OPT_AS = 1,
    OPT_PASSFD,
    OPT_JSON,
    OPT_CSV,
    OPT_FORCE,
    OPT_KDF_M,
    OPT_KDF_T,
    OPT_KDF_P,
    OPT_YES,
    OPT_VAULT, /* the global options, taken after the command's name too */
    OPT_TRUST,
    OPT_QUIET,
    OPT_NO_AGENT
};
#define BV_YES_OPT                                                                                 \
    {                                                                                              \
        "--yes", 0, OPT_YES                                                                        \
    }
#define BV_COMMON_OPTS                                                                             \
    { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP }, { "--as", 1, OPT_AS },                       \
        { "--passphrase-fd", 1, OPT_PASSFD },                                                      \
    {                                                                                              \
        "--no-agent", 0, OPT_NO_AGENT                                                              \
    }
#define BV_KDF_OPTS                                                                                \
    { "--kdf-memory", 1, OPT_KDF_M }, { "--kdf-time", 1, OPT_KDF_T },                              \
    {                                                                                              \
        "--kdf-lanes", 1, OPT_KDF_P                                                                \
    }

#endif
