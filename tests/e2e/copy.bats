#!/usr/bin/env bats
# copy.bats - `vault copy SRC DST`: a vault moved between engines as the
# same vault. The world is built on a file; MID is the other side: under
# make e2e-pg (BV_ENGINE=pg) the test's own database on the throwaway
# server, so the journey is file -> server -> file; under make e2e a
# second file. Every check compares the copies with the original.

load helpers

setup() {
    setup_vault
    # the test's vault name (a database under e2e-pg) is the copy's
    MID=$BOARDVAULT_PATH
    on_pg || MID="$T/mid.db"
    export BOARDVAULT_PATH="$T/vault.db"
}

teardown() {
    teardown_vault
}

M2022="$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt"

# A world with something in every table: items sealed and granted, a
# meeting imported, an officer removed (the board key rotated, a signed
# removal), an open recorded, a stored checkpoint and one saved outside.
build_world() {
    make_world
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    echo "carol's restricted text" >c.txt
    CAROL_ITEM=$(bvp "$PW_CAROL" seal CSP c.txt --title "Carol's report" --grant alice --as carol)
    bvp "$PW_ROOT" minutes import "$M2022" --board CSP --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board remove CSP carol --as "Root Officer" >/dev/null
    # a body of several chunks (1 MiB each), streamed across
    head -c 3000000 /dev/urandom >big.bin
    BIG=$(seal_item big.bin bob)
    echo "restricted text" >item.txt
    ITEM=$(seal_item item.txt alice)
    bvp "$PW_ALICE" open "$ITEM" --as alice >/dev/null
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >saved.cp
    # entries after the checkpoint: the copies' logs must extend it
    bvp "$PW_ALICE" open "$CAROL_ITEM" --as alice >/dev/null
}

# listings V: what anyone can list, to compare vaults with
listings() {
    local v=$1
    "$BV" --vault "$v" items --json
    "$BV" --vault "$v" board show CSP --json
    "$BV" --vault "$v" member list --json
    "$BV" --vault "$v" minutes list
    "$BV" --vault "$v" audit log --json
}

vault_id() { "$BV" --vault "$1" status --json | sed 's/.*"vault_id": "\([0-9a-f]*\)".*/\1/'; }

@test "vault copy: file -> other side -> file keeps the vault, its log and its checkpoints" {
    build_world
    listings "$BOARDVAULT_PATH" >orig.txt
    id=$(vault_id "$BOARDVAULT_PATH")
    [ -n "$id" ]

    run "$BV" vault copy "$BOARDVAULT_PATH" "$MID" --json
    [ "$status" -eq 0 ]
    [[ "$output" == *'"verified": true'* ]]
    run "$BV" vault copy "$MID" "$T/back.db"
    [ "$status" -eq 0 ]
    [[ "$output" == *"audit entries and 1 stored checkpoints verified in the copy"* ]]

    for v in "$BOARDVAULT_PATH" "$MID" "$T/back.db"; do
        [ "$(vault_id "$v")" = "$id" ]
        run "$BV" --vault "$v" audit verify
        [ "$status" -eq 0 ]
        [[ "$output" == *"1 stored and 0 given checkpoints verified"* ]]
        run "$BV" --vault "$v" audit verify --checkpoint saved.cp
        [ "$status" -eq 0 ]
        [[ "$output" == *"1 given checkpoints verified"* ]]
    done
    # the same rows: every listing and the whole log read alike
    listings "$MID" >mid.txt
    listings "$T/back.db" >back.txt
    diff orig.txt mid.txt
    diff orig.txt back.txt
    # and every table came back whole: a table the copier misses shows here
    for t in $(sqlite3 "$BOARDVAULT_PATH" "SELECT name FROM sqlite_master WHERE type = 'table'"); do
        [ "$(sqlite3 "$BOARDVAULT_PATH" "SELECT count(*) FROM $t")" = "$(sqlite3 "$T/back.db" "SELECT count(*) FROM $t")" ]
    done
    # the big body came back as a file of its own (FORMATS.md §9.6), whole:
    # 16 bytes of header, then 3 chunks of 16 bytes over the plaintext
    b=$(sqlite3 "$T/back.db" "SELECT body_id FROM items WHERE uid = '$BIG'")
    [ "$(sqlite3 "$T/back.db" "SELECT count(*) FROM chunks WHERE body_id = $b")" = 0 ]
    [ "$(stat -c %s "$T/back.db.bodies/$b")" = $((16 + 3000000 + 3 * 16)) ]
    [ "$(stat -c %a "$T/back.db.bodies")" = 700 ]
    [ ! -e "$T/back.db.bodies/$b.tmp" ]

    # members open on the copy that lives on: the same content, recorded there
    [ "$(bvp "$PW_ALICE" --vault "$MID" open "$ITEM" --as alice)" = "restricted text" ]
    [ "$(bvp "$PW_ALICE" --vault "$MID" open "$CAROL_ITEM" --as alice)" = "carol's restricted text" ]
    bvp "$PW_BOB" --vault "$MID" open "$BIG" --as bob -o big.out
    cmp big.bin big.out
    # the copy goes on as a vault: new rows get new ids beside the copied ones
    bvp "$PW_ROOT" --vault "$MID" board create Youth --as "Root Officer"
    echo more >more.txt
    bvp "$PW_ROOT" --vault "$MID" seal CSP more.txt --title More --grant alice --as "Root Officer" >/dev/null
    run "$BV" --vault "$MID" audit verify --checkpoint saved.cp
    [ "$status" -eq 0 ]
    # the remembered head is the vault id's: the copies left behind are
    # now older copies of the same vault, and refused as such
    run bvp "$PW_ALICE" --vault "$T/back.db" open "$ITEM" --as alice
    [ "$status" -eq 5 ]
    [[ "$output" == *"replaced by an older copy"* ]]
}

@test "vault copy: the trust pin follows the vault id to the copy" {
    make_world
    "$BV" vault copy "$BOARDVAULT_PATH" "$MID" >/dev/null
    run "$BV" --vault "$MID" audit verify
    [ "$status" -eq 0 ]
    # one vault id, one pin and one remembered head for both
    pins="$XDG_CONFIG_HOME/boardvault/trusted_roots"
    [ "$(wc -l <"$pins")" -eq 1 ]
    [ "$(ls "$XDG_CONFIG_HOME/boardvault/log_heads" | grep -vc lock)" -eq 1 ]
    # the copy is checked against that pin: pinned to another root, refused
    sed -i 's/SHA256:[A-Za-z0-9+\/]*/SHA256:PInUD+vDrlo8GLSJSuPW2b4s42ubwv7P7kdqgXur+LU/' "$pins"
    run "$BV" --vault "$MID" audit verify
    [ "$status" -ne 0 ]
    [[ "$output" == *SHA256:* ]]
}

@test "vault copy: an existing destination is refused (exit 2) and left as it was" {
    make_world
    echo "not a vault" >"$T/taken.db"
    run "$BV" vault copy "$BOARDVAULT_PATH" "$T/taken.db"
    [ "$status" -eq 2 ]
    [ "$(cat "$T/taken.db")" = "not a vault" ]
    # a vault already there (a file or a database): not overwritten
    "$BV" vault copy "$BOARDVAULT_PATH" "$MID" >/dev/null
    n=$("$BV" --vault "$MID" audit verify | sed -n 's/^size //p')
    run "$BV" vault copy "$BOARDVAULT_PATH" "$MID"
    [ "$status" -eq 2 ]
    [[ "$output" == *"not overwriting"* ]]
    [ "$("$BV" --vault "$MID" audit verify | sed -n 's/^size //p')" = "$n" ]
}

@test "vault copy: a server database with tables of its own is refused (exit 2) and left as it was" {
    on_pg || skip "needs the throwaway server (make e2e-pg)"
    make_world
    psql -X -q -v ON_ERROR_STOP=1 "$MID" -c "CREATE TABLE theirs(x int); INSERT INTO theirs VALUES (7)"
    run "$BV" vault copy "$BOARDVAULT_PATH" "$MID"
    [ "$status" -eq 2 ]
    [[ "$output" == *"empty database"* ]]
    [ "$(psql -X -At "$MID" -c "SELECT x FROM theirs")" = 7 ]
    [ "$(psql -X -At "$MID" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'boardvault'")" = 0 ]
}

@test "vault copy: a source whose log was tampered is refused (exit 5), no copy left" {
    make_world
    echo "restricted text" >item.txt
    seal_item item.txt alice >/dev/null
    # the insider who can write the file: the guard dropped, an entry edited
    sqlite3 "$BOARDVAULT_PATH" "DROP TRIGGER audit_no_update;
        UPDATE audit SET leaf = CAST(replace(CAST(leaf AS TEXT), 'alice', 'mallo') AS BLOB)
        WHERE seq = (SELECT max(seq) FROM audit WHERE CAST(leaf AS TEXT) LIKE '%alice%')"
    run "$BV" vault copy "$BOARDVAULT_PATH" "$MID"
    [ "$status" -eq 5 ]
    run "$BV" vault copy "$BOARDVAULT_PATH" "$T/c.db"
    [ "$status" -eq 5 ]
    [ ! -e "$T/c.db" ]
    [ ! -e "$T/c.db-wal" ]
    [ ! -e "$T/c.db-shm" ]
    if on_pg; then
        # the database is as it was: no vault schema made in it
        [ "$(psql -X -At "$MID" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'boardvault'")" = 0 ]
    else
        [ ! -e "$MID" ]
    fi
}

@test "vault copy: usage and help" {
    run "$BV" vault copy onlyone
    [ "$status" -eq 2 ]
    run "$BV" vault copy --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"vault copy SRC DST"* ]]
}

@test "vault copy: a server source whose log was tampered is refused (exit 5), no file left" {
    on_pg || skip "needs the throwaway server (make e2e-pg)"
    make_world
    "$BV" vault copy "$BOARDVAULT_PATH" "$MID" >/dev/null
    # the database owner: the guard dropped, an entry edited with psql
    psql -X -q -v ON_ERROR_STOP=1 "$MID options=-csearch_path=boardvault" -c \
        "DROP TRIGGER audit_no_change ON audit;
         UPDATE audit SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), 'alice', 'mallo'), 'UTF8')
         WHERE seq = (SELECT max(seq) FROM audit WHERE convert_from(leaf, 'UTF8') LIKE '%alice%')"
    run "$BV" vault copy "$MID" "$T/c.db"
    [ "$status" -eq 5 ]
    [ ! -e "$T/c.db" ]
    [ ! -e "$T/c.db-wal" ]
    [ ! -e "$T/c.db-shm" ]
}

@test "vault copy: a copy that fails half-way leaves no destination behind" {
    make_world
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >/dev/null
    # rows the source's own checks never read but the destination refuses:
    # an orphan key row (foreign keys), a time that is not UTF-8 (the server)
    sqlite3 "$BOARDVAULT_PATH" "PRAGMA foreign_keys=OFF; INSERT INTO item_keys VALUES (999, 1, X'00');
        UPDATE checkpoints SET created = X'ff41'"
    run "$BV" --vault "$BOARDVAULT_PATH" audit verify
    [ "$status" -eq 0 ]
    run "$BV" vault copy "$BOARDVAULT_PATH" "$T/c.db"
    [ "$status" -ne 0 ]
    [ ! -e "$T/c.db" ]
    [ ! -e "$T/c.db-wal" ]
    [ ! -e "$T/c.db-shm" ]
    if on_pg; then
        run "$BV" vault copy "$BOARDVAULT_PATH" "$MID"
        [ "$status" -ne 0 ]
        # the schema the copy made is gone: the database is as it was
        [ "$(psql -X -At "$MID" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'boardvault'")" = 0 ]
    fi
}
