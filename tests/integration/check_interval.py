#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks trace_run --interval --format json output (JSON Lines: one
object per interval, then the whole run's report on one line).
usage: check_interval.py FILE sum|persecond|states
  sum        every ledger line of the intervals adds up exactly to the total
  persecond  (--impl) each interval's sender send copy is within 1 % of the
             bytes the server sent in the same span (its app.server.sent_per_s,
             prorated over the interval's start and end)
  states     some process is shown "new" in one interval and "exited" in a
             later one (tracing a program)
Prints one line per finding; exit 0 when the check holds."""
import json
import math
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


def app_bytes(per_s, first, start, end):
    """What the application sent in [start, end): each of its seconds'
    bytes weighted by the share of that second inside the interval (a
    steady rate within a second), so that a tick read late, as on a
    loaded host, is compared with the same span."""
    got = 0.0
    for i, b in enumerate(per_s):
        lo, hi = max(start, first + i), min(end, first + i + 1)
        if hi > lo:
            got += b * (hi - lo)
    return got


def check_persecond(iv, total):
    srv = total["app"]["server"]["sent_per_s"]
    first, per_s = srv["first_s"], srv["bytes"]
    busiest = max(per_s)
    ok, compared, out = True, 0, []
    for x in iv:
        app = app_bytes(per_s, first, x["start"], x["end"])
        snd = next(p for p in x["processes"] if p["label"] == "sender")
        got = snd["ledger"]["send_copy_bytes"]
        span = "%.3f-%.3f s" % (x["start"] - first, x["end"] - first)
        # the application's first and last seconds are partly idle
        # (start-up, drain): no steady rate to prorate; compared only over
        # seconds between them (a second the interval touches for under
        # 10 ms, a tick's usual lateness, is not spanned)
        secs = range(int(x["start"] + 0.01) - first, math.ceil(x["end"] - 0.01) - first)
        if not all(0 < i < len(per_s) - 1 and per_s[i] >= busiest / 10 for i in secs):
            out.append("interval %d (%s): app %.0f, send copy %d: spans the first or last "
                       "second, not compared" % (x["interval"], span, app, got))
            continue
        compared += 1
        err = abs(got - app) / app
        out.append("interval %d (%s): app sent %.0f in it, send copy %d (%.4f %%)"
                   % (x["interval"], span, app, got, 100 * err))
        ok &= err <= 0.01
    # every interval, whichever failed: a failure's context is its neighbours
    print("; ".join(out) if not ok else "\n".join(out))
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
