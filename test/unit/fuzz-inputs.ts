// Hostile inputs for the fuzz tests (fuzz.test.ts): a seeded generator that
// mutates valid VRRP datagrams, lease-channel datagrams and UCI files, so
// that most inputs get past the first check and reach the deeper code.
// Not a test file itself.
import { IPPROTO_VRRP } from "../../src/core/checksum";
import { encodeAdvert } from "../../src/core/packet";
import type { HmacKey } from "../../src/leases/sha256";
import { encodeFrame } from "../../src/leases/wire";
import { cs, ip, ipv4Datagram, vrid } from "./helpers";

/** xorshift32: fast, seeded, good enough to pick mutations. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }

  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }

  /** 0 <= n < max */
  int(max: number): number {
    return this.next() % max;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }

  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** Flips, overwrites, truncates or extends `b` a few times. */
export function mutate(rng: Rng, b: Uint8Array, from = 0): Uint8Array {
  let out: Uint8Array = b.slice();
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const at = from + rng.int(Math.max(1, out.length - from));
    switch (rng.int(6)) {
      case 0:
        out[at] = (out[at] ?? 0) ^ (1 << rng.int(8));
        break;
      case 1:
        out[at] = rng.pick([0, 1, 2, 3, 0x7f, 0x80, 0xff, 255, 254, 51]);
        break;
      case 2:
        out = out.slice(0, at);
        break;
      case 3: {
        const grown = new Uint8Array(out.length + 1 + rng.int(40));
        grown.set(out);
        grown.set(rng.bytes(grown.length - out.length), out.length);
        out = grown;
        break;
      }
      case 4:
        out[at] = rng.int(256);
        break;
      default:
        out = out.length > from ? out : rng.bytes(rng.int(80));
    }
  }
  return out;
}

const SRC = ip("198.18.0.3");
const GROUP = ip("224.0.0.18");

function checksum16(data: Uint8Array, init = 0): number {
  let s = init;
  for (let i = 0; i + 1 < data.length; i += 2) s += ((data[i] ?? 0) << 8) | (data[i + 1] ?? 0);
  if (data.length % 2) s += (data[data.length - 1] ?? 0) << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

/** A mutated VRRP datagram: a valid v2 or v3 advert (one to three VIPs,
 * any priority) whose bytes are then changed; half of the time the VRRP
 * checksum is fixed up afterwards so that the mutation reaches acceptance
 * and the state machine rather than dying at the checksum. */
export function vrrpDatagram(rng: Rng): Uint8Array {
  const vips = [ip("198.18.0.1"), ip("198.18.0.5"), ip("198.18.0.9")].slice(0, 1 + rng.int(3));
  const version = rng.int(2) ? 3 : 2;
  const priority = rng.pick([0, 1, 99, 100, 101, 150, 254, 255]);
  const advert = version === 3
    ? { version: 3 as const, family: 4 as const, vrid: vrid(rng.pick([51, 51, 51, 52])), priority, addrs: vips, maxAdverIntervalCs: cs(rng.pick([10, 100, 4095])) }
    : { version: 2 as const, family: 4 as const, vrid: vrid(51), priority, addrs: vips, adverIntervalSec: rng.pick([1, 1, 2]), auth: { type: "none" as const } };
  let message = encodeAdvert(advert, { src: SRC, dst: GROUP });
  if (rng.int(4) > 0) message = mutate(rng, message);
  if (rng.int(2) && message.length >= 8) {
    message[6] = 0;
    message[7] = 0;
    const pseudo = version === 3 ? pseudoSum(message.length) : 0;
    const sum = checksum16(message, pseudo);
    message[6] = sum >> 8;
    message[7] = sum & 0xff;
  }
  const datagram = ipv4Datagram(SRC, GROUP, message, rng.int(8) ? 255 : rng.int(256));
  return rng.int(10) ? datagram : mutate(rng, datagram);
}

/** The IPv4 pseudo-header's partial sum (src, group, protocol, length). */
function pseudoSum(length: number): number {
  const p = new Uint8Array(12);
  p.set(SRC.bytes, 0);
  p.set(GROUP.bytes, 4);
  p[9] = IPPROTO_VRRP;
  p[10] = length >> 8;
  p[11] = length & 0xff;
  return ~checksum16(p) & 0xffff;
}

const LEASE_FIELDS = ['"mac":"02:00:00:00:00:01"', '"ip":"198.18.0.150"', '"hostname":"pc"', '"expires":1800000000',
  '"mac":"zz"', '"ip":"999.1.1.1"', '"expires":-1', '"expires":1e400', '"hostname":"' + "h".repeat(300) + '"', '"clientId":[1]'];

/** A lease-channel datagram: a valid frame, mutated, or a re-signed frame
 * with a mangled payload (so that JSON parsing and lease checks run). */
export function leaseDatagram(rng: Rng, key: HmacKey, from: Uint8Array, to: Uint8Array): Uint8Array {
  const kind = rng.int(4);
  if (kind === 0) {
    const type = rng.pick(["hello", "add", "del", "full", "bogus"]);
    const leases = Array.from({ length: rng.int(4) }, () => `{${Array.from({ length: rng.int(5) }, () => rng.pick(LEASE_FIELDS)).join(",")}}`);
    const extra = type === "hello" ? `,"challenge":"${rng.pick(["0102030405060708", "zz", ""])}","echo":"${rng.pick(["", "0102030405060708", "1"])}"` : "";
    let json = `{"type":"${type}","leases":[${leases.join(",")}]${extra}}`;
    if (rng.int(4) === 0) json = json.slice(0, rng.int(json.length + 1));
    const body = new Uint8Array(24 + json.length);
    body.set([0x46, 0x47, 0x4c, 0x31]);
    body.set(from, 4);
    body.set(to, 12);
    new DataView(body.buffer).setUint32(20, rng.next());
    for (let i = 0; i < json.length; i++) body[24 + i] = json.charCodeAt(i) & 0xff;
    const out = new Uint8Array(body.length + 32);
    out.set(body);
    out.set(key.mac(body), body.length);
    return out;
  }
  const frame = encodeFrame(key, {
    from, to, seq: rng.next(), type: rng.pick(["hello", "add", "del", "full"] as const),
    leases: [], challenge: rng.bytes(8), echo: rng.int(2) ? rng.bytes(8) : undefined,
  });
  return kind === 1 ? frame : kind === 2 ? mutate(rng, frame) : rng.bytes(rng.int(1600));
}

const UCI_TOKENS = ["config", "option", "list", "package", "vip", "floatgw", "'global'", "'lan'", "enabled", "vrid",
  "priority", "address", "device", "interface", "unicast_peer", "unicast_src", "version", "advert_int", "preempt",
  "dhcp", "secret", "auth_pass", "garp_count", "'1'", "'0'", "'255'", "'256'", "'-1'", "'0.01'", "'40.96'",
  "'198.18.0.1/24'", "'198.18.0.1/33'", "'2001:db8::1/64'", "'::'", "'br-lan'", "'2'", "'3'", "\"x\\\"y\"", "'unterminated",
  "\\", ";", "#", "''", "'a b'", "\t", " ", "\n", "\r\n", "x".repeat(200)];

/** A UCI file: a valid two-router file with lines dropped, repeated and
 * tokens swapped for others, or a soup of tokens. */
export function uciFile(rng: Rng, base: string): string {
  if (rng.int(5) === 0) return Array.from({ length: rng.int(60) }, () => rng.pick(UCI_TOKENS)).join(rng.pick([" ", "\n", ""]));
  const lines = base.split("\n");
  const n = 1 + rng.int(6);
  for (let i = 0; i < n; i++) {
    const at = rng.int(lines.length);
    switch (rng.int(4)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, lines[rng.int(lines.length)] ?? "");
        break;
      case 2: {
        const words = (lines[at] ?? "").split(" ");
        words[rng.int(words.length)] = rng.pick(UCI_TOKENS);
        lines[at] = words.join(" ");
        break;
      }
      default:
        lines[at] = `${lines[at] ?? ""}${rng.pick(UCI_TOKENS)}`;
    }
  }
  return lines.join("\n");
}
