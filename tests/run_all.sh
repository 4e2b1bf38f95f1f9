#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every test group and prints one closing "N passed, N failed" line.
# Groups: unit analysis docs integration vm experiments bench (default: all).
# CT_SKIP_VM=1 skips the VM group explicitly (it is reported as skipped); so
# are checks this machine cannot make (a unit test's skip(), a script's
# "skipped=N": e.g. kTLS on a kernel without it), never counted as passed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
groups=${*:-unit analysis docs integration vm experiments bench}
pass=0; fail=0; skip=0
failed=() # what failed, repeated at the end: CI shows only the output's tail

run_script() { # name, command...
	local name=$1; shift
	echo "=== $name"
	local out; out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	local rc=${PIPESTATUS[0]}
	local line; line=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+' "$out" | tail -1)
	if [ -n "$line" ]; then
		local p f; p=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$line"); f=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")
		pass=$((pass + p)); fail=$((fail + f))
		grep -Eq ' skipped=[0-9]+' <<<"$line" && skip=$((skip + $(sed -E 's/.* skipped=([0-9]+).*/\1/' <<<"$line")))
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && fail=$((fail + 1)) && echo "not ok - $name exited $rc" | tee -a "$out"
	else
		[ "$rc" -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "not ok - $name exited $rc" | tee -a "$out"; }
	fi
	while IFS= read -r l; do failed+=("$name: $l"); done < <(grep -E '^(\[[^]]*\] )?not ok' "$out")
	rm -f "$out"
}

for g in $groups; do
	case $g in
	unit)
		for t in build/tests/test_*; do
			[ -x "$t" ] || continue
			echo "=== $t"
			out=$("$t" 2>&1); rc=$?
			echo "$out"
			p=$(grep -Eo '\[  PASSED  \] [0-9]+' <<<"$out" | awk '{s+=$4} END {print s+0}')
			f=$(grep -Eo '\[  FAILED  \] [0-9]+' <<<"$out" | awk '{s+=$4} END {print s+0}')
			# cmocka's skip(): not possible on this machine, never a pass
			s=$(grep -Eo '\[  SKIPPED \] [0-9]+' <<<"$out" | awk '{s+=$4} END {print s+0}')
			pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
			[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && fail=$((fail + 1)) && failed+=("$t: exited $rc")
			while IFS= read -r l; do failed+=("$t: $l"); done < <(grep -E '^\[  (FAILED|ERROR) +\] [a-z_]' <<<"$out")
		done ;;
	analysis|docs) # no root
		for t in tests/"$g"/test_*.sh; do run_script "$t" bash "$t"; done ;;
	integration)
		for t in tests/integration/test_*.sh; do run_script "$t" bash "$t"; done ;;
	vm)
		if [ "${CT_SKIP_VM:-0}" = 1 ]; then echo "=== vm: skipped (CT_SKIP_VM=1)"; skip=$((skip + 1));
		else run_script vmtest scripts/vmtest.sh; fi ;;
	experiments)
		run_script experiments-quick bash tests/experiments/test_quick.sh ;;
	bench)
		run_script bench-smoke bash tests/bench/test_smoke.sh ;;
	*) echo "run_all: unknown group $g" >&2; exit 2 ;;
	esac
done
echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed[@]}"
fi
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" -eq 0 ]
