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

@test "-o - is standard output (open, minutes publish), never a file named -" {
    make_world
    echo "panel notes" >body.txt
    id=$(seal_item body.txt alice)
    run bvp "$PW_ALICE" open "$id" -o - --as alice
    [ "$status" -eq 0 ]
    [ "$output" = "panel notes" ]
    [ ! -e ./- ]
    bvp "$PW_ROOT" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" \
        --board CSP --as "Root Officer" >/dev/null
    run "$BV" minutes publish 1 --format txt -o -
    [ "$status" -eq 0 ]
    [[ "$output" == *"RESTRICTED"* ]]
    [ ! -e ./- ]
}

@test "-o - keeps the terminal rule: plaintext to a terminal only with --force" {
    command -v script >/dev/null || skip "script(1) not installed"
    make_world
    echo "panel notes" >body.txt
    id=$(seal_item body.txt alice)
    echo "$PW_ALICE" >pw
    run script -qec "$BV open $id -o - --as alice --passphrase-fd 3 3<pw" /dev/null
    [ "$status" -eq 2 ]
    [[ "$output" == *"terminal"* ]]
    [[ "$output" != *"panel notes"* ]]
    [ ! -e ./- ]
    run script -qec "$BV open $id -o - --force --as alice --passphrase-fd 3 3<pw" /dev/null
    [ "$status" -eq 0 ]
    [[ "$output" == *"panel notes"* ]]
}

@test "a failed write to standard output is exit 1, for every command that prints data" {
    [ -w /dev/full ] || skip "no /dev/full"
    make_world
    echo "panel notes" >body.txt
    id=$(seal_item body.txt alice)
    for c in "audit export --format jsonl" "audit export --format csv" "audit log" \
        "audit log --json" "audit summary" "items" "items --json" "member list" "board list" \
        "board show CSP" "member show alice" "audit verify" "--help" "minutes list"; do
        run bash -c "\"\$BV\" $c >/dev/full"
        [ "$status" -eq 1 ] || { echo "$c: $status"; false; }
        [[ "$output" == *"boardvault: writing standard output: No space left on device"* ]] || { echo "$c: $output"; false; }
    done
    # a document streamed with write(2), not stdio
    bvp "$PW_ROOT" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" \
        --board CSP --as "Root Officer" >/dev/null
    for c in "minutes publish 1 --format html" "minutes publish 1 --format txt -o -" \
        "minutes actions" "minutes show 1"; do
        run bash -c "\"\$BV\" $c >/dev/full"
        [ "$status" -eq 1 ] || { echo "$c: $status"; false; }
        [[ "$output" == *"writing standard output: No space left on device"* ]]
    done
    n=$(sql "SELECT count(*) FROM audit WHERE action='open' AND outcome='ok'")
    run bash -c "\"\$BV\" open $id --as alice --passphrase-fd 3 3<<<'$PW_ALICE' >/dev/full"
    [ "$status" -eq 1 ]
    [[ "$output" == *"writing standard output: No space left on device"* ]]
    [[ "$output" == *"nothing was lost"* ]]
    # the access was recorded before the first byte, as for any open
    [ "$(sql "SELECT count(*) FROM audit WHERE action='open' AND outcome='ok'")" = $((n + 1)) ]
}

@test "CSV cells that a spreadsheet would run as formulas are neutralised; JSON keeps the exact data" {
    make_world
    echo "notes" >body.txt
    id=$(seal_item body.txt alice)
    for who in '=HYPERLINK("http://evil.example","x")' '+1+cmd' '@SUM(A1)'; do
        run bvp "wrong-passphrase" open "$id" --as "$who"
        [ "$status" -eq 3 ]
    done
    for out in "audit log --csv" "audit export --format csv"; do
        "$BV" $out >out.csv
        grep -qF "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"" out.csv
        python3 - out.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) > 4, rows
for r in rows[1:]:
    cells = r[1:12]  # the text cells (not seq, auth or the leaf's base64)
    for c in cells:
        assert not c or c[0] not in "=+-@\t\r", (c, r)
names = {r[2] for r in rows[1:]}
for n in ("'+1+cmd", "'@SUM(A1)"):
    assert n in names, (n, names)
PY
    done
    "$BV" audit export --format jsonl >out.jsonl
    grep -qF '"actor": "=HYPERLINK(\"http://evil.example\",\"x\")"' out.jsonl
    "$BV" audit log --json >out.json
    grep -qF '"actor": "+1+cmd"' out.json
}

@test "--retain-until: past dates refused, impossible dates named, dates shown in items and --json" {
    make_world
    echo "case notes" >body.txt
    n=$(audit_n)
    run bvp "$PW_ROOT" seal CSP body.txt --title t --retain-until 2020-01-01 --as "Root Officer"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--retain-until 2020-01-01 is in the past"* ]]
    run bvp "$PW_ROOT" seal CSP body.txt --title t --retain-until 2031-02-30 --as "Root Officer"
    [ "$status" -eq 2 ]
    [[ "$output" == *"2031-02-30 is not a date: February 2031 has 28 days"* ]]
    run bvp "$PW_ROOT" seal CSP body.txt --title t --retain-until 2032-02-30 --as "Root Officer"
    [[ "$output" == *"February 2032 has 29 days"* ]]
    run bvp "$PW_ROOT" seal CSP body.txt --title t --retain-until 2031-13-01 --as "Root Officer"
    [ "$status" -eq 2 ]
    [[ "$output" == *"there is no month 13"* ]]
    run bvp "$PW_ROOT" seal CSP body.txt --title t --retain-until 31/03/2031 --as "Root Officer"
    [ "$status" -eq 2 ]
    [[ "$output" == *"needs a date YYYY-MM-DD"* ]]
    # refusals come before the passphrase: nothing stored, nothing logged
    [ "$(sql 'SELECT count(*) FROM items')" = 0 ]
    [ "$(audit_n)" = "$n" ]
    today=$(date -u +%Y-%m-%d)
    id1=$(bvp "$PW_ROOT" seal CSP body.txt --title kept --retain-until 2031-03-31 --as "Root Officer")
    id2=$(bvp "$PW_ROOT" seal CSP body.txt --title today --retain-until "$today" --as "Root Officer")
    id3=$(bvp "$PW_ROOT" seal CSP body.txt --title forever --as "Root Officer")
    run "$BV" items
    [ "$status" -eq 0 ]
    [[ "$output" == *"RETAIN"* ]]
    [[ "$(echo "$output" | grep "$id1")" == *"2031-03-31"* ]]
    [[ "$(echo "$output" | grep "$id2")" == *"$today"* ]]
    run "$BV" items --json
    python3 -c '
import json, sys
items = {i["id"]: i for i in json.loads(sys.argv[1])}
assert items[sys.argv[2]]["retain_until"] == "2031-03-31", items
assert items[sys.argv[3]]["retain_until"] == sys.argv[5], items
assert items[sys.argv[4]]["retain_until"] is None, items
' "$output" "$id1" "$id2" "$id3" "$today"
    # today's date is not passed yet: retention run keeps all three
    run bvp "$PW_ROOT" retention run --as "Root Officer"
    [ "$status" -eq 0 ]
    [ "$(sql 'SELECT count(*) FROM items')" = 3 ]
}

@test "a typo is one line with the nearest command, exit 2; help [COMMAND...] is --help" {
    run "$BV" member enrol alice
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *'did you mean `member enroll`?'* ]]
    run "$BV" membr list
    [ "$status" -eq 2 ]
    [[ "$output" == *'did you mean `member list`?'* ]]
    run "$BV" sael CSP body.txt
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *'unknown command sael; did you mean `seal`?'* ]]
    run "$BV" item destory 0123456789abcdef
    [[ "$output" == *'did you mean `item destroy`?'* ]]
    run "$BV" audit sumary
    [[ "$output" == *'did you mean `audit summary`?'* ]]
    run "$BV" --bogus
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    run "$BV" frobnicate
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    # help: the list, a group, a command (the same text as its --help)
    run "$BV" help
    [ "$status" -eq 0 ]
    [[ "$output" == *"member enroll"* ]] && [[ "$output" == *"Exit codes"* ]]
    run "$BV" help member
    [ "$status" -eq 0 ]
    [[ "$output" == *"boardvault member passwd"* ]]
    for c in "member enroll" seal open "audit log" "minutes publish"; do
        run "$BV" help $c
        [ "$status" -eq 0 ]
        a=$output
        run "$BV" $c --help
        [ "$a" = "$output" ]
    done
    run "$BV" help member enrol
    [ "$status" -eq 2 ]
    [[ "$output" == *'did you mean `member enroll`?'* ]]
}

@test "a unique prefix of an item id (4 digits or more) names the item wherever an ITEM is taken" {
    make_world
    echo "panel notes" >body.txt
    id=$(seal_item body.txt alice)
    p=${id:0:6}
    run bvp "$PW_ALICE" open "$p" --as alice
    [ "$status" -eq 0 ]
    [ "$output" = "panel notes" ]
    run bvp "$PW_ROOT" grant "${id:0:4}" bob --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"granted bob on $id"* ]]
    run bvp "$PW_ROOT" revoke "$p" bob --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"revoked bob on $id"* ]]
    run bvp "$PW_ROOT" rekey "$p" --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"item $id has a new data key"* ]]
    run "$BV" audit log --item "$p" --csv
    [ "$status" -eq 0 ]
    [[ "$output" == *'"open","CSP","'$id'"'* ]]
    [[ "$output" == *'"rekey","CSP","'$id'"'* ]]
    run "$BV" audit log --item "${id:0:3}"
    [ "$status" -eq 2 ]
    [[ "$output" == *"or more"* ]]
    run bvp "$PW_ROOT" item destroy "$p" --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"destroyed item $id"* ]]
    # a destroyed item is gone from items, but the log still knows its id
    run "$BV" audit log --item "$p" --csv
    [ "$status" -eq 0 ]
    [[ "$output" == *'"destroy","CSP","'$id'"'* ]]
    run bvp "$PW_ALICE" open "$p" --as alice
    [ "$status" -eq 6 ]
}

@test "an ambiguous item id prefix is exit 2 with the count of candidates; no match is 6" {
    make_world
    echo "one" >one.txt
    echo "two" >two.txt
    a=$(seal_item one.txt alice)
    b=$(seal_item two.txt alice)
    # ids are random: give both the same first digits (signatures no longer
    # matter: the prefix is resolved before anything is unlocked)
    sql "UPDATE items SET uid='abcd00000000000a' WHERE uid='$a'; UPDATE items SET uid='abcd00000000000b' WHERE uid='$b'"
    n=$(audit_n)
    for cmd in "open abcd --as alice" "grant abcd0 bob --as 'Root Officer'" "revoke abcd bob --as 'Root Officer'" \
        "rekey abcd --as 'Root Officer'" "item destroy abcd --as 'Root Officer'"; do
        eval "run \"\$BV\" $cmd --passphrase-fd 3 3</dev/null"
        [ "$status" -eq 2 ] || { echo "$cmd: $status $output"; false; }
        [[ "$output" == *"abcd"*"is the start of 2 item ids"* ]]
    done
    run "$BV" audit log --item abcd
    [ "$status" -eq 2 ]
    [[ "$output" == *"2 item ids"* ]]
    run "$BV" open 1234 --as alice --passphrase-fd 3 3</dev/null
    [ "$status" -eq 6 ]
    [[ "$output" == *"no item with an id starting 1234"* ]]
    run "$BV" audit log --item 1234
    [ "$status" -eq 6 ]
    [ "$(audit_n)" = "$n" ]
}

@test "checks that need no key come before the passphrase: unknown board, member, item; weak new passphrase" {
    make_world
    echo "notes" >body.txt
    id=$(seal_item body.txt alice)
    n=$(audit_n)
    # an empty passphrase fd: had the command asked for the passphrase
    # first, it would fail on that (2), not on what it names (6)
    for cmd in "seal NOBOARD body.txt --title t --as 'Root Officer'" \
        "seal CSP body.txt --title t --grant alice,nobody --as 'Root Officer'" \
        "grant $id nobody --as 'Root Officer'" "grant ffffffffffffffff alice --as 'Root Officer'" \
        "revoke $id nobody --as 'Root Officer'" "rekey ffffffffffffffff --as 'Root Officer'" \
        "item destroy ffffffffffffffff --as 'Root Officer'" "open ffffffffffffffff --as alice" \
        "board add NOBOARD alice --role member --as 'Root Officer'" "board add CSP nobody --role member --as 'Root Officer'" \
        "board remove NOBOARD alice --as 'Root Officer'" "board remove CSP nobody --as 'Root Officer'" \
        "member approve nobody --as 'Root Officer'" "member reset nobody --as 'Root Officer'" \
        "seal CSP nothere.txt --title t --as 'Root Officer'" \
        "seal CSP body.txt --meeting 9 --agenda-item 5 --as 'Root Officer'"; do
        eval "run \"\$BV\" $cmd --passphrase-fd 3 3</dev/null"
        [ "$status" -eq 6 ] || { echo "$cmd: $status $output"; false; }
        [[ "$output" != *"passphrase"* ]]
    done
    [ "$(sql 'SELECT count(*) FROM items')" = 1 ]
    bvp "$PW_ROOT" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" \
        --board CSP --as "Root Officer" >/dev/null
    n=$(audit_n)
    run "$BV" seal CSP body.txt --meeting 1 --agenda-item 99 --as "Root Officer" --passphrase-fd 3 3</dev/null
    [ "$status" -eq 6 ]
    [[ "$output" == *"meeting 1 has no agenda item 99"* ]]
    run "$BV" seal CSP body.txt --meeting 1 --agenda-item 1 --as "Root Officer" --passphrase-fd 3 3</dev/null
    [ "$status" -eq 2 ]
    [[ "$output" == *"not a restricted item"* ]]
    # member passwd reads both lines and judges the new passphrase before
    # unlocking: a wrong current passphrase is not even tried
    run "$BV" member passwd --as alice --passphrase-fd 3 3< <(printf 'wrong-current-pass\npassword\n')
    [ "$status" -eq 7 ]
    [[ "$output" == *"too short"* ]]
    run "$BV" member passwd --as alice --passphrase-fd 3 3< <(printf 'wrong-current-pass\n')
    [ "$status" -eq 2 ]
    [[ "$output" == *"no passphrase on fd 3"* ]]
    # no failed unlock, no attempt: the log did not move
    [ "$(audit_n)" = "$n" ]
    [ "$(sql "SELECT count(*) FROM audit WHERE outcome <> 'ok'")" = 0 ]
    # and with the right passphrases it still works
    run "$BV" member passwd --as alice --passphrase-fd 3 3< <(printf '%s\n%s\n' "$PW_ALICE" "$PW_CAROL")
    [ "$status" -eq 0 ]
}

# aligned HEADER RIGHT... - stdin is a table (after any lines before the
# one starting with HEADER): every cell starts under its header (ends under
# it for the RIGHT-aligned columns), counted in characters, not bytes
aligned() {
    python3 -c '
import re, sys
first, right = sys.argv[1], sys.argv[2:]
lines = sys.stdin.buffer.read().decode("utf-8").split("\n")
while lines and not lines[0].startswith(first):
    lines.pop(0)
assert lines, "no table starting with " + first
head, rows = lines[0], [l for l in lines[1:] if l]
assert rows, "no rows"
cols = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", head)]
for r in rows:
    for start, end, name in cols:
        if name in right:
            assert r[end - 1] != " " and (end == len(r) or r[end] == " "), (name, head, r)
        elif start > 0 and len(r) > start:
            assert r[start - 1] == " " and r[start] != " ", (name, head, r)
' "$@"
}

@test "tables: headers over their columns, widths in characters, no character cut, control bytes escaped" {
    make_world
    zoe="Zoë Ålander-Øyvindsdóttir"
    pz="Øresund-kettle-marble-4471"
    bvp "$pz" member enroll "$zoe" $KDF >/dev/null
    bvp "$PW_ROOT" member approve "$zoe" --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP "$zoe" --role member --as "Root Officer" >/dev/null
    echo "notes" >body.txt
    id=$(bvp "$PW_ROOT" seal CSP body.txt --title "Zoë's review" --grant "$zoe,alice" \
        --retain-until 2031-03-31 --as "Root Officer")
    bvp "$pz" open "$id" --as "$zoe" >/dev/null
    run bvp "$PW_BOB" open "$id" --as bob
    [ "$status" -eq 4 ]
    bvp "$PW_ROOT" minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" \
        --board CSP --as "Root Officer" >/dev/null
    for c in "items:ID:SIZE" "audit log:SEQ:SEQ" "audit summary:ITEM:OPENS" "member list:STATE:" \
        "board list:EPOCH:EPOCH" "board show CSP:ROLE:" "minutes list:ID:ID ITEMS RESTRICTED" \
        "minutes actions:MTG:MTG ITEM"; do
        IFS=: read -r cmd first right <<<"$c"
        "$BV" $cmd >out.txt
        iconv -f UTF-8 -t UTF-8 out.txt >/dev/null || { echo "$cmd: not UTF-8"; false; }
        aligned "$first" $right <out.txt || { echo "$cmd:"; cat out.txt; false; }
    done
    "$BV" audit summary >out.txt
    grep -q "$zoe" out.txt
    "$BV" audit log >out.txt
    grep -q "$zoe" out.txt
    # cut to fit a terminal: between characters, still aligned
    if command -v script >/dev/null; then
        COLUMNS=50 script -qec "stty cols 50; $BV audit summary" /dev/null | tr -d '\r' >tty.txt
        iconv -f UTF-8 -t UTF-8 tty.txt >/dev/null
    fi
    # names and titles come from the vault file: never let them drive the terminal
    if on_pg; then chr=chr; else chr=char; fi
    sql "UPDATE items SET title = 'evil' || $chr(27) || '[2J' || $chr(7) WHERE uid = '$id'"
    "$BV" items >out.txt
    ! grep -q $'\x1b' out.txt || false
    ! grep -q $'\a' out.txt || false
    grep -qF 'evil\x1b[2J\x07' out.txt
    "$BV" audit summary >out.txt
    ! grep -q $'\x1b' out.txt || false
}

@test "an option given twice is refused (2), before any prompt; lists (--grant, --checkpoint) may repeat" {
    make_world
    printf 'notes\n' >s.txt
    n=$(sql "SELECT count(*) FROM audit")
    run "$BV" seal CSP s.txt --title A --title B --as "Root Officer" --passphrase-fd 3 3</dev/null
    [ "$status" -eq 2 ]
    [[ "$output" == *"--title is given twice"* ]]
    run "$BV" items --board CSP --board Other
    [ "$status" -eq 2 ]
    [ "$(sql "SELECT count(*) FROM audit")" = "$n" ]
    run bvp "$PW_ROOT" seal CSP s.txt --title A --grant alice --grant bob --as "Root Officer"
    [ "$status" -eq 0 ]
    run "$BV" items
    [[ "$output" == *"alice, bob"* ]]
}
