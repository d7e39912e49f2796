/*
 * test_vectors.c - known-answer vectors of every stored format, in
 * keys/vectors.txt. With a deterministic random source every format is
 * rebuilt through the real code and compared byte for byte, and each is
 * opened again with the test keys. A format change fails here until the
 * vectors are regenerated on purpose:
 *     BV_WRITE_VECTORS=1 build/tests/test_vectors
 */
#include "bvtest.h"

#include "bv_crypto.h"
#include "bv_format.h"

#include <sodium.h>

#define VECTORS BV_TOP "/keys/vectors.txt"

/* ---- a deterministic randombytes: ChaCha20 keystream of a fixed seed ---- */
static uint8_t drbg_key[32];
static uint64_t drbg_ctr;

static const char *
drbg_name(void)
{
    return "boardvault-test-vectors";
}

static void
drbg_buf(void *const buf, const size_t size)
{
    uint8_t nonce[8];

    bv_store_be64(nonce, drbg_ctr++);
    crypto_stream_chacha20(buf, size, nonce, drbg_key);
}

static uint32_t
drbg_random(void)
{
    uint8_t b[4];

    drbg_buf(b, 4);
    return bv_load_be32(b);
}

static struct randombytes_implementation drbg
    = { drbg_name, drbg_random, NULL, NULL, drbg_buf, NULL };

/* ---- collecting "name hex" lines ---- */
static bv_buf lines;

static void
emit(const char *name, const uint8_t *p, size_t n)
{
    char *hex = malloc(2 * n + 1);

    assert_non_null(hex);
    bv_hex(hex, p, n);
    bv_buf_printf(&lines, "%s %s\n", name, hex);
    free(hex);
}

/* The item of the manifest vectors, but for its body. */
static void
vector_item(bv_item_row *it)
{
    bv_item_row_init(it);
    strcpy(it->board, "CSP");
    strcpy(it->uid, "0123456789abcdef");
    strcpy(it->title, "Domestic Homicide Review");
    strcpy(it->sealed_by, "alice");
    it->sealed_epoch = 1;
}

/*
 * Body format 3 (FORMATS.md §5.2) over the same body and item key as the
 * format-2 vectors: the AD, the SHA-256 of the full first chunk, the
 * final chunk in full, an empty body, and an item manifest naming the
 * format. Each chunk must be byte for byte what libsodium's
 * crypto_aead_chacha20poly1305_ietf_encrypt makes with the STREAM nonce:
 * OpenSSL and libsodium agree on RFC 8439, on any CPU.
 */
static void
body3_vectors(
    const uint8_t vid[BV_VAULT_ID_LEN], const uint8_t key[32], const uint8_t *body, size_t blen)
{
    const size_t tail = blen - BV_CHUNK;
    uint8_t *ct = malloc(BV_CHUNK + BV_CHUNK3_ABYTES), *ref = malloc(BV_CHUNK + BV_CHUNK3_ABYTES);
    uint8_t *pt = malloc(BV_CHUNK), nonce[12] = { 0 }, h[32], empty[BV_CHUNK3_ABYTES];
    unsigned long long reflen;
    size_t ptlen;
    bv_buf ad, m;
    bv_item_row it;

    assert_non_null(ct);
    assert_non_null(ref);
    assert_non_null(pt);
    bv_fmt_body_ad_of(&ad, vid, "CSP", "0123456789abcdef", 1, 3);
    assert_false(ad.oom);
    emit("body3-ad", ad.p, ad.len);

    /* chunk 0: full, not last; nonce 00..00 00 */
    assert_int_equal(bv_chunk3_seal(key, 0, 0, ad.p, ad.len, body, BV_CHUNK, ct), BV_OK);
    crypto_aead_chacha20poly1305_ietf_encrypt(
        ref, &reflen, body, BV_CHUNK, ad.p, ad.len, NULL, nonce, key);
    assert_int_equal(reflen, BV_CHUNK + BV_CHUNK3_ABYTES);
    assert_memory_equal(ct, ref, BV_CHUNK + BV_CHUNK3_ABYTES);
    assert_int_equal(bv_hash_chunk3(h, ct, BV_CHUNK + BV_CHUNK3_ABYTES), BV_OK);
    crypto_hash_sha256(ref, ct, BV_CHUNK + BV_CHUNK3_ABYTES); /* SHA-256 agrees too */
    assert_memory_equal(h, ref, 32);
    emit("body3-chunk-0-sha256", h, 32);
    assert_int_equal(
        bv_chunk3_open(key, 0, 0, ad.p, ad.len, ct, BV_CHUNK + BV_CHUNK3_ABYTES, pt, &ptlen),
        BV_OK);
    assert_int_equal(ptlen, BV_CHUNK);
    assert_memory_equal(pt, body, BV_CHUNK);
    /* as the last chunk (a truncated body), or as chunk 1 (reordered): refused */
    assert_int_equal(
        bv_chunk3_open(key, 0, 1, ad.p, ad.len, ct, BV_CHUNK + BV_CHUNK3_ABYTES, pt, &ptlen),
        BV_EINTEGRITY);
    assert_int_equal(
        bv_chunk3_open(key, 1, 0, ad.p, ad.len, ct, BV_CHUNK + BV_CHUNK3_ABYTES, pt, &ptlen),
        BV_EINTEGRITY);

    /* chunk 1: the short last one; nonce 00..01 01 */
    assert_int_equal(bv_chunk3_seal(key, 1, 1, ad.p, ad.len, body + BV_CHUNK, tail, ct), BV_OK);
    nonce[10] = 1;
    nonce[11] = 1;
    crypto_aead_chacha20poly1305_ietf_encrypt(
        ref, &reflen, body + BV_CHUNK, tail, ad.p, ad.len, NULL, nonce, key);
    assert_memory_equal(ct, ref, tail + BV_CHUNK3_ABYTES);
    emit("body3-chunk-1", ct, tail + BV_CHUNK3_ABYTES);
    assert_int_equal(
        bv_chunk3_open(key, 1, 1, ad.p, ad.len, ct, tail + BV_CHUNK3_ABYTES, pt, &ptlen), BV_OK);
    assert_memory_equal(pt, body + BV_CHUNK, tail);
    /* not last (more would follow: an extension), another AD, a flipped bit */
    assert_int_equal(
        bv_chunk3_open(key, 1, 0, ad.p, ad.len, ct, tail + BV_CHUNK3_ABYTES, pt, &ptlen),
        BV_EINTEGRITY);
    assert_int_equal(
        bv_chunk3_open(key, 1, 1, ad.p, ad.len - 1, ct, tail + BV_CHUNK3_ABYTES, pt, &ptlen),
        BV_EINTEGRITY);
    ct[7] ^= 1;
    assert_int_equal(
        bv_chunk3_open(key, 1, 1, ad.p, ad.len, ct, tail + BV_CHUNK3_ABYTES, pt, &ptlen),
        BV_EINTEGRITY);

    /* an empty body: one last chunk of no bytes, the tag alone */
    assert_int_equal(bv_chunk3_seal(key, 0, 1, ad.p, ad.len, body, 0, empty), BV_OK);
    memset(nonce, 0, sizeof nonce);
    nonce[11] = 1;
    crypto_aead_chacha20poly1305_ietf_encrypt(
        ref, &reflen, NULL, 0, ad.p, ad.len, NULL, nonce, key);
    assert_int_equal(reflen, BV_CHUNK3_ABYTES);
    assert_memory_equal(empty, ref, BV_CHUNK3_ABYTES);
    emit("body3-empty", empty, sizeof empty);
    assert_int_equal(
        bv_chunk3_open(key, 0, 1, ad.p, ad.len, empty, sizeof empty, pt, &ptlen), BV_OK);
    assert_int_equal(ptlen, 0);
    bv_buf_free(&ad);

    /* the manifest of a format-3 item: its header is the format byte */
    vector_item(&it);
    it.size = blen;
    it.nchunks = 2;
    it.header[0] = 3;
    it.header_len = BV_BODY3_HEADER;
    assert_int_equal(bv_fmt_body_format(it.header, it.header_len), 3);
    bv_buf_put(&it.chunk_hashes, h, 32);
    assert_int_equal(bv_hash_chunk3(h, ref, tail + BV_CHUNK3_ABYTES), BV_OK);
    bv_buf_put(&it.chunk_hashes, h, 32);
    bv_fmt_item(&m, vid, &it);
    assert_false(m.oom);
    emit("item3-message", m.p, m.len);
    bv_buf_free(&m);
    bv_item_row_free(&it);
    free(ct);
    free(ref);
    free(pt);
}

static void
test_vectors(void **state)
{
    static const char pw[] = "vector-passphrase-not-for-real-use";
    bv_kdf_params kp = { BV_KDF_MIN_M, BV_KDF_MIN_T, 1 };
    uint8_t vid[BV_VAULT_ID_LEN], board_key[32], item_key[32], back[32], sig[64];
    uint8_t header[BV_STREAM_HEADER], *body, *ct, *pt, secret[BV_SECRET_LEN];
    size_t secret_len, ptlen;
    bv_keys *alice, *again;
    bv_secret pass = { 0 };
    bv_person_row p;
    bv_keyrow kr;
    bv_stream *ss;
    bv_buf ad, w, sealed, m;
    const size_t blen = BV_CHUNK + 4464; /* two chunks: one full, one short and final */
    int final;
    FILE *f;
    (void)state;

    bv_buf_init(&lines);
    memcpy(drbg_key, "boardvault test vectors v1 seed!", 32);
    drbg_ctr = 0;
    assert_int_equal(randombytes_set_implementation(&drbg), 0);
    assert_true(sodium_init() >= 0);

    randombytes_buf(vid, sizeof vid);
    emit("vault-id", vid, sizeof vid);
    assert_int_equal(bv_keys_generate(&alice), BV_OK);
    emit("alice-box-sk", alice->box_sk, 32);
    emit("alice-box-pk", alice->box_pk, 32);
    emit("alice-sign-seed", alice->sign_sk, 32);
    emit("alice-sign-pk", alice->sign_pk, 32);
    assert_int_equal(bv_secret_dup(pw, strlen(pw), &pass), BV_OK);
    emit("alice-passphrase", (const uint8_t *)pw, strlen(pw));

    /* the person's secret-key record */
    assert_int_equal(
        bv_fmt_secret_wrap(vid, "alice", alice, &pass, &kp, secret, &secret_len), BV_OK);
    assert_int_equal(secret_len, BV_SECRET_LEN);
    emit("alice-secret-record", secret, secret_len);
    memset(&p, 0, sizeof p);
    strcpy(p.name, "alice");
    memcpy(p.box_pk, alice->box_pk, 32);
    memcpy(p.sign_pk, alice->sign_pk, 32);
    memcpy(p.secret, secret, secret_len);
    p.secret_len = secret_len;
    assert_int_equal(bv_fmt_secret_unwrap(vid, &p, &pass, &again), BV_OK);
    assert_memory_equal(again->sign_sk, alice->sign_sk, 64);
    bv_keys_free(again);
    strcpy(p.name, "mallory"); /* the record is bound to its owner's name */
    assert_int_equal(bv_fmt_secret_unwrap(vid, &p, &pass, &again), BV_EAUTH);
    bv_err_clear();
    strcpy(p.name, "alice");

    /* a certificate (alice as the self-certified root) */
    bv_fmt_cert(&m, vid, &p, "alice");
    assert_int_equal(bv_sign(alice, m.p, m.len, sig), BV_OK);
    emit("cert-message", m.p, m.len);
    emit("cert-signature", sig, 64);
    bv_buf_free(&m);

    /* a board key sealed to alice for board CSP, epoch 1 */
    randombytes_buf(board_key, 32);
    emit("board-key", board_key, 32);
    bv_fmt_board_key_ctx(&ad, vid, "CSP", 1, &p);
    assert_int_equal(bv_seal_key(alice->box_pk, ad.p, ad.len, board_key, &sealed), BV_OK);
    emit("board-key-sealed", sealed.p, sealed.len);
    assert_int_equal(bv_open_key(alice, ad.p, ad.len, sealed.p, sealed.len, back), BV_OK);
    assert_memory_equal(back, board_key, 32);
    bv_buf_free(&ad);
    bv_fmt_board_key_ctx(&ad, vid, "CSP", 2, &p); /* another epoch: refused */
    assert_int_equal(bv_open_key(alice, ad.p, ad.len, sealed.p, sealed.len, back), BV_EINTEGRITY);
    bv_buf_free(&ad);
    memset(&kr, 0, sizeof kr);
    strcpy(kr.person, "alice");
    strcpy(kr.by, "alice");
    memcpy(kr.sealed, sealed.p, sealed.len);
    kr.sealed_len = sealed.len;
    bv_fmt_board_key_sig(&m, vid, "CSP", 1, &kr);
    assert_int_equal(bv_sign(alice, m.p, m.len, sig), BV_OK);
    emit("board-key-signature", sig, 64);
    bv_buf_free(&m);
    strcpy(kr.person, "alice");
    bv_fmt_grant_sig(&m, vid, "CSP", "0123456789abcdef", &kr);
    emit("grant-sig-message", m.p, m.len);
    bv_buf_free(&m);

    /* the other signed messages, pinned as bytes */
    bv_fmt_board(&m, vid, "CSP", "alice");
    emit("board-message", m.p, m.len);
    bv_buf_free(&m);
    bv_fmt_role(&m, vid, "CSP", &p, "member", "alice");
    emit("role-message", m.p, m.len);
    bv_buf_free(&m);
    {
        bv_buf names;
        bv_item_row it;
        bv_buf_init(&names);
        bv_buf_field_str(&names, "alice");
        bv_buf_field_str(&names, "bob");
        bv_fmt_grantset(&m, vid, "CSP", "0123456789abcdef", 2, names.p, names.len, "alice");
        emit("grantset-message", m.p, m.len);
        bv_buf_free(&m);
        bv_buf_free(&names);
        vector_item(&it);
        it.size = 5;
        it.nchunks = 1;
        memset(it.header, 0x24, sizeof it.header);
        it.header_len = sizeof it.header;
        bv_buf_put(&it.chunk_hashes, (const uint8_t *)"0123456789abcdef0123456789abcdef", 32);
        bv_fmt_item(&m, vid, &it);
        emit("item-message", m.p, m.len);
        bv_buf_free(&m);
        bv_item_row_free(&it);
    }
    bv_buf_free(&sealed);

    /* an item key wrapped under the board key */
    randombytes_buf(item_key, 32);
    emit("item-key", item_key, 32);
    bv_fmt_item_key_ad(&ad, vid, "CSP", "0123456789abcdef", 1);
    assert_int_equal(bv_wrap(board_key, ad.p, ad.len, item_key, 32, &w), BV_OK);
    emit("item-key-wrapped", w.p, w.len);
    assert_int_equal(bv_unwrap(board_key, ad.p, ad.len, w.p, w.len, back, 32), BV_OK);
    assert_memory_equal(back, item_key, 32);
    bv_buf_free(&ad);
    bv_fmt_item_key_ad(&ad, vid, "CSP", "fedcba9876543210", 1); /* another item: refused */
    assert_int_equal(bv_unwrap(board_key, ad.p, ad.len, w.p, w.len, back, 32), BV_EINTEGRITY);
    bv_buf_free(&ad);
    bv_buf_free(&w);

    /* a grant of the item key to alice */
    bv_fmt_grant_ctx(&ad, vid, "CSP", "0123456789abcdef", &p);
    assert_int_equal(bv_seal_key(alice->box_pk, ad.p, ad.len, item_key, &sealed), BV_OK);
    emit("grant-sealed", sealed.p, sealed.len);
    assert_int_equal(bv_open_key(alice, ad.p, ad.len, sealed.p, sealed.len, back), BV_OK);
    assert_memory_equal(back, item_key, 32);
    bv_buf_free(&ad);
    bv_buf_free(&sealed);

    /* a sealed body of two chunks */
    body = malloc(blen);
    ct = malloc(BV_CHUNK + BV_STREAM_ABYTES);
    pt = malloc(BV_CHUNK);
    assert_non_null(body);
    assert_non_null(ct);
    assert_non_null(pt);
    for (size_t i = 0; i < blen; i++)
        body[i] = (uint8_t)(i % 251);
    bv_fmt_body_ad(&ad, vid, "CSP", "0123456789abcdef", 1);
    emit("body-ad", ad.p, ad.len);
    assert_int_equal(bv_stream_push_init(item_key, header, &ss), BV_OK);
    emit("body-header", header, sizeof header);
    assert_int_equal(bv_stream_push(ss, ad.p, ad.len, body, BV_CHUNK, 0, ct), BV_OK);
    {
        uint8_t h[32]; /* a full chunk is 1 MiB: pin it by its BLAKE2b-256 */
        bv_hash(h, ct, BV_CHUNK + BV_STREAM_ABYTES);
        emit("body-chunk-0-blake2b", h, 32);
    }
    assert_int_equal(
        bv_stream_push(ss, ad.p, ad.len, body + BV_CHUNK, blen - BV_CHUNK, 1, ct), BV_OK);
    emit("body-chunk-1", ct, blen - BV_CHUNK + BV_STREAM_ABYTES);
    bv_stream_free(ss);
    assert_int_equal(bv_stream_pull_init(item_key, header, &ss), BV_OK);
    assert_int_equal(bv_stream_pull(ss, ad.p, ad.len, ct, blen - BV_CHUNK + BV_STREAM_ABYTES, pt,
                         &ptlen, &final),
        BV_EINTEGRITY); /* chunk 1 first: out of order */
    bv_stream_free(ss);
    bv_buf_free(&ad);

    /* the board's minutes key of generation 1 (made by the first import,
     * in epoch 1) wrapped under the board key of epoch 1, and the hash it
     * keys (last, so that the random bytes drawn above stay as they were) */
    {
        static const char doc[] = "5. RESTRICTED: Domestic Homicide Review\n";
        uint8_t minutes_key[32], h[32];
        randombytes_buf(minutes_key, 32);
        emit("minutes-key", minutes_key, 32);
        bv_fmt_minutes_key_ad(&ad, vid, "CSP", 1, 1);
        emit("minutes-key-ad", ad.p, ad.len);
        bv_buf_free(&ad);
        assert_int_equal(
            bv_fmt_minutes_key_wrap(vid, "CSP", 1, 1, board_key, minutes_key, &w), BV_OK);
        emit("minutes-key-wrapped", w.p, w.len);
        assert_int_equal(
            bv_fmt_minutes_key_unwrap(vid, "CSP", 1, 1, board_key, w.p, w.len, back), BV_OK);
        assert_memory_equal(back, minutes_key, 32);
        /* another generation, another epoch or another board: refused */
        assert_int_equal(bv_fmt_minutes_key_unwrap(vid, "CSP", 2, 1, board_key, w.p, w.len, back),
            BV_EINTEGRITY);
        assert_int_equal(bv_fmt_minutes_key_unwrap(vid, "CSP", 1, 2, board_key, w.p, w.len, back),
            BV_EINTEGRITY);
        assert_int_equal(bv_fmt_minutes_key_unwrap(vid, "SAB", 1, 1, board_key, w.p, w.len, back),
            BV_EINTEGRITY);
        bv_err_clear();
        bv_buf_free(&w);
        emit("minutes-doc", (const uint8_t *)doc, strlen(doc));
        bv_fmt_minutes_hash(h, minutes_key, (const uint8_t *)doc, strlen(doc));
        emit("minutes-hash", h, 32);
    }

    /* member rekey: alice asks for new keys (here her own, so the vector
     * needs no new randomness) with a signature by her current key */
    bv_fmt_keychange(&m, vid, "alice", alice->box_pk, alice->sign_pk);
    assert_false(m.oom);
    emit("keychange-message", m.p, m.len);
    assert_int_equal(bv_sign(alice, m.p, m.len, sig), BV_OK);
    emit("keychange-signature", sig, 64);
    assert_int_equal(bv_verify(alice->sign_pk, m.p, m.len, sig, 64), BV_OK);
    bv_buf_free(&m);

    /* body format 3, last: it draws no random bytes */
    body3_vectors(vid, item_key, body, blen);

    if (getenv("BV_WRITE_VECTORS")) {
        f = fopen(VECTORS, "w");
        assert_non_null(f);
        fputs("# boardvault known-answer vectors; see keys/README.md. TEST KEYS ONLY.\n", f);
        fwrite(lines.p, 1, lines.len, f);
        fclose(f);
    } else {
        char *want = NULL;
        long n;
        f = fopen(VECTORS, "r");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        want = malloc((size_t)n + 1);
        assert_non_null(want);
        assert_int_equal(fread(want, 1, (size_t)n, f), (size_t)n);
        want[n] = '\0';
        fclose(f);
        /* skip the comment line */
        assert_string_equal(strchr(want, '\n') + 1, (const char *)lines.p);
        free(want);
    }
    free(body);
    free(ct);
    free(pt);
    bv_keys_free(alice);
    bv_secret_free(&pass);
    bv_buf_free(&lines);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
