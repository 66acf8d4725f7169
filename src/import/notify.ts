// notify_master, notify_backup, notify_fault, notify_stop, notify and
// smtp_alert of a vrrp_instance or a vrrp_sync_group -> the options of the
// same names on its vip or sync_group section. floatgw runs them as
// keepalived does (docs/tracking.md): without a shell, `notify` with TYPE
// NAME STATE PRIORITY appended. The command is quoted as a tracker's script
// is, so that floatgw's splitter gives the argv keepalived ran.
//
// OpenWrt's keepalived.init writes a hotplug-call of keepalived's hooks for
// every notify: that is floatgw's own hotplug hook, on by default, and is
// not written as a script.

import { splitQuoted } from "./conf-text";
import { keepalivedBool } from "./global";
import { type Found, type Rule, type Scope, found, mapped, replace, report, say } from "./rules";
import type { SectionWriter } from "./section-writer";
import { scriptLine } from "./trackers";

export interface NotifyDraft {
  /** Option name -> the command, and the user keepalived ran it as, if one was given. */
  readonly scripts: Map<string, Found<{ command: string; user: string | null }>>;
  smtpAlert: Found<boolean> | null;
}

export function newNotify(): NotifyDraft {
  return { scripts: new Map(), smtpAlert: null };
}

export const NOTIFY_KEYWORDS = ["notify_master", "notify_backup", "notify_fault", "notify_stop", "notify"];

const OPENWRT_NOTIFY = /^\/bin\/busybox env -i ACTION=\S+ TYPE=\S+ NAME=\S+ \/sbin\/hotplug-call keepalived$/;

export function notifyRule<C extends { readonly notify: NotifyDraft }>(section: string, what: string): Rule<C> {
  return mapped(
    `the same option of the ${section} section, run as the global \`script_user\`; OpenWrt's \`hotplug-call keepalived\` becomes floatgw's hotplug hook (on by default)`,
    (node, c, scope) => {
      const words = splitQuoted(node.text, false);
      if (words.ok && OPENWRT_NOTIFY.test(words.words[1] ?? ""))
        return report(scope, node, "different", {
          target: "the global option hotplug '1' (the default)",
          note: `OpenWrt's keepalived package runs /etc/hotplug.d/keepalived/ with ACTION=NOTIFY_MASTER...; floatgw runs /etc/hotplug.d/floatgw/ on every transition of ${what} with ACTION=master|backup|fault|stop and the same TYPE and NAME: move your hook scripts there and match the new ACTION names`,
        });
      const line = scriptLine(node, scope);
      if (line === null) return;
      const previous = c.notify.scripts.get(node.keyword) ?? null;
      c.notify.scripts.set(node.keyword, replace(scope, previous, found(line, node, scope)));
    },
  );
}

export function smtpAlertRule<C extends { readonly notify: NotifyDraft }>(section: string): Rule<C> {
  return mapped(`\`smtp_alert\` of the ${section} section`, (node, c, scope) => {
    const on = node.args[0] === undefined ? true : keepalivedBool(node.args[0]);
    if (on === null) return report(scope, node, "error", { note: "takes on/off, true/false or yes/no" });
    c.notify.smtpAlert = replace(scope, c.notify.smtpAlert, found(on, node, scope));
  });
}

/** Writes the scripts and the mail alert; `globalAlert` is global_defs' smtp_alert, for a section that sets none. */
export function writeNotify(n: NotifyDraft, w: SectionWriter, globalAlert: boolean | null, scope: Scope): void {
  for (const [option, f] of n.scripts) {
    const target = w.set(option, f.value.command);
    const user = f.value.user;
    say(scope, f, user === null ? "mapped" : "different", {
      target,
      note: user === null ? null : `floatgw runs every notify script as the global script_user (root unless set), not as ${user}`,
    });
  }
  const alert = n.smtpAlert?.value ?? globalAlert ?? false;
  if (alert) w.set("smtp_alert", "1");
  if (n.smtpAlert !== null) say(scope, n.smtpAlert, "mapped", { target: alert ? `${w.label} smtp_alert '1'` : null, note: alert ? null : "off: the default" });
}
