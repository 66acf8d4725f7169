// A vip's or a sync group's notify scripts and mail alert, as keepalived
// configures them: one command per state, a generic `notify` that also gets
// TYPE NAME STATE PRIORITY, and `smtp_alert`. Commands are split into words
// the way tracker scripts are, and run without a shell.

import { splitCommand } from "../track/command";
import type { ProblemList } from "./problems";
import type { SectionReader } from "./reader";

/** What runs, as argv; null: nothing for that state. */
export interface NotifyCommands {
  readonly master: readonly string[] | null;
  readonly backup: readonly string[] | null;
  readonly fault: readonly string[] | null;
  readonly stop: readonly string[] | null;
  /** Run after the state's own, with `INSTANCE|GROUP name STATE priority` appended. */
  readonly any: readonly string[] | null;
}

export interface NotifyConfig {
  readonly commands: NotifyCommands;
  readonly smtpAlert: boolean;
}

export function readNotify(r: SectionReader, problems: ProblemList): NotifyConfig {
  const command = (name: string): string[] | null => {
    const line = r.text(name);
    if (line === null) return null;
    const argv = splitCommand(line.value);
    if (argv.ok) return argv.value;
    problems.error(r.where(name, line.text), argv.reason);
    return null;
  };
  return {
    commands: {
      master: command("notify_master"),
      backup: command("notify_backup"),
      fault: command("notify_fault"),
      stop: command("notify_stop"),
      any: command("notify"),
    },
    smtpAlert: r.bool("smtp_alert"),
  };
}
