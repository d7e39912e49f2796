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

/*
 * That a board (a person, pending or approved) of that name exists. A
 * name that matches one stored name but for the case of its ASCII
 * letters is taken as that name: *name then points to it (kept until the
 * process ends). Matching more than one that way is BV_EUSAGE (give the
 * exact name); none is BV_ENOTFOUND, naming the nearest if one is close.
 */
bv_status bv_pre_board(bv_vault *v, char **board);
bv_status bv_pre_person(bv_vault *v, char **name);
/* The --as person, resolved the same way; left as given when nothing
 * matches (the unlock then fails, and is recorded, as for anyone). */
const char *bv_pre_actor(bv_vault *v, const char *name);
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
