// Sync groups on a fake clock: two routers, each with a LAN and a WAN
// instance grouped together (a router pair's usual setup), their adverts
// really encoded and decoded by the simulated links, and the group decided
// by src/core/sync-group.ts as the daemon does it.
import { describe, expect, it } from "vitest";
import type { Action, Role } from "../../src/core/index";
import { type GroupRole, type GroupState, type GroupTrigger, type MemberView, createGroup, imposedFaults, stepGroup } from "../../src/core/sync-group";
import { config, ip, prio, vrid } from "./helpers";
import { Link } from "./sim";

const NAMES = ["A-lan", "B-lan", "A-wan", "B-wan"] as const;
type Name = (typeof NAMES)[number];
const GROUP_OF: Record<Name, "A" | "B"> = { "A-lan": "A", "B-lan": "B", "A-wan": "A", "B-wan": "B" };

interface GroupNote { at: number; group: string; from: GroupRole; to: GroupRole; reason: string }

/** Two routers, A (priority 150) and B (100), each grouping its LAN and WAN instance. */
class RouterPair {
  readonly link: Link;
  readonly groups = new Map<string, GroupState>([["A", createGroup("A")], ["B", createGroup("B")]]);
  readonly notes: GroupNote[] = [];
  private readonly ownFaults = new Map<Name, string[]>();

  constructor(grouped = true) {
    const lan = (primary: string, p: number) => config({ name: "lan", primary: ip(primary), vips: [ip("198.18.0.1")], priority: prio(p), syncGroup: grouped });
    const wan = (primary: string, p: number) => config({ name: "wan", vrid: vrid(52), primary: ip(primary), vips: [ip("198.19.1.1")], priority: prio(p), syncGroup: grouped });
    this.link = new Link([lan("198.18.0.2", 150), lan("198.18.0.3", 100), wan("198.19.1.2", 150), wan("198.19.1.3", 100)]);
    // LAN and WAN are separate links.
    this.link.blocked = (from, to) => (from < 2) !== (to < 2);
    if (grouped) this.link.onAction = (i, a) => this.onAction(i, a);
  }

  index(name: Name): number {
    return NAMES.indexOf(name);
  }

  role(name: Name): Role {
    return this.link.router(this.index(name)).role;
  }

  private members(group: string): Name[] {
    return NAMES.filter((n) => GROUP_OF[n] === group);
  }

  private views(group: string): MemberView[] {
    return this.members(group).map((name) => {
      const s = this.link.router(this.index(name)).state;
      return { name, role: s.role, wantsMaster: s.wantsMaster, ownFaults: this.ownFaults.get(name) ?? [] };
    });
  }

  private onAction(i: number, a: Action): void {
    const member = NAMES[i] as Name;
    if (a.kind === "notify") this.trigger(GROUP_OF[member], { kind: "transition", member, from: a.from, to: a.to, reason: a.reason });
    if (a.kind === "wantMaster") this.trigger(GROUP_OF[member], { kind: "wantMaster", member, reason: a.reason });
  }

  private trigger(group: string, t: GroupTrigger): void {
    const step = stepGroup(this.groups.get(group) ?? createGroup(group), this.views(group), t);
    this.groups.set(group, step.state);
    for (const a of step.actions) {
      if (a.kind === "notify") this.notes.push({ at: this.link.now, group, from: a.from, to: a.to, reason: a.reason });
      else this.link.input(this.index(a.member as Name), { kind: a.kind, reason: a.reason });
    }
  }

  /** A member's own fault (a tracker of weight 0) starts or ends; every
   * member of its group then works out its faults, as the daemon's runners do. */
  setFault(name: Name, fault: string | null): void {
    this.ownFaults.set(name, fault === null ? [] : [fault]);
    const group = GROUP_OF[name];
    for (const m of [name, ...this.members(group).filter((n) => n !== name)]) {
      const faults = [...(this.ownFaults.get(m) ?? []), ...imposedFaults(group, this.views(group), m)];
      const role = this.role(m);
      if (faults.length > 0 && role !== "fault") this.link.input(this.index(m), { kind: "fault", reason: faults.join("; ") });
      if (faults.length === 0 && role === "fault") this.link.input(this.index(m), { kind: "faultCleared", reason: `${name} healthy` });
    }
  }

  start(): void {
    for (const n of NAMES) this.link.input(this.index(n), { kind: "start" });
  }

  roles(): Record<Name, Role> {
    return Object.fromEntries(NAMES.map((n) => [n, this.role(n)])) as Record<Name, Role>;
  }

  transitionsOf(name: Name) {
    return this.link.transitions.filter((t) => t.router === this.index(name));
  }
}

const A_MASTER = { "A-lan": "master", "B-lan": "backup", "A-wan": "master", "B-wan": "backup" };
const B_MASTER = { "A-lan": "backup", "B-lan": "master", "A-wan": "backup", "B-wan": "master" };

describe("sync groups", () => {
  it("start: A becomes master of both instances once both want it, and each group says so once", () => {
    const p = new RouterPair();
    p.start();
    p.link.run(5000);
    expect(p.roles()).toEqual(A_MASTER);
    expect(p.notes.map((n) => `${n.group} ${n.from} -> ${n.to}`)).toEqual(["A init -> backup", "B init -> backup", "A backup -> master"]);
    // Both of A's members took over in the same instant: the second's timer let the group go.
    const [lan, wan] = [p.transitionsOf("A-lan").at(-1), p.transitionsOf("A-wan").at(-1)];
    expect(lan?.at).toBe(wan?.at);
    expect(lan?.reason).toMatch(/^sync group A master \(A-wan: master down timer expired\)$/);
  });

  it("when A dies, B's instances take over together", () => {
    const p = new RouterPair();
    p.start();
    p.link.run(5000);
    p.link.router(p.index("A-lan")).linkDown = true;
    p.link.router(p.index("A-wan")).linkDown = true;
    const died = p.link.now;
    p.link.run(5000);
    expect(p.role("B-lan")).toBe("master");
    expect(p.role("B-wan")).toBe("master");
    const [lan, wan] = [p.transitionsOf("B-lan").at(-1), p.transitionsOf("B-wan").at(-1)];
    expect(lan?.at).toBe(wan?.at);
    // Master_Down_Interval at priority 100, 1 s adverts: 3 s + 0.61 s skew, from the last advert heard.
    expect((lan?.at ?? 0) - died).toBeLessThanOrEqual(3610);
    expect(p.notes.at(-1)).toMatchObject({ group: "B", from: "backup", to: "master" });
  });

  it("a fault of A's WAN instance puts A's whole group in FAULT; B takes both over after its skew time, and gives them back", () => {
    const p = new RouterPair();
    p.start();
    p.link.run(5000);
    const failed = p.link.now;
    p.setFault("A-wan", "tracker gw down: no answer within 1000 ms");
    expect(p.role("A-wan")).toBe("fault");
    expect(p.role("A-lan")).toBe("fault");
    expect(p.transitionsOf("A-lan").at(-1)?.reason).toBe("sync group A: A-wan: tracker gw down: no answer within 1000 ms");
    expect(p.groups.get("A")?.role).toBe("fault");
    p.link.run(2000);
    expect(p.roles()).toEqual({ "A-lan": "fault", "B-lan": "master", "A-wan": "fault", "B-wan": "master" });
    // Both of A's members sent priority 0: B took over after Skew_Time (0.61 s), not Master_Down_Interval.
    expect((p.transitionsOf("B-lan").at(-1)?.at ?? 0) - failed).toBeLessThan(700);

    p.setFault("A-wan", null);
    expect(p.role("A-lan")).toBe("backup");
    expect(p.role("A-wan")).toBe("backup");
    expect(p.groups.get("A")?.role).toBe("backup");
    p.link.run(5000);
    expect(p.roles()).toEqual(A_MASTER);
    expect(p.notes.map((n) => `${n.group} ${n.from} -> ${n.to}`)).toEqual([
      "A init -> backup", "B init -> backup", "A backup -> master",
      "A master -> fault", "B backup -> master",
      "A fault -> backup", "A backup -> master", "B master -> backup",
    ]);
  });

  it("a member that stops hearing its master on one link alone stays backup and does not drag its group along", () => {
    const grouped = new RouterPair();
    const alone = new RouterPair(false);
    for (const p of [grouped, alone]) {
      p.start();
      p.link.run(5000);
      // A's WAN adverts no longer reach B (a filtering switch); the LAN is fine.
      const lanOrWan = p.link.blocked;
      p.link.blocked = (from, to) => lanOrWan(from, to) || (from === p.index("A-wan") && to === p.index("B-wan"));
      p.link.run(20_000);
    }
    expect(grouped.roles()).toEqual(A_MASTER);
    expect(grouped.transitionsOf("B-wan")).toHaveLength(1); // init -> backup only
    expect(grouped.link.router(grouped.index("B-wan")).state.wantsMaster).toBe(true);
    // Without the group, B's WAN instance takes over on its own.
    expect(alone.role("B-wan")).toBe("master");
  });

  it("a member that leaves master takes the others along, each sending priority 0", () => {
    const p = new RouterPair();
    p.start();
    p.link.run(5000);
    p.link.input(p.index("A-lan"), { kind: "resign", holdMs: 10_000 });
    expect(p.role("A-wan")).toBe("backup");
    expect(p.transitionsOf("A-wan").at(-1)?.reason).toBe("sync group A backup (A-lan: resign (planned switchover))");
    // Like the member that resigned, it answers for its address until B's member is heard.
    expect(p.link.router(p.index("A-wan")).vipHeld).toBe(true);
    p.link.run(10);
    const zeroes = p.link.deliveries.filter((d) => d.priority === 0 && d.to === p.index("B-wan"));
    expect(zeroes).toHaveLength(1);
    p.link.run(2000);
    expect(p.roles()).toEqual(B_MASTER);
    expect(p.link.router(p.index("A-wan")).vipHeld).toBe(false);
    expect(p.notes.slice(-2).map((n) => `${n.group} ${n.from} -> ${n.to}`)).toEqual(["A master -> backup", "B backup -> master"]);
  });
});

describe("stepGroup", () => {
  const view = (name: string, role: Role | null, wantsMaster = false, ownFaults: string[] = []): MemberView => ({ name, role, wantsMaster, ownFaults });

  it("holds a wanting member back until every other member wants master too, or one is master", () => {
    const g: GroupState = { name: "g", role: "backup" };
    const want = { kind: "wantMaster", member: "lan", reason: "master down timer expired" } as const;
    expect(stepGroup(g, [view("lan", "backup", true), view("wan", "backup")], want).actions).toEqual([]);
    expect(stepGroup(g, [view("lan", "backup", true), view("wan", null)], want).actions).toEqual([]);
    expect(stepGroup(g, [view("lan", "backup", true), view("wan", "backup", true)], want).actions).toEqual([
      { kind: "syncMaster", member: "lan", reason: "master down timer expired" },
    ]);
    expect(stepGroup({ name: "g", role: "master" }, [view("lan", "backup", true), view("wan", "master")], want).actions).toHaveLength(1);
  });

  it("gives each member the other members' own faults", () => {
    const members = [view("lan", "fault", false, ["tracker up down: exit status 1"]), view("wan", "master", false, ["interface eth1 down"])];
    expect(imposedFaults("g", members, "lan")).toEqual(["sync group g: wan: interface eth1 down"]);
    expect(imposedFaults("g", members, "wan")).toEqual(["sync group g: lan: tracker up down: exit status 1"]);
  });

  it("does not move on a shutdown", () => {
    const g: GroupState = { name: "g", role: "master" };
    expect(stepGroup(g, [view("lan", "init"), view("wan", "master")], { kind: "transition", member: "lan", from: "master", to: "init", reason: "shutdown" }))
      .toEqual({ state: g, actions: [] });
  });
});
