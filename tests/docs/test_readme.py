#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""README.md and docs/ say what the code does.

Each case reads a fact from the code (options in user/common/opttable.c, defaults
in user/common/opts.c,
JSON keys in user/common/result.c and user/ledger.c, results.csv columns in
analysis/collect.py, script flags, make targets, constants) and looks for
it in README.md and the pages of docs/ (one text here: README).

usage: test_readme.py --list | CASE (tests/pycases.py); run by
tests/docs/test_readme.sh.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import pycases  # noqa: E402


def src(path):
    return open(os.path.join(ROOT, path)).read()


import glob  # noqa: E402
DOC_FILES = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs/*.md")))
README = "\n".join(src(p) for p in DOC_FILES)
WORDS = {w.strip("-") for w in re.findall(r"[A-Za-z0-9_-]+", README)}


def missing(names, where):
    gone = sorted(n for n in set(names) if n not in WORDS)
    if gone:
        print("not in README.md (%s): %s" % (where, ", ".join(gone)))
    return not gone


def define(path, name):
    m = re.search(r"#define %s\s+\(?(\d+)u?(?:\s*<<\s*(\d+))?" % name, src(path))
    return int(m.group(1)) << int(m.group(2) or 0)


def case_a3_slot_ring():
    """a3 slot ring: README's default size, slot bounds and --slots range are the code's"""
    budget = define("user/net/impl_a3.c", "SLOT_BUDGET")
    m = re.search(r"ring of slots[^(]*\(default: (\d+) MiB", README)
    ok = True
    if not m or int(m.group(1)) << 20 != budget:
        print("README a3 ring default %s MiB, user/net/impl_a3.c SLOT_BUDGET %d MiB"
              % (m and m.group(1), budget >> 20))
        ok = False
    lo, hi = re.search(r"n < (\d+) \? \d+ : n > (\d+)", src("user/net/impl_a3.c")).groups()
    rng = re.search(r'\{ "slots",[^}]*?\.min = (\d+),\s*\.max = (\d+)', src("user/common/opttable.c")).groups()
    para = README[m.start():m.start() + 600] if m else ""
    for what, v in (("at least", lo), ("at most", hi), ("--slots up to", rng[1])):
        if v not in re.findall(r"\d+", para):
            print("README a3 ring paragraph lacks %s %s" % (what, v))
            ok = False
    return ok


def case_options():
    """every long option of the option table (user/common/opttable.c) and trace_run.c is in README.md"""
    opts = re.findall(r'^\t\{ "([a-z-]+)", (?:0|\'.\'), ', src("user/common/opttable.c"), re.M)
    if len(opts) < 40:
        print("read %d options from user/common/opttable.c: its entries changed form" % len(opts))
        return False
    opts += re.findall(r'"(--[a-z-]+)"', src("user/cmd/trace_run.c"))
    return missing([o.lstrip("-") for o in opts if o != "help"], "options")


def case_option_defaults():
    """option defaults and ranges in README.md match user/common/opts.c"""
    o = src("user/common/opts.c")
    d = o[o.index("static void defaults"):]
    d = d[:d.index("\n}\n")]
    want = {
        "--size": re.search(r"o->size = (\d+);", d).group(1),
        "--port": str(define("user/common/ctopts.h", "CT_DEFAULT_PORT")),
        "--duration": re.search(r"ROLE_TRACE \? (\d+)\.0 : (\d+)\.0", d).groups(),
        "--threads": "1..%d" % define("user/common/ctopts.h", "CT_MAX_THREADS"),
        "--repeat": re.search(r"o->repeat = (\d+);", d).group(1),
    }
    ok = True
    for flag, v in want.items():
        rows = [l for l in README.splitlines() if l.startswith("| `%s" % flag)]
        text = " ".join(rows) or README[README.find("%s " % flag):][:200]
        for x in (v if isinstance(v, tuple) else (v,)):
            if x not in text:
                print("README on %s lacks %s: %s" % (flag, x, text[:160]))
                ok = False
    return ok


def json_keys(path):
    return re.findall(r'\\"([a-z_0-9]+)\\": ', src(path))


def case_app_json_keys():
    """every JSON key ctrun writes (user/common/result.c) is in README.md"""
    return missing(json_keys("user/common/result.c"), "user/common/result.c JSON keys")


def case_trace_json_keys():
    """every JSON key trace_run writes (user/report/json.c, ledger lines in ledger.c) is in README.md"""
    keys = json_keys("user/report/json.c")
    keys += re.findall(r'\{ "([a-z_]+_bytes)", ', src("user/report/ledger.c"))
    return missing(keys, "trace_run JSON keys")


def case_results_columns():
    """README's results.csv column list is analysis/collect.py's, in order"""
    import collect
    m = re.search(r"Main `results.csv` columns: `([^`]*)`", README)
    if not m:
        print("no 'Main results.csv columns' list")
        return False
    listed = []
    for c in re.split(r",\s*(?![^{]*\})", m.group(1)):
        c = c.strip().rstrip(".…")
        b = re.match(r"(\w*)\{([^}]*)\}(\w*)", c)
        listed += [b.group(1) + x.strip() + b.group(3) for x in b.group(2).split(",")] if b else [c]
    listed = [c for c in listed if not c.startswith("kns_")]
    code = [c for c, _ in collect.COLUMNS]
    if listed != code:
        print("README lists %s\ncollect.py has %s" % (
            [c for c in listed if c not in code], [c for c in code if c not in listed]) if set(listed) != set(code)
            else "same columns, other order")
        return False
    return True


def case_latency_error():
    """README's histogram error bound is user/common/hist.h's (1/2^HIST_SUB_BITS)"""
    bits = define("user/common/hist.h", "HIST_SUB_BITS")
    m = re.search(r"log-linear histogram \(([^)]*)relative error", README)
    nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?= %)", m.group(1))] if m else []
    if not m or not ("1/%d" % (1 << bits) in m.group(1) or (nums and nums[-1] >= 100.0 / (1 << bits))):
        print("README bound '%s' is below 1/%d = %.3f %%" % (m and m.group(1), 1 << bits, 100.0 / (1 << bits)))
        return False
    return True


def usage_flags(path):
    """The options a script's usage text (its here-document) lists."""
    u = re.search(r"cat <<(\w+)\n(.*?)\n\1\n", src(path), re.S).group(2)
    return [f.lstrip("-") for f in re.findall(r"^\s+(--[a-z-]+)", u, re.M)]


def case_sweep_flags():
    """every scripts/run_experiments.sh option is in README.md"""
    return missing(usage_flags("scripts/run_experiments.sh"), "run_experiments.sh")


def case_bench_flags():
    """scripts/bench.sh options, bench.py defaults and its --smoke durations are README's"""
    ok = missing(usage_flags("scripts/bench.sh"), "bench.sh")
    py = src("scripts/bench.py")
    budget = re.search(r'"--budget", type=float, default=(\d+)', py).group(1)
    if not re.search(r"--budget S`[^`]*?default %s\)" % budget, README):
        print("README --budget default is not bench.py's %s" % budget)
        ok = False
    pairs, dur, rr = re.search(r"a\.pairs, a\.duration, a\.rr_duration = (\S+), (\S+), (\S+)\n", py).groups()
    m = re.search(r"`bench.sh --smoke`: ([^)]*)", README)
    if not m or "%s s stream" % dur not in m.group(1) or "%s s rr" % rr not in m.group(1):
        print("README on --smoke ('%s') lacks %s s stream / %s s rr runs" % (m and m.group(1), dur, rr))
        ok = False
    return ok


def case_make_targets():
    """every `make TARGET` README.md names has a rule in the Makefile"""
    mk = src("Makefile")
    rules = set(re.findall(r"^([a-z][a-z-]*):", mk, re.M))
    named = set(re.findall(r"`(?:sudo )?make ([a-z]+)", README)) | set(re.findall(r"^sudo make ([a-z]+)", README, re.M))
    gone = sorted(named - rules)
    if gone:
        print("README names make targets without a rule: %s" % gone)
    return not gone


def case_readme_is_short_and_links_docs():
    """README.md is at most 250 lines and links every page of docs/"""
    text = src("README.md")
    ok = True
    n = text.count("\n")
    if n > 250:
        print("README.md has %d lines (at most 250: the rest belongs in docs/)" % n)
        ok = False
    for p in DOC_FILES[1:]:
        if "(%s)" % p not in text:
            print("README.md does not link %s" % p)
            ok = False
    return ok


def help_options(binary):
    out = __import__("subprocess").run([os.path.join(ROOT, binary), "--help"], capture_output=True,
                                       text=True).stdout
    return set(re.findall(r"(?:^|\s)(--[a-z][a-z-]*)", out))


def case_doc_commands_use_real_options():
    """every option in the commands README.md and docs/ show is one the binary's --help lists"""
    bins = {"trace_run": "trace_run", "ctrun": "build/ctrun", "build/ctrun": "build/ctrun",
            "copytrace-client": "build/client", "build/client": "build/client",
            "copytrace-server": "build/server", "build/server": "build/server"}
    known = {b: help_options(p) for b, p in bins.items()}
    ok, seen = True, 0
    for p in DOC_FILES:
        fence = False
        for ln in src(p).splitlines():
            if ln.startswith("```"):
                fence = not fence
                continue
            if not fence:
                continue
            cmd = ln.split("#", 1)[0].split()
            while cmd and cmd[0] in ("sudo", "$"):
                cmd = cmd[1:]
            if not cmd:
                continue
            name = cmd[0][2:] if cmd[0].startswith("./") else cmd[0]
            if name not in known:
                continue
            seen += 1
            words = cmd[1:cmd.index("--")] if "--" in cmd else cmd[1:]
            for w in words:
                opt = w.split("=", 1)[0]
                if opt.startswith("--") and opt not in known[name]:
                    print("%s: `%s` uses %s, not an option of %s --help" % (p, ln.strip(), opt, name))
                    ok = False
    if not seen:
        print("no command of trace_run, ctrun, client or server found in the docs' code blocks")
        return False
    return ok


if __name__ == "__main__":
    sys.exit(pycases.main(globals()))
