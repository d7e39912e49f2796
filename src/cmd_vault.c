/*
 * cmd_vault.c - commands about the vault as a whole: status and backup.
 * Neither needs a passphrase: what they read or copy is ciphertext and
 * signed records.
 */
#include "bv_cli.h"
#include "bv_read.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const bv_opt status_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--as", 1, OPT_AS }, { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };
static const bv_opt backup_opts[] = { { "--help", 0, OPT_HELP }, { "-h", 0, OPT_HELP },
    { "--json", 0, OPT_JSON }, { NULL, 0, 0 } };

/* "3d 4h", "2h 5m", "12m", "40s": an age a person reads at a glance. */
static void
age_text(int64_t s, char *out, size_t cap)
{
    if (s < 0)
        snprintf(out, cap, "?");
    else if (s >= 86400)
        snprintf(out, cap, "%" PRId64 "d %" PRId64 "h", s / 86400, s % 86400 / 3600);
    else if (s >= 3600)
        snprintf(out, cap, "%" PRId64 "h %" PRId64 "m", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(out, cap, "%" PRId64 "m", s / 60);
    else
        snprintf(out, cap, "%" PRId64 "s", s);
}

static void
size_text(uint64_t b, char *out, size_t cap)
{
    if (b >= 1024ull * 1024 * 1024)
        snprintf(out, cap, "%.1f GiB", (double)b / (1024.0 * 1024 * 1024));
    else if (b >= 1024 * 1024)
        snprintf(out, cap, "%.1f MiB", (double)b / (1024.0 * 1024));
    else
        snprintf(out, cap, "%.1f KiB", (double)b / 1024.0);
}

static void
kdf_json(bv_buf *b, const char *key, const bv_kdf_params *k)
{
    bv_buf_printf(b, ", \"%s\": {\"memory_kib\": %u, \"passes\": %u, \"lanes\": %u}", key, k->m_kib,
        k->t, k->p);
}

static int
status_json(const char *path, const bv_vault_status_rep *s)
{
    bv_buf b;

    bv_buf_init(&b);
    bv_buf_puts(&b, "{\"vault\": ");
    bv_json_str(&b, path);
    bv_buf_printf(&b, ", \"vault_id\": \"%s\", \"root\": ", s->vault_id);
    bv_json_str(&b, s->root);
    bv_buf_printf(&b,
        ", \"root_fingerprint\": \"%s\", \"log_size\": %llu, \"remembered_size\": %llu, "
        "\"remembered_at\": \"%s\", \"checkpoint\": ",
        s->root_fp, (unsigned long long)s->log_size, (unsigned long long)s->seen_size,
        s->seen_when);
    if (s->cp_age < 0 && s->cp_when[0] == '\0')
        bv_buf_puts(&b, "null");
    else
        bv_buf_printf(&b, "{\"size\": %llu, \"created\": \"%s\", \"age_seconds\": %lld}",
            (unsigned long long)s->cp_size, s->cp_when, (long long)s->cp_age);
    kdf_json(&b, "kdf_policy", &s->policy);
    if (s->as[0]) {
        bv_buf_puts(&b, ", \"person\": ");
        bv_json_str(&b, s->as);
        kdf_json(&b, "person_kdf", &s->mine);
        bv_buf_printf(&b, ", \"person_kdf_below_policy\": %s", s->kdf_below ? "true" : "false");
    }
    bv_buf_printf(&b, ", \"staging_bodies\": %llu, \"condemned_bodies\": %llu, \"bytes\": %llu}\n",
        (unsigned long long)s->staging, (unsigned long long)s->condemned,
        (unsigned long long)s->bytes);
    return bv_cli_put(&b);
}

static void
status_text(const char *path, const bv_vault_status_rep *s)
{
    char t[32];

    printf("vault:       ");
    bv_cli_print_safe(path);
    printf(" (id %s)\nroot:        ", s->vault_id);
    bv_cli_print_safe(s->root);
    printf(", %s (pinned by this client)\n", s->root_fp);
    printf("log:         %llu entries", (unsigned long long)s->log_size);
    if (s->seen_when[0])
        printf("; extends the %llu this client remembers (verified %s)\n",
            (unsigned long long)s->seen_size, s->seen_when);
    else
        printf("; this client remembers no earlier head\n");
    if (s->cp_when[0]) {
        age_text(s->cp_age, t, sizeof t);
        printf("checkpoint:  newest at size %llu, %s ago (%s)\n", (unsigned long long)s->cp_size, t,
            s->cp_when);
    } else {
        printf("checkpoint:  none yet (boardvault audit checkpoint --as NAME)\n");
    }
    printf("KDF policy:  %u KiB, %u passes, %u lanes\n", s->policy.m_kib, s->policy.t, s->policy.p);
    if (s->as[0]) {
        printf("%-13s%u KiB, %u passes, %u lanes%s\n", "your KDF:", s->mine.m_kib, s->mine.t,
            s->mine.p,
            s->kdf_below ? " - below the policy: member passwd upgrades it"
                         : " - meets the policy");
    }
    printf("leftovers:   %llu staging, %llu condemned bodies%s\n", (unsigned long long)s->staging,
        (unsigned long long)s->condemned, s->staging + s->condemned ? " (boardvault gc)" : "");
    size_text(s->bytes, t, sizeof t);
    printf("size:        %s\n", t);
}

int
bv_cmd_status(bv_run *r, int argc, char **argv)
{
    bv_vault_status_rep s;
    bv_cli_opts o;
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, status_opts, &o, NULL, NULL, pos, 0, 0, &npos, NULL, "status"))
        != BV_CLI_GO)
        return rc;
    if ((o.as && (st = bv_name_check("member", o.as)) != BV_OK) || (st = bv_run_vault(r)) != BV_OK
        || (st = bv_read_status(r->v, o.as, &s)) != BV_OK)
        return bv_cli_error(st);
    if (o.json)
        return status_json(r->g->vault, &s);
    status_text(r->g->vault, &s);
    return 0;
}

int
bv_cmd_backup(bv_run *r, int argc, char **argv)
{
    bv_audit_report rep;
    bv_cli_opts o;
    char *pos[1];
    size_t npos;
    bv_status st;
    int rc;

    if ((rc = bv_cli_args(
             argc, argv, backup_opts, &o, NULL, NULL, pos, 1, 1, &npos, NULL, "backup"))
        != BV_CLI_GO)
        return rc;
    if ((st = bv_run_vault(r)) != BV_OK || (st = bv_vault_backup(r->v, pos[0], &rep)) != BV_OK)
        return bv_cli_error(st);
    if (o.json) {
        bv_buf b;
        bv_buf_init(&b);
        bv_buf_puts(&b, "{\"backup\": ");
        bv_json_str(&b, pos[0]);
        bv_buf_printf(&b, ", \"size\": %llu, \"verified\": true}\n", (unsigned long long)rep.size);
        return bv_cli_put(&b);
    }
    printf("backed up to ");
    bv_cli_print_safe(pos[0]);
    printf(": %llu audit entries verified in the copy\n", (unsigned long long)rep.size);
    return 0;
}
