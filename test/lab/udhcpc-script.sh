#!/bin/sh
# The lab client's udhcpc script: appends one line per event to $UDHCPC_LOG
# ("<event> ip=... router=... dns=... serverid=...") and, on bound/renew,
# puts the leased address on the interface. deconfig leaves the interface
# alone (it keeps the lab's static address).
echo "$1 ip=${ip:-} router=${router:-} dns=${dns:-} serverid=${serverid:-}" >> "$UDHCPC_LOG"
case $1 in
	bound|renew) ip addr replace "$ip/${mask:-24}" dev "${interface:-eth0}" ;;
esac
exit 0
