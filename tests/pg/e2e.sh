#!/bin/sh
# e2e.sh - the end-to-end journeys against a real PostgreSQL (make
# e2e-pg): start a throwaway server, run tests/e2e and tests/pg with
# BV_ENGINE=pg (a database per test, helpers.bash), stop and remove the
# server whatever happened. BV and BVFORGE as for make e2e.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/bv-pg.XXXXXX")
rmdir "$dir" # pgctl.sh makes it, for the server's user
trap '"$here/pgctl.sh" stop "$dir"' EXIT INT TERM
"$here/pgctl.sh" start "$dir" || exit 1
BV_ENGINE=pg BV_PGHOST=$dir bats "$@" "$here/../e2e" "$here"
