// What a change of a Linux device means, decided in one place: for the
// device an instance runs on (src/daemon/device.ts) and for a `link`
// tracker alike. Pure: the platform tells it what the kernel reported and
// when a deadline passed; it answers with the link state to report and
// whether the VIPs must be put back.
//
// Three rules, each with a named delay:
// - A link that loses carrier while administratively up is reported down
//   at once when the carrier is the device's own (a NIC's cable, a veth's
//   peer, a DSA switch port: ownCarrier below), as keepalived does. When
//   the kernel derives it from other devices (a bridge's or bond's ports, a
//   VLAN's lower device) it is reported after CARRIER_SETTLE_MS, a fifth
//   of the administrative settle: a bridge re-adding its only port (netifd
//   reconfiguring it) has no carrier for well under a millisecond, and
//   that must cost no transition. A link set administratively down is
//   reported down only after LINK_SETTLE_MS: that is also how the kernel
//   starts deleting a device, and a deletion must be handled as one (next
//   rule). A link coming up is reported at once.
// - A bridge whose ports are all up without carrier is reported down at
//   once, before the kernel says so of the bridge: a port's carrier loss
//   reaches us within a millisecond, the bridge's own (which follows from
//   it) waits in the kernel's linkwatch queue for up to a second. A bridge
//   re-adding a port never shows this (the port keeps its carrier; it
//   leaves the bridge and comes back), so it still costs nothing.
// - A deleted device gets `graceMs` to come back (netifd deletes and
//   re-creates br-lan on a network restart) before it is reported down, so
//   a restart costs no transition; back and up within that time, it is
//   reported up and the VIPs are put back without a transition.
// - An address deleted from the device (a flush, or the first sign of a
//   deletion) makes the VIPs go back once the link has settled
//   (LINK_SETTLE_MS later), if the device is still there and up.

import { type Ms, after } from "../core/units";

/** How long a link set administratively down must stay so before it is
 * reported down: the kernel's delete message follows the down one within
 * milliseconds (docs/tracking.md). */
export const LINK_SETTLE_MS = 100;
/** How long a carrier loss on a link that is administratively up, and whose
 * carrier the kernel derives from other devices, must last before it is
 * reported: longer than a bridge's blink when it re-adds its only port
 * (0.15 ms measured), short next to the kernel's linkwatch delay (up to
 * 1 s) that comes before it on a cut cable. */
export const CARRIER_SETTLE_MS = 20;

/** Device kinds (IFLA_INFO_KIND) whose carrier is their own: it follows a
 * peer's or a PHY's link, never a change of the ports or lower device
 * someone reconfigures, so it cannot blink the way a bridge's does. */
const OWN_CARRIER_KINDS: ReadonlySet<string> = new Set(["veth", "dsa"]);

/** Whether a device of this kind (null: a hardware driver's, which has no
 * kind) has a carrier of its own, so that its loss is reported at once.
 * Any other kind (bridge, bond, team, vlan, macvlan, one we do not know)
 * settles first. */
export function ownCarrier(kind: string | null): boolean {
  return kind === null || OWN_CARRIER_KINDS.has(kind);
}
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
  /** The device's own flags say up (administratively and with carrier). */
  readonly flagsUp: boolean;
  /** It is a bridge whose ports have all lost carrier (portsLost below). */
  readonly portsLost: boolean;
}

/** A port of a bridge as its link messages describe it. */
export interface PortFlags {
  readonly adminUp: boolean;
  readonly carrier: boolean;
}

/** Whether a bridge with these ports has lost its carrier for good: it has
 * ports, and every one is administratively up without carrier. A port set
 * down on purpose (or none at all, between a port's removal and its
 * re-adding) leaves the verdict to the bridge's own flags and their settle. */
export function portsLost(ports: Iterable<PortFlags>): boolean {
  let any = false;
  for (const p of ports) {
    if (!p.adminUp || p.carrier) return false;
    any = true;
  }
  return any;
}

export type LinkEvent =
  /** The device's flags as a link event or a fresh lookup gave them:
   * administratively up (IFF_UP), and with carrier (IFF_RUNNING); and
   * whether that carrier is its own (ownCarrier above). */
  | { readonly kind: "link"; readonly adminUp: boolean; readonly carrier: boolean; readonly ownCarrier: boolean }
  | { readonly kind: "deleted"; readonly graceMs: number }
  /** The device's bridge ports changed: whether portsLost() holds now. */
  | { readonly kind: "ports"; readonly lost: boolean }
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
  return { name, observed: presence, reported: presence, graceUntil: null, settleAt: null, restoreAt: null,
    flagsUp: presence === "up", portsLost: false };
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

function onLink(s: LinkState, e: LinkEvent & { kind: "link" }, now: Ms): { state: LinkState; actions: LinkAction[] } {
  const { adminUp, carrier } = e;
  const flagsUp = adminUp && carrier;
  const up = flagsUp && !s.portsLost;
  const wasMissing = s.observed === "missing";
  const seen: LinkState = { ...s, observed: up ? "up" : "down", settleAt: null, flagsUp };
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
  if (st.reported === "down") return { state: st, actions };
  // A carrier of its own cannot blink: its loss is news at once.
  if (adminUp && e.ownCarrier) return settle(st);
  // The kernel reports one loss in several link messages (flags, then
  // operstate): the settle runs from the first, not the last, and a carrier
  // loss during an administrative settle shortens it.
  const pending = s.observed === "down" ? s.settleAt : null;
  const settleAt = after(now, adminUp ? CARRIER_SETTLE_MS : LINK_SETTLE_MS);
  return { state: { ...st, settleAt: pending !== null && pending < settleAt ? pending : settleAt }, actions };
}

/** Every port lost: down at once (no settle, see the header). Back: up as
 * soon as the device's own flags say so too. */
function onPorts(s: LinkState, lost: boolean): { state: LinkState; actions: LinkAction[] } {
  const st: LinkState = { ...s, portsLost: lost };
  if (lost === s.portsLost || s.observed === "missing" || s.graceUntil !== null) return { state: st, actions: [] };
  if (lost) {
    const down: LinkState = { ...st, observed: "down", reported: "down", settleAt: null };
    if (s.reported === "down") return { state: down, actions: [] };
    return { state: down, actions: [{ kind: "report", presence: "down", reason: `interface ${s.name} down (every port lost carrier)` }] };
  }
  return st.flagsUp ? settle({ ...st, observed: "up", settleAt: null }) : { state: st, actions: [] };
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
      r = onLink(s, e, now);
      break;
    case "deleted":
      r = { state: { ...s, observed: "missing", settleAt: null, graceUntil: after(now, e.graceMs), flagsUp: false, portsLost: false }, actions: [] };
      break;
    case "ports":
      r = onPorts(s, e.lost);
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
