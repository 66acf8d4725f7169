#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need on a fresh
# Debian 12 machine, as root. Idempotent: when every package is present it
# touches no network and returns in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: host and cross compilers, musl for x86_64, the gcc source (soft-float
# helpers for MIPS), the kernel headers of every target, and what apk-tools
# (for `make package`'s apk v3 packages) is built with.
build_pkgs=(make gcc musl-tools xz-utils binutils file
  gcc-mips-linux-gnu gcc-mipsel-linux-gnu gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu
  libc6-dev-mips-cross libc6-dev-mipsel-cross libc6-dev-armhf-cross libc6-dev-arm64-cross
  gcc-12-source qemu-user-static debian-archive-keyring
  meson ninja-build pkg-config libssl-dev zlib1g-dev libzstd-dev zopfli)
# Tests: namespaces, captures and real peers, the servers trackers check
# (nginx, an SMTP server), and a browser for LuCI.
test_pkgs=(iproute2 nftables iputils-ping tshark tcpdump keepalived dnsmasq-base busybox procps python3 shellcheck
  nginx-light python3-aiosmtpd chromium)

missing=()
for p in "${build_pkgs[@]}" "${test_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer before it asks.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  # Wait for a dpkg lock another setup (a parallel checkout) holds.
  apt=(apt-get -o DPkg::Lock::Timeout=600)
  "${apt[@]}" update -qq
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm: exactly the tree in package-lock.json (`npm ci`, which never rewrites
# the lock), again only when the lock changed. The lock lists every
# platform's optional packages (rollup's), so it is complete on any machine.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ok"
