#!/usr/bin/env bats
# server.bats - what only a vault on a PostgreSQL server has to show: the
# failures of a server (down, refusing, not a vault), the log's guard on
# the server, and an insider's edits made with psql (the counterparts of
# the SQLite file tests that tests/e2e skips on this engine). Run by make
# e2e-pg (tests/pg/e2e.sh), which starts the server in $BV_PGHOST.

load ../e2e/helpers

setup() {
    [ "${BV_ENGINE:-}" = pg ] || skip "needs the throwaway server (make e2e-pg)"
    setup_vault
}

teardown() {
    teardown_vault
}

# pg SQL: as the database owner, outside any vault schema
pg() { psql -X -q -v ON_ERROR_STOP=1 -At "host=$BV_PGHOST user=postgres dbname=$PGDB" -c "$1"; }

@test "server: a vault on the server takes the same journey and verifies" {
    make_world
    echo "restricted text" >item.txt
    id=$(seal_item item.txt alice)
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    run bvp "$PW_BOB" open "$id" --as bob
    [ "$status" -eq 4 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    # the body is ciphertext on the server too
    ! pg "SELECT encode(data, 'escape') FROM boardvault.chunks" | grep -q "restricted text" || false
}

@test "server: a URI names the vault as well as a conninfo string" {
    export BOARDVAULT_PATH="postgresql:///$PGDB?host=$BV_PGHOST&user=postgres"
    make_world
    run "$BV" board list
    [ "$status" -eq 0 ]
    [[ "$output" == *CSP* ]]
}

@test "server: a database with no vault is 6, one of another application 7, and nothing is written" {
    run "$BV" items
    [ "$status" -eq 6 ]
    [[ "$output" == *"no vault in database"* ]]
    pg "CREATE TABLE invoices(id int PRIMARY KEY, amount numeric)"
    run "$BV" items
    [ "$status" -eq 7 ]
    [[ "$output" == *"is not a boardvault vault"* ]]
    run bvp "$PW_ROOT" board create CSP --as "Root Officer"
    [ "$status" -eq 7 ]
    # a schema of ours without our marker is not ours either
    pg "CREATE SCHEMA boardvault; CREATE TABLE boardvault.meta(key text, value bytea)"
    run "$BV" items
    [ "$status" -eq 7 ]
    [ "$(pg "SELECT count(*) FROM boardvault.meta")" = 0 ]
    [ "$(pg "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'boardvault')")" = 2 ]
}

@test "server: init refuses a database that holds a vault already" {
    make_world
    run bvp "$PW_ROOT" init --as "Root Officer" $KDF
    [ "$status" -eq 2 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "server: down or unreachable is 1 with one clear line, within the connect timeout" {
    make_world
    echo "restricted text" >item.txt
    id=$(seal_item item.txt alice)
    good=$BOARDVAULT_PATH
    # no server on this socket directory
    mkdir nosrv
    export BOARDVAULT_PATH="host=$T/nosrv user=postgres dbname=$PGDB"
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 1 ]
    [[ "$output" == "boardvault: cannot reach the vault server: "* ]]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" != *"restricted text"* ]]
    # an address that never answers: our connect_timeout bounds the wait
    # (the user's own connect_timeout, in the conninfo, would win)
    export BOARDVAULT_PATH="host=10.255.255.1 port=5432 user=postgres dbname=$PGDB connect_timeout=2"
    start=$(date +%s)
    run "$BV" items
    [ "$status" -eq 1 ]
    [ $(($(date +%s) - start)) -le 6 ]
    export BOARDVAULT_PATH=$good
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "server: a login the server refuses is 4, and learns nothing" {
    make_world
    echo "restricted text" >item.txt
    id=$(seal_item item.txt alice)
    pg "DROP ROLE IF EXISTS bv_outsider; CREATE ROLE bv_outsider LOGIN"
    export BOARDVAULT_PATH="host=$BV_PGHOST user=bv_outsider dbname=$PGDB"
    run "$BV" items
    [ "$status" -eq 4 ]
    [[ "$output" == *"refused"* ]]
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 4 ]
    [[ "$output" != *"restricted text"* ]]
    # a login the server does not know at all
    export BOARDVAULT_PATH="host=$BV_PGHOST user=bv_nobody dbname=$PGDB"
    run "$BV" items
    [ "$status" -eq 4 ]
    pg "DROP ROLE bv_outsider"
}

@test "server: the log refuses UPDATE, DELETE and TRUNCATE, even from its owner" {
    make_world
    n=$(sql "SELECT count(*) FROM audit")
    run sql "UPDATE audit SET actor = 'mallory' WHERE seq = 2"
    [ "$status" -ne 0 ]
    run sql "DELETE FROM audit WHERE seq = 2"
    [ "$status" -ne 0 ]
    run sql "TRUNCATE audit"
    [ "$status" -ne 0 ]
    [ "$(sql "SELECT count(*) FROM audit")" = "$n" ]
    # and PUBLIC has nothing: another login of the server sees no table
    [ "$(pg "SELECT count(*) FROM information_schema.role_table_grants
            WHERE table_schema = 'boardvault' AND grantee = 'PUBLIC'")" = 0 ]
}

@test "server: the owner who drops the guard and edits the log is caught by verify (5)" {
    make_world
    sql "ALTER TABLE audit DISABLE TRIGGER USER"
    sql "UPDATE audit SET leaf = overlay(leaf placing '\\x58'::bytea from 30 for 1) WHERE seq = 3"
    run "$BV" audit verify
    [ "$status" -eq 5 ]
}

@test "server: a flipped byte in a chunk, a key or a grant is 5" {
    make_world
    head -c 3000000 /dev/urandom >big.bin
    id=$(seal_item big.bin alice)
    flip() { # flip TABLE COLUMN WHERE
        sql "UPDATE $1 SET $2 = set_byte($2, 10, get_byte($2, 10) # 1) WHERE $3"
    }
    flip chunks data "idx = 1"
    run bvp "$PW_ALICE" open "$id" --as alice -o out.bin
    [ "$status" -eq 5 ]
    flip chunks data "idx = 1"
    run bvp "$PW_ALICE" open "$id" --as alice -o out.bin
    [ "$status" -eq 0 ]
    cmp big.bin out.bin
    flip grants sealed "true"
    run bvp "$PW_ALICE" open "$id" --as alice -o out2.bin
    [ "$status" -eq 5 ]
    [ ! -s out2.bin ]
}

@test "server: a revoked grant row put back by the owner opens nothing (5)" {
    make_world
    echo "restricted text" >item.txt
    id=$(seal_item item.txt "alice,bob")
    sql "CREATE TABLE saved AS SELECT * FROM grants"
    bvp "$PW_ROOT" revoke "$id" bob --as "Root Officer" >/dev/null
    sql "INSERT INTO grants SELECT * FROM saved s WHERE NOT EXISTS
         (SELECT 1 FROM grants g WHERE g.item_id = s.item_id AND g.person_id = s.person_id)"
    run bvp "$PW_BOB" open "$id" --as bob
    [ "$status" -ne 0 ]
    [[ "$output" != *"restricted text"* ]]
}

@test "server: destroy leaves no row of the item's keys or body; VACUUM ran" {
    make_world
    echo "restricted text" >item.txt
    id=$(seal_item item.txt alice)
    bvp "$PW_ROOT" item destroy "$id" --as "Root Officer" >/dev/null
    [ "$(sql "SELECT count(*) FROM items")" = 0 ]
    [ "$(sql "SELECT count(*) FROM grants")" = 0 ]
    [ "$(sql "SELECT count(*) FROM item_keys")" = 0 ]
    [ "$(sql "SELECT count(*) FROM chunks")" = 0 ]
    [ "$(pg "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = 'boardvault'
            AND relname = 'grants' AND last_vacuum IS NOT NULL")" = 1 ]
}

# hold LOCKSECONDS: hold the vault's write lock (pg.c) from another session
hold() {
    psql -X -q "host=$BV_PGHOST user=postgres dbname=$PGDB" \
        -c "SELECT pg_advisory_lock(1112953905), pg_sleep($1)" >/dev/null &
    holder=$!
    for i in $(seq 50); do
        # this database's locks: other files' tests share the server
        [ "$(pg "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 1 ] && return 0
        sleep 0.1
    done
    return 1
}

@test "server: a vault locked past the busy timeout releases nothing (1)" {
    make_world
    echo "restricted text" >item.txt
    id=$(seal_item item.txt alice)
    n=$(sql "SELECT count(*) FROM audit")
    hold 4
    BOARDVAULT_BUSY_TIMEOUT_MS=500 run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 1 ]
    [[ "$output" == *"vault busy"* ]]
    [[ "$output" != *"restricted text"* ]]
    wait $holder
    [ "$(sql "SELECT count(*) FROM audit")" = "$n" ]
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
}

@test "server: the connection lost before the open entry commits decrypts nothing" {
    make_world
    echo "restricted text" >item.txt
    id=$(seal_item item.txt alice)
    n=$(sql "SELECT count(*) FROM audit")
    hold 5
    (
        rc=0
        BOARDVAULT_BUSY_TIMEOUT_MS=30000 bvp "$PW_ALICE" open "$id" --as alice >out 2>err || rc=$?
        echo $rc >rc
    ) &
    opener=$!
    # the open waits for the lock, inside its transaction: cut it there
    for i in $(seq 100); do
        [ "$(pg "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'boardvault'
                 AND datname = '$PGDB' AND wait_event_type = 'Lock'")" = 1 ] && break
        sleep 0.1
    done
    # this test's database only: other files' tests share the server
    pg "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE application_name = 'boardvault' AND datname = '$PGDB'" >/dev/null
    wait $opener
    [ "$(cat rc)" -eq 1 ]
    ! grep -q "restricted text" out || false
    grep -q "lost the connection" err
    wait $holder || true
    [ "$(sql "SELECT count(*) FROM audit")" = "$n" ]
}

@test "server: gc sweeps condemned and abandoned bodies, keeps a live seal's" {
    make_world
    echo small >small
    seal_item small alice >/dev/null
    sql "INSERT INTO bodies(id, state, touched) VALUES (900, 'condemned', '2026-01-01T00:00:00Z');
         INSERT INTO chunks(body_id, idx, data) VALUES (900, 0, '\\x0102'), (900, 1, '\\x0304');
         INSERT INTO bodies(id, state, touched) VALUES (901, 'staging', '2000-01-01T00:00:00Z');
         INSERT INTO chunks(body_id, idx, data) VALUES (901, 0, '\\x05');
         INSERT INTO bodies(id, state, touched)
             VALUES (902, 'staging', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
    run "$BV" gc --json
    [ "$status" -eq 0 ]
    [ "$output" = '{"swept": 2}' ]
    [ "$(sql "SELECT string_agg(id::text, ',') FROM bodies WHERE state <> 'live'")" = 902 ]
    [ "$(sql "SELECT count(*) FROM chunks WHERE body_id IN (900, 901)")" = 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "server: backup is the server's own (pg_dump): boardvault backup says so (2, no file); a dump restored verifies as the same vault" {
    make_world
    echo "dump me" >x
    id=$(seal_item x alice)
    run "$BV" backup copy.db
    [ "$status" -eq 2 ]
    [[ "$output" == *"pg_dump"* ]]
    [ ! -e copy.db ]
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >saved.cp
    # what README's server section tells the IT team to run
    pg_dump -h "$BV_PGHOST" -U postgres -n boardvault -Fc -f vault.dump "$PGDB"
    createdb -h "$BV_PGHOST" -U postgres "${PGDB}__restored"
    pg_restore -h "$BV_PGHOST" -U postgres -d "${PGDB}__restored" vault.dump
    restored="host=$BV_PGHOST user=postgres dbname=${PGDB}__restored"
    run "$BV" --vault "$restored" audit verify --checkpoint saved.cp
    [ "$status" -eq 0 ]
    [[ "$output" == *"size $(sql "SELECT count(*) FROM audit")"* ]]
    [[ "$output" == *"1 given checkpoint"* ]]
    [ "$(BOARDVAULT_PATH=$restored sql "SELECT $(hex_of value) FROM meta WHERE key = 'vault_id'")" = \
        "$(sql "SELECT $(hex_of value) FROM meta WHERE key = 'vault_id'")" ]
    [ "$(bvp "$PW_ALICE" --vault "$restored" open "$id" --as alice)" = "dump me" ]
}
