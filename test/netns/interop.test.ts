// Wire compatibility with keepalived (Debian's): floatgwd and keepalived as
// a pair, each in both roles, VRRPv2 and VRRPv3, multicast and unicast. The
// higher priority wins whichever daemon it is, each takes over when the
// other stops, and keepalived logs no complaint about our packets.
import { describe, expect, it } from "vitest";
import { must } from "./lab";
import { Keepalived, uci, useLab, VIP, waitFor } from "./routers";

const { lab, topology } = useLab();

interface Mode {
  name: string;
  version: 2 | 3;
  unicast: boolean;
}
const MODES: Mode[] = [
  { name: "VRRPv2 multicast", version: 2, unicast: false },
  { name: "VRRPv3 multicast", version: 3, unicast: false },
  { name: "VRRPv2 unicast", version: 2, unicast: true },
  { name: "VRRPv3 unicast", version: 3, unicast: true },
];
// keepalived's v2 interval is whole seconds; v3 runs faster to keep tests short.
const interval = (m: Mode): string => (m.version === 2 ? "1" : "0.1");

function keepalivedConf(m: Mode, priority: number, self: string, peer: string): string {
  const unicast = m.unicast ? `  unicast_src_ip ${self}\n  unicast_peer {\n    ${peer}\n  }\n` : "";
  return `global_defs {
  router_id ka_${self.replace(/\./g, "_")}
  vrrp_version ${m.version}
}
vrrp_instance lan {
  state BACKUP
  interface br-lan
  virtual_router_id 51
  priority ${priority}
  advert_int ${interval(m)}
${unicast}  virtual_ipaddress {
    ${VIP}/24 dev br-lan
  }
}
`;
}

/** Starts keepalived, and floatgw once the higher priority of the two
 * holds the VIP if that is keepalived: two daemons started together race
 * for master, and the loser's adverts would make keepalived complain. */
async function setup(m: Mode, floatgwPriority: number, keepalivedPriority: number) {
  must(["keepalived", "--version"]);
  const { a, b } = topology();
  const ka = new Keepalived(lab, b, keepalivedConf(m, keepalivedPriority, b.address, a.address));
  ka.start();
  if (keepalivedPriority > floatgwPriority) await waitFor("keepalived master", () => b.has(), 30_000);
  a.startFloatgw(uci({
    version: String(m.version),
    advert_int: interval(m),
    priority: String(floatgwPriority),
    ...(m.unicast ? { unicast_peer: [b.address], unicast_src: a.address } : {}),
  }));
  return { a, b, ka };
}

/** keepalived's complaints about received packets, if any. "received lower
 * priority advert - discarding" is not one: it is the election at work,
 * logged whenever keepalived is master and hears a master it outranks (at
 * start, when floatgw became master first, and floatgw's one last advert
 * before it steps down). */
function complaints(log: string): string[] {
  return log.split("\n").filter((l) => /invalid|bad |mismatch|error|discard|ignor/i.test(l)
    && !/Opening file/.test(l) && !/received lower priority \(\d+\) advert from [0-9.]+ - discarding/.test(l));
}

describe.each(MODES)("with keepalived, $name", (m) => {
  const slack = m.version === 2 ? 30_000 : 15_000;

  it("floatgw master, keepalived backup; keepalived takes over when floatgw stops", async () => {
    const { a, b, ka } = await setup(m, 150, 100);
    await waitFor("floatgw master", () => a.state() === "master" && a.has(), slack);
    await waitFor("floatgw hears keepalived", () => (a.instance()?.counters.advertsTx ?? 0) > 3, slack);
    expect(b.has()).toBe(false);
    expect(await a.stopFloatgw()).toBe(0);
    await waitFor("keepalived takes the VIP", () => b.has(), slack);
    await ka.stop();
    expect(complaints(ka.log)).toEqual([]);
    expect(ka.log).toMatch(/Entering MASTER STATE/);
  });

  it("floatgw master, keepalived backup; keepalived takes over on the watcher's priority 0 when floatgwd is killed", async () => {
    const { a, b, ka } = await setup(m, 150, 100);
    await waitFor("floatgw master", () => a.state() === "master" && a.has(), slack);
    await waitFor("floatgw hears keepalived", () => (a.instance()?.counters.advertsTx ?? 0) > 3, slack);
    await waitFor("floatgw's watcher armed", () => a.watchers().length === 1);
    expect(await a.stopFloatgw("SIGKILL")).toBe("SIGKILL");
    await waitFor("keepalived takes the VIP", () => b.has(), slack);
    // The dead router keeps it until keepalived can have taken over.
    await waitFor("the VIP gone from floatgw's router", () => !a.has(), 10_000);
    await ka.stop();
    // keepalived's word that the watcher's advert made it master (before
    // its Master_Down_Interval would have).
    expect(ka.log).toMatch(/\(lan\) Backup received priority 0 advertisement\n.*\(lan\) Receive advertisement timeout\n.*\(lan\) Entering MASTER STATE/);
    expect(complaints(ka.log)).toEqual([]);
  });

  it("keepalived master, floatgw backup; floatgw takes over when keepalived stops", async () => {
    const { a, b, ka } = await setup(m, 100, 150);
    await waitFor("keepalived master, floatgw backup", () => b.has() && a.state() === "backup"
      && a.instance()?.master === b.address, slack);
    const heard = a.instance()!;
    expect(heard.counters.drops).toEqual({});
    expect(heard.peer?.priority).toBe(150);
    await ka.stop();
    await waitFor("floatgw master", () => a.state() === "master" && a.has(), slack);
    expect(a.instance()!.transitions.at(-1)?.reason).toBe(`priority 0 from master ${b.address}`);
    expect(complaints(ka.log)).toEqual([]);
    expect(a.log).not.toMatch(/error/);
  });
});
