# copytrace guest test list, sourced by tests/vm/init inside the stock-kernel VM.
# Busybox sh only (no bash, no python). Each check prints "ok - NAME" or
# "not ok - NAME" and bumps T_PASS/T_FAIL; init prints the closing marker.
# Knobs (kernel command line words NAME=VALUE reach init as environment):
#   CT_DURATION  seconds per traced run (default 0.5; TCG is slow)
#   CT_TESTS     "all" (default) or "smoke" (environment checks only)
#   CT_RUN_TMO   seconds before one traced run is killed (default 90)
CT_BIN=/ct/bin
CT_OUT=/tmp/ct
D=${CT_DURATION:-0.5}
RUN_TMO=${CT_RUN_TMO:-90}
mkdir -p "$CT_OUT"

pass() { T_PASS=$((T_PASS + 1)); echo "ok - $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $1${2:+: $2}"; }
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
# fentry needs an ftrace-able function; kprobes do not. Say which hooked ones are not.
nf=
for fn in tcp_sendmsg _copy_from_iter _copy_from_iter_nocache _copy_from_iter_full \
	csum_and_copy_from_iter_full skb_zerocopy_iter_stream tcp_recvmsg skb_copy_datagram_iter \
	__msg_zerocopy_callback skb_copy_ubufs; do
	grep -q "^$fn\( \|\$\)" /sys/kernel/tracing/available_filter_functions 2>/dev/null || nf="$nf $fn"
done
echo "# not ftrace-able here (fentry cannot attach, kprobe can):${nf:- none}"
veth_pair() { ip link add ctvm0 type veth peer name ctvm1 && ip link del ctvm0; }
if ! check "guest: veth module loads and a veth pair can be made" veth_pair; then
	diag /tmp/ct-modules.log
fi


# ---- the data paths, untraced --------------------------------------------------------
if [ -x "$CT_BIN/ctrun" ]; then
	for net in loopback veth; do
		check "guest: ctrun a3 65536 B $net runs untraced" \
			timeout "$RUN_TMO" ctrun --impl a3 --size 65536 --threads 1 --duration "$D" --net "$net" --verify
	done
else
	fail "guest: ctrun present" "static build failed on the host"
fi

# ---- the tracer's fentry and kprobe backends ----------------------------------
# trun NAME ARGS...: one traced run, JSON on $CT_OUT/NAME.json, --check asserts the
# ledger against the application's own counts (receive copy = bytes received,
# sender bytes = bytes sent, a1 user copy, a3 completions and deferred copy).
trun() {
	_n=$1; shift
	_t0=$(cut -d' ' -f1 /proc/uptime)
	timeout "$RUN_TMO" trace_run --threads 1 --duration "$D" --mode stream \
		--format json --check "$@" >"$CT_OUT/$_n.json" 2>"$CT_OUT/$_n.err"
	_rc=$?
	echo "# $_n: trace_run exit $_rc in $(awk -v a="$_t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }') s"
	return $_rc
}
# backend_is NAME WANT: the JSON of run NAME says it ran backend WANT
backend_is() { [ "$(jstr "$CT_OUT/$1.json" backend)" = "$2" ]; }
# row VALUE-KEY FILE ROW-ERE: sum of VALUE-KEY over function rows matching ROW-ERE
row() { sum_rows "$2" "$1" "$3"; }
COPY_IN='"name":"(_copy_from_iter|_copy_from_iter_nocache|_copy_from_iter_full|csum_and_copy_from_iter_full|copy_from_iter[a-z_]*)"'

# An unrelated transfer in its own namespaces runs through the whole matrix; the
# tracer filters to its experiment, so --check fails if these bytes are counted.
bg_start() {
	ctrun --impl a2 --size 65536 --threads 1 --duration 100000 --net loopback --mode rr \
		--quiet >"$CT_OUT/bg.out" 2>&1 &
	CT_BG=$!
}
bg_stop() {
	[ -n "${CT_BG:-}" ] || return 0
	kill -TERM "$CT_BG" 2>/dev/null
	wait "$CT_BG" 2>/dev/null
	CT_BG=
}

tracer_tests() {
	if [ ! -x "$CT_BIN/trace_run" ]; then
		fail "guest: trace_run present" "static build failed on the host"
		return 0
	fi
	trace_run --help >/dev/null 2>&1
	[ -x "$CT_BIN/ctrun" ] && bg_start
	for be in fentry kprobe; do
		for net in veth loopback; do
			for impl in a1 a2 a3; do
				for size in 65536 4096; do
					n="$be-$impl-$size-$net"
					if trun "$n" --backend "$be" --impl "$impl" --size "$size" --net "$net"; then
						if backend_is "$n" "$be"; then
							pass "$be $impl $size B $net: ledger matches the application (--check)"
						else
							fail "$be $impl $size B $net: ran backend '$(jstr "$CT_OUT/$n.json" backend)', not $be"
						fi
					else
						fail "$be $impl $size B $net: --check" "exit $?"
						diag "$CT_OUT/$n.err"; diag "$CT_OUT/$n.json" 4
					fi
				done
			done
		done
	done
	n=fentry-a3-65536-veth-t2
	if trun "$n" --backend fentry --impl a3 --size 65536 --net veth --threads 2; then
		pass "fentry a3 65536 B veth, 2 threads: ledger matches the application (--check)"
	else
		fail "fentry a3 65536 B veth, 2 threads: --check" "exit $?"; diag "$CT_OUT/$n.err"
	fi
	bg_stop

	# unrelated traffic in the guest's own namespace (busybox nc over lo)
	nc -l -p 5999 >/dev/null 2>&1 &
	ncl=$!
	sleep 0.2
	(dd if=/dev/zero bs=65536 count=100000 2>/dev/null | nc 127.0.0.1 5999 >/dev/null 2>&1) &
	ncc=$!
	n=fentry-a2-65536-veth-nc
	if trun "$n" --backend fentry --impl a2 --size 65536 --net veth; then
		pass "fentry a2 65536 B veth with a root-namespace transfer running: not counted (--check)"
	else
		fail "fentry a2 65536 B veth with a root-namespace transfer running: --check" "exit $?"; diag "$CT_OUT/$n.err"
	fi
	kill "$ncc" "$ncl" 2>/dev/null
	wait "$ncc" "$ncl" 2>/dev/null

	# auto must prefer fentry on a stock distro kernel
	n=auto-a2-65536-loopback
	if trun "$n" --backend auto --impl a2 --size 65536 --net loopback && backend_is "$n" fentry; then
		pass "auto chooses fentry on $(uname -r)"
	else
		fail "auto chooses fentry on $(uname -r)" "backend '$(jstr "$CT_OUT/$n.json" backend)'"; diag "$CT_OUT/$n.err"
	fi

	# what only fentry/kprobe see directly (the tracepoint backend infers it)
	for be in fentry kprobe; do
		for net in veth loopback; do
			f=$CT_OUT/$be-a2-65536-$net.json
			v=$(row ns "$f" '"name":"tcp_sendmsg"')
			if gt0 "$v"; then pass "$be a2 $net: tcp_sendmsg kernel time observed (${v} ns)"; else fail "$be a2 $net: tcp_sendmsg kernel time observed" "ns=$v"; fi
			v=$(row bytes "$f" "$COPY_IN")
			if gt0 "$v"; then pass "$be a2 $net: user->kernel copy inside tcp_sendmsg observed (${v} B)"; else fail "$be a2 $net: copy inside tcp_sendmsg observed" "bytes=$v"; fi
			f=$CT_OUT/$be-a3-65536-$net.json
			v=$(row bytes "$f" '"name":"skb_copy_ubufs"')
			if gt0 "$v"; then pass "$be a3 $net: skb_copy_ubufs deferred copy observed (${v} B)"; else fail "$be a3 $net: skb_copy_ubufs bytes observed" "bytes=$v"; fi
			v=$(jnum "$f" deferred_copy_bytes)
			if gt0 "$v"; then pass "$be a3 $net: ledger deferred_copy_bytes > 0 (${v} B)"; else fail "$be a3 $net: ledger deferred_copy_bytes > 0" "got '$v'"; fi
		done
	done

	# nothing left behind
	sleep 0.2
	if [ -x /usr/sbin/bpftool ]; then
		check "no BPF link left after the runs" sh -c '[ -z "$(bpftool link list 2>/dev/null)" ]'
	fi
	check "no trace_run/ctrun process left" sh -c '! ps | grep -v grep | grep -qE "trace_run|ctrun"'

	# the ledgers the lead pastes: fentry, 64 KiB, veth (the default topology)
	for impl in a1 a2 a3; do
		echo "CT-LEDGER-BEGIN fentry $impl 65536 B veth ($(uname -r))"
		if [ -x "$CT_BIN/trace_run" ] && timeout "$RUN_TMO" trace_run --backend fentry --impl "$impl" \
			--size 65536 --threads 1 --duration "$D" --net veth --format table 2>&1; then :; else
			echo "(table run failed; JSON of the checked run follows)"
			cat "$CT_OUT/fentry-$impl-65536-veth.json"
		fi
		echo "CT-LEDGER-END"
	done
}

if [ "${CT_TESTS:-all}" = smoke ]; then
	echo "# CT_TESTS=smoke: tracer checks not run"
else
	tracer_tests
fi

# VM_EXTRA on the host: an extra file sourced here (debugging a guest problem)
if [ -r /ct/extra.sh ]; then
	echo "# sourcing /ct/extra.sh (VM_EXTRA)"
	. /ct/extra.sh
fi
