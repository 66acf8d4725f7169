// `floatgw import-keepalived` on the real kernel. For each test
// configuration (test/fixtures/keepalived-import/): a pair of Debian's
// keepalived started from the originals and a pair of floatgwd started from
// what the CLI made of them elect the same master, hand over the same way
// when it stops and take back the same way when it returns, hold the
// virtual route where keepalived held it and call the notify scripts with
// the same arguments; and a
// keepalived pair migrates to floatgw one router at a time, as
// docs/migrating.md describes, with the mixed pair working in between.
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FLOATGWD, Lab, ROOT, must, run } from "./lab";
import { Keepalived, type Router, routers, waitFor } from "./routers";

const FIXTURES = join(ROOT, "test/fixtures/keepalived-import");
/** A role held this long without change is the outcome (longer than a VRRPv2 Master_Down_Interval of ~3.6 s). */
const STABLE_MS = 5000;

type Side = "a" | "b";

interface Fixture {
  readonly name: string;
  readonly dir: string;
  readonly file: Record<Side, string>;
  /** keepalived -i / --config-id, for files with @ID lines. */
  readonly configId: Record<Side, string> | null;
  readonly vips: readonly { readonly address: string; readonly device: string }[];
  readonly wan: boolean;
  /** A route of a virtual_routes block, with the device it goes on: it must be on the master only. */
  readonly route: { readonly target: string; readonly device: string } | null;
  /** The log the fixture's notify scripts append their arguments to. */
  readonly notifyLog: string | null;
}

const FIXTURE_LIST: Fixture[] = [
  {
    name: "nginx pair (VRRPv2, PASS authentication)",
    dir: "nginx",
    file: { a: "a.conf", b: "b.conf" },
    configId: null,
    vips: [{ address: "198.18.0.1", device: "br-lan" }],
    wan: false,
    route: null,
    notifyLog: null,
  },
  {
    name: "LAN+WAN routers (sync group, unicast LAN, state MASTER with nopreempt)",
    dir: "routers",
    file: { a: "keepalived.conf", b: "keepalived.conf" },
    configId: { a: "gw_a", b: "gw_b" },
    vips: [
      { address: "198.18.0.1", device: "br-lan" },
      { address: "198.19.0.1", device: "wan0" },
    ],
    wan: true,
    route: { target: "198.19.100.0/24", device: "wan0" },
    notifyLog: "routers/notify.log",
  },
];

const labs: Lab[] = [];
afterEach(() => {
  for (const lab of labs.splice(0)) lab.cleanup();
});

/** A second link between the routers, wan0: 198.19.0.2 and .3 on a switch of its own. */
function addWan(lab: Lab, pair: Record<Side, Router>): void {
  const sw = lab.netns("wsw");
  must(["ip", "-n", sw, "link", "add", "sw1", "type", "bridge"]);
  must(["ip", "-n", sw, "link", "set", "sw1", "up"]);
  for (const [side, port, address] of [["a", "wa", "198.19.0.2"], ["b", "wb", "198.19.0.3"]] as const) {
    const ns = pair[side].ns;
    must(["ip", "link", "add", port, "netns", sw, "type", "veth", "peer", "name", "wan0", "netns", ns]);
    must(["ip", "-n", sw, "link", "set", port, "master", "sw1", "up"]);
    must(["ip", "-n", ns, "addr", "add", `${address}/24`, "dev", "wan0"]);
    must(["ip", "-n", ns, "link", "set", "wan0", "up"]);
  }
}

interface Pair {
  readonly lab: Lab;
  readonly routers: Record<Side, Router>;
  readonly keepalived: Record<Side, Keepalived>;
  /** What `floatgw import-keepalived` wrote for each router. */
  readonly converted: Record<Side, string>;
}

/** A lab with the fixture copied to each router, its keepalived ready and its conversion done. */
function pair(fx: Fixture): Pair {
  must(["keepalived", "--version"]);
  const lab = new Lab();
  labs.push(lab);
  const ns = lab.topology();
  const r = routers(lab, ns);
  const pairRouters: Record<Side, Router> = { a: r.a, b: r.b };
  if (fx.wan) addWan(lab, pairRouters);
  const keepalived = {} as Record<Side, Keepalived>;
  const converted = {} as Record<Side, string>;
  for (const side of ["a", "b"] as const) {
    const router = pairRouters[side];
    cpSync(join(FIXTURES, fx.dir), join(router.dir, fx.dir), { recursive: true });
    const conf = join(router.dir, fx.dir, fx.file[side]);
    const id = fx.configId === null ? [] : ["--config-id", fx.configId[side]];
    const cli = run([FLOATGWD, "import-keepalived", conf, ...id]);
    if (cli.status !== 0) throw new Error(`import-keepalived failed:\n${cli.stderr}`);
    // The migration's step "set enabled '1'" (floatgwd refuses a disabled file).
    expect(cli.stdout).toContain("\toption enabled '0'\n");
    converted[side] = cli.stdout.replace("\toption enabled '0'\n", "\toption enabled '1'\n");
    keepalived[side] = new Keepalived(lab, router, { file: conf, args: fx.configId === null ? [] : ["-i", fx.configId[side]] });
  }
  return { lab, routers: pairRouters, keepalived, converted };
}

/** Who holds each VIP: "a", "b", "both" or "none", in the fixture's order. */
function holders(p: Pair, fx: Fixture): string {
  return fx.vips
    .map((v) => {
      const has = (r: Router): boolean =>
        p.lab.exec(r.ns, ["ip", "-o", "addr", "show", "dev", v.device]).stdout.split("\n").some((l) => l.includes(` ${v.address}/`));
      const a = has(p.routers.a);
      const b = has(p.routers.b);
      return a && b ? "both" : a ? "a" : b ? "b" : "none";
    })
    .join(" ");
}

/** Whether every VIP's device is up on both routers. */
function linksUp(p: Pair, fx: Fixture): boolean {
  return (["a", "b"] as const).every((side) =>
    fx.vips.every((v) => / state UP /.test(p.lab.exec(p.routers[side].ns, ["ip", "-o", "link", "show", "dev", v.device]).stdout)),
  );
}

/** Who has the fixture's virtual route: "a", "b", "both" or "none". */
function routeHolder(p: Pair, fx: Fixture): string {
  if (fx.route === null) return "none";
  const { target, device } = fx.route;
  const has = (r: Router): boolean => p.lab.exec(r.ns, ["ip", "route", "show", target, "dev", device]).stdout.includes(target);
  const a = has(p.routers.a);
  const b = has(p.routers.b);
  return a && b ? "both" : a ? "a" : b ? "b" : "none";
}

/** What the fixture's notify scripts wrote on one router: the sync group's
 * and the instance's lines apart (keepalived forks each script on its own,
 * so only the order within each is defined). */
function notifyLines(p: Pair, fx: Fixture, side: Side): { group: string[]; instance: string[] } {
  const file = fx.notifyLog === null ? null : join(p.routers[side].dir, fx.notifyLog);
  const lines = file === null || !existsSync(file) ? [] : readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
  return { group: lines.filter((l) => !l.startsWith("INSTANCE ")), instance: lines.filter((l) => l.startsWith("INSTANCE ")) };
}

/** Waits until every VIP has one holder and nothing changed for STABLE_MS; returns the holders. */
async function settled(p: Pair, fx: Fixture, what: string): Promise<string> {
  let last = "";
  let since = Date.now();
  return waitFor(what, () => {
    const now = holders(p, fx);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    const single = now.split(" ").every((h) => h === "a" || h === "b");
    return single && Date.now() - since >= STABLE_MS ? now : null;
  }, 60_000);
}

interface Daemons {
  start(side: Side): void;
  stop(side: Side): Promise<unknown>;
}

const keepalivedDaemons = (p: Pair): Daemons => ({
  start: (side) => p.keepalived[side].start(),
  stop: (side) => p.keepalived[side].stop(),
});

const floatgwDaemons = (p: Pair): Daemons => ({
  start: (side) => p.routers[side].startFloatgw(p.converted[side]),
  stop: (side) => p.routers[side].stopFloatgw(),
});

interface Run {
  /** The VIPs' holders after each step. */
  readonly vips: string[];
  /** The virtual route's holder after each step. */
  readonly routes: string[];
  readonly notify: Record<Side, { group: string[]; instance: string[] }>;
}

/** Election, failover when A stops, what happens when A comes back, and,
 * with a WAN, when A's WAN link goes down (tracked by the LAN instance) and
 * comes back; after each step, who holds the VIPs and the virtual route;
 * at the end, what the notify scripts were called with. */
async function electionAndFailover(p: Pair, fx: Fixture, d: Daemons): Promise<Run> {
  const vips: string[] = [];
  const routes: string[] = [];
  const step = async (what: string): Promise<void> => {
    vips.push(await settled(p, fx, what));
    routes.push(routeHolder(p, fx));
  };
  // Both routers' links are up before either daemon starts: one that comes up late is a FAULT in keepalived and a wait in floatgw.
  await waitFor("the routers' links up", () => linksUp(p, fx) || null, 30_000);
  d.start("a");
  d.start("b");
  await step("an elected master");
  await d.stop("a");
  await step("failover to B");
  d.start("a");
  await step("the pair after A's return");
  if (fx.wan) {
    must(["ip", "-n", p.routers.a.ns, "link", "set", "wan0", "down"]);
    await step("the pair with A's WAN down");
    must(["ip", "-n", p.routers.a.ns, "link", "set", "wan0", "up"]);
    await step("the pair with A's WAN back");
  }
  return { vips, routes, notify: { a: notifyLines(p, fx, "a"), b: notifyLines(p, fx, "b") } };
}

describe.each(FIXTURE_LIST)("import-keepalived, $name", (fx) => {
  const all = (side: Side): string => fx.vips.map(() => side).join(" ");

  it("a floatgw pair from the converted files elects, fails over, tracks, routes and notifies as the keepalived pair from the originals", async () => {
    const kaPair = pair(fx);
    const fgPair = pair(fx);
    const [ka, fg] = await Promise.all([electionAndFailover(kaPair, fx, keepalivedDaemons(kaPair)), electionAndFailover(fgPair, fx, floatgwDaemons(fgPair))]);
    expect(ka.vips).toEqual([all("a"), all("b"), all("a"), ...(fx.wan ? [all("b"), all("a")] : [])]);
    expect(fg.vips).toEqual(ka.vips);
    if (fx.route !== null) expect(ka.routes).toEqual(["a", "b", "a", "b", "a"]);
    expect(fg.routes).toEqual(ka.routes);
    if (fx.notifyLog !== null) expect(ka.notify.a.group.length).toBeGreaterThan(0);
    expect(fg.notify).toEqual(ka.notify);
  });

  it("migrates one router at a time, the mixed pair working in between", async () => {
    const p = pair(fx);
    p.keepalived.a.start();
    p.keepalived.b.start();
    expect(await settled(p, fx, "keepalived's master")).toBe(all("a"));

    // Router B (the backup) first: keepalived off, floatgw on.
    await p.keepalived.b.stop();
    p.routers.b.startFloatgw(p.converted.b);
    expect(await settled(p, fx, "keepalived A master, floatgw B backup")).toBe(all("a"));
    const mixed = p.routers.b.status()?.instances ?? [];
    expect(mixed.map((i) => i.state)).toEqual(fx.vips.map(() => "backup"));
    for (const i of mixed) expect(i.counters?.drops).toEqual({});
    expect(mixed.map((i) => i.master)).toEqual(fx.wan ? ["198.18.0.2", "198.19.0.2"] : ["198.18.0.2"]);

    // Router A: floatgw B takes over while A switches, then A takes back.
    await p.keepalived.a.stop();
    expect(await settled(p, fx, "floatgw B master")).toBe(all("b"));
    p.routers.a.startFloatgw(p.converted.a);
    expect(await settled(p, fx, "floatgw A master again")).toBe(all("a"));
    expect(p.routers.a.status()?.instances.map((i) => i.state)).toEqual(fx.vips.map(() => "master"));
  });
});
