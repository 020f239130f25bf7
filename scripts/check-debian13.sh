#!/usr/bin/env bash
# Builds and tests drift on Debian 13 (trixie: LibTorch 2.6, Emscripten 3.1.69, Catch2 v3,
# clang 19, Chromium from trixie) from a Debian 12 machine, without touching its own apt
# sources: a Debian 13 root filesystem made by mmdebstrap, cached, entered with chroot.
# Inside it, a copy of this tree runs ./scripts/setup.sh then ./scripts/test.sh, exactly as on
# a fresh Debian 13 machine. Ends with ctest's summaries (wasm, native, sanitize).
#
# Usage (as root): ./scripts/check-debian13.sh [ctest args, e.g. -L unit]
#   DRIFT_DEBIAN13_ROOT   the cached root filesystem (default /var/cache/drift-debian13/rootfs);
#                         made on the first run, reused after: the installed packages, the
#                         copy of the tree at /root/drift and its build/ stay there, so a
#                         second run rebuilds only what changed
#   DRIFT_DEBIAN_MIRROR   the Debian archive (default http://deb.debian.org/debian)
# The log of the run inside is $DRIFT_DEBIAN13_ROOT/root/check-debian13.log.
# Not part of CI's run. On 2 cores the first run takes about 1.5-2 hours (761 packages, 35 min;
# then every build from scratch and the tests); later runs 15-35 min. Times in docs/portability.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
say() { printf 'check-debian13: %s\n' "$*"; }
die() { printf 'check-debian13: error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, mount): run it with sudo"

rootfs=${DRIFT_DEBIAN13_ROOT:-/var/cache/drift-debian13/rootfs}
mirror=${DRIFT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
t0=$(date +%s)

# 1. The root filesystem: made once (a minimal Debian 13 with apt), then reused.
if [ -f "$rootfs/etc/debian_version" ] && grep -q '^13\.' "$rootfs/etc/debian_version"; then
  say "root filesystem: $rootfs (Debian $(cat "$rootfs/etc/debian_version"), reused)"
else
  [ ! -e "$rootfs" ] || die "$rootfs exists but is not a Debian 13 root filesystem; remove it or set DRIFT_DEBIAN13_ROOT"
  command -v mmdebstrap >/dev/null || {
    say "installing mmdebstrap (this machine's own apt sources)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null
  }
  say "making the root filesystem: mmdebstrap --variant=apt trixie $rootfs (a few minutes)"
  mkdir -p "$(dirname "$rootfs")"
  rm -rf "$rootfs.tmp"
  mmdebstrap --variant=apt --architectures=amd64 --mode=root trixie "$rootfs.tmp" "$mirror" \
    >"$rootfs.mmdebstrap.log" 2>&1 || die "mmdebstrap failed; see $rootfs.mmdebstrap.log"
  mv "$rootfs.tmp" "$rootfs"   # only a complete one gets the cached name
fi

# 2. The tree: a copy at /root/drift (not a bind mount: build/, node_modules/ and data/ there
# are Debian 13's own). Its sources are replaced each run, their times kept, so ninja rebuilds
# only what changed; the ignored folders stay.
dst=$rootfs/root/drift
mkdir -p "$dst"
find "$dst" -mindepth 1 -maxdepth 1 ! -name build ! -name node_modules ! -name data -exec rm -rf {} +
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files and untracked ones git does not ignore (what a clone plus local edits holds),
  # less this machine's build/, node_modules/, data/ and runs/, even where they are links.
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
     grep -zvE '^(build|node_modules|data|runs)(/|$)' | tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$dst"
else
  tar -C "$root" --exclude=./build --exclude=./node_modules --exclude=./data --exclude=./runs -cf - . | tar -xf - -C "$dst"
fi
say "tree: $root -> $dst"

# 3. Enter it: /proc, /sys, /dev (Chromium and Gloo use /dev/shm), DNS for apt and npm.
mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() {  # bind SRC DIR: mounted once, unmounted on exit (also one a killed run left behind)
  mkdir -p "$2"
  if ! mountpoint -q "$2"; then
    mount --rbind "$1" "$2" && mount --make-rslave "$2"
  fi
  mounts+=("$2")
}
bind /proc "$rootfs/proc"
bind /sys "$rootfs/sys"
bind /dev "$rootfs/dev"
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"
# This machine's own certificate authorities (a TLS-inspecting proxy's, for instance) come along,
# or npm in there cannot reach its registry; ca-certificates picks them up when it is set up.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  [ ! -x "$rootfs/usr/sbin/update-ca-certificates" ] || chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || true
fi

log=$rootfs/root/check-debian13.log
say "running ./scripts/setup.sh and ./scripts/test.sh $* in Debian 13 (log: $log)"
set +e
env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  chroot "$rootfs" /bin/bash -c 'cd /root/drift && ./scripts/setup.sh && ./scripts/test.sh "$@"' test.sh "$@" 2>&1 |
  tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo
say "Debian 13 ($(cat "$rootfs/etc/debian_version")), $(( ($(date +%s) - t0) / 60 )) min, exit $rc; ctest's summaries:"
grep -E 'tests passed|^Total Test time|^The following tests FAILED|^[[:space:]]+[0-9]+ - .*\((Failed|Timeout|Not Run|SEGFAULT|Subprocess aborted)\)' "$log" || true
exit "$rc"
