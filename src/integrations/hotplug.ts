// [HOTPLUG] Runs the user's hooks on every transition, the way OpenWrt
// services do: `hotplug-call floatgw` (or the configured program) with a
// clean environment describing the event. One hook run at a time, in the
// order of the transitions (keepalived#1884: out-of-order notifications), and
// each bounded by a timeout, so a hanging hook never holds up VRRP: the hook
// runs in its own process while the daemon carries on.
import { after, isExecutable, killHard, reap, sleepBlocking, spawn } from "../platform/engine";
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
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
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

export class Hotplug {
  private readonly queue: HotplugEvent[] = [];
  private running: { pid: number; event: HotplugEvent; cancelTimeout: () => void } | null = null;

  private command: string | null = null;

  constructor(command: string | null, private readonly log: Logger, private readonly timeoutMs = 10_000) {
    this.setCommand(command);
  }

  /** A reload may change the program (or turn hooks off); queued events keep
   * going. A program that is not there (no hotplug-call off OpenWrt) turns
   * hooks off, said once, rather than failing at every transition. */
  setCommand(command: string | null): void {
    this.command = command !== null && isExecutable(command) ? command : null;
    if (command !== null && this.command === null) this.log("warn", `${command} not found: hooks are off`);
  }

  emit(event: HotplugEvent): void {
    if (this.command === null) return;
    this.queue.push(event);
    if (!this.running) this.startNext();
  }

  /** Call on SIGCHLD: reaps the running hook and starts the next one. */
  childExited(): void {
    const r = this.running;
    if (!r) return;
    const status = reap(r.pid);
    if (status === null) return;
    r.cancelTimeout();
    this.running = null;
    if (status !== 0) this.log("warn", `hook for ${r.event.action} of ${r.event.instance} exited with status ${status}`);
    this.startNext();
  }

  /** At exit: runs what is still queued, one at a time, for at most
   * `budgetMs` in all (the VIPs are already gone by then); a hook still
   * running at the end is killed. */
  drain(budgetMs: number, now: () => number): void {
    const end = now() + budgetMs;
    while (this.running && now() < end) {
      sleepBlocking(10);
      this.childExited();
    }
    if (this.running) {
      this.log("warn", `hook for ${this.running.event.action} of ${this.running.event.instance} cut short at exit`);
      killHard(this.running.pid);
      reap(this.running.pid);
    }
    for (const e of this.queue.splice(0)) this.log("warn", `hook for ${e.action} of ${e.instance} not run: out of time at exit`);
  }

  private startNext(): void {
    const event = this.queue.shift();
    if (!event || this.command === null) return;
    const pid = spawn([this.command, "floatgw"], hotplugEnv(event));
    if (pid <= 0) {
      this.log("error", `cannot run ${this.command}: error ${-pid}`);
      this.startNext();
      return;
    }
    const cancelTimeout = after(this.timeoutMs, () => {
      this.log("warn", `hook for ${event.action} of ${event.instance} still running after ${this.timeoutMs} ms: killed`);
      killHard(pid);
    });
    this.running = { pid, event, cancelTimeout };
  }
}
