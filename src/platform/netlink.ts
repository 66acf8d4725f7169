// rtnetlink messages, built and parsed here in host byte order (netlink is
// host-endian by design; see hostorder.ts). Layouts: linux/netlink.h,
// linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h — identical on every
// floatgw target.
import { hostLittleEndian as LE } from "./hostorder";

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
export const NLM_F_CREATE = 0x400;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
/** The ifindex of the bridge (or bond) a device is a port of. */
export const IFLA_MASTER = 10;
/** Nested: what driver made the device (IFLA_INFO_KIND inside). */
export const IFLA_LINKINFO = 18;
export const IFLA_INFO_KIND = 1;
/** ifi_family of the copies a bridge sends about its ports' changes (the
 * same change also comes as an ordinary AF_UNSPEC link message). */
export const AF_BRIDGE = 7;
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_CACHEINFO = 6;
export const IFA_FLAGS = 8;

export const NLMSG_HDRLEN = 16;
/** Where nlmsghdr keeps the sequence number. */
const NLMSG_SEQ = 8;
const RTA_HDRLEN = 4;

const align4 = (n: number): number => (n + 3) & ~3;

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** The bytes after the 16-byte header (a view into the received buffer). */
  payload: Uint8Array;
}

/** One rtattr: type and payload, 4-byte aligned. */
export function rtattr(type: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(align4(RTA_HDRLEN + payload.length));
  const v = new DataView(b.buffer);
  v.setUint16(0, RTA_HDRLEN + payload.length, LE);
  v.setUint16(2, type, LE);
  b.set(payload, RTA_HDRLEN);
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** nlmsghdr + body + attributes, ready for sendto. */
export function encodeMessage(type: number, flags: number, seq: number, body: Uint8Array, attrs: Uint8Array[] = []): Uint8Array {
  const msg = concat([new Uint8Array(NLMSG_HDRLEN), body, ...attrs]);
  const v = new DataView(msg.buffer);
  v.setUint32(0, msg.length, LE);
  v.setUint16(4, type, LE);
  v.setUint16(6, flags, LE);
  v.setUint32(NLMSG_SEQ, seq, LE);
  v.setUint32(12, 0, LE);
  return msg;
}

/** Splits a datagram into messages; stops at the first malformed length. */
export function decodeMessages(data: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  while (off + NLMSG_HDRLEN <= data.length) {
    const len = v.getUint32(off, LE);
    if (len < NLMSG_HDRLEN || off + len > data.length) break;
    out.push({
      type: v.getUint16(off + 4, LE),
      flags: v.getUint16(off + 6, LE),
      seq: v.getUint32(off + NLMSG_SEQ, LE),
      pid: v.getUint32(off + 12, LE),
      payload: data.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** The attributes of the `wanted` types that follow a fixed-size body, by
 * type (last one wins). Only those are cut out: a link message carries
 * some fifty others (statistics, per-family settings), and cutting out
 * each (a typed array object in QuickJS) was most of what reading a link
 * cost, 2 M instructions for a dump of four links at the start. */
export function decodeAttrs(payload: Uint8Array, bodyLength: number, wanted: readonly number[]): Map<number, Uint8Array> {
  const attrs = new Map<number, Uint8Array>();
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let off = align4(bodyLength);
  while (off + RTA_HDRLEN <= payload.length) {
    const len = v.getUint16(off, LE);
    if (len < RTA_HDRLEN || off + len > payload.length) break;
    const type = v.getUint16(off + 2, LE) & 0x3fff;
    if (wanted.indexOf(type) >= 0) attrs.set(type, payload.subarray(off + RTA_HDRLEN, off + len));
    off += align4(len);
  }
  return attrs;
}

/** The answer to request `seq` among the `length` bytes of `data` (read
 * through `v`, a view of the same bytes): its errno (0: acknowledged or
 * done; `shortError` for an NLMSG_ERROR too short to hold one), or null
 * when the datagram holds none. Reads in place, without an object per
 * message: every renewal of a VIP's lifetime waits for such an ACK. */
export function answerIn(data: Uint8Array, v: DataView, length: number, seq: number, shortError: number): number | null {
  let off = 0;
  const end = Math.min(length, data.length);
  while (off + NLMSG_HDRLEN <= end) {
    const len = v.getUint32(off, LE);
    if (len < NLMSG_HDRLEN || off + len > end) break;
    if (v.getUint32(off + NLMSG_SEQ, LE) === seq) {
      const type = v.getUint16(off + 4, LE);
      if (type === NLMSG_DONE) return 0;
      // `| 0`: an ACK's error field is 0, which negated is -0.
      if (type === NLMSG_ERROR) return len >= NLMSG_HDRLEN + 4 ? -v.getInt32(off + NLMSG_HDRLEN, LE) | 0 : shortError;
    }
    off += align4(len);
  }
  return null;
}

/** The errno of an NLMSG_ERROR (0 is an ACK), or null if too short. */
export function errorCode(msg: NetlinkMessage): number | null {
  if (msg.payload.length < 4) return null;
  return -new DataView(msg.payload.buffer, msg.payload.byteOffset, 4).getInt32(0, LE);
}

/** struct ifinfomsg: 16 bytes. */
export const IFINFOMSG_LEN = 16;
export function ifinfomsg(family: number, ifindex: number): Uint8Array {
  const b = new Uint8Array(IFINFOMSG_LEN);
  const v = new DataView(b.buffer);
  b[0] = family;
  v.setInt32(4, ifindex, LE);
  return b;
}

export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;

/** What a link's flags say: administratively up (IFF_UP), and with carrier
 * (IFF_RUNNING: the operational state is up). */
export function linkFlags(flags: number): { adminUp: boolean; carrier: boolean } {
  return { adminUp: (flags & IFF_UP) !== 0, carrier: (flags & IFF_RUNNING) !== 0 };
}

export interface LinkInfo {
  ifindex: number;
  flags: number;
  name: string | null;
  mac: Uint8Array | null;
  /** The ifindex of the bridge this device is a port of, 0 for none. */
  master: number;
  /** The kind of a virtual device ("bridge", "veth", "vlan", ...), null for
   * a device of a hardware driver (no IFLA_LINKINFO). */
  kind: string | null;
}

/** What decodeLink reads of a link message, and of its IFLA_LINKINFO. */
const LINK_ATTRS = [IFLA_IFNAME, IFLA_ADDRESS, IFLA_MASTER, IFLA_LINKINFO];
const INFO_ATTRS = [IFLA_INFO_KIND];

export function decodeLink(msg: NetlinkMessage): LinkInfo | null {
  if (msg.payload.length < IFINFOMSG_LEN) return null;
  const v = new DataView(msg.payload.buffer, msg.payload.byteOffset, IFINFOMSG_LEN);
  const attrs = decodeAttrs(msg.payload, IFINFOMSG_LEN, LINK_ATTRS);
  const name = attrs.get(IFLA_IFNAME);
  const mac = attrs.get(IFLA_ADDRESS);
  const master = attrs.get(IFLA_MASTER);
  const info = attrs.get(IFLA_LINKINFO);
  const kind = info ? decodeAttrs(info, 0, INFO_ATTRS).get(IFLA_INFO_KIND) : undefined;
  return {
    ifindex: v.getInt32(4, LE),
    flags: v.getUint32(8, LE),
    name: name ? cString(name) : null,
    mac: mac ? mac.slice() : null,
    master: master && master.length >= 4 ? new DataView(master.buffer, master.byteOffset, 4).getUint32(0, LE) : 0,
    kind: kind ? cString(kind) : null,
  };
}

/** A bridge's own copy of a port's link message (ifi_family AF_BRIDGE):
 * the AF_UNSPEC message says the same, and its RTM_DELLINK means the port
 * left the bridge, not that the device is gone. */
export function isBridgePortCopy(msg: NetlinkMessage): boolean {
  return msg.payload.length > 0 && msg.payload[0] === AF_BRIDGE;
}

/** struct ifaddrmsg: 8 bytes. */
export const IFADDRMSG_LEN = 8;
export const IFA_F_NODAD = 0x02;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;

export function ifaddrmsg(family: number, prefix: number, flags: number, scope: number, ifindex: number): Uint8Array {
  const b = new Uint8Array(IFADDRMSG_LEN);
  b[0] = family;
  b[1] = prefix;
  b[2] = flags;
  b[3] = scope;
  new DataView(b.buffer).setUint32(4, ifindex, LE);
  return b;
}

export interface AddrInfo {
  family: number;
  prefix: number;
  flags: number;
  scope: number;
  ifindex: number;
  /** IFA_LOCAL when present (IPv4), else IFA_ADDRESS. */
  address: Uint8Array | null;
}

/** Looks for IFA_LOCAL and IFA_ADDRESS only, in one pass without a map of
 * every attribute: every renewal of a VIP's lifetime brings one of these. */
export function decodeAddr(msg: NetlinkMessage): AddrInfo | null {
  if (msg.payload.length < IFADDRMSG_LEN) return null;
  const p = msg.payload;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let local = -1;
  let address = -1;
  let off = align4(IFADDRMSG_LEN);
  while (off + RTA_HDRLEN <= p.length) {
    const len = v.getUint16(off, LE);
    if (len < RTA_HDRLEN || off + len > p.length) break;
    // The last one of a type wins, as in decodeAttrs.
    const type = v.getUint16(off + 2, LE) & 0x3fff;
    if (type === IFA_LOCAL) local = off;
    else if (type === IFA_ADDRESS) address = off;
    off += align4(len);
  }
  const at = local >= 0 ? local : address;
  return {
    family: p[0] ?? 0,
    prefix: p[1] ?? 0,
    flags: p[2] ?? 0,
    scope: p[3] ?? 0,
    ifindex: v.getUint32(4, LE),
    address: at >= 0 ? p.slice(at + RTA_HDRLEN, at + v.getUint16(at, LE)) : null,
  };
}

/** struct ifa_cacheinfo: preferred and valid lifetimes in seconds (host
 * order); the kernel fills in the time stamps. */
export function ifaCacheinfo(lifetimeS: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, lifetimeS >>> 0, LE);
  v.setUint32(4, lifetimeS >>> 0, LE);
  return b;
}

/** A u32 attribute payload in host order. */
export function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, LE);
  return b;
}

function cString(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length && b[i] !== 0; i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}
