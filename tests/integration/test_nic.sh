#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# --net nic on this host (root): the topology moves eth0 into the server's
# namespace and eth1 into the client's. Here the "NICs" are a veth pair named
# so, made in a private namespace of the test: the moves, addresses and
# offload precondition are exercised, and --check's NIC invariants must FAIL
# (veth copies zerocopy pages at receive; only a real NIC does not - the VM
# test runs them on virtio-net).
if [ "$(id -u)" -eq 0 ] && [ "${CT_NIC_INNER:-0}" != 1 ]; then
	# everything below in a network namespace of its own: eth0/eth1 are ours
	CT_NIC_INNER=1 exec unshare -n bash "$0" "$@"
fi
source "$(dirname "$0")/../lib.sh"
need_root
DUR=${CT_TEST_DURATION:-0.3}
ip link set lo up
pair() { ip link add eth0 type veth peer name eth1; }

# no device: one line and exit 1 (after the wait for a device coming back)
out=$("$B/ctrun" --impl a2 --duration "$DUR" --net nic 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && grep -q 'no network device eth0' <<<"$out"; then
	pass "--net nic without eth0: one line, exit 1"
else
	fail "--net nic without eth0" "rc=$rc: $out"
fi

# the run itself: both sides moved bytes, verified, the report says nic
pair
if "$B/ctrun" --impl a3 --size 65536 --duration "$DUR" --net nic --verify --quiet --json "$T_TMP/a3.json" >"$T_TMP/out" 2>&1; then
	why=$(jget "$T_TMP/a3.json" "'; '.join(x for x in [
		'net %r' % d['net'] if d['net'] != 'nic' else '',
		'sent %d != received %d' % (d['server']['bytes_sent'], d['client']['bytes_received']) if d['server']['bytes_sent'] != d['client']['bytes_received'] or not d['messages'] else '',
		'verify errors %d' % d['verify_errors'] if d['verify_errors'] else ''] if x)")
	[ -z "$why" ] && pass "ctrun a3 --net nic over a veth pair named eth0/eth1: bytes balance, verified" || fail "ctrun a3 --net nic" "$why"
else
	fail "ctrun a3 --net nic" "$(tail -1 "$T_TMP/out")"
fi
# a veth pair dies with the namespaces (a real NIC comes back instead)
sleep 1

# a NIC without scatter-gather: refused in one line, before any traffic
pair
/usr/bin/python3 - <<'PY' || fail "turning scatter-gather off on eth0 (SIOCETHTOOL ETHTOOL_SSG)"
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ev = bytearray(struct.pack("II", 0x19, 0))  # ETHTOOL_SSG, off
ifr = struct.pack("16sP", b"eth0", __import__("ctypes").addressof((__import__("ctypes").c_char * 8).from_buffer(ev)))
fcntl.ioctl(s.fileno(), 0x8946, ifr)  # SIOCETHTOOL
PY
out=$("$B/ctrun" --impl a3 --duration "$DUR" --net nic 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && grep -q 'eth0 has scatter-gather off' <<<"$out"; then
	pass "--net nic with scatter-gather off: one line, exit 1"
else
	fail "--net nic with scatter-gather off" "rc=$rc: $out"
fi
ip link del eth0 2>/dev/null

# --check's NIC variant fails where zero-copy is copied after all
if [ -x "$ROOT/trace_run" ]; then
	pair
	"$ROOT/trace_run" --backend tracepoint --impl a3 --duration "$DUR" --net nic --check \
		--format json --output "$T_TMP/t.json" >"$T_TMP/t.out" 2>"$T_TMP/t.err"
	rc=$?
	if [ $rc -ne 0 ] && grep -q 'check failed: a3 over a NIC: the kernel flagged' "$T_TMP/t.err" &&
		grep -q 'check failed: a3 over a NIC: deferred copy' "$T_TMP/t.err"; then
		pass "--check over veth posing as a NIC: COPIED completions and the deferred copy fail it"
	else
		fail "--check NIC invariants on veth" "rc=$rc: $(head -c 400 "$T_TMP/t.err")"
	fi
	sleep 1
	pair
	if "$ROOT/trace_run" --backend tracepoint --impl a2 --duration "$DUR" --net nic --check \
		--format json --output "$T_TMP/t2.json" >"$T_TMP/t.out" 2>"$T_TMP/t.err"; then
		pass "trace_run a2 --net nic --check passes (the tracer follows the moved devices' namespaces)"
	else
		fail "trace_run a2 --net nic --check" "$(tail -2 "$T_TMP/t.err")"
	fi
else
	fail "trace_run built" "$ROOT/trace_run missing"
fi
finish
