#!/bin/sh
# A stand-in for OpenWrt's /etc/init.d/dnsmasq in the DHCP lab (Debian has
# neither procd nor that init script). `restart` does what matters to floatgw
# of what the real init does: it stops the running dnsmasq and starts it again
# with the options the real init generates from the one `config dhcp` section
# of $UCI_STANDIN_DIR/dhcp (read through the uci stand-in) for interface lan
# on br-lan: authoritative, bind-dynamic, the lease file, `ignore 1` as
# --no-dhcp-interface, start/limit/leasetime as a range on br-lan's /24, and
# each dhcp_option as --dhcp-option=lan,<option>, and, as the real init does
# when /etc/hotplug.d/dhcp/ has hooks, the dhcp-script (here <dir>/dhcp-script,
# the lab's stand-in) that turns lease events into hotplug `dhcp` events. It
# does not run the init's "other DHCP server" probe (the hook sets `force 1`,
# which skips it). For the tests, each start copies the lease file it starts
# on to <dir>/dhcp.leases.at-start.
#
# usage: dnsmasq-init.sh <dir> restart|stop   (UCI_STANDIN_DIR=<dir>/config)
set -eu
dir=$1
uci() { "$dir/bin/uci" "$@"; }

running() { # running <pid>: alive and not a zombie
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

stop() {
	if [ -s "$dir/dnsmasq.pid" ]; then
		pid=$(cat "$dir/dnsmasq.pid")
		kill "$pid" 2>/dev/null || true
		# Bounded wait for the old server to let go of its sockets. A zombie
		# already has: an exited daemon stays one until PID 1 reaps it, which
		# procd does at once but a container's init may take a second to do.
		for _ in $(seq 100); do running "$pid" || break; sleep 0.05; done
		rm -f "$dir/dnsmasq.pid"
	fi
}

start() {
	set -- --conf-file=/dev/null --pid-file="$dir/dnsmasq.pid" --user=root --group=root \
		--log-facility="$dir/dnsmasq.log" --log-dhcp --dhcp-authoritative --bind-dynamic \
		--dhcp-leasefile="$dir/dhcp.leases" --interface=br-lan --except-interface=lo
	if [ "$(uci -q get dhcp.lan.ignore || echo 0)" = 1 ]; then
		set -- "$@" --no-dhcp-interface=br-lan
	else
		net=$(ip -4 -o addr show dev br-lan | sed -n 's/.* inet \([0-9.]*\)\.[0-9]*\/24 .*/\1/p' | head -n 1)
		first=$(uci -q get dhcp.lan.start || echo 100)
		count=$(uci -q get dhcp.lan.limit || echo 150)
		lease=$(uci -q get dhcp.lan.leasetime || echo 12h)
		set -- "$@" "--dhcp-range=set:lan,$net.$first,$net.$((first + count - 1)),255.255.255.0,$lease"
	fi
	for o in $(uci -q get dhcp.lan.dhcp_option || true); do set -- "$@" "--dhcp-option=lan,$o"; done
	hooks=$(cd "$(dirname "$0")/../.." && pwd)/files/etc/hotplug.d/dhcp
	if [ -x "$dir/dhcp-script" ] && [ -n "$(ls "$hooks" 2>/dev/null)" ]; then
		set -- "$@" --dhcp-script="$dir/dhcp-script"
	fi
	cat "$dir/dhcp.leases" > "$dir/dhcp.leases.at-start" 2>/dev/null || : > "$dir/dhcp.leases.at-start"
	echo "$*" > "$dir/dnsmasq.args"
	dnsmasq "$@"
}

case ${2:-} in
	restart)
		[ ! -s "$dir/restart-delay" ] || sleep "$(cat "$dir/restart-delay")"
		stop
		start
		;;
	start) start ;;
	stop) stop ;;
	*) echo "usage: dnsmasq-init.sh <dir> restart|start|stop" >&2; exit 2 ;;
esac
