// Named timer slots (quinn-proto's TimerTable): each slot holds a deadline or
// null, the next wake-up is their minimum, and a slot fires only once the
// caller's clock has reached it, so an early or spurious timeout is a no-op.

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

export type Timers = { readonly [K in TimerSlot]: Ms | null };

export const NO_TIMERS: Timers = {
  startDelay: null,
  masterDown: null,
  adver: null,
  preemptDelay: null,
  garpRepeat: null,
  garpRefresh: null,
};

export function arm(timers: Timers, slot: TimerSlot, at: Ms): Timers {
  return { ...timers, [slot]: at };
}

export function disarm(timers: Timers, ...slots: TimerSlot[]): Timers {
  const next = { ...timers };
  for (const slot of slots) next[slot] = null;
  return next;
}

export function nextDeadline(timers: Timers): Ms | null {
  let min: Ms | null = null;
  for (const slot of TIMER_SLOTS) {
    const at = timers[slot];
    if (at !== null && (min === null || at < min)) min = at;
  }
  return min;
}

/** Slots whose deadline is at or before `now`, in TIMER_SLOTS order. */
export function dueSlots(timers: Timers, now: Ms): TimerSlot[] {
  return TIMER_SLOTS.filter((slot) => {
    const at = timers[slot];
    return at !== null && at <= now;
  });
}
