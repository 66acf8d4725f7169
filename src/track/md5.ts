// MD5 (RFC 1321) over byte arrays, fed in pieces: the HTTP tracker's body
// digest, which keepalived's `digest` option compares. Not for security:
// only to recognise a known page. Our own rather than spark-md5 for size:
// spark-md5 also hashes strings and whole ArrayBuffers and was 6.7 KB of
// bytecode, this is a fraction of that (docs/building.md). Written like
// sha256.ts for QuickJS: int32 arithmetic, no allocation per block.

/** The sine-derived constants of RFC 1321 §3.4, as int32. */
const T = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);
/** Left-rotation amounts, four per round. */
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const BLOCK = 64;
/** The block's 16 little-endian words, reused by every block (single-threaded). */
const X = new Int32Array(16);

export class Md5 {
  private readonly h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  private readonly pending = new Uint8Array(BLOCK);
  private filled = 0;
  private length = 0;

  append(bytes: Uint8Array): void {
    this.length += bytes.length;
    let off = 0;
    if (this.filled > 0) {
      const take = Math.min(BLOCK - this.filled, bytes.length);
      this.pending.set(bytes.subarray(0, take), this.filled);
      this.filled += take;
      off = take;
      if (this.filled < BLOCK) return;
      this.compress(this.pending, 0);
      this.filled = 0;
    }
    for (; off + BLOCK <= bytes.length; off += BLOCK) this.compress(bytes, off);
    this.pending.set(bytes.subarray(off), 0);
    this.filled = bytes.length - off;
  }

  /** The digest in lower-case hex; the hasher is spent afterwards. */
  hex(): string {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.filled < 56 ? 64 - this.filled : 128 - this.filled);
    tail[0] = 0x80;
    // The length in bits, little-endian, in the last 8 bytes (2^53 bits at most).
    for (let i = 0, v = bits; i < 8; i++, v = Math.floor(v / 256)) tail[tail.length - 8 + i] = v % 256;
    this.append(tail);
    let out = "";
    for (let i = 0; i < 16; i++) out += ((this.h[i >> 2]! >>> ((i & 3) * 8)) & 0xff).toString(16).padStart(2, "0");
    return out;
  }

  private compress(p: Uint8Array, off: number): void {
    const x = X;
    for (let i = 0; i < 16; i++, off += 4) x[i] = p[off]! | (p[off + 1]! << 8) | (p[off + 2]! << 16) | (p[off + 3]! << 24);
    const h = this.h;
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!;
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      let f: number;
      let g: number;
      if (round === 0) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (round === 1) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (round === 2) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = S[(round << 2) | (i & 3)]!;
      const sum = (a + f + T[i]! + x[g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
  }
}
