// The dead-man switch and the master's beacon on the real system: keeps one
// watcher child (forked by the native module) armed with the plan of
// src/core/deadman.ts while this router is master of something, disarms it
// on an orderly exit, hears when it fired, and counts the adverts it sent.
//
// The child sends the masters' periodic adverts and renews their VIPs'
// kernel lifetimes, so the daemon does not wake for either, and looks at
// the daemon's /proc/PID/stat to tell whether it is alive (deadman.ts,
// Liveness) at each of those wakes, sending nothing for a daemon stopped
// or spinning: no heartbeat is written. Asleep (S)
// counts as alive because every wait of floatgwd is its event loop's poll:
// every receive is MSG_DONTWAIT (native.c; a netlink request's answer is
// queued by the kernel before sendto returns; the control, ubus and lease
// sockets and the probes' TCP, ICMP and ARP sockets are watched for
// readiness; only the CLI polls for an answer, never the daemon), child
// processes are spawned and reaped on SIGCHLD, never waited for, and the
// files it reads and writes are small local ones (/proc, /sys, /tmp, /etc).
//
// The child and the daemon share a stream socket pair. Daemon → child:
// DISARM (leave without firing; native.c, WATCH_MSG). Child → daemon:
// FIRED, just before it exits, or end of file when it ended some other way.
// A new plan means a new child: it is armed before the old one is disarmed,
// so no moment goes unguarded (should the daemon die between the two, both
// fire: the same adverts and deletions twice, harmless). For the same
// reason a beacon advert may go out twice when a plan changes close to its
// due time: a duplicate advert is harmless (a backup restarts its
// Master_Down_Timer once more). A renewal is not: a child told to leave
// may still renew a VIP the daemon has just deleted (it renews when it
// wakes, before it reads the 'D'), which would put the VIP back for its
// whole lifetime. So once such a child is reaped (it can renew nothing
// more), each instance it renewed for deletes its VIPs again unless it
// holds them (host.renewalsEnded).
//
// The child counts its sends in memory shared with the daemon (MAP_SHARED,
// created before the fork): the counts are exact whatever the child
// skipped after a late wake, which a count worked out from the schedule
// would not be. They are read from the buffer until the child is reaped,
// then added to the instance's total.
import { type Plan, type PlanPeriodic, type PlanSend, type WatchedInstance, type WatcherReport, decide, planFor, samePlan } from "../core/deadman";
import type { Ms } from "../core/units";
import { type Children, closeChannel } from "../platform/children";
import { after, sys, watchReadable } from "../platform/engine";
import { guarded, type Logger } from "./log";

/** The daemon's message to the child: 'D' and padding (native.c, WATCH_MSG). */
const DISARM = new Uint8Array(8).fill(0x44, 0, 1); // 'D'
const FIRED = 0x46; // 'F'
/** The child's exit status after firing (native.c). */
const FIRED_EXIT = 1;
/** A beacon that only moved (updateBeacon) is forked into a new plan at
 * most this often: a flood of forged priority-0 adverts re-phases a
 * master's beacon up to four times per interval, and must not become as
 * many forks. The runner sends the adverts of its new schedule meanwhile
 * (runner.ts). */
const REARM_EVERY_MS = 100;
/** The instances whose beacon, and those whose VIP renewals, a child
 * sends now. */
export interface Carried {
  readonly beacons: ReadonlySet<string>;
  readonly renewals: ReadonlySet<string>;
}
const NOTHING_CARRIED: Carried = { beacons: new Set(), renewals: new Set() };

export interface WatcherHost {
  now(): Ms;
  /** What every instance would need done should the daemon die now. */
  watched(): WatchedInstance[];
  /** The switch fired: every master instance steps down (core `abandoned`). */
  abandon(): void;
  /** What a child sends now; the runners send the rest (runner.ts). */
  carried(c: Carried): void;
  /** A child that renewed these instances' VIPs is gone: each deletes its
   * VIPs again unless it holds them. */
  renewalsEnded(names: ReadonlySet<string>): void;
}

interface Child {
  readonly pid: number;
  readonly fd: number;
  /** How many times it sent each beacon of its plan (shared with it). */
  readonly counts: Uint32Array;
  /** The instance each of those counts adds to (deadman.ts, countsFor). */
  readonly countsFor: readonly (string | null)[];
  /** The instances whose VIPs it renews. */
  readonly renews: ReadonlySet<string>;
}

export class Watcher {
  private plan: Plan | null = null;
  private child: Child | null = null;
  /** Every child not yet reaped, whose counts are still read live. */
  private readonly running = new Set<Child>();
  /** The adverts of reaped children, by instance. */
  private readonly beaconed = new Map<string, number>();
  /** When the next look at the plan is due, and how to cancel it. */
  private pending: { readonly at: Ms; readonly cancel: () => void } | null = null;
  private stopped = false;
  private armedAt = -REARM_EVERY_MS;

  constructor(private readonly host: WatcherHost, private readonly children: Children, private readonly log: Logger) {}

  /** Something the plan depends on may have changed (a transition, a
   * reload, a device re-created): the plan is looked at again once, after
   * this turn of the event loop. */
  update(): void {
    this.lookAgainIn(0);
  }

  /** A master's beacon moved (re-phased, or another priority) and nothing
   * else changed: the plan is looked at again, but no sooner than
   * REARM_EVERY_MS after the last fork. */
  updateBeacon(): void {
    this.lookAgainIn(Math.max(0, this.armedAt + REARM_EVERY_MS - this.host.now()));
  }

  private lookAgainIn(delayMs: number): void {
    if (this.stopped) return;
    const at = (this.host.now() + delayMs) as Ms;
    if (this.pending !== null) {
      if (this.pending.at <= at) return;
      this.pending.cancel();
    }
    this.pending = {
      at,
      cancel: after(delayMs, guarded(this.log, "dead-man switch", () => {
        this.pending = null;
        if (!this.stopped) this.replan();
      })),
    };
  }

  /** A beacon stopped: the child that sends it goes now, before the
   * instance's priority 0 goes out (state.ts). */
  updateNow(): void {
    this.pending?.cancel();
    this.pending = null;
    if (!this.stopped) this.replan();
  }

  private replan(): void {
    const next = planFor(this.host.watched());
    if (!samePlan(next, this.plan) || (next === null) !== (this.child === null)) {
      const old = this.child;
      this.child = null;
      this.plan = next;
      if (next !== null) this.arm(next);
      if (old !== null) this.disarm(old);
    }
    this.host.carried(this.child === null || this.plan === null ? NOTHING_CARRIED : {
      beacons: new Set(this.plan.beacons.flatMap((b) => (b.countsFor === null ? [] : [b.countsFor]))),
      renewals: this.child.renews,
    });
  }

  private arm(plan: Plan): void {
    try {
      const datagrams = (sends: readonly PlanSend[]) => sends.map((s) => [s.fd, s.data, s.to] as const);
      // The renewals are periodic sends like the beacons, after them: the
      // child counts them too, in counts no instance reads.
      const periodic = (sends: readonly PlanPeriodic[]) => sends.map((b) => [b.fd, b.data, b.to, b.intervalMs, b.phase] as const);
      const l = plan.liveness;
      const [pid, fd, counts] = sys.watcher(l.silenceMs, l.stoppedMs, l.recheckMs, l.quietCheckMs, l.freshMs, l.spinWindowMs, l.spinPercent,
        plan.releaseAfterDeathMs, plan.releaseAfterSilenceMs, [...periodic(plan.beacons), ...periodic(plan.renewals)], datagrams(plan.resign), datagrams(plan.release));
      this.armedAt = this.host.now();
      const child: Child = {
        pid, fd, counts: new Uint32Array(counts, 0, plan.beacons.length), countsFor: plan.beacons.map((b) => b.countsFor),
        renews: new Set(plan.renewals.map((r) => r.instance)),
      };
      this.child = child;
      this.running.add(child);
      this.children.watch(pid, (e) => {
        this.reaped(child);
        this.lost(child, e.code === FIRED_EXIT ? "fired" : "gone");
      });
      watchReadable(fd, guarded(this.log, "dead-man switch", () => this.readReport(child)));
      this.log("debug", `dead-man switch armed (pid ${pid}): ${plan.beacons.length} beacon adverts, ${plan.renewals.length} VIP renewals, ${plan.resign.length} priority-0 adverts`
        + ` and ${plan.release.length} VIP deletions after ${l.stoppedMs} ms stopped or ${l.silenceMs} ms not alive`);
    } catch (e) {
      this.log("error", `cannot arm the dead-man switch: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Tells the child to leave without firing; it may have gone already. */
  private disarm(c: Child): void {
    closeChannel(c.fd, DISARM);
  }

  /** Learns whether the child fired while the daemon did not run, before
   * the caller acts as master (a read that finds nothing costs one system
   * call). */
  check(): void {
    const c = this.child;
    if (c !== null) this.readReport(c);
  }

  /** How many periodic adverts the children sent for this instance. */
  beaconsSent(name: string): number {
    let n = this.beaconed.get(name) ?? 0;
    for (const c of this.running) n += countOf(c, name);
    return n;
  }

  /** A child ended: its counts are final, and it renews nothing more. */
  private reaped(c: Child): void {
    if (!this.running.delete(c)) return;
    for (const name of new Set(c.countsFor)) if (name !== null) this.beaconed.set(name, (this.beaconed.get(name) ?? 0) + countOf(c, name));
    if (c.renews.size > 0) this.host.renewalsEnded(c.renews);
  }

  /** Reads what the child said; true if it fired or ended. */
  private readReport(c: Child): boolean {
    let report: WatcherReport | null = null;
    try {
      for (let got = sys.recvmsg(c.fd, 64); got !== null && report === null; got = sys.recvmsg(c.fd, 64)) {
        if (got.data.byteLength === 0) report = "gone";
        else if (new Uint8Array(got.data).includes(FIRED)) report = "fired";
      }
    } catch {
      report = "gone";
    }
    if (report === null) return false;
    this.lost(c, report);
    return true;
  }

  private lost(c: Child, report: WatcherReport): void {
    if (this.child !== c) return;
    watchReadable(c.fd, null);
    sys.close(c.fd);
    this.child = null;
    this.plan = null;
    this.host.carried(NOTHING_CARRIED);
    if (decide(report) === "abandon") {
      this.log("warn", "the dead-man switch fired while the daemon did not run: priority 0 was sent and the VIPs deleted; stepping down to backup");
      this.host.abandon();
    } else {
      this.log("warn", `the dead-man switch (pid ${c.pid}) ended without firing; arming a new one`);
    }
    this.update();
  }

  /** An orderly exit: the daemon resigns by itself; the child leaves without firing. */
  stop(): void {
    this.stopped = true;
    this.pending?.cancel();
    this.pending = null;
    const c = this.child;
    this.child = null;
    this.plan = null;
    if (c !== null) this.disarm(c);
  }
}

function countOf(c: Child, name: string): number {
  let n = 0;
  for (let i = 0; i < c.countsFor.length; i++) if (c.countsFor[i] === name) n += c.counts[i] ?? 0;
  return n;
}
