#!/usr/bin/env bash
# The live demo (`make demo`, after the build): two real OpenWrt 22.03
# routers (procd, netifd, dnsmasq, ... of the OpenWrt rootfs, booted in
# namespaces by test/lab/openwrt.mjs), a switch and a client. floatgw is
# installed on both from its package (opkg, after `make package-x86_64`)
# and set up with the uci commands of docs/install.md; the
# client takes a DHCP lease and pings the VIP every 10 ms while router A
# dies and comes back, hands over on purpose, and B is shut down. Cleans up
# on any exit (KEEP=1 keeps the ping logs in the work directory it names).
set -euo pipefail
cd "$(dirname "$0")/.."
p="fgdemo$$"
work=$(mktemp -d)
pids=()
lab() { node test/lab/openwrt.mjs "$@"; }
router() { lab sh "$p" "$@"; } # router <a|b> <script>: run a script on that router
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  lab down "$p"
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

say() { printf '\033[1m%s\033[0m\n' "$*"; }
lease() { # the client's lease, as its udhcpc script recorded it
  grep -E '^(bound|renew) ' "$work/udhcpc.log" | tail -n 1 |
    sed -E 's/^[a-z]+ ip=([^ ]*) router=([^ ]*) dns=([^ ]*) serverid=([^ ]*)$/address \1, gateway \2, DNS \3, from DHCP server \4/'
}
state() { router "$1" 'floatgw status --json' 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const i=JSON.parse(s).instances[0];console.log(i.state)}catch{console.log("down")}})'; }
wait_state() { # wait_state <router> <state>
  for _ in $(seq 100); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.1; done
  echo "demo: router $1 never became $2" >&2; return 1
}
ping_for() { # ping_for <seconds> <output>: 10 ms probes from the client
  ip netns exec "$p-c" timeout -s INT "$1" ping -D -n -i 0.01 -W 1 198.18.0.1 >"$2" 2>&1 || true
}
outage() { node test/lab/ping-gap.mjs "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(`client outage ${r.maxGapMs} ms, ${r.lost} of ${r.sent} probes lost`)})'; }

say "1. Two OpenWrt 22.03 routers boot: A (198.18.0.2), B (198.18.0.3), a switch, a client"
lab up "$p"
ip -n "$p-c" addr flush dev eth0 # the client will get its address by DHCP
echo "   $(router a '. /etc/openwrt_release; echo "$DISTRIB_DESCRIPTION"'): procd, netifd, dnsmasq, fw4 running"

say "2. floatgw installed on both routers: opkg install ./$(basename build/packages/x86_64/floatgw_*_x86_64.ipk)"
lab install "$p" a | sed 's/^/   A: /'
lab install "$p" b >/dev/null
echo "   $(router a 'floatgw --version'); the service is enabled, but the shipped config says enabled '0'"

say "3. Set up with uci, as docs/install.md says (here with VRRPv3, 100 ms adverts); on router A:"
setup_a=$(lab commands a version=3 advert_int=0.1)
sed 's/^/   A# /' <<<"$setup_a"
router a "$setup_a"
wait_state a master
echo "   ... and the same on router B with priority '100'"
router b "$(lab commands b version=3 advert_int=0.1)"
wait_state b backup
echo "   router A: $(state a), router B: $(state b)"

say "4. The client asks for a lease (busybox udhcpc): the real dnsmasq of A answers"
: >"$work/udhcpc.log"
ip netns exec "$p-c" env UDHCPC_LOG="$work/udhcpc.log" busybox udhcpc -f -i eth0 -t 10 -T 1 -A 1 \
  -s "$PWD/test/lab/udhcpc-script.sh" >/dev/null 2>&1 &
udhcpc=$!
pids+=($udhcpc)
for _ in $(seq 150); do [ -n "$(lease)" ] && break; sleep 0.1; done
ip -n "$p-c" route replace default via 198.18.0.1
echo "   client: $(lease)"

say "5. The client pings the VIP every 10 ms; router A dies (its switch port goes down)"
ping_for 3 "$work/ping1" &
ping=$!
sleep 1
ip -n "$p-sw" link set pa down
wait_state b master
wait_state a fault
echo "   router A: $(state a), router B: $(state b)"
wait "$ping"
echo "   $(outage "$work/ping1")   (theory: Master_Down_Interval = 3 x 100 ms + skew 61 ms)"
echo "   the client renews its lease: A does not answer, B (which has A's leases) does"
before=$(grep -cE '^(bound|renew) ' "$work/udhcpc.log")
kill -USR1 "$udhcpc"
for _ in $(seq 150); do [ "$(grep -cE '^(bound|renew) ' "$work/udhcpc.log")" -gt "$before" ] && break; sleep 0.1; done
echo "   client: $(lease)"

say "6. Router A comes back and takes the VIP back (preempt)"
ping_for 3 "$work/ping2" &
ping=$!
sleep 0.5
ip -n "$p-sw" link set pa up
wait_state a master
echo "   router A: $(state a), router B: $(state b)"
wait "$ping"
echo "   $(outage "$work/ping2")"

say "7. Planned switchover: A# floatgw switchover --hold 30"
ping_for 2 "$work/ping3" &
ping=$!
sleep 0.5
router a 'floatgw switchover --hold 30' | sed 's/^/   /'
wait_state b master
wait "$ping"
echo "   $(outage "$work/ping3")"

say "8. Router B is shut down (B# /etc/init.d/floatgw stop, as on a reboot): it hands the VIP back first"
ping_for 2 "$work/ping4" &
ping=$!
sleep 0.5
router b '/etc/init.d/floatgw stop'
wait_state a master
wait "$ping"
echo "   router A: $(state a), router B: $(state b)"
echo "   $(outage "$work/ping4")"
echo "   B's log (logread):"
router b 'logread -e floatgwd | tail -n 4' | sed 's/^/   /'
say "Done: the routers and namespaces are removed."
