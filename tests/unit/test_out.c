/* test_out.c - output files: complete or absent, never through a symlink. */
#define _GNU_SOURCE
#include "bvtest.h"
#include "bv_out.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory per test, removed (one level deep) afterwards. */
static int
make_dir(void **state)
{
    char *d = strdup("/tmp/bv-test-out-XXXXXX");

    if (d == NULL || mkdtemp(d) == NULL)
        return -1;
    *state = d;
    return 0;
}

static int
remove_dir(void **state)
{
    char *d = *state, p[4096];
    struct dirent *e;
    DIR *dp;

    if ((dp = opendir(d)) != NULL) {
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", d, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
        }
        closedir(dp);
    }
    rmdir(d);
    free(d);
    return 0;
}

/* state's directory joined with name; a few buffers in turn, so two calls can share a line */
static char *
in_dir(void **state, const char *name)
{
    static char p[4][4096];
    static unsigned turn;
    char *r = p[turn++ % 4];

    snprintf(r, sizeof p[0], "%s/%s", (const char *)*state, name);
    return r;
}

/* Entries whose name contains ".bv-": leftover temporary files. */
static int
temps_in(const char *dir)
{
    struct dirent *e;
    DIR *dp;
    int n = 0;

    assert_non_null(dp = opendir(dir));
    while ((e = readdir(dp)) != NULL)
        if (strstr(e->d_name, ".bv-") != NULL)
            n++;
    closedir(dp);
    return n;
}

static void
put_file(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
    close(fd);
}

static void
assert_file(const char *path, const char *want)
{
    char buf[256];
    ssize_t n;
    int fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    assert_true(n >= 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void
expect_refused(const char *path, int force, bv_status want, const char *msg_part)
{
    bv_out o;

    bv_err_clear();
    assert_int_equal(bv_out_open(&o, path, force, 0600), want);
    if (msg_part && strstr(bv_errmsg(), msg_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", bv_errmsg(), msg_part);
    assert_int_equal(o.fd, -1);
    bv_out_abort(&o);
    bv_err_clear();
}

static void
test_write_commit_mode(void **state)
{
    static const uint8_t data[] = { 'v', 0, 'a', 0xff, 'u', '\n', 'l', 't' };
    char *path = in_dir(state, "out.bin");
    uint8_t buf[16];
    struct stat sb;
    bv_out o;
    mode_t old = umask(0);
    int fd;

    assert_int_equal(bv_out_open(&o, path, 0, 0600), BV_OK);
    assert_int_equal(access(path, F_OK), -1); /* nothing at the final name yet */
    assert_int_equal(bv_out_write(&o, data, 3), BV_OK);
    assert_int_equal(bv_out_write(&o, data + 3, sizeof data - 3), BV_OK);
    assert_int_equal(bv_out_commit(&o), BV_OK);
    umask(old);
    bv_out_abort(&o); /* after commit: no-op */
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(sb.st_size, sizeof data);
    assert_true((fd = open(path, O_RDONLY)) >= 0);
    assert_int_equal(read(fd, buf, sizeof buf), sizeof data);
    close(fd);
    assert_memory_equal(buf, data, sizeof data);
    assert_int_equal(temps_in(*state), 0);
    assert_int_equal(bv_out_write(&o, "x", 1), BV_ERR); /* finished */
    bv_err_clear();
}

static void
test_existing_needs_force(void **state)
{
    char *path = in_dir(state, "keep.txt");
    struct stat sb;
    bv_out o;

    put_file(path, "original");
    expect_refused(path, 0, BV_EUSAGE, "exists; use --force to replace it");
    assert_file(path, "original");
    assert_int_equal(temps_in(*state), 0);

    assert_int_equal(bv_out_open(&o, path, 1, 0600), BV_OK);
    assert_int_equal(bv_out_write(&o, "new", 3), BV_OK);
    assert_file(path, "original"); /* untouched until commit */
    assert_int_equal(bv_out_commit(&o), BV_OK);
    assert_file(path, "new");
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600); /* not the old 0644 */
    assert_int_equal(temps_in(*state), 0);
}

static void
test_symlink_refused(void **state)
{
    char target[4096], *link_path;
    struct stat sb;

    snprintf(target, sizeof target, "%s", in_dir(state, "target.txt"));
    put_file(target, "target");
    link_path = in_dir(state, "link.txt");
    assert_int_equal(symlink(target, link_path), 0);
    expect_refused(link_path, 0, BV_EUSAGE, "refusing to follow symbolic link");
    expect_refused(link_path, 1, BV_EUSAGE, "refusing to follow symbolic link");
    assert_file(target, "target");
    assert_int_equal(lstat(link_path, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    /* a dangling link too: open(O_CREAT) through it would create the target */
    assert_int_equal(symlink(in_dir(state, "nowhere"), in_dir(state, "dangling")), 0);
    expect_refused(in_dir(state, "dangling"), 1, BV_EUSAGE, "symbolic link");
    assert_int_equal(access(in_dir(state, "nowhere"), F_OK), -1);
    assert_int_equal(temps_in(*state), 0);
}

static void
test_not_regular_refused(void **state)
{
    char *p = in_dir(state, "sub");

    assert_int_equal(mkdir(p, 0700), 0);
    expect_refused(p, 0, BV_EUSAGE, "not a regular file");
    expect_refused(p, 1, BV_EUSAGE, "not a regular file");
    p = in_dir(state, "fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    expect_refused(p, 1, BV_EUSAGE, "not a regular file");
    expect_refused("/dev/null", 1, BV_EUSAGE, "not a regular file");
    expect_refused(in_dir(state, "newdir/"), 0, BV_EUSAGE, "names a directory");
    expect_refused("", 0, BV_EUSAGE, NULL);
    assert_int_equal(temps_in(*state), 0);
}

static void
test_abort_leaves_nothing(void **state)
{
    char *path = in_dir(state, "gone.txt");
    bv_out o;

    assert_int_equal(bv_out_open(&o, path, 0, 0600), BV_OK);
    /* an O_TMPFILE has no name at all until commit; the fallback has one */
    assert_int_equal(temps_in(*state), o.anon ? 0 : 1);
    assert_int_equal(bv_out_write(&o, "partial", 7), BV_OK);
    bv_out_abort(&o);
    bv_out_abort(&o); /* twice: fine */
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(temps_in(*state), 0);
    memset(&o, 0, sizeof o); /* zeroed: must not close fd 0 */
    bv_out_abort(&o);
    assert_int_not_equal(fcntl(0, F_GETFD), -1);
}

static void
test_missing_parent(void **state)
{
    char *path = in_dir(state, "no/such/dir/file");

    expect_refused(path, 0, BV_ERR, "No such file or directory");
    expect_refused(path, 1, BV_ERR, NULL);
    put_file(in_dir(state, "plain"), "x");
    expect_refused(in_dir(state, "plain/file"), 0, BV_ERR, "Not a directory");
}

static void
test_created_meanwhile_not_clobbered(void **state)
{
    char *path = in_dir(state, "race.txt");
    bv_out o;

    assert_int_equal(bv_out_open(&o, path, 0, 0600), BV_OK);
    assert_int_equal(bv_out_write(&o, "ours", 4), BV_OK);
    put_file(path, "theirs");
    bv_err_clear();
    assert_int_equal(bv_out_commit(&o), BV_EUSAGE);
    assert_non_null(strstr(bv_errmsg(), "exists"));
    bv_err_clear();
    assert_file(path, "theirs");
    assert_int_equal(temps_in(*state), 0); /* commit cleaned up after itself */
    bv_out_abort(&o);
}

static void
test_long_name(void **state)
{
    char name[256], *path;
    bv_out o;

    memset(name, 'n', 250);
    name[250] = '\0';
    path = in_dir(state, name);
    assert_int_equal(bv_out_open(&o, path, 0, 0600), BV_OK);
    assert_int_equal(bv_out_write(&o, "ok", 2), BV_OK);
    assert_int_equal(bv_out_commit(&o), BV_OK);
    assert_file(in_dir(state, name), "ok");
}

static void
test_stdout(void **state)
{
    int saved = dup(STDOUT_FILENO), fd;
    const char *name;
    bv_out o;
    bv_status st_tty = BV_OK, st_force = BV_OK, st_full = BV_OK;
    char msg[256] = "";
    (void)state;

    assert_true(saved >= 0);
    fflush(stdout);
    /* a pseudo-terminal as stdout: refused unless forced */
    fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd >= 0 && grantpt(fd) == 0 && unlockpt(fd) == 0 && (name = ptsname(fd)) != NULL) {
        int slave = open(name, O_RDWR | O_NOCTTY);
        assert_true(slave >= 0);
        dup2(slave, STDOUT_FILENO);
        close(slave);
        st_tty = bv_out_open(&o, NULL, 0, 0600);
        bv_out_abort(&o);
        st_force = bv_out_open(&o, NULL, 1, 0600);
        bv_out_abort(&o);
        dup2(saved, STDOUT_FILENO);
        close(fd);
        assert_int_equal(st_tty, BV_EUSAGE);
        assert_int_equal(st_force, BV_OK);
    }
    bv_err_clear();
    /* a full device: the write error comes back with its reason */
    assert_true((fd = open("/dev/full", O_WRONLY)) >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    if ((st_full = bv_out_open(&o, NULL, 0, 0600)) == BV_OK) {
        st_full = bv_out_write(&o, "data", 4);
        snprintf(msg, sizeof msg, "%s", bv_errmsg());
        assert_int_equal(bv_out_commit(&o), BV_OK);
        bv_out_abort(&o);
    }
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_int_not_equal(fcntl(STDOUT_FILENO, F_GETFD), -1); /* never closed */
    assert_int_equal(st_full, BV_ERR);
    assert_non_null(strstr(msg, "No space left on device"));
    bv_err_clear();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_commit_mode, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_existing_needs_force, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_symlink_refused, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_not_regular_refused, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_missing_parent, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_created_meanwhile_not_clobbered, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_long_name, make_dir, remove_dir),
        cmocka_unit_test(test_stdout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
