// The backup's listener on the real system: one child process per device
// and address family (forked by the native module) that keeps the
// Master_Down_Timers of the backups there, so that the daemon does not
// wake for every advert of a steady master (docs/performance.md).
//
// Each backup whose timer stands for "the master fell silent" (core
// masterDownWatch) has a template: the datagram the core last took from
// its master. The kernel moves copies of the templates from the receive
// socket to the quiet one (src/platform/bpf.ts), which only the child
// reads, and only when a deadline (newest copy + Master_Down_Interval)
// has passed: about once per Master_Down_Interval less an advert
// interval. A watch whose deadline passed with no newer copy is reported;
// the runner then feeds the core the template at its newest copy's time
// and the timeout, and the core decides, as it would have with every
// copy. Whatever else comes (priority 0, another router, another list of
// addresses) still reaches the daemon on the receive socket; before it is
// fed, the child is asked for what it holds (SYNC), so that the core never
// hears an older copy after a newer event. The wire: listen-wire.ts.
import type { Ms } from "../core/units";
import { templatesFit } from "../platform/bpf";
import { type Children, closeChannel } from "../platform/children";
import { after, killHard, monotonicMs, sys, watchReadable } from "../platform/engine";
import { type VrrpSocket, receiveInto, receivedBuffers } from "../platform/vrrp-socket";
import { LEAVE, ListenPage, SYNC, decodeReports, fromClock32, templateOf, watchOf } from "./listen-wire";
import { guarded, type Logger } from "./log";
import { type Cover, type ListenWant, type Runner, sameDatagram } from "./runner";

/** How long the daemon waits for the child to answer SYNC: it only reads a
 * socket and writes a page, but a daemon must not hang on a stuck child. */
const SYNC_WAIT_MS = 200;
/** The most datagrams read from the quiet socket when a child is lost:
 * what 16 masters at 10 ms adverts queue in a second. */
const UNREAD_LIMIT = 1600;

/** What a listener needs from its device. */
export interface ListenerHost {
  now(): Ms;
  /** The device's instances of the listener's family. */
  runners(): readonly Runner[];
  /** Counts datagrams dropped for `reason`. */
  drop(reason: string, n: number): void;
}

interface Watch {
  readonly runner: Runner;
  readonly want: ListenWant;
  active: boolean;
}

interface Child {
  readonly pid: number;
  readonly fd: number;
  readonly page: ListenPage;
  readonly watches: readonly Watch[];
}

export class Listener {
  private child: Child | null = null;
  private updating = false;
  private stopped = false;
  private syncing = false;
  /** Buffers for what a lost child left on the quiet socket. */
  private readonly unread = receivedBuffers();

  constructor(private readonly socket: VrrpSocket, private readonly host: ListenerHost, private readonly children: Children,
    private readonly log: Logger) {}

  /** A runner's want changed: the plan is looked at again once, after this
   * turn of the event loop. */
  update(): void {
    if (this.updating || this.stopped) return;
    this.updating = true;
    after(0, guarded(this.log, "listener", () => {
      this.updating = false;
      if (!this.stopped) this.replan();
    }));
  }

  /** Another datagram for `runner` is about to be fed: if a child watches
   * for it, the core first hears the newest copies the child took. */
  sync(runner: Runner): void {
    const c = this.child;
    if (c !== null && c.watches.some((w) => w.active && w.runner === runner)) this.catchUp(c);
  }

  private wanted(): Watch[] {
    const out: Watch[] = [];
    for (const runner of this.host.runners()) {
      const want = runner.listenWant();
      if (want !== null) out.push({ runner, want, active: true });
    }
    // Whatever the kernel cannot filter stays with the daemon, as before.
    return templatesFit(out.map((w) => templateOf(w.want.template)), 0) ? out : [];
  }

  private replan(): void {
    let next = this.wanted();
    const old = this.child;
    if (old !== null && sameWatches(old.watches, next)) return;
    if (old !== null) {
      // The old child's newest copies may change the wants: ask again.
      this.catchUp(old);
      if (this.child === old) this.end(old);
      next = this.wanted();
    }
    this.child = null;
    try {
      this.socket.setTemplates(next.map((w) => templateOf(w.want.template)));
    } catch (e) {
      this.log("error", `listener filters: ${e instanceof Error ? e.message : String(e)}`);
      next = [];
    }
    if (next.length > 0) this.arm(next);
    const covered = new Set(next.map((w) => w.runner));
    for (const r of this.host.runners()) if (!covered.has(r)) r.covered(null);
  }

  private arm(watches: Watch[]): void {
    const now = this.host.now();
    try {
      const [pid, fd, page] = sys.listener(this.socket.quiet,
        watches.map((w) => watchOf(w.want.template, now - (w.runner.heardAt() ?? now), w.want.limitMs)));
      const child: Child = { pid, fd, page: new ListenPage(page, watches.length), watches };
      this.child = child;
      // Stopped, it would never report a silence: the kernel tells.
      this.children.watch(pid, () => this.lost(child, "ended"), () => this.kill(child, "was stopped"));
      watchReadable(fd, guarded(this.log, "listener", () => this.read(child)));
      watches.forEach((w, i) => {
        const cover: Cover = {
          want: w.want,
          copies: () => child.page.copies(i),
          newest: () => {
            const at32 = child.page.newest32(i);
            return at32 === null ? null : fromClock32(this.host.now(), at32);
          },
          catchUp: () => this.sync(w.runner),
        };
        w.runner.covered(cover);
      });
      this.log("debug", `listener armed (pid ${pid}): ${watches.length} masters watched`);
    } catch (e) {
      this.log("error", `cannot start the listener: ${e instanceof Error ? e.message : String(e)}`);
      this.socket.setTemplates([]);
    }
  }

  /** Reads the child's reports: a few messages at most, so all of them. */
  private read(c: Child): void {
    while (this.child === c) {
      let got;
      try {
        got = sys.recvmsg(c.fd, 64 * 8);
      } catch {
        got = { data: new ArrayBuffer(0) };
      }
      if (got === null) return;
      if (got.data.byteLength === 0) {
        this.lost(c, "ended");
        return;
      }
      for (const r of decodeReports(new Uint8Array(got.data))) if (r.kind === "silent") this.silent(c, r.index, r.at32);
    }
  }

  private silent(c: Child, index: number, at32: number): void {
    const w = c.watches[index];
    if (this.child !== c || w === undefined || !w.active) return;
    w.active = false;
    w.runner.caughtUp(w.want.template, fromClock32(this.host.now(), at32));
    w.runner.silent();
    this.update();
  }

  /** Asks the child for everything it took (bounded wait) and lets each
   * watched runner's core hear its master's newest copy. */
  private catchUp(c: Child): void {
    if (this.syncing) return;
    this.syncing = true;
    let synced = false;
    try {
      sys.sendto(c.fd, SYNC, null);
      const deadline = monotonicMs() + SYNC_WAIT_MS;
      while (!synced && sys.pollReadable(c.fd, Math.max(0, Math.ceil(deadline - monotonicMs())))) {
        const got = sys.recvmsg(c.fd, 64 * 8);
        if (got === null) continue;
        if (got.data.byteLength === 0) break;
        for (const r of decodeReports(new Uint8Array(got.data))) {
          if (r.kind === "synced") synced = true;
          else this.silent(c, r.index, r.at32);
        }
        if (monotonicMs() > deadline) break;
      }
    } catch (e) {
      this.log("debug", `listener (pid ${c.pid}) did not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.syncing = false;
    this.catchUpFromPage(c);
    // Stuck or gone: it might never report a silence either.
    if (!synced) this.kill(c, `did not answer within ${SYNC_WAIT_MS} ms`);
  }

  /** Kills a child that cannot be trusted to report a silence (a stopped
   * one would stay behind; its exit is reaped) and arms another. */
  private kill(c: Child, why: string): void {
    try {
      killHard(c.pid);
    } catch {
      // ESRCH: gone already
    }
    // What it held may have replaced it meanwhile (catchUpFromPage can
    // change a want): killed all the same, and said so.
    if (this.child === c) this.lost(c, why);
    else this.log("warn", `the listener (pid ${c.pid}) ${why}; killed`);
  }

  /** Tells the child to leave; its copies are counted by its runners. */
  private end(c: Child): void {
    closeChannel(c.fd, LEAVE);
    this.children.forget(c.pid);
    const strays = c.page.strays();
    if (strays > 0) this.host.drop("not-a-copy", strays);
    for (const w of c.watches) w.runner.covered(null);
  }

  /** The child ended by itself (killed?) or stopped answering: the daemon
   * keeps the timers until a new one is armed. */
  private lost(c: Child, why: string): void {
    if (this.child !== c) return;
    this.log("warn", `the listener (pid ${c.pid}) ${why}; arming a new one`);
    this.child = null;
    this.catchUpFromPage(c);
    this.catchUpFromSocket(c);
    this.end(c);
    this.socket.setTemplates([]);
    this.update();
  }

  /** What the child left unread on the quiet socket (all of it, if it was
   * stopped): the core hears each watch's copies now, which is later than
   * they came, never earlier. */
  private catchUpFromSocket(c: Child): void {
    const r = this.unread;
    const heard = new Set<Watch>();
    for (let n = 0, length = receiveInto(this.socket.quiet, r); n < UNREAD_LIMIT && length >= 0; n++, length = receiveInto(this.socket.quiet, r)) {
      for (const w of c.watches) if (w.active && sameDatagram(r, length, w.want.template)) heard.add(w);
    }
    for (const w of heard) w.runner.caughtUp(w.want.template, this.host.now());
  }

  private catchUpFromPage(c: Child): void {
    c.watches.forEach((w, i) => {
      const at32 = c.page.newest32(i);
      if (w.active && at32 !== null) w.runner.caughtUp(w.want.template, fromClock32(this.host.now(), at32));
    });
  }

  stop(): void {
    this.stopped = true;
    const c = this.child;
    this.child = null;
    if (c !== null) this.end(c);
  }
}

/** Whether a child armed with `a` watches exactly what `b` asks for. */
function sameWatches(a: readonly Watch[], b: readonly Watch[]): boolean {
  return a.length === b.length && a.every((w, i) => w.active && w.runner === b[i]?.runner && w.want === b[i]?.want);
}
