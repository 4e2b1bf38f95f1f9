#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Experiments group: runs the quick sweep end to end (sweep -> CSV -> plots ->
# REPORT.md) into a temp folder and checks what it produced; then checks that
# an interrupted sweep leaves usable results and that --resume completes it.
source "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
S="$ROOT/scripts/run_experiments.sh"

for f in "$B/ctrun" "$ROOT/trace_run"; do
	[ -x "$f" ] || { fail "prerequisite $f" "not built (run make)"; finish; exit 1; }
done

# --- 1. quick sweep, end to end ----------------------------------------------
OUT=$T_TMP/quick
start=$(date +%s)
mkdir -p "$T_TMP/tmp"  # the sweep's temp dir (perf control FIFOs) goes here
if TMPDIR=$T_TMP/tmp "$S" --quick --out "$OUT" >"$T_TMP/quick.log" 2>&1; then pass "quick sweep exits 0"
else fail "quick sweep exits 0" "$(tail -5 "$T_TMP/quick.log" | tr '\n' ' ')"; fi
echo "# quick sweep wall time: $(($(date +%s) - start)) s"
check "progress lines (point i/N, elapsed, remaining)" grep -Eq '^point [0-9]+/[0-9]+ .*elapsed [0-9]+m[0-9]+s +remaining' "$T_TMP/quick.log"
check "system.txt names kernel, CPU, cores, memory, distro, topology" \
	bash -c "f='$OUT/system.txt'; grep -q '^== kernel' \$f && grep -q 'Model name' \$f && grep -q 'cores (nproc)' \$f && grep -q '^Mem:' \$f && grep -q PRETTY_NAME \$f && grep -q '^veth:' \$f"

# CSV checks in Python: one well-formed row per run, NA rules.
cat >"$T_TMP/check_csv.py" <<'EOF'
import csv, os, sys
out = sys.argv[1]
env = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(out, "sweep.env")) if "=" in l)
impls, sizes, threads, nets = (env[k].split() for k in ("impls", "sizes", "threads", "nets"))
reps = int(env["reps"])
expect = {(i, s, t, n, str(r)) for i in impls for s in sizes for t in threads for n in nets for r in range(1, reps + 1)}
rows = list(csv.reader(open(os.path.join(out, "results.csv"))))
hdr, body = rows[0], rows[1:]
errs = []
need = ["impl", "size", "threads", "net", "rep", "throughput_gbps", "rr_lat_p50_us", "rr_lat_p99_us", "cycles",
        "instructions", "l1_misses", "llc_misses", "cache_misses", "ctx_switches", "cpu_s", "cpu_ns_per_byte",
        "cycles_per_byte", "ledger_user_copy_bpm", "ledger_send_copy_bpm", "ledger_zerocopy_bpm",
        "ledger_deferred_copy_bpm", "ledger_recv_copy_bpm", "backend", "kernel", "cpu_model"]
for c in need:
    if c not in hdr:
        errs.append("header lacks " + c)
if not any(c.startswith("kns_") for c in hdr):
    errs.append("no kns_<side>_<function> column")
seen = set()
text = {"impl", "net", "status", "counters_na_reason", "backend", "kernel", "cpu_model", "zc_mode"}
perfcol = {"cycles": "cycles", "instructions": "instructions", "L1-dcache-load-misses": "l1_misses",
           "LLC-load-misses": "llc_misses", "cache-misses": "cache_misses", "context-switches": "ctx_switches",
           "cpu-migrations": "cpu_migrations", "task-clock": "task_clock_ms"}
for n, row in enumerate(body, 2):
    if len(row) != len(hdr):
        errs.append("line %d: %d fields, header has %d" % (n, len(row), len(hdr)))
        continue
    d = dict(zip(hdr, row))
    key = (d["impl"], d["size"], d["threads"], d["net"], d["rep"])
    if key in seen:
        errs.append("line %d: duplicate run %s" % (n, key))
    seen.add(key)
    if d["status"] != "ok":
        errs.append("line %d: status %s" % (n, d["status"]))
    for c, v in d.items():
        if c in text or v == "NA":
            continue
        try:
            float(v)
        except ValueError:
            errs.append("line %d: %s=%r is neither a number nor NA" % (n, c, v))
    # measured in every run (a run may legitimately deliver little: A3 can stall
    # for longer than a 0.3 s quick run, so zero is allowed, NA is not)
    for c in ("throughput_gbps", "rr_lat_p50_us", "cpu_s"):
        if d[c] == "NA" or float(d[c]) < 0:
            errs.append("line %d: %s should be a number >= 0, is %s" % (n, c, d[c]))
    for c, den in (("cpu_ns_per_byte", "bytes_received"), ("ledger_recv_copy_bpm", "trace_messages")):
        if d[den] not in ("NA", "0") and (d[c] == "NA" or float(d[c]) <= 0):
            errs.append("line %d: %s should be a positive number when %s > 0, is %s" % (n, c, den, d[c]))
    # NA, never 0, for every counter perf said it could not count
    name = "%s_s%s_t%s_%s_r%s" % key
    unsup = []
    for l in open(os.path.join(out, "raw", name + ".perf.txt")):
        p = l.split(",")
        if len(p) > 2 and p[0].startswith("<") and p[2] in perfcol:
            unsup.append(p[2])
            if d[perfcol[p[2]]] != "NA":
                errs.append("line %d: %s is %r but perf reported %s" % (n, perfcol[p[2]], d[perfcol[p[2]]], p[0]))
    if unsup and not d["counters_na_reason"]:
        errs.append("line %d: counters NA without a reason" % n)
    if "cycles" in unsup and d["cycles_per_byte"] != "NA":
        errs.append("line %d: cycles_per_byte set without cycles" % n)
    for ext in (".perf.txt", ".stream.json", ".rr.json", ".trace.json"):
        if not os.path.exists(os.path.join(out, "raw", name + ext)):
            errs.append("raw file %s%s missing" % (name, ext))
if seen != expect:
    errs.append("runs in CSV %d, expected %d (missing %s)" % (len(seen), len(expect), sorted(expect - seen)[:3]))
print("\n".join(errs[:15]) or "csv ok: %d rows" % len(body))
sys.exit(1 if errs else 0)
EOF
check "results.csv: one well-formed row per run, unsupported counters NA (not 0)" $PY "$T_TMP/check_csv.py" "$OUT"
check "columns.md documents the header" bash -c "grep -q '| \`throughput_gbps\` |' '$OUT/columns.md' && grep -q 'kns_' '$OUT/columns.md'"
check "REPORT.md exists and answers E1-E6" bash -c "for e in E1 E2 E3 E4 E5 E6; do grep -q \"^### \$e\" '$OUT/REPORT.md' || exit 1; done"
for p in throughput_vs_size latency_vs_threads cache_misses_vs_size cpu_per_byte_vs_size copy_ledger kernel_time tracing_overhead; do
	check "plot $p.png exists, is a PNG and is linked from REPORT.md" bash -c \
		"[ -s '$OUT/$p.png' ] && head -c 8 '$OUT/$p.png' | grep -q PNG && grep -q '($p.png)' '$OUT/REPORT.md'"
done
impls=$(awk -F= '$1 == "impls" {print $2}' "$OUT/sweep.env")
for i in $impls; do
	check "flame graph of $i (64 KiB) is an SVG linked from REPORT.md" bash -c \
		"grep -q '<svg' '$OUT/flame_${i}_veth.svg' && grep -q '(flame_${i}_veth.svg)' '$OUT/REPORT.md'"
done
check "REPORT.md compares the zero-copy sends (a3 vs a4): syscalls, notifications, pinning and completion cost" bash -c \
	"grep -q '^## Zero-copy sends compared' '$OUT/REPORT.md' && grep -q 'Syscalls per message' '$OUT/REPORT.md' && grep -q 'Notifications per message' '$OUT/REPORT.md' && grep -q 'Completion and pinning cost' '$OUT/REPORT.md' && grep -q 'registered buffers' '$OUT/REPORT.md'"
check "E4 and E5 answered from CPU time per byte and the time ledger, each with a verdict" bash -c \
	"[ \$(grep -c '^\*\*Verdict (CPU time per byte):' '$OUT/REPORT.md') -ge 2 ] && [ \$(grep -c '^\*\*Verdict (time ledger):' '$OUT/REPORT.md') -ge 2 ]"
check "E1 answered from CPU time per byte" grep -q '^\*\*From CPU time per byte\*\*' "$OUT/REPORT.md"
cat >"$T_TMP/check_new.py" <<'EOF2'
import csv, sys
errs = []
for n, d in enumerate(csv.DictReader(open(sys.argv[1])), 2):
    zc = d["impl"] in ("a3", "a4")
    if (d["zc_mode"] != "NA") != (d["impl"] == "a4"):
        errs.append("line %d: zc_mode %r for %s" % (n, d["zc_mode"], d["impl"]))
    for c in ("tl_period_ns", "tl_samples", "tl_copy_samples", "prof_pin_samples", "prof_completion_samples",
              "trace_bytes_sent", "send_calls_per_msg", "server_cpu_ns_per_byte"):
        if d[c] == "NA":
            errs.append("line %d: %s is NA" % (n, c))
    if zc and (d["zc_notifications_per_msg"] == "NA" or float(d["zc_notifications_per_msg"]) < 0):
        errs.append("line %d: %s zc_notifications_per_msg %s" % (n, d["impl"], d["zc_notifications_per_msg"]))
    if not zc and d["zc_notifications_per_msg"] != "NA":
        errs.append("line %d: %s has zc_notifications_per_msg" % (n, d["impl"]))
    if d["impl"] in ("a1", "a2") and float(d["trace_syscalls_per_msg"]) < 0.5:
        errs.append("line %d: %s trace_syscalls_per_msg %s < 0.5" % (n, d["impl"], d["trace_syscalls_per_msg"]))
print("\n".join(errs[:10]) or "new columns ok")
sys.exit(1 if errs else 0)
EOF2
check "results.csv: zc_mode only for a4, profiler and per-message send columns measured" $PY "$T_TMP/check_new.py" "$OUT/results.csv"
check "no leftover .part files" bash -c "! ls '$OUT'/raw/*.part 2>/dev/null | grep -q ."
# perf counted the client's measuring window only: perf acknowledged ctrun's
# enable and disable in every stream run, and the sweep says which window.
check "sweep.env records the counted window (perf_window=client_window)" grep -qx 'perf_window=client_window' "$OUT/sweep.env"
check "every stream run: perf enabled and disabled counting on ctrun's command" bash -c \
	"n=0; for f in '$OUT'/raw/*.stream.log; do n=\$((n+1)); grep -qx 'Events enabled' \$f && grep -qx 'Events disabled' \$f || exit 1; done; [ \$n -gt 0 ]"
check "every perf.txt says which window it counted" bash -c \
	"for f in '$OUT'/raw/*.perf.txt; do grep -q '^# counted: client measuring window' \$f || exit 1; done"
check "the sweep's perf control FIFOs are removed" bash -c "[ -z \"\$(ls -A '$T_TMP/tmp')\" ]"

# --- 2. perf stat counts only the client's window (ctrun --perf-ctl) ----------
# The setup forks and execs `ip` 7 times (veth) and every thread exits after
# the window; with --perf-ctl neither may be counted. Counts, not timings.
P=$T_TMP/pctl
mkdir -p "$P" && mkfifo "$P/ctl" "$P/ack"
EV=sched:sched_process_exec,sched:sched_process_exit,task-clock
pcount() { awk -F, -v e="$2" '$3 == e {print $1}' "$1"; }
pstat() { # NAME: perf stat (control FIFOs, counting disabled at start) over ctrun --perf-ctl ARGS...
	local n=$1; shift
	timeout -k 5 60 perf stat -x, -e "$EV" -D -1 --control "fifo:$P/ctl,$P/ack" -o "$P/$n.txt" -- \
		"$B/ctrun" --quiet --duration 0.3 --perf-ctl "$P/ctl,$P/ack" "$@" >"$P/$n.out" 2>"$P/$n.err"
}
timeout -k 5 60 perf stat -x, -e "$EV" -o "$P/whole.txt" -- "$B/ctrun" --quiet --duration 0.3 >/dev/null 2>&1
we=$(pcount "$P/whole.txt" sched:sched_process_exec); wx=$(pcount "$P/whole.txt" sched:sched_process_exit)
check "without --perf-ctl perf counts the setup (ip execs: $we) and the exits ($wx)" \
	bash -c "[ '${we:-0}' -ge 7 ] && [ '${wx:-0}' -ge 1 ]"
if pstat stream --impl a2 --threads 1; then pass "ctrun --perf-ctl under perf stat --control exits 0"
else fail "ctrun --perf-ctl under perf stat --control exits 0" "$(tail -2 "$P/stream.err" | tr '\n' ' ')"; fi
check "perf enabled, then disabled, counting once each (stream)" bash -c \
	"[ \"\$(grep -cx 'Events enabled' '$P/stream.err')\" = 1 ] && [ \"\$(grep -cx 'Events disabled' '$P/stream.err')\" = 2 ]"
check "stream window: no exec counted (the ip setup is outside it)" test "$(pcount "$P/stream.txt" sched:sched_process_exec)" = 0
check "stream window: no exit counted (drain and teardown are outside it)" test "$(pcount "$P/stream.txt" sched:sched_process_exit)" = 0
check "stream window: task-clock counted" awk -F, '$3 == "task-clock" && $1 + 0 > 0 {ok = 1} END {exit !ok}' "$P/stream.txt"
if pstat rr --impl a3 --mode rr --threads 2 --net loopback; then pass "ctrun --perf-ctl, rr, 2 threads, exits 0"
else fail "ctrun --perf-ctl, rr, 2 threads, exits 0" "$(tail -2 "$P/rr.err" | tr '\n' ' ')"; fi
check "rr window: no exec counted" test "$(pcount "$P/rr.txt" sched:sched_process_exec)" = 0
check "rr window: no exit counted (each connection waits for the last window before its drain)" \
	test "$(pcount "$P/rr.txt" sched:sched_process_exit)" = 0
check "rr window: perf enabled, then disabled, counting once each" bash -c \
	"[ \"\$(grep -cx 'Events enabled' '$P/rr.err')\" = 1 ] && [ \"\$(grep -cx 'Events disabled' '$P/rr.err')\" = 2 ]"
# bad paths: non-zero, one line, no hang (without perf nobody reads the FIFO)
one_line() { [ "$(wc -l <"$T_TMP/err")" -eq 1 ]; }
for bad in "missing FIFO|perf-ctl: cannot open CTL.*$P/none|$P/none,$P/ack" \
	"regular file|not a FIFO|$P/stream.txt,$P/ack" "no perf listening|no perf reads CTL|$P/ctl,$P/ack"; do
	IFS='|' read -r what pat arg <<<"$bad"
	check_fails "--perf-ctl refused: $what" "$pat" timeout 20 "$B/ctrun" --perf-ctl "$arg"
	check "--perf-ctl refused: $what: the error is one line" one_line
done
check_fails "--perf-ctl malformed refused" "must be CTL,ACK" "$B/ctrun" --perf-ctl "$P/ctl"

# --- 3. interrupted sweep stays usable, --resume completes it ----------------
OUT2=$T_TMP/intr
# shellcheck disable=SC2054 # "1,2" is one value of --threads
tiny=(--impls a1 --sizes 256 --threads 1,2 --reps 2 --duration 0.2 --rr-duration 0.1 --no-trace --no-report)
"$S" "${tiny[@]}" --out "$OUT2" >"$T_TMP/intr.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do ls "$OUT2"/raw/*.rr.json >/dev/null 2>&1 && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"; rc=$?
if [ "$rc" -eq 130 ] && grep -q status=interrupted "$OUT2/sweep.status"; then pass "SIGTERM mid-sweep: exit 130 and status interrupted"
else fail "SIGTERM mid-sweep: exit 130 and status interrupted" "rc=$rc; $(tr '\n' ' ' <"$OUT2/sweep.status"); $(tail -3 "$T_TMP/intr.log" | tr '\n' ' ')"; fi
check "interrupted sweep: CSV has the finished runs, no .part files" bash -c \
	"n=\$(( \$(wc -l <'$OUT2/results.csv') - 1 )); [ \$n -ge 1 ] && [ \$n -lt 4 ] && ! ls '$OUT2'/raw/*.part 2>/dev/null | grep -q ."
check "--resume completes the interrupted sweep" "$S" "${tiny[@]}" --resume "$OUT2"
check "resumed sweep: 4 rows, status complete" bash -c \
	"[ \$(( \$(wc -l <'$OUT2/results.csv') - 1 )) -eq 4 ] && grep -q status=complete '$OUT2/sweep.status'"
check_fails "non-numeric size refused" "not a positive integer" "$S" --sizes abc
check_fails "unknown impl refused" "not one of" "$S" --impls a9
finish
