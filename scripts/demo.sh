#!/usr/bin/env bash
# The live demo (`make demo`, after the build): two routers and a client in
# network namespaces; floatgwd and dnsmasq on both routers (dnsmasq driven by
# floatgw's hooks through the lab's stand-in OpenWrt, test/lab/openwrt.sh);
# the client takes a DHCP lease and pings the VIP every 10 ms while router A
# dies and comes back. Cleans up on any exit (KEEP=1 keeps the logs and
# configs in the work directory it names).
set -euo pipefail
cd "$(dirname "$0")/.."
p="fgdemo$$"
work=$(mktemp -d)
bin=$PWD/build/x86_64/floatgwd
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true # the daemons hand over and exit within a second
  bash test/lab/lab.sh down "$p"
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

say() { printf '\033[1m%s\033[0m\n' "$*"; }
config() { # config <router> <priority>: floatgw's UCI file, and the router's stand-in OpenWrt
  sh test/lab/openwrt.sh "$work/$1-openwrt" "$bin" "$work/$1"
  cat >"$work/$1.conf" <<CONF
config floatgw 'global'
	option enabled '1'
	option secret 'floatgw-demo-lease-key'
	option hotplug '$work/$1-openwrt/hotplug-call'
	option dhcp_leasefile '$work/$1-openwrt/dhcp.leases'
config vip 'lan'
	option interface 'lan'
	option device 'br-lan'
	option vrid '51'
	option version '3'
	option advert_int '0.1'
	option priority '$2'
	list address '198.18.0.1/24'
	option dhcp '1'
CONF
  ip netns exec "$p-$1" "$work/$1-openwrt/init.d/dnsmasq" start
}
lease() { # the client's lease, as its udhcpc script recorded it
  grep -E '^(bound|renew) ' "$work/udhcpc.log" | tail -n 1 |
    sed -E 's/^[a-z]+ ip=([^ ]*) router=([^ ]*) dns=([^ ]*) serverid=([^ ]*)$/address \1, gateway \2, DNS \3, from DHCP server \4/'
}
state() { "$bin" status --json --run-dir "$work/$1" 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const i=JSON.parse(s).instances[0];console.log(i.state)}catch{console.log("down")}})'; }
wait_state() { # wait_state <router> <state>
  for _ in $(seq 100); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.1; done
  echo "demo: router $1 never became $2" >&2; return 1
}
start_router() { # start_router <router>
  ip netns exec "$p-$1" "$bin" run --config "$work/$1.conf" --run-dir "$work/$1" 2>>"$work/$1.log" &
  pids+=($!)
}
ping_for() { # ping_for <seconds> <output>: 10 ms probes from the client
  ip netns exec "$p-c" timeout -s INT "$1" ping -D -n -i 0.01 -W 1 198.18.0.1 >"$2" 2>&1 || true
}
outage() { node test/lab/ping-gap.mjs "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(`client outage ${r.maxGapMs} ms, ${r.lost} of ${r.sent} probes lost`)})'; }

say "1. Lab: switch, router A (198.18.0.2), router B (198.18.0.3), a client; VIP 198.18.0.1"
bash test/lab/lab.sh up "$p"
ip -n "$p-c" addr flush dev eth0 # the client will get its address by DHCP
config a 150; config b 100
say "2. floatgwd and dnsmasq on both routers (VRRPv3, 100 ms adverts; A priority 150, B 100)"
start_router a; start_router b
wait_state a master; wait_state b backup
echo "   router A: $(state a), router B: $(state b)"
: >"$work/udhcpc.log"
ip netns exec "$p-c" env UDHCPC_LOG="$work/udhcpc.log" busybox udhcpc -f -i eth0 -t 10 -T 1 -A 1 \
  -s "$PWD/test/lab/udhcpc-script.sh" >/dev/null 2>&1 &
udhcpc=$!
pids+=($udhcpc)
for _ in $(seq 100); do [ -n "$(lease)" ] && break; sleep 0.1; done
ip -n "$p-c" route replace default via 198.18.0.1
echo "   client: $(lease)"

say "3. The client pings the VIP every 10 ms; router A dies (its switch port goes down)"
ping_for 3 "$work/ping1" &
ping=$!
sleep 1
ip -n "$p-sw" link set pa down
wait_state b master; wait_state a fault
echo "   router A: $(state a), router B: $(state b)"
wait "$ping"
echo "   $(outage "$work/ping1")   (theory: Master_Down_Interval = 3 x 100 ms + skew 61 ms)"
echo "   the client renews its lease: A does not answer, B (which has A's leases) does"
before=$(grep -cE '^(bound|renew) ' "$work/udhcpc.log")
kill -USR1 "$udhcpc"
for _ in $(seq 150); do [ "$(grep -cE '^(bound|renew) ' "$work/udhcpc.log")" -gt "$before" ] && break; sleep 0.1; done
echo "   client: $(lease)"

say "4. Router A comes back and takes the VIP back (preempt)"
ping_for 3 "$work/ping2" &
ping=$!
sleep 0.5
ip -n "$p-sw" link set pa up
wait_state a master
echo "   router A: $(state a), router B: $(state b)"
wait "$ping"
echo "   $(outage "$work/ping2")"

say "5. Planned switchover: floatgw switchover on A hands the VIP to B"
ping_for 2 "$work/ping3" &
ping=$!
sleep 0.5
"$bin" switchover --hold 30 --run-dir "$work/a" | sed 's/^/   /'
wait_state b master
wait "$ping"
echo "   $(outage "$work/ping3")"
say "6. Router B is shut down (SIGTERM, as on a reboot): it hands the VIP back first"
ping_for 2 "$work/ping4" &
ping=$!
sleep 0.5
kill -TERM "${pids[1]}"
wait_state a master
wait "$ping"
echo "   router A: $(state a), router B: $(state b)"
echo "   $(outage "$work/ping4")"
say "Done: namespaces and daemons are removed."
