// [NDISC] Unsolicited Neighbor Advertisement for an IPv6 VIP (RFC 4861
// §7.2.6), sent to all-nodes ff02::1 with hop limit 255 over a raw ICMPv6
// socket; the kernel fills in the ICMPv6 checksum for such sockets
// (RFC 3542 §3.1), so only the message body is built here.

export const ALL_NODES = new Uint8Array([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const ND_NEIGHBOR_ADVERT = 136;
const NA_FLAG_ROUTER = 0x80;
const NA_FLAG_OVERRIDE = 0x20;
const OPT_TARGET_LLADDR = 2;

/** The 32-byte NA body: Override set (replace the old MAC in caches), Router
 * set (the VIP is the clients' gateway), target link-layer address option. */
export function unsolicitedNa(mac: Uint8Array, vip: Uint8Array): Uint8Array {
  const m = new Uint8Array(32);
  m[0] = ND_NEIGHBOR_ADVERT;
  m[4] = NA_FLAG_ROUTER | NA_FLAG_OVERRIDE;
  m.set(vip.subarray(0, 16), 8);
  m[24] = OPT_TARGET_LLADDR;
  m[25] = 1; // option length in units of 8 bytes
  m.set(mac.subarray(0, 6), 26);
  return m;
}
