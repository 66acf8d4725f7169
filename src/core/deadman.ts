// The dead-man switch and the master's beacon. While this router is master,
// a watcher child (src/daemon/watcher.ts, forked by the native module) holds
// a plan: each master instance's periodic adverts (its beacon: the daemon
// does not wake for them), the renewals of its VIPs' kernel lifetimes (nor
// for those), its priority-0 adverts and the netlink requests that delete
// its VIPs. It fires the plan when the daemon dies (its end of their
// socket pair closes) or looks at the daemon's /proc/PID/stat find it hung:
// stopped (SIGSTOP; within two advert intervals), or not alive (a stuck
// loop, a wait in the kernel) for 1.5 s. The beacon stops: the backup takes over
// after its Skew_Time on the priority 0 (RFC 3768 §6.4.3, RFC 5798 §6.4.3
// "master resigns") and, a moment later, this router stops answering for
// the VIPs. Here: what the plan holds, what counts as alive and how often
// the child looks, how long it keeps the VIPs after the priority 0, and
// what a report from the child means. Pure:
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
 * daemon's state letter and CPU time (utime + stime) in /proc/PID/stat and
 * sorts what it found three ways:
 * - alive: asleep (S), as every wait of floatgwd is its event loop's poll
 *   (watcher.ts says why), or running or runnable (R) unless it spent
 *   spinPercent of the last spinWindowMs or more on the CPU;
 * - held: in an uninterruptible wait (D: a lock such as the kernel's
 *   rtnl, a page of flash, a fork), in a tracer's stop (t: `strace -p`
 *   stops it at every system call, a debugger for as long as it likes) or
 *   any other letter: the kernel or the tracer lets it go again, and it
 *   would then send a late advert itself;
 * - stopped: stopped by a signal (T; only SIGCONT resumes it), spinning
 *   (a JavaScript loop that never ends: stopped since its spin window
 *   began), or gone (Z, X, /proc unreadable).
 * The beacon stands in for the daemon: a periodic send goes out only on a
 * look at most freshMs old that did not find it stopped. */
export interface Liveness {
  /** Fire when no look found the daemon alive for this long... */
  readonly silenceMs: Ms;
  /** ...or every look found it stopped for this long. */
  readonly stoppedMs: Ms;
  /** After a look that did not find it alive, the next one comes this
   * soon. */
  readonly recheckMs: Ms;
  /** The next look comes at most this long after the last one that found
   * the daemon alive: at a periodic send's wake, else at a wake of its
   * own. */
  readonly quietCheckMs: Ms;
  /** A periodic send's wake looks unless a look is younger than this. */
  readonly freshMs: Ms;
  readonly spinWindowMs: Ms;
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

/** Not alive (held, or spinning) this long is hung, at every advert
 * interval. A healthy daemon is asleep nearly always; a look may still
 * catch it held by the kernel (a netlink request waits for the rtnl lock,
 * which network namespaces coming and going hold for tens of ms and
 * more), by a tracer, or in a burst of work: the beacon goes on through
 * those, and a hang takes 1.5 s of looks, at least three in a row (every
 * 0.1 s, or every advert where that is sooner), none of which found it
 * alive. */
const SILENCE_MS = 1500;
const RECHECK_MS = 100;
/** A look at least this often when no periodic send wakes the child. */
const QUIET_CHECK_MS = 1200;
/** A spinning daemon is on the CPU nearly all the time even on a loaded
 * router (its time slices are long): 90 % of 1 s or more tells it from a
 * busy one (a reload, a collection of the heap), whose bursts are
 * shorter; a shorter window would also take the 10 ms ticks of the CPU
 * time for a share. */
const SPIN_WINDOW_MS = 1000;
const SPIN_PERCENT = 90;
/** A look serves the periodic sends of one and a half advert intervals
 * (of the fastest master), up to half the quiet look's 1.2 s: at 100 ms
 * and 10 ms adverts the child looks every other advert, at 1 s every
 * advert, as before: a look (a `pread` of `/proc/PID/stat` after a sleep,
 * its caches cold) costs about a fifth of the watcher's whole advert, too
 * much for every advert (docs/performance.md). With many instances
 * one look serves the sends that fall due within it. So a stopped
 * daemon's beacon sends at most one more advert, and... */
const FRESH_INTERVALS = 1.5;
const FRESH_MAX_MS = QUIET_CHECK_MS / 2;
/** ...a look that finds it stopped by a signal fires when no look in the
 * one and a half intervals before found it otherwise (at most every other
 * advert: the first such look), or 1.5 s at the most. A healthy daemon is
 * never stopped, under any load, and the stopped daemon would not have
 * sent its adverts either: its backups take over when their
 * Master_Down_Timer (three intervals and a Skew_Time) runs out, whatever
 * the switch does. The priority 0 brings that forward to at most two
 * intervals and the backup's Skew_Time after the last advert (0.26 s at
 * 100 ms adverts, 26 ms at 10 ms, against 0.36 s and 36 ms), and comes no
 * later than the silence limit (1.5 s at 1 s adverts, against 3.6 s). */
const STOPPED_INTERVALS = 1.5;

/** The thresholds the child gets when the fastest master advertises every
 * `intervalMs`. */
export function livenessFor(intervalMs: Ms): Liveness {
  return {
    silenceMs: SILENCE_MS as Ms,
    stoppedMs: Math.min(Math.floor(STOPPED_INTERVALS * intervalMs), SILENCE_MS) as Ms,
    recheckMs: Math.min(RECHECK_MS, intervalMs) as Ms,
    quietCheckMs: QUIET_CHECK_MS as Ms,
    freshMs: Math.max(1, Math.min(Math.floor(FRESH_INTERVALS * intervalMs), FRESH_MAX_MS)) as Ms,
    spinWindowMs: SPIN_WINDOW_MS as Ms,
    spinPercent: SPIN_PERCENT,
  };
}

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
 * at adverts up to 1 s, after a hang what the silence limit (the longest
 * way to fire) and one late look leave (at 1 s adverts the whole 1.1 s,
 * within 4.25 s; at 100 ms adverts 0.4 s of the 2 s, in v3 the whole
 * 0.2 s). */
export function planFor(instances: readonly WatchedInstance[]): Plan | null {
  const masters = instances.filter((i) => i.role === "master");
  if (masters.length === 0) return null;
  const takeover = Math.max(...masters.map(takeoverBoundMs));
  const letGo = Math.min(...masters.map(letGoWithinMs));
  const liveness = livenessFor(Math.min(...masters.map((i) => centisecToMs(i.advertIntervalCs))) as Ms);
  return {
    beacons: masters.flatMap(({ name, beacon: b }) => b === null ? [] : b.sends.map((s, k) => ({
      ...s, intervalMs: b.intervalMs, phase: b.phase, countsFor: k === 0 ? name : null,
    }))),
    renewals: masters.flatMap(({ name, renewal: r }) => r === null ? [] : r.sends.map((s) => ({
      ...s, intervalMs: r.intervalMs, phase: r.phase, instance: name,
    }))),
    resign: masters.flatMap((i) => i.resign),
    release: masters.flatMap((i) => i.release),
    liveness,
    releaseAfterDeathMs: Math.min(takeover, letGo) as Ms,
    releaseAfterSilenceMs: Math.max(0, Math.min(takeover, letGo - liveness.silenceMs - liveness.recheckMs)) as Ms,
  };
}

/** Whether two plans would make the child do exactly the same: a new child
 * is forked only when not. */
export function samePlan(a: Plan | null, b: Plan | null): boolean {
  if (a === null || b === null) return a === b;
  return sameLiveness(a.liveness, b.liveness) && a.releaseAfterDeathMs === b.releaseAfterDeathMs && a.releaseAfterSilenceMs === b.releaseAfterSilenceMs
    && sameSends(a.resign, b.resign) && sameSends(a.release, b.release)
    && samePeriodic(a.beacons, b.beacons) && a.beacons.every((x, i) => x.countsFor === b.beacons[i]?.countsFor)
    && samePeriodic(a.renewals, b.renewals) && a.renewals.every((x, i) => x.instance === b.renewals[i]?.instance);
}

function sameLiveness(a: Liveness, b: Liveness): boolean {
  return (Object.keys(a) as (keyof Liveness)[]).every((k) => a[k] === b[k]);
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
