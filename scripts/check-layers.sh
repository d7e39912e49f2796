#!/bin/sh
# check-layers.sh - the layering docs/DESIGN.md states, checked on the code
# (make check-layers, part of make test). Data flows one way:
#   commands (main.c, commands.c, cli.c, cmd_*.c, precheck.c, table.c)
#     -> domain (vault*.c, meeting.c, audit.c, body.c, ...) -> store / crypto
# It fails when
#   1. a command file reaches, through any include, the store's contract
#      (bv_store.h), an engine's headers (bv_engine.h, bv_sqlite.h,
#      sqlite3.h, bv_pg.h, libpq-fe.h) or the domain's private header
#      (bv_vault_int.h);
#   2. a file outside src/store/ reaches an engine's headers; the SQLite
#      engine (src/store/*.c) reaches libpq-fe.h or bv_pg.h, or the
#      PostgreSQL engine (src/store/pg/) sqlite3.h or bv_sqlite.h;
#   3. the project's headers include each other in a circle;
#   4. a source file includes a header of the engine's private kind from
#      elsewhere, or the library calls into main.c.
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-cc}
FLAGS="-Iinclude $(pkg-config --cflags libsodium libargon2 sqlite3 libpq smartcols 2>/dev/null || true)"
fail=0
bad() {
    echo "check-layers: $*" >&2
    fail=1
}

# every header a file reaches, by base name, system headers included
reach() {
    # shellcheck disable=SC2086
    $CC -M $FLAGS "$1" 2>/dev/null | tr -d '\\' | tr ' ' '\n' | grep '\.h$' | sed 's|.*/||' | sort -u
}

for f in src/main.c src/commands.c src/cli.c src/cmd_*.c src/precheck.c src/table.c; do
    [ -f "$f" ] || continue
    for h in $(reach "$f"); do
        case $h in
        bv_store.h | bv_engine.h | bv_sqlite.h | sqlite3.h | bv_pg.h | libpq-fe.h | bv_vault_int.h)
            bad "$f (a command file) reaches $h: commands call the domain only (bv_vault.h, bv_read.h)"
            ;;
        esac
    done
done

for f in src/*.c; do
    for h in $(reach "$f"); do
        case $h in
        sqlite3.h | bv_sqlite.h | bv_engine.h | libpq-fe.h | bv_pg.h)
            bad "$f reaches $h: only src/store/ knows its engine"
            ;;
        esac
    done
done

# each engine knows only its own database
for f in src/store/*.c; do
    for h in $(reach "$f"); do
        case $h in
        libpq-fe.h | bv_pg.h) bad "$f reaches $h: only src/store/pg/ knows PostgreSQL" ;;
        esac
    done
done
for f in src/store/pg/*.c; do
    for h in $(reach "$f"); do
        case $h in
        sqlite3.h | bv_sqlite.h) bad "$f reaches $h: only src/store/ (not pg/) knows SQLite" ;;
        esac
    done
done
# a file the compiler could not read would reach nothing, and pass
for f in src/store/*.c src/store/pg/*.c; do
    reach "$f" | grep -qx bv_engine.h || bad "$f: cannot list its includes (compiler flags?)"
done

# circles among the project's own headers
awk '
FNR == 1 { file = FILENAME; sub(".*/", "", file) }
/^#include "/ { h = $2; gsub("\"", "", h); print file, h }
' include/*.h >"${TMPDIR:-/tmp}/bv-layers.$$"
if ! tsort "${TMPDIR:-/tmp}/bv-layers.$$" >/dev/null 2>"${TMPDIR:-/tmp}/bv-layers.err.$$"; then
    bad "the headers include each other in a circle: $(tr '\n' ' ' <"${TMPDIR:-/tmp}/bv-layers.err.$$")"
fi
rm -f "${TMPDIR:-/tmp}/bv-layers.$$" "${TMPDIR:-/tmp}/bv-layers.err.$$"

# the library never calls into main.c (which calls it)
if [ -f "${BUILD:-build}/obj/main.o" ] && [ -f "${BUILD:-build}/libbv.a" ]; then
    nm "${BUILD:-build}/libbv.a" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u >"${TMPDIR:-/tmp}/bv-undef.$$"
    for s in $(nm "${BUILD:-build}/obj/main.o" | awk '$2 == "T" && $3 != "main" { print $3 }'); do
        grep -qx "$s" "${TMPDIR:-/tmp}/bv-undef.$$" && bad "the library calls $s in main.c: main calls the library, not back"
    done
    rm -f "${TMPDIR:-/tmp}/bv-undef.$$"
fi

[ "$fail" -eq 0 ] && echo "== check-layers ok"
exit "$fail"
