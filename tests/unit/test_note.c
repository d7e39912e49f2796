/*
 * test_note.c - signed notes and checkpoints against the public vectors:
 * golang/mod sumdb/note and sumdb/tlog, C2SP signed-note@v1.0.0 and
 * tlog-checkpoint@v1.0.0, transparency-dev/formats, RFC 8032 §7.1.
 */
#include "bvtest.h"
#include "bv_note.h"

#include <sodium.h>

#define EM "\xe2\x80\x94" /* U+2014, so that no hex escape swallows a letter */

#define PETER_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" /* 0x01 || seed */
#define ENOCH_VKEY "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define TEXT                                                                                       \
    "If you think cryptography is the answer to your problem,\n"                                   \
    "then you don't know what your problem is.\n"
#define PETER_SIG                                                                                  \
    EM " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"          \
       "qfqdngotpRZb6KE6RyyBwJnAM=\n"
#define ENOCH_SIG                                                                                  \
    EM " EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01"           \
       "oOTGwnWLox33WWd1RvMc+QQ=\n"

/* golang/mod:sumdb/client_test.go, the test log of TestClientFork */
#define SUMDB_VKEY "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6"
#define SUMDB_SKEY "AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk"
#define SUMDB_TEXT5 "go.sum database tree\n5\nnWzN20+pwMt62p7jbv1/NlN95ePTlHijabv5zO/s36w=\n"
#define SUMDB_NOTE5                                                                                \
    SUMDB_TEXT5                                                                                    \
    "\n" EM " localhost.localdev/sumdb "                                                           \
    "AAAMZ5/2FVAdMH58kmnz/0h299pwyskEbzDzoa2/YaPdhvLya4YWDFQQxu2TQb5GpwAH4NdWnTwuhILafisyf"        \
    "3CNbgg=\n"
#define SUMDB_TEXT6 "go.sum database tree\n6\nwc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM=\n"
#define SUMDB_NOTE6                                                                                \
    SUMDB_TEXT6                                                                                    \
    "\n" EM " localhost.localdev/sumdb "                                                           \
    "AAAMZ6oRNswlEZ6ZZhxrCvgl1MBy+nusq4JU+TG6Fe2NihWLqOzb+y2c2kzRLoCr4tvw9o36ucQEnhc20e4nA"        \
    "4Qc/wc=\n"

/* The root of FormatTree's vector, reused where formats' roots are short. */
#define ROOT32 "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="

static void
unhex(uint8_t *out, const char *hex)
{
    size_t n = strlen(hex) / 2, bin_len = 0;
    assert_int_equal(sodium_hex2bin(out, n, hex, 2 * n, NULL, &bin_len, NULL), 0);
    assert_int_equal(bin_len, n);
}

/* The Go skey's base64 part: type 0x01 then the RFC 8032 seed. */
static void
keypair_from_skey(const char *b64, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t raw[33];
    size_t n = 0;
    assert_int_equal(sodium_base642bin(raw, sizeof raw, b64, strlen(b64), NULL, &n, NULL,
                         sodium_base64_VARIANT_ORIGINAL),
        0);
    assert_int_equal(n, 33);
    assert_int_equal(raw[0], 0x01);
    assert_int_equal(crypto_sign_seed_keypair(pk, sk, raw + 1), 0);
}

static void
verifier(const char *vkey, const char *name, bv_note_verifier *v)
{
    bv_buf n;
    assert_int_equal(bv_note_vkey_parse(vkey, &n, v->pk), BV_OK);
    assert_string_equal((const char *)n.p, name);
    v->name = name;
    bv_buf_free(&n);
}

static bv_status
open_str(const char *note, const bv_note_verifier *v, size_t nv, size_t *text_len, int *verified)
{
    bv_err_clear();
    return bv_note_open((const uint8_t *)note, strlen(note), v, nv, text_len, verified);
}

static void
assert_vkey_bad(const char *vkey)
{
    bv_buf n;
    uint8_t pk[32];
    bv_err_clear();
    if (bv_note_vkey_parse(vkey, &n, pk) != BV_EINPUT)
        fail_msg("vkey accepted: \"%s\"", vkey);
    bv_buf_free(&n);
}

static void
test_key_id_and_vkey(void **state)
{
    bv_note_verifier p, e, s, f, t;
    bv_buf out;
    (void)state;

    verifier(PETER_VKEY, "PeterNeumann", &p);
    assert_int_equal(bv_note_key_id(p.name, p.pk), 0xc74f20a3);
    assert_int_equal(bv_note_vkey(p.name, p.pk, &out), BV_OK);
    assert_string_equal((const char *)out.p, PETER_VKEY);
    bv_buf_free(&out);

    verifier(ENOCH_VKEY, "EnochRoot", &e);
    assert_int_equal(bv_note_key_id(e.name, e.pk), 0xaf0cfe78);

    /* the base64 part holds a '+': only the first two '+' separate fields */
    verifier(SUMDB_VKEY, "localhost.localdev/sumdb", &s);
    assert_int_equal(bv_note_key_id(s.name, s.pk), 0x00000c67);
    assert_int_equal(bv_note_vkey(s.name, s.pk, &out), BV_OK);
    assert_string_equal((const char *)out.p, SUMDB_VKEY);
    bv_buf_free(&out);

    verifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "example.com/foo", &f);
    /* transparency-dev/formats:note/note_cosigv1_test.go, type 0x01 */
    verifier("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6", "TEST", &t);

    assert_int_equal(bv_note_vkey("bad name", p.pk, &out), BV_EINPUT);
    bv_buf_free(&out);
}

/* A vkey with any key bytes and a correctly computed ID, so that only the
 * type or the length can be what is wrong with it. */
static void
assert_raw_vkey_bad(const char *name, const uint8_t *raw, size_t n)
{
    crypto_hash_sha256_state h;
    uint8_t d[32];
    char b64[128], vkey[256];

    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&h, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&h, raw, n);
    crypto_hash_sha256_final(&h, d);
    sodium_bin2base64(b64, sizeof b64, raw, n, sodium_base64_VARIANT_ORIGINAL);
    snprintf(vkey, sizeof vkey, "%s+%02x%02x%02x%02x+%s", name, d[0], d[1], d[2], d[3], b64);
    assert_vkey_bad(vkey);
}

static void
test_vkey_rejects(void **state)
{
    char b[sizeof PETER_VKEY];
    size_t len = strlen(PETER_VKEY), i, j;
    bv_note_verifier p;
    uint8_t raw[34];
    (void)state;

    verifier(PETER_VKEY, "PeterNeumann", &p);

    /* golang/mod TestNewVerifier: every proper substring (so every proper
     * prefix too), then every single byte incremented by one */
    for (i = 0; i < len; i++) {
        for (j = i + 1; j <= len; j++) {
            if (i == 0 && j == len)
                continue;
            memcpy(b, &PETER_VKEY[i], j - i);
            b[j - i] = '\0';
            assert_vkey_bad(b);
        }
    }
    memcpy(b, PETER_VKEY, len + 1);
    for (i = 0; i < len; i++) {
        b[i]++;
        assert_vkey_bad(b);
        b[i]--;
    }
    /* key not 32 bytes, and unknown type; both with the ID adjusted */
    assert_vkey_bad("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==");
    assert_vkey_bad("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    /* "BADKEY==" already fails as base64 here: its last character leaves
     * non-zero padding bits, which libsodium refuses and Go lets through.
     * So the length rule gets its own keys, with IDs that do match. */
    raw[0] = 0x01;
    memcpy(raw + 1, p.pk, 32);
    raw[33] = 0;
    assert_raw_vkey_bad("PeterNeumann", raw, 34);
    assert_raw_vkey_bad("PeterNeumann", raw, 32);
    assert_raw_vkey_bad("PeterNeumann", raw, 1);
    raw[0] = 0x04;
    assert_raw_vkey_bad("PeterNeumann", raw, 33);
    /* transparency-dev/formats: these fail there too */
    assert_vkey_bad("bananas.sigstore.dev+12344556");
    assert_vkey_bad("rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!");
    assert_vkey_bad("rekor.sigstore.dev+12345678+AwEB");
    /* formats accepts this type 0x04 (cosignature/v1) key; we only do 0x01 */
    assert_vkey_bad("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    /* ours: the ID is written in lower-case hex; Go also takes upper case */
    assert_vkey_bad("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    assert_vkey_bad("");
    assert_vkey_bad("++");
}

static void
test_name_ok(void **state)
{
    (void)state;
    assert_true(bv_note_name_ok("PeterNeumann"));
    assert_true(bv_note_name_ok("example.com/foo"));
    assert_true(bv_note_name_ok("D\xe2\x80\x99Urso"));
    assert_true(bv_note_name_ok("boardvault/0123abcd/Jade%20Hodgson"));
    assert_false(bv_note_name_ok(""));
    assert_false(bv_note_name_ok(NULL));
    assert_false(bv_note_name_ok("a+b"));
    assert_false(bv_note_name_ok("a b"));
    assert_false(bv_note_name_ok("a\tb"));
    assert_false(bv_note_name_ok("a\xc2\xa0"
                                 "b")); /* U+00A0 */
    assert_false(bv_note_name_ok("a\xe2\x80\x83")); /* U+2003 EM SPACE */
    assert_false(bv_note_name_ok("a\xe3\x80\x80")); /* U+3000 */
    assert_false(bv_note_name_ok("a\xc2\x85")); /* U+0085 NEL */
    assert_false(bv_note_name_ok("a\x7f"));
    assert_false(bv_note_name_ok("\xff"));
}

static void
test_sign_peter(void **state)
{
    bv_note_verifier p;
    uint8_t pk[32], sk[64];
    bv_buf out;
    size_t tl = 0;
    int ok[1] = { 0 };
    (void)state;

    verifier(PETER_VKEY, "PeterNeumann", &p);
    keypair_from_skey(PETER_SKEY, pk, sk);
    assert_memory_equal(pk, p.pk, 32);
    /* golang/mod TestSign: byte-exact, Ed25519 being deterministic */
    assert_int_equal(
        bv_note_sign((const uint8_t *)TEXT, strlen(TEXT), "PeterNeumann", sk, &out), BV_OK);
    assert_int_equal(out.len, strlen(TEXT "\n" PETER_SIG));
    assert_memory_equal(out.p, TEXT "\n" PETER_SIG, out.len);
    assert_int_equal(bv_note_open(out.p, out.len, &p, 1, &tl, ok), BV_OK);
    assert_int_equal(tl, strlen(TEXT));
    assert_int_equal(ok[0], 1);
    bv_buf_free(&out);

    assert_int_equal(bv_note_sign((const uint8_t *)"abc", 3, "PeterNeumann", sk, &out), BV_EINPUT);
    assert_int_equal(bv_note_sign((const uint8_t *)"", 0, "PeterNeumann", sk, &out), BV_EINPUT);
    assert_int_equal(
        bv_note_sign((const uint8_t *)TEXT, strlen(TEXT), "bad name", sk, &out), BV_EINPUT);
    assert_int_equal(
        bv_note_sign((const uint8_t *)"a\x1b[2J\n", 6, "PeterNeumann", sk, &out), BV_EINPUT);
    assert_int_equal(
        bv_note_sign((const uint8_t *)"a\xff\n", 3, "PeterNeumann", sk, &out), BV_EINPUT);
    assert_int_equal(out.len, 0);
    bv_buf_free(&out);
    sodium_memzero(sk, sizeof sk);
}

static void
test_sumdb_notes(void **state)
{
    bv_note_verifier s;
    uint8_t pk[32], sk[64], root[32];
    bv_buf out, origin;
    uint64_t size = 0;
    size_t tl = 0;
    (void)state;

    verifier(SUMDB_VKEY, "localhost.localdev/sumdb", &s);
    assert_int_equal(open_str(SUMDB_NOTE5, &s, 1, &tl, NULL), BV_OK);
    assert_int_equal(tl, strlen(SUMDB_TEXT5));
    assert_int_equal(
        bv_checkpoint_parse((const uint8_t *)SUMDB_TEXT5, tl, &origin, &size, root), BV_OK);
    assert_string_equal((const char *)origin.p, "go.sum database tree");
    assert_int_equal(size, 5);
    bv_buf_free(&origin);
    assert_int_equal(open_str(SUMDB_NOTE6, &s, 1, &tl, NULL), BV_OK);
    assert_int_equal(tl, strlen(SUMDB_TEXT6));
    assert_int_equal(
        bv_checkpoint_parse((const uint8_t *)SUMDB_TEXT6, tl, &origin, &size, root), BV_OK);
    assert_int_equal(size, 6);
    bv_buf_free(&origin);

    /* the same notes again from the published skey: byte-exact */
    keypair_from_skey(SUMDB_SKEY, pk, sk);
    assert_memory_equal(pk, s.pk, 32);
    assert_int_equal(
        bv_note_sign((const uint8_t *)SUMDB_TEXT5, strlen(SUMDB_TEXT5), s.name, sk, &out), BV_OK);
    assert_int_equal(out.len, strlen(SUMDB_NOTE5));
    assert_memory_equal(out.p, SUMDB_NOTE5, out.len);
    bv_buf_free(&out);
    assert_int_equal(
        bv_note_sign((const uint8_t *)SUMDB_TEXT6, strlen(SUMDB_TEXT6), s.name, sk, &out), BV_OK);
    assert_memory_equal(out.p, SUMDB_NOTE6, out.len);
    bv_buf_free(&out);
    sodium_memzero(sk, sizeof sk);

    /* the size-5 note with the size-6 signature */
    assert_int_equal(open_str(SUMDB_TEXT5 "\n" EM " localhost.localdev/sumdb "
                                          "AAAMZ6oRNswlEZ6ZZhxrCvgl1MBy+nusq4JU+TG6Fe2NihWLqOzb+"
                                          "y2c2kzRLoCr4tvw9o36ucQEnhc20e4nA4Qc/wc=\n",
                         &s, 1, &tl, NULL),
        BV_EINTEGRITY);
}

/* golang/mod:sumdb/note TestOpen */
static void
test_open(void **state)
{
    bv_note_verifier p, e, vs[3];
    static char many[102 * sizeof PETER_SIG + sizeof TEXT];
    const char *bad[] = {
        TEXT,
        TEXT "\n",
        TEXT "\n" EM " PeterNeumann "
             "x08go/ZJkuBS9UG/"
             "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        "\x01" TEXT "\n" PETER_SIG,
        "\xff" TEXT "\n" PETER_SIG,
        TEXT "\n" EM " Bad Name "
             "x08go/ZJkuBS9UG/"
             "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        TEXT "\n" PETER_SIG "Unexpected line.\n",
        /* ours, in the same spirit */
        "",
        "\n\n" EM " PeterNeumann\n",
        TEXT "\n" EM " PeterNeumann \n",
        TEXT "\n" EM " PeterNeumann AAAA\n", /* 3 bytes: no room for an ID and a signature */
        TEXT "\n" EM " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
             "gKvqfqdngotpRZb6KE6RyyBwJnAM\n", /* padding dropped */
        TEXT "\n" EM " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
             "gKvqfqdngotpRZb6KE6RyyBwJnAM= \n",
        TEXT "\n" EM "PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
             "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        "a\x7f\n\n" PETER_SIG, /* DEL: the spec allows it, we do not */
        "a\r\n\n" PETER_SIG,
    };
    char buf[sizeof TEXT + 6 * sizeof PETER_SIG], b64[128];
    uint8_t raw[72];
    size_t tl = 0, i, n;
    int ok[3];
    (void)state;

    verifier(PETER_VKEY, "PeterNeumann", &p);
    verifier(ENOCH_VKEY, "EnochRoot", &e);

    /* one verified, one unknown */
    ok[0] = -1;
    assert_int_equal(open_str(TEXT "\n" PETER_SIG ENOCH_SIG, &p, 1, &tl, ok), BV_OK);
    assert_int_equal(tl, strlen(TEXT));
    assert_int_equal(ok[0], 1);
    /* both */
    vs[0] = p;
    vs[1] = e;
    assert_int_equal(open_str(TEXT "\n" PETER_SIG ENOCH_SIG, vs, 2, &tl, ok), BV_OK);
    assert_true(ok[0] == 1 && ok[1] == 1);
    /* Enoch's only */
    assert_int_equal(open_str(TEXT "\n" ENOCH_SIG, vs, 2, &tl, ok), BV_OK);
    assert_true(ok[0] == 0 && ok[1] == 1);
    /* none known: "note has no verifiable signatures" */
    assert_int_equal(open_str(TEXT "\n" PETER_SIG ENOCH_SIG, NULL, 0, &tl, NULL), BV_EINTEGRITY);
    assert_int_equal(open_str(TEXT "\n" PETER_SIG ENOCH_SIG, &e, 0, &tl, NULL), BV_EINTEGRITY);

    /* duplicated verifier: ambiguous only when a line names it */
    vs[0] = e;
    vs[1] = p;
    vs[2] = e;
    assert_int_equal(open_str(TEXT "\n" ENOCH_SIG, vs, 3, &tl, ok), BV_EINPUT);
    assert_non_null(strstr(bv_errmsg(), "ambiguous key EnochRoot+af0cfe78"));
    assert_int_equal(open_str(TEXT "\n" PETER_SIG, vs, 3, &tl, ok), BV_OK);
    assert_true(ok[0] == 0 && ok[1] == 1 && ok[2] == 0);

    /* 100 lines are fine, 101 are malformed, known key or not */
    strcpy(many, TEXT "\n");
    for (i = 0; i < 100; i++)
        strcat(many, PETER_SIG);
    assert_int_equal(open_str(many, &p, 1, &tl, NULL), BV_OK);
    strcat(many, PETER_SIG);
    assert_int_equal(open_str(many, &p, 1, &tl, NULL), BV_EINPUT);
    assert_int_equal(open_str(many, NULL, 0, &tl, NULL), BV_EINPUT);

    /* "ABCD" inserted at byte 60 of Peter's line */
    n = strlen(TEXT "\n");
    memcpy(buf, TEXT "\n", n);
    memcpy(buf + n, PETER_SIG, 60);
    memcpy(buf + n + 60, "ABCD", 4);
    strcpy(buf + n + 64, &PETER_SIG[60]);
    ok[0] = -1;
    assert_int_equal(open_str(buf, &p, 1, &tl, ok), BV_EINTEGRITY);
    assert_string_equal(bv_errmsg(), "invalid signature for key PeterNeumann+c74f20a3");
    assert_int_equal(ok[0], 0);

    /* duplicates are dropped, unknown broken lines ignored */
    n = strlen(TEXT "\n" PETER_SIG PETER_SIG ENOCH_SIG ENOCH_SIG);
    memcpy(buf, TEXT "\n" PETER_SIG PETER_SIG ENOCH_SIG ENOCH_SIG, n);
    memcpy(buf + n, ENOCH_SIG, 60);
    memcpy(buf + n + 60, "ABCD", 4);
    strcpy(buf + n + 64, &ENOCH_SIG[60]);
    assert_int_equal(open_str(buf, &p, 1, &tl, ok), BV_OK);
    assert_int_equal(ok[0], 1);
    /* Go would skip the broken Enoch line once Enoch has verified; the spec
     * says known signatures MUST be verified, so we fail the note */
    vs[0] = p;
    vs[1] = e;
    assert_int_equal(open_str(buf, vs, 2, &tl, ok), BV_EINTEGRITY);

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (open_str(bad[i], &p, 1, &tl, NULL) != BV_EINPUT)
            fail_msg("bad note %zu accepted or misjudged: %s", i, bv_errmsg());
    }

    /* Peter's 68 bytes with 3 more, or 1 fewer: a known key, so it fails */
    assert_int_equal(sodium_base642bin(raw, sizeof raw, &PETER_SIG[17], strlen(PETER_SIG) - 18,
                         NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL),
        0);
    assert_int_equal(n, 68);
    memset(raw + 68, 0, 3);
    for (i = 67; i <= 71; i += 4) {
        sodium_bin2base64(b64, sizeof b64, raw, i, sodium_base64_VARIANT_ORIGINAL);
        snprintf(buf, sizeof buf, "%s\n" EM " PeterNeumann %s\n", TEXT, b64);
        assert_int_equal(open_str(buf, &p, 1, &tl, NULL), BV_EINTEGRITY);
        assert_int_equal(open_str(buf, NULL, 0, &tl, NULL), BV_EINTEGRITY);
    }

    /* a known name with another ID, or another name with the ID: unknown */
    assert_int_equal(
        open_str(TEXT
            "\n" EM " CarmenSandiego "
            "x08go/ZJkuBS9UG/"
            "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
            &p, 1, &tl, NULL),
        BV_EINTEGRITY);
    assert_int_equal(
        open_str(TEXT
            "\n" EM " PeterNeumann "
            "xxxxo/ZJkuBS9UG/"
            "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
            &p, 1, &tl, NULL),
        BV_EINTEGRITY);
    assert_non_null(strstr(bv_errmsg(), "unknown key"));
    /* the text changed under the signature */
    assert_int_equal(open_str("If you think cryptography is the answer to your problem,\n"
                              "then you DO know what your problem is.\n\n" PETER_SIG,
                         &p, 1, &tl, NULL),
        BV_EINTEGRITY);
}

static void
test_add_signature(void **state)
{
    bv_note_verifier p, e, vs[3];
    uint8_t pk[32], sk[64], pk2[32], sk2[64];
    bv_buf out, out2;
    size_t tl = 0, i;
    int ok[3];
    (void)state;

    verifier(PETER_VKEY, "PeterNeumann", &p);
    verifier(ENOCH_VKEY, "EnochRoot", &e);
    keypair_from_skey(PETER_SKEY, pk, sk);

    /* Peter cosigns Enoch's note: the result is byte for byte the note of
     * TestOpen with the two lines the other way round */
    assert_int_equal(bv_note_add_signature((const uint8_t *)TEXT "\n" ENOCH_SIG,
                         strlen(TEXT "\n" ENOCH_SIG), "PeterNeumann", sk, &out),
        BV_OK);
    assert_int_equal(out.len, strlen(TEXT "\n" ENOCH_SIG PETER_SIG));
    assert_memory_equal(out.p, TEXT "\n" ENOCH_SIG PETER_SIG, out.len);
    vs[0] = p;
    vs[1] = e;
    assert_int_equal(bv_note_open(out.p, out.len, vs, 2, &tl, ok), BV_OK);
    assert_true(ok[0] == 1 && ok[1] == 1);
    assert_int_equal(tl, strlen(TEXT));

    /* a third key, then neither may sign twice */
    crypto_sign_keypair(pk2, sk2);
    assert_int_equal(bv_note_add_signature(out.p, out.len, "example.org/third", sk2, &out2), BV_OK);
    vs[2].name = "example.org/third";
    memcpy(vs[2].pk, pk2, 32);
    assert_int_equal(bv_note_open(out2.p, out2.len, vs, 3, &tl, ok), BV_OK);
    assert_true(ok[0] == 1 && ok[1] == 1 && ok[2] == 1);
    bv_buf_free(&out);
    assert_int_equal(
        bv_note_add_signature(out2.p, out2.len, "example.org/third", sk2, &out), BV_EINPUT);
    assert_int_equal(bv_note_add_signature(out2.p, out2.len, "PeterNeumann", sk, &out), BV_EINPUT);
    assert_int_equal(
        bv_note_add_signature((const uint8_t *)TEXT, strlen(TEXT), "PeterNeumann", sk, &out),
        BV_EINPUT);
    assert_int_equal(bv_note_add_signature(out2.p, out2.len, "bad name", sk, &out), BV_EINPUT);
    bv_buf_free(&out);
    bv_buf_free(&out2);

    /* 99 lines take one more; 100 would make a note nobody can open */
    bv_buf_init(&out2);
    bv_buf_puts(&out2, TEXT "\n");
    for (i = 0; i < 99; i++)
        bv_buf_puts(&out2, ENOCH_SIG);
    assert_int_equal(bv_note_add_signature(out2.p, out2.len, "PeterNeumann", sk, &out), BV_OK);
    assert_int_equal(bv_note_open(out.p, out.len, &p, 1, &tl, ok), BV_OK);
    bv_buf_free(&out);
    bv_buf_puts(&out2, ENOCH_SIG);
    assert_int_equal(bv_note_add_signature(out2.p, out2.len, "PeterNeumann", sk, &out), BV_EINPUT);
    bv_buf_free(&out);
    bv_buf_free(&out2);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(sk2, sizeof sk2);
}

/* C2SP signed-note.md and tlog-checkpoint.md examples */
static void
test_c2sp_examples(void **state)
{
    static const char quasimodo_text[] = "Ognuno sta solo sul cuor della terra\n"
                                         "trafitto da un raggio di sole:\n"
                                         "\n"
                                         "ed \xc3\xa8 subito sera.\n";
    static const char quasimodo[]
        = "Ognuno sta solo sul cuor della terra\n"
          "trafitto da un raggio di sole:\n"
          "\n"
          "ed \xc3\xa8 subito sera.\n"
          "\n" EM " quasimodo.example/salvatore "
          "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
          "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    static const char sofa_text[] = "example.com/behind-the-sofa\n"
                                    "20852163\n"
                                    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    static const char sofa[]
        = "example.com/behind-the-sofa\n"
          "20852163\n"
          "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
          "\n" EM " example.com/behind-the-sofa "
          "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
          "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" EM " witness.example.com/w1 "
          "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
          "mbIUBkBIfZ+qnA==\n";
    bv_note_verifier f, me;
    uint8_t sk[64], root[32], want[32];
    bv_buf out, origin;
    uint64_t size = 0;
    size_t tl = 0;
    int ok[1];
    (void)state;

    verifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "example.com/foo", &f);
    assert_int_equal(open_str("This is an example message.\n"
                              "\n" EM " example.com/foo "
                              "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYj"
                              "OBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
                         &f, 1, &tl, ok),
        BV_OK);
    assert_int_equal(tl, strlen("This is an example message.\n"));
    assert_int_equal(ok[0], 1);

    /* no key is published for these: well-formed, but signed by unknown keys */
    assert_int_equal(open_str(quasimodo, &f, 1, &tl, NULL), BV_EINTEGRITY);
    assert_int_equal(open_str(sofa, &f, 1, &tl, NULL), BV_EINTEGRITY);

    /* cosign the poem ourselves: the text ends at the LAST blank line */
    me.name = "boardvault.example/test";
    crypto_sign_keypair(me.pk, sk);
    assert_int_equal(
        bv_note_add_signature((const uint8_t *)quasimodo, strlen(quasimodo), me.name, sk, &out),
        BV_OK);
    assert_int_equal(bv_note_open(out.p, out.len, &me, 1, &tl, ok), BV_OK);
    assert_int_equal(tl, strlen(quasimodo_text));
    assert_memory_equal(out.p, quasimodo_text, tl);
    bv_buf_free(&out);
    assert_int_equal(
        bv_note_sign((const uint8_t *)quasimodo_text, strlen(quasimodo_text), me.name, sk, &out),
        BV_OK);
    assert_int_equal(bv_note_open(out.p, out.len, &me, 1, &tl, ok), BV_OK);
    assert_int_equal(tl, strlen(quasimodo_text));
    bv_buf_free(&out);
    sodium_memzero(sk, sizeof sk);

    assert_int_equal(
        bv_checkpoint_parse((const uint8_t *)sofa_text, strlen(sofa_text), &origin, &size, root),
        BV_OK);
    assert_string_equal((const char *)origin.p, "example.com/behind-the-sofa");
    assert_int_equal(size, 20852163);
    unhex(want, "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
    assert_memory_equal(root, want, 32);
    bv_buf_free(&origin);
}

static void
cp_ok(const char *text, const char *origin_want, uint64_t size_want)
{
    bv_buf origin;
    uint64_t size = 0;
    uint8_t root[32];

    bv_err_clear();
    if (bv_checkpoint_parse((const uint8_t *)text, strlen(text), &origin, &size, root) != BV_OK)
        fail_msg("checkpoint refused (%s): %s", bv_errmsg(), text);
    assert_string_equal((const char *)origin.p, origin_want);
    assert_int_equal(size, size_want);
    bv_buf_free(&origin);
}

static void
cp_bad(const char *text)
{
    bv_buf origin;
    uint64_t size = 77;
    uint8_t root[32];

    bv_err_clear();
    if (bv_checkpoint_parse((const uint8_t *)text, strlen(text), &origin, &size, root) != BV_EINPUT)
        fail_msg("checkpoint accepted: %s", text);
    assert_int_equal(origin.len, 0);
    assert_int_equal(size, 77);
    bv_buf_free(&origin);
}

/*
 * transparency-dev/formats:log/checkpoint_test.go. Its roots ("bananas",
 * "the view from the tree tops is great!") are deliberately not 32 bytes;
 * formats does not care, we parse RFC 6962 SHA-256 roots only. So each
 * accepted case is checked twice: as published it must be refused by the
 * 32-byte rule, and with a 32-byte root in its place it must parse.
 */
static void
test_checkpoint_parse(void **state)
{
    (void)state;
    cp_bad("Log\n123\nYmFuYW5hcw==\n");
    cp_ok("Log\n123\n" ROOT32 "\n", "Log", 123);
    cp_bad("Banana\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n");
    cp_ok("Banana\n9944\n" ROOT32 "\n", "Banana", 9944);
    cp_bad("Banana\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n"
           "Here's some associated data.\n");
    cp_ok("Banana\n9944\n" ROOT32 "\nHere's some associated data.\n", "Banana", 9944);
    cp_ok("Banana\n9944\n" ROOT32 "\nlots\nof\nlines\n", "Banana", 9944);
    /* formats takes "\n\n\n" as the rest; extension lines MUST be non-empty */
    cp_bad("Banana\n9944\n" ROOT32 "\n\n\n\n");
    cp_bad("Banana\n9944\n" ROOT32 "\nlots\n\nlines\n");
    cp_bad("Banana\n9944\n" ROOT32 "\nunterminated");

    /* formats' rejected cases, and each with a 32-byte root where it had one */
    cp_bad("Head\n9944\n");
    cp_bad("\n9944\n" ROOT32 "\n");
    cp_bad("Log\n9944\n" ROOT32);
    cp_bad("Log\nbananas\n" ROOT32 "\n");
    cp_bad("Log\n-34\n" ROOT32 "\n");
    cp_bad("Log\n3438945738945739845734895735\n" ROOT32 "\n");
    cp_bad("Log\n9944\nThisIsn'tBase64\n");

    /* golang/mod:sumdb/tlog/note_test.go rejections */
    cp_bad("go.sum database tree\n0xabcdef\n" ROOT32 "\n");
    cp_bad(
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n");

    /* tlog-checkpoint: decimal, no leading zeros, "0" for the empty tree */
    cp_ok("Log\n0\n" ROOT32 "\n", "Log", 0);
    cp_ok("Log\n18446744073709551615\n" ROOT32 "\n", "Log", UINT64_MAX);
    cp_bad("Log\n18446744073709551616\n" ROOT32 "\n");
    cp_bad("Log\n00\n" ROOT32 "\n");
    cp_bad("Log\n0123\n" ROOT32 "\n");
    cp_bad("Log\n+5\n" ROOT32 "\n");
    cp_bad("Log\n\n" ROOT32 "\n");
    cp_bad("Log\n 5\n" ROOT32 "\n");
    cp_bad("Log\n5\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0\n"); /* padding dropped */
    cp_bad("Log\n5\n" ROOT32 "AAAA\n"); /* 35 bytes */
    cp_bad("Log\n5\n \n");
    cp_bad("L\x1bog\n5\n" ROOT32 "\n");
    cp_bad("");
}

/* golang/mod:sumdb/tlog/note_test.go FormatTree: RecordHash is the RFC 6962
 * leaf hash SHA-256(0x00 || data). */
static void
test_format_tree(void **state)
{
    static const char want[] = "go.sum database tree\n123456789012\n" ROOT32 "\n";
    uint8_t leaf[12] = "\0hello world", root[32], back[32];
    bv_buf out, origin;
    uint64_t size = 0;
    (void)state;

    crypto_hash_sha256(root, leaf, sizeof leaf);
    assert_int_equal(
        bv_checkpoint_format("go.sum database tree", 123456789012u, root, &out), BV_OK);
    assert_string_equal((const char *)out.p, want);
    assert_int_equal(bv_checkpoint_parse(out.p, out.len, &origin, &size, back), BV_OK);
    assert_string_equal((const char *)origin.p, "go.sum database tree");
    assert_int_equal(size, 123456789012u);
    assert_memory_equal(back, root, 32);
    bv_buf_free(&origin);
    bv_buf_free(&out);
    assert_int_equal(bv_checkpoint_format("", 1, root, &out), BV_EINPUT);
    assert_int_equal(bv_checkpoint_format("a\nb", 1, root, &out), BV_EINPUT);
    bv_buf_free(&out);
}

/* RFC 8032 §7.1 TEST 1-3 through libsodium, as the note code calls it. */
static void
test_rfc8032(void **state)
{
    static const char *v[3][4] = {
        { "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
            "70"
            "1cf9b46bd25bf5f0595bbe24655141438e7a100b" },
        { "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
            "13"
            "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
        { "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7"
            "60"
            "984dc6594a7c15e9716ed28dc027beceea1ec40a" },
    };
    uint8_t seed[32], pk[32], sk[64], want_pk[32], want_sig[64], sig[64], msg[2];
    size_t i, mlen;
    (void)state;

    for (i = 0; i < 3; i++) {
        unhex(seed, v[i][0]);
        unhex(want_pk, v[i][1]);
        mlen = strlen(v[i][2]) / 2;
        unhex(msg, v[i][2]);
        unhex(want_sig, v[i][3]);
        assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
        assert_memory_equal(pk, want_pk, 32);
        assert_int_equal(crypto_sign_detached(sig, NULL, msg, mlen, sk), 0);
        assert_memory_equal(sig, want_sig, 64);
        assert_int_equal(crypto_sign_verify_detached(sig, msg, mlen, pk), 0);
        sig[63] ^= 1;
        assert_int_not_equal(crypto_sign_verify_detached(sig, msg, mlen, pk), 0);
    }
}

static void
test_round_trip(void **state)
{
    static const char *texts[] = {
        "boardvault-audit/v1\nlog boardvault/00\nseq 1\n",
        "first part\n\nsecond part\n\n\nthird part\n", /* splits at the LAST blank line */
        "\n", /* one empty line is a text */
        "ends in a blank line\n\n",
        EM " looks like a signature line\n",
        "caf\xc3\xa9 \xf0\x9f\x94\x92\n",
    };
    bv_note_verifier me, other;
    uint8_t sk[64], osk[64];
    bv_buf out;
    size_t i, tl = 0;
    int ok[2];
    (void)state;

    me.name = "boardvault/0123456789abcdef0123456789abcdef/Jade%20Hodgson";
    crypto_sign_keypair(me.pk, sk);
    other.name = me.name; /* same name, other key: unknown, ignored */
    crypto_sign_keypair(other.pk, osk);
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_int_equal(
            bv_note_sign((const uint8_t *)texts[i], strlen(texts[i]), me.name, sk, &out), BV_OK);
        assert_int_equal(bv_note_open(out.p, out.len, &me, 1, &tl, ok), BV_OK);
        assert_int_equal(tl, strlen(texts[i]));
        assert_memory_equal(out.p, texts[i], tl);
        assert_int_equal(bv_note_open(out.p, out.len, &other, 1, &tl, ok), BV_EINTEGRITY);
        out.p[0] ^= 0x01; /* stays printable ASCII or a UTF-8 lead byte */
        assert_int_not_equal(bv_note_open(out.p, out.len, &me, 1, &tl, ok), BV_OK);
        bv_buf_free(&out);
    }
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(osk, sizeof osk);
}

/* signed-note: verifiers MUST accept at least 16 signatures. */
static void
test_sixteen_signers(void **state)
{
    bv_note_verifier v[16];
    static char names[16][32];
    uint8_t sk[64];
    bv_buf a, b;
    size_t i, tl = 0;
    int ok[16];
    (void)state;

    bv_buf_init(&a);
    for (i = 0; i < 16; i++) {
        snprintf(names[i], sizeof names[i], "example.org/w%zu", i);
        v[i].name = names[i];
        crypto_sign_keypair(v[i].pk, sk);
        if (i == 0)
            assert_int_equal(
                bv_note_sign((const uint8_t *)TEXT, strlen(TEXT), names[i], sk, &b), BV_OK);
        else
            assert_int_equal(bv_note_add_signature(a.p, a.len, names[i], sk, &b), BV_OK);
        bv_buf_free(&a);
        a = b;
    }
    sodium_memzero(sk, sizeof sk);
    assert_int_equal(bv_note_open(a.p, a.len, v, 16, &tl, ok), BV_OK);
    for (i = 0; i < 16; i++)
        assert_int_equal(ok[i], 1);
    assert_int_equal(bv_note_open(a.p, a.len, v + 15, 1, &tl, ok), BV_OK);
    bv_buf_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_id_and_vkey),
        cmocka_unit_test(test_vkey_rejects),
        cmocka_unit_test(test_name_ok),
        cmocka_unit_test(test_sign_peter),
        cmocka_unit_test(test_sumdb_notes),
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_add_signature),
        cmocka_unit_test(test_c2sp_examples),
        cmocka_unit_test(test_checkpoint_parse),
        cmocka_unit_test(test_format_tree),
        cmocka_unit_test(test_rfc8032),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_sixteen_signers),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
