// Effective priority and FAULT from the trackers an instance follows, with
// keepalived's semantics (vrrp_track.c, track_file.c), and the breakdown
// `floatgw status` prints:
// - weight 0: the instance is in FAULT while the tracker fails (while it is
//   up, with `reverse`), and waits for the tracker's first result before
//   its first election;
// - positive weight: added while the tracker is up; negative: added while
//   it is down; `reverse` negates what is added;
// - a file tracker adds its number times the weight; a product of -254 or
//   less is FAULT, more than 253 counts as 253; with weight 0, any number
//   but 0 is FAULT;
// - a dynamic weight (keepalived misc_dynamic) replaces the weight while up;
// - the sum is clamped to 1..254; an owner (255) is never changed.

import { OWNER_PRIORITY, type Priority } from "./units";

/** RFC 5798 §5.2.4: 1..254 for routers that back up; 255 is the owner's alone. */
export const MIN_BACKUP_PRIORITY = 1 as Priority;
export const MAX_BACKUP_PRIORITY = 254 as Priority;

/** keepalived: a file's product at or below this puts the instance in FAULT. */
const FILE_FAULT_AT = -254;
const FILE_MAX = 253;

export type TrackerState = "init" | "up" | "down";

export interface TrackTerm {
  readonly name: string;
  /** As this instance uses the tracker. */
  readonly weight: number;
  readonly reverse: boolean;
  readonly state: TrackerState;
  /** A file tracker: the number read. */
  readonly fileValue: number | null;
  /** A dynamic weight (exit status - 2) that replaces `weight` while up. */
  readonly dynamicWeight: number | null;
  /** Why the tracker is in its state: "exit status 1", "interface eth1 down". */
  readonly detail: string;
}

/** What a term does to the instance right now. */
export type Effect = "none" | "priority" | "fault" | "pending";

export interface Contribution extends TrackTerm {
  /** Added to the base priority (0 for an owner, and for faults). */
  readonly applied: number;
  readonly effect: Effect;
}

export interface PriorityBreakdown {
  readonly base: Priority;
  readonly effective: Priority;
  readonly terms: readonly Contribution[];
  /** The unclamped sum, when clamping changed it. */
  readonly clampedFrom: number | null;
  /** The base is 255: weights do not apply (keepalived ignores them too). */
  readonly owner: boolean;
  /** Terms that hold the instance in FAULT. */
  readonly faults: readonly Contribution[];
  /** Terms of weight 0 that have not given a first result: the instance waits. */
  readonly pending: readonly Contribution[];
}

function fileTerm(t: TrackTerm): { applied: number; effect: Effect } {
  const value = t.fileValue ?? 0;
  if (t.weight === 0) return (value !== 0) !== t.reverse ? { applied: 0, effect: "fault" } : { applied: 0, effect: "none" };
  const product = value * t.weight * (t.reverse ? -1 : 1);
  if (product <= FILE_FAULT_AT) return { applied: 0, effect: "fault" };
  const applied = Math.min(product, FILE_MAX);
  return { applied, effect: applied === 0 ? "none" : "priority" };
}

function stateTerm(t: TrackTerm): { applied: number; effect: Effect } {
  if (t.state === "init") return { applied: 0, effect: t.weight === 0 ? "pending" : "none" };
  const up = t.state === "up";
  if (t.weight === 0 && up === t.reverse) return { applied: 0, effect: "fault" };
  const unsigned = up ? (t.dynamicWeight ?? (t.weight > 0 ? t.weight : 0)) : t.weight < 0 ? t.weight : 0;
  const applied = t.reverse ? -unsigned : unsigned;
  return { applied, effect: applied === 0 ? "none" : "priority" };
}

export function contribution(t: TrackTerm, owner: boolean): Contribution {
  const c = t.fileValue !== null ? fileTerm(t) : stateTerm(t);
  if (owner && c.effect === "priority") return { ...t, applied: 0, effect: "none" };
  return { ...t, ...c };
}

export function effectivePriority(base: Priority, terms: readonly TrackTerm[]): PriorityBreakdown {
  const owner = base === OWNER_PRIORITY;
  const contributions = terms.map((t) => contribution(t, owner));
  const faults = contributions.filter((c) => c.effect === "fault");
  const pending = contributions.filter((c) => c.effect === "pending");
  if (owner) return { base, effective: base, terms: contributions, clampedFrom: null, owner, faults, pending };
  const sum = contributions.reduce((acc, c) => acc + c.applied, base as number);
  const effective = Math.min(MAX_BACKUP_PRIORITY, Math.max(MIN_BACKUP_PRIORITY, sum)) as Priority;
  return { base, effective, terms: contributions, clampedFrom: effective === sum ? null : sum, owner, faults, pending };
}
