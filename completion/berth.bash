# bash completion for berth(1): commands, their flags and flag values,
# container ids (berth list -q) and, for kill, signal names.
#
# Nothing here is a copy of berth's command line: the commands come from
# `berth --help` and the flags from `berth CMD --help`, read when TAB is
# pressed, so a new command or flag completes as soon as its help lists it.
# A flag takes a value when its help shows one after it (--bundle DIR,
# --format table|json); DIR completes directories, FILE, PATH and SOCK
# files, a|b|c those words.
#
# Installed as /usr/share/bash-completion/completions/berth (make install).

# _berth_flags BERTH [CMD]: every flag (long and short) the help lists.
_berth_flags()
{
	"$@" --help 2>/dev/null |
		grep -oE -- '(--[a-z0-9][a-z0-9-]*|, -[a-zA-Z]\b)' | sed 's/^, //' |
		awk '!seen[$0]++'
}

# _berth_arg_flags BERTH [CMD]: "FLAG VALUE" for each flag shown with a value.
_berth_arg_flags()
{
	"$@" --help 2>/dev/null |
		grep -oE -- '--[a-z0-9-]+(, -[a-zA-Z])? ([A-Z][][A-Z0-9_:]*|[a-z0-9]+(\|[a-zA-Z0-9]+)+)' |
		sed -E 's/^(--[a-z0-9-]+), (-[a-zA-Z]) (.*)/\1 \3\n\2 \3/' |
		awk '!seen[$1]++'
}

# _berth_commands BERTH: the commands of `berth --help`.
_berth_commands()
{
	"$1" --help 2>/dev/null |
		awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 }'
}

# _berth_value FLAG VALUE-WORD CUR: complete CUR, a value of FLAG.
_berth_value()
{
	local flag=$1 what=$2 cur=$3
	case $flag in
	--rootless) what="true|false|auto" ;;
	--log-format) what="text|json" ;;
	--cap | -c)
		COMPREPLY=($(compgen -W "$(_berth_caps)" -- "$cur"))
		return
		;;
	esac
	case $what in
	*'|'*) # the literal words: table|json, 5s|500ms|SECONDS
		COMPREPLY=($(compgen -W "$(tr '|' '\n' <<<"$what" | grep -v '[A-Z]')" \
			-- "$cur"))
		;;
	DIR)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		;;
	FILE* | PATH | SOCK | PROFILE)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	*) COMPREPLY=() ;;
	esac
}

# Capability names as berth takes them (CAP_ prefix, upper case).
_berth_caps()
{
	local c
	for c in $(sed -n 's/^#define CAP_\([A-Z_]*\)[[:space:]]*[0-9].*/\1/p' \
		/usr/include/linux/capability.h 2>/dev/null); do
		echo "CAP_$c"
	done
}

# Signal names for kill: without SIG (as berth prints them), or with it
# when the word being completed starts so.
_berth_signals()
{
	local cur=$1 s
	for s in $(compgen -A signal | grep -E '^SIG[A-Z0-9+-]+$'); do
		if [[ ${cur^^} == SIG* ]]; then
			echo "$s"
		else
			echo "${s#SIG}"
		fi
	done
}

_berth()
{
	local berth=$1 cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --flag=VALUE: bash splits it at "=" (COMP_WORDBREAKS) into three words
	[ "$cur" = = ] && prev=${COMP_WORDS[COMP_CWORD - 1]} cur=""
	[ "$prev" = = ] && [ "$COMP_CWORD" -ge 2 ] && prev=${COMP_WORDS[COMP_CWORD - 2]}
	local -a root=()
	local i=1 w cmd="" cmd_at=0 garg
	COMPREPLY=()

	# The global options (and their values) until the command.
	garg=$(_berth_arg_flags "$berth")
	while [ "$i" -lt "$COMP_CWORD" ]; do
		w=${COMP_WORDS[i]}
		case $w in
		-*)
			if grep -q -- "^$w " <<<"$garg"; then
				[ "${COMP_WORDS[i + 1]}" = = ] && i=$((i + 1))
				[ "$w" = --root ] && root=(--root "${COMP_WORDS[i + 1]}")
				i=$((i + 1))
			fi
			;;
		*)
			cmd=$w cmd_at=$i
			break
			;;
		esac
		i=$((i + 1))
	done

	if [ -z "$cmd" ]; then
		w=$(grep -- "^$prev " <<<"$garg" | cut -d' ' -f2)
		if [ -n "$w" ] && [ "$COMP_CWORD" -gt 1 ]; then
			_berth_value "$prev" "$w" "$cur"
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_berth_flags "$berth")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_berth_commands "$berth")" -- "$cur"))
		fi
		return 0
	fi

	if [ "$cmd" = help ]; then
		[ $((COMP_CWORD - cmd_at)) -eq 1 ] &&
			COMPREPLY=($(compgen -W "$(_berth_commands "$berth")" -- "$cur"))
		return 0
	fi

	# The command's options, then its operands: ID (when its usage has
	# one), then for kill a signal.
	local cargs usage npos=0
	cargs=$(_berth_arg_flags "$berth" "$cmd")
	for ((i = cmd_at + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			if grep -q -- "^$w " <<<"$cargs"; then
				[ "${COMP_WORDS[i + 1]}" = = ] && i=$((i + 1))
				i=$((i + 1))
			fi
		else
			npos=$((npos + 1))
			# exec, ps: what follows the ID is the command's own
			[ "$npos" -eq 1 ] && [[ $cmd == exec || $cmd == ps ]] && return 0
		fi
	done
	w=$(grep -- "^$prev " <<<"$cargs" | cut -d' ' -f2)
	if [ "$((COMP_CWORD - 1))" -gt "$cmd_at" ] && [ -n "$w" ] &&
		[[ $prev == -* ]]; then
		_berth_value "$prev" "$w" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_berth_flags "$berth" "$cmd")" -- "$cur"))
		return 0
	fi
	usage=$("$berth" "$cmd" --help 2>/dev/null | sed -n 1p)
	if [ "$npos" -eq 0 ] && [[ $usage == *" ID"* ]]; then
		COMPREPLY=($(compgen -W "$("$berth" "${root[@]}" list -q 2>/dev/null)" -- "$cur"))
	elif [ "$npos" -eq 1 ] && [ "$cmd" = kill ]; then
		COMPREPLY=($(compgen -W "$(_berth_signals "$cur")" -- "$cur"))
	fi
	return 0
}

complete -F _berth berth
