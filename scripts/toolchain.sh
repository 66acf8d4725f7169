#!/usr/bin/env bash
# Builds a static musl cross toolchain for one OpenWrt target from Debian
# packages only, and writes build/toolchain/<target>/env.mk for the Makefile.
#
#   scripts/toolchain.sh mips_24kc|mipsel_24kc|arm_cortex-a7|aarch64_generic|x86_64
#
# Debian's cross gcc links glibc, and its multiarch musl-dev is hard-float on
# MIPS, so we compile musl 1.2.3 from Debian's source package against the
# cross gcc. OpenWrt's MIPS kernels have no FPU emulation: the MIPS sysroots
# are soft-float and carry libsoftfp.a, built from gcc-12-source, because
# Debian's libgcc float helpers use FPU instructions.
#
# Every step leaves a stamp holding its recipe; a step whose stamp is missing
# or holds another recipe (interrupted, or this script changed it) is redone
# from an empty directory. Compiler output goes to a log under build/toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
self=$PWD/scripts/toolchain.sh

target=${1:?usage: scripts/toolchain.sh <target>}

MUSL_DEB_VERSION=1.2.3-1
# Upstream's musl-1.2.3.tar.gz, which Debian ships unchanged as the orig tarball.
MUSL_ORIG_SHA256=7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4
GCC_TARBALL=/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
# The SF/DF helpers libgcc would otherwise supply with FPU instructions.
SOFTFP_SRCS=(
  adddf3 addsf3 subdf3 subsf3 muldf3 mulsf3 divdf3 divsf3 negdf2 negsf2
  eqdf2 eqsf2 gedf2 gesf2 ledf2 lesf2 unorddf2 unordsf2
  fixdfsi fixdfdi fixsfsi fixsfdi fixunsdfsi fixunsdfdi fixunssfsi fixunssfdi
  floatsidf floatdidf floatsisf floatdisf floatunsidf floatundidf floatunsisf floatundisf
  extendsfdf2 truncdfsf2
)

softfloat=0 big_endian='' qemu='' mips16=0
case $target in
  mips_24kc) gnu=mips-linux-gnu musl=mips-linux-musl softfloat=1 big_endian=1 mips16=1
    qemu='qemu-mips-static -cpu 24Kc' ;;
  mipsel_24kc) gnu=mipsel-linux-gnu musl=mipsel-linux-musl softfloat=1 mips16=1
    qemu='qemu-mipsel-static -cpu 24Kc' ;;
  arm_cortex-a7) gnu=arm-linux-gnueabihf musl=arm-linux-musleabihf qemu=qemu-arm-static ;;
  aarch64_generic) gnu=aarch64-linux-gnu musl=aarch64-linux-musl qemu=qemu-aarch64-static ;;
  x86_64) gnu=x86_64-linux-gnu musl='' ;;
  *) echo "toolchain: unknown target '$target'" >&2; exit 2 ;;
esac

top=$PWD/build/toolchain
tdir=$top/$target
src=$top/src
log=$tdir/build.log
mkdir -p "$tdir"

# The whole script is its own recipe: when it changes, every step re-checks
# its own stamp, so only steps whose recipe changed are redone.
if [ -f "$tdir/.stamp-done" ] && [ "$tdir/.stamp-done" -nt "$self" ] && [ -f "$tdir/env.mk" ]; then
  exit 0
fi

# Serialize runs for the same target, and the shared source steps across
# targets, so a parallel `make -j2` of two targets is safe.
exec 9>"$tdir/.lock"
flock 9
: >"$log"

say() { echo "toolchain[$target]: $*"; }
# run <log> <cmd...>: append the command's output to the log; on failure show
# its tail and stop.
run() {
  local l=$1; shift
  echo "+ $*" >>"$l"
  "$@" >>"$l" 2>&1 || {
    echo "toolchain[$target]: failed: $*" >&2
    echo "---- last lines of $l ----" >&2
    tail -n 40 "$l" >&2
    exit 1
  }
}
# fresh <stamp> <recipe>: true if the step must be (re)done.
fresh() { [ "$(cat "$1" 2>/dev/null)" != "$2" ]; }

need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "toolchain[$target]: '$c' missing; run scripts/setup.sh" >&2; exit 1; }
  done
}

# --- Shared step 1: Debian's musl source package, fetched and verified ------
fetch_musl_source() {
  local recipe="musl $MUSL_DEB_VERSION $MUSL_ORIG_SHA256" stamp=$src/.stamp-musl-src slog=$top/src.log
  fresh "$stamp" "$recipe" || return 0
  say "fetching Debian musl $MUSL_DEB_VERSION source (private apt state)"
  need apt-get apt-cache sha256sum
  rm -rf "$src/musl"* "$stamp" "$top/apt"
  : >"$slog"
  # apt's own lists, cache and sources: the system's apt state stays untouched.
  local apt=$top/apt
  mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$src"
  cat >"$apt/sources.list.d/debian-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources.list.d"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
    # The files land in a root-owned build dir the _apt user cannot write.
    -o APT::Sandbox::User=root)
  # update checks InRelease against the archive keyring; source then checks the
  # .dsc and tarballs against the hashes of the signed Sources index.
  run "$slog" apt-get "${opts[@]}" update
  (cd "$src" && run "$slog" apt-get "${opts[@]}" source --download-only "musl=$MUSL_DEB_VERSION")

  local dsc=$src/musl_$MUSL_DEB_VERSION.dsc orig=$src/musl_${MUSL_DEB_VERSION%-*}.orig.tar.gz
  # Belt and braces on top of apt: the .dsc against the signed index, the orig
  # tarball against the .dsc and against the hash pinned in this script.
  local want_dsc
  want_dsc=$(apt-cache "${opts[@]}" showsrc --only-source musl |
    awk -v f="$(basename "$dsc")" '/^Checksums-Sha256:/{s=1;next} /^[^ ]/{s=0} s&&$3==f{print $1;exit}')
  [ -n "$want_dsc" ] && echo "$want_dsc  $dsc" | sha256sum -c --status ||
    { echo "toolchain: $dsc does not match the Sources index" >&2; exit 1; }
  local want_orig
  want_orig=$(awk -v f="$(basename "$orig")" '/^Checksums-Sha256:/{s=1;next} /^[^ ]/{s=0} s&&$3==f{print $1;exit}' "$dsc")
  [ "$want_orig" = "$MUSL_ORIG_SHA256" ] && echo "$MUSL_ORIG_SHA256  $orig" | sha256sum -c --status ||
    { echo "toolchain: $orig does not match $dsc or the pinned sha256" >&2; exit 1; }
  # Debian's musl 1.2.3-1 has no patches (debian/patches is empty), so the
  # orig tarball is exactly what Debian builds.
  run "$slog" tar -xzf "$orig" -C "$src"
  echo "$recipe" >"$stamp"
}

# --- Shared step 2: the soft-fp sources from gcc-12-source (MIPS only) -------
extract_softfp_source() {
  local recipe stamp=$src/.stamp-gcc-softfp
  recipe="$(dpkg-query -W -f='${Version}' gcc-12-source 2>/dev/null) $GCC_TARBALL"
  fresh "$stamp" "$recipe" || return 0
  say "extracting soft-fp sources from $GCC_TARBALL"
  [ -f "$GCC_TARBALL" ] || { echo "toolchain: $GCC_TARBALL missing; run scripts/setup.sh" >&2; exit 1; }
  rm -rf "$src/gcc-softfp" "$stamp"
  mkdir -p "$src/gcc-softfp"
  run "$top/src.log" tar -xJf "$GCC_TARBALL" -C "$src/gcc-softfp" --strip-components=1 --wildcards \
    'gcc-12.2.0/libgcc/soft-fp/*' gcc-12.2.0/libgcc/config/mips/sfp-machine.h gcc-12.2.0/include/longlong.h
  echo "$recipe" >"$stamp"
}

# --- Per target: musl ----------------------------------------------------------
sysroot=$tdir/sysroot
# Not position-independent: the C library only goes into static executables,
# where PIC buys nothing and costs GOT loads (musl's code on MIPS: 12 % more).
cflags='-Os -fno-pie'
[ $softfloat = 1 ] && cflags="$cflags -msoft-float"

build_musl() {
  local srcdir=$src/musl-${MUSL_DEB_VERSION%-*} obj=$tdir/musl-obj stamp=$tdir/.stamp-musl
  local conf=(--target="$musl" --prefix="$sysroot" --disable-shared --enable-wrapper=gcc
    CROSS_COMPILE="$gnu-" CC="$gnu-gcc" CFLAGS="$cflags")
  # libc.a from the objects compiled with $cflags: configure picks the -fPIC
  # ones when the compiler says __PIC__, which MIPS's abicalls always does.
  local objs='AOBJS=$(LIBC_OBJS)'
  local recipe="musl $MUSL_DEB_VERSION $($gnu-gcc -dumpfullversion) ${conf[*]} $objs"
  fresh "$stamp" "$recipe" || return 0
  say "building musl ${MUSL_DEB_VERSION%-*} for $musl ($cflags)"
  # The soft-fp helpers live in the sysroot too: they go with it.
  rm -rf "$obj" "$sysroot" "$stamp" "$tdir/.stamp-softfp"
  mkdir -p "$obj"
  (cd "$obj" && run "$log" "$srcdir/configure" "${conf[@]}")
  run "$log" make -C "$obj" -j2 "$objs"
  run "$log" make -C "$obj" install "$objs"
  echo "$recipe" >"$stamp"
}

build_softfp() {
  local sf=$src/gcc-softfp obj=$tdir/softfp-obj stamp=$tdir/.stamp-softfp
  local flags=(-msoft-float -Os -fno-pie -fno-stack-protector
    -I"$sf/libgcc/config/mips" -I"$sf/libgcc/soft-fp" -I"$sf/include" -I"$sf/libgcc")
  local recipe="softfp $(cat "$src/.stamp-gcc-softfp") ${flags[*]} ${SOFTFP_SRCS[*]}"
  fresh "$stamp" "$recipe" || return 0
  say "building libsoftfp.a (${#SOFTFP_SRCS[@]} soft-float helpers)"
  rm -rf "$obj" "$sysroot/lib/libsoftfp.a" "$stamp"
  mkdir -p "$obj"
  local f objs=()
  for f in "${SOFTFP_SRCS[@]}"; do
    run "$log" "$sysroot/bin/musl-gcc" "${flags[@]}" -c "$sf/libgcc/soft-fp/$f.c" -o "$obj/$f.o"
    objs+=("$obj/$f.o")
  done
  run "$log" "$gnu-ar" rcs "$obj/libsoftfp.a" "${objs[@]}"
  mv "$obj/libsoftfp.a" "$sysroot/lib/libsoftfp.a"
  echo "$recipe" >"$stamp"
}

# Kernel UAPI headers for -isystem: musl-gcc's specs drop the cross gcc's
# include path, and the netlink code needs linux/netlink.h and rtnetlink.h.
make_kinc() {
  local k=$tdir/kinc inc=/usr/$gnu/include asm=/usr/$gnu/include/asm
  if [ "$target" = x86_64 ]; then inc=/usr/include asm=/usr/include/x86_64-linux-gnu/asm; fi
  local want="$inc/linux $asm $inc/asm-generic"
  [ "$(readlink "$k/linux" "$k/asm" "$k/asm-generic" 2>/dev/null | tr '\n' ' ')" = "$want " ] && return 0
  say "linking kernel headers into kinc/"
  local d
  for d in "$inc/linux/netlink.h" "$inc/linux/rtnetlink.h" "$asm" "$inc/asm-generic"; do
    [ -e "$d" ] || { echo "toolchain: $d missing; run scripts/setup.sh" >&2; exit 1; }
  done
  rm -rf "$k"
  mkdir -p "$k"
  ln -s "$inc/linux" "$k/linux"
  ln -s "$asm" "$k/asm"
  ln -s "$inc/asm-generic" "$k/asm-generic"
}

write_env() {
  local cc ldflags=-static ldlibs='' tools=$gnu-
  if [ "$target" = x86_64 ]; then
    cc=$(command -v musl-gcc)
  else
    cc=$sysroot/bin/musl-gcc
  fi
  if [ $softfloat = 1 ]; then
    # whole-archive so every helper overrides libgcc's hard-float one (in
    # link order alone, musl's libc.a still pulls two from libgcc). No
    # -latomic: floatgw's engine has no Atomics (mk/engine.mk).
    ldflags="$ldflags -Wl,--whole-archive $sysroot/lib/libsoftfp.a -Wl,--no-whole-archive"
  fi
  # floatgw's own code (not musl's nor the soft-fp helpers, which stay MIPS32
  # as in OpenWrt's toolchain) in MIPS16e, as OpenWrt builds packages for
  # these CPUs (CONFIG_USE_MIPS16): 18 % smaller, 2-4 % more instructions.
  local pkgflags=''
  [ $mips16 = 1 ] && pkgflags=' -mips16 -minterlink-mips16'
  cat >"$tdir/env.mk.tmp" <<EOF
# Generated by scripts/toolchain.sh $target; do not edit.
# Compile with \$(CC) \$(TARGET_CFLAGS); link with
# \$(CC) \$(TARGET_LDFLAGS) <objects> \$(TARGET_LDLIBS) -lm -lpthread
# (static archives resolve left to right, so TARGET_LDLIBS goes last).
TOOLCHAIN_TARGET := $target
TOOLCHAIN_TRIPLET := $gnu
CC := $cc
AR := ${tools}ar
STRIP := ${tools}strip
OBJDUMP := ${tools}objdump
READELF := ${tools}readelf
TARGET_CFLAGS := $cflags$pkgflags -isystem $tdir/kinc
TARGET_LDFLAGS := $ldflags
TARGET_LDLIBS := $ldlibs
BIG_ENDIAN := $big_endian
QEMU := $qemu
EOF
  mv "$tdir/env.mk.tmp" "$tdir/env.mk"
}

start=$SECONDS
rm -f "$tdir/.stamp-done"
need "$gnu-ar" "$gnu-strip" "$gnu-objdump" "$gnu-readelf"
if [ "$target" = x86_64 ]; then
  need musl-gcc
else
  need "$gnu-gcc" make
  exec 8>"$top/.src.lock"
  flock 8
  fetch_musl_source
  [ $softfloat = 1 ] && extract_softfp_source
  flock -u 8
  build_musl
  [ $softfloat = 1 ] && build_softfp
fi
make_kinc
write_env
touch "$tdir/.stamp-done"
say "ready in $((SECONDS - start)) s: include $tdir/env.mk"
