// The dead-man switch on the real system: keeps one watcher child (forked
// by the native module) armed with the plan of src/core/deadman.ts while
// this router is master of something, feeds it heartbeats, disarms it on an
// orderly exit, and hears when it fired.
//
// The child and the daemon share a stream socket pair. Daemon → child:
// 8-byte messages, a heartbeat with the daemon's monotonic clock (the
// daemon is alive at that time; it wakes no one, the child reads it when it
// looks) or DISARM (leave without firing; native.c, WATCH_MSG). Child →
// daemon: FIRED, just before it exits, or end of file when it ended some
// other way. A new plan means a new child: it is armed before the old one
// is disarmed, so no moment goes unguarded (should the daemon die between
// the two, both fire: the same adverts and deletions twice, harmless).
import { type Plan, type PlanSend, type WatchedInstance, type WatcherReport, beatDue, decide, planFor, samePlan } from "../core/deadman";
import type { Ms } from "../core/units";
import { type Children, closeChannel } from "../platform/children";
import { after, isSyscallError, monotonicMs, sys, watchReadable } from "../platform/engine";
import { guarded, type Logger } from "./log";

/** The daemon's messages to the child: a kind byte, and from byte 4 the
 * time of a heartbeat in ms (CLOCK_MONOTONIC modulo 2^32, little-endian). */
const MESSAGE_BYTES = 8;
const BEAT_KIND = 0x68; // 'h'
const DISARM = new Uint8Array(MESSAGE_BYTES).fill(0x44, 0, 1); // 'D'
const FIRED = 0x46; // 'F'
/** The child's exit status after firing (native.c). */
const FIRED_EXIT = 1;

export interface WatcherHost {
  now(): Ms;
  /** What every instance would need done should the daemon die now. */
  watched(): WatchedInstance[];
  /** The switch fired: every master instance steps down (core `abandoned`). */
  abandon(): void;
}

interface Child {
  readonly pid: number;
  readonly fd: number;
}

export class Watcher {
  private plan: Plan | null = null;
  private child: Child | null = null;
  private lastBeat = 0 as Ms;
  private updating = false;
  private stopped = false;
  private cancelOwnBeat: (() => void) | null = null;
  /** One heartbeat message, its time rewritten for each. */
  private readonly beatMessage = new Uint8Array(MESSAGE_BYTES).fill(BEAT_KIND, 0, 1);
  private readonly beatTime = new DataView(this.beatMessage.buffer, 4, 4);

  constructor(private readonly host: WatcherHost, private readonly children: Children, private readonly log: Logger) {}

  /** Something the plan depends on may have changed (a transition, a
   * reload, a device re-created): the plan is looked at again once, after
   * this turn of the event loop. */
  update(): void {
    if (this.updating || this.stopped) return;
    this.updating = true;
    after(0, guarded(this.log, "dead-man switch", () => {
      this.updating = false;
      if (!this.stopped) this.replan();
    }));
  }

  private replan(): void {
    const next = planFor(this.host.watched());
    if (samePlan(next, this.plan) && (next === null) === (this.child === null)) return;
    const old = this.child;
    this.child = null;
    this.plan = next;
    if (next !== null) this.arm(next);
    if (old !== null) this.disarm(old);
    this.cancelOwnBeat?.();
    this.cancelOwnBeat = null;
    if (next?.ownBeatMs != null) this.ownBeat(next.ownBeatMs);
  }

  private arm(plan: Plan): void {
    try {
      const datagrams = (sends: readonly PlanSend[]) => sends.map((s) => [s.fd, s.data, s.to] as const);
      const [pid, fd] = sys.watcher(plan.silenceMs, plan.releaseAfterDeathMs, plan.releaseAfterSilenceMs, datagrams(plan.resign), datagrams(plan.release));
      const child = { pid, fd };
      this.child = child;
      this.lastBeat = this.host.now();
      this.children.watch(pid, (e) => {
        if (e.code === FIRED_EXIT) this.lost(child, "fired");
        else this.lost(child, "gone");
      });
      watchReadable(fd, guarded(this.log, "dead-man switch", () => this.readReport(child)));
      this.log("debug", `dead-man switch armed (pid ${pid}): ${plan.resign.length} adverts and ${plan.release.length} VIP deletions`
        + ` after ${plan.silenceMs} ms of silence`);
    } catch (e) {
      this.log("error", `cannot arm the dead-man switch: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Tells the child to leave without firing; it may have gone already. */
  private disarm(c: Child): void {
    closeChannel(c.fd, DISARM);
  }

  /** The daemon is alive: a heartbeat, at most every BEAT_EVERY_MS. A
   * write that fails means the child is gone: it may have fired while the
   * daemon hung, which is learnt here, before the caller acts as master. */
  beat(): void {
    const c = this.child;
    if (c === null) return;
    const now = this.host.now();
    if (!beatDue(this.lastBeat, now)) return;
    this.lastBeat = now;
    this.beatTime.setUint32(0, Math.floor(monotonicMs()) % 2 ** 32, true);
    try {
      sys.sendto(c.fd, this.beatMessage, null);
    } catch (e) {
      if (!isSyscallError(e)) throw e;
      if (!this.readReport(c)) this.lost(c, "gone");
    }
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
    if (decide(report) === "abandon") {
      this.log("warn", "the dead-man switch fired while the daemon did not run: priority 0 was sent and the VIPs deleted; stepping down to backup");
      this.host.abandon();
    } else {
      this.log("warn", `the dead-man switch (pid ${c.pid}) ended without firing; arming a new one`);
    }
    this.update();
  }

  /** Heartbeats on a timer of our own, when adverts are too far apart. */
  private ownBeat(periodMs: Ms): void {
    this.cancelOwnBeat = after(periodMs, guarded(this.log, "dead-man switch", () => {
      this.cancelOwnBeat = null;
      this.beat();
      if (this.child !== null) this.ownBeat(periodMs);
    }));
  }

  /** An orderly exit: the daemon resigns by itself; the child leaves without firing. */
  stop(): void {
    this.stopped = true;
    this.cancelOwnBeat?.();
    this.cancelOwnBeat = null;
    const c = this.child;
    this.child = null;
    this.plan = null;
    if (c !== null) this.disarm(c);
  }
}
