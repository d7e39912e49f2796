#!/bin/sh
# bench.sh - the evidence of issue 15, measured in one run: seal, open and
# rekey beside age, age with its output fsync'd and gpg; the write-once
# floor and the crypto-alone ceiling that bound them; unlock, key rotation
# and the audit log, each at more than one size. Every timed command goes
# to $BENCH_SAMPLES, the scalars to a meta file, and scripts/bench-report.sh
# turns both into $BENCH_REPORT (overwritten) and prints it.
#   BENCH_SIZES="1 100 1024"   body sizes in MiB
#   BENCH_REPS=5               runs of each body command (the median is shown)
#   BENCH_ROTATE="1000 10000"  board sizes (items) for key rotation
#   BENCH_AUDIT="100000 1000000"  audit log sizes (entries); 0 skips
#   BENCH_GROWTH=1             also 10 MiB bodies, 100,000 items, 10,000,000 entries (adds ~1 h)
#   BENCH_IDLE_WAIT=120        seconds to wait for an idle machine before the bodies
#   BENCH_UNLOCKS=3            unlocks with the default KDF (the median is shown)
#   BENCH_REPORT=docs/BENCHMARKS.md
#   BENCH_SAMPLES=build/bench-samples.tsv (and .meta beside it: the report
#       can be written again from the two, sh scripts/bench-report.sh S M)
# KDF, GPG, GPGSEAL and the size lists are word lists, split on purpose:
# shellcheck disable=SC2086
set -eu
for c in age age-keygen gpg gpgconf eatmydata sqlite3 /usr/bin/time; do
    command -v "$c" >/dev/null || { echo "bench: $c is missing (scripts/deps.sh bench installs it)" >&2; exit 1; }
done
here=$(cd "$(dirname "$0")/.." && pwd)
BV=${BV:-$here/build/boardvault}
BVBENCH=${BVBENCH:-$here/build/bvbench}
SIZES=${BENCH_SIZES:-"1 100 1024"}
REPS=${BENCH_REPS:-5}
ROTATE=${BENCH_ROTATE:-"1000 10000"}
AUDIT=${BENCH_AUDIT:-"100000 1000000"}
if [ "${BENCH_GROWTH:-0}" = 1 ]; then
    SIZES=$(printf '%s\n' $SIZES 10 | sort -nu | tr '\n' ' ')
    ROTATE="$ROTATE 100000" AUDIT="$AUDIT 10000000"
fi
IDLE_WAIT=${BENCH_IDLE_WAIT:-120}
UNLOCKS=${BENCH_UNLOCKS:-3}
REPORT=${BENCH_REPORT:-$here/docs/BENCHMARKS.md}
SAMPLES=${BENCH_SAMPLES:-$here/build/bench-samples.tsv}
D=$(mktemp -d "${TMPDIR:-/tmp}/boardvault-bench.XXXXXX")
G=$D/gnupg # gpg's home, and its agent, go with the run
cleanup() {
    gpgconf --homedir "$G" --kill gpg-agent 2>/dev/null || true
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_CONFIG_HOME="$D/config" # pins of these throwaway vaults go with them
export BOARDVAULT_PATH="$D/bench.db"
# The throughput vault's KDF is at the floor: its cost is timed apart
# (fixed cost below) and subtracted; the default KDF has its own figure.
KDF="--kdf-memory 19456 --kdf-time 2 --kdf-lanes 1"
META=${SAMPLES%.tsv}.meta
IN=$D/in
umask 077
printf 'bench-only-passphrase-9f3c2a\n' >"$D/pw"
mkdir -m 700 "$G"
mkdir -p "$(dirname "$SAMPLES")" "$(dirname "$REPORT")"
: >"$SAMPLES"
: >"$META"

T0=$(date +%s)
say() { echo "bench: [$(($(date +%s) - T0)) s] $*" >&2; } # progress; the figures are in the report
meta() { k=$1; shift; echo "$k $*" >>"$META"; }
# bv ARGS...: an untimed boardvault command as the bench's member
bv() { "$BV" "$@" --passphrase-fd 3 3<"$D/pw"; }

# run TAG CMD...: time one command; "TAG wall_s rss_kib cpu_s" to the samples.
# Wall time from the clock in ns (GNU time's %e has 10 ms steps); peak RSS
# and user+system CPU from GNU time. The command's stdout is kept in $D/stdout.
run() {
    tag=$1
    shift
    t0=$(date +%s%N)
    /usr/bin/time -f "%M %U %S" -o "$D/time" "$@" >"$D/stdout"
    t1=$(date +%s%N)
    awk -v tag="$tag" -v a="$t0" -v b="$t1" '{ printf "%s %.4f %d %.2f\n", tag, (b - a) / 1e9, $1, $2 + $3 }' \
        "$D/time" >>"$SAMPLES"
}

machine() {
    meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    meta cores "$(nproc)"
    flags=""
    for f in sha_ni aes vaes avx2 avx512f; do
        grep -qw "$f" /proc/cpuinfo && flags="$flags $f" || flags="$flags no-$f"
    done
    meta flags "$flags"
    meta ram "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    meta kernel "$(uname -sr)"
    meta fs "$(findmnt -no FSTYPE,SOURCE,OPTIONS -T "$D" 2>/dev/null || df -PT "$D" | awk 'NR == 2 { print $2, $1 }')"
    meta tmpdir "${TMPDIR:-/tmp}"
    meta libs "$("$BVBENCH" versions)"
    meta age "$(age --version)"
    meta gpg "$(gpg --version | sed -n '1p;/^libgcrypt/p' | tr '\n' ' ')"
    meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
    meta commit "$(cd "$here" && git log -1 --format='%h %s' 2>/dev/null || echo unknown)"
    [ -n "$(cd "$here" && git status --porcelain --untracked-files=no 2>/dev/null)" ] &&
        meta dirty "yes"
    meta sizes "$SIZES"
    meta reps "$REPS"
    meta unlocks "$UNLOCKS"
    meta idle_wait "$IDLE_WAIT"
    meta growth "${BENCH_GROWTH:-0}"
}

# A shared 2-core machine: wait (up to IDLE_WAIT s) for the 1-minute load
# to fall below 0.5, as the prototype did, and record what it was.
wait_idle() {
    waited=0
    while [ "$(awk '{ printf "%d", $1 * 100 }' /proc/loadavg)" -ge 50 ] && [ "$waited" -lt "$IDLE_WAIT" ]; do
        sleep 10
        waited=$((waited + 10))
    done
    meta "load.$1" "$(cut -d' ' -f1-3 /proc/loadavg) (waited ${waited} s)"
}

# What a command costs before its first byte: boardvault's KDF (at the
# floor here) and its checks, timed as the open of an empty item and
# subtracted from boardvault's body times, as before; age's and gpg's for
# comparison (gpg's S2K is set cheap below, so it is mostly process start).
# boardvault's is timed again in every round of the bodies, so that its
# median is of the whole run, not of a moment at its start.
fixed_bv() {
    FIXN=$((FIXN + 1))
    sync
    run "fixed bv 0 $FIXN" "$BV" open "$EID" --as bench --passphrase-fd 3 3<"$D/pw"
}
fixed_costs() {
    : >"$D/empty"
    EID=$(bv seal B "$D/empty" --title empty --grant bench --as bench)
    FIXN=0
    for r in 1 2 3 4 5; do
        fixed_bv
        sync
        run "fixed age 0 $r" age -r "$REC" -o "$D/empty.age" "$D/empty"
        sync
        run "fixed gpg 0 $r" gpg $GPG --symmetric $GPGSEAL -o "$D/empty.gpg" "$D/empty" 3<"$D/pw"
    done
}

# One unlock with the default Argon2id parameters: a command that must
# derive the key before it does anything (a board created), median of UNLOCKS.
unlock_cost() {
    U="$D/kdf.db"
    "$BV" --vault "$U" init --as k --passphrase-fd 3 3<"$D/pw" >/dev/null
    r=0
    while [ "$r" -lt "$UNLOCKS" ]; do
        r=$((r + 1))
        sync
        run "unlock bv 0 $r" "$BV" --vault "$U" board create "K$r" --as k --passphrase-fd 3 3<"$D/pw"
    done
}

# A VM's first touch of a page of its memory costs several times its
# reuse, and whichever tool ran first would pay it: touch it all first.
warm() {
    max=0
    for mb in $SIZES; do [ "$mb" -gt "$max" ] && max=$mb; done
    if [ "$max" -ge 100 ]; then
        meta warm "$("$BVBENCH" warm)"
    else
        dd if=/dev/zero of="$D/warm" bs=1048576 count=$((4 * max + 64)) 2>/dev/null
        rm -f "$D/warm"
    fi
}

# The tools in turn, starting with the (R mod 4)-th: each goes first in some round.
order() {
    i=$(($1 % 4))
    set -- bv age gpg floor bv age gpg floor
    shift "$i"
    echo "$1 $2 $3 $4"
}

# age does not sync what it writes; boardvault's seal commits durably and
# its open fsyncs its output before renaming it into place. So age's time
# is also shown followed by coreutils `sync FILE` (an fsync(2) of that
# file), timed on its own right after age, the two added.
seal_one() { # TOOL SIZE REP
    case $1 in
    bv)
        run "seal bv $2 $3" "$BV" seal B "$IN" --title t --grant bench --as bench --passphrase-fd 3 3<"$D/pw"
        ID=$(cat "$D/stdout") ;;
    age)
        run "seal age $2 $3" age -r "$REC" -o "$D/c.age" "$IN"
        run "seal fsync $2 $3" sync "$D/c.age" ;;
    gpg) run "seal gpg $2 $3" gpg $GPG --symmetric $GPGSEAL -o "$D/c.gpg" "$IN" 3<"$D/pw" ;;
    floor) run "seal floor $2 $3" "$BVBENCH" floor "$IN" "$D/c.floor" ;;
    esac
}
open_one() { # TOOL SIZE REP
    case $1 in
    bv) run "open bv $2 $3" "$BV" open "$ID" --as bench -o "$D/out.bv" --force --passphrase-fd 3 3<"$D/pw" ;;
    age)
        run "open age $2 $3" age -d -i "$D/age.key" -o "$D/out.age" "$D/c.age"
        run "open fsync $2 $3" sync "$D/out.age" ;;
    gpg) run "open gpg $2 $3" gpg $GPG -o "$D/out.gpg" -d "$D/c.gpg" 3<"$D/pw" ;;
    floor) run "open floor $2 $3" "$BVBENCH" floor --direct "$D/c.floor" "$D/out.floor" ;;
    esac
}

# What an open reads, as days after the seal: every tool's encrypted file
# out of the page cache (clean after the sync), so each reads it from the
# disk, the way it chooses to.
cold() {
    "$BVBENCH" drop "$D"/c.* "$BOARDVAULT_PATH".bodies/* 2>/dev/null || true
}

# One size: REPS rounds of seal (all tools), open (all tools), rekey.
# Before every timed command a `sync`, so that no tool pays for another's
# writeback. Seals read the plaintext from the page cache, every tool
# alike; opens and rekeys read what was sealed from the disk (cold above:
# no root needed), as they would days later.
body_size() {
    mb=$1
    say "bodies of $mb MiB: $REPS rounds of seal, open (boardvault, age, gpg, floor) and rekey"
    meta "crypto.$mb" "$("$BVBENCH" crypto "$mb")"
    head -c $((mb * 1048576)) /dev/urandom >"$IN"
    r=0
    while [ "$r" -lt "$REPS" ]; do
        r=$((r + 1))
        rm -f "$D"/c.* "$D"/out.*
        for t in $(order "$r"); do
            sync
            seal_one "$t" "$mb" "$r"
        done
        for t in $(order "$r"); do
            sync
            cold
            open_one "$t" "$mb" "$r"
        done
        for t in bv age gpg floor; do cmp "$IN" "$D/out.$t"; done
        sync
        cold
        run "rekey bv $mb $r" "$BV" rekey "$ID" --as bench --passphrase-fd 3 3<"$D/pw"
        fixed_bv
        bv item destroy "$ID" --as bench >/dev/null # the next round starts from the same vault
    done
    rm -f "$IN" "$D"/c.* "$D"/out.*
}

bodies() {
    bv init --as bench $KDF >/dev/null
    bv board create B --as bench >/dev/null
    age-keygen -o "$D/age.key" 2>/dev/null
    REC=$(age-keygen -y "$D/age.key")
    # gpg: AES-256 without compression, passphrase from fd 3 through the
    # loopback pinentry, and an S2K of 65,536 SHA-1 iterations (cheap: its
    # KDF is not what is compared; the default is calibrated to ~100 ms).
    GPG="--homedir $G --batch --yes --quiet --pinentry-mode loopback --passphrase-fd 3 --no-symkey-cache"
    GPGSEAL="--cipher-algo AES256 --compress-algo none --s2k-mode 3 --s2k-digest-algo SHA1 --s2k-count 65536"
    meta gpgopts "$GPGSEAL"
    say "waiting up to $IDLE_WAIT s for an idle machine"
    wait_idle bodies
    say "fixed costs, unlock with the default KDF"
    fixed_costs
    unlock_cost
    say "touching memory"
    warm
    for mb in $SIZES; do body_size "$mb"; done
    meta load.after-bodies "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# Key rotation: a board of N empty items, one officer removed. The items
# are made under eatmydata (their fsyncs are setup, not the figure, and
# 10,000 durable seals would take minutes); the removal is timed as is.
rotation() {
    for n in $ROTATE; do
        [ "$n" -gt 0 ] || continue
        say "key rotation with $n items"
        R="$D/rotate-$n.db"
        "$BV" --vault "$R" init --as bench $KDF --passphrase-fd 3 3<"$D/pw" >/dev/null
        eatmydata "$BVBENCH" rotate-setup "$R" bench "$n" 3<"$D/pw"
        sync
        meta "rotate.$n" "$("$BVBENCH" rotate "$R" bench 3<"$D/pw")"
        rm -rf "$R"* # and whatever the engine keeps beside it
    done
}

ms() { a=$(date +%s%N); "$@" >/dev/null; b=$(date +%s%N); echo $(((b - a) / 1000000)); }

# The audit log: durable append latency on an empty log, 8 writers at
# once, then per log size (each its own vault, built under eatmydata by
# the real append path, 10,000 entries a transaction): verify, append
# latency at that size, and the queries.
audit() {
    first=1
    for n in $AUDIT; do
        [ "$n" -gt 0 ] || continue
        say "audit log of $n entries"
        A="$D/audit-$n.db"
        "$BV" --vault "$A" init --as bench $KDF --passphrase-fd 3 3<"$D/pw" >/dev/null
        if [ "$first" = 1 ]; then
            first=0
            meta audit.append.0 "$("$BVBENCH" append "$A" bench 200 3<"$D/pw")"
            t0=$(date +%s%N)
            for _ in 1 2 3 4 5 6 7 8; do
                "$BVBENCH" append "$A" bench 100 3<"$D/pw" >/dev/null &
            done
            wait
            t1=$(date +%s%N)
            meta audit.concurrent "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", 800 / ((b - a) / 1e9) }')"
            meta audit.ceiling "$("$BVBENCH" ceiling "$A" 3)"
        fi
        say "building the log"
        eatmydata "$BVBENCH" mklog "$A" bench "$n" 3<"$D/pw" >/dev/null 2>"$D/item"
        sync
        count=$(sqlite3 "$A" "SELECT count(*) FROM audit")
        run "verify bv $n 1" "$BV" --vault "$A" audit verify
        item=$(tail -1 "$D/item")
        meta "audit.$n" "$count" \
            "$("$BVBENCH" append "$A" bench 200 3<"$D/pw")" \
            "$(ms "$BV" --vault "$A" audit log --item "$item" --csv)" \
            "$(ms "$BV" --vault "$A" audit log --member bench --outcome denied)" \
            "$(ms "$BV" --vault "$A" audit summary)"
        rm -rf "$A"*
    done
}

machine
bodies
rotation
audit
meta load.end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta duration "$(($(date +%s) - T0))"
say "writing the report"
sh "$here/scripts/bench-report.sh" "$SAMPLES" "$META" >"$REPORT"
cat "$REPORT"
say "report in $REPORT, every timed command in $SAMPLES"
