#!/bin/sh
# pgctl.sh - a throwaway PostgreSQL for the tests: no mocks, the real
# server Debian ships (postgresql-15), run as an unprivileged user (it
# refuses root; CI runs as root), listening only on a Unix socket in its
# own directory, trust authentication for that socket alone.
#   tests/pg/pgctl.sh start DIR   - initdb into DIR (new) and start it
#   tests/pg/pgctl.sh start DIR PORT - the same, also on TCP 127.0.0.1:PORT
#                                   (the bench compares socket and TCP)
#   tests/pg/pgctl.sh stop DIR    - stop it and remove DIR
# Clients connect with "host=DIR user=postgres dbname=...".
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
port=${3:-}
listen="-c listen_addresses=''"
[ -n "$port" ] && listen="-c listen_addresses=127.0.0.1 -c port=$port"
[ -n "$cmd" ] && [ -n "$dir" ] || {
    echo "usage: pgctl.sh start|stop DIR" >&2
    exit 2
}

# as_server CMD...: run CMD as the user the server runs as
as_server() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case $cmd in
start)
    [ -x "$PGBIN/initdb" ] || {
        echo "pgctl: no PostgreSQL in $PGBIN (make test-deps installs postgresql-15)" >&2
        exit 1
    }
    mkdir "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    chmod 0755 "$dir"
    as_server "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # no TCP unless asked; the socket, its lock file and the log in DIR
    as_server "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "$listen -c unix_socket_directories='$dir' -c fsync=off" start \
        >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    ;;
stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_server "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pgctl.sh start|stop DIR" >&2
    exit 2
    ;;
esac
