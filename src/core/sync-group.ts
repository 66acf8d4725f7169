// A sync group (keepalived's vrrp_sync_group): instances that change state
// together, such as a router's LAN and WAN. Pure: the members' views and
// what just happened go in, the group's new state and what its members must
// do come out; the daemon feeds those to the members' state machines.
//
// keepalived's rules (vrrp_sync.c):
// - a member that becomes master takes the others with it (syncMaster);
// - a member's Master_Down_Timer alone does not make it master: it wants to
//   (state.ts wantMaster), and the group goes master only once every other
//   member wants it too, or is master already, so that a member that lost
//   only its own master's adverts does not drag the others along and flap;
// - a member that leaves master for backup takes the others with it (syncBackup);
// - while a member has a fault of its own, every member is in FAULT: the
//   others are given the fault (imposedFaults) and go there themselves.
// A member stopping (to init) moves nothing: the daemon stops the group
// itself once every member has stopped.

import type { Role } from "./state";

/** A group has the roles of its members: master, backup, fault, or init before they have started. */
export type GroupRole = Role;

/** One member as its runner sees it; role null: its state machine has not started. */
export interface MemberView {
  readonly name: string;
  readonly role: Role | null;
  readonly wantsMaster: boolean;
  /** Its own reasons for FAULT (link, trackers), not those the group gave it. */
  readonly ownFaults: readonly string[];
}

export interface GroupState {
  readonly name: string;
  readonly role: GroupRole;
}

export type GroupTrigger =
  | { readonly kind: "transition"; readonly member: string; readonly from: Role; readonly to: Role; readonly reason: string }
  | { readonly kind: "wantMaster"; readonly member: string; readonly reason: string };

export type GroupAction =
  | { readonly kind: "syncMaster" | "syncBackup"; readonly member: string; readonly reason: string }
  | { readonly kind: "notify"; readonly from: GroupRole; readonly to: GroupRole; readonly reason: string };

export interface GroupStep {
  readonly state: GroupState;
  readonly actions: readonly GroupAction[];
}

export function createGroup(name: string): GroupState {
  return { name, role: "init" };
}

/** What the other members' own faults impose on `member`: each becomes a fault of its own. */
export function imposedFaults(group: string, members: readonly MemberView[], member: string): string[] {
  return members.flatMap((m) => (m.name === member ? [] : m.ownFaults.map((f) => `sync group ${group}: ${m.name}: ${f}`)));
}

function moveTo(g: GroupState, role: GroupRole, reason: string, actions: GroupAction[]): GroupStep {
  if (g.role === role) return { state: g, actions };
  return { state: { ...g, role }, actions: [...actions, { kind: "notify", from: g.role, to: role, reason }] };
}

/** Every other member in `role`, told to follow with `kind`. */
function follow(members: readonly MemberView[], except: string, role: Role, kind: "syncMaster" | "syncBackup", reason: string): GroupAction[] {
  return members.filter((m) => m.name !== except && m.role === role).map((m) => ({ kind, member: m.name, reason }));
}

export function stepGroup(g: GroupState, members: readonly MemberView[], t: GroupTrigger): GroupStep {
  const why = `${t.member}: ${t.reason}`;
  if (t.kind === "wantMaster") {
    const ready = g.role === "master"
      || members.every((m) => m.name === t.member || m.role === "master" || (m.role === "backup" && m.wantsMaster));
    return { state: g, actions: ready ? [{ kind: "syncMaster", member: t.member, reason: t.reason }] : [] };
  }
  if (t.to === "master") return moveTo(g, "master", why, g.role === "master" ? [] : follow(members, t.member, "backup", "syncMaster", `sync group ${g.name} master (${why})`));
  if (t.to === "fault") return moveTo(g, "fault", why, []);
  if (t.to === "backup" && t.from === "master" && g.role === "master")
    return moveTo(g, "backup", why, follow(members, t.member, "master", "syncBackup", `sync group ${g.name} backup (${why})`));
  // A member started, or left FAULT: the group is backup once none is in FAULT or not started.
  if (t.to === "backup" && (g.role === "init" || g.role === "fault") && members.every((m) => m.role === "backup" || m.role === "master"))
    return moveTo(g, "backup", why, []);
  return { state: g, actions: [] };
}
