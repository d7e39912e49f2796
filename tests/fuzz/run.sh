#!/bin/sh
# run.sh - drive the libFuzzer harnesses built by tests/fuzz/fuzz.mk.
#
#   run.sh probe CC           print "ok" if CC can link a libFuzzer binary,
#                             else why not (used by fuzz.mk)
#   run.sh smoke NAME...      per target: replay seeds/ and regressions/,
#                             then fuzz FUZZ_SECONDS (10) in one process;
#                             prints "== smoke ok: fuzz NAME" per target
#                             that passed
#   run.sh fuzz NAME...       per target: replay seeds/ and regressions/,
#                             then fuzz FUZZ_SECONDS (600) in fork mode with
#                             FUZZ_WORKERS (2) processes, going on after
#                             crashes; prints one summary line per target
#
# Findings (crash-*, leak-*, timeout-*, oom-*) go to
# $FUZZ_BUILD/findings/NAME/; any new one makes the run fail. Full logs are
# in $FUZZ_BUILD/logs/. Run from the top of the tree.
set -u

mode=${1:-}
[ $# -gt 0 ] && shift

if [ "$mode" = probe ]; then
    cc=${1:-clang}
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "clang not installed"
        exit 0
    fi
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/bv-fuzz-probe.XXXXXX") || exit 0
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$tmp/probe.c"
    if "$cc" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" >/dev/null 2>&1; then
        echo ok
    else
        echo "libFuzzer runtime not installed: libclang-rt-14-dev"
    fi
    rm -rf "$tmp"
    exit 0
fi

B=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-600}
WORKERS=${FUZZ_WORKERS:-2}
T=tests/fuzz
mkdir -p "$B/logs" "$B/findings" "$B/corpus"

# Findings of target $1 (earlier runs' are moved to previous/ first).
findings() {
    find "$B/findings/$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
        -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | sort
}

# The last libFuzzer status line: "#N ... cov: C ft: F corp: P ..."
stats() {
    grep -a -E '^#[0-9]+:? .*cov: ' "$1" | tail -n 1 |
        sed -E 's/^#([0-9]+):? +([A-Z]+ +)?cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)[^ ]*.*/\1 execs, cov \3, ft \4, corpus \5/'
}

# Flags every run of target $1 gets.
flags() {
    f="-timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$B/findings/$1/"
    [ -f "$T/$1.dict" ] && f="$f -dict=$T/$1.dict"
    echo "$f"
}

# Input directories of target $1: seeds, and regressions if there are any.
inputs() {
    d="$T/$1/seeds"
    [ -d "$T/$1/regressions" ] && d="$d $T/$1/regressions"
    echo "$d"
}

fail=0
for name in "$@"; do
    bin=$B/fuzz_$name
    log=$B/logs/$name-$mode.log
    mkdir -p "$B/findings/$name/previous"
    for f in $(findings "$name"); do
        mv -f "$f" "$B/findings/$name/previous/"
    done
    : >"$log"
    ok=1
    why=""
    case $mode in
    smoke | fuzz) ;;
    *)
        echo "usage: run.sh probe CC | smoke NAME... | fuzz NAME..." >&2
        exit 2
        ;;
    esac
    # 1. every seed and every saved regression, once (the list of files
    # makes libFuzzer run them and stop)
    # shellcheck disable=SC2046
    files=$(find $(inputs "$name") -type f ! -name 'README*' ! -name '.*' | sort)
    # shellcheck disable=SC2046,SC2086
    if [ -n "$files" ] && ! "$bin" $(flags "$name") $files >>"$log" 2>&1; then
        ok=0
        why="$(grep -a '^Running: ' "$log" | tail -n 1 | cut -c10-) fails"
    fi
    # 2. fuzzing: smoke in one process from a scratch corpus; fuzz in fork
    # mode, going on after a crash so that the whole time is used, into the
    # corpus kept in $B/corpus/NAME
    if [ "$mode" = smoke ] && [ $ok -eq 1 ]; then
        rm -rf "$B/corpus/smoke-$name"
        mkdir -p "$B/corpus/smoke-$name"
        # shellcheck disable=SC2046
        if ! "$bin" $(flags "$name") -max_total_time="$SECONDS_EACH" \
            "$B/corpus/smoke-$name" $(inputs "$name") >>"$log" 2>&1; then
            ok=0
            why="fuzzing found a problem"
        fi
    elif [ "$mode" = fuzz ]; then
        mkdir -p "$B/corpus/$name"
        # shellcheck disable=SC2046
        if ! "$bin" $(flags "$name") -fork="$WORKERS" -ignore_crashes=1 \
            -max_total_time="$SECONDS_EACH" "$B/corpus/$name" "$T/$name/seeds" >>"$log" 2>&1; then
            ok=0
            why="libFuzzer exited with an error"
        fi
    fi
    found=$(findings "$name")
    if [ -n "$found" ]; then
        ok=0
        why="$(echo "$found" | wc -l) finding(s) in $B/findings/$name/"
    fi
    if [ $ok -eq 1 ]; then
        if [ "$mode" = smoke ]; then
            echo "== smoke ok: fuzz $name"
        else
            echo "== fuzz $name: ok, $(stats "$log") in ${SECONDS_EACH}s"
        fi
    else
        fail=$((fail + 1))
        if [ "$mode" = smoke ]; then
            echo "== smoke FAILED: fuzz $name: $why (log: $log)"
        else
            echo "== fuzz $name: FAILED: $why, $(stats "$log") (log: $log)"
        fi
        n=0
        for f in $found; do
            n=$((n + 1))
            [ $n -le 5 ] && echo "   $f   (replay: $bin $f)"
        done
        [ $n -gt 5 ] && echo "   ... and $((n - 5)) more in $B/findings/$name/"
        grep -a -E '^(==[0-9]+==ERROR|SUMMARY|== FUZZ INVARIANT|== )' "$log" | head -n 8 | sed 's/^/   /'
    fi
done
[ $fail -eq 0 ]
