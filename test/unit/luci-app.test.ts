// luci-app-floatgw's static parts: the views load the way LuCI loads them,
// the rpcd ACL grants exactly what they call, the menu points at views that
// exist and asks for that ACL, and the translation template is up to date.
// (What the pages do is tested in a browser: test/openwrt/luci.test.ts.)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPot } from "../../scripts/gen-luci-pot.mjs";

const APP = new URL("../../luci-app/", import.meta.url).pathname;
const RESOURCES = join(APP, "htdocs/luci-static/resources");

function jsFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsFiles(p) : name.endsWith(".js") ? [p] : [];
  });
}

const views = jsFiles(RESOURCES).map((path) => ({ path, source: readFileSync(path, "utf8") }));
const allSource = views.map((v) => v.source).join("\n");

/** The classes a LuCI class file requires: its leading 'require x [as y]' strings. */
function requires(source: string): { name: string; as: string }[] {
  const out: { name: string; as: string }[] = [];
  for (const line of source.split("\n")) {
    const m = /^'require ([\w.]+)(?: as (\w+))?';$/.exec(line);
    if (m) out.push({ name: m[1] ?? "", as: m[2] ?? (m[1] ?? "").replace(/\W/g, "_") });
    else if (line !== "'use strict';") break;
  }
  return out;
}

describe("the views", () => {
  it.each(views.map((v) => [v.path.slice(RESOURCES.length + 1), v] as const))("%s compiles as LuCI compiles a class", (_, v) => {
    const names = requires(v.source).map((r) => r.as);
    // luci.js wraps the file in a function of window, document, L and the required classes.
    expect(() => new Function("window", "document", "L", ...names, v.source)).not.toThrow();
    expect(v.source).toMatch(/^return \w+\.extend\(\{$/m);
  });

  it("require only floatgw classes that are shipped or generated", () => {
    const ours = views.flatMap((v) => requires(v.source)).map((r) => r.name).filter((n) => n.startsWith("floatgw."));
    for (const name of new Set(ours)) {
      const file = `${name.replace(/\./g, "/")}.js`;
      // floatgw.config is generated at build time (scripts/gen-luci-config.mjs).
      const shipped = views.some((v) => v.path.endsWith(`/resources/${file}`)) || name === "floatgw.config";
      expect(shipped, name).toBe(true);
    }
  });
});

describe("the rpcd ACL", () => {
  const acl = JSON.parse(readFileSync(join(APP, "root/usr/share/rpcd/acl.d/luci-app-floatgw.json"), "utf8")) as Record<
    string,
    { description: string; read: { ubus: Record<string, string[]>; uci: string[] }; write: { ubus: Record<string, string[]>; uci: string[] } }
  >;
  const grant = acl["luci-app-floatgw"];

  it("is one group named after the package, with nothing granted by wildcard", () => {
    expect(Object.keys(acl)).toEqual(["luci-app-floatgw"]);
    expect(JSON.stringify(acl)).not.toContain("*");
  });

  it("grants exactly the ubus methods the pages declare: status to read, switchover to write", () => {
    const declared = [...allSource.matchAll(/rpc\.declare\(\{\s*object:\s*'([^']+)',\s*method:\s*'([^']+)'/g)].map((m) => `${m[1]}.${m[2]}`);
    const granted = (part: Record<string, string[]>): string[] => Object.entries(part).flatMap(([o, ms]) => ms.map((m) => `${o}.${m}`));
    expect([...granted(grant?.read.ubus ?? {}), ...granted(grant?.write.ubus ?? {})].sort()).toEqual([...new Set(declared)].sort());
    expect(grant?.read.ubus).toEqual({ floatgw: ["status"] });
    expect(grant?.write.ubus).toEqual({ floatgw: ["switchover"] });
  });

  it("grants exactly the UCI configs the pages read and write", () => {
    const configs = [...allSource.matchAll(/(?:uci\.\w+|form\.Map)\(\s*'([^']+)'/g)].map((m) => m[1]);
    expect([...new Set(configs)]).toEqual(["floatgw"]);
    expect(grant?.read.uci).toEqual(["floatgw"]);
    expect(grant?.write.uci).toEqual(["floatgw"]);
  });
});

describe("the menu", () => {
  const menu = JSON.parse(readFileSync(join(APP, "root/usr/share/luci/menu.d/luci-app-floatgw.json"), "utf8")) as Record<
    string,
    { title: string; action: { type: string; path: string }; depends?: { acl?: string[]; uci?: Record<string, boolean> } }
  >;

  it("points at views that exist, and at nodes that exist", () => {
    for (const [node, entry] of Object.entries(menu)) {
      if (entry.action.type === "view") expect(views.some((v) => v.path === join(RESOURCES, `view/${entry.action.path}.js`)), node).toBe(true);
      else expect(Object.keys(menu), node).toContain(entry.action.path);
    }
  });

  it("shows floatgw's pages only to sessions with its ACL, once /etc/config/floatgw exists", () => {
    const tops = Object.entries(menu).filter(([node]) => node.split("/").length === 3);
    expect(tops.map(([node]) => node).sort()).toEqual(["admin/services/floatgw", "admin/status/floatgw"]);
    for (const [, entry] of tops) expect(entry.depends).toEqual({ acl: ["luci-app-floatgw"], uci: { floatgw: true } });
  });
});

describe("the translation template", () => {
  it("is up to date", () => {
    const committed = readFileSync(join(APP, "po/templates/floatgw.pot"), "utf8");
    if (committed !== renderPot()) expect.fail("luci-app/po/templates/floatgw.pot is stale: regenerate it with `node scripts/gen-luci-pot.mjs`");
  });

  it("holds the pages' strings and the menu titles", () => {
    const pot = readFileSync(join(APP, "po/templates/floatgw.pot"), "utf8");
    for (const s of ["Switch over", "Pair setup", "Gateway failover", "Peer's address"]) expect(pot).toContain(`msgid "${s}"`);
  });
});
