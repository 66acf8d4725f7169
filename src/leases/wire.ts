// The lease channel's datagrams and the replay guard. Pure.
//
// A datagram (UDP, port LEASE_PORT, both ways):
//   0   4  "FGL1"
//   4   8  from: the sender's boot id (random at each start)
//  12   8  to: the receiver's boot id as last heard, zeros if none yet
//  20   4  sequence number, big endian, 1 upwards from each start
//  24   n  payload: UTF-8 JSON {"type": "hello"|"add"|"del"|"full", "leases": [...]}
// 24+n  32 HMAC-SHA-256 of bytes 0..24+n under global.secret
// A message other than hello must carry the receiver's current boot id in
// `to`, so nothing recorded before the receiver started is accepted again;
// per sender boot id, a sliding window rejects repeated sequence numbers.
import { type Lease, makeLease } from "./table";
import { equalConstantTime, hex, hmacSha256, utf8Bytes, utf8Text } from "./sha256";

export const LEASE_PORT = 7429;
export const BOOT_ID_LEN = 8;
const MAGIC = [0x46, 0x47, 0x4c, 0x31];
const HEADER = 24;
const TAG = 32;
/** Leases per datagram, so a message stays well below 1500 bytes. */
export const LEASES_PER_MESSAGE = 8;

export type MessageType = "hello" | "add" | "del" | "full";

export interface Frame {
  from: Uint8Array;
  to: Uint8Array;
  seq: number;
  type: MessageType;
  leases: Lease[];
}

export type RejectReason = "bad-mac" | "replay" | "malformed";

export function encodeFrame(key: Uint8Array, f: Frame): Uint8Array {
  const payload = utf8Bytes(JSON.stringify({ type: f.type, leases: f.leases }));
  const out = new Uint8Array(HEADER + payload.length + TAG);
  out.set(MAGIC, 0);
  out.set(f.from.subarray(0, BOOT_ID_LEN), 4);
  out.set(f.to.subarray(0, BOOT_ID_LEN), 12);
  new DataView(out.buffer).setUint32(20, f.seq >>> 0);
  out.set(payload, HEADER);
  out.set(hmacSha256(key, out.subarray(0, HEADER + payload.length)), HEADER + payload.length);
  return out;
}

const TYPES: readonly string[] = ["hello", "add", "del", "full"];

export function decodeFrame(key: Uint8Array, data: Uint8Array): { ok: true; frame: Frame } | { ok: false; reason: RejectReason } {
  if (data.length < HEADER + TAG + 2 || MAGIC.some((b, i) => data[i] !== b)) return { ok: false, reason: "malformed" };
  const body = data.subarray(0, data.length - TAG);
  if (!equalConstantTime(hmacSha256(key, body), data.subarray(data.length - TAG))) return { ok: false, reason: "bad-mac" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Text(body.subarray(HEADER)));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const p = parsed as { type?: unknown; leases?: unknown };
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
  return {
    ok: true,
    frame: { from: data.slice(4, 12), to: data.slice(12, 20), seq: new DataView(data.buffer, data.byteOffset).getUint32(20), type: p.type as MessageType, leases },
  };
}

/** Sequence numbers seen from one boot id of the peer: the highest, and
 * which of the WINDOW below it have been seen. */
const WINDOW = 64;
const SESSIONS_KEPT = 8;

export type Verdict =
  | { accepted: true; newSession: boolean; peerKnowsUs: boolean }
  | { accepted: false; reason: "replay" };

export class ReplayGuard {
  private readonly sessions = new Map<string, { highest: number; seen: Set<number> }>();
  private readonly me: string;

  constructor(myBootId: Uint8Array) {
    this.me = hex(myBootId);
  }

  check(f: Frame): Verdict {
    const from = hex(f.from);
    const peerKnowsUs = hex(f.to) === this.me;
    if (from === this.me || (f.type !== "hello" && !peerKnowsUs)) return { accepted: false, reason: "replay" };
    const s = this.sessions.get(from);
    if (!s) {
      if (this.sessions.size >= SESSIONS_KEPT) {
        const oldest = this.sessions.keys().next().value;
        if (oldest !== undefined) this.sessions.delete(oldest);
      }
      this.sessions.set(from, { highest: f.seq, seen: new Set([f.seq]) });
      return { accepted: true, newSession: true, peerKnowsUs };
    }
    if (f.seq + WINDOW <= s.highest || s.seen.has(f.seq)) return { accepted: false, reason: "replay" };
    s.seen.add(f.seq);
    if (f.seq > s.highest) {
      s.highest = f.seq;
      for (const n of s.seen) if (n + WINDOW <= s.highest) s.seen.delete(n);
    }
    return { accepted: true, newSession: false, peerKnowsUs };
  }
}
