#!/usr/bin/env bats
# insider.bats - someone who can write the vault file (a shared drive, a
# backup, an admin) and may hold one person's passphrase. They edit rows
# with sqlite3 or psql (dropping the audit triggers first, as anyone can), put back
# rows from a copy they kept, and append entries signed with the key they
# hold (tests/tools/bvforge). Every freshness and authority check must be
# decided from signed entry text this client verified, never from a stored
# column or from a row being absent.

load helpers

setup() {
    setup_vault
    make_world
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    printf 'Domestic Homicide Review: panel notes\n' >secret.txt
}

teardown() {
    teardown_vault
}

# forge PASSPHRASE NAME ACTION BOARD ITEM OUTCOME REASON - append an entry
# signed with NAME's key; prints its seq
forge() {
    local pw=$1
    shift
    XDG_CONFIG_HOME="$T/insider-config" "$BVFORGE" "$BOARDVAULT_PATH" "$@" 3<<<"$pw"
}

# A fresh client: one that has never seen this vault (a member's new laptop).
fresh() {
    XDG_CONFIG_HOME="$T/fresh-$RANDOM" "$@"
}

# Put the board back to epoch 1 with the epoch-1 key rows from a kept copy.
restore_epoch_1() {
    insider "UPDATE boards SET epoch = 1;"
    put_back board_keys "board_id, epoch, person_id" "WHERE epoch = 1"
    put_back item_keys "item_id, epoch" "WHERE epoch = 1"
}

# relabel_removal: carol made an officer and a copy kept while she holds
# the epoch-1 key; she is removed (epoch 2); then the insider renames the
# removal's entry (the old lookup went by the action column) and puts
# epoch 1 back
relabel_removal() {
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    keep_copy # carol's copy, while she holds the epoch-1 key
    run bvp "$PW_ROOT" board remove CSP carol --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"epoch 2"* ]]
    # the lookup went by the action column: rename the removal, roll back
    insider "UPDATE audit SET action = 'board-add' WHERE action = 'board-remove';"
    restore_epoch_1
}

@test "a removed officer's epoch comes back through a relabelled board-remove entry: seal refuses (5)" {
    relabel_removal
    items=$(sql "SELECT count(*) FROM items")
    run seal_item secret.txt
    [ "$status" -eq 5 ]
    [[ "$output" == *"epoch 1"*"audit log says 2"*"rolled back"* ]]
    # a client that never saw the vault reads the signed text, not the column
    run fresh seal_item secret.txt
    [ "$status" -eq 5 ]
    [[ "$output" == *"rolled back"* ]]
    [ "$(sql "SELECT count(*) FROM items")" = "$items" ]
}

@test "a removed officer's epoch comes back through a relabelled board-remove entry: rekey refuses (5)" {
    id=$(seal_item secret.txt alice) # sealed at epoch 1, which carol is about to hold
    # the same rollback as for seal: a rekey must not put the item under the
    # epoch-1 key carol kept
    relabel_removal
    before=$(sql "SELECT i.uid, i.sealed_epoch, i.body_id FROM items i ORDER BY i.uid")
    run bvp "$PW_ROOT" rekey "$id" --as "Root Officer"
    [ "$status" -eq 5 ]
    [[ "$output" == *"epoch 1"*"audit log says 2"*"rolled back"* ]]
    # a client that never saw the vault reads the signed text, not the column
    run fresh bvp "$PW_ROOT" rekey "$id" --as "Root Officer"
    [ "$status" -eq 5 ]
    [[ "$output" == *"rolled back"* ]]
    # the item is as it was: same epoch, same body; no rekey was logged as done
    [ "$(sql "SELECT i.uid, i.sealed_epoch, i.body_id FROM items i ORDER BY i.uid")" = "$before" ]
    [ "$(sql "SELECT count(*) FROM audit WHERE action = 'rekey' AND outcome = 'ok'")" = 0 ]
}

@test "a board-remove entry deleted from the middle of the log: refused (5), by this client (its view) and a fresh one (the chain)" {
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    keep_copy
    bvp "$PW_ROOT" board remove CSP carol --as "Root Officer" >/dev/null
    seal_item secret.txt alice >/dev/null # more entries after the removal
    insider "DELETE FROM audit WHERE action = 'board-remove';"
    restore_epoch_1
    run seal_item secret.txt
    [ "$status" -eq 5 ]
    [[ "$output" == *"rolled back"* ]]
    run fresh seal_item secret.txt
    [ "$status" -eq 5 ]
    [[ "$output" == *"missing"* ]]
}

@test "a revoked member's grant set comes back through relabelled grantset entries: open refuses (5)" {
    id=$(seal_item secret.txt alice)
    keep_copy
    bvp "$PW_ROOT" revoke "$id" alice --as "Root Officer" >/dev/null
    insider "UPDATE audit SET action = 'grant' WHERE action = 'grantset' AND reason = 'v2';"
    put_back grantsets item_id
    put_back grants "item_id, person_id"
    run bvp "$PW_ALICE" open "$id" --as alice -o out.txt
    [ "$status" -eq 5 ]
    [[ "$output" == *"version 1"*"audit log says 2"*"rolled back"* ]]
    [ ! -e out.txt ]
    run fresh bvp "$PW_ALICE" open "$id" --as alice -o out.txt
    [ "$status" -eq 5 ]
    [ ! -e out.txt ]
}

@test "the log head this client verified is kept beside trusted_roots, and an older copy of the vault is refused (5) saying what was seen" {
    id=$(seal_item secret.txt alice)
    vault_save older
    bvp "$PW_ROOT" revoke "$id" alice --as "Root Officer" >/dev/null
    "$BV" items >/dev/null
    n=$(sql "SELECT count(*) FROM audit")
    vid=$(sql "SELECT $(hex_of value) FROM meta WHERE key = 'vault_id'" | tr 'A-F' 'a-f')
    head="$XDG_CONFIG_HOME/boardvault/log_heads/$vid"
    [ -f "$head" ]
    [ "$(stat -c %a "$head")" = 600 ]
    grep -qx "size $n" "$head"
    grep -q "^root " "$head"
    # the whole file replaced by the copy from before the revocation
    vault_restore older
    run bvp "$PW_ALICE" open "$id" --as alice -o out.txt
    [ "$status" -eq 5 ]
    [[ "$output" == *"does not extend the one this client verified ($n entries, root "* ]]
    [[ "$output" == *"replaced by an older copy"* ]]
    [ ! -e out.txt ]
    run "$BV" audit log
    [ "$status" -eq 5 ]
    # the limit, as THREATS.md says: a client that never saw the newer log
    run fresh "$BV" items
    [ "$status" -eq 0 ]
}

@test "a fork (an older copy grown again past what this client saw) is refused (5)" {
    id=$(seal_item secret.txt alice)
    vault_save fork
    bvp "$PW_ROOT" revoke "$id" alice --as "Root Officer" >/dev/null
    n=$(sql "SELECT count(*) FROM audit")
    # someone grows the old copy with other entries until it is longer
    for i in 1 2 3; do
        fresh bvp "$PW_ROOT" --vault "$(vault_path fork)" grant "$id" bob --as "Root Officer" >/dev/null
        fresh bvp "$PW_ROOT" --vault "$(vault_path fork)" revoke "$id" bob --as "Root Officer" >/dev/null
    done
    [ "$(BOARDVAULT_PATH=$(vault_path fork) sql "SELECT count(*) FROM audit")" -gt "$n" ]
    vault_restore fork
    run "$BV" items
    [ "$status" -eq 5 ]
    [[ "$output" == *"does not extend the one this client verified ($n entries"* ]]
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    [[ "$output" == *"first $n entries are not those this client verified"* ]]
}

@test "a refused board remove blocks nothing: seal, grant, rekey and import go on, and the log verifies" {
    run bvp "$PW_ALICE" board remove CSP "Root Officer" --as alice
    [ "$status" -eq 4 ]
    run bvp "$PW_ROOT" board remove CSP "Root Officer" --as "Root Officer"
    [ "$status" -eq 4 ]
    [[ "$output" == *"last officer"* ]]
    run seal_item secret.txt alice
    [ "$status" -eq 0 ]
    id=$output
    run bvp "$PW_ROOT" grant "$id" bob --as "Root Officer"
    [ "$status" -eq 0 ]
    run bvp "$PW_ROOT" rekey "$id" --as "Root Officer"
    [ "$status" -eq 0 ]
    run bvp "$PW_ROOT" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" \
        --board CSP --as "Root Officer"
    [ "$status" -eq 0 ]
    run bvp "$PW_BOB" open "$id" --as bob
    [ "$status" -eq 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "an entry without authority (a grantset signed by a member) steers nothing, and audit verify names it" {
    id=$(seal_item secret.txt alice)
    run forge "$PW_ALICE" alice grantset CSP "$id" ok v9
    [ "$status" -eq 0 ]
    seq=$output
    # before: every later open of the item exited 5 for everyone
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 0 ]
    [[ "$output" == *"panel notes"* ]]
    run bvp "$PW_ROOT" grant "$id" bob --as "Root Officer"
    [ "$status" -eq 0 ]
    run fresh bvp "$PW_BOB" open "$id" --as bob
    [ "$status" -eq 0 ]
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    [[ "$output" == *"audit entry $seq: a grantset of item $id by alice, who is not an officer of board CSP"* ]]
    [[ "$output" == *"the log is intact, but 1 entry above claims a change without the authority"* ]]
}

@test "forged removals and epochs by a member remove nobody and move no epoch" {
    # alice claims the root left the board, at a new epoch
    forge "$PW_ALICE" alice board-remove CSP - ok "Root Officer (officer); epoch 7" >/dev/null
    forge "$PW_ALICE" alice board-create CSP - ok "epoch 5" >/dev/null
    run seal_item secret.txt alice
    [ "$status" -eq 0 ]
    run fresh seal_item secret.txt alice
    [ "$status" -eq 0 ]
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    [[ "$output" == *"2 entries above claim a change"* ]]
}

@test "a removal row deleted and the role row put back do not make a removed officer count again" {
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    keep_copy
    bvp "$PW_ROOT" board remove CSP carol --as "Root Officer" >/dev/null
    insider "DELETE FROM removals;"
    put_back roles "board_id, person_id"
    # carol would act as an officer again: take alice off the board
    run bvp "$PW_CAROL" board remove CSP alice --as carol
    [ "$status" -eq 4 ]
    run fresh bvp "$PW_CAROL" board remove CSP alice --as carol
    [ "$status" -eq 4 ]
    [ "$(sql "SELECT count(*) FROM roles r JOIN persons p ON p.id = r.person_id WHERE p.name = 'alice'")" = 1 ]
}
