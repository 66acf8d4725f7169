// Shared builders for the core's unit tests (not a test file itself).

import { latin1Bytes, latin1Text } from "../../src/core/bytes";
import type { Conversation } from "../../src/track/conversation";
import {
  type Addr,
  type Centisec,
  DEFAULT_GRATUITOUS,
  type InstanceConfig,
  type Ms,
  type Priority,
  type Vrid,
  msAt,
  parseAddr,
  toCentisec,
  toPriority,
  toVrid,
} from "../../src/core/index";

export function ip(text: string): Addr {
  const a = parseAddr(text);
  if (a === null) throw new Error(`test bug: bad address ${text}`);
  return a;
}

export const vrid = (n: number): Vrid => must(toVrid(n), "vrid");
export const prio = (n: number): Priority => must(toPriority(n), "priority");
export const cs = (n: number): Centisec => must(toCentisec(n), "centisec");
export const at = (n: number): Ms => msAt(n);

function must<T>(x: T | null, what: string): T {
  if (x === null) throw new Error(`test bug: bad ${what}`);
  return x;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}

export const MCAST4 = ip("224.0.0.18");
export const MCAST6 = ip("ff02::12");

/** A v3 IPv4 instance on 198.18.0.0/24 with keepalived-like defaults; override anything. */
export function config(over: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    name: "lan",
    vrid: vrid(51),
    version: 3,
    family: 4,
    primary: ip("198.18.0.2"),
    vips: [ip("198.18.0.1")],
    unicastPeers: [],
    priority: prio(100),
    advertIntervalCs: cs(100),
    preempt: true,
    preemptDelayMs: 0,
    startDelayMs: 0,
    auth: { type: "none" },
    gratuitous: DEFAULT_GRATUITOUS,
    syncGroup: false,
    beacon: false,
    codec: {},
    ...over,
  };
}

/** An IPv4 header (TTL 255, protocol 112 unless told) in front of `payload`, with a correct header checksum. */
export function ipv4Datagram(src: Addr, dst: Addr, payload: Uint8Array, ttl = 255, protocol = 112): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0x45);
  v.setUint16(2, out.length);
  v.setUint8(8, ttl);
  v.setUint8(9, protocol);
  out.set(src.bytes, 12);
  out.set(dst.bytes, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(10, ~sum & 0xffff);
  out.set(payload, 20);
  return out;
}

/** An IPv6 header (hop limit 255, next header 112) in front of `payload`. */
export function ipv6Packet(src: Addr, dst: Addr, payload: Uint8Array, hopLimit = 255): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, payload.length);
  v.setUint8(6, 112);
  v.setUint8(7, hopLimit);
  out.set(src.bytes, 8);
  out.set(dst.bytes, 24);
  out.set(payload, 40);
  return out;
}

/** Feeds a probe's or a mail's conversation the server's `chunks` until it
 * decides; what it sent, and its result (or, at the end, the peer closing). */
export function talk(c: Conversation, chunks: string[]): { sent: string[]; result: ReturnType<Conversation["closed"]> } {
  const sent: string[] = [];
  const opening = c.opening();
  if (opening) sent.push(latin1Text(opening));
  for (const chunk of chunks) {
    const r = c.receive(latin1Bytes(chunk));
    if (r.send) sent.push(latin1Text(r.send));
    if (r.done) return { sent, result: r.done };
  }
  return { sent, result: c.closed() };
}
