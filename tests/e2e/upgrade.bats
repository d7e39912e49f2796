#!/usr/bin/env bats
# upgrade.bats - a vault written in an older format (tests/fixtures/
# vault-v1.db.gz, made by tests/fixtures/make-vault-v1.sh) is brought up
# to the current one on first use, in one transaction, after its root is
# trusted; everything in it carries over.

load helpers

BIG=99348c1863e06f66   # 2 chunks, granted to alice (bob revoked)
SMALL=33e76ffbe79bec95 # "short item"

setup() {
    setup_vault
    gunzip -c "$BATS_TEST_DIRNAME/../fixtures/vault-v1.db.gz" >vault.db
    chmod 600 vault.db
    seq 1 170000 >body.txt
}
teardown() { teardown_vault; }

@test "upgrade: a format-1 vault is upgraded on first use; items, grants, log and minutes carry over" {
    sqlite_only "older formats exist only as SQLite files; the server schema starts at format 3"
    [ "$(sql 'PRAGMA user_version')" = 1 ]
    run "$BV" items
    [ "$status" -eq 0 ]
    [[ "$output" == *"upgraded the vault from format 1 to 3"* ]]
    [[ "$output" == *"Domestic Homicide Review"* ]]
    [ "$(sql 'PRAGMA user_version')" = 3 ]
    [ "$(sql 'PRAGMA integrity_check')" = ok ]
    [ -z "$(sql 'PRAGMA foreign_key_check')" ]
    [ "$(sql "SELECT count(*) FROM bodies WHERE state = 'live'")" = 4 ]
    # once only
    run "$BV" items
    [[ "$output" != *upgraded* ]]
    bvp "$PW_ALICE" open "$BIG" --as alice -o out
    cmp out body.txt
    [ "$(bvp "$PW_ALICE" open "$SMALL" --as alice)" = "short item" ]
    run bvp "$PW_BOB" open "$BIG" --as bob
    [ "$status" -eq 4 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    run "$BV" minutes list
    [[ "$output" == *2025-01-15* ]]
}

@test "upgrade: the upgraded vault takes every write: seal, grant, rekey, destroy" {
    sqlite_only "older formats exist only as SQLite files; the server schema starts at format 3"
    bvp "$PW_ROOT" grant "$BIG" bob --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" rekey "$BIG" --as "Root Officer" >/dev/null
    bvp "$PW_BOB" open "$BIG" --as bob -o out
    cmp out body.txt
    head -c 40000000 /dev/urandom >big2
    id=$(bvp "$PW_ROOT" seal CSP big2 --title "After the upgrade" --grant alice --as "Root Officer")
    bvp "$PW_ALICE" open "$id" --as alice -o out2
    cmp out2 big2
    bvp "$PW_ROOT" item destroy "$SMALL" --as "Root Officer" >/dev/null
    [ "$(sql "SELECT count(*) FROM bodies")" = 4 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    [ "$(sql 'PRAGMA integrity_check')" = ok ]
}

@test "upgrade: format-2 and format-3 bodies side by side both open; rekey turns a format-2 body into 3" {
    sqlite_only
    # the fixture's bodies are format 2: a 24-byte secretstream header (FORMATS.md §5)
    [ "$(sql "SELECT length(header) FROM items WHERE uid = '$BIG'")" = 24 ]
    head -c 3500000 /dev/urandom >new
    id=$(bvp "$PW_ROOT" seal CSP new --title "Format three" --grant alice --as "Root Officer")
    # seal writes format 3: the header is the format byte
    [ "$(sql "SELECT hex(header) FROM items WHERE uid = '$id'")" = 03 ]
    # 3.5 MB: a file of its own beside the vault (FORMATS.md §9.6), no rows
    b=$(sql "SELECT body_id FROM items WHERE uid = '$id'")
    [ "$(sql "SELECT count(*) FROM chunks WHERE body_id = $b")" = 0 ]
    [ "$(stat -c %s "vault.db.bodies/$b")" = $((16 + 3500000 + 4 * 16)) ]
    bvp "$PW_ALICE" open "$BIG" --as alice -o out2
    cmp out2 body.txt
    bvp "$PW_ALICE" open "$id" --as alice -o out3
    cmp out3 new
    # rekey reads format 2 and writes format 3
    bvp "$PW_ROOT" rekey "$BIG" --as "Root Officer" >/dev/null
    [ "$(sql "SELECT hex(header) FROM items WHERE uid = '$BIG'")" = 03 ]
    rm out2
    bvp "$PW_ALICE" open "$BIG" --as alice -o out2
    cmp out2 body.txt
    # a format-3 body rekeyed stays format 3, and opens
    bvp "$PW_ROOT" rekey "$id" --as "Root Officer" >/dev/null
    rm out3
    bvp "$PW_ALICE" open "$id" --as alice -o out3
    cmp out3 new
    # a signed format-3 header cannot be passed off as format 2 (or back)
    sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    sql "UPDATE items SET header = zeroblob(24) WHERE uid = '$id'"
    run bvp "$PW_ALICE" open "$id" --as alice -o out4
    [ "$status" -eq 5 ]
    [ ! -e out4 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "upgrade: a format-1 file that cannot be written is refused with what to do, and left as it is" {
    sqlite_only "older formats exist only as SQLite files; the server schema starts at format 3"
    chmod 755 "$T"
    chmod 644 vault.db
    before=$(sha256sum vault.db)
    if [ "$(id -u)" -eq 0 ]; then
        run setpriv --reuid=65534 --regid=65534 --clear-groups "$BV" items
    else
        chmod 444 vault.db
        run "$BV" items
    fi
    [ "$status" -eq 1 ]
    [[ "$output" == *"format 1"*"write access"* ]]
    [ "$(sha256sum vault.db)" = "$before" ]
    [ "$(sql 'PRAGMA user_version')" = 1 ]
}

@test "upgrade: rows that do not fit the new format stop it; the file stays format 1" {
    sqlite_only "older formats exist only as SQLite files; the server schema starts at format 3"
    # a chunk whose item does not exist: its body would have no row
    sql "INSERT INTO chunks(item_id, idx, data) VALUES (999, 0, x'00')"
    run "$BV" items
    [ "$status" -eq 5 ]
    [[ "$output" == *"not upgraded"* ]]
    [ "$(sql 'PRAGMA user_version')" = 1 ]
    [ "$(sql "SELECT count(*) FROM sqlite_master WHERE name = 'bodies'")" = 0 ]
}

@test "upgrade: a format-1 vault whose root is not the pinned one is refused before it is changed" {
    sqlite_only "older formats exist only as SQLite files; the server schema starts at format 3"
    mkdir -p "$XDG_CONFIG_HOME/boardvault"
    vid=$(sql "SELECT hex(value) FROM meta WHERE key = 'vault_id'" | tr A-F a-f)
    echo "$vid SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" >"$XDG_CONFIG_HOME/boardvault/trusted_roots"
    run "$BV" items
    [ "$status" -eq 5 ]
    [ "$(sql 'PRAGMA user_version')" = 1 ]
}

@test "upgrade: a format-2 vault (as ef59fad wrote it) is upgraded to 3; a member in it can ask for new keys" {
    sqlite_only "older formats exist only as SQLite files; the server schema starts at format 3"
    gunzip -c "$BATS_TEST_DIRNAME/../fixtures/vault-v2.db.gz" >vault.db
    [ "$(sql 'PRAGMA user_version')" = 2 ]
    run "$BV" items
    [ "$status" -eq 0 ]
    [[ "$output" == *"upgraded the vault from format 2 to 3"* ]]
    [ "$(sql 'PRAGMA user_version')" = 3 ]
    [ "$(sql 'PRAGMA integrity_check')" = ok ]
    big=$(sql "SELECT uid FROM items WHERE title = 'Domestic Homicide Review'")
    bvp "$PW_ALICE" open "$big" --as alice -o out
    cmp out body.txt
    "$BV" member rekey --as alice $KDF --passphrase-fd 3 3<<<"$PW_ALICE
lilac-borough-kettle-6618" >/dev/null
    bvp "$PW_ROOT" member approve alice --as "Root Officer" >/dev/null
    rm out
    bvp lilac-borough-kettle-6618 open "$big" --as alice -o out
    cmp out body.txt
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}
