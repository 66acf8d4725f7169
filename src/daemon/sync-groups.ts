// The daemon's sync groups: each group's pure state (src/core/sync-group.ts)
// fed with its members' transitions, wishes and faults, and its decisions
// carried out on the members' runners. A group's own transitions go to the
// host (its log line, hooks, notify scripts, mail, the routes that follow it).
import { type GroupRole, type GroupState, type GroupTrigger, type MemberView, imposedFaults, stepGroup } from "../core/sync-group";
import type { Ms } from "../core/units";
import type { SyncGroupConfig } from "../config/sync-groups";
import type { Runner } from "./runner";
import type { InstanceSpec } from "./spec";
import type { SyncGroupStatus } from "./status-contract";

export interface SyncGroupHost {
  now(): Ms;
  /** The running instance of a vip section, if any. */
  runner(name: string): Runner | undefined;
  /** A group changed state, after its members did. */
  transition(group: SyncGroupConfig, from: GroupRole, to: GroupRole, reason: string): void;
}

interface Group {
  config: SyncGroupConfig;
  state: GroupState;
  last: { at: Ms; from: GroupRole; to: GroupRole; reason: string } | null;
}

export class SyncGroups {
  private readonly groups = new Map<string, Group>();
  /** While the daemon stops, members leave one by one: the groups no longer move them. */
  private stopped = false;

  constructor(private readonly host: SyncGroupHost) {}

  /** Groups whose members are unchanged keep their state; a new or changed
   * group starts from what its members are doing now, without a transition. */
  apply(configs: readonly SyncGroupConfig[]): void {
    const next = new Map<string, Group>();
    for (const config of configs) {
      const old = this.groups.get(config.name);
      if (old !== undefined && old.config.members.join() === config.members.join()) next.set(config.name, { ...old, config });
      else next.set(config.name, { config, state: { name: config.name, role: this.derivedRole(config) }, last: null });
    }
    this.groups.clear();
    for (const [name, g] of next) this.groups.set(name, g);
  }

  private derivedRole(config: SyncGroupConfig): GroupRole {
    const roles = config.members.map((m) => this.host.runner(m)?.state?.role ?? null);
    if (roles.includes("fault")) return "fault";
    if (roles.includes("master")) return "master";
    return roles.every((r) => r === "backup") ? "backup" : "init";
  }

  private groupOf(spec: InstanceSpec): Group | undefined {
    return spec.syncGroupName === null ? undefined : this.groups.get(spec.syncGroupName);
  }

  private views(g: Group): MemberView[] {
    return g.config.members.map((name) => {
      const r = this.host.runner(name);
      return { name, role: r?.state?.role ?? null, wantsMaster: r?.state?.wantsMaster ?? false, ownFaults: r?.ownFaults ?? [] };
    });
  }

  /** The faults the instance's group gives it. */
  faults(spec: InstanceSpec): string[] {
    const g = this.groupOf(spec);
    return g === undefined ? [] : imposedFaults(g.config.name, this.views(g), spec.name);
  }

  /** A member's own faults changed: the others take them up, or let them go. */
  ownFaultsChanged(spec: InstanceSpec): void {
    const g = this.groupOf(spec);
    if (g === undefined) return;
    for (const name of g.config.members) if (name !== spec.name) this.host.runner(name)?.assess(`sync group ${g.config.name}: ${spec.name} changed`);
  }

  transition(spec: InstanceSpec, from: GroupRole, to: GroupRole, reason: string): void {
    this.trigger(spec, { kind: "transition", member: spec.name, from, to, reason });
  }

  wantMaster(spec: InstanceSpec, reason: string): void {
    this.trigger(spec, { kind: "wantMaster", member: spec.name, reason });
  }

  private trigger(spec: InstanceSpec, t: GroupTrigger): void {
    const g = this.groupOf(spec);
    if (g === undefined || this.stopped) return;
    const step = stepGroup(g.state, this.views(g), t);
    g.state = step.state;
    for (const a of step.actions) {
      if (a.kind === "notify") {
        g.last = { at: this.host.now(), from: a.from, to: a.to, reason: a.reason };
        this.host.transition(g.config, a.from, a.to, a.reason);
      } else this.host.runner(a.member)?.feed({ kind: a.kind, reason: a.reason });
    }
  }

  /** The daemon stops: its masters hand over one by one, and the groups must not take the others along early. */
  freeze(): void {
    this.stopped = true;
  }

  /** Once the members have stopped: each group stops too (keepalived's group STOP notify). */
  stop(): void {
    this.stopped = true;
    for (const g of this.groups.values()) {
      if (g.state.role === "init") continue;
      const from = g.state.role;
      g.state = { ...g.state, role: "init" };
      this.host.transition(g.config, from, "init", "shutdown");
    }
  }

  status(now: Ms): SyncGroupStatus[] {
    return [...this.groups.values()].map((g) => ({
      name: g.config.name,
      state: g.state.role,
      members: [...g.config.members],
      lastTransition: g.last === null ? null : { agoMs: now - g.last.at, from: g.last.from, to: g.last.to, reason: g.last.reason },
    }));
  }
}
