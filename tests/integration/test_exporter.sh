#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# trace_run --exporter: a real Prometheus (Debian's, on loopback, 1 s
# scrapes, its own storage in the test's directory) scrapes it while
# iperf3 runs over loopback; the receive copy PromQL reads back equals
# iperf3's own received bytes within 1 %; promtool accepts the exposition;
# OpenMetrics on request; only GET /metrics and /; bad input; Ctrl-C in
# the middle of scrapes leaves no BPF link and no listener.
source "$(dirname "$0")/../lib.sh"
need_root
TR=${CT_TEST_TRACE_RUN:-$ROOT/trace_run}
PY=/usr/bin/python3
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }
for c in prometheus promtool iperf3 curl; do
	command -v $c >/dev/null || { fail "$c is installed" "scripts/install-deps.sh"; finish; exit 1; }
done
cd "$T_TMP" || exit 1
EXP=19435 PROM=19436 IP=5481
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T_TMP"
}
trap cleanup EXIT
links_before

# ---- iperf3 under --exporter, scraped by Prometheus ---------------------------
iperf3 -s -p $IP >/dev/null 2>&1 & SRV=$!; PIDS+=("$SRV")
wait_for 5 bash -c "ss -ltn | grep -q ':$IP '"
"$TR" --exporter $EXP --pid $SRV --sample-freq 0 --bpf-stats >report.txt 2>err.txt & TRP=$!; PIDS+=("$TRP")
check "the exporter answers /metrics" wait_for 10 curl -sf http://127.0.0.1:$EXP/metrics
cat >prom.yml <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: copytrace
    static_configs: [ { targets: ['127.0.0.1:$EXP'] } ]
YML
prometheus --config.file=prom.yml --storage.tsdb.path="$T_TMP/tsdb" \
	--web.listen-address=127.0.0.1:$PROM >prom.log 2>&1 & PRP=$!; PIDS+=("$PRP")
check "Prometheus is ready" wait_for 20 curl -sf http://127.0.0.1:$PROM/-/ready
iperf3 -c 127.0.0.1 -p $IP -t 3 -J >iperf.json 2>&1
sleep 3 # the last counts scraped
q() { curl -sf --data-urlencode "query=$1" http://127.0.0.1:$PROM/api/v1/query |
	$PY -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'; }
got=$(q 'sum(copytrace_copied_bytes_total{line="recv_copy",comm="iperf3"})')
want=$($PY -c 'import json,sys; print(json.load(open("iperf.json"))["end"]["sum_received"]["bytes"])')
check "PromQL recv_copy ($got) = iperf3's received bytes ($want) within 1 %" \
	$PY -c "import sys; a,b=float('$got'),float('$want'); sys.exit(0 if b > 0 and abs(a-b) <= b/100 else 1)"
up=$(q 'up{job="copytrace"}')
check "Prometheus scraped the target (up = $up)" test "$up" = 1
curl -sf http://127.0.0.1:$EXP/metrics >metrics.txt
check "promtool check metrics accepts the exposition" promtool check metrics <metrics.txt
check "every family has HELP and TYPE" $PY -c '
import re, sys
fams = {re.sub(r"[{ ].*", "", l.strip()) for l in open("metrics.txt") if not l.startswith("#")}
help = {l.split()[2] for l in open("metrics.txt") if l.startswith("# HELP")}
typ = {l.split()[2] for l in open("metrics.txt") if l.startswith("# TYPE")}
sys.exit(0 if fams and fams <= help and fams <= typ else 1)'
check "--bpf-stats: a series per program, their run times adding to the total, runs counted" $PY -c '
import re, sys
v = {}
for l in open("metrics.txt"):
    m = re.match(r"(copytrace_bpf_\w+)(?:\{program=\"(\w+)\"\})? (\S+)$", l.strip())
    if m:
        v.setdefault(m[1], {})[m[2]] = float(m[3])
total = v["copytrace_bpf_run_seconds_total"][None]
secs, runs = v["copytrace_bpf_program_run_seconds_total"], v["copytrace_bpf_program_runs_total"]
print(f"{len(secs)} programs, {total:.6f} s, {sum(runs.values()):.0f} runs")
ok = (secs.keys() == runs.keys() and len(secs) >= 3 and total > 0
      and abs(sum(secs.values()) - total) <= 1e-9 * (len(secs) + 1)
      and sum(runs.values()) >= 1000)
sys.exit(0 if ok else 1)'
curl -sf -D hdr.txt -H 'Accept: application/openmetrics-text; version=1.0.0' \
	http://127.0.0.1:$EXP/metrics >om.txt
check "OpenMetrics when asked: its content type" grep -qi 'content-type: application/openmetrics-text' hdr.txt
check "OpenMetrics: ends with # EOF, families without _total" \
	bash -c "tail -1 om.txt | grep -qx '# EOF' && grep -q '^# TYPE copytrace_copied_bytes counter' om.txt"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "POST /metrics -> 405" test "$(code -X POST http://127.0.0.1:$EXP/metrics)" = 405
check "GET /other -> 404" test "$(code http://127.0.0.1:$EXP/other)" = 404
check "GET / -> a link to /metrics" bash -c "curl -sf http://127.0.0.1:$EXP/ | grep -q 'href=\"/metrics\"'"

# ---- concurrent scrapes while the counters move --------------------------------
# Four scrapers at once, as fast as they go, while iperf3 moves the
# counters and the tracer publishes a snapshot a second: every sample
# line parses, no series goes down between one scraper's scrapes (a
# counter that drops reads as a reset to Prometheus), and trace_run lives.
cat >hammer.py <<'EOF2'
import sys, threading, time, urllib.request
url, dur = sys.argv[1], float(sys.argv[2])
bad, n = [], [0]
def scraper():
    last, end = {}, time.time() + dur
    while time.time() < end:
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode()
        except Exception as e:
            bad.append(f"scrape failed: {e}")
            return
        n[0] += 1
        for l in text.splitlines():
            if l.startswith("#"):
                continue
            try:
                k, v = l.rsplit(" ", 1)
                v = float(v)
            except ValueError:
                bad.append(f"malformed line {l!r}")
                continue
            if k.split("{")[0].endswith("_total") and v < last.get(k, v):
                bad.append(f"{k} went down {last[k]} -> {v}")
            last[k] = v
ts = [threading.Thread(target=scraper) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(f"{n[0]} scrapes, {len(bad)} faults", *bad[:3], sep="; ")
sys.exit(1 if bad or n[0] < 8 else 0)
EOF2
iperf3 -c 127.0.0.1 -p $IP -t 4 >/dev/null 2>&1 & CLI=$!; PIDS+=("$CLI")
check "4 concurrent scrapers for 4 s: every line parses, no counter goes down" \
	$PY hammer.py http://127.0.0.1:$EXP/metrics 4
wait $CLI 2>/dev/null
check "trace_run still serves after the concurrent scrapes" kill -0 $TRP

# ---- Ctrl-C while scrapes run -------------------------------------------------
( for _ in $(seq 200); do curl -s -o /dev/null http://127.0.0.1:$EXP/metrics; done ) & LOOP=$!
sleep 0.3
kill -INT $TRP
wait $TRP; rc=$?
kill $LOOP 2>/dev/null; wait $LOOP 2>/dev/null
check "SIGINT during scrapes: trace_run exits 0 ($rc)" test $rc = 0
check "nothing listens on the exporter's port afterwards" bash -c "! ss -ltn | grep -q ':$EXP '"
kill $PRP 2>/dev/null; wait $PRP 2>/dev/null

# ---- --by comm: a name's series never goes down --------------------------------
# Five short senders named python3, one after another; their rows leave
# the exporter's snapshot a grace period (60 s) after they exit; the
# name's counters must keep what they counted.
SINK=19439
$PY -c 'import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1",'$SINK')); s.listen(16)
while True:
    c,_=s.accept()
    while c.recv(65536): pass
    c.close()' & SNK=$!; PIDS+=("$SNK")
wait_for 5 bash -c "ss -ltn | grep -q ':$SINK '"
cat >send.py <<EOF2
import socket
s=socket.create_connection(("127.0.0.1",$SINK)); s.sendall(b"x"*1000000); s.close()
EOF2
"$TR" --exporter $EXP --by comm --sample-freq 0 -- \
	sh -c "for i in 1 2 3 4 5; do $PY send.py; done; sleep 72" >bycomm.out 2>bycomm.err & BTR=$!
PIDS+=("$BTR")
wait_for 10 curl -sf http://127.0.0.1:$EXP/metrics >/dev/null
: >series.txt
T0=$(date +%s)
while kill -0 $BTR 2>/dev/null; do
	# a scrape that fails (trace_run ending) says nothing of the series
	if m=$(curl -sf http://127.0.0.1:$EXP/metrics); then
		v=$(grep '^copytrace_sent_bytes_total{comm="python3"}' <<<"$m" | awk '{print $2}')
		echo "$(($(date +%s) - T0)) ${v:-none}" >>series.txt
	fi
	sleep 2
done
wait $BTR; rc=$?
check "--by comm: trace_run exits 0 ($rc)" test $rc = 0
check "--by comm: scraped past the grace period (last scrape at $(tail -1 series.txt | cut -d' ' -f1) s)" \
	test "$(tail -1 series.txt | cut -d' ' -f1)" -ge 66
check "--by comm: python3's sent bytes in every scrape once there, never down, 5 x 1000000 at the end ($(cut -d' ' -f2 series.txt | uniq -c | tr -s ' \n' ' '))" \
	$PY -c 'import sys
v=[l.split()[1] for l in open("series.txt")]
while v and v[0] == "none": v.pop(0)
n=[int(x) for x in v if x != "none"]
sys.exit(not (len(n) == len(v) and n == sorted(n) and n[-1] == 5000000))'

# ---- bad input: one line, non-zero --------------------------------------------
bad() { # WANT-RC ARGS...
	local want=$1; shift
	timeout 20 "$TR" "$@" >out.txt 2>err.txt
	local rc=$?
	check "bad: $* -> exit $want, one line ($(head -c 90 err.txt))" \
		test "$rc" = "$want" -a "$(wc -l <err.txt)" = 1
}
$PY -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",19437)); s.listen(); time.sleep(30)' & BUSY=$!
PIDS+=("$BUSY")
wait_for 5 bash -c "ss -ltn | grep -q ':19437 '"
bad 1 --exporter 19437 --all
kill $BUSY
bad 2 --exporter 70000 --all
bad 2 --exporter 0 --all
bad 2 --exporter 19438 --impl a2
bad 2 --exporter 19438
bad 2 --exporter 19438 --all --interval 1
bad 1 --exporter 203.0.113.9:19438 --all
bad 2 --by comm --all
links_after
finish
