#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The sampling profiler (root): time ledger rows in the JSON (a1's gather
# gets CPU time, a2 has no gather), --folded lines parse and add up to the
# samples, --flamegraph is well-formed SVG, bad flags fail cleanly. Then
# tracing programs: processes forked and exec'd during the trace, gone
# before its end, running before it (--pid), or whose binary is deleted or
# overwritten get their user symbols (the mmap side-band).
source "$(dirname "$0")/../lib.sh"
need_root
TR="$ROOT/trace_run"
DUR=${CT_TEST_DURATION_PROFILE:-2}
# These checks count samples: a rate above the default (99 Hz) makes a
# 2 s run's counts large enough to be stable. Cost is not measured here.
HZ=${CT_TEST_SAMPLE_HZ:-499}
PF=(--sample-freq "$HZ")
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }

prun() { # NAME IMPL ARGS...
	local name=$1 impl=$2; shift 2
	timeout 90 "$TR" "${PF[@]}" --impl "$impl" --size 65536 --duration "$DUR" --format json --check \
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

# ---- tracing a program ---------------------------------------------------------------
PY=/usr/bin/python3 # not a shim: the program is python itself
SENDER="$ROOT/tests/integration/programs/copy_sender.py"
# fcheck NAME FOLDED JSON PID NAMED_RE: the folded lines are rooted at
# comm/pid and sum to the samples; process PID has samples, most of them
# with a named user frame (not [unknown] or [file+0x..]), one matching
# NAMED_RE; prints what it found.
fcheck() {
	/usr/bin/python3 - "$@" <<'PYEOF'
import json, re, sys
name, folded, js, pid, named = sys.argv[1:6]
d = json.load(open(js))
tot, mine, good, hits = 0, 0, 0, set()
for line in open(folded):
    stack, n = line.rstrip("\n").rsplit(" ", 1)
    fr, n = stack.split(";"), int(n)
    assert re.fullmatch(r"[^;/]+/[0-9]+", fr[0]) and n > 0, line
    tot += n
    if fr[0].rsplit("/", 1)[1] != pid:
        continue
    mine += n
    user = [f for f in fr[1:] if not f.endswith("_[k]")]
    if any(not f.startswith("[") for f in user):
        good += n
    hits |= {f for f in user if re.search(named, f)}
assert tot == d["time_ledger"]["samples"], f"folded sum {tot} != samples {d['time_ledger']['samples']}"
assert mine >= 20, f"process {pid}: {mine} samples"
assert good >= mine / 2, f"process {pid}: {good} of {mine} samples with a named user frame"
assert hits, f"process {pid}: no frame matches {named}"
print(f"{name}: {good} of {mine} samples of pid {pid} with a named user frame, e.g. {sorted(hits)[:3]}")
PYEOF
}
# the pid of the traced process named COMM that a traced parent forked
child_pid() { jget "$1" "[p['pid'] for p in d['processes'] if p.get('comm') == '$2' and p['ppid']][0]"; }
tl_pid_row() { jget "$1" "[s['samples'] for r in d['time_ledger']['rows'] if r['key'] == '$2' for s in r['samples_by_process'] if s.get('pid') == $3] or [0]" | tr -d '[]'; }

# child_case NAME SCRIPT PASS FAIL: traces `sh -c SCRIPT` and checks the
# stacks of its python3 child (p: that child's pid)
PYSYMS='^(__memmove|__memcpy|memcpy|PyBytes_FromStringAndSize|PyBuffer_ToContiguous|__send|__libc_send|send|_PyEval_EvalFrameDefault)'
child_case() {
	"$TR" "${PF[@]}" --format json --output "$T_TMP/$1.json" --folded "$T_TMP/$1.folded" \
		-- sh -c "$2" >"$T_TMP/$1.out" 2>"$T_TMP/$1.err"
	local rc=$? out
	p=$(child_pid "$T_TMP/$1.json" python3 2>/dev/null)
	if [ $rc -eq 0 ] && [ -n "$p" ] &&
	   out=$(fcheck "$1" "$T_TMP/$1.folded" "$T_TMP/$1.json" "$p" "$PYSYMS" 2>&1); then
		pass "$3 ($out)"
	else
		fail "$4" "rc=$rc pid=$p $out $(head -2 "$T_TMP/$1.err")"
	fi
}

# a child forked and exec'd by the shell during the trace
child_case fork "$PY $SENDER $DUR; true" \
	"-- sh -c python3: the exec'd child's stacks are symbolized, rooted at python3/PID, summing to the samples" \
	"-- sh -c python3: symbols of a forked+exec'd child"
u=$(tl_pid_row "$T_TMP/fork.json" user_copy_other "${p:-0}" 2>/dev/null)
[ "${u:-0}" -gt 0 ] && pass "-- sh -c python3: its user-space memcpy is the time ledger's 'user-space copy, other callers' ($u samples of pid $p)" ||
	fail "-- sh -c python3: user-space copy time" "$(jget "$T_TMP/fork.json" "d['time_ledger']['rows'][1]" 2>&1 | cut -c1-300)"
check "-- sh -c python3: the table has the per-process time ledger and the side-band line" \
	sh -c "'$TR' --sample-freq $HZ -- sh -c '$PY $SENDER 0.5; true' 2>/dev/null | grep -A12 '^time ledger' | grep -Eq 'samples by process: [0-9]+/python3' &&
	       '$TR' -- sh -c 'true' 2>/dev/null | grep -q 'mmap side-band .* lost'"

check "-- sh -c python3 --format csv: time rows for the total and per process" sh -c \
	"'$TR' --sample-freq $HZ --format csv -- sh -c '$PY $SENDER 0.5; true' 2>/dev/null | grep -Eq '^time,command,.*,[0-9]+/python3,user_copy_other,cpu-clock,[1-9]'"

# a child gone well before the trace ends: nothing left in /proc
child_case short "$PY $SENDER 1; sleep 2" \
	"a child that exited 2 s before the trace's end still has its symbols" \
	"short-lived child's symbols"

# --pid: a process running before the trace
$PY "$SENDER" $((DUR + 3)) & BG=$!
sleep 0.5
"$TR" "${PF[@]}" --pid $BG --duration "$DUR" --format json --output "$T_TMP/pid.json" --folded "$T_TMP/pid.folded" \
	>"$T_TMP/pid.out" 2>"$T_TMP/pid.err"
rc=$?
wait $BG
if [ $rc -eq 0 ] && out=$(fcheck "--pid" "$T_TMP/pid.folded" "$T_TMP/pid.json" "$BG" \
	'^(__memmove|__memcpy|memcpy|PyBytes_FromStringAndSize|PyBuffer_ToContiguous|__send|send)' 2>&1); then
	pass "--pid on a running python: symbolized ($out)"
else
	fail "--pid symbols" "rc=$rc $out $(head -2 "$T_TMP/pid.err")"
fi

# iperf3, both ends started by the shell: each end's copy time is its own
if command -v iperf3 >/dev/null; then
	"$TR" "${PF[@]}" --format json --output "$T_TMP/ip.json" --folded "$T_TMP/ip.folded" -- sh -c \
		"iperf3 -s -1 -p 5431 >/dev/null & sleep 0.5; iperf3 -c 127.0.0.1 -p 5431 -t $DUR >/dev/null; wait" \
		>"$T_TMP/ip.out" 2>"$T_TMP/ip.err"
	rc=$?
	# the end that received most is the server, the one that sent most the client
	most() { jget "$T_TMP/ip.json" "max((p for p in d['processes'] if p.get('comm') == 'iperf3'), key=lambda p: p['ledger']['$1'] or 0)['pid']"; }
	srv=$(most recv_copy_bytes 2>/dev/null); cli=$(most send_copy_bytes 2>/dev/null)
	o1=$(fcheck "server" "$T_TMP/ip.folded" "$T_TMP/ip.json" "${srv:-0}" '^(read|__read|__libc_read|recv|__recv|__select|select)$' 2>&1) &&
	o2=$(fcheck "client" "$T_TMP/ip.folded" "$T_TMP/ip.json" "${cli:-0}" '^(write|__write|__libc_write|send|__send)$' 2>&1) &&
	[ $rc -eq 0 ] && pass "iperf3 under sh: both ends symbolized ($o1; $o2)" ||
		fail "iperf3 under sh: symbols" "rc=$rc srv=$srv cli=$cli $o1 $o2 $(head -2 "$T_TMP/ip.err")"
	sc=$(tl_pid_row "$T_TMP/ip.json" send_copy "${cli:-0}" 2>/dev/null); rcv=$(tl_pid_row "$T_TMP/ip.json" recv_copy "${srv:-0}" 2>/dev/null)
	[ "${sc:-0}" -gt 0 ] && [ "${rcv:-0}" -gt 0 ] &&
		pass "iperf3: the send copy's time is the client's ($sc samples), the receive copy's the server's ($rcv)" ||
		fail "iperf3: copy time per process" "send $sc recv $rcv"
else
	fail "iperf3 is installed" "scripts/install-deps.sh"
fi

# a binary deleted, one overwritten in place, and one whose build id
# changed (same layout and symbols, another build) before the trace ends:
# the deleted one is still named (its file was held from its first mmap,
# the inode the process ran), the other two are [file+0xOFF], never their
# old symbols; libc's still named, nothing crashes; an intact copy is named
for b in pydel pyrepl pybid pyok; do cp "$(readlink -f $PY)" "$T_TMP/$b"; done
"$TR" "${PF[@]}" --format json --output "$T_TMP/gone.json" --folded "$T_TMP/gone.folded" -- sh -c \
	"for b in pydel pyrepl pybid pyok; do $T_TMP/\$b $SENDER 1; done; rm $T_TMP/pydel; cat /bin/true > $T_TMP/pyrepl;
	 $PY $ROOT/tests/integration/programs/flip_build_id.py $T_TMP/pybid" \
	>"$T_TMP/gone.out" 2>"$T_TMP/gone.err"
rc=$?
check "a deleted binary named from the file held since its mmap; an overwritten and a rebuilt one: [file+0x..] frames, never their old symbols; libc's memcpy named; an intact copy named" /usr/bin/python3 -c '
import re, sys
t = open(sys.argv[1]).read()
py = re.compile(r";(_PyEval_EvalFrameDefault|PyBytes_FromStringAndSize|PyBuffer_ToContiguous|_PyObject_\w+)[; ]")
for b in ("pydel", "pyrepl", "pybid", "pyok"):
    lines = [l for l in t.splitlines() if l.startswith(b + "/")]
    assert lines, b
    assert any(re.search(r";(__memmove|__memcpy|memcpy)", l) for l in lines), b + ": libc not named"
    if b in ("pyok", "pydel"):
        assert any(py.search(l) for l in lines), b + ": python symbols not named"
        continue
    assert any(re.search(r";\[" + b + r"\+0x[0-9a-f]+\]", l) for l in lines), b + ": no [file+0x] frame"
    assert not any(py.search(l) for l in lines), b + ": named by a file that is no longer the mapped one"
' "$T_TMP/gone.folded"
[ $rc -eq 0 ] || fail "deleted/overwritten binaries: trace_run exit status" "rc=$rc $(head -2 "$T_TMP/gone.err")"

# A mapped file replaced by a FIFO, and one by a symbolic link to a
# device, while the program runs: the report comes out (opening the FIFO
# by its path would block for ever) and names their frames from the
# files held since their mmap (the unit tests cover a file never held)
for b in pyfifo pydev; do cp "$(readlink -f $PY)" "$T_TMP/$b"; done
timeout 60 "$TR" "${PF[@]}" --format json --output "$T_TMP/fifo.json" --folded "$T_TMP/fifo.folded" -- sh -c \
	"$T_TMP/pyfifo $SENDER 1 & $T_TMP/pydev $SENDER 1 & sleep 0.5
	 rm $T_TMP/pyfifo; mkfifo $T_TMP/pyfifo; rm $T_TMP/pydev; ln -s /dev/null $T_TMP/pydev; wait" \
	>"$T_TMP/fifo.out" 2>"$T_TMP/fifo.err"
rc=$?
if [ $rc -eq 0 ] && grep -Eq '^pyfifo/[0-9]+;.*;(_PyEval_EvalFrameDefault|PyBytes_FromStringAndSize)' "$T_TMP/fifo.folded" &&
   grep -Eq '^pydev/[0-9]+;.*;(_PyEval_EvalFrameDefault|PyBytes_FromStringAndSize)' "$T_TMP/fifo.folded"; then
	pass "binaries replaced by a FIFO and a link to a device while running: the report comes out, their frames named from the files held since mmap"
else
	fail "a mapped file replaced by a FIFO or a device link" "rc=$rc (124: hung) $(head -2 "$T_TMP/fifo.err")"
fi

# A program in a container of its own (mount and pid namespaces, a
# private root with its own copy of the loader and libc, the program at
# a path that does not exist outside): its frames are named from the
# container's files, not looked up at the same path on the host
CR=$T_TMP/croot
mkdir -p "$CR/app" "$CR/proc"
cat >"$T_TMP/spin.c" <<'CEOF'
#include <stdlib.h>
#include <string.h>
#include <time.h>
static char a[1 << 16], b[1 << 16];
__attribute__((noinline)) void ct_container_spin(void)
{
	for (int i = 0; i < 64; i++)
		memcpy(a, b, sizeof(a)), b[i] ^= a[i + 1];
}
int main(void)
{
	time_t end = time(NULL) + 2;
	while (time(NULL) < end)
		ct_container_spin();
	return a[0] == 42;
}
CEOF
if cc -O1 -fno-omit-frame-pointer -o "$CR/app/spin" "$T_TMP/spin.c"; then
	for l in $(ldd "$CR/app/spin" | grep -o '/[^ ]*'); do
		mkdir -p "$CR$(dirname "$l")" && cp "$l" "$CR$l"
	done
	"$TR" "${PF[@]}" --format json --output "$T_TMP/ctr.json" --folded "$T_TMP/ctr.folded" -- \
		unshare --mount --pid --fork --root="$CR" /app/spin >"$T_TMP/ctr.out" 2>"$T_TMP/ctr.err"
	rc=$?
	if [ $rc -eq 0 ] && grep -q ';ct_container_spin' "$T_TMP/ctr.folded" &&
	   grep -Eq 'ct_container_spin;(__memmove|__memcpy|memcpy)' "$T_TMP/ctr.folded"; then
		pass "a program in its own mount namespace and root: its function and its libc's memcpy named ($(grep -c ';ct_container_spin' "$T_TMP/ctr.folded") stacks)"
	else
		fail "a containerised program's symbols" "rc=$rc $(grep -o 'spin/[0-9]*;[^ ]*' "$T_TMP/ctr.folded" | head -2) $(head -2 "$T_TMP/ctr.err")"
	fi
else
	fail "the container test program compiles" "cc failed"
fi
finish
