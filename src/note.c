/*
 * note.c - C2SP signed notes and tlog checkpoints (see include/bv_note.h).
 *
 * Parsing follows c2sp.org/signed-note@v1.0.0 and c2sp.org/tlog-checkpoint
 * @v1.0.0, and matches golang.org/x/mod/sumdb/note (what an auditor will
 * run on our output) wherever the spec leaves room. Where we differ we are
 * stricter, and the place says why. Ed25519 is plain RFC 8032 through
 * crypto_sign_detached: libsodium's crypto_sign_init/_update/_final is
 * Ed25519ph, which no note verifier accepts.
 */
#include "bv_note.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* signed-note: every signature line starts with U+2014 EM DASH, a space. */
#define SIG_PREFIX "\xe2\x80\x94 "
#define SIG_PREFIX_LEN 4
/* signed-note "Signature types": 0x01 is Ed25519. */
#define ALG_ED25519 0x01
#define VKEY_RAW_LEN 33 /* type byte || 32-byte public key */

/* signed-note: key ID = SHA-256(name || 0x0A || type || public key)[:4]. */
static uint32_t
key_hash(const uint8_t *name, size_t nlen, const uint8_t *key, size_t klen)
{
    crypto_hash_sha256_state h;
    uint8_t d[crypto_hash_sha256_BYTES];
    static const uint8_t lf = 0x0a;

    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, name, nlen);
    crypto_hash_sha256_update(&h, &lf, 1);
    crypto_hash_sha256_update(&h, key, klen);
    crypto_hash_sha256_final(&h, d);
    return bv_load_be32(d);
}

uint32_t
bv_note_key_id(const char *name, const uint8_t pk[32])
{
    uint8_t key[VKEY_RAW_LEN];

    key[0] = ALG_ED25519;
    memcpy(key + 1, pk, 32);
    return key_hash((const uint8_t *)name, strlen(name), key, sizeof key);
}

/* One code point of text that bv_utf8_ok has already accepted. */
static uint32_t
next_cp(const uint8_t *s, size_t *i)
{
    uint32_t cp = s[*i];
    size_t need = cp < 0x80 ? 0 : cp < 0xe0 ? 1 : cp < 0xf0 ? 2 : 3;

    if (need)
        cp &= 0x3fu >> need;
    (*i)++;
    while (need--)
        cp = cp << 6 | (s[(*i)++] & 0x3fu);
    return cp;
}

/* Unicode White_Space, as Go's unicode.IsSpace sees it; the C0/C1 members
 * (TAB..CR, U+0085) are already refused as controls by bv_utf8_ok. */
static int
is_space(uint32_t c)
{
    return c == 0x20 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028
        || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* signed-note: key names are non-empty, without Unicode spaces or '+'. We
 * also refuse control characters (bv_utf8_ok), since names get printed. */
static int
name_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    uint32_t c;

    if (n == 0 || !bv_utf8_ok((const char *)s, n, NULL))
        return 0;
    while (i < n) {
        c = next_cp(s, &i);
        if (c == '+' || is_space(c))
            return 0;
    }
    return 1;
}

int
bv_note_name_ok(const char *name)
{
    return name != NULL && name_ok((const uint8_t *)name, strlen(name));
}

/*
 * signed-note: "MUST be valid UTF-8 and MUST NOT contain any ASCII control
 * characters ... other than newline". bv_utf8_ok also refuses DEL and the
 * C1 controls, which the spec and Go let through: note text ends up on a
 * terminal, and U+009B is CSI there. Stricter, so nothing we accept is
 * refused by Go.
 */
static int
text_ok(const uint8_t *p, size_t n)
{
    const uint8_t *end = p + n, *lf;
    size_t l;

    while (p < end) {
        lf = memchr(p, '\n', (size_t)(end - p));
        l = lf ? (size_t)(lf - p) : (size_t)(end - p);
        if (!bv_utf8_ok((const char *)p, l, NULL))
            return 0;
        p += lf ? l + 1 : l;
    }
    return 1;
}

/*
 * Strict RFC 4648 §4 base64 (padded, the only form signed-note uses): the
 * whole input must decode, nothing may be skipped.
 */
static int
b64_decode(uint8_t *bin, size_t cap, const uint8_t *b64, size_t n, size_t *bin_len)
{
    const char *end = NULL;
    size_t i;

    /* libsodium 1.0.18 reads bytes as signed char: every byte 0x80-0xff
     * decodes as '/'. Refuse anything outside the alphabet first, so one
     * value has one encoding (and Go's parsers agree with ours). */
    for (i = 0; i < n; i++) {
        uint8_t c = b64[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                || c == '/' || c == '='))
            return 0;
    }
    if (sodium_base642bin(
            bin, cap, (const char *)b64, n, NULL, bin_len, &end, sodium_base64_VARIANT_ORIGINAL)
        != 0)
        return 0;
    return end == (const char *)b64 + n;
}

bv_status
bv_note_vkey(const char *name, const uint8_t pk[32], bv_buf *out)
{
    uint8_t key[VKEY_RAW_LEN];
    char b64[sodium_base64_ENCODED_LEN(VKEY_RAW_LEN, sodium_base64_VARIANT_ORIGINAL)];

    bv_buf_init(out);
    if (!bv_note_name_ok(name))
        return bv_fail(BV_EINPUT, "invalid key name for a verifier key");
    key[0] = ALG_ED25519;
    memcpy(key + 1, pk, 32);
    sodium_bin2base64(b64, sizeof b64, key, sizeof key, sodium_base64_VARIANT_ORIGINAL);
    bv_buf_printf(out, "%s+%08" PRIx32 "+%s", name, bv_note_key_id(name, pk), b64);
    if (out->oom) {
        bv_buf_free(out);
        return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

/* Exactly 8 lower-case hex digits, as the vkey format writes the key ID. */
static int
parse_id(const char *s, size_t n, uint32_t *id)
{
    size_t i;
    uint32_t v = 0;

    if (n != 8)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            v = v << 4 | (uint32_t)(s[i] - '0');
        else if (s[i] >= 'a' && s[i] <= 'f')
            v = v << 4 | (uint32_t)(s[i] - 'a' + 10);
        else
            return 0;
    }
    *id = v;
    return 1;
}

bv_status
bv_note_vkey_parse(const char *vkey, bv_buf *name, uint8_t pk[32])
{
    const char *p1, *p2;
    uint8_t key[64];
    size_t nlen, klen;
    uint32_t id;

    bv_buf_init(name);
    /* Cut at the first two '+' only, as Go's NewVerifier does: the base64
     * part may itself contain '+'. */
    if ((p1 = strchr(vkey, '+')) == NULL || (p2 = strchr(p1 + 1, '+')) == NULL)
        return bv_fail(BV_EINPUT, "verifier key is not name+id+key");
    nlen = (size_t)(p1 - vkey);
    if (!name_ok((const uint8_t *)vkey, nlen))
        return bv_fail(BV_EINPUT, "verifier key has an invalid key name");
    if (!parse_id(p1 + 1, (size_t)(p2 - p1 - 1), &id))
        return bv_fail(BV_EINPUT, "verifier key ID is not 8 lower-case hex digits");
    if (!b64_decode(key, sizeof key, (const uint8_t *)p2 + 1, strlen(p2 + 1), &klen) || klen == 0)
        return bv_fail(BV_EINPUT, "verifier key is not base64");
    if (key_hash((const uint8_t *)vkey, nlen, key, klen) != id)
        return bv_fail(BV_EINPUT, "verifier key ID does not match the key");
    if (key[0] != ALG_ED25519)
        return bv_fail(BV_EINPUT, "verifier key type 0x%02x is not Ed25519", key[0]);
    if (klen != VKEY_RAW_LEN)
        return bv_fail(BV_EINPUT, "verifier key is not a 32-byte Ed25519 key");
    bv_buf_put(name, vkey, nlen);
    if (name->oom) {
        bv_buf_free(name);
        return bv_fail(BV_ERR, "out of memory");
    }
    memcpy(pk, key + 1, 32);
    return BV_OK;
}

/*
 * signed-note "Format": the text ends at the LF before the LAST blank
 * line, so the text itself may contain blank lines; what follows must be
 * a non-empty block of lines each ending in LF. Go: note.Open.
 */
static bv_status
split_note(const uint8_t *note, size_t len, size_t *text_len)
{
    size_t i;

    if (len == 0)
        return bv_fail(BV_EINPUT, "malformed note: empty");
    if (!text_ok(note, len))
        return bv_fail(BV_EINPUT, "malformed note: not UTF-8 or has control characters");
    for (i = len - 1; i > 0; i--)
        if (note[i] == '\n' && note[i - 1] == '\n')
            break;
    if (i == 0)
        return bv_fail(BV_EINPUT, "malformed note: no signature block");
    if (i + 1 == len || note[len - 1] != '\n')
        return bv_fail(BV_EINPUT, "malformed note: signature block does not end in a newline");
    *text_len = i; /* text = note[0..i), its last byte is the LF at i - 1 */
    return BV_OK;
}

/*
 * One signature line, without its LF: "— " name " " base64(id || sig).
 * raw receives the decoded bytes (cap at least 3/4 of the line). Go cuts
 * at the first space; anything else after it fails as base64.
 */
static bv_status
parse_sig_line(
    const uint8_t *line, size_t n, uint8_t *raw, size_t cap, size_t *name_len, size_t *raw_len)
{
    const uint8_t *name, *sp;

    if (n < SIG_PREFIX_LEN || memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return bv_fail(BV_EINPUT, "malformed note: a signature line does not start with \"— \"");
    name = line + SIG_PREFIX_LEN;
    n -= SIG_PREFIX_LEN;
    if ((sp = memchr(name, ' ', n)) == NULL)
        return bv_fail(BV_EINPUT, "malformed note: a signature line has no signature");
    *name_len = (size_t)(sp - name);
    if (!name_ok(name, *name_len))
        return bv_fail(BV_EINPUT, "malformed note: invalid key name in a signature line");
    sp++;
    n -= *name_len + 1;
    /* signed-note: 4-byte key ID, then a signature of at least one byte */
    if (n == 0 || !b64_decode(raw, cap, sp, n, raw_len) || *raw_len < 5)
        return bv_fail(BV_EINPUT, "malformed note: a signature is not valid base64");
    return BV_OK;
}

/* A secret key in our own memory, for sign_line. */
struct sk_ctx {
    const uint8_t *sk;
};

static bv_status
sk_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    const struct sk_ctx *c = ctx;

    crypto_sign_detached(sig, NULL, msg, len, c->sk);
    return BV_OK;
}

/* "— name base64(keyid || Ed25519(text))\n" */
static bv_status
sign_line(const uint8_t *text, size_t len, const char *name, const uint8_t pk[32],
    bv_note_signer sign, void *ctx, bv_buf *out)
{
    uint8_t raw[4 + crypto_sign_BYTES];
    char b64[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL)];
    bv_status st;

    bv_store_be32(raw, bv_note_key_id(name, pk));
    if ((st = sign(ctx, text, len, raw + 4)) != BV_OK)
        return st;
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    bv_buf_puts(out, SIG_PREFIX);
    bv_buf_puts(out, name);
    bv_buf_puts(out, " ");
    bv_buf_puts(out, b64);
    bv_buf_puts(out, "\n");
    return BV_OK;
}

bv_status
bv_note_sign(const uint8_t *text, size_t len, const char *name, const uint8_t sk[64], bv_buf *out)
{
    struct sk_ctx c = { sk };

    /* libsodium's secret key is seed || pk, so the key ID needs no extra input */
    return bv_note_sign_by(text, len, name, sk + 32, sk_sign, &c, out);
}

bv_status
bv_note_sign_by(const uint8_t *text, size_t len, const char *name, const uint8_t pk[32],
    bv_note_signer sign, void *ctx, bv_buf *out)
{
    bv_status st;

    bv_buf_init(out);
    if (len == 0 || text[len - 1] != '\n')
        return bv_fail(BV_EINPUT, "note text must be non-empty and end in a newline");
    if (!text_ok(text, len))
        return bv_fail(BV_EINPUT, "note text is not UTF-8 or has control characters");
    if (!bv_note_name_ok(name))
        return bv_fail(BV_EINPUT, "invalid key name for a signed note");
    /* Any text ending in LF round-trips: the signature block never holds a
     * blank line, so the last blank line is always the one we add. */
    bv_buf_put(out, text, len);
    bv_buf_puts(out, "\n");
    if ((st = sign_line(text, len, name, pk, sign, ctx, out)) != BV_OK) {
        bv_buf_free(out);
        return st;
    }
    if (out->oom) {
        bv_buf_free(out);
        return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

bv_status
bv_note_add_signature(
    const uint8_t *note, size_t len, const char *name, const uint8_t sk[64], bv_buf *out)
{
    size_t text_len, pos, n, nlen, rlen, nsig = 0, mylen;
    const uint8_t *lf;
    uint8_t *raw;
    uint32_t myid;
    bv_status st;

    bv_buf_init(out);
    if (!bv_note_name_ok(name))
        return bv_fail(BV_EINPUT, "invalid key name for a signed note");
    if ((st = split_note(note, len, &text_len)) != BV_OK)
        return st;
    if ((raw = malloc(len / 4 * 3 + 3)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    myid = bv_note_key_id(name, sk + 32);
    mylen = strlen(name);
    for (pos = text_len + 1; pos < len; pos += n + 1) {
        lf = memchr(note + pos, '\n', len - pos);
        n = (size_t)(lf - (note + pos));
        if ((st = parse_sig_line(note + pos, n, raw, len / 4 * 3 + 3, &nlen, &rlen)) != BV_OK)
            goto out;
        if (++nsig >= BV_NOTE_MAX_SIGS) {
            st = bv_fail(BV_EINPUT, "note already has %d signatures", BV_NOTE_MAX_SIGS);
            goto out;
        }
        /* signed-note: (name, key ID) names one key; a second line from
         * it would only make verifiers check the same thing twice */
        if (nlen == mylen && memcmp(note + pos + SIG_PREFIX_LEN, name, nlen) == 0
            && bv_load_be32(raw) == myid) {
            st = bv_fail(BV_EINPUT, "note is already signed by %s+%08" PRIx32, name, myid);
            goto out;
        }
    }
    bv_buf_put(out, note, len);
    {
        struct sk_ctx c = { sk };
        if ((st = sign_line(note, text_len, name, sk + 32, sk_sign, &c, out)) != BV_OK)
            goto out;
    }
    st = out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
out:
    free(raw);
    if (st != BV_OK)
        bv_buf_free(out);
    return st;
}

/* 1 if the same signature line already appeared in sigs before `line`. */
static int
seen_line(const uint8_t *sigs, const uint8_t *line, size_t n)
{
    const uint8_t *p = sigs, *lf;

    while (p < line) {
        lf = memchr(p, '\n', (size_t)(line - p));
        if ((size_t)(lf - p) == n && memcmp(p, line, n) == 0)
            return 1;
        p = lf + 1;
    }
    return 0;
}

bv_status
bv_note_open(const uint8_t *note, size_t len, const bv_note_verifier *v, size_t nv,
    size_t *text_len, int *verified)
{
    size_t tlen, pos, n, nlen, rlen, cap, i, k, nsig = 0, nok = 0;
    const uint8_t *line, *name, *sigs;
    uint8_t *raw = NULL;
    uint32_t id;
    bv_status st;

    if (verified)
        for (i = 0; i < nv; i++)
            verified[i] = 0;
    if ((st = split_note(note, len, &tlen)) != BV_OK)
        return st;
    cap = len / 4 * 3 + 3; /* room for any base64 run in the note */
    if ((raw = malloc(cap)) == NULL)
        return bv_fail(BV_ERR, "out of memory");
    sigs = note + tlen + 1;
    for (pos = tlen + 1; pos < len; pos += n + 1) {
        line = note + pos;
        n = (size_t)((const uint8_t *)memchr(line, '\n', len - pos) - line);
        if ((st = parse_sig_line(line, n, raw, cap, &nlen, &rlen)) != BV_OK)
            goto out;
        /* Go counts every line, duplicates too, before looking at keys */
        if (++nsig > BV_NOTE_MAX_SIGS) {
            st = bv_fail(BV_EINPUT, "malformed note: more than %d signatures", BV_NOTE_MAX_SIGS);
            goto out;
        }
        name = line + SIG_PREFIX_LEN;
        id = bv_load_be32(raw);
        /* Compare names before hashing: a verify run opens many notes
         * against every member key, and names rarely match. */
        for (i = 0, k = nv; i < nv; i++) {
            if (strlen(v[i].name) != nlen || memcmp(v[i].name, name, nlen) != 0
                || bv_note_key_id(v[i].name, v[i].pk) != id)
                continue;
            if (k != nv) {
                st = bv_fail(BV_EINPUT, "ambiguous key %s+%08" PRIx32, v[i].name, id);
                goto out;
            }
            k = i;
        }
        /* signed-note: ignore unknown (name, key ID) pairs, even when one of
         * the two matches a known key */
        if (k == nv)
            continue;
        /* An identical line gives the identical answer, so it is dropped
         * as Go drops it. A different line from a known key is verified
         * too (Go skips it): the spec says known signatures MUST be. */
        if (seen_line(sigs, line, n))
            continue;
        if (rlen != 4 + crypto_sign_BYTES
            || crypto_sign_verify_detached(raw + 4, note, tlen, v[k].pk) != 0) {
            st = bv_fail(BV_EINTEGRITY, "invalid signature for key %s+%08" PRIx32, v[k].name, id);
            goto out;
        }
        if (verified)
            verified[k] = 1;
        nok++;
    }
    if (nok == 0) {
        st = bv_fail(BV_EINTEGRITY, "note has no verifiable signatures (signed by an unknown key)");
        goto out;
    }
    *text_len = tlen;
    st = BV_OK;
out:
    free(raw);
    if (st != BV_OK && verified)
        for (i = 0; i < nv; i++)
            verified[i] = 0;
    return st;
}

bv_status
bv_checkpoint_format(const char *origin, uint64_t size, const uint8_t root[32], bv_buf *out)
{
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];

    bv_buf_init(out);
    /* tlog-checkpoint: the origin line is non-empty; spaces are allowed
     * (the Go sum database's is "go.sum database tree") */
    if (origin == NULL || *origin == '\0' || !bv_utf8_ok(origin, strlen(origin), NULL))
        return bv_fail(BV_EINPUT, "checkpoint origin is empty or has control characters");
    sodium_bin2base64(b64, sizeof b64, root, 32, sodium_base64_VARIANT_ORIGINAL);
    bv_buf_printf(out, "%s\n%" PRIu64 "\n%s\n", origin, size, b64);
    if (out->oom) {
        bv_buf_free(out);
        return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

/* Next LF-terminated line at *pos; 0 if there is no LF left. */
static int
next_line(const uint8_t *text, size_t len, size_t *pos, const uint8_t **line, size_t *n)
{
    const uint8_t *lf;

    if (*pos >= len || (lf = memchr(text + *pos, '\n', len - *pos)) == NULL)
        return 0;
    *line = text + *pos;
    *n = (size_t)(lf - *line);
    *pos += *n + 1;
    return 1;
}

/* tlog-checkpoint: ASCII decimal, no leading zeros, "0" for the empty tree. */
static int
parse_size(const uint8_t *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;
    unsigned d;

    if (n == 0 || (n > 1 && s[0] == '0'))
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

bv_status
bv_checkpoint_parse(
    const uint8_t *text, size_t len, bv_buf *origin, uint64_t *size, uint8_t root[32])
{
    const uint8_t *line, *o;
    size_t pos = 0, n, olen, rlen;
    uint64_t sz;
    uint8_t r[32];

    bv_buf_init(origin);
    if (!next_line(text, len, &pos, &o, &olen) || olen == 0
        || !bv_utf8_ok((const char *)o, olen, NULL))
        return bv_fail(BV_EINPUT, "checkpoint: origin line missing, empty or unprintable");
    if (!next_line(text, len, &pos, &line, &n) || !parse_size(line, n, &sz))
        return bv_fail(BV_EINPUT, "checkpoint: tree size is not a plain decimal number");
    /* RFC 6962 with SHA-256: the root is exactly 32 bytes */
    if (!next_line(text, len, &pos, &line, &n) || !b64_decode(r, sizeof r, line, n, &rlen)
        || rlen != sizeof r)
        return bv_fail(BV_EINPUT, "checkpoint: root hash is not base64 of 32 bytes");
    /* tlog-checkpoint: optional extension lines, each non-empty. Unlike
     * transparency-dev/formats we refuse empty ones, as the spec says. */
    while (pos < len)
        if (!next_line(text, len, &pos, &line, &n) || n == 0
            || !bv_utf8_ok((const char *)line, n, NULL))
            return bv_fail(BV_EINPUT, "checkpoint: empty or unterminated extension line");
    bv_buf_put(origin, o, olen);
    if (origin->oom) {
        bv_buf_free(origin);
        return bv_fail(BV_ERR, "out of memory");
    }
    *size = sz;
    memcpy(root, r, 32);
    return BV_OK;
}
