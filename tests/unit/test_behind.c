/*
 * test_behind.c - large files past the page cache (bv_behind.h): what is
 * written behind reads back whole, and a direct read returns the same
 * bytes as a plain one at any offset and length, at the end of the file,
 * and where the file system refuses O_DIRECT.
 */
#define _GNU_SOURCE
#include "bvtest.h"
#include "bv_behind.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1u << 20)
/* more than BV_BEHIND + BV_FLUSH_EVERY, so pages are dropped and flushed */
#define BIG (3u * BV_BEHIND + 12345u)

static uint8_t *
pattern(size_t n)
{
    uint8_t *p = malloc(n);

    assert_non_null(p);
    randombytes_buf_deterministic(p, n, (const uint8_t *)"behind-test-seed-of-32-bytes!!!!");
    return p;
}

/* A file of BIG bytes written in odd-sized pieces through bv_behind. */
static void
write_big(const char *path, const uint8_t *src)
{
    struct bv_behind wb;
    size_t off = 0, n;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    bv_behind_start(&wb, fd);
    while (off < BIG) {
        n = BIG - off < MIB + 16 ? BIG - off : MIB + 16;
        assert_int_equal(pwrite(fd, src + off, n, (off_t)off), (ssize_t)n);
        off += n;
        bv_behind_wrote(&wb, (off_t)off);
    }
    assert_int_equal(bv_behind_end(&wb), 0);
    assert_int_equal(fsync(fd), 0);
    assert_int_equal(close(fd), 0);
}

static void
test_written_behind_reads_back(void **state)
{
    char path[] = "/var/tmp/bv-test-behind-XXXXXX";
    uint8_t *src = pattern(BIG), *back = malloc(BIG);
    int fd = mkstemp(path);
    struct stat sb;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_big(path, src);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, BIG);
    fd = open(path, O_RDONLY);
    assert_int_equal(pread(fd, back, BIG, 0), (ssize_t)BIG);
    assert_memory_equal(back, src, BIG);
    close(fd);
    unlink(path);
    free(src);
    free(back);
}

/* Reads at unaligned offsets and lengths, the last one running into the
 * end of the file, give what a plain pread gives; past the end, EIO. */
static void
check_reads(const char *dir)
{
    char path[4096];
    uint8_t *src = pattern(BIG), *got = malloc(MIB + 64);
    struct bv_direct d;
    const size_t stride = MIB + 16;
    size_t i, n;
    off_t off;
    int fd;

    snprintf(path, sizeof path, "%s/bv-test-direct-%d", dir, (int)getpid());
    write_big(path, src);
    assert_true((fd = open(path, O_RDONLY)) >= 0);
    bv_direct_start(&d, fd, stride);
    for (i = 0; (off = (off_t)(16 + i * stride)) < (off_t)BIG; i++) {
        n = BIG - (size_t)off < stride ? BIG - (size_t)off : stride;
        memset(got, 0, n);
        assert_int_equal(bv_direct_read(fd, &d, got, n, off), 0);
        assert_memory_equal(got, src + off, n);
    }
    /* a few bytes straddling a block, and the very last byte */
    assert_int_equal(bv_direct_read(fd, &d, got, 10, 4090), 0);
    assert_memory_equal(got, src + 4090, 10);
    assert_int_equal(bv_direct_read(fd, &d, got, 1, BIG - 1), 0);
    assert_int_equal(got[0], src[BIG - 1]);
    /* more than the file holds */
    errno = 0;
    assert_int_equal(bv_direct_read(fd, &d, got, 100, BIG - 50), -1);
    assert_int_equal(errno, EIO);
    bv_direct_end(&d);
    close(fd);
    unlink(path);
    free(src);
    free(got);
}

static void
test_direct_reads_disk(void **state)
{
    (void)state;
    check_reads("/var/tmp");
}

/* tmpfs refused O_DIRECT before Linux 6.6: the reads fall back */
static void
test_direct_reads_tmpfs(void **state)
{
    struct stat sb;

    (void)state;
    if (stat("/dev/shm", &sb) != 0 || !S_ISDIR(sb.st_mode))
        skip();
    check_reads("/dev/shm");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_behind_reads_back),
        cmocka_unit_test(test_direct_reads_disk),
        cmocka_unit_test(test_direct_reads_tmpfs),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
