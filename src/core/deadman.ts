// The dead-man switch's decisions. While this router is master, a watcher
// child (src/daemon/watcher.ts, forked by the native module) holds a plan:
// each master instance's priority-0 adverts and the netlink requests that
// delete its VIPs. It fires the plan when the daemon dies (its end of their
// socket pair closes) or stays silent longer than the plan's silence limit
// (SIGSTOP, a stuck loop): the backup takes over after its Skew_Time
// (RFC 3768 §6.4.3, RFC 5798 §6.4.3 "master resigns") and, a moment later,
// this router stops answering for the VIPs. Here: what the plan holds, how
// often the daemon says it is alive, how long a silence the child allows,
// how long it keeps the VIPs after the priority 0, and what a report from
// the child means. Pure: no clock, no I/O.
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

/** What the planner needs to know of one instance. */
export interface WatchedInstance {
  readonly role: Role | null;
  readonly version: Version;
  readonly advertIntervalCs: Centisec;
  /** Its advert at priority 0, to each destination. */
  readonly resign: readonly PlanSend[];
  /** The requests that delete its VIPs. */
  readonly release: readonly PlanSend[];
}

export interface Plan {
  /** Every priority-0 advert, sent first: the backups' Skew_Time starts. */
  readonly resign: readonly PlanSend[];
  /** Every VIP deletion, sent after a pause. */
  readonly release: readonly PlanSend[];
  /** The longest silence of the daemon the child allows before it fires. */
  readonly silenceMs: Ms;
  /** The pause between resign and release when the daemon died... */
  readonly releaseAfterDeathMs: Ms;
  /** ...and when it stayed silent. */
  readonly releaseAfterSilenceMs: Ms;
  /** The daemon's own heartbeat timer, when its adverts come too seldom to
   * carry the heartbeats (null: the adverts carry them). */
  readonly ownBeatMs: Ms | null;
}

/** A heartbeat rides on an advert at most this often: adverts at 10 ms
 * would otherwise cost a write each. */
export const BEAT_EVERY_MS = 250 as Ms;
/** Adverts further apart than this do not carry the heartbeats: a timer
 * of the daemon beats at this period instead. */
export const OWN_BEAT_MS = 1000 as Ms;
/** How late a heartbeat may be before the daemon counts as hung: a healthy
 * master whose loop was held up (a reload, a burst of netlink events, a
 * swapped-in page, a loaded CPU) must not be declared dead. Nothing in the
 * daemon is meant to block for more than a few hundred milliseconds; the
 * load tests saw advert timers up to ~0.5 s late. */
export const SLACK_MS = 900 as Ms;
/** A hung or killed daemon's router stops answering for the VIPs within
 * this (issue 14's goal). */
export const LET_GO_WITHIN_MS = 2000 as Ms;
/** After a backup's Skew_Time, the time it takes to add the VIP and send
 * its gratuitous ARP, with room for a busy CPU. */
const TAKEOVER_MARGIN_MS = 100;

/** The longest gap between two heartbeats of a healthy daemon whose
 * fastest master advertises every `intervalMs`: the beat goes with the
 * first advert at least BEAT_EVERY_MS after the previous beat, so a whole
 * number of intervals apart; adverts slower than OWN_BEAT_MS leave it to
 * the daemon's timer. */
export function beatGapMs(intervalMs: Ms): Ms {
  if (intervalMs > OWN_BEAT_MS) return OWN_BEAT_MS;
  return (Math.ceil(BEAT_EVERY_MS / intervalMs) * intervalMs) as Ms;
}

/** The silence limit: the longest healthy gap plus SLACK_MS. At most
 * OWN_BEAT_MS + SLACK_MS = 1.9 s, so a hung daemon's router can let go of
 * the VIP within 2 s at every advert interval; at 100 ms adverts 1.2 s, at
 * 1 s adverts 1.9 s. A backup at 1 s adverts would take over only after
 * its Master_Down_Interval (3.6 s at priority 100): the priority 0 brings
 * that down to its Skew_Time after firing. */
export function silenceLimitMs(intervalMs: Ms): Ms {
  return (beatGapMs(intervalMs) + SLACK_MS) as Ms;
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
 * a backup can have taken over, but no longer than the 2 s goal allows:
 * after a death (fired at once) 1.1 s at the most (v3 adverts slower than
 * 2 s: 2 s), after a silence what the silence limit leaves (at 1 s adverts
 * 0.1 s, at 100 ms adverts v3 the whole 0.2 s). */
export function planFor(instances: readonly WatchedInstance[]): Plan | null {
  const masters = instances.filter((i) => i.role === "master");
  if (masters.length === 0) return null;
  const fastest = Math.min(...masters.map((i) => centisecToMs(i.advertIntervalCs))) as Ms;
  const silenceMs = silenceLimitMs(fastest);
  const takeover = Math.max(...masters.map(takeoverBoundMs));
  return {
    resign: masters.flatMap((i) => i.resign),
    release: masters.flatMap((i) => i.release),
    silenceMs,
    releaseAfterDeathMs: Math.min(takeover, LET_GO_WITHIN_MS) as Ms,
    releaseAfterSilenceMs: Math.max(0, Math.min(takeover, LET_GO_WITHIN_MS - silenceMs)) as Ms,
    ownBeatMs: fastest > OWN_BEAT_MS ? OWN_BEAT_MS : null,
  };
}

/** Whether two plans would make the child do exactly the same: a new child
 * is forked only when not. */
export function samePlan(a: Plan | null, b: Plan | null): boolean {
  if (a === null || b === null) return a === b;
  return a.silenceMs === b.silenceMs && a.ownBeatMs === b.ownBeatMs && a.releaseAfterDeathMs === b.releaseAfterDeathMs
    && a.releaseAfterSilenceMs === b.releaseAfterSilenceMs && sameSends(a.resign, b.resign) && sameSends(a.release, b.release);
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

/** Whether an advert sent at `now` carries a heartbeat. */
export function beatDue(lastBeat: Ms, now: Ms): boolean {
  return now - lastBeat >= BEAT_EVERY_MS;
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
