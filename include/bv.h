/*
 * bv.h - what every boardvault module shares: status codes, the error
 * message slot, and small byte-buffer helpers.
 *
 * Every exported function returns a bv_status and fills out-parameters.
 * A status is also the process exit code, so the CLI layer maps nothing:
 * it prints bv_errmsg() and exits with the status it was handed.
 */
#ifndef BV_H
#define BV_H

#include <stddef.h>
#include <stdint.h>

#define BV_VERSION "0.1.0"

typedef enum {
    BV_OK = 0,
    BV_ERR = 1, /* other error: I/O, out of memory, vault busy */
    BV_EUSAGE = 2, /* bad command line */
    BV_EAUTH = 3, /* wrong passphrase, unknown person */
    BV_EPERM = 4, /* not permitted: no grant, not an officer, pending */
    BV_EINTEGRITY = 5, /* tampering or corruption detected */
    BV_ENOTFOUND = 6, /* item, member, board or input file not found */
    BV_EINPUT = 7 /* unreadable or malformed input data */
} bv_status;

/*
 * Record a one-line error message for the CLI to print and return `st`,
 * so that call sites read `return bv_fail(BV_ENOTFOUND, "...", ...)`.
 * The message is kept per thread; the first failure recorded since the
 * last bv_err_clear() wins, so a cleanup path cannot overwrite the cause.
 */
bv_status bv_fail(bv_status st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *bv_errmsg(void);
void bv_err_clear(void);

/* A growable byte buffer on the ordinary heap: for public data only. */
typedef struct {
    uint8_t *p;
    size_t len;
    size_t cap;
    int oom; /* sticky: set when an append failed, checked once at the end */
} bv_buf;

void bv_buf_init(bv_buf *b);
void bv_buf_free(bv_buf *b);
void bv_buf_put(bv_buf *b, const void *p, size_t n);
void bv_buf_puts(bv_buf *b, const char *s);
void bv_buf_printf(bv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Length-prefixed fields for the canonical messages that are signed or
 * used as associated data: u32 big-endian length, then the bytes. Two
 * different field lists can never encode to the same bytes.
 */
void bv_buf_field(bv_buf *b, const void *p, size_t n);
void bv_buf_field_str(bv_buf *b, const char *s);
void bv_buf_field_u64(bv_buf *b, uint64_t v);
/*
 * Read the next length-prefixed field at *off of p (len bytes) as a
 * string into out (cap bytes, NUL-terminated). Returns 1 when a field was
 * read, 0 at the end, -1 when the rest is malformed or the field too long.
 */
int bv_field_next(const uint8_t *p, size_t len, size_t *off, char *out, size_t cap);

void bv_store_be32(uint8_t out[4], uint32_t v);
uint32_t bv_load_be32(const uint8_t in[4]);
void bv_store_be64(uint8_t out[8], uint64_t v);
uint64_t bv_load_be64(const uint8_t in[8]);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void bv_hex(char *out, const uint8_t *in, size_t n);

/* 1 if s (len bytes) is valid UTF-8 with no C0 controls or DEL; else 0.
 * If bad_off is not NULL it receives the offset of the first bad byte. */
int bv_utf8_ok(const char *s, size_t len, size_t *bad_off);

/*
 * Room for one more element in a growable array: pp is the address of the
 * array pointer, *n its length, *cap its capacity. Returns the new (last)
 * element, n counted, or NULL with an error recorded.
 */
void *bv_grow(void *pp, size_t *n, size_t *cap, size_t size);

/* Append s as a JSON string literal (RFC 8259 §7), quotes included. */
void bv_json_str(bv_buf *b, const char *s);

/* UTC time now as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). */
void bv_utc_now(char out[21]);
/* fsync the directory holding path, so that a name made or removed in it
 * is durable. 0, or -1 with errno (a file system that cannot sync a
 * directory, EINVAL, counts as done). */
int bv_sync_parent(const char *path);

/*
 * A stop asked for (Ctrl-C, SIGTERM) while a body is being written. The
 * writer arms it for as long as it can stop cleanly (its staged body then
 * removed, nothing sealed); the CLI's signal handler, finding it armed,
 * only records the request instead of ending the process. Both calls are
 * async-signal-safe.
 */
void bv_stop_arm(int on);
int bv_stop_armed(void);
void bv_stop_request(void);
int bv_stop_requested(void);

/*
 * Progress of a long run (a body sealed, opened or rekeyed, a log
 * verified), reported by the domain to whoever asked (the CLI draws a bar
 * on a terminal). total 0: not known in advance. fn may be NULL.
 */
typedef struct {
    void (*fn)(void *ctx, uint64_t done, uint64_t total);
    void *ctx;
} bv_progress;

static inline void
bv_progress_tick(const bv_progress *p, uint64_t done, uint64_t total)
{
    if (p && p->fn)
        p->fn(p->ctx, done, total);
}

#endif
