#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Slot lifecycles: a traced process that exits gives its slot back once
# its counters are in its own row, so a command that runs many short
# processes keeps a row for each and nothing lands in "others"; the rows
# add up to the whole run's ledger; a pid used again is a new row; an
# untraced process forking meanwhile is never traced.
# CT_TEST_TRACE_RUN=PATH runs the same checks against another build.
source "$(dirname "$0")/../lib.sh"
need_root
TR=${CT_TEST_TRACE_RUN:-$ROOT/trace_run}
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }
PY=/usr/bin/python3
PROGS=$ROOT/tests/integration/programs
cd "$T_TMP" || exit 1
chmod 755 "$T_TMP"

NG_PID='' FORKER=''
cleanup() {
	[ -n "$NG_PID" ] && kill -KILL "$NG_PID" 2>/dev/null
	[ -n "$FORKER" ] && kill -KILL "$FORKER" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T_TMP"
}
trap cleanup EXIT
links_before

# the rows of a report add up to its ledger, line by line
rows_add_up() {
	$PY - "$1" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
tot = d["ledger"]
for k in ("sent_bytes", "received_bytes", "send_copy_bytes", "recv_copy_bytes"):
    s = sum(p["ledger"][k] or 0 for p in d["processes"])
    if s != (tot[k] or 0):
        sys.exit("%s: rows %d, ledger %s" % (k, s, tot[k]))
PYEOF
}

# ---- 100 short helpers, then 3 TCP workers: each worker its own row --------------------
"$TR" --sample-freq 0 --format json --output w.json -- sh -c \
	"for i in \$(seq 100); do /bin/true; done; $PY $PROGS/tcp_workers.py" 2>w.err
rc=$?
$PY - w.json <<'PYEOF' >w.check 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
t = d["target"]
senders = sorted(p["ledger"]["sent_bytes"] for p in d["processes"]
                 if p.get("pid") and p["ledger"]["sent_bytes"])
recv = [p for p in d["processes"] if p.get("pid") and p["ledger"]["received_bytes"]]
others = [p for p in d["processes"] if p["label"] == "others"]
ok = (senders == [100000, 200000, 300000] and len(recv) == 1 and
      recv[0]["ledger"]["received_bytes"] == 600000 and not others and
      t["processes_in_others"] == 0 and t["processes_seen"] >= 104 and
      d["ledger"]["sent_bytes"] == 600000)
print("senders", senders, "receivers", [p["ledger"]["received_bytes"] for p in recv],
      "others", len(others), "in_others", t["processes_in_others"],
      "seen", t["processes_seen"], "exited", t["processes_exited"])
sys.exit(0 if ok else 1)
PYEOF
prc=$?
[ $rc -eq 0 ] && [ $prc -eq 0 ] && pass "100 helpers, then 3 TCP workers: each worker its own row, none in others ($(cat w.check))" ||
	fail "helpers then workers" "rc=$rc $(cat w.check) $(head -2 w.err | tr '\n' ' ')"
check "helpers then workers: the rows add up to the ledger" rows_add_up w.json

# ---- many curl processes against a local server: every byte, every process -------------
N=${CT_SLOTS_CURLS:-1000}
SIZE=65536
if command -v nginx >/dev/null && command -v curl >/dev/null; then
	mkdir -p www ngtmp && head -c $SIZE /dev/urandom > www/f.bin && chmod -R a+rX www
	cat > nginx.conf <<NGEOF
worker_processes 1;
pid $T_TMP/nginx.pid;
error_log $T_TMP/nginx.err;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T_TMP/ngtmp; proxy_temp_path $T_TMP/ngtmp;
	fastcgi_temp_path $T_TMP/ngtmp; uwsgi_temp_path $T_TMP/ngtmp; scgi_temp_path $T_TMP/ngtmp;
	server { listen 127.0.0.1:18392; root $T_TMP/www; }
}
NGEOF
	nginx -c "$T_TMP/nginx.conf" -p "$T_TMP" 2>ng.start
	wait_for 5 test -s nginx.pid && NG_PID=$(cat nginx.pid)
	# an unrelated script forking all along: none of its processes is traced
	sh -c 'while :; do /bin/true; done' & FORKER=$!
	nice "$TR" --sample-freq 0 --format json --output c.json -- sh -c \
		"for i in \$(seq $N); do curl -s http://127.0.0.1:18392/f.bin -o /dev/null || exit 1; done" 2>c.err
	rc=$?
	kill -KILL "$FORKER" 2>/dev/null; wait "$FORKER" 2>/dev/null; FORKER=
	$PY - c.json $N $SIZE <<'PYEOF' >c.check 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
n, size = int(sys.argv[2]), int(sys.argv[3])
t = d["target"]
want = n * size
got = d["ledger"]["recv_copy_bytes"]
curls = [p for p in d["processes"] if p.get("comm") == "curl" or p["label"].startswith("exited processes")]
folded = sum(p.get("folded", 0) for p in d["processes"])
ok = abs(got - want) <= want / 100 and t["processes_seen"] >= n + 1 and t["processes_in_others"] == 0
print("receive copy %d B for %d x %d B = %d B; processes seen %d, exited %d, in others %d, rows %d, folded %d"
      % (got, n, size, want, t["processes_seen"], t["processes_exited"], t["processes_in_others"],
         len(curls), folded))
sys.exit(0 if ok else 1)
PYEOF
	prc=$?
	[ $rc -eq 0 ] && [ $prc -eq 0 ] && pass "$N curl processes, one after another: $(cat c.check)" ||
		fail "$N curls" "rc=$rc $(cat c.check) $(head -2 c.err | tr '\n' ' ')"
	check "$N curls: the rows add up to the ledger" rows_add_up c.json
	check "$N curls: no process of the unrelated forking script is traced" \
		$PY -c "import json,sys; d=json.load(open('c.json')); sys.exit(any(p.get('comm') == 'true' for p in d['processes']))"
	# --interval: the processes that exit in an interval keep their bytes
	# there; the intervals add up to the report
	nice "$TR" --sample-freq 0 --format json --interval 0.5 -- sh -c \
		"for i in \$(seq 100); do curl -s http://127.0.0.1:18392/f.bin -o /dev/null; done" >i.jsonl 2>i.err
	rc=$?
	$PY - i.jsonl <<'PYEOF' >i.check 2>&1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ivs, final = lines[:-1], lines[-1]
keys = ("recv_copy_bytes", "sent_bytes", "received_bytes")
bad = []
for k in keys:
    s = sum(i["ledger"][k] or 0 for i in ivs)
    if s != final["ledger"][k]:
        bad.append("%s: intervals %d, report %d" % (k, s, final["ledger"][k]))
for i in ivs:
    for k in keys:
        if sum(p["ledger"][k] or 0 for p in i["processes"]) != (i["ledger"][k] or 0):
            bad.append("interval %d: its processes' %s do not add up" % (i["interval"], k))
exited = sum(1 for i in ivs for p in i["processes"] if "exited" in p["state"] and p.get("pid"))
print("%d intervals, receive copy %d B, %d processes marked exited; %s"
      % (len(ivs), final["ledger"]["recv_copy_bytes"], exited, "; ".join(bad) or "all add up"))
sys.exit(1 if bad or exited < 100 else 0)
PYEOF
	prc=$?
	[ $rc -eq 0 ] && [ $prc -eq 0 ] && pass "--interval over 100 curls: $(cat i.check)" ||
		fail "--interval over 100 curls" "rc=$rc $(cat i.check) $(head -2 i.err | tr '\n' ' ')"
	kill -QUIT "$NG_PID" 2>/dev/null; NG_PID=
else
	echo "skip - curls against nginx: nginx or curl missing"
fi

# ---- a pid used again: two processes, two rows ------------------------------------------
# ns_last_pid (root) makes a second sender take the first one's pid
$PY -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 18393)); s.listen(64)
s.settimeout(30)
try:
    while True:
        a, _ = s.accept()
        while a.recv(65536): pass
except OSError: pass
' & SINK=$!
sleep 0.3
"$TR" --user root --sample-freq 0 --format json --output r.json -- $PY $PROGS/pid_reuse.py 18393 2>r.err
rc=$?
kill "$SINK" 2>/dev/null; wait "$SINK" 2>/dev/null
$PY - r.json <<'PYEOF' >r.check 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
rows = [(p["pid"], p.get("start_ns"), p["ledger"]["sent_bytes"]) for p in d["processes"]
        if p.get("pid") and p["ledger"]["sent_bytes"]]
mine = [r for r in rows if r[2] in (1000, 2000)]
print("senders (pid, start_ns, sent):", mine)
sys.exit(0 if sorted(r[2] for r in mine) == [1000, 2000] and len({r[0] for r in mine}) == 1 and
         len({r[1] for r in mine}) == 2 else 1)
PYEOF
prc=$?
if [ $rc -eq 1 ] && grep -q "exit status 1" r.err 2>/dev/null; then
	echo "skip - a pid used twice: the host's other processes took the pid 50 times"
else
	[ $rc -eq 0 ] && [ $prc -eq 0 ] && pass "a pid used twice: two rows, each with its own bytes ($(cat r.check))" ||
		fail "a pid used twice" "rc=$rc $(cat r.check) $(head -2 r.err | tr '\n' ' ')"
fi

links_after
finish
