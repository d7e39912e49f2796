#!/usr/bin/env bats
# record.bats - the server-enforced record (issue 14; docs/DESIGN.md
# "Server-enforced record"): with scripts/pg-record.sql run on the vault,
# a member connects as a login of their own, reads no key-bearing table,
# cannot change the log, and reaches a grant only through the functions,
# against a committed `open` entry of their own login. Run by make e2e-pg.

load ../e2e/helpers
load roles

setup() {
    [ "${BV_ENGINE:-}" = pg ] || skip "needs the throwaway server (make e2e-pg)"
    setup_vault
    OWNER=$BOARDVAULT_PATH
    # roles are the server's, not the database's: one set per test
    LA=${PGDB}_alice
    LB=${PGDB}_bob
    make_world
    echo "restricted text" >item.txt
    ID=$(seal_item item.txt alice)
    psql -X -q -v ON_ERROR_STOP=1 -f "$BATS_TEST_DIRNAME/../../scripts/pg-record.sql" "$OWNER"
    pg "CREATE ROLE $LA LOGIN IN ROLE boardvault_members; CREATE ROLE $LB LOGIN IN ROLE boardvault_members;
        INSERT INTO boardvault.logins SELECT '$LA', id FROM boardvault.persons WHERE name = 'alice';
        INSERT INTO boardvault.logins SELECT '$LB', id FROM boardvault.persons WHERE name = 'bob';"
}

teardown() {
    teardown_vault
    [ -z "${LA:-}" ] || drop_roles "$LA" "$LB"
}

# pg SQL: as the database owner
pg() { psql -X -q -v ON_ERROR_STOP=1 -At "$OWNER" -c "$1"; }
# as LOGIN SQL: as that login, on the same database
as() { psql -X -q -v ON_ERROR_STOP=1 -At "host=$BV_PGHOST user=$1 dbname=$PGDB" -c "$2"; }
# leaf SEQ AUTH [ACTION OUTCOME ACTOR REASON]: an entry of the test's item
# as a client writes it (default alice's `open`), following the server's
# tree state now; unsigned (the server cannot check Ed25519, only what
# the text says)
leaf() {
    local prev log
    prev=$(pg "SELECT prev_size || ' ' || encode(prev_root, 'base64') FROM boardvault.tree_append((SELECT frontier FROM boardvault.audit_state), '\x')")
    log=$(pg "SELECT 'boardvault/' || encode(value, 'hex') FROM boardvault.meta WHERE key = 'vault_id'")
    printf 'boardvault-audit/v1\nlog %s\nseq %s\nprev %s\ntime 2026-01-01T00:00:00Z\nactor %s\nactor-key -\nauth %s\naction %s\nboard CSP\nmeeting -\nagenda -\nitem %s\noutcome %s\nreason %s\n' \
        "$log" "$1" "$prev" "${5:-alice}" "$2" "${3:-open}" "$ID" "${4:-ok}" "${6:--}"
}
# record SEQ LEAF: the call of record_open with that entry (its last line
# break, which $(leaf) drops, put back)
record() {
    echo "boardvault.record_open($1, '2026-01-01T00:00:00Z', 'alice', '', 'CSP', '$ID', convert_to('$2' || E'\\n', 'UTF8'), sha256('\x00'::bytea || convert_to('$2' || E'\\n', 'UTF8')), '\x')"
}
# append SEQ LEAF ACTION OUTCOME ACTOR REASON: the call of append_entry with that entry
append() {
    echo "boardvault.append_entry($1, '2026-01-01T00:00:00Z', '$5', '', '$3', 'CSP', '$ID', '', '', '$4', '$6', convert_to('$2' || E'\\n', 'UTF8'), sha256('\x00'::bytea || convert_to('$2' || E'\\n', 'UTF8')))"
}
# open_as LOGIN PASSPHRASE PERSON: boardvault open of the test's item, connected as LOGIN
open_as() { BOARDVAULT_PATH="host=$BV_PGHOST user=$1 dbname=$PGDB" bvp "$2" open "$ID" --as "$3"; }

@test "record: a member's login reads no key-bearing table" {
    for t in grants board_keys item_keys minutes_keys key_changes logins refusals; do
        run as "$LA" "SELECT count(*) FROM boardvault.$t"
        [ "$status" -ne 0 ]
        [[ "$output" == *"permission denied"* ]]
    done
    # and what it needs to open, it reads
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.items")" = 1 ]
}

@test "record: a member's login reads its own wrapped secret key and no one else's" {
    run as "$LA" "SELECT count(secret) FROM boardvault.persons"
    [ "$status" -ne 0 ]
    [[ "$output" == *"permission denied"* ]]
    # the function returns the caller's own row, and nothing for the others
    [ "$(as "$LA" "SELECT name FROM boardvault.persons WHERE boardvault.person_secret(id) IS NOT NULL")" = alice ]
    [ "$(as "$LB" "SELECT name FROM boardvault.persons WHERE boardvault.person_secret(id) IS NOT NULL")" = bob ]
    [ "$(pg "SELECT count(*) FROM boardvault.persons p JOIN boardvault.logins l ON l.person_id = p.id
        WHERE p.secret = (SELECT boardvault.person_secret(p.id))")" = 0 ]
    # so a member with a colleague's passphrase still cannot unlock as them
    run open_as "$LA" "$PW_BOB" bob
    [ "$status" -eq 4 ]
    [[ "$output" == *"releases bob's key record to bob's own login only"* ]]
    # while bob's own login unlocks (and is refused the item: no grant)
    run open_as "$LB" "$PW_BOB" bob
    [ "$status" -eq 4 ]
    [[ "$output" != *"key record"* ]]
}

@test "record: a member's login changes its own passphrase, and no one else's key record" {
    new="new-pass-phrase-9931-zebra"
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LA dbname=$PGDB" run "$BV" member passwd --as alice \
        --passphrase-fd 3 3< <(printf '%s\n%s\n%s\n' "$PW_ALICE" "$new" "$new")
    [ "$status" -eq 0 ]
    run open_as "$LA" "$new" alice
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    # bob's record, through alice's login: refused, and logged
    before=$(pg "SELECT md5(secret) FROM boardvault.persons WHERE name = 'bob'")
    [ "$(as "$LA" "SELECT boardvault.set_own_secret(id, '\x00') IS NULL FROM boardvault.persons WHERE name = 'bob'")" = t ]
    [ "$(pg "SELECT md5(secret) FROM boardvault.persons WHERE name = 'bob'")" = "$before" ]
    [ "$(pg "SELECT login || ' ' || reason FROM boardvault.refusals")" = "$LA not-the-person" ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "record: a member's login cannot change the log or forge its login column" {
    for q in "UPDATE boardvault.audit SET reason = 'x'" "DELETE FROM boardvault.audit" \
        "TRUNCATE boardvault.audit" "DELETE FROM boardvault.audit_state" \
        "UPDATE boardvault.audit SET login = 'postgres'" \
        "INSERT INTO boardvault.audit(seq, time, actor, actor_fp, action, board, item, meeting, agenda, outcome, reason, leaf, leaf_hash, login) SELECT seq + 1000, time, actor, actor_fp, action, board, item, meeting, agenda, outcome, reason, leaf, leaf_hash, 'postgres' FROM boardvault.audit WHERE seq = 1" \
        "INSERT INTO boardvault.audit(seq, time, actor, actor_fp, action, board, item, meeting, agenda, outcome, reason, leaf, leaf_hash) SELECT seq + 1000, time, actor, actor_fp, action, board, item, meeting, agenda, outcome, reason, leaf, leaf_hash FROM boardvault.audit WHERE seq = 1" \
        "UPDATE boardvault.audit_state SET frontier = frontier" \
        "INSERT INTO boardvault.audit_state VALUES (1, '\x') ON CONFLICT (id) DO UPDATE SET frontier = excluded.frontier" \
        "INSERT INTO boardvault.checkpoints(size, signed_by, note, created) VALUES (1, 'alice', '\x', 't')" \
        "SELECT boardvault.put_entry(1, '', '', '', '', '', '', '', '', '', '', '\x', '\x')"; do
        run as "$LA" "$q"
        [ "$status" -ne 0 ]
        [[ "$output" == *"permission denied"* ]]
    done
    # the owner neither (by trigger: tamper-evident against the owner, who can drop it)
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >/dev/null
    for q in "DELETE FROM boardvault.audit_state" "TRUNCATE boardvault.checkpoints" \
        "UPDATE boardvault.checkpoints SET size = 1"; do
        run pg "$q"
        [ "$status" -ne 0 ]
        [[ "$output" == *"append-only"* ]]
    done
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "record: a member's login appends only its own entries, following the server's tree state" {
    # each refusal below is also the server's own unsigned entry: the next seq moves on
    nx() { echo $(( $(pg "SELECT max(seq) FROM boardvault.audit") + 1 )); }
    # a prev the server's tree does not have (it would break verification for all after)
    n=$(nx)
    bad=$(leaf $n none unlock failed alice wrong-passphrase | sed 's/^prev .*/prev 1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/')
    [ "$(as "$LA" "SELECT $(append $n "$bad" unlock failed alice wrong-passphrase) IS NULL")" = t ]
    # a seq out of turn
    n=$(( $(nx) + 1 ))
    [ "$(as "$LA" "SELECT $(append $n "$(leaf $n none unlock failed alice wrong-passphrase)" unlock failed alice wrong-passphrase) IS NULL")" = t ]
    # columns the text does not carry
    n=$(nx)
    [ "$(as "$LA" "SELECT $(append $n "$(leaf $n none unlock failed alice wrong-passphrase)" unlock ok alice wrong-passphrase) IS NULL")" = t ]
    # an unsigned entry claiming success (audit verify would fail on it)
    n=$(nx)
    [ "$(as "$LA" "SELECT $(append $n "$(leaf $n none unlock ok alice wrong-passphrase)" unlock ok alice wrong-passphrase) IS NULL")" = t ]
    # another person's entry
    n=$(nx)
    [ "$(as "$LA" "SELECT $(append $n "$(leaf $n none unlock failed bob wrong-passphrase)" unlock failed bob wrong-passphrase) IS NULL")" = t ]
    # an `ok` open, which is record_open's (it checks the grant)
    n=$(nx)
    [ "$(as "$LA" "SELECT $(append $n "$(leaf $n signed)" open ok alice '') IS NULL")" = t ]
    [ "$(pg "SELECT string_agg(login || ' ' || reason, ',' ORDER BY id) FROM boardvault.refusals")" = "$LA bad-entry,$LA bad-entry,$LA bad-entry,$LA bad-entry,$LA not-the-actor,$LA bad-entry" ]
    # what the log holds of them: the server's entries, none of the client's
    [ "$(pg "SELECT string_agg(actor || ' ' || action || ' ' || outcome || ' ' || reason, ',' ORDER BY seq) FROM boardvault.audit WHERE login = '$LA'")" = "alice unlock denied server-bad-entry,alice unlock denied server-bad-entry,alice unlock denied server-bad-entry,alice unlock denied server-bad-entry,alice unlock denied server-not-the-actor,alice open denied server-bad-entry" ]
    # the control: her own entry, in turn, is taken, and the tree state stored is the server's
    n=$(nx)
    [ "$(as "$LA" "SELECT $(append $n "$(leaf $n none unlock failed alice wrong-passphrase)" unlock failed alice wrong-passphrase)")" = "$n" ]
    [ "$(pg "SELECT login || ' ' || reason FROM boardvault.audit WHERE seq = $n")" = "$LA wrong-passphrase" ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    [[ "$output" == *"7 unsigned"* ]]
}

@test "record: members' journeys go through the functions alone and the log verifies" {
    run open_as "$LA" "$PW_ALICE" alice
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    # bob's client refuses him (no grant) and logs its signed entry, through the server
    run open_as "$LB" "$PW_BOB" bob
    [ "$status" -eq 4 ]
    # a wrong passphrase is logged too, unsigned
    run open_as "$LA" "not-her-passphrase" alice
    [ "$status" -ne 0 ]
    [ "$(pg "SELECT string_agg(login || ' ' || actor || ' ' || action || ' ' || outcome, ',' ORDER BY seq) FROM boardvault.audit WHERE login <> 'postgres'")" = "$LA alice open ok,$LB bob open denied,$LA alice open failed" ]
    [ "$(pg "SELECT count(*) FROM boardvault.refusals")" = 0 ]
    # what the server stored as the tree state is what verify recomputes from the leaves
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    # and the owner's own entries, still written directly, follow on
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >/dev/null
    run open_as "$LA" "$PW_ALICE" alice
    [ "$status" -eq 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "record: an open goes through the server, names the login, and verifies" {
    run open_as "$LA" "$PW_ALICE" alice
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    [ "$(pg "SELECT login FROM boardvault.audit WHERE action = 'open' AND item = '$ID'")" = "$LA" ]
    [ "$(pg "SELECT count(*) FROM boardvault.refusals")" = 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "record: no grant, no grant released, and the server keeps the refusal" {
    run open_as "$LB" "$PW_BOB" bob
    [ "$status" -eq 4 ]
    [[ "$output" != *"restricted text"* ]]
    # the client checks the signed grant set first; the server refuses too
    [ "$(as "$LB" "SELECT boardvault.record_open(1000, 't', 'bob', '', 'CSP', '$ID', '\\x00', '\\x00', '\\x00') IS NULL")" = t ]
    [ "$(as "$LB" "SELECT count(*) FROM boardvault.release_grant('$ID', 1)")" = 0 ]
    [ "$(pg "SELECT login || ' ' || reason FROM boardvault.refusals ORDER BY id")" = "$LB no-grant
$LB no-entry" ]
    [ "$(pg "SELECT count(*) FROM boardvault.audit WHERE action = 'open' AND outcome = 'ok'")" = 0 ]
    # in the log too: bob's client's own signed refusal, then the server's two
    [ "$(pg "SELECT string_agg(actor || ' ' || outcome || ' ' || reason, ',' ORDER BY seq) FROM boardvault.audit WHERE login = '$LB'")" = "bob denied no-grant,bob denied server-no-grant,bob denied server-no-entry" ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "record: a grant is released only against a committed open entry of the caller's own login" {
    # nothing yet: no entry of alice's login to release against
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_grant('$ID', 1)")" = 0 ]
    # nor one the server would take: an entry that is not a signed open of hers
    next=$(( $(pg "SELECT max(seq) FROM boardvault.audit") + 1 ))
    [ "$(as "$LA" "SELECT $(record $next "$(leaf $next none)") IS NULL")" = t ]
    [ "$(pg "SELECT reason FROM boardvault.refusals ORDER BY id")" = "no-entry
bad-entry" ]
    open_as "$LA" "$PW_ALICE" alice >/dev/null
    seq=$(pg "SELECT seq FROM boardvault.audit WHERE action = 'open' AND outcome = 'ok' AND item = '$ID'")
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_grant('$ID', $seq)")" = 1 ]
    # another login cannot release against alice's entry
    [ "$(as "$LB" "SELECT count(*) FROM boardvault.release_grant('$ID', $seq)")" = 0 ]
    # nor can a transaction that has written anything (its own entry could
    # be rolled back after the grant was read)
    run as "$LA" "BEGIN; SELECT boardvault.record_open(0, '', '', '', '', 'x', '\\x', '\\x', '\\x'); SELECT count(*) FROM boardvault.release_grant('$ID', $seq); COMMIT"
    [ "$status" -ne 0 ]
    [[ "$output" == *"must begin its own transaction"* ]]
    # revocation at once: the same entry releases nothing after the revoke
    bvp "$PW_ROOT" revoke "$ID" alice --as "Root Officer" >/dev/null
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_grant('$ID', $seq)")" = 0 ]
}

@test "record: a client built to skip its open entry decrypts nothing on an enforced vault" {
    [ -n "${BVNOREC:-}" ] || skip "needs the test-only client (make e2e-pg builds it)"
    # without the record on the server, that client opens off the record
    pg "DELETE FROM boardvault.meta WHERE key = 'record'"
    BV=$BVNOREC run bvp "$PW_ALICE" open "$ID" --as alice
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    [ "$(pg "SELECT count(*) FROM boardvault.audit WHERE action = 'open'")" = 0 ]
    # with it, the same client through alice's login gets no grant at all
    pg "INSERT INTO boardvault.meta(key, value) VALUES ('record', 'server')"
    BV=$BVNOREC run open_as "$LA" "$PW_ALICE" alice
    [ "$status" -ne 0 ]
    [[ "$output" != *"restricted text"* ]]
    [ "$(pg "SELECT count(*) FROM boardvault.audit WHERE action = 'open' AND outcome = 'ok'")" = 0 ]
    [ "$(pg "SELECT login || ' ' || reason FROM boardvault.refusals")" = "$LA no-entry" ]
    # and the attempt is in the log, written by the server: no client can leave it out
    [ "$(pg "SELECT actor || ' ' || action || ' ' || outcome FROM boardvault.audit WHERE login = '$LA' AND reason = 'server-no-entry'")" = "alice open denied" ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "record: a server vault made before the record gets it when its owner next writes" {
    # as a vault made by the previous release: none of the record's objects
    pg "DELETE FROM boardvault.meta WHERE key IN ('record', 'record_sql');
        DROP FUNCTION boardvault.append_entry(bigint, text, text, text, text, text, text, text, text, text, text, bytea, bytea),
            boardvault.put_entry(bigint, text, text, text, text, text, text, text, text, text, text, bytea, bytea),
            boardvault.tree_append(bytea, bytea), boardvault.audit_field(text), boardvault.settle(text, text, text, bigint, text), boardvault.server_refusal(text, text, text, text),
            boardvault.person_secret(bigint), boardvault.set_own_secret(bigint, bytea), boardvault.release_grant(text, bigint), boardvault.record_open(bigint, text, text, text, text, text, bytea, bytea, bytea),
            boardvault.caller(), boardvault.leaf_has(bytea, text);
        DROP TABLE boardvault.refusals, boardvault.logins; ALTER TABLE boardvault.audit DROP COLUMN login"
    # another login may not add them, and its open works as before
    pg "GRANT USAGE ON SCHEMA boardvault TO $LA; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA boardvault TO $LA"
    run open_as "$LA" "$PW_ALICE" alice
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT count(*) FROM pg_proc WHERE proname = 'release_grant'")" = 0 ]
    # the owner's next write adds them
    run bvp "$PW_ALICE" open "$ID" --as alice
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT count(*) FROM pg_proc WHERE proname IN ('record_open', 'release_grant', 'person_secret', 'append_entry', 'server_refusal', 'set_own_secret')")" = 6 ]
    # the entries from before name no login; the owner's open names its own
    [ "$(pg "SELECT count(*) > 0 FROM boardvault.audit WHERE login IS NULL")" = t ]
    [ "$(pg "SELECT login FROM boardvault.audit ORDER BY seq DESC LIMIT 1")" = postgres ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "record: a vault switched on by the first slice gets the newer functions from its owner" {
    pg "DELETE FROM boardvault.meta WHERE key = 'record_sql';
        DROP FUNCTION boardvault.person_secret(bigint), boardvault.server_refusal(text, text, text, text),
        boardvault.set_own_secret(bigint, bytea),
        boardvault.request_key_change(bigint, bytea, bytea, bytea, bytea, text),
        boardvault.append_entry(bigint, text, text, text, text, text, text, text, text, text, text, bytea, bytea);
        DROP FUNCTION boardvault.release_board_key(bigint, bigint), boardvault.release_item_key(bigint, bigint),
        boardvault.release_minutes_keys(bigint), boardvault.release_grants(bigint);
        DROP TABLE boardvault.key_releases"
    # a member's client fails closed meanwhile
    run open_as "$LA" "$PW_ALICE" alice
    [ "$status" -ne 0 ]
    [[ "$output" != *"restricted text"* ]]
    # the owner's next write puts them back; the script run again grants them
    bvp "$PW_ROOT" audit checkpoint --as "Root Officer" >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -f "$BATS_TEST_DIRNAME/../../scripts/pg-record.sql" "$OWNER"
    run open_as "$LA" "$PW_ALICE" alice
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    [ "$(pg "SELECT convert_from(value, 'UTF8') FROM boardvault.meta WHERE key = 'record_sql'")" = 5 ]
    # and the officers' functions, a member's request for new keys and the
    # log of releases came back with them
    [ "$(pg "SELECT count(*) FROM pg_proc WHERE proname = 'request_key_change'")" = 1 ]
    [ "$(pg "SELECT count(*) FROM pg_proc WHERE proname IN ('release_board_key', 'release_item_key', 'release_minutes_keys', 'release_grants')")" = 4 ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_releases")" = 0 ]
}

@test "record: a connection killed before its open entry commits releases nothing" {
    next=$(( $(pg "SELECT max(seq) FROM boardvault.audit") + 1 ))
    # an entry the server takes (it cannot check the signature itself)
    entry=$(record $next "$(leaf $next signed)")
    run as "$LA" "BEGIN; SELECT pg_advisory_xact_lock(1112953905); SELECT $entry;
        SELECT pg_terminate_backend(pg_backend_pid())"
    [ "$status" -ne 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.audit WHERE seq = $next")" = 0 ]
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_grant('$ID', $next)")" = 0 ]
    [ "$(pg "SELECT reason FROM boardvault.refusals")" = no-entry ]
    # the control: the same entry (after the server's entry of that refusal), committed,
    # is taken and releases the grant
    next=$(( next + 1 ))
    entry=$(record $next "$(leaf $next signed)")
    [ "$(as "$LA" "SELECT $entry")" = "$next" ]
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_grant('$ID', $next)")" = 1 ]
}
