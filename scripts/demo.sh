#!/bin/sh
# demo.sh - the main job on a throwaway vault: an officer, two members, the
# Community Safety Partnership board, a restricted item sealed and granted
# to one member, who opens it; the other member is refused; then the
# auditor's view. Passphrases are scripted here (on fd 3) only because a
# demo has nobody at the keyboard; real use asks on the terminal.
set -eu
BV=${BV:-build/boardvault}
case $BV in /*) ;; *) BV=$(pwd)/$BV ;; esac
D=$(mktemp -d "${TMPDIR:-/tmp}/boardvault-demo.XXXXXX")
trap 'rm -rf "$D"' EXIT
export XDG_CONFIG_HOME="$D/config" # pins of this throwaway vault go with it
export BOARDVAULT_PATH="$D/csp.db"
# The KDF floor keeps the demo quick; real vaults use the defaults (~1 s).
KDF="--kdf-memory 19456 --kdf-time 2 --kdf-lanes 1"
OFFICER="Jade Hodgson"
PW_OFFICER="lantern-orchard-velvet-4417"
PW_FIONA="copper-meadow-kestrel-8832"
PW_RITA="saffron-tunnel-oboe-2609"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
as() { # as PASSPHRASE ARGS...
    pw=$1
    shift
    "$BV" "$@" --passphrase-fd 3 3<<EOT
$pw
EOT
}

step "The officer creates the vault (she is its root)"
as "$PW_OFFICER" init --as "$OFFICER" $KDF

step "Two board members enrol and the officer approves them"
as "$PW_FIONA" member enroll "Fiona Taylor" $KDF
as "$PW_RITA" member enroll "Rita Chadha" $KDF
as "$PW_OFFICER" member approve "Fiona Taylor" --as "$OFFICER"
as "$PW_OFFICER" member approve "Rita Chadha" --as "$OFFICER"

step "The Community Safety Partnership board, with both as members"
as "$PW_OFFICER" board create "Community Safety Partnership" --as "$OFFICER"
as "$PW_OFFICER" board add "Community Safety Partnership" "Fiona Taylor" --role member --as "$OFFICER"
as "$PW_OFFICER" board add "Community Safety Partnership" "Rita Chadha" --role member --as "$OFFICER"
"$BV" board show "Community Safety Partnership"

step "The officer imports the published minutes of 7 December 2022"
SEED=shared/seeds/minutes-2022-12-07-csp.txt
[ -f "$SEED" ] || SEED=../shared/seeds/minutes-2022-12-07-csp.txt
[ -f "$SEED" ] || SEED=tests/fixtures/minutes-2022-12-07-csp.txt
as "$PW_OFFICER" minutes import "$SEED" --board "Community Safety Partnership" --as "$OFFICER"

step "Item 5 is restricted: the officer seals its body and grants it to Fiona Taylor only"
cat >"$D/dhr.txt" <<'EOT'
RESTRICTED: Domestic Homicide Review (fictional text written for this demo)
The panel agreed the chronology, noted two missed referrals between
agencies and asked the chair to circulate the action plan to members only.
EOT
ID=$(as "$PW_OFFICER" seal "Community Safety Partnership" "$D/dhr.txt" \
    --meeting 1 --agenda-item 5 --grant "Fiona Taylor" --as "$OFFICER")
rm -f "$D/dhr.txt"
echo "sealed item: $ID"
"$BV" items

step "Fiona Taylor opens it (the access is recorded before any text is shown)"
as "$PW_FIONA" open "$ID" --as "Fiona Taylor" --force

step "Rita Chadha holds no grant and is refused"
if as "$PW_RITA" open "$ID" --as "Rita Chadha" --force; then
    echo "demo: Rita should have been refused" >&2
    exit 1
else
    echo "(refused with exit code $?)"
fi

step "The open minutes for the public: item 5 appears only as a notice"
"$BV" minutes publish 1 --format txt | sed -n '1,5p;/^5\. RESTRICTED/,/^6\. Forward/p'
"$BV" minutes publish 1 --format html -o "$D/minutes.html"
echo "(and as one self-contained HTML page: $(wc -c <"$D/minutes.html") bytes)"
"$BV" minutes actions --board "Community Safety Partnership" | head -4

step "The auditor's view: the log, the summary, and its verification"
as "$PW_OFFICER" audit checkpoint --as "$OFFICER" >"$D/checkpoint.txt"
"$BV" audit log
"$BV" audit summary
"$BV" audit verify --checkpoint "$D/checkpoint.txt"
printf '\nDemo vault was %s (removed on exit).\n' "$D"
