// Text to typed values for the schema's value types. Each parser returns the
// value or the reason it was refused, phrased to follow "<option> '<value>'":
// "is out of range 1-255". Integer arithmetic only: MIPS soft-float rounds
// differently, and intervals must be exact.

import { isDigits } from "../core/chars";
import { type Family, formatAddr, ipv4Number, parseAddr, parseIpv6 } from "../core/addr";

const NOT_AN_ADDRESS = "is not an IPv4 or IPv6 address";

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function refuse<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

/** An address as the config carries it: canonical text (RFC 5952 for IPv6). */
export interface IpAddress {
  readonly family: Family;
  readonly address: string;
}

/** A virtual address with its prefix length (default /32 or /128). */
export interface VipAddress extends IpAddress {
  readonly prefix: number;
}

// Ten digits stay exact in a double and bound every range we check.
const MAX_DIGITS = 10;

/** "1-255", or "-254 to 254" where a dash would read as a minus. */
export function rangeText(min: string | number, max: string | number): string {
  return `${min}`.startsWith("-") ? `${min} to ${max}` : `${min}-${max}`;
}

export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  if (!isDigits(text.startsWith("-") ? text.slice(1) : text, 1, MAX_DIGITS)) return refuse("is not a whole number");
  const n = Number(text);
  return n >= min && n <= max ? ok(n) : refuse(`is out of range ${rangeText(min, max)}`);
}

/** `n` units of 1/scale s as decimal seconds: 4095 at scale 100 is "40.95". */
export function formatScaled(n: number, scale: 100 | 1000): string {
  const whole = Math.floor(n / scale);
  const digits = scale === 100 ? 2 : 3;
  const fraction = String(n - whole * scale);
  const padded = "0".repeat(digits - fraction.length) + fraction;
  const trimmed = padded.replace(/0+$/, "");
  return trimmed === "" ? String(whole) : `${whole}.${trimmed}`;
}

/** Decimal seconds ("1", "0.5", "40.95") to a whole count of 1/scale s, unbounded. */
export function parseDecimalSeconds(text: string, scale: 100 | 1000): Parsed<number> {
  const dot = text.indexOf(".");
  const whole = dot < 0 ? text : text.slice(0, dot);
  const fraction = dot < 0 ? "" : text.slice(dot + 1);
  if (!isDigits(whole, 1, MAX_DIGITS) || (dot >= 0 && !isDigits(fraction, 1, Infinity))) return refuse("is not a number of seconds");
  const digits = scale === 100 ? 2 : 3;
  if (!isDigits(fraction.slice(digits).replace(/0/g, ""), 0, 0)) return refuse(`is finer than ${formatScaled(1, scale)} s`);
  const kept = (fraction.slice(0, digits) + "0".repeat(digits)).slice(0, digits);
  return ok(Number(whole) * scale + Number(kept));
}

export function parseSeconds(text: string, scale: 100 | 1000, min: number, max: number): Parsed<number> {
  const parsed = parseDecimalSeconds(text, scale);
  if (!parsed.ok) return parsed;
  if (parsed.value < min || parsed.value > max)
    return refuse(`is out of range ${formatScaled(min, scale)}-${formatScaled(max, scale)} s`);
  return parsed;
}

function isAllZero(bytes: Uint8Array, upTo: number): boolean {
  for (let i = 0; i < upTo; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Unspecified, loopback (unless allowed), multicast and broadcast addresses can't be a router's. */
function unusableIpv4(n: number, loopback: boolean): string | null {
  if (n === 0) return "is the unspecified address";
  if (n >>> 24 === 127 && !loopback) return "is a loopback address";
  if (n >>> 28 === 0xe) return "is a multicast address";
  if (n === 0xffffffff) return "is the broadcast address";
  return null;
}

function unusableIpv6(bytes: Uint8Array, loopback: boolean): string | null {
  if (isAllZero(bytes, 16)) return "is the unspecified address";
  if (isAllZero(bytes, 15) && bytes[15] === 1 && !loopback) return "is the loopback address";
  if (bytes[0] === 0xff) return "is a multicast address";
  return null;
}

/** A unicast IPv4 or IPv6 address, no prefix; loopback only if allowed. */
export function parseIp(text: string, loopback = false): Parsed<IpAddress> {
  if (text.indexOf(":") < 0) {
    // The common case without the bytes: a valid dotted quad is its own canonical text.
    const n = ipv4Number(text);
    if (n === null) return refuse(NOT_AN_ADDRESS);
    const unusable = unusableIpv4(n, loopback);
    return unusable === null ? ok({ family: 4, address: text }) : refuse(unusable);
  }
  const addr = parseIpv6(text);
  if (addr === null) return refuse(NOT_AN_ADDRESS);
  const unusable = unusableIpv6(addr.bytes, loopback);
  if (unusable !== null) return refuse(unusable);
  return ok({ family: addr.family, address: formatAddr(addr) });
}

/** A unicast address with an optional /prefix (1-32, 1-128). */
export function parseCidr(text: string): Parsed<VipAddress> {
  const slash = text.indexOf("/");
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip.ok) return ip;
  const { family, address } = ip.value;
  const maxPrefix = family === 4 ? 32 : 128;
  if (slash < 0) return ok({ family, address, prefix: maxPrefix });
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!isDigits(prefixText, 1, 3) || prefix < 1 || prefix > maxPrefix) return refuse(`has a prefix length outside 1-${maxPrefix}`);
  // Built whole: a spread copies property by property in QuickJS.
  return ok({ family, address, prefix });
}

/** A network for a route or a rule: `address/prefix` (prefix 0 allowed; a bare address is a host route)
 * with no bit set beyond the prefix, which the kernel would refuse. */
export function parsePrefix(text: string): Parsed<VipAddress> {
  const slash = text.indexOf("/");
  const addr = parseAddr(slash < 0 ? text : text.slice(0, slash));
  if (addr === null) return refuse("is not an IPv4 or IPv6 network (address/prefix)");
  const maxPrefix = addr.family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(maxPrefix) : text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) return refuse(`has a prefix length outside 0-${maxPrefix}`);
  const prefix = Number(prefixText);
  for (let bit = prefix; bit < maxPrefix; bit++)
    if (((addr.bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) return refuse(`has bits set beyond /${prefix}`);
  return ok({ family: addr.family, address: formatAddr(addr), prefix });
}

/** Whether `a` lies in the subnet `net`/`prefix` (same family). */
export function inSubnet(a: IpAddress, net: VipAddress): boolean {
  const x = parseAddr(a.address);
  const y = parseAddr(net.address);
  if (x === null || y === null || x.family !== y.family) return false;
  for (let bit = 0; bit < net.prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((x.bytes[byte] ?? 0) & mask) !== ((y.bytes[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** A vip's `track` item: a tracker's name with keepalived's optional `weight N [reverse|noreverse]`. */
export interface TrackRef {
  readonly tracker: string;
  /** null: the tracker's own weight. */
  readonly weight: number | null;
  /** null: the tracker's own direction. */
  readonly reverse: boolean | null;
}

const TRACK_REF = /^([A-Za-z0-9_]{1,64})(?:\s+weight\s+(\S+))?(?:\s+(reverse|noreverse))?$/;

export function parseTrackRef(text: string): Parsed<TrackRef> {
  const m = TRACK_REF.exec(text.trim());
  if (m === null) return refuse("is not a tracker name, optionally followed by 'weight N' and 'reverse' or 'noreverse'");
  let weight: number | null = null;
  if (m[2] !== undefined) {
    const w = parseInteger(m[2], -254, 254);
    if (!w.ok) return refuse(`has a weight that ${w.reason}`);
    weight = w.value;
  }
  const reverse = m[3] === undefined ? null : m[3] === "reverse";
  return ok({ tracker: m[1] ?? "", weight, reverse });
}

/** `200` or `200-299`, within 100-599 as keepalived allows. */
export function parseStatusCodes(text: string): Parsed<{ readonly min: number; readonly max: number }> {
  const m = /^([0-9]{3})(?:-([0-9]{3}))?$/.exec(text);
  if (m === null) return refuse("is not a status code or a range like 200-299");
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < 100 || max > 599) return refuse("is outside 100-599");
  if (max < min) return refuse("is a range that ends before it starts");
  return ok({ min, max });
}
