#!/usr/bin/env bats
# roles.bats - the role matrix of docs/DESIGN.md, cell by cell: on board
# CSP, olive is an officer, mike a member, audrey an auditor; nora is
# approved but not on the board. Each row is a test; each cell asserts
# the exit status (0 done, 4 refused).

load helpers

PW_O="olive-harbour-velvet-3141"
PW_M="maple-ledger-trumpet-2718"
PW_A="auburn-quartz-pelican-1618"
PW_N="nutmeg-canyon-zephyr-1414"

pw() { case $1 in olive) echo "$PW_O" ;; mike) echo "$PW_M" ;; audrey) echo "$PW_A" ;; nora) echo "$PW_N" ;; esac; }

# root; olive officer, mike member, audrey auditor, nora enrolled with no
# role; an item granted to mike: built once per file (helpers.bash)
roles_world() {
    bvp "$PW_ROOT" init --as "Root Officer" $KDF >/dev/null
    bvp "$PW_ROOT" board create CSP --as "Root Officer" >/dev/null
    for who in olive:officer mike:member audrey:auditor nora:-; do
        n=${who%%:*}
        r=${who#*:}
        bvp "$(pw "$n")" member enroll "$n" $KDF >/dev/null
        bvp "$PW_ROOT" member approve "$n" --as "Root Officer" >/dev/null
        [ "$r" = - ] || bvp "$PW_ROOT" board add CSP "$n" --role "$r" --as "Root Officer" >/dev/null
    done
    echo body >x
    ID=$(bvp "$PW_ROOT" seal CSP x --title t --grant mike --as "Root Officer")
}
setup() {
    setup_vault
    cached_world -roles roles_world ID
    echo body >x
}
teardown() { teardown_vault; }

# cell WHO WANT CMD... : run CMD as WHO (passphrase on fd 3) and check the status
cell() {
    local who=$1 want=$2
    shift 2
    run "$BV" "$@" --as "$who" --passphrase-fd 3 3<<<"$(pw "$who")"
    if [ "$status" -ne "$want" ]; then
        echo "cell $who / $*: exit $status, expected $want: $output" >&3
        return 1
    fi
}

@test "seal: officer yes; member, auditor, outsider no" {
    cell olive 0 seal CSP x --title t
    cell mike 4 seal CSP x --title t
    cell audrey 4 seal CSP x --title t
    cell nora 4 seal CSP x --title t
}

@test "grant and revoke: officer yes; member, auditor, outsider no" {
    cell mike 4 grant "$ID" mike
    cell audrey 4 grant "$ID" mike
    cell nora 4 grant "$ID" mike
    cell mike 4 revoke "$ID" mike
    cell audrey 4 revoke "$ID" mike
    cell nora 4 revoke "$ID" mike
    cell olive 0 revoke "$ID" mike
    cell olive 0 grant "$ID" mike
}

@test "rekey and destroy: officer yes; member, auditor, outsider no" {
    cell mike 4 rekey "$ID"
    cell audrey 4 rekey "$ID"
    cell nora 4 rekey "$ID"
    cell olive 0 rekey "$ID"
    cell mike 4 item destroy "$ID"
    cell audrey 4 item destroy "$ID"
    cell nora 4 item destroy "$ID"
    cell olive 0 item destroy "$ID"
}

@test "add and remove people: officer yes; member, auditor, outsider no" {
    cell mike 4 board add CSP nora --role member
    cell audrey 4 board add CSP nora --role member
    cell nora 4 board add CSP nora --role member
    cell olive 0 board add CSP nora --role member
    cell mike 4 board remove CSP nora
    cell audrey 4 board remove CSP nora
    cell olive 0 board remove CSP nora
}

@test "import minutes: officer yes; member, auditor, outsider no" {
    m="$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt"
    cell mike 4 minutes import "$m" --board CSP
    cell audrey 4 minutes import "$m" --board CSP
    cell nora 4 minutes import "$m" --board CSP
    cell olive 0 minutes import "$m" --board CSP
}

@test "checkpoint: officer and auditor yes; member and outsider no" {
    cell olive 0 audit checkpoint
    cell audrey 0 audit checkpoint
    cell mike 4 audit checkpoint
    cell nora 4 audit checkpoint
}

@test "open: the grantee yes; an ungranted officer, the auditor, the outsider no" {
    cell mike 0 open "$ID"
    cell olive 4 open "$ID"
    cell audrey 4 open "$ID"
    cell nora 4 open "$ID"
}

@test "the auditor's tools need no passphrase and no decrypt rights" {
    bvp "$PW_A" audit checkpoint --as audrey >cp
    for c in "audit log" "audit summary" "audit verify" "audit verify --checkpoint cp" \
        "audit prove 3" "audit consistency 2 4" "audit export --format jsonl" \
        "audit export --format csv"; do
        run $BV $c
        [ "$status" -eq 0 ] || { echo "$c: $output" >&3; false; }
        [[ "$output" != *body* ]]
    done
    bvp "$PW_O" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" --board CSP --as olive >/dev/null
    run "$BV" minutes show 1 --audit
    [ "$status" -eq 0 ]
}

@test "a person holds different roles on different boards" {
    bvp "$PW_ROOT" board create SAB --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add SAB mike --role officer --as "Root Officer" >/dev/null
    cell mike 0 seal SAB x --title other
    cell mike 4 seal CSP x --title t
    cell mike 0 open "$ID"
}
