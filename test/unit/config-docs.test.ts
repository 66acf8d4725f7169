import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXAMPLE_ROUTER_A, EXAMPLE_ROUTER_B, renderConfigReference } from "../../src/config/docs";
import { loadConfig } from "../../src/config/load";
import { SECTIONS } from "../../src/config/schema";

describe("docs/configuration.md", () => {
  it("is up to date with the schema", () => {
    const committed = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    if (committed !== renderConfigReference())
      expect.fail("docs/configuration.md is stale: regenerate it with `node scripts/gen-config-doc.mjs`");
  });

  it("documents every option", () => {
    const doc = renderConfigReference();
    for (const s of SECTIONS) for (const o of s.options) expect(doc).toContain(`\`${o.name}\``);
  });

  it("uses only documentation address ranges", () => {
    const doc = renderConfigReference();
    // 0.0.0.0 (a default route's target) is no host anyone could reach.
    for (const ip of doc.match(/\b\d+\.\d+\.\d+\.\d+\b/g) ?? []) expect(ip).toMatch(/^(198\.1[89]\.|0\.0\.0\.0$)/);
    for (const ip of doc.match(/\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/g) ?? []) expect(ip).toMatch(/^2001:db8:/);
  });
});

describe("the worked two-router example", () => {
  it.each([
    ["A", EXAMPLE_ROUTER_A, 150, "198.18.0.3"],
    ["B", EXAMPLE_ROUTER_B, 100, "198.18.0.2"],
  ])("router %s validates cleanly", (_, text, priority, peer) => {
    const r = loadConfig(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.config?.global.enabled).toBe(true);
    expect(r.config?.vips.map((v) => [v.name, v.family, v.vrid, v.priority, v.unicastPeers.map((p) => p.address)])).toEqual([
      ["lan", 4, 51, priority, [peer]],
      ["lan6", 6, 51, priority, []],
    ]);
  });

  it("differs between the routers only in priority and peer", () => {
    const a = loadConfig(EXAMPLE_ROUTER_A).config;
    const b = loadConfig(EXAMPLE_ROUTER_B).config;
    const strip = (c: typeof a) => c?.vips.map((v) => ({ ...v, priority: 0, unicastPeers: [] }));
    expect(strip(a)).toEqual(strip(b));
  });
});

describe("docs/tracking.md", () => {
  it("holds only floatgw configurations that validate cleanly", () => {
    const doc = readFileSync(new URL("../../docs/tracking.md", import.meta.url), "utf8");
    const blocks = [...doc.matchAll(/```\n(config floatgw 'global'\n[\s\S]*?)```/g)].map((m) => m[1] ?? "");
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) {
      const r = loadConfig(block);
      expect(r.errors.map((e) => e.message)).toEqual([]);
      expect(r.warnings.map((w) => w.message)).toEqual([]);
    }
  });
});
