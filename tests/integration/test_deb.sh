#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Debian package: dpkg-buildpackage builds it from a copy of the tree,
# its Depends are the runtime libraries, it holds the binaries, man pages
# and completion, and the binaries unpacked from it run (--version, and an
# a2 trace with --check) with no source tree in reach.
source "$(dirname "$0")/../lib.sh"
need_root
trap 'rm -rf "$T_TMP"' EXIT
for t in dpkg-buildpackage dh; do
	command -v "$t" >/dev/null || "$ROOT/scripts/install-deps.sh" >"$T_TMP/deps.log" 2>&1
	command -v "$t" >/dev/null || { fail "$t is installed" "scripts/install-deps.sh"; finish; exit 1; }
done
S=$T_TMP/src
mkdir -p "$S"
# the files git knows, as a clean checkout has them (no build/, no .cache/)
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$S" 2>/dev/null)
if ! (cd "$S" && dpkg-checkbuilddeps) >"$T_TMP/bdeps.log" 2>&1; then
	fail "the package's Build-Depends are installed" "$(tail -1 "$T_TMP/bdeps.log")"
	finish; exit 1
fi
if (cd "$S" && nice dpkg-buildpackage -us -uc -b) >"$T_TMP/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b builds the package"
else
	fail "dpkg-buildpackage" "$(grep -m1 -E 'error|Error' "$T_TMP/build.log") $(tail -2 "$T_TMP/build.log" | tr '\n' ' ')"
	finish; exit 1
fi
deb=$(ls "$T_TMP"/copytrace_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { fail "a .deb was written" "none in $T_TMP"; finish; exit 1; }
dep=$(dpkg-deb -f "$deb" Depends)
miss=
for lib in libbpf1 libelf1 libdw1 liburing2 libmicrohttpd12 iproute2; do
	grep -q "$lib" <<<"$dep" || miss="$miss $lib"
done
[ -z "$miss" ] && pass "Depends names the runtime libraries: $dep" || fail "Depends" "missing$miss in '$dep'"
list=$(dpkg-deb -c "$deb" | awk '{print $NF}')
miss=
for f in ./usr/sbin/trace_run ./usr/bin/ctrun ./usr/bin/copytrace-server ./usr/bin/copytrace-client \
	./usr/share/man/man8/trace_run.8.gz ./usr/share/man/man1/ctrun.1.gz \
	./usr/share/bash-completion/completions/trace_run ./usr/share/doc/copytrace/copyright; do
	grep -qxF "$f" <<<"$list" || miss="$miss $f"
done
[ -z "$miss" ] && pass "the package holds the binaries, man pages, completion and copyright ($(wc -l <<<"$list") entries)" ||
	fail "package contents" "missing$miss"
X=$T_TMP/unpacked
dpkg-deb -x "$deb" "$X"
v=$(cd / && "$X/usr/sbin/trace_run" --version | head -n 1)
[[ $v =~ ^trace_run\ \(copytrace\)\ [0-9] ]] && pass "the packaged trace_run --version: $v" || fail "packaged --version" "'$v'"
if (cd / && "$X/usr/sbin/trace_run" --impl a2 --duration 1 --net loopback --check --sample-freq 0 \
	--format json --output "$T_TMP/a2.json") 2>"$T_TMP/a2.err"; then
	pass "the packaged trace_run --impl a2 --check runs ($(jget "$T_TMP/a2.json" "d['ledger']['send_copy_bytes']") B send copy)"
else
	fail "the packaged trace_run runs" "$(head -2 "$T_TMP/a2.err" | tr '\n' ' ')"
fi
man -l "$X/usr/share/man/man8/trace_run.8.gz" 2>/dev/null | grep -q -- '--impl' &&
	pass "the packaged man page renders" || fail "packaged man page" "man -l shows no --impl"
finish
