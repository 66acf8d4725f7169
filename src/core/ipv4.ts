// Splits a datagram read from a raw IPv4 socket (Linux hands over the IP
// header too) into the fields VRRP needs. Bounds-checked; never throws.

import type { Addr } from "./addr";
import { type SameBytes, sameBytes } from "./bytes";
import { IPPROTO_VRRP } from "./checksum";
import { type Result, fail, ok } from "./result";

export interface Ipv4Datagram {
  readonly src: Addr;
  readonly dst: Addr;
  readonly ttl: number;
  readonly protocol: number;
  /** The bytes after the header, up to Total Length (not any link padding). */
  readonly payload: Uint8Array;
}

export type Ipv4Failure = "short" | "bad-ip-header" | "fragment" | "not-vrrp";

const MIN_HEADER_LEN = 20;
/** RFC 791 §3.1: MF flag and the 13-bit fragment offset. */
const MORE_FRAGMENTS = 0x2000;
const FRAGMENT_OFFSET = 0x1fff;

export function decodeIpv4Datagram(bytes: Uint8Array): Result<Ipv4Datagram, Ipv4Failure> {
  if (bytes.length < MIN_HEADER_LEN)
    return fail("short", `${bytes.length} bytes is shorter than an IPv4 header (${MIN_HEADER_LEN})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const versionIhl = view.getUint8(0);
  const version = versionIhl >> 4;
  if (version !== 4) return fail("bad-ip-header", `IP version ${version} in an IPv4 datagram`);
  const headerLen = (versionIhl & 0x0f) * 4;
  if (headerLen < MIN_HEADER_LEN) return fail("bad-ip-header", `IHL gives a ${headerLen}-byte header (minimum 20)`);
  const totalLen = view.getUint16(2);
  if (totalLen < headerLen)
    return fail("bad-ip-header", `Total Length ${totalLen} is shorter than the ${headerLen}-byte header`);
  if (totalLen > bytes.length) return fail("short", `Total Length ${totalLen} but only ${bytes.length} bytes arrived`);
  // VRRP messages are far below any MTU; the kernel reassembles before raw
  // delivery, so a fragment here is hostile or a bug.
  if ((view.getUint16(6) & (MORE_FRAGMENTS | FRAGMENT_OFFSET)) !== 0)
    return fail("fragment", "fragmented IPv4 datagram");
  return ok({
    src: { family: 4, bytes: bytes.slice(12, 16) },
    dst: { family: 4, bytes: bytes.slice(16, 20) },
    ttl: view.getUint8(8),
    protocol: view.getUint8(9),
    payload: bytes.slice(headerLen, totalLen),
  });
}

/** Like decodeIpv4Datagram, and also refuses anything that is not IP protocol 112. */
export function decodeVrrpDatagram(bytes: Uint8Array): Result<Ipv4Datagram, Ipv4Failure> {
  const d = decodeIpv4Datagram(bytes);
  if (d.ok && d.value.protocol !== IPPROTO_VRRP)
    return fail("not-vrrp", `IP protocol ${d.value.protocol}, not VRRP (${IPPROTO_VRRP})`);
  return d;
}

/** Whether the first `length` bytes of `a` decode exactly as `b` does: the
 * same bytes but for Identification and Header Checksum, which change with
 * every datagram a router sends and which decoding does not read. */
export function sameIpv4Datagram(a: Uint8Array, length: number, b: Uint8Array, same: SameBytes = sameBytes): boolean {
  return length === b.length && length >= 12 && same(a, 0, b, 0, 4) && same(a, 6, b, 6, 4) && same(a, 12, b, 12, length - 12);
}

/** Identification (bytes 4-5) and Header Checksum (10-11): what changes
 * between two datagrams that decode the same. */
const PER_DATAGRAM = [4, 5, 10, 11];

/** Which bytes of a `length`-byte IPv4 datagram must match for another one
 * to decode as it does (1) and which may differ (0): sameIpv4Datagram as a
 * mask, for the kernel's filter and the listener child (src/platform/bpf.ts). */
export function ipv4DatagramMask(length: number): Uint8Array {
  const mask = new Uint8Array(length).fill(1);
  for (const at of PER_DATAGRAM) if (at < length) mask[at] = 0;
  return mask;
}
