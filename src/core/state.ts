// The VRRP instance state machine, RFC 5798 §6.4 (with RFC 3768 §6.4 for v2).
//
// Two rules, after h11's _state.py:
// 1. Every state change of an instance is in this file. Each edge is a row of
//    TRANSITIONS; `go` refuses any other edge, and docs/vrrp-core.md is
//    checked against the table.
// 2. The machine never knows who drives it. It does no I/O and reads no
//    clock: `step(state, event, now)` returns the new state, the actions for
//    the platform to perform, and the next deadline. Peer input never throws.
//
// Timers are named slots (timers.ts); a timeout handles the slots that are
// due at `now` and nothing else, so an early or spurious one is a no-op.

import { type Addr, compareAddr, formatAddr } from "./addr";
import { type AcceptFailure, type ReceivedAdvert, acceptAdvert } from "./accept";
import { type Counters, ZERO_COUNTERS, bump, countDrop, countTransition } from "./counters";
import type { InstanceConfig } from "./instance-config";
import type { Ipv4Failure } from "./ipv4";
import type { Advert, DecodeFailure } from "./packet";
import { type TimerSlot, type Timers, NO_TIMERS, arm, disarm, dueSlots, nextDeadline } from "./timers";
import { masterDownIntervalMs, skewTimeMs } from "./timing";
import { type Centisec, type Ms, OWNER_PRIORITY, type Priority, STOP_PRIORITY, after, centisecToMs } from "./units";

/** Initialize, Backup and Master of RFC 5798 §6.4, plus Fault, forced by the platform. */
export type Role = "init" | "backup" | "master" | "fault";

/** The last advert a backup heard, i.e. from the router it believes is master. */
export interface HeardAdvert {
  readonly addr: Addr;
  readonly priority: number;
  readonly at: Ms;
}

export interface InstanceState {
  readonly config: InstanceConfig;
  readonly role: Role;
  /** Effective priority (priority.ts); the one we advertise and compare with. */
  readonly priority: Priority;
  /** RFC 5798 §6.1 Master_Adver_Interval: learned from the master in v3, always ours in v2. */
  readonly masterAdverIntervalCs: Centisec;
  readonly heard: HeardAdvert | null;
  readonly timers: Timers;
  /** The start-up preempt delay has run (it applies once per start-up). */
  readonly preemptDelayServed: boolean;
  /**
   * After a resign we still hold the VIP until the new master is heard:
   * clients keep an answer while the backup's Skew_Time runs, so a planned
   * switchover loses no packet. If nobody takes over, our Master_Down_Timer
   * makes us master again with the VIP never gone.
   */
  readonly releasing: boolean;
  /** A sync group member whose Master_Down_Timer ran out while its group
   * held it back: it would be master now; cleared when it hears a master it
   * accepts, or leaves Backup. */
  readonly wantsMaster: boolean;
  readonly counters: Counters;
}

export type Event =
  | { readonly kind: "start" }
  /** A decoded advert that passed packet sanity (packet.ts). */
  | { readonly kind: "advert"; readonly rx: ReceivedAdvert }
  /** A datagram for this instance that failed packet sanity: counted only. */
  | { readonly kind: "rxError"; readonly reason: DecodeFailure | Ipv4Failure }
  /** The caller's clock reached nextDeadline (or any time: early calls do nothing). */
  | { readonly kind: "timeout" }
  | { readonly kind: "shutdown" }
  /** Interface down or a failed tracker without weight. */
  | { readonly kind: "fault"; readonly reason: string }
  | { readonly kind: "faultCleared"; readonly reason: string }
  /** New effective priority; it shows in the next advert, no transition. */
  | { readonly kind: "setPriority"; readonly priority: Priority }
  /** Planned switchover: send priority 0 and do not preempt back for holdMs. */
  | { readonly kind: "resign"; readonly holdMs: number }
  /** The sync group goes master: a backup member follows at once. */
  | { readonly kind: "syncMaster"; readonly reason: string }
  /** The sync group leaves master: a master member sends priority 0 and follows. */
  | { readonly kind: "syncBackup"; readonly reason: string };

export type EventKind = Event["kind"];

export type Action =
  | { readonly kind: "sendAdvert"; readonly priority: number }
  | { readonly kind: "addVip" }
  | { readonly kind: "removeVip" }
  /** Gratuitous ARP for IPv4, unsolicited NA for IPv6, one per VIP per packet. */
  | { readonly kind: "sendGratuitous"; readonly count: number; readonly spacingMs: number }
  | { readonly kind: "notify"; readonly from: Role; readonly to: Role; readonly reason: string }
  /** A sync group member's Master_Down_Timer ran out: it asks its group to go master. */
  | { readonly kind: "wantMaster"; readonly reason: string }
  | { readonly kind: "log"; readonly level: "info" | "warn"; readonly message: string };

export interface Step {
  readonly state: InstanceState;
  readonly actions: readonly Action[];
  readonly nextDeadline: Ms | null;
}

interface TransitionRule {
  readonly from: readonly Role[];
  readonly to: Role;
  readonly on: string;
  readonly ref: string;
}

/** Every edge of the machine. The docs' state table is rendered from this. */
export const TRANSITIONS = {
  ownerStartup: {
    from: ["init", "fault"],
    to: "master",
    on: "start (after the start-up delay) or faultCleared, with priority 255",
    ref: "RFC 5798 §6.4.1",
  },
  startup: {
    from: ["init", "fault"],
    to: "backup",
    on: "start (after the start-up delay) or faultCleared, priority below 255",
    ref: "RFC 5798 §6.4.1",
  },
  masterDown: {
    from: ["backup"],
    to: "master",
    on: "masterDown timer expires",
    ref: "RFC 5798 §6.4.2",
  },
  preempted: {
    from: ["master"],
    to: "backup",
    on: "advert with higher priority, or equal priority from a higher address; one last advert at our priority first",
    ref: "RFC 5798 §6.4.3; keepalived `higher_prio_send_advert`",
  },
  resign: {
    from: ["master"],
    to: "backup",
    on: "resign: send priority 0, keep the VIP until the new master is heard, hold off own preemption",
    ref: "floatgw switchover",
  },
  syncMaster: {
    from: ["backup"],
    to: "master",
    on: "syncMaster: the member's sync group goes master",
    ref: "keepalived vrrp_sync_master",
  },
  syncBackup: {
    from: ["master"],
    to: "backup",
    on: "syncBackup: the member's sync group leaves master; as resign, without a hold-off",
    ref: "keepalived vrrp_sync_backup",
  },
  shutdown: {
    from: ["backup", "master", "fault"],
    to: "init",
    on: "shutdown (a master first sends priority 0)",
    ref: "RFC 5798 §6.4.2, §6.4.3",
  },
  fault: {
    from: ["init", "backup", "master"],
    to: "fault",
    on: "fault (a master first sends priority 0)",
    ref: "keepalived FAULT state",
  },
} as const satisfies Record<string, TransitionRule>;

export type TransitionId = keyof typeof TRANSITIONS;

interface Change {
  readonly state: InstanceState;
  readonly actions: readonly Action[];
}

export function createInstance(config: InstanceConfig): InstanceState {
  return {
    config,
    role: "init",
    priority: config.priority,
    masterAdverIntervalCs: config.advertIntervalCs,
    heard: null,
    timers: NO_TIMERS,
    preemptDelayServed: false,
    releasing: false,
    wantsMaster: false,
    counters: ZERO_COUNTERS,
  };
}

export function step(s: InstanceState, e: Event, now: Ms): Step {
  const change = dispatch(s, e, now);
  return { state: change.state, actions: change.actions, nextDeadline: nextDeadline(change.state.timers) };
}

// ---- helpers ---------------------------------------------------------------

const unchanged = (s: InstanceState): Change => ({ state: s, actions: [] });

function then(first: Change, next: (s: InstanceState) => Change): Change {
  const second = next(first.state);
  return { state: second.state, actions: [...first.actions, ...second.actions] };
}

function masterDownInterval(s: InstanceState): number {
  return masterDownIntervalMs(s.config.version, s.priority, s.masterAdverIntervalCs);
}

function skewTime(s: InstanceState): number {
  return skewTimeMs(s.config.version, s.priority, s.masterAdverIntervalCs);
}

function send(s: InstanceState, priority: number): Change {
  let counters = bump(s.counters, "advertsTx");
  if (priority === STOP_PRIORITY) counters = bump(counters, "priorityZeroTx");
  return { state: { ...s, counters }, actions: [{ kind: "sendAdvert", priority }] };
}

/** Send an advert and (re)start the Adver_Timer: RFC 5798 §6.4.1, §6.4.3. */
function advertise(s: InstanceState, now: Ms): Change {
  const sent = send(s, s.priority);
  const timers = arm(sent.state.timers, "adver", after(now, centisecToMs(s.config.advertIntervalCs)));
  return { state: { ...sent.state, timers }, actions: sent.actions };
}

function resetMasterDown(s: InstanceState, now: Ms): InstanceState {
  return { ...s, timers: arm(s.timers, "masterDown", after(now, masterDownInterval(s))) };
}

/** RFC 5798 §6.4.2, §6.4.3: v3 sets Master_Adver_Interval from the advert; v2 has no such field. */
function learnInterval(s: InstanceState, a: Advert): InstanceState {
  return a.version === 3 ? { ...s, masterAdverIntervalCs: a.maxAdverIntervalCs } : s;
}

/** Lets go of a VIP still held after a resign. */
function release(s: InstanceState): Change {
  if (!s.releasing) return unchanged(s);
  return { state: { ...s, releasing: false }, actions: [{ kind: "removeVip" }] };
}

// ---- entry and exit actions (FRR's vrrp_change_state_handlers) --------------

const ON_LEAVE: Record<Role, (s: InstanceState) => Change> = {
  init: unchanged,
  fault: unchanged,
  backup: (s) => release({ ...s, wantsMaster: false, timers: disarm(s.timers, "masterDown", "preemptDelay") }),
  master: (s) => ({
    state: { ...s, timers: disarm(s.timers, "adver", "garpRepeat", "garpRefresh") },
    actions: [{ kind: "removeVip" }],
  }),
};

function quiesce(s: InstanceState): Change {
  return unchanged({ ...s, timers: NO_TIMERS, heard: null, masterAdverIntervalCs: s.config.advertIntervalCs });
}

const ON_ENTER: Record<Role, (s: InstanceState, now: Ms) => Change> = {
  init: quiesce,
  fault: quiesce,
  // RFC 5798 §6.4.1 / §6.4.3: Set the Master_Down_Timer to Master_Down_Interval.
  backup: (s, now) => unchanged(resetMasterDown(s, now)),
  // RFC 5798 §6.4.1 / §6.4.2: send an advert, take the addresses, announce
  // them (gratuitous ARP / unsolicited NA), start the Adver_Timer.
  master: (s, now) => {
    const g = s.config.gratuitous;
    let timers = s.timers;
    if (g.repeatDelayMs !== null) timers = arm(timers, "garpRepeat", after(now, g.repeatDelayMs));
    if (g.refreshMs !== null) timers = arm(timers, "garpRefresh", after(now, g.refreshMs));
    const sent = advertise({ ...s, heard: null, timers }, now);
    return {
      state: sent.state,
      actions: [...sent.actions, { kind: "addVip" }, { kind: "sendGratuitous", count: g.count, spacingMs: g.spacingMs }],
    };
  },
};

/** Takes edge `id` of TRANSITIONS; any other edge is a bug in this file. */
function go(s: InstanceState, id: TransitionId, reason: string, now: Ms): Change {
  const rule: TransitionRule = TRANSITIONS[id];
  if (!rule.from.includes(s.role)) throw new Error(`vrrp core bug: transition ${id} from ${s.role}`);
  // A backup still holding the VIP after a resign keeps it when it becomes
  // master again: releasing it there would only open a gap.
  const leaving = s.releasing && rule.to === "master" ? { ...s, releasing: false } : s;
  const left = ON_LEAVE[s.role](leaving);
  const entered = ON_ENTER[rule.to]({ ...left.state, role: rule.to }, now);
  const record = { at: now, from: s.role, to: rule.to, reason };
  return {
    state: { ...entered.state, counters: countTransition(entered.state.counters, record) },
    actions: [...left.actions, ...entered.actions, { kind: "notify", from: s.role, to: rule.to, reason }],
  };
}

/** RFC 5798 §6.4.1: the Startup event, from Initialize (or when a fault clears). */
function startup(s: InstanceState, reason: string, now: Ms): Change {
  const fresh: InstanceState = {
    ...s,
    masterAdverIntervalCs: s.config.advertIntervalCs,
    preemptDelayServed: false,
    timers: disarm(s.timers, "startDelay"),
  };
  if (s.priority === OWNER_PRIORITY) return go(fresh, "ownerStartup", `${reason}; address owner (priority 255)`, now);
  return go(fresh, "startup", reason, now);
}

// ---- adverts -----------------------------------------------------------------

/**
 * While the preempt delay (after start-up) or a resign hold-off runs, a
 * backup keeps honouring a lower-priority master. Returns the state to
 * continue with, or null when preemption may go ahead.
 */
function holdPreemption(s: InstanceState, now: Ms): InstanceState | null {
  if (s.timers.preemptDelay !== null) return s;
  if (!s.preemptDelayServed && s.config.preemptDelayMs > 0)
    return { ...s, timers: arm(s.timers, "preemptDelay", after(now, s.config.preemptDelayMs)) };
  return null;
}

/** RFC 5798 §6.4.2, "If an ADVERTISEMENT is received"; after a resign, an
 * advert from the new master also lets go of the VIP we still held. */
function backupAdvert(s: InstanceState, rx: ReceivedAdvert, now: Ms): Change {
  if (s.releasing && rx.advert.priority !== STOP_PRIORITY) return then(release(s), (st) => heardAsBackup(st, rx, now));
  return heardAsBackup(s, rx, now);
}

function heardAsBackup(s: InstanceState, rx: ReceivedAdvert, now: Ms): Change {
  const a = rx.advert;
  const heardState: InstanceState = { ...s, heard: { addr: rx.src, priority: a.priority, at: now } };
  if (a.priority === STOP_PRIORITY) {
    // "If the Priority in the ADVERTISEMENT is zero, then: Set the Master_Down_Timer to Skew_Time."
    return unchanged({ ...heardState, timers: arm(heardState.timers, "masterDown", after(now, skewTime(heardState))) });
  }
  let st: InstanceState | null = heardState;
  if (s.config.preempt && a.priority < s.priority) {
    st = holdPreemption(heardState, now);
    // "Else (preempt true and priority lower): Discard the ADVERTISEMENT";
    // the Master_Down_Timer then runs out and we take over.
    if (st === null) return unchanged(heardState);
  }
  // "If Preempt_Mode is False, or If the Priority in the ADVERTISEMENT is
  // greater than or equal to the local Priority": learn the interval (v3) and
  // reset the Master_Down_Timer. A sync group member no longer wants master.
  return unchanged(resetMasterDown(learnInterval({ ...st, wantsMaster: false }, a), now));
}

/** RFC 5798 §6.4.3, "If an ADVERTISEMENT is received". */
function masterAdvert(s: InstanceState, rx: ReceivedAdvert, now: Ms): Change {
  const a = rx.advert;
  // "If the Priority in the ADVERTISEMENT is zero, then: Send an
  // ADVERTISEMENT; Reset the Adver_Timer".
  if (a.priority === STOP_PRIORITY) return advertise(s, now);
  const st: InstanceState = { ...s, counters: bump(s.counters, "otherMasterSeen") };
  const higher = a.priority > s.priority;
  if (higher || (a.priority === s.priority && compareAddr(rx.src, s.config.primary) > 0)) {
    const from = formatAddr(rx.src);
    const reason = higher
      ? `higher priority ${a.priority} from ${from}`
      : `preempted by ${from} (equal priority ${a.priority}, higher address)`;
    const next = { ...learnInterval(st, a), heard: { addr: rx.src, priority: a.priority, at: now } };
    // Beyond the RFC: one last advert at our own priority before we leave.
    // When a split brain heals and we hear the winner first, we would
    // otherwise leave silently; the winner, never hearing us, would not
    // announce the VIP again, and clients that followed our gratuitous ARPs
    // would keep our MAC until their neighbour entry ages out (3.7 s in the
    // bench). Hearing this advert makes the winner announce it (below).
    // keepalived's higher_prio_send_advert, on by default here.
    return then(send(next, next.priority), (t) => go(t, "preempted", reason, now));
  }
  // "Else: Discard ADVERTISEMENT": the other master yields to our next advert.
  // While both were masters (a healed split brain) clients may have learnt
  // the other router's MAC for the VIP; announce it again so they come back
  // at once instead of when their ARP entry expires (keepalived's
  // garp_lower_prio_repeat; keepalived#2387).
  const g = s.config.gratuitous;
  return { state: st, actions: [{ kind: "sendGratuitous", count: g.count, spacingMs: g.spacingMs }] };
}

const ADVERT_BY_ROLE: Partial<Record<Role, (s: InstanceState, rx: ReceivedAdvert, now: Ms) => Change>> = {
  backup: backupAdvert,
  master: masterAdvert,
};

function dropped(s: InstanceState, reason: AcceptFailure | "inactive", message: string | null): Change {
  const state = { ...s, counters: countDrop(s.counters, reason) };
  return { state, actions: message === null ? [] : [{ kind: "log", level: "warn", message }] };
}

function onAdvert(s: InstanceState, rx: ReceivedAdvert, now: Ms): Change {
  const counted: InstanceState = { ...s, counters: bump(s.counters, "advertsRx") };
  const handler = ADVERT_BY_ROLE[s.role];
  if (handler === undefined) return dropped(counted, "inactive", null);
  const verdict = acceptAdvert(s.config, rx);
  if (!verdict.ok) return dropped(counted, verdict.reason, verdict.detail);
  let st = counted;
  const actions: Action[] = [];
  if (verdict.value.addressMismatch !== null) {
    st = { ...st, counters: bump(st.counters, "addressMismatch") };
    actions.push({ kind: "log", level: "warn", message: `advert from ${formatAddr(rx.src)}: ${verdict.value.addressMismatch}` });
  }
  if (rx.advert.priority === STOP_PRIORITY) st = { ...st, counters: bump(st.counters, "priorityZeroRx") };
  const handled = handler(st, rx, now);
  return { state: handled.state, actions: [...actions, ...handled.actions] };
}

// ---- timers ------------------------------------------------------------------

function masterDownReason(s: InstanceState): string {
  const h = s.heard;
  if (h === null) return "master down timer expired";
  const from = formatAddr(h.addr);
  if (h.priority === STOP_PRIORITY) return `priority 0 from master ${from}`;
  if (s.config.preempt && h.priority < s.priority) return `preempting lower priority ${h.priority} master ${from}`;
  return `master down timer expired (last advert from ${from})`;
}

const ON_TIMER: Record<TimerSlot, (s: InstanceState, now: Ms) => Change> = {
  startDelay: (s, now) => startup(s, "start-up delay over", now),
  // RFC 5798 §6.4.2: "If the Master_Down_Timer fires".
  masterDown: (s, now) => (s.config.syncGroup ? wantMaster(s, now) : go(s, "masterDown", masterDownReason(s), now)),
  // RFC 5798 §6.4.3: "If the Adver_Timer fires, then: Send an ADVERTISEMENT; Reset the Adver_Timer".
  adver: advertise,
  preemptDelay: (s) => unchanged({ ...s, preemptDelayServed: true, timers: disarm(s.timers, "preemptDelay") }),
  garpRepeat: (s) => ({
    state: { ...s, timers: disarm(s.timers, "garpRepeat") },
    actions: [{ kind: "sendGratuitous", count: s.config.gratuitous.count, spacingMs: s.config.gratuitous.spacingMs }],
  }),
  garpRefresh: (s, now) => {
    const g = s.config.gratuitous;
    // refreshMs is only null here if the platform swapped the config while master.
    const timers = g.refreshMs === null ? disarm(s.timers, "garpRefresh") : arm(s.timers, "garpRefresh", after(now, g.refreshMs));
    return { state: { ...s, timers }, actions: [{ kind: "sendGratuitous", count: g.refreshCount, spacingMs: g.spacingMs }] };
  },
};

/** A sync group member may not take over on its own (keepalived's
 * vrrp_sync_can_goto_master): it tells its group it wants to and waits
 * another Master_Down_Interval, still a backup. A VIP it kept after a
 * resign goes now: nobody took it over, and the group decides who will. */
function wantMaster(s: InstanceState, now: Ms): Change {
  const wanting = then(release(s), (st) => unchanged(resetMasterDown({ ...st, wantsMaster: true }, now)));
  return { state: wanting.state, actions: [...wanting.actions, { kind: "wantMaster", reason: masterDownReason(s) }] };
}

function onTimeout(s: InstanceState, now: Ms): Change {
  let change = unchanged(s);
  for (const slot of dueSlots(s.timers, now)) {
    // An earlier slot's handler may have re-armed or cleared this one.
    const at = change.state.timers[slot];
    if (at !== null && at <= now) change = then(change, (st) => ON_TIMER[slot](st, now));
  }
  return change;
}

/** A master that steps down on purpose (a switchover, or its sync group
 * leaving master) sends priority 0 and keeps the VIP (drops Master's
 * removeVip) until the new master is heard: see `releasing`. It does not
 * preempt back for holdMs. */
function handOver(s: InstanceState, edge: "resign" | "syncBackup", reason: string, holdMs: number, now: Ms): Change {
  const gone = then(send(s, STOP_PRIORITY), (st) => go(st, edge, reason, now));
  const timers = arm(gone.state.timers, "preemptDelay", after(now, holdMs));
  const held = { ...gone.state, preemptDelayServed: true, releasing: true, timers };
  return { state: held, actions: gone.actions.filter((a) => a.kind !== "removeVip") };
}

// ---- the event table -------------------------------------------------------------

type Handler<K extends EventKind> = (s: InstanceState, e: Extract<Event, { kind: K }>, now: Ms) => Change;

function inEveryRole<K extends EventKind>(h: Handler<K>): Record<Role, Handler<K>> {
  return { init: h, backup: h, master: h, fault: h };
}

/** Event × role. A missing cell means the event does nothing in that role. */
const HANDLERS: { readonly [K in EventKind]: Partial<Record<Role, Handler<K>>> } = {
  start: {
    init: (s, _e, now) => {
      if (s.timers.startDelay !== null) return unchanged(s);
      if (s.config.startDelayMs > 0)
        return unchanged({ ...s, timers: arm(s.timers, "startDelay", after(now, s.config.startDelayMs)) });
      return startup(s, "start", now);
    },
  },
  advert: inEveryRole((s, e, now) => onAdvert(s, e.rx, now)),
  rxError: inEveryRole((s, e) => unchanged({ ...s, counters: countDrop(s.counters, e.reason) })),
  // Initialize (outside a start-up delay) and Fault have no armed slot: nothing is due.
  timeout: inEveryRole((s, _e, now) => onTimeout(s, now)),
  shutdown: {
    // Cancels a pending start-up delay.
    init: (s) => unchanged({ ...s, timers: NO_TIMERS }),
    backup: (s, _e, now) => go(s, "shutdown", "shutdown", now),
    // RFC 5798 §6.4.3: "Cancel the Adver_Timer; Send an ADVERTISEMENT with Priority = 0".
    master: (s, _e, now) => then(send(s, STOP_PRIORITY), (st) => go(st, "shutdown", "shutdown", now)),
    fault: (s, _e, now) => go(s, "shutdown", "shutdown", now),
  },
  fault: {
    init: (s, e, now) => go(s, "fault", e.reason, now),
    backup: (s, e, now) => go(s, "fault", e.reason, now),
    // Best effort: on a dead link the send fails, but for a failed tracker the
    // priority 0 lets the backup take over after Skew_Time.
    master: (s, e, now) => then(send(s, STOP_PRIORITY), (st) => go(st, "fault", e.reason, now)),
  },
  faultCleared: {
    fault: (s, e, now) => startup(s, e.reason, now),
  },
  setPriority: inEveryRole((s, e) => unchanged({ ...s, priority: e.priority })),
  syncMaster: {
    backup: (s, e, now) => go(s, "syncMaster", e.reason, now),
  },
  syncBackup: {
    master: (s, e, now) => handOver(s, "syncBackup", e.reason, 0, now),
  },
  resign: {
    master: (s, e, now) => handOver(s, "resign", "resign (planned switchover)", e.holdMs, now),
  },
};

function dispatch(s: InstanceState, e: Event, now: Ms): Change {
  // The cast pairs each event with its own handler row; TypeScript cannot
  // correlate the two unions on its own.
  const handler = (HANDLERS[e.kind] as Partial<Record<Role, Handler<EventKind>>>)[s.role];
  return handler === undefined ? unchanged(s) : handler(s, e, now);
}
