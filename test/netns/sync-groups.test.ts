// Sync groups and virtual routes on the real kernel: two routers share a LAN
// (br-lan) and a WAN segment (a bridge in a namespace of its own, a port per
// router, so that one router's WAN can go dark alone), each runs a lan and a wan
// instance grouped together, with a route and a rule that follow the group
// and a blackhole route that follows the lan instance. Checked with `ip
// route` and `ip rule` inside the namespaces; notify scripts written as for
// keepalived log their arguments to a file; the order of a group's move
// in the daemon's log lines, its state file writes with inotify (fs.watch).
// VRRPv3 at 100 ms adverts; no timing is asserted (bench/ measures time).
import { chmodSync, existsSync, readFileSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { must } from "./lab";
import { type Router, sleep, uci, useLab, waitFor, withGlobal } from "./routers";

const { lab, topology } = useLab();

const WAN_VIP = "198.19.1.1";
const FAST = { version: "3", advert_int: "0.1" };

/** The WAN segment: a bridge in its own namespace, whose ports wa and wb
 * lead to each router's `wan` (A 198.19.1.2/24, B 198.19.1.3/24); returns
 * the namespace. */
function wanLink(a: Router, b: Router): string {
  const sw = lab.netns("wsw");
  must(["ip", "-n", sw, "link", "add", "wsw", "type", "bridge"]);
  must(["ip", "-n", sw, "link", "set", "wsw", "up"]);
  for (const [r, port, ip] of [[a, "wa", "198.19.1.2/24"], [b, "wb", "198.19.1.3/24"]] as const) {
    must(["ip", "link", "add", port, "netns", sw, "type", "veth", "peer", "name", "wan", "netns", r.ns]);
    must(["ip", "-n", sw, "link", "set", port, "master", "wsw", "up"]);
    must(["ip", "-n", r.ns, "addr", "add", ip, "dev", "wan"]);
    must(["ip", "-n", r.ns, "link", "set", "wan", "up"]);
  }
  return sw;
}

const FOLLOWERS = `
config sync_group 'router'
	list vip 'lan'
	list vip 'wan'

config route 'upstream'
	option sync_group 'router'
	option target '198.19.128.0/17'
	option gateway '198.19.1.254'
	option device 'wan'
	option table '100'
	option metric '5'

config rule 'lan_out'
	option sync_group 'router'
	option src '198.18.0.0/24'
	option lookup '100'
	option priority '1000'

config route 'sink'
	option vip 'lan'
	option type 'blackhole'
	option target '198.18.200.0/24'
`;

function config(priority: string, timing: Record<string, string> = FAST): string {
  return uci(
    { ...timing, priority },
    { ...timing, name: "wan", device: "wan", vrid: "52", address: [`${WAN_VIP}/24`], priority },
  ) + FOLLOWERS;
}

const ROUTE = "198.19.128.0/17 via 198.19.1.254 dev wan proto 112 metric 5";
const RULE = "1000:\tfrom 198.18.0.0/24 lookup 100 proto 112";
const SINK = "blackhole 198.18.200.0/24 proto 112";

/** Which of the group's route, rule and the lan's blackhole the kernel of `r` has. */
function followers(r: Router): { route: boolean; rule: boolean; sink: boolean } {
  const table100 = lab.exec(r.ns, ["ip", "route", "show", "table", "100"]).stdout;
  const main = lab.exec(r.ns, ["ip", "route", "show"]).stdout;
  const rules = lab.exec(r.ns, ["ip", "rule", "show"]).stdout;
  return { route: table100.includes(ROUTE), rule: rules.includes(RULE), sink: main.includes(SINK) };
}

const ALL = { route: true, rule: true, sink: true };
const NONE = { route: false, rule: false, sink: false };

function roles(r: Router): Record<string, string> {
  return Object.fromEntries((r.status()?.instances ?? []).map((i) => [i.name, i.state]));
}

function holds(r: Router): boolean {
  return r.has() && r.has(WAN_VIP, "wan");
}

/** Watches the state files `r` writes (writeFileAtomic renames each into
 * place) and its log from now on; `check()` then asserts that its group
 * went master in one batch: both VIPs, then every route and rule that
 * follows them, then each member's gratuitous ARPs, advert and log line
 * (so the lines come after the routes'), then the group's line; the state
 * file written once, after all of it. */
function groupTakeover(r: Router): { check: () => Promise<void> } {
  const writes: string[] = [];
  const watcher = watch(join(r.dir, "run"), (event, file) => {
    if (event === "rename" && file === "state.json") writes.push(file);
  });
  const logFrom = r.log.length;
  return {
    check: async () => {
      await sleep(500);
      watcher.close();
      expect(writes).toEqual(["state.json"]);
      const lines = r.log.slice(logFrom).split("\n");
      const at = (text: string): number => lines.findIndex((l) => l.includes(text));
      const followed = ["route sink added", "route upstream added", "rule lan_out added"].map(at);
      const members = ["vrid 51 lan: backup -> master", "vrid 52 wan: backup -> master"].map(at);
      expect(Math.min(...followed, ...members), lines.join("\n")).toBeGreaterThanOrEqual(0);
      expect(Math.min(...members), lines.join("\n")).toBeGreaterThan(Math.max(...followed));
      expect(at("[sync group router] backup -> master"), lines.join("\n")).toBeGreaterThan(Math.max(...members));
    },
  };
}

describe("sync groups and virtual routes", () => {
  it("a sync group of two instances on two devices fails over together, and its routes and rules follow", async () => {
    const { a, b } = topology();
    const wsw = wanLink(a, b);
    a.startFloatgw(config("150"));
    b.startFloatgw(config("100"));
    const aMaster = () => waitFor("A master of both, B backup of both", () => {
      const ra = roles(a);
      const rb = roles(b);
      return ra.lan === "master" && ra.wan === "master" && rb.lan === "backup" && rb.wan === "backup" && holds(a) && !b.has() && !b.has(WAN_VIP, "wan");
    });
    await aMaster();
    expect(followers(a)).toEqual(ALL);
    expect(followers(b)).toEqual(NONE);
    expect(a.status()?.syncGroups).toEqual([expect.objectContaining({ name: "router", state: "master", members: ["lan", "wan"] })]);
    expect(a.status()?.routes.map((r) => [r.name, r.present, r.error])).toEqual([["upstream", true, null], ["sink", true, null], ["lan_out", true, null]]);

    const takeover = groupTakeover(b);
    // A's WAN goes dark: its wan instance is in FAULT, and so its whole group.
    must(["ip", "-n", wsw, "link", "set", "wa", "down"]);
    await waitFor("B master of both, A in FAULT", () => {
      const ra = roles(a);
      const rb = roles(b);
      return rb.lan === "master" && rb.wan === "master" && ra.lan === "fault" && ra.wan === "fault" && holds(b) && !a.has();
    });
    await takeover.check();
    const lan = a.status()?.instances.find((i) => i.name === "lan");
    expect(lan?.faults).toEqual(["sync group router: wan: interface wan down"]);
    expect(lan?.transitions.at(-1)?.reason).toBe("sync group router: wan: interface wan down");
    expect(a.status()?.syncGroups[0]?.state).toBe("fault");
    await waitFor("the routes moved to B", () => followers(b).route && followers(b).rule && followers(b).sink);
    expect(followers(a)).toEqual(NONE);

    must(["ip", "-n", wsw, "link", "set", "wa", "up"]);
    await aMaster();
    await waitFor("the routes back on A", () => followers(a).route && followers(a).rule && followers(a).sink);
    expect(followers(b)).toEqual(NONE);
    // B's wan instance left master with its group (or preempted on its own, whichever came first).
    expect(b.status()?.syncGroups[0]?.state).toBe("backup");
  });

  // A router's death (here: its daemon and watcher stopped) reaches B
  // through its Master_Down_Timers, not a priority 0: the first member whose timer runs out moves, and the group
  // pulls the other along (its wantMaster comes without a transition of
  // its own). The whole move is still one batch.
  it("takes over as one batch when the master falls silent on both links", async () => {
    const { a, b } = topology();
    wanLink(a, b);
    a.startFloatgw(config("150"));
    b.startFloatgw(config("100"));
    await waitFor("A master of both, B backup of both", () => {
      const ra = roles(a);
      const rb = roles(b);
      return ra.lan === "master" && ra.wan === "master" && rb.lan === "backup" && rb.wan === "backup" && holds(a);
    });
    const takeover = groupTakeover(b);
    // A's whole daemon stops at once, its watcher first, so that nothing
    // of A resigns (a link going down would put a member in FAULT, and the
    // group would send priority 0 on the other link).
    const [watcherPid] = a.watchers();
    must(["kill", "-STOP", String(watcherPid), String(a.pid)]);
    await waitFor("B master of both", () => {
      const rb = roles(b);
      return rb.lan === "master" && rb.wan === "master" && holds(b);
    });
    await takeover.check();
    expect(b.status()?.instances.map((i) => i.transitions.at(-1)?.reason).some((r) => r?.startsWith("sync group router")),
      "one member followed its group").toBe(true);
    expect(b.status()?.instances.find((i) => (i.counters?.priorityZeroRx ?? 0) > 0)).toBeUndefined();
  });

  it("a group member that cannot hear its master on one link stays backup with the rest of its group", async () => {
    const { a, b } = topology();
    wanLink(a, b);
    a.startFloatgw(config("150"));
    b.startFloatgw(config("100"));
    await waitFor("A master of both", () => roles(a).lan === "master" && roles(a).wan === "master" && roles(b).wan === "backup");
    const wanTransitions = () => b.status()?.instances.find((i) => i.name === "wan")?.transitions ?? [];
    const seen = wanTransitions().length;
    // B's WAN no longer hears A's adverts (VRRP dropped on B's input), its LAN still does.
    must(["ip", "netns", "exec", b.ns, "nft", "add table inet fgdrop"]);
    must(["ip", "netns", "exec", b.ns, "nft", "add chain inet fgdrop in { type filter hook input priority 0 ; }"]);
    must(["ip", "netns", "exec", b.ns, "nft", "add rule inet fgdrop in iifname wan ip protocol 112 drop"]);
    await sleep(2000);
    // It never took over on its own: at most (on a loaded machine, whose
    // 100 ms adverts may come late) along with its LAN member, whose own
    // master went silent too.
    const own = wanTransitions().slice(seen).filter((t) => t.to === "master" && !t.reason.startsWith("sync group router master (lan: "));
    expect(own).toEqual([]);
    await waitFor("B backup of both", () => roles(b).lan === "backup" && roles(b).wan === "backup");
    expect(b.has(WAN_VIP, "wan")).toBe(false);
  });

  it("runs the instances' and the group's notify scripts with keepalived's arguments, one at a time, a hanging one killed at notify_timeout", async () => {
    const { a, b } = topology();
    const wsw = wanLink(a, b);
    /** keepalived-style scripts: each logs its arguments to notes.log in the router's directory. */
    const notify = (r: Router, hang: boolean): { config: string; notes: () => string[] } => {
      const script = join(r.dir, "note.sh");
      const notes = join(r.dir, "notes.log");
      writeFileSync(script, `#!/bin/sh\necho "$*" >> ${notes}\n`);
      chmodSync(script, 0o755);
      // The hotplug hook, which runs first for every transition, groups included.
      const hook = join(r.dir, "hook.sh");
      writeFileSync(hook, `#!/bin/sh\necho "hook $1 $TYPE $NAME $ACTION\${MEMBERS:+ $MEMBERS}" >> ${notes}\n`);
      chmodSync(hook, 0o755);
      const own = { notify_master: `${script} master-own`, notify: `${script} any`, ...(hang ? { notify_backup: "/bin/sleep 30" } : {}) };
      const priority = hang ? "100" : "150";
      const config = withGlobal(uci({ ...FAST, ...own, priority }, { ...FAST, ...own, name: "wan", device: "wan", vrid: "52", address: [`${WAN_VIP}/24`], priority }), { notify_timeout: "1", hotplug: hook })
        + FOLLOWERS.replace("\tlist vip 'wan'\n", `\tlist vip 'wan'\n\toption notify_fault '${script} group-fault'\n\toption notify '${script} group-any'\n`);
      return { config, notes: () => (existsSync(notes) ? readFileSync(notes, "utf8").trim().split("\n") : []) };
    };
    const na = notify(a, false);
    const nb = notify(b, true);
    a.startFloatgw(na.config);
    b.startFloatgw(nb.config);
    await waitFor("A master of both, with its notify scripts run", () =>
      roles(a).wan === "master" && na.notes().includes("group-any GROUP router MASTER 0"));
    expect(na.notes()).toEqual(expect.arrayContaining(["master-own", "any INSTANCE lan MASTER 150", "any INSTANCE wan MASTER 150"]));
    // The group's hook (TYPE=GROUP, its members) runs before its notify scripts, after the members' own.
    const aNotes = na.notes();
    const groupHook = aNotes.indexOf("hook floatgw GROUP router master lan wan");
    expect(groupHook).toBeGreaterThan(aNotes.indexOf("hook floatgw INSTANCE wan master"));
    expect(groupHook).toBeLessThan(aNotes.indexOf("group-any GROUP router MASTER 0"));
    // B's notify_backup hangs: killed after notify_timeout, and the generic notify runs after it.
    await waitFor("B's generic notify after the killed notify_backup", () => nb.notes().includes("any INSTANCE lan BACKUP 100"));
    expect(b.log).toContain("/bin/sleep for backup of lan still running after 1000 ms: killed");

    must(["ip", "-n", wsw, "link", "set", "wa", "down"]);
    await waitFor("B master, its scripts run; A's group in FAULT, its scripts run", () =>
      nb.notes().includes("group-any GROUP router MASTER 0") && na.notes().includes("group-any GROUP router FAULT 0"));
    expect(nb.notes()).toEqual(expect.arrayContaining(["master-own", "any INSTANCE lan MASTER 100", "any INSTANCE wan MASTER 100"]));
    expect(na.notes()).toEqual(expect.arrayContaining(["group-fault", "any INSTANCE lan FAULT 150"]));
    expect(nb.notes()).not.toContain("group-fault");

    expect(await b.stopFloatgw()).toBe(0);
    // A stop runs before the daemon exits (the resign's hanging notify_backup
    // killed at its timeout first): STOP for each instance and the group.
    expect(nb.notes().filter((n) => /\b(STOP|stop)\b/.test(n)).sort()).toEqual([
      "any INSTANCE lan STOP 100", "any INSTANCE wan STOP 100", "group-any GROUP router STOP 0",
      "hook floatgw GROUP router stop lan wan", "hook floatgw INSTANCE lan stop", "hook floatgw INSTANCE wan stop"]);
  });

  it("every route type and rule option reaches the kernel as `ip route` and `ip rule` print them", async () => {
    const { a } = topology();
    const section = (type: string, name: string, opts: Record<string, string>) =>
      `\nconfig ${type} '${name}'\n\toption vip 'lan'\n${Object.entries(opts).map(([k, v]) => `\toption ${k} '${v}'\n`).join("")}`;
    a.startFloatgw(uci({ ...FAST, priority: "150" }, { ...FAST, name: "lan6", address: ["2001:db8:0:1::1/64"], priority: "150" })
      + section("route", "unreach", { type: "unreachable", target: "198.18.201.0/24", table: "200", metric: "7" })
      + section("route", "deny", { type: "prohibit", target: "198.18.202.0/24" })
      + section("route", "back", { type: "throw", target: "198.18.203.0/24", table: "200" })
      + section("route", "far", { target: "198.19.50.0/24", gateway: "198.19.9.1", device: "br-lan", onlink: "1", source: "198.18.0.2" })
      + section("route", "local", { target: "198.18.204.0/24", device: "br-lan", scope: "host" })
      + section("route", "v6", { target: "2001:db8:9::/48", device: "br-lan", metric: "10" })
      + section("rule", "odd", { dest: "198.18.205.0/24", in: "br-lan", out: "br-lan", mark: "0x10/0xff", tos: "16", action: "unreachable", priority: "1200", invert: "1" })
      + "\nconfig rule 'v6rule'\n\toption vip 'lan6'\n\toption src '2001:db8:9::/48'\n\toption lookup '300'\n\toption priority '1300'\n");
    await waitFor("A master of both", () => roles(a).lan === "master" && roles(a).lan6 === "master");
    const routes = () => lab.exec(a.ns, ["ip", "route", "show", "table", "all"]).stdout + lab.exec(a.ns, ["ip", "-6", "route", "show", "table", "all"]).stdout;
    const rules = () => lab.exec(a.ns, ["ip", "rule", "show"]).stdout + lab.exec(a.ns, ["ip", "-6", "rule", "show"]).stdout;
    await waitFor("every route and rule in the kernel", () => a.status()?.routes.every((r) => r.present));
    for (const line of [
      "unreachable 198.18.201.0/24 table 200 proto 112 metric 7",
      "throw 198.18.203.0/24 table 200 proto 112",
      "prohibit 198.18.202.0/24 proto 112",
      "198.18.204.0/24 dev br-lan proto 112 scope host",
      "198.19.50.0/24 via 198.19.9.1 dev br-lan proto 112 src 198.18.0.2 onlink",
      "2001:db8:9::/48 dev br-lan proto 112 metric 10",
    ]) expect(routes()).toContain(line);
    expect(rules()).toContain("1200:\tnot from all to 198.18.205.0/24 tos 0x10 fwmark 0x10/0xff iif br-lan oif br-lan unreachable proto 112");
    expect(rules()).toContain("1300:\tfrom 2001:db8:9::/48 lookup 300 proto 112");
    expect(await a.stopFloatgw()).toBe(0);
    expect(routes()).not.toContain("proto 112");
    expect(rules()).not.toContain("proto 112");
  });

  it("removes its routes and rules when it stops, and those a crashed run left at the next start", async () => {
    const { a, b } = topology();
    wanLink(a, b);
    // 1 s adverts: A alone takes over 3.6 s after its start, time enough to look before.
    const slow = { version: "3", advert_int: "1" };
    a.startFloatgw(config("150", slow));
    await waitFor("A master with its routes", () => roles(a).wan === "master" && followers(a).route && followers(a).rule && followers(a).sink);
    await a.stopFloatgw("SIGKILL");
    expect(followers(a)).toEqual(ALL);
    a.startFloatgw(config("150", slow));
    await waitFor("the leftovers removed at start", () => a.log.includes("removed 3 route(s) and rule(s) left by an earlier run (protocol 112)"));
    // Before A is master again (3 advert intervals at the earliest), nothing of the old run is left.
    await waitFor("the instances started", () => roles(a).lan === "backup");
    expect(followers(a)).toEqual(NONE);
    await waitFor("A master again, its routes back", () => roles(a).wan === "master" && followers(a).route && followers(a).sink);
    expect(await a.stopFloatgw()).toBe(0);
    expect(followers(a)).toEqual(NONE);
  });
});
