#!/usr/bin/env bats
# membership.bats - membership over time (issue 7): passphrase change and
# KDF upgrade, destroy and retention, board removal with key rotation.

load helpers

setup() { setup_vault; }
teardown() { teardown_vault; }

@test "member passwd: the old passphrase stops working, the new one opens the same grants" {
    make_world
    echo kept >x
    id=$(seal_item x alice)
    NEW="tangerine-lighthouse-cobalt-6021"
    run "$BV" member passwd --as alice --passphrase-fd 3 3< <(printf '%s\n%s\n' "$PW_ALICE" "$NEW")
    [ "$status" -eq 0 ]
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 3 ]
    run bvp "$NEW" open "$id" --as alice
    [ "$status" -eq 0 ]
    [ "$output" = kept ]
    # weak new passphrase, wrong current one
    run "$BV" member passwd --as alice --passphrase-fd 3 3< <(printf '%s\n%s\n' "$NEW" "alice12345")
    [ "$status" -eq 7 ]
    run "$BV" member passwd --as alice --passphrase-fd 3 3< <(printf '%s\n%s\n' "wrong-one-entirely" "$PW_ALICE")
    [ "$status" -eq 3 ]
    run "$BV" audit log --member alice --action passwd --csv
    [[ "$output" == *'"passwd",'*'"ok"'* ]]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "an unlock under weaker KDF settings than the vault's re-wraps the keys with them" {
    bvp "$PW_ROOT" init --as "Root Officer" --kdf-memory 20480 --kdf-time 2 --kdf-lanes 1 >/dev/null
    bvp "$PW_ALICE" member enroll alice $KDF >/dev/null
    [ "$(sql "SELECT upper($(hex_of "substr(secret, 5, 4)")) FROM persons WHERE name='alice'")" = 00004C00 ]
    bvp "$PW_ROOT" member approve alice --as "Root Officer" >/dev/null
    bvp "$PW_ALICE" audit checkpoint --as alice >/dev/null 2>&1 || true
    [ "$(sql "SELECT upper($(hex_of "substr(secret, 5, 4)")) FROM persons WHERE name='alice'")" = 00005000 ]
    run "$BV" audit log --action kdf-upgrade --csv
    [[ "$output" == *'"alice"'* ]]
    # and a member enrolled without KDF options gets the vault's setting
    bvp "$PW_BOB" member enroll bob >/dev/null
    [ "$(sql "SELECT upper($(hex_of "substr(secret, 5, 4)")) FROM persons WHERE name='bob'")" = 00005000 ]
}

@test "item destroy: body and keys gone from every vault file, the audit record stays" {
    sqlite_only "the file's own bytes; server.bats checks the rows and the VACUUM"
    make_world
    head -c 300000 /dev/urandom >x
    id=$(BOARDVAULT_FILE_BODIES=0 seal_item x alice) # in rows: the file's pages are scanned below
    iid=$(sql "SELECT id FROM items WHERE uid='$id'")
    probe=$(sql "SELECT hex(substr(data, 1000, 24)) FROM chunks WHERE body_id=(SELECT body_id FROM items WHERE id=$iid)")
    key=$(sql "SELECT hex(substr(sealed, 10, 24)) FROM grants WHERE item_id=$iid")
    [ ${#probe} -eq 48 ] && [ ${#key} -eq 48 ]
    run bvp "$PW_ALICE" item destroy "$id" --as alice
    [ "$status" -eq 4 ]
    run bvp "$PW_ROOT" item destroy "$id" --as "Root Officer"
    [ "$status" -eq 0 ]
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 6 ]
    for f in vault.db vault.db-wal vault.db-shm; do
        [ -e "$f" ] || continue
        ! od -An -tx1 -v "$f" | tr -d ' \n' | grep -qi "$probe" || false
        ! od -An -tx1 -v "$f" | tr -d ' \n' | grep -qi "$key" || false
    done
    run "$BV" audit log --item "$id" --csv
    [[ "$output" == *'"destroy","CSP","'$id'"'* ]]
    # opening an item that is gone is refused (6) before the passphrase is
    # asked for, so there is no unlock and no open entry (issue 11 point 13)
    [[ "$output" != *'"open"'* ]]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    run bvp "$PW_ROOT" item destroy "$id" --as "Root Officer"
    [ "$status" -eq 6 ]
}

@test "retention: items past their date are destroyed by retention run, others kept" {
    make_world
    echo old >old
    echo new >new
    # a past date is refused at seal (cli.bats): seal it while 2001 was today
    old=$(past "2001-01-01 12:00:00" "$BV" seal CSP old --title "Old case" --retain-until 2001-01-31 \
        --grant alice --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT")
    new=$(bvp "$PW_ROOT" seal CSP new --title "New case" --retain-until 2999-12-31 --grant alice --as "Root Officer")
    run bvp "$PW_ROOT" seal CSP new --title t --retain-until 2026-02-30 --as "Root Officer"
    [ "$status" -eq 2 ]
    run bvp "$PW_ROOT" retention run --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"destroyed $old"* ]]
    run bvp "$PW_ALICE" open "$old" --as alice
    [ "$status" -eq 6 ]
    run bvp "$PW_ALICE" open "$new" --as alice
    echo "$output" >&3; [ "$output" = new ]
    # the retention date is covered by the seal signature
    sql "UPDATE items SET retain_until = '2000-01-01' WHERE uid = '$new'"
    run bvp "$PW_ALICE" open "$new" --as alice
    [ "$status" -eq 5 ]
    # and retention run does not destroy on the strength of an edited date
    run bvp "$PW_ROOT" retention run --as "Root Officer"
    [[ "$output" == *"kept $new"* ]]
    [ "$(sql "SELECT count(*) FROM items WHERE uid = '$new'")" = 1 ]
}

@test "board remove of a member: grants revoked, opens refused, logged" {
    make_world
    echo x >x
    id=$(seal_item x alice,bob)
    run bvp "$PW_ROOT" board remove CSP alice --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"1 grants revoked"* ]]
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 4 ]
    [ "$(bvp "$PW_BOB" open "$id" --as bob)" = x ]
    run bvp "$PW_ROOT" board remove CSP alice --as "Root Officer"
    [ "$status" -eq 6 ]
    run bvp "$PW_ROOT" board remove CSP nobody --as "Root Officer"
    [ "$status" -eq 6 ]
    run bvp "$PW_BOB" board remove CSP alice --as bob
    [ "$status" -eq 4 ]
    run "$BV" audit log --action board-remove --csv
    [[ "$output" == *'"alice (member); epoch 1"'* ]]
    # and back again: a new role, no old grants
    bvp "$PW_ROOT" board add CSP alice --role member --as "Root Officer"
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 4 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "removing the last officer is refused (4) and changes nothing" {
    make_world
    run bvp "$PW_ROOT" board remove CSP "Root Officer" --as "Root Officer"
    [ "$status" -eq 4 ]
    [[ "$output" == *"last officer"* ]]
    [ "$(sql 'SELECT epoch FROM boards')" = 1 ]
    run "$BV" audit log --action board-remove --csv
    [[ "$output" == *'"denied","last-officer"'* ]]
}

@test "an officer's removal rotates the board key; their saved key and a copy of the vault open nothing new" {
    make_world
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer"
    echo before >b
    old=$(bvp "$PW_CAROL" seal CSP b --title before --grant alice --as carol)
    for i in 1 2 3; do seal_item b >/dev/null; done
    # what carol could keep: a copy of the vault with her epoch-1 key wraps
    keep_copy
    run bvp "$PW_ROOT" board remove CSP carol --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"rotated to epoch 2; 4 item keys re-wrapped"* ]]
    [ "$(sql "SELECT count(*) FROM board_keys WHERE epoch = 1")" = 0 ]
    [ "$(sql "SELECT count(*) FROM item_keys WHERE epoch = 1")" = 0 ]
    [ "$(sql "SELECT DISTINCT epoch FROM item_keys")" = 2 ]
    # the officers who remain work on: old items grant and open, new items seal
    bvp "$PW_ROOT" grant "$old" bob --as "Root Officer"
    [ "$(bvp "$PW_BOB" open "$old" --as bob)" = before ]
    echo after >a
    new=$(seal_item a bob)
    [ "$(bvp "$PW_BOB" open "$new" --as bob)" = after ]
    # carol, removed: no seal, no grant, no open of the new item
    run bvp "$PW_CAROL" seal CSP a --title x --as carol
    [ "$status" -eq 4 ]
    run bvp "$PW_CAROL" grant "$new" carol --as carol
    [ "$status" -eq 4 ]
    run bvp "$PW_CAROL" open "$new" --as carol
    [ "$status" -eq 4 ]
    # carol puts back her epoch-1 board key row from her copy: still nothing
    put_back board_keys "board_id, epoch, person_id" "WHERE person_id = (SELECT id FROM persons WHERE name = 'carol')"
    run bvp "$PW_CAROL" grant "$new" carol --as carol
    [ "$status" -ne 0 ]
    # and a rollback of the epoch is refused to the officers who remain
    put_back board_keys "board_id, epoch, person_id"
    sql "UPDATE boards SET epoch = 1"
    run seal_item a bob
    [ "$status" -eq 5 ]
    [[ "$output" == *"rolled back"* ]]
}

@test "a revoked member who puts back both the old grant and the old grant set opens nothing (5, logged)" {
    make_world
    echo x >x
    id=$(seal_item x alice)
    keep_copy
    bvp "$PW_ROOT" revoke "$id" alice --as "Root Officer"
    put_back grants "item_id, person_id"
    put_back grantsets item_id
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 5 ]
    [[ "$output" == *"rolled back"* ]]
    run "$BV" audit log --item "$id" --member alice --csv
    [[ "$output" == *'"open"'*'"failed","integrity"'* ]]
}

@test "rekey: same plaintext, new ciphertext, grants for current grantees only, old body gone" {
    make_world
    head -c 2500000 /dev/urandom >x
    id=$(BOARDVAULT_FILE_BODIES=0 seal_item x alice,bob) # in rows: the file's pages are scanned below
    iid=$(sql "SELECT id FROM items WHERE uid='$id'")
    probe=$(sql "SELECT $(hex_of "substr(data, 5000, 24)") FROM chunks WHERE body_id=(SELECT body_id FROM items WHERE id=$iid) AND idx=1")
    [ ${#probe} -eq 48 ]
    bvp "$PW_ROOT" revoke "$id" bob --as "Root Officer"
    run bvp "$PW_ALICE" rekey "$id" --as alice
    [ "$status" -eq 4 ]
    run bvp "$PW_ROOT" rekey "$id" --as "Root Officer"
    [ "$status" -eq 0 ]
    bvp "$PW_ALICE" open "$id" --as alice -o y
    cmp x y
    run bvp "$PW_BOB" open "$id" --as bob
    [ "$status" -eq 4 ]
    [ "$(sql "SELECT count(*) FROM grants g JOIN items i ON i.id = g.item_id WHERE i.uid='$id'")" = 1 ]
    [ "$(sql "SELECT count(*) FROM items WHERE uid LIKE '%-rekey'")" = 0 ]
    if on_pg; then has="position($(hex_blob "$probe") IN data)"; else has="instr(data, $(hex_blob "$probe"))"; fi
    [ "$(sql "SELECT count(*) FROM chunks WHERE $has > 0")" = 0 ]
    # the old body's bytes are gone from the file too (a server keeps dead
    # tuples until VACUUM: THREATS.md)
    for f in vault.db vault.db-wal; do
        [ -e "$f" ] || continue
        ! od -An -tx1 -v "$f" | tr -d ' \n' | grep -qi "$probe" || false
    done
    run "$BV" audit log --item "$id" --action rekey --csv
    [[ "$output" == *'"1 grants re-issued"'* ]]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    # a later grant still works: the officer holds the new key
    bvp "$PW_ROOT" grant "$id" bob --as "Root Officer"
    bvp "$PW_BOB" open "$id" --as bob -o z
    cmp x z
}

@test "file bodies: rekey unlinks the old file without overwriting it; destroy overwrites before it unlinks" {
    sqlite_only "bodies in files of their own are the SQLite engine's"
    make_world
    head -c 2500000 /dev/urandom >x
    id=$(seal_item x alice)
    old=$(sql "SELECT body_id FROM items WHERE uid='$id'")
    [ -f "vault.db.bodies/$old" ]
    head -c 4096 "vault.db.bodies/$old" | od -An -tx1 -v | tr -d ' \n' >before
    # a descriptor held on the old file sees what becomes of its bytes
    exec 7<"vault.db.bodies/$old"
    bvp "$PW_ROOT" rekey "$id" --as "Root Officer"
    [ ! -e "vault.db.bodies/$old" ]
    new=$(sql "SELECT body_id FROM items WHERE uid='$id'")
    [ "$new" != "$old" ] && [ -f "vault.db.bodies/$new" ]
    [ "$(head -c 4096 <&7 | od -An -tx1 -v | tr -d ' \n')" = "$(cat before)" ] # unlinked, as it was
    exec 7<&-
    [ "$(sql "SELECT count(*) FROM bodies WHERE id=$old")" = 0 ]
    [ "$(body_files)" = 1 ]
    bvp "$PW_ALICE" open "$id" --as alice -o y
    cmp x y
    # destroy: the new body's bytes are zeros before the file goes
    exec 7<"vault.db.bodies/$new"
    bvp "$PW_ROOT" item destroy "$id" --as "Root Officer" --yes
    [ ! -e "vault.db.bodies/$new" ]
    [ "$(head -c 4096 <&7 | tr -d '\0' | wc -c)" = 0 ]
    exec 7<&-
    [ "$(body_files)" = 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "rekey of an agenda item keeps its place in the minutes" {
    make_world
    bvp "$PW_ROOT" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" --board CSP --as "Root Officer" >/dev/null
    echo body >b
    id=$(bvp "$PW_ROOT" seal CSP b --meeting 1 --agenda-item 5 --grant alice --as "Root Officer")
    bvp "$PW_ROOT" rekey "$id" --as "Root Officer" >/dev/null
    run "$BV" minutes show 1
    [[ "$output" == *"sealed as item $id; granted to: alice"* ]]
}

@test "member reset: old passphrase opens nothing, what they had is listed, re-enrol and re-grant works, log verifies" {
    make_world
    echo x >x
    id=$(seal_item x alice)
    bvp "$PW_ALICE" open "$id" --as alice >/dev/null
    run bvp "$PW_ALICE" member reset bob --as alice
    [ "$status" -eq 4 ]
    run bvp "$PW_ROOT" member reset alice --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"had role  on CSP: member"* ]]
    [[ "$output" == *"had grant on CSP: $id"* ]]
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 3 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    NEW="saffron-walrus-quarry-5566"
    bvp "$NEW" member enroll alice $KDF >/dev/null
    run bvp "$NEW" open "$id" --as alice
    [ "$status" -eq 4 ]
    bvp "$PW_ROOT" member approve alice --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP alice --role member --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" grant "$id" alice --as "Root Officer" >/dev/null
    [ "$(bvp "$NEW" open "$id" --as alice)" = x ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    # an officer holding a board key must leave the board first; the root never
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    run bvp "$PW_ROOT" member reset carol --as "Root Officer"
    [ "$status" -eq 4 ]
    run bvp "$PW_ROOT" member reset "Root Officer" --as "Root Officer"
    [ "$status" -eq 4 ]
    run bvp "$PW_ROOT" member reset nobody --as "Root Officer"
    [ "$status" -eq 6 ]
}

@test "destroy while an open runs: the open completes whole or releases nothing, and the log says which" {
    make_world
    head -c 40000000 /dev/urandom >big
    for i in 1 2 3 4; do
        id=$(seal_item big alice)
        rm -f out.bin rc
        # set +e: under bats' errexit a failing open would skip writing rc
        (set +e; "$BV" open "$id" --as alice -o out.bin --passphrase-fd 3 3<<<"$PW_ALICE" >open.err 2>&1; echo $? >rc) &
        sleep "0.0$((RANDOM % 9))"
        bvp "$PW_ROOT" item destroy "$id" --as "Root Officer" >/dev/null
        wait
        if [ "$(cat rc)" -eq 0 ]; then
            cmp big out.bin
        else
            [ ! -e out.bin ]
            [ -z "$(ls -A | grep '\.bv-')" ]
        fi
        run "$BV" audit log --item "$id" --csv
        [[ "$output" == *'"destroy"'* ]]
        [[ "$output" == *'"open"'* ]] || [ "$(cat rc)" -ne 0 ]
    done
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "the log records open relies on cannot be forged or replayed by whoever writes the file" {
    make_world
    echo x >x
    id=$(seal_item x alice)
    keep_copy
    bvp "$PW_ROOT" revoke "$id" alice --as "Root Officer"
    unguard audit
    put_back grants "item_id, person_id"
    put_back grantsets item_id
    vault_save restored
    # a forged, unsigned 'grantset v1' entry at the end
    insider "INSERT INTO audit SELECT max(seq) + 1, max(time), max(actor), max(actor_fp), 'grantset', max(board), '$id', '', '', 'ok', 'v1', $(hex_blob 666f72676564), $(hex_blob "$(printf '0%.0s' $(seq 64))") FROM audit"
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 5 ]
    # the genuine signed 'grantset v1' entry replayed at the end
    vault_restore restored
    insider "INSERT INTO audit SELECT (SELECT max(seq) + 1 FROM audit), time, actor, actor_fp, action, board, item, meeting, agenda, outcome, reason, leaf, leaf_hash FROM audit WHERE action = 'grantset' AND item = '$id' AND reason = 'v1'"
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 5 ]
}

@test "a pending member's own passwd and a reset member's old entries keep the log verifiable" {
    make_world
    NEW="tangerine-lighthouse-cobalt-6021"
    "$BV" member passwd --as carol --passphrase-fd 3 3< <(printf '%s\n%s\n' "$PW_CAROL" "$NEW") >/dev/null
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    echo x >x
    id=$(seal_item x alice)
    bvp "$PW_ALICE" open "$id" --as alice >/dev/null
    bvp "$PW_ROOT" member reset alice --as "Root Officer" >/dev/null
    bvp "$NEW" member enroll alice $KDF >/dev/null
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "removal keeps the chains whole: the remover's own role, approvals by the leaver, forged rows" {
    make_world
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    PW_DAN="cobalt-mandolin-furrow-8080"
    PW_ERIN="velvet-quasar-turnip-4242"
    bvp "$PW_DAN" member enroll dan $KDF >/dev/null
    bvp "$PW_ERIN" member enroll erin $KDF >/dev/null
    bvp "$PW_CAROL" member approve dan --as carol >/dev/null
    bvp "$PW_CAROL" member approve erin --as carol >/dev/null
    bvp "$PW_CAROL" board add CSP dan --role officer --as carol >/dev/null
    bvp "$PW_CAROL" board add CSP erin --role member --as carol >/dev/null
    echo x >x
    id=$(bvp "$PW_CAROL" seal CSP x --title t --grant erin --as carol)
    # dan's own officer role hangs from carol's signature: he may not remove her
    run bvp "$PW_DAN" board remove CSP carol --as dan
    [ "$status" -eq 4 ]
    [[ "$output" == *"your own officer role"* ]]
    # a forged row (bob made officer "by carol") is not carried over by the removal
    sql "UPDATE roles SET role = 'officer', added_by = 'carol' WHERE person_id = (SELECT id FROM persons WHERE name = 'bob')"
    run bvp "$PW_ROOT" board remove CSP carol --as "Root Officer"
    [ "$status" -eq 0 ]
    run bvp "$PW_BOB" item destroy "$id" --as bob
    [ "$status" -ne 0 ]
    # approvals and roles carol gave are signed again by the remover
    [ "$(bvp "$PW_ERIN" open "$id" --as erin)" = x ]
    run bvp "$PW_DAN" seal CSP x --title by-dan --as dan
    [ "$status" -eq 0 ]
    run "$BV" member show erin --json
    [[ "$output" == *'"certified_by": "Root Officer"'* ]]
    sql "UPDATE roles SET role = 'member', added_by = 'Root Officer' WHERE person_id = (SELECT id FROM persons WHERE name = 'bob')"
}

@test "rekey killed with SIGKILL at any point leaves the item openable, old key or new, never neither" {
    make_world
    head -c 12000000 /dev/urandom >x
    id=$(seal_item x alice)
    for d in 0.02 0.06 0.1 0.15 0.2 0.3 0.45; do
        "$BV" rekey "$id" --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT" >/dev/null 2>&1 &
        pid=$!
        sleep $d
        kill -KILL $pid 2>/dev/null || true
        wait $pid || true
        rm -f y
        bvp "$PW_ALICE" open "$id" --as alice -o y
        cmp x y
        [ "$(sql "SELECT count(*) FROM items WHERE uid LIKE '$id%'")" = 1 ]
    done
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    on_pg || [ "$(sqlite3 "$BOARDVAULT_PATH" 'PRAGMA integrity_check')" = ok ]
}
