#!/bin/sh
# A stand-in for OpenWrt's dnsmasq dhcp-script in the DHCP lab: dnsmasq runs
# it as `--dhcp-script` with `add|old|del MAC IP [HOSTNAME]` (and its
# DNSMASQ_* variables, kept), and, as on OpenWrt, it turns that into a
# hotplug `dhcp` event, ACTION=add|update|remove with MACADDR, IPADDR and
# HOSTNAME, run through the lab's hotplug-call over files/etc/hotplug.d/dhcp/.
# Events that are not about a lease (tftp, arp) are ignored.
#
# usage: dhcp-script.sh <router dir> add|old|del MAC IP [HOSTNAME]
dir=$1
case $2 in
	add) ACTION=add ;;
	old) ACTION=update ;;
	del) ACTION=remove ;;
	*) exit 0 ;;
esac
MACADDR=$3 IPADDR=$4 HOSTNAME=${5:-}
export ACTION MACADDR IPADDR HOSTNAME
exec sh "$(dirname "$0")/hotplug-call.sh" "$dir" dhcp
