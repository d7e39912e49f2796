/*
 * agent_wire.c - the bytes between a command and the agent (see
 * include/bv_agent.h and docs/FORMATS.md, "Agent protocol"): frames with
 * a length, a version and a code, and the bodies of OPEN_KEY and INFO.
 * Pure: no sockets, no keys, so the unit tests pin it with known bytes.
 */
#include "bv_agent.h"

#include <string.h>

#define INFO_FIXED (BV_VAULT_ID_LEN + 2 * BV_PK_LEN + 8 + 4)

bv_status
bv_agent_encode(uint8_t code, const uint8_t *body, size_t len, bv_buf *out)
{
    uint8_t hdr[6];

    bv_buf_init(out);
    if (len > BV_AGENT_MAX_REQ - 2)
        return bv_fail(BV_EUSAGE, "agent request too large (%zu bytes)", len);
    bv_store_be32(hdr, (uint32_t)(len + 2));
    hdr[4] = BV_AGENT_VERSION;
    hdr[5] = code;
    bv_buf_put(out, hdr, sizeof hdr);
    bv_buf_put(out, body, len);
    if (out->oom) {
        bv_buf_free(out);
        return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

bv_status
bv_agent_decode(const uint8_t *p, size_t len, uint8_t *code, const uint8_t **body, size_t *blen)
{
    if (len < 2)
        return bv_fail(BV_EINPUT, "agent frame too short");
    if (p[0] != BV_AGENT_VERSION)
        return bv_fail(BV_EINPUT, "agent protocol version %u, not %u", p[0], BV_AGENT_VERSION);
    *code = p[1];
    *body = p + 2;
    *blen = len - 2;
    return BV_OK;
}

bv_status
bv_agent_open_body(
    const uint8_t *ctx, size_t ctxlen, const uint8_t *sealed, size_t slen, bv_buf *out)
{
    uint8_t n[4];

    bv_buf_init(out);
    if (ctxlen > BV_AGENT_MAX_REQ / 2 || slen != BV_SEALED_LEN)
        return bv_fail(BV_EINPUT, "bad sealed key for the agent");
    bv_store_be32(n, (uint32_t)ctxlen);
    bv_buf_put(out, n, 4);
    bv_buf_put(out, ctx, ctxlen);
    bv_buf_put(out, sealed, slen);
    if (out->oom) {
        bv_buf_free(out);
        return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

bv_status
bv_agent_open_parse(const uint8_t *b, size_t len, const uint8_t **ctx, size_t *ctxlen,
    const uint8_t **sealed, size_t *slen)
{
    size_t n;

    if (len < 4)
        return bv_fail(BV_EINPUT, "agent open request too short");
    n = bv_load_be32(b);
    /* exactly one sealed box after the context: nothing left over */
    if (n > len - 4 || len - 4 - n != BV_SEALED_LEN)
        return bv_fail(BV_EINPUT, "agent open request malformed");
    *ctx = b + 4;
    *ctxlen = n;
    *sealed = b + 4 + n;
    *slen = BV_SEALED_LEN;
    return BV_OK;
}

bv_status
bv_agent_info_body(const bv_agent_info *i, bv_buf *out)
{
    uint8_t n[8];

    bv_buf_init(out);
    bv_buf_put(out, i->vault_id, BV_VAULT_ID_LEN);
    bv_buf_put(out, i->sign_pk, BV_PK_LEN);
    bv_buf_put(out, i->box_pk, BV_PK_LEN);
    bv_store_be64(n, i->expires);
    bv_buf_put(out, n, 8);
    bv_store_be32(n, i->pid);
    bv_buf_put(out, n, 4);
    bv_buf_puts(out, i->name);
    if (out->oom) {
        bv_buf_free(out);
        return bv_fail(BV_ERR, "out of memory");
    }
    return BV_OK;
}

bv_status
bv_agent_info_parse(const uint8_t *b, size_t len, bv_agent_info *out)
{
    size_t nl;

    memset(out, 0, sizeof *out);
    if (len <= INFO_FIXED || len - INFO_FIXED > BV_NAME_MAX)
        return bv_fail(BV_EINPUT, "agent info malformed");
    nl = len - INFO_FIXED;
    memcpy(out->vault_id, b, BV_VAULT_ID_LEN);
    b += BV_VAULT_ID_LEN;
    memcpy(out->sign_pk, b, BV_PK_LEN);
    b += BV_PK_LEN;
    memcpy(out->box_pk, b, BV_PK_LEN);
    b += BV_PK_LEN;
    out->expires = bv_load_be64(b);
    out->pid = bv_load_be32(b + 8);
    b += 12;
    if (memchr(b, '\0', nl) != NULL || !bv_utf8_ok((const char *)b, nl, NULL))
        return bv_fail(BV_EINPUT, "agent info malformed");
    memcpy(out->name, b, nl);
    out->name[nl] = '\0';
    return BV_OK;
}
