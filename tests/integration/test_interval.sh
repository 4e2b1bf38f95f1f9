#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# trace_run --interval: each interval's bytes (deltas of the per-CPU
# counters), adding up exactly to the whole run's; each second's send copy
# against what the server counted sending in that second; processes that
# appear and exit between intervals; every format; bad input.
source "$(dirname "$0")/../lib.sh"
need_root
TR=${CT_TEST_TRACE_RUN:-$ROOT/trace_run}
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }
CHK="/usr/bin/python3 $ROOT/tests/integration/check_interval.py"
cd "$T_TMP" || exit 1
trap 'rm -rf "$T_TMP"' EXIT
links_before

# ---- a2 for 6 s, one interval a second -----------------------------------
"$TR" --impl a2 --net loopback --interval 1 --duration 6 --sample-freq 0 --format json \
	--output a2.jsonl 2>err.txt
check "a2 --interval 1 --duration 6 runs" test $? -eq 0
check "intervals add up exactly to the total (every ledger line)" $CHK a2.jsonl sum
check "each whole second's send copy within 1 % of the server's bytes sent in it" \
	$CHK a2.jsonl persecond

# ---- bare trailing "S N", table and csv ----------------------------------
# --count N is --duration N x S: the client's window; the run around it
# (namespaces, drain) adds ticks on a busy host, so >= N intervals
"$TR" --impl a2 --net loopback --sample-freq 0 --format json 0.5 3 >bare.jsonl 2>err.txt
n=$(grep -c '"interval"' bare.jsonl)
dur=$(tail -1 bare.jsonl | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["app"]["duration_s"])')
check "bare '0.5 3': --duration 1.5 (got $dur), at least 3 intervals ($n), then the report" \
	test "$dur" = 1.5 -a "$n" -ge 3
$CHK bare.jsonl sum >/dev/null
check "bare '0.5 3': the intervals add up to the total" test $? = 0
"$TR" --impl a2 --net loopback --sample-freq 0 --interval 0.5 --duration 1 >table.txt 2>err.txt
check "table: interval blocks ($(grep -c '^interval ' table.txt))" grep -q '^interval 2 ' table.txt
check "the table's last interval is marked" grep -q 'last, the trace ended' table.txt
check "the whole-run report follows" grep -q 'kernel receive copy' table.txt
"$TR" --impl a2 --net loopback --sample-freq 0 --interval 0.5 --duration 1.2 --format csv \
	>iv.csv 2>err.txt
check "csv: one interval header" test "$(grep -c '^interval,time,seconds,process' iv.csv)" = 1
check "csv: rows of intervals 1..3 with a time column" \
	grep -qE '^3,[0-9-]+T[0-9:.]+Z,[0-9.]+,sender,[0-9]+,[a-z+]+,ledger,send_copy_bytes,,,[0-9]+$' iv.csv
check "csv: the report's own rows follow" grep -q '^ledger,a2,' iv.csv

# ---- a program: processes appear and exit between intervals --------------
if command -v iperf3 >/dev/null; then
	"$TR" --interval 0.5 --format json --output prog.jsonl --sample-freq 0 -- sh -c \
		'sleep 0.7; iperf3 -s -1 -p 5461 >/dev/null & sleep 0.3;
		 iperf3 -c 127.0.0.1 -p 5461 -t 1 >/dev/null; wait; sleep 0.7' 2>err.txt
	check "-- COMMAND --interval runs" test $? -eq 0
	check "program: intervals add up to the total" $CHK prog.jsonl sum
	check "program: iperf3 shown new in one interval and exited in a later one" \
		$CHK prog.jsonl states
else
	fail "iperf3 is installed" "scripts/install-deps.sh"
fi

# ---- bad input: one line, exit 2 ------------------------------------------
bad() {
	"$TR" "$@" >out.txt 2>err.txt
	local rc=$?
	check "bad input $* -> exit 2, one line ($(head -c 80 err.txt))" \
		test "$rc" = 2 -a "$(wc -l <err.txt)" = 1 -a ! -s out.txt
}
bad --impl a2 --count 3
bad --impl a2 --interval 0
bad --impl a2 --interval abc
bad --impl a2 --interval 1 --count 0
bad --impl a2 --interval 1 --compare
bad --impl a2 1 2 3
links_after
finish
