# boardvault.bash - bash completion for boardvault: commands, options,
# and the boards and members of the vault in use (read without a
# passphrase: `boardvault complete`). zsh loads it through bashcompinit
# (see _boardvault). Install: make install, or source this file.

# names may hold spaces ("Jade Hodgson"): one candidate a line, and each
# offered with its spaces escaped, as the shell will read it back
_boardvault_names() {
    local n
    while IFS= read -r n; do
        [[ $n == "$1"* ]] && printf '%q\n' "$n"
    done < <(boardvault "${@:2}" 2>/dev/null)
}

# COMPREPLY from standard input, a candidate a line (mapfile, but zsh's
# bashcompinit has no mapfile)
_boardvault_reply() {
    local l
    COMPREPLY=()
    while IFS= read -r l || [ -n "$l" ]; do
        COMPREPLY+=("$l")
    done
}

_boardvault() {
    local cur prev i w cmd=() vault=()
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    # the command words typed so far, and a --vault to read names from
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
        --vault | --trust)
            [ "$w" = --vault ] && vault=(--vault "${COMP_WORDS[i + 1]}")
            i=$((i + 1))
            ;;
        --vault=*) vault=(--vault "${w#--vault=}") ;;
        -*) ;;
        *) [ ${#cmd[@]} -lt 2 ] && cmd+=("$w") ;;
        esac
    done
    case $prev in
    --as | --grant | --member)
        _boardvault_reply < <(_boardvault_names "$cur" "${vault[@]}" complete members)
        return
        ;;
    --board)
        _boardvault_reply < <(_boardvault_names "$cur" "${vault[@]}" complete boards)
        return
        ;;
    --role)
        _boardvault_reply < <(compgen -W "officer member auditor" -- "$cur")
        return
        ;;
    --format)
        _boardvault_reply < <(compgen -W "txt md html jsonl csv" -- "$cur")
        return
        ;;
    --vault | -o | --output | --checkpoint | --passphrase-fd | --title | --trust | --date | \
        --retain-until | --fingerprint | --meeting | --agenda-item | --size | --kdf-*)
        [ "$prev" = --vault ] || [ "$prev" = -o ] || [ "$prev" = --output ] || [ "$prev" = --checkpoint ] &&
            _boardvault_reply < <(compgen -f -- "$cur")
        return
        ;;
    esac
    if [ ${#cmd[@]} -eq 0 ]; then
        _boardvault_reply < <(compgen -W "$(boardvault complete commands 2>/dev/null) --vault --trust --quiet --version --help" -- "$cur")
        return
    fi
    # a group (member, board, ...) has subcommands; a command has options only
    local sub
    sub=$(boardvault complete options "${cmd[0]}" 2>/dev/null | grep -v '^-')
    [ -z "$sub" ] && cmd=("${cmd[0]}")
    if [[ $cur == -* ]]; then
        _boardvault_reply < <(compgen -W "$(boardvault complete options "${cmd[@]}" 2>/dev/null)" -- "$cur")
        return
    fi
    if [ ${#cmd[@]} -eq 1 ] && [ -n "$sub" ]; then
        _boardvault_reply < <(compgen -W "$sub" -- "$cur")
        return
    fi
    _boardvault_reply < <(
        _boardvault_names "$cur" "${vault[@]}" complete boards
        _boardvault_names "$cur" "${vault[@]}" complete members
        compgen -f -- "$cur"
    )
}
complete -F _boardvault boardvault
