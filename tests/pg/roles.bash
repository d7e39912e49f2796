# roles.bash - for tests/pg files that make logins: roles are the
# server's, not the test database's, so each test names its own after its
# database and drops them itself.

# drop_roles ROLE...: drop the test's roles, after its database is gone
drop_roles() {
    local r q=""
    for r in "$@"; do q="$q DROP ROLE IF EXISTS $r;"; done
    psql -X -q "host=$BV_PGHOST user=postgres dbname=postgres" -c "$q" || true
}
