#!/usr/bin/env bats
# agent.bats - boardvault unlock / lock (issue 17): later commands act
# without a passphrase while the agent runs, every entry still signed by
# the person; the agent ends at its timeout, on lock and when killed (the
# next command asks again); another uid gets nothing; its directory is
# private and never reached through a symlink.

load helpers

setup() { setup_vault; }
teardown() { teardown_vault; }

# notty CMD... - no terminal and no passphrase fd: a prompt would fail
notty() { setsid -w "$@" </dev/null; }

# pid_of OUTPUT - the agent pid that unlock printed
pid_of() { sed -n 's/.*agent pid \([0-9]*\).*/\1/p' <<<"$1"; }

# alive PID: running, not a zombie left for an init that does not reap
# (the agent's parent has exited, so it is init's to reap)
alive() {
    local st
    st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
# gone PID: wait up to 5 s for it to end, then say whether it did
gone() {
    local _
    for _ in $(seq 50); do alive "$1" || return 0; sleep 0.1; done
    return 1
}

unlock_root() { # unlock_root [DURATION]
    bvp "$PW_ROOT" unlock --as "Root Officer" --for "${1:-60s}"
}

@test "after unlock, seal, grant and open need no passphrase; entries are signed and verify" {
    make_world
    echo "panel notes" >body.txt
    run unlock_root
    [ "$status" -eq 0 ]
    [[ "$output" == "unlocked Root Officer until "*"(agent pid "* ]]
    run notty "$BV" seal CSP body.txt --title "Review" --as "Root Officer"
    [ "$status" -eq 0 ]
    id=$output
    run notty "$BV" grant "$id" alice --as "Root Officer"
    [ "$status" -eq 0 ]
    run bvp "$PW_ALICE" unlock --as alice
    [ "$status" -eq 0 ]
    run notty "$BV" open "$id" -o out.txt --as alice
    [ "$status" -eq 0 ]
    [ "$(cat out.txt)" = "panel notes" ]
    # the seal, its grant set, the grant and the open: signed by the person
    [ "$(sql "SELECT count(*) FROM audit WHERE item = '$id' AND actor = 'Root Officer'")" -ge 3 ]
    [ "$(sql "SELECT count(*) FROM audit WHERE item = '$id' AND actor = 'alice' AND action = 'open'")" = 1 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    [[ "$output" == *", 0 unsigned attempts)"* ]]
    # a checkpoint is a signed note too, signed through the agent
    run notty "$BV" audit checkpoint --as "Root Officer"
    [ "$status" -eq 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
    # --no-agent asks anyway (and there is no terminal to ask on)
    run notty "$BV" seal CSP body.txt --title "Again" --as "Root Officer" --no-agent
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal"* ]]
    # bob never unlocked: asked for, not served by someone else's agent
    run notty "$BV" open "$id" -o out2.txt --as bob
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal"* ]]
    [ ! -e out2.txt ]
}

@test "--for 2s: after it expires the agent is gone and the next command needs the passphrase" {
    make_world
    echo "panel notes" >body.txt
    run unlock_root 2s
    [ "$status" -eq 0 ]
    pid=$(pid_of "$output")
    run notty "$BV" seal CSP body.txt --title "Review" --as "Root Officer"
    [ "$status" -eq 0 ]
    sleep 2
    gone "$pid"
    [ -z "$(ls "$XDG_RUNTIME_DIR/boardvault")" ] # its socket removed
    run notty "$BV" seal CSP body.txt --title "Late" --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal"* ]]
    run bvp "$PW_ROOT" seal CSP body.txt --title "Late" --as "Root Officer"
    [ "$status" -eq 0 ]
    # durations are checked: a unit, a floor, a maximum
    run bvp "$PW_ROOT" unlock --as "Root Officer" --for 13h
    [ "$status" -eq 2 ]
    run bvp "$PW_ROOT" unlock --as "Root Officer" --for 0s
    [ "$status" -eq 2 ]
    run bvp "$PW_ROOT" unlock --as "Root Officer" --for 5x
    [ "$status" -eq 2 ]
    [ -z "$(agent_pids)" ]
}

@test "lock ends one person's agent or all of this vault's, and says so; nothing to lock is 0" {
    make_world
    echo "panel notes" >body.txt
    id=$(seal_item body.txt alice)
    run unlock_root
    root=$(pid_of "$output")
    run bvp "$PW_ALICE" unlock --as alice
    alice=$(pid_of "$output")
    alive "$root"
    alive "$alice"
    run "$BV" lock --as alice
    [ "$status" -eq 0 ]
    [ "$output" = "locked alice (agent pid $alice): keys wiped" ]
    gone "$alice"
    alive "$root"
    run notty "$BV" open "$id" -o out.txt --as alice
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal"* ]]
    run notty "$BV" grant "$id" bob --as "Root Officer"
    [ "$status" -eq 0 ]
    run "$BV" lock
    [ "$status" -eq 0 ]
    [ "$output" = "locked Root Officer (agent pid $root): keys wiped" ]
    gone "$root"
    run "$BV" lock
    [ "$status" -eq 0 ]
    [ "$output" = "nothing to lock: no one is unlocked in this vault" ]
    run "$BV" lock --as alice
    [ "$status" -eq 0 ]
    [[ "$output" == "nothing to lock: alice is not unlocked in this vault" ]]
    [ -z "$(agent_pids)" ]
}

@test "a killed agent: the next command asks for the passphrase again and works with --passphrase-fd" {
    make_world
    echo "panel notes" >body.txt
    run unlock_root
    pid=$(pid_of "$output")
    kill -9 "$pid"
    while alive "$pid"; do sleep 0.05; done
    run notty "$BV" seal CSP body.txt --title "Review" --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal to ask for a passphrase"* ]]
    [[ "$output" != *"agent"* ]] # a gone agent is simply not there
    run bvp "$PW_ROOT" seal CSP body.txt --title "Review" --as "Root Officer"
    [ "$status" -eq 0 ]
    # its stale socket does not stop a new unlock
    run unlock_root
    [ "$status" -eq 0 ]
    run notty "$BV" seal CSP body.txt --title "Again" --as "Root Officer"
    [ "$status" -eq 0 ]
    run "$BV" audit verify
    [ "$status" -eq 0 ]
}

@test "SIGTERM, SIGINT and SIGHUP end the agent and remove its socket; it dumps no core" {
    make_world
    for sig in TERM INT HUP; do
        run unlock_root
        [ "$status" -eq 0 ]
        pid=$(pid_of "$output")
        grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits"
        kill -s "$sig" "$pid"
        gone "$pid"
        [ -z "$(ls "$XDG_RUNTIME_DIR/boardvault")" ]
    done
    run notty "$BV" board create Other --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal"* ]]
}

# agent_call SOCKET - send a SIGN request for "forged"; print how many
# bytes came back (0: the agent closed without answering, or reset us)
agent_call() {
    /usr/bin/python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
m = b"forged"
got = b""
try:
    s.sendall(struct.pack(">I", len(m) + 2) + bytes([1, 2]) + m)
    while True:
        d = s.recv(4096)
        if not d:
            break
        got += d
except (BrokenPipeError, ConnectionResetError):
    pass  # closed on us without an answer
print(len(got))
' "$1"
}

@test "another uid is refused: the agent answers it nothing and signs nothing" {
    [ "$(id -u)" = 0 ] || skip "needs root to act as another user"
    command -v setpriv >/dev/null || skip "setpriv not installed"
    make_world
    run unlock_root
    pid=$(pid_of "$output")
    sock=$(ls "$XDG_RUNTIME_DIR"/boardvault/*.sock)
    # the same uid is answered: a 70-byte signature frame
    run agent_call "$sock"
    [ "$status" -eq 0 ]
    [ "$output" = 70 ]
    # for this test only, let nobody reach the socket through the
    # filesystem, so that the agent's own peer check is what refuses
    chmod o+x "$T" "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/boardvault"
    chmod 0666 "$sock"
    run setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c "$(declare -f agent_call); agent_call '$sock'"
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
    chmod 0700 "$T" "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/boardvault"
    # still serving its owner, and nothing was logged
    alive "$pid"
    n=$(sql 'SELECT count(*) FROM audit')
    echo "notes" >body.txt
    run notty "$BV" seal CSP body.txt --title "Review" --as "Root Officer"
    [ "$status" -eq 0 ]
    [ "$(sql 'SELECT count(*) FROM audit')" -eq $((n + 2)) ]
}

@test "a wrong passphrase at unlock is exit 3, logged, and leaves no agent" {
    make_world
    run bvp "wrong-passphrase-entirely-0000" unlock --as alice
    [ "$status" -eq 3 ]
    [ -z "$(ls "$XDG_RUNTIME_DIR/boardvault")" ]
    [ -z "$(agent_pids)" ]
    [ "$(sql "SELECT count(*) FROM audit WHERE actor = 'alice' AND action = 'unlock' AND outcome = 'failed'")" = 1 ]
    run bvp "$PW_ALICE" unlock --as nobody-here
    [ "$status" -eq 3 ]
    [ -z "$(agent_pids)" ]
}

@test "the agent's directory is 0700; a symlinked directory or a loose runtime dir is refused" {
    make_world
    echo "notes" >body.txt
    run unlock_root
    [ "$status" -eq 0 ]
    [ "$(stat -c %a "$XDG_RUNTIME_DIR/boardvault")" = 700 ]
    [ "$(stat -c %U "$XDG_RUNTIME_DIR/boardvault")" = "$(id -un)" ]
    # the same directory reached through a symlink is not used: the
    # command asks for the passphrase instead, and says why
    mv "$XDG_RUNTIME_DIR/boardvault" "$T/elsewhere"
    ln -s "$T/elsewhere" "$XDG_RUNTIME_DIR/boardvault"
    run notty "$BV" seal CSP body.txt --title "Review" --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not using the agent"*"symlink"* ]]
    run bvp "$PW_ROOT" unlock --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"symlink"* ]]
    rm "$XDG_RUNTIME_DIR/boardvault"
    mv "$T/elsewhere" "$XDG_RUNTIME_DIR/boardvault"
    run "$BV" lock
    [ "$status" -eq 0 ]
    # a runtime directory others can enter, or none at all: refused
    # before the passphrase is read
    chmod 0755 "$XDG_RUNTIME_DIR"
    run bvp "$PW_ROOT" unlock --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"mode 0755, not 0700"* ]]
    chmod 0700 "$XDG_RUNTIME_DIR"
    chmod 0755 "$XDG_RUNTIME_DIR/boardvault"
    run bvp "$PW_ROOT" unlock --as "Root Officer"
    [ "$status" -ne 0 ]
    [[ "$output" == *"boardvault has mode 0755, not 0700"* ]]
    run env -u XDG_RUNTIME_DIR "$BV" unlock --as "Root Officer" --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -ne 0 ]
    [[ "$output" == *"XDG_RUNTIME_DIR is not set"* ]]
    # without one, commands simply ask as before
    run env -u XDG_RUNTIME_DIR "$BV" seal CSP body.txt --title "Review" --as "Root Officer" \
        --passphrase-fd 3 3<<<"$PW_ROOT"
    [ "$status" -eq 0 ]
    [ -z "$(agent_pids)" ]
}

@test "an agent holding keys that are no longer the person's is not used: the command asks" {
    make_world
    echo "notes" >body.txt
    id=$(seal_item body.txt alice)
    run bvp "$PW_ALICE" unlock --as alice
    [ "$status" -eq 0 ]
    # alice's keys change (member rekey, approved): the agent's are stale
    "$BV" member rekey --as alice $KDF --passphrase-fd 3 3<<<"$PW_ALICE
lilac-borough-kettle-6618" >/dev/null
    bvp "$PW_ROOT" member approve alice --as "Root Officer" >/dev/null
    run notty "$BV" open "$id" -o out.txt --as alice
    [ "$status" -ne 0 ]
    [[ "$output" == *"not using the agent: the agent holds keys that are no longer alice's"* ]]
    [[ "$output" == *"no terminal"* ]]
    [ ! -e out.txt ]
    run bvp "lilac-borough-kettle-6618" open "$id" -o out.txt --as alice
    [ "$status" -eq 0 ]
}

@test "member rekey still asks for the passphrase while an agent holds the keys" {
    make_world
    run bvp "$PW_ALICE" unlock --as alice
    [ "$status" -eq 0 ]
    run notty "$BV" member rekey --as alice
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal"* ]]
    run notty "$BV" member passwd --as alice
    [ "$status" -ne 0 ]
    [[ "$output" == *"no terminal"* ]]
}
