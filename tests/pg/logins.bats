#!/usr/bin/env bats
# logins.bats - each person's own login under the server-enforced record
# (issue 14; docs/DESIGN.md "Server-enforced record"): `member approve`
# maps it and makes it, `member reset` unmaps and drops it, when the
# officer's connection may create roles; otherwise the exact statements
# are printed for the database's administrator. Against the throwaway
# server (make e2e-pg), with an officer's login that owns the vault and
# is no superuser.

load ../e2e/helpers
load roles

setup() {
    [ "${BV_ENGINE:-}" = pg ] || skip "needs the throwaway server (make e2e-pg)"
    setup_vault
    # roles are the server's, not the database's: one set per test
    OWN=${PGDB}_own
    LC=${PGDB}_carol
    dba "CREATE ROLE $OWN LOGIN NOCREATEROLE; ALTER DATABASE $PGDB OWNER TO $OWN"
    export BOARDVAULT_PATH="host=$BV_PGHOST user=$OWN dbname=$PGDB"
    make_world
    echo "restricted text" >item.txt
    # the administrator switches the record on
    psql -X -q -v ON_ERROR_STOP=1 -f "$BATS_TEST_DIRNAME/../../scripts/pg-record.sql" \
        "host=$BV_PGHOST user=postgres dbname=$PGDB"
}

teardown() {
    teardown_vault
    [ -z "${OWN:-}" ] || drop_roles "$LC" "$OWN"
}

# dba SQL: as the server's administrator, on the test's database
dba() { psql -X -q -v ON_ERROR_STOP=1 -At "host=$BV_PGHOST user=postgres dbname=$PGDB" -c "$1"; }
# carol_opens: carol's item, opened through her own login
carol_opens() {
    bvp "$PW_ROOT" board add CSP carol --role member --as "Root Officer" >/dev/null
    ID=$(seal_item item.txt carol)
    BOARDVAULT_PATH="host=$BV_PGHOST user=$LC dbname=$PGDB" run bvp "$PW_CAROL" open "$ID" --as carol
    [ "$status" -eq 0 ]
    [ "$output" = "restricted text" ]
    [ "$(dba "SELECT login FROM boardvault.audit WHERE action = 'open' AND outcome = 'ok'")" = "$LC" ]
}

@test "logins: without CREATEROLE, approve maps the login and prints what the administrator runs" {
    run bvp "$PW_ROOT" member approve carol --login "$LC" --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"have the database's administrator run"* ]]
    [[ "$output" == *"CREATE ROLE \"$LC\" LOGIN IN ROLE boardvault_members;"* ]]
    [ "$(dba "SELECT count(*) FROM pg_roles WHERE rolname = '$LC'")" = 0 ]
    [ "$(dba "SELECT p.name FROM boardvault.logins l JOIN boardvault.persons p ON p.id = l.person_id WHERE l.login = '$LC'")" = carol ]
    # the administrator runs exactly that, and carol's login opens through the record
    dba "$(echo "$output" | grep '^CREATE ROLE')"
    carol_opens
    # a reset unmaps her at once, and prints the drop
    run bvp "$PW_ROOT" member reset carol --yes --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"DROP ROLE \"$LC\";"* ]]
    [ "$(dba "SELECT count(*) FROM boardvault.logins WHERE login = '$LC'")" = 0 ]
    dba "$(echo "$output" | grep '^DROP ROLE')"
    [ "$(dba "SELECT count(*) FROM pg_roles WHERE rolname = '$LC'")" = 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "logins: with CREATEROLE, approve makes the login in the members' group and reset drops it" {
    dba "ALTER ROLE $OWN CREATEROLE"
    run bvp "$PW_ROOT" member approve carol --login "$LC" --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"login $LC is theirs, in the members' group"* ]]
    [[ "$output" != *"administrator"* ]]
    [ "$(dba "SELECT pg_has_role('$LC', 'boardvault_members', 'MEMBER')")" = t ]
    [ "$(dba "SELECT rolcanlogin FROM pg_roles WHERE rolname = '$LC'")" = t ]
    carol_opens
    run bvp "$PW_ROOT" member reset carol --yes --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"login $LC is dropped"* ]]
    [ "$(dba "SELECT count(*) FROM pg_roles WHERE rolname = '$LC'")" = 0 ]
    [ "$(dba "SELECT count(*) FROM boardvault.logins")" = 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "logins: a privileged role or a login taken is no person's login, and nothing is approved" {
    dba "ALTER ROLE $OWN CREATEROLE"
    for l in "$OWN" postgres; do
        run bvp "$PW_ROOT" member approve carol --login "$l" --as "Root Officer"
        [ "$status" -ne 0 ]
        [[ "$output" == *"not a person's login"* ]]
    done
    dba "INSERT INTO boardvault.logins SELECT '$LC', id FROM boardvault.persons WHERE name = 'alice'"
    run bvp "$PW_ROOT" member approve carol --login "$LC" --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"another person's already"* ]]
    [ "$(dba "SELECT status FROM boardvault.persons WHERE name = 'carol'")" = pending ]
    [ "$(dba "SELECT count(*) FROM pg_roles WHERE rolname = '$LC'")" = 0 ]
}
