#!/usr/bin/env bats
# audit.bats - the tamper-evident log and the auditor's tools (issue 4).

load helpers

# the world, an item and its four opens (one denied, one failed): built
# once per file, each test starting from a copy (helpers.bash)
audit_world() {
    make_world
    echo "restricted text" >x
    ID=$(seal_item x alice)
    bvp "$PW_ALICE" open "$ID" --as alice >/dev/null
    bvp "$PW_BOB" open "$ID" --as bob >/dev/null || true
    bvp "wrong-passphrase-here" open "$ID" --as alice >/dev/null 2>&1 || true
    bvp "$PW_ALICE" open "$ID" --as alice >/dev/null
    N=$(sql "SELECT count(*) FROM audit")
}
setup() {
    setup_vault
    cached_world -audit audit_world ID N
    echo "restricted text" >x
}
teardown() { teardown_vault; }

# the attacker can write the vault: triggers are no obstacle to them
unlock_audit() { unguard audit; }
# text_of COL: COL's bytes as text, in the engine's SQL
text_of() { if on_pg; then echo "convert_from($1, 'UTF8')"; else echo "CAST($1 AS TEXT)"; fi; }
# blob_of EXPR: text as bytes, in the engine's SQL
blob_of() { if on_pg; then echo "convert_to($1, 'UTF8')"; else echo "CAST($1 AS BLOB)"; fi; }

@test "a clean log verifies and prints its size and root" {
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    [[ "$output" == *"size $N"* ]]
    [[ "$output" == *"root "* ]]
    [[ "$output" == *"OK"* ]]
}

@test "every action is logged: init, enroll, approve, board, seal, grant, open outcomes" {
    run "$BV" audit log --csv
    for a in init enroll approve board-create board-add seal grant open; do
        [[ "$output" == *",\"$a\","* ]]
    done
    [[ "$output" == *'"denied","no-grant"'* ]]
    [[ "$output" == *'"failed","wrong-passphrase"'* ]]
    run "$BV" audit log --outcome ok --action open --json
    [ "$(echo "$output" | grep -c '"action": "open"')" -eq 2 ]
}

@test "the log never holds plaintext or a passphrase" {
    ! sql "SELECT leaf FROM audit" | grep -a -q "restricted text" || false
    ! sql "SELECT leaf FROM audit" | grep -a -q "$PW_ALICE" || false
    ! sql "SELECT leaf FROM audit" | grep -a -q "wrong-passphrase-here" || false
}

@test "an UPDATE of any audit column is caught, naming the entry" {
    unlock_audit
    vault_save pristine
    for col in time actor actor_fp action board item outcome reason; do
        vault_restore pristine
        sql "UPDATE audit SET $col = $col || 'x' WHERE seq = 5"
        run "$BV" audit verify
        echo "$col: $output" >&3
        [ "$status" -eq 5 ]
        [[ "$output" == *"audit entry 5"* ]]
    done
    vault_restore pristine
    sql "UPDATE audit SET leaf = $(blob_of "replace($(text_of leaf), 'outcome denied', 'outcome ok')"), outcome='ok' WHERE outcome='denied'"
    run "$BV" audit verify
    [ "$status" -eq 5 ]
}

@test "a DELETE of the first, a middle or the last row is caught" {
    unlock_audit
    vault_save pristine
    for seq in 1 6 "$N"; do
        vault_restore pristine
        sql "DELETE FROM audit WHERE seq = $seq"
        run "$BV" audit verify
        echo "delete $seq: $output" >&3
        [ "$status" -eq 5 ]
    done
}

@test "swapped rows, renumbered rows and a forged unsigned 'ok' are caught" {
    unlock_audit
    vault_save pristine
    sql "UPDATE audit SET seq = -1 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = -1;"
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    vault_restore pristine
    sql "UPDATE audit SET seq = seq + 100 WHERE seq > 3"
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    vault_restore pristine
    # a signature byte flipped
    sql "UPDATE audit SET leaf = substr(leaf, 1, length(leaf) - 10) || CASE WHEN substr(leaf, length(leaf) - 9, 1) = $(hex_blob 41) THEN $(hex_blob 42) ELSE $(hex_blob 41) END || substr(leaf, length(leaf) - 8) WHERE seq = 3"
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    [[ "$output" == *"audit entry 3"* ]]
}

@test "a truncated tail is caught by the tree state, and by checkpoints when that is rewritten too" {
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >saved.cp
    bvp "$PW_ALICE" open "$ID" --as alice >/dev/null
    unlock_audit
    unguard checkpoints
    vault_save pristine
    M=$(sql "SELECT count(*) FROM audit")
    sql "DELETE FROM audit WHERE seq = $M"
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    # the attacker also rewinds the tree state: only a checkpoint can tell
    vault_restore pristine
    sql "DELETE FROM audit WHERE seq > $N; DELETE FROM checkpoints;"
    run "$BV" audit verify --checkpoint saved.cp
    [ "$status" -eq 5 ]
    [[ "$output" == *"rollback"* ]] || [[ "$output" == *"missing"* ]]
}

@test "checkpoints: printed as a C2SP signed note, stored, and saved copies verify later" {
    run bvp "$PW_ROOT" audit checkpoint --as "Root Officer"
    [ "$status" -eq 0 ]
    origin=$(echo "$output" | sed -n 1p)
    [[ "$origin" =~ ^boardvault/[0-9a-f]{32}$ ]]
    [ "$(echo "$output" | sed -n 2p)" = "$N" ]
    [[ "$(echo "$output" | sed -n 5p)" == "— $origin/Root.Officer "* ]] || [[ "$(echo "$output" | sed -n 5p)" == "— $origin/Root%20Officer "* ]]
    echo "$output" >cp1
    bvp "$PW_ALICE" open "$ID" --as alice >/dev/null
    run "$BV" audit verify --checkpoint cp1
    [ "$status" -eq 0 ]
    [[ "$output" == *"1 stored and 1 given"* ]]
    run bvp "$PW_ALICE" audit checkpoint --as alice
    [ "$status" -eq 4 ]
}

@test "bad checkpoint files: empty, not a note, unknown key, other vault, too large, bad signature" {
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >good.cp
    : >empty.cp
    run "$BV" audit verify --checkpoint empty.cp
    [ "$status" -eq 7 ]
    echo "hello world" >junk.cp
    run "$BV" audit verify --checkpoint junk.cp
    [ "$status" -eq 7 ]
    run "$BV" audit verify --checkpoint missing.cp
    [ "$status" -eq 6 ]
    # a signature line for a key nobody knows
    sed 's/^— \([^ ]*\) .*/— example.com\/other ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ/' good.cp >unknown.cp
    run "$BV" audit verify --checkpoint unknown.cp
    [ "$status" -eq 5 ] || [ "$status" -eq 7 ]
    # flip a byte of the root line: signature fails
    awk 'NR == 3 { $0 = "AAAA" substr($0, 5) } { print }' good.cp >badsig.cp
    run "$BV" audit verify --checkpoint badsig.cp
    [ "$status" -eq 5 ]
    # the same checkpoint from another vault
    mkdir other && (cd other && BOARDVAULT_PATH=$PWD/o.db bvp "$PW_ROOT" init --as "Root Officer" $KDF >/dev/null &&
        BOARDVAULT_PATH=$PWD/o.db bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >../other.cp)
    run "$BV" audit verify --checkpoint other.cp
    [ "$status" -eq 5 ]
    [[ "$output" == *"another vault"* ]]
    # a checkpoint larger than the log: made, then the log rolled back
    vault_save pristine
    bvp "$PW_ALICE" open "$ID" --as alice >/dev/null
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >later.cp
    vault_restore pristine
    run "$BV" audit verify --checkpoint later.cp
    [ "$status" -eq 5 ]
    [[ "$output" == *rollback* ]]
}

@test "prove and consistency: proofs verify; missing entries and bad ranges refused" {
    run "$BV" audit prove 3
    [ "$status" -eq 0 ]
    [[ "$output" == *"leaf-hash "* ]]
    run "$BV" audit prove 3 --size 5
    [ "$status" -eq 0 ]
    [[ "$output" == *"size 5"* ]]
    run "$BV" audit prove 9999
    [ "$status" -eq 6 ]
    run "$BV" audit prove 0
    [ "$status" -eq 6 ]
    run "$BV" audit consistency 3 "$N"
    [ "$status" -eq 0 ]
    [[ "$output" == "old 3 "* ]]
    run "$BV" audit consistency 5 3
    [ "$status" -eq 2 ]
    run "$BV" audit consistency 3 99999
    [ "$status" -eq 6 ]
}

@test "export: jsonl carries the exact leaf; csv has one line per entry" {
    run "$BV" audit export --format jsonl
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | wc -l)" -eq "$N" ]
    first=$(echo "$output" | head -1 | sed 's/.*"leaf": "\([^"]*\)".*/\1/' | base64 -d)
    [ "$first" = "$(sql "SELECT $(text_of leaf) FROM audit WHERE seq = 1")" ]
    run "$BV" audit export --format csv
    [ "$(echo "$output" | wc -l)" -eq $((N + 1)) ]
    run "$BV" audit export --format xml
    [ "$status" -eq 2 ]
}

@test "summary: who opened, refusals, grantees who never opened" {
    bvp "$PW_ROOT" grant "$ID" bob --as "Root Officer"
    run "$BV" audit summary
    [ "$status" -eq 0 ]
    # one table (issue 11 point 10): outcome, member, opens per row
    [[ "$output" =~ ok\ +alice\ +2\  ]]
    [[ "$output" =~ denied\ +bob\  ]]
    [[ "$output" =~ never\ opened\ +bob\ +0 ]]
    run "$BV" audit summary --json
    [[ "$output" == *'"granted_never_opened": ["bob"]'* ]]
}

@test "auditors review but cannot open" {
    bvp "$PW_ROOT" member approve carol --as "Root Officer"
    bvp "$PW_ROOT" board add CSP carol --role auditor --as "Root Officer"
    run bvp "$PW_CAROL" open "$ID" --as carol
    [ "$status" -eq 4 ]
    run bvp "$PW_CAROL" audit checkpoint --as carol
    [ "$status" -eq 0 ]
    run "$BV" audit log --member carol --csv
    [[ "$output" == *'"denied","no-grant"'* ]] || [[ "$output" == *'"denied","auditor"'* ]]
}

@test "8 processes opening 50 times each leave 400 contiguous open entries and a log that verifies" {
    [ -n "${BV_SKIP_SLOW:-}" ] && skip "BV_SKIP_SLOW set"
    before=$(sql "SELECT count(*) FROM audit WHERE action='open' AND outcome='ok'")
    export BOARDVAULT_BUSY_TIMEOUT_MS=60000
    for p in 1 2 3 4 5 6 7 8; do
        (for i in $(seq 50); do
            "$BV" open "$ID" --as alice --passphrase-fd 3 3<<<"$PW_ALICE" >/dev/null || echo FAIL >>fails
        done) &
    done
    wait
    [ ! -e fails ]
    after=$(sql "SELECT count(*) FROM audit WHERE action='open' AND outcome='ok'")
    [ $((after - before)) -eq 400 ]
    [ "$(sql "SELECT CASE WHEN count(*) = max(seq) THEN 1 ELSE 0 END FROM audit")" = 1 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "an independent RFC 6962 + signed-note implementation verifies the export and checkpoint" {
    bvp "$PW_ROOT" grant "$ID" bob --as "Root Officer"
    bvp "$PW_BOB" open "$ID" --as bob >/dev/null
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >cp1
    bvp "$PW_ALICE" open "$ID" --as alice >/dev/null
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >cp2
    "$BV" audit export --format jsonl >log.jsonl
    "$BV" member list --json | sed -n 's/.*"verifier_key": "\([^"]*\)".*/\1/p' >vkeys.txt
    [ "$(wc -l <vkeys.txt)" -eq 4 ]
    py=/usr/bin/python3
    run $py "$BATS_TEST_DIRNAME/independent_verify.py" --export log.jsonl --vkeys vkeys.txt --checkpoint cp1 --checkpoint cp2
    echo "$output" >&3
    [ "$status" -eq 0 ]
    root=$("$BV" audit verify | sed -n 's/^root //p')
    [[ "$output" == "OK size=$(wc -l <log.jsonl) root=$root" ]]
    # and it is not a rubber stamp: one edited field fails it
    sed '3s/"outcome": "ok"/"outcome": "denied"/' log.jsonl >bad.jsonl
    run $py "$BATS_TEST_DIRNAME/independent_verify.py" --export bad.jsonl --vkeys vkeys.txt --checkpoint cp1
    [ "$status" -eq 1 ]
}

@test "the independent verifier's own self-test passes (RFC 6962 and signed-note vectors)" {
    cd "$BATS_TEST_DIRNAME"
    PYTHONDONTWRITEBYTECODE=1 run /usr/bin/python3 -m unittest test_independent_verify
    [ "$status" -eq 0 ]
}

@test "an edited stored leaf hash (what proofs are built from) is caught by verify" {
    unlock_audit
    if on_pg; then zero="'\\x$(printf '0%.0s' $(seq 64))'::bytea"; else zero="zeroblob(32)"; fi
    sql "UPDATE audit SET leaf_hash = $zero WHERE seq = 4"
    run "$BV" audit verify
    [ "$status" -eq 5 ]
    [[ "$output" == *"audit entry 4"*"leaf hash"* ]]
}

@test "a pending member's refused attempt is logged unsigned and the log still verifies" {
    run bvp "$PW_CAROL" open "$ID" --as carol
    [ "$status" -eq 4 ]
    run "$BV" audit log --member carol --csv
    [[ "$output" == *'"denied","pending"'* ]]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "a refused minutes import by a non-officer is logged" {
    run bvp "$PW_ALICE" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" --board CSP --as alice
    [ "$status" -eq 4 ]
    run "$BV" audit log --action minutes-import --csv
    [[ "$output" == *'"alice"'*'"denied","not-an-officer"'* ]]
}

@test "audit log time filters: a date covers its whole day; anything else is a usage error" {
    today=$(date -u +%Y-%m-%d)
    run "$BV" audit log --until "$today" --csv
    [ "$(echo "$output" | wc -l)" -eq $((N + 1)) ]
    run "$BV" audit log --since "$today" --until "$today" --csv
    [ "$(echo "$output" | wc -l)" -eq $((N + 1)) ]
    run "$BV" audit log --since 2999-01-01 --csv
    [ "$(echo "$output" | wc -l)" -eq 1 ]
    run "$BV" audit log --since yesterday
    [ "$status" -eq 2 ]
}
