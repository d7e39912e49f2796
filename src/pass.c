/*
 * pass.c - read a passphrase from --passphrase-fd N or from the terminal
 * with echo off, straight into sodium_malloc'd memory (see bv_pass.h).
 */
#define _GNU_SOURCE
#include "bv_pass.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* Room for BV_PASS_MAX bytes and a "\r": one byte more proves "too long". */
#define LINE_CAP (BV_PASS_MAX + 2)

/*
 * Terminal state for the signal handlers. A handler can only reach
 * globals, and there is one terminal per process, so one slot is enough.
 */
static const int tty_sigs[] = { SIGINT, SIGTERM, SIGTSTP, SIGHUP, SIGQUIT };
#define NSIGS (sizeof tty_sigs / sizeof tty_sigs[0])
static struct sigaction tty_old[NSIGS];
static int tty_hooked[NSIGS];
static struct termios tty_saved;
static int tty_fd = -1;
static volatile sig_atomic_t tty_caught;

static void
tty_restore(void)
{
    while (tcsetattr(tty_fd, TCSAFLUSH, &tty_saved) != 0 && errno == EINTR)
        ;
}

/*
 * Put the terminal back as we found it, then let the signal do what it
 * would have done without us: die, or stop for SIGTSTP. The signal is
 * blocked while we run, so raise() delivers it when we return.
 */
static void
on_signal(int sig)
{
    int saved_errno = errno;
    size_t i;

    tty_restore();
    if (write(tty_fd, "\n", 1) < 0) {
        /* nothing to do: we are leaving anyway */
    }
    for (i = 0; i < NSIGS; i++)
        if (tty_sigs[i] == sig && tty_hooked[i]) {
            sigaction(sig, &tty_old[i], NULL);
            tty_hooked[i] = 0;
        }
    tty_caught = sig;
    raise(sig);
    errno = saved_errno;
}

static void
hook_signals(void)
{
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < NSIGS; i++)
        sigaddset(&sa.sa_mask, tty_sigs[i]);
    /* no SA_RESTART: a read() interrupted by SIGTSTP must return so we re-arm */
    for (i = 0; i < NSIGS; i++) {
        if (tty_hooked[i])
            continue;
        if (sigaction(tty_sigs[i], NULL, &tty_old[i]) != 0)
            continue;
        /* a signal ignored by our parent (nohup) stays ignored */
        if (tty_old[i].sa_handler == SIG_IGN)
            continue;
        if (sigaction(tty_sigs[i], &sa, NULL) == 0)
            tty_hooked[i] = 1;
    }
}

static void
unhook_signals(void)
{
    size_t i;

    for (i = 0; i < NSIGS; i++)
        if (tty_hooked[i]) {
            sigaction(tty_sigs[i], &tty_old[i], NULL);
            tty_hooked[i] = 0;
        }
}

static int
write_all(int fd, const char *s, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static int
echo_off(void)
{
    struct termios t = tty_saved;

    /* ECHONL too: we print the newline ourselves, once */
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    while (tcsetattr(tty_fd, TCSAFLUSH, &t) != 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/*
 * Called when a read() on the terminal was interrupted by one of our
 * signals. After SIGTSTP we were stopped and are now continued: echo is
 * on again, so turn it off and ask again. Any other signal whose old
 * handler returned means the user wants out.
 */
static bv_status
tty_resume(const char *prompt)
{
    int sig = tty_caught;

    tty_caught = 0;
    if (sig != SIGTSTP)
        return bv_fail(BV_ERR, "interrupted while reading the passphrase");
    hook_signals();
    if (echo_off() != 0 || write_all(tty_fd, prompt, strlen(prompt)) != 0)
        return bv_fail(BV_ERR, "cannot use the terminal: %s", strerror(errno));
    return BV_OK;
}

/*
 * One line of fd into sodium memory, read byte by byte so nothing after
 * the newline is consumed, and never more than LINE_CAP bytes. what names
 * the source in messages; prompt is non-NULL only for the terminal.
 */
static bv_status
read_line(int fd, const char *what, const char *prompt, bv_secret *out)
{
    char *buf;
    size_t len = 0;
    ssize_t r;
    int nl = 0;
    bv_status st;

    memset(out, 0, sizeof *out);
    if ((buf = sodium_malloc(LINE_CAP + 1)) == NULL) {
        st = bv_fail(BV_ERR, "out of memory for the passphrase");
        goto out;
    }
    for (;;) {
        if (prompt && tty_caught) {
            if ((st = tty_resume(prompt)) != BV_OK)
                goto out;
            len = 0; /* the terminal flushed the line being typed */
        }
        r = read(fd, buf + len, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = bv_fail(BV_EUSAGE, "cannot read a passphrase from %s: %s", what, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        if (buf[len] == '\n') {
            nl = 1;
            break;
        }
        if (++len == LINE_CAP)
            break;
    }
    if (nl && len > 0 && buf[len - 1] == '\r')
        len--;
    if (len > BV_PASS_MAX) {
        st = bv_fail(BV_EUSAGE, "passphrase on %s is longer than %d bytes", what, BV_PASS_MAX);
        goto out;
    }
    if (len == 0 && !nl) {
        st = bv_fail(BV_EUSAGE, "no passphrase on %s", what);
        goto out;
    }
    /* C strings would silently cut the passphrase at the NUL */
    if (memchr(buf, '\0', len) != NULL) {
        st = bv_fail(BV_EUSAGE, "passphrase contains a NUL byte");
        goto out;
    }
    buf[len] = '\0';
    out->p = buf;
    out->len = len;
    buf = NULL;
    st = BV_OK;
out:
    sodium_free(buf);
    return st;
}

static bv_status
read_fd(int fd, bv_secret *out)
{
    struct stat sb;
    char what[32];

    snprintf(what, sizeof what, "fd %d", fd);
    if (fstat(fd, &sb) != 0)
        return bv_fail(BV_EUSAGE, "cannot read a passphrase from fd %d: %s", fd,
            errno == EBADF ? "it is not open" : strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return bv_fail(BV_EUSAGE, "cannot read a passphrase from fd %d: it is a directory", fd);
    return read_line(fd, what, NULL, out);
}

static bv_status
read_tty(const char *prompt, int confirm, bv_secret *out)
{
    static const char again[] = "Repeat passphrase: ";
    bv_secret second = { NULL, 0 };
    int fd, armed = 0;
    bv_status st;

    if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
        return bv_fail(BV_EUSAGE, "no terminal to ask for a passphrase; use --passphrase-fd N");
    if (tcgetattr(fd, &tty_saved) != 0) {
        st = bv_fail(BV_EUSAGE, "no terminal to ask for a passphrase; use --passphrase-fd N");
        goto out;
    }
    tty_fd = fd;
    tty_caught = 0;
    hook_signals();
    armed = 1;
    /* echo goes off before the prompt shows, so nothing typed early is echoed */
    if (echo_off() != 0 || write_all(fd, prompt, strlen(prompt)) != 0) {
        st = bv_fail(BV_ERR, "cannot use the terminal: %s", strerror(errno));
        goto out;
    }
    st = read_line(fd, "the terminal", prompt, out);
    (void)write_all(fd, "\n", 1);
    if (st != BV_OK || !confirm)
        goto out;
    if (write_all(fd, again, strlen(again)) != 0) {
        st = bv_fail(BV_ERR, "cannot use the terminal: %s", strerror(errno));
        goto out;
    }
    st = read_line(fd, "the terminal", again, &second);
    (void)write_all(fd, "\n", 1);
    if (st != BV_OK)
        goto out;
    if (second.len != out->len || sodium_memcmp(second.p, out->p, out->len) != 0)
        st = bv_fail(BV_EUSAGE, "passphrases do not match");
out:
    if (armed) {
        tty_restore();
        unhook_signals();
        tty_fd = -1;
    }
    close(fd);
    bv_secret_free(&second);
    if (st != BV_OK)
        bv_secret_free(out);
    return st;
}

bv_status
bv_pass_read(int fd, const char *prompt, int confirm, bv_secret *out)
{
    memset(out, 0, sizeof *out);
    /* sodium_malloc needs the page size that sodium_init() looks up */
    if (sodium_init() < 0)
        return bv_fail(BV_ERR, "cannot initialise libsodium");
    if (fd >= 0)
        return read_fd(fd, out);
    if (fd != -1)
        return bv_fail(BV_EUSAGE, "invalid passphrase fd %d", fd);
    return read_tty(prompt ? prompt : "Passphrase: ", confirm, out);
}

void
bv_secret_free(bv_secret *s)
{
    sodium_free(s->p); /* wipes; NULL is a no-op */
    s->p = NULL;
    s->len = 0;
}

bv_status
bv_secret_dup(const void *p, size_t len, bv_secret *out)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return bv_fail(BV_ERR, "cannot initialise libsodium");
    if (len == SIZE_MAX || (out->p = sodium_malloc(len + 1)) == NULL)
        return bv_fail(BV_ERR, "out of memory for a secret");
    if (len)
        memcpy(out->p, p, len);
    out->p[len] = '\0';
    out->len = len;
    return BV_OK;
}
