/*
 * bv_logview.h - what this client has verified of a vault's audit log.
 *
 * A transparency-log client keeps the newest tree head it has checked and
 * refuses a log that does not extend it; boardvault does the same, per
 * vault id, in $XDG_CONFIG_HOME/boardvault/log_heads/<vault id> beside
 * trusted_roots. Next to the head (size, root, and the right border of
 * the tree so that it can be extended) the view keeps the facts that the
 * freshness checks need, each taken from the signed text of an entry this
 * client verified, never from a stored column:
 *
 *   epoch    the newest key epoch a board's log records (board-create,
 *            board-remove);
 *   grantset the newest grant-set version an item's log records;
 *   removed  who was taken off a board and not added again.
 *
 * The file belongs to the user, like trusted_roots: someone who can write
 * the vault cannot reach it. This module only holds and stores the view;
 * vault.c decides which entries carry authority.
 */
#ifndef BV_LOGVIEW_H
#define BV_LOGVIEW_H

#include "bv.h"
#include "bv_merkle.h"

typedef struct bv_logview bv_logview;

/*
 * The view of vault vault_hex (32 hex digits) as last saved, or an empty
 * one (size 0) if this client has none. BV_EINTEGRITY for a view file that
 * does not parse; BV_ERR out of memory.
 */
bv_status bv_logview_load(const char *vault_hex, bv_logview **out);
void bv_logview_free(bv_logview *lv);

/* The head: its border (extend a copy with bv_merkle_frontier_append),
 * and when it was verified ("" for an empty view). */
const bv_merkle_frontier *bv_logview_head(const bv_logview *lv);
const char *bv_logview_when(const bv_logview *lv);
void bv_logview_set_head(bv_logview *lv, const bv_merkle_frontier *f);

/* Facts; 0 means "no record". Setters keep the larger number. */
int64_t bv_logview_epoch(const bv_logview *lv, const char *board);
bv_status bv_logview_epoch_raise(bv_logview *lv, const char *board, int64_t epoch);
int64_t bv_logview_grantset(const bv_logview *lv, const char *item);
bv_status bv_logview_grantset_raise(bv_logview *lv, const char *item, int64_t version);
bv_status bv_logview_grantset_drop(bv_logview *lv, const char *item);
int bv_logview_removed(const bv_logview *lv, const char *board, const char *name);
bv_status bv_logview_set_removed(bv_logview *lv, const char *board, const char *name, int removed);

/* Raise dst's epochs and grant-set versions to src's where src's are
 * higher (a view read afresh takes what an older one had learnt). */
bv_status bv_logview_merge(bv_logview *dst, const bv_logview *src);
/* A copy of lv, to be extended and thrown away. */
bv_status bv_logview_clone(const bv_logview *lv, bv_logview **out);
/* A new, empty view of the same vault as lv. */
bv_status bv_logview_empty(const bv_logview *lv, bv_logview **out);

/*
 * Write the view back (0600, a temporary file renamed over the old one,
 * under a lock). A view on disk that is already larger than this one is
 * left alone: another command of this user got further. *note gets a
 * message when there is no writable config directory, else "".
 */
bv_status bv_logview_save(const bv_logview *lv, char note[256]);

#endif
