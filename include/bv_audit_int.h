/*
 * bv_audit_int.h - what the audit files share and nothing else includes:
 * an entry's text parsed back into its fields (audit.c), for the full
 * verification (audit_verify.c) and the extension of a remembered head
 * (audit_tree.c). The field list is fixed by docs/AUDIT.md.
 */
#ifndef BV_AUDIT_INT_H
#define BV_AUDIT_INT_H

#include "bv_audit.h"
#include "bv_store.h"

#define BV_AUDIT_NFIELDS 15 /* the 14 fields and a NULL */

/* The fields' names, in the order of the enum below. */
extern const char *const bv_audit_field_names[BV_AUDIT_NFIELDS];

enum {
    F_LOG,
    F_SEQ,
    F_PREV,
    F_TIME,
    F_ACTOR,
    F_ACTORKEY,
    F_AUTH,
    F_ACTION,
    F_BOARD,
    F_MEETING,
    F_AGENDA,
    F_ITEM,
    F_OUTCOME,
    F_REASON
};

typedef struct {
    char *v[BV_AUDIT_NFIELDS]; /* decoded values, "" when absent */
    size_t text_len; /* bytes of the note text */
    int has_sig;
} bv_audit_parsed;

/* Parse a leaf (a signed note or a bare text) into e; free with
 * bv_audit_parsed_free whatever the result. */
bv_status bv_audit_parse(const uint8_t *leaf, size_t len, bv_audit_parsed *e);
void bv_audit_parsed_free(bv_audit_parsed *e);
/* The keyring's key for name, NULL if none. */
const bv_audit_key *bv_audit_keyring_find(const bv_audit_keyring *kr, const char *name);
/* The stored leaf hash of entry index (0-based): the Merkle code's reader. */
bv_status bv_audit_leaf_cb(void *store, uint64_t index, uint8_t out[32]);

#endif
