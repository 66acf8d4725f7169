import { describe, expect, it } from "vitest";
import { checkConfigJson, checkConfigText, readCheckJson } from "../../src/config/check";
import { loadConfig } from "../../src/config/load";
import { EXAMPLE_ROUTER_A } from "../../src/config/docs";
import { manyListItems, manyReferences, manySections } from "../lab/big-config.mjs";

const FILE = "/etc/config/floatgw";

/** For EXAMPLE_ROUTER_A's two vips: a sync group of both, a route that follows it, a rule that follows lan. */
const GROUP_ROUTE_RULE = `config sync_group 'both'
	list vip 'lan'
	list vip 'lan6'

config route 'sink'
	option sync_group 'both'
	option type 'blackhole'
	option target '198.18.128.0/17'

config rule 'guests'
	option vip 'lan'
	option src '198.18.0.128/25'
	option lookup '100'
`;

describe("checkConfigText", () => {
  it("summarises a valid file and exits 0", () => {
    expect(checkConfigText(EXAMPLE_ROUTER_A, FILE)).toEqual({
      lines: [
        "/etc/config/floatgw: OK, 2 instances:",
        "  lan (lan, VRRPv3 IPv4, vrid 51, priority 150)",
        "  lan6 (lan, VRRPv3 IPv6, vrid 51, priority 150)",
      ],
      exitCode: 0,
    });
  });

  it("lists the sync groups, routes and rules with what they follow", () => {
    const text = `${EXAMPLE_ROUTER_A}\n${GROUP_ROUTE_RULE}`;
    expect(checkConfigText(text, FILE).lines.slice(3)).toEqual([
      "  sync group both: lan, lan6",
      "  route sink, following sync group both",
      "  rule guests, following vip lan",
    ]);
  });

  it("prints errors, then warnings, with file and line, and exits 1", () => {
    const text = "config vip 'lan'\n\toption interface 'lan'\n\toption vrid '300'\n\tlist address '198.18.0.1'\n\toption fall '3'\n";
    expect(checkConfigText(text, FILE)).toEqual({
      lines: [
        "/etc/config/floatgw:3: error: vip 'lan': vrid '300' is out of range 1-255",
        "/etc/config/floatgw:5: warning: vip 'lan': unknown option 'fall' is ignored",
        "/etc/config/floatgw: 1 error, 1 warning",
      ],
      exitCode: 1,
    });
  });

  it("keeps warnings on a usable file and notes when floatgw is off", () => {
    const text = "config vip 'lan'\n\toption interface 'lan'\n\toption vrid '5'\n\tlist address '198.18.0.1'\n\toption prempt '1'\n";
    expect(checkConfigText(text, "floatgw")).toEqual({
      lines: [
        "floatgw:5: warning: vip 'lan': unknown option 'prempt' is ignored (did you mean 'preempt'?)",
        "floatgw: OK, 1 instance:",
        "  lan (lan, VRRPv3 IPv4, vrid 5, priority 100)",
        "floatgw is disabled: set floatgw.global.enabled='1' to run it",
      ],
      exitCode: 0,
    });
  });

  it("names each instance's trackers, with their weights", () => {
    const text = "config vip 'lan'\n\toption interface 'lan'\n\toption vrid '5'\n\tlist address '198.18.0.1'\n"
      + "\tlist track 'nginx'\n\tlist track 'gw weight -50'\n\n"
      + "config tracker 'nginx'\n\toption type 'http'\n\toption host '127.0.0.1'\n\n"
      + "config tracker 'gw'\n\toption type 'ping'\n\toption host '198.19.1.1'\n";
    expect(checkConfigText(text, "floatgw").lines).toContain("  lan (lan, VRRPv3 IPv4, vrid 5, priority 100, tracking nginx, gw -50)");
  });

  it("reports parse errors", () => {
    expect(checkConfigText("config vip 'lan'\nbogus\n", FILE)).toEqual({
      lines: [
        "/etc/config/floatgw:2: error: unknown command 'bogus' (expected config, option, list or package)",
        "/etc/config/floatgw: 1 error, 0 warnings",
      ],
      exitCode: 1,
    });
  });
});

/** Where a value holds Uint8Arrays, and what is in them. */
function byteArrays(v: unknown, path = "$"): string[] {
  if (v instanceof Uint8Array) return [`${path}: ${Array.from(v).join(".")}`];
  if (Array.isArray(v)) return v.flatMap((x, i) => byteArrays(x, `${path}[${i}]`));
  if (typeof v === "object" && v !== null) return Object.entries(v).flatMap(([k, x]) => byteArrays(x, `${path}.${k}`));
  return [];
}

describe("checkConfigJson (what a reload reads back from its child)", () => {
  it("carries every value of the configuration as read, trackers, groups, routes, rules and notify scripts included", () => {
    const text = `${EXAMPLE_ROUTER_A}
	list track 'gw'
	option notify_master '/bin/true master'
	option smtp_alert '1'

config tracker 'gw'
	option type 'ping'
	option host '198.19.1.1'

config tracker 'web'
	option type 'http'
	option host '127.0.0.1'
	list status '200-299'

${GROUP_ROUTE_RULE}
config sync_group 'both'
	option notify '/bin/true'
`;
    const direct = loadConfig(text);
    expect(direct.config?.routes).toHaveLength(1);
    const back = readCheckJson(checkConfigJson(text));
    expect(back).toStrictEqual(direct);
    // toStrictEqual takes {"0": 198, ...} for a Uint8Array: the trackers' addresses must come back as byte arrays.
    expect(byteArrays(direct).length).toBeGreaterThan(0);
    expect(byteArrays(back)).toEqual(byteArrays(direct));
  });

  it("keeps at most 100 problems of each kind, and says how many more there were", () => {
    const text = Array.from({ length: 150 }, (_, i) => `config vip 'v${i}'\n\toption vrid '300'\n\toption bogus '1'\n`).join("");
    const read = readCheckJson(checkConfigJson(text));
    expect(read.config).toBeNull();
    expect(read.errors).toHaveLength(101);
    expect(read.errors.at(-1)?.message).toBe(`and ${loadConfig(text).errors.length - 100} more errors`);
    expect(read.warnings).toHaveLength(101);
    expect(read.warnings.at(-1)?.message).toBe("and 50 more warnings");
  });
});

describe("reading large configurations", () => {
  // Linear time (docs/robustness.md): before, 3·10^4 sections took ~18 s
  // here (each named section looked up among all before it). The bounds are
  // generous; test/openwrt/check.test.ts holds the real binary to them too.
  it.each([
    ["3·10^4 sections", () => manySections(30_000), 30_000],
    ["10^5 list items", () => manyListItems(100_000), 1],
    // Each tracker and sync group member was found by a scan of them all: 8.4 s here before.
    ["2·10^4 vips with a tracker each, in sync groups", () => manyReferences(20_000), 20_000],
  ])("%s in well under 5 s, without an error", (_what, make, instances) => {
    const text = make();
    const started = performance.now();
    const out = checkConfigText(text, FILE);
    const took = performance.now() - started;
    expect(out.exitCode, out.lines.slice(0, 3).join("\n")).toBe(0);
    expect(out.lines[0]).toBe(`${FILE}: OK, ${instances} instance${instances === 1 ? "" : "s"}:`);
    expect(took).toBeLessThan(5000);
  });
});
