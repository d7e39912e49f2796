#!/bin/sh
# bench.sh - latency of seal, open and the audit append on PostgreSQL
# (Unix socket and TCP localhost) beside SQLite, and append throughput
# with 1 and 8 clients. Figures, not pass/fail (make bench-pg). The
# server is the tests' throwaway one, fsync off: the figures are the
# engine's and libpq's cost, not a disk's.
#   BENCH_OPENS=200   opens for the throughput figures
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BV=${BV:-build/boardvault}
case $BV in /*) ;; *) BV=$(pwd)/$BV ;; esac
OPENS=${BENCH_OPENS:-200}
PORT=${BENCH_PG_PORT:-54329}
D=$(mktemp -d "${TMPDIR:-/tmp}/bv-pgbench.XXXXXX")
S=$(mktemp -d "${TMPDIR:-/tmp}/bv-pg.XXXXXX")
rmdir "$S" # pgctl.sh makes it, for the server's user (D is ours, 0700)
trap '"$here/pgctl.sh" stop "$S"; rm -rf "$D"' EXIT INT TERM
"$here/pgctl.sh" start "$S" "$PORT"
export XDG_CONFIG_HOME="$D/config"
PW="bench-only-passphrase-9f3c2a"
KDF="--kdf-memory 19456 --kdf-time 2 --kdf-lanes 1"
head -c 1048576 /dev/urandom >"$D/1m"

as() { "$BV" "$@" --passphrase-fd 3 3<<EOT
$PW
EOT
}
now() { date +%s%N; }
# median5 CMD...: the median of five runs' wall time, in ms
median5() {
    for r in 1 2 3 4 5; do
        t0=$(now)
        "$@" >/dev/null
        echo $((($(now) - t0) / 1000))
    done | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 / 1000 }'
}
# opens N CLIENTS: opens per second, N opens shared among CLIENTS processes
opens() {
    t0=$(now)
    c=1
    while [ "$c" -le "$2" ]; do
        (i=0; while [ "$i" -lt $(($1 / $2)) ]; do as open "$ID" --as bench >/dev/null; i=$((i + 1)); done) &
        c=$((c + 1))
    done
    wait
    awk -v n="$1" -v ns="$(($(now) - t0))" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'
}

printf '%-26s %9s %9s %9s %12s %12s\n' engine "seal 1MiB" open "gc (none)" "opens/s x1" "opens/s x8"
for engine in sqlite pg-socket pg-tcp; do
    case $engine in
    sqlite) export BOARDVAULT_PATH="$D/bench.db" ;;
    pg-socket)
        createdb -h "$S" -p "$PORT" -U postgres sock
        export BOARDVAULT_PATH="host=$S port=$PORT user=postgres dbname=sock"
        ;;
    pg-tcp)
        createdb -h "$S" -p "$PORT" -U postgres tcp
        export BOARDVAULT_PATH="host=127.0.0.1 port=$PORT user=postgres dbname=tcp sslmode=disable"
        ;;
    esac
    as init --as bench $KDF >/dev/null
    as board create B --as bench >/dev/null
    ID=$(as seal B "$D/1m" --title b --grant bench --as bench)
    seal=$(median5 as seal B "$D/1m" --title b --grant bench --as bench)
    open=$(median5 as open "$ID" --as bench)
    # a command with no KDF and no append: the connection and checks alone
    gc=$(median5 "$BV" gc)
    printf '%-26s %7s ms %6s ms %6s ms %12s %12s\n' "$engine" "$seal" "$open" "$gc" \
        "$(opens "$OPENS" 1)" "$(opens "$OPENS" 8)"
done
echo "(each open runs the KDF at the floor and appends one signed entry; $(nproc) cores)"
