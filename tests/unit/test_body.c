/*
 * test_body.c - bodies through the store on a temporary vault file
 * (FORMATS.md §5, §9.6), below the domain: format 3 sealed by the
 * two-worker pipeline opens byte for byte, in rows and in a file of its
 * own; rekey turns a format-2 body (written here with the secretstream,
 * as format 2 was) into format 3; a tampered chunk fails at the earliest
 * chunk with nothing past it written; a file no body names is swept.
 */
#include "bvtest.h"

#include "bv_body.h"
#include "bv_format.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256], path[300], in[300], outp[300];
static const uint8_t ad[] = "test body ad";

static int
setup(void **state)
{
    bv_store *s = NULL;
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/bv-body-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/vault.db", dir);
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(outp, sizeof outp, "%s/out", dir);
    assert_int_equal(bv_crypto_init(), BV_OK);
    assert_int_equal(bv_store_open(path, BV_STORE_CREATE, &s), BV_OK);
    bv_store_close(s);
    return 0;
}

static int
teardown(void **state)
{
    char cmd[400];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* in: n bytes, byte i = i * 7 mod 251 */
static void
make_input(size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    FILE *f = fopen(in, "wb");

    assert_non_null(b);
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7 % 251);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
    free(b);
}

static int
same_files(const char *a, const char *b)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

/* Seal in as a live body inside one transaction: its id, hashes, size. */
static int64_t
seal(bv_store *s, const uint8_t key[32], bv_buf *hashes, uint64_t *size, uint64_t *n)
{
    bv_body_dst d;
    int fd = open(in, O_RDONLY);

    memset(&d, 0, sizeof d);
    assert_true(fd >= 0);
    assert_int_equal(bv_store_begin(s), BV_OK);
    assert_int_equal(bv_store_body_new(s, 0, &d.body_id), BV_OK);
    d.key = key;
    d.ad = ad;
    d.adlen = sizeof ad;
    d.hashes = hashes;
    assert_int_equal(bv_body_seal(s, fd, &d), BV_OK);
    assert_int_equal(bv_store_commit(s), BV_OK);
    close(fd);
    assert_int_equal(d.header_len, BV_BODY3_HEADER);
    assert_int_equal(bv_fmt_body_format(d.header, d.header_len), 3);
    *size = d.size;
    *n = d.nchunks;
    return d.body_id;
}

static bv_status
open_to(bv_store *s, const bv_body_src *src)
{
    bv_out o;
    bv_status st;

    unlink(outp);
    assert_int_equal(bv_out_open(&o, outp, 1, 0600), BV_OK);
    if ((st = bv_body_open(s, src, &o)) == BV_OK)
        return bv_out_commit(&o);
    bv_out_abort(&o);
    return st;
}

static int
body_file_size(int64_t id, off_t *size)
{
    char p[400];
    struct stat sb;

    snprintf(p, sizeof p, "%s.bodies/%lld", path, (long long)id);
    if (stat(p, &sb) != 0)
        return 0;
    *size = sb.st_size;
    return 1;
}

/* Sizes around the chunk and file thresholds, each sealed and opened. */
static void
test_seal_open(void **state)
{
    static const size_t sizes[]
        = { 0, 1, 262143, 262144 - 16, 262144, BV_CHUNK, BV_CHUNK + 1, 5 * BV_CHUNK + 12345 };
    uint8_t key[32];
    bv_store *s;
    (void)state;

    randombytes_buf(key, sizeof key);
    assert_int_equal(bv_store_open(path, BV_STORE_RW, &s), BV_OK);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        bv_buf hashes;
        uint64_t size, n;
        off_t fsize;
        int64_t id;

        bv_buf_init(&hashes);
        make_input(sizes[k]);
        id = seal(s, key, &hashes, &size, &n);
        assert_int_equal(size, sizes[k]);
        assert_int_equal(n, sizes[k] == 0 ? 1 : (sizes[k] + BV_CHUNK - 1) / BV_CHUNK);
        assert_int_equal(hashes.len, 32 * n);
        /* a first chunk of 256 KiB or more: a file of its own, else rows */
        if (sizes[k] + 16 >= 262144 || sizes[k] >= BV_CHUNK) {
            assert_true(body_file_size(id, &fsize));
            assert_int_equal(fsize, (off_t)(16 + size + 16 * n));
        } else {
            assert_false(body_file_size(id, &fsize));
        }
        {
            bv_body_src src = { id, "t", key, NULL, ad, hashes.p, sizeof ad, n, NULL, size, 3 };
            assert_int_equal(open_to(s, &src), BV_OK);
            assert_true(same_files(in, outp));
        }
        bv_buf_free(&hashes);
    }
    bv_store_close(s);
}

/* A format-2 body as format 2 wrote it: one secretstream, BLAKE2b hashes. */
static int64_t
seal_v2(bv_store *s, const uint8_t key[32], uint8_t header[BV_STREAM_HEADER], bv_buf *hashes,
    size_t size)
{
    uint8_t *pt = malloc(size + 1), *ct = malloc(BV_CHUNK + BV_STREAM_ABYTES), h[32];
    bv_stream *ss;
    int64_t id;
    size_t off = 0, i = 0;

    assert_non_null(pt);
    assert_non_null(ct);
    for (size_t j = 0; j < size; j++)
        pt[j] = (uint8_t)(j * 7 % 251);
    assert_int_equal(bv_store_begin(s), BV_OK);
    assert_int_equal(bv_store_body_new(s, 0, &id), BV_OK);
    assert_int_equal(bv_stream_push_init(key, header, &ss), BV_OK);
    do {
        size_t n = size - off < BV_CHUNK ? size - off : BV_CHUNK;
        int final = off + n == size;
        assert_int_equal(bv_stream_push(ss, ad, sizeof ad, pt + off, n, final, ct), BV_OK);
        bv_hash(h, ct, n + BV_STREAM_ABYTES);
        bv_buf_put(hashes, h, 32);
        /* rows, as format 2 always was */
        setenv("BOARDVAULT_FILE_BODIES", "0", 1);
        assert_int_equal(bv_store_chunk_put(s, id, i++, ct, n + BV_STREAM_ABYTES), BV_OK);
        unsetenv("BOARDVAULT_FILE_BODIES");
        off += n;
    } while (off < size);
    assert_int_equal(bv_store_commit(s), BV_OK);
    bv_stream_free(ss);
    free(pt);
    free(ct);
    return id;
}

static void
test_rekey_2_to_3(void **state)
{
    const size_t size = 3 * BV_CHUNK + 99;
    uint8_t k2[32], k3[32], header[BV_STREAM_HEADER];
    bv_buf h2, h3;
    bv_store *s, *reader;
    bv_body_dst d;
    int64_t old;
    off_t fsize;
    (void)state;

    bv_buf_init(&h2);
    bv_buf_init(&h3);
    randombytes_buf(k2, sizeof k2);
    randombytes_buf(k3, sizeof k3);
    make_input(size);
    assert_int_equal(bv_store_open(path, BV_STORE_RW, &s), BV_OK);
    old = seal_v2(s, k2, header, &h2, size);
    assert_false(body_file_size(old, &fsize));
    {
        bv_body_src src = { old, "t", k2, header, ad, h2.p, sizeof ad, 4, NULL, size, 2 };
        assert_int_equal(open_to(s, &src), BV_OK);
        assert_true(same_files(in, outp));
        assert_int_equal(bv_store_open_peer(s, BV_STORE_RO, &reader), BV_OK);
        memset(&d, 0, sizeof d);
        assert_int_equal(bv_store_body_new(s, 1, &d.body_id), BV_OK);
        d.staging = 1;
        d.key = k3;
        d.ad = ad;
        d.adlen = sizeof ad;
        d.hashes = &h3;
        assert_int_equal(bv_body_rekey(s, reader, &src, &d), BV_OK);
        bv_store_close(reader);
    }
    assert_int_equal(d.size, size);
    assert_int_equal(d.nchunks, 4);
    assert_int_equal(bv_fmt_body_format(d.header, d.header_len), 3);
    assert_true(body_file_size(d.body_id, &fsize));
    assert_int_equal(fsize, (off_t)(16 + size + 16 * 4));
    {
        bv_body_src src = { d.body_id, "t", k3, NULL, ad, h3.p, sizeof ad, 4, NULL, size, 3 };
        assert_int_equal(open_to(s, &src), BV_OK);
        assert_true(same_files(in, outp));
        /* format 3's hashes are SHA-256: under the format-2 reading they fail */
        src.format = 2;
        src.header = header;
        assert_int_equal(open_to(s, &src), BV_EINTEGRITY);
        bv_err_clear();
    }
    bv_store_close(s);
    bv_buf_free(&h2);
    bv_buf_free(&h3);
}

/* A flipped byte in chunk 2 of 5: exit 5 naming chunk 2, and only the
 * chunks before it were written (then removed with the output). */
static void
test_earliest_failure(void **state)
{
    const size_t size = 5 * BV_CHUNK;
    uint8_t key[32];
    char p[400];
    bv_buf hashes;
    bv_store *s;
    uint64_t got, n;
    int64_t id;
    int fd;
    (void)state;

    bv_buf_init(&hashes);
    randombytes_buf(key, sizeof key);
    make_input(size);
    assert_int_equal(bv_store_open(path, BV_STORE_RW, &s), BV_OK);
    id = seal(s, key, &hashes, &got, &n);
    snprintf(p, sizeof p, "%s.bodies/%lld", path, (long long)id);
    assert_true((fd = open(p, O_RDWR)) >= 0);
    /* chunk 2 and chunk 4: the earliest is the one reported */
    assert_int_equal(pwrite(fd, "\xff\xfe", 2, 16 + 2 * (BV_CHUNK + 16) + 100), 2);
    assert_int_equal(pwrite(fd, "\xff\xfe", 2, 16 + 4 * (BV_CHUNK + 16) + 100), 2);
    close(fd);
    {
        bv_body_src src = { id, "t", key, NULL, ad, hashes.p, sizeof ad, n, NULL, got, 3 };
        assert_int_equal(open_to(s, &src), BV_EINTEGRITY);
        assert_non_null(strstr(bv_errmsg(), "chunk 2 "));
        bv_err_clear();
        assert_int_equal(access(outp, F_OK), -1);
        /* the signed hashes of another body: chunk 0 fails */
        hashes.p[5] ^= 1;
        assert_int_equal(open_to(s, &src), BV_EINTEGRITY);
        assert_non_null(strstr(bv_errmsg(), "chunk 0 "));
        bv_err_clear();
    }
    bv_store_close(s);
    bv_buf_free(&hashes);
}

/* Files no body names are swept; a staging body's file and files not
 * ours are left. */
static void
test_orphans_swept(void **state)
{
    char p[400];
    uint64_t swept = 0;
    bv_store *s;
    int64_t staged;
    FILE *f;
    (void)state;

    assert_int_equal(bv_store_open(path, BV_STORE_RW, &s), BV_OK);
    assert_int_equal(bv_store_body_new(s, 1, &staged), BV_OK);
    snprintf(p, sizeof p, "%s.bodies", path);
    mkdir(p, 0700);
    const char *names[] = { "9001", "9002.tmp", "README" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s.bodies/%s", path, names[i]);
        assert_non_null(f = fopen(p, "w"));
        fputs("x", f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s.bodies/%lld.tmp", path, (long long)staged);
    assert_non_null(f = fopen(p, "w"));
    fclose(f);
    assert_int_equal(bv_store_body_sweep(s, &swept, NULL, 0), BV_OK);
    assert_int_equal(swept, 2);
    assert_int_equal(access(p, F_OK), 0); /* the live seal's */
    snprintf(p, sizeof p, "%s.bodies/README", path);
    assert_int_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s.bodies/9001", path);
    assert_int_equal(access(p, F_OK), -1);
    bv_store_close(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_rekey_2_to_3),
        cmocka_unit_test(test_earliest_failure),
        cmocka_unit_test(test_orphans_swept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
