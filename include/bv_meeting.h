/*
 * bv_meeting.h - minutes in the vault: importing a parsed meeting (its
 * open record stored, any restricted body sealed at once), and sealing a
 * body onto a restricted agenda item later. The open record is public;
 * restricted content only ever exists sealed.
 */
#ifndef BV_MEETING_H
#define BV_MEETING_H

#include "bv.h"
#include "bv_minutes.h"
#include "bv_vault.h"

/* A restricted body sealed by an import: its item's id, and where it
 * stands in the agenda. */
typedef struct {
    char uid[BV_UID_LEN + 1];
    int number;
} bv_import_sealed;

typedef struct {
    int64_t meeting_id;
    int duplicate; /* the same document was imported before: nothing stored */
    size_t sealed; /* restricted bodies sealed by this import: body[0..sealed) */
    size_t restricted; /* restricted items in the agenda */
    bv_import_sealed *body;
    size_t body_cap;
} bv_import_result;
void bv_import_result_free(bv_import_result *r);

/*
 * Store meeting m (parsed from doc) for board, as officer o, in one
 * transaction with its audit entry. A document already imported for the
 * board is not stored twice: it is recognised by its hash under any of the
 * board's minutes keys, which only officers can unwrap (so that the hash of
 * a document is no oracle for its restricted parts). A new meeting is
 * hashed with the key of the current epoch, made by the epoch's first
 * import, so an officer removed earlier cannot test guesses against it.
 */
bv_status bv_meeting_import(bv_vault *v, bv_actor *o, const char *board, const uint8_t *doc,
    size_t len, const bv_meeting *m, bv_import_result *r);

/* Seal fd's contents onto agenda item `agenda_no` (its number as
 * published, or its position when unnumbered) of a meeting of board. */
bv_status bv_meeting_seal(bv_vault *v, bv_actor *o, const char *board, int64_t meeting_id,
    int agenda_no, int fd, char *const *grantees, size_t ngrantees, char uid[BV_UID_LEN + 1]);

#endif
