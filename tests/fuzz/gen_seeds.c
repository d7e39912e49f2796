/*
 * gen_seeds.c - writes the seed corpora of the note, checkpoint, merkle and
 * body harnesses (the minutes seeds are copies of the tests/fixtures text files).
 *
 *   make fuzz-seeds        (builds this, copies the fixtures, runs it)
 *   build-fuzz/gen_seeds tests/fuzz
 *
 * Run from the top of the tree (it reads the tests/vectors/merkle tables).
 * Everything is deterministic: fixed keys, the deterministic RNG of
 * fuzz_common.h for nonces and headers, fixed timestamps; rerunning it
 * rewrites the same bytes. Seeds:
 *   note/        the golang/C2SP signed-note vectors of tests/unit/test_note.c,
 *                audit-entry-shaped notes signed under an AUDIT_NAME key
 *                (one also cosigned), a note with 16 signers, verifier keys,
 *                and a few malformed notes;
 *   checkpoint/  bare checkpoints (golang sumdb, C2SP, transparency-dev
 *                formats), signed sumdb checkpoints, one boardvault checkpoint
 *                signed by the log key;
 *   merkle/      encoded frontiers (mode 0), the happy-path inclusion and
 *                consistency vectors of tests/vectors/merkle as raw proofs
 *                (modes 1, 2), real-tree inputs with and without mutations
 *                (modes 3, 4);
 *   body/        the genuine chunks of fuzz_body.h framed as fuzz_body reads
 *                them, the wrapped keys and the sealed key.
 */
#define _POSIX_C_SOURCE 200809L
#define FUZZ_NO_ENTRY_POINTS
#include "bv_merkle.h"
#include "bv_note.h"
#include "fuzz_body.h"
#include "fuzz_common.h"
#include "fuzz_vectors.h"

#include <errno.h>
#include <sys/stat.h>

static const char *top;

static void
put(const char *target, const char *name, const void *p, size_t n)
{
    char dir[512], path[1024];
    FILE *f;

    snprintf(dir, sizeof dir, "%s/%s/seeds", top, target);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((f = fopen(path, "wb")) == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "gen_seeds: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void
put_str(const char *target, const char *name, const char *s)
{
    put(target, name, s, strlen(s));
}

static void
put_buf(const char *target, const char *name, const bv_buf *b)
{
    if (b->oom) {
        fprintf(stderr, "gen_seeds: out of memory\n");
        exit(1);
    }
    put(target, name, b->p, b->len);
}

static void
must(bv_status st, const char *what)
{
    if (st != BV_OK) {
        fprintf(stderr, "gen_seeds: %s: %s\n", what, bv_errmsg());
        exit(1);
    }
}

static void
mkdirs(const char *target)
{
    char dir[512];

    snprintf(dir, sizeof dir, "%s/%s", top, target);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/%s/seeds", top, target);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_seeds: cannot create %s: %s\n", dir, strerror(errno));
        exit(1);
    }
}

/* ---- note ----------------------------------------------------------- */

static void
entry_text(bv_buf *b, const char *seq, const char *prev, const char *action, const char *item,
    const char *outcome, const char *reason)
{
    bv_buf_init(b);
    bv_buf_puts(b, "boardvault-audit/v1\n");
    bv_buf_puts(b, "log " AUDIT_ORIGIN "\n");
    bv_buf_printf(b, "seq %s\n", seq);
    bv_buf_printf(b, "prev %s\n", prev);
    bv_buf_puts(b, "time 2025-01-15T10:00:00Z\n");
    bv_buf_puts(b, "actor Jade Hodgson\n");
    bv_buf_puts(b, "actor-key SHA256:Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3bmw8\n");
    bv_buf_puts(b, "auth signed\n");
    bv_buf_printf(b, "action %s\n", action);
    bv_buf_puts(b, "board Safeguarding Adults Board\n");
    bv_buf_puts(b, "meeting 2025-01-15\n");
    bv_buf_puts(b, "agenda 2\n");
    bv_buf_printf(b, "item %s\n", item);
    bv_buf_printf(b, "outcome %s\n", outcome);
    bv_buf_printf(b, "reason %s\n", reason);
}

static void
gen_note(void)
{
    uint8_t pk[32], sk[64], psk[64], ppk[32];
    bv_buf text, note, note2;
    char name[32];
    int i;

    mkdirs("note");
    put_str("note", "peter.note", TEXT "\n" PETER_SIG);
    put_str("note", "peter-enoch.note", TEXT "\n" PETER_SIG ENOCH_SIG);
    put_str("note", "enoch-peter-dup.note", TEXT "\n" ENOCH_SIG PETER_SIG PETER_SIG);
    put_str("note", "sumdb5.note", SUMDB_NOTE5);
    put_str("note", "sumdb6.note", SUMDB_NOTE6);
    put_str("note", "foo.note", FOO_TEXT "\n" FOO_SIG);
    put_str("note", "quasimodo.note", QUASIMODO);
    put_str("note", "sofa.note", SOFA);
    put_str("note", "bad-no-sig.note", TEXT "\n");
    put_str("note", "bad-name.note", TEXT "\n" EM " Bad Name x08go/ZJkuBS9UG/\n");
    put_str("note", "bad-short-sig.note", TEXT "\n" EM " PeterNeumann AAAA\n");
    put_str("note", "peter.vkey", PETER_VKEY);
    put_str("note", "enoch.vkey", ENOCH_VKEY);
    put_str("note", "sumdb.vkey", SUMDB_VKEY);
    put_str("note", "foo.vkey", FOO_VKEY);
    put_str("note", "test.vkey", TEST_VKEY);

    /* audit entries: signed by the member's key, one cosigned by Peter */
    fuzz_key(AUDIT_SEED_TEXT, pk, sk);
    fuzz_skey(PETER_SKEY, ppk, psk);
    entry_text(&text, "1", "0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "item.add", "ZR-7f3a",
        "ok", "-");
    must(bv_note_sign(text.p, text.len, AUDIT_NAME, sk, &note), "sign entry");
    put_buf("note", "entry-1.note", &note);
    must(bv_note_add_signature(note.p, note.len, "PeterNeumann", psk, &note2), "cosign entry");
    put_buf("note", "entry-1-cosigned.note", &note2);
    put_buf("note", "entry-1-unsigned.txt", &text);
    bv_buf_free(&note);
    bv_buf_free(&note2);
    bv_buf_free(&text);
    entry_text(&text, "2", "1 bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "item.open", "ZR-7f3a",
        "denied", "no grant for 100%25 of the item");
    must(bv_note_sign(text.p, text.len, AUDIT_NAME, sk, &note), "sign entry");
    put_buf("note", "entry-2.note", &note);
    bv_buf_free(&note);
    bv_buf_free(&text);

    /* sixteen signers: Peter first, then fifteen keys nobody knows */
    must(bv_note_sign((const uint8_t *)TEXT, strlen(TEXT), "PeterNeumann", psk, &note), "sign");
    for (i = 0; i < 15; i++) {
        snprintf(name, sizeof name, "example.org/w%d", i);
        fuzz_key(name, pk, sk);
        must(bv_note_add_signature(note.p, note.len, name, sk, &note2), "add signature");
        bv_buf_free(&note);
        note = note2;
    }
    put_buf("note", "sixteen.note", &note);
    bv_buf_free(&note);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(psk, sizeof psk);
}

/* ---- checkpoint ----------------------------------------------------- */

static void
gen_checkpoint(void)
{
    uint8_t pk[32], sk[64], root[32];
    bv_buf text, note;

    mkdirs("checkpoint");
    put_str("checkpoint", "sumdb5.txt", SUMDB_TEXT5);
    put_str("checkpoint", "sumdb6.txt", SUMDB_TEXT6);
    put_str("checkpoint", "sumdb5.note", SUMDB_NOTE5);
    put_str("checkpoint", "sumdb6.note", SUMDB_NOTE6);
    put_str("checkpoint", "sofa.txt", SOFA_TEXT);
    put_str("checkpoint", "log-123.txt", "Log\n123\n" ROOT32 "\n");
    put_str("checkpoint", "log-0.txt", "Log\n0\n" ROOT32 "\n");
    put_str("checkpoint", "log-max.txt", "Log\n18446744073709551615\n" ROOT32 "\n");
    put_str("checkpoint", "banana-ext.txt",
        "Banana\n9944\n" ROOT32 "\nHere's some associated data.\nlots\nof\nlines\n");
    put_str("checkpoint", "bad-leading-zero.txt", "Log\n0123\n" ROOT32 "\n");
    put_str("checkpoint", "bad-short-root.txt", "Log\n123\nYmFuYW5hcw==\n");

    fuzz_key(AUDIT_SEED_TEXT, pk, sk);
    bv_merkle_empty_root(root);
    must(bv_checkpoint_format(AUDIT_ORIGIN, 3, root, &text), "checkpoint");
    must(bv_note_sign(text.p, text.len, AUDIT_ORIGIN, sk, &note), "sign checkpoint");
    put_buf("checkpoint", "boardvault.note", &note);
    bv_buf_free(&text);
    bv_buf_free(&note);
    sodium_memzero(sk, sizeof sk);
}

/* ---- merkle --------------------------------------------------------- */

static void
b64_hash(bv_buf *b, const char *s)
{
    uint8_t h[64];
    size_t n = fuzz_b64(h, sizeof h, s);

    bv_buf_put(b, h, n);
}

static void
u64(bv_buf *b, uint64_t v)
{
    uint8_t x[8];

    bv_store_be64(x, v);
    bv_buf_put(b, x, 8);
}

/* The happy-path lines of tests/vectors/merkle/<file> as mode `mode` seeds. */
static void
gen_vectors(const char *file, uint8_t mode, const char *prefix)
{
    char path[512], line[8192], *tok[80], *save = NULL, fname[128];
    unsigned long long a, b;
    int nt, k, count = 0;
    FILE *f;
    bv_buf s;

    snprintf(path, sizeof path, "tests/vectors/merkle/%s", file);
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(
            stderr, "gen_seeds: %s: %s (run from the top of the tree)\n", path, strerror(errno));
        exit(1);
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = '\0';
        for (nt = 0, tok[0] = strtok_r(line, " ", &save); tok[nt] != NULL && nt < 79;)
            tok[++nt] = strtok_r(NULL, " ", &save);
        /* name a b hash1 hash2 wantErr nproof proof... */
        if (nt < 7 || strcmp(tok[5], "0") != 0)
            continue;
        a = strtoull(tok[1], NULL, 10);
        b = strtoull(tok[2], NULL, 10);
        bv_buf_init(&s);
        bv_buf_put(&s, &mode, 1);
        u64(&s, a);
        u64(&s, b);
        b64_hash(&s, tok[3]);
        b64_hash(&s, tok[4]);
        for (k = 7; k < nt; k++)
            b64_hash(&s, tok[k]);
        snprintf(fname, sizeof fname, "%s-%d", prefix, count++);
        put_buf("merkle", fname, &s);
        bv_buf_free(&s);
    }
    fclose(f);
}

static void
gen_merkle(void)
{
    static const uint64_t sizes[] = { 0, 1, 5, 13, 300 };
    bv_merkle_frontier *f = calloc(1, sizeof *f);
    uint8_t leaf[32], mode;
    char name[64];
    bv_buf s;
    size_t i;
    uint64_t n;

    if (f == NULL)
        exit(1);
    mkdirs("merkle");
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bv_merkle_frontier_init(f);
        for (n = 0; n < sizes[i]; n++) {
            uint8_t d[8];
            bv_store_be64(d, n);
            bv_merkle_leaf_hash(leaf, d, sizeof d);
            must(bv_merkle_frontier_append(f, leaf), "append");
        }
        bv_buf_init(&s);
        mode = 0;
        bv_buf_put(&s, &mode, 1);
        bv_merkle_frontier_encode(f, &s);
        snprintf(name, sizeof name, "frontier-%llu", (unsigned long long)sizes[i]);
        put_buf("merkle", name, &s);
        bv_buf_free(&s);
    }
    /* the largest frontier: 64 nodes; appending to it must fail */
    bv_buf_init(&s);
    mode = 0;
    bv_buf_put(&s, &mode, 1);
    u64(&s, UINT64_MAX);
    for (i = 0; i < 64; i++) {
        memset(leaf, (int)i, sizeof leaf);
        bv_buf_put(&s, leaf, 32);
    }
    put_buf("merkle", "frontier-max", &s);
    bv_buf_free(&s);
    free(f);

    gen_vectors("inclusion.txt", 1, "inclusion");
    gen_vectors("consistency.txt", 2, "consistency");

    /* real trees: mode, n (mod 300, + 1), m or index (mod n, + 1), seed, mutations */
    for (i = 0; i < 4; i++) {
        static const uint64_t nn[] = { 7, 8, 100, 299 }, mm[] = { 3, 8, 64, 200 };
        static const uint8_t muts[] = { 0, 9, 1, 0, 4, 1, 5, 255, 2, 1 };
        int m4;
        for (m4 = 3; m4 <= 4; m4++) {
            bv_buf_init(&s);
            mode = (uint8_t)m4;
            bv_buf_put(&s, &mode, 1);
            u64(&s, nn[i] - 1);
            u64(&s, mm[i] - 1);
            mode = (uint8_t)(0x30 + i);
            bv_buf_put(&s, &mode, 1);
            if (i & 1)
                bv_buf_put(&s, muts, sizeof muts);
            snprintf(name, sizeof name, "tree-%s-%zu", m4 == 3 ? "inclusion" : "consistency", i);
            put_buf("merkle", name, &s);
            bv_buf_free(&s);
        }
    }
}

/* ---- body ----------------------------------------------------------- */

static void
frame(bv_buf *b, const uint8_t *p, size_t n)
{
    uint8_t l[2] = { (uint8_t)(n >> 8), (uint8_t)n };

    bv_buf_put(b, l, 2);
    bv_buf_put(b, p, n);
}

static void
gen_body(void)
{
    body_known k;
    bv_buf s;
    uint8_t m;
    size_t c, st;
    char name[64];

    mkdirs("body");
    body_known_build(&k);
    for (st = 0; st < NSTREAMS; st++) {
        /* whole stream, genuine header */
        bv_buf_init(&s);
        m = (uint8_t)st;
        bv_buf_put(&s, &m, 1);
        for (c = 0; c < k.nchunks[st]; c++)
            frame(&s, k.ct[st][c], k.ctlen[st][c]);
        snprintf(name, sizeof name, "stream%zu-all", st);
        put_buf("body", name, &s);
        bv_buf_free(&s);
        /* the header in the input, then the chunks, then one too many */
        bv_buf_init(&s);
        m = (uint8_t)(0x80 | st);
        bv_buf_put(&s, &m, 1);
        bv_buf_put(&s, k.header[st], BV_STREAM_HEADER);
        for (c = 0; c < k.nchunks[st]; c++)
            frame(&s, k.ct[st][c], k.ctlen[st][c]);
        frame(&s, k.ct[st][0], k.ctlen[st][0]);
        snprintf(name, sizeof name, "stream%zu-header-extra", st);
        put_buf("body", name, &s);
        bv_buf_free(&s);
    }
    /* stream 0: chunks out of order, and the first chunk alone */
    bv_buf_init(&s);
    m = 0;
    bv_buf_put(&s, &m, 1);
    frame(&s, k.ct[0][1], k.ctlen[0][1]);
    frame(&s, k.ct[0][0], k.ctlen[0][0]);
    frame(&s, k.ct[0][2], k.ctlen[0][2]);
    put_buf("body", "stream0-reordered", &s);
    bv_buf_free(&s);
    bv_buf_init(&s);
    bv_buf_put(&s, &m, 1);
    frame(&s, k.ct[0][0], k.ctlen[0][0]);
    put_buf("body", "stream0-first", &s);
    bv_buf_free(&s);

    for (c = 0; c < 2; c++) {
        bv_buf_init(&s);
        m = 2;
        bv_buf_put(&s, &m, 1);
        bv_buf_put(&s, k.wrapped[c].p, k.wrapped[c].len);
        snprintf(name, sizeof name, "wrapped-%zu", c);
        put_buf("body", name, &s);
        bv_buf_free(&s);
    }
    bv_buf_init(&s);
    m = 3;
    bv_buf_put(&s, &m, 1);
    bv_buf_put(&s, k.sealed.p, k.sealed.len);
    put_buf("body", "sealed", &s);
    bv_buf_free(&s);
    body_known_free(&k);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_seeds DIR   (DIR is tests/fuzz)\n");
        return 2;
    }
    top = argv[1];
    fuzz_sodium_init();
    gen_note();
    gen_checkpoint();
    gen_merkle();
    gen_body();
    return 0;
}
