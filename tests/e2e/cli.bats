#!/usr/bin/env bats
# cli.bats - the command line as people meet it: passphrase fds, -o -,
# failed writes, exit codes, CSV cells, tables, dates, typos, prefixes,
# and the checks made before any passphrase is asked for (issue 11, 5-13).

load helpers

setup() { setup_vault; }
teardown() { teardown_vault; }

# audit_n - the number of audit entries
audit_n() { sql 'SELECT count(*) FROM audit'; }

@test "--passphrase-fd N that is not open is refused before any file is opened" {
    make_world
    # the body's first line is a passphrase: were fd 3 handed to the body
    # file, it would be read as the passphrase
    printf '%s\nrest of the body\n' "$PW_ROOT" >body.txt
    n=$(audit_n)
    run "$BV" seal CSP body.txt --title t --as "Root Officer" --passphrase-fd 3 3<&-
    [ "$status" -eq 2 ]
    [[ "$output" == *"fd 3 is not open"* ]]
    [ "$(audit_n)" = "$n" ]
    [ "$(sql 'SELECT count(*) FROM items')" = 0 ]
    run "$BV" minutes import body.txt --board CSP --as "Root Officer" --passphrase-fd 7
    [ "$status" -eq 2 ]
    [[ "$output" == *"fd 7 is not open"* ]]
    [ "$(audit_n)" = "$n" ]
}

@test "a missing vault is 6 (not found) and says how to make one; a non-vault stays 7" {
    run "$BV" --vault missing.db items
    [ "$status" -eq 6 ]
    [[ "$output" == *'no vault at missing.db (create one with `boardvault init`)'* ]]
    [ ! -e missing.db ]
    run bvp "$PW_ROOT" --vault nodir/v.db board create CSP --as "Root Officer"
    [ "$status" -eq 6 ]
    echo "not a vault" >junk.db
    run "$BV" --vault junk.db items
    [ "$status" -eq 7 ]
}
