#!/bin/sh
# Gives a lab router the stand-in OpenWrt that floatgw's DHCP hooks need,
# since Debian has no uci, procd, /etc/init.d/dnsmasq or hotplug-call: in
# <dir>, the admin's /etc/config/dhcp (config/dhcp, from test/lab/dhcp.config),
# bin/uci (test/lab/uci.py), init.d/dnsmasq (test/lab/dnsmasq-init.sh),
# hotplug-call (test/lab/hotplug-call.sh, for floatgwd's `hotplug` option),
# dhcp-script (test/lab/dhcp-script.sh) and bin/floatgw (the built binary
# talking to <run dir>). The hooks of files/etc/hotplug.d/ run unchanged.
# Used by test/netns/dhcp-lab.ts and scripts/demo.sh.
#
# usage: openwrt.sh <dir> <floatgwd> <run dir>
set -eu
dir=$1 floatgwd=$2 run=$3
lab=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/bin" "$dir/init.d" "$dir/config"
cp "$lab/dhcp.config" "$dir/config/dhcp"
script() { # script <path> <command>
	printf '#!/bin/sh\n%s\n' "$2" > "$1"
	chmod 755 "$1"
}
# Debian's python3 before any other on PATH (a version manager's shim
# costs about 0.1 s a call, and the hooks call uci a dozen times).
py=$(command -v /usr/bin/python3 || command -v python3)
script "$dir/bin/uci" "exec $py $lab/uci.py \"\$@\""
script "$dir/init.d/dnsmasq" "UCI_STANDIN_DIR=$dir/config exec sh $lab/dnsmasq-init.sh $dir \"\$@\""
script "$dir/hotplug-call" "exec sh $lab/hotplug-call.sh $dir \"\$@\""
script "$dir/dhcp-script" "exec sh $lab/dhcp-script.sh $dir \"\$@\""
script "$dir/bin/floatgw" "exec $floatgwd \"\$@\" --run-dir $run"
