// [HOTPLUG] Runs the user's hooks on every transition, the way OpenWrt
// services do: `hotplug-call floatgw` (or the configured program) with a
// clean environment describing the event, and after it keepalived's notify
// scripts (notify.ts says which). One program at a time, in the order of the
// transitions (keepalived#1884: out-of-order notifications), and each bounded
// by a timeout, so a hanging hook never holds up VRRP: it runs in a process
// of its own while the daemon carries on.
import { after, isExecutable, killHard, killSession, reap, sleepBlocking, spawn, spawnSession } from "../platform/engine";
import { SCRIPT_PATH, resolveProgram } from "../platform/programs";
import { lookupIds } from "../platform/users";
import type { Logger } from "../daemon/log";

export type HotplugAction = "master" | "backup" | "fault" | "stop";

export interface HotplugEvent {
  action: HotplugAction;
  instance: string;
  vrid: number;
  /** The netifd interface, or "" when the section names only a device. */
  interface: string;
  device: string;
  vips: string[];
  priority: number;
  from: string;
  reason: string;
  /** The section's `dhcp` option: the dnsmasq hook acts only when set. */
  dhcp: boolean;
}

/** The environment a hook sees; documented in docs/hotplug.md. */
export function hotplugEnv(e: HotplugEvent): Record<string, string> {
  return {
    PATH: SCRIPT_PATH,
    ACTION: e.action,
    INSTANCE: e.instance,
    VRID: String(e.vrid),
    INTERFACE: e.interface,
    DEVICE: e.device,
    VIPS: e.vips.join(" "),
    PRIORITY: String(e.priority),
    FROM: e.from,
    REASON: e.reason,
    DHCP: e.dhcp ? "1" : "0",
    // keepalived's hotplug names, so its users' hooks can tell events apart
    TYPE: "INSTANCE",
    NAME: e.instance,
  };
}

/** One program the queue runs: a hook or a notify script. */
interface QueuedRun {
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  /** For the log: "hook for master of lan", "notify script /etc/up.sh of INSTANCE lan". */
  readonly label: string;
  /** A notify script's instance or group: its runs still queued when a
   * newer transition of it comes are dropped, only the newest state
   * matters. null (hooks): every event runs, the dnsmasq hook acts on each. */
  readonly subject: string | null;
}

export class Hotplug {
  private readonly queue: QueuedRun[] = [];
  private running: { pid: number; run: QueuedRun; cancelTimeout: () => void } | null = null;

  private command: string | null = null;
  private timeoutMs = 10_000;
  /** `user[:group]` notify scripts run as; null: root. */
  private scriptUser: string | null = null;

  constructor(command: string | null, private readonly log: Logger) {
    this.setCommand(command);
  }

  /** A reload may change the program (or turn hooks off); queued events keep
   * going. A program that is not there (no hotplug-call off OpenWrt) turns
   * hooks off, said once, rather than failing at every transition. */
  setCommand(command: string | null): void {
    this.command = command !== null && isExecutable(command) ? command : null;
    if (command !== null && this.command === null) this.log("warn", `${command} not found: hooks are off`);
  }

  /** The global notify_timeout and script_user. */
  setLimits(timeoutMs: number, scriptUser: string | null): void {
    this.timeoutMs = timeoutMs;
    this.scriptUser = scriptUser;
  }

  emit(event: HotplugEvent): void {
    if (this.command === null) return;
    this.enqueue({ argv: [this.command, "floatgw"], env: hotplugEnv(event), label: `hook for ${event.action} of ${event.instance}`, subject: null });
  }

  /** Queues a transition's notify scripts (argvs in order) of `subject`
   * ("INSTANCE lan", "GROUP router"), dropping its runs not yet started. */
  notify(subject: string, argvs: readonly (readonly string[])[]): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i];
      if (q?.subject !== subject) continue;
      this.log("info", `${q.label} not run: a newer transition of ${subject} came first`);
      this.queue.splice(i, 1);
    }
    for (const argv of argvs) this.enqueue({ argv, env: { PATH: SCRIPT_PATH }, label: `notify script ${argv[0] ?? ""} of ${subject}`, subject });
  }

  /** Call on SIGCHLD: reaps the running program and starts the next one. */
  childExited(): void {
    const r = this.running;
    if (!r) return;
    const status = reap(r.pid);
    if (status === null) return;
    r.cancelTimeout();
    this.running = null;
    if (status !== 0) this.log("warn", `${r.run.label} exited with status ${status}`);
    this.startNext();
  }

  /** At exit: runs what is still queued, one at a time, for at most
   * `budgetMs` in all (the VIPs are already gone by then); a program still
   * running at the end is killed. The event loop no longer runs, so the
   * timeout of each is kept here (the one running at the start gets a
   * whole timeout from then). */
  drain(budgetMs: number, now: () => number): void {
    const end = now() + budgetMs;
    let current = this.running?.pid;
    let killAt = now() + this.timeoutMs;
    while (this.running && now() < end) {
      if (this.running.pid !== current) {
        current = this.running.pid;
        killAt = now() + this.timeoutMs;
      } else if (now() >= killAt) {
        this.log("warn", `${this.running.run.label} still running after ${this.timeoutMs} ms: killed`);
        kill(this.running);
        killAt = Infinity;
      }
      sleepBlocking(10);
      this.childExited();
    }
    if (this.running) {
      this.log("warn", `${this.running.run.label} cut short at exit`);
      kill(this.running);
      reap(this.running.pid);
    }
    for (const q of this.queue.splice(0)) this.log("warn", `${q.label} not run: out of time at exit`);
  }

  private enqueue(run: QueuedRun): void {
    this.queue.push(run);
    if (!this.running) this.startNext();
  }

  private startNext(): void {
    const run = this.queue.shift();
    if (!run) return;
    const pid = this.spawn(run);
    if (pid === null) {
      this.startNext();
      return;
    }
    const cancelTimeout = after(this.timeoutMs, () => {
      this.log("warn", `${run.label} still running after ${this.timeoutMs} ms: killed`);
      kill({ pid, run });
    });
    this.running = { pid, run, cancelTimeout };
  }

  /** Starts a run; null, said in the log, when it cannot start. A hook
   * shares the daemon's standard streams; a notify script runs as
   * script_user in a session of its own (killed with whatever it started),
   * its program found as a shell would. */
  private spawn(run: QueuedRun): number | null {
    if (run.subject === null) {
      const pid = spawn([...run.argv], run.env);
      if (pid > 0) return pid;
      this.log("error", `cannot run ${run.label}: error ${-pid}`);
      return null;
    }
    const [name = "", ...args] = run.argv;
    const program = resolveProgram(name);
    if (program === null) {
      this.log("error", `${run.label}: ${name} is not an executable program`);
      return null;
    }
    const ids = this.scriptUser === null ? { uid: -1, gid: -1 } : lookupIds(this.scriptUser);
    if (typeof ids === "string") {
      this.log("error", `${run.label}: script_user: ${ids}`);
      return null;
    }
    const pid = spawnSession([program, ...args], run.env, ids.uid, ids.gid);
    if (pid <= 0) {
      this.log("error", `cannot run ${run.label}: error ${-pid}`);
      return null;
    }
    return pid;
  }
}

/** Kills a run the way it was started. */
function kill(r: { pid: number; run: QueuedRun }): void {
  if (r.run.subject === null) killHard(r.pid);
  else killSession(r.pid);
}
