#!/usr/bin/env bash
# Fetches QuickJS 2021-03-27 from the npm package qjsc@0.3.0 (the only copy
# of the engine's C source in the registries we may use), verifies it,
# extracts the engine into build/engine/quickjs and applies floatgw's
# patches (patches/quickjs-*.patch, in name order: the portability fixes,
# then the size options). Never `npm install` it: its install script runs
# node-gyp.
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=qjsc@0.3.0
TGZ_SHA256=4a9ed1852b334d842d5dac42d1782817ae26310b448de39532451fd45c9ba0ee
TGZ_SHA512_B64='a7+cU6/IVcZbIejffdt/wZVMX6LL2MDL3HQ9Zb5Gm23G9DvBMS/z9GHFxz39bAvp2PvMOM+ypSOAyokt2DdZ2w=='
out=build/engine
dest=$out/quickjs
stamp=$dest/.floatgw-patched

patches=(patches/quickjs-*.patch)
if [ -f "$stamp" ]; then
  fresh=1
  for p in "${patches[@]}"; do [ "$stamp" -nt "$p" ] || fresh=0; done
  [ $fresh = 0 ] || exit 0
fi
mkdir -p "$out"
tgz=$out/qjsc-0.3.0.tgz
if [ ! -f "$tgz" ] || ! echo "$TGZ_SHA256  $tgz" | sha256sum -c --status; then
  echo "engine: npm pack $PKG"
  (cd "$out" && npm pack "$PKG" --silent >/dev/null)
fi
echo "$TGZ_SHA256  $tgz" | sha256sum -c --status || { echo "engine: sha256 mismatch for $tgz" >&2; exit 1; }
[ "$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")" = "$TGZ_SHA512_B64" ] ||
  { echo "engine: npm integrity (sha512) mismatch for $tgz" >&2; exit 1; }

rm -rf "$dest" "$out/unpack"
mkdir -p "$out/unpack"
tar -xzf "$tgz" -C "$out/unpack" package/deps/quickjs_2021_03_27
mv "$out/unpack/package/deps/quickjs_2021_03_27" "$dest"
rm -rf "$out/unpack"
[ "$(cat "$dest/VERSION")" = 2021-03-27 ] || { echo "engine: unexpected VERSION" >&2; exit 1; }
for p in "${patches[@]}"; do patch -s -p0 -d "$dest" <"$p"; done
touch "$stamp"
echo "engine: QuickJS $(cat "$dest/VERSION") ready in $dest"
