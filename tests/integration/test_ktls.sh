#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# a6, kernel TLS (root). Where the kernel has kTLS: both send modes move
# exactly the bytes they claim, every byte verified by the decrypting
# client, over veth and loopback. Where it has none (this project's 6.18
# host): every binary refuses --impl a6 in one line naming why, exit 1, and
# the data checks are reported as not possible here, never as passed.
source "$(dirname "$0")/../lib.sh"
need_root
DUR=${CT_TEST_DURATION:-0.3}

# Asked independently of the code under test: TCP_ULP (31) "tls" on an
# unconnected socket is ENOENT without kTLS, ENOTCONN with it.
ktls=$(/usr/bin/python3 -c '
import errno, socket
s = socket.socket()
try:
    s.setsockopt(socket.IPPROTO_TCP, 31, b"tls")
    print("yes")
except OSError as e:
    print("no" if e.errno == errno.ENOENT else "yes")')

one_line() { # NAME PATTERN CMD...: exit 1 and exactly one stderr line matching
	local name=$1 pat=$2; shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"; local rc=$?
	local n; n=$(wc -l <"$T_TMP/err")
	if [ "$rc" -eq 1 ] && [ "$n" -eq 1 ] && grep -Eq -- "$pat" "$T_TMP/err"; then pass "$name"
	else fail "$name" "exit $rc, $n stderr lines: $(head -2 "$T_TMP/err" | tr '\n' ' ')"; fi
}

# run_ok NAME ARGS...: ctrun a6 succeeds and its JSON balances.
run_ok() {
	local name=$1; shift
	local j="$T_TMP/r.json"
	if ! "$B/ctrun" --quiet --verify --duration "$DUR" --json "$j" "$@" >"$T_TMP/out" 2>&1; then
		fail "$name" "$(tail -1 "$T_TMP/out")"; return
	fi
	local why
	why=$(jget "$j" "'; '.join(x for x in [
		'server sent %d != client received %d' % (d['server']['bytes_sent'], d['client']['bytes_received']) if d['server']['bytes_sent'] != d['client']['bytes_received'] else '',
		'verify errors %d' % d['verify_errors'] if d['verify_errors'] else '',
		'no messages' if d['messages'] == 0 else '',
		'messages sent %d != received %d' % (d['server']['messages_sent'], d['client']['messages_received']) if d['server']['messages_sent'] != d['client']['messages_received'] else '',
		'tls_send %r' % d['tls_send'] if d['tls_send'] != '$MODE' else '',
		('sendfile %d B != %d messages x %d B payload' % (d['server']['sendfile_bytes'], d['server']['messages_sent'], d['size'] - 32)) if d['tls_send'] == 'sendfile' and d['server']['sendfile_bytes'] != d['server']['messages_sent'] * (d['size'] - 32) else '',
		('copy mode sent %d B by sendfile' % d['server']['sendfile_bytes']) if d['tls_send'] == 'copy' and d['server']['sendfile_bytes'] else '',
	] if x)")
	[ -z "$why" ] && pass "$name" || fail "$name" "$why"
}

if [ "$ktls" = no ]; then
	why="no kernel TLS here: TCP_ULP \"tls\" answers ENOENT"
	for mode in copy sendfile; do
		one_line "ctrun --impl a6 --tls-send $mode names the missing kTLS" "^ctrun: --impl a6: $why" \
			"$B/ctrun" --impl a6 --tls-send "$mode" --net loopback --duration "$DUR"
	done
	one_line "trace_run --impl a6 --check names the missing kTLS" "^trace_run: --impl a6: $why" \
		"$ROOT/trace_run" --impl a6 --check --duration "$DUR"
	one_line "server --impl a6 names the missing kTLS" "^server: --impl a6: $why" \
		"$B/server" --impl a6 --port 5319
	one_line "client --impl a6 names the missing kTLS" "^client: --impl a6: $why" \
		"$B/client" --impl a6 --port 5319 --duration "$DUR"
	for mode in copy sendfile; do
		for net in veth loopback; do
			not_possible "a6 $mode $net: every byte through kTLS" "this kernel has no kTLS"
		done
	done
	finish
	exit
fi

for MODE in copy sendfile; do
	for size in 256 4096 65536 100001; do
		for net in veth loopback; do
			for mode in stream rr; do
				run_ok "a6 $MODE size=$size $net $mode" --impl a6 --tls-send "$MODE" \
					--size "$size" --net "$net" --mode "$mode" --threads 2
			done
		done
	done
done
# both ends must agree on kTLS: a plain client against an a6 server and
# the other way round fail in one line each, naming it
"$B/server" --impl a6 --port 5319 --quiet 2>"$T_TMP/serr" & spid=$!
sleep 0.3
"$B/client" --impl a2 --port 5319 --duration "$DUR" >/dev/null 2>&1
wait "$spid"
grep -q "client does not decrypt kTLS" "$T_TMP/serr" && pass "a6 server refuses a plain client" ||
	fail "a6 server refuses a plain client" "$(cat "$T_TMP/serr")"
"$B/server" --impl a2 --port 5319 --quiet 2>"$T_TMP/serr" & spid=$!
sleep 0.3
"$B/client" --impl a6 --port 5319 --duration "$DUR" >/dev/null 2>&1
wait "$spid"
grep -q "client expects kTLS" "$T_TMP/serr" && pass "plain server refuses an a6 client" ||
	fail "plain server refuses an a6 client" "$(cat "$T_TMP/serr")"
finish
