#!/usr/bin/env bash
# crashtest.sh - SIGKILL boardvault at random moments of each write and
# check that the vault is left before or after the command, never in
# between (tests/crash/README.md says what is killed, when, and what is
# checked).
#
#   BV              the binary under test        (build/boardvault)
#   CRASH_ITERS     kills per operation          (200)
#   CRASH_OPS       operations to run            (all of OPS below)
#   CRASH_SEED      seed of the random delays    (random, printed)
#   CRASH_DELAY_MS  kill at exactly this delay   (unset: random)
#   CRASH_BIG_MIB   size of the large seal       (64)
#   CRASH_OPEN_MIB  size of the item opened      (16)
#   CRASH_OUT       work and failure directory   (build)
#   CRASH_KEEP      failing copies kept per op   (5)
#   CRASH_SMOKE     1: also print "== smoke ok: crash OP" per clean operation
#
# Needs only bash, coreutils and sqlite3.
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FIX=$REPO/tests/fixtures
BV=${BV:-$REPO/build/boardvault}
OUT=${CRASH_OUT:-$REPO/build}
ITERS=${CRASH_ITERS:-200}
BIG_MIB=${CRASH_BIG_MIB:-64}
OPEN_MIB=${CRASH_OPEN_MIB:-16}
KEEP=${CRASH_KEEP:-5}
SMOKE=${CRASH_SMOKE:-0}
SEED=${CRASH_SEED:-$((SRANDOM % 1000000))}
OPS=(seal-big seal-small grant revoke open-file open-pipe import-secret import-2022
    checkpoint board-add approve rekey destroy destroy-file board-remove)
[ -n "${CRASH_OPS:-}" ] && read -ra OPS <<<"$CRASH_OPS"

KDF=(--kdf-memory 19456 --kdf-time 2 --kdf-lanes 1) # the floor: cheap
ROOT="Root Officer"
declare -A PW=(
    ["$ROOT"]=violet-tractor-umbrella-9341
    [alice]=quiet-harbour-lantern-2287
    [bob]=amber-glacier-trombone-5530
    [carol]=mossy-pylon-saxophone-7712
    [dave]=copper-walrus-lighthouse-4419
)

die() {
    echo "crashtest: $*" >&2
    exit 2
}
command -v sqlite3 >/dev/null || die "sqlite3 is not installed"
[ -x "$BV" ] || die "no binary at $BV (run make first)"
[[ "$ITERS" =~ ^[0-9]+$ ]] || die "CRASH_ITERS must be a number"

mkdir -p "$OUT" || die "cannot create $OUT"
WORK=$(mktemp -d "$OUT/crash-work.XXXXXX") || die "cannot create a work directory"
FAILDIR=$OUT/crash-failures/seed-$SEED
D=$WORK/data # inputs and reference bodies
P=$WORK/pristine # the vault every run starts from
W=$WORK/run # the vault of the current run
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
# our own copy: others may rebuild build/boardvault while we run
cp "$BV" "$WORK/boardvault" && BV=$WORK/boardvault && "$BV" --version >/dev/null ||
    die "cannot run a copy of $BV"
mkfifo "$WORK/sleep" && exec {SLEEP_FD}<>"$WORK/sleep"
export XDG_CONFIG_HOME=$WORK/config # root-key pins stay here, not in ~/.config
export BOARDVAULT_BUSY_TIMEOUT_MS=2000
RANDOM=$SEED

# ---- small helpers ----

# pw_run NAME ARGS...: boardvault ARGS with NAME's passphrase on fd 3
pw_run() {
    local who=$1
    shift
    "$BV" "$@" --passphrase-fd 3 3<<<"${PW[$who]}"
}
# as NAME ARGS...: boardvault ARGS acting as NAME
as() {
    local who=$1
    shift
    pw_run "$who" "$@" --as "$who"
}
sql() { sqlite3 -batch "$W/vault.db" "$@"; }
rand() { R=$(((RANDOM << 15 | RANDOM) % ($1 + 1))); } # R = 0..N, in this shell
# sleep_ms MS: a read that times out on a pipe nobody writes to (no fork)
sleep_ms() {
    local t
    printf -v t '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
    read -rt "$t" -u "$SLEEP_FD"
}

# fresh: the current run's directory holds a copy of the pristine vault,
# and the client remembers the pristine vault's log head (log_heads/, kept
# when the world was built): to this client every run's vault is the same
# vault, never an older copy of one it saw go further
fresh() {
    rm -rf "$W"
    mkdir -p "$W/out"
    cp -r --reflink=auto "$P"/vault.db* "$W"/ # with vault.db.bodies/, the file bodies
    export BOARDVAULT_PATH=$W/vault.db
    rm -rf "$XDG_CONFIG_HOME/boardvault/log_heads"
    if [ -d "$P/log_heads" ]; then
        cp -a "$P/log_heads" "$XDG_CONFIG_HOME/boardvault/log_heads"
    fi
}

# ---- the world every run starts from ----

build_world() {
    mkdir -p "$D/ref" "$P"
    head -c $((BIG_MIB << 20)) /dev/urandom >"$D/big.bin"
    head -c $((OPEN_MIB << 20)) /dev/urandom >"$D/open.bin"
    printf 'Domestic Homicide Review: panel notes %s\n' "$SEED" >"$D/small.txt"
    head -c 3000 /dev/urandom >"$D/small-seal.bin"
    export BOARDVAULT_PATH=$P/vault.db
    step pw_run "$ROOT" init --as "$ROOT" "${KDF[@]}"
    step as "$ROOT" board create CSP
    for m in alice bob dave; do
        step pw_run "$m" member enroll "$m" "${KDF[@]}"
        step as "$ROOT" member approve "$m"
    done
    step as "$ROOT" board add CSP alice --role member
    step as "$ROOT" board add CSP bob --role member
    step pw_run carol member enroll carol "${KDF[@]}" # pending: what approve approves
    step as "$ROOT" seal CSP "$D/small.txt" --title "crash: small item" --grant alice
    SMALL_ID=$(tail -1 "$WORK/setup.out")
    step as "$ROOT" seal CSP "$D/open.bin" --title "crash: open target" --grant alice
    OPEN_ID=$(tail -1 "$WORK/setup.out")
    # board RM: dave is its second officer, whose removal rotates its key
    step as "$ROOT" board create RM
    step as "$ROOT" board add RM dave --role officer
    step as "$ROOT" board add RM alice --role member
    step as "$ROOT" seal RM "$D/small.txt" --title "crash: rotated item" --grant alice
    RM_ID=$(tail -1 "$WORK/setup.out")
}

# step CMD...: one step of building the vault; stops the run if it fails
step() {
    "$@" >"$WORK/setup.out" 2>"$WORK/setup.err" ||
        die "cannot build the vault: ${*:3} failed: $(tail -1 "$WORK/setup.err")"
}

# The body an item must open to: by title, or by agenda entry for an
# item sealed from imported minutes (reference opened after a clean run).
body_of() {
    local ord
    ord=$(sql "SELECT a.ordinal FROM agenda a JOIN items i ON i.id = a.item_id WHERE i.uid = '$1'")
    if [ -n "$ord" ]; then
        echo "$D/ref/$OP-$ord"
        return
    fi
    case $(sql "SELECT title FROM items WHERE uid = '$1'") in
    "crash: small item" | "crash: rotated item") echo "$D/small.txt" ;;
    "crash: open target") echo "$D/open.bin" ;;
    "crash: big seal") echo "$D/big.bin" ;;
    "crash: small seal") echo "$D/small-seal.bin" ;;
    *) echo /nonexistent ;;
    esac
}

# ---- the operations ----

# op_cmd OP: WHO (whose passphrase) and CMD (boardvault's arguments)
op_cmd() {
    WHO=$ROOT
    case $1 in
    seal-big) CMD=(seal CSP "$D/big.bin" --title "crash: big seal" --grant alice,bob --as "$ROOT") ;;
    seal-small) CMD=(seal CSP "$D/small-seal.bin" --title "crash: small seal" --grant alice,bob
        --as "$ROOT") ;;
    grant) CMD=(grant "$SMALL_ID" bob --as "$ROOT") ;;
    revoke) CMD=(revoke "$SMALL_ID" alice --as "$ROOT") ;;
    open-file) WHO=alice CMD=(open "$OPEN_ID" --as alice -o "$W/out/open.bin") ;;
    open-pipe) WHO=alice CMD=(open "$OPEN_ID" --as alice) ;;
    import-secret) CMD=(minutes import "$FIX/minutes-secret-body.txt" --board CSP --as "$ROOT") ;;
    import-2022) CMD=(minutes import "$FIX/minutes-2022-12-07-csp.txt" --board CSP --as "$ROOT") ;;
    checkpoint) CMD=(audit checkpoint --as "$ROOT") ;;
    board-add) CMD=(board add CSP dave --role officer --as "$ROOT") ;;
    approve) CMD=(member approve carol --as "$ROOT") ;;
    rekey) CMD=(rekey "$OPEN_ID" --as "$ROOT") ;;
    destroy) CMD=(item destroy "$SMALL_ID" --as "$ROOT") ;;
    destroy-file) CMD=(item destroy "$OPEN_ID" --as "$ROOT") ;; # a body in a file of its own
    board-remove) CMD=(board remove RM dave --as "$ROOT") ;;
    # not an operation: unlocks, finds no such item (6), writes nothing
    kdf) CMD=(grant 0000000000000000 bob --as "$ROOT") ;;
    *) die "unknown operation $1 (known: ${OPS[*]})" ;;
    esac
}

# run_op OP DELAY_MS: run OP on the vault in $W and SIGKILL it DELAY_MS
# after its start (-1: let it finish). Prints "EXIT_STATUS ELAPSED_MS".
# In a subshell whose stderr is dropped: bash's own "Killed" notices go.
run_op() {
    op_cmd "$1"
    (
        reader=
        if [ "$1" = open-pipe ]; then
            mkfifo "$W/pipe"
            cat "$W/pipe" >"$W/out/stdout" &
            reader=$!
            exec 5>"$W/pipe" # opened here, so the reader never waits for a writer
            "$BV" "${CMD[@]}" --passphrase-fd 3 3<<<"${PW[$WHO]}" >&5 2>"$W/stderr" &
            pid=$!
            exec 5>&-
        else
            "$BV" "${CMD[@]}" --passphrase-fd 3 3<<<"${PW[$WHO]}" >"$W/out/stdout" 2>"$W/stderr" &
            pid=$!
        fi
        t0=${EPOCHREALTIME//[.,]/}
        if [ "$2" -ge 0 ]; then
            sleep_ms "$2"
            kill -KILL "$pid"
        fi
        wait "$pid"
        rc=$?
        t1=${EPOCHREALTIME//[.,]/}
        [ -n "$reader" ] && wait "$reader"
        echo "$rc $(((t1 - t0) / 1000))"
    ) 2>/dev/null
}

# The logical state of a vault: every row that a command can add or
# change, without the columns that are random on every run (item ids,
# times, signatures, ciphertext). Equal states mean the same history.
state() {
    sqlite3 -batch "$1" <<'EOF'
SELECT 'meta', count(*) FROM meta;
SELECT 'person', id, name, status, cert_by FROM persons ORDER BY id;
SELECT 'board', id, name, epoch, created_by FROM boards ORDER BY id;
SELECT 'role', board_id, person_id, role, added_by FROM roles ORDER BY 2, 3;
SELECT 'board_key', board_id, epoch, person_id, wrapped_by FROM board_keys ORDER BY 2, 3, 4;
SELECT 'item', id, board_id, title, size, nchunks, sealed_epoch, sealed_by, length(sig)
  FROM items ORDER BY id;
SELECT 'item_key', item_id, epoch FROM item_keys ORDER BY 2, 3;
SELECT 'chunks', i.id, count(*), sum(length(c.data)) FROM items i JOIN chunks c ON c.body_id = i.body_id
  GROUP BY i.id ORDER BY 2;
SELECT 'grantset', item_id, version, hex(names), signed_by FROM grantsets ORDER BY 2;
SELECT 'grant', item_id, person_id, granted_by FROM grants ORDER BY 2, 3;
SELECT 'audit', seq, actor, action, board, item <> '', meeting, agenda, outcome, reason
  FROM audit ORDER BY seq;
SELECT 'audit_state', count(*) FROM audit_state;
SELECT 'checkpoint', id, size, signed_by FROM checkpoints ORDER BY id;
SELECT 'minutes_key', board_id, gen, epoch FROM minutes_keys ORDER BY 2, 3, 4;
SELECT 'meeting', id, board_id, key_gen, date_iso, imported_by FROM meetings ORDER BY id;
SELECT 'agenda', meeting_id, ordinal, number, title, restricted, item_id
  FROM agenda ORDER BY 2, 3;
SELECT 'blocks', meeting_id, count(*) FROM blocks GROUP BY 2 ORDER BY 2;
SELECT 'actions', meeting_id, count(*) FROM actions GROUP BY 2 ORDER BY 2;
EOF
    # a body in a file of its own (no chunk rows): the file's size
    sqlite3 -batch "$1" "SELECT id, body_id FROM items i WHERE NOT EXISTS
                         (SELECT 1 FROM chunks c WHERE c.body_id = i.body_id) ORDER BY id" |
        while IFS='|' read -r id b; do
            echo "file|$id|$(stat -c %s "$1.bodies/$b" 2>/dev/null || echo missing)"
        done
}

# ---- the invariants ----

violation() { VIOLATIONS+=("$*"); }

# The names in an item's signed grant set, one a line, sorted.
grantset_names() {
    local hex n
    hex=$(sql "SELECT hex(g.names) FROM grantsets g JOIN items i ON i.id = g.item_id
               WHERE i.uid = '$1'")
    while [ ${#hex} -ge 8 ]; do
        n=$((16#${hex:0:8}))
        printf '%b\n' "$(sed 's/../\\x&/g' <<<"${hex:8:2*n}")"
        hex=${hex:8+2*n}
    done | sort
}

# check_item UID: grant rows match the signed grant set; alice and bob
# open it byte for byte if they hold a grant, and are refused (4) if not.
check_item() {
    local uid=$1 body name rows rc
    body=$(body_of "$uid")
    rows=$(sql "SELECT p.name FROM grants g JOIN items i ON i.id = g.item_id
                JOIN persons p ON p.id = g.person_id WHERE i.uid = '$uid'" | sort)
    [ "$rows" = "$(grantset_names "$uid")" ] ||
        violation "item $uid: grant rows [${rows//$'\n'/,}] differ from its signed grant set"
    for name in alice bob; do
        rm -f "$W/check.out"
        pw_run "$name" open "$uid" --as "$name" -o "$W/check.out" >/dev/null 2>"$W/check.err"
        rc=$?
        if grep -qx "$name" <<<"$rows"; then
            if [ "$rc" -ne 0 ]; then
                violation "item $uid: grantee $name cannot open it (exit $rc: $(head -1 "$W/check.err"))"
            elif ! cmp -s "$W/check.out" "$body"; then
                violation "item $uid: what grantee $name opens is not what was sealed"
            fi
        elif [ "$rc" -ne 4 ]; then
            violation "item $uid: $name holds no grant but open exited $rc, not 4"
        fi
    done
}

# The first line in which the crashed state differs from the nearer of
# the before and after states.
nearest_diff() {
    local b a
    b=$(diff "$WORK/before.state" "$W/crashed.state" | grep -c '^[<>]')
    a=$(diff "$WORK/$OP.after" "$W/crashed.state" | grep -c '^[<>]')
    if [ "$a" -lt "$b" ]; then
        echo "vs after: $(diff "$WORK/$OP.after" "$W/crashed.state" | grep -m1 '^[<>]')"
    else
        echo "vs before: $(diff "$WORK/before.state" "$W/crashed.state" | grep -m1 '^[<>]')"
    fi
}

# The invariants every operation keeps. Sets WHERE to before or after.
check_common() {
    local r n lo hi
    r=$(sql "PRAGMA integrity_check" 2>&1)
    [ "$r" = ok ] || violation "integrity_check: ${r%%$'\n'*}"
    r=$(sql "PRAGMA foreign_key_check" 2>&1)
    [ -z "$r" ] || violation "foreign_key_check: ${r%%$'\n'*}"
    # a staging or condemned body may be left by a crash (swept later);
    # a live one always has its item, and an item always a live body
    r=$(sql "SELECT 'chunks ' || count(*) FROM chunks WHERE body_id NOT IN (SELECT id FROM bodies)
             UNION ALL SELECT 'live bodies ' || count(*) FROM bodies
               WHERE state = 'live' AND id NOT IN (SELECT body_id FROM items)
             UNION ALL SELECT 'items without a live body ' || count(*) FROM items
               WHERE body_id NOT IN (SELECT id FROM bodies WHERE state = 'live')
             UNION ALL SELECT 'item_keys ' || count(*) FROM item_keys
               WHERE item_id NOT IN (SELECT id FROM items)
             UNION ALL SELECT 'grants ' || count(*) FROM grants
               WHERE item_id NOT IN (SELECT id FROM items)
             UNION ALL SELECT 'grantsets ' || count(*) FROM grantsets
               WHERE item_id NOT IN (SELECT id FROM items)" 2>&1 | grep -v ' 0$')
    [ -z "$r" ] || violation "orphan rows without an item: ${r//$'\n'/, }"
    r=$(sql "SELECT count(*) || ' ' || coalesce(min(seq), 1) || ' ' || coalesce(max(seq), 0)
             FROM audit" 2>&1)
    read -r n lo hi <<<"$r"
    [ "$lo" = 1 ] && [ "$n" = "$hi" ] ||
        violation "the audit log has a gap: $n entries numbered $lo..$hi"
    if ! "$BV" audit verify >"$W/verify.out" 2>&1; then
        violation "audit verify fails: $(grep -m1 boardvault: "$W/verify.out")"
    fi
    # a seal leaves no item or a complete one: its chunk rows (17 bytes
    # over the plaintext per chunk in format 2, 16 in format 3), or else
    # its file (16 bytes of header, then the chunks)
    r=$(sql "SELECT uid FROM items i WHERE length(sig) <> 64
               OR length(chunk_hashes) <> 32 * nchunks
               OR (EXISTS (SELECT 1 FROM chunks c WHERE c.body_id = i.body_id) AND (
                   nchunks <> (SELECT count(*) FROM chunks c WHERE c.body_id = i.body_id)
                   OR nchunks - 1 <> (SELECT max(idx) FROM chunks c WHERE c.body_id = i.body_id)
                   OR size + (CASE WHEN length(header) = 24 THEN 17 ELSE 16 END) * nchunks
                      <> (SELECT sum(length(data)) FROM chunks c WHERE c.body_id = i.body_id)))
               OR NOT EXISTS (SELECT 1 FROM grantsets g WHERE g.item_id = i.id)
               OR NOT EXISTS (SELECT 1 FROM item_keys k WHERE k.item_id = i.id
                              AND k.epoch = (SELECT epoch FROM boards b WHERE b.id = i.board_id))"
          2>&1)
    [ -z "$r" ] || violation "incomplete item(s): ${r//$'\n'/, }"
    while IFS='|' read -r uid b size n; do
        [ "$(stat -c %s "$W/vault.db.bodies/$b" 2>/dev/null)" = $((16 + size + 16 * n)) ] ||
            violation "item $uid: its body has neither chunk rows nor a complete file"
    done < <(sql "SELECT uid, body_id, size, nchunks FROM items i WHERE NOT EXISTS
                  (SELECT 1 FROM chunks c WHERE c.body_id = i.body_id)")
    # before or after, nothing in between
    state "$W/vault.db" >"$W/crashed.state" 2>&1
    if cmp -s "$W/crashed.state" "$WORK/before.state"; then
        WHERE=before
    elif cmp -s "$W/crashed.state" "$WORK/$OP.after"; then
        WHERE=after
    else
        WHERE=between
        violation "the vault is neither before nor after the command: $(nearest_diff)"
    fi
}

# What each operation promises besides.
check_op() {
    local uid n f size linked meetings
    case $OP in
    seal-*)
        for uid in $(sql "SELECT uid FROM items WHERE id > $MAX_ITEM"); do check_item "$uid"; done ;;
    grant | revoke)
        check_item "$SMALL_ID" ;;
    rekey)
        check_item "$OPEN_ID" ;;
    destroy | destroy-file)
        uid=$SMALL_ID
        [ "$OP" = destroy ] || uid=$OPEN_ID
        n=$(sql "SELECT count(*) FROM items WHERE uid = '$uid'")
        if [ "$WHERE" = after ]; then
            [ "$n" = 0 ] || violation "destroyed item still has its row"
        else
            check_item "$uid"
        fi ;;
    board-remove)
        check_item "$RM_ID"
        n=$(sql "SELECT count(DISTINCT k.epoch) FROM board_keys k JOIN boards b ON b.id = k.board_id
                 WHERE b.name = 'RM'")
        [ "$n" = 1 ] || violation "board RM has wrapped keys of $n epochs" ;;
    open-file)
        for f in "$W"/out/.open.bin.bv-*; do
            [ -e "$f" ] || continue
            violation "temp file left behind: ${f##*/} ($(stat -c %s "$f") bytes of plaintext)"
            [ -s "$f" ] && [ "$WHERE" = before ] &&
                violation "plaintext written but the access is not in the audit log"
        done
        if [ -e "$W/out/open.bin" ]; then
            cmp -s "$W/out/open.bin" "$D/open.bin" || violation "-o FILE exists but is not complete"
            [ "$(stat -c %a "$W/out/open.bin")" = 600 ] || violation "-o FILE is not mode 0600"
            [ "$WHERE" = after ] || violation "-o FILE written but the access is not in the audit log"
        elif [ "$RC" = 0 ]; then
            violation "open finished (exit 0) but -o FILE is absent"
        fi ;;
    open-pipe)
        size=$(stat -c %s "$W/out/stdout")
        if [ "$size" -gt 0 ]; then
            cmp -s -n "$size" "$W/out/stdout" "$D/open.bin" ||
                violation "the bytes written to the pipe are not the item's"
            [ "$WHERE" = after ] || violation "plaintext written but the access is not in the audit log"
        fi
        [ "$RC" != 0 ] || cmp -s "$W/out/stdout" "$D/open.bin" ||
            violation "open finished (exit 0) but the pipe did not get the whole item" ;;
    import-*)
        meetings=$(sql "SELECT count(*) FROM meetings")
        linked=$(sql "SELECT count(*) FROM agenda WHERE item_id IS NOT NULL")
        n=$(sql "SELECT count(*) FROM items WHERE id > $MAX_ITEM")
        [ "$meetings" -le 1 ] || violation "$meetings meetings after one import"
        if [ "$meetings" = 0 ] && [ "$n" != 0 ]; then
            violation "$n item(s) sealed but no meeting stored"
        elif [ "$meetings" = 1 ] && { [ "$linked" != "${EXPECT_SEALED[$OP]}" ] || [ "$n" != "$linked" ]; }; then
            violation "meeting stored with $n new item(s), $linked linked; expected ${EXPECT_SEALED[$OP]}"
        fi
        # sealed with no grantee: grant alice, then it must open to the reference
        for uid in $(sql "SELECT uid FROM items WHERE id > $MAX_ITEM"); do
            as "$ROOT" grant "$uid" alice >/dev/null 2>"$W/check.err" ||
                violation "item $uid from the minutes cannot be granted: $(head -1 "$W/check.err")"
            check_item "$uid"
        done ;;
    esac
}

# The next sweep leaves nothing behind: with every staging body taken
# for abandoned (as it is BV_STAGE_STALE_S after the kill), gc leaves
# exactly one file per live body kept in a file, and no other.
check_sweep() {
    local f n
    sql "UPDATE bodies SET touched = '2000-01-01T00:00:00Z' WHERE state = 'staging'"
    "$BV" gc >/dev/null 2>"$W/gc.err" || violation "gc fails: $(head -1 "$W/gc.err")"
    n=$(sql "SELECT count(*) FROM bodies WHERE state <> 'live'")
    [ "$n" = 0 ] || violation "$n staging or condemned bodies left after gc"
    for f in "$W"/vault.db.bodies/*; do
        [ -e "$f" ] || continue
        n=${f##*/}
        [ "$(sql "SELECT count(*) FROM items i WHERE body_id = '$n' AND NOT EXISTS
                  (SELECT 1 FROM chunks c WHERE c.body_id = i.body_id)")" = 1 ] ||
            violation "file $n left in vault.db.bodies/ after gc: no item's body"
    done
}

# ---- one operation: measure, then kill ITERS times ----

# The reference after a clean run: its state, and the bodies of any
# restricted items it sealed from minutes.
measure() {
    local r rc ms times=() uid ord
    for r in 1 2 3 4 5; do
        fresh
        read -r rc ms <<<"$(run_op "$OP" -1)"
        [ "$rc" = 0 ] || die "$OP fails on a clean run (exit $rc): $(head -1 "$W/stderr")"
        times+=("$ms")
        state "$W/vault.db" >"$WORK/$OP.after.$r"
        [ "$r" = 1 ] || cmp -s "$WORK/$OP.after.1" "$WORK/$OP.after.$r" ||
            die "two clean runs of $OP leave different states (test flaw)"
    done
    mv "$WORK/$OP.after.1" "$WORK/$OP.after"
    EXPECT_SEALED[$OP]=$(sql "SELECT count(*) FROM agenda WHERE item_id IS NOT NULL")
    while IFS='|' read -r ord uid; do
        as "$ROOT" grant "$uid" alice </dev/null >/dev/null 2>&1 &&
            pw_run alice open "$uid" --as alice -o "$D/ref/$OP-$ord" </dev/null >/dev/null 2>&1 ||
            die "cannot open item $uid sealed by a clean $OP"
    done < <(sql "SELECT a.ordinal, i.uid FROM agenda a JOIN items i ON i.id = a.item_id")
    CLEAN=$(printf '%s\n' "${times[@]}" | sort -n | head -1) # the fastest: load only slows
}

keep_failure() {
    local dir=$FAILDIR/$OP-i$i-${delay}ms
    KEPT=$((KEPT + 1))
    if [ "$KEPT" -gt "$KEEP" ]; then
        echo "    (not kept: CRASH_KEEP=$KEEP copies of $OP already)"
        return
    fi
    mkdir -p "$dir"
    cp -a "$W/snapshot/." "$dir/"
    cp -a "$W/out" "$W/stderr" "$W/crashed.state" "$dir/" 2>/dev/null
    cp "$WORK/before.state" "$dir/before.state"
    cp "$WORK/$OP.after" "$dir/after.state"
    {
        echo "operation: $OP   iteration: $i   seed: $SEED   killed at: ${delay} ms ($aim)"
        echo "exit status: $RC   state: $WHERE"
        printf 'command: boardvault'
        printf ' %q' "${CMD[@]}"
        echo
        printf 'violation: %s\n' "${VIOLATIONS[@]}"
    } >"$dir/failure.txt"
    echo "    kept in ${dir#"$REPO"/}"
}

crash_loop() {
    local i delay aim rc ms kill_after=0 killed=0 finished=0 bad=0 before=0 after=0 span
    KEPT=0
    measure
    span=$((CLEAN > KDF_MS ? CLEAN - KDF_MS : 1))
    for ((i = 1; i <= ITERS; i++)); do
        fresh
        # half the kills anywhere in 1.2 x the clean run, half after the KDF
        if [ -n "${CRASH_DELAY_MS:-}" ]; then
            aim=fixed delay=$CRASH_DELAY_MS
        elif ((i % 2)); then
            rand $((CLEAN * 12 / 10))
            aim=anywhere delay=$R
        else
            rand $((span * 12 / 10))
            aim="after the KDF" delay=$((KDF_MS + R))
            kill_after=$((kill_after + 1))
        fi
        read -r RC ms <<<"$(run_op "$OP" "$delay")"
        mkdir -p "$W/snapshot" # the files exactly as the kill left them
        cp -r --reflink=auto "$W"/vault.db* "$W/snapshot/"
        VIOLATIONS=()
        WHERE=unchecked
        case $RC in
        137) killed=$((killed + 1)) ;;
        0) finished=$((finished + 1)) ;;
        *) violation "exited $RC on its own: $(head -1 "$W/stderr")" ;;
        esac
        check_common
        check_op
        check_sweep
        [ "$WHERE" = before ] && before=$((before + 1))
        [ "$WHERE" = after ] && after=$((after + 1))
        if [ ${#VIOLATIONS[@]} -gt 0 ]; then
            bad=$((bad + 1))
            for v in "${VIOLATIONS[@]}"; do
                echo "FAIL crash $OP: iteration $i, killed at ${delay} ms ($aim, exit $RC): $v"
            done
            keep_failure
        fi
    done
    printf 'crash %s: %d runs, %d killed, %d finished first (%d aimed after the KDF);' \
        "$OP" "$ITERS" "$killed" "$finished" "$kill_after"
    printf ' %d before, %d after; %d with violations (clean %d ms, KDF %d ms)\n' \
        "$before" "$after" "$bad" "$CLEAN" "$KDF_MS"
    [ "$bad" = 0 ]
}

# ---- main ----

echo "crashtest: seed $SEED, $ITERS kills per operation, ${BIG_MIB} MiB seal," \
    "${OPEN_MIB} MiB open; reproduce with CRASH_SEED=$SEED"
build_world
[ -d "$XDG_CONFIG_HOME/boardvault/log_heads" ] && cp -a "$XDG_CONFIG_HOME/boardvault/log_heads" "$P/log_heads"
W=$WORK/before
fresh
state "$W/vault.db" >"$WORK/before.state"
MAX_ITEM=$(sql "SELECT max(id) FROM items")
# the KDF time: an unlock that then finds nothing to do
ks=()
for r in 1 2 3 4 5; do
    fresh
    read -r rc ms <<<"$(run_op kdf -1)"
    [ "$rc" = 6 ] || die "the KDF probe exited $rc, not 6: $(head -1 "$W/stderr")"
    ks+=("$ms")
done
KDF_MS=$(printf '%s\n' "${ks[@]}" | sort -n | head -1)
W=$WORK/run

declare -A EXPECT_SEALED
failed=0
for OP in "${OPS[@]}"; do
    op_cmd "$OP" # an unknown name stops here
    if crash_loop; then
        [ "$SMOKE" = 1 ] && echo "== smoke ok: crash $OP"
    else
        failed=$((failed + 1))
    fi
done
if [ "$failed" -gt 0 ]; then
    echo "crashtest: $failed of ${#OPS[@]} operations broke an invariant (copies in ${FAILDIR#"$REPO"/})"
    exit 1
fi
echo "crashtest: all ${#OPS[@]} operations kept every invariant"
