#!/usr/bin/env bats
# minutes.bats - open minutes in the vault (issue 5): import, show,
# publish, actions, sealing onto the agenda, and restricted content that
# never appears in the clear.

load helpers

FIX="$BATS_TEST_DIRNAME/../fixtures"
M2022="$FIX/minutes-2022-12-07-csp.txt"
M2019="$FIX/minutes-2019-03-27-csp.txt"
SECRET="$FIX/minutes-secret-body.txt"
OUT="$BATS_TEST_DIRNAME/../out"

setup() { setup_vault; make_world; }
teardown() { teardown_vault; }

import() { bvp "$PW_ROOT" minutes import "$1" --board CSP --as "Root Officer"; }

@test "import the 2022 minutes: 11 items, item 5 restricted and awaiting its body, 7 actions" {
    run import "$M2022"
    [ "$status" -eq 0 ]
    [[ "$output" == *"meeting: 1"* ]]
    [[ "$output" == *"items:   11"* ]]
    [[ "$output" == *"restricted: 5. RESTRICTED: Domestic Homicide Review (RESTRICTED; no body: awaiting seal)"* ]]
    [[ "$output" == *"actions: 7"* ]]
    run "$BV" minutes show 1 --json
    [ "$status" -eq 0 ]
    [[ "$output" == *'"restricted": [{"ordinal": 5, "number": 5, "title": "RESTRICTED: Domestic Homicide Review", "marker": "RESTRICTED", "sealed": false, "item": null, "grantees": []}]'* ]]
    run "$BV" minutes list --json
    [[ "$output" == *'"date": "2022-12-07"'*'"items": 11, "restricted": 1'* ]]
    run "$BV" minutes actions --json
    [ "$(echo "$output" | grep -c '"status": "COMPLETED"')" -eq 7 ]
    [[ "$output" == *'"owners": "Daniel James", "text": "contact Stuart Bell about access to police data"'* ]]
    run "$BV" minutes actions --open
    [ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "import the 2019 minutes: 16 unnumbered items, two restricted, 12 actions, open ones listed" {
    run import "$M2019"
    [ "$status" -eq 0 ]
    [[ "$output" == *"items:   16"* ]]
    [[ "$output" == *"restricted: 12. RESTRICTED: Domestic Violence Homicide Review"* ]]
    [[ "$output" == *"restricted: 13. RESTRICTED: Stephen Port Case"* ]]
    [[ "$output" == *"actions: 12"* ]]
    run "$BV" minutes actions --open --json
    [ "$(echo "$output" | grep -c '"meeting"')" -eq 12 ]
    [[ "$output" == *'"owners": "Fiona Taylor and Jade Hodgson", "text": "conduct CSP Governance and membership review"'* ]]
}

@test "--dry-run stores nothing; importing the same document twice stores one meeting and says so" {
    run bvp "$PW_ROOT" minutes import "$M2022" --board CSP --dry-run
    [ "$status" -eq 0 ]
    [[ "$output" == *"dry run"* ]]
    run bvp "$PW_ROOT" minutes import "$M2022" --board CSP --dry-run --json
    [[ "$output" == *'"title":"Combating Drugs Partnership"'* ]]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 0 ]
    import "$M2022" >/dev/null
    run import "$M2022"
    [ "$status" -eq 0 ]
    [[ "$output" == *"imported before"* ]]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 1 ]
}

@test "the same minutes imported again after an officer's removal rotated the board key: still one meeting" {
    import "$M2022" >/dev/null
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    run bvp "$PW_ROOT" board remove CSP carol --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"rotated to epoch 2"* ]]
    run import "$M2022"
    [ "$status" -eq 0 ]
    [[ "$output" == *"meeting: 1"* ]]
    [[ "$output" == *"imported before"* ]]
    run "$BV" minutes list --json
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c '"id": ')" -eq 1 ]
}

@test "the minutes keys: re-wrapped at each rotation; another officer recognises the document, a new one is stored under a new key" {
    PW_DAN="cobalt-mandolin-furrow-8080"
    import "$M2022" >/dev/null
    [ "$(sql "SELECT $(agg epoch) FROM minutes_keys")" = 1 ]
    [ "$(sql 'SELECT length(wrapped) FROM minutes_keys')" = 72 ]
    before=$(sql "SELECT $(hex_of wrapped) FROM minutes_keys")
    bvp "$PW_DAN" member enroll dan $KDF >/dev/null
    for p in carol dan; do
        bvp "$PW_ROOT" member approve $p --as "Root Officer" >/dev/null
        bvp "$PW_ROOT" board add CSP $p --role officer --as "Root Officer" >/dev/null
    done
    bvp "$PW_ROOT" board remove CSP dan --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board remove CSP carol --as "Root Officer" >/dev/null
    [ "$(sql 'SELECT epoch FROM boards')" = 3 ]
    # the old wrappings go with their epochs: one row, under epoch 3
    [ "$(sql "SELECT $(agg epoch) FROM minutes_keys")" = 3 ]
    [ "$(sql "SELECT $(hex_of wrapped) FROM minutes_keys")" != "$before" ]
    # an officer added after the rotations gets the same answer
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    run bvp "$PW_CAROL" minutes import "$M2022" --board CSP --as carol
    [ "$status" -eq 0 ]
    [[ "$output" == *"meeting: 1"*"imported before"* ]]
    # the duplicate made no key; the first new meeting of epoch 3 makes its
    # own: generation 3, epoch 2 having imported nothing
    [ "$(sql "SELECT $(agg gen) FROM minutes_keys")" = 1 ]
    run import "$M2019"
    [ "$status" -eq 0 ]
    [[ "$output" == *"meeting: 2"* ]]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 2 ]
    [ "$(sql "SELECT $(agg "gen || ':' || epoch" ' ') FROM (SELECT * FROM minutes_keys ORDER BY gen) k")" = "1:3 3:3" ]
    [ "$(sql "SELECT $(agg key_gen ' ') FROM (SELECT * FROM meetings ORDER BY id) m")" = "1 3" ]
    vault_save good
    # a key moved to another generation, or one of an epoch not reached
    # yet, is refused: the AD binds the generation
    sql "UPDATE minutes_keys SET gen = 2 WHERE gen = 1"
    run import "$M2022"
    [ "$status" -eq 5 ]
    [[ "$output" == *"minutes key 2 of board CSP does not verify"* ]]
    vault_restore good
    sql "UPDATE minutes_keys SET gen = 4 WHERE gen = 3"
    run import "$SECRET"
    [ "$status" -eq 5 ]
    [[ "$output" == *"minutes key 4 of board CSP"* ]]
    vault_restore good
    # a wrapping that does not verify is refused, not replaced by a new key
    sql "UPDATE minutes_keys SET wrapped = $(hex_blob "$(printf '00%.0s' $(seq 72))")"
    run import "$M2022"
    [ "$status" -eq 5 ]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 2 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "after a rotation a new document is hashed with a new minutes key: the leaver's keys cannot make its hash; the old one is still recognised" {
    import "$M2022" >/dev/null
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    # carol, an officer, keeps a copy of the file: with her passphrase it
    # holds every key she will ever have had
    vault_save leaver
    [ "$(sql "SELECT $(agg "gen || ':' || epoch") FROM minutes_keys")" = 1:1 ]
    before=$(sql "SELECT $(hex_of wrapped) FROM minutes_keys")
    run bvp "$PW_ROOT" board remove CSP carol --as "Root Officer"
    [ "$status" -eq 0 ]
    [[ "$output" == *"rotated to epoch 2"* ]]
    # generation 1 re-wrapped under epoch 2, the epoch-1 wrapping gone
    [ "$(sql "SELECT $(agg "gen || ':' || epoch") FROM minutes_keys")" = 1:2 ]
    [ "$(sql "SELECT $(hex_of wrapped) FROM minutes_keys")" != "$before" ]
    # a document imported after she left: a new key, generation 2
    run import "$M2019"
    [ "$status" -eq 0 ]
    [[ "$output" == *"meeting: 2"* ]]
    [ "$(sql "SELECT $(agg "gen || ':' || epoch" ' ') FROM (SELECT * FROM minutes_keys ORDER BY gen) k")" = "1:2 2:2" ]
    [ "$(sql 'SELECT key_gen FROM meetings WHERE id = 2')" = 2 ]
    [ "$(sql 'SELECT key_gen FROM meetings WHERE id = 1')" = 1 ]
    # both documents are recognised by the remaining officer, each under
    # the key it was hashed with
    run import "$M2022"
    [[ "$output" == *"meeting: 1"*"imported before"* ]]
    run import "$M2019"
    [[ "$output" == *"meeting: 2"*"imported before"* ]]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 2 ]
    # the leaver hashes the new document with her keys, in her copy, where
    # she is still an officer, on her own machine (this client has seen the
    # newer log and refuses the old copy): the hash she gets is not the one
    # stored
    XDG_CONFIG_HOME="$T/carol-config" run bvp "$PW_CAROL" --vault "$(vault_path leaver)" minutes import "$M2019" --board CSP --as carol
    [ "$status" -eq 0 ]
    [[ "$output" != *"imported before"* ]]
    theirs=$(BOARDVAULT_PATH=$(vault_path leaver) sql "SELECT $(hex_of doc_hash) FROM meetings WHERE date_iso = '2019-03-27'")
    ours=$(sql "SELECT $(hex_of doc_hash) FROM meetings WHERE date_iso = '2019-03-27'")
    [ ${#theirs} -eq 64 ] && [ ${#ours} -eq 64 ]
    [ "$theirs" != "$ours" ]
}

@test "a deleted minutes key of the current epoch is made again, never replaced by an older one" {
    import "$M2022" >/dev/null
    bvp "$PW_ROOT" member approve carol --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board add CSP carol --role officer --as "Root Officer" >/dev/null
    bvp "$PW_ROOT" board remove CSP carol --as "Root Officer" >/dev/null
    import "$M2019" >/dev/null
    gone=$(sql "SELECT $(hex_of wrapped) FROM minutes_keys WHERE gen = 2")
    sql "DELETE FROM minutes_keys WHERE gen = 2"
    run import "$SECRET"
    [ "$status" -eq 0 ]
    [[ "$output" == *"meeting: 3"* ]]
    [ "$(sql 'SELECT key_gen FROM meetings WHERE id = 3')" = 2 ]
    [ "$(sql "SELECT $(agg gen ' ') FROM (SELECT * FROM minutes_keys ORDER BY gen) k")" = "1 2" ]
    [ "$(sql "SELECT $(hex_of wrapped) FROM minutes_keys WHERE gen = 2")" != "$gone" ]
    # what the deleted key hashed is no longer recognised; what generation
    # 1 hashed still is
    run import "$M2022"
    [[ "$output" == *"imported before"* ]]
}

@test "seal onto the agenda: title from the minutes, granted, opened, shown with its history" {
    import "$M2022" >/dev/null
    echo "fictional review text" >dhr
    id=$(bvp "$PW_ROOT" seal CSP dhr --meeting 1 --agenda-item 5 --grant alice --as "Root Officer")
    [[ "$id" =~ ^[0-9a-f]{16}$ ]]
    run "$BV" items --json
    [[ "$output" == *'"title": "RESTRICTED: Domestic Homicide Review"'* ]]
    [ "$(bvp "$PW_ALICE" open "$id" --as alice)" = "fictional review text" ]
    run "$BV" minutes show 1 --audit
    [[ "$output" == *"sealed as item $id; granted to: alice"* ]]
    [[ "$output" == *"open         ok       alice"* ]]
    run "$BV" audit log --item "$id" --csv
    [[ "$output" == *'"seal","CSP","'$id'","1","5","ok"'* ]]
    # refused: an open item, a second body, an unknown item, another board's meeting
    run bvp "$PW_ROOT" seal CSP dhr --meeting 1 --agenda-item 3 --as "Root Officer"
    [ "$status" -eq 2 ]
    run bvp "$PW_ROOT" seal CSP dhr --meeting 1 --agenda-item 5 --as "Root Officer"
    [ "$status" -eq 2 ]
    run bvp "$PW_ROOT" seal CSP dhr --meeting 1 --agenda-item 42 --as "Root Officer"
    [ "$status" -eq 6 ]
    run bvp "$PW_ROOT" seal CSP dhr --meeting 9 --agenda-item 5 --as "Root Officer"
    [ "$status" -eq 6 ]
    run bvp "$PW_ROOT" seal CSP dhr --meeting 1 --agenda-item 5 --title x --as "Root Officer"
    [ "$status" -eq 2 ]
}

@test "a restricted body in the source is sealed at once and its marker appears nowhere in the clear" {
    run import "$SECRET"
    [ "$status" -eq 0 ]
    [[ "$output" == *"body found in the source: sealed at import"* ]]
    # the import names the id of every body it sealed (issue 17)
    [[ "$output" =~ sealed:\ +([0-9a-f]{16})\ \(agenda\ item\ [0-9]+\) ]]
    [ "${BASH_REMATCH[1]}" = "$(sql "SELECT uid FROM items ORDER BY id LIMIT 1")" ]
    marker=ZZ-SECRET-MARKER-7f3a
    grep -q "$marker" "$SECRET"
    ! vault_has "$marker" || false
    on_pg || sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    ! vault_has "$marker" || false
    for cmd in "minutes show 1" "minutes show 1 --json" "minutes show 1 --audit" "minutes list" \
        "minutes actions" "minutes publish 1 --format txt" "minutes publish 1 --format md" \
        "minutes publish 1 --format html" "audit log" "audit export --format jsonl" "items --json"; do
        run $BV $cmd
        [ "$status" -eq 0 ]
        [[ "$output" != *"$marker"* ]]
    done
    # the officer can still grant it and a member read it
    id=$(sql "SELECT uid FROM items ORDER BY id LIMIT 1")
    bvp "$PW_ROOT" grant "$id" alice --as "Root Officer"
    run bvp "$PW_ALICE" open "$id" --as alice
    [[ "$output" == *"$marker"* ]]
}

@test "bad minutes: empty, binary, not UTF-8 (with the offset), no items, repeated number: 7, nothing stored" {
    for f in bad-empty.txt bad-binary.bin bad-latin1.txt bad-no-items.txt bad-repeated-number.txt; do
        run import "$FIX/$f"
        echo "$f: $output" >&3
        [ "$status" -eq 7 ]
        [[ "$output" == *"boardvault: $FIX/$f: "* ]] # the error names the file
    done
    # Latin-1 is read as Windows-1252: that page has no items
    run import "$FIX/bad-latin1.txt"
    [[ "$output" == *"bad-latin1.txt: no agenda items found"* ]]
    # a byte that is neither UTF-8 nor Windows-1252: its line and offset
    printf 'Agenda and minutes\n\nCabinet\n\x81 Monday, 3 February 2025\n' >bad.txt
    run import bad.txt
    [ "$status" -eq 7 ]
    [[ "$output" == *"bad.txt: line 4: byte 0x81 at byte offset 28 is neither UTF-8 nor Windows-1252"* ]]
    # UTF-8 in shape that is not UTF-8 (a surrogate): the parser's offset and the line
    printf 'Agenda and minutes\n\nCabinet \xed\xa0\x80\n' >bad.txt
    run import bad.txt
    [ "$status" -eq 7 ]
    [[ "$output" == *"bad.txt: not UTF-8 at byte offset 28 (line 3)"* ]]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 0 ]
    run import "$FIX/nope.txt"
    [ "$status" -eq 6 ]
    run import "$FIX"
    [ "$status" -eq 7 ]
}

@test "importing needs an existing board (6) and an officer of it (4)" {
    run bvp "$PW_ROOT" minutes import "$M2022" --board NOPE --as "Root Officer"
    [ "$status" -eq 6 ]
    run bvp "$PW_ALICE" minutes import "$M2022" --board CSP --as alice
    [ "$status" -eq 4 ]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 0 ]
}

@test "publish -o: complete, never through a symlink, no overwrite without --force" {
    import "$M2022" >/dev/null
    "$BV" minutes publish 1 --format md -o pub.md
    grep -q "^# Community Safety Partnership" pub.md
    run "$BV" minutes publish 1 --format md -o pub.md
    [ "$status" -eq 2 ]
    echo target >target
    ln -s target link.html
    run "$BV" minutes publish 1 --format html -o link.html --force
    [ "$status" -eq 2 ]
    [ "$(cat target)" = target ]
    run "$BV" minutes publish 1 --format pdf
    [ "$status" -eq 2 ]
    run "$BV" minutes publish 7 --format txt
    [ "$status" -eq 6 ]
}

# Headless Chromium renders the published page; the screenshot is kept
# in tests/out/ for a person to look at.
render() { # render HTML PNG -> prints the DOM
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T/chromium" --window-size=1200,1800 --screenshot="$2" "file://$1" >/dev/null 2>&1
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T/chromium" --dump-dom "file://$1" 2>/dev/null
}

@test "published HTML of both examples renders in headless Chromium with headings and restricted notices" {
    command -v chromium >/dev/null || skip "chromium not installed"
    engine_neutral "the publisher's HTML"
    mkdir -p "$OUT"
    import "$M2022" >/dev/null
    import "$M2019" >/dev/null
    "$BV" minutes publish 1 --format html -o "$T/m2022.html"
    "$BV" minutes publish 2 --format html -o "$T/m2019.html"
    run render "$T/m2022.html" "$OUT/minutes-2022.png"
    [[ "$output" == *"<h1>Community Safety Partnership</h1>"* ]]
    [[ "$output" == *'<h2 id="item-5">5. RESTRICTED: Domestic Homicide Review</h2>'* ]]
    [[ "$output" == *'<h2 id="item-11">11. Details of next meeting</h2>'* ]]
    [[ "$output" == *'class="restricted"'* ]]
    [[ "$output" == *"<ol>"* ]]
    [ -s "$OUT/minutes-2022.png" ]
    run render "$T/m2019.html" "$OUT/minutes-2019.png"
    [[ "$output" == *"Stephen Port Case"* ]]
    [ "$(echo "$output" | grep -o 'class="restricted"' | wc -l)" -ge 2 ]
    [ -s "$OUT/minutes-2019.png" ]
}

@test "the shared corpus of real minutes: every file imports, >= 95% of titles exact, every exempt item flagged, no false flag" {
    engine_neutral "dry runs of the parser"
    run sh "$BATS_TEST_DIRNAME/minutes_corpus.sh" "$BV"
    [ "$status" -ne 77 ] || skip "no ../shared/minutes-corpus beside the clone"
    echo "$output" | tail -n 1 >&3
    [ "$status" -eq 0 ]
    [[ "$output" == *"false restricted flags 0, failed imports 0"* ]]
}

@test "minutes as .docx, PDF and HTML: one meeting each, the excluded item sealed from memory, its text in the clear nowhere" {
    export TMPDIR="$T/tmp"
    mkdir "$TMPDIR"
    for f in minutes-exempt.docx minutes-exempt.pdf minutes-exempt.html; do
        run bvp "$PW_ROOT" minutes import "$FIX/$f" --board CSP --dry-run --json
        [ "$status" -eq 0 ]
        [[ "$output" == *'"label":"2","exclusion_motion":true,"title":"Exclusion of the Press and Public","duration_min":0,"restricted":false'* ]]
        [[ "$output" == *'"label":"3","exclusion_motion":false,"title":"Review of a Private Hire Driver Licence","duration_min":0,"restricted":true,"restriction":"press and public excluded","schedule12a_para":1,"truncated":false,"has_restricted_body":true'* ]]
        [[ "$output" == *'"date_iso":"2024-03-05","time":"10:00"'* ]]
        [[ "$output" == *'does not name board \"CSP\" (they name \"Licensing Sub-Committee\")'* ]]
        [[ "$output" != *ZZ-SECRET-MARKER* ]]
        run import "$FIX/$f"
        [ "$status" -eq 0 ]
        [[ "$output" == *"restricted: 3. Review of a Private Hire Driver Licence (press and public excluded, Schedule 12A paragraph 1; body found in the source: sealed at import)"* ]]
    done
    [[ "$output" == *"warning: read as HTML"* ]]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 3 ]
    ! vault_has ZZ-SECRET-MARKER || false
    on_pg || sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    ! vault_has ZZ-SECRET-MARKER || false
    [ -z "$(ls -A "$TMPDIR")" ] # no reader left a file behind
    for cmd in "minutes show 1" "minutes show 2 --json" "minutes publish 3 --format html"; do
        run $BV $cmd
        [ "$status" -eq 0 ]
        [[ "$output" != *ZZ-SECRET-MARKER* ]]
    done
    id=$(sql "SELECT uid FROM items ORDER BY id LIMIT 1")
    bvp "$PW_ROOT" grant "$id" alice --as "Root Officer" >/dev/null
    run bvp "$PW_ALICE" open "$id" --as alice
    [[ "$output" == *"ZZ-SECRET-MARKER-7f3a"* ]]
}

@test "UTF-16 and Windows-1252 copies of the 2022 minutes read as the UTF-8 original" {
    engine_neutral "dry runs of the readers"
    run bvp "$PW_ROOT" minutes import "$M2022" --board CSP --dry-run --json
    want=${output#*\"items\":}
    iconv -f UTF-8 -t UTF-16 "$M2022" >u16.txt
    iconv -f UTF-8 -t WINDOWS-1252 "$M2022" >cp1252.txt
    for f in u16.txt cp1252.txt; do
        run bvp "$PW_ROOT" minutes import "$f" --board CSP --dry-run --json
        [ "$status" -eq 0 ]
        [ "${output#*\"items\":}" = "$want" ]
    done
    [[ "$output" == *'"warnings":["read as Windows-1252 text"'* ]]
}

@test "--date: a document without a date names the option; with it, it imports; a bad date is a usage error" {
    printf 'Agenda and minutes\n\nCabinet\n\nItems\n\n1.\n\nApologies\n\n2.\n\nClose\n' >nodate.txt
    run import nodate.txt
    [ "$status" -eq 7 ]
    [[ "$output" == *"nodate.txt: no meeting found: no date line"*"give the meeting date with --date YYYY-MM-DD"* ]]
    run bvp "$PW_ROOT" minutes import nodate.txt --board CSP --date 2025-02-03 --dry-run --json
    [ "$status" -eq 0 ]
    [[ "$output" == *'"date_iso":"2025-02-03"'*'"date_source":"given"'* ]]
    run bvp "$PW_ROOT" minutes import nodate.txt --board CSP --date 2025-02-03 --as "Root Officer"
    [ "$status" -eq 0 ]
    run "$BV" minutes list --json
    [[ "$output" == *'"date": "2025-02-03"'* ]]
    run bvp "$PW_ROOT" minutes import nodate.txt --board CSP --date 2025-02-30 --dry-run
    [ "$status" -eq 2 ]
    # a printed date is replaced, with a warning
    run bvp "$PW_ROOT" minutes import "$M2022" --board CSP --date 2022-12-08 --dry-run --json
    [[ "$output" == *'"date_iso":"2022-12-08"'*'--date 2022-12-08 replaces the date found in the text (2022-12-07)'* ]]
}

@test "documents that cannot be read: a scan without text, a zip that is not Word, a broken PDF: 7, named" {
    engine_neutral "documents refused by the readers"
    python3 "$FIX/src/make-pdf.py" /dev/null scan.pdf
    run import scan.pdf
    [ "$status" -eq 7 ]
    [[ "$output" == *"scan.pdf: a PDF without text (a scan?): it needs OCR first"* ]]
    python3 -c 'import zipfile; z = zipfile.ZipFile("minutes.odt", "w"); z.writestr("content.xml", "<x/>"); z.close()'
    run import minutes.odt
    [ "$status" -eq 7 ]
    [[ "$output" == *"minutes.odt: a zip file but not a Word document: no word/document.xml"* ]]
    head -c 600 "$FIX/minutes-exempt.pdf" >broken.pdf
    run import broken.pdf
    [ "$status" -eq 7 ]
    [[ "$output" == *"broken.pdf: "* ]]
    [ "$(sql 'SELECT count(*) FROM meetings')" = 0 ]
}
