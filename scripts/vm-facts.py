#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Kernel facts for the tracer's fallbacks, one column per VM kernel.

    scripts/vm-facts.py [--markdown] KDIR[=GUESTFACTS] ...

KDIR is a kernel cache folder of scripts/vm-kernel.sh (vmlinuz, config,
.complete; its raw BTF is extracted on demand with `scripts/vm-kernel.sh btf`).
GUESTFACTS, if given, is the guest's "CT-FACT" lines (scripts/vmtest.sh saves
them as build/vm/<version>/guest-facts.txt): available_filter_functions,
tracefs events and the like, which only the running kernel can tell.

A function cell lists where it is: BTF (a BTF FUNC: fentry can name it),
ftrace (in available_filter_functions: fentry can attach), kprobe (the guest's
test kprobe on it was accepted), "kallsyms (no kprobe)" (a symbol only); "-" =
none of them (inlined, renamed or gone). Without guest facts only BTF shows.

From the BTF (bpftool btf dump file KDIR/btf format raw): which functions
exist as BTF FUNCs (fentry needs that; a function missing there was inlined or
renamed), their parameter counts and first-parameter types, which tp_btf
tracepoints exist (btf_trace_<name> typedefs), and BPF enum members (map
types, helpers). From the config: the options the tracer depends on.
Prints a plain table (or Markdown with --markdown); "-" = not there.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

FUNCS = [
    "tcp_sendmsg", "tcp_sendmsg_locked", "tcp_recvmsg", "_copy_from_iter",
    "_copy_from_iter_nocache", "_copy_from_iter_full", "csum_and_copy_from_iter_full",
    "__check_object_size", "skb_zerocopy_iter_stream", "skb_copy_ubufs",
    "skb_copy_datagram_iter", "__msg_zerocopy_callback", "msg_zerocopy_callback",
    "msg_zerocopy_complete", "sock_zerocopy_callback", "msg_zerocopy_realloc",
    "sock_zerocopy_realloc", "io_tx_ubuf_complete", "io_notif_complete_tw_ext",
    "__io_notif_complete_tw", "io_notif_tw_complete", "io_uring_tx_zerocopy_callback",
    "io_send_zc", "io_sendmsg_zc", "__zerocopy_sg_from_iter", "zerocopy_fill_skb_from_iter",
    "skb_zerocopy_clone", "tcp_zerocopy_receive",
]
# functions whose parameter count and first parameter type matter
PARAMS = ["tcp_recvmsg", "tcp_sendmsg", "__msg_zerocopy_callback", "msg_zerocopy_callback",
          "msg_zerocopy_complete", "sock_zerocopy_callback", "skb_copy_ubufs",
          "skb_zerocopy_iter_stream", "skb_copy_datagram_iter", "io_tx_ubuf_complete"]
TPS = ["sock_send_length", "sock_recv_length", "skb_copy_datagram_iovec",
       "inet_sk_error_report", "tcp_sendmsg_locked", "netif_receive_skb", "consume_skb",
       "kfree_skb", "tcp_retransmit_skb", "sys_enter", "sys_exit", "io_uring_submit_req",
       "io_uring_complete"]
ENUMS = [
    ("bpf_map_type", "BPF_MAP_TYPE_TASK_STORAGE"), ("bpf_map_type", "BPF_MAP_TYPE_RINGBUF"),
    ("bpf_func_id", "BPF_FUNC_get_func_ret"), ("bpf_func_id", "BPF_FUNC_get_func_arg"),
    ("bpf_func_id", "BPF_FUNC_get_func_ip"), ("bpf_func_id", "BPF_FUNC_get_attach_cookie"),
    ("bpf_func_id", "BPF_FUNC_task_storage_get"), ("bpf_func_id", "BPF_FUNC_get_current_task_btf"),
    ("bpf_attach_type", "BPF_TRACE_KPROBE_MULTI"), ("bpf_attach_type", "BPF_TRACE_KPROBE_SESSION"),
    ("io_uring_op", "IORING_OP_SEND_ZC"), ("io_uring_op", "IORING_OP_SENDMSG_ZC"),
]
STRUCTS = ["ubuf_info_msgzc", "ubuf_info_ops", "io_notif_data"]
MEMBERS = [("ubuf_info", "callback"), ("ubuf_info", "ops"), ("sock", "sk_zckey"),
           ("ubuf_info_msgzc", "id")]
CONFIG = ["CONFIG_DEBUG_INFO_BTF", "CONFIG_BPF_SYSCALL", "CONFIG_BPF_JIT_ALWAYS_ON",
          "CONFIG_KPROBES", "CONFIG_KPROBE_EVENTS", "CONFIG_FUNCTION_TRACER",
          "CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "CONFIG_FPROBE", "CONFIG_HARDENED_USERCOPY",
          "CONFIG_IO_URING", "CONFIG_SECURITY_LOCKDOWN_LSM", "CONFIG_BPF_UNPRIV_DEFAULT_OFF",
          "CONFIG_PREEMPT_VOLUNTARY", "CONFIG_PREEMPT_LAZY", "CONFIG_PREEMPT_DYNAMIC", "CONFIG_HZ"]


def btf_dump(kdir):
    path = os.path.join(kdir, "btf")
    if not os.path.exists(path):
        subprocess.run([os.path.join(HERE, "vm-kernel.sh"), "btf", kdir],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(path):
        return None
    cache = path + ".txt"
    if not os.path.exists(cache):
        with open(cache + ".tmp", "w") as f:
            if subprocess.run(["bpftool", "btf", "dump", "file", path, "format", "raw"],
                              stdout=f, stderr=subprocess.DEVNULL).returncode:
                return None
        os.rename(cache + ".tmp", cache)
    return open(cache).read().splitlines()


HEAD = re.compile(r"^\[(\d+)\] (\S+) '([^']*)'(.*)$")


class Btf:
    def __init__(self, lines):
        self.types = {}   # id -> (kind, name, rest, members)
        self.by_name = {}  # (kind, name) -> id
        cur = None
        for ln in lines:
            m = HEAD.match(ln)
            if m:
                i = int(m.group(1))
                cur = [m.group(2), m.group(3), m.group(4), []]
                self.types[i] = cur
                self.by_name.setdefault((m.group(2), m.group(3)), i)
            elif cur is not None and ln.startswith("\t"):
                cur[3].append(ln.strip())

    def has(self, kind, name):
        return (kind, name) in self.by_name

    def attr(self, tid, key):
        m = re.search(r"\b%s=(\d+)" % key, self.types[tid][2])
        return int(m.group(1)) if m else None

    def type_str(self, tid):
        """C-ish name of a type id: 'struct ubuf_info_msgzc *'."""
        ptr = ""
        for _ in range(10):
            if tid == 0:
                return "void" + (" " + ptr if ptr else "")
            kind, name, rest, _m = self.types[tid]
            if kind == "PTR":
                ptr += "*"
                tid = self.attr(tid, "type_id")
                continue
            if kind in ("CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"):
                tid = self.attr(tid, "type_id")
                continue
            pre = {"STRUCT": "struct ", "UNION": "union ", "ENUM": "enum ", "ENUM64": "enum "}.get(kind, "")
            return pre + name + (" " + ptr if ptr else "")
        return "?"

    def func_proto(self, name):
        fid = self.by_name.get(("FUNC", name))
        if fid is None:
            return None
        pid = self.attr(fid, "type_id")
        params = []
        for p in self.types[pid][3]:
            m = re.match(r"'([^']*)' type_id=(\d+)", p)
            if m:
                params.append((m.group(1), self.type_str(int(m.group(2)))))
        return params

    def tp_args(self, name):
        """Arguments of a tp_btf tracepoint (btf_trace_NAME: a pointer to a
        proto whose first parameter is the context), or None."""
        i = self.by_name.get(("TYPEDEF", "btf_trace_" + name))
        if i is None:
            return None
        i = self.attr(i, "type_id")
        if self.types.get(i, ["?"])[0] == "PTR":
            i = self.attr(i, "type_id")
        if self.types.get(i, ["?"])[0] != "FUNC_PROTO":
            return None
        out = []
        for p in self.types[i][3]:
            m = re.match(r"'([^']*)' type_id=(\d+)", p)
            if m:
                out.append(self.type_str(int(m.group(2))))
        return out[1:]

    def enum_has(self, enum, member):
        for kind in ("ENUM", "ENUM64"):
            i = self.by_name.get((kind, enum))
            if i is not None:
                return any(m.startswith("'%s' " % member) for m in self.types[i][3])
        return False

    def member(self, struct, member, tid=None, depth=0):
        """struct has member (also inside anonymous struct/union members)."""
        i = self.by_name.get(("STRUCT", struct)) if tid is None else tid
        if i is None or depth > 4:
            return False
        for m in self.types[i][3]:
            if m.startswith("'%s' " % member):
                return True
            a = re.match(r"'\(anon\)' type_id=(\d+)", m)
            if a and self.types[int(a.group(1))][0] in ("STRUCT", "UNION") and \
                    self.member(None, member, int(a.group(1)), depth + 1):
                return True
        return False


def guest_facts(path):
    """CT-FACT lines: 'CT-FACT KEY VALUE'."""
    d = {}
    if path and os.path.exists(path):
        for ln in open(path, errors="replace"):
            p = ln.split(None, 2)
            if len(p) >= 3 and p[0] == "CT-FACT":
                d[p[1]] = p[2].strip()
    return d


def facts(kdir, gpath):
    col = {}
    info = open(os.path.join(kdir, ".complete")).read().split()
    col["kernel"] = info[2].rsplit("-", 1)[0] if len(info) > 2 else "?"
    col["suite"] = info[0] if info else "?"
    col["release"] = info[3] if len(info) > 3 else "?"
    g = guest_facts(gpath)
    lines = btf_dump(kdir)
    b = Btf(lines) if lines else None
    for fn in FUNCS:
        # present flags: BTF (fentry can name it), ftrace (an ftrace site: fentry
        # can attach), kprobe (a kprobe on it was accepted); kallsyms = only a symbol
        have = []
        if b is None:
            have.append("BTF?")
        elif b.has("FUNC", fn):
            have.append("BTF")
        if g.get("ftrace:" + fn) == "1":
            have.append("ftrace")
        if g.get("kprobe:" + fn) == "1":
            have.append("kprobe")
        elif g.get("kallsyms:" + fn) == "1":
            have.append("kallsyms (no kprobe)")
        col["func " + fn] = ", ".join(have) if have else "-"
    for fn in PARAMS:
        p = b.func_proto(fn) if b else None
        col["params " + fn] = "-" if p is None else "(%s)" % ", ".join(
            re.sub(r"^(struct|union|enum) ", "", t).replace(" *", "*") for _n, t in p)
    for tp in TPS:
        v = "?"
        if b:
            v = "-"
            args = b.tp_args(tp)
            if args is not None:
                v = "tp_btf(%s)" % ", ".join(
                    re.sub(r"^(struct|union|enum) ", "", t).replace(" *", "*") for t in args)
        ev = g.get("event:" + tp)
        if ev is not None:
            v += ", tracefs " + (ev if ev != "0" else "-")
        col["tp " + tp] = v
    for enum, mem in ENUMS:
        col["enum " + mem] = ("yes" if b.enum_has(enum, mem) else "-") if b else "?"
    for s in STRUCTS:
        col["struct " + s] = ("yes" if b.has("STRUCT", s) else "-") if b else "?"
    for s, m in MEMBERS:
        col["member %s.%s" % (s, m)] = ("yes" if b.member(s, m) else "-") if b else "?"
    cfg = {}
    cp = os.path.join(kdir, "config")
    if os.path.exists(cp):
        for ln in open(cp, errors="replace"):
            m = re.match(r"^(CONFIG_\w+)=(.*)$", ln)
            if m:
                cfg[m.group(1)] = m.group(2)
    for c in CONFIG:
        col[c] = cfg.get(c, "-")
    for k, v in sorted(g.items()):
        if not k.startswith(("ftrace:", "event:", "kprobe:", "kallsyms:")):
            col["guest " + k] = v
    return col


def main(argv):
    md = "--markdown" in argv
    args = [a for a in argv if a != "--markdown"]
    if not args:
        print(__doc__)
        return 2
    cols = []
    for a in args:
        kdir, _, g = a.partition("=")
        cols.append(facts(kdir, g or None))
    keys = []
    for c in cols:
        for k in c:
            if k not in keys:
                keys.append(k)
    head = ["fact"] + [c["kernel"] for c in cols]
    rows = [[k] + [c.get(k, "?") for c in cols] for k in keys if k != "kernel"]
    if md:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
    else:
        w = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
        for r in [head] + rows:
            print("  ".join(x.ljust(w[i]) for i, x in enumerate(r)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
