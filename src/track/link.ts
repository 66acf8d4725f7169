// What a change of a Linux device means, decided in one place: for the
// device an instance runs on (src/daemon/device.ts) and for a `link`
// tracker alike. Pure: the platform tells it what the kernel reported and
// when a deadline passed; it answers with the link state to report and
// whether the VIPs must be put back.
//
// Three rules, each with a named delay:
// - A link that goes down is reported down only after LINK_SETTLE_MS: the
//   kernel reports a device being deleted as "down" first, and a bridge
//   losing a port may flap its carrier. A link coming up is reported at once.
// - A deleted device gets `graceMs` to come back (netifd deletes and
//   re-creates br-lan on a network restart) before it is reported down, so
//   a restart costs no transition; back and up within that time, it is
//   reported up and the VIPs are put back without a transition.
// - An address deleted from the device (a flush, or the first sign of a
//   deletion) makes the VIPs go back once the link has settled
//   (LINK_SETTLE_MS later), if the device is still there and up.

import { type Ms, after } from "../core/units";

/** How long a link must stay down before it is reported down. The one
 * knob between a flapping bridge port (wait) and a cut-off master keeping
 * its VIP longer than it must (do not); see docs/tracking.md. */
export const LINK_SETTLE_MS = 100;
/** The least time a deleted device gets to come back. */
export const MIN_DELETION_GRACE_MS = 1000;

export type LinkPresence = "up" | "down" | "missing";

export interface LinkState {
  readonly name: string;
  /** What the kernel says now. */
  readonly observed: LinkPresence;
  /** What was last reported (the instances' and trackers' view). */
  readonly reported: LinkPresence;
  /** Waiting for a deleted device to come back. */
  readonly graceUntil: Ms | null;
  readonly settleAt: Ms | null;
  readonly restoreAt: Ms | null;
}

export type LinkEvent =
  /** The device's flags as a link event or a fresh lookup gave them. */
  | { readonly kind: "link"; readonly up: boolean }
  | { readonly kind: "deleted"; readonly graceMs: number }
  /** An address went away from the device. */
  | { readonly kind: "addressDeleted" }
  | { readonly kind: "timeout" };

export type LinkAction =
  | { readonly kind: "report"; readonly presence: LinkPresence; readonly reason: string }
  /** Put back the VIPs someone removed, without a transition. */
  | { readonly kind: "restoreVips"; readonly reason: string };

export interface LinkStep {
  readonly state: LinkState;
  readonly actions: readonly LinkAction[];
  readonly nextDeadline: Ms | null;
}

/** A device as first looked up: its state counts as reported. */
export function createLink(name: string, presence: LinkPresence): LinkState {
  return { name, observed: presence, reported: presence, graceUntil: null, settleAt: null, restoreAt: null };
}

export function describePresence(name: string, p: LinkPresence): string {
  return p === "missing" ? `interface ${name} missing` : `interface ${name} ${p}`;
}

function nextDeadline(s: LinkState): Ms | null {
  let min: Ms | null = null;
  for (const t of [s.graceUntil, s.settleAt, s.restoreAt]) if (t !== null && (min === null || t < min)) min = t;
  return min;
}

/** Reports the observed state if it differs from the reported one. */
function settle(s: LinkState): { state: LinkState; actions: LinkAction[] } {
  if (s.observed === s.reported) return { state: s, actions: [] };
  return {
    state: { ...s, reported: s.observed },
    actions: [{ kind: "report", presence: s.observed, reason: describePresence(s.name, s.observed) }],
  };
}

function onLink(s: LinkState, up: boolean, now: Ms): { state: LinkState; actions: LinkAction[] } {
  const wasMissing = s.observed === "missing";
  const seen: LinkState = { ...s, observed: up ? "up" : "down", settleAt: null };
  const actions: LinkAction[] = [];
  let st = seen;
  if (s.graceUntil !== null) {
    // Back from a deletion: while it is not up yet, the grace deadline
    // decides; once up, the VIPs go back without a transition.
    if (!up) return { state: { ...st, settleAt: null }, actions: [] };
    st = { ...st, graceUntil: null };
    actions.push({ kind: "restoreVips", reason: `${s.name} re-created` });
  }
  if (up) {
    const settled = settle(st);
    return { state: settled.state, actions: [...actions, ...settled.actions] };
  }
  // A device that appears down (created, not up yet) is reported at once:
  // there is nothing to settle.
  if (wasMissing) return settle(st);
  // The kernel reports one carrier loss in several link messages (flags,
  // then operstate): the settle runs from the first, not the last.
  const pending = s.observed === "down" ? s.settleAt : null;
  const settleAt = pending ?? (st.reported === "down" ? null : after(now, LINK_SETTLE_MS));
  return { state: { ...st, settleAt }, actions };
}

function onTimeout(s: LinkState, now: Ms): { state: LinkState; actions: LinkAction[] } {
  let st = s;
  const actions: LinkAction[] = [];
  if (st.graceUntil !== null && st.graceUntil <= now) {
    const r = settle({ ...st, graceUntil: null });
    st = r.state;
    actions.push(...r.actions);
  }
  if (st.settleAt !== null && st.settleAt <= now) {
    const r = settle({ ...st, settleAt: null });
    st = r.state;
    actions.push(...r.actions);
  }
  if (st.restoreAt !== null && st.restoreAt <= now) {
    st = { ...st, restoreAt: null };
    if (st.observed === "up" && st.graceUntil === null)
      actions.push({ kind: "restoreVips", reason: `VIP removed from ${s.name} by someone else` });
  }
  return { state: st, actions };
}

export function stepLink(s: LinkState, e: LinkEvent, now: Ms): LinkStep {
  let r: { state: LinkState; actions: LinkAction[] };
  switch (e.kind) {
    case "link":
      r = onLink(s, e.up, now);
      break;
    case "deleted":
      r = { state: { ...s, observed: "missing", settleAt: null, graceUntil: after(now, e.graceMs) }, actions: [] };
      break;
    case "addressDeleted":
      r = { state: s.restoreAt === null ? { ...s, restoreAt: after(now, LINK_SETTLE_MS) } : s, actions: [] };
      break;
    case "timeout":
      r = onTimeout(s, now);
      break;
  }
  return { state: r.state, actions: r.actions, nextDeadline: nextDeadline(r.state) };
}
