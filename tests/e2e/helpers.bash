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
    BV_STD_PATH=$BOARDVAULT_PATH # make_world keeps a copy of a vault here only
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
        local db
        for db in $(psql -X -At -h "$BV_PGHOST" -U postgres -d postgres -c \
            "SELECT datname FROM pg_database WHERE datname = '$PGDB' OR datname LIKE '${PGDB}\\_\\_%'"); do
            dropdb -h "$BV_PGHOST" -U postgres --if-exists --force "$db" || true
        done
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

# sqlite_only WHY: a test of the vault file itself (its modes, its WAL,
# its disk), which a server vault does not have; WHY names what it is
sqlite_only() {
    if on_pg; then
        skip "sqlite file test${1:+: $1}"
    fi
}

# engine_neutral WHY: skip on the server a test whose subject never
# reaches the store (dry runs of the parser, a publisher's output, a
# document refused before anything is stored): it would run the same code
# again. It still runs on SQLite, plain and under ASan.
engine_neutral() {
    if on_pg; then skip "does not reach the store: $1"; fi
}

# vault_save NAME / vault_restore NAME: keep a copy of the whole vault and
# put it back, as the insider who keeps an old copy of the file does (on
# the server: a database made from the vault's as a template)
vault_save() {
    if on_pg; then
        createdb -h "$BV_PGHOST" -U postgres -T "$PGDB" "${PGDB}__$1"
    else
        # SQLite's own backup: whatever the WAL still holds comes along
        sqlite3 "$BOARDVAULT_PATH" ".backup '$T/$1.db'"
    fi
}
vault_restore() {
    if on_pg; then
        dropdb -h "$BV_PGHOST" -U postgres --force "$PGDB"
        createdb -h "$BV_PGHOST" -U postgres -T "${PGDB}__$1" "$PGDB"
    else
        cp "$T/$1.db" "$BOARDVAULT_PATH"
        rm -f "$BOARDVAULT_PATH-wal" "$BOARDVAULT_PATH-shm"
    fi
}

# vault_path NAME: where the copy vault_save NAME made can be opened
vault_path() {
    if on_pg; then
        echo "host=$BV_PGHOST user=postgres dbname=${PGDB}__$1"
    else
        echo "$T/$1.db"
    fi
}

# vault_new NAME: the place of a second, empty vault (on the server, a
# database of its own, dropped with the test's)
vault_new() {
    on_pg && createdb -h "$BV_PGHOST" -U postgres "${PGDB}__$1"
    vault_path "$1"
}

# agg EXPR [SEP]: EXPR of every row joined by SEP (default ","), in the
# engine's SQL (group_concat on SQLite, string_agg on the server)
agg() {
    if on_pg; then echo "string_agg(($1)::text, '${2:-,}')"; else echo "group_concat($1, '${2:-,}')"; fi
}

# vault_has TEXT: whether TEXT is anywhere in what the vault keeps, in the
# clear: the file, its WAL and shm; on the server, a dump of the database,
# where a bytea shows as hex, so its hex is looked for too
vault_has() {
    if on_pg; then
        pg_dump -h "$BV_PGHOST" -U postgres "$PGDB" |
            grep -a -q -i -e "$1" -e "$(printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n')"
    else
        cat "$BOARDVAULT_PATH"* | grep -a -q "$1"
    fi
}

# copy_rows FROM TO TABLE KEY: the rows of TABLE in saved copy FROM put
# over those of saved copy TO (KEY: the table's primary key)
copy_rows() {
    if on_pg; then
        psql -X -q -v ON_ERROR_STOP=1 "$(vault_path "$1") options=-csearch_path=boardvault" \
            -c "COPY $3 TO STDOUT" |
            psql -X -q -v ON_ERROR_STOP=1 "$(vault_path "$2") options=-csearch_path=boardvault" \
                -c "CREATE TEMP TABLE kept_rows (LIKE $3)" -c "COPY kept_rows FROM STDIN" \
                -c "DELETE FROM $3 WHERE ($4) IN (SELECT $4 FROM kept_rows)" \
                -c "INSERT INTO $3 SELECT * FROM kept_rows"
    else
        sqlite3 "$(vault_path "$2")" "ATTACH '$(vault_path "$1")' AS o;
            INSERT OR REPLACE INTO $3 SELECT * FROM o.$3;"
    fi
}

# hex_of EXPR: a blob as hex digits, in the engine's SQL
hex_of() { if on_pg; then echo "encode($1, 'hex')"; else echo "hex($1)"; fi; }

# unguard TABLE...: drop the triggers that make the log append-only, as
# whoever can write the vault can (on the server: its owner)
unguard() {
    local t
    for t in "$@"; do
        if on_pg; then
            sql "ALTER TABLE $t DISABLE TRIGGER USER"
        else
            sqlite3 "$BOARDVAULT_PATH" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master
                WHERE type = 'trigger' AND tbl_name = '$t'" | sqlite3 "$BOARDVAULT_PATH"
        fi
    done
}

# insider SQL - run SQL on the vault as someone who can write it: on a
# file after dropping the log's triggers, on the server as its owner with
# triggers off for the session
insider() {
    if on_pg; then
        sql "SET session_replication_role = replica; $1"
    else
        sqlite3 "$BOARDVAULT_PATH" "DROP TRIGGER IF EXISTS audit_no_update;
            DROP TRIGGER IF EXISTS audit_no_delete; $1"
    fi
}

# keep_copy - the insider keeps a copy of the key and role rows as they
# are now (a backup of the file; on the server, tables in a schema aside),
# to put back later with put_back
keep_copy() {
    if on_pg; then
        local t q="DROP SCHEMA IF EXISTS kept CASCADE; CREATE SCHEMA kept;"
        for t in boards board_keys item_keys grantsets grants roles; do
            q="$q CREATE TABLE kept.$t AS SELECT * FROM $t;"
        done
        sql "$q"
    else
        sql ".backup $T/kept.db"
    fi
}

# put_back TABLE KEY [WHERE] - the kept rows of TABLE (those WHERE says)
# put back over what is there now; KEY is the table's primary key
put_back() {
    if on_pg; then
        insider "DELETE FROM $1 WHERE ($2) IN (SELECT $2 FROM kept.$1 ${3:-});
            INSERT INTO $1 SELECT * FROM kept.$1 ${3:-};"
    else
        insider "ATTACH '$T/kept.db' AS k; INSERT OR REPLACE INTO $1 SELECT * FROM k.$1 ${3:-};"
    fi
}

# hex_blob HEX: a blob literal of those hex digits, in the engine's SQL
hex_blob() { if on_pg; then echo "'\\x$1'::bytea"; else echo "x'$1'"; fi; }

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
# make_world: the vault most tests start from. The first test of a file
# that asks builds it with the commands below and keeps a copy (the vault
# file or a template database, and this client's pins and log view);
# later tests of the file start from that copy, which is what building it
# again would give (but for its random keys) at a fraction of the cost:
# nine commands, each with an Argon2id derivation, were a fifth of make
# test. A test that has moved its vault elsewhere (another path, another
# login) builds its own.
make_world() { cached_world "" world_fresh; }

# cached_world NAME FN [VAR...]: FN builds on the test's vault (a file's
# own common setup, make_world's or a larger one); run once per file, its
# result and the named shell variables kept under NAME, later tests of
# the file start from the copy, as make_world's do.
cached_world() {
    local name=$1 fn=$2
    local w="${BATS_FILE_TMPDIR:-}/world$name"
    shift 2
    if [ -z "${BATS_FILE_TMPDIR:-}" ] || [ "$BOARDVAULT_PATH" != "$BV_STD_PATH" ]; then
        "$fn"
    elif [ -e "$w/ready" ]; then
        world_restore "$w" "$name"
        . "$w/vars"
    else
        "$fn"
        world_save "$w" "$name" "$@"
    fi
}

world_save() {
    local w=$1 name=$2 v
    shift 2
    mkdir -p "$w"
    if on_pg; then
        createdb -h "$BV_PGHOST" -U postgres -T "$PGDB" "$(world_db "$name")"
    else
        sqlite3 "$BOARDVAULT_PATH" ".backup '$w/vault.db'"
        chmod --reference="$BOARDVAULT_PATH" "$w/vault.db"
        [ ! -d "$BOARDVAULT_PATH.bodies" ] || cp -a "$BOARDVAULT_PATH.bodies" "$w/vault.db.bodies"
    fi
    cp -a "$XDG_CONFIG_HOME" "$w/config"
    for v in "$@"; do printf '%s=%q\n' "$v" "${!v}"; done >"$w/vars"
    touch "$w/ready"
}

world_restore() {
    if on_pg; then
        dropdb -h "$BV_PGHOST" -U postgres --force "$PGDB"
        createdb -h "$BV_PGHOST" -U postgres -T "$(world_db "$2")" "$PGDB"
    else
        cp -p "$1/vault.db" "$BOARDVAULT_PATH"
        rm -rf "$BOARDVAULT_PATH.bodies"
        [ ! -d "$1/vault.db.bodies" ] || cp -a "$1/vault.db.bodies" "$BOARDVAULT_PATH.bodies"
    fi
    rm -rf "$XDG_CONFIG_HOME"
    cp -a "$1/config" "$XDG_CONFIG_HOME"
}

# a file's template database NAME on the server (dropped with the server),
# named after the file's temporary directory: its full path is unique to
# this file of this bats run (other runs may share the server)
world_db() { echo "bvw_$(printf '%s' "$BATS_FILE_TMPDIR/$1" | sha256sum | cut -c1-24)"; }

world_fresh() {
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
