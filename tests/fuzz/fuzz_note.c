/*
 * fuzz_note.c - C2SP signed notes (src/note.c) from arbitrary bytes.
 *
 * Each input is used four ways:
 *  1. bv_note_open against a fixed set of verifiers: PeterNeumann,
 *     localhost.localdev/sumdb, an audit-entry key and a second
 *     "PeterNeumann" key (private keys known here), EnochRoot and
 *     example.com/foo (public keys only, each with the one text it is known
 *     to have signed). When open says BV_OK:
 *       - the text ends in LF and is followed by the LAST blank line;
 *       - at least one verifier is marked verified; for each one marked,
 *         the signature line we would write for that text (private key
 *         known: signed here; public only: the published vector) is in the
 *         signature block. So open never accepts a signature the key's
 *         owner did not make;
 *       - every line in the block that names a verifier (name and key ID)
 *         is exactly that line: known signatures are all checked;
 *     on error verified[] is all zero. The same note is then opened with
 *     the sumdb verifier listed twice: that may only succeed where the
 *     plain set does with no sumdb line at all (else "ambiguous key").
 *  2. bv_note_add_signature by a fixed cosigner: on success the result is
 *     the note plus one line, opens with the cosigner's key, and opens
 *     against the fixed set exactly as the note itself did.
 *  3. bv_note_sign of the input as text by a fixed signer: on success it
 *     opens again with the same text length (any text ending in LF
 *     round-trips).
 *  4. bv_note_vkey_parse of the input as a C string: on success
 *     bv_note_vkey(name, key) gives back the input byte for byte.
 * Entry-shaped notes (src/audit.c's "boardvault-audit/v1" text signed
 * under an AUDIT_NAME key) are among the seeds: the audit entry parser
 * itself is static and reached only through bv_audit_verify.
 */
#include "bv_note.h"
#include "fuzz_common.h"
#include "fuzz_vectors.h"

enum { V_PETER, V_ENOCH, V_SUMDB, V_FOO, V_AUDIT, V_DECOY, NV };

static bv_note_verifier vs[NV + 1]; /* + a second V_SUMDB for the ambiguous set */
static uint8_t sks[NV + 1][64];
static int have_sk[NV + 1];
static uint8_t signer_sk[64], cosigner_sk[64];
static bv_note_verifier signer, cosigner;

/* The only texts the public-only keys are known to have signed. */
static const struct {
    int v;
    const char *text;
    const char *line;
} published[] = {
    { V_ENOCH, TEXT, ENOCH_SIG },
    { V_FOO, FOO_TEXT, FOO_SIG },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_sodium_init();
    vs[V_PETER].name = "PeterNeumann";
    fuzz_skey(PETER_SKEY, vs[V_PETER].pk, sks[V_PETER]);
    have_sk[V_PETER] = 1;
    vs[V_ENOCH].name = "EnochRoot";
    fuzz_vkey(ENOCH_VKEY, vs[V_ENOCH].pk);
    vs[V_SUMDB].name = SUMDB_NAME;
    fuzz_skey(SUMDB_SKEY, vs[V_SUMDB].pk, sks[V_SUMDB]);
    have_sk[V_SUMDB] = 1;
    vs[V_FOO].name = FOO_NAME;
    fuzz_vkey(FOO_VKEY, vs[V_FOO].pk);
    vs[V_AUDIT].name = AUDIT_NAME;
    fuzz_key(AUDIT_SEED_TEXT, vs[V_AUDIT].pk, sks[V_AUDIT]);
    have_sk[V_AUDIT] = 1;
    vs[V_DECOY].name = "PeterNeumann";
    fuzz_key(DECOY_SEED_TEXT, vs[V_DECOY].pk, sks[V_DECOY]);
    have_sk[V_DECOY] = 1;
    vs[NV] = vs[V_SUMDB];
    signer.name = SIGNER_NAME;
    fuzz_key(SIGNER_SEED_TEXT, signer.pk, signer_sk);
    cosigner.name = COSIGNER_NAME;
    fuzz_key(COSIGNER_SEED_TEXT, cosigner.pk, cosigner_sk);
    return 0;
}

/* SHA-256(name || LF || 0x01 || pk)[:4], computed here, not by note.c. */
static uint32_t
key_id(const bv_note_verifier *v)
{
    crypto_hash_sha256_state h;
    uint8_t d[32], t = 0x01;

    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)v->name, strlen(v->name));
    crypto_hash_sha256_update(&h, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&h, &t, 1);
    crypto_hash_sha256_update(&h, v->pk, 32);
    crypto_hash_sha256_final(&h, d);
    return bv_load_be32(d);
}

/* The signature line verifier i makes for text, or 0 if we cannot know it. */
static int
expected_line(size_t i, const uint8_t *text, size_t tlen, bv_buf *line)
{
    uint8_t raw[4 + 64];
    char b64[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL)];
    size_t k;

    bv_buf_init(line);
    if (!have_sk[i]) {
        for (k = 0; k < sizeof published / sizeof published[0]; k++)
            if (published[k].v == (int)i && strlen(published[k].text) == tlen
                && memcmp(published[k].text, text, tlen) == 0) {
                bv_buf_puts(line, published[k].line);
                return 1;
            }
        return 0;
    }
    bv_store_be32(raw, key_id(&vs[i]));
    crypto_sign_detached(raw + 4, NULL, text, tlen, sks[i]);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    bv_buf_puts(line, EM " ");
    bv_buf_puts(line, vs[i].name);
    bv_buf_puts(line, " ");
    bv_buf_puts(line, b64);
    bv_buf_puts(line, "\n");
    return 1;
}

/*
 * Does this signature line (with its LF) name verifier i? Parsed here
 * independently of note.c: "— " name " " strict-base64(id || sig).
 * *parsed is 0 if the line is not a well-formed signature line at all.
 */
static int
line_names(const uint8_t *l, size_t n, size_t i, int *parsed)
{
    const uint8_t *sp, *b;
    uint8_t *raw;
    size_t nlen, rlen = 0;
    const char *end = NULL;
    int r;

    *parsed = 0;
    if (n < 5 || memcmp(l, EM " ", 4) != 0 || l[n - 1] != '\n')
        return 0;
    if ((sp = memchr(l + 4, ' ', n - 5)) == NULL)
        return 0;
    nlen = (size_t)(sp - (l + 4));
    /* strict RFC 4648 alphabet first: libsodium 1.0.18 reads bytes >= 0x80
     * as '/' (it sign-extends a char), so it cannot be the judge of that */
    for (b = sp + 1; b < l + n - 1; b++)
        if (!((*b >= 'A' && *b <= 'Z') || (*b >= 'a' && *b <= 'z') || (*b >= '0' && *b <= '9')
                || *b == '+' || *b == '/' || *b == '='))
            return 0;
    FUZZ_CHECK((raw = malloc(n)) != NULL, "oom");
    if (sodium_base642bin(raw, n, (const char *)sp + 1, (size_t)(l + n - 1 - (sp + 1)), NULL, &rlen,
            &end, sodium_base64_VARIANT_ORIGINAL)
            != 0
        || end != (const char *)l + n - 1 || rlen < 5) {
        free(raw);
        return 0;
    }
    *parsed = 1;
    r = nlen == strlen(vs[i].name) && memcmp(l + 4, vs[i].name, nlen) == 0
        && bv_load_be32(raw) == key_id(&vs[i]);
    free(raw);
    return r;
}

/* Checks on a note that bv_note_open accepted against vs[0..nv). */
static void
check_opened(const uint8_t *note, size_t len, size_t nv, size_t tlen, const int *ok)
{
    const uint8_t *sigs, *p, *lf;
    size_t i, nok = 0, nlines = 0;
    bv_buf want;
    int parsed;

    FUZZ_CHECK(tlen >= 1 && tlen < len && note[tlen - 1] == '\n' && note[tlen] == '\n'
            && note[len - 1] == '\n',
        "open accepted a note split at %zu of %zu bytes", tlen, len);
    sigs = note + tlen + 1;
    FUZZ_CHECK(sigs < note + len && sigs[0] != '\n'
            && fuzz_count(sigs, (size_t)(note + len - sigs), (const uint8_t *)"\n\n", 2) == 0,
        "the text does not end at the last blank line");
    for (p = sigs; p < note + len; p = lf + 1) {
        lf = memchr(p, '\n', (size_t)(note + len - p));
        nlines++;
        line_names(p, (size_t)(lf + 1 - p), 0, &parsed);
        FUZZ_CHECK(parsed, "open accepted a malformed signature line");
    }
    FUZZ_CHECK(nlines <= BV_NOTE_MAX_SIGS, "open accepted %zu signature lines", nlines);
    for (i = 0; i < nv; i++) {
        FUZZ_CHECK(ok[i] == 0 || ok[i] == 1, "verified[%zu] = %d", i, ok[i]);
        if (!ok[i]) {
            /* not verified: then no line may name it */
            for (p = sigs; p < note + len; p = lf + 1) {
                lf = memchr(p, '\n', (size_t)(note + len - p));
                FUZZ_CHECK(!line_names(p, (size_t)(lf + 1 - p), i, &parsed),
                    "a line of %s is in the note but it is not marked verified", vs[i].name);
            }
            continue;
        }
        nok++;
        FUZZ_CHECK(expected_line(i, note, tlen, &want),
            "accepted a signature by %s on a text that key never signed", vs[i].name);
        for (p = sigs; p < note + len; p = lf + 1) {
            lf = memchr(p, '\n', (size_t)(note + len - p));
            if (line_names(p, (size_t)(lf + 1 - p), i, &parsed))
                FUZZ_CHECK((size_t)(lf + 1 - p) == want.len && memcmp(p, want.p, want.len) == 0,
                    "accepted a line of %s that is not its signature of the text", vs[i].name);
        }
        FUZZ_CHECK(fuzz_count(sigs, (size_t)(note + len - sigs), want.p, want.len) > 0,
            "%s marked verified but its signature of the text is not in the note", vs[i].name);
        bv_buf_free(&want);
    }
    FUZZ_CHECK(nok > 0, "open succeeded with no verified signature");
}

static bv_status
open_checked(const uint8_t *note, size_t len, size_t nv, size_t *tlen, int *ok)
{
    bv_status st;
    size_t i;

    *tlen = 0;
    for (i = 0; i < nv; i++)
        ok[i] = 7;
    bv_err_clear();
    st = bv_note_open(note, len, vs, nv, tlen, ok);
    if (st == BV_OK) {
        check_opened(note, len, nv, *tlen, ok);
    } else {
        FUZZ_CHECK(st == BV_EINPUT || st == BV_EINTEGRITY, "open returned %d", st);
        for (i = 0; i < nv; i++)
            FUZZ_CHECK(ok[i] == 0, "open failed (%d) but verified[%zu] = %d", st, i, ok[i]);
    }
    return st;
}

static int
has_line_of(const uint8_t *note, size_t len, size_t tlen, size_t i)
{
    const uint8_t *p, *lf;
    int parsed;

    for (p = note + tlen + 1; p < note + len; p = lf + 1) {
        lf = memchr(p, '\n', (size_t)(note + len - p));
        if (line_names(p, (size_t)(lf + 1 - p), i, &parsed))
            return 1;
    }
    return 0;
}

static void
fuzz_open(const uint8_t *data, size_t size, bv_status *st_a, int ok_a[NV])
{
    int ok_b[NV + 1];
    size_t tl_a, tl_b, i;
    bv_status st_b;

    *st_a = open_checked(data, size, NV, &tl_a, ok_a);
    st_b = open_checked(data, size, NV + 1, &tl_b, ok_b);
    if (st_b == BV_OK) {
        FUZZ_CHECK(*st_a == BV_OK && tl_a == tl_b, "opens only with sumdb listed twice");
        FUZZ_CHECK(!has_line_of(data, size, tl_b, V_SUMDB),
            "a sumdb line did not make the doubled sumdb verifier ambiguous");
        for (i = 0; i < NV; i++)
            FUZZ_CHECK(ok_a[i] == ok_b[i], "verified[%zu] differs between the two sets", i);
    }
}

static void
fuzz_add_signature(const uint8_t *data, size_t size, bv_status st_a, const int ok_a[NV])
{
    bv_buf out;
    bv_status st, st2;
    size_t tl, tl2;
    int ok[NV], okc = 7;

    bv_err_clear();
    st = bv_note_add_signature(data, size, cosigner.name, cosigner_sk, &out);
    if (st != BV_OK) {
        FUZZ_CHECK(st == BV_EINPUT, "add_signature returned %d", st);
        FUZZ_CHECK(out.p == NULL && out.len == 0, "add_signature failed but left output");
        return;
    }
    FUZZ_CHECK(out.len > size && memcmp(out.p, data, size) == 0
            && fuzz_count(out.p + size, out.len - size, (const uint8_t *)"\n", 1) == 1
            && out.p[out.len - 1] == '\n',
        "add_signature did not append exactly one line");
    bv_err_clear();
    st2 = bv_note_open(out.p, out.len, &cosigner, 1, &tl, &okc);
    FUZZ_CHECK(st2 == BV_OK && okc == 1, "a cosigned note does not open with the cosigner: %s",
        bv_errmsg());
    st2 = open_checked(out.p, out.len, NV, &tl2, ok);
    FUZZ_CHECK(st2 == st_a, "an unknown cosignature changed the verdict from %d to %d", st_a, st2);
    if (st2 == BV_OK)
        FUZZ_CHECK(tl2 == tl && memcmp(ok, ok_a, sizeof ok) == 0,
            "an unknown cosignature changed what verified");
    bv_buf_free(&out);
}

static void
fuzz_sign(const uint8_t *data, size_t size)
{
    bv_buf out;
    bv_status st;
    size_t tl = 0;
    int ok = 7;

    st = bv_note_sign(data, size, signer.name, signer_sk, &out);
    if (st != BV_OK) {
        FUZZ_CHECK(st == BV_EINPUT, "sign returned %d", st);
        FUZZ_CHECK(out.p == NULL, "sign failed but left output");
        return;
    }
    FUZZ_CHECK(size > 0 && data[size - 1] == '\n', "signed a text that does not end in LF");
    bv_err_clear();
    st = bv_note_open(out.p, out.len, &signer, 1, &tl, &ok);
    FUZZ_CHECK(st == BV_OK && ok == 1 && tl == size,
        "a note we signed does not open to its text (status %d, %zu of %zu bytes): %s", st, tl,
        size, bv_errmsg());
    bv_buf_free(&out);
}

static void
fuzz_vkey_parse(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    uint8_t pk[32];
    bv_buf name, again;
    bv_status st;

    FUZZ_CHECK(s != NULL, "oom");
    memcpy(s, data, size);
    s[size] = '\0';
    st = bv_note_vkey_parse(s, &name, pk);
    if (st == BV_OK) {
        FUZZ_CHECK(name.p != NULL && bv_note_name_ok((const char *)name.p),
            "vkey_parse gave an invalid name");
        FUZZ_CHECK(bv_note_vkey((const char *)name.p, pk, &again) == BV_OK,
            "the parsed name and key do not make a vkey");
        FUZZ_CHECK(again.len == strlen(s) && memcmp(again.p, s, again.len) == 0,
            "vkey does not round-trip: \"%s\" -> \"%s\"", s, (const char *)again.p);
        bv_buf_free(&again);
    } else {
        FUZZ_CHECK(st == BV_EINPUT, "vkey_parse returned %d", st);
        FUZZ_CHECK(name.p == NULL, "vkey_parse failed but left a name");
    }
    bv_buf_free(&name);
    free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bv_status st_a;
    int ok_a[NV];

    fuzz_open(data, size, &st_a, ok_a);
    fuzz_add_signature(data, size, st_a, ok_a);
    fuzz_sign(data, size);
    fuzz_vkey_parse(data, size);
    return 0;
}
