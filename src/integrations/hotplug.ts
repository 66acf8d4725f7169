// [HOTPLUG] The user's hooks on every transition, the way OpenWrt services
// do: `hotplug-call floatgw` (or the configured program) with a clean
// environment describing the event, and keepalived's notify scripts
// (notify.ts says which). They run through the TransitionQueue
// (transition-queue.ts): one at a time, in order, coalesced, each bounded
// by a timeout, so a hanging hook or script never holds up VRRP.
import { isExecutable } from "../platform/engine";
import { SCRIPT_PATH, resolveProgram } from "../platform/programs";
import { lookupIds } from "../platform/users";
import type { Logger } from "../daemon/log";
import type { Command } from "./transition-queue";

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

/** A sync group's transition: the hooks see it with TYPE=GROUP. */
export interface GroupHotplugEvent {
  action: HotplugAction;
  group: string;
  members: readonly string[];
  from: string;
  reason: string;
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

/** A sync group's environment: no instance, VIPs or DHCP of its own (its
 * members' hooks have those), so the dnsmasq hook leaves it alone. */
export function groupHotplugEnv(e: GroupHotplugEvent): Record<string, string> {
  return {
    PATH: SCRIPT_PATH,
    ACTION: e.action,
    TYPE: "GROUP",
    NAME: e.group,
    MEMBERS: e.members.join(" "),
    FROM: e.from,
    REASON: e.reason,
    DHCP: "0",
  };
}

/** The hooks' program: `hotplug-call floatgw` (or the configured one), and
 * how notify scripts run. */
export class Hotplug {
  private command: string | null = null;
  /** `user[:group]` notify scripts run as (global script_user); null: root. */
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

  /** What to run for an instance's event: nothing when hooks are off. */
  commands(event: HotplugEvent): Command[] {
    return this.hook(hotplugEnv(event));
  }

  /** What to run for a sync group's event: nothing when hooks are off. */
  groupCommands(event: GroupHotplugEvent): Command[] {
    return this.hook(groupHotplugEnv(event));
  }

  private hook(env: Record<string, string>): Command[] {
    return this.command === null ? [] : [{ argv: [this.command, "floatgw"], env }];
  }

  setScriptUser(user: string | null): void {
    this.scriptUser = user;
  }

  /** What to run for notify scripts (argvs in order, from notify.ts): each
   * found as a shell would, as script_user, in a session of its own, with
   * OpenWrt's PATH. One that cannot run is said in the log and left out. */
  scripts(subject: string, argvs: readonly (readonly string[])[]): Command[] {
    if (argvs.length === 0) return [];
    const ids = this.scriptUser === null ? { uid: -1, gid: -1 } : lookupIds(this.scriptUser);
    if (typeof ids === "string") {
      this.log("error", `notify scripts of ${subject} not run: script_user: ${ids}`);
      return [];
    }
    const commands: Command[] = [];
    for (const [name = "", ...args] of argvs) {
      const program = resolveProgram(name);
      if (program === null) this.log("error", `notify script of ${subject}: ${name} is not an executable program`);
      else commands.push({ argv: [program, ...args], env: { PATH: SCRIPT_PATH }, session: { uid: ids.uid, gid: ids.gid } });
    }
    return commands;
  }
}
