// keepalived's notify scripts for one transition: the state's own script
// (notify_master, notify_backup, notify_fault, notify_stop) as written, then
// the generic `notify` with four more arguments, `INSTANCE|GROUP name STATE
// priority`, so that scripts written for keepalived run unchanged. Pure:
// the daemon runs what this returns (notifications.ts).
import type { NotifyCommands } from "../config/notify";
import type { Role } from "../core/state";

export type NotifyType = "INSTANCE" | "GROUP";

/** keepalived's names of the states; Initialize is where a stop leads. */
const STATE: Record<Role, string> = { master: "MASTER", backup: "BACKUP", fault: "FAULT", init: "STOP" };
const SCRIPT: Record<Role, keyof NotifyCommands> = { master: "master", backup: "backup", fault: "fault", init: "stop" };

/** The argv of each script to run for a transition to `to`, in order.
 * A group's priority is 0, as keepalived passes it. */
export function notifyArgvs(c: NotifyCommands, type: NotifyType, name: string, to: Role, priority: number): (readonly string[])[] {
  const argvs: (readonly string[])[] = [];
  const own = c[SCRIPT[to]];
  if (own !== null) argvs.push(own);
  if (c.any !== null) argvs.push([...c.any, type, name, STATE[to], String(type === "GROUP" ? 0 : priority)]);
  return argvs;
}
