# bash completion for portscope.  The commands and each command's options
# are read from the program itself (`portscope --help`, `portscope help
# CMD`), so they follow the binary being completed; PortQry's forms
# (-n, -local, -wport, -wpid) complete too.

# _portscope_options TEXT: every -x / --word named in TEXT, one a line.
_portscope_options()
{
	grep -oE -- '(^|[^[:alnum:]_/.+-])--?[[:alnum:]][[:alnum:]-]*' <<<"$1" |
		sed -E 's/^[^-]+//' | sort -u
}

# _portscope_help BIN [CMD]: the help text of BIN (or of its command CMD),
# read once per shell.
_portscope_help()
{
	local key="$1 ${2:-}"
	declare -gA _portscope_cache
	if [[ -z ${_portscope_cache[$key]+set} ]]; then
		if [[ -n ${2:-} ]]; then
			_portscope_cache[$key]=$("$1" help "$2" 2>/dev/null)
		else
			_portscope_cache[$key]=$("$1" --help 2>/dev/null)
		fi
	fi
	printf '%s\n' "${_portscope_cache[$key]}"
}

_portscope()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local bin=${COMP_WORDS[0]} cmd= words= i
	COMPREPLY=()
	# the command: the first word after the program that is not an option
	# (or PortQry's form of it)
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-n) cmd=query; break ;;
		-local) cmd=local; break ;;
		-wport | -wpid) cmd=watch; break ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	# values of the options that take one
	case $prev in
	-l)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-p)
		COMPREPLY=($(compgen -W "tcp udp both" -- "$cur"))
		return ;;
	--owners)
		words=$("$bin" "${cmd:-local}" --owners '?' 2>&1 | sed -n 's/.*give \([^;]*\).*/\1/p' | tr -d ',' | sed 's/ or / /')
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return ;;
	--state)
		words=$("$bin" local --state '?' 2>&1 | sed -n 's/.*give \([^;]*\).*/\1/p' | tr -d ',' | sed 's/ or / /')
		COMPREPLY=($(compgen -W "$words" -- "${cur^^}"))
		return ;;
	--set)
		words=$("$bin" query --list-sets 2>/dev/null | awk '/^[a-z]/ { print $1 }')
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return ;;
	--pid | -wpid)
		words=$(cd /proc && echo [0-9]*)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return ;;
	-e | -o | -r | -sp | -cn | -wport | -wt | --port | --interval | --count | \
	--parallel | --max-rate)
		return ;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			words="--help --version -n -local -wport -wpid"
		else
			words="help $(_portscope_help "$bin" | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')"
		fi
	elif [[ $cmd == help ]]; then
		[[ $prev == help ]] || return
		words=$(_portscope_help "$bin" | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
	elif [[ $cur == -* ]]; then
		words=$(_portscope_options "$(_portscope_help "$bin" "$cmd")")
	else
		[[ $cmd == query ]] && COMPREPLY=($(compgen -A hostname -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _portscope portscope
