/*
 * test_commands.c - the command table says what each command needs, and
 * the dispatcher does the opening and unlocking from it: so the table
 * itself must be right. A command that acts as a person opens the vault
 * for writing (its unlock and every refusal are recorded) under an
 * action of its own; a listing opens it read-only and asks no key.
 */
#include "bvtest.h"
#include "bv_cli.h"

static const char *
full(const struct bv_command *c, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s%s", c->group ? c->group : "", c->group ? " " : "", c->name);
    return buf;
}

static void
test_actors_write_and_name_their_action(void **state)
{
    const struct bv_command *t;
    char name[64];
    size_t n, i, actors = 0;
    (void)state;
    t = bv_cli_commands(&n);
    assert_true(n > 30);
    for (i = 0; i < n; i++) {
        const struct bv_command *c = &t[i];
        full(c, name, sizeof name);
        if (c->needs & BV_NEED_ACTOR) {
            actors++;
            /* an unlock is recorded: read-only would lose the record */
            if (!(c->needs & BV_NEED_VAULT) || (c->needs & (BV_NEED_READ | BV_NEED_VERIFY)))
                fail_msg("%s acts as a person but does not open the vault for writing", name);
            if (c->act == BV_ACT_NONE)
                fail_msg("%s acts as a person under no action", name);
        } else if (c->act != BV_ACT_NONE) {
            fail_msg("%s names an action but unlocks no one", name);
        }
        /* --as in the synopsis means a person is unlocked, except for
         * init, whose --as names the root officer it creates, status,
         * which reads that person's key record's header only, and lock,
         * whose --as names the person whose agent it ends */
        if (strstr(c->usage, "--as") && strcmp(name, "init") != 0 && strcmp(name, "status") != 0
            && strcmp(name, "lock") != 0 && !(c->needs & BV_NEED_ACTOR))
            fail_msg("%s takes --as but the table unlocks no one", name);
        if (!strstr(c->usage, "--as") && (c->needs & BV_NEED_ACTOR))
            fail_msg("%s unlocks a person its synopsis does not name", name);
    }
    assert_true(actors >= 15);
}

static void
test_names_unique_and_modes_single(void **state)
{
    const struct bv_command *t;
    char a[64], b[64];
    size_t n, i, j;
    unsigned modes;
    (void)state;
    t = bv_cli_commands(&n);
    for (i = 0; i < n; i++) {
        for (j = i + 1; j < n; j++)
            if (strcmp(full(&t[i], a, sizeof a), full(&t[j], b, sizeof b)) == 0)
                fail_msg("%s is in the table twice", a);
        modes = t[i].needs & (BV_NEED_VAULT | BV_NEED_READ | BV_NEED_VERIFY);
        if (modes & (modes - 1))
            fail_msg("%s opens the vault in two modes", full(&t[i], a, sizeof a));
    }
}

/* bv_run_* refuse what the table does not allow: a listing cannot unlock. */
static void
test_run_refuses_what_the_table_does_not_say(void **state)
{
    const struct bv_command *t, *items = NULL;
    bv_cli g = { .vault = "/nonexistent/vault.db" };
    bv_cli_opts o;
    bv_run r;
    size_t n, i;
    (void)state;
    t = bv_cli_commands(&n);
    for (i = 0; i < n; i++)
        if (t[i].group == NULL && strcmp(t[i].name, "items") == 0)
            items = &t[i];
    assert_non_null(items);
    memset(&r, 0, sizeof r);
    r.g = &g;
    r.c = items;
    bv_cli_opts_init(&o);
    o.as = "alice";
    assert_int_equal(bv_run_unlock(&r, &o, NULL), BV_ERR);
    bv_err_clear();
    assert_int_equal(bv_run_vault(&r), BV_ENOTFOUND);
    bv_err_clear();
    assert_null(r.v);
    bv_run_done(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actors_write_and_name_their_action),
        cmocka_unit_test(test_names_unique_and_modes_single),
        cmocka_unit_test(test_run_refuses_what_the_table_does_not_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
