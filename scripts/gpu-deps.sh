#!/usr/bin/env bash
# The native build's non-torch dependencies as a folder that travels with the tree, for a machine
# (a lent GPU machine) that has PyTorch but no package manager access:
#
#   scripts/gpu-deps.sh DIR                       # on a networked Debian 12/13: apt-get download
#                                                 # the .debs, dpkg-deb -x them into DIR
#   DEPS_PREFIX=DIR scripts/gpu-check.sh          # on the other machine (it calls the next line)
#   scripts/gpu-deps.sh --verify-build BUILD DIR  # after a Ninja build: every Eigen, nlohmann,
#                                                 # CLI11, libpng, giflib, zlib, Catch2 header it
#                                                 # compiled, each such library CMake found and
#                                                 # what drift-train loads came from DIR (exit 1
#                                                 # naming each one that did not)
#
# DIR holds usr/include, usr/lib/<arch>, usr/share/{eigen3,cmake}/..., the copyright files,
# MANIFEST (package, version, architecture, SHA-256 of the .deb) and data/mnist (the tree's MNIST,
# gzipped, when there is one; env DATA=data). No root needed; a second run with the same candidate
# versions only checks. Packages: what find_package in CMakeLists.txt asks
# for (Eigen3, nlohmann_json, ZLIB, CLI11, PNG, GIF; Catch2 only with BUILD_TESTING), plus the
# runtime libraries the -dev packages' .so links point at. libstb-dev, which setup.sh installs,
# is included by no source file, so it is not fetched.
set -euo pipefail
say() { printf 'gpu-deps: %s\n' "$*"; }
die() { printf 'gpu-deps: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# --verify-build BUILD DIR
verify_build() {
  local build=$1 dir=$2
  [[ -f "$build/build.ninja" ]] || die "$build/build.ninja missing (verify needs a Ninja build)"
  [[ -f "$dir/MANIFEST" ]] || die "$dir/MANIFEST missing: not a folder written by gpu-deps.sh"
  local d_abs d_real b_abs
  d_abs=$(cd "$dir" && pwd -L)
  d_real=$(cd "$dir" && pwd -P)
  b_abs=$(cd "$build" && pwd -P)
  local under="^(${d_abs//./\\.}|${d_real//./\\.})/"
  local fail=0
  say "verify: build $b_abs against $d_abs"

  # 1. Headers: ninja's record of every header each object was compiled with (gcc's .d files).
  local deps
  deps=$(mktemp)
  ninja -C "$build" -t deps >"$deps" 2>/dev/null || { rm -f "$deps"; die "ninja -C $build -t deps failed"; }
  local nobj nhdr
  nobj=$(grep -c '^[^ ]' "$deps" || true)
  # Header lines are indented; relative ones are relative to BUILD.
  local headers pairs
  pairs=$(awk '/^[^ ]/{o=$1; sub(/:$/, "", o)} /^    /{print $1 "\t" o}' "$deps")
  headers=$(cut -f1 <<<"$pairs" | sort -u)
  rm -f "$deps"
  nhdr=$(printf '%s\n' "$headers" | grep -c . || true)
  [[ $nobj -gt 0 && $nhdr -gt 0 ]] || die "$build: ninja recorded no dependencies (not built yet?)"
  say "verify: headers ($nobj objects, $nhdr distinct headers in ninja -t deps):"
  # Each header is judged by where it really is (links resolved, so a link into /usr/include
  # counts as /usr/include); the project's own headers (drift/logging/png.h) are not dependencies.
  local src fam re matched bad own h r n objs
  src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
  src=$(cd "${src:-/nonexistent}" 2>/dev/null && pwd -P || echo /nonexistent)
  for fam in eigen:'/eigen3/|/Eigen/' nlohmann:'/nlohmann/' CLI11:'/CLI/' \
             png:'(^|/)(png|pngconf|pnglibconf)\.h$|/libpng[0-9]*/' gif:'(^|/)gif_lib\.h$' \
             zlib:'(^|/)(zlib|zconf)\.h$' catch2:'/catch2/'; do
    re=${fam#*:}; fam=${fam%%:*}
    matched=$(printf '%s\n' "$headers" | grep -E "$re" || true)
    bad=""; own=""; n=0
    while IFS= read -r h; do
      [[ -n $h ]] || continue
      if [[ $h == /* ]]; then r=$(realpath -m "$h"); else r=$(realpath -m "$b_abs/$h"); fi
      if [[ $r == "$d_real"/* ]]; then n=$((n + 1))
      elif [[ $r == "$src"/* && $r != "$b_abs"/* ]]; then own+="${r#"$src"/} "
      else
        objs=$(awk -F'\t' -v h="$h" '$1 == h {print $2}' <<<"$pairs" | sort -u)
        bad+="$h$([[ $r == "$h" ]] || echo " -> $r") (in $(grep -c . <<<"$objs") object(s): $(head -n1 <<<"$objs"))"$'\n'
      fi
    done <<<"$matched"
    if [[ -z $matched ]]; then
      printf '  %-9s %5d headers (none included by this build)\n' "$fam" 0
    elif [[ -z $bad ]]; then
      [[ -z $own ]] || own=" (not counted, the project's own: ${own% })"
      printf '  %-9s %5d headers, all under %s%s\n' "$fam" "$n" "$d_abs" "$own"
    else
      printf '  %-9s %5d headers under %s, %d NOT:\n' "$fam" "$n" "$d_abs" "$(grep -c . <<<"$bad")"
      printf '%s' "$bad" | sed -n 's/^/      LEAK /; 1,10p'
      [[ $(grep -c . <<<"$bad") -le 10 ]] || echo "      ... and $(( $(grep -c . <<<"$bad") - 10 )) more"
      fail=1
    fi
  done

  # 2. What configure found (a stale cache from a build without DIR would show here).
  say "verify: libraries and config files CMake found ($build/CMakeCache.txt):"
  local var val
  for var in Eigen3_DIR nlohmann_json_DIR CLI11_DIR Catch2_DIR ZLIB_INCLUDE_DIR ZLIB_LIBRARY_RELEASE \
             PNG_PNG_INCLUDE_DIR PNG_LIBRARY_RELEASE GIF_INCLUDE_DIR GIF_LIBRARY; do
    val=$(sed -n "s/^$var:[A-Z]*=//p" "$build/CMakeCache.txt" | head -n1)
    [[ -n $val && $val != *NOTFOUND ]] || continue
    if grep -Eq "$under" <<<"$val"; then
      printf '  %-22s %s\n' "$var" "$val"
    else
      printf '  %-22s %s   LEAK (not under %s)\n' "$var" "$val" "$d_abs"; fail=1
    fi
  done

  # 3. What the built trainer loads (the build tree's RUNPATH holds DIR's library folder).
  local bin=$build/bin/drift-train lib line path
  if [[ -x $bin ]]; then
    say "verify: shared libraries of $bin (ldd):"
    for lib in libpng16.so.16 libgif.so.7 libz.so.1; do
      line=$(ldd "$bin" | grep -F "$lib " || true)
      path=$(awk '{print $3}' <<<"$line")
      if [[ -z $line ]]; then
        printf '  %-16s not linked\n' "$lib"
      elif grep -Eq "$under" <<<"$(realpath -s "$path" 2>/dev/null || echo "$path")"; then
        printf '  %-16s %s\n' "$lib" "$path"
      else
        printf '  %-16s %s   LEAK (not under %s)\n' "$lib" "${path:-$line}" "$d_abs"; fail=1
      fi
    done
  fi
  if [[ $fail != 0 ]]; then
    say "verify: FAILED: the build used the system's copies listed as LEAK above, not $d_abs"
    say "verify: (a header of a target that does not link the dependency's CMake target comes from the"
    say "verify:  compiler's default /usr/include; a folder configured without DEPS_PREFIX keeps its finds)"
    exit 1
  fi
  say "verify: OK: every dependency header, library and config file came from $d_abs"
}

if [[ ${1:-} == --verify-build ]]; then
  [[ $# == 3 ]] || die "usage: $0 --verify-build BUILD DIR"
  verify_build "$2" "$3"
  exit 0
fi
[[ $# == 1 && $1 != -* ]] || die "usage: $0 DIR   |   $0 --verify-build BUILD DIR"

# ---------------------------------------------------------------------------------------------
# DIR: download and unpack
t0=$(date +%s)
out=$1
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  die "needs apt-get and dpkg-deb (a Debian 12 or 13 machine with network)"
fi
release=$(. /etc/os-release 2>/dev/null && echo "${VERSION_ID:-}")
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
case "$release" in
  12) catch2_pkg=catch2 ;;          # Catch2 v2: one header (as in setup.sh)
  13) catch2_pkg=libcatch2-dev ;;   # Catch2 v3: a compiled library; 13's catch2 is an empty transitional package
  *) die "/etc/os-release: VERSION_ID '$release' is not a Debian release this script knows (12 or 13)" ;;
esac
arch=$(dpkg --print-architecture)
dev=(
  libeigen3-dev nlohmann-json3-dev libcli11-dev "$catch2_pkg"   # header-only (+ Catch2 v3's static library)
  libpng-dev libgif-dev zlib1g-dev                              # png.h, gif_lib.h, zlib.h and their .so links
)

# The versions apt would fetch now. Each -dev package's exact-version dependencies are the runtime
# libraries its .so links point at (libpng16.so -> libpng16.so.16.*: libpng16-16 on Debian 12,
# libpng16-16t64 on 13; libgif7; zlib1g): fetched too, whatever the release calls them.
record() {  # the candidate's apt-cache record of package $1
  apt-cache show --no-all-versions "$1:$arch" 2>/dev/null || apt-cache show --no-all-versions "$1" 2>/dev/null || true
}
packages=()
want=""
for p in "${dev[@]}"; do
  rec=$(record "$p")
  v=$(sed -n 's/^Version: //p' <<<"$rec" | head -n1)
  [[ -n $v ]] || die "package $p: apt knows no version of it (apt-get update as root? the $codename archive?)"
  packages+=("$p"); want+="$p $v"$'\n'
  while read -r r rv; do
    [[ -n $r ]] || continue
    packages+=("$r"); want+="$r $rv"$'\n'
  done < <(sed -n 's/^Depends: //p' <<<"$rec" | head -n1 | tr ',' '\n' |
           sed -n 's/^ *\([^ :|]*\)\(:[a-z0-9]*\)\{0,1\} *(= \([^)]*\)).*/\1 \3/p')
done
size() { du -sm "$1" | cut -f1; }
if [[ -f "$out/MANIFEST" ]] &&
   [[ "$(grep -v '^#' "$out/MANIFEST" | awk '{print $1, $2}')" == "$(printf '%s' "$want")" ]]; then
  say "$out: packages up to date (${#packages[@]} as in its MANIFEST)"
else
  # Replace only what this script wrote (or an empty folder): never a stranger's folder.
  if [[ -e $out ]] && [[ ! -f "$out/MANIFEST" ]] && [[ -n "$(ls -A "$out" 2>/dev/null)" ]]; then
    die "$out exists, is not empty and has no MANIFEST: not replacing it"
  fi

  tmp=$(mktemp -d)
  stage="${out%/}.new.$$"
  trap 'rm -rf "$tmp" "$stage"' EXIT
  mkdir -p "$tmp/debs" "$stage"
  chmod 755 "$tmp" "$tmp/debs"   # apt's _apt download user must be able to write there when run as root

  say "downloading ${#packages[@]} packages for Debian $release ($codename, $arch)"
  while read -r p v; do
    [[ -n $p ]] || continue
    ( cd "$tmp/debs" && apt-get download -q "$p=$v" ) >"$tmp/log" 2>&1 ||
      { cat "$tmp/log" >&2; die "package $p ($v): apt-get download failed (see above)"; }
  done <<<"$want"

  manifest="$tmp/MANIFEST"
  {
    echo "# Debian packages unpacked here by scripts/gpu-deps.sh (dpkg-deb -x; docs dropped, absolute links made relative)"
    echo "# from: Debian $release ($codename), $arch, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# package version architecture sha256-of-the-.deb file"
  } >"$manifest"
  while read -r p v; do
    [[ -n $p ]] || continue
    debs=("$tmp/debs/${p}_"*.deb)
    deb=${debs[0]}
    [[ -f $deb ]] || die "package $p: no .deb after apt-get download"
    [[ "$(dpkg-deb -f "$deb" Package)" == "$p" && "$(dpkg-deb -f "$deb" Version)" == "$v" ]] ||
      die "package $p: $deb is not $p $v"
    dpkg-deb -x "$deb" "$stage" || die "package $p: dpkg-deb -x $deb failed"
    dpkg-deb -c "$deb" | awk -v p="$p" '{sub(/^\.\//, "/", $6); print p, $6}' >>"$tmp/owners"
    printf '%s %s %s %s %s\n' "$p" "$v" "$(dpkg-deb -f "$deb" Architecture)" \
      "$(sha256sum "$deb" | cut -d' ' -f1)" "$(basename "$deb")" >>"$manifest"
  done <<<"$want"
  owner() { awk -v f="$1" '$2 == f || "/usr" $2 == f {print $1; exit}' "$tmp/owners"; }

  # Debian 12's zlib1g still puts libz.so.1 in /lib: merge /lib into /usr/lib (as merged-/usr
  # systems and Debian 13 do), so one folder holds every library and the build's RUNPATH finds it.
  if [[ -d "$stage/lib" && ! -L "$stage/lib" ]]; then
    mkdir -p "$stage/usr/lib"
    cp -a "$stage/lib/." "$stage/usr/lib/"
    rm -rf "${stage:?}/lib"
    ln -s usr/lib "$stage/lib"
  fi

  # No documentation (the copyright files stay: they are the licences of what DIR redistributes).
  if [[ -d "$stage/usr/share/doc" ]]; then
    find "$stage/usr/share/doc" \( -type f -o -type l \) ! -name copyright -delete
    find "$stage/usr/share/doc" -depth -type d -empty -delete
  fi
  rm -rf "$stage/usr/share/man" "$stage/usr/share/info" "$stage/usr/share/lintian" "$stage/usr/share/doc-base"

  # Absolute links (zlib1g-dev's libz.so -> /lib/x86_64-linux-gnu/libz.so.1.2.13) would point at
  # the system's file, or nowhere: point them at DIR's copy, relatively, so DIR can move.
  nfixed=0
  while IFS= read -r l; do
    t=$(readlink "$l")
    [[ $t == /* ]] || continue
    rel=${l#"$stage"}
    m=$t
    [[ $m == /lib/* || $m == /lib64/* ]] && m=/usr$m
    [[ -e "$stage$m" ]] ||
      die "package $(owner "$rel"): $rel -> $t, and $t is in none of the packages fetched (add its package)"
    ln -sfn "$(realpath -s -m --relative-to="$(dirname "$l")" "$stage$m")" "$l"
    nfixed=$((nfixed + 1))
  done < <(find "$stage" -type l)
  dangling=$(find "$stage" -xtype l)
  if [[ -n $dangling ]]; then
    for l in $dangling; do echo "  ${l#"$stage"} -> $(readlink "$l") (package $(owner "${l#"$stage"}"))" >&2; done
    die "links pointing nowhere in $out (listed above)"
  fi

  cp "$manifest" "$stage/MANIFEST"
  mib=$(size "$stage")
  [[ $mib -lt 64 ]] || die "$out would be $mib MiB, over the 64 MiB a device run carries"

  # Swap in the finished folder only now: an interrupted run leaves the old DIR as it was.
  if [[ -e $out ]]; then
    mv "$out" "$tmp/old"
  fi
  mkdir -p "$(dirname "$out")"
  mv "$stage" "$out"
  [[ ! -d $tmp/old/data ]] || mv "$tmp/old/data" "$out/data"
  say "$out: ${#packages[@]} packages, $nfixed absolute link(s) made relative, $mib MiB, $(( $(date +%s) - t0 )) s"
  grep -v '^#' "$out/MANIFEST" | awk '{printf "  %-20s %-28s %s\n", $1, $2, $4}'
fi

# MNIST as gzip (11 MB instead of 55; the IDX reader takes name.gz), and its classifier when one
# was trained, in DIR/data: the tree's data/ (82 MiB with Fashion-MNIST) does not fit in a 64 MiB
# carry, DIR with this does. gpu-check.sh reads DIR/data when the tree has no data/mnist.
src=${DATA:-$(cd "$(dirname "$0")/.." && pwd)/data}/mnist
if [[ -d $src ]]; then
  mkdir -p "$out/data/mnist"
  n=0
  for f in "$src"/*-ubyte "$src"/*-ubyte.gz "$src"/classifier.pt; do
    [[ -f $f ]] || continue
    g=$out/data/mnist/$(basename "$f")
    [[ $f == *-ubyte ]] && g=$g.gz
    [[ -f $g && ! $f -nt $g ]] && continue
    if [[ $f == *-ubyte ]]; then gzip -c "$f" >"$g.tmp"; else cp "$f" "$g.tmp"; fi
    mv "$g.tmp" "$g"
    n=$((n + 1))
  done
  say "$out/data/mnist: $(find "$out/data/mnist" -type f | wc -l) files ($n written now) from $src, $(size "$out/data") MiB"
else
  say "no $src: $out has no data (gpu-check.sh then trains on a 2D toy set)"
fi
mib=$(size "$out")
[[ $mib -lt 64 ]] || die "$out is $mib MiB, over the 64 MiB a device run carries"
say "$out: $mib MiB in all ($(du -sb "$out" | cut -f1) bytes), $(( $(date +%s) - t0 )) s"
