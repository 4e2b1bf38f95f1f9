#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make install into a throwaway root: the installed trace_run runs from
# outside the source tree, every binary answers --version, the man pages
# render and name every option of their --help (and the completion too,
# and nothing else), and make uninstall leaves no copytrace file behind.
source "$(dirname "$0")/../lib.sh"
need_root
D=$T_TMP/root
P=/usr/local
trap 'rm -rf "$T_TMP"' EXIT
if ! make -s -C "$ROOT" install DESTDIR="$D" PREFIX="$P" >"$T_TMP/install.log" 2>&1; then
	fail "make install DESTDIR PREFIX" "$(tail -3 "$T_TMP/install.log" | tr '\n' ' ')"
	finish; exit 1
fi
pass "make install DESTDIR=\$tmp PREFIX=$P"
for f in sbin/trace_run bin/ctrun bin/copytrace-server bin/copytrace-client share/man/man8/trace_run.8 \
	share/man/man1/ctrun.1 share/man/man1/copytrace-server.1 share/man/man1/copytrace-client.1 \
	share/bash-completion/completions/trace_run share/bash-completion/completions/ctrun \
	share/copytrace/analysis/collect.py share/copytrace/analysis/report share/doc/copytrace/LICENSE; do
	[ -e "$D$P/$f" ] || miss="$miss $f"
done
[ -z "${miss:-}" ] && pass "installed: binaries, man pages, completion, analysis scripts, LICENSE" ||
	fail "installed files" "missing:$miss"

# --version on every binary: "NAME (copytrace) VERSION" first
for b in sbin/trace_run bin/ctrun bin/copytrace-server bin/copytrace-client; do
	v=$(cd / && "$D$P/$b" --version 2>&1 | head -n 1)
	n=$(basename "$b")
	case $n in copytrace-*) n=${n#copytrace-} ;; esac
	if [[ $v =~ ^$n\ \(copytrace\)\ [0-9]+\.[0-9]+\.[0-9]+ ]]; then
		pass "$b --version: $v"
	else
		fail "$b --version" "'$v'"
	fi
done
check "trace_run --version names libbpf and this kernel's backends" sh -c \
	"'$D$P/sbin/trace_run' --version | grep -q '^libbpf v\?[0-9]' && '$D$P/sbin/trace_run' --version | grep -Eq '^  tracepoint +(usable|not usable: .+)$'"

# the installed trace_run, run from / with no source tree in reach
out=$T_TMP/run.json
if (cd / && "$D$P/sbin/trace_run" --impl a2 --duration 1 --net loopback --format json --check \
	--sample-freq 0 --output "$out") 2>"$T_TMP/run.err" &&
   jget "$out" "d['ledger']['send_copy_bytes'] > 0 or exit(1)" >/dev/null; then
	pass "the installed trace_run --impl a2 --check runs from / ($(jget "$out" "d['ledger']['send_copy_bytes']") B send copy)"
else
	fail "the installed trace_run runs outside the source tree" "$(head -2 "$T_TMP/run.err" | tr '\n' ' ')"
fi

# the long options a binary's --help lists ("  --option" opening a line;
# not the ones its prose names, such as perf's --control), one a line, sorted
help_opts() { "$1" --help | sed -nE 's/^  (--[a-z][a-z-]*).*/\1/p' | sort -u; }

# man pages render; their options = --help's = the completion's
for m in man8/trace_run.8:sbin/trace_run man1/ctrun.1:bin/ctrun man1/copytrace-server.1:bin/copytrace-server \
	man1/copytrace-client.1:bin/copytrace-client; do
	page=$D$P/share/man/${m%%:*} bin=$D$P/${m#*:}
	txt=$(MANWIDTH=100 man -l "$page" 2>/dev/null)
	[ -n "$txt" ] || { fail "man -l ${m%%:*} renders" "empty"; continue; }
	ho=$(help_opts "$bin")
	mo=$(grep -oE -- '--[a-z][a-z-]*' <<<"$txt" | sort -u)
	miss=$(comm -23 <(echo "$ho") <(echo "$mo") | tr '\n' ' ')
	[ -z "$miss" ] && pass "man -l ${m%%:*} renders and names every option of --help ($(wc -l <<<"$ho"))" ||
		fail "man ${m%%:*}: options of --help missing" "$miss"
done
for c in trace_run:sbin/trace_run ctrun:bin/ctrun; do
	comp=$D$P/share/bash-completion/completions/${c%%:*} bin=$D$P/${c#*:}
	ho=$(help_opts "$bin")
	co=$(bash -c "source '$comp'; COMP_WORDS=(${c%%:*} --); COMP_CWORD=1; _copytrace_${c%%:*}; printf '%s\n' \"\${COMPREPLY[@]}\"" | sort -u)
	if [ -n "$co" ] && [ "$ho" = "$co" ]; then
		pass "completion for ${c%%:*}: exactly the options of --help ($(wc -l <<<"$co"))"
	else
		fail "completion for ${c%%:*}" "only in --help: $(comm -23 <(echo "$ho") <(echo "$co") | tr '\n' ' ') only in completion: $(comm -13 <(echo "$ho") <(echo "$co") | tr '\n' ' ')"
	fi
done
# every option whose value is one of fixed words (the parser's refusal
# lists them: "--X must be a, b or c, not '@@'") completes to exactly them
for c in trace_run:sbin/trace_run ctrun:bin/ctrun; do
	comp=$D$P/share/bash-completion/completions/${c%%:*} bin=$D$P/${c#*:} n=0 bad='' checked=''
	for opt in $(help_opts "$bin"); do
		# the trailing --help: a value taken ends in the help, never in a run
		e=$(cd "$T_TMP" && "$bin" "$opt" @@ --help 2>&1 >/dev/null |
			sed -nE "s/^[a-z_]+: $opt must be (.*), not '@@'\$/\1/p")
		e=${e//, / }
		e=${e// or / }
		[[ -n $e && $e =~ ^[a-z0-9]+( [a-z0-9]+)*$ ]] || continue
		n=$((n + 1)) checked="${checked:-} $opt"
		got=$(bash -c "source '$comp'; COMP_WORDS=(${c%%:*} $opt ''); COMP_CWORD=2; _copytrace_${c%%:*}; echo \"\${COMPREPLY[*]}\"")
		[ "$got" = "$e" ] || bad="$bad $opt: parser '$e', completion '$got';"
	done
	[[ $checked == *--impl* ]] || bad="$bad --impl not among them;"
	[ "$n" -ge 4 ] && [ -z "$bad" ] && pass "completion for ${c%%:*}: the parser's fixed choices of all $n options that have them" ||
		fail "completion choices for ${c%%:*} ($n options with choices)" "${bad:-too few found}"
done

if make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX="$P" >"$T_TMP/uninstall.log" 2>&1 &&
   [ -z "$(find "$D" -type f)" ]; then
	pass "make uninstall leaves no file under \$tmp"
else
	fail "make uninstall" "left: $(find "$D" -type f | head -5 | tr '\n' ' ')"
fi
finish
