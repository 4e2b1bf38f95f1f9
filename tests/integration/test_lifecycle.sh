#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# trace_run on services as their operators run them: nginx traced by its
# master's pid while its workers serve, a tree of processes that existed
# before the trace, redis-server that daemonizes, a command run as the
# sudo user; how a trace ends (pidfds, signals passed on, a subreaper that
# leaves nothing behind) and how output files are opened.
# CT_TEST_TRACE_RUN=PATH runs the same checks against another build.
source "$(dirname "$0")/../lib.sh"
need_root
TR=${CT_TEST_TRACE_RUN:-$ROOT/trace_run}
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }
PY=/usr/bin/python3
PROGS=$ROOT/tests/integration/programs
cd "$T_TMP" || exit 1
chmod 755 "$T_TMP" # nginx's workers (nobody) read its files

NG_PID='' RD_PORT=16391 BG=()
cleanup() {
	[ -n "$NG_PID" ] && kill -KILL "$NG_PID" 2>/dev/null
	[ -s redis.pid ] && kill -KILL "$(cat redis.pid)" 2>/dev/null
	for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# the marker sleeps of the checks below, by pid
	for p in $(pgrep -f '^sleep 98[0-9]$'); do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T_TMP"
}
trap cleanup EXIT

L() { jget "$1" "d['ledger']['$2']" 2>/dev/null || echo 0; }
left() { pgrep -f "^sleep $1\$" | tr '\n' ' '; }
# a Debian package: installed through scripts/install-deps.sh, else a skip
have() {
	command -v "$1" >/dev/null && return 0
	"$ROOT/scripts/install-deps.sh" >"$T_TMP/deps.log" 2>&1
	command -v "$1" >/dev/null && return 0
	echo "skip - $2: not possible here ($1 could not be installed: $(tail -1 "$T_TMP/deps.log"))"
	return 1
}
links_before

# ---- nginx: its master's pid, its two workers doing the TCP work ------------------------
if have nginx "nginx traced by its master's pid" && have curl "nginx traced by its master's pid"; then
	mkdir -p www ngtmp && head -c $((16 << 20)) /dev/urandom > www/f.bin && chmod -R a+rX www
	cat > nginx.conf <<EOF
worker_processes 2;
pid $T_TMP/nginx.pid;
error_log $T_TMP/nginx.err;
events { worker_connections 64; }
http {
	log_format sent '\$bytes_sent';
	access_log $T_TMP/nginx.access sent;
	client_body_temp_path $T_TMP/ngtmp; proxy_temp_path $T_TMP/ngtmp;
	fastcgi_temp_path $T_TMP/ngtmp; uwsgi_temp_path $T_TMP/ngtmp; scgi_temp_path $T_TMP/ngtmp;
	server { listen 127.0.0.1:18391; root $T_TMP/www; }
}
EOF
	nginx -c "$T_TMP/nginx.conf" -p "$T_TMP" 2>ng.start # daemonizes, as a service does
	wait_for 5 test -s nginx.pid && NG_PID=$(cat nginx.pid)
	if [ -z "$NG_PID" ]; then
		fail "nginx starts" "$(head -2 ng.start nginx.err 2>/dev/null | tr '\n' ' ')"
	else
		"$TR" --pid "$NG_PID" --sample-freq 0 --format json --output ng.json 2>ng.trace & TRP=$!
		BG+=("$TRP")
		wait_for 15 grep -q "tracing pid" ng.trace
		got=0
		for _ in 1 2 3; do
			n=$(curl -s -o /dev/null -w '%{size_download}' http://127.0.0.1:18391/f.bin)
			got=$((got + ${n%.*}))
		done
		kill -QUIT "$NG_PID" # nginx's graceful stop: the trace ends with its last worker
		wait_for 20 sh -c "! kill -0 $TRP 2>/dev/null"
		wait "$TRP"; rc=$?
		NG_PID=
		logged=$(awk '{s += $1} END {print s + 0}' nginx.access)
		sent=$(L ng.json sent_bytes)
		[ "$rc" = 0 ] && within "$sent" "$got" &&
			pass "nginx, 2 workers, traced by the master's pid: sent $sent B within 1 % of curl's $got B downloaded (nginx logged \$bytes_sent $logged B)" ||
			fail "nginx by the master's pid" "rc=$rc sent $sent B, curl $got B, nginx logged $logged B; $(head -2 ng.trace | tr '\n' ' ')"
		check "nginx: both workers are traced, children of the master" jget ng.json \
			"sum(p.get('ppid') == $(jget ng.json "d['target']['what']" 2>/dev/null || echo 0) for p in d['processes']) == 2 or exit(1)"
		check "nginx: the trace ended when the master and its workers had exited" jget ng.json \
			"d['target']['ended'] == 'every traced process exited' or exit(1)"
	fi
fi

# ---- --pid: a tree that existed before the trace (a grandchild does the work) -------------
echo 'while [ ! -e go ]; do sleep 0.05; done; exec '"$PY $PROGS/sendfile_pair.py"' tree.app.json 64' > leaf.sh
echo 'sh leaf.sh; exit 0' > mid.sh
sh -c 'sh mid.sh & wait' & TOP=$!
BG+=("$TOP")
wait_for 5 sh -c "pgrep -f '^sh leaf.sh'"
"$TR" --pid "$TOP" --sample-freq 0 --format json --output tree.json 2>tree.err & TRP=$!
BG+=("$TRP")
wait_for 15 grep -q "tracing pid" tree.err
touch go
wait_for 30 sh -c "! kill -0 $TRP 2>/dev/null"
wait "$TRP"; rc=$?
sent=$(jget tree.app.json "d['sent']" 2>/dev/null || echo 0)
sp=$(L tree.json splice_bytes)
[ "$rc" = 0 ] && within "$sp" "$sent" &&
	pass "--pid of a shell: its grandchild, there before the trace, is traced (splice_bytes $sp within 1 % of $sent B sent)" ||
	fail "--pid: the existing tree is traced" "rc=$rc splice $sp of $sent; $(head -2 tree.err | tr '\n' ' ')"
check "--pid: the trace ended when the shell and its tree had exited" jget tree.json \
	"d['target']['ended'] == 'every traced process exited' or exit(1)"

# ---- --pid ends at a zombie: pidfds, not kill(pid, 0) -------------------------------------
sh -c 'sleep 1 & exec sleep 15' & PARENT=$! # the child's exit goes unreaped for 14 s
BG+=("$PARENT")
wait_for 5 pgrep -P "$PARENT" -x sleep && KID=$(pgrep -P "$PARENT" -x sleep)
t0=$(date +%s.%N)
timeout 30 "$TR" --pid "$KID" --sample-freq 0 --format json --output z.json 2>/dev/null; rc=$?
secs=$($PY -c "import sys,time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$t0")
# well before the reap at 15 s, however slowly trace_run attaches on a loaded machine
$PY -c "import sys; sys.exit(0 if float(sys.argv[1]) < 12 else 1)" "$secs" && [ "$rc" = 0 ] &&
	pass "--pid: a process that exited and is a zombie ends the trace (${secs} s; its parent reaps it only at 15 s)" ||
	fail "--pid: the end of a process that is a zombie" "rc=$rc after ${secs} s"
kill "$PARENT" 2>/dev/null

# ---- a command runs as the invoking user ---------------------------------------------------
nob=$(getent passwd 65534 | cut -d: -f1)
nhome=$(getent passwd 65534 | cut -d: -f6)
SUDO_UID=65534 SUDO_GID=65534 "$TR" --sample-freq 0 --format json --output u.json -- \
	sh -c 'id -u; id -G; echo "$USER $LOGNAME $HOME"; grep CapEff /proc/self/status' >u.out 2>u.err
rc=$?
[ "$rc" = 0 ] && [ "$(sed -n 1p u.out)" = 65534 ] &&
	pass "SUDO_UID=65534 SUDO_GID=65534 trace_run -- id -u prints 65534" ||
	fail "command as the sudo user" "rc=$rc $(head -3 u.out u.err | tr '\n' ' ')"
grp=$($PY -c "import grp,pwd,os; print(' '.join(sorted(str(g) for g in os.getgrouplist(pwd.getpwuid(65534).pw_name, 65534))))")
[ "$(sed -n 2p u.out | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" = "$grp" ] &&
	pass "its groups are the user's own (initgroups: $grp), none of root's" ||
	fail "the user's groups" "$(sed -n 2p u.out) vs $grp"
[ "$(sed -n 3p u.out)" = "$nob $nob $nhome" ] && pass "USER, LOGNAME and HOME are the user's ($nob, $nhome)" ||
	fail "USER LOGNAME HOME" "$(sed -n 3p u.out)"
grep -q 'CapEff:[[:space:]]*0000000000000000' u.out && pass "the command holds no capability" ||
	fail "capabilities of the command" "$(sed -n 4p u.out)"
[ "$(stat -c %u:%g u.json 2>/dev/null)" = "65534:65534" ] &&
	pass "--output is created by and for the sudo user (65534:65534)" ||
	fail "owner of --output" "$(stat -c %u:%g u.json 2>&1)"
out=$(SUDO_UID=65534 SUDO_GID=65534 "$TR" --sample-freq 0 --user root --output r.txt -- id -u 2>/dev/null)
[ "$out" = 0 ] && [ "$(stat -c %u r.txt)" = 0 ] && pass "--user root runs the command as root" ||
	fail "--user root" "id -u said '$out'"
out=$("$TR" --sample-freq 0 --user "$nob" --output n.txt -- id -u 2>/dev/null)
[ "$out" = 65534 ] && pass "--user $nob runs the command as $nob" || fail "--user $nob" "id -u said '$out'"
check_fails "--user of no one: one line" "^trace_run: --user: no user 'no-such-user-ct'" \
	"$TR" --user no-such-user-ct -- true
"$TR" --sample-freq 0 --format json --output fd.json -- sh -c 'ls -l /proc/$$/fd/' >fd.out 2>&1
if grep -Eq 'fd\.json|bpf|perf_event|pidfd' fd.out; then
	fail "no descriptor of trace_run's reaches the command" "$(grep -E 'fd\.json|bpf|perf_event|pidfd' fd.out | head -2 | tr '\n' ' ')"
else
	pass "the command inherits none of trace_run's descriptors (--output, BPF, perf)"
fi

# ---- output files -----------------------------------------------------------------------------
echo precious > victim
ln -s victim link
check_fails "--output through a symbolic link: refused in one line" "^trace_run: --output: .*link is a symbolic link" \
	"$TR" --output link -- true
check_fails "--folded through a symbolic link: refused in one line" "^trace_run: --folded: .*link is a symbolic link" \
	"$TR" --folded link -- true
[ "$(cat victim)" = precious ] && pass "the link's target is untouched" || fail "symlink target" "now: $(head -c 80 victim)"
echo "the last report" > keep.json
"$TR" --output keep.json --pid 4000000 >/dev/null 2>&1
[ "$(cat keep.json)" = "the last report" ] && pass "a trace that fails to start truncates no --output" ||
	fail "--output truncated before tracing" "now: '$(head -c 80 keep.json)'"

# ---- how a command's trace ends --------------------------------------------------------------
t0=$(date +%s.%N)
timeout 30 "$TR" --sample-freq 0 --duration 2 --format json --output d.json -- sh -c 'sleep 987 & exit 0' >/dev/null 2>&1
rc=$?
secs=$($PY -c "import sys,time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$t0")
[ "$rc" = 0 ] && [ -z "$(left 987)" ] && jget d.json "d['target']['ended'] == '--duration elapsed' or exit(1)" >/dev/null &&
	pass "-- sh -c 'sleep 987 & exit 0' --duration 2: the orphan is traced to the end, then stopped; nothing left (${secs} s)" ||
	fail "--duration with a command that leaves an orphan" "rc=$rc left: $(left 987)"
"$TR" --sample-freq 0 --format json --output o.json -- sh -c 'sleep 2 & exit 0' >/dev/null 2>&1
check "an orphan outlives the command: the trace waits for it" jget o.json \
	"d['target']['seconds'] >= 1.9 and 'later the last process' in d['target']['ended'] or exit(1)"

"$TR" --sample-freq 0 --output i.txt -- sh -c 'sleep 986 & sleep 1000' 2>i.err & TRP=$!
BG+=("$TRP")
wait_for 15 pgrep -f '^sleep 986$'
kill -INT "$TRP"; wait_for 15 sh -c "! kill -0 $TRP 2>/dev/null"; wait "$TRP"; rc=$?
[ -z "$(left 986)" ] && grep -q "interrupted by SIGINT" i.txt &&
	pass "SIGINT: passed on to the command's group, a report, nothing left (exit $rc)" ||
	fail "SIGINT to trace_run" "rc=$rc left: $(left 986) $(grep 'traced for' i.txt)"

for sig in TERM HUP; do
	rm -f got ready
	"$TR" --sample-freq 0 --format json --output s$sig.json -- sh -c \
		'trap "echo TERM > got; exit 0" TERM; trap "echo INT > got; exit 0" INT; trap "echo HUP > got; exit 0" HUP; : > ready; while :; do sleep 0.05; done' \
		>/dev/null 2>&1 & TRP=$!
	BG+=("$TRP")
	wait_for 15 test -e ready
	kill -$sig "$TRP"; wait_for 15 sh -c "! kill -0 $TRP 2>/dev/null"; wait "$TRP"; rc=$?
	[ "$(cat got 2>/dev/null)" = $sig ] && jget s$sig.json "'SIG$sig' in d['target']['ended'] or exit(1)" >/dev/null &&
		pass "SIG$sig: the command gets SIG$sig itself, and the report is written (exit $rc)" ||
		fail "SIG$sig passed on" "the command got '$(cat got 2>/dev/null)', rc=$rc"
done

# a terminal's Ctrl-C goes to trace_run's whole group: the command must get one SIGINT, not two
cat > count_int.py <<'EOF'
import signal, sys, time
n = 0
def on_int(*a):
    global n
    n += 1
signal.signal(signal.SIGINT, on_int)
open("ready", "w").close()
end = time.time() + 3
while time.time() < end:
    time.sleep(0.05)
open(sys.argv[1], "w").write(str(n))
EOF
rm -f ready
setsid "$TR" --sample-freq 0 --output c.txt -- $PY count_int.py cnt >/dev/null 2>&1 & TRP=$!
BG+=("$TRP")
wait_for 15 test -e ready
kill -INT -- -"$TRP" # as a terminal does: to the foreground process group
wait_for 15 sh -c "! kill -0 $TRP 2>/dev/null"; wait "$TRP"
[ "$(cat cnt 2>/dev/null)" = 1 ] && pass "Ctrl-C to trace_run's process group reaches the command once (its own group)" ||
	fail "Ctrl-C reaches the command once" "it counted $(cat cnt 2>/dev/null) SIGINTs"

t0=$(date +%s.%N)
"$TR" --sample-freq 0 --output k.txt -- sh -c 'trap "" INT TERM; sleep 985' >/dev/null 2>k.err & TRP=$!
BG+=("$TRP")
wait_for 15 pgrep -f '^sleep 985$'
kill -TERM "$TRP"; wait_for 20 sh -c "! kill -0 $TRP 2>/dev/null"; wait "$TRP"; rc=$?
secs=$($PY -c "import sys,time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$t0")
[ -z "$(left 985)" ] && grep -q "killed" k.err &&
	pass "a command that ignores SIGTERM is killed, its whole tree, 5 s after it was passed on (${secs} s, exit $rc)" ||
	fail "grace then SIGKILL" "rc=$rc left: $(left 985) $(head -2 k.err | tr '\n' ' ')"

# ---- redis-server --daemonize yes: traced until redis-cli shutdown ---------------------------
if have redis-server "redis-server --daemonize yes" && have redis-cli "redis-server --daemonize yes"; then
	"$TR" --sample-freq 0 --format json --output rd.json -- redis-server --daemonize yes --port $RD_PORT \
		--bind 127.0.0.1 --save '' --appendonly no --dir "$T_TMP" --pidfile "$T_TMP/redis.pid" \
		--logfile "$T_TMP/redis.log" >/dev/null 2>rd.err & TRP=$!
	BG+=("$TRP")
	if wait_for 15 sh -c "redis-cli -p $RD_PORT ping | grep -q PONG"; then
		head -c $((1 << 20)) /dev/zero | tr '\0' x >./val
		redis-cli -p $RD_PORT -x set k <./val >/dev/null
		for _ in $(seq 20); do redis-cli -p $RD_PORT get k >/dev/null; done
		redis-cli -p $RD_PORT info stats | tr -d '\r' > info.txt
		redis-cli -p $RD_PORT shutdown >/dev/null 2>&1
		wait_for 20 sh -c "! kill -0 $TRP 2>/dev/null"; wait "$TRP"; rc=$?
		outb=$(awk -F: '$1 == "total_net_output_bytes" {print $2}' info.txt)
		inb=$(awk -F: '$1 == "total_net_input_bytes" {print $2}' info.txt)
		sent=$(L rd.json sent_bytes); recvd=$(L rd.json recv_copy_bytes)
		[ "$rc" = 0 ] && within "$sent" "$outb" && within "$recvd" "$inb" &&
			pass "redis-server --daemonize yes, traced until shutdown: sent $sent B, received $recvd B; redis counted $outb B out, $inb B in (within 1 %)" ||
			fail "redis-server --daemonize yes" "rc=$rc sent $sent vs $outb, received $recvd vs $inb; $(head -2 rd.err | tr '\n' ' ')"
		check "redis: the trace ended with the daemon, after its parent" jget rd.json \
			"'later the last process' in d['target']['ended'] or exit(1)"
		pgrep -f "redis-server.*:$RD_PORT" >/dev/null && fail "redis is gone" "still running" ||
			pass "no redis-server left"
	else
		fail "redis-server starts under trace_run" "$(head -2 rd.err redis.log 2>/dev/null | tr '\n' ' ')"
	fi
fi

alive=
for p in "${BG[@]}"; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
[ -z "$alive" ] && [ -z "$(left '98[0-9]')" ] && pass "every process this test started has exited" ||
	fail "processes left" "$alive $(left '98[0-9]')"
links_after
finish
