# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# copytrace guest test list, sourced by tests/vm/init inside the stock-kernel VM.
# Busybox sh only (no bash, no python). Each check prints "ok - NAME" or
# "not ok - NAME" and bumps T_PASS/T_FAIL and its group's counters; init prints
# the closing markers. A check's group is the first word of its NAME when that is
# a backend (fentry, kprobe, tracepoint), else "guest" (environment, untraced
# data paths, backend auto, leftovers); init prints one
#   CT-VMTEST-GROUP GROUP passed=N failed=M
# per group, from which the host prints "vm VERSION BACKEND: N passed, M failed".
# Before the tests the guest prints what only the running kernel can tell as
#   CT-FACT KEY VALUE
# lines (ftrace:FUNC, kprobe:FUNC, event:TRACEPOINT, ...), collected by the host
# into build/vm/VERSION/guest-facts.txt and the facts table.
# Knobs (kernel command line words NAME=VALUE reach init as environment):
#   CT_DURATION  seconds per traced run (default 0.5; TCG is slow)
#   CT_TESTS     "all" (default), "smoke" (environment checks only) or "nic"
#                (environment, the NIC runs with their veth controls, and the
#                64 KiB runs of the first backend over CT_NIC_NETS, default
#                veth, for the ledger table: the NIC path alone)
#   CT_BACKENDS  backends of the traced matrix (default "fentry kprobe tracepoint";
#                comma- or space-separated)
#   CT_RUN_TMO   seconds before one traced run is killed (default 90)
#   CT_NIC       1: the guest has two virtio-net NICs (eth0, eth1) on taps bridged
#                on the host, and runs the --net nic tests; 0: none
CT_BIN=/ct/bin
CT_OUT=/tmp/ct
D=${CT_DURATION:-0.5}
RUN_TMO=${CT_RUN_TMO:-90}
mkdir -p "$CT_OUT"

# group NAME: the counter group of a check (see the top)
group() {
	case $1 in
	fentry\ * | fentry:*) echo fentry ;;
	kprobe\ * | kprobe:*) echo kprobe ;;
	tracepoint\ * | tracepoint:*) echo tracepoint ;;
	*) echo guest ;;
	esac
}
# shellcheck disable=SC2034 # read through eval
G_fentry_P=0 G_fentry_F=0 G_kprobe_P=0 G_kprobe_F=0 G_tracepoint_P=0 G_tracepoint_F=0 G_guest_P=0 G_guest_F=0
pass() {
	T_PASS=$((T_PASS + 1))
	_g=$(group "$1")
	eval "G_${_g}_P=\$((G_${_g}_P + 1))"
	echo "ok - $1"
}
fail() {
	T_FAIL=$((T_FAIL + 1))
	_g=$(group "$1")
	eval "G_${_g}_F=\$((G_${_g}_F + 1))"
	echo "not ok - $1${2:+: $2}"
}
# not_possible NAME WHY: a check this kernel cannot make (e.g. no kTLS):
# counted apart (CT-VMTEST-RESULT's skipped=), never as passed
T_SKIP=0
not_possible() {
	T_SKIP=$((T_SKIP + 1))
	echo "skip - $1: not possible here ($2)"
}
# group_markers: one CT-VMTEST-GROUP line per group (init calls it at the end)
group_markers() {
	for _g in fentry kprobe tracepoint guest; do
		eval "echo \"CT-VMTEST-GROUP $_g passed=\$G_${_g}_P failed=\$G_${_g}_F\""
	done
}
# show the last lines of a file, indented as TAP diagnostics
diag() { [ -s "$1" ] && tail -n "${2:-8}" "$1" | sed 's/^/#   /'; }
# check NAME CMD...: passes when CMD exits 0
check() {
	_n=$1; shift
	if "$@" >"$CT_OUT/check.out" 2>&1; then pass "$_n"; else fail "$_n" "exit $?"; diag "$CT_OUT/check.out"; fi
}
# jnum FILE KEY [ROWMATCH]: the number after "KEY": in a JSON document, or in
# the first flat object {...} that contains ROWMATCH (e.g. '"name":"tcp_sendmsg"').
# Good enough for trace_run's flat rows; whitespace is ignored.
jnum() {
	tr -d ' \t\r\n' <"$1" | tr '{}' '\n\n' | { if [ -n "${3:-}" ]; then grep -F -- "$3"; else cat; fi; } |
		sed -n "s/.*\"$2\":\(-\{0,1\}[0-9][0-9.eE+]*\).*/\1/p" | head -n 1
}
# jled FILE KEY: KEY of the run's ledger object (the first "ledger"), empty
# when null (not traced): never a function row's value of the same name
jled() {
	tr -d ' \t\r\n' <"$1" | grep -o '"ledger":{[^}]*}' | head -n 1 |
		sed -n "s/.*\"$2\":\(-\{0,1\}[0-9][0-9.eE+]*\).*/\1/p"
}
# jbool FILE KEY: true or false, the first boolean value of "KEY"
jbool() { tr -d ' \t\r\n' <"$1" | sed -n "s/.*\"$2\":\(true\|false\).*/\1/p" | head -n 1; }
# jstr FILE KEY: the first string value of "KEY"
jstr() { tr -d ' \t\r\n' <"$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }
# gt0 VALUE: VALUE is a number > 0
gt0() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }
# sum_rows FILE KEY PATTERN: sum KEY over every flat object matching PATTERN (ERE)
sum_rows() {
	tr -d ' \t\r\n' <"$1" | tr '{}' '\n\n' | grep -E -- "$3" |
		sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}

# ---- environment of the stock kernel ------------------------------------------
echo "# kernel $(uname -r), $(nproc) cpus, cmdline: $(cat /proc/cmdline)"
check "guest: kernel BTF at /sys/kernel/btf/vmlinux" test -r /sys/kernel/btf/vmlinux
check "guest: bpffs mounted" grep -q ' /sys/fs/bpf bpf ' /proc/mounts
check "guest: tracefs mounted" grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts
check "guest: kprobes available (kprobe_events)" test -e /sys/kernel/tracing/kprobe_events
check "guest: tcp_sendmsg is traceable" grep -qx 'tcp_sendmsg' /sys/kernel/tracing/available_filter_functions
check "guest: lo is up" sh -c 'ip link show lo | grep -q "UP"'
# ---- facts only the running kernel can tell (CT-FACT KEY VALUE lines) ------------
# Collected by the host into build/vm/VERSION/guest-facts.txt and the facts table
# (scripts/vm-facts.py). One awk pass per file: grep per function is slow under TCG.
CT_FACT_FUNCS="tcp_sendmsg tcp_sendmsg_locked tcp_recvmsg _copy_from_iter _copy_from_iter_nocache
	_copy_from_iter_full csum_and_copy_from_iter_full __check_object_size skb_zerocopy_iter_stream
	skb_copy_ubufs skb_copy_datagram_iter __msg_zerocopy_callback msg_zerocopy_callback
	msg_zerocopy_complete sock_zerocopy_callback msg_zerocopy_realloc sock_zerocopy_realloc
	io_tx_ubuf_complete io_notif_complete_tw_ext __io_notif_complete_tw io_notif_tw_complete
	io_uring_tx_zerocopy_callback io_send_zc io_sendmsg_zc __zerocopy_sg_from_iter
	zerocopy_fill_skb_from_iter skb_zerocopy_clone tcp_zerocopy_receive"
CT_FACT_TPS="sock_send_length sock_recv_length skb_copy_datagram_iovec inet_sk_error_report
	tcp_sendmsg_locked netif_receive_skb consume_skb kfree_skb tcp_retransmit_skb sys_enter sys_exit
	io_uring_submit_req io_uring_complete"
ct_facts() {
	_tr=/sys/kernel/tracing
	# NAME 0/1 per function: in available_filter_functions (an ftrace site: fentry
	# can attach) and in kallsyms
	_in() { # FILE FIELD: "name 0|1" for each of CT_FACT_FUNCS
		awk -v list="$CT_FACT_FUNCS" -v f="$2" '
			BEGIN { n = split(list, a); for (i = 1; i <= n; i++) want[a[i]] = 1 }
			($f in want) { seen[$f] = 1 }
			END { for (i = 1; i <= n; i++) print a[i], (a[i] in seen) ? 1 : 0 }' "$1" 2>/dev/null
	}
	_in $_tr/available_filter_functions 1 >/tmp/ct-ftrace
	_in /proc/kallsyms 3 >/tmp/ct-kallsyms
	while read -r _fn _v; do echo "CT-FACT ftrace:$_fn $_v"; done </tmp/ct-ftrace
	while read -r _fn _v; do
		echo "CT-FACT kallsyms:$_fn $_v"
		# can it take a kprobe? (a probe on a blacklisted or notrace function is refused)
		_k=0
		if [ "$_v" = 1 ] && echo "p:ctfact $_fn" >>$_tr/kprobe_events 2>/dev/null; then
			_k=1
			echo "-:ctfact" >>$_tr/kprobe_events 2>/dev/null
		fi
		echo "CT-FACT kprobe:$_fn $_k"
	done </tmp/ct-kallsyms
	for _tp in $CT_FACT_TPS; do
		_d=$(ls -d $_tr/events/*/"$_tp" 2>/dev/null | head -n 1)
		if [ -n "$_d" ]; then _c=${_d%/*}; _c=${_c##*/}; else _c=0; fi
		echo "CT-FACT event:$_tp $_c"
	done
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
	echo "CT-FACT lockdown $(sed -n 's/.*\[\([a-z]*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null | grep . || echo n/a)"
	echo "CT-FACT unprivileged_bpf_disabled $(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null || echo n/a)"
	# the preemption model in force (PREEMPT_DYNAMIC): a preemptible kernel can
	# preempt a BPF tracing program, and another task's hit on that CPU is then
	# dropped by the recursion protection
	echo "CT-FACT preempt $(sed -n 's/.*(\([a-z]*\)).*/\1/p' /sys/kernel/debug/sched/preempt 2>/dev/null | grep . || echo n/a)"
	echo "CT-FACT vmlinux_btf_bytes $(wc -c </sys/kernel/btf/vmlinux 2>/dev/null || echo 0)"
}
ct_facts
# the facts the tracer itself gathers (the hook plan's input): the host keeps
# them as build/vm/VERSION/kernel-facts.txt, the plan's unit tests as
# tests/unit/kfacts/VERSION.facts
trace_run --kernel-facts 2>&1 | sed 's/^/CT-KFACTS /'
nf=$(awk '$2 == 0 { printf " %s", $1 }' /tmp/ct-ftrace)
echo "# not ftrace sites here (no fentry on them):${nf:- none}"
veth_pair() { ip link add ctvm0 type veth peer name ctvm1 && ip link del ctvm0; }
if ! check "guest: veth module loads and a veth pair can be made" veth_pair; then
	diag /tmp/ct-modules.log
fi


# ---- the NICs (CT_NIC=1): two virtio-net devices, wired together by the host's bridge
if [ "${CT_NIC:-0}" = 1 ]; then
	for d in eth0 eth1; do
		if ! check "guest: virtio-net NIC $d present" ip link show "$d"; then diag /tmp/ct-modules.log; fi
	done
fi

# ---- the data paths, untraced --------------------------------------------------------
IMPLS="a1 a2 a3"
if [ -x "$CT_BIN/ctrun" ]; then
	for net in loopback veth; do
		check "guest: ctrun a3 65536 B $net runs untraced" \
			timeout "$RUN_TMO" ctrun --impl a3 --size 65536 --threads 1 --duration "$D" --net "$net" --verify
	done
	# a4 (io_uring SENDMSG_ZC, 6.0+) joins the traced matrix where the kernel
	# has it; elsewhere it must say so in one line
	timeout "$RUN_TMO" ctrun --impl a4 --size 65536 --threads 1 --duration "$D" --net loopback \
		--verify >"$CT_OUT/a4.out" 2>"$CT_OUT/a4.err"
	a4rc=$?
	if [ $a4rc -eq 0 ]; then
		pass "guest: ctrun a4 65536 B loopback runs untraced ($(grep -o 'registered-buffers\|pinned-per-send[^,]*' "$CT_OUT/a4.out" | head -n 1))"
		IMPLS="a1 a2 a3 a4"
	elif grep -q "has no IORING_OP_SENDMSG_ZC" "$CT_OUT/a4.err" && [ "$(wc -l <"$CT_OUT/a4.err")" -le 2 ]; then
		pass "guest: a4 on a kernel without SENDMSG_ZC: one-line error"
	else
		fail "guest: ctrun a4 runs untraced" "exit $a4rc"
		diag "$CT_OUT/a4.err"
	fi
	# a6, kernel TLS (tls.ko and its AES-GCM modules, loaded by init): both
	# send modes, every byte decrypted and verified by the client. A kernel
	# built without kTLS (Debian's 5.10) must say so in one line: then every
	# kTLS check is not possible there, never passed.
	KTLS=1
	for m in copy sendfile; do
		for net in loopback veth; do
			timeout "$RUN_TMO" ctrun --impl a6 --tls-send "$m" --size 65536 --threads 1 \
				--duration "$D" --net "$net" --verify >"$CT_OUT/a6.out" 2>"$CT_OUT/a6.err"
			a6rc=$?
			if [ $a6rc -eq 0 ]; then
				pass "guest: ctrun a6 (kTLS, $m) 65536 B $net runs untraced, every byte verified"
			elif [ $a6rc -eq 1 ] && [ "$(wc -l <"$CT_OUT/a6.err")" -eq 1 ] &&
				grep -q 'no kernel TLS here' "$CT_OUT/a6.err"; then
				KTLS=none
				not_possible "guest: ctrun a6 (kTLS, $m) 65536 B $net" "$(cat "$CT_OUT/a6.err")"
			else
				KTLS=0
				fail "guest: ctrun a6 (kTLS, $m) 65536 B $net runs untraced" "exit $a6rc"
				diag "$CT_OUT/a6.err"
				diag /tmp/ct-modules.log
			fi
		done
	done
	# build/client without --impl learns a6 from the server's hello and
	# decrypts; one given another impl is refused in one line
	if [ "$KTLS" = 1 ]; then
		server --impl a6 --port 5391 --verify >"$CT_OUT/a6s.out" 2>&1 &
		_sp=$!
		if timeout "$RUN_TMO" client --port 5391 --duration "$D" --verify >"$CT_OUT/a6c.out" 2>&1 &&
			wait $_sp && grep -q ', 0 verify errors' "$CT_OUT/a6c.out" &&
			grep -q '^a6 (kTLS, sendmsg) ' "$CT_OUT/a6c.out"; then
			pass "guest: a client without --impl learns a6 from the server's hello (its summary says a6, by sendmsg), every byte verified"
		else
			fail "guest: a client without --impl learns a6 from the server's hello"
			diag "$CT_OUT/a6c.out"
			diag "$CT_OUT/a6s.out"
		fi
		server --impl a6 --port 5392 >"$CT_OUT/a6s.out" 2>&1 &
		_sp=$!
		timeout "$RUN_TMO" client --impl a2 --port 5392 --duration "$D" >"$CT_OUT/a6c.out" 2>&1
		_crc=$?
		wait $_sp
		if [ $_crc = 1 ] && [ "$(wc -l <"$CT_OUT/a6c.out")" -eq 1 ] &&
			grep -q 'the server has --impl a6, this client --impl a2' "$CT_OUT/a6c.out"; then
			pass "guest: a client given --impl a2 against an a6 server: one-line mismatch"
		else
			fail "guest: a client given --impl a2 against an a6 server: one-line mismatch" "exit $_crc"
			diag "$CT_OUT/a6c.out"
		fi
	fi
	[ "${CT_NIC:-0}" = 1 ] && [ "$KTLS" = 1 ] && check "guest: ctrun a6 (kTLS, sendfile) 65536 B nic runs untraced, every byte verified" \
		timeout "$RUN_TMO" ctrun --impl a6 --tls-send sendfile --size 65536 --threads 1 --duration "$D" --net nic --verify
	# over the NICs: ctrun refuses a NIC without scatter-gather or checksum
	# offload (SIOCETHTOOL) in one line, so this is also the offload check
	[ "${CT_NIC:-0}" = 1 ] && check "guest: ctrun a3 65536 B nic runs untraced (eth0, eth1: scatter-gather and checksum offload)" \
		timeout "$RUN_TMO" ctrun --impl a3 --size 65536 --threads 1 --duration "$D" --net nic --verify
else
	fail "guest: ctrun present" "static build failed on the host"
fi

# ---- the tracer's fentry and kprobe backends ----------------------------------
# Each traced run costs 4-6 s under TCG whatever its --duration (loading and
# attaching/detaching trampolines dominate). CT_JOBS > 1 runs several at a time
# (they are then unrelated traffic for each other too).
JOBS=${CT_JOBS:-1}

# trun NAME FORMAT ARGS...: one traced run; output in $CT_OUT/NAME.out, stderr in
# NAME.err, exit status in NAME.rc. --check asserts the ledger against the
# application's own counts (receive copy = bytes received, sender bytes = bytes
# sent, a1 user copy, a3 completions and deferred copy) and exits non-zero if not.
trun() {
	_n=$1 _f=$2; shift 2
	_t0=$(cut -d' ' -f1 /proc/uptime)
	timeout "$RUN_TMO" trace_run --threads 1 --duration "$D" --mode stream \
		--format "$_f" --check "$@" >"$CT_OUT/$_n.out" 2>"$CT_OUT/$_n.err" </dev/null
	_rc=$?
	echo "$_rc" >"$CT_OUT/$_n.rc"
	echo "# $_n: trace_run exit $_rc in $(awk -v a="$_t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }') s"
}
# run_list FILE: lines "NAME FORMAT ARGS..." run JOBS at a time
run_list() {
	_pids=
	_k=0
	while read -r _n _f _a; do
		[ -n "$_n" ] || continue
		# shellcheck disable=SC2086 # ARGS are words
		trun "$_n" "$_f" $_a &
		_pids="$_pids $!"
		_k=$((_k + 1))
		if [ "$_k" -ge "$JOBS" ]; then wait $_pids; _pids='' _k=0; fi
	done <"$1"
	[ -z "$_pids" ] || wait $_pids
}
# ran NAME: the run exited 0
ran() { [ "$(cat "$CT_OUT/$1.rc" 2>/dev/null)" = 0 ]; }
# backend_of NAME: the backend the run reports (JSON "backend", or the table header)
backend_of() {
	_b=$(jstr "$CT_OUT/$1.out" backend)
	[ -n "$_b" ] || _b=$(sed -n 's/.* backend \([a-z]*\),.*/\1/p' "$CT_OUT/$1.out" | head -n 1)
	echo "$_b"
}
# result NAME LABEL WANT-BACKEND: ok/not ok for one run
result() {
	if ! ran "$1"; then
		fail "$2: --check" "exit $(cat "$CT_OUT/$1.rc" 2>/dev/null)"
		diag "$CT_OUT/$1.err"
		diag "$CT_OUT/$1.out" 4
	elif [ -n "$3" ] && [ "$(backend_of "$1")" != "$3" ]; then
		fail "$2: ran backend '$(backend_of "$1")', not $3"
	else
		pass "$2: ledger matches the application (--check)"
	fi
}
# row KEY FILE ROW-ERE: sum of KEY over the function rows matching ROW-ERE
row() { sum_rows "$2" "$1" "$3"; }
# the user->kernel copy inside tcp_sendmsg, whichever function the tracer names
COPY_IN='"name":"_?(copy_from_iter[a-z_]*|csum_and_copy_from_iter_full)"'

# Unrelated transfers running through the whole matrix: the concurrent runs
# themselves (JOBS at a time, each in its own namespaces), repeated ctrun bursts
# in other namespaces, and a rate-limited stream in the guest's root namespace
# (busybox nc over lo). The tracer filters to its experiment, so --check fails
# if any of these bytes are counted.
bg_start() {
	rm -f "$CT_OUT/bg.stop"
	# Short bursts, far apart: unrelated traffic that overlaps the traced
	# runs, not a load that takes a vCPU (under TCG a full-speed burst
	# every other second made each traced run 3-4 times slower)
	(while [ ! -e "$CT_OUT/bg.stop" ]; do
		ctrun --impl a2 --size 65536 --threads 1 --duration 0.2 --net loopback --quiet \
			--json "$CT_OUT/bg-last.json" </dev/null && echo burst >>"$CT_OUT/bg.count"
		sleep 3
	done) >"$CT_OUT/bg-ctrun.out" 2>&1 &
	CT_BG1=$!
	nc -l -p 5999 >/dev/null 2>&1 </dev/null &
	CT_BG2=$!
	sleep 0.2
	(while [ ! -e "$CT_OUT/bg.stop" ]; do dd if=/dev/zero bs=65536 count=16 2>/dev/null; sleep 0.1; done) |
		nc 127.0.0.1 5999 >/dev/null 2>&1 &
	CT_BG3=$!
}
bg_stop() {
	touch "$CT_OUT/bg.stop"
	kill -TERM $CT_BG3 $CT_BG2 2>/dev/null
	wait $CT_BG1 $CT_BG3 $CT_BG2 2>/dev/null
	check "guest: unrelated ctrun transfers ran alongside the matrix ($(grep -c burst "$CT_OUT/bg.count" 2>/dev/null) bursts)" \
		test -s "$CT_OUT/bg.count"
}

# near A B: |A - B| <= 1 % of B, B > 0
near() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b / 100) }'; }

# Tracing a program (-- COMMAND) on each backend: our ctrun run as a foreign
# command; its send and receive copies against its own byte counts, and
# sendfile/zero-copy-receive lines present (a measured 0), not "not traced".
program_tests() {
	for be in $BACKENDS; do
		o=$CT_OUT/prog-$be
		# 499 Hz: enough samples in a short TCG run (the default, 99, is for cost)
		timeout "$RUN_TMO" trace_run --backend "$be" --bpf-stats --sample-freq 499 --folded "$o.folded" \
			--format json --output "$o.json" -- \
			ctrun --impl a2 --size 65536 --net loopback --duration "$D" --quiet --json "$o.app.json" \
			>"$o.out" 2>"$o.err"
		rc=$?
		sent=$(jnum "$o.app.json" bytes_sent)
		sc=$(jnum "$o.json" send_copy_bytes)
		rcv=$(jnum "$o.json" recv_copy_bytes)
		if [ $rc -eq 0 ] && near "$sc" "$sent" && near "$rcv" "$sent"; then
			pass "$be -- ctrun a2: send copy $sc B and receive copy $rcv B within 1 % of $sent B sent"
		else
			fail "$be -- ctrun a2: send and receive copies" "rc=$rc send $sc recv $rcv sent $sent"
			diag "$o.err"
		fi
		sp=$(jnum "$o.json" splice_bytes)
		zr=$(jnum "$o.json" recv_zerocopy_bytes)
		if [ "$sp" = 0 ] && [ "$zr" = 0 ]; then
			pass "$be -- ctrun a2: splice and zero-copy receive lines traced (0 B, none used)"
		else
			fail "$be -- ctrun a2: splice/zero-copy receive lines" "splice '$sp' recv_zerocopy '$zr'"
		fi
		# the profiler names the functions of ctrun's server and client,
		# processes forked after attach (their mappings from the side-band)
		if grep -q ';a2_send;' "$o.folded" 2>/dev/null; then
			pass "$be -- ctrun a2: the profiler's stacks name a2_send in a process started during the trace"
		else
			fail "$be -- ctrun a2: a2_send in the folded stacks" "$(head -c 300 "$o.folded" 2>/dev/null)"
		fi
		bs=$(jnum "$o.json" tracer_ns)
		if [ -n "$bs" ] && [ "$bs" -gt 0 ]; then
			pass "$be -- ctrun a2 --bpf-stats: the tracer's BPF run time measured ($bs ns)"
		else
			fail "$be -- ctrun a2 --bpf-stats" "tracer_ns '$bs'"
		fi
	done
	# Before 5.11 a thread's syscall record is a hash entry by thread id
	# (sysc_h): it must go with its thread. Three ctrun runs come and go
	# under one trace; then, trace_run still attached, the table holds
	# nothing of their threads (none of the shell's: it uses no socket).
	be=${BACKENDS%% *}
	o=$CT_OUT/sysc-$be
	if [ ! -x /usr/sbin/bpftool ]; then
		not_possible "$be: syscall records go with their threads" "no bpftool in the guest"
	else
		timeout "$RUN_TMO" trace_run --backend "$be" --sample-freq 0 --format json --output "$o.json" -- \
			sh -c 'for i in 1 2 3; do ctrun --impl a2 --size 4096 --net loopback --duration 0.3 --quiet || exit 1; done
				if ! /usr/sbin/bpftool map list | grep -q "name sysc_h "; then echo none >'"$o"'.n
				elif /usr/sbin/bpftool -j map dump name sysc_h >'"$o"'.dump 2>'"$o"'.dump.err; then
					grep -o "\"key\"" '"$o"'.dump | wc -l >'"$o"'.n
				fi' >"$o.out" 2>"$o.err"
		rc=$?
		n=$(tr -d ' ' <"$o.n" 2>/dev/null)
		if [ $rc = 0 ] && [ "$n" = none ]; then
			not_possible "$be: syscall records go with their threads" "task-local storage (5.11+): no table to fill"
		elif [ $rc = 0 ] && [ "$n" = 0 ]; then
			pass "$be: syscall records go with their threads (before 5.11: 0 entries left in sysc_h)"
		else
			fail "$be: syscall records go with their threads" "exit $rc, entries left '$n'"
			diag "$o.dump.err"
			diag "$o.err"
		fi
	fi
	# busybox timeout's watcher ("timeout 90 trace_run ...") polls its
	# command once a second and outlives it by up to that long
	sleep 2
}

# emit_ledgers: the ledgers the lead pastes, 64 KiB, every backend and
# topology run; JSON here, the host renders them as tables
# (build/vm/VERSION/ledgers.txt)
emit_ledgers() {
	for be in $BACKENDS; do
		for net in loopback veth nic; do
			for impl in $IMPLS a5 a6copy a6sendfile; do
				[ -s "$CT_OUT/$be-$impl-65536-$net.out" ] || continue
				echo "CT-LEDGER-BEGIN $be-$impl-65536-$net"
				cat "$CT_OUT/$be-$impl-65536-$net.out"
				echo
				echo "CT-LEDGER-END"
			done
		done
	done
}

# app FILE KEY: the server's own count KEY (the "server" object of the JSON)
app() { tr -d ' \t\r\n' <"$1" | sed -n "s/.*\"server\":{[^}]*\"$2\":\([0-9][0-9]*\).*/\1/p" | head -n 1; }

# The NIC path (CT_NIC=1): every backend, a1..a5 at 64 KiB over the two NICs,
# one run at a time (the NICs are one pair). --check holds the NIC variant of
# the invariants (a3/a4: no completion COPIED, pinned = sent, no deferred
# copy; a5: send copy = the headers, spliced = the fields); the lines below
# say what each run saw, and the veth a3 run of the same backend is the
# negative control (every completion COPIED, the copy deferred).
nic_tests() {
	NL=$CT_OUT/nic.list
	: >"$NL"
	for be in $BACKENDS; do
		for impl in $IMPLS a5; do
			echo "$be-$impl-65536-nic json --backend $be --impl $impl --size 65536 --net nic" >>"$NL"
		done
		# kTLS over the NICs, both send modes: the file's pages are
		# encrypted into new buffers there too (--check: nothing left
		# "referenced")
		for m in copy sendfile; do
			[ "${KTLS:-0}" = 1 ] &&
				echo "$be-a6$m-65536-nic json --backend $be --impl a6 --tls-send $m --size 65536 --net nic" >>"$NL"
		done
	done
	_jobs=$JOBS
	JOBS=1
	run_list "$NL"
	JOBS=$_jobs
	for be in $BACKENDS; do
		for impl in $IMPLS a5; do
			result "$be-$impl-65536-nic" "$be $impl 65536 B nic" "$be"
		done
		for m in copy sendfile; do
			[ "${KTLS:-0}" = 1 ] || continue
			o=$CT_OUT/$be-a6$m-65536-nic.out
			result "$be-a6$m-65536-nic" "$be a6 $m 65536 B nic" "$be"
			echo "# KTLS-LEDGER $be a6 $m nic: encrypt $(jled "$o" tls_encrypt_bytes) decrypt $(jled "$o" tls_decrypt_bytes) decrypted_then_copied $(jled "$o" tls_decrypt_copied_bytes) splice $(jled "$o" splice_bytes) send_copy $(jled "$o" send_copy_bytes) recv_copy $(jled "$o" recv_copy_bytes) inferred $(jbool "$o" tls_inferred) messages $(jled "$o" messages)"
		done
		for impl in $IMPLS; do
			case $impl in a3 | a4) ;; *) continue ;; esac
			o=$CT_OUT/$be-$impl-65536-nic.out
			ran "$be-$impl-65536-nic" || continue
			n=$(app "$o" zc_completions) c=$(app "$o" zc_copied)
			[ "$impl" = a4 ] && n=$(app "$o" zc_notifications)
			zp=$(jled "$o" zerocopy_bytes) dc=$(jled "$o" deferred_copy_bytes) sent=$(app "$o" bytes_sent)
			sc=$(jled "$o" send_copy_bytes)
			# a4's COPIED also marks a request no skb carried by reference
			# (io_uring: zc_copied || !zc_used); the ubuf callback's copied
			# skbs say whether pages were copied (empty: not hooked here)
			ub=
			[ "$impl" = a4 ] && ub=$(jnum "$o" copied_skbs '"name":"io_uringubufcallback"')
			# null (empty here): not observable with this backend and kernel
			# (the tracepoint backend before 6.3 sees no io_uring send), said so.
			if gt0 "$n" && [ -n "$c" ] && { [ "$c" = 0 ] || { [ "$impl" = a4 ] && [ "${ub:-0}" = 0 ]; }; } &&
				{ [ "$dc" = 0 ] || [ -z "$dc" ]; } && { near "$zp" "$sent" || [ -z "$zp" ]; }; then
				pass "$be $impl nic: $n completions, $c COPIED (skbs copied: ${ub:-n/a}); pinned ${zp:-n/a} B of $sent B sent; send copy ${sc:-n/a} B; deferred copy ${dc:-n/a} B"
			else
				fail "$be $impl nic: uncopied zero-copy" "completions '$n' copied '$c' pinned '$zp' sent '$sent' deferred '$dc'"
			fi
		done
		o=$CT_OUT/$be-a5-65536-nic.out
		if ran "$be-a5-65536-nic"; then
			sp=$(jnum "$o" splice_bytes) sf=$(app "$o" sendfile_bytes) sc=$(jnum "$o" send_copy_bytes)
			sent=$(app "$o" bytes_sent)
			rm_=$(tr -d ' \t\r\n' <"$o" | sed -n 's/.*"client":{[^}]*"rx_mapped_bytes":\([0-9]*\).*/\1/p' | head -n 1)
			rr=$(tr -d ' \t\r\n' <"$o" | sed -n 's/.*"client":{[^}]*"bytes_received":\([0-9]*\).*/\1/p' | head -n 1)
			# the send copy is the headers (and ready + hello), within 1 %, or at
			# most one header (32 B) over the application's count: a message
			# cut by the run's end sends its header, no field, and is not counted
			hd=$((sc - (sent - sf)))
			if near "$sp" "$sf" && { near "$sc" "$((sent - sf))" || { [ "$hd" -ge 0 ] && [ "$hd" -le 32 ]; }; }; then
				pass "$be a5 nic: send copy $sc B (headers), spliced $sp B (fields); client mapped $rm_ of $rr B received"
			else
				fail "$be a5 nic: headers copied, fields spliced" "send copy '$sc' spliced '$sp' by reference '$sf' sent '$sent'"
			fi
		fi
		# negative control: the same a3 run over veth in this guest
		o=$CT_OUT/$be-a3-65536-veth.out
		n=$(app "$o" zc_completions) c=$(app "$o" zc_copied) dc=$(jnum "$o" deferred_copy_bytes)
		if gt0 "$n" && [ "$c" = "$n" ] && gt0 "$dc"; then
			pass "$be a3 veth (control): all $n completions COPIED, deferred copy $dc B"
		else
			fail "$be a3 veth (control): completions COPIED and deferred copy" "completions '$n' copied '$c' deferred '$dc'"
		fi
	done
}

# Two hosts over the NICs: `trace_run --role server` in one namespace with
# eth0, the plain client in another with eth1, as two machines run it
# (CT_NIC=1); --check holds the sender's ledger, the NIC leaves no copy
twohost_tests() {
	IP=/usr/sbin/ip # busybox sh runs its own ip applet, which has no netns
	for be in $BACKENDS; do
		o=$CT_OUT/$be-a3-twohost
		if ! { $IP netns add ctA && $IP netns add ctB && $IP link set eth0 netns ctA &&
			$IP link set eth1 netns ctB && $IP -n ctA link set lo up && $IP -n ctB link set lo up &&
			$IP -n ctA addr add 198.18.0.1/24 dev eth0 && $IP -n ctA link set eth0 up &&
			$IP -n ctB addr add 198.18.0.2/24 dev eth1 && $IP -n ctB link set eth1 up; }; then
			fail "$be a3 two hosts: a namespace with a NIC per host"
			$IP netns del ctA 2>/dev/null; $IP netns del ctB 2>/dev/null
			continue
		fi
		$IP netns exec ctA trace_run --backend "$be" --impl a3 --size 65536 --role server \
			--listen 198.18.0.1:5311 --duration "$D" --peer-timeout 120 --format json --check \
			--output "$o.json" >"$o.out" 2>"$o.err" &
		tp=$!
		# the server listens once the tracer is attached: 0A = LISTEN, 14BF = 5311
		i=0
		while [ $i -lt 1200 ] && ! $IP netns exec ctA cat /proc/net/tcp | grep -q ':14BF 00000000:0000 0A'; do
			sleep 0.1; i=$((i + 1))
		done
		$IP netns exec ctB client --connect 198.18.0.1 --port 5311 --impl a3 --size 65536 \
			--duration "$D" >"$o.cli" 2>&1
		crc=$?
		wait $tp
		rc=$?
		$IP netns del ctA; $IP netns del ctB
		sent=$(app "$o.json" bytes_sent) zp=$(jled "$o.json" zerocopy_bytes) dc=$(jled "$o.json" deferred_copy_bytes)
		if [ $rc = 0 ] && [ $crc = 0 ] && gt0 "$sent" && { [ -z "$dc" ] || [ "$dc" = 0 ]; }; then
			pass "$be a3 two hosts (--role server over eth0, the client over eth1): --check holds; sent $sent B, pinned ${zp:-n/a} B, deferred copy ${dc:-n/a} B"
		else
			fail "$be a3 two hosts" "trace_run rc=$rc client rc=$crc sent '$sent' pinned '$zp' deferred '$dc'"
			diag "$o.err"; diag "$o.cli"
		fi
	done
}

tracer_tests() {
	if [ ! -x "$CT_BIN/trace_run" ]; then
		fail "guest: trace_run present" "static build failed on the host"
		return 0
	fi
	BACKENDS=$(echo "${CT_BACKENDS:-fentry kprobe tracepoint}" | tr ',' ' ')
	L=$CT_OUT/runs.list
	: >"$L"
	# 64 KiB over one connection on veth and loopback; 4 KiB over two
	# connections on loopback only (the namespaces veth adds are the 64 KiB
	# runs' to show; the guest's time is CI's)
	for be in $BACKENDS; do
		for net in veth loopback; do
			for impl in $IMPLS; do
				echo "$be-$impl-65536-$net json --backend $be --impl $impl --size 65536 --net $net" >>"$L"
				[ "$net" = loopback ] &&
					echo "$be-$impl-4096-$net json --backend $be --impl $impl --size 4096 --net $net --threads 2" >>"$L"
			done
		done
	done
	echo "auto-a2-65536-loopback json --backend auto --impl a2 --size 65536 --net loopback" >>"$L"

	[ -x "$CT_BIN/ctrun" ] && bg_start
	run_list "$L"
	[ -x "$CT_BIN/ctrun" ] && bg_stop

	# --check is the arbiter of every run, whatever the backend: it asserts only
	# what that backend's hooks can count, and fails when a required row is missing
	for be in $BACKENDS; do
		for net in veth loopback; do
			for impl in $IMPLS; do
				result "$be-$impl-65536-$net" "$be $impl 65536 B $net" "$be"
				[ "$net" = loopback ] && result "$be-$impl-4096-$net" "$be $impl 4096 B $net, 2 threads" "$be"
			done
		done
	done
	b=$(backend_of auto-a2-65536-loopback)
	if ran auto-a2-65536-loopback && [ "$b" = fentry ]; then
		pass "auto: backend auto chooses fentry on $(uname -r)"
	else
		fail "auto: backend auto chooses fentry on $(uname -r)" "ran '$b'"; diag "$CT_OUT/auto-a2-65536-loopback.err"
	fi

	for be in $BACKENDS; do
		for net in veth loopback; do
			a2=$CT_OUT/$be-a2-65536-$net.out
			a3=$CT_OUT/$be-a3-65536-$net.out
			if [ "$be" = tracepoint ]; then
				# the tracepoint backend sees bytes, not function bodies: it must
				# not claim a tcp_sendmsg time, and must mark the send copy and
				# the deferred copy as inferred
				if ! ran "$be-a2-65536-$net"; then
					fail "$be a2 $net: no tcp_sendmsg kernel time claimed" "the run failed"
					fail "$be a2 $net: send copy marked inferred" "the run failed"
				else
					v=$(row ns "$a2" '"name":"tcp_sendmsg"')
					if [ "${v:-0}" = 0 ]; then pass "$be a2 $net: no tcp_sendmsg kernel time claimed"; else fail "$be a2 $net: no tcp_sendmsg kernel time claimed" "ns=$v"; fi
					v=$(jbool "$a2" send_copy_inferred)
					if [ "$v" = true ]; then pass "$be a2 $net: send copy marked inferred"; else fail "$be a2 $net: send copy marked inferred" "send_copy_inferred=$v"; fi
				fi
				v=$(jnum "$a3" deferred_copy_bytes)
				i=$(jbool "$a3" deferred_copy_inferred)
				if gt0 "$v" && [ "$i" = true ]; then pass "$be a3 $net: deferred copy inferred ($v B)"; else fail "$be a3 $net: deferred copy inferred" "deferred_copy_bytes='$v' inferred='$i'"; fi
				continue
			fi
			# what fentry/kprobe observe directly and the tracepoint backend can only
			# infer: tcp_sendmsg kernel time, the copy inside it, skb_copy_ubufs bytes
			v=$(row ns "$a2" '"name":"tcp_sendmsg"')
			if gt0 "$v"; then pass "$be a2 $net: tcp_sendmsg kernel time observed ($v ns)"; else fail "$be a2 $net: tcp_sendmsg kernel time observed" "ns=$v"; fi
			v=$(row bytes "$a2" "$COPY_IN")
			h=$(tr -d '\r\n' <"$a2" | sed 's/": */":/g' | tr '{}' '\n\n' | grep -E -- "$COPY_IN" | sed -n 's/.*"hook":"\([^"]*\)".*/\1/p' | head -n 1)
			if gt0 "$v"; then pass "$be a2 $net: copy inside tcp_sendmsg observed ($v B; $h)"; else fail "$be a2 $net: copy inside tcp_sendmsg observed" "bytes=$v"; fi
			v=$(row bytes "$a3" '"name":"skb_copy_ubufs"')
			if gt0 "$v"; then pass "$be a3 $net: skb_copy_ubufs deferred copy observed ($v B)"; else fail "$be a3 $net: skb_copy_ubufs bytes observed" "bytes=$v"; fi
			v=$(jnum "$a3" deferred_copy_bytes)
			if gt0 "$v"; then pass "$be a3 $net: ledger deferred_copy_bytes > 0 ($v B)"; else fail "$be a3 $net: ledger deferred_copy_bytes > 0" "got '$v'"; fi
		done
	done

	[ "${CT_NIC:-0}" = 1 ] && nic_tests
	[ "${CT_NIC:-0}" = 1 ] && twohost_tests

	# a run killed by a signal (exit > 128): show what the kernel said (OOM, oops)
	if grep -qE '^(129|13[0-9]|1[4-9][0-9]|2[0-9][0-9])$' "$CT_OUT"/*.rc 2>/dev/null; then
		echo "# a traced run was killed by a signal; last kernel messages:"
		dmesg | tail -n 25 | sed 's/^/#   dmesg: /'
	fi

	# nothing left behind
	sleep 0.2
	if [ -x /usr/sbin/bpftool ]; then
		check "guest: no BPF link left after the runs" sh -c '[ -z "$(bpftool link list 2>/dev/null)" ]'
	fi
	program_tests
	ktls_tests
	check "guest: no trace_run/ctrun process left" sh -c '! ps | grep -v grep | grep -E "trace_run|ctrun"'

	emit_ledgers
}

# a6 traced on each backend over veth: the kTLS lines must hold every byte over the
# kTLS sockets (the syscall hooks' count: what the application sent and
# received, less the 40 B of ready and hello that go in the clear) and no
# sendfile page may stay "referenced": fentry and kprobe observe them in
# tls.ko's tls_sw_sendmsg/tls_sw_recvmsg (init loaded the module), and
# --check passes; the tracepoint backend infers them from the syscalls,
# says so, and --check calls those two checks not possible (exit 0, never
# a pass of the kernel's encryption). Ledgers printed for the report.
ktls_tests() {
	if [ "${KTLS:-0}" = none ]; then
		for be in $BACKENDS; do
			not_possible "$be a6 traced (kTLS)" "this kernel has no kTLS"
		done
		return 0
	fi
	if [ "${KTLS:-0}" != 1 ]; then
		fail "guest: a6 traced (kTLS)" "a6 does not run untraced on this kernel"
		return 0
	fi
	for be in $BACKENDS; do
		for m in copy sendfile; do
			n=$be-a6$m-65536-veth
			trun "$n" json --backend "$be" --impl a6 --tls-send "$m" --size 65536 --net veth
			o=$CT_OUT/$n.out
			rc=$(cat "$CT_OUT/$n.rc")
			ks=$(jled "$o" ktls_sent_bytes)
			kr=$(jled "$o" ktls_received_bytes)
			te=$(jled "$o" tls_encrypt_bytes)
			td=$(jled "$o" tls_decrypt_bytes)
			tc=$(jled "$o" tls_copied_bytes)
			dc=$(jled "$o" tls_decrypt_copied_bytes)
			sp=$(jled "$o" splice_bytes)
			sent=$(jnum "$o" bytes_sent)
			recv=$(jnum "$o" bytes_received)
			inf=$(jbool "$o" tls_inferred)
			echo "# KTLS-LEDGER $be a6 $m: sent $sent received $recv ktls_sent $ks ktls_received $kr encrypt $te decrypt $td copied_first ${tc:-null} decrypted_then_copied ${dc:-null} send_copy $(jled "$o" send_copy_bytes) recv_copy $(jled "$o" recv_copy_bytes) splice ${sp:-null} inferred $inf messages $(jled "$o" messages)"
			# tls.ko's lines (fentry/kprobe) against the application's
			# count; the tracepoint backend's are the syscall rows'. The
			# syscall rows may fall short only when the notes say a
			# program skipped events (recursion protection: under TCG a
			# preempted sys_exit program makes the next task's skip)
			rec=0
			grep -q 'missed [0-9]* events (BPF recursion protection' "$o" && rec=1
			tls_ok=0
			if [ "$be" = tracepoint ]; then
				[ "$te" = "$ks" ] && [ "$td" = "$kr" ] && tls_ok=1
			else
				[ "$te" = $((sent - 40)) ] && [ "$td" = $((recv - 40)) ] && tls_ok=1
			fi
			sys_ok=0
			if gt0 "$ks" && [ $((ks + 40)) = "$sent" ] && [ $((kr + 40)) = "$recv" ]; then
				sys_ok=1
			elif gt0 "$ks" && [ $rec = 1 ] && [ $((ks + 40)) -le "$sent" ] && [ $((kr + 40)) -le "$recv" ]; then
				sys_ok=2
			fi
			if [ $tls_ok = 1 ] && [ $sys_ok != 0 ]; then
				pass "$be a6 $m veth: kTLS lines: $te B encrypted, $td B decrypted = the bytes over kTLS$([ $sys_ok = 2 ] && echo " (syscall rows $ks/$kr B: short by the events recursion protection skipped, said in the notes)")"
			else
				fail "$be a6 $m veth: kTLS lines hold every byte" "encrypted '$te', decrypted '$td', over kTLS '$ks'/'$kr', app '$sent'/'$recv'"
				diag "$CT_OUT/$n.err"
			fi
			if [ "$m" = sendfile ]; then
				if [ "$sp" = 0 ]; then
					pass "$be a6 sendfile veth: no page left 'referenced, not copied'"
				else
					fail "$be a6 sendfile veth: no page left 'referenced, not copied'" "splice_bytes '$sp'"
				fi
			fi
			if [ "$be" = tracepoint ]; then
				if [ "$rc" = 0 ] && [ "$inf" = true ] && grep -q "check not possible: a6: .* inferred" "$CT_OUT/$n.err"; then
					pass "$be a6 $m veth: inferred, said so; --check: not possible, nothing failed"
				else
					fail "$be a6 $m veth: inferred and said so" "exit $rc, tls_inferred '$inf'"
					diag "$CT_OUT/$n.err"
				fi
				continue
			fi
			# fentry/kprobe: tls.ko's own functions, observed, checked
			if [ "$rc" = 0 ] && [ "$inf" = false ] && ! grep -q "check not possible" "$CT_OUT/$n.err"; then
				pass "$be a6 $m veth: observed in tls.ko; --check passes"
			else
				fail "$be a6 $m veth: observed in tls.ko, --check passes" "exit $rc, tls_inferred '$inf'"
				diag "$CT_OUT/$n.err"
			fi
			# sendfile: only the headers (send with MSG_MORE) are copied into
			# the records; the file's pages are encrypted where they lie
			if [ "$m" = sendfile ] && [ -n "$tc" ] && [ $((tc)) -gt $((te / 100)) ]; then
				fail "$be a6 sendfile veth: the file's pages are not copied first" "copied first '$tc' of '$te'"
			elif [ "$m" = sendfile ] && [ -n "$tc" ]; then
				pass "$be a6 sendfile veth: $tc B copied first (headers), the pages encrypted in place"
			fi
		done
	done
	# a kTLS program of no data path of ours (tests/vm/ktls_pair.c: sets
	# TLS_TX/TLS_RX itself, sender and receiver in two processes)
	for be in $BACKENDS; do
		for m in copy sendfile; do
			n=$be-ktls-pair-$m
			timeout "$RUN_TMO" trace_run --backend "$be" --format json --output "$CT_OUT/$n.json" \
				-- ktls_pair "$m" 4194304 >"$CT_OUT/$n.out" 2>"$CT_OUT/$n.err" </dev/null
			rc=$?
			te=$(jled "$CT_OUT/$n.json" tls_encrypt_bytes)
			td=$(jled "$CT_OUT/$n.json" tls_decrypt_bytes)
			sp=$(jled "$CT_OUT/$n.json" splice_bytes)
			inf=$(jbool "$CT_OUT/$n.json" tls_inferred)
			want=false
			[ "$be" = tracepoint ] && want=true
			echo "# KTLS-LEDGER $be -- ktls_pair $m 4194304: encrypt $te decrypt $td copied_first $(jled "$CT_OUT/$n.json" tls_copied_bytes) send_copy $(jled "$CT_OUT/$n.json" send_copy_bytes) recv_copy $(jled "$CT_OUT/$n.json" recv_copy_bytes) splice $sp inferred $inf"
			if [ $rc = 0 ] && [ "$te" = 4194304 ] && [ "$td" = 4194304 ] && [ "$inf" = $want ] &&
				[ "$sp" = 0 ]; then
				pass "$be -- ktls_pair $m: 4194304 B encrypted and decrypted in the kTLS lines (inferred: $inf), none referenced"
			else
				fail "$be -- ktls_pair $m: the kTLS lines hold its 4194304 B" "exit $rc, encrypted '$te', decrypted '$td', inferred '$inf', splice '$sp'"
				diag "$CT_OUT/$n.err"
				diag "$CT_OUT/$n.out"
			fi
		done
	done
	# The receive side's split: reads of 4 KiB, less than a record, make
	# tls.ko decrypt every record into its own buffer and copy it out
	# (tls_decrypt_copied_bytes = every byte, in the receive copy too);
	# reads of 256 KiB take whole records, decrypted straight into the
	# user's buffer (only a record that does not fit a read's rest is
	# copied). fentry/kprobe see the copies inside tls_sw_recvmsg, the
	# tracepoint backend the copies from skbs of no socket inside the
	# kTLS receive calls.
	for be in $BACKENDS; do
		n=$be-ktls-pair-copy
		tdc=$(jled "$CT_OUT/$n.json" tls_decrypt_copied_bytes)
		td=$(jled "$CT_OUT/$n.json" tls_decrypt_bytes)
		n=$be-ktls-pair-small
		timeout "$RUN_TMO" trace_run --backend "$be" --format json --output "$CT_OUT/$n.json" \
			-- ktls_pair copy 4194304 4096 >"$CT_OUT/$n.out" 2>"$CT_OUT/$n.err" </dev/null
		rc=$?
		sd=$(jled "$CT_OUT/$n.json" tls_decrypt_bytes)
		sdc=$(jled "$CT_OUT/$n.json" tls_decrypt_copied_bytes)
		src=$(jled "$CT_OUT/$n.json" recv_copy_bytes)
		echo "# KTLS-LEDGER $be -- ktls_pair copy 4194304, reads of 256 KiB: decrypt $td decrypted_then_copied ${tdc:-null}; reads of 4 KiB: decrypt $sd decrypted_then_copied ${sdc:-null} recv_copy ${src:-null}"
		# every decrypted byte copied; the total is every byte, or (the
		# tracepoint backend's, from the syscalls) short by the calls the
		# notes say recursion protection skipped
		full=0
		[ "$sd" = 4194304 ] && full=1
		grep -q 'missed [0-9]* events (BPF recursion protection' "$CT_OUT/$n.json" && [ "$be" = tracepoint ] &&
			gt0 "$sd" && [ "$sd" -lt 4194304 ] && full=2
		if [ $rc = 0 ] && [ $full != 0 ] && [ "$sdc" = "$sd" ] && [ -n "$src" ] && [ "$src" -ge "$sdc" ]; then
			pass "$be -- ktls_pair, reads of 4 KiB: all $sdc B decrypted into tls.ko's buffer, then copied (receive copy $src B)$([ $full = 2 ] && echo "; calls skipped by recursion protection, said in the notes")"
		else
			fail "$be -- ktls_pair, reads of 4 KiB: every byte decrypted then copied" "exit $rc, decrypted '$sd', then copied '$sdc', receive copy '$src'"
			diag "$CT_OUT/$n.err"
			tr -d "\n" <"$CT_OUT/$n.json" | grep -o "\"notes\": *\[[^]]*\]" | sed "s/^/#   /"
		fi
		full=0
		[ "$td" = 4194304 ] && full=1
		grep -q 'missed [0-9]* events (BPF recursion protection' "$CT_OUT/$be-ktls-pair-copy.json" &&
			[ "$be" = tracepoint ] && gt0 "$td" && [ "$td" -lt 4194304 ] && full=2
		if [ $full != 0 ] && [ -n "$tdc" ] && [ "$tdc" -lt $((td / 2)) ]; then
			pass "$be -- ktls_pair, reads of 256 KiB: $((td - tdc)) of $td B decrypted straight into the user's buffer"
		else
			fail "$be -- ktls_pair, reads of 256 KiB: most bytes decrypted in place" "decrypted '$td', then copied '$tdc'"
		fi
	done
	# busybox timeout's watchdog outlives its command by up to a second
	# (it polls): the leftover check that follows must not see it
	sleep 1.5
}

# CT_TESTS=nic: the NIC runs, their controls and the ledger table's runs only
nic_only_tests() {
	BACKENDS=$(echo "${CT_BACKENDS:-fentry kprobe tracepoint}" | tr ',' ' ')
	if [ ! -x "$CT_BIN/trace_run" ] || [ "${CT_NIC:-0}" != 1 ]; then
		fail "guest: CT_TESTS=nic needs trace_run and the NICs (CT_NIC=1)"
		return 0
	fi
	L=$CT_OUT/runs.list
	: >"$L"
	first=${BACKENDS%% *}
	# CT_NIC_NETS: the topologies of the table besides the NIC (default veth;
	# loopback copies as veth does, and TCG under load is slow)
	for be in $BACKENDS; do
		for net in ${CT_NIC_NETS:-veth}; do
			for impl in $IMPLS a5; do
				[ "$be" = "$first" ] || [ "$impl-$net" = a3-veth ] || continue
				echo "$be-$impl-65536-$net json --backend $be --impl $impl --size 65536 --net $net" >>"$L"
			done
		done
	done
	run_list "$L"
	while read -r _n _f _a; do
		set -- $_a
		result "$_n" "$2 $4 65536 B ${8}" "$2"
	done <"$L"
	nic_tests
	twohost_tests
	sleep 2
	check "guest: no trace_run/ctrun process left" sh -c '! ps | grep -v grep | grep -E "trace_run|ctrun"'
	emit_ledgers
}

case ${CT_TESTS:-all} in
smoke) echo "# CT_TESTS=smoke: tracer checks not run" ;;
nic) nic_only_tests ;;
*) tracer_tests ;;
esac

# VM_EXTRA on the host: an extra file sourced here (debugging a guest problem)
if [ -r /ct/extra.sh ]; then
	echo "# sourcing /ct/extra.sh (VM_EXTRA)"
	. /ct/extra.sh
fi
