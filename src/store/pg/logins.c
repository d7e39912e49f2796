/*
 * store/pg/logins.c - each person's own login under the server-enforced
 * record (docs/DESIGN.md "Server-enforced record"): `member approve`
 * maps a login to the person and puts it in the members' group, `member
 * reset` unmaps and drops it. Roles are the cluster's, not the vault's,
 * so only a connection that may create roles makes or drops one; for any
 * other, the exact statements are left for the database's administrator.
 * The mapping itself (table logins) is the owner's, in the caller's
 * transaction, so it stands or falls with the approval or the reset: an
 * officer's own login writes it through map_login and unmap_login
 * (schema.c, schema_k), which check again what is checked here.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_pg.h"

#include <stdio.h>
#include <string.h>

/* The group every person's login starts in (scripts/pg-record.sql). */
#define GROUP "boardvault_members"
/* PostgreSQL's NAMEDATALEN - 1: a longer name would be cut, not refused */
#define LOGIN_MAX 63

struct role {
    int64_t exists, member, privileged, can;
};

static bv_status
role_cb(void *ctx, const PGresult *r, int row)
{
    struct role *o = ctx;

    o->exists = bv_pg_col_int(r, row, 0);
    o->member = bv_pg_col_int(r, row, 1);
    o->privileged = bv_pg_col_int(r, row, 2);
    o->can = bv_pg_col_int(r, row, 3);
    return BV_OK;
}

/* Whether the role exists, is in the group, is one no person's login may
 * be (a superuser, one that creates roles, this connection's own), and
 * whether this connection may create and drop roles. */
static bv_status
role_get(bv_store *s, const char *login, struct role *o)
{
    memset(o, 0, sizeof *o);
    return bv_pg_one(s, "reading the server's roles", role_cb, o,
        "SELECT count(r.oid),"
        " (SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
        "  WHERE m.member = min(r.oid) AND g.rolname = '" GROUP "'),"
        " coalesce(bool_or(r.rolsuper OR r.rolcreaterole OR r.rolname = current_user), false)"
        "  ::int::int8,"
        " (SELECT (rolsuper OR rolcreaterole)::int::int8 FROM pg_roles"
        "  WHERE rolname = current_user)"
        " FROM pg_roles r WHERE r.rolname = $1",
        "t", login);
}

/*
 * head, the login quoted as an identifier, tail: run here when this
 * connection may (in a savepoint, so that a refusal by a newer server's
 * stricter rules leaves the caller's transaction alive), else added to
 * note->sql for the administrator.
 */
static bv_status
role_run(bv_store *s, const char *head, const char *login, const char *tail, int can,
    bv_login_note *note)
{
    PGconn *c = bv_pgh(s)->conn;
    char *id = PQescapeIdentifier(c, login, strlen(login));
    char sql[3 * LOGIN_MAX + 128];
    bv_status st = BV_OK;

    if (id == NULL)
        return bv_fail(BV_ERR, "quoting login %s: %s", login, PQerrorMessage(c));
    snprintf(sql, sizeof sql, "%s%s%s", head, id, tail);
    PQfreemem(id);
    if (can) {
        if ((st = bv_pg_exec(s, "SAVEPOINT bv_login", "changing a login")) != BV_OK)
            return st;
        if (bv_pg_exec(s, sql, "changing a login") == BV_OK) {
            note->done = 1;
            return bv_pg_exec(s, "RELEASE SAVEPOINT bv_login", "changing a login");
        }
        bv_err_clear();
        if ((st = bv_pg_exec(s, "ROLLBACK TO SAVEPOINT bv_login", "changing a login")) != BV_OK)
            return st;
    }
    bv_buf_printf(&note->sql, "%s;\n", sql);
    return note->sql.oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

static bv_status
count_cb(void *ctx, const PGresult *r, int row)
{
    *(int64_t *)ctx = bv_pg_col_int(r, row, 0);
    return BV_OK;
}

/* a nullable text: "" for NULL, *isnull set */
struct answer {
    char text[BV_NAME_MAX + 1];
    int isnull;
};

static bv_status
answer_cb(void *ctx, const PGresult *r, int row)
{
    struct answer *a = ctx;

    a->isnull = PQgetisnull(r, row, 0);
    a->text[0] = '\0';
    return a->isnull ? BV_OK : bv_pg_col_text(r, row, 0, a->text, sizeof a->text);
}

/* An officer's own login: the server maps it, or says why not. */
static bv_status
map_via_record(bv_store *s, const char *person, const char *l)
{
    struct answer a;
    bv_status st;

    if ((st = bv_pg_one(s, "mapping the login", answer_cb, &a,
             "SELECT map_login((SELECT id FROM persons WHERE name = $1), $2)", "tt", person, l))
        != BV_OK)
        return st;
    if (a.isnull)
        return BV_OK;
    if (strcmp(a.text, "login-taken") == 0)
        return bv_fail(BV_EUSAGE, "login %s is another person's already (--login another)", l);
    if (strcmp(a.text, "privileged-login") == 0)
        return bv_fail(BV_EUSAGE,
            "login %s may create roles, is a superuser or is this connection's own: "
            "not a person's login (--login another)",
            l);
    return bv_fail(BV_EPERM, "the vault server refused to map login %s (%s)", l, a.text);
}

bv_status
bv_pg_login_make(bv_store *s, const char *person, const char *login, bv_login_note *note)
{
    const char *l = login ? login : person;
    struct role o;
    int64_t taken = 0;
    bv_status st;

    snprintf(note->login, sizeof note->login, "%s", l);
    if (*l == '\0' || strlen(l) > LOGIN_MAX)
        return bv_fail(BV_EUSAGE, "a login name has 1 to %d bytes", LOGIN_MAX);
    if ((st = role_get(s, l, &o)) != BV_OK)
        return st;
    /* mapped, such a login would speak for the person with more than a
     * person's rights, and a reset would try to drop it */
    if (o.privileged)
        return bv_fail(BV_EUSAGE,
            "login %s may create roles, is a superuser or is this connection's own: "
            "not a person's login (--login another)",
            l);
    if (bv_pg_via_record(s)) {
        if ((st = map_via_record(s, person, l)) != BV_OK)
            return st;
    } else {
        if ((st = bv_pg_one(s, "reading the logins", count_cb, &taken,
                 "SELECT count(*) FROM logins WHERE login = $1", "t", l))
            != BV_OK)
            return st;
        if (taken)
            return bv_fail(BV_EUSAGE, "login %s is another person's already (--login another)", l);
        if ((st = bv_pg_run(s, "mapping the login",
                 "INSERT INTO logins(login, person_id) SELECT $1, id FROM persons WHERE name = $2",
                 "tt", l, person))
            != BV_OK)
            return st;
    }
    if (o.exists && o.member) {
        note->done = 1;
        return BV_OK;
    }
    /* a role made without a password: how it authenticates (a password,
     * a certificate, peer) is the administrator's, in pg_hba.conf */
    if (o.exists)
        return role_run(s, "GRANT " GROUP " TO ", l, "", (int)o.can, note);
    return role_run(s, "CREATE ROLE ", l, " LOGIN IN ROLE " GROUP, (int)o.can, note);
}

static bv_status
login_cb(void *ctx, const PGresult *r, int row)
{
    return bv_pg_col_text(r, row, 0, ctx, BV_NAME_MAX + 1);
}

bv_status
bv_pg_login_drop(bv_store *s, const char *person, bv_login_note *note)
{
    struct role o;
    struct answer a;
    bv_status st;

    if (bv_pg_via_record(s)) {
        /* an officer's own login: the server unmaps it, or says no */
        if ((st = bv_pg_one(s, "unmapping the login", answer_cb, &a,
                 "SELECT unmap_login((SELECT id FROM persons WHERE name = $1))", "t", person))
            != BV_OK)
            return st;
        if (a.isnull)
            return bv_fail(BV_EPERM, "the vault server refused to unmap the login of %s", person);
        snprintf(note->login, sizeof note->login, "%s", a.text);
        if (note->login[0] == '\0')
            return BV_OK;
    } else {
        st = bv_pg_one(s, "reading the logins", login_cb, note->login,
            "SELECT l.login FROM logins l JOIN persons p ON p.id = l.person_id WHERE p.name = $1",
            "t", person);
        if (st == BV_ENOTFOUND) {
            note->login[0] = '\0';
            return BV_OK;
        }
        if (st != BV_OK
            || (st = bv_pg_run(s, "unmapping the login", "DELETE FROM logins WHERE login = $1", "t",
                    note->login))
                != BV_OK)
            return st;
    }
    if ((st = role_get(s, note->login, &o)) != BV_OK)
        return st;
    if (!o.exists) {
        note->done = 1;
        return BV_OK;
    }
    /* only a plain person's login is dropped here; any other is left to
     * the administrator, who may know why it is more */
    return role_run(
        s, "DROP ROLE ", note->login, "", (int)(o.can && o.member && !o.privileged), note);
}
