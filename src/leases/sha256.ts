// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) on byte arrays, written
// for QuickJS (no TextEncoder, no crypto module). Pure. Used only to
// authenticate the lease channel.
//
// Written for QuickJS's interpreter, which is what makes a flood of forged
// datagrams cheap or dear: 32-bit arithmetic stays in int32 (`| 0`, never
// `>>> 0`, which makes doubles), message words are read byte by byte rather
// than through DataView calls, nothing is allocated per block, and an
// HmacKey hashes its padded key once rather than on every message. Measured
// in the built engine against @noble/hashes 2.4.0 (docs/robustness.md):
// about 1.7 times as fast per block, and two blocks fewer per message.

// The tables are marked pure for esbuild: floatgw's control client (src/cli.ts)
// imports only utf8Bytes and utf8Text from here, and builds neither.
const K = /* @__PURE__ */ new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const BLOCK = 64;
/** The message schedule, reused by every block (the engine is single-threaded). */
const W = /* @__PURE__ */ new Int32Array(64);

/** One 64-byte block of `p` at `off` into the state `h`. */
function compress(h: Int32Array, p: Uint8Array, off: number): void {
  const w = W;
  for (let i = 0; i < 16; i++, off += 4) w[i] = (p[off]! << 24) | (p[off + 1]! << 16) | (p[off + 2]! << 8) | p[off + 3]!;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

/** Hashes `data` on from state `h`, which has already taken `before` bytes
 * (a whole number of blocks), and returns the digest. */
function finish(h: Int32Array, data: Uint8Array, before: number): Uint8Array {
  const whole = data.length - (data.length % BLOCK);
  for (let off = 0; off < whole; off += BLOCK) compress(h, data, off);
  // Padding: 0x80, zeros, then the length in bits as 64-bit big endian.
  const rest = data.length - whole;
  const tail = new Uint8Array(rest + 9 <= BLOCK ? BLOCK : 2 * BLOCK);
  tail.set(data.subarray(whole));
  tail[rest] = 0x80;
  const bits = (before + data.length) * 8;
  const n = tail.length;
  const high = Math.floor(bits / 0x100000000);
  tail[n - 8] = high >>> 24;
  tail[n - 7] = high >>> 16;
  tail[n - 6] = high >>> 8;
  tail[n - 5] = high;
  tail[n - 4] = bits >>> 24;
  tail[n - 3] = bits >>> 16;
  tail[n - 2] = bits >>> 8;
  tail[n - 1] = bits;
  for (let off = 0; off < n; off += BLOCK) compress(h, tail, off);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
  return out;
}

export function sha256(data: Uint8Array): Uint8Array {
  return finish(new Int32Array(INITIAL), data, 0);
}

/** A key for HMAC-SHA-256 with its padded blocks already hashed. */
export class HmacKey {
  private readonly inner = new Int32Array(INITIAL);
  private readonly outer = new Int32Array(INITIAL);

  constructor(key: Uint8Array) {
    const block = new Uint8Array(BLOCK);
    block.set(key.length > BLOCK ? sha256(key) : key);
    const pad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) pad[i] = block[i]! ^ 0x36;
    compress(this.inner, pad, 0);
    for (let i = 0; i < BLOCK; i++) pad[i] = block[i]! ^ 0x5c;
    compress(this.outer, pad, 0);
  }

  mac(message: Uint8Array): Uint8Array {
    const innerDigest = finish(this.inner.slice(), message, BLOCK);
    return finish(this.outer.slice(), innerDigest, BLOCK);
  }
}

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return new HmacKey(key).mac(message);
}

/** Compares two byte arrays in time that depends only on their lengths. */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Text as UTF-8 bytes (QuickJS 2021 has no TextEncoder). */
export function utf8Bytes(text: string): Uint8Array {
  const bin = unescape(encodeURIComponent(text));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes per String.fromCharCode call in utf8Text: well under any limit on
 * a call's arguments. */
const TEXT_CHUNK = 4096;

/** UTF-8 bytes as text; throws on invalid UTF-8. A chunk of bytes per
 * call, not a string concatenation per byte: `floatgw status` spent a
 * quarter of its instructions reading the daemon's reply byte by byte. */
export function utf8Text(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += TEXT_CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + TEXT_CHUNK));
  return decodeURIComponent(escape(bin));
}

export function hex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] ?? 0).toString(16).padStart(2, "0");
  return s;
}
