/*
 * store/pg/record_sql.c - the server-enforced record's SQL (docs/DESIGN.md
 * "Server-enforced record"): the SECURITY DEFINER functions through which
 * members' and officers' own logins append to the log, open, release keys
 * and change people, and the grants that go with them. Run by schema.c's
 * record_sql when a vault is made and whenever a vault's meta
 * "record_sql" is older than RECORD_SQL_VERSION (schema.c): every
 * statement here creates or replaces, so it may run again. Kept apart
 * from schema.c, the code that runs it, because it is most of its length.
 */
#include "bv_pg.h"

static const char schema_e[]
    = "CREATE OR REPLACE FUNCTION record_open(p_seq BIGINT, p_time TEXT, p_actor TEXT,"
      " p_actor_fp TEXT, p_board TEXT, p_item TEXT, p_leaf BYTEA, p_leaf_hash BYTEA,"
      " p_frontier BYTEA)"
      " RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE who BIGINT; nm TEXT; it BIGINT; bd TEXT; why TEXT;"
      "BEGIN"
      " who := caller();"
      " SELECT name INTO nm FROM persons WHERE id = who;"
      " SELECT i.id, b.name INTO it, bd FROM items i JOIN boards b ON b.id = i.board_id"
      "  WHERE i.uid = p_item;"
      " IF who IS NULL THEN why := 'no-person';"
      " ELSIF it IS NULL THEN why := 'not-found';"
      " ELSIF NOT EXISTS (SELECT 1 FROM grants WHERE item_id = it AND person_id = who)"
      "  THEN why := 'no-grant';"
      " ELSIF p_actor IS DISTINCT FROM nm OR p_board IS DISTINCT FROM bd"
      "  OR leaf_has(p_leaf, 'auth signed') IS NOT TRUE"
      "  THEN why := 'bad-entry';"
      /* p_frontier is the client's, kept for the call's signature: the
       * server computes the tree state itself */
      " ELSE why := put_entry(p_seq, p_time, nm, p_actor_fp, 'open', bd, p_item, '', '', 'ok',"
      "  '', p_leaf, p_leaf_hash);"
      " END IF;"
      " RETURN settle('open', bd, p_item, p_seq, why);"
      "END$$;"
      /* the grant, against a committed `open` entry of this login, and
       * only while the grant stands (revocation at once) */
      "CREATE OR REPLACE FUNCTION release_grant(p_item TEXT, p_seq BIGINT)"
      " RETURNS TABLE(r_person BIGINT, r_name TEXT, r_sealed BYTEA, r_by TEXT, r_sig BYTEA)"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE who BIGINT; it BIGINT; why TEXT;"
      "BEGIN"
      /* nothing written yet in this transaction: the entry found below
       * was committed by another, and cannot be rolled back from here */
      " IF pg_current_xact_id_if_assigned() IS NOT NULL THEN"
      "  RAISE EXCEPTION 'release_grant must begin its own transaction'"
      "  USING ERRCODE = 'insufficient_privilege';"
      " END IF;"
      " who := caller();"
      " SELECT id INTO it FROM items WHERE uid = p_item;"
      " IF who IS NULL THEN why := 'no-person';"
      " ELSIF it IS NULL THEN why := 'not-found';"
      " ELSIF NOT EXISTS (SELECT 1 FROM audit a JOIN persons p ON p.name = a.actor"
      "  WHERE a.seq = p_seq AND a.login = session_user AND p.id = who"
      "  AND a.action = 'open' AND a.item = p_item AND a.outcome = 'ok')"
      "  THEN why := 'no-entry';"
      " ELSIF NOT EXISTS (SELECT 1 FROM grants WHERE item_id = it AND person_id = who)"
      "  THEN why := 'no-grant';"
      " END IF;"
      " IF why IS NOT NULL THEN"
      "  PERFORM settle('open', (SELECT b.name FROM items i JOIN boards b ON b.id = i.board_id"
      "   WHERE i.id = it), p_item, NULL, why);"
      "  RETURN;"
      " END IF;"
      " RETURN QUERY SELECT g.person_id, p.name, g.sealed, g.granted_by, g.sig FROM grants g"
      "  JOIN persons p ON p.id = g.person_id WHERE g.item_id = it AND g.person_id = who;"
      "END$$;"
      "REVOKE ALL ON ALL TABLES IN SCHEMA " BV_PG_SCHEMA " FROM PUBLIC;"
      "REVOKE ALL ON FUNCTION caller(), leaf_has(BYTEA, TEXT),"
      " record_open(BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, BYTEA, BYTEA, BYTEA),"
      " release_grant(TEXT, BIGINT) FROM PUBLIC;";
/*
 * What came after the first slice (schema_f to schema_h): each person's
 * passphrase-wrapped secret key released to that person's login alone,
 * so that no member can take a colleague's away to guess at offline (the
 * groups lose SELECT on persons.secret in scripts/pg-record.sql); the
 * log's values and tree state computed in SQL; refusals kept by the
 * server; appends only through its checks. Like schema_e, they can run
 * again over themselves: a vault made by an earlier slice gets them in
 * bv_pg_migrate.
 */
static const char schema_f[]
    = "CREATE OR REPLACE FUNCTION person_secret(p_id BIGINT) RETURNS BYTEA"
      " LANGUAGE sql STABLE SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS"
      " $$SELECT secret FROM persons WHERE id = p_id AND id = caller()$$;"
      "REVOKE ALL ON FUNCTION person_secret(BIGINT) FROM PUBLIC;"
      /* an entry's value as audit.c's field() writes it: percent-encoded
       * '%' and controls, "-" for none and "%2D" for a literal "-" */
      "CREATE OR REPLACE FUNCTION audit_field(v TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE"
      " SET search_path = pg_catalog, pg_temp AS $$"
      "DECLARE b BYTEA; o BYTEA := ''::bytea; c INT;"
      "BEGIN"
      " IF v IS NULL OR v = '' THEN RETURN '-'; END IF;"
      " IF v = '-' THEN RETURN '%2D'; END IF;"
      " b := convert_to(v, 'UTF8');"
      " FOR i IN 0 .. length(b) - 1 LOOP"
      "  c := get_byte(b, i);"
      "  IF c < 32 OR c = 127 OR c = 37"
      "   THEN o := o || convert_to('%' || upper(lpad(to_hex(c), 2, '0')), 'UTF8');"
      "   ELSE o := o || substr(b, i + 1, 1);"
      "  END IF;"
      " END LOOP;"
      " RETURN convert_from(o, 'UTF8');"
      "END$$;"
      /*
       * The tree state of merkle.c, in SQL (sha256() is built in): the
       * stored right border f (8-byte big-endian size, then the nodes of
       * its set bits, low level first), the size and root before leaf
       * hash lh, and the border after it. What the client names as
       * "prev" is checked against this, and this, not the client's, is
       * what is stored.
       */
      "CREATE OR REPLACE FUNCTION tree_append(f BYTEA, lh BYTEA,"
      " OUT next BYTEA, OUT prev_size BIGINT, OUT prev_root BYTEA)"
      " LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$"
      "DECLARE n BIGINT := 0; node BYTEA[]; lvl INT; off INT := 9; h BYTEA := lh;"
      "BEGIN"
      " IF f IS NOT NULL THEN"
      "  IF length(f) < 8 THEN RAISE EXCEPTION 'audit tree state is damaged'"
      "   USING ERRCODE = 'data_corrupted'; END IF;"
      "  n := ('x' || encode(substr(f, 1, 8), 'hex'))::bit(64)::bigint;"
      "  FOR lvl IN 0 .. 62 LOOP"
      "   IF (n >> lvl) & 1 = 1 THEN node[lvl] := substr(f, off, 32); off := off + 32; END IF;"
      "  END LOOP;"
      "  IF n < 0 OR length(f) <> off - 1 THEN RAISE EXCEPTION 'audit tree state is damaged'"
      "   USING ERRCODE = 'data_corrupted'; END IF;"
      " END IF;"
      " prev_size := n;"
      " prev_root := sha256(''::bytea);"
      /* the border's subtrees, smallest first, each folded in on the right */
      " FOR lvl IN 0 .. 62 LOOP"
      "  IF (n >> lvl) & 1 = 1 THEN"
      "   prev_root := CASE WHEN n & ((1::bigint << lvl) - 1) = 0 THEN node[lvl]"
      "    ELSE sha256('\\x01'::bytea || node[lvl] || prev_root) END;"
      "  END IF;"
      " END LOOP;"
      /* one more leaf: carry through the size's low set bits */
      " lvl := 0;"
      " WHILE (n >> lvl) & 1 = 1 LOOP"
      "  h := sha256('\\x01'::bytea || node[lvl] || h); node[lvl] := NULL; lvl := lvl + 1;"
      " END LOOP;"
      " node[lvl] := h;"
      " n := n + 1;"
      " next := decode(lpad(to_hex(n), 16, '0'), 'hex');"
      " FOR lvl IN 0 .. 62 LOOP"
      "  IF (n >> lvl) & 1 = 1 THEN next := next || node[lvl]; END IF;"
      " END LOOP;"
      "END$$;"
      "REVOKE ALL ON FUNCTION audit_field(TEXT), tree_append(BYTEA, BYTEA) FROM PUBLIC;";
static const char schema_g[]
    /* a call's answer: its seq, or NULL and the refusal kept, in refusals
     * and as the server's own unsigned entry in the log */
    = "CREATE OR REPLACE FUNCTION settle(p_action TEXT, p_board TEXT, p_item TEXT, p_seq BIGINT,"
      " why TEXT) RETURNS BIGINT"
      " LANGUAGE plpgsql SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "BEGIN"
      " IF why IS NULL THEN RETURN p_seq; END IF;"
      " INSERT INTO refusals(item, reason) VALUES (coalesce(p_item, ''), why);"
      " PERFORM server_refusal(p_action, p_board, p_item, why);"
      " RETURN NULL;"
      "END$$;"
      /*
       * The entry audit.c writes for a refusal of someone who could not
       * sign it (AUDIT.md 2.3: auth none, never `ok`), written by the
       * server: actor the caller's person (or, for none, the login),
       * reason "server-" and why. Its tree state is the server's own, as
       * for every other append; put_entry checks it like any other.
       */
      "CREATE OR REPLACE FUNCTION server_refusal(p_action TEXT, p_board TEXT, p_item TEXT,"
      " why TEXT) RETURNS VOID"
      " LANGUAGE plpgsql SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE t RECORD; n BIGINT; tm TEXT; who TEXT; rs TEXT := 'server-' || why; lf BYTEA;"
      "BEGIN"
      " PERFORM pg_advisory_xact_lock(1112953905);"
      " SELECT * INTO t FROM tree_append((SELECT frontier FROM audit_state WHERE id = 1),"
      "  ''::bytea);"
      " n := t.prev_size + 1;"
      " tm := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"');"
      " who := coalesce((SELECT name FROM persons WHERE id = caller()), session_user::text);"
      " lf := convert_to('boardvault-audit/v1' || E'\\n'"
      "  || 'log boardvault/' || encode((SELECT value FROM meta WHERE key = 'vault_id'), 'hex')"
      "  || E'\\nseq ' || n || E'\\nprev ' || t.prev_size || ' ' || encode(t.prev_root, 'base64')"
      "  || E'\\ntime ' || tm || E'\\nactor ' || audit_field(who)"
      "  || E'\\nactor-key -\\nauth none\\naction ' || audit_field(p_action)"
      "  || E'\\nboard ' || audit_field(p_board) || E'\\nmeeting -\\nagenda -\\nitem '"
      "  || audit_field(p_item) || E'\\noutcome denied\\nreason ' || audit_field(rs) || E'\\n',"
      "  'UTF8');"
      " PERFORM put_entry(n, tm, who, '', p_action, coalesce(p_board, ''), coalesce(p_item, ''),"
      "  '', '', 'denied', rs, lf, sha256('\\x00'::bytea || lf));"
      "END$$;"
      /* a member's new passphrase (member passwd, the KDF upgrade at
       * unlock): their own key record only; a bad one locks out no one
       * but them */
      "CREATE OR REPLACE FUNCTION set_own_secret(p_id BIGINT, p_secret BYTEA) RETURNS BIGINT"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "BEGIN"
      " IF p_id IS DISTINCT FROM caller() OR p_secret IS NULL THEN"
      "  RETURN settle('passwd', '', '', NULL, 'not-the-person');"
      " END IF;"
      " UPDATE persons SET secret = p_secret WHERE id = p_id;"
      " RETURN p_id;"
      "END$$;"
      "REVOKE ALL ON FUNCTION set_own_secret(BIGINT, BYTEA) FROM PUBLIC;";
/*
 * Every append of a login that is not the owner's, on an enforced vault:
 * put_entry checks an entry against the columns it will be filed under
 * and against the server's own tree state (seq, prev, leaf hash), then
 * appends it and the new state; append_entry (the groups') adds that the
 * login is the person the entry names, and leaves `ok` opens to
 * record_open. A member can then write no entry that is not theirs and no
 * `prev` or tree state that would break verification for everyone after
 * them. Refused: kept by settle, if the client commits.
 */
static const char schema_h[]
    = "CREATE OR REPLACE FUNCTION put_entry(p_seq BIGINT, p_time TEXT, p_actor TEXT,"
      " p_actor_fp TEXT, p_action TEXT, p_board TEXT, p_item TEXT, p_meeting TEXT,"
      " p_agenda TEXT, p_outcome TEXT, p_reason TEXT, p_leaf BYTEA, p_leaf_hash BYTEA)"
      " RETURNS TEXT LANGUAGE plpgsql SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE t RECORD; ok BOOLEAN;"
      "BEGIN"
      " PERFORM pg_advisory_xact_lock(1112953905);"
      " SELECT * INTO t FROM tree_append((SELECT frontier FROM audit_state WHERE id = 1),"
      "  p_leaf_hash);"
      /* NULL anywhere is a refusal, never a pass */
      " ok := p_leaf_hash = sha256('\\x00'::bytea || p_leaf)"
      "  AND p_seq = t.prev_size + 1"
      "  AND p_seq = (SELECT coalesce(max(seq), 0) + 1 FROM audit)"
      "  AND leaf_has(p_leaf, 'seq ' || p_seq)"
      "  AND leaf_has(p_leaf, 'prev ' || t.prev_size || ' ' || encode(t.prev_root, 'base64'))"
      "  AND leaf_has(p_leaf, 'time ' || p_time)"
      "  AND leaf_has(p_leaf, 'actor ' || audit_field(p_actor))"
      "  AND leaf_has(p_leaf, 'actor-key ' || audit_field(p_actor_fp))"
      "  AND leaf_has(p_leaf, 'action ' || audit_field(p_action))"
      "  AND leaf_has(p_leaf, 'board ' || audit_field(p_board))"
      "  AND leaf_has(p_leaf, 'meeting ' || audit_field(p_meeting))"
      "  AND leaf_has(p_leaf, 'agenda ' || audit_field(p_agenda))"
      "  AND leaf_has(p_leaf, 'item ' || audit_field(p_item))"
      "  AND leaf_has(p_leaf, 'outcome ' || audit_field(p_outcome))"
      "  AND leaf_has(p_leaf, 'reason ' || audit_field(p_reason))"
      /* signed, or an unsigned refusal: what audit verify would take */
      "  AND (leaf_has(p_leaf, 'auth signed')"
      "   OR (leaf_has(p_leaf, 'auth none') AND p_outcome <> 'ok'));"
      " IF ok IS NOT TRUE THEN RETURN 'bad-entry'; END IF;"
      " INSERT INTO audit(seq, time, actor, actor_fp, action, board, item, meeting, agenda,"
      "  outcome, reason, leaf, leaf_hash) VALUES (p_seq, p_time, p_actor, p_actor_fp, p_action,"
      "  p_board, p_item, p_meeting, p_agenda, p_outcome, p_reason, p_leaf, p_leaf_hash);"
      " INSERT INTO audit_state(id, frontier) VALUES (1, t.next)"
      "  ON CONFLICT (id) DO UPDATE SET frontier = excluded.frontier;"
      " RETURN NULL;"
      "END$$;"
      "CREATE OR REPLACE FUNCTION append_entry(p_seq BIGINT, p_time TEXT, p_actor TEXT,"
      " p_actor_fp TEXT, p_action TEXT, p_board TEXT, p_item TEXT, p_meeting TEXT,"
      " p_agenda TEXT, p_outcome TEXT, p_reason TEXT, p_leaf BYTEA, p_leaf_hash BYTEA)"
      " RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE who BIGINT; why TEXT;"
      "BEGIN"
      " who := caller();"
      " IF who IS NULL THEN why := 'no-person';"
      " ELSIF p_actor IS DISTINCT FROM (SELECT name FROM persons WHERE id = who)"
      "  THEN why := 'not-the-actor';"
      " ELSIF p_action = 'open' AND p_outcome = 'ok' THEN why := 'bad-entry';"
      " ELSE why := put_entry(p_seq, p_time, p_actor, p_actor_fp, p_action, p_board, p_item,"
      "  p_meeting, p_agenda, p_outcome, p_reason, p_leaf, p_leaf_hash);"
      " END IF;"
      " RETURN settle(p_action, p_board, p_item, p_seq, why);"
      "END$$;"
      /* the tree state is replaced, never removed; checkpoints only added */
      "DROP TRIGGER IF EXISTS audit_state_no_delete ON audit_state;"
      "CREATE TRIGGER audit_state_no_delete BEFORE DELETE ON audit_state"
      " FOR EACH ROW EXECUTE FUNCTION append_only();"
      "DROP TRIGGER IF EXISTS audit_state_no_truncate ON audit_state;"
      "CREATE TRIGGER audit_state_no_truncate BEFORE TRUNCATE ON audit_state"
      " FOR EACH STATEMENT EXECUTE FUNCTION append_only();"
      "DROP TRIGGER IF EXISTS checkpoints_no_change ON checkpoints;"
      "CREATE TRIGGER checkpoints_no_change BEFORE UPDATE OR DELETE ON checkpoints"
      " FOR EACH ROW EXECUTE FUNCTION append_only();"
      "DROP TRIGGER IF EXISTS checkpoints_no_truncate ON checkpoints;"
      "CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints"
      " FOR EACH STATEMENT EXECUTE FUNCTION append_only();"
      "REVOKE ALL ON FUNCTION settle(TEXT, TEXT, TEXT, BIGINT, TEXT),"
      " server_refusal(TEXT, TEXT, TEXT, TEXT),"
      " put_entry(BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT,"
      " BYTEA, BYTEA),"
      " append_entry(BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT,"
      " TEXT, TEXT, TEXT, BYTEA, BYTEA) FROM PUBLIC;";

/*
 * Officers through the record (issue 14, step 1): an officer's login
 * that is not the owner's reads no key-bearing table either. The board
 * key sealed to that officer, the item keys and minutes keys wrapped
 * under it, and the grants of an item of the board (sealed to their
 * holders: for re-signing them at a removal) are released by these
 * functions alone, each to an officer of the board now (a role, no
 * removal since), each release a key_releases row naming the login and
 * each refusal kept as every refusal is (settle, action "key-release").
 * The board key is released only against a key_releases row of the
 * same login, board and epoch committed by an earlier transaction: the
 * function refuses to run in a transaction that has written anything
 * (so every row it sees was committed by another), logs this call's row
 * and, when there was none before, returns no key but a row of NULLs:
 * ask again. A client that reads the key and rolls back takes back its
 * own row only, never the first, so no login holds a board key of an
 * epoch without a committed row saying so. The others run inside the
 * write: they are wrapped under a board key released so.
 * The tables CREATE ... IF NOT EXISTS: this runs again over itself.
 */
static const char schema_i[]
    = "CREATE TABLE IF NOT EXISTS key_releases(" BV_PG_ID ", at TIMESTAMPTZ NOT NULL DEFAULT now(),"
      " login NAME NOT NULL DEFAULT session_user, person_id BIGINT NOT NULL,"
      " board TEXT NOT NULL, epoch BIGINT, kind TEXT NOT NULL"
      " CHECK (kind IN ('board','item','minutes','grants')), item TEXT);"
      "DROP TRIGGER IF EXISTS key_releases_no_change ON key_releases;"
      "CREATE TRIGGER key_releases_no_change BEFORE UPDATE OR DELETE ON key_releases"
      " FOR EACH ROW EXECUTE FUNCTION append_only();"
      "DROP TRIGGER IF EXISTS key_releases_no_truncate ON key_releases;"
      "CREATE TRIGGER key_releases_no_truncate BEFORE TRUNCATE ON key_releases"
      " FOR EACH STATEMENT EXECUTE FUNCTION append_only();"
      /* the caller's person if an officer of the board now, else NULL */
      "CREATE OR REPLACE FUNCTION officer_now(p_board BIGINT) RETURNS BIGINT"
      " LANGUAGE sql STABLE SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS"
      " $$SELECT r.person_id FROM roles r JOIN persons p ON p.id = r.person_id"
      " WHERE r.board_id = p_board AND r.person_id = caller() AND r.role = 'officer'"
      " AND NOT EXISTS (SELECT 1 FROM removals m WHERE m.board_id = p_board AND m.name = p.name)$$;"
      /* why the caller may not have a key of board p_board, or NULL */
      "CREATE OR REPLACE FUNCTION officer_refusal(p_board BIGINT) RETURNS TEXT"
      " LANGUAGE sql STABLE SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS"
      " $$SELECT CASE WHEN caller() IS NULL THEN 'no-person'"
      " WHEN NOT EXISTS (SELECT 1 FROM boards WHERE id = p_board) THEN 'not-found'"
      " WHEN officer_now(p_board) IS NULL THEN 'not-an-officer' END$$;"
      "CREATE OR REPLACE FUNCTION release_board_key(p_board BIGINT, p_epoch BIGINT)"
      " RETURNS TABLE(r_person BIGINT, r_name TEXT, r_sealed BYTEA, r_by TEXT, r_sig BYTEA)"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE who BIGINT; bd TEXT; why TEXT; had BOOLEAN;"
      "BEGIN"
      " IF pg_current_xact_id_if_assigned() IS NOT NULL THEN"
      "  RAISE EXCEPTION 'release_board_key must begin its own transaction'"
      "  USING ERRCODE = 'insufficient_privilege';"
      " END IF;"
      " SELECT name INTO bd FROM boards WHERE id = p_board;"
      " why := officer_refusal(p_board);"
      " who := officer_now(p_board);"
      " IF why IS NULL AND NOT EXISTS (SELECT 1 FROM board_keys WHERE board_id = p_board"
      "  AND epoch = p_epoch AND person_id = who) THEN why := 'no-key'; END IF;"
      " IF why IS NOT NULL THEN"
      "  PERFORM settle('key-release', bd, '', NULL, why);"
      "  RETURN;"
      " END IF;"
      " had := EXISTS (SELECT 1 FROM key_releases WHERE login = session_user AND person_id = who"
      "  AND kind = 'board' AND board = bd AND epoch = p_epoch);"
      " INSERT INTO key_releases(person_id, board, epoch, kind) VALUES (who, bd, p_epoch, 'board');"
      " IF NOT had THEN"
      "  RETURN QUERY SELECT who, NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::BYTEA;"
      "  RETURN;"
      " END IF;"
      " RETURN QUERY SELECT k.person_id, p.name, k.sealed, k.wrapped_by, k.sig FROM board_keys k"
      "  JOIN persons p ON p.id = k.person_id"
      "  WHERE k.board_id = p_board AND k.epoch = p_epoch AND k.person_id = who;"
      "END$$;"
      /* NULL: refused (kept), or no such key */
      "CREATE OR REPLACE FUNCTION release_item_key(p_item BIGINT, p_epoch BIGINT) RETURNS BYTEA"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE bid BIGINT; bd TEXT; uid TEXT; why TEXT; w BYTEA;"
      "BEGIN"
      " SELECT i.board_id, b.name, i.uid INTO bid, bd, uid FROM items i"
      "  JOIN boards b ON b.id = i.board_id WHERE i.id = p_item;"
      " why := CASE WHEN bid IS NULL AND caller() IS NOT NULL THEN 'not-found'"
      "  ELSE officer_refusal(bid) END;"
      " IF why IS NOT NULL THEN"
      "  PERFORM settle('key-release', bd, uid, NULL, why);"
      "  RETURN NULL;"
      " END IF;"
      " SELECT wrapped INTO w FROM item_keys WHERE item_id = p_item AND epoch = p_epoch;"
      " IF w IS NOT NULL THEN"
      "  INSERT INTO key_releases(person_id, board, epoch, kind, item)"
      "   VALUES (officer_now(bid), bd, p_epoch, 'item', uid);"
      " END IF;"
      " RETURN w;"
      "END$$;";
/* Split only because C limits one string literal to 4095 bytes. */
static const char schema_j[]
    /* a first row of NULLs says the release was allowed (a board
     * without minutes keys has no other row) */
    = "CREATE OR REPLACE FUNCTION release_minutes_keys(p_board BIGINT)"
      " RETURNS TABLE(r_gen BIGINT, r_epoch BIGINT, r_wrapped BYTEA)"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE bd TEXT; why TEXT;"
      "BEGIN"
      " SELECT name INTO bd FROM boards WHERE id = p_board;"
      " why := officer_refusal(p_board);"
      " IF why IS NOT NULL THEN"
      "  PERFORM settle('key-release', bd, '', NULL, why);"
      "  RETURN;"
      " END IF;"
      " INSERT INTO key_releases(person_id, board, kind) VALUES (officer_now(p_board), bd, "
      "'minutes');"
      " RETURN QUERY SELECT NULL::BIGINT, NULL::BIGINT, NULL::BYTEA"
      "  UNION ALL (SELECT gen, epoch, wrapped FROM minutes_keys WHERE board_id = p_board"
      "  ORDER BY gen, epoch);"
      "END$$;"
      /* the grants of an item, sealed each to its holder: to re-sign
       * them (board remove); the same first row of NULLs */
      "CREATE OR REPLACE FUNCTION release_grants(p_item BIGINT)"
      " RETURNS TABLE(r_person BIGINT, r_name TEXT, r_sealed BYTEA, r_by TEXT, r_sig BYTEA)"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE bid BIGINT; bd TEXT; uid TEXT; why TEXT;"
      "BEGIN"
      " SELECT i.board_id, b.name, i.uid INTO bid, bd, uid FROM items i"
      "  JOIN boards b ON b.id = i.board_id WHERE i.id = p_item;"
      " why := CASE WHEN bid IS NULL AND caller() IS NOT NULL THEN 'not-found'"
      "  ELSE officer_refusal(bid) END;"
      " IF why IS NOT NULL THEN"
      "  PERFORM settle('key-release', bd, uid, NULL, why);"
      "  RETURN;"
      " END IF;"
      " INSERT INTO key_releases(person_id, board, kind, item)"
      "  VALUES (officer_now(bid), bd, 'grants', uid);"
      " RETURN QUERY SELECT NULL::BIGINT, NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::BYTEA"
      "  UNION ALL (SELECT g.person_id, p.name, g.sealed, g.granted_by, g.sig FROM grants g"
      "  JOIN persons p ON p.id = g.person_id WHERE g.item_id = p_item"
      "  ORDER BY p.name COLLATE \"C\");"
      "END$$;"
      "REVOKE ALL ON key_releases FROM PUBLIC;"
      "REVOKE ALL ON FUNCTION officer_now(BIGINT), officer_refusal(BIGINT),"
      " release_board_key(BIGINT, BIGINT), release_item_key(BIGINT, BIGINT),"
      " release_minutes_keys(BIGINT), release_grants(BIGINT) FROM PUBLIC;";

/*
 * The rest of an officer's work through the record (issue 14): what
 * writes the owner's tables (logins, checkpoints) or moves key material
 * (a member's new passphrase-wrapped secret key, from key_changes to
 * persons) goes through these, each refusal kept as every refusal is.
 * map_login and unmap_login (member approve and member reset) let an
 * officer of some board now (or the root officer) map a person's login,
 * never one that is a superuser, may create roles, is the caller's own
 * or is mapped already, and unmap any but an officer's; a reason, or
 * NULL (map_login) or the login unmapped ('' for none; unmap_login),
 * says how it went. approve_key_change certifies the new keys the
 * officer saw and moves their secret, which the officer never reads.
 * store_checkpoint stores a checkpoint of an officer or auditor only if
 * its size and root are the server's own tree state, so no login can
 * store one the log does not support (the signature is audit verify's).
 */
static const char schema_k[]
    /* the caller's person if the root officer or an officer of a board now */
    = "CREATE OR REPLACE FUNCTION officer_somewhere(p_roles TEXT[]) RETURNS BIGINT"
      " LANGUAGE sql STABLE SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS"
      " $$SELECT p.id FROM persons p WHERE p.id = caller()"
      " AND (convert_to(p.name, 'UTF8') = (SELECT value FROM meta WHERE key = 'root')"
      " OR EXISTS (SELECT 1 FROM roles r WHERE r.person_id = p.id AND r.role = ANY (p_roles)"
      " AND NOT EXISTS (SELECT 1 FROM removals m WHERE m.board_id = r.board_id"
      " AND m.name = p.name)))$$;"
      /* the root officer or an officer of any board: what they signed
       * would need signing again (vault_member.c, not_an_officer) */
      "CREATE OR REPLACE FUNCTION signs_for_boards(p_person BIGINT) RETURNS BOOLEAN"
      " LANGUAGE sql STABLE SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS"
      " $$SELECT EXISTS (SELECT 1 FROM roles WHERE person_id = p_person AND role = 'officer')"
      " OR EXISTS (SELECT 1 FROM persons p WHERE p.id = p_person"
      " AND convert_to(p.name, 'UTF8') = (SELECT value FROM meta WHERE key = 'root'))$$;"
      "CREATE OR REPLACE FUNCTION map_login(p_person BIGINT, p_login TEXT) RETURNS TEXT"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE why TEXT; priv BOOLEAN;"
      "BEGIN"
      " SELECT rolsuper OR rolcreaterole INTO priv FROM pg_roles WHERE rolname = p_login;"
      " IF caller() IS NULL THEN why := 'no-person';"
      " ELSIF officer_somewhere(ARRAY['officer']) IS NULL THEN why := 'not-an-officer';"
      " ELSIF NOT EXISTS (SELECT 1 FROM persons WHERE id = p_person AND status = 'approved')"
      "  THEN why := 'not-found';"
      " ELSIF p_login IS NULL OR p_login = '' OR octet_length(p_login) > 63"
      "  OR p_login = session_user::text OR priv IS TRUE THEN why := 'privileged-login';"
      " ELSIF EXISTS (SELECT 1 FROM logins WHERE login = p_login OR person_id = p_person)"
      "  THEN why := 'login-taken';"
      " END IF;"
      " IF why IS NULL THEN"
      "  INSERT INTO logins(login, person_id) VALUES (p_login, p_person);"
      " END IF;"
      " PERFORM settle('approve', '', '', 0, why);"
      " RETURN why;"
      "END$$;"
      "CREATE OR REPLACE FUNCTION unmap_login(p_person BIGINT) RETURNS TEXT"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE why TEXT; l TEXT;"
      "BEGIN"
      " IF caller() IS NULL THEN why := 'no-person';"
      " ELSIF officer_somewhere(ARRAY['officer']) IS NULL THEN why := 'not-an-officer';"
      " ELSIF p_person IS NULL OR signs_for_boards(p_person) THEN why := 'an-officer';"
      " END IF;"
      " IF why IS NOT NULL THEN"
      "  PERFORM settle('reset', '', '', NULL, why);"
      "  RETURN NULL;"
      " END IF;"
      " DELETE FROM logins WHERE person_id = p_person RETURNING login INTO l;"
      " RETURN coalesce(l, '');"
      "END$$;";
/* Split only because C limits one string literal to 4095 bytes. */
static const char schema_l[]
    = "CREATE OR REPLACE FUNCTION approve_key_change(p_person BIGINT, p_box_pk BYTEA,"
      " p_sign_pk BYTEA, p_by TEXT, p_cert_sig BYTEA) RETURNS BIGINT"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE who BIGINT; why TEXT;"
      "BEGIN"
      " who := caller();"
      " IF who IS NULL THEN why := 'no-person';"
      " ELSIF officer_somewhere(ARRAY['officer']) IS NULL THEN why := 'not-an-officer';"
      " ELSIF p_by IS DISTINCT FROM (SELECT name FROM persons WHERE id = who)"
      "  THEN why := 'not-the-actor';"
      " ELSIF p_person IS NULL OR signs_for_boards(p_person) THEN why := 'an-officer';"
      " ELSIF NOT EXISTS (SELECT 1 FROM key_changes WHERE person_id = p_person"
      "  AND box_pk = p_box_pk AND sign_pk = p_sign_pk) THEN why := 'not-found';"
      " END IF;"
      " IF why IS NULL THEN"
      "  UPDATE persons p SET box_pk = k.box_pk, sign_pk = k.sign_pk, secret = k.secret,"
      "   cert_by = p_by, cert_sig = p_cert_sig FROM key_changes k"
      "   WHERE k.person_id = p_person AND p.id = p_person;"
      "  DELETE FROM key_changes WHERE person_id = p_person;"
      " END IF;"
      " RETURN settle('key-change', '', '', p_person, why);"
      "END$$;"
      "CREATE OR REPLACE FUNCTION store_checkpoint(p_size BIGINT, p_signed_by TEXT,"
      " p_note BYTEA, p_created TEXT) RETURNS BIGINT"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE who BIGINT; why TEXT; t RECORD; head BYTEA; cid BIGINT;"
      "BEGIN"
      /* the tree state cannot move between the check and the insert */
      " PERFORM pg_advisory_xact_lock(1112953905);"
      " who := caller();"
      " SELECT * INTO t FROM tree_append((SELECT frontier FROM audit_state WHERE id = 1),"
      "  ''::bytea);"
      /* a C2SP checkpoint: origin, size and root are its first three lines */
      " head := convert_to('boardvault/' || encode((SELECT value FROM meta"
      "  WHERE key = 'vault_id'), 'hex') || E'\\n' || t.prev_size || E'\\n'"
      "  || encode(t.prev_root, 'base64') || E'\\n', 'UTF8');"
      " IF who IS NULL THEN why := 'no-person';"
      " ELSIF officer_somewhere(ARRAY['officer', 'auditor']) IS NULL THEN why := 'not-permitted';"
      " ELSIF p_signed_by IS DISTINCT FROM (SELECT name FROM persons WHERE id = who)"
      "  THEN why := 'not-the-actor';"
      " ELSIF p_size IS DISTINCT FROM t.prev_size OR head IS NULL"
      "  OR position(head IN p_note) IS DISTINCT FROM 1 THEN why := 'bad-checkpoint';"
      " END IF;"
      " IF why IS NULL THEN"
      "  INSERT INTO checkpoints(size, signed_by, note, created)"
      "   VALUES (p_size, p_signed_by, p_note, p_created) RETURNING id INTO cid;"
      " END IF;"
      " RETURN settle('checkpoint', '', '', cid, why);"
      "END$$;"
      "REVOKE ALL ON FUNCTION officer_somewhere(TEXT[]), signs_for_boards(BIGINT),"
      " map_login(BIGINT, TEXT), unmap_login(BIGINT),"
      " approve_key_change(BIGINT, BYTEA, BYTEA, TEXT, BYTEA),"
      " store_checkpoint(BIGINT, TEXT, BYTEA, TEXT) FROM PUBLIC;";

/*
 * A member's request for new key pairs (member rekey) from their own
 * login (issue 14): the groups have no INSERT on key_changes, so
 * request_key_change stores it, only for the caller's own person, never
 * for an officer or the root officer (the domain refuses them too:
 * vault_member.c, not_an_officer), only for keys of the lengths the
 * client writes. A second request replaces the first, as the SQLite
 * engine's INSERT OR REPLACE and the owner's upsert do: one pending
 * change per person (its primary key). The old key's signature over the
 * new keys is checked by the officer who approves them. Answers the
 * person, or NULL and the refusal kept (settle, action "key-change").
 */
static const char schema_m[]
    = "CREATE OR REPLACE FUNCTION request_key_change(p_person BIGINT, p_box_pk BYTEA,"
      " p_sign_pk BYTEA, p_secret BYTEA, p_sig BYTEA, p_requested TEXT) RETURNS BIGINT"
      " LANGUAGE plpgsql SECURITY DEFINER"
      " SET search_path = pg_catalog, " BV_PG_SCHEMA ", pg_temp AS $$"
      "DECLARE who BIGINT; why TEXT;"
      "BEGIN"
      " who := caller();"
      " IF who IS NULL THEN why := 'no-person';"
      " ELSIF p_person IS DISTINCT FROM who THEN why := 'not-the-person';"
      " ELSIF NOT EXISTS (SELECT 1 FROM persons WHERE id = who AND status = 'approved')"
      "  THEN why := 'pending';"
      " ELSIF signs_for_boards(who) THEN why := 'an-officer';"
      " ELSIF octet_length(p_box_pk) IS DISTINCT FROM 32"
      "  OR octet_length(p_sign_pk) IS DISTINCT FROM 32"
      "  OR octet_length(p_sig) IS DISTINCT FROM 64"
      "  OR coalesce(octet_length(p_secret), 0) = 0 OR p_requested IS NULL"
      "  THEN why := 'bad-request';"
      " END IF;"
      " IF why IS NULL THEN"
      "  INSERT INTO key_changes(person_id, box_pk, sign_pk, secret, sig, requested)"
      "   VALUES (who, p_box_pk, p_sign_pk, p_secret, p_sig, p_requested)"
      "   ON CONFLICT (person_id) DO UPDATE SET box_pk = excluded.box_pk,"
      "   sign_pk = excluded.sign_pk, secret = excluded.secret, sig = excluded.sig,"
      "   requested = excluded.requested;"
      " END IF;"
      " RETURN settle('key-change', '', '', who, why);"
      "END$$;"
      "REVOKE ALL ON FUNCTION request_key_change(BIGINT, BYTEA, BYTEA, BYTEA, BYTEA, TEXT)"
      " FROM PUBLIC;";

const char *const bv_pg_record_sql[] = { schema_e, schema_f, schema_g, schema_h, schema_i, schema_j,
    schema_k, schema_l, schema_m, NULL };
