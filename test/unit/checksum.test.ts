import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { internetChecksum, pseudoHeader } from "../../src/core/index";
import { hex, ip, unhex } from "./helpers";

describe("internetChecksum (RFC 1071)", () => {
  it("RFC 1071 §3 example: 0001 f203 f4f5 f6f7 sums to ddf2, checksum 220d", () => {
    expect(internetChecksum([unhex("0001f203f4f5f6f7")]).toString(16)).toBe("220d");
  });

  it("an odd final byte is padded with zero", () => {
    expect(internetChecksum([unhex("01")])).toBe(internetChecksum([unhex("0100")]));
  });

  it("chunk boundaries do not matter, even at odd offsets (fast-check)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (bytes, cut) => {
        const at = Math.min(cut, bytes.length);
        return internetChecksum([bytes]) === internetChecksum([bytes.slice(0, at), bytes.slice(at)]);
      }),
    );
  });

  it("a message carrying its own checksum sums to zero (fast-check)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 200 }), (raw) => {
        const bytes = raw.length % 2 === 0 ? raw.slice() : new Uint8Array([...raw, 0]);
        bytes[0] = 0;
        bytes[1] = 0;
        const ck = internetChecksum([bytes]);
        bytes[0] = ck >> 8;
        bytes[1] = ck & 0xff;
        return internetChecksum([bytes]) === 0;
      }),
    );
  });

  it("empty input is 0xffff", () => expect(internetChecksum([])).toBe(0xffff));
});

describe("pseudoHeader (RFC 5798 §5.2.8)", () => {
  it("IPv4: src, dst, zero, protocol 112, length", () => {
    expect(hex(pseudoHeader(ip("198.18.0.2"), ip("224.0.0.18"), 12))).toBe("c6120002e00000120070000c");
  });
  it("IPv6: src, dst, 32-bit length, zeros, next header 112 (RFC 8200 §8.1)", () => {
    expect(hex(pseudoHeader(ip("fe80::2"), ip("ff02::12"), 24))).toBe(
      "fe800000000000000000000000000002" + "ff020000000000000000000000000012" + "00000018" + "00000070",
    );
  });
});
