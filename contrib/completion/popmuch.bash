# bash completion for popmuch(1).
#
# Install: copy to /usr/share/bash-completion/completions/popmuch (or
# ~/.local/share/bash-completion/completions/popmuch), or source it from
# ~/.bashrc.  Completes commands, options, and account names read from
# the configuration file (-C FILE, else $XDG_CONFIG_HOME/popmuch/config).

# The account names of the config file in effect for this command line.
_popmuch_accounts()
{
	local cfg i
	cfg=${XDG_CONFIG_HOME:-$HOME/.config}/popmuch/config
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		-C | --config) cfg=${COMP_WORDS[i + 1]} ;;
		--config=*) cfg=${COMP_WORDS[i]#--config=} ;;
		esac
	done
	cfg=${cfg/#\~/$HOME}
	[ -r "$cfg" ] || return 0
	# "account NAME", "account NAME : PARENT,..."
	sed -n 's/^[[:space:]]*account[[:space:]]\{1,\}\([^[:space:]:]\{1,\}\).*/\1/p' \
		"$cfg" 2>/dev/null
}

_popmuch()
{
	local cur prev cmd i
	local commands="fetch probe status index auth compose reply forward
		send demo help"
	local global="-C --config -q --quiet -v --verbose --debug --version
		-h --help"

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	case $prev in
	--attach | --draft)
		[[ $prev == --attach && ${COMP_WORDS[*]} == *forward* ]] && return 0
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	-C | --config)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	--progress-fd | --index-timeout)
		return 0
		;;
	esac

	# The command is the first word that is neither an option nor an
	# option's argument.
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-C | --config | --progress-fd | --index-timeout) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [[ $cur == -* ]]; then
		case $cmd in
		fetch) COMPREPLY=($(compgen -W "$global --dry-run --wait
			--syslog --progress-fd --index-timeout" -- "$cur")) ;;
		index) COMPREPLY=($(compgen -W "$global --wait --syslog
			--index-timeout" -- "$cur")) ;;
		auth) COMPREPLY=($(compgen -W "$global --device" -- "$cur")) ;;
		compose) COMPREPLY=($(compgen -W "$global --to --cc --subject
			--attach --draft" -- "$cur")) ;;
		reply) COMPREPLY=($(compgen -W "$global --all" -- "$cur")) ;;
		forward) COMPREPLY=($(compgen -W "$global --attach --to --cc"
			-- "$cur")) ;;
		send) COMPREPLY=($(compgen -W "$global --retry --delete
			--mark-sent" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$global" -- "$cur")) ;;
		esac
		return 0
	fi

	case $cmd in
	'') COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
	fetch | status | auth) COMPREPLY=($(compgen -W "$(_popmuch_accounts)" \
		-- "$cur")) ;;
	probe)
		# One target: an account, or HOST[:PORT] typed by hand.
		[ "$i" -eq $((COMP_CWORD - 1)) ] &&
			COMPREPLY=($(compgen -W "$(_popmuch_accounts)" \
				-- "$cur"))
		;;
	help)
		[ "$i" -eq $((COMP_CWORD - 1)) ] &&
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		;;
	esac
	return 0
}
complete -F _popmuch popmuch
