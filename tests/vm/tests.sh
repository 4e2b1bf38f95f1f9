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
veth_pair() { ip link add ctvm0 type veth peer name ctvm1 && ip link del ctvm0; }
if ! check "guest: veth module loads and a veth pair can be made" veth_pair; then
	diag /tmp/ct-modules.log
fi


# ---- the tracer's fentry and kprobe backends ----------------------------------
tracer_tests() {
	:
}

if [ "${CT_TESTS:-all}" = smoke ]; then
	echo "# CT_TESTS=smoke: tracer checks not run"
else
	tracer_tests
fi
