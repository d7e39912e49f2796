/*
 * bv_agent.h - the agent: one person's unlocked keys kept by a small
 * process for a while, reached through a Unix socket in
 * $XDG_RUNTIME_DIR/boardvault/, so that later commands act as that person
 * without a passphrase. Like ssh-agent it performs the private-key
 * operations (sign, open a sealed key) and has no request that returns a
 * secret key or seed. One agent per (vault, person). The wire format is
 * in docs/FORMATS.md ("Agent protocol"); the threats in docs/THREATS.md.
 */
#ifndef BV_AGENT_H
#define BV_AGENT_H

#include "bv.h"
#include "bv_crypto.h"
#include "bv_model.h"

#include <sys/types.h>
#include <time.h>

#define BV_AGENT_VERSION 1
/* A request: be32 length | version | op | body; the length counts what
 * follows it. The largest is a message to sign. */
#define BV_AGENT_MAX_REQ (1u << 20)
/* A response: be32 length | version | status | body; all are small. */
#define BV_AGENT_MAX_RESP 512u
#define BV_AGENT_DEFAULT_SECS (15u * 60u)
#define BV_AGENT_MAX_SECS (12u * 3600u) /* a working day: --for longer is refused */

enum { /* requests */
    BV_AGENT_INFO = 1, /* -> vault id, public keys, expiry, pid, name */
    BV_AGENT_SIGN = 2, /* message -> Ed25519 signature */
    BV_AGENT_OPEN_KEY = 3, /* be32 ctxlen | context | sealed box -> 32-byte key */
    BV_AGENT_LOCK = 4 /* -> (nothing); the agent wipes its keys and exits */
};
enum { /* response status */
    BV_AGENT_OK = 0,
    BV_AGENT_EINTEGRITY = 1, /* the sealed box does not open for this person and context */
    BV_AGENT_EBADREQ = 2 /* unknown op, wrong version or a malformed body */
};

/* What INFO answers: nothing secret. */
typedef struct {
    uint8_t vault_id[BV_VAULT_ID_LEN];
    uint8_t sign_pk[BV_PK_LEN];
    uint8_t box_pk[BV_PK_LEN];
    uint64_t expires; /* Unix time the agent wipes its keys */
    uint32_t pid;
    char name[BV_NAME_MAX + 1];
} bv_agent_info;

/* ---- the wire (agent_wire.c): pure, tested with known bytes ---- */

/* A frame: be32 (2 + len) | BV_AGENT_VERSION | code | body. out is reset. */
bv_status bv_agent_encode(uint8_t code, const uint8_t *body, size_t len, bv_buf *out);
/* The part after the length prefix (len bytes, which the reader bounded):
 * checks the version; code and body point into p. */
bv_status bv_agent_decode(
    const uint8_t *p, size_t len, uint8_t *code, const uint8_t **body, size_t *blen);
/* OPEN_KEY's body: be32 ctxlen | ctx | sealed. out is reset. */
bv_status bv_agent_open_body(
    const uint8_t *ctx, size_t ctxlen, const uint8_t *sealed, size_t slen, bv_buf *out);
bv_status bv_agent_open_parse(const uint8_t *b, size_t len, const uint8_t **ctx, size_t *ctxlen,
    const uint8_t **sealed, size_t *slen);
/* INFO's body: vault id | sign_pk | box_pk | be64 expires | be32 pid | name. */
bv_status bv_agent_info_body(const bv_agent_info *i, bv_buf *out);
bv_status bv_agent_info_parse(const uint8_t *b, size_t len, bv_agent_info *out);

/* ---- the agent and its clients (agent.c) ---- */

/* Check (and make, 0700) $XDG_RUNTIME_DIR/boardvault before any KDF
 * runs: unset, not ours or not 0700 is refused with the reason. */
bv_status bv_agent_ready(void);
/*
 * Start an agent for k (NAME's keys, just unlocked) in this vault for
 * secs seconds, replacing one already running for them. Refuses when
 * $XDG_RUNTIME_DIR is unset, not ours or not 0700. The keys are copied
 * into the agent's locked memory; the caller still frees its own.
 */
bv_status bv_agent_start(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name,
    const bv_keys *k, uint32_t secs, bv_agent_info *out);
/*
 * Keys that stand for NAME's keys held by a running agent: public keys
 * from the agent (the caller checks them against the vault), secret parts
 * absent; bv_sign and bv_open_key forward to the agent. BV_ENOTFOUND
 * (with nothing to print) when no agent holds them.
 */
bv_status bv_agent_find(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, bv_keys **out);
/* What is held for this vault, one call per agent; name NULL for all of
 * the user's, else only that person's. */
typedef void (*bv_agent_fn)(void *ctx, const bv_agent_info *info);
/* End the agents of this vault (name NULL: all of ours); fn hears of
 * each one locked. *n gets how many. */
bv_status bv_agent_lock(const uint8_t vault_id[BV_VAULT_ID_LEN], const char *name, bv_agent_fn fn,
    void *ctx, size_t *n);

/* Used by crypto.c for keys whose agent field is set. */
bv_status bv_agent_sign(
    const struct bv_agent_conn *c, const uint8_t *msg, size_t len, uint8_t sig[64]);
bv_status bv_agent_open_key(const struct bv_agent_conn *c, const uint8_t *ctx, size_t ctxlen,
    const uint8_t *sealed, size_t slen, uint8_t key[32]);
void bv_agent_conn_free(struct bv_agent_conn *c);

#endif
