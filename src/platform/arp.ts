// [ARP] Gratuitous ARP for an IPv4 VIP: an ARP request in which sender and
// target protocol address are both the VIP (RFC 5227 §3 "ARP Announcement"),
// broadcast so every client and the switch learn the VIP's new MAC at once.
// Sent over AF_PACKET by the caller; this module only builds the frame.

export const ETH_P_ARP = 0x0806;
export const BROADCAST_MAC = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** The 42-byte Ethernet + ARP announcement of `vip` (4 bytes) from `mac`. */
export function gratuitousArp(mac: Uint8Array, vip: Uint8Array): Uint8Array {
  const f = new Uint8Array(42);
  const v = new DataView(f.buffer);
  f.set(BROADCAST_MAC, 0);
  f.set(mac.subarray(0, 6), 6);
  v.setUint16(12, ETH_P_ARP);
  v.setUint16(14, 1); // hardware type: Ethernet
  v.setUint16(16, 0x0800); // protocol type: IPv4
  f[18] = 6; // hardware address length
  f[19] = 4; // protocol address length
  v.setUint16(20, 1); // op: request (what keepalived and most stacks send)
  f.set(mac.subarray(0, 6), 22); // sender MAC
  f.set(vip.subarray(0, 4), 28); // sender IP
  // target MAC stays zero
  f.set(vip.subarray(0, 4), 38); // target IP
  return f;
}
