// Bytes: text that protocols carry as single bytes (HTTP and SMTP lines,
// which floatgw only ever writes in ASCII: QuickJS 2021 has no
// TextEncoder), and comparing ranges without copying them.

/** ASCII (or Latin-1) text as bytes, one per character. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Bytes as text, one character per byte. */
export function latin1Text(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

/** Whether the n bytes of a from aFrom equal the n bytes of b from bFrom
 * (false where either is shorter). */
export type SameBytes = (a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number) => boolean;

/** SameBytes in TypeScript; the daemon passes the native memcmp where it
 * compares every datagram (src/platform/engine.ts). */
export function sameBytes(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number): boolean {
  if (aFrom + n > a.length || bFrom + n > b.length) return false;
  for (let i = 0; i < n; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
  return true;
}
