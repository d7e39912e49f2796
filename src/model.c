/*
 * model.c - the rows the domain and the store pass each other
 * (include/bv_store.h): initialising and freeing them.
 */
#include "bv_store.h"
#include "bv_minutes.h"

#include <stdlib.h>
#include <string.h>

/* ---- items ---- */

void
bv_item_row_init(bv_item_row *it)
{
    memset(it, 0, sizeof *it);
    bv_buf_init(&it->chunk_hashes);
    bv_buf_init(&it->gs_names);
}

void
bv_item_row_free(bv_item_row *it)
{
    bv_buf_free(&it->chunk_hashes);
    bv_buf_free(&it->gs_names);
}

void
bv_meeting_row_free(bv_meeting_row *r)
{
    bv_meeting_free(r->m);
    free(r->uids);
    memset(r, 0, sizeof *r);
}
