import { describe, expect, it } from "vitest";
import { type Advert, type ReceivedAdvert, acceptAdvert, passwordKey } from "../../src/core/index";
import { config, cs, ip, vrid } from "./helpers";

const v3: Advert = { version: 3, family: 4, vrid: vrid(51), priority: 150, addrs: [ip("198.18.0.1")], maxAdverIntervalCs: cs(100) };
const rx = (advert: Advert, over: Partial<ReceivedAdvert> = {}): ReceivedAdvert => ({
  advert,
  src: ip("198.18.0.3"),
  ttl: 255,
  ...over,
});

function verdict(r: ReturnType<typeof acceptAdvert>): string {
  return r.ok ? (r.value.addressMismatch === null ? "ok" : "ok+mismatch") : r.reason;
}

describe("acceptAdvert (RFC 3768 §7.1, RFC 5798 §7.1)", () => {
  const c = config();

  it("accepts a matching advert", () => expect(verdict(acceptAdvert(c, rx(v3)))).toBe("ok"));
  it("TTL must be 255 in multicast mode, for every advert (unicast-addressed too)", () => {
    const r = acceptAdvert(c, rx(v3, { ttl: 254 }));
    expect(verdict(r)).toBe("bad-ttl");
    expect(!r.ok && r.detail).toBe("advert from 198.18.0.3 has TTL 254; on-link VRRP uses 255");
    expect(verdict(acceptAdvert(c, rx(v3, { ttl: 64 })))).toBe("bad-ttl");
  });
  describe("unicast mode", () => {
    const u = config({ unicastPeers: [ip("198.18.0.3"), ip("198.18.0.4")] });
    it("accepts the configured peers only", () => {
      expect(verdict(acceptAdvert(u, rx(v3)))).toBe("ok");
      expect(verdict(acceptAdvert(u, rx(v3, { src: ip("198.18.0.4") })))).toBe("ok");
      const r = acceptAdvert(u, rx(v3, { src: ip("198.18.0.100") }));
      expect(verdict(r)).toBe("unknown-peer");
      expect(!r.ok && r.detail).toBe("advert from 198.18.0.100, which is not a configured unicast_peer");
    });
    it("does not check a peer's TTL (it may be routed, as keepalived allows)", () =>
      expect(verdict(acceptAdvert(u, rx(v3, { ttl: 60 })))).toBe("ok"));
  });
  it("version must match", () =>
    expect(verdict(acceptAdvert(config({ version: 2 }), rx(v3)))).toBe("version-mismatch"));
  it("family must match", () =>
    expect(verdict(acceptAdvert(config({ family: 6 }), rx(v3)))).toBe("family-mismatch"));
  it("VRID must match", () => expect(verdict(acceptAdvert(c, rx({ ...v3, vrid: vrid(52) })))).toBe("vrid-mismatch"));
  it("a v3 interval may differ (the backup learns it)", () =>
    expect(verdict(acceptAdvert(c, rx({ ...v3, maxAdverIntervalCs: cs(37) })))).toBe("ok"));

  it.each<[string, Advert["addrs"]]>([
    ["a different address", [ip("198.18.0.9")]],
    ["an extra address", [ip("198.18.0.1"), ip("198.18.0.9")]],
    ["no address", []],
    ["a duplicate", [ip("198.18.0.1"), ip("198.18.0.1")]],
  ])("%s is a counted mismatch, not a drop", (_n, addrs) => {
    expect(verdict(acceptAdvert(c, rx({ ...v3, addrs })))).toBe("ok+mismatch");
  });

  it("address order does not matter", () => {
    const two = config({ vips: [ip("198.18.0.1"), ip("198.18.0.5")] });
    expect(verdict(acceptAdvert(two, rx({ ...v3, addrs: [ip("198.18.0.5"), ip("198.18.0.1")] })))).toBe("ok");
  });

  describe("v2", () => {
    const key = passwordKey("secret") ?? new Uint8Array(8);
    const v2 = (sec: number, auth: Extract<Advert, { version: 2 }>["auth"]): Advert => ({
      version: 2,
      family: 4,
      vrid: vrid(51),
      priority: 150,
      addrs: [ip("198.18.0.1")],
      adverIntervalSec: sec,
      auth,
    });
    const none = config({ version: 2 });
    const pass = config({ version: 2, auth: { type: "pass", key } });

    it("interval must equal ours (RFC 3768 §7.1)", () => {
      const r = acceptAdvert(none, rx(v2(2, { type: "none" })));
      expect(verdict(r)).toBe("interval-mismatch");
      expect(!r.ok && r.detail).toBe("advert from 198.18.0.3 every 2s, ours every 1s");
    });
    it("auth type and key must match", () => {
      expect(verdict(acceptAdvert(none, rx(v2(1, { type: "none" }))))).toBe("ok");
      expect(verdict(acceptAdvert(pass, rx(v2(1, { type: "pass", key }))))).toBe("ok");
      expect(verdict(acceptAdvert(pass, rx(v2(1, { type: "none" }))))).toBe("auth-mismatch");
      expect(verdict(acceptAdvert(none, rx(v2(1, { type: "pass", key }))))).toBe("auth-mismatch");
      const other = passwordKey("secreT") ?? new Uint8Array(8);
      expect(verdict(acceptAdvert(pass, rx(v2(1, { type: "pass", key: other }))))).toBe("auth-mismatch");
      expect(verdict(acceptAdvert(pass, rx(v2(1, { type: "pass", key: new Uint8Array(3) }))))).toBe("auth-mismatch");
    });
  });
});
