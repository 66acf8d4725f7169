// The one runner of transition notifications: the programs to run when an
// instance or a sync group changes state (the hotplug hooks and keepalived's
// notify scripts). One program at a time, in the order of the transitions
// (keepalived#1884: out-of-order notifications), each in its own process
// and bounded by a timeout, so a slow or hanging program never holds up
// VRRP.
//
// Coalescing: only the newest state of an instance matters. An instance has
// at most one notification waiting; a newer one replaces it (and takes its
// place in the order), and one that says what the last one started for the
// instance already said is dropped. So the queue holds at most one entry per
// instance whatever a flood of transitions does, and the programs that run
// describe the current state, never a backlog of old ones.
import type { Logger } from "../daemon/log";
import { after, killHard, killSession, reap, sleepBlocking, spawn, spawnSession } from "../platform/engine";

/** One program to run, with exactly this environment. */
export interface Command {
  argv: string[];
  env: Record<string, string>;
  /** Run in a session of its own as this user and group (-1: unchanged),
   * and killed with whatever it started (notify scripts); absent: in the
   * daemon's session (hooks). */
  session?: { uid: number; gid: number };
}

export interface Notification {
  /** The instance it is about: one waiting notification per key. */
  key: string;
  /** The state it reports; a notification repeating the one last started
   * for its key is dropped. */
  state: string;
  /** For log lines: "master of lan". */
  label: string;
  /** Run one after the other. */
  commands: Command[];
}

interface Running {
  notification: Notification;
  next: number;
  pid: number;
  command: Command;
  cancelTimeout: () => void;
}

function kill(pid: number, command: Command): void {
  if (command.session) killSession(pid);
  else killHard(pid);
}

export class TransitionQueue {
  /** Waiting notifications by key, in the order they are to run. */
  private readonly waiting = new Map<string, Notification>();
  /** The state last started per key. */
  private readonly started = new Map<string, string>();
  private running: Running | null = null;
  /** Notifications replaced or dropped before they ran (for status). */
  coalesced = 0;

  constructor(private readonly log: Logger, private timeoutMs = 10_000) {}

  /** The global notify_timeout: for the programs started from now on. */
  setTimeoutMs(ms: number): void {
    this.timeoutMs = ms;
  }

  get length(): number {
    return this.waiting.size;
  }

  push(n: Notification): void {
    if (this.waiting.delete(n.key)) this.coalesced++;
    this.waiting.set(n.key, n);
    if (!this.running) this.startNext();
  }

  /** Call on SIGCHLD: reaps the running program and starts the next one. */
  childExited(): void {
    const r = this.running;
    if (!r) return;
    const status = reap(r.pid);
    if (status === null) return;
    r.cancelTimeout();
    this.running = null;
    if (status !== 0) this.log("warn", `${r.notification.commands[r.next - 1]?.argv[0] ?? "program"} for ${r.notification.label} exited with status ${status}`);
    if (r.next < r.notification.commands.length) this.run(r.notification, r.next);
    else this.startNext();
  }

  /** At exit: runs what is still waiting, one at a time, for at most
   * `budgetMs` in all; a program still running at the end is killed. The
   * event loop no longer runs, so each program's timeout is kept here (the
   * one running at the start gets a whole timeout from then). */
  drain(budgetMs: number, now: () => number): void {
    const end = now() + budgetMs;
    let current = this.running?.pid;
    let killAt = now() + this.timeoutMs;
    while (this.running && now() < end) {
      if (this.running.pid !== current) {
        current = this.running.pid;
        killAt = now() + this.timeoutMs;
      } else if (now() >= killAt) {
        this.log("warn", `${this.running.command.argv[0] ?? "program"} for ${this.running.notification.label} still running after ${this.timeoutMs} ms: killed`);
        kill(this.running.pid, this.running.command);
        killAt = Infinity;
      }
      sleepBlocking(10);
      this.childExited();
    }
    if (this.running) {
      this.log("warn", `${this.running.command.argv[0] ?? "program"} for ${this.running.notification.label} cut short at exit`);
      kill(this.running.pid, this.running.command);
      reap(this.running.pid);
      this.running = null;
    }
    for (const n of this.waiting.values()) this.log("warn", `programs for ${n.label} not run: out of time at exit`);
    this.waiting.clear();
  }

  private startNext(): void {
    const first = this.waiting.entries().next();
    if (first.done) return;
    const [key, n] = first.value;
    this.waiting.delete(key);
    // Back to what the last run for this instance reported: the states in
    // between never ran, so there is nothing to undo or repeat.
    if (this.started.get(key) === n.state) {
      this.coalesced++;
      this.startNext();
      return;
    }
    this.started.set(key, n.state);
    this.run(n, 0);
  }

  /** Starts command `index` of `n`; past the last one, the next notification. */
  private run(n: Notification, index: number): void {
    const command = n.commands[index];
    if (!command) {
      this.startNext();
      return;
    }
    const pid = command.session ? spawnSession(command.argv, command.env, command.session.uid, command.session.gid)
      : spawn(command.argv, command.env);
    if (pid <= 0) {
      this.log("error", `cannot run ${command.argv[0] ?? "?"}: error ${-pid}`);
      this.run(n, index + 1);
      return;
    }
    const cancelTimeout = after(this.timeoutMs, () => {
      this.log("warn", `${command.argv[0] ?? "program"} for ${n.label} still running after ${this.timeoutMs} ms: killed`);
      kill(pid, command);
    });
    this.running = { notification: n, next: index + 1, pid, command, cancelTimeout };
  }
}
