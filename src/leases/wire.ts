// The lease channel's datagrams. Pure.
//
// A datagram (UDP, port LEASE_PORT, both ways), at most MAX_DATAGRAM bytes:
//   0   4  "FGL1"
//   4   8  from: the sender's boot id (random at each start)
//  12   8  to: the receiver's boot id as last heard, zeros if none yet
//  20   4  sequence number, big endian, 1 upwards from each start
//  24   n  payload: UTF-8 JSON {"type": "hello"|"add"|"del"|"full", "leases": [...]}
//          a hello adds "challenge" (hex, the sender's current challenge) and
//          "echo" (hex, the receiver's challenge as last heard, or "")
// 24+n  32 HMAC-SHA-256 of bytes 0..24+n under global.secret
// Who may say what, and when, is session.ts's business.
import { type Lease, makeLease } from "./table";
import { type HmacKey, equalConstantTime, hex, utf8Bytes, utf8Text } from "./sha256";

export const LEASE_PORT = 7429;
export const BOOT_ID_LEN = 8;
export const CHALLENGE_LEN = 8;
const MAGIC = [0x46, 0x47, 0x4c, 0x31];
const HEADER = 24;
const TAG = 32;
/** One Ethernet frame's worth (1500 less the IPv4 and UDP headers): no
 * datagram is fragmented, and anything longer is refused before its MAC is
 * computed, the costly part. */
export const MAX_DATAGRAM = 1472;

export type MessageType = "hello" | "add" | "del" | "full";

export interface Frame {
  from: Uint8Array;
  to: Uint8Array;
  seq: number;
  type: MessageType;
  leases: Lease[];
  /** Hello only: the sender's current challenge and the receiver's, echoed. */
  challenge?: Uint8Array;
  echo?: Uint8Array;
}

export type DecodeReject = "oversize" | "malformed" | "bad-mac";
/** Every reason the lease channel refuses a datagram (counted in status):
 * the codec's, the session's, and the receive path's own (`stranger`: not
 * from the peer; `truncated`: longer than MAX_DATAGRAM). */
export type RejectReason = DecodeReject | "replay" | "no-session" | "stranger" | "truncated";

function payloadOf(f: Frame): string {
  const body: Record<string, unknown> = { type: f.type, leases: f.leases };
  if (f.type === "hello") {
    body.challenge = hex(f.challenge ?? new Uint8Array(CHALLENGE_LEN));
    body.echo = f.echo ? hex(f.echo) : "";
  }
  return JSON.stringify(body);
}

export function encodeFrame(key: HmacKey, f: Frame): Uint8Array {
  const payload = utf8Bytes(payloadOf(f));
  const out = new Uint8Array(HEADER + payload.length + TAG);
  out.set(MAGIC, 0);
  out.set(f.from.subarray(0, BOOT_ID_LEN), 4);
  out.set(f.to.subarray(0, BOOT_ID_LEN), 12);
  new DataView(out.buffer).setUint32(20, f.seq >>> 0);
  out.set(payload, HEADER);
  out.set(key.mac(out.subarray(0, HEADER + payload.length)), HEADER + payload.length);
  return out;
}

/** Leases in groups that each fit one datagram of `type` (every lease field
 * is ASCII, so JSON characters are bytes). */
export function packLeases(type: MessageType, leases: readonly Lease[]): Lease[][] {
  const room = MAX_DATAGRAM - HEADER - TAG - JSON.stringify({ type, leases: [] }).length;
  const groups: Lease[][] = [];
  let group: Lease[] = [];
  let used = 0;
  for (const l of leases) {
    const size = JSON.stringify(l).length + 1;
    if (group.length > 0 && used + size > room) {
      groups.push(group);
      group = [];
      used = 0;
    }
    group.push(l);
    used += size;
  }
  if (group.length > 0 || groups.length === 0) groups.push(group);
  return groups;
}

const TYPES: readonly string[] = ["hello", "add", "del", "full"];
const HEX_CHALLENGE = /^[0-9a-f]{16}$/;

function unhex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Checks a datagram, cheapest test first: its size, its magic, its MAC
 * (only then is the payload parsed), its fields. */
export function decodeFrame(key: HmacKey, data: Uint8Array): { ok: true; frame: Frame } | { ok: false; reason: DecodeReject } {
  if (data.length > MAX_DATAGRAM) return { ok: false, reason: "oversize" };
  if (data.length < HEADER + TAG + 2 || MAGIC.some((b, i) => data[i] !== b)) return { ok: false, reason: "malformed" };
  const body = data.subarray(0, data.length - TAG);
  if (!equalConstantTime(key.mac(body), data.subarray(data.length - TAG))) return { ok: false, reason: "bad-mac" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(body.subarray(HEADER)));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const p = parsed as { type?: unknown; leases?: unknown; challenge?: unknown; echo?: unknown };
  if (typeof p !== "object" || p === null || typeof p.type !== "string" || !TYPES.includes(p.type) || !Array.isArray(p.leases))
    return { ok: false, reason: "malformed" };
  const leases: Lease[] = [];
  for (const raw of p.leases as unknown[]) {
    const r = raw as Record<string, unknown>;
    if (typeof r !== "object" || r === null) return { ok: false, reason: "malformed" };
    const lease = makeLease({
      mac: String(r.mac), ip: String(r.ip), hostname: String(r.hostname ?? "*"), clientId: String(r.clientId ?? "*"),
      expires: Number(r.expires ?? 0),
    });
    if (typeof lease === "string") return { ok: false, reason: "malformed" };
    leases.push(lease);
  }
  const frame: Frame = {
    from: data.slice(4, 12), to: data.slice(12, 20), seq: new DataView(data.buffer, data.byteOffset).getUint32(20),
    type: p.type as MessageType, leases,
  };
  if (frame.type === "hello") {
    if (typeof p.challenge !== "string" || !HEX_CHALLENGE.test(p.challenge)) return { ok: false, reason: "malformed" };
    if (typeof p.echo !== "string" || (p.echo !== "" && !HEX_CHALLENGE.test(p.echo))) return { ok: false, reason: "malformed" };
    frame.challenge = unhex(p.challenge);
    if (p.echo !== "") frame.echo = unhex(p.echo);
  }
  return { ok: true, frame };
}
