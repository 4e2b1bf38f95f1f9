#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# trace_run --role on two "hosts": two network namespaces of this host joined
# by veth, one command in each, as on two machines. The traced side's ledger
# against its own counters (the peer's lines are not on this host, never 0),
# a3's deferred copy over veth, --check; bad peers (nothing listening, no
# client, a hello mismatch, a peer killed or gone silent mid-run, a bad
# ADDR:PORT) end in one line and a non-zero exit, Ctrl-C with the report;
# nothing left behind (namespaces, processes, BPF links).
source "$(dirname "$0")/../lib.sh"
need_root
TR=${CT_TEST_TRACE_RUN:-$ROOT/trace_run}
[ -x "$TR" ] && [ -x "$B/client" ] && [ -x "$B/server" ] ||
	{ fail "trace_run, build/server and build/client are built" "run make first"; finish; exit 1; }
PY=/usr/bin/python3
DUR=${CT_TEST_DURATION:-1}
HANG=90 # no run here may take longer: beyond it, a hang
TAG=ct2h$$
NS_S=${TAG}s NS_C=${TAG}c
SA=198.19.7.1 CA=198.19.7.2 PORT=5307 # RFC 2544 benchmarking range
BG=()

cleanup() {
	for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "$NS_S" "$NS_C"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT

# the two hosts: server side S (SA), client side C (CA), a veth wire between
ip netns add "$NS_S" && ip netns add "$NS_C" &&
	ip -n "$NS_S" link add ${TAG}a type veth peer name ${TAG}b netns "$NS_C" &&
	ip -n "$NS_S" addr add $SA/24 dev ${TAG}a && ip -n "$NS_S" link set ${TAG}a up &&
	ip -n "$NS_S" link set lo up &&
	ip -n "$NS_C" addr add $CA/24 dev ${TAG}b && ip -n "$NS_C" link set ${TAG}b up &&
	ip -n "$NS_C" link set lo up ||
	{ fail "two namespaces joined by veth"; finish; exit 1; }
S=(ip netns exec "$NS_S") # ip execs the command: $! is its pid
C=(ip netns exec "$NS_C")
links_before
# wait_flow: until a connection to the port is established in C (30 s at
# most), then a second of traffic
wait_flow() {
	for _ in $(seq 300); do
		[ -n "$("${C[@]}" ss -Htn state established "( dport = :$PORT )" 2>/dev/null)" ] && { sleep 1; return 0; }
		sleep 0.1
	done
	return 1
}

# near OBSERVED EXPECTED: within 1 % (and expected > 0)
near() { $PY -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if b > 0 and abs(a-b) <= b/100 else 1)" "$1" "$2"; }
# one_line FILE: exactly one non-empty line
one_line() { [ "$(grep -c . "$1")" -eq 1 ]; }

# role_server NAME IMPL [client args...]: trace_run --role server in S
# (JSON into $T_TMP/NAME.json), build/client in C; both exit codes kept.
# BOTH: options of the message model, given to both ends.
BOTH=()
role_server() {
	local name=$1 impl=$2; shift 2
	timeout $HANG nice ip netns exec "$NS_S" "$TR" --backend tracepoint --impl "$impl" --role server \
		--listen $SA:$PORT --duration "$DUR" --peer-timeout 20 --sample-freq 0 --check "${BOTH[@]}" \
		--format json --output "$T_TMP/$name.json" >"$T_TMP/$name.tout" 2>"$T_TMP/$name.terr" &
	local t=$!
	timeout $HANG nice ip netns exec "$NS_C" "$B/client" --connect $SA --port $PORT --impl "$impl" \
		--duration 30 --peer-timeout 20 --quiet --json "$T_TMP/$name.peer.json" "${BOTH[@]}" "$@" \
		>"$T_TMP/$name.pout" \
		2>"$T_TMP/$name.perr"
	PEER_RC=$?
	wait $t
	TRACE_RC=$?
}
# role_client NAME IMPL [trace_run args...]: build/server in S, trace_run
# --role client in C (JSON into $T_TMP/NAME.json)
role_client() {
	local name=$1 impl=$2; shift 2
	timeout $HANG nice ip netns exec "$NS_S" "$B/server" --bind $SA --port $PORT --impl "$impl" \
		--quiet --json "$T_TMP/$name.peer.json" --peer-timeout 20 "${BOTH[@]}" >"$T_TMP/$name.pout" \
		2>"$T_TMP/$name.perr" &
	local s=$!
	timeout $HANG nice ip netns exec "$NS_C" "$TR" --backend tracepoint --impl "$impl" --role client \
		--connect $SA:$PORT --duration "$DUR" --peer-timeout 20 --sample-freq 0 --check "${BOTH[@]}" "$@" \
		>"$T_TMP/$name.tout" 2>"$T_TMP/$name.terr"
	TRACE_RC=$?
	wait $s
	PEER_RC=$?
}
J() { jget "$T_TMP/$1.json" "$2" 2>/dev/null; }
P() { jget "$T_TMP/$1.peer.json" "$2" 2>/dev/null; }
ran_ok() { # RUN LABEL: both ends of RUN exited 0
	[ "$TRACE_RC" = 0 ] && [ "$PEER_RC" = 0 ] && return 0
	fail "$2: both ends exit 0" "trace_run $TRACE_RC: $(tail -2 "$T_TMP/$1.terr" | tr '\n' ' '); peer $PEER_RC: $(tail -1 "$T_TMP/$1.perr")"
	return 1
}

# ---- --role server: the sender traced here, build/client on the other host ----------------
BOTH=(--verify)
role_server srv_a2 a2
BOTH=()
if ran_ok srv_a2 "role server a2"; then
	pass "role server a2 --check: both ends exit 0 (the peer verified every byte)"
	sent=$(J srv_a2 "d['app']['server']['bytes_sent']")
	[ "$(J srv_a2 "d['role'], d['peer'].split(':')[0]")" = "server $CA" ] &&
		pass "role server: the report names the role and the peer ($CA)" ||
		fail "role server: role and peer in the report" "$(J srv_a2 "d.get('role'), d.get('peer')")"
	[ "$(P srv_a2 "d['client']['bytes_received']")" = "$sent" ] && [ "$(P srv_a2 "d['client']['verify_errors']")" = 0 ] &&
		pass "role server: the peer received every byte sent ($sent B), verified" ||
		fail "role server: peer bytes" "peer $(P srv_a2 "d['client']['bytes_received']"), sent $sent"
	near "$(J srv_a2 "d['ledger']['send_copy_bytes']")" "$sent" &&
		pass "role server a2: send copy within 1 % of the server's bytes_sent" ||
		fail "role server a2: send copy" "$(J srv_a2 "d['ledger']['send_copy_bytes']") vs $sent"
	[ "$(J srv_a2 "[d['ledger'][k] for k in ('recv_copy_bytes', 'recv_zerocopy_bytes', 'splice_out_bytes', 'tls_decrypt_bytes')], d['app']['client'], d['app']['bytes_received'], sorted(d['ledger']['not_on_this_host'])")" = \
		"[None, None, None, None] None None ['recv_copy_bytes', 'recv_zerocopy_bytes', 'splice_out_bytes', 'tls_decrypt_bytes']" ] &&
		pass "role server: the receiver's lines and figures are null and 'not on this host', never 0" ||
		fail "role server: receiver lines" "$(J srv_a2 "d['ledger']")"
fi

role_server srv_a3 a3
if ran_ok srv_a3 "role server a3"; then
	pass "role server a3 --check: both ends exit 0"
	why=$(J srv_a3 "'; '.join(x for x in [
		'pinned %d vs sent %d' % (d['ledger']['zerocopy_bytes'], d['app']['server']['bytes_sent']) if abs(d['ledger']['zerocopy_bytes'] - d['app']['server']['bytes_sent']) > d['app']['server']['bytes_sent'] / 100 else '',
		'deferred %d < pinned %d' % (d['ledger']['deferred_copy_bytes'], d['ledger']['zerocopy_bytes']) if d['ledger']['deferred_copy_bytes'] < 0.99 * d['ledger']['zerocopy_bytes'] else '',
		'COPIED %d of %d' % (d['app']['server']['zc_copied'], d['app']['server']['zc_completions']) if d['app']['server']['zc_copied'] != d['app']['server']['zc_completions'] or not d['app']['server']['zc_completions'] else ''] if x)")
	[ -z "$why" ] && pass "role server a3 over veth: the ledger still shows the deferred copy (pinned = sent, deferred >= pinned, every completion COPIED)" ||
		fail "role server a3 deferred copy" "$why"
fi

# --duration of the server caps the peer's window (its own --duration 30)
[ -s "$T_TMP/srv_a2.peer.json" ] && $PY -c "import json,sys; w=json.load(open(sys.argv[1]))['client']['window_s']; sys.exit(0 if 0 < w < 20 else 1)" "$T_TMP/srv_a2.peer.json" &&
	pass "role server: the peer's window is the server's --duration, not its own 30 s" ||
	fail "role server: duration cap" "window $(P srv_a2 "d['client']['window_s']")"

# ---- --role client: the receiver traced here, build/server on the other host ---------------
BOTH=(--verify)
role_client cli_a2 a2 --format json --output "$T_TMP/cli_a2.json"
BOTH=()
if ran_ok cli_a2 "role client a2"; then
	pass "role client a2 --check: both ends exit 0"
	got=$(J cli_a2 "d['app']['client']['bytes_received']")
	[ "$(J cli_a2 "d['role'], d['peer']")" = "client $SA:$PORT" ] &&
		pass "role client: the report names the role and the peer ($SA:$PORT)" ||
		fail "role client: role and peer" "$(J cli_a2 "d.get('role'), d.get('peer')")"
	[ "$(P cli_a2 "d['server']['bytes_sent']")" = "$got" ] && [ "$(J cli_a2 "d['app']['verify_errors']")" = 0 ] &&
		pass "role client: every byte the peer sent received ($got B), verified" ||
		fail "role client: bytes" "peer sent $(P cli_a2 "d['server']['bytes_sent']"), received $got"
	near "$(J cli_a2 "d['ledger']['recv_copy_bytes']")" "$got" &&
		pass "role client a2: receive copy within 1 % of the client's bytes_received" ||
		fail "role client a2: receive copy" "$(J cli_a2 "d['ledger']['recv_copy_bytes']") vs $got"
	[ "$(J cli_a2 "[d['ledger'][k] for k in ('user_copy_bytes', 'send_copy_bytes', 'zerocopy_bytes', 'deferred_copy_bytes', 'splice_bytes', 'tls_encrypt_bytes')], d['app']['server'], d['app']['bytes_sent'], len(d['ledger']['not_on_this_host'])")" = \
		"[None, None, None, None, None, None] None None 6" ] &&
		pass "role client: the sender's lines and figures are null and 'not on this host', never 0" ||
		fail "role client: sender lines" "$(J cli_a2 "d['ledger']")"
fi

# a5 with the mapping receiver, as CSV: mapped + copied = received
role_client cli_a5 a5 --format csv --output "$T_TMP/cli_a5.csv"
if ran_ok cli_a5 "role client a5"; then
	pass "role client a5 (--rx zerocopy) --check: both ends exit 0"
	$PY - "$T_TMP/cli_a5.csv" "$T_TMP/cli_a5.peer.json" <<'PY' && pass "role client a5 CSV: receive copy + mapped = the peer's bytes sent (1 %), the sender's lines 'not on this host', the peer named" || fail "role client a5 CSV" "$(head -c 300 "$T_TMP/cli_a5.csv")"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
led = {r["name"]: r for r in rows if r["section"] == "ledger" and not r["side"]}
sent = json.load(open(sys.argv[2]))["server"]["bytes_sent"]
got = int(led["recv_copy_bytes"]["bytes"]) + int(led["recv_zerocopy_bytes"]["bytes"])
assert abs(got - sent) <= sent / 100, (got, sent)
assert all(led[k]["hook"] == "not on this host" and led[k]["bytes"] == "" for k in
           ("user_copy_bytes", "send_copy_bytes", "zerocopy_bytes", "deferred_copy_bytes", "splice_bytes"))
peer = [r for r in rows if r["section"] == "app" and r["name"] == "peer"]
assert peer and peer[0]["side"] == "client" and peer[0]["hook"].startswith("198.19.7.1:"), peer
assert not [r for r in rows if r["section"] == "app" and r["name"] == "bytes_sent"]
PY
fi

# the table says the same in words
BOTH=(--mode rr)
role_client cli_tab a1
BOTH=()
if ran_ok cli_tab "role client a1 rr table"; then
	grep -q "role client (the receiver), peer $SA:$PORT (not traced here)" "$T_TMP/cli_tab.tout" &&
		[ "$(grep -c 'not on this host: the sender' "$T_TMP/cli_tab.tout")" -eq 6 ] &&
		pass "role client table (rr): the role, the peer and the sender's lines not on this host" ||
		fail "role client table" "$(head -12 "$T_TMP/cli_tab.tout" | tr '\n' '|')"
fi

# ---- bad peers: one line on stderr, non-zero, in bounded time ------------------------------
# bad NAME PATTERN CMD...: CMD exits non-zero within $HANG s, one stderr line matching PATTERN
bad() {
	local name=$1 pat=$2; shift 2
	local t0=$SECONDS
	case $1 in S) shift; set -- "${S[@]}" "$@" ;; C) shift; set -- "${C[@]}" "$@" ;; esac
	timeout $HANG "$@" >"$T_TMP/bad.out" 2>"$T_TMP/bad.err"
	local rc=$? dt=$((SECONDS - t0))
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && one_line "$T_TMP/bad.err" && grep -Eq -- "$pat" "$T_TMP/bad.err"; then
		pass "$name: one line, exit $rc, ${dt} s"
	else
		fail "$name" "rc=$rc in ${dt} s, stderr: $(head -3 "$T_TMP/bad.err" | tr '\n' '|')"
	fi
}
bad "role client, nothing listening (--peer-timeout 2)" "cannot connect to $SA port $PORT: Connection refused" \
	C "$TR" --impl a2 --role client --connect $SA:$PORT --peer-timeout 2 --sample-freq 0
bad "role client, an address nobody answers" "cannot connect to 198.19.7.9 port $PORT" \
	C "$TR" --impl a2 --role client --connect 198.19.7.9:$PORT --peer-timeout 2 --sample-freq 0
bad "role server, no client comes (--peer-timeout 2)" "0 of 1 clients connected within 2 s" \
	S "$TR" --impl a2 --role server --listen $PORT --peer-timeout 2 --sample-freq 0
bad "unparseable --connect ADDR:PORT" "--connect '$SA:http': port must be 1..65535" \
	"$TR" --impl a2 --role client --connect "$SA:http"
bad "unparseable --listen" "--listen '\[::1': is not|--listen '\[::1' is not" \
	"$TR" --impl a2 --role server --listen "[::1"
bad "--role with --net" "--net picks the topology" "$TR" --impl a2 --role server --net veth

# a hello mismatch: the traced side and the peer each say what differs
"${S[@]}" "$TR" --impl a3 --role server --listen $PORT --peer-timeout 20 --sample-freq 0 \
	>/dev/null 2>"$T_TMP/mm.terr" & t=$!
BG+=("$t")
bad "role server a3, peer client a2: the peer refused" "server refused: the server has --impl a3, this client --impl a2" \
	C "$B/client" --connect $SA --port $PORT --impl a2 --duration 5 --peer-timeout 20 --quiet
wait $t; rc=$?
[ $rc -ne 0 ] && one_line "$T_TMP/mm.terr" && grep -q "the client has --impl a2, this server --impl a3 (use the same" "$T_TMP/mm.terr" &&
	pass "role server: a client with another --impl is refused in one line, exit $rc" ||
	fail "role server hello mismatch" "rc=$rc: $(head -2 "$T_TMP/mm.terr" | tr '\n' '|')"
"${S[@]}" "$B/server" --port $PORT --size 4096 --impl a2 --quiet 2>"$T_TMP/mm.perr" & s=$!
BG+=("$s")
bad "role client --size 65536 against a server of 4096 B" "server refused: the server has --size 4096, this client --size 65536" \
	C "$TR" --impl a2 --role client --connect $SA:$PORT --sample-freq 0
wait $s; rc=$?
[ $rc -ne 0 ] && grep -q "the client has --size 65536, this server --size 4096" "$T_TMP/mm.perr" &&
	pass "the peer build/server refuses the size mismatch too, exit $rc" || fail "peer server mismatch" "rc=$rc: $(cat "$T_TMP/mm.perr")"

# a peer killed mid-run (stopped first, so it dies with data unread: a reset)
"${S[@]}" "$TR" --impl a2 --role server --listen $PORT --duration 60 --peer-timeout 20 --sample-freq 0 \
	>/dev/null 2>"$T_TMP/k1.err" & t=$!
"${C[@]}" "$B/client" --connect $SA --port $PORT --impl a2 --duration 60 --peer-timeout 30 --quiet >/dev/null 2>&1 & c=$!
BG+=("$t" "$c")
wait_flow; kill -STOP $c; sleep 0.5; kill -KILL $c; wait $c 2>/dev/null
t0=$SECONDS; wait $t; rc=$?
[ $rc -ne 0 ] && one_line "$T_TMP/k1.err" && grep -q "client closed the connection mid-run" "$T_TMP/k1.err" &&
	pass "role server, peer client killed mid-run: one line, exit $rc, $((SECONDS - t0)) s" ||
	fail "role server, peer killed" "rc=$rc: $(head -3 "$T_TMP/k1.err" | tr '\n' '|')"
"${S[@]}" "$B/server" --port $PORT --impl a2 --quiet >/dev/null 2>&1 & s=$!
"${C[@]}" "$TR" --impl a2 --role client --connect $SA:$PORT --duration 60 --peer-timeout 20 --sample-freq 0 \
	>/dev/null 2>"$T_TMP/k2.err" & t=$!
BG+=("$s" "$t")
wait_flow; kill -KILL $s; wait $s 2>/dev/null
t0=$SECONDS; wait $t; rc=$?
[ $rc -ne 0 ] && one_line "$T_TMP/k2.err" && grep -q "server closed the connection mid-run" "$T_TMP/k2.err" &&
	pass "role client, peer server killed mid-run: one line, exit $rc, $((SECONDS - t0)) s" ||
	fail "role client, peer killed" "rc=$rc: $(head -3 "$T_TMP/k2.err" | tr '\n' '|')"

# a peer gone silent (its link down: no FIN, no reset, nothing more)
"${S[@]}" "$TR" --impl a2 --role server --listen $PORT --duration 60 --peer-timeout 3 --sample-freq 0 \
	>/dev/null 2>"$T_TMP/q1.err" & t=$!
"${C[@]}" "$B/client" --connect $SA --port $PORT --impl a2 --duration 60 --peer-timeout 30 --quiet >/dev/null 2>&1 & c=$!
BG+=("$t" "$c")
wait_flow; ip -n "$NS_C" link set ${TAG}b down
t0=$SECONDS; wait $t; rc=$?
[ $rc -ne 0 ] && one_line "$T_TMP/q1.err" && grep -q "client gone mid-run.*--peer-timeout 3 s" "$T_TMP/q1.err" &&
	pass "role server, peer gone silent: one line, exit $rc, $((SECONDS - t0)) s (--peer-timeout 3)" ||
	fail "role server, peer silent" "rc=$rc: $(head -3 "$T_TMP/q1.err" | tr '\n' '|')"
kill -KILL $c 2>/dev/null; wait $c 2>/dev/null
ip -n "$NS_C" link set ${TAG}b up
"${S[@]}" "$B/server" --port $PORT --impl a2 --quiet >/dev/null 2>&1 & s=$!
"${C[@]}" "$TR" --impl a2 --role client --connect $SA:$PORT --duration 60 --peer-timeout 3 --sample-freq 0 \
	>/dev/null 2>"$T_TMP/q2.err" & t=$!
BG+=("$s" "$t")
wait_flow; ip -n "$NS_S" link set ${TAG}a down
t0=$SECONDS; wait $t; rc=$?
[ $rc -ne 0 ] && one_line "$T_TMP/q2.err" && grep -q "no data from the server for 3 s" "$T_TMP/q2.err" &&
	pass "role client, peer gone silent: one line, exit $rc, $((SECONDS - t0)) s (--peer-timeout 3)" ||
	fail "role client, peer silent" "rc=$rc: $(head -3 "$T_TMP/q2.err" | tr '\n' '|')"
kill -KILL $s 2>/dev/null; wait $s 2>/dev/null
ip -n "$NS_S" link set ${TAG}a up

# ---- Ctrl-C: the run ends cleanly, with the report ------------------------------------------
sigint() { # ROLE
	local t p
	if [ "$1" = server ]; then
		"${S[@]}" "$TR" --impl a2 --role server --listen $PORT --duration 60 --sample-freq 0 --format json \
			>"$T_TMP/int.json" 2>"$T_TMP/int.err" & t=$!
		"${C[@]}" "$B/client" --connect $SA --port $PORT --impl a2 --duration 60 --peer-timeout 30 --quiet >/dev/null 2>&1 & p=$!
	else
		"${S[@]}" "$B/server" --port $PORT --impl a2 --quiet >/dev/null 2>&1 & p=$!
		"${C[@]}" "$TR" --impl a2 --role client --connect $SA:$PORT --duration 60 --sample-freq 0 --format json \
			>"$T_TMP/int.json" 2>"$T_TMP/int.err" & t=$!
	fi
	BG+=("$t" "$p")
	wait_flow
	kill -INT $t
	local t0=$SECONDS rc
	wait $t; rc=$?
	kill -KILL $p 2>/dev/null; wait $p 2>/dev/null
	local key=bytes_received
	[ "$1" = server ] && key=bytes_sent
	[ $rc -eq 130 ] && one_line "$T_TMP/int.err" && grep -q "interrupted; the report covers" "$T_TMP/int.err" &&
		[ "$(jget "$T_TMP/int.json" "d['role'], d['app']['$key'] > 0")" = "$1 True" ] &&
		[ $((SECONDS - t0)) -le 20 ] && return 0
	echo "rc=$rc in $((SECONDS - t0)) s: $(head -3 "$T_TMP/int.err" | tr '\n' '|') $(head -c 100 "$T_TMP/int.json" | tr '\n' ' ')"
	return 1
}
check "role server: SIGINT ends the run with the report (exit 130, one line)" sigint server
check "role client: SIGINT ends the run with the report (exit 130, one line)" sigint client

# ---- nothing left behind ---------------------------------------------------------------------
for p in "${BG[@]}"; do kill -0 "$p" 2>/dev/null && fail "a process the test started is still running" "pid $p"; done
[ -z "$(ip netns pids "$NS_S")$(ip netns pids "$NS_C")" ] &&
	pass "no process left in either host's namespace (trace_run, server, client)" ||
	fail "processes left" "$(ip netns pids "$NS_S") $(ip netns pids "$NS_C")"
ip netns del "$NS_S"; ip netns del "$NS_C"
! ip netns list | grep -q "$TAG" && pass "the test's namespaces are gone" || fail "namespaces left" "$(ip netns list | grep "$TAG")"
links_after
finish
