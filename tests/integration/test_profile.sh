#!/usr/bin/env bash
# The sampling profiler (root): time ledger rows in the JSON (a1's gather
# gets CPU time, a2 has no gather), --folded lines parse and add up to the
# samples, --flamegraph is well-formed SVG, bad flags fail cleanly.
source "$(dirname "$0")/../lib.sh"
need_root
TR="$ROOT/trace_run"
DUR=${CT_TEST_DURATION_PROFILE:-2}
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }

prun() { # NAME IMPL ARGS...
	local name=$1 impl=$2; shift 2
	timeout 90 "$TR" --impl "$impl" --size 65536 --duration "$DUR" --format json --check \
		--output "$T_TMP/$name.json" "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
}
row() { jget "$T_TMP/$1.json" "[r for r in d['time_ledger']['rows'] if r['key'] == '$2'][0]['$3']"; }

if prun a1 a1 --folded "$T_TMP/a1.folded" --flamegraph "$T_TMP/a1.svg"; then
	pass "a1 64 KiB with the profiler: --check holds (gather bytes from one entry uprobe)"
else
	fail "a1 profiled run" "$(head -3 "$T_TMP/a1.err" | tr '\n' ' ')"
fi
s=$(row a1 user_gather samples 2>/dev/null || echo 0)
[ "${s:-0}" -gt 0 ] && pass "a1: the time ledger gives the user-space gather CPU time ($s samples, share $(row a1 user_gather share))" ||
	fail "a1: user-space gather has samples" "$(jget "$T_TMP/a1.json" "d.get('time_ledger')" 2>&1 | cut -c1-300)"
check "a1: the time ledger has every row, with samples per side and an error bound" jget "$T_TMP/a1.json" \
	"all(k in r for r in d['time_ledger']['rows'] for k in ('key','samples','samples_by_side','share','ns_per_msg','rel_error','few_samples')) and len(d['time_ledger']['rows']) == 7 or exit(1)"
check "a1: the receive copy gets CPU time" jget "$T_TMP/a1.json" \
	"[r for r in d['time_ledger']['rows'] if r['key'] == 'recv_copy' and r['samples'] > 0] or exit(1)"
check "no hardware PMU here is said, not printed as 0" jget "$T_TMP/a1.json" \
	"d['time_ledger']['cycles'] is True or 'not supported' in d['time_ledger']['cycles'] or exit(1)"
check "--folded: every line is 'frames COUNT', rooted at a side, summing to the samples" \
	/usr/bin/python3 -c '
import json, sys
tot = 0
for line in open(sys.argv[1]):
    stack, n = line.rstrip("\n").rsplit(" ", 1)
    fr = stack.split(";")
    assert fr[0] in ("sender", "receiver") and all(fr) and int(n) > 0, line
    tot += int(n)
d = json.load(open(sys.argv[2]))
assert tot == d["time_ledger"]["samples"], (tot, d["time_ledger"]["samples"])
' "$T_TMP/a1.folded" "$T_TMP/a1.json"
check "--folded: the gather appears under a1_send with libc's memcpy below it" \
	grep -Eq ';ct_gather;__mem[a-z_0-9]+ [0-9]+$' "$T_TMP/a1.folded"
check "--flamegraph: well-formed XML with frames and copy frames highlighted" /usr/bin/python3 -c '
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
r = d.getElementsByTagName("rect")
assert len(r) > 10, len(r)
assert any(x.getAttribute("fill").startswith("rgb(40,110,") for x in r)
' "$T_TMP/a1.svg"

if prun a2 a2; then pass "a2 64 KiB with the profiler: --check holds"; else fail "a2 profiled run" "$(head -3 "$T_TMP/a2.err" | tr '\n' ' ')"; fi
[ "$(row a2 user_gather samples)" = 0 ] && [ "$(row a2 send_copy samples)" -gt 0 ] &&
	pass "a2: no gather time, kernel send copy $(row a2 send_copy samples) samples" ||
	fail "a2: time ledger" "gather $(row a2 user_gather samples), send $(row a2 send_copy samples)"

prun off a2 --sample-freq 0 && check "--sample-freq 0: no profiler, time_ledger null" jget "$T_TMP/off.json" \
	"d['time_ledger'] is None or exit(1)" || fail "--sample-freq 0 run" "$(head -2 "$T_TMP/off.err")"
check_fails "--sample-freq abc: one-line error" "^trace_run: --sample-freq must be" "$TR" --sample-freq abc
check_fails "--sample-freq above the limit: one-line error" "^trace_run: --sample-freq must be" "$TR" --sample-freq 999999
check_fails "--folded without the profiler: one-line error" "need the profiler" "$TR" --sample-freq 0 --folded "$T_TMP/x"
check_fails "--folded without a value: one-line error" "needs a value" "$TR" --folded
finish
