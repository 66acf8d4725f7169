import { describe, expect, it } from "vitest";
import { advertFor, configProblems, passwordKey } from "../../src/core/index";
import { config, cs, ip } from "./helpers";

describe("configProblems", () => {
  it("accepts the defaults", () => expect(configProblems(config())).toEqual([]));
  it("names every problem", () => {
    expect(
      configProblems(
        config({
          version: 2,
          family: 6,
          advertIntervalCs: cs(150),
          primary: ip("198.18.0.2"),
          vips: [ip("198.18.0.1"), ...Array.from({ length: 255 }, () => ip("2001:db8::1"))],
        }),
      ),
    ).toEqual([
      "VRRPv2 is IPv4-only (RFC 3768); use version 3 for IPv6",
      "VRRPv2 intervals are whole seconds (RFC 3768 §5.3.7); got 150 cs",
      "primary address 198.18.0.2 is not IPv6",
      "virtual address 198.18.0.1 is not IPv6",
      "at most 90 virtual addresses fit in a VRRPv2 IPv6 advert",
    ]);
  });
  it("v3 has no authentication", () => {
    const key = passwordKey("x") ?? new Uint8Array(8);
    expect(configProblems(config({ auth: { type: "pass", key } }))).toEqual(["VRRPv3 has no authentication (RFC 5798 §9)"]);
  });
});

describe("advertFor", () => {
  it("v2 carries seconds and auth", () => {
    expect(advertFor(config({ version: 2, advertIntervalCs: cs(300) }), 0)).toMatchObject({
      version: 2,
      adverIntervalSec: 3,
      priority: 0,
      auth: { type: "none" },
    });
  });
  it("v3 carries centiseconds and the family", () => {
    expect(advertFor(config({ family: 6, vips: [ip("fe80::1")] }), 200)).toMatchObject({
      version: 3,
      family: 6,
      maxAdverIntervalCs: 100,
      priority: 200,
    });
  });
});
