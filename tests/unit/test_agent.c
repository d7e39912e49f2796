/*
 * test_agent.c - the agent's wire format (docs/FORMATS.md, "Agent
 * protocol") pinned as bytes: frames, the OPEN_KEY body, the INFO body,
 * and the malformed inputs each decoder must refuse.
 */
#include "bvtest.h"
#include "bv_agent.h"

static void
expect_bytes(const bv_buf *b, const uint8_t *want, size_t n)
{
    assert_false(b->oom);
    assert_int_equal(b->len, n);
    assert_memory_equal(b->p, want, n);
}

static void
test_frames(void **state)
{
    static const uint8_t sign_abc[] = { 0, 0, 0, 5, 1, 2, 'a', 'b', 'c' };
    static const uint8_t lock[] = { 0, 0, 0, 2, 1, 4 };
    static const uint8_t ok_sig_hdr[] = { 0, 0, 0, 66, 1, 0 };
    uint8_t sig[64], code;
    const uint8_t *body;
    size_t blen;
    bv_buf b;
    (void)state;

    assert_int_equal(bv_agent_encode(BV_AGENT_SIGN, (const uint8_t *)"abc", 3, &b), BV_OK);
    expect_bytes(&b, sign_abc, sizeof sign_abc);
    assert_int_equal(bv_agent_decode(b.p + 4, b.len - 4, &code, &body, &blen), BV_OK);
    assert_int_equal(code, BV_AGENT_SIGN);
    assert_int_equal(blen, 3);
    assert_memory_equal(body, "abc", 3);
    bv_buf_free(&b);

    assert_int_equal(bv_agent_encode(BV_AGENT_LOCK, NULL, 0, &b), BV_OK);
    expect_bytes(&b, lock, sizeof lock);
    bv_buf_free(&b);

    memset(sig, 0xab, sizeof sig);
    assert_int_equal(bv_agent_encode(BV_AGENT_OK, sig, sizeof sig, &b), BV_OK);
    assert_int_equal(b.len, 70);
    assert_memory_equal(b.p, ok_sig_hdr, sizeof ok_sig_hdr);
    assert_memory_equal(b.p + 6, sig, 64);
    bv_buf_free(&b);

    /* the codes are part of the format */
    assert_int_equal(BV_AGENT_VERSION, 1);
    assert_int_equal(BV_AGENT_INFO, 1);
    assert_int_equal(BV_AGENT_SIGN, 2);
    assert_int_equal(BV_AGENT_OPEN_KEY, 3);
    assert_int_equal(BV_AGENT_LOCK, 4);
    assert_int_equal(BV_AGENT_EINTEGRITY, 1);
    assert_int_equal(BV_AGENT_EBADREQ, 2);
}

static void
test_frames_refused(void **state)
{
    static const uint8_t v2[] = { 2, 2, 'x' }, short1[] = { 1 };
    uint8_t code;
    const uint8_t *body;
    size_t blen;
    bv_buf b;
    (void)state;

    /* another version is refused, not read as ours */
    assert_int_equal(bv_agent_decode(v2, sizeof v2, &code, &body, &blen), BV_EINPUT);
    bv_err_clear();
    assert_int_equal(bv_agent_decode(short1, sizeof short1, &code, &body, &blen), BV_EINPUT);
    bv_err_clear();
    /* nothing larger than the reader accepts is ever written */
    assert_int_equal(bv_agent_encode(BV_AGENT_SIGN, NULL, BV_AGENT_MAX_REQ, &b), BV_EUSAGE);
    bv_err_clear();
}

static void
test_open_body(void **state)
{
    uint8_t sealed[BV_SEALED_LEN], want[4 + 3 + BV_SEALED_LEN];
    const uint8_t *ctx, *s;
    size_t ctxlen, slen;
    bv_buf b;
    (void)state;

    for (size_t i = 0; i < sizeof sealed; i++)
        sealed[i] = (uint8_t)i;
    want[0] = 0;
    want[1] = 0;
    want[2] = 0;
    want[3] = 3;
    memcpy(want + 4, "CTX", 3);
    memcpy(want + 7, sealed, sizeof sealed);
    assert_int_equal(
        bv_agent_open_body((const uint8_t *)"CTX", 3, sealed, sizeof sealed, &b), BV_OK);
    expect_bytes(&b, want, sizeof want);
    assert_int_equal(bv_agent_open_parse(b.p, b.len, &ctx, &ctxlen, &s, &slen), BV_OK);
    assert_int_equal(ctxlen, 3);
    assert_memory_equal(ctx, "CTX", 3);
    assert_int_equal(slen, BV_SEALED_LEN);
    assert_memory_equal(s, sealed, BV_SEALED_LEN);
    /* a context length that runs past the end, or a box too short or too
     * long, is malformed */
    b.p[3] = 4;
    assert_int_equal(bv_agent_open_parse(b.p, b.len, &ctx, &ctxlen, &s, &slen), BV_EINPUT);
    bv_err_clear();
    b.p[3] = 3;
    assert_int_equal(bv_agent_open_parse(b.p, b.len - 1, &ctx, &ctxlen, &s, &slen), BV_EINPUT);
    bv_err_clear();
    b.p[0] = 0xff;
    assert_int_equal(bv_agent_open_parse(b.p, b.len, &ctx, &ctxlen, &s, &slen), BV_EINPUT);
    bv_err_clear();
    bv_buf_free(&b);
    assert_int_equal(
        bv_agent_open_body((const uint8_t *)"CTX", 3, sealed, sizeof sealed - 1, &b), BV_EINPUT);
    bv_err_clear();
}

static void
test_info_body(void **state)
{
    bv_agent_info in, out;
    uint8_t want[16 + 32 + 32 + 8 + 4 + 5];
    bv_buf b;
    size_t i;
    (void)state;

    memset(&in, 0, sizeof in);
    for (i = 0; i < 16; i++)
        in.vault_id[i] = (uint8_t)(0x10 + i);
    memset(in.sign_pk, 0x5a, 32);
    memset(in.box_pk, 0xa5, 32);
    in.expires = 0x0102030405060708ull;
    in.pid = 0x0000beefu;
    strcpy(in.name, "alice");
    memcpy(want, in.vault_id, 16);
    memset(want + 16, 0x5a, 32);
    memset(want + 48, 0xa5, 32);
    memcpy(want + 80, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    memcpy(want + 88, "\x00\x00\xbe\xef", 4);
    memcpy(want + 92, "alice", 5);
    assert_int_equal(bv_agent_info_body(&in, &b), BV_OK);
    expect_bytes(&b, want, sizeof want);
    assert_int_equal(bv_agent_info_parse(b.p, b.len, &out), BV_OK);
    assert_memory_equal(&out, &in, sizeof in);
    /* no name, a NUL in the name, or a name longer than names may be */
    assert_int_equal(bv_agent_info_parse(b.p, 92, &out), BV_EINPUT);
    bv_err_clear();
    b.p[94] = 0;
    assert_int_equal(bv_agent_info_parse(b.p, b.len, &out), BV_EINPUT);
    bv_err_clear();
    bv_buf_free(&b);
    memset(in.name, 'x', BV_NAME_MAX);
    in.name[BV_NAME_MAX] = '\0';
    assert_int_equal(bv_agent_info_body(&in, &b), BV_OK);
    assert_int_equal(bv_agent_info_parse(b.p, b.len, &out), BV_OK);
    bv_buf_put(&b, "x", 1);
    assert_int_equal(bv_agent_info_parse(b.p, b.len, &out), BV_EINPUT);
    bv_err_clear();
    bv_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_frames_refused),
        cmocka_unit_test(test_open_body),
        cmocka_unit_test(test_info_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
