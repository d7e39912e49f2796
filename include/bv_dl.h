/*
 * bv_dl.h - shared libraries loaded on first use, not at every start.
 *
 * Why: libpq and poppler-glib pull in some forty further shared objects
 * (Kerberos, LDAP, GnuTLS, cairo, NSS, X11...). Linked normally, the
 * dynamic linker maps and relocates all of them for every command, which
 * measured about 35 ms of CPU per start on the 2-core CI machine: more
 * than the rest of a small command. Only a PostgreSQL vault needs libpq
 * and only a PDF needs poppler, so each is opened by its soname (the
 * system's library path, as the dynamic linker would have used) when
 * that first happens. systemd loads its optional libraries the same way.
 */
#ifndef BV_DL_H
#define BV_DL_H

#include "bv.h"

#include <stddef.h>

/* One symbol to find: its name, and where to store its address (a
 * pointer to a function pointer of the right type, as void *). */
typedef struct {
    const char *name;
    void *fn;
} bv_dl_sym;

/* Opens `soname` (once per process; later calls return the first
 * outcome) and fills every symbol of `syms`. `what` names the library
 * for the error ("PostgreSQL's client library"), `pkg` the Debian
 * package that provides it. On failure nothing is filled in that can
 * be called, and the status says which library or symbol is missing. */
bv_status bv_dl_load(
    const char *soname, const char *what, const char *pkg, const bv_dl_sym *syms, size_t n);

#endif
