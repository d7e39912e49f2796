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
-- Officers may connect as logins of their own in boardvault_officers
-- (GRANT boardvault_officers TO alice_login): such a login writes what an
-- officer's commands write, and gets key material only through the
-- logged functions; it maps and unmaps logins, approves new keys and
-- stores checkpoints through functions too. A member's own login asks
-- for new keys (member rekey) through a function as well. Connecting as the database
-- owner still works (the owner reads every table: what could the
-- functions withhold from whoever can replace them?).
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
-- Officers write what their commands write. Of the key-bearing tables
-- they get INSERT and DELETE (writing a key wrapped to someone is no
-- decryption) and SELECT of the columns that are not key material, which
-- the WHERE clauses need; the keys themselves come through
-- release_board_key, release_item_key, release_minutes_keys and
-- release_grants, each release a row of boardvault.key_releases (the
-- owner's to read). Members may call them too, and are refused, logged.
GRANT INSERT, UPDATE, DELETE ON boardvault.persons, boardvault.boards, boardvault.roles,
    boardvault.removals, boardvault.retired_keys, boardvault.items, boardvault.bodies,
    boardvault.chunks, boardvault.grantsets, boardvault.meetings,
    boardvault.agenda, boardvault.blocks, boardvault.actions
    TO boardvault_officers;
GRANT USAGE ON SEQUENCE boardvault.persons_id_seq, boardvault.boards_id_seq,
    boardvault.bodies_id_seq, boardvault.items_id_seq, boardvault.retired_keys_id_seq,
    boardvault.meetings_id_seq
    TO boardvault_officers;
REVOKE ALL ON boardvault.grants, boardvault.board_keys, boardvault.item_keys,
    boardvault.minutes_keys
    FROM boardvault_officers, boardvault_members, boardvault_auditors;
GRANT INSERT, DELETE ON boardvault.grants, boardvault.board_keys, boardvault.item_keys,
    boardvault.minutes_keys
    TO boardvault_officers;
GRANT SELECT (item_id, person_id, granted_by) ON boardvault.grants TO boardvault_officers;
GRANT SELECT (board_id, epoch, person_id, wrapped_by) ON boardvault.board_keys
    TO boardvault_officers;
GRANT SELECT (item_id, epoch) ON boardvault.item_keys TO boardvault_officers;
GRANT SELECT (board_id, gen, epoch) ON boardvault.minutes_keys TO boardvault_officers;
GRANT EXECUTE ON FUNCTION boardvault.release_board_key(BIGINT, BIGINT),
    boardvault.release_item_key(BIGINT, BIGINT), boardvault.release_minutes_keys(BIGINT),
    boardvault.release_grants(BIGINT)
    TO boardvault_officers, boardvault_members;
-- An officer's approvals and resets map and unmap logins, an approval of
-- new keys moves their secret (the officer reads the public half only),
-- and officers and auditors store checkpoints, each through a function
-- that checks the caller and is refused, logged, to anyone else.
GRANT SELECT (person_id, box_pk, sign_pk, sig, requested) ON boardvault.key_changes
    TO boardvault_officers;
GRANT EXECUTE ON FUNCTION boardvault.map_login(BIGINT, TEXT), boardvault.unmap_login(BIGINT),
    boardvault.approve_key_change(BIGINT, BYTEA, BYTEA, TEXT, BYTEA)
    TO boardvault_officers, boardvault_members;
GRANT EXECUTE ON FUNCTION boardvault.store_checkpoint(BIGINT, TEXT, BYTEA, TEXT)
    TO boardvault_officers, boardvault_members, boardvault_auditors;
-- A person's request for new key pairs (member rekey) is stored through
-- a function that takes the caller's own request only, never an
-- officer's (the groups have no INSERT on key_changes, and officers
-- DELETE only, for member reset). Granted to all three groups as
-- set_own_secret is: the store of every login that is not the owner's
-- calls it, and a person whose login is in boardvault_officers or
-- boardvault_auditors but who officers no board now (who left every
-- board) may rekey as the domain allows; the function refuses the rest.
REVOKE INSERT, UPDATE ON boardvault.key_changes FROM boardvault_officers;
GRANT DELETE ON boardvault.key_changes TO boardvault_officers;
GRANT EXECUTE ON FUNCTION
    boardvault.request_key_change(BIGINT, BYTEA, BYTEA, BYTEA, BYTEA, TEXT)
    TO boardvault_officers, boardvault_members, boardvault_auditors;
INSERT INTO boardvault.meta(key, value) VALUES ('record', 'server')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
COMMIT;
