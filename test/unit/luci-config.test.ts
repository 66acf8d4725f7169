// luci-app/src/config.ts: what the LuCI forms know of /etc/config/floatgw
// (the schema as data, the daemon's validation, the pair setup), and the
// LuCI class scripts/gen-luci-config.mjs makes of it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkOption, checkSections, type LuciSection, pairSections, type PairSetup, ROLE_PRIORITY, sections, withPair,
} from "../../luci-app/src/config";
import { loadConfig } from "../../src/config/load";
import { SECTIONS } from "../../src/config/schema";
import { parseUci } from "../../src/config/uci";

/** A UCI file as LuCI's uci.js hands its sections to a view. */
function asLuci(text: string): LuciSection[] {
  const parsed = parseUci(text);
  if (!parsed.ok) throw new Error("bad fixture");
  return parsed.package.sections.map((s) => {
    const out: Record<string, unknown> = { ".type": s.type, ".name": s.name, ".anonymous": s.anonymous };
    for (const o of s.options) out[o.name] = o.isList ? [...o.values] : o.values[0];
    return out as LuciSection;
  });
}

/** The file uci would write for LuCI's sections. */
function asText(luci: readonly LuciSection[]): string {
  return luci.map((s) => [`config ${s[".type"]} '${s[".name"]}'`, ...Object.entries(s).filter(([k]) => !k.startsWith(".")).flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x) => `\tlist ${k} '${String(x)}'`) : [`\toption ${k} '${String(v)}'`])].join("\n")).join("\n\n");
}

const A: PairSetup = {
  address: "198.18.0.1/24", interface: "lan", vrid: "51", role: "primary", peer: "198.18.0.3", dhcp: true,
  secret: "0123456789abcdef0123456789abcdef0123456789abcdef",
};
const B: PairSetup = { ...A, role: "secondary", peer: "198.18.0.2" };

describe("the schema as data", () => {
  it("describes every section and option of the schema, as JSON", () => {
    expect(JSON.parse(JSON.stringify(sections))).toEqual(sections);
    expect(sections.map((s) => s.type)).toEqual(SECTIONS.map((s) => s.type));
    for (const [i, s] of SECTIONS.entries()) {
      const d = sections[i];
      expect(d?.options.map((o) => [o.name, o.list, o.default, o.required, o.secret, o.forTypes, o.defaultNote])).toEqual(
        s.options.map((o) => [o.name, o.list, o.default, o.required, o.secret === true, o.forTypes ?? null, o.defaultNote ?? null]),
      );
      for (const [j, o] of s.options.entries()) {
        const t = d?.options[j]?.type;
        if (o.type.kind === "text" && t?.kind === "text") expect(new RegExp(t.pattern).source).toBe(o.type.pattern.source);
        else expect(t).toEqual(o.type);
      }
    }
  });

  it("says each option's range in the docs' words", () => {
    const vip = sections.find((s) => s.type === "vip");
    expect(vip?.options.find((o) => o.name === "vrid")?.range).toBe("1-255");
    expect(vip?.options.find((o) => o.name === "advert_int")?.range).toBe("v3: 0.01-40.95; v2: 1-255, whole");
  });
});

describe("the daemon's verdict in the browser", () => {
  it("finds nothing wrong with a file the daemon takes, and names what it refuses", () => {
    const good = "config floatgw 'global'\n\toption enabled '1'\n\nconfig vip 'lan'\n\toption interface 'lan'\n\toption vrid '51'\n\tlist address '198.18.0.1/24'\n";
    expect(checkSections(asLuci(good))).toEqual({ errors: [], warnings: [] });
    const bad = asLuci(good.replace("'51'", "'300'"));
    expect(checkSections(bad).errors).toEqual([{ section: "vip 'lan'", option: "vrid", message: "vip 'lan': vrid '300' is out of range 1-255" }]);
    expect(loadConfig(good.replace("'51'", "'300'")).errors.map((p) => p.message)).toEqual(checkSections(bad).errors.map((p) => p.message));
  });

  it("names anonymous sections as uci show does", () => {
    const r = checkSections(asLuci("config vip\n\toption interface 'lan'\n\toption vrid '0'\n\tlist address '198.18.0.1'\n"));
    expect(r.errors.map((p) => p.message)).toEqual(["@vip[0]: vrid '0' is out of range 1-255"]);
  });

  it("judges one field with its section's other fields, and the other sections, as they stand", () => {
    const lan: LuciSection = { ".type": "vip", ".name": "lan", interface: "lan", vrid: "51", address: ["198.18.0.1/24"] };
    const one = (sec: LuciSection, option: string): string | null => checkOption([sec], sec[".name"], option);
    expect(one({ ...lan, vrid: "256" }, "vrid")).toBe("vip 'lan': vrid '256' is out of range 1-255");
    expect(one(lan, "vrid")).toBeNull();
    // Problems of other options are not this field's.
    expect(one({ ...lan, vrid: "256", priority: "1" }, "priority")).toBeNull();
    expect(one({ ...lan, auth_pass: "secret" }, "auth_pass")).toMatch(/is for version 2 only/);
    expect(one({ ...lan, auth_pass: "secret", version: "2" }, "auth_pass")).toBeNull();
    expect(one({ ...lan, advert_int: "0.5", version: "2" }, "advert_int")).toMatch(/whole number of seconds/);
    // A secret is never echoed.
    expect(one({ ".type": "floatgw", ".name": "global", secret: "short" }, "secret")).toBe("floatgw 'global': secret (hidden) is shorter than 16 characters");
    // Other sections count: a tracker named by `track` must exist, a VRID must be free on the link.
    const tracked = { ...lan, track: ["wan"] };
    expect(one(tracked, "track")).toBe("vip 'lan': track 'wan' names no tracker section");
    expect(checkOption([tracked, { ".type": "tracker", ".name": "wan", type: "interface", interface: "wan" }], "lan", "track")).toBeNull();
    const lan6 = { ...lan, ".name": "lan2", address: ["198.18.0.9/24"] };
    expect(checkOption([lan, lan6], "lan2", "vrid")).toBe("vip 'lan2': vrid '51' is already used by vip 'lan' on interface 'lan' for IPv4");
    expect(checkOption([lan, lan6], "lan", "vrid")).toBeNull();
  });
});

describe("the pair setup", () => {
  it("writes the global and vip sections, the role as priority and the peer as unicast peer", () => {
    expect(pairSections(A)).toEqual([
      { type: "floatgw", name: "global", options: { enabled: "1", secret: A.secret } },
      {
        type: "vip", name: "lan",
        options: { enabled: "1", interface: "lan", vrid: "51", priority: "150", address: ["198.18.0.1/24"], unicast_peer: ["198.18.0.3"], dhcp: "1" },
      },
    ]);
    expect(ROLE_PRIORITY.primary).toBeGreaterThan(ROLE_PRIORITY.secondary);
  });

  it("brings the shipped file to a pair the daemon takes, A preferred", () => {
    const shipped = asLuci(readFileSync(new URL("../../files/etc/config/floatgw", import.meta.url), "utf8"));
    for (const [setup, priority, peer] of [[A, 150, "198.18.0.3"], [B, 100, "198.18.0.2"]] as const) {
      const file = withPair(shipped, setup);
      expect(checkSections(file)).toEqual({ errors: [], warnings: [] });
      const config = loadConfig(asText(file)).config;
      expect(config?.global.enabled).toBe(true);
      expect(config?.vips.map((v) => [v.name, v.priority, v.unicastPeers.map((p) => p.address), v.dhcp])).toEqual([["lan", priority, [peer], true]]);
    }
  });

  it("keeps the options it does not name, and refuses what the daemon would", () => {
    const existing: LuciSection[] = [
      { ".type": "floatgw", ".name": "global", enabled: "0", log_level: "debug" },
      { ".type": "vip", ".name": "lan", interface: "lan", vrid: "51", address: ["198.18.0.9/24"], advert_int: "0.5" },
    ];
    const file = withPair(existing, A);
    expect(file[0]).toMatchObject({ enabled: "1", log_level: "debug" });
    expect(file[1]).toMatchObject({ advert_int: "0.5", address: ["198.18.0.1/24"], priority: "150" });
    expect(checkSections(withPair(existing, { ...A, peer: "198.18.0.1" })).errors.map((p) => p.option)).toEqual(["unicast_peer"]);
    expect(checkSections(withPair(existing, { ...A, secret: "too short" })).errors.map((p) => p.option)).toEqual(["secret"]);
    expect(checkSections(withPair(existing, { ...A, peer: "2001:db8::2" })).errors.map((p) => p.message)).toEqual([
      "vip 'lan': unicast_peer '2001:db8::2' is IPv6 but the addresses are IPv4",
    ]);
  });
});

describe("the LuCI class floatgw.config", () => {
  it("loads as LuCI loads a class and answers as the module does", () => {
    const dir = mkdtempSync(join(tmpdir(), "fgluci-"));
    try {
      const out = join(dir, "config.js");
      execFileSync("node", [new URL("../../scripts/gen-luci-config.mjs", import.meta.url).pathname, out]);
      const source = readFileSync(out, "utf8");
      expect(source.split("\n").slice(0, 2)).toEqual(["'use strict';", "'require baseclass';"]);
      // luci.js: the file is the body of a function of window, document, L
      // and the required classes; it returns a class, which LuCI instantiates.
      const baseclass = { extend: (props: Record<string, unknown>) => props };
      const cls = new Function("window", "document", "L", "baseclass", source)({}, {}, {}, baseclass) as {
        sections: typeof sections;
        checkOption: typeof checkOption;
        pairSections: typeof pairSections;
      };
      expect(cls.sections).toEqual(sections);
      expect(cls.checkOption([{ ".type": "vip", ".name": "lan", vrid: "300" }], "lan", "vrid")).toBe("vip 'lan': vrid '300' is out of range 1-255");
      expect(cls.pairSections(A)).toEqual(pairSections(A));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
