# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared helpers for shell tests: source it, call check/expect_*, end with finish.
# Each check prints "ok - NAME" or "not ok - NAME"; finish prints a RESULT line
# that tests/run_all.sh sums, and exits non-zero when anything failed.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC2034 # used by the tests that source this file
B="$ROOT/build"
T_PASS=0
T_FAIL=0
T_SKIP=0
T_TMP=$(mktemp -d /tmp/ct-test.XXXXXX)
trap 'rm -rf "$T_TMP"' EXIT
# Run through sudo, trace_run would run traced commands as the sudo user,
# who cannot write the tests' root-only temporary directory; tests that
# check that set these themselves.
unset SUDO_UID SUDO_GID SUDO_USER

pass() { T_PASS=$((T_PASS + 1)); echo "ok - $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $1${2:+: $2}"; }
# not_possible NAME WHY: a check this machine cannot make (its kernel lacks
# the feature); counted as skipped, never as passed.
not_possible() { T_SKIP=$((T_SKIP + 1)); echo "skip - $1: not possible here ($2)"; }

# check NAME CMD...: passes when CMD exits 0.
check() {
	local name=$1; shift
	if "$@" >"$T_TMP/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -3 "$T_TMP/out" | tr '\n' ' ')"; fi
}
# check_fails NAME PATTERN CMD...: passes when CMD exits non-zero with one
# line on stderr matching PATTERN.
check_fails() {
	local name=$1 pat=$2; shift 2
	if "$@" >"$T_TMP/out" 2>"$T_TMP/err"; then fail "$name" "exited 0"; return; fi
	if grep -Eq -- "$pat" "$T_TMP/err"; then pass "$name"; else fail "$name" "stderr: $(head -2 "$T_TMP/err" | tr '\n' ' ')"; fi
}
# py_cases FILE.py: one check per case of a Python test (tests/pycases.py).
py_cases() {
	local name what
	while IFS=$'\t' read -r name what; do
		check "$what" /usr/bin/python3 "$1" "$name"
	done < <(/usr/bin/python3 "$1" --list)
}
# jget FILE EXPR: python3 expression over the JSON document `d`.
jget() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# BPF links are counted machine-wide: links_before at the start; links_after
# at the end passes when the count is back, compared only when no other
# trace_run ran meanwhile (another session's would be counted too).
links_count() { bpftool link list 2>/dev/null | grep -c '^[0-9]'; }
links_before() { T_LINKS0=$(links_count) T_OTHERS0=$(pgrep -x trace_run); }
links_after() {
	sleep 0.5
	if [ -n "$T_OTHERS0$(pgrep -x trace_run)" ]; then
		echo "# BPF links not compared: another trace_run runs on this machine"
		return
	fi
	local n; n=$(links_count)
	[ "$n" = "$T_LINKS0" ] && pass "no BPF link left behind ($n before and after)" ||
		fail "BPF links left" "$T_LINKS0 before, $n after"
}

# within A B: |A - B| <= 1 % of B (B > 0)
within() { /usr/bin/python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if b > 0 and abs(a-b) <= b/100 else 1)" "$1" "$2"; }
# wait_for SECONDS CMD...: polls CMD every 0.1 s; 0 once it succeeds
wait_for() {
	local n=$(($1 * 10)) i; shift
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
need_root() { [ "$(id -u)" -eq 0 ] || { echo "not ok - $0 needs root"; echo "RESULT passed=0 failed=1"; exit 1; }; }

finish() {
	echo "RESULT passed=$T_PASS failed=$T_FAIL$([ "$T_SKIP" -gt 0 ] && echo " skipped=$T_SKIP")"
	[ "$T_FAIL" -eq 0 ]
}
