/*
 * bvbench.c - helpers for `make bench` that need the library itself:
 *   bvbench mklog VAULT NAME N       append N audit entries through the real
 *                                    append path (bv_audit_append), 10,000 per
 *                                    transaction; passphrase on fd 3
 *   bvbench append VAULT NAME N      N single-entry durable transactions;
 *                                    prints the mean latency
 *   bvbench ceiling VAULT SECONDS    Ed25519 verify + SHA-256 of the vault's
 *                                    own leaves on every core: entries/s
 *   bvbench rotate-setup VAULT NAME N  a board ROT of N items and two officers
 *                                    (run under eatmydata: setup, not measured)
 *   bvbench rotate VAULT NAME        the seconds taken to remove one officer of
 *                                    ROT (key rotation), and the keys re-wrapped
 *   bvbench crypto MIB               cryptography alone over MIB MiB in 1 MiB
 *                                    chunks, in memory: MiB/s of OpenSSL
 *                                    ChaCha20-Poly1305 + SHA-256 on 1 and 2
 *                                    threads, libsodium secretstream +
 *                                    BLAKE2b-256 (format 2) on one
 *   bvbench floor [--direct] SRC DST SRC copied to DST written once and made
 *                                    durable (temporary, fsync, rename, fsync
 *                                    of the directory) as boardvault writes;
 *                                    --direct: SRC read from the disk, as
 *                                    boardvault reads a body: the floor of any
 *                                    seal (and, --direct, open)
 *   bvbench drop FILE...             each FILE's clean pages dropped from the
 *                                    page cache (posix_fadvise), as days after
 *                                    it was written: the next read is from disk
 *   bvbench versions                 the libraries as loaded
 * Not installed; bench only.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include "bv_audit.h"
#include "bv_behind.h"
#include "bv_merkle.h"
#include "bv_pass.h"
#include "bv_vault_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
die(bv_status st)
{
    fprintf(stderr, "bvbench: %s\n", bv_errmsg());
    return (int)st;
}

static bv_status
unlock(bv_vault *v, const char *name, bv_actor **a)
{
    bv_secret pass = { 0 };
    bv_status st;

    if ((st = bv_pass_read(3, NULL, 0, &pass)) != BV_OK)
        return st;
    st = bv_vault_unlock(v, name, &pass, BV_ACT_OPEN, NULL, a);
    bv_secret_free(&pass);
    return st;
}

#define NITEMS 1000
static char items[NITEMS][BV_UID_LEN + 1];
static int have_items;

/* 1,000 real (empty) items on board CSP, so that queries and the
 * summary have items to find, each with a grant set. */
static bv_status
make_items(bv_vault *v, bv_actor *a)
{
    char *grantee[1];
    bv_status st;
    int i, fd;

    grantee[0] = a->row.name;
    if ((st = bv_board_create(v, a, "CSP")) != BV_OK)
        return st;
    for (i = 0; i < NITEMS; i++) {
        if ((fd = open("/dev/null", O_RDONLY)) < 0)
            return bv_fail(BV_ERR, "cannot open /dev/null");
        st = bv_item_seal(v, a, "CSP", fd, "bench item", grantee, 1, NULL, NULL, items[i]);
        close(fd);
        if (st != BV_OK)
            return st;
    }
    have_items = 1;
    return BV_OK;
}

static bv_status
append_n(bv_vault *v, bv_actor *a, unsigned long n, unsigned long per_tx)
{
    char item[BV_UID_LEN + 1];
    unsigned long i;
    bv_status st = BV_OK;

    for (i = 0; i < n; i++) {
        bv_audit_event ev = { .actor = a->row.name,
            .actor_fp = a->fp,
            .action = BV_ACT_OPEN,
            .board = "CSP",
            .item = item,
            .outcome = "ok" };
        if (have_items)
            memcpy(item, items[i % NITEMS], sizeof item);
        else
            snprintf(item, sizeof item, "%016lx", 0xb0a4d000000UL + i % NITEMS);
        if (i % per_tx == 0 && (st = bv_store_begin(bv_vault_store(v))) != BV_OK)
            return st;
        if ((st = bv_audit_append(bv_vault_store(v), bv_vault_id(v), &ev, a->keys)) != BV_OK) {
            bv_store_rollback(bv_vault_store(v));
            return st;
        }
        if ((i + 1) % per_tx == 0 || i + 1 == n)
            if ((st = bv_store_commit(bv_vault_store(v))) != BV_OK)
                return st;
    }
    return st;
}

struct ceil_job {
    const uint8_t *msg;
    size_t len;
    const uint8_t *sig, *pk;
    double until;
    unsigned long done;
};

static void *
ceil_run(void *arg)
{
    struct ceil_job *j = arg;
    uint8_t h[32];

    while (now() < j->until) {
        for (int k = 0; k < 64; k++) {
            crypto_hash_sha256(h, j->msg, j->len);
            if (crypto_sign_verify_detached(j->sig, j->msg, j->len, j->pk) != 0)
                return NULL;
            j->done++;
        }
    }
    return NULL;
}

/* ---- cryptography alone (bvbench crypto) ----
 * Format 3's work per 1 MiB chunk: one ChaCha20-Poly1305 message (OpenSSL
 * EVP, nonce = chunk counter) and SHA-256 of its ciphertext. Chunks are
 * independent, so T threads take every T-th chunk. Buffers are a ring of
 * at most 64 MiB, more than any cache here, so memory bandwidth counts. */
#define RING 64

struct cc_job {
    uint8_t **pt, **ct;
    size_t nchunks, ring, first, step;
    int ok;
};

static void *
cc_run(void *arg)
{
    struct cc_job *j = arg;
    static const uint8_t key[32] = { 7 };
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t nonce[12] = { 0 }, h[32];
    int n1, n2;

    j->ok = c != NULL;
    for (size_t i = j->first; j->ok && i < j->nchunks; i += j->step) {
        uint8_t *ct = j->ct[i % j->ring];
        memcpy(nonce, &i, sizeof i);
        nonce[11] = (uint8_t)(i + 1 == j->nchunks); /* the last-chunk flag */
        j->ok = EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) == 1
            && EVP_EncryptUpdate(c, NULL, &n1, (const uint8_t *)"ad", 2) == 1
            && EVP_EncryptUpdate(c, ct, &n1, j->pt[i % j->ring], (int)BV_CHUNK) == 1
            && EVP_EncryptFinal_ex(c, ct + n1, &n2) == 1
            && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, ct + BV_CHUNK) == 1
            && EVP_Digest(ct, BV_CHUNK + 16, h, NULL, EVP_sha256(), NULL) == 1;
    }
    EVP_CIPHER_CTX_free(c);
    return NULL;
}

/* one pass of format 3's seal over nchunks on nthreads: seconds, <0 on error */
static double
cc_pass(uint8_t **pt, uint8_t **ct, size_t nchunks, size_t ring, int nthreads)
{
    struct cc_job j[2];
    pthread_t t[2];
    double t0 = now();
    int k, ok = 1;

    for (k = 0; k < nthreads; k++) {
        j[k] = (struct cc_job) { pt, ct, nchunks, ring, (size_t)k, (size_t)nthreads, 0 };
        if (pthread_create(&t[k], NULL, cc_run, &j[k]) != 0)
            return -1;
    }
    for (k = 0; k < nthreads; k++) {
        pthread_join(t[k], NULL);
        ok &= j[k].ok;
    }
    return ok ? now() - t0 : -1;
}

/* format 2's seal: one secretstream (sequential by design) and BLAKE2b-256
 * of each ciphertext chunk, as bv_hash computes it */
static double
ss_pass(uint8_t **pt, uint8_t **ct, size_t nchunks, size_t ring)
{
    crypto_secretstream_xchacha20poly1305_state st;
    uint8_t key[32] = { 7 }, hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES], h[32];
    double t0 = now();

    crypto_secretstream_xchacha20poly1305_init_push(&st, hdr, key);
    for (size_t i = 0; i < nchunks; i++) {
        uint8_t *c = ct[i % ring];
        crypto_secretstream_xchacha20poly1305_push(&st, c, NULL, pt[i % ring], BV_CHUNK, NULL, 0,
            i + 1 == nchunks ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        crypto_generichash(
            h, 32, c, BV_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES, NULL, 0);
    }
    return now() - t0;
}

/* MiB/s of MIB MiB: passes repeated until a quarter second has gone by,
 * so that 1 MiB is timed as surely as 1 GiB (at 1 MiB there is one chunk:
 * a second thread has nothing to do, and the figure says so) */
static int
crypto_ceiling(size_t mib)
{
    size_t ring = mib < RING ? mib : RING, i;
    uint8_t *pt[RING], *ct[RING];
    double r[3];

    for (i = 0; i < ring; i++) {
        if ((pt[i] = malloc(BV_CHUNK)) == NULL || (ct[i] = malloc(BV_CHUNK + 64)) == NULL)
            return 1;
        randombytes_buf(pt[i], BV_CHUNK);
        memset(ct[i], 0, BV_CHUNK + 64); /* touched before timing */
    }
    for (int v = 0; v < 3; v++) {
        double spent = 0, s;
        size_t passes = 0;
        do {
            s = v < 2 ? cc_pass(pt, ct, mib, ring, v + 1) : ss_pass(pt, ct, mib, ring);
            if (s < 0)
                return 1;
            spent += s;
            passes++;
        } while (spent < 0.25);
        r[v] = (double)(passes * mib) / spent;
    }
    printf("%.0f %.0f %.0f\n", r[0], r[1], r[2]);
    for (i = 0; i < ring; i++) {
        free(pt[i]);
        free(ct[i]);
    }
    return 0;
}

/* the write-once floor: SRC to DST as a careful writer must, read once,
 * written once, fsync'd, renamed, its directory fsync'd; written the way
 * boardvault writes a large file (bv_behind.h), and with direct read from
 * the disk the way it reads a body (store/files.c), so that nothing
 * boardvault does to its own files could beat it */
static int
floor_copy(const char *src, const char *dst, int direct)
{
    enum { BUF = BV_CHUNK };
    void *buf = NULL;
    char tmp[4096], dir[4096];
    struct bv_behind wb;
    off_t done = 0;
    ssize_t n;
    int in, out, d, ok = 1;

    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    snprintf(dir, sizeof dir, "%s", dst);
    if (posix_memalign(&buf, 4096, BUF) != 0)
        return 1;
    if ((in = open(src, O_RDONLY | (direct ? O_DIRECT : 0))) < 0 && direct && errno == EINVAL)
        in = open(src, O_RDONLY);
    if (in < 0 || (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
        return 1;
    bv_behind_start(&wb, out);
    while (ok && (n = read(in, buf, BUF)) > 0) {
        ok = write(out, buf, (size_t)n) == n;
        bv_behind_wrote(&wb, done += n);
    }
    ok = bv_behind_end(&wb) == 0 && ok && n == 0 && fsync(out) == 0 && close(out) == 0
        && rename(tmp, dst) == 0;
    close(in);
    free(buf);
    if (!ok || (d = open(dirname(dir), O_RDONLY)) < 0)
        return 1;
    ok = fsync(d) == 0;
    close(d);
    return !ok;
}

int
main(int argc, char **argv)
{
    bv_vault *v = NULL;
    bv_actor *a = NULL;
    bv_status st;

    if (bv_crypto_init() != BV_OK)
        return 1;
    if (argc == 5 && (strcmp(argv[1], "mklog") == 0 || strcmp(argv[1], "append") == 0)) {
        unsigned long n = strtoul(argv[4], NULL, 10);
        double t0;
        char note[256];
        if ((st = bv_vault_open(argv[2], 0, NULL, note, &v)) != BV_OK
            || (st = unlock(v, argv[3], &a)) != BV_OK)
            return die(st);
        if (strcmp(argv[1], "mklog") == 0 && (st = make_items(v, a)) != BV_OK)
            return die(st);
        if (have_items) /* the first item's id, for a filtered query */
            fprintf(stderr, "%s\n", items[7]);
        t0 = now();
        st = append_n(v, a, n, strcmp(argv[1], "mklog") == 0 ? 10000 : 1);
        if (st != BV_OK)
            return die(st);
        printf("%.3f\n", (now() - t0) / (double)n * 1000.0); /* ms per entry */
        bv_actor_free(a);
        bv_vault_close(v);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "ceiling") == 0) {
        /* a real signed leaf of the vault: its text and signature */
        const char *keys = "0123456789";
        uint8_t pk[32], sk[64], sig[64];
        uint8_t msg[420];
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        struct ceil_job j[16];
        pthread_t t[16];
        unsigned long total = 0;
        double secs = strtod(argv[3], NULL);
        long i;
        (void)keys;
        /* same shape and size as an entry: ~420 bytes of text */
        memset(msg, 'e', sizeof msg);
        crypto_sign_keypair(pk, sk);
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
        if (ncpu < 1)
            ncpu = 1;
        if (ncpu > 16)
            ncpu = 16;
        for (i = 0; i < ncpu; i++) {
            j[i] = (struct ceil_job) { msg, sizeof msg, sig, pk, now() + secs, 0 };
            pthread_create(&t[i], NULL, ceil_run, &j[i]);
        }
        for (i = 0; i < ncpu; i++) {
            pthread_join(t[i], NULL);
            total += j[i].done;
        }
        printf("%.0f\n", (double)total / secs);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "rotate-setup") == 0) {
        static const char pw2[] = "second-officer-bench-only-77";
        unsigned long n = strtoul(argv[4], NULL, 10), i;
        bv_kdf_params kp = { BV_KDF_MIN_M, BV_KDF_MIN_T, 1 };
        bv_secret p2 = { 0 };
        char fp[BV_FP_LEN], uid[BV_UID_LEN + 1], note[256];
        int fd;
        if ((st = bv_vault_open(argv[2], 0, NULL, note, &v)) != BV_OK
            || (st = unlock(v, argv[3], &a)) != BV_OK
            || (st = bv_secret_dup(pw2, strlen(pw2), &p2)) != BV_OK
            || (st = bv_member_enroll(v, "officer2", &p2, &kp, fp)) != BV_OK
            || (st = bv_member_approve(v, a, "officer2", NULL, fp)) != BV_OK
            || (st = bv_board_create(v, a, "ROT")) != BV_OK
            || (st = bv_board_add(v, a, "ROT", "officer2", "officer")) != BV_OK)
            return die(st);
        bv_secret_free(&p2);
        for (i = 0; i < n; i++) {
            if ((fd = open("/dev/null", O_RDONLY)) < 0)
                return 1;
            st = bv_item_seal(v, a, "ROT", fd, "r", NULL, 0, NULL, NULL, uid);
            close(fd);
            if (st != BV_OK)
                return die(st);
        }
        bv_actor_free(a);
        bv_vault_close(v);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "rotate") == 0) {
        bv_remove_result res;
        char note[256];
        double t0;
        if ((st = bv_vault_open(argv[2], 0, NULL, note, &v)) != BV_OK
            || (st = unlock(v, argv[3], &a)) != BV_OK)
            return die(st);
        t0 = now();
        if ((st = bv_board_remove(v, a, "ROT", "officer2", &res)) != BV_OK)
            return die(st);
        printf("%.3f %zu\n", now() - t0, res.items_rewrapped);
        bv_actor_free(a);
        bv_vault_close(v);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "warm") == 0) {
        /* A VM's first touch of a page of its memory costs several times
         * its reuse (here dd to a new file ran at 370 MB/s, again at
         * 3 GB/s), and whichever tool first needs new page cache would pay
         * it. Touch all but 2 GiB of the memory available, then give it
         * back, so that both tools start from memory the VM has seen. */
        FILE *f = fopen("/proc/meminfo", "r");
        char line[256];
        unsigned long kib = 0, gib, i;
        char **blk;
        if (f == NULL)
            return 0; /* not Linux: nothing to warm */
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1)
                break;
        fclose(f);
        gib = kib / 1048576 > 2 ? kib / 1048576 - 2 : 0;
        if ((blk = calloc(gib + 1, sizeof *blk)) == NULL)
            return 1;
        for (i = 0; i < gib; i++) {
            if ((blk[i] = malloc(1UL << 30)) == NULL)
                break;
            memset(blk[i], 1, 1UL << 30);
        }
        printf("%lu\n", i);
        for (i = 0; i < gib; i++)
            free(blk[i]);
        free(blk);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "crypto") == 0)
        return crypto_ceiling(strtoul(argv[2], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "floor") == 0)
        return floor_copy(argv[2], argv[3], 0);
    if (argc == 5 && strcmp(argv[1], "floor") == 0 && strcmp(argv[2], "--direct") == 0)
        return floor_copy(argv[3], argv[4], 1);
    if (argc >= 2 && strcmp(argv[1], "drop") == 0) {
        for (int i = 2; i < argc; i++) {
            int fd = open(argv[i], O_RDONLY);
            if (fd < 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
                return 1;
            close(fd);
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "versions") == 0) {
        /* and the default KDF, which the unlock figure is of */
        bv_kdf_params kp;
        bv_kdf_defaults(&kp);
        printf("%s|%s|%s|%lu|%lu|%lu\n", sodium_version_string(), sqlite3_libversion(),
            OpenSSL_version(OPENSSL_VERSION), (unsigned long)kp.m_kib, (unsigned long)kp.t,
            (unsigned long)kp.p);
        return 0;
    }
    fprintf(stderr,
        "usage: bvbench mklog|append|rotate-setup VAULT NAME N | rotate VAULT NAME"
        " | ceiling VAULT SECONDS | crypto MIB | floor [--direct] SRC DST | drop FILE... | warm | "
        "versions\n");
    return 2;
}
