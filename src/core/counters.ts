// Per-instance counters and transition history for `floatgw status`.

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
  readonly advertsRx: number;
  readonly advertsTx: number;
  readonly priorityZeroRx: number;
  readonly priorityZeroTx: number;
  readonly becameMaster: number;
  readonly transitions: number;
  /** Adverts whose address list differs from ours (processed anyway). */
  readonly addressMismatch: number;
  /** Adverts from another master while we were master: a split brain being resolved. */
  readonly otherMasterSeen: number;
  readonly drops: Readonly<Partial<Record<DropReason, number>>>;
  readonly lastTransition: TransitionRecord | null;
  /** The last HISTORY_LIMIT transitions, oldest first. */
  readonly history: readonly TransitionRecord[];
}

export type CounterName =
  | "advertsRx"
  | "advertsTx"
  | "priorityZeroRx"
  | "priorityZeroTx"
  | "addressMismatch"
  | "otherMasterSeen";

export const HISTORY_LIMIT = 20;

export const ZERO_COUNTERS: Counters = {
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

export function bump(c: Counters, name: CounterName): Counters {
  return { ...c, [name]: c[name] + 1 };
}

export function countDrop(c: Counters, reason: DropReason): Counters {
  return { ...c, drops: { ...c.drops, [reason]: (c.drops[reason] ?? 0) + 1 } };
}

export function countTransition(c: Counters, t: TransitionRecord): Counters {
  return {
    ...c,
    transitions: c.transitions + 1,
    becameMaster: c.becameMaster + (t.to === "master" ? 1 : 0),
    lastTransition: t,
    history: [...c.history, t].slice(-HISTORY_LIMIT),
  };
}
