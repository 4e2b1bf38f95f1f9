#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks trace_run --interval --format json output (JSON Lines: one
object per interval, then the whole run's report on one line).
usage: check_interval.py FILE sum|persecond|states
  sum        every ledger line of the intervals adds up exactly to the total
  persecond  (--impl) each interval's sender send copy is within 1 % of the
             bytes the server sent in that second (its app.server.sent_per_s)
  states     some process is shown "new" in one interval and "exited" in a
             later one (tracing a program)
Prints one line per finding; exit 0 when the check holds."""
import json
import sys

KEYS = ["user_copy_bytes", "send_copy_bytes", "zerocopy_bytes", "deferred_copy_bytes",
        "recv_copy_bytes", "splice_bytes", "recv_zerocopy_bytes", "splice_out_bytes",
        "sent_bytes", "received_bytes"]


def load(path):
    lines = [json.loads(x) for x in open(path) if x.strip()]
    iv = [x for x in lines if "interval" in x]
    total = [x for x in lines if "interval" not in x]
    if len(total) != 1 or lines[-1] is not total[0]:
        sys.exit("expected the intervals, then one report line; got %d report lines" % len(total))
    if [x["interval"] for x in iv] != list(range(1, len(iv) + 1)):
        sys.exit("intervals are not numbered 1..%d" % len(iv))
    return iv, total[0]


def check_sum(iv, total):
    ok = True
    for k in KEYS:
        want = total["ledger"][k]
        got = None if want is None else sum(x["ledger"][k] or 0 for x in iv)
        print("%s: intervals %s, total %s" % (k, got, want))
        ok &= got == want
    return ok and len(iv) >= 2


def check_persecond(iv, total):
    srv = total["app"]["server"]["sent_per_s"]
    first, per_s = srv["first_s"], srv["bytes"]
    busiest = max(per_s)
    ok, compared = True, 0
    for x in iv:
        sec = int(x["start"])
        app = per_s[sec - first] if 0 <= sec - first < len(per_s) else 0
        snd = next(p for p in x["processes"] if p["label"] == "sender")
        got = snd["ledger"]["send_copy_bytes"]
        # a part-second (the first, the last) moves the boundary's jitter
        # (the thread's wake-up, ~1 ms) onto few bytes: compared from a
        # tenth of the busiest second up
        if app < busiest / 10:
            print("interval %d (%.3f s): app %d, send copy %d: part of a second, not compared"
                  % (x["interval"], x["seconds"], app, got))
            continue
        compared += 1
        err = abs(got - app) / app
        print("interval %d (%.3f s): app sent %d in second %d, send copy %d (%.4f %%)"
              % (x["interval"], x["seconds"], app, sec, got, 100 * err))
        ok &= err <= 0.01
    return ok and compared >= 3


def check_states(iv, total):
    seen = {}
    for x in iv:
        for p in x["processes"]:
            seen.setdefault(p.get("pid"), []).append((x["interval"], p["state"]))
    good = [pid for pid, st in seen.items()
            if any(s in ("new", "new+exited") for _, s in st) and
            any(s in ("exited", "new+exited") for _, s in st)]
    print("processes new then exited: %s" % good)
    return bool(good)


if __name__ == "__main__":
    iv, total = load(sys.argv[1])
    fn = {"sum": check_sum, "persecond": check_persecond, "states": check_states}[sys.argv[2]]
    sys.exit(0 if fn(iv, total) else 1)
