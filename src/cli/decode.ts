// `floatgwd decode HEX...`: decodes captured IP datagrams carrying VRRP
// (e.g. from `tcpdump -x`, Ethernet header stripped) with the same core the
// daemon runs, one JSON line each. For debugging a peer, and the proof that
// the core runs unchanged on every CPU (test/cross).
import { type Addr, addrFromBytes, formatAddr } from "../core/addr";
import { decodeVrrpDatagram } from "../core/ipv4";
import { type Advert, advertIntervalCs, decodeAdvert } from "../core/packet";

interface Datagram {
  src: Addr;
  dst: Addr;
  ttl: number;
  payload: Uint8Array;
}

const IPV6_HEADER = 40;
const IPPROTO_VRRP = 112;

/** A fixed IPv6 header followed directly by VRRP (no extension headers). */
function ipv6Datagram(b: Uint8Array): Datagram | string {
  if (b.length < IPV6_HEADER) return "short IPv6 header";
  if (b[6] !== IPPROTO_VRRP) return `IPv6 next header ${b[6]}, not VRRP`;
  const length = ((b[4] ?? 0) << 8) | (b[5] ?? 0);
  const src = addrFromBytes(b.subarray(8, 24));
  const dst = addrFromBytes(b.subarray(24, 40));
  if (!src || !dst || IPV6_HEADER + length > b.length) return "truncated IPv6 datagram";
  return { src, dst, ttl: b[7] ?? 0, payload: b.subarray(IPV6_HEADER, IPV6_HEADER + length) };
}

function datagram(b: Uint8Array): Datagram | string {
  if ((b[0] ?? 0) >> 4 === 6) return ipv6Datagram(b);
  const d = decodeVrrpDatagram(b);
  return d.ok ? d.value : d.detail;
}

function unhex(text: string): Uint8Array | null {
  if (!/^([0-9a-fA-F]{2})+$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

function describeAdvert(a: Advert): Record<string, unknown> {
  return {
    version: a.version,
    family: a.family,
    vrid: a.vrid,
    priority: a.priority,
    intervalCs: advertIntervalCs(a),
    addresses: a.addrs.map(formatAddr),
    auth: a.version === 2 ? a.auth.type : null,
  };
}

/** One JSON line per argument; ok false (and a reason) for what fails. */
export function decodeCommand(hexes: string[]): { lines: string[]; ok: boolean } {
  const lines = hexes.map((h) => {
    const bytes = unhex(h);
    if (!bytes) return { ok: false, reason: "not-hex", detail: "expected an even number of hex digits" };
    const d = datagram(bytes);
    if (typeof d === "string") return { ok: false, reason: "bad-ip", detail: d };
    const a = decodeAdvert(d.payload, { src: d.src, dst: d.dst });
    const path = { src: formatAddr(d.src), dst: formatAddr(d.dst), ttl: d.ttl };
    return a.ok ? { ok: true, ...path, ...describeAdvert(a.value) } : { ok: false, ...path, reason: a.reason, detail: a.detail };
  });
  return { lines: lines.map((l) => JSON.stringify(l)), ok: lines.every((l) => l.ok) };
}
