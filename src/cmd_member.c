/*
 * cmd_member.c - init, member enroll/approve/list/show.
 */
#include "bv_cli.h"
#include "bv_read.h"
#include "bv_precheck.h"
#include "bv_table.h"

#include <stdio.h>
#include <string.h>

static const bv_opt kdf_opts[] = { BV_COMMON_OPTS, BV_KDF_OPTS, { NULL, 0, 0 } };
static const bv_opt init_opts[]
    = { BV_COMMON_OPTS, BV_KDF_OPTS, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
enum { OPT_FP = 100, OPT_LOGIN };
static const bv_opt approve_opts[] = { BV_COMMON_OPTS, BV_YES_OPT, { "--fingerprint", 1, OPT_FP },
    { "--login", 1, OPT_LOGIN }, { NULL, 0, 0 } };
static const bv_opt reset_opts[] = { BV_COMMON_OPTS, BV_YES_OPT, { NULL, 0, 0 } };
static const bv_opt list_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };

/* "fingerprint: SHA256:…" and, under it, the same to read aloud; the
 * labels padded to width. */
static void
print_fp(int width, const char *label, const char *fp)
{
    char aloud[BV_FP_ALOUD_LEN];

    bv_fingerprint_aloud(fp, aloud);
    printf("%-*s%s\n%-*s%s\n", width, label, fp, width, "read aloud:", aloud);
}

/* A new passphrase: asked twice on a terminal, then checked for strength. */
static bv_status
new_passphrase(const bv_cli_opts *o, const char *name, bv_secret *pass)
{
    char prompt[128];
    bv_status st;

    snprintf(prompt, sizeof prompt, "New passphrase for %.64s: ", name);
    if ((st = bv_pass_read(o->pass_fd, prompt, 1, pass)) != BV_OK)
        return st;
    if ((st = bv_kdf_check(&o->kdf)) != BV_OK || (st = bv_pass_strength(pass, name)) != BV_OK)
        bv_secret_free(pass);
    return st;
}

int
bv_cmd_init(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_secret pass = { 0 };
    char *pos[1], vid[33], fp[BV_FP_LEN];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, init_opts, &o, NULL, NULL, pos, 0, 0, &npos, NULL, "init"))
        != BV_CLI_GO)
        return rc;
    if (o.as == NULL)
        return bv_cli_usage("init needs --as NAME (the root officer)");
    if ((st = bv_name_check("member", o.as)) != BV_OK || (st = bv_kdf_check(&o.kdf)) != BV_OK)
        return bv_cli_error(st);
    if ((st = new_passphrase(&o, o.as, &pass)) != BV_OK)
        return bv_cli_error(st);
    st = bv_vault_create(r->g->vault, o.as, &pass, &o.kdf, vid, fp);
    bv_secret_free(&pass);
    if (st != BV_OK)
        return bv_cli_error(st);
    if (o.json) {
        char aloud[BV_FP_ALOUD_LEN];
        bv_buf b;
        bv_fingerprint_aloud(fp, aloud);
        bv_buf_init(&b);
        bv_buf_printf(&b, "{\"vault_id\": \"%s\", \"root_officer\": ", vid);
        bv_json_str(&b, o.as);
        bv_buf_printf(&b, ", \"fingerprint\": \"%s\", \"fingerprint_aloud\": \"%s\"}\n", fp, aloud);
        return bv_cli_put(&b);
    }
    printf("vault id:         %s\n", vid);
    printf("root officer:     ");
    bv_cli_print_safe(o.as);
    printf("\n");
    print_fp(18, "root fingerprint:", fp);
    printf("Keep this fingerprint somewhere outside the vault (print it in the minutes):\n"
           "it is how members and auditors know this vault's root is the real one.\n");
    return 0;
}

int
bv_cmd_member_enroll(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_secret pass = { 0 };
    char *pos[1], fp[BV_FP_LEN];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, kdf_opts, &o, NULL, NULL, pos, 1, 1, &npos, "member", "enroll"))
        != BV_CLI_GO)
        return rc;
    if (o.as)
        return bv_cli_usage("member enroll takes the new member's NAME, not --as");
    if ((st = bv_name_check("member", pos[0])) != BV_OK || (st = bv_kdf_check(&o.kdf)) != BV_OK
        || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if (!o.kdf_set)
        bv_vault_kdf_policy(r->v, &o.kdf); /* the vault's own setting, from init */
    if ((st = new_passphrase(&o, pos[0], &pass)) == BV_OK)
        st = bv_member_enroll(r->v, pos[0], &pass, &o.kdf, fp);
    bv_secret_free(&pass);
    if (st != BV_OK)
        return bv_cli_error(st);
    printf("enrolled ");
    bv_cli_print_safe(pos[0]);
    printf(" (pending approval)\n");
    print_fp(13, "fingerprint:", fp);
    printf("Read this fingerprint to the approving officer; they must see the same.\n");
    return 0;
}

/* What became of the person's own login to the vault's database, if the
 * vault keeps one (the server-enforced record). */
static void
print_login(const bv_login_note *note, const char *done)
{
    if (note->login[0] == '\0')
        return;
    printf("login ");
    bv_cli_print_safe(note->login);
    if (note->sql.len == 0) {
        printf(" %s\n", done);
        return;
    }
    printf(": this connection may not change logins; have the database's administrator run\n");
    fwrite(note->sql.p, 1, note->sql.len, stdout);
}

int
bv_cmd_member_approve(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_optres ex[8];
    const char *given = NULL, *login = NULL;
    bv_login_note note;
    char *pos[1], fp[BV_FP_LEN], aloud[BV_FP_ALOUD_LEN], what[512];
    size_t npos, nex, i;
    bv_status st;
    int rc, keychange;

    if ((rc = bv_cli_args(
             argc, argv, approve_opts, &o, ex, &nex, pos, 1, 1, &npos, "member", "approve"))
        != BV_CLI_GO)
        return rc;
    for (i = 0; i < nex; i++) {
        if (ex[i].id == OPT_FP)
            given = ex[i].val;
        else if (ex[i].id == OPT_LOGIN)
            login = ex[i].val;
    }
    if (given && !bv_fingerprint_valid(given))
        return bv_cli_usage("--fingerprint wants SHA256:... or the 32 hex digits read aloud");
    if ((st = bv_name_check("member", pos[0])) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    /* the keys to certify, compared before the passphrase: a mismatch
     * costs no Argon2id run, and is checked again as they are certified */
    if ((st = bv_pre_person(r->v, &pos[0])) != BV_OK
        || (st = bv_member_pending_fp(r->v, pos[0], given, fp, &keychange)) != BV_OK)
        return bv_cli_error(st);
    if (given == NULL) {
        bv_fingerprint_aloud(fp, aloud);
        snprintf(what, sizeof what,
            "%s%.64s's %s:\n  fingerprint: %s\n  read aloud:  %s\n"
            "Compare it with the fingerprint %.64s reads out to you.\n",
            "", pos[0], keychange ? "new keys (asked for with member rekey)" : "keys", fp, aloud,
            pos[0]);
        if ((st = bv_cli_confirm(&o, what, "Approve them?")) != BV_OK)
            return bv_cli_error(st);
    }
    memset(&note, 0, sizeof note);
    bv_buf_init(&note.sql);
    if ((st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = bv_member_approve_login(r->v, r->a, pos[0], given, fp, login, &note);
    if (st != BV_OK) {
        bv_buf_free(&note.sql);
        return bv_cli_error(st);
    }
    printf("approved ");
    bv_cli_print_safe(pos[0]);
    printf("\n");
    print_fp(13, "fingerprint:", fp);
    print_login(&note, "is theirs, in the members' group");
    bv_buf_free(&note.sql);
    return 0;
}

struct listing {
    bv_vault *v;
    bv_buf out;
    bv_table *t;
    int json, n;
};

static bv_status
member_cb(void *ctx, const bv_person_row *p)
{
    struct listing *l = ctx;
    char fp[BV_FP_LEN];
    const char *state = bv_member_state(l->v, p->name);

    bv_fingerprint(p->sign_pk, p->box_pk, fp);
    if (l->json) {
        bv_buf vkey;
        bv_status st;
        bv_buf_init(&vkey);
        if ((st = bv_read_verifier_key(l->v, p, &vkey)) != BV_OK) {
            bv_buf_free(&vkey);
            return st;
        }
        bv_buf_puts(&l->out, l->n++ ? ",\n  {\"name\": " : "  {\"name\": ");
        bv_json_str(&l->out, p->name);
        bv_buf_printf(&l->out,
            ", \"state\": \"%s\", \"fingerprint\": \"%s\", \"created\": \"%s\", "
            "\"verifier_key\": ",
            state, fp, p->created);
        bv_json_str(&l->out, (const char *)vkey.p);
        bv_buf_puts(&l->out, "}");
        bv_buf_free(&vkey);
    } else {
        const char *cells[3] = { state, fp, p->name };
        return bv_table_row(l->t, cells);
    }
    return BV_OK;
}

int
bv_cmd_member_list(bv_run *r, int argc, char **argv)
{
    static const char *const heads[] = { "STATE", "FINGERPRINT", "NAME", NULL };
    static const int flags[] = { 0, 0, BV_COL_TRUNC };
    struct listing l;
    bv_cli_opts o;
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, list_opts, &o, NULL, NULL, pos, 0, 0, &npos, "member", "list"))
        != BV_CLI_GO)
        return rc;
    memset(&l, 0, sizeof l);
    l.json = o.json;
    bv_buf_init(&l.out);
    if ((st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    l.v = r->v;
    if (o.json || (st = bv_table_new(&l.t, heads, flags)) == BV_OK)
        st = bv_read_persons(l.v, member_cb, &l);
    if (st == BV_OK && o.json)
        printf("[\n%s%s]\n", l.out.len ? (const char *)l.out.p : "", l.n ? "\n" : "");
    else if (st == BV_OK)
        st = bv_table_print(l.t);
    bv_table_free(l.t);
    bv_buf_free(&l.out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

int
bv_cmd_member_show(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_person_row p;
    bv_buf kn, vkey, out;
    char *pos[1], fp[BV_FP_LEN], aloud[BV_FP_ALOUD_LEN];
    const char *state;
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, list_opts, &o, NULL, NULL, pos, 1, 1, &npos, "member", "show"))
        != BV_CLI_GO)
        return rc;
    bv_buf_init(&kn);
    bv_buf_init(&vkey);
    bv_buf_init(&out);
    if ((st = bv_name_check("member", pos[0])) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if ((st = bv_read_person(r->v, pos[0], &p)) != BV_OK)
        goto out;
    state = bv_member_state(r->v, p.name);
    bv_fingerprint(p.sign_pk, p.box_pk, fp);
    bv_fingerprint_aloud(fp, aloud);
    if ((st = bv_read_verifier_key(r->v, &p, &vkey)) != BV_OK)
        goto out;
    if (o.json) {
        bv_buf_puts(&out, "{\"name\": ");
        bv_json_str(&out, p.name);
        bv_buf_printf(&out,
            ", \"state\": \"%s\", \"fingerprint\": \"%s\", \"fingerprint_aloud\": \"%s\", "
            "\"certified_by\": ",
            state, fp, aloud);
        bv_json_str(&out, p.cert_by);
        bv_buf_printf(&out, ", \"created\": \"%s\", \"verifier_key\": ", p.created);
        bv_json_str(&out, (const char *)vkey.p);
        bv_buf_puts(&out, "}\n");
        fwrite(out.p, 1, out.len, stdout);
    } else {
        printf("name:          ");
        bv_cli_print_safe(p.name);
        printf("\nstate:         %s\n", state);
        print_fp(15, "fingerprint:", fp);
        printf("certified by:  ");
        bv_cli_print_safe(p.cert_by[0] ? p.cert_by : "-");
        printf("\nenrolled:      %s\nverifier key:  %s\n", p.created, (const char *)vkey.p);
    }
out:
    bv_buf_free(&kn);
    bv_buf_free(&vkey);
    bv_buf_free(&out);
    return st == BV_OK ? 0 : bv_cli_error(st);
}

/*
 * member passwd and member rekey: the current passphrase (line 1 of the
 * fd), then the new one, both read and the new one judged before the
 * unlock, so that a weak or missing new passphrase costs no Argon2id run
 * and no audit entry; then fn with the unlocked person.
 */
typedef bv_status (*change_fn)(
    bv_vault *v, bv_actor *a, const bv_secret *pass, const bv_kdf_params *kp, char fp[BV_FP_LEN]);

static int
change_keys(bv_run *r, int argc, char **argv, change_fn fn, char fp[BV_FP_LEN], bv_cli_opts *o)
{
    const char *name = r->c->name;
    bv_secret cur = { 0 }, pass = { 0 };
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(argc, argv, kdf_opts, o, NULL, NULL, pos, 0, 0, &npos, "member", name))
        != BV_CLI_GO)
        return rc;
    if (o->as == NULL)
        return bv_cli_usage("member %s needs --as NAME", name);
    if ((st = bv_kdf_check(&o->kdf)) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if (!o->kdf_set)
        bv_vault_kdf_policy(r->v, &o->kdf);
    if ((st = bv_cli_read_pass(o, &cur)) == BV_OK
        && (st = new_passphrase(o, o->as, &pass)) == BV_OK
        /* two passphrases read first, so not bv_run_unlock: the table's act still */
        && (st = bv_vault_unlock(r->v, o->as, &cur, r->c->act, NULL, &r->a)) == BV_OK)
        st = fn(r->v, r->a, &pass, &o->kdf, fp);
    bv_secret_free(&cur);
    bv_secret_free(&pass);
    return st == BV_OK ? BV_CLI_GO : bv_cli_error(st);
}

static bv_status
passwd_fn(
    bv_vault *v, bv_actor *a, const bv_secret *pass, const bv_kdf_params *kp, char fp[BV_FP_LEN])
{
    (void)fp;
    return bv_member_passwd(v, a, pass, kp);
}

int
bv_cmd_member_passwd(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    char fp[BV_FP_LEN];
    int rc;

    if ((rc = change_keys(r, argc, argv, passwd_fn, fp, &o)) != BV_CLI_GO)
        return rc;
    printf("passphrase changed for ");
    bv_cli_print_safe(o.as);
    printf(" (keys re-wrapped; grants unchanged)\n");
    return 0;
}

/* member rekey: new key pairs for an exposed passphrase (bv_member_rekey). */
int
bv_cmd_member_rekey(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    char fp[BV_FP_LEN];
    int rc;

    if ((rc = change_keys(r, argc, argv, bv_member_rekey, fp, &o)) != BV_CLI_GO)
        return rc;
    printf("new keys made for ");
    bv_cli_print_safe(o.as);
    printf("\nfingerprint: %s\n", fp);
    printf("read it out to an officer, who runs: boardvault member approve NAME --as OFFICER\n"
           "until then your current passphrase and keys stay in use; after it, only the new "
           "passphrase opens anything\n");
    return 0;
}

static void
reset_report(void *ctx, const char *what, const char *board, const char *detail)
{
    (void)ctx;
    printf("  had %-5s on ", what);
    bv_cli_print_safe(board);
    printf(": %s\n", detail);
}

int
bv_cmd_member_reset(bv_run *r, int argc, char **argv)
{
    bv_cli_opts o;
    bv_login_note note;
    char *pos[1], what[256];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, reset_opts, &o, NULL, NULL, pos, 1, 1, &npos, "member", "reset"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_name_check("member", pos[0])) != BV_OK || (st = bv_run_vault(r)) != BV_OK)
        return bv_cli_error(st);
    if ((st = bv_pre_person(r->v, &pos[0])) != BV_OK)
        return bv_cli_error(st);
    snprintf(what, sizeof what,
        "Resetting %.64s deletes their keys and every grant they hold, for good: they enrol "
        "again, are approved again, and officers grant them each item again.\n",
        pos[0]);
    if ((st = bv_cli_confirm(&o, what, "Reset them?")) != BV_OK)
        return bv_cli_error(st);
    printf("resetting ");
    bv_cli_print_safe(pos[0]);
    printf(":\n");
    memset(&note, 0, sizeof note);
    bv_buf_init(&note.sql);
    if ((st = bv_run_unlock(r, &o, NULL)) == BV_OK)
        st = bv_member_reset(r->v, r->a, pos[0], reset_report, NULL, &note);
    if (st != BV_OK) {
        bv_buf_free(&note.sql);
        return bv_cli_error(st);
    }
    print_login(&note, "is dropped");
    bv_buf_free(&note.sql);
    printf("done: the member enrols again (boardvault member enroll), is approved and added to "
           "the boards above, and officers grant the items above again\n");
    return 0;
}
