import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Md5 } from "../../src/track/md5";

const reference = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 7 + (i >> 3)) & 0xff;
  return b;
}

describe("Md5", () => {
  it("gives RFC 1321's test suite digests", () => {
    const cases: [string, string][] = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      ["12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"],
    ];
    for (const [text, digest] of cases) {
      const h = new Md5();
      h.append(new Uint8Array(Buffer.from(text, "latin1")));
      expect(h.hex()).toBe(digest);
    }
  });

  it("matches node's MD5 at every length around the block and padding edges, fed whole or in pieces", () => {
    for (let n = 0; n <= 200; n++) {
      const data = bytes(n, n);
      const whole = new Md5();
      whole.append(data);
      expect(whole.hex(), `length ${n}`).toBe(reference(data));
      const pieces = new Md5();
      for (let off = 0, step = 1; off < n; off += step, step = (step % 70) + 3) pieces.append(data.subarray(off, Math.min(n, off + step)));
      expect(pieces.hex(), `length ${n} in pieces`).toBe(reference(data));
    }
  });

  it("hashes a large body read in socket-sized chunks", () => {
    const data = bytes(300_000, 5);
    const h = new Md5();
    for (let off = 0; off < data.length; off += 1460) h.append(data.subarray(off, off + 1460));
    expect(h.hex()).toBe(reference(data));
  });
});
