#!/bin/sh
# A stand-in for OpenWrt's /sbin/hotplug-call in the DHCP lab: it sources
# every script of files/etc/hotplug.d/<subsystem>/ in `ls` order, each in a
# subshell, as hotplug-call does, with the lab's uci stand-in first on PATH
# and, in a private mount namespace, the lab's dnsmasq init stand-in where
# the hooks expect /etc/init.d/dnsmasq. The hooks themselves run unchanged.
#
# usage: hotplug-call.sh <router dir> <subsystem>   (environment: the event's)
set -eu
dir=$1
hooks=$(cd "$(dirname "$0")/../.." && pwd)/files/etc/hotplug.d/$2
export PATH="$dir/bin:$PATH" UCI_STANDIN_DIR="$dir/config" FLOATGW_UCI_CONFDIR="$dir/config"
# The inner script gets its paths as $1 and $2, hence single quotes.
# shellcheck disable=SC2016
exec unshare -m sh -c '
	mount --bind "$1/init.d" /etc/init.d
	for f in "$2"/*; do (. "$f"); done
' hotplug-call "$dir" "$hooks"
