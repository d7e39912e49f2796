#!/usr/bin/env bats
# everyday.bats - issue 17: an officer's afternoon. Approving against the
# fingerprint the member reads out, and y/N before what cannot be undone,
# the terminal behaviours through a pseudo-terminal (util-linux script).

load helpers

setup() { setup_vault; }
teardown() { teardown_vault; }

# pty INPUT CMD... - run CMD on a pseudo-terminal with INPUT typed into it
# (the passphrase still comes from fd 3, which script passes through)
pty() {
    local input=$1
    shift
    printf '%s' "$input" | script -qec "$(printf '%q ' "$@")" /dev/null
}

jq_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
fp_of() { "$BV" member show "$1" --json | sed -n 's/.*"fingerprint": "\([^"]*\)".*/\1/p'; }
aloud_of() { "$BV" member show "$1" --json | sed -n 's/.*"fingerprint_aloud": "\([^"]*\)".*/\1/p'; }
state_of() { "$BV" member show "$1" --json | sed -n 's/.*"state": "\([^"]*\)".*/\1/p'; }

@test "member show and enroll print the fingerprint in a form to read aloud" {
    make_world
    run "$BV" member show carol
    [ "$status" -eq 0 ]
    [[ "$output" == *"fingerprint:   SHA256:"* ]]
    [[ "$output" =~ read\ aloud:\ +([0-9a-f]{4}\ ){7}[0-9a-f]{4} ]]
    # the aloud form is the first 128 bits of the same SHA-256
    fp=$(fp_of carol)
    hex=$(printf '%s' "${fp#SHA256:}=" | base64 -d 2>/dev/null | od -An -tx1 -N16 | tr -d ' \n')
    [ "$(aloud_of carol | tr -d ' ')" = "$hex" ]
    run bvp "tidal-meadow-cornet-3381" member enroll dave $KDF
    [ "$status" -eq 0 ]
    [[ "$output" == *"read aloud:  "* ]]
}

@test "approve --fingerprint: another fingerprint is refused before the passphrase (exit 5)" {
    make_world
    # no passphrase is given at all: the refusal must come first
    run "$BV" member approve carol --fingerprint "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" --as "Root Officer"
    [ "$status" -eq 5 ]
    [[ "$output" == *"not SHA256:AAAA"* ]]
    [[ "$output" == *"nothing approved"* ]]
    [ "$(state_of carol)" = pending ]
    run "$BV" member approve carol --fingerprint "0000 1111 2222 3333 4444 5555 6666 7777" --as "Root Officer"
    [ "$status" -eq 5 ]
    [ "$(state_of carol)" = pending ]
    run "$BV" member approve carol --fingerprint "not-a-fingerprint" --as "Root Officer"
    [ "$status" -eq 2 ]
}

@test "approve --fingerprint: the read-aloud form (any case and spacing) or SHA256 form approves" {
    make_world
    aloud=$(aloud_of carol)
    run bvp "$PW_ROOT" member approve carol --fingerprint "$(echo "$aloud" | tr a-f A-F | tr -d ' ')" --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"approved carol"* ]]
    [[ "$output" == *"read aloud:  $aloud"* ]]
    [ "$(state_of carol)" = approved ]
    bvp "tidal-meadow-cornet-3381" member enroll dave $KDF >/dev/null
    run bvp "$PW_ROOT" member approve dave --fingerprint "$(fp_of dave)" --as "Root Officer"
    [ "$status" -eq 0 ]
    [ "$(state_of dave)" = approved ]
}

@test "approve --fingerprint checks the new keys of a member rekey, not the old ones" {
    make_world
    old=$(fp_of alice)
    printf '%s\n%s\n' "$PW_ALICE" "fresh-lantern-harbour-6172" >pw
    "$BV" member rekey --as alice --passphrase-fd 3 3<pw >out
    new=$(sed -n 's/^fingerprint: *//p' out)
    [ -n "$new" ] && [ "$new" != "$old" ]
    run bvp "$PW_ROOT" member approve alice --fingerprint "$old" --as "Root Officer"
    [ "$status" -eq 5 ]
    run bvp "$PW_ROOT" member approve alice --fingerprint "$new" --as "Root Officer"
    [ "$status" -eq 0 ]
    [ "$(fp_of alice)" = "$new" ]
}

@test "on a terminal, approve shows the fingerprint and asks; no approves nothing" {
    make_world
    fp=$(fp_of carol)
    run pty "n
" "$BV" member approve carol --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$fp"* ]]
    [[ "$output" == *"$(aloud_of carol)"* ]]
    [[ "$output" == *"Approve them? [y/N]"* ]]
    [[ "$output" == *"not confirmed: nothing done"* ]]
    [ "$(state_of carol)" = pending ]
    run pty "y
" "$BV" member approve carol --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"approved carol"* ]]
    [ "$(state_of carol)" = approved ]
}

@test "on a terminal, item destroy says what goes and asks; --yes does not ask" {
    make_world
    echo secret >doc
    id=$(seal_item doc alice)
    run pty "
" "$BV" item destroy "$id" --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Destroying item $id (\"Domestic Homicide Review\", board CSP)"* ]]
    [[ "$output" == *"Destroy it? [y/N]"* ]]
    bvp "$PW_ALICE" open "$id" --as alice | grep -q secret
    run pty "" "$BV" item destroy "$id" --yes --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 0 ]
    [[ "$output" != *"[y/N]"* ]]
    [[ "$output" == *"destroyed item $id"* ]]
    run bvp "$PW_ALICE" open "$id" --as alice
    [ "$status" -eq 6 ]
}

@test "on a terminal, board remove, member reset and retention run ask first; no changes nothing" {
    make_world
    echo secret >doc
    id=$(bvp "$PW_ROOT" seal CSP doc --title t --grant alice --retain-until 2099-01-01 --as "Root Officer")
    run pty "n
" "$BV" board remove CSP alice --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Removing alice from CSP revokes their grants"* ]]
    run pty "no
" "$BV" member reset bob --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Resetting bob deletes their keys"* ]]
    # the retention run on a clock past the item's date (libfaketime)
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    run pty "n
" faketime "2099-01-05 12:00:00" "$BV" retention run --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 1 ]
    [[ "$output" == *"1 item is past its retention date"* ]]
    [[ "$output" == *"$id (board CSP)"* ]]
    # nothing changed: alice still opens, bob still approved
    bvp "$PW_ALICE" open "$id" --as alice | grep -q secret
    [ "$(state_of bob)" = approved ]
    # off a terminal (a script) nothing is asked, as before
    run bvp "$PW_ROOT" board remove CSP alice --as "Root Officer" </dev/null
    [ "$status" -eq 0 ]
}


@test "status: the vault, its pinned root, the log against the remembered head, checkpoints, KDF, leftovers" {
    vid=$(bvp "$PW_ROOT" init --as "Root Officer" --kdf-memory 32768 --kdf-time 2 --kdf-lanes 1 --json | jq_get '["vault_id"]')
    bvp "$PW_ALICE" member enroll alice $KDF >/dev/null
    run "$BV" status
    [ "$status" -eq 0 ]
    [[ "$output" == *"(id $vid)"* ]]
    [[ "$output" == *"root:        Root Officer, SHA256:"* ]]
    # init and enroll wrote the log's two entries; their head is remembered
    [[ "$output" =~ log:\ +2\ entries\;\ extends\ the\ 2\ this\ client\ remembers\ \(verified\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\) ]]
    [[ "$output" == *"checkpoint:  none yet"* ]]
    [[ "$output" == *"KDF policy:  32768 KiB, 2 passes, 1 lanes"* ]]
    # alice's record is below the vault's policy; the root's meets it
    run "$BV" status --as alice
    [[ "$output" == *"your KDF:    19456 KiB"*"below the policy: member passwd upgrades it"* ]]
    run "$BV" status --as "Root Officer"
    [[ "$output" == *"meets the policy"* ]]
    # no passphrase was asked: none was given, and stdin is not a terminal
    run "$BV" status --as nobody
    [ "$status" -eq 6 ]
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >/dev/null
    sql "INSERT INTO bodies(state, touched) VALUES ('staging', '2000-01-01T00:00:00Z')"
    run "$BV" status --json
    [ "$status" -eq 0 ]
    # the checkpoint covers the entries before its own
    [ "$(echo "$output" | jq_get '["checkpoint"]["size"]')" = 2 ]
    [ "$(echo "$output" | jq_get '["log_size"]')" = 3 ]
    [ "$(echo "$output" | jq_get '["staging_bodies"]')" = 1 ]
    [ "$(echo "$output" | jq_get '["vault_id"]')" = "$vid" ]
    [ "$(echo "$output" | jq_get '["kdf_policy"]["memory_kib"]')" = 32768 ]
    # the checkpoint wrote the third entry, and this client remembers it
    [ "$(echo "$output" | jq_get '["remembered_size"]')" = 3 ]
    [[ "$(echo "$output" | jq_get '["remembered_at"]')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
    # the vault's size: the text line is the --json bytes, in KiB or MiB
    bytes=$(echo "$output" | jq_get '["bytes"]')
    [ "$bytes" -gt 0 ]
    size=$(python3 -c 'import sys; b=int(sys.argv[1]); print("%.1f MiB" % (b/1048576) if b >= 1048576 else "%.1f KiB" % (b/1024))' "$bytes")
    run "$BV" status
    [[ "$output" == *"log:         3 entries; extends the 3 this client remembers (verified "* ]]
    [[ "$output" =~ size:\ +[0-9]+\.[0-9]\ (KiB|MiB|GiB) ]]
    # (a server's database size may move between two reads; a file's does not)
    on_pg || [[ "$output" == *"size:        $size"$'\n'* || "$output" == *"size:        $size" ]]
    # the newest checkpoint's age, on a clock two days and three hours on
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    run faketime "2 days 3 hours" "$BV" status
    [ "$status" -eq 0 ]
    [[ "$output" == *"checkpoint:  newest at size 2, 2d 3h ago (20"*"Z)"* ]]
    run faketime "2 days 3 hours" "$BV" status --json
    [ "$status" -eq 0 ]
    age=$(echo "$output" | jq_get '["checkpoint"]["age_seconds"]')
    [ "$age" -ge $((2 * 86400 + 3 * 3600)) ]
    [ "$age" -lt $((2 * 86400 + 3 * 3600 + 60)) ]
    [[ "$(echo "$output" | jq_get '["checkpoint"]["created"]')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
}

@test "backup: a verified copy that keeps the vault id, root and log; DEST never replaced" {
    sqlite_only "SQLite online backup; a server vault is backed up with pg_dump (server.bats)"
    make_world
    echo secret >doc
    id=$(seal_item doc alice)
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >before.cp
    run "$BV" backup copy.db
    [ "$status" -eq 0 ]
    [[ "$output" == *"audit entries verified in the copy"* ]]
    [ "$(stat -c %a copy.db)" = 600 ]
    [ -z "$(ls | grep 'copy.db.tmp')" ]
    run "$BV" --vault copy.db audit verify --checkpoint before.cp
    [ "$status" -eq 0 ]
    [ "$(sqlite3 copy.db "SELECT hex(value) FROM meta WHERE key='vault_id'")" = \
        "$(sql "SELECT hex(value) FROM meta WHERE key='vault_id'")" ]
    # the copy is a working vault: alice opens her item in it, on another
    # machine (here, the copy's log now forks from the vault's)
    XDG_CONFIG_HOME="$T/elsewhere" bvp "$PW_ALICE" --vault copy.db open "$id" --as alice | grep -q secret
    # an existing DEST is never replaced
    echo keep >taken
    run "$BV" backup taken
    [ "$status" -eq 2 ]
    [ "$(cat taken)" = keep ]
    run "$BV" backup copy.db --json
    [ "$status" -eq 2 ]
}

@test "backup carries the bodies kept in files: DEST.bodies named first, never replaced" {
    sqlite_only
    make_world
    head -c 2500000 /dev/urandom >big
    id=$(seal_item big alice)
    b=$(sql "SELECT body_id FROM items WHERE uid = '$id'")
    [ -f "vault.db.bodies/$b" ]
    # a destroyed body is not carried
    id2=$(seal_item big alice)
    b2=$(sql "SELECT body_id FROM items WHERE uid = '$id2'")
    bvp "$PW_ROOT" item destroy "$id2" --yes --as "Root Officer" >/dev/null
    [ ! -e "vault.db.bodies/$b2" ]
    run "$BV" backup copy.db
    [ "$status" -eq 0 ]
    [ "$(stat -c %a copy.db.bodies)" = 700 ]
    [ "$(ls copy.db.bodies)" = "$b" ]
    cmp "vault.db.bodies/$b" "copy.db.bodies/$b"
    [ -z "$(ls | grep 'copy.db.tmp')" ]
    XDG_CONFIG_HOME="$T/elsewhere" bvp "$PW_ALICE" --vault copy.db open "$id" --as alice -o out
    cmp out big
    # the copy without its directory cannot open the large item (5)
    mv copy.db.bodies aside
    run env XDG_CONFIG_HOME="$T/elsewhere" "$BV" --vault copy.db open "$id" --as alice --passphrase-fd 3 3<<<"$PW_ALICE"
    [ "$status" -eq 5 ]
    # a DEST.bodies already there is never replaced, and no DEST is made
    mkdir other.db.bodies
    run "$BV" backup other.db
    [ "$status" -eq 2 ]
    [ ! -e other.db ]
    [ -z "$(ls other.db.bodies)" ]
    [ -z "$(ls | grep 'other.db.tmp')" ]
}

@test "backup of a vault whose log does not verify leaves no file" {
    sqlite_only "SQLite online backup"
    make_world
    sql "DROP TRIGGER audit_no_update; UPDATE audit SET actor = actor || 'x' WHERE seq = 3"
    run "$BV" backup copy.db
    [ "$status" -eq 5 ]
    [ ! -e copy.db ]
    [ -z "$(ls | grep 'copy.db')" ]
}

@test "global options after the command: items --vault X; given twice is refused" {
    sqlite_only "moves the vault file"
    make_world
    mv "$BOARDVAULT_PATH" moved.db
    mv "$BOARDVAULT_PATH-wal" moved.db-wal 2>/dev/null || true
    mv "$BOARDVAULT_PATH-shm" moved.db-shm 2>/dev/null || true
    run "$BV" items --vault moved.db
    [ "$status" -eq 0 ]
    run "$BV" board list --vault=moved.db
    [ "$status" -eq 0 ]
    [[ "$output" == *CSP* ]]
    run "$BV" --vault moved.db items --vault other.db
    [ "$status" -eq 2 ]
    [[ "$output" == *"--vault is given twice"* ]]
    run "$BV" items
    [ "$status" -eq 6 ]
}

@test "--json for init, seal, audit verify, prove, consistency and checkpoint" {
    run bvp "$PW_ROOT" init --as "Root Officer" $KDF --json
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq_get '["root_officer"]')" = "Root Officer" ]
    [[ "$(echo "$output" | jq_get '["fingerprint"]')" == SHA256:* ]]
    bvp "$PW_ROOT" board create CSP --as "Root Officer" >/dev/null
    echo x >doc
    run bvp "$PW_ROOT" seal CSP doc --title t --json --as "Root Officer"
    [ "$status" -eq 0 ]
    id=$(echo "$output" | jq_get '["id"]')
    [ "${#id}" -eq 16 ]
    n=$(sql "SELECT count(*) FROM audit")
    run bvp "$PW_ROOT" audit checkpoint --json --as "Root Officer"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq_get '["size"]')" = "$n" ]
    [[ "$(echo "$output" | jq_get '["note"]')" == *"— "* ]]
    run "$BV" audit verify --json
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq_get '["ok"]')" = True ]
    [ "$(echo "$output" | jq_get '["size"]')" = $((n + 1)) ]
    [ "$(echo "$output" | jq_get '["stored_checkpoints"]')" = 1 ]
    root=$(echo "$output" | jq_get '["root"]')
    run "$BV" audit prove 2 --json
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq_get '["root"]')" = "$root" ]
    [ "$(echo "$output" | jq_get '["index"]')" = 1 ]
    run "$BV" audit consistency 1 $((n + 1)) --json
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | jq_get '["new"]["root"]')" = "$root" ]
    [ "$(echo "$output" | jq_get '["proof"].__len__()')" -ge 1 ]
}

@test "on a terminal: Unlocking NAME… and a progress bar; --quiet and a pipe show neither" {
    make_world
    head -c 5242880 /dev/urandom >big
    # the bar waits 2 s before it shows; the tests show it at once
    export BOARDVAULT_PROGRESS_AFTER_MS=0
    run pty "" "$BV" seal CSP big --title big --grant alice --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Unlocking Root Officer…"* ]]
    [[ "$output" == *"seal [########################] 100% 5.0 MiB"* ]]
    id=$(echo "$output" | grep -o '[0-9a-f]\{16\}' | tail -1)
    run pty "" "$BV" open "$id" -o back --as alice --passphrase-fd 3 3<<<"$PW_ALICE"
    [ "$status" -eq 0 ]
    [[ "$output" == *"open ["*"100%"* ]]
    cmp big back
    # rekey writes the body again under a new key: its bar is that body's
    run pty "" "$BV" rekey "$id" --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"rekey [########################] 100% 5.0 MiB"* ]]
    bvp "$PW_ROOT" rekey "$id" --as "Root Officer" 2>err >/dev/null
    [ ! -s err ]
    run pty "" "$BV" audit verify
    [ "$status" -eq 0 ]
    [[ "$output" == *"verify ["*"100%"*"entries/s"* ]]
    # the destroy's bar is its body's sweep
    id2=$(bvp "$PW_ROOT" seal CSP big --title big-too --as "Root Officer")
    run pty "" "$BV" item destroy "$id2" --yes --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"destroy [########################] 100% 5.0 MiB"* ]]
    # --quiet (before or after the command) silences both on a terminal
    run pty "" "$BV" --quiet seal CSP big --title big2 --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 0 ]
    [[ "$output" != *"Unlocking"* ]]
    [[ "$output" != *"seal ["* ]]
    run pty "" "$BV" seal CSP big --title big3 --quiet --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [[ "$output" != *"seal ["* ]]
    # off a terminal nothing changes
    bvp "$PW_ROOT" seal CSP big --title big4 --as "Root Officer" 2>err >/dev/null
    [ ! -s err ]
}

@test "board and member names match without regard to case when unambiguous, with did you mean" {
    make_world
    echo x >doc
    # csp is CSP, ALICE is alice, "root officer" is Root Officer
    run bvp "$PW_ROOT" seal csp doc --title t --grant ALICE --as "root officer"
    [ "$status" -eq 0 ]
    id=$output
    [ "$(sql "SELECT b.name FROM items i JOIN boards b ON b.id = i.board_id WHERE i.uid = '$id'")" = CSP ]
    bvp "$PW_ALICE" open "$id" --as Alice | grep -q x
    # a typo: nearest name suggested, before any passphrase (none given)
    run "$BV" grant "$id" alcie --as "Root Officer"
    [ "$status" -eq 6 ]
    [[ "$output" == *'no member named "alcie"; did you mean "alice"?'* ]]
    run "$BV" board add CPS bob --role member --as "Root Officer"
    [ "$status" -eq 6 ]
    [[ "$output" == *'did you mean "CSP"?'* ]]
    # two names that differ only in case: the exact one is needed
    bvp "tidal-meadow-cornet-3381" member enroll dave $KDF >/dev/null
    bvp "tidal-meadow-cornet-3382" member enroll Dave $KDF >/dev/null
    run "$BV" member approve DAVE --as "Root Officer"
    [ "$status" -eq 2 ]
    [[ "$output" == *"but for case: give the exact name"* ]]
}

@test "bash completion offers commands, subcommands, options, boards and members" {
    make_world
    PATH="$(dirname "$BV"):$PATH"
    source "$BATS_TEST_DIRNAME/../../scripts/completion/boardvault.bash"
    comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _boardvault; echo " ${COMPREPLY[*]} "; }
    [[ "$(comp boardvault se)" == *" seal "* ]]
    [[ "$(comp boardvault st)" == *" status "* ]]
    [[ "$(comp boardvault member ap)" == " approve " ]]
    [[ "$(comp boardvault member approve carol --fi)" == " --fingerprint " ]]
    [[ "$(comp boardvault seal CSP doc --gr)" == " --grant " ]]
    [[ "$(comp boardvault seal CSP doc --as R)" == *' Root\ Officer '* ]]
    [[ "$(comp boardvault seal CSP doc --grant al)" == " alice " ]]
    [[ "$(comp boardvault items --board C)" == " CSP " ]]
    [[ "$(comp boardvault board add C)" == *" CSP "* ]]
    [[ "$(comp boardvault board add CSP ca)" == *" carol "* ]]
    # names come from --vault when it is given, and no passphrase is asked
    v=$BOARDVAULT_PATH
    [[ "$(BOARDVAULT_PATH=/nonexistent comp boardvault --vault "$v" items --board C)" == " CSP " ]]
    # an unreadable vault offers nothing, and prints nothing
    [[ "$(BOARDVAULT_PATH=/nonexistent comp boardvault items --board C 2>&1)" == "  " ]]
}

# zcomp FPATH WORD... - what zsh's completion (compinit, the _boardvault in
# FPATH) offers for the line WORD..., the cursor on the last word, one
# candidate a line. zsh runs the completer itself; only compadd, which
# works in a completion widget alone, is replaced by one that prints the
# candidates matching the word as zsh's own would. The line is completed
# twice, as the first TAB (which loads the file) and a later one, and both
# must offer the same.
zcomp() {
    local fp=$1
    shift
    zsh -f -c '
        fpath=("$1" $fpath)
        shift
        autoload -U compinit && compinit -u -D
        compadd() {
            local -a out
            while (( $# )); do
                case $1 in
                -) shift; out+=("$@"); break ;;
                -a) out+=("${(@P)2}"); shift 2 ;;
                -[SPJVXxrRMFWEIipsdO]) shift 2 ;;
                -*) shift ;;
                *) out+=("$@"); break ;;
                esac
            done
            print -rl -- ${(M)out:#${PREFIX}*}
        }
        comp() { local -a words=("$@"); local CURRENT=$# PREFIX=${@[-1]}; ${=_comps[boardvault]}; }
        first=$(comp "$@")
        again=$(comp "$@")
        [[ $first == "$again" ]] || print "first TAB: $first, next: $again"
        print -r -- $again' zcomp "$fp" "$@" | sort
}

@test "zsh completion offers commands, subcommands, options, boards and members" {
    command -v zsh >/dev/null || skip "no zsh (scripts/deps.sh test installs it)"
    make_world
    PATH="$(dirname "$BV"):$PATH"
    src="$BATS_TEST_DIRNAME/../../scripts/completion"
    zc() { zcomp "$src" "$@" | tr '\n' '|' | sed 's/^/|/'; }
    [[ "$(zc boardvault se)" == "|seal|" ]]
    [[ "$(zc boardvault st)" == "|status|" ]]
    [[ "$(zc boardvault member ap)" == "|approve|" ]]
    [[ "$(zc boardvault member approve carol --fi)" == "|--fingerprint|" ]]
    [[ "$(zc boardvault seal CSP doc --gr)" == "|--grant|" ]]
    [[ "$(zc boardvault seal CSP doc --as R)" == "|Root Officer|" ]]
    [[ "$(zc boardvault seal CSP doc --grant al)" == "|alice|" ]]
    [[ "$(zc boardvault items --board C)" == "|CSP|" ]]
    [[ "$(zc boardvault board add C)" == *"|CSP|"* ]]
    [[ "$(zc boardvault board add CSP ca)" == *"|carol|"* ]]
    [[ "$(zc boardvault board add --role a)" == "|auditor|" ]]
    # names come from --vault when it is given, and no passphrase is asked
    v=$BOARDVAULT_PATH
    [[ "$(BOARDVAULT_PATH=/nonexistent zc boardvault --vault "$v" items --board C)" == "|CSP|" ]]
    # an unreadable vault offers nothing, and prints nothing
    [ -z "$(BOARDVAULT_PATH=/nonexistent zcomp "$src" boardvault items --board C 2>&1)" ]
    # as make install lays it out, the bash twin found from the same prefix
    mkdir -p share/zsh/site-functions share/bash-completion/completions
    cp "$src/_boardvault" share/zsh/site-functions/
    cp "$src/boardvault.bash" share/bash-completion/completions/boardvault
    [[ "$(zcomp "$PWD/share/zsh/site-functions" boardvault member ap 2>&1)" == "approve" ]]
}

wait_chunks() {
    local i n=0
    for i in $(seq 1 1200); do
        n=$(stored_chunks)
        [ "$n" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

@test "a seal stopped with Ctrl-C removes its own staged body before it exits" {
    make_world
    mkfifo feed
    "$BV" seal CSP - --title big --grant alice --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT" <feed >out 2>err &
    pid=$!
    exec 5>feed
    head -c 8388608 /dev/urandom >&5
    wait_chunks 7
    [ "$(sql "SELECT count(*) FROM bodies WHERE state='staging'")" = 1 ]
    kill -INT $pid
    status=0
    wait $pid || status=$?
    exec 5>&-
    cat err >&3
    [ "$status" -eq 1 ]
    [[ "$(cat err)" == *"interrupted: nothing was stored"* ]]
    [ ! -s out ]
    # gone at once, not 15 minutes later
    [ "$(sql "SELECT count(*) FROM bodies WHERE state<>'live'")" = 0 ]
    [ "$(sql "SELECT count(*) FROM chunks")" = 0 ]
    [ "$(body_files)" = 0 ] # the staged body's file too
    [ "$(sql "SELECT count(*) FROM items")" = 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}
