// What the daemon and its listener child (native.c listen_quietly) say to
// each other, and how a backup's template becomes the child's watch and the
// kernel's filter. Pure: src/daemon/listener.ts does the I/O.
//
// Messages are 8 bytes both ways, over a stream socket pair. Daemon →
// child: SYNC (read the quiet socket now, write the page, answer SYNCED)
// or LEAVE. Child → daemon: SILENT (watch of bytes 2-3, little-endian,
// heard no copy within its limit; its newest came at bytes 4-7,
// CLOCK_MONOTONIC ms modulo 2^32, little-endian) or SYNCED. The page,
// shared memory, holds per watch i the uint32 count of copies (at 8 i)
// and the newest copy's time (8 i + 4), then the count of datagrams that
// copied no watch, in host order.
import type { Addr } from "../core/addr";
import { ipv4DatagramMask } from "../core/ipv4";
import type { Ms } from "../core/units";
import type { DatagramTemplate } from "../platform/bpf";
import { hostLittleEndian } from "../platform/hostorder";

export const LISTEN_MESSAGE_BYTES = 8;
export const SYNC = new Uint8Array(LISTEN_MESSAGE_BYTES).fill(0x59, 0, 1); // 'Y'
export const LEAVE = new Uint8Array(LISTEN_MESSAGE_BYTES).fill(0x44, 0, 1); // 'D'
const SILENT = 0x53; // 'S'
const SYNCED = 0x52; // 'R'

export type ListenReport = { readonly kind: "silent"; readonly index: number; readonly at32: number } | { readonly kind: "synced" };

/** The whole messages in `bytes` (a stream read of a multiple of their size). */
export function decodeReports(bytes: Uint8Array): ListenReport[] {
  const out: ListenReport[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + LISTEN_MESSAGE_BYTES <= bytes.length; i += LISTEN_MESSAGE_BYTES) {
    const kind = bytes[i];
    if (kind === SILENT) out.push({ kind: "silent", index: v.getUint16(i + 2, true), at32: v.getUint32(i + 4, true) });
    else if (kind === SYNCED) out.push({ kind: "synced" });
  }
  return out;
}

/** A time the child gave modulo 2^32 ms, on the daemon's clock: the latest
 * time at or before `now` with those low 32 bits. */
export function fromClock32(now: Ms, at32: number): Ms {
  const age = (((now % 2 ** 32) - at32) % 2 ** 32 + 2 ** 32) % 2 ** 32;
  return (now - age) as Ms;
}

/** What a backup's master repeats: the datagram as its socket read it. */
export interface Heard {
  /** IPv4: with its IP header; IPv6: the VRRP message. */
  readonly raw: Uint8Array;
  readonly src: Addr;
  readonly ttl: number;
}

/** The datagram's template: IPv4's Identification and Header Checksum
 * change with every copy (core/ipv4.ts); an IPv6 socket reads only the
 * VRRP message, every byte of which must match. */
export function templateOf(h: Heard): DatagramTemplate {
  return { data: h.raw, mask: h.src.family === 4 ? ipv4DatagramMask(h.raw.length) : new Uint8Array(h.raw.length).fill(1) };
}

/** One watch as native listener() takes it: the template, the sender and
 * hop limit the child checks itself where the kernel's filter cannot
 * (IPv6: they are not in what the filter sees; IPv4's IP header has
 * them), how long ago the newest copy came and the silence allowed. */
export function watchOf(h: Heard, ageMs: number, limitMs: number): [Uint8Array, Uint8Array, Uint8Array, number, number, number] {
  const t = templateOf(h);
  const v6 = h.src.family === 6;
  return [t.data, t.mask, v6 ? h.src.bytes : new Uint8Array(0), v6 ? h.ttl : -1, Math.max(0, Math.floor(ageMs)), Math.ceil(limitMs)];
}

/** Reads the page native listener() shares with its child. */
export class ListenPage {
  private readonly view: DataView;
  constructor(page: ArrayBuffer, private readonly watches: number) {
    this.view = new DataView(page);
  }

  /** Copies of watch i taken so far. */
  copies(i: number): number {
    return this.view.getUint32(8 * i, hostLittleEndian);
  }

  /** When the newest copy of watch i came (modulo 2^32 ms), if one did. */
  newest32(i: number): number | null {
    return this.copies(i) === 0 ? null : this.view.getUint32(8 * i + 4, hostLittleEndian);
  }

  /** Datagrams the child read that copied no watch. */
  strays(): number {
    return this.view.getUint32(8 * this.watches, hostLittleEndian);
  }
}
