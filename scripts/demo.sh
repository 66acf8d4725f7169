#!/usr/bin/env bash
# The live demo (run by `make demo` after the build): a router namespace with
# br-lan, floatgwd's selftest on it, then everything is cleaned up.
set -euo pipefail
cd "$(dirname "$0")/.."
ns="fgdemo-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br-lan type bridge
ip -n "$ns" addr add 198.18.0.2/24 dev br-lan
ip -n "$ns" link set br-lan up
echo "router namespace $ns: br-lan 198.18.0.2/24"
echo "$ build/x86_64/floatgwd --version"
build/x86_64/floatgwd --version
echo "$ floatgwd selftest br-lan"
ip netns exec "$ns" build/x86_64/floatgwd selftest br-lan |
  node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const c of r.checks) console.log(`  ${c.ok ? "ok  " : "FAIL"} ${c.name.padEnd(16)} ${c.detail}`);
    process.exit(r.ok ? 0 : 1);'
cleanup
echo "namespace removed; nothing left behind"
