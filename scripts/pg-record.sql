-- pg-record.sql - switch the server-enforced record on for the vault in
-- one database (docs/DESIGN.md "Server-enforced record"). Run it as the
-- database owner, who needs CREATEROLE for the three group roles (or have
-- a DBA create them first):
--   psql -X -v ON_ERROR_STOP=1 -f scripts/pg-record.sql "dbname=csp"
-- From then on `member approve NAME [--login LOGIN]` maps each new
-- person's login and makes it when the officer's connection may create
-- roles (else prints the CREATE ROLE for you), and `member reset` drops
-- it. People approved before are mapped by hand, once:
--   CREATE ROLE alice LOGIN IN ROLE boardvault_members;  -- with a password or a certificate
--   INSERT INTO boardvault.logins(login, person_id)
--       SELECT 'alice', id FROM boardvault.persons WHERE name = 'alice';
-- After an upgrade of boardvault, have the owner write to the vault once
-- (any command that writes adds the record's new functions) and run this
-- again: until then members' clients fail closed.
-- First slice: members and auditors. Officers still connect as the
-- database owner (mapped in logins like anyone else, to open items).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'boardvault_officers') THEN
        CREATE ROLE boardvault_officers NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'boardvault_members') THEN
        CREATE ROLE boardvault_members NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'boardvault_auditors') THEN
        CREATE ROLE boardvault_auditors NOLOGIN;
    END IF;
END
$$;

BEGIN;
GRANT USAGE ON SCHEMA boardvault
    TO boardvault_officers, boardvault_members, boardvault_auditors;
-- Everything but the key-bearing tables (grants, board_keys, item_keys,
-- minutes_keys, key_changes), the login map and the server's refusals;
-- and of persons every column but secret (each person's passphrase-wrapped
-- secret key), which boardvault.person_secret returns to its own login
-- alone. The REVOKE takes back what this script granted before it did so.
REVOKE SELECT ON boardvault.persons
    FROM boardvault_officers, boardvault_members, boardvault_auditors;
GRANT SELECT (id, name, box_pk, sign_pk, status, cert_by, cert_sig, created)
    ON boardvault.persons
    TO boardvault_officers, boardvault_members, boardvault_auditors;
GRANT EXECUTE ON FUNCTION boardvault.person_secret(BIGINT),
    boardvault.set_own_secret(BIGINT, BYTEA)
    TO boardvault_officers, boardvault_members, boardvault_auditors;
GRANT SELECT ON boardvault.meta, boardvault.boards, boardvault.roles,
    boardvault.bodies, boardvault.items, boardvault.chunks, boardvault.grantsets,
    boardvault.audit, boardvault.audit_state, boardvault.checkpoints, boardvault.retired_keys,
    boardvault.removals, boardvault.meetings, boardvault.agenda, boardvault.blocks,
    boardvault.actions
    TO boardvault_officers, boardvault_members, boardvault_auditors;
-- The log is written through the functions alone, which check each entry
-- against the server's own tree state and store the state they compute;
-- audit.login defaults to session_user, the server's word. No INSERT,
-- UPDATE, DELETE or TRUNCATE on audit, audit_state or checkpoints is
-- granted (the REVOKEs take back what this script granted before).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON boardvault.audit, boardvault.audit_state,
    boardvault.checkpoints
    FROM boardvault_officers, boardvault_members, boardvault_auditors;
GRANT EXECUTE ON FUNCTION boardvault.append_entry(BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT,
    TEXT, TEXT, TEXT, TEXT, BYTEA, BYTEA)
    TO boardvault_officers, boardvault_members, boardvault_auditors;
GRANT EXECUTE ON FUNCTION
    boardvault.record_open(BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, BYTEA, BYTEA, BYTEA),
    boardvault.release_grant(TEXT, BIGINT)
    TO boardvault_officers, boardvault_members;
INSERT INTO boardvault.meta(key, value) VALUES ('record', 'server')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
COMMIT;
