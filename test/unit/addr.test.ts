import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addrEquals, addrFromBytes, compareAddr, formatAddr, parseAddr, parseIpv4, parseIpv6 } from "../../src/core/index";
import { hex, ip } from "./helpers";

describe("IPv4", () => {
  it.each([
    ["198.18.0.1", "c6120001"],
    ["0.0.0.0", "00000000"],
    ["255.255.255.255", "ffffffff"],
  ])("%s", (text, bytes) => {
    const a = parseIpv4(text);
    expect(a && hex(a.bytes)).toBe(bytes);
    expect(a && formatAddr(a)).toBe(text);
  });

  it.each(["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "1..3.4", " 1.2.3.4", "a.b.c.d", "1.2.3.4 ", "1.2.3.4.", ".1.2.3", "1.2.3.1000", "1.2.3.00", "1.2.3.+4", "1.2.3:4"])(
    "refuses %j",
    (text) => expect(parseIpv4(text)).toBeNull(),
  );
});

describe("IPv6 (RFC 4291 §2.2 in, RFC 5952 out)", () => {
  it.each([
    ["2001:db8::1", "2001:db8::1"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["fe80::ff:fe00:2", "fe80::ff:fe00:2"],
    ["ff02::12", "ff02::12"],
    // RFC 5952 §4.2.2: a single zero group is not shortened.
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    // §4.2.3: the longest run; the first one on a tie.
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    // §5: IPv4-mapped keeps its dotted quad; other embedded forms are plain hex.
    ["::ffff:198.18.0.1", "::ffff:198.18.0.1"],
    ["::198.18.0.1", "::c612:1"],
    ["64:ff9b::198.18.0.1", "64:ff9b::c612:1"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
  ])("%s → %s", (text, canonical) => {
    const a = parseIpv6(text);
    expect(a && formatAddr(a)).toBe(canonical);
  });

  it.each([
    "",
    ":",
    ":::",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "12345::",
    "g::",
    ":1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "fe80::1%eth0",
    "::1.2.3",
    "::256.1.1.1",
    "1:2:3:4:5:6:7:1.2.3.4",
  ])("refuses %j", (text) => expect(parseIpv6(text)).toBeNull());

  it("format ∘ parse is the identity on bytes, and the text is a fixed point (fast-check)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const a = addrFromBytes(bytes);
        if (a === null) return false;
        const text = formatAddr(a);
        const back = parseIpv6(text);
        return back !== null && hex(back.bytes) === hex(bytes) && formatAddr(back) === text && text === text.toLowerCase();
      }),
      { numRuns: 5000 },
    );
  });

  it("sparse addresses (many zero groups) round-trip too", () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(16);
        groups.forEach((g, i) => {
          bytes[2 * i] = g >> 8;
          bytes[2 * i + 1] = g & 0xff;
        });
        const a = addrFromBytes(bytes);
        const back = a && parseIpv6(formatAddr(a));
        return back !== null && hex(back.bytes) === hex(bytes);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("parseAddr, addrFromBytes, compare", () => {
  it("picks the family from the text", () => {
    expect(parseAddr("198.18.0.1")?.family).toBe(4);
    expect(parseAddr("2001:db8::1")?.family).toBe(6);
    expect(parseAddr("nonsense")).toBeNull();
  });

  it("wraps only 4 or 16 bytes, and copies them", () => {
    const raw = new Uint8Array([198, 18, 0, 1]);
    const a = addrFromBytes(raw);
    raw[0] = 0;
    expect(a && formatAddr(a)).toBe("198.18.0.1");
    expect(addrFromBytes(new Uint8Array(5))).toBeNull();
  });

  it("orders as unsigned big-endian numbers (the RFC 5798 §6.4.3 tie-break)", () => {
    expect(compareAddr(ip("198.18.0.3"), ip("198.18.0.2"))).toBe(1);
    expect(compareAddr(ip("198.18.0.2"), ip("198.18.0.3"))).toBe(-1);
    expect(compareAddr(ip("198.18.0.200"), ip("198.18.1.1"))).toBe(-1);
    expect(compareAddr(ip("255.0.0.0"), ip("1.255.255.255"))).toBe(1); // unsigned, not signed 32-bit
    expect(compareAddr(ip("fe80::2"), ip("fe80::10"))).toBe(-1);
    expect(compareAddr(ip("198.18.0.1"), ip("::1"))).toBe(-1);
    expect(compareAddr(ip("::1"), ip("198.18.0.1"))).toBe(1);
    expect(addrEquals(ip("2001:db8::1"), ip("2001:DB8:0::1"))).toBe(true);
  });

  it("compare agrees with BigInt order (fast-check)", () => {
    const big = (b: Uint8Array): bigint => BigInt(`0x${hex(b) || "0"}`);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (x, y) => {
        const a = addrFromBytes(x);
        const b = addrFromBytes(y);
        if (a === null || b === null) return false;
        const want = big(x) === big(y) ? 0 : big(x) < big(y) ? -1 : 1;
        return compareAddr(a, b) === want;
      }),
    );
  });
});
