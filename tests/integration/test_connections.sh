#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# --per-connection on a program of many short connections: every connection
# is kept and sorted (all in JSON and CSV, the --top N heaviest in the table
# with the rest summed in one "N more" line); a program's threads take no
# process slots, in a pid namespace too; names that traced programs choose
# cannot break any format. No cap is silent.
source "$(dirname "$0")/../lib.sh"
need_root
TR="$ROOT/trace_run"
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }
PY=/usr/bin/python3
N=${CT_TEST_CONNS:-10000}
cd "$T_TMP" || exit 1
trap 'rm -rf "$T_TMP"' EXIT
links_before

# ---- 10,000 connections, both ends in one traced process -------------------------
"$TR" --per-connection --format json --sample-freq 0 --output many.json -- \
	$PY "$ROOT/tests/integration/programs/many_conns.py" "$N" 2>many.err
check "$N connections: trace_run exit 0" [ $? = 0 ]
check "every socket of the $N connections is listed (2 x $N), or a note says how many were not" \
	jget many.json "len(d['connections']) + sum(int(n.split()[2]) for n in d['notes'] if 'not kept' in n) == 2 * $N or exit(1)"
check "connections sorted by bytes, heaviest first" \
	jget many.json "(lambda v: v == sorted(v, reverse=True))([c['sent_bytes'] + c['received_bytes'] for c in d['connections']]) or exit(1)"
check "the connections' bytes are the ledger's (sent)" \
	jget many.json "sum(c['sent_bytes'] for c in d['connections']) == d['ledger']['sent_bytes'] or exit(1)"
"$TR" --per-connection --top 5 --sample-freq 0 -- $PY "$ROOT/tests/integration/programs/many_conns.py" 300 >top.txt 2>&1
check "the table shows --top 5 and sums the other 595 in one line" \
	sh -c "grep -A7 'connections (per 4-tuple' top.txt | grep -c '127.0.0.1' | grep -qx 5 && grep -q '595 more' top.txt"
check_fails "--top 0 is refused in one line" "^trace_run: --top must be" "$TR" --top 0 --impl a2

# ---- threads are threads, also when trace_run runs in a pid namespace -----------------
unshare -p -f --mount-proc "$TR" --format json --sample-freq 0 --output thr.json -- \
	$PY "$ROOT/tests/integration/programs/threads_send.py" 40 2>thr.err
check "40 threads in a container's pid namespace: one process, no slot taken by a thread" \
	jget thr.json "len(d['processes']) == 1 and d['target']['processes_in_others'] == 0 and d['ledger']['sent_bytes'] == 40000 or exit(1)"
# a child forked during the trace is numbered as the namespace numbers it
# (its /proc is the namespace's own: NSpid cannot tell trace_run the level)
unshare -p -f --mount-proc "$TR" --format json --sample-freq 0 --output fork.json -- \
	sh -c "$PY '$ROOT/tests/integration/programs/threads_send.py' 4" 2>fork.err
check "a child forked in a container's pid namespace: traced, under its namespace pid" \
	jget fork.json "[(p['comm'], p['pid'] < 100, p['ledger']['sent_bytes']) for p in d['processes']] == [('python3', True, 4000)] or exit(1)"

# ---- a program whose name is hostile ---------------------------------------------------
# started through a file name (its comm) with a comma, a quote, a tab, a
# newline, "<svg>" and a byte that is no UTF-8 (a file name has no '/'); a
# child renames itself later (PR_SET_NAME) to one with "</svg>" and \x80
name=$(printf 'a,"\t\n<svg>\377')
ln -s "$PY" "$name"
for fmt in json csv table; do
	"$TR" --format $fmt --output hostile.$fmt --sample-freq 499 --folded hostile.folded -- \
		sh -c "'./$name' '$ROOT/tests/integration/programs/many_conns.py' 200 &&
		       $PY '$ROOT/tests/integration/programs/many_conns.py' 200 \"\$(printf 'x</svg>\\200')\"" 2>hostile.err
	check "hostile names, --format $fmt: exit 0" [ $? = 0 ]
done
# (the process keeps the name it had at exec in the ledger; the renamed
# one can reach the output through the profiler's comm/pid roots)
check "hostile names: the JSON parses, valid UTF-8, the process named, cleaned" $PY -c "
import json; d = json.load(open('hostile.json', encoding='utf-8'))
c = [p.get('comm', '') for p in d['processes']]
assert 'a,\"\\\\x09\\\\x0a<svg>\\\\xff' in c, c"
check "hostile name: every CSV record has the header's fields" $PY -c "
import csv; rows = list(csv.reader(open('hostile.csv', encoding='utf-8', newline='')))
assert len({len(r) for r in rows}) == 1, {len(r) for r in rows}"
check "hostile name: the table has no control character but line ends" $PY -c "
t = open('hostile.table', 'rb').read().decode('utf-8')
assert not [c for c in t if ord(c) < 32 and c != '\n'], 'control character'"
check "hostile name: each folded line is 'frames count', no white space in a frame" $PY -c "
import re
for line in open('hostile.folded', encoding='utf-8'):
    assert re.fullmatch(r'\S+ \d+\n', line), repr(line)"
links_after
finish
