#!/bin/sh
# run.sh - what `make test` runs: every unit and end-to-end test, plain
# and under ASan+UBSan, the journeys on PostgreSQL, short smokes of bench,
# fuzz and crashtest, and the layering check; as jobs on both cores
# (tests/jobs.mk says how). Prints one closing line "tests: N passed, N
# failed" and fails if any did.
set -u
MAKE=${1:-make}
# one job more than cores: the suites wait on fsync, sleeps and the
# server for about a fifth of their time, which a third job fills
JOBS=${BV_TEST_JOBS:-$(($(nproc) + 1))}
here=$(cd "$(dirname "$0")" && pwd)
LOG=$(mktemp "${TMPDIR:-/tmp}/bv-test.XXXXXX")
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/bv-pg.XXXXXX")
rmdir "$pgdir" # pgctl.sh makes it, for the server's user
trap 'sh "$here/pg/pgctl.sh" stop "$pgdir" >/dev/null 2>&1; rm -f "$LOG"' EXIT INT TERM

fail=0
if ! sh "$here/pg/pgctl.sh" start "$pgdir"; then
    echo "== failed: starting PostgreSQL for the server journeys" | tee -a "$LOG"
    fail=1
# The record's group roles, made once: scripts/pg-record.sql makes them
# when missing, and two server files doing so at once would race.
elif ! psql -X -q "host=$pgdir user=postgres dbname=postgres" -c \
    "CREATE ROLE boardvault_officers NOLOGIN; CREATE ROLE boardvault_members NOLOGIN;
     CREATE ROLE boardvault_auditors NOLOGIN;" >/dev/null; then
    echo "== failed: making the record's group roles" | tee -a "$LOG"
    fail=1
fi
start=$(date +%s)
$MAKE -f "$here/jobs.mk" -j"$JOBS" -Otarget -k all PGDIR="$pgdir" 2>&1 | tee -a "$LOG"
echo "== jobs took $(($(date +%s) - start)) s"

# count: cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)", bats' TAP lines
passed=$(awk '/^\[  PASSED  \]/ { n += $4 } /^ok [0-9]/ { n++ } /^== smoke ok/ || /^== check-layers ok/ || /^== check-format ok/ { n++ } END { print n + 0 }' "$LOG")
failed=$(awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } /^not ok [0-9]/ { n++ } END { print n + 0 }' "$LOG")
jobs_failed=$(grep -c '^== failed: ' "$LOG")
fail=$((fail + jobs_failed))
if [ "$fail" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=$fail # a step failed outside any counted test (a build error)
fi
[ "$jobs_failed" -eq 0 ] || grep '^== failed: ' "$LOG"
echo "tests: $passed passed, $failed failed"
[ "$fail" -eq 0 ] && [ "$failed" -eq 0 ]
