#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot a matrix of Debian's stock distro kernels under QEMU and run copytrace's
# tracer tests inside each, with the fentry, kprobe and tracepoint backends (the
# way libbpf CI and the kernel's tools/testing/selftests/bpf/vmtest.sh do).
#
#   1. resolve and fetch each kernel of VM_KERNELS (scripts/vm-kernel.sh: the
#      package linux-image-amd64 depends on in that Debian suite, through a
#      private apt configuration under .cache/vm/apt/SUITE/; both the one-package
#      layout and sid's linux-binary/linux-modules/linux-base split) and cache
#      vmlinuz, config and veth.ko by version under .cache/vm/ (git ignores
#      .cache, make clean keeps it): a second run fetches nothing;
#   2. build the static test binaries ONCE into build/vm/ (make B=build/vm LDFLAGS=-static);
#   3. pack ONE initramfs (busybox-static + binaries + tests/vm/init + tests/vm/tests.sh
#      + ip + bpftool) and, per kernel, a small second archive with its modules
#      (the kernel unpacks concatenated cpio archives);
#   4. boot the kernels, VM_PARALLEL at a time, each under timeout, its console
#      streamed with a "[VERSION] " prefix (less the ledger JSON and CT-FACT lines)
#      and kept whole in build/vm/VERSION/console.log;
#   5. decide from each guest's marker lines (CT-VMTEST-GROUP per backend,
#      CT-VMTEST-RESULT in total).
# Prints one line per kernel and backend,
#     vm 6.1.176 fentry: 25 passed, 0 failed
#     vm 6.1.176 kprobe: ...   vm 6.1.176 tracepoint: ...   vm 6.1.176 guest: ...
# ("guest" = environment checks, untraced data paths, backend auto, leftovers),
# the facts table of the kernels (scripts/vm-facts.py; also build/vm/facts.txt),
# and a closing "RESULT passed=N failed=M" (tests/run_all.sh sums it); exits 0
# only when every kernel was fetched, booted, ran to its marker and every check
# passed. A missing QEMU or busybox, or a kernel that cannot be fetched, is a
# failure, never a silent pass. QEMU here is usually TCG (software emulation):
# correctness only, never timings.
#
# Environment:
#   CT_SKIP_VM=1       skip explicitly (exit 0, prints that it skipped)
#   VM_KERNELS         the kernels, space- or comma-separated words (default
#                      "bullseye bookworm trixie sid"); each word is
#                        SUITE          the kernel linux-image-amd64 depends on in that
#                                       Debian suite (bullseye bookworm trixie sid forky,
#                                       or 11 12 13 14 unstable)
#                        SUITE:RELEASE  a given kernel of that suite, e.g.
#                                       bookworm:6.1.0-41-amd64 (linux-image-RELEASE[-amd64])
#                        deb:FILE       a local linux-image .deb
#                        host:PKG[=VER] PKG through the machine's own apt sources
#                      e.g. VM_KERNELS="bullseye sid", VM_KERNELS=trixie:6.12.43+deb13-amd64
#   VM_KERNEL_DEB      a local linux-image .deb: boots that one kernel (= VM_KERNELS=deb:FILE)
#   VM_KERNEL_PKG      a package through the machine's apt (= VM_KERNELS=host:PKG),
#   VM_KERNEL_VERSION    with VM_KERNEL_VERSION its version (default: the candidate)
#   VM_OFFLINE=1       no apt at all: boot what .cache/vm has for each word
#   VM_APT_MAX_AGE     minutes before the private package lists are refreshed (1440)
#   VM_APT_MIRROR      mirror URL (default: the machine's Debian entry in /etc/apt/sources*)
#   VM_PARALLEL        kernels booted at a time (default 2; each TCG guest takes one
#                      host thread, see VM_TCG_THREAD)
#   VM_CACHE           cache folder (default .cache/vm)
#   VM_B               build folder (default build/vm; per kernel VM_B/VERSION/)
#   VM_TIMEOUT         seconds per kernel for boot + tests + poweroff (default 1500: 7.2's guest
#                      took 712 s before the NIC runs were added, on an idle host)
#   VM_MEM, VM_SMP     guest memory (MiB, default 1024) and CPUs (default 2)
#   VM_DURATION        seconds per traced run inside the guest (default 0.5)
#   VM_JOBS            traced runs at a time inside the guest (default 1)
#   VM_BACKENDS        backends of the guest matrix (default "fentry kprobe tracepoint")
#   VM_ACCEL           tcg (default), kvm, or auto (KVM when /dev/kvm is usable and
#                      the CPU shows vmx/svm): a /dev/kvm that opens is no proof it works
#                      (nested KVM on the build host aborted QEMU on a host MSR write)
#   VM_TCG_THREAD      single (default) or multi: QEMU TCG threading. With multi
#                      (MTTCG) the guest's live patching of fentry/ftrace sites hung a
#                      vCPU at a patched function entry (soft lockup) twice in 3 runs;
#                      single keeps 2 guest CPUs but runs them on one host thread
#   VM_TESTS           all (default) | smoke (environment checks only) | nic (the
#                      NIC runs of every backend, their veth controls and the 64 KiB
#                      veth ledgers of the first backend; VM_APPEND=CT_NIC_NETS="loopback
#                      veth" adds loopback)
#   VM_NIC             1 (default): each guest gets two virtio-net NICs on taps
#                      bridged in a private network namespace of the host (made
#                      per guest, removed afterwards whatever happens; needs root)
#                      and runs the --net nic tests; 0: -nic none, no NIC tests
#   VM_QUIET=1         do not stream the guest consoles (they are still logged)
#   VM_BPF_LIBS        libraries for the static trace_run link (default -lbpf -ldw -lelf
#                      -lz -llzma -lbz2 -lm: libdw for the profiler's symbols)
#   VM_APPEND          extra kernel command line words
#   VM_EXTRA           a busybox-sh file the guest sources after its tests (debugging;
#                      it may call pass/fail/check/diag from tests/vm/tests.sh)
#   VM_HOST_TOOLS      host programs copied in with their libraries (default: ip bpftool)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

if [ "${CT_SKIP_VM:-0}" = 1 ]; then
	echo "vmtest: skipped (CT_SKIP_VM=1)"
	exit 0
fi

export VM_CACHE=${VM_CACHE:-$ROOT/.cache/vm}
VM_B=${VM_B:-build/vm}
VM_KERNELS=${VM_KERNELS:-bullseye bookworm trixie sid}
VM_PARALLEL=${VM_PARALLEL:-2}
VM_TIMEOUT=${VM_TIMEOUT:-1500}
VM_MEM=${VM_MEM:-1024}
VM_SMP=${VM_SMP:-2}
VM_DURATION=${VM_DURATION:-0.5}
VM_TESTS=${VM_TESTS:-all}
VM_JOBS=${VM_JOBS:-1}
VM_NIC=${VM_NIC:-1}
VM_BACKENDS=$(echo "${VM_BACKENDS:-fentry kprobe tracepoint}" | tr ' ' ',')
VM_BPF_LIBS=${VM_BPF_LIBS:--lbpf -ldw -lelf -lz -llzma -lbz2 -lm}
# Binaries the guest tests use; trace_run is the one under test.
VM_BINS=(trace_run ctrun server client ktls_pair) # ktls_pair: a kTLS program of no data path of ours
# Dynamic host tools copied in with their libraries (see step 3).
VM_HOST_TOOLS=${VM_HOST_TOOLS:-ip bpftool}
GROUPS_ORDER=(fentry kprobe tracepoint guest)

T0=$(date +%s.%N)
H_PASS=0
H_FAIL=0
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "vmtest: $*"; }
hpass() { H_PASS=$((H_PASS + 1)); echo "ok - vm: $1"; }
hfail() { H_FAIL=$((H_FAIL + 1)); echo "not ok - vm: $1"; }
# die MSG: the VM cannot run at all; fail loudly.
die() {
	hfail "$1"
	[ -n "${2:-}" ] && echo "# $2"
	log "FAILED after $(elapsed "$T0")s (set CT_SKIP_VM=1 to skip the VM tests explicitly)"
	echo "RESULT passed=$H_PASS failed=$H_FAIL"
	exit 1
}

# ---- tools -------------------------------------------------------------------
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || die "$QEMU not found" "install it: apt-get install qemu-system-x86 (or run scripts/install-deps.sh)"
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] || die "busybox not found" "apt-get install busybox-static"
if LC_ALL=C ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked" "apt-get install busybox-static (the initramfs needs a static busybox)"
fi
if [ "$VM_NIC" = 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "VM_NIC=1 needs root (taps and a bridge in a network namespace)" "run as root, or VM_NIC=0 for the runs without a NIC"
	command -v ip >/dev/null || die "ip not found" "apt-get install iproute2"
fi
for t in cpio gzip xz dpkg-deb tar timeout apt-get; do
	command -v "$t" >/dev/null || die "$t not found" "apt-get install cpio xz-utils dpkg tar coreutils apt"
done
mkdir -p "$VM_CACHE" "$VM_B" || die "cannot create $VM_CACHE or $VM_B"

# ---- 1. the kernels ----------------------------------------------------------------
T1=$(date +%s.%N)
if [ -n "${VM_KERNEL_DEB:-}" ]; then
	SPECS=("deb:$VM_KERNEL_DEB")
elif [ -n "${VM_KERNEL_PKG:-}" ]; then
	SPECS=("host:$VM_KERNEL_PKG${VM_KERNEL_VERSION:+=$VM_KERNEL_VERSION}")
else
	read -r -a SPECS <<<"$(echo "$VM_KERNELS" | tr ',' ' ')"
fi
[ ${#SPECS[@]} -gt 0 ] || die "VM_KERNELS is empty"
SUMMARY=() # the per-kernel-backend lines, printed at the end
KDIRS=() # cache folders, in VM_KERNELS order (duplicates dropped)
TAGS=()  # version shown per kernel (the package's upstream version)
for spec in "${SPECS[@]}"; do
	if ! kd=$(scripts/vm-kernel.sh "$spec" 2> >(sed 's/^/vmtest: /' >&2)); then
		hfail "kernel $spec: cannot be fetched (see the vm-kernel lines above)"
		SUMMARY+=("vm $spec: kernel not available: 0 passed, 1 failed")
		continue
	fi
	case " ${KDIRS[*]-} " in *" $kd "*) continue ;; esac
	read -r k_suite k_pkg k_ver k_rel <"$kd/.complete"
	tag=${k_ver%-*}
	[ -n "$tag" ] || tag=$k_rel
	case " ${TAGS[*]-} " in *" $tag "*) tag="$tag-$k_rel" ;; esac
	KDIRS+=("$kd")
	TAGS+=("$tag")
	log "kernel $tag: $k_pkg $k_ver ($k_suite, release $k_rel), cached in ${kd#"$ROOT"/}"
	if [ -r "$kd/config" ]; then
		for opt in CONFIG_DEBUG_INFO_BTF CONFIG_BPF_SYSCALL CONFIG_KPROBES CONFIG_FUNCTION_TRACER; do
			grep -q "^$opt=y" "$kd/config" || log "warning: $tag has no $opt=y; some guest checks will fail"
		done
	fi
done
T_FETCH=$(elapsed "$T1")
[ ${#KDIRS[@]} -gt 0 ] || die "no kernel could be fetched (VM_KERNELS=${SPECS[*]})" \
	"needs Debian's package mirror (apt), a populated $VM_CACHE, or VM_KERNEL_DEB=/path/to/linux-image-*.deb"

# ---- 2. static test binaries, once ---------------------------------------------------
T2=$(date +%s.%N)
targets=()
for b in "${VM_BINS[@]}"; do targets+=("$VM_B/$b"); done
log "building static ${VM_BINS[*]} into $VM_B"
make -k --no-print-directory -s B="$VM_B" TRACE_RUN="$VM_B/trace_run" LDFLAGS=-static EXPORTER=0 \
	BPF_LIBS="$VM_BPF_LIBS" "${targets[@]}" >"$VM_B/build.log" 2>&1
mrc=$?
for b in "${VM_BINS[@]}"; do
	f="$VM_B/$b"
	if [ -x "$f" ] && ! LC_ALL=C ldd "$f" >/dev/null 2>&1; then
		hpass "static build of $b"
	else
		hfail "static build of $b (see $VM_B/build.log)"
		rm -f "$f"
	fi
done
[ $mrc -eq 0 ] || { echo "# make exited $mrc; last lines of $VM_B/build.log:"; tail -n 15 "$VM_B/build.log" | sed 's/^/#   /'; }
T_BUILD=$(elapsed "$T2")

# ---- 3. initramfs: one common archive + one small module archive per kernel -----------------
IR="$VM_B/initramfs"
rm -rf "$IR"
mkdir -p "$IR"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,ct/bin,lib/modules} || die "cannot create $IR"
cp "$BUSYBOX" "$IR/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$IR/bin/$a"
done
# /dev/console before devtmpfs is mounted, so init's first output is not lost
[ "$(id -u)" -eq 0 ] && mknod -m 600 "$IR/dev/console" c 5 1 2>/dev/null
echo "root:x:0:0:root:/root:/bin/sh" >"$IR/etc/passwd"
echo "root:x:0:" >"$IR/etc/group"
install -m 755 tests/vm/init "$IR/init"
install -m 644 tests/vm/tests.sh "$IR/ct/tests.sh"
if [ -n "${VM_EXTRA:-}" ]; then
	install -m 644 "$VM_EXTRA" "$IR/ct/extra.sh" || die "VM_EXTRA=$VM_EXTRA not readable"
fi
for b in "${VM_BINS[@]}"; do
	[ -x "$VM_B/$b" ] && install -m 755 "$VM_B/$b" "$IR/ct/bin/$b"
done
# Host tools the guest needs beyond busybox, with their shared libraries:
# iproute2's ip (the runner runs "ip link add ... type veth peer ... netns PID",
# which busybox ip cannot) and bpftool (leftover-link checks).
for t in $VM_HOST_TOOLS; do
	p=$(command -v "$t" 2>/dev/null)
	[ -n "$p" ] || p=$(ls /usr/sbin/"$t" /sbin/"$t" 2>/dev/null | head -n 1)
	if [ -z "$p" ]; then log "warning: host tool $t not found; guest checks that need it will fail"; continue; fi
	install -m 755 "$(readlink -f "$p")" "$IR/usr/sbin/$t"
	for lib in $(LC_ALL=C ldd "$p" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		cp -L --parents "$lib" "$IR/" || die "cannot copy $lib (needed by $t) into the initramfs"
	done
done
BASE_INITRD="$VM_B/initramfs.cpio.gz"
(cd "$IR" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$BASE_INITRD" ||
	die "packing the initramfs failed"
log "initramfs $BASE_INITRD: $(du -h "$BASE_INITRD" | cut -f1) (+ each kernel's modules)"
# per kernel: VM_B/TAG/initramfs.cpio.gz = common archive + lib/modules of that kernel
for i in "${!KDIRS[@]}"; do
	kd=${KDIRS[$i]} tag=${TAGS[$i]}
	o="$VM_B/$tag"
	rm -rf "$o"
	mkdir -p "$o/mods/lib/modules" || die "cannot create $o"
	cp "$kd"/modules/*.ko "$kd/modules/order" "$o/mods/lib/modules/" 2>/dev/null
	{ cat "$BASE_INITRD"; (cd "$o/mods" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1); } \
		>"$o/initramfs.cpio.gz" || die "packing the module archive of $tag failed"
	rm -rf "$o/mods"
done

# ---- 4. boot, VM_PARALLEL kernels at a time ---------------------------------------------
case ${VM_ACCEL:-tcg} in
kvm) ACCEL=(-accel kvm -cpu host) ;;
tcg) ACCEL=(-accel "tcg,thread=${VM_TCG_THREAD:-single}") ;;
*)
	# /dev/kvm can exist without working (a nested guest whose CPU shows no
	# vmx/svm: QEMU then aborts or the guest faults): use it only with the flags.
	# thread=single: see VM_TCG_THREAD above
	ACCEL=(-accel "tcg,thread=${VM_TCG_THREAD:-single}")
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		ACCEL=(-accel kvm -cpu host)
	fi
	;;
esac
# rcupdate.rcu_expedited=1: synchronize_rcu() (netns teardown, kprobe and
# trampoline detach) is most of a traced run's fixed cost under TCG; ~25 % faster.
# softlockup_panic=1: a guest kernel lockup panics (backtrace on the console)
# and QEMU exits at once (-no-reboot) instead of burning the time limit.
APPEND="console=ttyS0 quiet panic=-1 softlockup_panic=1 rcupdate.rcu_expedited=1 CT_DURATION=$VM_DURATION CT_TESTS=$VM_TESTS CT_JOBS=$VM_JOBS CT_BACKENDS=$VM_BACKENDS CT_NIC=$VM_NIC ${VM_APPEND:-}"

# The NIC topology: per guest a network namespace of the host, NSPFX-INDEX,
# holding two taps (vnet_hdr: the guest's virtio-net then offers scatter-
# gather and checksum offload) on a bridge; QEMU runs inside it, so the
# guest's frames never reach the host's own network. Removed after each boot
# and, whatever happens, on exit.
NSPFX="ctvm$$"
nic_cleanup() {
	local n
	for n in $(ip netns list 2>/dev/null | awk -v p="$NSPFX-" 'index($1, p) == 1 { print $1 }'); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
}
if [ "$VM_NIC" = 1 ]; then
	trap nic_cleanup EXIT
	trap 'nic_cleanup; exit 130' INT TERM
fi
# nic_setup INDEX: the namespace of guest INDEX; prints QEMU's NIC arguments
nic_setup() {
	local ns="$NSPFX-$1" t
	ip netns add "$ns" || return 1
	ip -n "$ns" link add br0 type bridge || return 1
	for t in tap0 tap1; do
		ip -n "$ns" tuntap add dev "$t" mode tap vnet_hdr &&
			ip -n "$ns" link set "$t" master br0 && ip -n "$ns" link set "$t" up || return 1
	done
	ip -n "$ns" link set br0 up || return 1
	echo "-netdev tap,id=n0,ifname=tap0,vnet_hdr=on,script=no,downscript=no -device virtio-net-pci,netdev=n0" \
		"-netdev tap,id=n1,ifname=tap1,vnet_hdr=on,script=no,downscript=no -device virtio-net-pci,netdev=n1"
}

# boot_one INDEX: boots one kernel; console in VM_B/TAG/console.log, QEMU's exit
# status and wall time in VM_B/TAG/qemu.rc / wall
boot_one() {
	local kd=${KDIRS[$1]} tag=${TAGS[$1]}
	local o="$VM_B/$tag" t0 rc
	local netns=() nics=(-nic none) a
	t0=$(date +%s.%N)
	if [ "$VM_NIC" = 1 ]; then
		if ! a=$(nic_setup "$1"); then
			echo "vmtest: cannot make the NIC namespace $NSPFX-$1 (tap, bridge)" >"$o/console.log"
			echo 1 >"$o/qemu.rc"
			elapsed "$t0" >"$o/wall"
			ip netns del "$NSPFX-$1" 2>/dev/null
			return
		fi
		read -r -a nics <<<"$a"
		netns=(ip netns exec "$NSPFX-$1")
	fi
	"${netns[@]}" timeout -k 10 "$VM_TIMEOUT" "$QEMU" "${ACCEL[@]}" -m "$VM_MEM" -smp "$VM_SMP" \
		-nographic -no-reboot -monitor none -serial stdio "${nics[@]}" \
		-kernel "$kd/vmlinuz" -initrd "$o/initramfs.cpio.gz" -append "$APPEND" </dev/null 2>&1 |
		sed -u 's/\r//g' | tee "$o/console.log" |
		if [ "${VM_QUIET:-0}" = 1 ]; then cat >/dev/null; else
			# the ledger JSON and the CT-FACT lines stay in console.log only
			sed -u -e '/CT-LEDGER-BEGIN/,/CT-LEDGER-END/d' -e '/^CT-FACT /d' -e '/^CT-KFACTS /d' -e "s/^/[$tag] /"
		fi
	rc=${PIPESTATUS[0]}
	[ "$VM_NIC" = 1 ] && ip netns del "$NSPFX-$1" 2>/dev/null
	echo "$rc" >"$o/qemu.rc"
	elapsed "$t0" >"$o/wall"
}
log "booting ${#KDIRS[@]} kernel(s) (${TAGS[*]}), $VM_PARALLEL at a time (${ACCEL[*]}, -m $VM_MEM -smp $VM_SMP, limit ${VM_TIMEOUT}s each)"
T3=$(date +%s.%N)
running=0
# Newest first: newer kernels run more of the matrix (a4, more hooks) and take
# longest; starting the longest jobs first shortens the whole (oldest first,
# CI ran 6.12 and 7.2 after 5.10 and 6.1: 2,700 s for four guests two at a time)
ORDER=()
for i in "${!KDIRS[@]}"; do ORDER=("$i" "${ORDER[@]}"); done
for i in "${ORDER[@]}"; do
	if [ "$running" -ge "$VM_PARALLEL" ]; then
		wait -n
		running=$((running - 1))
	fi
	log "booting ${TAGS[$i]} ($(cut -d' ' -f2,3 "${KDIRS[$i]}/.complete"))"
	boot_one "$i" &
	running=$((running + 1))
done
wait
T_BOOT=$(elapsed "$T3")

# ---- 5. verdicts ------------------------------------------------------------------
# The guest prints the JSON of its 64 KiB runs (loopback, veth, nic) between CT-LEDGER-BEGIN
# NAME / CT-LEDGER-END; keep each as VM_B/TAG/ledger-NAME.json and render the
# ones of each backend as a table (VM_B/TAG/ledgers.txt).
render_ledgers() {
	python3 - "$@" <<'PY'
import json, sys
rows = [("user_copy_bytes", "user-space gather"), ("send_copy_bytes", "kernel send copy"),
        ("splice_bytes", "spliced by reference"),
        ("zerocopy_bytes", "zerocopy pinned"), ("deferred_copy_bytes", "deferred copy (skb_copy_ubufs)"),
        ("recv_copy_bytes", "kernel receive copy")]
docs = []
for p in sys.argv[1:]:
    try:
        docs.append(json.load(open(p)))
    except Exception as e:
        print(f"{p}: not JSON ({e})")
if not docs:
    sys.exit(0)
d0 = docs[0]
print(f"copy ledger, backend {d0.get('backend')}, kernel {d0.get('kernel')}, {d0.get('size')} B, "
      f"{d0.get('threads')} thread(s), {d0.get('net')}, {d0.get('mode')} (QEMU TCG: times are not performance data)")
print(f"  {'bytes per message':32}" + "".join(f"{d.get('impl'):>13} " for d in docs))
for k, label in rows:
    cells = []
    for d in docs:
        l = d.get("ledger", {}); m = l.get("messages") or 0
        star = "*" if l.get(k.replace("_bytes", "_inferred")) else " "
        v = l.get(k)  # null: not observable with this backend/kernel
        cells.append(f"{'n/a':>13} " if v is None else f"{(v / m if m else 0):13.0f}{star}")
    print(f"  {label:32}" + "".join(cells))
print(f"  {'messages':32}" + "".join(f"{d.get('ledger', {}).get('messages', 0):13} " for d in docs))
print("  (* = inferred by the tracer, not observed)")
for d in docs:
    a = d.get("app", {})
    print(f"\n  {d.get('impl')}: app sent {a.get('bytes_sent')} B, received {a.get('bytes_received')} B, "
          f"zerocopy completions {a.get('zc_completions')} (copied {a.get('zc_copied')})")
    print(f"    {'side':9}{'function':28}{'calls':>9}{'bytes':>13}{'mean_ns':>11}  hook")
    for r in d.get("functions", []):
        calls = r.get("calls", 0); ns = r.get("ns", 0); tc = r.get("timed_calls", calls) or 0
        mean = f"{ns / tc:.0f}" if tc and ns else "-"
        print(f"    {r.get('side', ''):9}{r.get('name', ''):28}{calls:>9}{r.get('bytes', 0):>13}{mean:>11}  {r.get('hook', '')}")
    for n in d.get("notes", []):
        print(f"    note: {n}")
PY
}

# verdict INDEX: prints the per-backend lines of one kernel, adds to K_PASS/K_FAIL
K_PASS=0
K_FAIL=0
K_SKIP=0 # checks a guest could not make (its kernel lacks the feature): never passed
verdict() {
	local tag=${TAGS[$1]} kd=${KDIRS[$1]}
	local o="$VM_B/$tag" clog="$VM_B/$tag/console.log"
	local qrc marker g line p f note wall
	qrc=$(cat "$o/qemu.rc" 2>/dev/null || echo '?')
	wall=$(cat "$o/wall" 2>/dev/null || echo '?')
	marker=$(grep -ao 'CT-VMTEST-RESULT passed=[0-9]* failed=[0-9]*\( skipped=[0-9]*\)\{0,1\}' "$clog" 2>/dev/null | tail -n 1)
	grep -a '^CT-FACT ' "$clog" >"$o/guest-facts.txt" 2>/dev/null
	sed -n 's/^CT-KFACTS //p' "$clog" | tr -d '\r' >"$o/kernel-facts.txt" 2>/dev/null
	rm -f "$o"/ledger-*.json
	awk -v dir="$o" '
		/CT-LEDGER-BEGIN/ { sub(/.*CT-LEDGER-BEGIN /, ""); f = dir "/ledger-" $1 ".json"; printf "" > f; next }
		/CT-LEDGER-END/ { if (f) close(f); f = ""; next }
		f { print >> f }' "$clog"
	: >"$o/ledgers.txt"
	if command -v python3 >/dev/null; then
		for g in "${GROUPS_ORDER[@]}"; do
			for net in loopback veth nic; do
				local ls=()
				for i in a1 a2 a3 a4 a5; do [ -s "$o/ledger-$g-$i-65536-$net.json" ] && ls+=("$o/ledger-$g-$i-65536-$net.json"); done
				[ ${#ls[@]} -gt 0 ] && { render_ledgers "${ls[@]}"; echo; } >>"$o/ledgers.txt"
			done
		done
	fi
	note=
	if [ -z "$marker" ]; then
		if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
			note="guest did not finish within VM_TIMEOUT=${VM_TIMEOUT}s"
		else
			note="guest printed no result marker (qemu exit $qrc; kernel panic or init failure?)"
		fi
		hfail "kernel $tag: $note (console: $clog)"
		grep -aE 'Kernel panic|BUG:|RIP:|soft lockup|Call Trace' "$clog" | head -n 5 | sed 's/^/#   /'
	else
		[ "$qrc" = 0 ] || log "kernel $tag: qemu exited $qrc after the marker"
	fi
	for g in "${GROUPS_ORDER[@]}"; do
		line=$(grep -ao "CT-VMTEST-GROUP $g passed=[0-9]* failed=[0-9]*" "$clog" 2>/dev/null | tail -n 1)
		if [ -n "$line" ]; then
			p=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$line")
			f=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")
		else
			# no marker: count the check lines the guest printed before it
			# stopped, and fail a group that printed none (never reached)
			read -r p f < <(awk -v g="$g" '
				{
					s = $0; bad = 0
					if ((i = index(s, "not ok - ")) > 0) { bad = 1; s = substr(s, i + 9) }
					else if ((i = index(s, "ok - ")) > 0) s = substr(s, i + 5)
					else next
					split(s, w, /[ :]/)
					grp = (w[1] == "fentry" || w[1] == "kprobe" || w[1] == "tracepoint") ? w[1] : "guest"
					if (grp == g) { if (bad) nf++; else np++ }
				}
				END { print np + 0, nf + 0 }' "$clog")
			if [ $((p + f)) -eq 0 ] && { [ "$g" = guest ] || [[ ",$VM_BACKENDS," == *",$g,"* ]]; }; then
				f=1
			fi
			K_PASS=$((K_PASS + p))
			K_FAIL=$((K_FAIL + f))
		fi
		# a backend left out of the matrix (VM_BACKENDS, or VM_TESTS=smoke) has no checks at all
		if [ $((p + f)) -eq 0 ] && [ "$g" != guest ] &&
			{ [[ ",$VM_BACKENDS," != *",$g,"* ]] || [ "$VM_TESTS" = smoke ]; }; then
			continue
		fi
		SUMMARY+=("vm $tag $g: $p passed, $f failed${note:+ ($note)}")
	done
	if [ -n "$marker" ]; then
		K_PASS=$((K_PASS + $(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$marker")))
		K_FAIL=$((K_FAIL + $(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$marker")))
		if [[ $marker == *skipped=* ]]; then
			local s
			s=$(sed -E 's/.*skipped=([0-9]+).*/\1/' <<<"$marker")
			K_SKIP=$((K_SKIP + s))
			[ "$s" -gt 0 ] && SUMMARY+=("vm $tag: $s check(s) not possible on this kernel (skip lines in $clog)")
		fi
	fi
	log "kernel $tag ($(cut -d' ' -f2,3 "$kd/.complete")): ${marker:-no marker}; boot+tests+poweroff ${wall}s"
}
echo
for i in "${!KDIRS[@]}"; do
	verdict "$i"
done

# ---- 6. the facts of these kernels --------------------------------------------------------
if command -v python3 >/dev/null && command -v bpftool >/dev/null; then
	fargs=()
	for i in "${!KDIRS[@]}"; do fargs+=("${KDIRS[$i]}=$VM_B/${TAGS[$i]}/guest-facts.txt"); done
	if python3 scripts/vm-facts.py "${fargs[@]}" >"$VM_B/facts.txt" 2>"$VM_B/facts.err"; then
		log "kernel facts (BTF, config, guest: ftrace sites, kprobes, tracefs events), also in $VM_B/facts.txt:"
		sed 's/^/  /' "$VM_B/facts.txt"
	else
		log "warning: scripts/vm-facts.py failed: $(tail -n 1 "$VM_B/facts.err")"
	fi
fi
for i in "${!KDIRS[@]}"; do
	[ -s "$VM_B/${TAGS[$i]}/ledgers.txt" ] && log "ledgers of ${TAGS[$i]} (64 KiB, loopback/veth/nic, per backend): $VM_B/${TAGS[$i]}/ledgers.txt"
done

echo
log "summary:"
for l in "${SUMMARY[@]}"; do echo "$l"; done
P=$((H_PASS + K_PASS))
F=$((H_FAIL + K_FAIL))
walls=
for i in "${!KDIRS[@]}"; do walls="$walls ${TAGS[$i]}=$(cat "$VM_B/${TAGS[$i]}/wall" 2>/dev/null)s"; done
log "wall time $(elapsed "$T0")s (kernel fetch/cache ${T_FETCH}s, static build ${T_BUILD}s, boots ${T_BOOT}s:$walls)"
echo "RESULT passed=$P failed=$F$([ "$K_SKIP" -gt 0 ] && echo " skipped=$K_SKIP")"
[ "$F" -eq 0 ]
