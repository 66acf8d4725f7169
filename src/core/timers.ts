// Named timer slots (quinn-proto's TimerTable): each slot holds a deadline or
// null, the next wake-up is their minimum, and a slot fires only once the
// caller's clock has reached it, so an early or spurious timeout is a no-op.
// The slots belong to one instance state and change in place (state.ts).

import type { Ms } from "./units";

/** Slot names, in the order due slots are handled within one timeout. */
export const TIMER_SLOTS = [
  "startDelay",
  "masterDown",
  "adver",
  "preemptDelay",
  "garpRepeat",
  "garpRefresh",
] as const;

export type TimerSlot = (typeof TIMER_SLOTS)[number];

export type Timers = { [K in TimerSlot]: Ms | null };

/** A fresh set of slots, none armed. */
export function noTimers(): Timers {
  return { startDelay: null, masterDown: null, adver: null, preemptDelay: null, garpRepeat: null, garpRefresh: null };
}

export function clearTimers(t: Timers): void {
  t.startDelay = t.masterDown = t.adver = t.preemptDelay = t.garpRepeat = t.garpRefresh = null;
}

/** The earliest armed slot, leaving out masterDown when `watched` (the
 * backup's listener child keeps that deadline: src/daemon/listener.ts).
 * Written out slot by slot: it runs after every event, and a loop over the
 * names costs several times more in QuickJS. */
export function nextDeadline(t: Timers, watched = false): Ms | null {
  let min = t.startDelay;
  if (!watched && t.masterDown !== null && (min === null || t.masterDown < min)) min = t.masterDown;
  if (t.adver !== null && (min === null || t.adver < min)) min = t.adver;
  if (t.preemptDelay !== null && (min === null || t.preemptDelay < min)) min = t.preemptDelay;
  if (t.garpRepeat !== null && (min === null || t.garpRepeat < min)) min = t.garpRepeat;
  if (t.garpRefresh !== null && (min === null || t.garpRefresh < min)) min = t.garpRefresh;
  return min;
}
