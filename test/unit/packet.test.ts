import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Advert,
  type AdvertV2,
  type AdvertV3,
  type DecodeFailure,
  advertIntervalCs,
  decodeAdvert,
  encodeAdvert,
  encodedLength,
  passwordKey,
} from "../../src/core/index";
import { MCAST4, MCAST6, cs, hex, ip, unhex, vrid } from "./helpers";

const src4 = ip("198.18.0.2");
const src6 = ip("fe80::2");
const path4 = { src: src4, dst: MCAST4 };
const path6 = { src: src6, dst: MCAST6 };

const v2: AdvertV2 = {
  version: 2,
  family: 4,
  vrid: vrid(51),
  priority: 100,
  addrs: [ip("198.18.0.1")],
  adverIntervalSec: 1,
  auth: { type: "none" },
};
const v3: AdvertV3 = { version: 3, family: 4, vrid: vrid(51), priority: 100, addrs: [ip("198.18.0.1")], maxAdverIntervalCs: cs(100) };
const v3six: AdvertV3 = { ...v3, family: 6, addrs: [ip("2001:db8::1")] };

function decodeOk(bytes: Uint8Array, path = path4, opts = {}): Advert {
  const r = decodeAdvert(bytes, path, opts);
  if (!r.ok) throw new Error(`decode failed: ${r.reason}: ${r.detail}`);
  return r.value;
}

function reason(bytes: Uint8Array, path = path4): DecodeFailure | "ok" {
  const r = decodeAdvert(bytes, path);
  return r.ok ? "ok" : r.reason;
}

describe("golden vectors (checksums worked by hand, RFC 1071)", () => {
  it("v2, no auth: 2133+6401+0001+c612+0001 = 14b48 → fold 4b49 → b4b6", () => {
    expect(hex(encodeAdvert(v2, path4))).toBe("21336401" + "0001b4b6" + "c6120001" + "0000000000000000");
  });

  it("v2, PASS 'secret': the key is in the trailer and in the checksum", () => {
    const key = passwordKey("secret");
    expect(key).not.toBeNull();
    const bytes = encodeAdvert({ ...v2, auth: { type: "pass", key: key ?? new Uint8Array(8) } }, path4);
    // 2133+6401+0101+c612+0001+7365+6372+6574 = 28893 → 8895 → 776a
    expect(hex(bytes)).toBe("21336401" + "0101776a" + "c6120001" + "7365637265740000");
  });

  it("v3 IPv4 with pseudo-header: c612+0002+e000+0012+0070+000c + message = 3024d → 0250 → fdaf", () => {
    expect(hex(encodeAdvert(v3, path4))).toBe("31336401" + "0064fdaf" + "c6120001");
  });

  it("v3 IPv4 without pseudo-header (old peers): 3133+6401+0064+c612+0001 = 15bab → 5bac → a453", () => {
    expect(hex(encodeAdvert(v3, path4, { v3Ipv4PseudoHeader: false }))).toBe("31336401" + "0064a453" + "c6120001");
  });

  it("v3 IPv6: pseudo-header of RFC 8200 §8.1", () => {
    // fe80::2 → ff02::12, length 24, next header 112:
    // fe80+0002+ff02+0012+0018+0070 = 1fe1e; message 3133+6401+0064+2001+0db8+0001 = c352
    // 1fe1e+c352 = 2c170 → c172 → 3e8d
    expect(hex(encodeAdvert(v3six, path6))).toBe("31336401" + "00643e8d" + "20010db8000000000000000000000001");
  });
});

describe("round trips", () => {
  const key = passwordKey("pw");
  const cases: [string, Advert, typeof path4][] = [
    ["v2 none", v2, path4],
    ["v2 pass", { ...v2, auth: { type: "pass", key: key ?? new Uint8Array(8) } }, path4],
    ["v2 three addresses", { ...v2, addrs: [ip("198.18.0.1"), ip("198.18.0.10"), ip("198.19.255.254")] }, path4],
    ["v3 IPv4", v3, path4],
    ["v3 IPv6", v3six, path6],
    ["v3 IPv6 two addresses", { ...v3six, addrs: [ip("fe80::1"), ip("2001:db8::1")] }, path6],
    ["v3 max interval", { ...v3, maxAdverIntervalCs: cs(4095) }, path4],
    ["priority 0", { ...v3, priority: 0 }, path4],
    ["priority 255", { ...v3, priority: 255 }, path4],
    ["no addresses", { ...v3, addrs: [] }, path4],
  ];
  for (const [name, advert, path] of cases) {
    it(name, () => {
      const bytes = encodeAdvert(advert, path);
      expect(bytes.length).toBe(encodedLength(advert));
      expect(decodeOk(bytes, path)).toEqual(advert);
    });
  }

  it("v3 IPv4 without pseudo-header decodes only in that mode", () => {
    const opts = { v3Ipv4PseudoHeader: false };
    const bytes = encodeAdvert(v3, path4, opts);
    expect(decodeOk(bytes, path4, opts)).toEqual(v3);
    expect(reason(bytes)).toBe("bad-checksum");
  });

  it("the IPv6 checksum ignores the no-pseudo-header option", () => {
    const bytes = encodeAdvert(v3six, path6, { v3Ipv4PseudoHeader: false });
    expect(decodeOk(bytes, path6)).toEqual(v3six);
  });

  it("advertIntervalCs unifies v2 seconds and v3 centiseconds", () => {
    expect(advertIntervalCs({ ...v2, adverIntervalSec: 3 })).toBe(300);
    expect(advertIntervalCs(v3)).toBe(100);
  });
});

describe("refusals", () => {
  const good = (): Uint8Array => encodeAdvert(v2, path4);

  /** Rewrites the checksum over the message alone (v2, or v3 without the
   * pseudo-header), computed here independently of checksum.ts. */
  function withMessageChecksum(b: Uint8Array): Uint8Array {
    b[6] = 0;
    b[7] = 0;
    let sum = 0;
    for (let i = 0; i < b.length; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const ck = ~sum & 0xffff;
    b[6] = ck >> 8;
    b[7] = ck & 0xff;
    return b;
  }

  /** Patches one byte and fixes the v2 checksum so only the patched field is wrong. */
  function patched(at: number, value: number, advert: Advert = v2): Uint8Array {
    const b = encodeAdvert(advert, path4).slice();
    b[at] = value;
    return withMessageChecksum(b);
  }

  it("short header", () => expect(reason(good().slice(0, 7))).toBe("short"));
  it("bad version", () => expect(reason(patched(0, 0x41))).toBe("bad-version"));
  it("bad type", () => expect(reason(patched(0, 0x22))).toBe("bad-type"));
  it("v2 over IPv6", () => expect(reason(encodeAdvert(v3six, path6).map((x, i) => (i === 0 ? 0x21 : x)), path6)).toBe("bad-family"));
  it("count says more than arrived", () => expect(reason(patched(3, 9))).toBe("short"));
  it("trailing bytes", () => expect(reason(new Uint8Array([...good(), 0, 0]))).toBe("bad-length"));
  it("missing v2 auth trailer", () => expect(reason(good().slice(0, 12))).toBe("short"));
  it("bad checksum", () => expect(reason(good().map((x, i) => (i === 7 ? x ^ 1 : x)))).toBe("bad-checksum"));
  it("v3 checksum over the wrong destination", () => {
    expect(reason(encodeAdvert(v3, path4), { src: src4, dst: ip("198.18.0.3") })).toBe("bad-checksum");
  });
  it("VRID 0", () => expect(reason(patched(1, 0))).toBe("bad-vrid"));
  it("v2 interval 0", () => expect(reason(patched(5, 0))).toBe("bad-interval"));
  it("v3 interval 0 (reserved bits set are ignored, the 12 bits are zero)", () => {
    const b = encodeAdvert({ ...v3, maxAdverIntervalCs: cs(100) }, path4, { v3Ipv4PseudoHeader: false }).slice();
    // f000 has the reserved bits only; adjust the checksum by the difference (0x0064 → 0xf000).
    b[4] = 0xf0;
    b[5] = 0x00;
    const r = decodeAdvert(withMessageChecksum(b), path4, { v3Ipv4PseudoHeader: false });
    expect(r.ok ? "ok" : r.reason).toBe("bad-interval");
  });
  it("v3 reserved bits are ignored", () => {
    const b = encodeAdvert(v3, path4, { v3Ipv4PseudoHeader: false }).slice();
    b[4] = 0xf0;
    const r = decodeAdvert(withMessageChecksum(b), path4, { v3Ipv4PseudoHeader: false });
    expect(r.ok && r.value.version === 3 && r.value.maxAdverIntervalCs).toBe(100);
  });
  it("auth type 2 (AH) is unsupported, with a reason", () => {
    const r = decodeAdvert(patched(4, 2), path4);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe("auth-unsupported");
      expect(r.detail).toMatch(/Authentication Header/);
    }
  });
  it("auth type 3 is undefined", () => expect(reason(patched(4, 3))).toBe("bad-auth-type"));
  it("details are sentences naming numbers", () => {
    const r = decodeAdvert(patched(3, 9), path4);
    expect(!r.ok && r.detail).toBe("count says 9 IPv4 addresses (52 bytes) but only 20 arrived");
  });

});

describe("encoder refuses what config must never produce (programmer errors throw)", () => {
  it.each<[string, Advert]>([
    ["v2 over IPv6", { ...v2, family: 6 as 4 }],
    ["v2 interval 0", { ...v2, adverIntervalSec: 0 }],
    ["v2 interval 256", { ...v2, adverIntervalSec: 256 }],
    ["v2 short key", { ...v2, auth: { type: "pass", key: new Uint8Array(3) } }],
    ["v3 interval 4096", { ...v3, maxAdverIntervalCs: 4096 as never }],
    ["priority 256", { ...v3, priority: 256 }],
    ["mixed families", { ...v3, addrs: [ip("2001:db8::1")] }],
    ["256 addresses", { ...v3, addrs: Array.from({ length: 256 }, () => ip("198.18.0.1")) }],
  ])("%s", (_name, advert) => {
    expect(() => encodeAdvert(advert, advert.family === 6 ? path6 : path4)).toThrow(RangeError);
  });
});

describe("passwordKey", () => {
  it("pads to 8 bytes", () => expect(hex(passwordKey("abc") ?? new Uint8Array())).toBe("6162630000000000"));
  it.each(["", "123456789", "has space", "é"])("refuses %j", (text) => expect(passwordKey(text)).toBeNull());
});

describe("hostile input (fast-check)", () => {
  const paths = fc.constantFrom(path4, path6);
  const options = fc.constantFrom({}, { v3Ipv4PseudoHeader: false });

  function typed(r: ReturnType<typeof decodeAdvert>): boolean {
    return r.ok ? typeof r.value.priority === "number" : typeof r.reason === "string" && r.detail.length > 0;
  }

  it("random bytes never throw and always give a typed result", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), paths, options, (bytes, path, opts) =>
        typed(decodeAdvert(bytes, path, opts)),
      ),
      { numRuns: 3000 },
    );
  });

  it("mutated valid adverts never throw; a decoded one re-encodes to the same bytes", () => {
    const adverts = fc.constantFrom<[Advert, typeof path4]>([v2, path4], [v3, path4], [v3six, path6]);
    fc.assert(
      fc.property(
        adverts,
        fc.array(fc.tuple(fc.nat(40), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.integer({ min: -8, max: 8 }),
        ([advert, path], edits, resize) => {
          const bytes = Array.from(encodeAdvert(advert, path));
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          const sized = resize < 0 ? bytes.slice(0, bytes.length + resize) : [...bytes, ...Array<number>(resize).fill(0)];
          const input = new Uint8Array(sized);
          const r = decodeAdvert(input, path);
          if (!typed(r)) return false;
          if (!r.ok) return true;
          // A mutation that still decodes (a checksum collision) must describe
          // exactly these bytes, except what the receiver ignores and the
          // checksum that covers it: v3 reserved bits, v2 type-0 auth data.
          const again = encodeAdvert(r.value, path);
          const ignored = (i: number): boolean =>
            i === 6 || i === 7 || (r.value.version === 3 ? i === 4 : r.value.auth.type === "none" && i >= input.length - 8);
          const masked = (b: Uint8Array): number[] =>
            Array.from(b, (x, i) => (ignored(i) ? (i === 4 ? x & 0x0f : 0) : x));
          return again.length === input.length && hex(new Uint8Array(masked(again))) === hex(new Uint8Array(masked(input)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("decodes from a subarray at an odd offset", () => {
    const bytes = encodeAdvert(v3, path4);
    const buf = new Uint8Array(bytes.length + 3);
    buf.set(bytes, 3);
    expect(decodeOk(buf.subarray(3), path4)).toEqual(v3);
  });

  it("unhex helper sanity", () => expect(hex(unhex("de ad"))).toBe("dead"));
});
