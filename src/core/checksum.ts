// The Internet checksum (RFC 1071) and the pseudo-headers VRRPv3 adds to it.

import { type Addr, IPV4_LEN, IPV6_LEN } from "./addr";

/** IANA protocol number of VRRP (RFC 5798 §5.1.1.4, §5.1.2.3). */
export const IPPROTO_VRRP = 112;

/**
 * One's complement of the one's complement sum of 16-bit big-endian words
 * (RFC 1071 §1), taken over the concatenation of `parts`. An odd final byte
 * is padded with zero. Folding at the end is exact while the sum stays under
 * 2^53, i.e. for anything below 2^37 bytes.
 */
export function internetChecksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const byte = part[i] ?? 0;
      sum += odd ? byte : byte << 8;
      odd = !odd;
    }
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * The pseudo-header of RFC 5798 §5.2.8: for IPv4 the RFC 768 layout (src,
 * dst, zero, protocol, length); for IPv6 RFC 8200 §8.1 (src, dst, 32-bit
 * length, three zero bytes, next header).
 */
export function pseudoHeader(src: Addr, dst: Addr, length: number): Uint8Array {
  if (src.family === 4) {
    const out = new Uint8Array(2 * IPV4_LEN + 4);
    const view = new DataView(out.buffer);
    out.set(src.bytes, 0);
    out.set(dst.bytes, 4);
    view.setUint8(9, IPPROTO_VRRP);
    view.setUint16(10, length);
    return out;
  }
  const out = new Uint8Array(2 * IPV6_LEN + 8);
  const view = new DataView(out.buffer);
  out.set(src.bytes, 0);
  out.set(dst.bytes, 16);
  view.setUint32(32, length);
  view.setUint8(39, IPPROTO_VRRP);
  return out;
}
