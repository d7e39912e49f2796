/*
 * bv_precheck.h - what a command can check in the vault before it asks
 * for a passphrase and runs Argon2id: that the boards, people and items
 * it names exist, and which item an id prefix names. These read the
 * stored rows only (no key, no signature): the operation that follows
 * checks everything again under the key. Messages are recorded with
 * bv_fail(); the CLI prints them.
 */
#ifndef BV_PRECHECK_H
#define BV_PRECHECK_H

#include "bv.h"
#include "bv_vault.h"

/* Shortest item id prefix accepted wherever an ITEM is taken. */
#define BV_ITEM_PREFIX_MIN 4

/* BV_ENOTFOUND unless a board of that name exists. */
bv_status bv_pre_board(bv_vault *v, const char *board);
/* BV_ENOTFOUND unless a person of that name exists (pending or approved). */
bv_status bv_pre_person(bv_vault *v, const char *name);
/* Agenda item agenda_no of meeting (of board) exists, is restricted and
 * has no sealed body yet: BV_ENOTFOUND or BV_EUSAGE otherwise. */
bv_status bv_pre_agenda(bv_vault *v, const char *board, int64_t meeting, int agenda_no);
/*
 * The one item whose id starts with arg (BV_ITEM_PREFIX_MIN to BV_UID_LEN
 * lower-case hex digits) into uid. A malformed or ambiguous prefix is
 * BV_EUSAGE (the message counts the candidates); no match BV_ENOTFOUND.
 * With in_log, ids that only the audit log still names (destroyed items)
 * count too.
 */
bv_status bv_pre_item(bv_vault *v, const char *arg, int in_log, char uid[BV_UID_LEN + 1]);

#endif
