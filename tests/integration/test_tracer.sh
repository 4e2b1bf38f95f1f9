#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The eBPF tracer on this machine's backend (root): trace_run --check asserts
# the ledger against what the applications counted, for a1..a5 x 4096/65536
# x threads 1/4 x veth/loopback; unrelated TCP traffic is not counted;
# --compare reports an overhead; formats and errors; Ctrl-C leaves no BPF
# link, namespace or process behind.
source "$(dirname "$0")/../lib.sh"
need_root
TR="$ROOT/trace_run"
DUR=${CT_TEST_DURATION:-0.5}
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }

# trun NAME ARGS...: one checked traced run, JSON to $T_TMP/NAME.json
trun() {
	local name=$1; shift
	timeout 60 "$TR" --duration "$DUR" --format json --check --verify "$@" \
		>"$T_TMP/$name.json" 2>"$T_TMP/$name.err"
}

# Links held by a process: "link_id:" in the fdinfo of its link fds.
held_links() { grep -h '^link_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u; }
link_exists() { bpftool link show id "$1" >/dev/null 2>&1; }
netns_before=$(ip netns list 2>/dev/null | sort | md5sum)

# ---- the matrix, each run asserting its own ledger (--check) ------------------
for impl in a1 a2 a3 a4 a5; do
	for size in 4096 65536; do
		for th in 1 4; do
			for net in veth loopback; do
				n="$impl-$size-t$th-$net"
				if trun "$n" --impl "$impl" --size "$size" --threads "$th" --net "$net"; then
					pass "$impl $size B threads=$th $net: ledger matches the application (--check)"
				else
					fail "$impl $size B threads=$th $net: --check" "$(tr '\n' ' ' <"$T_TMP/$n.err" | cut -c1-400)"
				fi
			done
		done
	done
done

# ---- what the ledger says for each path (tracepoint backend, 64 KiB veth) -----
led() { jget "$T_TMP/$1-65536-t1-veth.json" "d['ledger']['$2']"; }
app() { jget "$T_TMP/$1-65536-t1-veth.json" "d['app']['server']['$2']"; }
check "JSON has the documented top-level keys" jget "$T_TMP/a2-65536-t1-veth.json" \
	"[d[k] for k in ('impl','size','threads','net','mode','backend','kernel','app','functions','ledger')] and all(k in r for r in d['functions'] for k in ('side','name','hook','calls','bytes','ns')) or exit(1)"
[ "$(led a1 user_copy_bytes)" = "$(app a1 gather_bytes)" ] && [ "$(led a1 user_copy_bytes)" -gt 0 ] &&
	pass "a1: user-space gather bytes = bytes gathered ($(led a1 user_copy_bytes))" || fail "a1: user copy bytes" "$(led a1 user_copy_bytes) vs $(app a1 gather_bytes)"
[ "$(led a2 user_copy_bytes)" = 0 ] && [ "$(led a2 send_copy_bytes)" -gt 0 ] && [ "$(led a2 zerocopy_bytes)" = 0 ] &&
	pass "a2: no user copy, kernel send copy $(led a2 send_copy_bytes) B" || fail "a2 ledger" "$(jget "$T_TMP/a2-65536-t1-veth.json" "d['ledger']")"
z=$(led a3 zerocopy_bytes); dc=$(led a3 deferred_copy_bytes); sent=$(app a3 bytes_sent)
[ "$z" -gt 0 ] && [ "$dc" -ge $((z - z / 100)) ] && [ "$(led a3 send_copy_bytes)" -lt $((sent / 100 + 100)) ] &&
	pass "a3 veth: send copy replaced by pinning ($z B) and deferred to receive ($dc B)" ||
	fail "a3 ledger" "$(jget "$T_TMP/a3-65536-t1-veth.json" "d['ledger']")"
z=$(led a4 zerocopy_bytes); dc=$(led a4 deferred_copy_bytes); sent=$(app a4 bytes_sent)
[ "$z" -gt 0 ] && [ "$dc" -ge $((z - z / 100)) ] && [ "$(led a4 send_copy_bytes)" -lt $((sent / 100 + 100)) ] &&
	pass "a4 veth: io_uring SEND_ZC pins ($z B), the copy deferred to receive ($dc B)" ||
	fail "a4 ledger" "$(jget "$T_TMP/a4-65536-t1-veth.json" "d['ledger']")"
check "a4: one io_uring notification row call per notification the application counted" \
	jget "$T_TMP/a4-65536-t1-veth.json" "[r for r in d['functions'] if r['name'] == 'io_uring zc notifications' and r['calls'] == d['app']['server']['zc_notifications'] > 0 and r['zc_copied_flagged'] == d['app']['server']['zc_copied']] or exit(1)"
# a1's uprobe site, read back by the server before the tracer detached: a
# trap or an optimized call, never the untouched nop (the probe was on it)
check "a1: the probe site reads back as the kernel's uprobe (int3 or an optimized call)" \
	jget "$T_TMP/a1-65536-t1-veth.json" "d['app']['server']['probe_site'].split(':')[0] in ('int3', 'call') or exit(1)"
# Completion latency and waits: a3 and a4 time their completions (a
# latency can only be positive and the quantiles ordered), the wait is the
# application's own (a3 may never block at 64 KiB: a measured 0 is
# allowed, a missing figure is not), and a2 sends nothing with zerocopy.
for impl in a3 a4; do
	check "$impl: completion latency timed, p50 <= p99, the sender's wait measured by the application" \
		jget "$T_TMP/$impl-65536-t1-veth.json" "(lambda z, l: l['timed'] > 0 and 0 < l['p50_ns_below'] <= l['p99_ns_below'] and sum(l['hist_log2_ns']) == l['timed'] and z['wait']['ns'] == d['app']['server']['zc_wait_ns'] and z['wait_source'].startswith('application'))(d['zerocopy_completions'], d['zerocopy_completions']['latency']) or exit(1)"
done
check "a4: io_uring_enter counted, at least one call per message" \
	jget "$T_TMP/a4-65536-t1-veth.json" "[r for r in d['functions'] if r['name'] == 'sys_io_uring_enter' and r['side'] == 'sender' and r['calls'] >= d['app']['server']['messages_sent'] > 0] or exit(1)"
check "a2: no zero-copy completions section" jget "$T_TMP/a2-65536-t1-veth.json" "d['zerocopy_completions'] is None or exit(1)"
# a5: the sender copies only what it sent by send() (headers, the ready
# message; the ledger's total also holds the client's few bytes of
# handshake, hence 64 B on top of the 1 %: a loaded machine's short run
# sends few headers), its pages go by reference, and the receiver maps them: at most
# 0.05 CPU copies per payload byte (every copy line of the ledger over the
# fields' bytes), at least 95 % of the bytes received mapped
A5COPIES="sum(d['ledger'][k] or 0 for k in ('user_copy_bytes', 'send_copy_bytes', 'deferred_copy_bytes', 'recv_copy_bytes')) / (d['app']['server']['messages_sent'] * (d['size'] - 32))"
A5MAPPED="d['ledger']['recv_zerocopy_bytes'] / d['app']['client']['bytes_received']"
for net in veth loopback; do
	f="$T_TMP/a5-65536-t1-$net.json"
	check "a5 64 KiB $net: send copy = bytes sent by send(), splice = bytes by reference (1 %)" jget "$f" \
		"abs(d['ledger']['send_copy_bytes'] - (d['app']['server']['bytes_sent'] - d['app']['server']['sendfile_bytes'])) <= 0.01 * d['ledger']['send_copy_bytes'] + 64 and abs(d['ledger']['splice_bytes'] - d['app']['server']['sendfile_bytes']) <= 0.01 * d['ledger']['splice_bytes'] and d['ledger']['send_copy_bytes'] > 0 or exit(1)"
	got=$(jget "$f" "'%.4f copies per payload byte, %.1f %% mapped' % ($A5COPIES, 100 * $A5MAPPED)" 2>/dev/null)
	check "a5 64 KiB $net: <= 0.05 copies per payload byte, >= 95 % received mapped ($got)" jget "$f" \
		"$A5COPIES <= 0.05 and $A5MAPPED >= 0.95 or exit(1)"
done
# --rx zerocopy: the client maps what it can; --check asserts mapped + copied
for impl in a3 a4; do
	if trun "rx-$impl" --impl "$impl" --net loopback --rx zerocopy; then
		check "$impl --rx zerocopy: TCP_ZEROCOPY_RECEIVE bytes = the client's mapped bytes (> 0)" \
			jget "$T_TMP/rx-$impl.json" "d['ledger']['recv_zerocopy_bytes'] == d['app']['client']['rx_mapped_bytes'] > 0 or exit(1)"
	else
		fail "$impl --rx zerocopy: --check" "$(tr '\n' ' ' <"$T_TMP/rx-$impl.err" | cut -c1-300)"
	fi
done
check "inferred rows say so (tracepoint backend)" jget "$T_TMP/a3-65536-t1-veth.json" \
	"d['backend'] != 'tracepoint' or any(r['inferred'] and r['name'] == 'skb_copy_ubufs' for r in d['functions']) or exit(1)"

# ---- a3's error-queue reads, per-notification ----------------------------------
# The error-queue reads of a3 are their own row (their time is in "share").
errq_row="[r for r in d['functions'] if r['name'] == 'sys_recvmsg(MSG_ERRQUEUE)' and r['side'] == 'sender' and r['calls'] >= d['app']['server']['zc_notifications'] > 0] or exit(1)"
check "a3: sys_recvmsg(MSG_ERRQUEUE) row, one call or more per notification read" \
	jget "$T_TMP/a3-65536-t1-veth.json" "$errq_row"
if CT_TP_CLASSIC=1 timeout 60 "$TR" --impl a3 --duration "$DUR" --format json >"$T_TMP/errq-classic.json" 2>"$T_TMP/errq-classic.err"; then
	check "a3 with classic syscall tracepoints: the MSG_ERRQUEUE row too" jget "$T_TMP/errq-classic.json" "$errq_row"
else
	fail "a3 with classic tracepoints ran" "$(head -2 "$T_TMP/errq-classic.err" | tr '\n' ' ')"
fi
# trace_run inside a container's pid namespace: the runner's pids are that
# namespace's numbers, which BPF must translate (the uprobe and syscall rows
# are filtered by pid).
check "a1 --check from inside a new pid namespace (the gather is still counted)" \
	unshare --pid --fork --mount-proc timeout 60 "$TR" --impl a1 --duration "$DUR" --check

# ---- unrelated TCP traffic must not be counted --------------------------------
# Another experiment in its own namespaces on the same port, and a transfer
# over the host's loopback, both running through a traced run.
"$B/ctrun" --impl a2 --size 65536 --duration 30 --net loopback --quiet >"$T_TMP/bg1.out" 2>&1 &
bg1=$!
iperf3 -s -1 -p 5399 >/dev/null 2>&1 &
bg2=$!
sleep 0.3
iperf3 -c 127.0.0.1 -p 5399 -t 30 -l 64K >/dev/null 2>&1 &
bg3=$!
sleep 0.5
for net in veth loopback; do
	if trun "bg-$net" --impl a2 --size 65536 --net "$net"; then
		pass "a2 $net with unrelated transfers running: nothing extra counted (--check)"
	else
		fail "a2 $net with unrelated transfers running" "$(tr '\n' ' ' <"$T_TMP/bg-$net.err" | cut -c1-300)"
	fi
done
kill -INT "$bg1" 2>/dev/null; kill "$bg3" "$bg2" 2>/dev/null
wait "$bg1" "$bg2" "$bg3" 2>/dev/null

# ---- --compare -------------------------------------------------------------------
if timeout 60 "$TR" --impl a2 --duration 0.3 --compare --repeat 2 --format json >"$T_TMP/cmp.json" 2>"$T_TMP/cmp.err"; then
	check "--compare reports untraced, traced and overhead_pct" jget "$T_TMP/cmp.json" \
		"[d['compare'][k] for k in ('untraced','traced','overhead_pct')] and d['compare']['pairs'] == 2 and d['compare']['untraced']['throughput_gbps'] > 0 or exit(1)"
	echo "# overhead: $(jget "$T_TMP/cmp.json" "'%.1f %% (pairs %.1f..%.1f %%)' % (d['compare']['overhead_pct'], *d['compare']['overhead_spread_pct'])")"
else
	fail "--compare runs" "$(head -2 "$T_TMP/cmp.err")"
fi

# ---- formats and output ------------------------------------------------------------
check "--format table prints the three parts" sh -c "timeout 30 '$TR' --impl a1 --duration 0.3 --net loopback | grep -q 'copy ledger' "
check "--format csv --output FILE writes rows" sh -c "timeout 30 '$TR' --impl a3 --duration 0.3 --format csv --output '$T_TMP/o.csv' && head -1 '$T_TMP/o.csv' | grep -q '^section,' && grep -q '^ledger,.*deferred_copy_bytes' '$T_TMP/o.csv'"
# --bpf-stats: the programs' own run time from the kernel's statistics; every
# gather fires the uprobe's program once (other processes running the same
# binary can only add runs), and the per-program times add up to the totals
timeout 30 "$TR" --impl a1 --duration 0.3 --net loopback --bpf-stats --format json \
	--output "$T_TMP/bs.json" >/dev/null 2>"$T_TMP/bs.err"
check "--bpf-stats: per-program BPF run time; the uprobe ran once per gather or more; parts sum to the totals" \
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); b = d["bpf_stats"]; s = d["app"]["server"]
runs = {p["name"]: p["runs"] for p in b["programs"]}
assert s["messages_sent"] > 0 and runs.get("up_gather", 0) >= s["messages_sent"], (runs, s["messages_sent"])
assert b["tracer_ns"] > 0 and b["tracer_ns_per_msg"] > 0 and b["traced_cpu_ns"] > 0, b
assert sum(p["ns"] for p in b["programs"]) == b["tracer_ns"] + b["profiler_ns"], b
' "$T_TMP/bs.json"
check "--bpf-stats absent: bpf_stats is null (nothing measured, nothing printed as 0)" \
	jget "$T_TMP/a2-65536-t1-veth.json" "d['bpf_stats'] is None or exit(1)"
check "--bpf-stats tracing a program: the table's tracer cost section" sh -c \
	"timeout 30 '$TR' --bpf-stats -- sh -c 'exec 3<>/dev/null; sleep 0.2' | grep -q '^tracer cost'"
check "rr mode traced with --check" timeout 30 "$TR" --impl a2 --mode rr --duration 0.3 --check --format json

# ---- errors: one line, non-zero -------------------------------------------------------
check_fails "not root: one-line error" "must run as root" setpriv --reuid=65534 --regid=65534 --clear-groups "$TR" --impl a2
check "tracefs and bpffs not mounted: trace_run mounts them (private mount namespace)" unshare -m sh -c \
	"umount /sys/kernel/tracing 2>/dev/null; umount /sys/fs/bpf 2>/dev/null; ! grep -q ' /sys/kernel/tracing ' /proc/mounts &&
	 timeout 30 '$TR' --impl a2 --duration 0.3 --format json >/dev/null && grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts"
check_fails "bad backend name" "--backend must be" "$TR" --backend nope
if [ ! -e /sys/kernel/tracing/kprobe_events ]; then
	check_fails "kprobe backend without kprobes: says why" "backend kprobe is not usable.*kprobes" "$TR" --backend kprobe
fi

# ---- Ctrl-C mid-run: nothing left behind ------------------------------------------
# own session, so its children can be told from other trace_run processes
setsid "$TR" --impl a3 --duration 5 >"$T_TMP/int.out" 2>"$T_TMP/int.err" &
tp=$!
sleep 1.5
ours=$(held_links "$tp")
kill -INT "$tp"
t0=$(date +%s)
wait "$tp"; rc=$?
[ "$rc" -ne 0 ] && [ $(( $(date +%s) - t0 )) -le 5 ] && pass "SIGINT ends trace_run promptly (exit $rc)" || fail "SIGINT ends trace_run" "exit $rc"
sleep 0.3
left_links=0
for id in $ours; do link_exists "$id" && left_links=$((left_links + 1)); done
[ -n "$ours" ] && [ "$left_links" -eq 0 ] && pass "after SIGINT: bpftool link list as before (all $(echo $ours | wc -w) links of the run gone)" ||
	fail "after SIGINT: BPF links left" "held mid-run: '$(echo $ours)', still there: $left_links"
[ "$(ip netns list 2>/dev/null | sort | md5sum)" = "$netns_before" ] && pass "after SIGINT: ip netns list as before" || fail "after SIGINT: ip netns list changed"
left=$(ps -eo pid=,sid=,args= | awk -v s="$tp" '$2 == s' | wc -l)
[ "$left" -eq 0 ] && pass "after SIGINT: no process of that trace_run (or its children) left" ||
	fail "after SIGINT: processes left" "$(ps -eo pid=,sid=,args= | awk -v s="$tp" '$2 == s')"

finish
