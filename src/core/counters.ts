// Per-instance counters and transition history for `floatgw status`. They
// belong to one instance state and are counted in place (state.ts).

import type { AcceptFailure } from "./accept";
import type { Ipv4Failure } from "./ipv4";
import type { DecodeFailure } from "./packet";
import type { Role } from "./state";
import type { Ms } from "./units";

/** Every reason an advert can be refused, plus "inactive" (heard while in
 * Initialize or Fault) and "stop-refused" (a priority 0 that may not hurry a
 * takeover, state.ts). */
export type DropReason = DecodeFailure | Ipv4Failure | AcceptFailure | "inactive" | "stop-refused";

export interface TransitionRecord {
  readonly at: Ms;
  readonly from: Role;
  readonly to: Role;
  readonly reason: string;
}

export interface Counters {
  advertsRx: number;
  /** Adverts the core asked for; with a beacon (InstanceConfig.beacon)
   * the platform counts the periodic ones it sends and adds them. */
  advertsTx: number;
  priorityZeroRx: number;
  priorityZeroTx: number;
  becameMaster: number;
  transitions: number;
  /** Adverts whose address list differs from ours (processed anyway). */
  addressMismatch: number;
  /** Adverts from another master while we were master: a split brain being resolved. */
  otherMasterSeen: number;
  readonly drops: Partial<Record<DropReason, number>>;
  lastTransition: TransitionRecord | null;
  /** The last HISTORY_LIMIT transitions, oldest first. */
  readonly history: TransitionRecord[];
}

export const HISTORY_LIMIT = 20;

export function zeroCounters(): Counters {
  return {
    advertsRx: 0,
    advertsTx: 0,
    priorityZeroRx: 0,
    priorityZeroTx: 0,
    becameMaster: 0,
    transitions: 0,
    addressMismatch: 0,
    otherMasterSeen: 0,
    drops: {},
    lastTransition: null,
    history: [],
  };
}

export function countDrop(c: Counters, reason: DropReason): void {
  c.drops[reason] = (c.drops[reason] ?? 0) + 1;
}

export function countTransition(c: Counters, t: TransitionRecord): void {
  c.transitions++;
  if (t.to === "master") c.becameMaster++;
  c.lastTransition = t;
  c.history.push(t);
  if (c.history.length > HISTORY_LIMIT) c.history.shift();
}
