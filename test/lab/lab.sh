#!/usr/bin/env bash
# The two-router lab, shared by the demo, the tests and the
# benchmarks so they all run on the same topology:
#
#   <p>-sw: bridge sw0 with ports pa, pb, pc (a switch; "router death" is
#           `ip -n <p>-sw link set pa down`)
#   <p>-a:  router A, br-lan over eth0, 198.18.0.2/24, 2001:db8:0:1::2/64
#   <p>-b:  router B, br-lan over eth0, 198.18.0.3/24, 2001:db8:0:1::3/64
#   <p>-c:  client, eth0 198.18.0.100/24, 2001:db8:0:1::100/64,
#           default route via the VIP 198.18.0.1
#
# usage: lab.sh up <prefix> | lab.sh down <prefix>
# Only 198.18.0.0/15 and 2001:db8::/32; nothing leaves the namespaces.
set -euo pipefail
cmd=${1:?usage: lab.sh up|down <prefix>}
p=${2:?usage: lab.sh up|down <prefix>}

down() {
  for ns in "$p-c" "$p-a" "$p-b" "$p-sw"; do
    if ip netns list | grep -qw "^$ns"; then
      # Kill by PID whatever still runs inside before deleting the namespace.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

router() { # router <ns> <port> <v4> <v6>
  local ns=$1 port=$2
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # Created in the switch, not the root namespace, so that two labs up at
  # once (side-by-side measurements) never clash on the port names there.
  ip -n "$p-sw" link add "$port" type veth peer name eth0 netns "$ns"
  ip -n "$p-sw" link set "$port" master sw0 up
  ip -n "$ns" link add br-lan type bridge
  ip -n "$ns" link set eth0 master br-lan up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.br-lan.accept_dad=0
  ip -n "$ns" addr add "$3/24" dev br-lan
  ip -n "$ns" addr add "$4/64" dev br-lan nodad
  ip -n "$ns" link set br-lan up
}

up() {
  down
  ip netns add "$p-sw"
  ip -n "$p-sw" link set lo up
  ip -n "$p-sw" link add sw0 type bridge
  ip -n "$p-sw" link set sw0 up
  router "$p-a" pa 198.18.0.2 2001:db8:0:1::2
  router "$p-b" pb 198.18.0.3 2001:db8:0:1::3
  local c=$p-c
  ip netns add "$c"
  ip -n "$c" link set lo up
  ip link add pc netns "$p-sw" type veth peer name eth0 netns "$c"
  ip -n "$p-sw" link set pc master sw0 up
  ip netns exec "$c" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
  ip -n "$c" addr add 198.18.0.100/24 dev eth0
  ip -n "$c" addr add 2001:db8:0:1::100/64 dev eth0 nodad
  ip -n "$c" link set eth0 up
  ip -n "$c" route add default via 198.18.0.1
  # Wait for the bridges to forward (no STP: ports forward at once, but the
  # link-local IPv6 addresses still need a moment).
  for ns in "$p-a" "$p-b"; do
    for _ in $(seq 50); do
      ip -n "$ns" -6 addr show dev br-lan scope link | grep -q 'inet6 fe80' && ! ip -n "$ns" -6 addr show dev br-lan | grep -q tentative && break
      sleep 0.1
    done
  done
}

case $cmd in
  up) up ;;
  down) down ;;
  *) echo "usage: lab.sh up|down <prefix>" >&2; exit 2 ;;
esac
