# shellcheck shell=bash
# bash completion for slugguard. Commands and options are read from the
# binary's own help (slugguard --help, slugguard <command> -h), so the
# completion cannot drift from the option tables.
# Installed by make install as share/bash-completion/completions/slugguard.

_slugguard_commands() {
	slugguard --help 2>/dev/null |
		sed -n '/^commands:/,/^$/s/^   \([a-z][a-z-]*\) .*/\1/p'
}

_slugguard_options() {
	slugguard "$1" -h 2>/dev/null |
		grep -o -e '--[a-z][a-z0-9-]*=\{0,1\}' | sort -u
}

_slugguard() {
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done
	if [ -z "$cmd" ]; then
		case $cur in
		-*) mapfile -t COMPREPLY < <(compgen -W \
			"--quiet --color= --version --help" -- "$cur") ;;
		*) mapfile -t COMPREPLY < <(compgen -W \
			"$(_slugguard_commands)" -- "$cur") ;;
		esac
		return 0
	fi
	case $prev in
	--format)
		mapfile -t COMPREPLY < <(compgen -W "text json sarif gitleaks" -- "$cur")
		return 0
		;;
	--type)
		mapfile -t COMPREPLY < <(compgen -W "ecdsa-p256 ed25519" -- "$cur")
		return 0
		;;
	-r | --remote)
		mapfile -t COMPREPLY < <(compgen -W \
			"$(git remote 2>/dev/null)" -- "$cur")
		return 0
		;;
	--out | --key | --config | --report | --baseline | --cacert | \
		--attestation | --dir | --cache-dir | --env-dir | --build-dir | \
		--pack-dir | --hook-path | --source-tarball)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	esac
	case $cmd in
	help)
		mapfile -t COMPREPLY < <(compgen -W \
			"$(_slugguard_commands) config" -- "$cur")
		return 0
		;;
	hooks)
		if [ "$i" -eq $((COMP_CWORD - 1)) ]; then
			mapfile -t COMPREPLY < <(compgen -W \
				"install uninstall run" -- "$cur")
			return 0
		fi
		;;
	keys)
		if [ "$i" -eq $((COMP_CWORD - 1)) ]; then
			mapfile -t COMPREPLY < <(compgen -W \
				"add revoke list" -- "$cur")
			return 0
		fi
		;;
	esac
	case $cur in
	-*)
		mapfile -t COMPREPLY < <(compgen -W \
			"$(_slugguard_options "$cmd")" -- "$cur")
		;;
	*)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	esac
	return 0
}

complete -F _slugguard slugguard
