#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# trace_run on programs nobody here wrote (Debian's iperf3, Python's
# socket.sendfile), on our own ctrun run as a foreign command, on a running
# process (--pid) and on a cgroup (--cgroup): each ledger against the
# program's own byte counts, with untraced bulk traffic running alongside.
# Then bad input: one line, a non-zero exit, nothing left behind.
source "$(dirname "$0")/../lib.sh"
need_root
TR="$ROOT/trace_run"
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }
command -v iperf3 >/dev/null || { fail "iperf3 is installed" "scripts/install-deps.sh"; finish; exit 1; }
PY=/usr/bin/python3
SECS=${CT_TEST_IPERF_SECS:-2}
cd "$T_TMP" || exit 1

L() { jget "$1" "d['ledger']['$2']"; }
# attached ERRFILE: waits (at most 15 s) for trace_run's "tracing ..." line, printed
# once every probe is attached: on a loaded machine that takes over a second
attached() { for ((i = 0; i < 150; i++)); do grep -q "^trace_run: tracing" "$1" && return; sleep 0.1; done; }
links_before

# Untraced bulk traffic on the host for the whole test: it must never count.
iperf3 -s -p 5421 >/dev/null 2>&1 & BG_S=$!
sleep 0.3
iperf3 -c 127.0.0.1 -p 5421 -t 600 >/dev/null 2>&1 & BG_C=$!
CG_MNT=
trap 'kill $BG_C $BG_S 2>/dev/null; wait 2>/dev/null; [ -n "$CG_MNT" ] && umount "$CG_MNT"; rm -rf "$T_TMP"' EXIT

# ---- iperf3, both ends under one trace_run -----------------------------------
for z in "" -Z; do
	n=iperf${z:-plain}
	"$TR" --format json --output $n.json -- sh -c "iperf3 -s -1 -p 5422 -J > $n.s.json & sleep 0.5; iperf3 $z -c 127.0.0.1 -p 5422 -t $SECS -J > $n.c.json; wait" 2>$n.err
	rc=$?
	sent=$(jget $n.c.json "d['end']['sum_sent']['bytes']" 2>/dev/null || echo 0)
	recvd=$(jget $n.s.json "d['end']['sum_received']['bytes']" 2>/dev/null || echo 0)
	if [ $rc -ne 0 ] || [ "$sent" = 0 ]; then
		fail "iperf3 $z under trace_run" "rc=$rc $(head -2 $n.err | tr '\n' ' ')"; continue
	fi
	rc_b=$(L $n.json recv_copy_bytes); sc=$(L $n.json send_copy_bytes); sp=$(L $n.json splice_bytes)
	within "$rc_b" "$recvd" && pass "iperf3 $z: receive copy $rc_b B within 1 % of iperf3's received $recvd B" ||
		fail "iperf3 $z: receive copy" "$rc_b vs $recvd"
	if [ -z "$z" ]; then
		within "$sc" "$sent" && pass "iperf3: send copy $sc B within 1 % of iperf3's sent $sent B (bulk traffic alongside not counted)" ||
			fail "iperf3: send copy" "$sc vs $sent"
	else
		[ "$sc" -lt $((sent / 100)) ] && pass "iperf3 -Z: send copy $sc B under 1 % of the $sent B sent" ||
			fail "iperf3 -Z: send copy" "$sc B of $sent"
		within "$sp" "$sent" && pass "iperf3 -Z: splice_bytes $sp within 1 % of $sent B sent" ||
			fail "iperf3 -Z: splice_bytes" "$sp vs $sent"
	fi
	check "iperf3 $z: one ledger per process, the two iperf3s among them" jget $n.json \
		"sum(p.get('comm') == 'iperf3' for p in d['processes']) == 2 or exit(1)"
done

# ---- Python's socket.sendfile ------------------------------------------------------
"$TR" --format json --output py.json --per-connection -- $PY "$ROOT/tests/integration/programs/sendfile_pair.py" py.app.json 256 2>py.err
sent=$(jget py.app.json "d['sent']" 2>/dev/null || echo 0)
sp=$(L py.json splice_bytes 2>/dev/null || echo 0); sc=$(L py.json send_copy_bytes 2>/dev/null || echo -1)
within "$sp" "$sent" && [ "$sc" -ge 0 ] && [ "$sc" -lt $((sent / 100)) ] &&
	pass "python socket.sendfile: splice_bytes $sp within 1 % of $sent B sent, send copy $sc B" ||
	fail "python socket.sendfile" "splice $sp send copy $sc of $sent; $(head -2 py.err)"
check "--per-connection: the sendfile connection's row carries the spliced bytes" jget py.json \
	"any(c['splice_bytes'] == $sent for c in d['connections']) or exit(1)"
"$TR" --format json --output pys.json -- $PY "$ROOT/tests/integration/programs/sendfile_pair.py" pys.app.json 64 --splice 2>pys.err
recvd=$(jget pys.app.json "d['received']" 2>/dev/null || echo 0)
so=$(L pys.json splice_out_bytes 2>/dev/null || echo 0); rc_b=$(L pys.json recv_copy_bytes 2>/dev/null || echo -1)
within "$so" "$recvd" && [ "$rc_b" -ge 0 ] && [ "$rc_b" -lt $((recvd / 100)) ] &&
	pass "splice out of a socket (os.splice): splice_out_bytes $so within 1 % of $recvd B received, receive copy $rc_b B" ||
	fail "splice out of a socket" "splice_out $so recv copy $rc_b of $recvd; $(head -2 pys.err)"

# ---- our own experiment as a foreign command = the built-in one -------------------
"$TR" --format json --output own.json --impl a3 --net loopback --duration 1 2>own.err
"$TR" --format json --output cmd.json -- "$B/ctrun" --impl a3 --net loopback --duration 1 --json cmd.app.json --quiet 2>cmd.err
rc=$?
$PY - own.json cmd.json cmd.app.json <<'PYEOF' >cmp.out 2>&1
import json, sys
own, cmd, app = (json.load(open(p)) for p in sys.argv[1:])
keys = ("send_copy_bytes", "zerocopy_bytes", "deferred_copy_bytes", "recv_copy_bytes")
sent_own = own["app"]["server"]["bytes_sent"]
sent_cmd = app["server"]["bytes_sent"]
bad = []
for k in keys:
    a = (own["ledger"][k] or 0) / sent_own
    b = (cmd["ledger"][k] or 0) / sent_cmd
    print(f"{k}: --impl {a:.4f} per byte sent, -- ctrun {b:.4f}")
    if abs(a - b) > 0.01:
        bad.append(k)
sys.exit(1 if bad else 0)
PYEOF
[ $rc -eq 0 ] && pass "trace_run -- ctrun --impl a3: same kernel ledger per byte as --impl a3 (within 1 %)" ||
	fail "trace_run -- ctrun --impl a3" "rc=$rc $(tr '\n' ' ' <cmp.out) $(head -2 cmd.err)"
if ! grep -q "per byte sent" cmp.out; then fail "ctrun comparison ran" "$(cat cmp.out)"; fi

# ---- io_uring SEND_ZC and TCP_ZEROCOPY_RECEIVE in a foreign command -----------------
"$TR" --format json --output iou.json -- "$B/ctrun" --impl a4 --net loopback --rx zerocopy --duration 1 \
	--json iou.app.json --quiet 2>iou.err
rc=$?
$PY - iou.json iou.app.json <<'PYEOF' >iou.out 2>&1
import json, sys
d, app = (json.load(open(p)) for p in sys.argv[1:])
s, c, l = app["server"], app["client"], d["ledger"]
notif = sum(r["calls"] for r in d["functions"] if r["name"] == "io_uring zc notifications")
copied = sum(r.get("zc_copied_flagged", 0) for r in d["functions"] if r["name"] == "io_uring zc notifications")
print(f"notifications {notif} (COPIED {copied}) vs ctrun {s['zc_notifications']} ({s['zc_copied']}); "
      f"pinned {l['zerocopy_bytes']} of {s['bytes_sent']} sent; mapped {l['recv_zerocopy_bytes']} vs {c['rx_mapped_bytes']}")
ok = (notif == s["zc_notifications"] > 0 and copied == s["zc_copied"]
      and abs(l["zerocopy_bytes"] - s["bytes_sent"]) <= s["bytes_sent"] / 100
      and l["recv_zerocopy_bytes"] == c["rx_mapped_bytes"] > 0)
sys.exit(0 if ok else 1)
PYEOF
[ $rc -eq 0 ] && pass "-- ctrun --impl a4 --rx zerocopy: $(cat iou.out)" ||
	fail "-- ctrun --impl a4 --rx zerocopy" "rc=$rc $(tr '\n' ' ' <iou.out) $(head -2 iou.err)"

# ---- --pid on a running iperf3 server ------------------------------------------------
iperf3 -s -1 -p 5423 -J > pid.s.json 2>/dev/null & SRV=$!
sleep 0.5
"$TR" --pid $SRV --format json --output pid.json 2>pid.err & TRP=$!
attached pid.err
iperf3 -c 127.0.0.1 -p 5423 -t $SECS -J > pid.c.json 2>/dev/null
wait $SRV; wait $TRP; rc=$?
sent=$(jget pid.c.json "d['end']['sum_sent']['bytes']" 2>/dev/null || echo 0)
rcb=$(L pid.json recv_copy_bytes 2>/dev/null || echo 0); sc=$(L pid.json send_copy_bytes 2>/dev/null || echo -1)
[ $rc -eq 0 ] && within "$rcb" "$sent" && [ "$sc" -lt 100000 ] &&
	pass "--pid iperf3 server: receive copy $rcb B within 1 % of $sent B; the untraced client's sends not counted ($sc B)" ||
	fail "--pid iperf3 server" "rc=$rc recv $rcb vs $sent, send $sc; $(head -2 pid.err)"
check "--pid: the trace ends when the process exits" jget pid.json "d['target']['ended'] == 'every traced process exited' or exit(1)"

# ---- --cgroup on a cgroup made here ----------------------------------------------------
CGROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
if [ -z "$CGROOT" ]; then # a host with cgroup v1 only: mount the v2 hierarchy here
	mkdir -p "$T_TMP/cg2" && mount -t cgroup2 none "$T_TMP/cg2" && CG_MNT=$T_TMP/cg2 && CGROOT=$CG_MNT
fi
CG=$CGROOT/copytrace-test-$$
if [ -n "$CGROOT" ] && mkdir "$CG" 2>/dev/null; then
	sh -c "echo \$\$ > $CG/cgroup.procs && exec iperf3 -s -1 -p 5424 -J > cg.s.json 2>/dev/null" & SRV=$!
	sleep 0.5
	"$TR" --cgroup "${CG#"$CGROOT"/}" --duration $((SECS + 4)) --format json --output cg.json 2>cg.err & TRP=$!
	attached cg.err
	iperf3 -c 127.0.0.1 -p 5424 -t $SECS -J > cg.c.json 2>/dev/null
	wait $SRV; wait $TRP; rc=$?
	rmdir "$CG"
	sent=$(jget cg.c.json "d['end']['sum_sent']['bytes']" 2>/dev/null || echo 0)
	rcb=$(L cg.json recv_copy_bytes 2>/dev/null || echo 0)
	[ $rc -eq 0 ] && within "$rcb" "$sent" &&
		pass "--cgroup: the cgroup's iperf3 server received $rcb B, within 1 % of $sent B sent" ||
		fail "--cgroup" "rc=$rc recv $rcb vs $sent; $(head -2 cg.err)"
else
	fail "--cgroup: a test cgroup can be made" "no cgroup2 mount, or mkdir $CG failed"
fi

# ---- exit status, Ctrl-C, bad input ----------------------------------------------------------
"$TR" -- sh -c 'exit 7' >/dev/null 2>&1; rc=$?
[ $rc -eq 7 ] && pass "-- COMMAND: its exit status is passed on" || fail "exit status" "got $rc"
sleep 30 & SL=$!
"$TR" --pid $SL --format json --output int.json 2>/dev/null & TRP=$!
sleep 1; kill -INT $TRP; wait $TRP; rc=$?; kill $SL 2>/dev/null
[ $rc -eq 0 ] && jget int.json "d['target']['ended']" | grep -q interrupted &&
	pass "--pid: Ctrl-C ends the trace with a report" || fail "--pid Ctrl-C" "rc=$rc"
check_fails "--pid of no process: one-line error" "^trace_run: --pid: no process with id" "$TR" --pid 4000000
check_fails "--cgroup that is not a cgroup v2 directory" "^trace_run: --cgroup /tmp: not a cgroup v2" "$TR" --cgroup /tmp
check_fails "'--' with no command" "^trace_run: '--' must be followed by a command" "$TR" --
check_fails "--pid together with a command" "^trace_run: give one of" "$TR" --pid 1 -- true
check_fails "--impl together with --pid" "^trace_run: --impl runs the built-in experiment" "$TR" --impl a2 --pid 1
check "the profiler with a program: --folded lines rooted at comm/pid (a shell loop)" sh -c \
	"'$TR' --sample-freq 499 --folded loop.folded -- sh -c 'i=0; while [ \$i -lt 300000 ]; do i=\$((i+1)); done' >/dev/null 2>&1 &&
	 grep -Eq '^sh/[0-9]+;' loop.folded"
"$TR" --sample-freq 0 --format json --output off.json -- true 2>/dev/null
check "--sample-freq 0 with a program: no profiler, time_ledger null" jget off.json "d['time_ledger'] is None or exit(1)"
"$TR" -- /nonexistent/program >/dev/null 2>err.txt; rc=$?
[ $rc -eq 127 ] && [ "$(wc -l <err.txt)" = 1 ] && grep -q "cannot execute '/nonexistent/program'" err.txt &&
	pass "a command that cannot be executed: one line, exit 127" || fail "cannot execute" "rc=$rc $(cat err.txt)"
links_after
finish
