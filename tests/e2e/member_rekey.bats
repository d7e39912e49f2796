#!/usr/bin/env bats
# member_rekey.bats - a way out of an exposed passphrase: new key pairs,
# approved by an officer, grants re-issued, the old keys retired. `member
# passwd` re-wraps the same keys, so the old passphrase with any older
# copy of the file still opened every grant sealed to the member later.

load helpers

PW_NEW="lilac-borough-kettle-6618"

setup() {
    setup_vault
    make_world
    printf 'Domestic Homicide Review: panel notes\n' >one.txt
    printf 'Case review: second item\n' >two.txt
}

teardown() {
    teardown_vault
}

rekey_alice() {
    "$BV" member rekey --as alice $KDF --passphrase-fd 3 3<<<"$PW_ALICE
$PW_NEW"
}

@test "member rekey: new keys wait for an officer; after approval only the new passphrase opens, grants carried over" {
    id1=$(seal_item one.txt alice)
    old_fp=$("$BV" member show alice | awk '/^fingerprint/ { print $2 }')
    run rekey_alice
    [ "$status" -eq 0 ]
    [[ "$output" == *"fingerprint: SHA256:"* ]]
    new_fp=$(printf '%s\n' "$output" | awk '/^fingerprint/ { print $2 }')
    [ "$new_fp" != "$old_fp" ]
    # until an officer approves, nothing changes
    run bvp "$PW_ALICE" open "$id1" --as alice
    [ "$status" -eq 0 ]
    run bvp "$PW_ROOT" member approve alice --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"fingerprint: $new_fp"* ]]
    [ "$("$BV" member show alice | awk '/^fingerprint/ { print $2 }')" = "$new_fp" ]
    run bvp "$PW_ALICE" open "$id1" --as alice
    [ "$status" -eq 3 ]
    run bvp "$PW_NEW" open "$id1" --as alice
    [ "$status" -eq 0 ]
    [[ "$output" == *"panel notes"* ]]
    # her role was signed again over the new key: she can be granted more
    run seal_item two.txt alice
    [ "$status" -eq 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT count(*) FROM retired_keys WHERE name = 'alice'")" = 1 ]
    [ "$(sql "SELECT count(*) FROM key_changes")" = 0 ]
}

@test "after member rekey the old passphrase with an old key record opens nothing granted since" {
    id1=$(seal_item one.txt alice)
    vault_save old # the exposed passphrase's key record
    rekey_alice >/dev/null
    bvp "$PW_ROOT" member approve alice --as "Root Officer" >/dev/null
    id2=$(seal_item two.txt alice)
    # whoever holds the old passphrase takes a later copy and puts the old
    # key record and role rows back into it (on their own machine)
    vault_save later
    local col v
    for col in box_pk sign_pk secret cert_sig; do
        v=$(BOARDVAULT_PATH=$(vault_path old) sql "SELECT $(hex_of "$col") FROM persons WHERE name = 'alice'")
        BOARDVAULT_PATH=$(vault_path later) sql "UPDATE persons SET $col = $(hex_blob "$v") WHERE name = 'alice'"
    done
    v=$(BOARDVAULT_PATH=$(vault_path old) sql "SELECT cert_by FROM persons WHERE name = 'alice'")
    BOARDVAULT_PATH=$(vault_path later) sql "UPDATE persons SET cert_by = '$v' WHERE name = 'alice'"
    copy_rows old later roles "board_id, person_id"
    XDG_CONFIG_HOME="$T/thief" run bvp "$PW_ALICE" --vault "$(vault_path later)" open "$id2" --as alice -o out.txt
    [ "$status" -eq 5 ]
    [[ "$output" == *"grant"* ]]
    [ ! -e out.txt ]
    # a passphrase change alone would not have helped: the same keys
    run bvp "$PW_NEW" open "$id2" --as alice
    [ "$status" -eq 0 ]
}

@test "member rekey: officers are refused (4); a key change not signed by the old key is refused at approval (5)" {
    run "$BV" member rekey --as "Root Officer" $KDF --passphrase-fd 3 3<<<"$PW_ROOT
$PW_NEW"
    [ "$status" -eq 4 ]
    [[ "$output" == *"officer"* ]]
    rekey_alice >/dev/null
    # someone who can write the file swaps in keys of their own (bob's)
    sql "UPDATE key_changes SET box_pk = (SELECT box_pk FROM persons WHERE name = 'bob'),
        sign_pk = (SELECT sign_pk FROM persons WHERE name = 'bob')"
    run bvp "$PW_ROOT" member approve alice --as "Root Officer"
    [ "$status" -eq 5 ]
    [ "$(sql "SELECT count(*) FROM retired_keys")" = 0 ]
}

@test "member rekey: a weak new passphrase is refused and nothing is stored" {
    run "$BV" member rekey --as alice $KDF --passphrase-fd 3 3<<<"$PW_ALICE
password"
    [ "$status" -ne 0 ]
    [ "$(sql "SELECT count(*) FROM key_changes")" = 0 ]
}
