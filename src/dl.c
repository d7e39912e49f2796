/*
 * dl.c - shared libraries loaded on first use (include/bv_dl.h).
 *
 * A symbol's address comes back from dlsym as void *; ISO C has no
 * conversion from that to a function pointer, so it is copied into the
 * caller's function pointer with memcpy, as POSIX's rationale for dlsym
 * suggests. The library is opened RTLD_NOW (every symbol resolved at
 * once, so a missing one fails here and not in the middle of a write)
 * and RTLD_LOCAL (its symbols stay out of the global namespace).
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_dl.h"

#include <dlfcn.h>
#include <string.h>

bv_status
bv_dl_load(const char *soname, const char *what, const char *pkg, const bv_dl_sym *syms, size_t n)
{
    void *h;
    size_t i;

    /* dlopen keeps one reference count per library: a second call finds
     * the same handle, so no state of our own is needed for "once" */
    if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL)
        return bv_fail(
            BV_ERR, "%s (%s) cannot be loaded: install the Debian package %s", what, soname, pkg);
    for (i = 0; i < n; i++) {
        void *p = dlsym(h, syms[i].name);
        if (p == NULL)
            return bv_fail(BV_ERR, "%s (%s) has no %s: a different version than boardvault needs",
                what, soname, syms[i].name);
        memcpy(syms[i].fn, &p, sizeof p);
    }
    return BV_OK;
}
