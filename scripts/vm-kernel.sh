#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch one Debian kernel for the VM tests and cache what the VM needs.
#
#   scripts/vm-kernel.sh SPEC        prints the cache folder of that kernel
#   scripts/vm-kernel.sh btf DIR     extracts DIR/btf (raw vmlinux BTF) from DIR/vmlinuz
#
# SPEC (one word; scripts/vmtest.sh passes each word of VM_KERNELS here):
#   SUITE          the kernel Debian's linux-image-amd64 depends on in SUITE
#                  (bullseye, bookworm, trixie, sid, ...; aliases 11 12 13 unstable)
#   SUITE:RELEASE  a given kernel of SUITE: linux-image-RELEASE (or
#                  linux-image-RELEASE-amd64), e.g. bookworm:6.1.0-41-amd64
#   deb:FILE       a local linux-image .deb (VM_KERNEL_DEB)
#   host:PKG[=VER] PKG through the machine's own apt configuration
#                  (VM_KERNEL_PKG / VM_KERNEL_VERSION)
#
# Suites other than the machine's own are reached with a PRIVATE apt
# configuration under $VM_CACHE/apt/SUITE/ (sources.list, lists, cache); the
# machine's sources are never touched. The mirror URL and keyring are read at
# run time from the machine's apt sources (the first Debian main archive entry)
# unless VM_APT_MIRROR / VM_APT_KEYRING say otherwise.
#
# Two package layouts: bullseye/bookworm/trixie ship one linux-image-REL .deb
# with /boot/vmlinuz-REL, /boot/config-REL and the modules; sid splits it into
# linux-binary-REL (/usr/lib/modules/REL/vmlinuz), linux-modules-REL and
# linux-base-REL (/usr/lib/modules/REL/config), with linux-image-REL a meta
# package depending on them.
#
# Cache: $VM_CACHE/<image package>_<version>/ holds vmlinuz, config,
# modules/*.ko + modules/order (veth, virtio_net, virtio_pci and their
# dependencies, decompressed for busybox insmod; modules/wanted names the set,
# and a cache made for another set has its modules fetched again) and .complete ("SUITE PACKAGE VERSION RELEASE"); the .debs
# are deleted after extraction. $VM_CACHE/suites/SUITE remembers the last
# resolution, so that an offline machine (or VM_OFFLINE=1) boots the kernel it
# has. Package lists are refreshed when older than VM_APT_MAX_AGE minutes
# (default 1440): a second run within a day fetches nothing at all.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VM_CACHE=${VM_CACHE:-$ROOT/.cache/vm}
VM_APT_MAX_AGE=${VM_APT_MAX_AGE:-1440}
VM_OFFLINE=${VM_OFFLINE:-0}

log() { echo "vm-kernel: $*" >&2; }
die() { echo "vm-kernel: error: $*" >&2; exit 1; }

# ---- the machine's Debian mirror and keyring --------------------------------
# Prints "URI KEYRING" of the first Debian main archive entry (not -security,
# not a third-party repository) of the machine's apt sources.
host_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		case $f in
		*.sources)
			# deb822: stanzas separated by blank lines
			awk '
				function flush() {
					if (types ~ /(^| )deb( |$)/ && uris ~ /debian/ && uris !~ /security/ &&
					    suites !~ /security/ && comps ~ /(^| )main( |$)/) {
						split(uris, u, " "); print u[1], (key != "" ? key : "-"); found = 1; exit
					}
					types = uris = suites = comps = key = ""
				}
				/^[ \t]*#/ { next }
				/^[ \t]*$/ { flush(); next }
				tolower($1) == "types:" { $1 = ""; types = $0 }
				tolower($1) == "uris:" { $1 = ""; uris = $0 }
				tolower($1) == "suites:" { $1 = ""; suites = $0 }
				tolower($1) == "components:" { $1 = ""; comps = $0 }
				tolower($1) == "signed-by:" { key = $2 }
				END { if (!found) flush() }' "$f"
			;;
		*)
			# one-line: deb [opts] URI SUITE COMPONENTS...
			awk '
				$1 != "deb" { next }
				{
					key = "-"; i = 2
					if ($2 ~ /^\[/) {
						for (; i <= NF; i++) {
							if ($i ~ /signed-by=/) { k = $i; sub(/.*signed-by=/, "", k); sub(/\].*/, "", k); key = k }
							if ($i ~ /\]$/) { i++; break }
						}
					}
					uri = $i; suite = $(i + 1)
					if (uri ~ /debian/ && uri !~ /security/ && suite !~ /security/) { print uri, key; exit }
				}' "$f"
			;;
		esac
	done | head -n 1
}

# ---- private apt configuration per suite ----------------------------------------------
APT_OPTS=()
apt_setup() { # SUITE: sets APT_OPTS; writes sources.list once
	local s=$1 d="$VM_CACHE/apt/$1"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" || die "cannot create $d"
	if [ ! -s "$d/sources.list" ] || [ -n "${VM_APT_MIRROR:-}" ]; then
		local m uri key
		m=$(host_mirror)
		uri=${VM_APT_MIRROR:-${m%% *}}
		key=${VM_APT_KEYRING:-${m#* }}
		[ -n "$uri" ] || die "no Debian mirror in /etc/apt/sources.list*; set VM_APT_MIRROR=URL"
		[ "$key" = - ] && key=/usr/share/keyrings/debian-archive-keyring.gpg
		echo "deb [signed-by=$key] $uri $s main" >"$d/sources.list"
	fi
	APT_OPTS=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$d/lists" -o Dir::State::status=/var/lib/dpkg/status
		-o "Dir::Cache=$d/cache" -o APT::Sandbox::User=root)
}
apt_update() { # SUITE: refresh the private lists when missing or stale
	local d="$VM_CACHE/apt/$1"
	local stamp="$d/updated"
	if [ -e "$stamp" ] && [ -n "$(find "$stamp" -mmin -"$VM_APT_MAX_AGE" 2>/dev/null)" ]; then
		return 0
	fi
	[ "$VM_OFFLINE" = 1 ] && return 1
	log "apt-get update for $1 (private lists in $d)"
	if apt-get -q "${APT_OPTS[@]}" update >"$d/update.log" 2>&1 &&
		ls "$d"/lists/*_Packages* >/dev/null 2>&1; then
		touch "$stamp"
		return 0
	fi
	tail -n 3 "$d/update.log" | sed 's/^/vm-kernel: apt: /' >&2
	return 1
}
# apt-cache through the private (SUITE) or the machine's (host) configuration
acache() { apt-cache "${APT_OPTS[@]}" "$@" 2>/dev/null; }
candidate() { acache show --no-all-versions "$1" | awk '/^Version:/ { print $2; exit }'; }
# depends PKG REGEX: the Depends of PKG whose names match REGEX (first alternative only)
depends() {
	acache depends "$1" | awk -v re="$2" '$1 == "Depends:" && $2 ~ re { print $2 }' | sort -u
}

suite_alias() {
	case $1 in
	11) echo bullseye ;; 12) echo bookworm ;; 13) echo trixie ;; 14) echo forky ;;
	unstable) echo sid ;; *) echo "$1" ;;
	esac
}

# ---- extraction ----------------------------------------------------------------
# The modules the guest loads: veth (the veth topology), the virtio NIC
# driver of the NIC topology (virtio_pci only where it is a module: 5.10, 6.1)
# and kTLS (a6): tls, and the AES-GCM it asks the crypto API for by name
# (modinfo lists no dependency; the guest has no modprobe to autoload):
# gcm over ctr and ghash (ghash-generic, over gf128mul). Those built in are
# skipped (logged).
VM_MODULES="veth virtio_net virtio_pci tls gcm ctr ghash-generic gf128mul"
# extract_modules DIR PKG DEB...: DIR/modules/*.ko + order (VM_MODULES and
# their dependencies, decompressed for busybox insmod) + wanted (VM_MODULES,
# so that a cache made for fewer modules is refreshed)
extract_modules() {
	local dir=$1 pkg=$2 deb
	shift 2
	local root="$dir/modroot" out="$dir/modules.new"
	rm -rf "$root" "$out"
	mkdir -p "$root" "$out" || return 1
	# dependencies breadth first; load order = reverse discovery order
	local order=() queue m f dep
	read -r -a queue <<<"$VM_MODULES"
	while [ ${#queue[@]} -gt 0 ]; do
		m=${queue[0]}
		queue=("${queue[@]:1}")
		# modinfo names ghash-generic.ko "ghash_generic": try both spellings
		local alt=${m//_/-}
		f=$(find "$root" -name "$m.ko*" -o -name "$alt.ko*" | head -n 1)
		if [ -z "$f" ]; then
			for deb in "$@"; do
				dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" --wildcards \
					"*/modules/*/kernel/*/$m.ko*" "*/modules/*/kernel/*/$alt.ko*" 2>/dev/null
			done
			f=$(find "$root" -name "$m.ko*" -o -name "$alt.ko*" | head -n 1)
		fi
		[ -n "$f" ] || { log "module $m not in $pkg (built in?)"; continue; }
		case $f in
		*.ko.xz) xz -dc "$f" >"$out/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$out/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$out/$m.ko" ;;
		*) cp "$f" "$out/$m.ko" ;;
		esac || { rm -rf "$root" "$out"; log "cannot unpack module $f"; return 1; }
		# a module met again moves before its later dependant
		local kept=()
		for dep in "${order[@]}"; do [ "$dep" = "$m" ] || kept+=("$dep"); done
		order=("$m" "${kept[@]}")
		command -v modinfo >/dev/null || continue
		for dep in $(modinfo -F depends "$out/$m.ko" 2>/dev/null | tr ',' ' '); do
			queue+=("$dep")
		done
	done
	: >"$out/order"
	for m in "${order[@]}"; do echo "$m.ko" >>"$out/order"; done
	echo "$VM_MODULES" >"$out/wanted"
	rm -rf "$root" "$dir/modules" && mv "$out" "$dir/modules"
}
# modules_current DIR: DIR's modules were extracted for today's VM_MODULES
modules_current() { [ "$(cat "$1/modules/wanted" 2>/dev/null)" = "$VM_MODULES" ]; }

# extract DIR SUITE PKG VER DEB...: the cache folder DIR from the package files
extract() {
	local dir=$1 suite=$2 pkg=$3 ver=$4
	shift 4
	local tmp="$dir.tmp" deb
	mkdir -p "$tmp/root" || die "cannot create $tmp"
	for deb in "$@"; do
		# vmlinuz/config in /boot (one-package layout) or in /usr/lib/modules/REL (split layout)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/root" --wildcards \
			'./boot/vmlinuz-*' './boot/config-*' '*/modules/*/vmlinuz' '*/modules/*/config' \
			2>/dev/null
	done
	local vmlinuz config
	vmlinuz=$(find "$tmp/root" -path '*/boot/vmlinuz-*' -o -path '*/modules/*/vmlinuz' | head -n 1)
	config=$(find "$tmp/root" -path '*/boot/config-*' -o -path '*/modules/*/config' | head -n 1)
	[ -n "$vmlinuz" ] || { rm -rf "$tmp"; die "no vmlinuz in $*"; }
	local rel
	rel=$(basename "$vmlinuz" | sed -n 's/^vmlinuz-//p')
	[ -n "$rel" ] || rel=$(basename "$(dirname "$vmlinuz")")
	mv "$vmlinuz" "$tmp/vmlinuz"
	if [ -n "$config" ]; then mv "$config" "$tmp/config"; else log "no kernel config in $pkg"; fi

	extract_modules "$tmp" "$pkg" "$@" || { rm -rf "$tmp"; die "cannot unpack the modules of $pkg"; }
	local frel
	frel=$(file -b "$tmp/vmlinuz" 2>/dev/null | sed -n 's/.*version \([^ ]*\).*/\1/p')
	[ -n "$frel" ] && rel=$frel
	rm -rf "$tmp/root"
	echo "$suite $pkg $ver ${rel:-?}" >"$tmp/.complete"
	rm -rf "$dir" && mv "$tmp" "$dir" || die "cannot move $tmp into place"
}

# ---- one kernel -------------------------------------------------------------------
fetch() {
	local spec=$1 suite pkg ver rel img parts=() dir
	mkdir -p "$VM_CACHE/suites" || die "cannot create $VM_CACHE"
	case $spec in
	deb:*)
		local deb=${spec#deb:}
		[ -r "$deb" ] || die "$deb not readable"
		pkg=$(dpkg-deb -f "$deb" Package) || die "$deb is not a .deb"
		ver=$(dpkg-deb -f "$deb" Version)
		dir="$VM_CACHE/${pkg}_${ver}"
		[ -e "$dir/.complete" ] || extract "$dir" local "$pkg" "$ver" "$deb"
		echo "$dir"
		return 0
		;;
	host:*)
		suite=host
		pkg=${spec#host:}
		ver=${pkg#*=}
		[ "$ver" = "$pkg" ] && ver=
		pkg=${pkg%%=*}
		APT_OPTS=(-o APT::Sandbox::User=root)
		;;
	*)
		suite=$(suite_alias "${spec%%:*}")
		rel=
		[ "$spec" != "${spec#*:}" ] && rel=${spec#*:}
		apt_setup "$suite"
		;;
	esac
	local key="$VM_CACHE/suites/${spec//[:\/=]/_}"
	local updated=1
	if [ "$suite" != host ]; then
		apt_update "$suite" || updated=0
		if [ -z "$rel" ]; then
			img=$(depends linux-image-amd64 '^linux-image-' | head -n 1)
		else
			for img in "linux-image-$rel" "linux-image-$rel-amd64" "linux-image-$rel-amd64-unsigned"; do
				[ -n "$(candidate "$img")" ] && break
				img=
			done
		fi
		pkg=$img
		ver=$([ -n "$pkg" ] && candidate "$pkg")
	else
		[ -n "$ver" ] || ver=$(candidate "$pkg")
	fi
	if [ -z "$pkg" ] || [ -z "$ver" ]; then
		# offline or unknown: the kernel this SPEC resolved to last time, if cached
		if [ -r "$key" ] && dir=$(cat "$key") && [ -e "$dir/.complete" ]; then
			log "$spec: apt cannot resolve it$([ $updated = 0 ] && echo ' (package lists unavailable)'); using cached $(cut -d' ' -f2,3 "$dir/.complete")"
			echo "$dir"
			return 0
		fi
		die "$spec: cannot resolve a kernel package (${pkg:-the dependency of linux-image-amd64}) and nothing is cached for it"
	fi
	dir="$VM_CACHE/${pkg}_${ver}"
	local stale=0
	if [ -e "$dir/.complete" ] && ! modules_current "$dir"; then
		# cached before the NIC modules were wanted: fetch again for them
		if [ "$VM_OFFLINE" = 1 ]; then
			log "$spec: cached without the modules '$VM_MODULES' and VM_OFFLINE=1: the NIC tests will fail"
		else
			stale=1
		fi
	fi
	if [ -e "$dir/.complete" ] && [ $stale = 0 ]; then
		echo "$dir" >"$key"
		echo "$dir"
		return 0
	fi
	[ "$VM_OFFLINE" = 1 ] && die "$spec: $pkg $ver is not cached and VM_OFFLINE=1"
	# split layout (sid): the image is a meta package over binary/modules/base
	read -r -a parts <<<"$(depends "$pkg" '^linux-(binary|modules|base)-' | tr '\n' ' ')"
	[ ${#parts[@]} -gt 0 ] || parts=("$pkg")
	local dl="$dir.dl" p args=()
	rm -rf "$dl"
	mkdir -p "$dl" || die "cannot create $dl"
	for p in "${parts[@]}"; do
		if [ "$p" = "$pkg" ]; then args+=("$p=$ver"); else args+=("$p"); fi
	done
	log "$spec: fetching ${args[*]}"
	if ! (cd "$dl" && apt-get -q "${APT_OPTS[@]}" download "${args[@]}" >download.log 2>&1); then
		tail -n 3 "$dl/download.log" | sed 's/^/vm-kernel: apt: /' >&2
		rm -rf "$dl"
		die "$spec: apt-get download ${args[*]} failed"
	fi
	if [ $stale = 1 ]; then
		extract_modules "$dir" "$pkg" "$dl"/*.deb || { rm -rf "$dl"; die "$spec: cannot unpack the modules"; }
	else
		extract "$dir" "$suite" "$pkg" "$ver" "$dl"/*.deb
	fi
	rm -rf "$dl"
	echo "$dir" >"$key"
	log "$spec: cached $pkg $ver in $dir ($(du -sh "$dir" | cut -f1))"
	echo "$dir"
}

# ---- raw BTF of a cached kernel (for the facts table) -------------------------------------
# vmlinuz is a bzImage whose payload is the compressed vmlinux ELF (with .BTF):
# find the compression magic, decompress, keep the ELF's .BTF section.
btf() {
	local dir=$1 z="$1/vmlinuz" out="$1/btf" tmp
	[ -s "$out" ] && return 0
	tmp=$(mktemp -d) || return 1
	local magic cmd pos
	for magic in 'zstd:28b52ffd' 'xz:fd377a585a00' 'gzip:1f8b0800' 'lz4:02214c18' 'bzip2:425a68'; do
		cmd=${magic%%:*}
		for pos in $(od -An -v -tx1 "$z" | tr -d ' \n' | grep -ob "${magic#*:}" | cut -d: -f1); do
			[ $((pos % 2)) -eq 0 ] || continue
			tail -c +$((pos / 2 + 1)) "$z" | case $cmd in
				zstd) zstd -qdc ;; xz) xz -qdc ;; gzip) gzip -qdc ;; lz4) lz4 -qdc ;; bzip2) bzip2 -qdc ;;
			esac >"$tmp/vmlinux" 2>/dev/null
			if [ "$(head -c 4 "$tmp/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				objcopy -O binary --only-section=.BTF "$tmp/vmlinux" "$tmp/btf" 2>/dev/null &&
					[ -s "$tmp/btf" ] && mv "$tmp/btf" "$out"
				rm -rf "$tmp"
				[ -s "$out" ]
				return
			fi
		done
	done
	rm -rf "$tmp"
	return 1
}

case ${1:-} in
"" | -h | --help) sed -n '2,35p' "$0"; exit 0 ;;
btf) [ -n "${2:-}" ] || die "usage: $0 btf DIR"; btf "$2" || die "no BTF found in $2/vmlinuz" ;;
*) fetch "$1" ;;
esac
