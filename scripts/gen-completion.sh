#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Writes a bash completion for copytrace's binaries from their own --help,
# which the option table (user/common/opttable.c) writes, so it cannot drift
# from the options they take: every option the help lists ("  --option" at
# the start of a line), the fixed choices it gives for a value ("a|b|c",
# "a1..a5"), files for a FILE value and users for a NAME.
#   scripts/gen-completion.sh BINARY NAME > FILE
# shellcheck disable=SC2016 # the completion is written out, not expanded here
set -euo pipefail
bin=$1 name=$2
help=$("$bin" --help)
opts=$(sed -nE 's/^  (--[a-z][a-z-]*).*/\1/p' <<<"$help" | sort -u | tr '\n' ' ')
# the value's name on an option's line: "--opt VALUE ..."
valued() { sed -nE "s/^  (--[a-z][a-z-]*) $1( .*)?\$/\\1/p" <<<"$help" | sort -u | paste -sd'|' -; }
fn=_copytrace_${name//-/_}
echo "# bash completion for $name (generated from its --help by scripts/gen-completion.sh)"
echo "$fn() {"
echo '	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}'
echo '	case $prev in'
# "--opt a|b|c" or "--opt a1..a5" at the start of a help line: its choices
while read -r opt val; do
	if [[ $val == *'|'* ]]; then
		words=${val//|/ }
	elif [[ $val =~ ^([a-z]+)([0-9]+)\.\.([a-z]+)([0-9]+)$ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[3]}" ]]; then
		words=$(for ((i = BASH_REMATCH[2]; i <= BASH_REMATCH[4]; i++)); do printf '%s%d ' "${BASH_REMATCH[1]}" "$i"; done)
		words=${words% }
	else
		continue
	fi
	echo "	$opt) COMPREPLY=(\$(compgen -W '$words' -- \"\$cur\")); return ;;"
done < <({ sed -nE 's/^  (--[a-z-]+) ([a-z0-9.|]+)( .*)?$/\1 \2/p' <<<"$help"
	    # "--opt B   auto|fentry|kprobe (default auto)": the choices open the text
	    sed -nE 's/^  (--[a-z-]+) [A-Z]+ +([a-z0-9|]+\|[a-z0-9|]+)( .*)?$/\1 \2/p' <<<"$help"
	  } | grep -E '\||\.\.' || true)
files=$(valued FILE) users=$(valued NAME)
[ -z "$files" ] || echo "	$files) COMPREPLY=(\$(compgen -f -- \"\$cur\")); return ;;"
[ -z "$users" ] || echo "	$users) COMPREPLY=(\$(compgen -u -- \"\$cur\")); return ;;"
echo '	esac'
echo "	COMPREPLY=(\$(compgen -W '$opts' -- \"\$cur\"))"
echo '}'
echo "complete -F $fn $name"
