// Effective priority: the configured base plus tracker weights, with the
// breakdown `floatgw status` prints.

import { OWNER_PRIORITY, type Priority } from "./units";

/** RFC 5798 §5.2.4: 1..254 for routers that back up; 255 is the owner's alone. */
export const MIN_BACKUP_PRIORITY = 1 as Priority;
export const MAX_BACKUP_PRIORITY = 254 as Priority;

export interface TrackerStatus {
  readonly name: string;
  /** keepalived semantics: a positive weight is added while up, a negative one while down. */
  readonly weight: number;
  readonly up: boolean;
}

export interface PriorityBreakdown {
  readonly base: Priority;
  readonly effective: Priority;
  /** Each tracker and the amount it adds right now (0 when its condition does not apply). */
  readonly terms: readonly { readonly name: string; readonly weight: number; readonly up: boolean; readonly applied: number }[];
  /** The unclamped sum, when clamping changed it. */
  readonly clampedFrom: number | null;
  /** True when the base is 255: the owner ignores trackers (keepalived does the same). */
  readonly owner: boolean;
}

function appliedWeight(t: TrackerStatus): number {
  if (t.weight > 0) return t.up ? t.weight : 0;
  return t.up ? 0 : t.weight;
}

export function effectivePriority(base: Priority, trackers: readonly TrackerStatus[]): PriorityBreakdown {
  const terms = trackers.map((t) => ({ name: t.name, weight: t.weight, up: t.up, applied: appliedWeight(t) }));
  if (base === OWNER_PRIORITY) {
    return { base, effective: base, terms: terms.map((t) => ({ ...t, applied: 0 })), clampedFrom: null, owner: true };
  }
  const sum = terms.reduce((acc, t) => acc + t.applied, base as number);
  const effective = Math.min(MAX_BACKUP_PRIORITY, Math.max(MIN_BACKUP_PRIORITY, sum)) as Priority;
  return { base, effective, terms, clampedFrom: effective === sum ? null : sum, owner: false };
}
