/*
 * test_vault.c - the domain through its own API, on temporary vaults at
 * the KDF floor (the fast tier, make check): a vault made, people enrolled
 * and approved, an item sealed from a file and opened into a file, grants
 * and revocations, and the log view that every open checks against: an
 * older copy of the file is refused, as is a grant set or board epoch put
 * back from one. No CLI, no subprocess.
 */
#include "bvtest.h"
#include "bv_precheck.h"

#include "bv_pass.h"
#include "bv_read.h"
#include "bv_vault.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PW_ROOT "violet-tractor-umbrella-9341"
#define PW_ALICE "quiet-harbour-lantern-2287"

static char dir[256], path[300];
static const bv_kdf_params floor_kdf = { BV_KDF_MIN_M, BV_KDF_MIN_T, 1 };

static void
secret(const char *s, bv_secret *out)
{
    assert_int_equal(bv_secret_dup(s, strlen(s), out), BV_OK);
}

static bv_vault *
open_vault(const char *p)
{
    bv_vault *v = NULL;
    char note[256];

    assert_int_equal(bv_vault_open(p, 0, NULL, note, &v), BV_OK);
    return v;
}

static bv_actor *
unlock(bv_vault *v, const char *name, const char *pw)
{
    bv_secret pass = { 0 };
    bv_actor *a = NULL;

    secret(pw, &pass);
    assert_int_equal(bv_vault_unlock(v, name, &pass, BV_ACT_OPEN, NULL, &a), BV_OK);
    bv_secret_free(&pass);
    return a;
}

/* root, board CSP, alice approved and a member */
static int
setup(void **state)
{
    char vid[33], fp[BV_FP_LEN];
    bv_secret pass = { 0 };
    bv_vault *v;
    bv_actor *root;

    (void)state;
    snprintf(
        dir, sizeof dir, "%s/bv-test-vault.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    setenv("XDG_CONFIG_HOME", dir, 1);
    snprintf(path, sizeof path, "%s/vault.db", dir);
    secret(PW_ROOT, &pass);
    assert_int_equal(bv_vault_create(path, "Root Officer", &pass, &floor_kdf, vid, fp), BV_OK);
    bv_secret_free(&pass);
    v = open_vault(path);
    root = unlock(v, "Root Officer", PW_ROOT);
    assert_int_equal(bv_board_create(v, root, "CSP"), BV_OK);
    secret(PW_ALICE, &pass);
    assert_int_equal(bv_member_enroll(v, "alice", &pass, &floor_kdf, fp), BV_OK);
    bv_secret_free(&pass);
    assert_int_equal(bv_member_approve(v, root, "alice", NULL, fp), BV_OK);
    assert_int_equal(bv_board_add(v, root, "CSP", "alice", "member"), BV_OK);
    bv_actor_free(root);
    bv_vault_close(v);
    return 0;
}

static int
teardown(void **state)
{
    char cmd[400];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Seal the text as root, granted to alice; uid out. */
static void
seal(bv_vault *v, const char *text, char uid[BV_UID_LEN + 1])
{
    char f[320], *grantee[1] = { "alice" };
    bv_actor *root = unlock(v, "Root Officer", PW_ROOT);
    int fd;

    snprintf(f, sizeof f, "%s/body.txt", dir);
    fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    fd = open(f, O_RDONLY);
    assert_int_equal(
        bv_item_seal(v, root, "CSP", fd, "Domestic Homicide Review", grantee, 1, NULL, NULL, uid),
        BV_OK);
    close(fd);
    bv_actor_free(root);
}

/* Open uid as alice into a file; the status, and the text in buf. */
static bv_status
open_as_alice(bv_vault *v, const char *uid, char *buf, size_t cap)
{
    char f[320];
    bv_actor *a = unlock(v, "alice", PW_ALICE);
    bv_out out;
    bv_status st;
    ssize_t n;
    int fd;

    snprintf(f, sizeof f, "%s/out.txt", dir);
    unlink(f);
    assert_int_equal(bv_out_open(&out, f, 0, 0600), BV_OK);
    st = bv_item_open(v, a, uid, &out);
    if (st == BV_OK)
        st = bv_out_commit(&out);
    bv_out_abort(&out);
    bv_actor_free(a);
    buf[0] = '\0';
    if (st == BV_OK && (fd = open(f, O_RDONLY)) >= 0) {
        n = read(fd, buf, cap - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    bv_err_clear();
    return st;
}

static void
copy_file(const char *from, const char *to)
{
    char cmd[700];

    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \".backup '%s'\"", from, to);
    assert_int_equal(system(cmd), 0);
}

static void
test_seal_open_revoke(void **state)
{
    char uid[BV_UID_LEN + 1], buf[256], *names[1] = { "alice" };
    bv_vault *v = open_vault(path);
    bv_actor *root;
    bv_item_row it;

    (void)state;
    seal(v, "panel notes\n", uid);
    assert_int_equal(open_as_alice(v, uid, buf, sizeof buf), BV_OK);
    assert_string_equal(buf, "panel notes\n");
    bv_item_row_init(&it);
    assert_int_equal(bv_read_item(v, uid, &it), BV_OK);
    assert_int_equal(it.gs_version, 1);
    bv_item_row_free(&it);
    root = unlock(v, "Root Officer", PW_ROOT);
    assert_int_equal(bv_item_revoke(v, root, uid, names, 1), BV_OK);
    bv_actor_free(root);
    assert_int_equal(open_as_alice(v, uid, buf, sizeof buf), BV_EPERM);
    bv_vault_close(v);
}

/* The insider puts back the grant set and grant of before the revocation:
 * the log view, which read the revocation's signed entry, refuses it. */
static void
test_rolled_back_grant_set(void **state)
{
    char uid[BV_UID_LEN + 1], buf[256], kept[320], cmd[1200], *names[1] = { "alice" };
    bv_vault *v = open_vault(path);
    bv_actor *root;

    (void)state;
    seal(v, "panel notes\n", uid);
    snprintf(kept, sizeof kept, "%s/kept.db", dir);
    copy_file(path, kept);
    root = unlock(v, "Root Officer", PW_ROOT);
    assert_int_equal(bv_item_revoke(v, root, uid, names, 1), BV_OK);
    bv_actor_free(root);
    bv_vault_close(v);
    snprintf(cmd, sizeof cmd,
        "sqlite3 '%s' \"ATTACH '%s' AS k; INSERT OR REPLACE INTO grantsets SELECT * FROM "
        "k.grantsets; INSERT OR REPLACE INTO grants SELECT * FROM k.grants;\"",
        path, kept);
    assert_int_equal(system(cmd), 0);
    v = open_vault(path);
    assert_int_equal(open_as_alice(v, uid, buf, sizeof buf), BV_EINTEGRITY);
    assert_string_equal(buf, "");
    bv_vault_close(v);
}

/* The whole file replaced by an older copy: this client saw more. */
static void
test_older_copy_refused(void **state)
{
    char uid[BV_UID_LEN + 1], kept[320], note[256];
    bv_vault *v = open_vault(path);

    (void)state;
    snprintf(kept, sizeof kept, "%s/kept.db", dir);
    copy_file(path, kept);
    seal(v, "more\n", uid);
    bv_vault_close(v);
    v = NULL;
    assert_int_equal(bv_vault_open(kept, 0, NULL, note, &v), BV_EINTEGRITY);
    assert_null(v);
    assert_non_null(strstr(bv_errmsg(), "does not extend the one this client verified"));
    bv_err_clear();
}

/* A reading helper joins the caller's read: items inside boards. */
static bv_status
count_item(void *ctx, const bv_item_row *it)
{
    (void)it;
    ++*(int *)ctx;
    return BV_OK;
}

static void
test_reads(void **state)
{
    char uid[BV_UID_LEN + 1];
    bv_vault *v = open_vault(path);
    bv_board_row b;
    int n = 0;

    (void)state;
    seal(v, "a\n", uid);
    seal(v, "b\n", uid);
    assert_int_equal(bv_read_board(v, "CSP", &b), BV_OK);
    assert_int_equal(b.epoch, 1);
    assert_int_equal(bv_read_board(v, "Nope", &b), BV_ENOTFOUND);
    bv_err_clear();
    assert_int_equal(bv_read_items(v, "CSP", count_item, &n), BV_OK);
    assert_int_equal(n, 2);
    bv_vault_close(v);
}

/* A board made and sealed onto by one vault handle: the checks read the
 * handle's own entries (the log view is brought up to date before each). */
static void
test_same_handle(void **state)
{
    char uid[BV_UID_LEN + 1], f[320], *grantee[1] = { "alice" };
    bv_vault *v = open_vault(path);
    bv_actor *root = unlock(v, "Root Officer", PW_ROOT);
    int fd;

    (void)state;
    assert_int_equal(bv_board_create(v, root, "SAB"), BV_OK);
    assert_int_equal(bv_board_add(v, root, "SAB", "alice", "member"), BV_OK);
    snprintf(f, sizeof f, "%s/sab.txt", dir);
    fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x\n", 2), 2);
    close(fd);
    fd = open(f, O_RDONLY);
    assert_int_equal(
        bv_item_seal(v, root, "SAB", fd, "Case review", grantee, 1, NULL, NULL, uid), BV_OK);
    close(fd);
    bv_actor_free(root);
    bv_vault_close(v);
}

/* Names resolved without regard to case: every pointer handed out stays
 * the name it was resolved to, however many a command resolves (a seal
 * resolves one per grantee). */
static void
test_names_without_case(void **state)
{
    char fp[BV_FP_LEN], name[16], want[16], *got[20];
    bv_secret pass = { 0 };
    bv_vault *v = open_vault(path);
    int i;

    (void)state;
    for (i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "m%02d", i);
        secret("tidal-meadow-cornet-3381", &pass);
        assert_int_equal(bv_member_enroll(v, name, &pass, &floor_kdf, fp), BV_OK);
        bv_secret_free(&pass);
    }
    for (i = 0; i < 20; i++) {
        char upper[16];
        snprintf(upper, sizeof upper, "M%02d", i);
        got[i] = upper;
        assert_int_equal(bv_pre_person(v, &got[i]), BV_OK);
        assert_ptr_not_equal(got[i], upper);
    }
    for (i = 0; i < 20; i++) {
        snprintf(want, sizeof want, "m%02d", i);
        assert_string_equal(got[i], want);
    }
    /* an exact name stays the caller's pointer */
    snprintf(name, sizeof name, "m07");
    got[0] = name;
    assert_int_equal(bv_pre_person(v, &got[0]), BV_OK);
    assert_ptr_equal(got[0], name);
    bv_vault_close(v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seal_open_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rolled_back_grant_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_copy_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_without_case, setup, teardown),
    };

    if (bv_crypto_init() != BV_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
