#!/usr/bin/env bats
# officers.bats - officers through the record (issue 14, step 1;
# docs/DESIGN.md "Server-enforced record"): an officer's login in
# boardvault_officers that is not the database owner reads no key-bearing
# table; the board key sealed to that officer, the item keys and minutes
# keys wrapped under it and the grants to re-sign come only through the
# SECURITY DEFINER functions, each release a key_releases row naming the
# login, each refusal kept. Its approvals and resets map and unmap logins,
# its approval of new keys moves their secret and its checkpoints are
# stored through functions that check it again on the server (RECORD_SQL
# 4); a member's own login asks for new keys through one that takes its
# own person's request only (RECORD_SQL 5). Run by make e2e-pg.

load ../e2e/helpers
load roles

setup() {
    [ "${BV_ENGINE:-}" = pg ] || skip "needs the throwaway server (make e2e-pg)"
    setup_vault
    OWNER=$BOARDVAULT_PATH
    # roles are the server's, not the database's: one set per test
    LA=${PGDB}_alice
    LB=${PGDB}_bob
    LC=${PGDB}_carol
    LD=${PGDB}_dave
    make_world
    # carol is the second officer of CSP, the one with a login of her own
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    echo "restricted text" >item.txt
    psql -X -q -v ON_ERROR_STOP=1 -f "$BATS_TEST_DIRNAME/../../scripts/pg-record.sql" "$OWNER"
    pg "CREATE ROLE $LA LOGIN IN ROLE boardvault_members; CREATE ROLE $LB LOGIN IN ROLE boardvault_officers;
        CREATE ROLE $LC LOGIN IN ROLE boardvault_officers;
        INSERT INTO boardvault.logins SELECT '$LA', id FROM boardvault.persons WHERE name = 'alice';
        INSERT INTO boardvault.logins SELECT '$LB', id FROM boardvault.persons WHERE name = 'bob';
        INSERT INTO boardvault.logins SELECT '$LC', id FROM boardvault.persons WHERE name = 'carol';"
    BOARD=$(pg "SELECT id FROM boardvault.boards WHERE name = 'CSP'")
}

teardown() {
    teardown_vault
    [ -z "${LA:-}" ] || drop_roles "$LA" "$LB" "$LC" "$LD"
}

# pg SQL: as the database owner
pg() { psql -X -q -v ON_ERROR_STOP=1 -At "$OWNER" -c "$1"; }
# as LOGIN SQL: as that login, on the same database
as() { psql -X -q -v ON_ERROR_STOP=1 -At "host=$BV_PGHOST user=$1 dbname=$PGDB" -c "$2"; }
# carol ARGS...: boardvault as carol, connected as her own login
carol() { BOARDVAULT_PATH="host=$BV_PGHOST user=$LC dbname=$PGDB" bvp "$PW_CAROL" "$@" --as carol; }
# open_as LOGIN PASSPHRASE PERSON ID: boardvault open, connected as LOGIN
open_as() { BOARDVAULT_PATH="host=$BV_PGHOST user=$1 dbname=$PGDB" bvp "$2" open "$4" --as "$3"; }
# refused: the server's refusals, login and reason, in order
refused() { pg "SELECT coalesce(string_agg(login || ' ' || reason, ',' ORDER BY id), '') FROM boardvault.refusals"; }
# enroll_dave: a fourth person, pending
PW_DAVE="tidal-copper-meadow-4410"
enroll_dave() { bvp "$PW_DAVE" member enroll dave $KDF >/dev/null; }
# releases: what key_releases holds, login and kind, in order
releases() { pg "SELECT coalesce(string_agg(login || ' ' || kind, ',' ORDER BY id), '') FROM boardvault.key_releases"; }
# verified: the whole log verifies, as the owner reads it
verified() {
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "officers: an officer's login reads no key-bearing table" {
    for q in "sealed FROM boardvault.grants" "sealed FROM boardvault.board_keys" \
        "wrapped FROM boardvault.item_keys" "wrapped FROM boardvault.minutes_keys" \
        "secret FROM boardvault.key_changes" "secret FROM boardvault.persons" \
        "* FROM boardvault.logins" "* FROM boardvault.refusals" "* FROM boardvault.key_releases"; do
        run as "$LC" "SELECT $q"
        [ "$status" -ne 0 ]
        [[ "$output" == *"permission denied"* ]]
    done
    # nor may it change the log or the record of releases
    for q in "DELETE FROM boardvault.audit" "INSERT INTO boardvault.key_releases(person_id, board, kind) VALUES (1, 'CSP', 'board')" \
        "UPDATE boardvault.board_keys SET sig = sig"; do
        run as "$LC" "$q"
        [ "$status" -ne 0 ]
        [[ "$output" == *"permission denied"* ]]
    done
    # the board key comes through the function only, and only outside a
    # transaction that has written
    run as "$LC" "BEGIN; INSERT INTO boardvault.bodies(state, touched) VALUES ('staging', 'x');
        SELECT count(*) FROM boardvault.release_board_key($BOARD, 1)"
    [ "$status" -ne 0 ]
    [[ "$output" == *"must begin its own transaction"* ]]
    [ "$(releases)" = "" ]
    # the first call of an epoch logs its row and returns no key: a client
    # that rolls back takes its row back, and got nothing
    [ "$(as "$LC" "BEGIN; SELECT count(r_sealed) FROM boardvault.release_board_key($BOARD, 1); ROLLBACK")" = 0 ]
    [ "$(releases)" = "" ]
    [ "$(as "$LC" "SELECT count(r_sealed) FROM boardvault.release_board_key($BOARD, 1)")" = 0 ]
    [ "$(releases)" = "$LC board" ]
    # against that committed row, the key; and a rollback now takes back
    # only its own row, never the first
    [ "$(as "$LC" "BEGIN; SELECT r_name FROM boardvault.release_board_key($BOARD, 1); ROLLBACK")" = carol ]
    [ "$(releases)" = "$LC board" ]
    [ "$(as "$LC" "SELECT r_name FROM boardvault.release_board_key($BOARD, 1)")" = carol ]
    [ "$(releases)" = "$LC board,$LC board" ]
}

@test "officers: seal with grants, grant, revoke and rekey go through the functions, logged" {
    run carol seal CSP item.txt --title "Domestic Homicide Review" --grant alice
    [ "$status" -eq 0 ]
    ID=$output
    # the first release of the epoch to her login: asked twice, logged twice
    [ "$(releases)" = "$LC board,$LC board" ]
    run carol grant "$ID" bob
    [ "$status" -eq 0 ]
    run carol revoke "$ID" bob
    [ "$status" -eq 0 ]
    run carol rekey "$ID"
    [ "$status" -eq 0 ]
    # every key released named carol's login; none to anyone else
    [ "$(pg "SELECT count(*) FROM boardvault.key_releases WHERE login <> '$LC'")" = 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_releases WHERE kind = 'board'")" -ge 3 ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_releases WHERE kind = 'item'")" -ge 2 ]
    [ "$(pg "SELECT count(*) FROM boardvault.refusals")" = 0 ]
    # her entries were written by the server's functions, under her login
    run pg "SELECT string_agg(action, ',' ORDER BY seq) FROM boardvault.audit WHERE login = '$LC'"
    echo "$output"
    [ "$output" = "grantset,seal,grant,grant,grantset,revoke,grantset,grantset,rekey" ]
    # alice still opens it through her own login, bob not
    run open_as "$LA" "$PW_ALICE" alice "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    run open_as "$LB" "$PW_BOB" bob "$ID"
    [ "$status" -eq 4 ]
    verified
}

@test "officers: board add of an officer and board remove with rotation go through the functions" {
    ID=$(carol seal CSP item.txt --title "Domestic Homicide Review" --grant alice)
    # bob, a member, becomes an officer (added back by carol)
    bvp "$PW_ROOT" board remove CSP bob --as "Root Officer" >/dev/null
    run carol board add CSP bob --role officer
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.board_keys k JOIN boardvault.persons p ON p.id = k.person_id WHERE p.name = 'bob' AND k.wrapped_by = 'carol'")" = 1 ]
    # bob, an officer now, grants through his own login
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LB dbname=$PGDB" run bvp "$PW_BOB" grant "$ID" bob --as bob
    [ "$status" -eq 0 ]
    before=$(pg "SELECT count(*) FROM boardvault.key_releases")
    run carol board remove CSP bob
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT epoch FROM boardvault.boards WHERE name = 'CSP'")" = 2 ]
    # the rotation's releases: the old board key, the item keys, the
    # minutes keys and the grants bob made (re-signed), all carol's
    [ "$(pg "SELECT string_agg(DISTINCT kind, ',') FROM boardvault.key_releases WHERE id > $before AND login = '$LC'")" = "board,grants,item,minutes" ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_releases WHERE login NOT IN ('$LC', '$LB')")" = 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.refusals")" = 0 ]
    # the item opens under the new epoch; the key of epoch 2 is carol's
    run open_as "$LA" "$PW_ALICE" alice "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    [ "$(as "$LC" "SELECT count(r_sealed) FROM boardvault.release_board_key($BOARD, 2)")" = 0 ]
    [ "$(as "$LC" "SELECT r_name FROM boardvault.release_board_key($BOARD, 2)")" = carol ]
    verified
}

@test "officers: a minutes import goes through the functions, logged" {
    run carol minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" --board CSP
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.meetings")" = 1 ]
    [ "$(pg "SELECT count(*) FROM boardvault.minutes_keys")" = 1 ]
    [ "$(pg "SELECT string_agg(DISTINCT kind, ',') FROM boardvault.key_releases WHERE login = '$LC'")" = "board,minutes" ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_releases WHERE login <> '$LC'")" = 0 ]
    # the same document again is recognised through the released minutes key
    run carol minutes import "$BATS_TEST_DIRNAME/../fixtures/minutes-2022-12-07-csp.txt" --board CSP
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.meetings")" = 1 ]
    [ "$(pg "SELECT count(*) FROM boardvault.refusals")" = 0 ]
    verified
}

@test "officers: a member's login calling the functions is refused, and the refusal logged" {
    ID=$(carol seal CSP item.txt --title "Domestic Homicide Review" --grant alice)
    IT=$(pg "SELECT id FROM boardvault.items WHERE uid = '$ID'")
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_board_key($BOARD, 1)")" = 0 ]
    [ "$(as "$LA" "SELECT boardvault.release_item_key($IT, 1) IS NULL")" = t ]
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_minutes_keys($BOARD)")" = 0 ]
    [ "$(as "$LA" "SELECT count(*) FROM boardvault.release_grants($IT)")" = 0 ]
    [ "$(pg "SELECT string_agg(login || ' ' || reason, ',' ORDER BY id) FROM boardvault.refusals")" = "$LA not-an-officer,$LA not-an-officer,$LA not-an-officer,$LA not-an-officer" ]
    [ "$(pg "SELECT string_agg(actor || ' ' || action || ' ' || outcome || ' ' || reason, ',' ORDER BY seq) FROM boardvault.audit WHERE login = '$LA'")" = "alice key-release denied server-not-an-officer,alice key-release denied server-not-an-officer,alice key-release denied server-not-an-officer,alice key-release denied server-not-an-officer" ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_releases WHERE login = '$LA'")" = 0 ]
    # her client, told to seal, gets no board key either
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LA dbname=$PGDB" run bvp "$PW_ALICE" seal CSP item.txt --title "x" --as alice
    [ "$status" -eq 4 ]
    verified
}

@test "officers: a removed officer's login gets nothing from the commit of the removal on" {
    bvp "$PW_ROOT" board remove CSP bob --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP bob --role officer --as "Root Officer" >/dev/null
    ID=$(seal_item item.txt alice)
    IT=$(pg "SELECT id FROM boardvault.items WHERE uid = '$ID'")
    # the control: an officer's login gets its key
    [ "$(as "$LB" "SELECT count(r_sealed) FROM boardvault.release_board_key($BOARD, 1)")" = 0 ]
    [ "$(as "$LB" "SELECT r_name FROM boardvault.release_board_key($BOARD, 1)")" = bob ]
    [ "$(as "$LB" "SELECT boardvault.release_item_key($IT, 1) IS NOT NULL")" = t ]
    bvp "$PW_ROOT" board remove CSP bob --as "Root Officer" >/dev/null
    # from the commit on: nothing of either epoch, each refusal kept
    [ "$(as "$LB" "SELECT count(*) FROM boardvault.release_board_key($BOARD, 1)")" = 0 ]
    [ "$(as "$LB" "SELECT count(*) FROM boardvault.release_board_key($BOARD, 2)")" = 0 ]
    [ "$(as "$LB" "SELECT boardvault.release_item_key($IT, 2) IS NULL")" = t ]
    [ "$(as "$LB" "SELECT count(*) FROM boardvault.release_minutes_keys($BOARD)")" = 0 ]
    [ "$(pg "SELECT string_agg(login || ' ' || reason, ',' ORDER BY id) FROM boardvault.refusals")" = "$LB not-an-officer,$LB not-an-officer,$LB not-an-officer,$LB not-an-officer" ]
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LB dbname=$PGDB" run bvp "$PW_BOB" grant "$ID" bob --as bob
    [ "$status" -eq 4 ]
    verified
}

@test "officers: an officer's login approves a new member (login mapped) and resets them (unmapped)" {
    enroll_dave
    run carol member approve dave --login "$LD"
    [ "$status" -eq 0 ]
    # her login may not create roles: the statement is printed for the DBA
    [[ "$output" == *"CREATE ROLE \"$LD\" LOGIN IN ROLE boardvault_members;"* ]]
    [ "$(pg "SELECT p.name || ' ' || p.status FROM boardvault.logins l JOIN boardvault.persons p ON p.id = l.person_id WHERE l.login = '$LD'")" = "dave approved" ]
    pg "$(echo "$output" | grep '^CREATE ROLE')"
    # dave, on the board, opens through the record with his own login
    run carol board add CSP dave --role member
    [ "$status" -eq 0 ]
    ID=$(carol seal CSP item.txt --title "Domestic Homicide Review" --grant dave)
    run open_as "$LD" "$PW_DAVE" dave "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    # her reset unmaps him in its transaction, and prints the drop
    run carol member reset dave --yes
    [ "$status" -eq 0 ]
    [[ "$output" == *"DROP ROLE \"$LD\";"* ]]
    [ "$(pg "SELECT count(*) FROM boardvault.logins WHERE login = '$LD'")" = 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.persons WHERE name = 'dave'")" = 0 ]
    [ "$(pg "SELECT string_agg(action, ',' ORDER BY seq) FROM boardvault.audit WHERE login = '$LC' AND action IN ('approve', 'reset')")" = "approve,reset" ]
    # his login, still there until the DBA drops it, is refused
    run open_as "$LD" "$PW_DAVE" dave "$ID"
    [ "$status" -ne 0 ]
    [[ "$output" != *"restricted text"* ]]
    [ "$(refused)" = "" ]
    verified
}

@test "officers: the server refuses to map a privileged, own or taken login, whatever the client checks" {
    enroll_dave
    # the server, not the client, finds the login taken (an officer's
    # login reads no logins): nothing approved
    run carol member approve dave --login "$LA"
    [ "$status" -eq 2 ]
    [[ "$output" == *"another person's already"* ]]
    [ "$(pg "SELECT status FROM boardvault.persons WHERE name = 'dave'")" = pending ]
    bvp "$PW_ROOT" member approve dave --login "$LD" --as "Root Officer" >/dev/null
    pg "DELETE FROM boardvault.logins WHERE login = '$LD'"
    DAVE=$(pg "SELECT id FROM boardvault.persons WHERE name = 'dave'")
    [ "$(as "$LC" "SELECT boardvault.map_login($DAVE, 'postgres')")" = privileged-login ]
    [ "$(as "$LC" "SELECT boardvault.map_login($DAVE, '$LC')")" = privileged-login ]
    [ "$(as "$LC" "SELECT boardvault.map_login($DAVE, '$LA')")" = login-taken ]
    [ "$(pg "SELECT count(*) FROM boardvault.logins WHERE person_id = $DAVE")" = 0 ]
    [ "$(refused)" = "$LC privileged-login,$LC privileged-login,$LC login-taken" ]
    # an officer may not unmap an officer's login
    [ "$(as "$LC" "SELECT boardvault.unmap_login(id) IS NULL FROM boardvault.persons WHERE name = 'carol'")" = t ]
    [ "$(pg "SELECT count(*) FROM boardvault.logins WHERE login = '$LC'")" = 1 ]
    [ "$(refused)" = "$LC privileged-login,$LC privileged-login,$LC login-taken,$LC an-officer" ]
    # the control: a fresh login is mapped
    [ "$(as "$LC" "SELECT coalesce(boardvault.map_login($DAVE, '$LD'), 'mapped')")" = mapped ]
    verified
}

@test "officers: an officer's login approves a member's new keys without reading their secret" {
    ID=$(carol seal CSP item.txt --title "Domestic Homicide Review" --grant alice)
    NEW="fresh-lantern-harbour-6172"
    printf '%s\n%s\n' "$PW_ALICE" "$NEW" >pw
    # alice asks through her own login (request_key_change)
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LA dbname=$PGDB" run "$BV" member rekey --as alice $KDF --passphrase-fd 3 3<pw
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_changes")" = 1 ]
    [ "$(pg "SELECT login FROM boardvault.audit WHERE action = 'key-change'")" = "$LA" ]
    before=$(pg "SELECT count(*) FROM boardvault.key_releases")
    run carol member approve alice
    [ "$status" -eq 0 ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_changes")" = 0 ]
    [ "$(pg "SELECT cert_by FROM boardvault.persons WHERE name = 'alice'")" = carol ]
    # the item key for the re-issued grant came through the logged releases
    [ "$(pg "SELECT string_agg(DISTINCT kind, ',') FROM boardvault.key_releases WHERE id > $before AND login = '$LC'")" = "board,item" ]
    [ "$(refused)" = "" ]
    # alice opens with her new passphrase, through her own login
    run open_as "$LA" "$NEW" alice "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    verified
}

@test "officers: a member's login asks for new keys for no one but itself" {
    BOBID=$(pg "SELECT id FROM boardvault.persons WHERE name = 'bob'")
    ALICE=$(pg "SELECT id FROM boardvault.persons WHERE name = 'alice'")
    k32="'\\x$(printf '%064d' 0)'::bytea"
    k64="'\\x$(printf '%0128d' 0)'::bytea"
    # not directly: the groups have no INSERT on key_changes
    run as "$LA" "INSERT INTO boardvault.key_changes(person_id, box_pk, sign_pk, secret, sig, requested) VALUES ($ALICE, $k32, $k32, '\\x00', $k64, 't')"
    [ "$status" -ne 0 ]
    [[ "$output" == *"permission denied"* ]]
    run as "$LC" "INSERT INTO boardvault.key_changes(person_id, box_pk, sign_pk, secret, sig, requested) VALUES ($ALICE, $k32, $k32, '\\x00', $k64, 't')"
    [ "$status" -ne 0 ]
    [[ "$output" == *"permission denied"* ]]
    # nor through the function for another person, nor for an officer
    # (carol, through her own login), nor keys of the wrong length
    CAROL=$(pg "SELECT id FROM boardvault.persons WHERE name = 'carol'")
    [ "$(as "$LA" "SELECT boardvault.request_key_change($BOBID, $k32, $k32, '\\x00', $k64, 't') IS NULL")" = t ]
    [ "$(as "$LC" "SELECT boardvault.request_key_change($CAROL, $k32, $k32, '\\x00', $k64, 't') IS NULL")" = t ]
    [ "$(as "$LA" "SELECT boardvault.request_key_change($ALICE, '\\x00'::bytea, $k32, '\\x00', $k64, 't') IS NULL")" = t ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_changes")" = 0 ]
    [ "$(refused)" = "$LA not-the-person,$LC an-officer,$LA bad-request" ]
    [ "$(pg "SELECT string_agg(login || ' ' || action || ' ' || outcome || ' ' || reason, ',' ORDER BY seq) FROM boardvault.audit WHERE reason LIKE 'server-%'")" = "$LA key-change denied server-not-the-person,$LC key-change denied server-an-officer,$LA key-change denied server-bad-request" ]
    # an officer's client is refused by the domain before the server
    printf '%s\n%s\n' "$PW_CAROL" "fresh-lantern-harbour-6172" >pw
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LC dbname=$PGDB" run "$BV" member rekey --as carol $KDF --passphrase-fd 3 3<pw
    [ "$status" -eq 4 ]
    [[ "$output" == *"is an officer"* ]]
    # a second request of alice's replaces her first, as on SQLite
    [ "$(as "$LA" "SELECT boardvault.request_key_change($ALICE, $k32, $k32, '\\x01', $k64, 't1')")" = "$ALICE" ]
    [ "$(as "$LA" "SELECT boardvault.request_key_change($ALICE, $k32, $k32, '\\x02', $k64, 't2')")" = "$ALICE" ]
    [ "$(pg "SELECT requested FROM boardvault.key_changes")" = t2 ]
    # bob's login is in boardvault_officers, but bob officers no board: he
    # may ask, as the domain allows
    [ "$(as "$LB" "SELECT boardvault.request_key_change($BOBID, $k32, $k32, '\\x03', $k64, 't3')")" = "$BOBID" ]
    [ "$(pg "SELECT count(*) FROM boardvault.key_changes")" = 2 ]
    verified
}

@test "officers: an officer's login takes a checkpoint that audit verify accepts" {
    run carol audit checkpoint
    [ "$status" -eq 0 ]
    echo "$output" >saved.cp
    [ "$(pg "SELECT signed_by FROM boardvault.checkpoints")" = carol ]
    [ "$(pg "SELECT login FROM boardvault.audit WHERE action = 'checkpoint'")" = "$LC" ]
    run "$BV" audit verify --checkpoint saved.cp
    [ "$status" -eq 0 ]
    [[ "$output" == *"1 given checkpoint"* ]]
    # a checkpoint the server's tree state does not support is refused:
    # an old one replayed, the current size with another root
    [ "$(as "$LC" "SELECT boardvault.store_checkpoint(size, 'carol', note, 't') IS NULL FROM boardvault.checkpoints")" = t ]
    [ "$(as "$LC" "SELECT boardvault.store_checkpoint(n, 'carol', convert_to('boardvault/' || encode((SELECT value FROM boardvault.meta WHERE key = 'vault_id'), 'hex') || E'\\n' || n || E'\\n' || encode(sha256(''::bytea), 'base64') || E'\\n', 'UTF8'), 't') IS NULL FROM (SELECT max(seq) AS n FROM boardvault.audit) s")" = t ]
    [ "$(refused)" = "$LC bad-checkpoint,$LC bad-checkpoint" ]
    [ "$(pg "SELECT count(*) FROM boardvault.checkpoints")" = 1 ]
    verified
}

@test "officers: a member's login calling the approval and checkpoint functions is refused, logged" {
    enroll_dave
    DAVE=$(pg "SELECT id FROM boardvault.persons WHERE name = 'dave'")
    BOBID=$(pg "SELECT id FROM boardvault.persons WHERE name = 'bob'")
    [ "$(as "$LA" "SELECT boardvault.map_login($DAVE, '$LD')")" = not-an-officer ]
    [ "$(as "$LA" "SELECT boardvault.unmap_login($BOBID) IS NULL")" = t ]
    [ "$(as "$LA" "SELECT boardvault.approve_key_change($BOBID, '\\x'::bytea, '\\x'::bytea, 'alice', '\\x'::bytea) IS NULL")" = t ]
    [ "$(as "$LA" "SELECT boardvault.store_checkpoint(1, 'alice', '\\x'::bytea, 't') IS NULL")" = t ]
    [ "$(refused)" = "$LA not-an-officer,$LA not-an-officer,$LA not-an-officer,$LA not-permitted" ]
    [ "$(pg "SELECT string_agg(action || ' ' || outcome || ' ' || reason, ',' ORDER BY seq) FROM boardvault.audit WHERE login = '$LA'")" = "approve denied server-not-an-officer,reset denied server-not-an-officer,key-change denied server-not-an-officer,checkpoint denied server-not-permitted" ]
    [ "$(pg "SELECT count(*) FROM boardvault.logins WHERE person_id IN ($DAVE, $BOBID)")" = 1 ]
    [ "$(pg "SELECT count(*) FROM boardvault.checkpoints")" = 0 ]
    # her client, told to checkpoint, is refused
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LA dbname=$PGDB" run bvp "$PW_ALICE" audit checkpoint --as alice
    [ "$status" -eq 4 ]
    verified
}

@test "officers: a person's keys rewritten through an officer's login (its UPDATE on persons) fail their certificate: no key is wrapped to them (5)" {
    id=$(seal_item item.txt)
    # carol's login puts her own box key in alice's row, as an insider would
    as "$LC" "UPDATE boardvault.persons SET box_pk = (SELECT box_pk FROM boardvault.persons
        WHERE name = 'carol') WHERE name = 'alice'"
    run bvp "$PW_ROOT" grant "$id" alice --as "Root Officer"
    [ "$status" -eq 5 ]
    [[ "$output" == *"certificate of alice does not verify"* ]]
    run seal_item item.txt alice
    [ "$status" -eq 5 ]
    [ "$(pg "SELECT count(*) FROM boardvault.grants g JOIN boardvault.persons p
        ON p.id = g.person_id WHERE p.name = 'alice'")" = 0 ]
    # and alice's own client refuses her changed row too
    run open_as "$LA" "$PW_ALICE" alice "$id"
    [ "$status" -eq 5 ]
}
