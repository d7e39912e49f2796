#!/bin/sh
# run.sh - what `make test` runs: every unit and end-to-end test, plain
# and under ASan+UBSan, the journeys on PostgreSQL, then short smokes of
# bench, fuzz and crashtest.
# Prints one closing line "tests: N passed, N failed" and fails if any did.
set -u
MAKE=${1:-make}
LOG=$(mktemp "${TMPDIR:-/tmp}/bv-test.XXXXXX")
trap 'rm -f "$LOG" "$LOG.plain" "$LOG.asan"' EXIT
fail=0

# status_of CMD...: run it, keep its output in the log, return its status
status_of() {
    ( "$@"; echo $? >"$LOG.rc" ) 2>&1 | tee -a "$LOG"
    rc=$(cat "$LOG.rc" 2>/dev/null || echo 1)
    rm -f "$LOG.rc"
    return "$rc"
}

echo "== check-layers"
status_of $MAKE --no-print-directory check-layers || fail=$((fail + 1))

# Two lanes at once, one per core: the plain build's suite and then the
# journeys on PostgreSQL (which need that build), beside the ASan+UBSan
# build's suite. The plain lane prints as it goes; the ASan lane's output
# is kept in a file and printed whole after it, so the log reads as if
# they had run in turn. The lanes build into different directories, and
# nothing in the suites kills processes by name or shares a path, so they
# cannot meet.
lane_plain() {
    echo "== BUILD=build"
    $MAKE --no-print-directory BUILD=build all unit e2e || echo "== lane failed: plain"
    # the journeys again on a throwaway PostgreSQL (tests/pg/e2e.sh)
    echo "== e2e-pg"
    $MAKE --no-print-directory e2e-pg || echo "== lane failed: e2e-pg"
}
lane_asan() {
    echo "== BUILD=build-asan SAN=1"
    $MAKE --no-print-directory BUILD=build-asan SAN=1 all unit e2e || echo "== lane failed: asan"
}
{ lane_plain 2>&1 | tee "$LOG.plain"; } &
plain=$!
lane_asan >"$LOG.asan" 2>&1 &
asan=$!
wait "$plain"
wait "$asan"
cat "$LOG.asan"
for lane in plain asan; do
    cat "$LOG.$lane" >>"$LOG"
    n=$(grep -c '^== lane failed' "$LOG.$lane")
    fail=$((fail + n))
    rm -f "$LOG.$lane"
done

for smoke in bench-smoke fuzz-smoke crash-smoke; do
    if $MAKE -n "$smoke" >/dev/null 2>&1; then
        echo "== $smoke"
        status_of $MAKE --no-print-directory "$smoke" || fail=$((fail + 1))
    fi
done

# count: cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)", bats' TAP lines
passed=$(awk '/^\[  PASSED  \]/ { n += $4 } /^ok [0-9]/ { n++ } /^== smoke ok/ || /^== check-layers ok/ { n++ } END { print n + 0 }' "$LOG")
failed=$(awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } /^not ok [0-9]/ { n++ } END { print n + 0 }' "$LOG")
if [ "$fail" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=$fail # a step failed outside any counted test (a build error)
fi
echo "tests: $passed passed, $failed failed"
[ "$fail" -eq 0 ] && [ "$failed" -eq 0 ]
