// The dead-man switch and the master's beacon. While this router is master,
// a watcher child (src/daemon/watcher.ts, forked by the native module) holds
// a plan: each master instance's periodic adverts (its beacon: the daemon
// does not wake for them), the renewals of its VIPs' kernel lifetimes (nor
// for those), its priority-0 adverts and the netlink requests that delete
// its VIPs. It fires the plan when the daemon dies (its end of
// their socket pair closes) or no look at the daemon's /proc/PID/stat has
// found it alive for the plan's silence limit (SIGSTOP, a stuck loop): the
// beacon stops, the backup takes over after its Skew_Time (RFC 3768
// §6.4.3, RFC 5798 §6.4.3 "master resigns") and, a moment later, this
// router stops answering for the VIPs. Here: what the plan holds, what
// counts as alive and how often the child looks, how long it keeps the
// VIPs after the priority 0, and what a report from the child means. Pure:
// no clock, no I/O.
import { sameBytes } from "./bytes";
import type { Role } from "./state";
import { type Version, skewTimeMs } from "./timing";
import { type Centisec, type Ms, type Priority, centisecToMs } from "./units";

/** One datagram of the plan: sent on `fd` (a socket the daemon owns and the
 * child inherits) to the raw sockaddr `to`. */
export interface PlanSend {
  readonly fd: number;
  readonly data: Uint8Array;
  readonly to: Uint8Array;
}

/** Datagrams sent at phase + k × intervalMs (k = 1, 2, ..., CLOCK_MONOTONIC
 * ms, the core's clock). */
export interface Periodic {
  readonly sends: readonly PlanSend[];
  readonly intervalMs: Ms;
  readonly phase: Ms;
}

/** One datagram of a Periodic, as the child takes it. */
export interface PlanPeriodic extends PlanSend {
  readonly intervalMs: Ms;
  readonly phase: Ms;
}

/** A master's periodic advert to one destination (the core's
 * BeaconSchedule). */
export interface PlanBeacon extends PlanPeriodic {
  /** The instance whose advert count this send adds to: the first
   * destination's send counts one advert, the others null. */
  readonly countsFor: string | null;
}

/** A master's periodic renewal of one VIP's kernel lifetime. */
export interface PlanRenewal extends PlanPeriodic {
  /** The instance that holds the VIP. */
  readonly instance: string;
}

/** What the planner needs to know of one instance. */
export interface WatchedInstance {
  /** Its name, for the beacon's advert count. */
  readonly name: string;
  readonly role: Role | null;
  readonly version: Version;
  readonly advertIntervalCs: Centisec;
  /** Its periodic advert, to each destination; null: no beacon. */
  readonly beacon: Periodic | null;
  /** The requests that renew its VIPs' kernel lifetimes; null: none (it
   * holds no VIP with a lifetime). */
  readonly renewal: Periodic | null;
  /** Its advert at priority 0, to each destination. */
  readonly resign: readonly PlanSend[];
  /** The requests that delete its VIPs. */
  readonly release: readonly PlanSend[];
}

/** How the child tells a live daemon from a hung one. It reads the
 * daemon's state letter and CPU time (utime + stime) in /proc/PID/stat:
 * asleep (S) is alive, as every wait of floatgwd is its event loop's poll
 * (watcher.ts says why); running (R) is alive unless the daemon spent
 * spinPercent of the wall time since it was last found alive on the CPU
 * (a JavaScript loop that never ends); stopped or traced (T, t), in an
 * uninterruptible wait (D) or anything else is not alive. */
export interface Liveness {
  /** Fire when no look found the daemon alive for this long. */
  readonly silenceMs: Ms;
  /** After a look that did not find it alive, the next one comes this
   * soon. */
  readonly recheckMs: Ms;
  /** The next look comes at most this long after the last one that found
   * the daemon alive: at a beacon's wake when the next beacon would come
   * later, else at a wake of its own. */
  readonly quietCheckMs: Ms;
  readonly spinPercent: number;
}

export interface Plan {
  /** Every master's periodic adverts, until the plan fires. */
  readonly beacons: readonly PlanBeacon[];
  /** Every master's VIP renewals, until the plan fires (or is disarmed):
   * a daemon that is gone or hung renews nothing. */
  readonly renewals: readonly PlanRenewal[];
  /** Every priority-0 advert, sent first: the backups' Skew_Time starts. */
  readonly resign: readonly PlanSend[];
  /** Every VIP deletion, sent after a pause. */
  readonly release: readonly PlanSend[];
  readonly liveness: Liveness;
  /** The pause between resign and release when the daemon died... */
  readonly releaseAfterDeathMs: Ms;
  /** ...and when it stopped being alive. */
  readonly releaseAfterSilenceMs: Ms;
}

/** A hung or killed daemon's router stops answering for the VIPs within
 * this (issue 14's goal)... */
export const LET_GO_WITHIN_MS = 2000 as Ms;
/** ...or, where that comes before a backup can have taken over by itself,
 * once it can have: four advert intervals bound a backup's
 * Master_Down_Interval, and the kernel's check of the last renewal adds
 * LET_GO_LATE_MS (4.25 s at 1 s adverts). Until then the hung router still
 * forwards for its clients, while a backup that heard the priority 0
 * waits out its Skew_Time (0.61 s at priority 100 in VRRPv2). */
const LET_GO_INTERVALS = 4;
const LET_GO_LATE_MS = 250;

/** How long after its daemon died or hung this instance's router may keep
 * answering for its VIPs. */
export function letGoWithinMs(i: WatchedInstance): Ms {
  return Math.max(LET_GO_WITHIN_MS, LET_GO_INTERVALS * centisecToMs(i.advertIntervalCs) + LET_GO_LATE_MS) as Ms;
}
/** After a backup's Skew_Time, the time it takes to add the VIP and send
 * its gratuitous ARP, with room for a busy CPU. */
const TAKEOVER_MARGIN_MS = 100;

/** The thresholds the child gets. It looks at most quietCheckMs after the
 * last look that found the daemon alive, at a beacon's wake when the next
 * one would come later than that (at 1 s adverts: every advert; at 100 ms:
 * every twelfth), and at a wake of its own otherwise. A healthy daemon is
 * asleep nearly always; one look may still catch it running, stopped for a moment by a
 * tracer (`strace -p` stops it at every system call) or waiting on a page
 * of flash: it fires only after a silence of 1.5 s, i.e. at least three
 * looks in a row (at 1.2, 1.3, 1.4 and 1.5 s) that found it not alive. A
 * spinning daemon is on the CPU nearly all the time even on a loaded
 * router (its time slices are long); 90 % tells it from a busy one. */
export const LIVENESS: Liveness = {
  silenceMs: 1500 as Ms,
  recheckMs: 100 as Ms,
  quietCheckMs: 1200 as Ms,
  spinPercent: 90,
};

/** How long a backup of this instance takes over after our priority 0,
 * at the most: its Skew_Time at priority 1 (v2: 996 ms; v3: 255/256 of our
 * advert interval), plus the margin. A dead or hung router still forwards,
 * so the VIPs stay that long: the clients lose nothing in between. */
export function takeoverBoundMs(i: WatchedInstance): Ms {
  return (skewTimeMs(i.version, 1 as Priority, i.advertIntervalCs) + TAKEOVER_MARGIN_MS) as Ms;
}

/** The plan for these instances, or null when none is master (the child
 * is then disarmed: a backup has nothing to give up). The VIPs stay until
 * a backup can have taken over, but no longer than the strictest master's
 * letGoWithinMs allows: after a death (fired at once) 1.1 s at the most
 * at adverts up to 1 s, after a silence what the silence limit and one
 * late look leave (at 1 s adverts the whole 1.1 s, within 4.25 s; at
 * 100 ms adverts 0.4 s of the 2 s, in v3 the whole 0.2 s). */
export function planFor(instances: readonly WatchedInstance[]): Plan | null {
  const masters = instances.filter((i) => i.role === "master");
  if (masters.length === 0) return null;
  const takeover = Math.max(...masters.map(takeoverBoundMs));
  const letGo = Math.min(...masters.map(letGoWithinMs));
  return {
    beacons: masters.flatMap(({ name, beacon: b }) => b === null ? [] : b.sends.map((s, k) => ({
      ...s, intervalMs: b.intervalMs, phase: b.phase, countsFor: k === 0 ? name : null,
    }))),
    renewals: masters.flatMap(({ name, renewal: r }) => r === null ? [] : r.sends.map((s) => ({
      ...s, intervalMs: r.intervalMs, phase: r.phase, instance: name,
    }))),
    resign: masters.flatMap((i) => i.resign),
    release: masters.flatMap((i) => i.release),
    liveness: LIVENESS,
    releaseAfterDeathMs: Math.min(takeover, letGo) as Ms,
    releaseAfterSilenceMs: Math.max(0, Math.min(takeover, letGo - LIVENESS.silenceMs - LIVENESS.recheckMs)) as Ms,
  };
}

/** Whether two plans would make the child do exactly the same: a new child
 * is forked only when not. */
export function samePlan(a: Plan | null, b: Plan | null): boolean {
  if (a === null || b === null) return a === b;
  return a.liveness === b.liveness && a.releaseAfterDeathMs === b.releaseAfterDeathMs && a.releaseAfterSilenceMs === b.releaseAfterSilenceMs
    && sameSends(a.resign, b.resign) && sameSends(a.release, b.release)
    && samePeriodic(a.beacons, b.beacons) && a.beacons.every((x, i) => x.countsFor === b.beacons[i]?.countsFor)
    && samePeriodic(a.renewals, b.renewals) && a.renewals.every((x, i) => x.instance === b.renewals[i]?.instance);
}

function samePeriodic(a: readonly PlanPeriodic[], b: readonly PlanPeriodic[]): boolean {
  return sameSends(a, b) && a.every((x, i) => x.intervalMs === b[i]?.intervalMs && x.phase === b[i]?.phase);
}

function sameSends(a: readonly PlanSend[], b: readonly PlanSend[]): boolean {
  return a.length === b.length && a.every((s, i) => {
    const t = b[i] as PlanSend;
    return s.fd === t.fd && equalBytes(s.data, t.data) && equalBytes(s.to, t.to);
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && sameBytes(a, 0, b, 0, a.length);
}

/** What the child told us (or its end of the pair did): "fired" ('F': it
 * sent the plan), "gone" (it ended without firing: killed, or an error). */
export type WatcherReport = "fired" | "gone";

/** What the daemon does about a report: after "fired" its masters lost
 * their VIPs and a backup has taken over, so each master instance steps
 * down to backup (the core's `abandoned` edge) and VRRP elects again;
 * after "gone" a new child is armed with the current plan. */
export type WatcherDecision = "abandon" | "rearm";

export function decide(report: WatcherReport): WatcherDecision {
  return report === "fired" ? "abandon" : "rearm";
}
