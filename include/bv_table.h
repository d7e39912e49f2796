/*
 * bv_table.h - tables for the terminal (libsmartcols): columns laid out by
 * display width, headers over their columns, long cells cut only between
 * characters and only to fit a terminal. Every cell is escaped first:
 * control bytes and bytes that are not UTF-8 show as \xNN, so vault data
 * never drives the terminal.
 */
#ifndef BV_TABLE_H
#define BV_TABLE_H

#include "bv.h"

typedef struct bv_table bv_table;

enum {
    BV_COL_RIGHT = 1, /* numbers */
    BV_COL_TRUNC = 2 /* free text: cut to fit a terminal (never when piped) */
};

/* A table whose columns are named by the NULL-terminated headers (which
 * must outlive it), flags (BV_COL_*) per column; *t is NULL on failure. */
bv_status bv_table_new(bv_table **t, const char *const *headers, const int *flags);
/* A row of ncols cells (NULL prints as empty). */
bv_status bv_table_row(bv_table *t, const char *const *cells);
/* Print to stdout, headers first (an empty table prints its headers). */
bv_status bv_table_print(bv_table *t);
void bv_table_free(bv_table *t);

/* s escaped for a terminal (see above), malloc'd; NULL when out of memory. */
char *bv_table_escape(const char *s);

#endif
