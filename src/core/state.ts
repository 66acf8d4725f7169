// The VRRP instance state machine, RFC 5798 §6.4 (with RFC 3768 §6.4 for v2).
//
// Three rules, after h11's _state.py and quinn-proto:
// 1. Every state change of an instance is in this file. Each edge is a row of
//    TRANSITIONS; `go` refuses any other edge, and docs/vrrp-core.md is
//    checked against the table.
// 2. The machine never knows who drives it. It does no I/O and reads no
//    clock: `step(state, event, now)` brings the state up to date and returns
//    the actions for the platform to perform; `nextDeadline(state.timers)` is
//    when it wants its next timeout. Peer input never throws.
// 3. The state is one object per instance, changed in place, and the steady
//    state allocates nothing: a backup hearing its master and a master's
//    advert timer (the work of every advert interval) touch a few fields and
//    return shared action lists. In QuickJS every new object costs more than
//    the whole step (docs/performance.md), so copies are kept for the rare
//    edges (transitions, drops, logs).
//
// Timers are named slots (timers.ts); a timeout handles the slots that are
// due at `now` and nothing else, so an early or spurious one is a no-op.

import { type Addr, addrEquals, compareAddr, formatAddr } from "./addr";
import { type AcceptFailure, type ReceivedAdvert, acceptAdvert } from "./accept";
import { type Counters, countDrop, countTransition, zeroCounters } from "./counters";
import type { InstanceConfig } from "./instance-config";
import type { Ipv4Failure } from "./ipv4";
import type { Advert, DecodeFailure } from "./packet";
import { TIMER_SLOTS, type TimerSlot, type Timers, clearTimers, noTimers } from "./timers";
import { masterDownIntervalMs, skewTimeMs } from "./timing";
import { type Centisec, type Ms, OWNER_PRIORITY, type Priority, STOP_PRIORITY, after, centisecToMs } from "./units";

/** Initialize, Backup and Master of RFC 5798 §6.4, plus Fault, forced by the platform. */
export type Role = "init" | "backup" | "master" | "fault";

/** The last advert a backup heard, i.e. from the router it believes is master. */
export interface HeardAdvert {
  readonly addr: Addr;
  priority: number;
  at: Ms;
}

/** One instance's state, owned by whoever drives it and changed only by
 * `step`; read it, never write it. */
export interface InstanceState {
  readonly config: InstanceConfig;
  role: Role;
  /** Effective priority (priority.ts); the one we advertise and compare with. */
  priority: Priority;
  /** RFC 5798 §6.1 Master_Adver_Interval: learned from the master in v3, always ours in v2. */
  masterAdverIntervalCs: Centisec;
  heard: HeardAdvert | null;
  readonly timers: Timers;
  /** The start-up preempt delay has run (it applies once per start-up). */
  preemptDelayServed: boolean;
  /**
   * After a resign we still hold the VIP until the new master is heard:
   * clients keep an answer while the backup's Skew_Time runs, so a planned
   * switchover loses no packet. If nobody takes over, our Master_Down_Timer
   * makes us master again with the VIP never gone.
   */
  releasing: boolean;
  /** The last advert accepted as it is (address list included): the
   * platform hands over the same object for the same datagram, and
   * acceptance depends on nothing else but the configuration. */
  accepted: ReceivedAdvert | null;
  /** When the last takeovers on a priority-0 advert happened (at most
   * STOP_TAKEOVERS_PER_WINDOW of them), to bound what a flood of forged
   * priority-0 adverts can do. */
  stopTakeovers: Ms[];
  /** A sync group member whose Master_Down_Timer ran out while its group
   * held it back: it would be master now; cleared when it hears a master it
   * accepts, or leaves Backup. */
  wantsMaster: boolean;
  /** While master: when it last sent the advert that (re)started its
   * Adver_Timer. The periodic adverts follow at phase + k × interval. */
  advertPhase: Ms | null;
  /** While master: when it last announced its VIPs again on a lower
   * master's advert, to bound what a flood of them can make it send. */
  reannouncedAt: Ms | null;
  /** While master: when it last answered another router's advert (a lower
   * master's, or a priority 0) with one of its own, likewise. */
  answeredAt: Ms | null;
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
  | { readonly kind: "syncBackup"; readonly reason: string }
  /** The dead-man switch fired while the daemon hung: it already sent
   * priority 0 and deleted the VIPs, and a backup has taken over. */
  | { readonly kind: "abandoned" };

export type EventKind = Event["kind"];

/** The timeout event; it carries nothing, so one object serves every caller. */
export const TIMEOUT: Event = { kind: "timeout" };

/** A master's periodic adverts, handed to the platform when
 * InstanceConfig.beacon is set: one at `priority` every `intervalMs`, at
 * phase + k × intervalMs for k = 1, 2, ... (the Adver_Timer of RFC 5798
 * §6.4.3 without the daemon waking for it). */
export interface BeaconSchedule {
  readonly priority: Priority;
  readonly intervalMs: Ms;
  readonly phase: Ms;
}

export type Action =
  | { readonly kind: "sendAdvert"; readonly priority: number }
  /** Start (or re-phase, or change) the periodic adverts; null stops them.
   * Only when InstanceConfig.beacon is set. */
  | { readonly kind: "beacon"; readonly schedule: BeaconSchedule | null }
  | { readonly kind: "addVip" }
  | { readonly kind: "removeVip" }
  /** Gratuitous ARP for IPv4, unsolicited NA for IPv6, one per VIP per packet. */
  | { readonly kind: "sendGratuitous"; readonly count: number; readonly spacingMs: number }
  | { readonly kind: "notify"; readonly from: Role; readonly to: Role; readonly reason: string }
  /** A sync group member's Master_Down_Timer ran out: it asks its group to go master. */
  | { readonly kind: "wantMaster"; readonly reason: string }
  /** `reason` keys log rate limiting: the message names a source, which a
   * flood of forged packets varies at will. */
  | { readonly kind: "log"; readonly level: "info" | "warn"; readonly reason: string; readonly message: string };

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
  abandoned: {
    from: ["master"],
    to: "backup",
    on: "abandoned: the dead-man switch fired (daemon hung); it already sent priority 0 and deleted the VIPs",
    ref: "floatgw dead-man switch",
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

export function createInstance(config: InstanceConfig): InstanceState {
  return {
    config,
    role: "init",
    priority: config.priority,
    masterAdverIntervalCs: config.advertIntervalCs,
    heard: null,
    timers: noTimers(),
    preemptDelayServed: false,
    releasing: false,
    accepted: null,
    stopTakeovers: [],
    wantsMaster: false,
    advertPhase: null,
    reannouncedAt: null,
    answeredAt: null,
    counters: zeroCounters(),
  };
}

/** Feeds one event to `s`, which it brings up to date, and returns the
 * actions to perform, in order. */
export function step(s: InstanceState, e: Event, now: Ms): readonly Action[] {
  // The cast pairs each event with its own handler row; TypeScript cannot
  // correlate the two unions on its own.
  const handler = (HANDLERS[e.kind] as Partial<Record<Role, Handler<EventKind>>>)[s.role];
  return handler === undefined ? NO_ACTIONS : handler(s, e, now);
}

// ---- helpers ---------------------------------------------------------------

const NO_ACTIONS: readonly Action[] = Object.freeze([]);
/** sendAdvert actions by priority, each made once: the master's timer sends
 * one every interval. */
const SEND_ADVERT: { readonly kind: "sendAdvert"; readonly priority: number }[] = [];
const SEND_ONLY: (readonly Action[])[] = [];

function sendAction(priority: number): Action {
  return (SEND_ADVERT[priority] ??= Object.freeze({ kind: "sendAdvert", priority }));
}

/** Counts an advert at `priority` and returns the action that sends it. */
function send(s: InstanceState, priority: number): Action {
  s.counters.advertsTx++;
  if (priority === STOP_PRIORITY) s.counters.priorityZeroTx++;
  return sendAction(priority);
}

function masterDownInterval(s: InstanceState): number {
  return masterDownIntervalMs(s.config.version, s.priority, s.masterAdverIntervalCs);
}

function skewTime(s: InstanceState): number {
  return skewTimeMs(s.config.version, s.priority, s.masterAdverIntervalCs);
}

const STOP_BEACON: Action = Object.freeze({ kind: "beacon", schedule: null });

/** Send an advert and (re)start the Adver_Timer: RFC 5798 §6.4.1, §6.4.3.
 * With a beacon, the platform's schedule is the Adver_Timer: it starts
 * again from now (a handful of times per mastership, so the new action
 * object costs nothing that matters). */
function advertise(s: InstanceState, now: Ms): readonly Action[] {
  const sent = send(s, s.priority);
  s.advertPhase = now;
  if (s.config.beacon) return [sent, beaconAction(s, now)];
  s.timers.adver = after(now, centisecToMs(s.config.advertIntervalCs));
  return (SEND_ONLY[s.priority] ??= Object.freeze([sent]));
}

function beaconAction(s: InstanceState, phase: Ms): Action {
  return { kind: "beacon", schedule: { priority: s.priority, intervalMs: centisecToMs(s.config.advertIntervalCs) as Ms, phase } };
}

/** A beacon's first advert after `now`. */
export function nextBeaconAt(b: Pick<BeaconSchedule, "intervalMs" | "phase">, now: Ms): Ms {
  return (b.phase + (Math.floor((now - b.phase) / b.intervalMs) + 1) * b.intervalMs) as Ms;
}

function resetMasterDown(s: InstanceState, now: Ms): void {
  s.timers.masterDown = after(now, masterDownInterval(s));
}

/** RFC 5798 §6.4.2, §6.4.3: v3 sets Master_Adver_Interval from the advert; v2 has no such field. */
function learnInterval(s: InstanceState, a: Advert): void {
  if (a.version === 3) s.masterAdverIntervalCs = a.maxAdverIntervalCs;
}

/** Remembers the advert as the master's; the same master again updates the
 * record it already has. */
function hear(s: InstanceState, rx: ReceivedAdvert, now: Ms): void {
  const h = s.heard;
  if (h !== null && h.addr === rx.src) {
    h.priority = rx.advert.priority;
    h.at = now;
  } else {
    s.heard = { addr: rx.src, priority: rx.advert.priority, at: now };
  }
}

/** Lets go of a VIP still held after a resign. */
function release(s: InstanceState, actions: Action[]): void {
  if (!s.releasing) return;
  s.releasing = false;
  actions.push({ kind: "removeVip" });
}

// ---- entry and exit actions (FRR's vrrp_change_state_handlers) --------------

type Entry = (s: InstanceState, now: Ms, actions: Action[]) => void;

const nothing: Entry = () => undefined;

const ON_LEAVE: Record<Role, Entry> = {
  init: nothing,
  fault: nothing,
  backup: (s, _now, actions) => {
    s.wantsMaster = false;
    s.timers.masterDown = null;
    s.timers.preemptDelay = null;
    release(s, actions);
  },
  master: (s, _now, actions) => {
    s.advertPhase = null;
    s.timers.adver = null;
    s.timers.garpRepeat = null;
    s.timers.garpRefresh = null;
    actions.push({ kind: "removeVip" });
  },
};

function quiesce(s: InstanceState): void {
  clearTimers(s.timers);
  s.heard = null;
  s.masterAdverIntervalCs = s.config.advertIntervalCs;
}

const ON_ENTER: Record<Role, Entry> = {
  init: quiesce,
  fault: quiesce,
  // RFC 5798 §6.4.1 / §6.4.3: Set the Master_Down_Timer to Master_Down_Interval.
  backup: resetMasterDown,
  // RFC 5798 §6.4.1 / §6.4.2: send an advert, take the addresses, announce
  // them (gratuitous ARP / unsolicited NA), start the Adver_Timer. The
  // announcement goes first: a master handing over keeps the VIP until it
  // hears our advert (`releasing`), and the clients must have our MAC by
  // then, or what they send in between reaches a router that just let go.
  master: (s, now, actions) => {
    const g = s.config.gratuitous;
    if (g.repeatDelayMs !== null) s.timers.garpRepeat = after(now, g.repeatDelayMs);
    if (g.refreshMs !== null) s.timers.garpRefresh = after(now, g.refreshMs);
    s.heard = null;
    actions.push({ kind: "addVip" }, { kind: "sendGratuitous", count: g.count, spacingMs: g.spacingMs }, ...advertise(s, now));
  },
};

/** Takes edge `id` of TRANSITIONS, after `before` (actions already due);
 * any other edge is a bug in this file. */
function go(s: InstanceState, id: TransitionId, reason: string, now: Ms, before: readonly Action[] = NO_ACTIONS): Action[] {
  const rule: TransitionRule = TRANSITIONS[id];
  const from = s.role;
  if (!rule.from.includes(from)) throw new Error(`vrrp core bug: transition ${id} from ${from}`);
  // A beacon stops before anything else goes out: its next periodic
  // advert must not follow our priority 0 (the backup would wait for us
  // again).
  const actions: Action[] = from === "master" && s.config.beacon ? [STOP_BEACON, ...before] : [...before];
  // A backup still holding the VIP after a resign keeps it when it becomes
  // master again: releasing it there would only open a gap.
  if (rule.to === "master") s.releasing = false;
  ON_LEAVE[from](s, now, actions);
  s.role = rule.to;
  ON_ENTER[rule.to](s, now, actions);
  countTransition(s.counters, { at: now, from, to: rule.to, reason });
  actions.push({ kind: "notify", from, to: rule.to, reason });
  return actions;
}

/** RFC 5798 §6.4.1: the Startup event, from Initialize (or when a fault clears). */
function startup(s: InstanceState, reason: string, now: Ms): readonly Action[] {
  s.masterAdverIntervalCs = s.config.advertIntervalCs;
  s.preemptDelayServed = false;
  s.timers.startDelay = null;
  if (s.priority === OWNER_PRIORITY) return go(s, "ownerStartup", `${reason}; address owner (priority 255)`, now);
  return go(s, "startup", reason, now);
}

// ---- adverts -----------------------------------------------------------------

/**
 * While the preempt delay (after start-up) or a resign hold-off runs, a
 * backup keeps honouring a lower-priority master. True while it does
 * (arming the delay on the first such advert), false when preemption may go
 * ahead.
 */
function holdPreemption(s: InstanceState, now: Ms): boolean {
  if (s.timers.preemptDelay !== null) return true;
  if (s.preemptDelayServed || s.config.preemptDelayMs <= 0) return false;
  s.timers.preemptDelay = after(now, s.config.preemptDelayMs);
  return true;
}

/** RFC 5798 §6.4.2, "If an ADVERTISEMENT is received"; after a resign, an
 * advert from the new master also lets go of the VIP we still held. */
function backupAdvert(s: InstanceState, rx: ReceivedAdvert, now: Ms): readonly Action[] {
  if (!s.releasing || rx.advert.priority === STOP_PRIORITY) return heardAsBackup(s, rx, now);
  const actions: Action[] = [];
  release(s, actions);
  heardAsBackup(s, rx, now);
  return actions;
}

/**
 * Takeovers on priority 0 allowed per window. A forged priority-0 advert
 * makes a backup take over within Skew_Time; the real master then
 * preempts it back, and every round costs two transitions and their hooks.
 * Past this many in a window, a priority-0 advert no longer shortens the
 * wait: if the master has really gone, the backup takes over when its
 * Master_Down_Interval runs out, as for a crash.
 */
export const STOP_TAKEOVERS_PER_WINDOW = 3;
export const STOP_TAKEOVER_WINDOW_MS = 60_000;

/** Why a priority-0 advert may not hurry a backup into Master, or null. */
function stopRefused(s: InstanceState, rx: ReceivedAdvert, now: Ms): string | null {
  // Only the master we follow can resign; a stop from anyone else (a third
  // router, or a forged source) leaves the timer as it was.
  if (s.heard !== null && !addrEquals(s.heard.addr, rx.src))
    return `priority 0 from ${formatAddr(rx.src)}, which is not the master (${formatAddr(s.heard.addr)})`;
  const recent = s.stopTakeovers.filter((t) => now - t < STOP_TAKEOVER_WINDOW_MS);
  if (recent.length >= STOP_TAKEOVERS_PER_WINDOW)
    return `priority 0 from ${formatAddr(rx.src)} ignored: ${recent.length} takeovers on priority 0 in the last ${STOP_TAKEOVER_WINDOW_MS / 1000} s`;
  return null;
}

function heardAsBackup(s: InstanceState, rx: ReceivedAdvert, now: Ms): readonly Action[] {
  const a = rx.advert;
  if (a.priority === STOP_PRIORITY) {
    const refused = stopRefused(s, rx, now);
    if (refused !== null) return dropped(s, "stop-refused", refused);
  }
  hear(s, rx, now);
  if (a.priority === STOP_PRIORITY) {
    // "If the Priority in the ADVERTISEMENT is zero, then: Set the Master_Down_Timer to Skew_Time."
    s.timers.masterDown = after(now, skewTime(s));
    return NO_ACTIONS;
  }
  // "Else (preempt true and priority lower): Discard the ADVERTISEMENT";
  // the Master_Down_Timer then runs out and we take over.
  if (s.config.preempt && a.priority < s.priority && !holdPreemption(s, now)) return NO_ACTIONS;
  // "If Preempt_Mode is False, or If the Priority in the ADVERTISEMENT is
  // greater than or equal to the local Priority": learn the interval (v3) and
  // reset the Master_Down_Timer. A sync group member no longer wants master.
  s.wantsMaster = false;
  learnInterval(s, a);
  resetMasterDown(s, now);
  return NO_ACTIONS;
}

/** RFC 5798 §6.4.3, "If an ADVERTISEMENT is received". */
function masterAdvert(s: InstanceState, rx: ReceivedAdvert, now: Ms): readonly Action[] {
  const a = rx.advert;
  // "If the Priority in the ADVERTISEMENT is zero, then: Send an
  // ADVERTISEMENT; Reset the Adver_Timer".
  if (a.priority === STOP_PRIORITY) return answer(s, now, NO_ACTIONS);
  s.counters.otherMasterSeen++;
  const higher = a.priority > s.priority;
  if (higher || (a.priority === s.priority && compareAddr(rx.src, s.config.primary) > 0)) {
    const from = formatAddr(rx.src);
    const reason = higher
      ? `higher priority ${a.priority} from ${from}`
      : `preempted by ${from} (equal priority ${a.priority}, higher address)`;
    learnInterval(s, a);
    s.heard = { addr: rx.src, priority: a.priority, at: now };
    // Beyond the RFC: one last advert at our own priority before we leave.
    // When a split brain heals and we hear the winner first, we would
    // otherwise leave silently; the winner, never hearing us, would not
    // announce the VIP again, and clients that followed our gratuitous ARPs
    // would keep our MAC until their neighbour entry ages out (3.7 s in the
    // bench). Hearing this advert makes the winner announce it (below).
    // keepalived's higher_prio_send_advert, on by default here.
    return go(s, "preempted", reason, now, [send(s, s.priority)]);
  }
  // "Else: Discard ADVERTISEMENT": the other master yields to our next advert.
  // Beyond the RFC, that advert goes now, as keepalived's does unless
  // lower_prio_no_advert: when a split brain heals, the other master steps
  // down on it instead of waiting up to an interval for our next one.
  // While both were masters clients may have learnt the other router's MAC
  // for the VIP; announce it again so they come back at once instead of when
  // their ARP entry expires (keepalived's garp_lower_prio_repeat;
  // keepalived#2387), as often as the answer.
  if (s.reannouncedAt !== null && now - s.reannouncedAt < quarterInterval(s)) return answer(s, now, NO_ACTIONS);
  s.reannouncedAt = now;
  const g = s.config.gratuitous;
  return answer(s, now, [{ kind: "sendGratuitous", count: g.count, spacingMs: g.spacingMs }]);
}

function quarterInterval(s: InstanceState): number {
  return centisecToMs(s.config.advertIntervalCs) / 4;
}

/** A master's advert in answer to another's, then `rest`; not within a
 * quarter interval of our last answer, so that a flood of adverts cannot
 * become a flood of ours (at most four answers per interval, besides the
 * periodic advert). Our periodic advert does not hold an answer back: the
 * other router sent its advert without having heard it (after a split brain
 * heals, the periodic advert that went just before was lost in the
 * partition), and waiting for the next one would leave two masters for up
 * to an interval. */
function answer(s: InstanceState, now: Ms, rest: readonly Action[]): readonly Action[] {
  if (s.answeredAt !== null && now - s.answeredAt < quarterInterval(s)) return rest;
  s.answeredAt = now;
  const sent = advertise(s, now);
  return rest.length === 0 ? sent : [...sent, ...rest];
}

const ADVERT_BY_ROLE: Partial<Record<Role, (s: InstanceState, rx: ReceivedAdvert, now: Ms) => readonly Action[]>> = {
  backup: backupAdvert,
  master: masterAdvert,
};

function dropped(s: InstanceState, reason: AcceptFailure | "inactive" | "stop-refused", message: string | null): readonly Action[] {
  countDrop(s.counters, reason);
  return message === null ? NO_ACTIONS : [{ kind: "log", level: "warn", reason, message }];
}

function onAdvert(s: InstanceState, rx: ReceivedAdvert, now: Ms): readonly Action[] {
  s.counters.advertsRx++;
  const handler = ADVERT_BY_ROLE[s.role];
  if (handler === undefined) return dropped(s, "inactive", null);
  if (rx === s.accepted) {
    if (rx.advert.priority === STOP_PRIORITY) s.counters.priorityZeroRx++;
    return handler(s, rx, now);
  }
  const verdict = acceptAdvert(s.config, rx);
  if (!verdict.ok) return dropped(s, verdict.reason, verdict.detail);
  if (rx.advert.priority === STOP_PRIORITY) s.counters.priorityZeroRx++;
  const mismatch = verdict.value.addressMismatch;
  if (mismatch === null) {
    s.accepted = rx;
    return handler(s, rx, now);
  }
  s.counters.addressMismatch++;
  return [{ kind: "log", level: "warn", reason: "address-mismatch", message: `advert from ${formatAddr(rx.src)}: ${mismatch}` }, ...handler(s, rx, now)];
}

/** A backup's Master_Down_Timer while it stands for "the master it follows
 * fell silent": set by an advert from that master, at a priority other than
 * 0, to the Master_Down_Interval after it.
 * Then each repeat of that advert only moves the timer on, and a child
 * process can keep it (src/daemon/listener.ts). */
export interface MasterDownWatch {
  /** When the master's last advert was heard. */
  readonly heardAt: Ms;
  /** The Master_Down_Interval: the silence after it that makes the timer fire. */
  readonly limitMs: number;
}

/** The backup's Master_Down_Timer as a watch, or null when it stands for
 * something else (a priority 0's Skew_Time, a lower master preempted, no
 * master heard, not a backup). A lower master followed while a hold-off
 * ran (a switchover's, the preempt delay) is not watched once it is over:
 * its next advert must reach the core, which then lets the timer run out. */
export function masterDownWatch(s: InstanceState): MasterDownWatch | null {
  const h = s.heard;
  if (s.role !== "backup" || h === null || h.priority === STOP_PRIORITY || s.timers.masterDown === null) return null;
  if (s.config.preempt && h.priority < s.priority && s.timers.preemptDelay === null) return null;
  const limitMs = masterDownInterval(s);
  return s.timers.masterDown === h.at + limitMs ? { heardAt: h.at, limitMs } : null;
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

const ON_TIMER: Record<TimerSlot, (s: InstanceState, now: Ms) => readonly Action[]> = {
  startDelay: (s, now) => startup(s, "start-up delay over", now),
  // RFC 5798 §6.4.2: "If the Master_Down_Timer fires".
  masterDown: (s, now) => {
    if (s.heard?.priority === STOP_PRIORITY) {
      s.stopTakeovers.push(now);
      if (s.stopTakeovers.length > STOP_TAKEOVERS_PER_WINDOW) s.stopTakeovers.shift();
    }
    return s.config.syncGroup ? wantMaster(s, now) : go(s, "masterDown", masterDownReason(s), now);
  },
  // RFC 5798 §6.4.3: "If the Adver_Timer fires, then: Send an ADVERTISEMENT; Reset the Adver_Timer".
  adver: advertise,
  preemptDelay: (s) => {
    s.preemptDelayServed = true;
    s.timers.preemptDelay = null;
    return NO_ACTIONS;
  },
  garpRepeat: (s) => {
    s.timers.garpRepeat = null;
    return [{ kind: "sendGratuitous", count: s.config.gratuitous.count, spacingMs: s.config.gratuitous.spacingMs }];
  },
  garpRefresh: (s, now) => {
    const g = s.config.gratuitous;
    // refreshMs is only null here if the platform swapped the config while master.
    s.timers.garpRefresh = g.refreshMs === null ? null : after(now, g.refreshMs);
    return [{ kind: "sendGratuitous", count: g.refreshCount, spacingMs: g.spacingMs }];
  },
};

/** A sync group member may not take over on its own (keepalived's
 * vrrp_sync_can_goto_master): it tells its group it wants to and waits
 * another Master_Down_Interval, still a backup. A VIP it kept after a
 * resign goes now: nobody took it over, and the group decides who will. */
function wantMaster(s: InstanceState, now: Ms): readonly Action[] {
  const actions: Action[] = [];
  const reason = masterDownReason(s);
  release(s, actions);
  s.wantsMaster = true;
  resetMasterDown(s, now);
  actions.push({ kind: "wantMaster", reason });
  return actions;
}

/** Handles the slots due at `now`, in TIMER_SLOTS order; a slot that an
 * earlier one re-armed or cleared is looked at again before it runs, and one
 * that only became due meanwhile waits for the next timeout. */
function onTimeout(s: InstanceState, now: Ms): readonly Action[] {
  let due = 0;
  for (let i = 0; i < TIMER_SLOTS.length; i++) {
    const at = s.timers[TIMER_SLOTS[i] as TimerSlot];
    if (at !== null && at <= now) due |= 1 << i;
  }
  let actions = NO_ACTIONS;
  for (let i = 0; due !== 0; i++, due >>= 1) {
    const slot = TIMER_SLOTS[i] as TimerSlot;
    const at = s.timers[slot];
    if ((due & 1) === 0 || at === null || at > now) continue;
    const more = ON_TIMER[slot](s, now);
    actions = actions.length === 0 ? more : [...actions, ...more];
  }
  return actions;
}

/** A master that steps down on purpose (a switchover, or its sync group
 * leaving master) sends priority 0 and keeps the VIP (drops Master's
 * removeVip) until the new master is heard: see `releasing`. It does not
 * preempt back for holdMs. */
function handOver(s: InstanceState, edge: "resign" | "syncBackup", reason: string, holdMs: number, now: Ms): readonly Action[] {
  const gone = go(s, edge, reason, now, [send(s, STOP_PRIORITY)]);
  s.timers.preemptDelay = after(now, holdMs);
  s.preemptDelayServed = true;
  s.releasing = true;
  return gone.filter((a) => a.kind !== "removeVip");
}

// ---- the event table -------------------------------------------------------------

type Handler<K extends EventKind> = (s: InstanceState, e: Extract<Event, { kind: K }>, now: Ms) => readonly Action[];

function inEveryRole<K extends EventKind>(h: Handler<K>): Record<Role, Handler<K>> {
  return { init: h, backup: h, master: h, fault: h };
}

/** Event × role. A missing cell means the event does nothing in that role. */
const HANDLERS: { readonly [K in EventKind]: Partial<Record<Role, Handler<K>>> } = {
  start: {
    init: (s, _e, now) => {
      if (s.timers.startDelay !== null) return NO_ACTIONS;
      if (s.config.startDelayMs > 0) {
        s.timers.startDelay = after(now, s.config.startDelayMs);
        return NO_ACTIONS;
      }
      return startup(s, "start", now);
    },
  },
  advert: inEveryRole((s, e, now) => onAdvert(s, e.rx, now)),
  rxError: inEveryRole((s, e) => {
    countDrop(s.counters, e.reason);
    return NO_ACTIONS;
  }),
  // Initialize (outside a start-up delay) and Fault have no armed slot: nothing is due.
  timeout: inEveryRole((s, _e, now) => onTimeout(s, now)),
  shutdown: {
    // Cancels a pending start-up delay.
    init: (s) => {
      clearTimers(s.timers);
      return NO_ACTIONS;
    },
    backup: (s, _e, now) => go(s, "shutdown", "shutdown", now),
    // RFC 5798 §6.4.3: "Cancel the Adver_Timer; Send an ADVERTISEMENT with Priority = 0".
    master: (s, _e, now) => go(s, "shutdown", "shutdown", now, [send(s, STOP_PRIORITY)]),
    fault: (s, _e, now) => go(s, "shutdown", "shutdown", now),
  },
  fault: {
    init: (s, e, now) => go(s, "fault", e.reason, now),
    backup: (s, e, now) => go(s, "fault", e.reason, now),
    // Best effort: on a dead link the send fails, but for a failed tracker the
    // priority 0 lets the backup take over after Skew_Time.
    master: (s, e, now) => go(s, "fault", e.reason, now, [send(s, STOP_PRIORITY)]),
  },
  faultCleared: {
    fault: (s, e, now) => startup(s, e.reason, now),
  },
  // It shows in the next advert: the Adver_Timer's, or a beacon's, which
  // keeps its phase and changes its priority.
  setPriority: inEveryRole((s, e) => {
    const changed = s.priority !== e.priority;
    s.priority = e.priority;
    const phase = s.advertPhase;
    return changed && s.role === "master" && s.config.beacon && phase !== null ? [beaconAction(s, phase)] : NO_ACTIONS;
  }),
  syncMaster: {
    backup: (s, e, now) => go(s, "syncMaster", e.reason, now),
  },
  syncBackup: {
    master: (s, e, now) => handOver(s, "syncBackup", e.reason, 0, now),
  },
  resign: {
    master: (s, e, now) => handOver(s, "resign", "resign (planned switchover)", e.holdMs, now),
  },
  // No advert of ours: the watcher sent the priority 0 while we hung. The
  // VIPs are gone already (removeVip finds nothing); a new election follows.
  abandoned: {
    master: (s, _e, now) => go(s, "abandoned", "abandoned by the dead-man switch while the daemon hung", now),
  },
};
