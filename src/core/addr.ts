// IPv4 and IPv6 addresses as bytes in network order, with the text forms the
// rest of floatgw prints (RFC 5952 canonical IPv6). Pure: the platform reuses
// it for netlink, ARP and ND.
import { isHexDigits } from "./chars";

const DOT = 46;
const ZERO = 48;

export type Family = 4 | 6;

export interface Addr {
  readonly family: Family;
  /** 4 or 16 bytes, network order. Treat as immutable. */
  readonly bytes: Uint8Array;
}

export const IPV4_LEN = 4;
export const IPV6_LEN = 16;

export function addrLength(family: Family): number {
  return family === 4 ? IPV4_LEN : IPV6_LEN;
}

/** Wraps 4 or 16 bytes (copied); null for any other length. */
export function addrFromBytes(bytes: Uint8Array): Addr | null {
  if (bytes.length === IPV4_LEN) return { family: 4, bytes: bytes.slice() };
  if (bytes.length === IPV6_LEN) return { family: 6, bytes: bytes.slice() };
  return null;
}

/** A dotted quad as an unsigned 32-bit number; like inet_pton, rejects
 * leading zeros (they read as octal elsewhere). One pass over the
 * characters and no allocation: the configuration reads one per address
 * (docs/robustness.md). */
export function ipv4Number(text: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || octet > 255) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      if (i < text.length && ++dots > 3) return null;
    } else if (c >= ZERO && c <= ZERO + 9 && !(digits === 1 && octet === 0) && digits < 3) {
      octet = octet * 10 + (c - ZERO);
      digits++;
    } else return null;
  }
  return dots === 3 ? value : null;
}

/** Dotted quad; like inet_pton, rejects leading zeros (they read as octal elsewhere). */
export function parseIpv4(text: string): Addr | null {
  const n = ipv4Number(text);
  if (n === null) return null;
  return { family: 4, bytes: new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]) };
}

function parseGroups(text: string, out: number[]): boolean {
  if (text === "") return true;
  for (const g of text.split(":")) {
    if (!isHexDigits(g, 1, 4)) return false;
    out.push(parseInt(g, 16));
  }
  return true;
}

/** RFC 4291 §2.2 text forms, including "::" and a trailing dotted quad. No zone ids. */
export function parseIpv6(text: string): Addr | null {
  let body = text;
  // A trailing dotted quad (RFC 4291 §2.2 form 3) becomes two hex groups.
  const lastColon = body.lastIndexOf(":");
  if (lastColon >= 0 && body.indexOf(".", lastColon) > lastColon) {
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (v4 === null) return null;
    const b = v4.bytes;
    const hi = ((b[0] ?? 0) << 8) | (b[1] ?? 0);
    const lo = ((b[2] ?? 0) << 8) | (b[3] ?? 0);
    body = `${body.slice(0, lastColon + 1)}${hi.toString(16)}:${lo.toString(16)}`;
  }
  const head: number[] = [];
  const back: number[] = [];
  const gap = body.indexOf("::");
  if (gap >= 0) {
    if (body.indexOf("::", gap + 1) >= 0) return null;
    if (!parseGroups(body.slice(0, gap), head) || !parseGroups(body.slice(gap + 2), back)) return null;
    // "::" stands for at least one zero group (RFC 4291 §2.2).
    if (head.length + back.length > 7) return null;
  } else if (!parseGroups(body, head) || head.length !== 8) {
    return null;
  }
  const groups = [...head];
  while (groups.length + back.length < 8) groups.push(0);
  groups.push(...back);
  const bytes = new Uint8Array(IPV6_LEN);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return { family: 6, bytes };
}

/** Either family, decided by the presence of a colon. */
export function parseAddr(text: string): Addr | null {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

function formatIpv4Bytes(b: Uint8Array, from: number): string {
  return `${b[from] ?? 0}.${b[from + 1] ?? 0}.${b[from + 2] ?? 0}.${b[from + 3] ?? 0}`;
}

function isIpv4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** RFC 5952 §4: lowercase, no leading zeros, longest (first on ties) run of 2+ zero groups as "::". */
function formatIpv6(b: Uint8Array): string {
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (isIpv4Mapped(b)) return `::ffff:${formatIpv4Bytes(b, 12)}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function formatAddr(a: Addr): string {
  return a.family === 4 ? formatIpv4Bytes(a.bytes, 0) : formatIpv6(a.bytes);
}

/**
 * Orders addresses as unsigned big-endian numbers, which is the order
 * RFC 5798 §6.4.3 uses to break priority ties ("primary IPvX Address of the
 * sender is greater"). IPv4 sorts before IPv6; the core never mixes them.
 */
export function compareAddr(a: Addr, b: Addr): -1 | 0 | 1 {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  for (let i = 0; i < a.bytes.length; i++) {
    const x = a.bytes[i] ?? 0;
    const y = b.bytes[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function addrEquals(a: Addr, b: Addr): boolean {
  return compareAddr(a, b) === 0;
}
