/* test_pass.c - passphrase input from fds, and from a pseudo-terminal in a child. */
#define _GNU_SOURCE
#include "bvtest.h"
#include "bv_pass.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* A pipe holding exactly n bytes, writer closed: the read end. */
static int
pipe_with(const void *p, size_t n)
{
    int fds[2];

    assert_int_equal(pipe(fds), 0);
    if (n)
        assert_int_equal(write(fds[1], p, n), (ssize_t)n);
    close(fds[1]);
    return fds[0];
}

/* An unlinked temporary file holding n copies of c, then tail; offset 0. */
static int
file_with(char c, size_t n, const char *tail)
{
    char name[] = "/tmp/bv-test-pass-XXXXXX";
    char chunk[65536];
    size_t k;
    int fd;

    assert_true((fd = mkstemp(name)) >= 0);
    unlink(name);
    memset(chunk, c, sizeof chunk);
    while (n > 0) {
        k = n < sizeof chunk ? n : sizeof chunk;
        assert_int_equal(write(fd, chunk, k), (ssize_t)k);
        n -= k;
    }
    if (tail)
        assert_int_equal(write(fd, tail, strlen(tail)), (ssize_t)strlen(tail));
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static void
expect_usage(int fd, const char *msg_part)
{
    bv_secret s = { NULL, 0 };

    bv_err_clear();
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_EUSAGE);
    assert_null(s.p);
    assert_int_equal(s.len, 0);
    if (msg_part && strstr(bv_errmsg(), msg_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", bv_errmsg(), msg_part);
    bv_err_clear();
}

static void
test_lines_one_at_a_time(void **state)
{
    bv_secret s = { NULL, 0 };
    int fd = pipe_with("old pass\nnew pass\n", 18);
    (void)state;
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_OK);
    assert_string_equal(s.p, "old pass");
    assert_int_equal(s.len, 8);
    bv_secret_free(&s);
    assert_int_equal(bv_pass_read(fd, NULL, 1, &s), BV_OK); /* confirm ignored for fds */
    assert_string_equal(s.p, "new pass");
    bv_secret_free(&s);
    expect_usage(fd, "no passphrase on fd");
    close(fd);
}

static void
test_crlf_and_no_newline(void **state)
{
    bv_secret s = { NULL, 0 };
    int fd = pipe_with("abc\r\nlast", 9);
    (void)state;
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_OK);
    assert_string_equal(s.p, "abc");
    assert_int_equal(s.len, 3);
    bv_secret_free(&s);
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_OK); /* EOF ends the line too */
    assert_string_equal(s.p, "last");
    bv_secret_free(&s);
    close(fd);
}

static void
test_empty_line_is_empty_passphrase(void **state)
{
    bv_secret s = { NULL, 0 };
    int fd = pipe_with("\n", 1);
    (void)state;
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_OK);
    assert_int_equal(s.len, 0);
    assert_non_null(s.p);
    assert_int_equal(s.p[0], '\0');
    bv_secret_free(&s);
    close(fd);
}

static void
test_empty_and_bad_fds(void **state)
{
    int fds[2], fd;
    char msg[64];
    (void)state;
    fd = pipe_with("", 0);
    expect_usage(fd, "no passphrase on fd");
    close(fd);
    expect_usage(999, "fd 999");
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    close(fds[1]);
    snprintf(msg, sizeof msg, "fd %d", fds[0]);
    expect_usage(fds[0], msg);
    assert_true((fd = open("/tmp", O_RDONLY | O_DIRECTORY)) >= 0);
    expect_usage(fd, "directory");
    close(fd);
    assert_true((fd = open("/dev/null", O_RDONLY)) >= 0);
    expect_usage(fd, "no passphrase on fd");
    close(fd);
    expect_usage(-2, "invalid");
}

static void
test_length_cap(void **state)
{
    bv_secret s = { NULL, 0 };
    int fd;
    (void)state;
    fd = file_with('a', 1024, "\n");
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_OK);
    assert_int_equal(s.len, 1024);
    assert_int_equal(strlen(s.p), 1024);
    bv_secret_free(&s);
    close(fd);
    fd = file_with('a', 1024, "\r\n");
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_OK);
    assert_int_equal(s.len, 1024);
    bv_secret_free(&s);
    close(fd);
    fd = file_with('a', 1024, NULL);
    assert_int_equal(bv_pass_read(fd, NULL, 0, &s), BV_OK);
    assert_int_equal(s.len, 1024);
    bv_secret_free(&s);
    close(fd);
    fd = file_with('a', 1025, "\n");
    expect_usage(fd, "passphrase on fd");
    close(fd);
    fd = file_with('a', 1025, NULL);
    expect_usage(fd, "longer than 1024 bytes");
    close(fd);
}

static void
test_huge_input_stops_at_cap(void **state)
{
    int fd = file_with('x', 10u * 1024 * 1024, NULL);
    off_t pos;
    (void)state;
    expect_usage(fd, "is longer than 1024 bytes");
    pos = lseek(fd, 0, SEEK_CUR);
    assert_true(pos > 1024 && pos <= 1026);
    close(fd);
}

static void
test_nul_refused(void **state)
{
    int fd = pipe_with("ab\0cd\n", 6);
    (void)state;
    expect_usage(fd, "NUL byte");
    close(fd);
}

static void
test_secret_dup_and_free(void **state)
{
    bv_secret s = { NULL, 0 };
    (void)state;
    bv_secret_free(&s); /* zeroed: fine */
    assert_int_equal(bv_secret_dup("k\0ey", 4, &s), BV_OK);
    assert_int_equal(s.len, 4);
    assert_memory_equal(s.p, "k\0ey", 5);
    bv_secret_free(&s);
    assert_null(s.p);
    assert_int_equal(s.len, 0);
    bv_secret_free(&s); /* twice: fine */
    assert_int_equal(bv_secret_dup(NULL, 0, &s), BV_OK);
    assert_string_equal(s.p, "");
    bv_secret_free(&s);
}

static void
test_no_terminal(void **state)
{
    pid_t pid;
    int ws;
    (void)state;
    fflush(NULL);
    assert_true((pid = fork()) >= 0);
    if (pid == 0) {
        bv_secret s = { NULL, 0 };
        bv_status st;
        /* a new session has no controlling terminal, so /dev/tty cannot open */
        if (setsid() < 0)
            _exit(100);
        st = bv_pass_read(-1, "Passphrase: ", 0, &s);
        if (st == BV_EUSAGE && strstr(bv_errmsg(), "--passphrase-fd") == NULL)
            _exit(101);
        _exit(s.p == NULL ? (int)st : 102);
    }
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), BV_EUSAGE);
}

/*
 * The terminal path, on a pseudo-terminal that a child in its own
 * session takes as its controlling terminal.
 */
typedef struct {
    int master;
    int slave; /* kept open here so its settings can be read after the child */
    pid_t pid;
    char seen[4096];
    size_t nseen;
} pty_run;

/* Child body: read with confirm, check echo came back on, exit with the status. */
static void
pty_child(pty_run *r, const char *name, const char *want)
{
    bv_secret s = { NULL, 0 };
    struct termios t;
    bv_status st;
    int fd;

    close(r->master);
    close(r->slave);
    alarm(20);
    /* a person at a terminal: run in the background by a shell, we would
     * inherit SIGINT/SIGQUIT ignored, and ^C rightly does nothing then */
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGTSTP, SIG_DFL);
    if (setsid() < 0 || (fd = open(name, O_RDWR)) < 0 || ioctl(fd, TIOCSCTTY, 0) != 0)
        _exit(100);
    st = bv_pass_read(-1, "Passphrase: ", 1, &s);
    if (tcgetattr(fd, &t) != 0 || !(t.c_lflag & ECHO))
        _exit(101);
    if (st == BV_OK && (want == NULL || strcmp(s.p, want) != 0))
        _exit(102);
    bv_secret_free(&s);
    _exit((int)st);
}

static void
pty_start(pty_run *r, const char *want)
{
    const char *name;

    memset(r, 0, sizeof *r);
    if ((r->master = posix_openpt(O_RDWR | O_NOCTTY)) < 0)
        skip(); /* a container without /dev/pts */
    assert_int_equal(grantpt(r->master), 0);
    assert_int_equal(unlockpt(r->master), 0);
    assert_non_null(name = ptsname(r->master));
    assert_true((r->slave = open(name, O_RDWR | O_NOCTTY)) >= 0);
    fflush(NULL);
    assert_true((r->pid = fork()) >= 0);
    if (r->pid == 0)
        pty_child(r, name, want);
}

/* Read what the child writes to the terminal until `needle` has appeared `count` times. */
static void
pty_wait(pty_run *r, const char *needle, int count)
{
    struct pollfd pf;
    const char *q;
    ssize_t n;
    int found;

    for (;;) {
        found = 0;
        for (q = r->seen; (q = strstr(q, needle)) != NULL; q += strlen(needle))
            found++;
        if (found >= count)
            return;
        pf.fd = r->master;
        pf.events = POLLIN;
        assert_int_equal(poll(&pf, 1, 10000), 1);
        n = read(r->master, r->seen + r->nseen, sizeof r->seen - 1 - r->nseen);
        assert_true(n > 0);
        r->nseen += (size_t)n;
        r->seen[r->nseen] = '\0';
    }
}

static void
pty_type(pty_run *r, const char *s)
{
    assert_int_equal(write(r->master, s, strlen(s)), (ssize_t)strlen(s));
}

static int
pty_finish(pty_run *r)
{
    struct termios t;
    int ws;

    assert_int_equal(waitpid(r->pid, &ws, 0), r->pid);
    assert_int_equal(tcgetattr(r->slave, &t), 0);
    assert_true(t.c_lflag & ECHO); /* restored however the child ended */
    close(r->slave);
    close(r->master);
    return ws;
}

static void
test_terminal_confirm(void **state)
{
    pty_run r;
    int ws;
    (void)state;
    pty_start(&r, "correct horse");
    pty_wait(&r, "Passphrase: ", 1);
    pty_type(&r, "correct horse\n");
    pty_wait(&r, "Repeat passphrase: ", 1);
    pty_type(&r, "correct horse\n");
    ws = pty_finish(&r);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), BV_OK);
    assert_null(strstr(r.seen, "horse")); /* never echoed */
}

static void
test_terminal_mismatch(void **state)
{
    pty_run r;
    int ws;
    (void)state;
    pty_start(&r, NULL);
    pty_wait(&r, "Passphrase: ", 1);
    pty_type(&r, "one thing\n");
    pty_wait(&r, "Repeat passphrase: ", 1);
    pty_type(&r, "another\n");
    ws = pty_finish(&r);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), BV_EUSAGE);
}

static void
test_terminal_interrupt_restores_echo(void **state)
{
    pty_run r;
    int ws;
    (void)state;
    pty_start(&r, NULL);
    pty_wait(&r, "Passphrase: ", 1);
    pty_type(&r, "\003"); /* ^C: SIGINT to the child, the foreground group */
    ws = pty_finish(&r);
    assert_true(WIFSIGNALED(ws));
    assert_int_equal(WTERMSIG(ws), SIGINT);
}

static void
test_terminal_suspend_asks_again(void **state)
{
    pty_run r;
    int ws;
    (void)state;
    pty_start(&r, "after resume");
    pty_wait(&r, "Passphrase: ", 1);
    /*
     * ^Z: the child's group is orphaned (its parent is in another
     * session), so the kernel discards the stop; the handler still runs,
     * and the read must carry on with echo off and a fresh prompt.
     */
    pty_type(&r, "\032");
    pty_wait(&r, "Passphrase: ", 2);
    pty_type(&r, "after resume\n");
    pty_wait(&r, "Repeat passphrase: ", 1);
    pty_type(&r, "after resume\n");
    ws = pty_finish(&r);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), BV_OK);
    assert_null(strstr(r.seen, "resume"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_one_at_a_time),
        cmocka_unit_test(test_crlf_and_no_newline),
        cmocka_unit_test(test_empty_line_is_empty_passphrase),
        cmocka_unit_test(test_empty_and_bad_fds),
        cmocka_unit_test(test_length_cap),
        cmocka_unit_test(test_huge_input_stops_at_cap),
        cmocka_unit_test(test_nul_refused),
        cmocka_unit_test(test_secret_dup_and_free),
        cmocka_unit_test(test_no_terminal),
        cmocka_unit_test(test_terminal_confirm),
        cmocka_unit_test(test_terminal_mismatch),
        cmocka_unit_test(test_terminal_interrupt_restores_echo),
        cmocka_unit_test(test_terminal_suspend_asks_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
