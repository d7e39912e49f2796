/*
 * fuzz_vectors.h - the public signed-note and checkpoint vectors that
 * tests/unit/test_note.c checks (golang.org/x/mod sumdb/note and
 * sumdb/tlog, C2SP signed-note@v1.0.0 and tlog-checkpoint@v1.0.0), shared
 * by fuzz_note.c, fuzz_checkpoint.c and gen_seeds.c, plus the fixed keys
 * the harnesses sign with. Nothing secret: every key here is a test key.
 */
#ifndef BV_FUZZ_VECTORS_H
#define BV_FUZZ_VECTORS_H

#define EM "\xe2\x80\x94" /* U+2014, the signature line prefix */

/* golang/mod sumdb/note: PeterNeumann (skey known) and EnochRoot (vkey only) */
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

/* golang/mod sumdb/client_test.go: the test log of TestClientFork */
#define SUMDB_NAME "localhost.localdev/sumdb"
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

/* C2SP signed-note.md: example.com/foo (vkey only) */
#define FOO_NAME "example.com/foo"
#define FOO_VKEY "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define FOO_TEXT "This is an example message.\n"
#define FOO_SIG                                                                                    \
    EM " example.com/foo "                                                                         \
       "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72Ineya" \
       "Q"                                                                                         \
       "M=\n"

/* C2SP examples signed by keys nobody published: well formed, unknown */
#define QUASIMODO                                                                                  \
    "Ognuno sta solo sul cuor della terra\n"                                                       \
    "trafitto da un raggio di sole:\n"                                                             \
    "\n"                                                                                           \
    "ed \xc3\xa8 subito sera.\n"                                                                   \
    "\n" EM " quasimodo.example/salvatore "                                                        \
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"                                                                \
    "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
#define SOFA_TEXT                                                                                  \
    "example.com/behind-the-sofa\n"                                                                \
    "20852163\n"                                                                                   \
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
#define SOFA                                                                                       \
    SOFA_TEXT                                                                                      \
    "\n" EM " example.com/behind-the-sofa "                                                        \
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"                                    \
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" EM " witness.example.com/w1 "                          \
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0"         \
    "xUe+mbIUBkBIfZ+qnA==\n"

/* transparency-dev/formats: a type 0x01 key */
#define TEST_VKEY "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"

/* The root of sumdb/tlog FormatTree's vector: a 32-byte root for checkpoints. */
#define ROOT32 "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="

/*
 * Keys of our own. An audit entry is signed under the key name
 * "boardvault/<vault id hex>/<percent-encoded member name>" (src/audit.c);
 * the seeds are made with AUDIT_NAME. Seeds for the private keys are the
 * BLAKE2b-256 of these strings (see fuzz_key below).
 */
#define AUDIT_NAME "boardvault/00112233445566778899aabbccddeeff/Jade%20Hodgson"
#define AUDIT_SEED_TEXT "boardvault fuzz: audit signer"
#define SIGNER_NAME "fuzz.example/signer"
#define SIGNER_SEED_TEXT "boardvault fuzz: signer"
#define COSIGNER_NAME "fuzz.example/cosigner"
#define COSIGNER_SEED_TEXT "boardvault fuzz: cosigner"
#define DECOY_SEED_TEXT "boardvault fuzz: a second PeterNeumann"
#define AUDIT_ORIGIN "boardvault/00112233445566778899aabbccddeeff"

/* An Ed25519 key pair from a fixed string. */
static inline void
fuzz_key(const char *seed_text, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];

    crypto_generichash(seed, sizeof seed, (const uint8_t *)seed_text, strlen(seed_text), NULL, 0);
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(seed, sizeof seed);
}

/* A key pair from a Go skey's base64 part (0x01 || seed). */
static inline void
fuzz_skey(const char *b64, uint8_t pk[32], uint8_t sk[64])
{
    uint8_t raw[33];

    if (fuzz_b64(raw, sizeof raw, b64) != 33 || raw[0] != 0x01) {
        fprintf(stderr, "fuzz: bad skey %s\n", b64);
        abort();
    }
    crypto_sign_seed_keypair(pk, sk, raw + 1);
}

/* The public key of a verifier key; aborts if the vkey is bad. */
static inline void
fuzz_vkey(const char *vkey, uint8_t pk[32])
{
    bv_buf name;

    if (bv_note_vkey_parse(vkey, &name, pk) != BV_OK) {
        fprintf(stderr, "fuzz: bad vkey %s\n", vkey);
        abort();
    }
    bv_buf_free(&name);
}

#endif
