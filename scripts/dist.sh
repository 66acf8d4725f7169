#!/usr/bin/env bash
# `make dist`: the release tarball the OpenWrt SDK builds floatgw from
# (openwrt/floatgw/Makefile, docs/packaging.md), since the SDK has no
# Node.js to bundle the TypeScript with: build/dist/floatgw-<version>.tar.xz
# holds every file of the repository plus what the build generated
#   build/floatgw-cli.js       the bundled JavaScript (what qjsc compiles):
#   build/floatgwd.js          the control client, the daemon and the
#   build/floatgw-tools.js     other commands
#   build/luci-app/            the LuCI app's files generated from the
#                              config schema (luci-app-floatgw installs them)
#   bytecode/big-endian.c      their bytecode for big-endian CPUs (see below)
# Bytecode is in the byte order of the qjsc that writes it; the SDK's host
# qjsc can only write its own, and cannot run a big-endian one, so the
# big-endian bytecode comes made, by the big-endian qjsc of our own build
# (mips_24kc, under qemu-user). Reproducible: sorted names, root's ownership
# and one time stamp (SOURCE_DATE_EPOCH, default the last commit's time).
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("./package.json").version')
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
name=floatgw-$version
out=build/dist
stage=$out/$name
rm -rf "$stage"
mkdir -p "$stage/build" "$stage/bytecode"
git ls-files -z | xargs -0 cp --parents -t "$stage"
cp build/floatgw-cli.js build/floatgwd.js build/floatgw-tools.js "$stage/build/"
cp -R build/luci-app "$stage/build/"
cp build/mips_24kc/bytecode.c "$stage/bytecode/big-endian.c"
tar -C "$out" --format=gnu --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" |
  xz -9 -T1 >"$out/$name.tar.xz"
rm -rf "$stage"
echo "dist: $out/$name.tar.xz ($(stat -c %s "$out/$name.tar.xz") bytes)"
echo "dist: sha256 $(sha256sum "$out/$name.tar.xz" | cut -d' ' -f1) (PKG_HASH in openwrt/floatgw/Makefile)"
