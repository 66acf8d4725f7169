import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeIpv4Datagram, decodeVrrpDatagram, formatAddr, sameIpv4Datagram } from "../../src/core/index";
import { hex, ip, ipv4Datagram, unhex } from "./helpers";

const payload = unhex("31336401 0064fdaf c6120001");
const good = ipv4Datagram(ip("198.18.0.2"), ip("224.0.0.18"), payload);

function reason(bytes: Uint8Array): string {
  const r = decodeVrrpDatagram(bytes);
  return r.ok ? "ok" : r.reason;
}

describe("decodeIpv4Datagram", () => {
  it("splits header fields and payload", () => {
    const r = decodeIpv4Datagram(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(formatAddr(r.value.src)).toBe("198.18.0.2");
    expect(formatAddr(r.value.dst)).toBe("224.0.0.18");
    expect(r.value.ttl).toBe(255);
    expect(r.value.protocol).toBe(112);
    expect(hex(r.value.payload)).toBe(hex(payload));
  });

  it("honours IHL (options) and ignores link padding beyond Total Length", () => {
    const withOptions = new Uint8Array([...good.slice(0, 20), 1, 1, 1, 0, ...payload, 0, 0, 0]);
    withOptions[0] = 0x46;
    withOptions[3] = 24 + payload.length;
    const r = decodeIpv4Datagram(withOptions);
    expect(r.ok && hex(r.value.payload)).toBe(hex(payload));
  });

  it.each<[string, (b: Uint8Array) => Uint8Array, string]>([
    ["shorter than a header", (b) => b.slice(0, 19), "short"],
    ["IPv6 version nibble", (b) => b.map((x, i) => (i === 0 ? 0x65 : x)), "bad-ip-header"],
    ["IHL below 5", (b) => b.map((x, i) => (i === 0 ? 0x44 : x)), "bad-ip-header"],
    ["IHL beyond Total Length", (b) => b.map((x, i) => (i === 0 ? 0x4f : x)), "bad-ip-header"],
    ["Total Length beyond the buffer", (b) => b.map((x, i) => (i === 3 ? 200 : x)), "short"],
    ["a fragment (MF)", (b) => b.map((x, i) => (i === 6 ? 0x20 : x)), "fragment"],
    ["a fragment (offset)", (b) => b.map((x, i) => (i === 7 ? 1 : x)), "fragment"],
    ["not protocol 112", (b) => b.map((x, i) => (i === 9 ? 17 : x)), "not-vrrp"],
  ])("refuses %s", (_name, mutate, want) => {
    expect(reason(mutate(good.slice()))).toBe(want);
  });

  it("never throws on random bytes (fast-check)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const r = decodeVrrpDatagram(bytes);
        return r.ok ? r.value.payload.length <= bytes.length : r.detail.length > 0;
      }),
      { numRuns: 3000 },
    );
  });

  it("sameIpv4Datagram: equal but for Identification and Header Checksum, which decoding never reads", () => {
    const buffer = new Uint8Array(1500);
    const other = good.slice();
    other.set([0x12, 0x34], 4); // Identification
    other.set([0xab, 0xcd], 10); // Header Checksum
    buffer.set(other);
    expect(sameIpv4Datagram(buffer, good.length, good)).toBe(true);
    expect(hex((decodeVrrpDatagram(other) as { value: { payload: Uint8Array } }).value.payload)).toBe(hex(payload));
    for (const at of [0, 3, 6, 7, 8, 9, 12, 16, 20, good.length - 1]) {
      const changed = good.slice();
      changed[at] = (changed[at] ?? 0) ^ 1;
      buffer.set(changed);
      expect(sameIpv4Datagram(buffer, good.length, good), `byte ${at}`).toBe(false);
    }
    buffer.set(good);
    expect(sameIpv4Datagram(buffer, good.length - 1, good)).toBe(false);
    expect(sameIpv4Datagram(buffer, good.length, good.slice(0, 8))).toBe(false);
  });
});
