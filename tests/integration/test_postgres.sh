#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# PostgreSQL as its operators run it, with two trace_runs at once: one
# traces the server by its postmaster's pid (the backends it forks per
# connection during the trace join the trace), the other runs pgbench as a
# command. Each side's copies against the other's, and against pgbench's
# own transaction count: two tracers must not disturb each other.
source "$(dirname "$0")/../lib.sh"
need_root
TR=${CT_TEST_TRACE_RUN:-$ROOT/trace_run}
[ -x "$TR" ] || { fail "trace_run is built" "run make first"; finish; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ ! -x "$PGBIN/postgres" ] || ! command -v pgbench >/dev/null; then
	"$ROOT/scripts/install-deps.sh" >"$T_TMP/deps.log" 2>&1
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [ ! -x "$PGBIN/postgres" ] || ! id postgres >/dev/null 2>&1; then
	fail "postgresql is installed" "scripts/install-deps.sh: $(tail -1 "$T_TMP/deps.log" 2>/dev/null)"
	finish; exit 1
fi
cd "$T_TMP" || exit 1
chmod 755 "$T_TMP"
PORT=16432
PGD=$T_TMP/pgdata
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
	[ -s "$PGD/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGD" -m immediate stop >/dev/null 2>&1
	for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T_TMP"
}
BG=()
trap cleanup EXIT
L() { jget "$1" "d['ledger']['$2']" 2>/dev/null || echo 0; }
links_before

mkdir -p "$PGD" "$T_TMP/sock" && chown postgres: "$PGD" "$T_TMP/sock"
if ! as_pg "$PGBIN/initdb" -D "$PGD" -A trust -U postgres >initdb.log 2>&1 ||
   ! as_pg "$PGBIN/pg_ctl" -D "$PGD" -l "$T_TMP/sock/pg.log" -w -t 60 \
	-o "-p $PORT -k $T_TMP/sock -c listen_addresses=127.0.0.1 -c fsync=off" start >start.log 2>&1; then
	fail "postgresql starts on a private port" "$(tail -2 initdb.log start.log "$T_TMP/sock/pg.log" 2>/dev/null | tr '\n' ' ')"
	finish; exit 1
fi
PM=$(head -n 1 "$PGD/postmaster.pid")
pass "postgresql started on 127.0.0.1:$PORT (postmaster $PM)"
as_pg pgbench -i -s 1 -h 127.0.0.1 -p "$PORT" postgres >init.log 2>&1 ||
	fail "pgbench -i" "$(tail -2 init.log | tr '\n' ' ')"

# the server by its postmaster's pid, for longer than pgbench runs
"$TR" --sample-freq 0 --pid "$PM" --duration 25 --format json --output srv.json 2>srv.err & T1=$!
BG+=("$T1")
if ! wait_for 30 grep -q "^trace_run: tracing" srv.err; then
	fail "trace_run --pid postmaster attaches" "$(head -3 srv.err | tr '\n' ' ')"
fi
# the client as a command run as postgres, under a second trace_run
"$TR" --sample-freq 0 --user postgres --format json --output cli.json -- \
	pgbench -c 4 -j 2 -T 5 -h 127.0.0.1 -p "$PORT" postgres >bench.out 2>cli.err
rc2=$?
tps=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' bench.out)
kill -INT "$T1" 2>/dev/null
wait "$T1"; rc1=$?
if [ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ "${tps:-0}" -gt 0 ]; then
	pass "two tracers at once: the postmaster's by --pid and pgbench's as a command both exit 0 ($tps transactions)"
else
	fail "two tracers at once" "rc --pid $rc1, rc pgbench $rc2, transactions '$tps'; $(head -2 srv.err cli.err | tr '\n' ' ')"
fi
ssc=$(L srv.json send_copy_bytes) src=$(L srv.json recv_copy_bytes)
csc=$(L cli.json send_copy_bytes) crc=$(L cli.json recv_copy_bytes)
within "$src" "$csc" &&
	pass "postgres' receive copy $src B = pgbench's send copy $csc B (within 1 %)" ||
	fail "server receive copy = client send copy" "server received $src B, pgbench sent $csc B"
within "$crc" "$ssc" &&
	pass "pgbench's receive copy $crc B = postgres' send copy $ssc B (within 1 %)" ||
	fail "client receive copy = server send copy" "pgbench received $crc B, server sent $ssc B"
nb=$(jget srv.json "len([p for p in d['processes'] if p.get('comm') == 'postgres' and p['pid'] != $PM and (p['ledger'].get('recv_copy_bytes') or 0) > 0])" 2>/dev/null)
[ "${nb:-0}" -ge 4 ] &&
	pass "the backends forked per connection during the trace are traced ($nb with received bytes)" ||
	fail "backends forked during the trace" "$nb backends with bytes; $(jget srv.json "[(p.get('comm'), p['pid']) for p in d['processes']]" 2>&1 | cut -c1-300)"

as_pg "$PGBIN/pg_ctl" -D "$PGD" -m fast stop >/dev/null 2>&1
links_after
finish
