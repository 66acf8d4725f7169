#!/usr/bin/env bash
# Builds apk-tools 3.0.6 (apk v3, OpenWrt 25.12's package manager) into
# build/apk-tools/apk, for `make package` (`apk mkpkg`) and the tests (`apk
# adbdump`, `apk add --root`). The source tarball is upstream's release,
# read from ../shared/apk-tools/ next to the project by default
# (FLOATGW_APK_TOOLS_TARBALL names another copy of the same file) and
# checked against the sha256 pinned here. Cached: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=3.0.6
TARBALL_SHA256=913e267a47b71bdfbb6b1a41d6ecdcd45db41774864ca92cb29bebe56ac99d88
tarball=${FLOATGW_APK_TOOLS_TARBALL:-../shared/apk-tools/apk-tools-$VERSION.tar.xz}
out=build/apk-tools
stamp=$out/.built

if [ -x "$out/apk" ] && [ "$stamp" -nt scripts/apk-tools.sh ] && [ "$(cat "$stamp")" = "$TARBALL_SHA256" ]; then
  exit 0
fi
[ -f "$tarball" ] || {
  echo "apk-tools: $tarball not found; set FLOATGW_APK_TOOLS_TARBALL to apk-tools-$VERSION.tar.xz" >&2
  exit 1
}
echo "$TARBALL_SHA256  $tarball" | sha256sum -c --status ||
  { echo "apk-tools: $tarball does not match the pinned sha256 $TARBALL_SHA256" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/src"
tar -xJf "$tarball" -C "$out/src" --strip-components=1
[ "$(cat "$out/src/VERSION")" = "$VERSION" ] || { echo "apk-tools: unexpected VERSION in $tarball" >&2; exit 1; }
# Only what packaging needs: no docs, help text, Lua or Python bindings;
# libapk linked in, so build/apk-tools/apk stands alone.
meson setup "$out/meson" "$out/src" --buildtype=release -Ddefault_library=static -Ddocs=disabled \
  -Dhelp=disabled -Dlua=disabled -Dpython=disabled -Dtests=disabled -Dzstd=enabled >"$out/meson.log"
ninja -C "$out/meson" >"$out/ninja.log"
cp "$out/meson/src/apk" "$out/apk"
echo "$TARBALL_SHA256" >"$stamp"
echo "apk-tools: $("$out/apk" --version) ready in $out/apk"
