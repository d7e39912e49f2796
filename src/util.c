/*
 * util.c - error slot, byte buffers, endian helpers, hex and UTF-8
 * checks used by every module (see include/bv.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Thread_local char errbuf[512];
static _Thread_local int errset;

bv_status
bv_fail(bv_status st, const char *fmt, ...)
{
    va_list ap;

    if (!errset) {
        va_start(ap, fmt);
        vsnprintf(errbuf, sizeof errbuf, fmt, ap);
        va_end(ap);
        errset = 1;
    }
    return st;
}

const char *
bv_errmsg(void)
{
    return errset ? errbuf : "unknown error";
}

void
bv_err_clear(void)
{
    errset = 0;
    errbuf[0] = '\0';
}

void
bv_buf_init(bv_buf *b)
{
    memset(b, 0, sizeof *b);
}

void
bv_buf_free(bv_buf *b)
{
    free(b->p);
    bv_buf_init(b);
}

static int
reserve(bv_buf *b, size_t n)
{
    size_t cap;
    uint8_t *p;

    if (b->oom)
        return -1;
    if (n > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return -1;
    }
    if (b->len + n + 1 <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
        cap *= 2;
    if ((p = realloc(b->p, cap)) == NULL) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void
bv_buf_put(bv_buf *b, const void *p, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0'; /* always NUL-terminated, handy for text */
}

void
bv_buf_puts(bv_buf *b, const char *s)
{
    bv_buf_put(b, s, strlen(s));
}

void
bv_buf_printf(bv_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) != 0) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
bv_buf_field(bv_buf *b, const void *p, size_t n)
{
    uint8_t l[4];

    if (n > UINT32_MAX) {
        b->oom = 1;
        return;
    }
    bv_store_be32(l, (uint32_t)n);
    bv_buf_put(b, l, 4);
    bv_buf_put(b, p, n);
}

void
bv_buf_field_str(bv_buf *b, const char *s)
{
    bv_buf_field(b, s, s ? strlen(s) : 0);
}

void
bv_buf_field_u64(bv_buf *b, uint64_t v)
{
    uint8_t x[8];

    bv_store_be64(x, v);
    bv_buf_field(b, x, 8);
}

void
bv_store_be32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

uint32_t
bv_load_be32(const uint8_t in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | (uint32_t)in[3];
}

void
bv_store_be64(uint8_t out[8], uint64_t v)
{
    bv_store_be32(out, (uint32_t)(v >> 32));
    bv_store_be32(out + 4, (uint32_t)v);
}

uint64_t
bv_load_be64(const uint8_t in[8])
{
    return (uint64_t)bv_load_be32(in) << 32 | bv_load_be32(in + 4);
}

void
bv_hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int
bv_utf8_ok(const char *s, size_t len, size_t *bad_off)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k, need;
    uint32_t cp, min;

    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                goto bad;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            goto bad;
        }
        if (len - i <= need)
            goto bad;
        for (k = 1; k <= need; k++) {
            if ((u[i + k] & 0xc0) != 0x80)
                goto bad;
            cp = cp << 6 | (u[i + k] & 0x3f);
        }
        /* overlong forms, UTF-16 surrogates and C1 controls are refused */
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
            || (cp >= 0x80 && cp <= 0x9f))
            goto bad;
        i += need + 1;
    }
    return 1;
bad:
    if (bad_off)
        *bad_off = i;
    return 0;
}

void
bv_utc_now(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(out, "1970-01-01T00:00:00Z");
}

void
bv_json_str(bv_buf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");

    bv_buf_puts(b, "\"");
    for (; *u; u++) {
        if (*u == '"' || *u == '\\')
            bv_buf_printf(b, "\\%c", *u);
        else if (*u < 0x20 || *u == 0x7f)
            bv_buf_printf(b, "\\u%04x", *u);
        else
            bv_buf_put(b, u, 1);
    }
    bv_buf_puts(b, "\"");
}

static volatile sig_atomic_t stop_armed, stop_asked;

void
bv_stop_arm(int on)
{
    stop_armed = on != 0;
}

int
bv_stop_armed(void)
{
    return stop_armed;
}

void
bv_stop_request(void)
{
    stop_asked = 1;
}

int
bv_stop_requested(void)
{
    return stop_asked;
}

void *
bv_grow(void *pp, size_t *n, size_t *cap, size_t size)
{
    void *p, *q;
    size_t c;

    memcpy(&p, pp, sizeof p);
    if (*n == *cap) {
        c = *cap ? 2 * *cap : 8;
        if (c > SIZE_MAX / size || (q = realloc(p, c * size)) == NULL) {
            bv_fail(BV_ERR, "out of memory");
            return NULL;
        }
        p = q;
        memcpy(pp, &p, sizeof p);
        *cap = c;
    }
    return (char *)p + (*n)++ * size;
}

int
bv_field_next(const uint8_t *p, size_t len, size_t *off, char *out, size_t cap)
{
    uint32_t l;

    if (*off >= len)
        return 0;
    if (len - *off < 4)
        return -1;
    l = bv_load_be32(p + *off);
    if (l > len - *off - 4 || l >= cap)
        return -1;
    memcpy(out, p + *off + 4, l);
    out[l] = '\0';
    *off += 4 + (size_t)l;
    return 1;
}

int
bv_sync_parent(const char *path)
{
    char dir[PATH_MAX], *slash;
    int fd, ok;

    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((slash = strrchr(dir, '/')) == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    ok = fsync(fd) == 0 || errno == EINVAL;
    close(fd);
    return ok ? 0 : -1;
}
