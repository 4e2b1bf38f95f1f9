#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Writes a bash completion for copytrace's binaries from their own --help,
# so it cannot drift from the options they take: every "--option" the help
# lists, and the fixed choices ("a1..a5", "A|B|C") the help gives for a value.
#   scripts/gen-completion.sh BINARY NAME > FILE
# shellcheck disable=SC2016 # the completion is written out, not expanded here
set -euo pipefail
bin=$1 name=$2
help=$("$bin" --help)
opts=$(grep -oE '(^|[[:space:]])--[a-z][a-z-]*' <<<"$help" | tr -d ' \t' | sort -u | tr '\n' ' ')
fn=_copytrace_${name//-/_}
echo "# bash completion for $name (generated from its --help by scripts/gen-completion.sh)"
echo "$fn() {"
echo '	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}'
echo '	case $prev in'
# "--opt a|b|c" or "--opt a1..a5" at the start of a help line: its choices
while read -r opt val; do
	case $val in
	*'|'*) words=${val//|/ } ;;
	a1..a5) words="a1 a2 a3 a4 a5" ;;
	*) continue ;;
	esac
	echo "	$opt) COMPREPLY=(\$(compgen -W '$words' -- \"\$cur\")); return ;;"
done < <({ sed -nE 's/^  (--[a-z-]+) ([a-z0-9.|]+)( .*)?$/\1 \2/p' <<<"$help"
	    # "--opt B   auto|fentry|kprobe (default auto)": the choices open the text
	    sed -nE 's/^  (--[a-z-]+) [A-Z]+ +([a-z0-9|]+\|[a-z0-9|]+)( .*)?$/\1 \2/p' <<<"$help"
	  } | grep -E '\||\.\.' || true)
echo '	--output|--folded|--flamegraph) COMPREPLY=($(compgen -f -- "$cur")); return ;;'
echo '	--user) COMPREPLY=($(compgen -u -- "$cur")); return ;;'
echo '	esac'
echo "	COMPREPLY=(\$(compgen -W '$opts' -- \"\$cur\"))"
echo '}'
echo "complete -F $fn $name"
