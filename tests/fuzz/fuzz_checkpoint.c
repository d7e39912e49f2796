/*
 * fuzz_checkpoint.c - tlog checkpoints (bv_checkpoint_parse, src/note.c)
 * from arbitrary bytes, both as bare checkpoint text and as the text of a
 * signed note.
 *
 * Checks:
 *  1. on failure the outputs are untouched: origin empty and unallocated,
 *     size and root as they were;
 *  2. on success the origin is non-empty, whole UTF-8 without controls, and
 *     bv_checkpoint_format(origin, size, root) gives back the first three
 *     lines of the input byte for byte (size is plain decimal, the root
 *     canonical padded base64 of 32 bytes); what follows is non-empty
 *     extension lines, each ending in LF;
 *  3. if the input opens as a signed note under the sumdb test key or the
 *     fixed boardvault log key (seeds: golang's signed sumdb checkpoints),
 *     the checkpoint in its text parses the same way;
 *  4. the input signed here with the log key, opened, and its text parsed
 *     gives the same answer as parsing the input directly.
 */
#include "bv_note.h"
#include "fuzz_common.h"
#include "fuzz_vectors.h"

enum { V_SUMDB, V_LOG, NV };
static bv_note_verifier vs[NV];
static uint8_t log_sk[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t sk[64];

    (void)argc;
    (void)argv;
    fuzz_sodium_init();
    vs[V_SUMDB].name = SUMDB_NAME;
    fuzz_skey(SUMDB_SKEY, vs[V_SUMDB].pk, sk);
    vs[V_LOG].name = AUDIT_ORIGIN;
    fuzz_key(AUDIT_SEED_TEXT, vs[V_LOG].pk, log_sk);
    sodium_memzero(sk, sizeof sk);
    return 0;
}

typedef struct {
    bv_status st;
    bv_buf origin;
    uint64_t size;
    uint8_t root[32];
} parsed;

static void
parse_checked(const uint8_t *text, size_t len, parsed *r)
{
    static const uint8_t poison[32] = { 0xde, 0xad, 0xbe, 0xef };
    const uint8_t *p, *lf;
    bv_buf again;
    size_t n;

    r->size = 0x5a5a5a5a5a5a5a5aull;
    memcpy(r->root, poison, 32);
    bv_err_clear();
    r->st = bv_checkpoint_parse(text, len, &r->origin, &r->size, r->root);
    if (r->st != BV_OK) {
        FUZZ_CHECK(r->st == BV_EINPUT, "checkpoint_parse returned %d", r->st);
        FUZZ_CHECK(r->origin.p == NULL && r->origin.len == 0, "failed parse left an origin");
        FUZZ_CHECK(r->size == 0x5a5a5a5a5a5a5a5aull && memcmp(r->root, poison, 32) == 0,
            "failed parse wrote size or root");
        return;
    }
    FUZZ_CHECK(r->origin.len > 0 && strlen((const char *)r->origin.p) == r->origin.len
            && bv_utf8_ok((const char *)r->origin.p, r->origin.len, NULL),
        "accepted an empty or unprintable origin");
    FUZZ_CHECK(bv_checkpoint_format((const char *)r->origin.p, r->size, r->root, &again) == BV_OK,
        "a parsed checkpoint cannot be formatted again");
    FUZZ_CHECK(again.len <= len && memcmp(again.p, text, again.len) == 0,
        "checkpoint does not round-trip: parsed size %llu; the input is not what format writes",
        (unsigned long long)r->size);
    /* the rest: extension lines, non-empty, LF-terminated, no controls */
    for (p = text + again.len; p < text + len; p = lf + 1) {
        lf = memchr(p, '\n', (size_t)(text + len - p));
        FUZZ_CHECK(lf != NULL, "accepted an unterminated extension line");
        n = (size_t)(lf - p);
        FUZZ_CHECK(n > 0 && bv_utf8_ok((const char *)p, n, NULL),
            "accepted an empty or unprintable extension line");
    }
    bv_buf_free(&again);
}

static void
same(const parsed *a, const parsed *b, const char *what)
{
    FUZZ_CHECK(a->st == b->st, "%s: status %d vs %d", what, a->st, b->st);
    if (a->st != BV_OK)
        return;
    FUZZ_CHECK(a->origin.len == b->origin.len
            && memcmp(a->origin.p, b->origin.p, a->origin.len) == 0 && a->size == b->size
            && memcmp(a->root, b->root, 32) == 0,
        "%s: different checkpoint", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parsed direct, inner;
    bv_buf note;
    size_t tl = 0;
    int ok[NV];

    parse_checked(data, size, &direct);

    /* 3. a signed checkpoint: the text of the note */
    if (bv_note_open(data, size, vs, NV, &tl, ok) == BV_OK) {
        parse_checked(data, tl, &inner);
        bv_buf_free(&inner.origin);
    }

    /* 4. sign it ourselves, open, parse the text */
    if (bv_note_sign(data, size, vs[V_LOG].name, log_sk, &note) == BV_OK) {
        bv_err_clear();
        FUZZ_CHECK(bv_note_open(note.p, note.len, &vs[V_LOG], 1, &tl, ok) == BV_OK && tl == size,
            "a checkpoint note we signed does not open: %s", bv_errmsg());
        parse_checked(note.p, tl, &inner);
        same(&direct, &inner, "signed and opened");
        bv_buf_free(&inner.origin);
    }
    bv_buf_free(&note);
    bv_buf_free(&direct.origin);
    return 0;
}
