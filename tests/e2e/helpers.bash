# helpers.bash - shared set-up for the end-to-end tests: a throwaway
# vault per test, cheap KDF settings (the floor), scripted passphrases
# on fd 3. BV is the binary under test (make e2e sets it).

: "${BV:=$BATS_TEST_DIRNAME/../../build/boardvault}"
KDF="--kdf-memory 19456 --kdf-time 2 --kdf-lanes 1"
PW_ROOT="violet-tractor-umbrella-9341"
PW_ALICE="quiet-harbour-lantern-2287"
PW_BOB="amber-glacier-trombone-5530"
PW_CAROL="mossy-pylon-saxophone-7712"

# BV_ENGINE=pg (make e2e-pg): each test's vault is a database of its own
# on the throwaway server in $BV_PGHOST (tests/pg/pgctl.sh).
setup_vault() {
    T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/bv.XXXXXX")
    export BOARDVAULT_PATH="$T/vault.db"
    if [ "${BV_ENGINE:-sqlite}" = pg ]; then
        PGDB=bv_$(basename "$T" | tr -c 'a-zA-Z0-9\n' _ | tr 'A-Z' 'a-z')
        createdb -h "$BV_PGHOST" -U postgres "$PGDB"
        export BOARDVAULT_PATH="host=$BV_PGHOST user=postgres dbname=$PGDB"
    fi
    export BOARDVAULT_BUSY_TIMEOUT_MS=2000
    export XDG_CONFIG_HOME="$T/config" # root-key pins stay in the test's own directory
    # agents (boardvault unlock) listen in the test's own runtime directory
    export XDG_RUNTIME_DIR="$T/run"
    mkdir -m 0700 "$XDG_RUNTIME_DIR"
    cd "$T"
}

# agent_pids - the agents this test started: our binary, our runtime dir
agent_pids() {
    local p exe
    exe=$(readlink -f "$BV")
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/exe" 2>/dev/null)" = "$exe" ] || continue
        tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "XDG_RUNTIME_DIR=$T/run" &&
            echo "${p#/proc/}"
    done
    return 0
}

teardown_vault() {
    if [ -n "${PGDB:-}" ]; then
        dropdb -h "$BV_PGHOST" -U postgres --if-exists --force "$PGDB" || true
    fi
    [ -n "${T:-}" ] || return 0
    # no test leaves an agent behind (only an unlock makes run/boardvault)
    if [ -d "$T/run/boardvault" ]; then
        local p
        for p in $(agent_pids); do kill -9 "$p" 2>/dev/null || true; done
    fi
    rm -rf "$T"
}

# on_pg: the vault under test is on the server
on_pg() { [ "${BV_ENGINE:-sqlite}" = pg ]; }

# sqlite_only: a test that reads or edits the vault file itself
sqlite_only() {
    if on_pg; then
        skip "sqlite file test"
    fi
}

# psql_vault SQL: run SQL on the test's vault database as its owner (the
# insider who can write the vault, as sqlite3 is for a file)
psql_vault() {
    psql -X -q -v ON_ERROR_STOP=1 -At "$BOARDVAULT_PATH options=-csearch_path=boardvault" -c "$1"
}

# bvp PASSPHRASE ARGS... - run boardvault with the passphrase on fd 3
bvp() {
    local pw=$1
    shift
    "$BV" "$@" --passphrase-fd 3 3<<<"$pw"
}

# A vault with root "Root Officer", board CSP, alice and bob members, carol pending.
make_world() {
    bvp "$PW_ROOT" init --as "Root Officer" $KDF >/dev/null
    bvp "$PW_ROOT" board create CSP --as "Root Officer" >/dev/null
    for m in alice bob; do
        local pw=$PW_ALICE
        [ "$m" = bob ] && pw=$PW_BOB
        bvp "$pw" member enroll "$m" $KDF >/dev/null
        bvp "$PW_ROOT" member approve "$m" --as "Root Officer" >/dev/null
        bvp "$PW_ROOT" board add CSP "$m" --role member --as "Root Officer" >/dev/null
    done
    bvp "$PW_CAROL" member enroll carol $KDF >/dev/null
}

seal_item() { # seal_item FILE [GRANTS]
    if [ -n "${2:-}" ]; then
        bvp "$PW_ROOT" seal CSP "$1" --title "Domestic Homicide Review" --grant "$2" --as "Root Officer"
    else
        bvp "$PW_ROOT" seal CSP "$1" --title "Domestic Homicide Review" --as "Root Officer"
    fi
}

# stored_chunks: the chunks stored so far, as rows or in the body files
# beside a vault file (FORMATS.md §9.6: 16 bytes of header, then full
# chunks of 1 MiB + 16)
stored_chunks() {
    local n f s
    n=$(sql "SELECT count(*) FROM chunks" 2>/dev/null || echo 0)
    for f in "$BOARDVAULT_PATH".bodies/*; do
        [ -f "$f" ] || continue
        s=$(stat -c %s "$f" 2>/dev/null || echo 16)
        n=$((n + (s - 16) / 1048592))
    done
    echo "$n"
}

# body_files: how many files are in the bodies directory beside the vault
body_files() {
    if [ -d "$BOARDVAULT_PATH.bodies" ]; then
        find "$BOARDVAULT_PATH.bodies" -mindepth 1 | wc -l
    else
        echo 0
    fi
}

sql() {
    if on_pg; then
        psql_vault "$@"
    else
        sqlite3 "$BOARDVAULT_PATH" "$@"
    fi
}

# past TIME CMD... - run CMD with the clock at TIME (libfaketime); an ASan
# build must let libfaketime be preloaded ahead of its runtime
past() {
    local t=$1
    shift
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime "$t" "$@"
}
