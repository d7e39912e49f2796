#!/bin/sh
# bench.sh - seal and open throughput beside age, measured in the same run
# on the same files, with the KDF timed separately; peak RSS of 1 GiB
# against 1 MiB. Figures, not pass/fail: `make bench` prints them.
#   BENCH_SIZES="1 100 1024"  sizes in MiB (default)
set -eu
BV=${BV:-build/boardvault}
case $BV in /*) ;; *) BV=$(pwd)/$BV ;; esac
SIZES=${BENCH_SIZES:-"1 100 1024"}
D=$(mktemp -d "${TMPDIR:-/tmp}/boardvault-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
export XDG_CONFIG_HOME="$D/config" # pins of this throwaway vault go with it
export BOARDVAULT_PATH="$D/bench.db"
PW="bench-only-passphrase-9f3c2a"
KDF="--kdf-memory 19456 --kdf-time 2 --kdf-lanes 1"

as() { pw=$1; shift; "$BV" "$@" --passphrase-fd 3 3<<EOT
$pw
EOT
}
# secs_rss CMD... -> "seconds maxrss_kib" of one run, output discarded
# (seconds from the clock in nanoseconds: time's %e has 10 ms steps)
secs_rss() {
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$D/t" "$@" >/dev/null
    t1=$(date +%s%N)
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') $(cat "$D/t")"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
mibs() { awk -v m="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", m / s; else print "inf" }'; }

as "$PW" init --as bench $KDF >/dev/null
as "$PW" board create B --as bench >/dev/null
age-keygen -o "$D/age.key" 2>/dev/null
REC=$(age-keygen -y "$D/age.key")

# fixed cost of one command (KDF at the floor, open, verify, commit)
: >"$D/empty"
EID=$(as "$PW" seal B "$D/empty" --title empty --grant bench --as bench)
FIXED=""
for r in 1 2 3 4 5; do
    set -- $(secs_rss sh -c "'$BV' open $EID --as bench --passphrase-fd 3 3<<EOT
$PW
EOT")
    FIXED="$FIXED $1"
done
FIXED=$(printf '%s\n' $FIXED | sort -g | sed -n 3p) # the median of five
echo "boardvault bench ($(nproc) cores); KDF at the floor (19 MiB, t=2) for throughput runs"
printf 'fixed cost of one open of an empty item (KDF + checks, median of 5): %.3f s\n' "$FIXED"
echo "(subtracted from every boardvault time below; at 1 MiB what remains is within its noise)"

# the default KDF on its own
"$BV" --vault "$D/kdf.db" init --as k --passphrase-fd 3 3<<EOT >/dev/null
$PW
EOT
"$BV" --vault "$D/kdf.db" board create K --as k --passphrase-fd 3 3<<EOT >/dev/null
$PW
EOT
set -- $(secs_rss sh -c "'$BV' --vault '$D/kdf.db' board create K2 --as k --passphrase-fd 3 3<<EOT
$PW
EOT")
printf 'default KDF (512 MiB, t=2, 2 lanes): one unlock command %.2f s, peak RSS %d MiB\n\n' "$1" $(($2 / 1024))

# Cryptography alone bounds what any design can do: a seal or an open
# runs the secretstream and BLAKE2b-256 over every byte, a rekey both twice.
if [ -n "${BVBENCH:-}" ]; then
    set -- $("$BVBENCH" crypto 256)
    awk -v e="$1" -v h="$2" -v n="$(nproc)" 'BEGIN {
        b = n / (1 / e + 1 / h)
        printf "cryptography alone, one core: secretstream %d MiB/s, BLAKE2b-256 %d MiB/s\n", e, h
        printf "so on %d cores, with I/O free: seal/open at most %d MiB/s, rekey at most %d MiB/s\n\n", n, b, b / 2 }'
fi

# A VM's first touch of a page of its memory costs several times its
# reuse; whichever tool ran first would pay it. Touch the memory first
# (bvbench warm: all but 2 GiB of what is available), or at least as much
# page cache as the runs below will need.
max=0
for mb in $SIZES; do [ "$mb" -gt "$max" ] && max=$mb; done
if [ -n "${BVBENCH:-}" ] && [ "$max" -ge 100 ]; then
    echo "touched $("$BVBENCH" warm) GiB of memory first (first touches in a VM are slow)"
else
    dd if=/dev/zero of="$D/warm" bs=1048576 count=$((3 * max + 64)) 2>/dev/null
    rm -f "$D/warm"
fi

REPS=${BENCH_REPS:-3}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -1; }
net() { awk -v a="$1" -v f="$FIXED" 'BEGIN { print (a - f > 0.001 ? a - f : 0.001) }'; }
bv_seal() { secs_rss sh -c "'$BV' seal B '$D/in' --title t --grant bench --as bench --passphrase-fd 3 3<<EOT >'$D/id'
$PW
EOT"; }
bv_open() { secs_rss sh -c "'$BV' open $1 --as bench -o '$D/out' --force --passphrase-fd 3 3<<EOT
$PW
EOT"; }
age_seal() { rm -f "$D/in.age"; secs_rss age -r "$REC" -o "$D/in.age" "$D/in"; }
age_open() { rm -f "$D/out.age"; secs_rss age -d -i "$D/age.key" -o "$D/out.age" "$D/in.age"; }
# age does not sync what it writes; boardvault's seal commits durably and
# its open syncs the output before renaming it into place. So beside the
# plain figure, age followed by an fsync of its output (coreutils sync FILE).
sync_s() { set -- $(secs_rss sync "$1"); echo "$1"; }
plus() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }

echo "median of $REPS runs each, boardvault and age alternating which goes first"
printf '%-8s %-6s %10s %10s %10s %8s %12s %14s %10s\n' size op "bv MiB/s" "age MiB/s" "bv/age" "bv RSS" \
    "age RSS" "age+sync MiB/s" "bv/that"
for mb in $SIZES; do
    head -c $((mb * 1048576)) /dev/urandom >"$D/in"
    bs="" as_="" bo="" ao="" brss="" orss="" arss="" aorss="" rk="" rrss="" ass="" aos=""
    r=0
    while [ $r -lt "$REPS" ]; do
        r=$((r + 1))
        # each pair starts with no writeback of the last one under way
        sync
        if [ $((r % 2)) -eq 1 ]; then
            set -- $(bv_seal) $(age_seal)
        else
            set -- $(age_seal) $(bv_seal)
            set -- "$3" "$4" "$1" "$2"
        fi
        bs="$bs $(net "$1")" brss="$brss $2" as_="$as_ $3" arss="$arss $4"
        ass="$ass $(plus "$3" "$(sync_s "$D/in.age")")"
        ID=$(cat "$D/id")
        sync
        if [ $((r % 2)) -eq 1 ]; then
            set -- $(bv_open "$ID") $(age_open)
        else
            set -- $(age_open) $(bv_open "$ID")
            set -- "$3" "$4" "$1" "$2"
        fi
        cmp "$D/in" "$D/out"
        bo="$bo $(net "$1")" orss="$orss $2" ao="$ao $3" aorss="$aorss $4"
        aos="$aos $(plus "$3" "$(sync_s "$D/out.age")")"
        sync
        set -- $(secs_rss sh -c "'$BV' rekey $ID --as bench --passphrase-fd 3 3<<EOT
$PW
EOT")
        rk="$rk $(net "$1")" rrss="$rrss $2"
        # the next run starts from the same vault
        as "$PW" item destroy "$ID" --as bench >/dev/null
    done
    bs=$(median $bs) as_=$(median $as_) bo=$(median $bo) ao=$(median $ao) rk=$(median $rk)
    ass=$(median $ass) aos=$(median $aos)
    brss=$(maxof $brss) orss=$(maxof $orss) arss=$(maxof $arss) aorss=$(maxof $aorss) rrss=$(maxof $rrss)
    printf '%-8s %-6s %10s %10s %10s %7dM %11dM %14s %10s\n' "${mb}M" seal "$(mibs "$mb" "$bs")" \
        "$(mibs "$mb" "$as_")" "$(ratio "$as_" "$bs")" $((brss / 1024)) $((arss / 1024)) \
        "$(mibs "$mb" "$ass")" "$(ratio "$ass" "$bs")"
    printf '%-8s %-6s %10s %10s %10s %7dM %11dM %14s %10s\n' "${mb}M" open "$(mibs "$mb" "$bo")" \
        "$(mibs "$mb" "$ao")" "$(ratio "$ao" "$bo")" $((orss / 1024)) $((aorss / 1024)) \
        "$(mibs "$mb" "$aos")" "$(ratio "$aos" "$bo")"
    printf '%-8s %-6s %10s %10s %10s %7dM   (rekey vs seal: %s)\n' "${mb}M" rekey "$(mibs "$mb" "$rk")" - - \
        $((rrss / 1024)) "$(ratio "$bs" "$rk")"
    # what durability alone costs: the same bytes written once and synced
    # (age does not sync; boardvault's commit does)
    set -- $(secs_rss dd if="$D/in" of="$D/dd.out" bs=1048576 conv=fsync status=none)
    rm -f "$D/dd.out"
    printf '%-8s %-6s %10s   (the same bytes written once and fsync'"'"'d, dd conv=fsync)\n' "${mb}M" write \
        "$(mibs "$mb" "$1")"
    echo "$mb $brss $orss" >>"$D/rss"
    rm -f "$D/in" "$D/out" "$D/in.age" "$D/out.age"
done
echo
echo "bv/age > 1 means boardvault is faster (KDF excluded from boardvault's time); the target is bv/age."
echo "bv/that compares with age whose output is then fsync'd, as boardvault's is."
awk 'NR == 1 { s1 = $2; o1 = $3 } { s = $2; o = $3; m = $1 }
     END { if (NR > 1) printf "peak RSS %d MiB vs %d MiB: seal %.2fx, open %.2fx (target <= 1.2x)\n", m, 1, s / s1, o / o1 }' "$D/rss"

# ---- board key rotation (issue 7) ----
if [ -n "${BVBENCH:-}" ] && [ "${BENCH_ROTATE:-10000}" -gt 0 ]; then
    NR=${BENCH_ROTATE:-10000}
    R="$D/rotate.db"
    "$BV" --vault "$R" init --as bench $KDF --passphrase-fd 3 3<<EOT >/dev/null
$PW
EOT
    set -- $("$BVBENCH" rotate "$R" bench "$NR" 3<<EOT
$PW
EOT
)
    echo
    printf 'board key rotation (an officer removed) with %d items: %.2f s, %d item keys re-wrapped (target < 1 s at 10,000)\n' "$NR" "$1" "$2"
fi

# ---- the audit log (issue 4) ----
if [ -n "${BVBENCH:-}" ] && [ "${BENCH_AUDIT:-1000000}" -gt 0 ]; then
    NLOG=${BENCH_AUDIT:-1000000}
    echo
    echo "audit log"
    A="$D/audit.db"
    "$BV" --vault "$A" init --as bench $KDF --passphrase-fd 3 3<<EOT >/dev/null
$PW
EOT
    lat=$("$BVBENCH" append "$A" bench 200 3<<EOT
$PW
EOT
)
    printf '  durable append, one entry per transaction: %s ms\n' "$lat"
    t0=$(date +%s.%N)
    for w in 1 2 3 4 5 6 7 8; do
        "$BVBENCH" append "$A" bench 100 3<<EOT >/dev/null &
$PW
EOT
    done
    wait
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "  8 concurrent writers x 100 entries: %.0f entries/s\n", 800 / (b - a) }'
    "$BVBENCH" mklog "$A" bench "$NLOG" 3<<EOT >/dev/null 2>"$D/item"
$PW
EOT
    n=$(sqlite3 "$A" "SELECT count(*) FROM audit")
    set -- $(secs_rss "$BV" --vault "$A" audit verify)
    vs=$1
    ceil=$("$BVBENCH" ceiling "$A" 3)
    awk -v n="$n" -v s="$vs" -v c="$ceil" 'BEGIN {
        printf "  audit verify of %d entries: %.1f s = %.0f entries/s; ceiling (Ed25519 verify + SHA-256, all cores) %.0f/s: %.0f%% (target >= 50%%)\n", n, s, n / s, c, 100 * n / s / c }'

    item=$(tail -1 "$D/item")
    ms() { a=$(date +%s%N); "$@" >/dev/null; b=$(date +%s%N); echo $(((b - a) / 1000000)); }
    printf '  audit log --item (one item of 1,000) at %d entries: %d ms (target < 100 ms)\n' "$n" "$(ms "$BV" --vault "$A" audit log --item "$item" --csv)"
    printf '  audit log --member bench --outcome denied: %d ms\n' "$(ms "$BV" --vault "$A" audit log --member bench --outcome denied)"
    printf '  audit summary (1,000 items) at %d entries: %d ms\n' "$n" "$(ms "$BV" --vault "$A" audit summary)"
fi
