// global_defs: the few settings that shape every VRRP instance become
// defaults the instances pick up (instance.ts); the rest is reported by
// category. keepalived applies these defaults after reading the whole file,
// so a global_defs block after the instances counts as well.

import { GLOBAL_SECTION } from "../config/schema";
import { formatScaled, parseDecimalSeconds, parseInteger, parseIp } from "../config/values";
import type { ConfNode } from "./conf-tree";
import type { Origin } from "./entry";
import { type Found, type Rule, type Scope, type Table, different, inner, mapped, onlyArg, report, rule, table, unsupported } from "./rules";
import { SectionWriter, misfit as misfitIn } from "./section-writer";

/** A keepalived value with the line that set it (a Found without its report subject). */
export type Setting<T> = Pick<Found<T>, "value" | "at">;

export interface VrrpDefaults {
  version: Setting<2 | 3> | null;
  /** Seconds before the second gratuitous burst (vrrp_garp_master_delay). */
  garpDelayS: Setting<number> | null;
  garpRepeat: Setting<number> | null;
  garpRefreshS: Setting<number> | null;
  garpRefreshRepeat: Setting<number> | null;
  /** Milliseconds between gratuitous ARPs (vrrp_garp_interval) and NAs (vrrp_gna_interval). */
  garpIntervalMs: Setting<number> | null;
  gnaIntervalMs: Setting<number> | null;
  minGarp: Origin | null;
  startupDelayMs: Setting<number> | null;
  strict: Origin | null;
  /** global_defs' smtp_alert and smtp_alert_vrrp (which wins for VRRP): smtp_alert of every vip and group that sets none. */
  smtpAlert: Setting<boolean> | null;
  smtpAlertVrrp: Setting<boolean> | null;
  /** The options of `config floatgw 'global'` that global_defs sets (mail, script user). */
  readonly global: SectionWriter;
}

export function emptyDefaults(): VrrpDefaults {
  return {
    version: null,
    garpDelayS: null,
    garpRepeat: null,
    garpRefreshS: null,
    garpRefreshRepeat: null,
    garpIntervalMs: null,
    gnaIntervalMs: null,
    minGarp: null,
    startupDelayMs: null,
    strict: null,
    smtpAlert: null,
    smtpAlertVrrp: null,
    global: new SectionWriter("floatgw 'global'"),
  };
}

/** keepalived's on/off/true/false/yes/no, or null. */
export function keepalivedBool(text: string): boolean | null {
  if (text === "true" || text === "on" || text === "yes") return true;
  if (text === "false" || text === "off" || text === "no") return false;
  return null;
}

/** A whole number in range, or a reported error. */
export function integerArg(node: ConfNode, scope: Scope, min: number, max: number): number | null {
  const text = onlyArg(node, scope);
  if (text === null) return null;
  const parsed = parseInteger(text, min, max);
  if (parsed.ok) return parsed.value;
  report(scope, node, "error", { note: `'${text}' ${parsed.reason}` });
  return null;
}

/** Decimal seconds as milliseconds, or a reported error. */
export function secondsArg(node: ConfNode, scope: Scope): number | null {
  const text = onlyArg(node, scope);
  if (text === null) return null;
  const parsed = parseDecimalSeconds(text, 1000);
  if (parsed.ok) return parsed.value;
  report(scope, node, "error", { note: `'${text}' ${parsed.reason}` });
  return null;
}

const EVERY_VIP = "every vip section";

/** A global default of an instance option. */
function defaultOf(
  set: (d: VrrpDefaults, value: number, at: Origin) => void,
  read: (node: ConfNode, scope: Scope) => number | null,
  option: string,
  note: string | null = null,
): Rule<VrrpDefaults> {
  const summary = `\`${option}\` of every vip that does not set it${note === null ? "" : `; ${note}`}`;
  return rule(note === null ? "mapped" : "different", summary, (node, d, scope) => {
    const value = read(node, scope);
    if (value === null) return;
    set(d, value, node.at);
    report(scope, node, note === null ? "mapped" : "different", { target: `${option} on ${EVERY_VIP} that does not set it`, note });
  });
}

const STRICT =
  "floatgw has no strict mode; the instances are converted with what strict mode changed in keepalived (no authentication, no preempt_delay); floatgw adds no firewall rules";
const PROCESS = different<VrrpDefaults>("tunes keepalived's own processes (names, scheduling, memory, files, reloads); floatgw is one small process with nothing to tune");
const IPVS = unsupported<VrrpDefaults>("IPVS (LVS) is not supported: floatgw moves addresses between routers, it does not balance load");
const FIFO = unsupported<VrrpDefaults>("floatgw has no notify FIFO; hooks in /etc/hotplug.d/floatgw/ and the notify scripts see every transition");
const SNMP = unsupported<VrrpDefaults>("floatgw has no SNMP or D-Bus; `floatgw status --json` prints its state");
const FIREWALL = unsupported<VrrpDefaults>("floatgw adds no firewall rules: the VIP stays reachable, like keepalived without vrrp_strict");
const VMAC = unsupported<VrrpDefaults>("floatgw does not use virtual MACs: the master answers with its own MAC and gratuitous ARPs move clients");
const NAMESPACE = unsupported<VrrpDefaults>("floatgw runs in the network namespace it is started in");

function each(names: readonly string[], r: Rule<VrrpDefaults>): Record<string, Rule<VrrpDefaults>> {
  const out: Record<string, Rule<VrrpDefaults>> = {};
  for (const n of names) out[n] = r;
  return out;
}

function mcastGroup(standard: string): Rule<VrrpDefaults> {
  return rule("unsupported", `floatgw always uses the RFC group ${standard} (which converts)`, (node, _d, scope) => {
    if (node.args[0] === standard) report(scope, node, "mapped", { note: "the RFC group, which floatgw always uses" });
    else report(scope, node, "unsupported", { note: `floatgw always uses the RFC group ${standard}; every router of the pair must` });
  });
}


const misfit = (option: string, text: string): string | null => misfitIn(GLOBAL_SECTION, option, text);

/** A text option of the global section, written when the value fits it. */
function globalText(option: string, value: (node: ConfNode) => string | null = (n) => n.args[0] ?? null): Rule<VrrpDefaults> {
  return mapped(`\`${option}\` of the global section`, (node, d, scope) => {
    const text = value(node);
    if (text === null) return report(scope, node, "error", { note: "needs a value" });
    const why = misfit(option, text);
    if (why !== null) return report(scope, node, "unsupported", { note: why });
    report(scope, node, text === node.args.join(" ") ? "mapped" : "different", {
      target: d.global.set(option, text),
      note: text === node.args.join(" ") ? null : `written as '${text}'`,
    });
  });
}

/** keepalived's smtp_alert and smtp_alert_vrrp: on/off, no value meaning on. */
function alertDefault(set: (d: VrrpDefaults, s: Setting<boolean>) => void, note: string): Rule<VrrpDefaults> {
  return mapped(`\`smtp_alert '1'\` on every vip and sync group that does not set it${note}`, (node, d, scope) => {
    const on = node.args[0] === undefined ? true : keepalivedBool(node.args[0]);
    if (on === null) return report(scope, node, "error", { note: "takes on/off, true/false or yes/no" });
    set(d, { value: on, at: node.at });
    report(scope, node, "mapped", { target: on ? `smtp_alert '1' on ${EVERY_VIP} and sync group that does not set it` : null });
  });
}

const MAIL: Readonly<Record<string, Rule<VrrpDefaults>>> = {
  router_id: globalText("router_id"),
  notification_email: mapped("`list notification_email` of the global section", (node, d, scope) => {
    const within = inner(scope, node);
    if (node.block === null) return report(scope, node, "error", { note: "needs a { ... } block of addresses" });
    for (const a of node.block) {
      const why = misfit("notification_email", a.keyword);
      if (why !== null || a.args.length > 0) report(within, a, "unsupported", { note: why ?? "one address per line" });
      else report(within, a, "mapped", { target: d.global.add("notification_email", a.keyword) });
    }
  }),
  // keepalived writes the sender as given into the From: header; floatgw needs the bare address for MAIL FROM.
  notification_email_from: globalText("notification_email_from", (n) => {
    const text = n.args.join(" ");
    return /<([^<>]+)>/.exec(text)?.[1] ?? (text === "" ? null : text);
  }),
  smtp_server: mapped("`smtp_server` and `smtp_port` of the global section (an address: floatgw looks up no name)", (node, d, scope) => {
    const host = onlyArg(node, scope);
    if (host === null) return;
    const ip = parseIp(host, true);
    if (!ip.ok) return report(scope, node, "unsupported", { note: `'${host}' ${ip.reason}: floatgw takes the mail server by address, so that no DNS lookup holds a transition up; write its address` });
    const port = node.args[1] === undefined ? null : parseInteger(node.args[1], 1, 65535);
    if (port !== null && !port.ok) return report(scope, node, "error", { note: `port '${node.args[1] ?? ""}' ${port.reason}` });
    const target = d.global.set("smtp_server", ip.value.address);
    report(scope, node, "mapped", { target: port === null ? target : `${target}, ${d.global.set("smtp_port", String(port.value))}` });
  }),
  smtp_helo_name: globalText("smtp_helo_name"),
  smtp_connect_timeout: mapped("`smtp_connect_timeout` of the global section (0.1-3600 s)", (node, d, scope) => {
    const ms = secondsArg(node, scope);
    if (ms === null) return;
    const bounded = Math.min(Math.max(ms, 100), 3_600_000);
    report(scope, node, bounded === ms ? "mapped" : "different", {
      target: d.global.set("smtp_connect_timeout", formatScaled(bounded, 1000)),
      note: bounded === ms ? null : "floatgw takes 0.1-3600 s",
    });
  }),
  smtp_alert: alertDefault((d, s) => (d.smtpAlert = s), ""),
  smtp_alert_vrrp: alertDefault((d, s) => (d.smtpAlertVrrp = s), " (before `smtp_alert`, as in keepalived)"),
  smtp_alert_checker: unsupported("floatgw's trackers send no mail: `smtp_alert` on the vip or sync group mails the transitions they cause"),
  no_email_faults: unsupported("floatgw mails every transition of a section with `smtp_alert`, FAULT included"),
  email_faults: mapped("nothing to write: floatgw mails transitions to FAULT too", (node, _d, scope) => report(scope, node, "mapped", { note: "floatgw mails transitions to FAULT too" })),
  script_user: mapped("`script_user` of the global section (USER or USER:GROUP)", (node, d, scope) => {
    const user = onlyArg(node, scope);
    if (user === null) return;
    const text = node.args[1] === undefined ? user : `${user}:${node.args[1]}`;
    const why = misfit("script_user", text);
    if (why !== null) return report(scope, node, "unsupported", { note: why });
    report(scope, node, "mapped", { target: d.global.set("script_user", text) });
  }),
};

export const GLOBAL_DEFS: Table<VrrpDefaults> = table<VrrpDefaults>(() => ({
  ...MAIL,
  vrrp_version: mapped("`version` of every IPv4 vip that does not set it", (node, d, scope) => {
    const v = integerArg(node, scope, 2, 3);
    if (v === null) return;
    d.version = { value: v === 2 ? 2 : 3, at: node.at };
    report(scope, node, "mapped", { target: `version on every IPv4 vip section that does not set it` });
  }),
  vrrp_garp_master_delay: defaultOf((d, v, at) => (d.garpDelayS = { value: v, at }), (n, s) => integerArg(n, s, 0, 3600), "garp_repeat_delay"),
  vrrp_garp_master_repeat: defaultOf((d, v, at) => (d.garpRepeat = { value: v, at }), (n, s) => integerArg(n, s, 0, 4294967295), "garp_count"),
  vrrp_garp_master_refresh: defaultOf((d, v, at) => (d.garpRefreshS = { value: v, at }), (n, s) => integerArg(n, s, 0, 86400), "garp_refresh"),
  vrrp_garp_master_refresh_repeat: defaultOf(
    (d, v, at) => (d.garpRefreshRepeat = { value: v, at }),
    (n, s) => integerArg(n, s, 0, 4294967295),
    "garp_refresh_count",
  ),
  vrrp_garp_interval: defaultOf(
    (d, v, at) => (d.garpIntervalMs = { value: v, at }),
    secondsArg,
    "garp_spacing",
    "IPv4 sections only; keepalived spaces all gratuitous ARPs of an interface, floatgw the packets of one burst",
  ),
  vrrp_gna_interval: defaultOf(
    (d, v, at) => (d.gnaIntervalMs = { value: v, at }),
    secondsArg,
    "garp_spacing",
    "IPv6 sections only; keepalived spaces all neighbour advertisements of an interface, floatgw the packets of one burst",
  ),
  vrrp_min_garp: mapped("`garp_count '1'` and `garp_repeat_delay '0'` on every vip that does not set them", (node, d, scope) => {
    const on = node.args[0] === undefined ? true : keepalivedBool(node.args[0]);
    if (on === null) return report(scope, node, "error", { note: "takes on/off, true/false or yes/no" });
    if (on) d.minGarp = node.at;
    report(scope, node, "mapped", { target: on ? `garp_count '1' and garp_repeat_delay '0' on ${EVERY_VIP} that does not set them` : null });
  }),
  vrrp_startup_delay: defaultOf((d, v, at) => (d.startupDelayMs = { value: v, at }), secondsArg, "start_delay"),
  vrrp_strict: rule("different", STRICT, (node, d, scope) => {
    d.strict = node.at;
    report(scope, node, "different", { note: STRICT });
  }),
  vrrp_mcast_group4: mcastGroup("224.0.0.18"),
  vrrp_mcast_group6: mcastGroup("ff02::12"),
  vrrp_garp_lower_prio_delay: different("floatgw announces the VIP again at once (garp_count packets) when it hears a lower-priority master"),
  vrrp_garp_lower_prio_repeat: different("floatgw announces the VIP again (garp_count packets) whenever it hears a lower-priority master"),
  vrrp_lower_prio_no_advert: different("floatgw always answers a lower-priority master's advert with one of its own (at most one per quarter interval), as keepalived does by default, and announces the VIP again"),
  vrrp_higher_prio_send_advert: different("floatgw always sends one last advert before it yields to a higher priority"),
  vrrp_skip_check_adv_addr: different("floatgw never drops an advert for its address list; a different list is counted in `floatgw status`"),
  vrrp_check_unicast_src: unsupported("floatgw accepts unicast adverts from any source that passes the VRRP checks"),
  vrrp_down_timer_adverts: unsupported("floatgw uses the RFC's three advert intervals plus skew before a backup takes over"),
  log_unknown_vrids: different("floatgw always counts adverts for unknown VRIDs (`floatgw status`, drops)"),
  dynamic_interfaces: different("floatgw always follows interfaces that are deleted and created again"),
  enable_script_security: different("floatgw runs scripts as `script_user` without keepalived's checks of the script's path and permissions"),
  startup_script: unsupported("floatgw runs no script at start-up; its hooks and notify scripts run on every transition"),
  startup_script_timeout: unsupported("floatgw runs no script at start-up"),
  shutdown_script: unsupported("floatgw runs no script of its own at shutdown; each vip's and group's `notify_stop` (and hooks with ACTION=stop) run then"),
  shutdown_script_timeout: unsupported("floatgw runs no script of its own at shutdown"),
  default_interface: unsupported("floatgw has no default interface: every vip section names its own"),
  disable_local_igmp: unsupported("floatgw leaves the kernel's IGMP settings alone"),
  ...each(
    [
      "process_names", "process_name", "vrrp_process_name", "checker_process_name", "lvs_process_name", "bfd_process_name",
      "child_wait_time", "use_pid_dir", "instance", "max_auto_priority", "min_auto_priority_delay", "umask", "random_seed",
      "reload_check_config", "reload_time_file", "reload_repeat", "reload_file", "include_check", "config_save_dir",
      "tmp_config_directory", "data_use_instance", "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier",
      ...["vrrp", "checker", "bfd"].flatMap((p) => ["priority", "no_swap", "rt_priority", "cpu_affinity", "rlimit_rttime", "rlimit_rtime"].map((s) => `${p}_${s}`)),
      ...["vrrp_netlink_cmd", "vrrp_netlink_monitor", "process_monitor"].flatMap((p) => [`${p}_rcv_bufs`, `${p}_rcv_bufs_force`]),
    ],
    PROCESS,
  ),
  ...each(
    [
      "lvs_timeouts", "lvs_flush", "lvs_flush_on_stop", "lvs_flush_onstop", "lvs_sync_daemon", "nftables_ipvs", "nftables_ipvs_priority",
      "nftables_ipvs_start_fwmark", "lvs_notify_fifo", "lvs_notify_fifo_script", "rs_init_notifies", "no_checker_emails",
      "checker_log_all_failures", "net_namespace_ipvs", "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force",
      "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force",
    ],
    IPVS,
  ),
  ...each(
    ["notify_fifo", "notify_fifo_script", "vrrp_notify_fifo", "vrrp_notify_fifo_script", "vrrp_notify_priority_changes", "fifo_write_vrrp_states_on_reload"],
    FIFO,
  ),
  ...each(
    ["snmp_socket", "enable_traps", "enable_snmp_vrrp", "enable_snmp_keepalived", "enable_snmp_rfc", "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_checker", "enable_dbus", "dbus_service_name"],
    SNMP,
  ),
  ...each(["vrrp_iptables", "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex", "nftables_counters"], FIREWALL),
  ...each(["vmac_prefix", "vmac_addr_prefix", "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl"], VMAC),
  ...each(["net_namespace", "namespace_with_ipsets"], NAMESPACE),
}));

/** smtp_alert for a vip or group that sets none: smtp_alert_vrrp, else smtp_alert, as keepalived decides it. */
export function smtpAlertDefault(d: VrrpDefaults): boolean | null {
  return (d.smtpAlertVrrp ?? d.smtpAlert)?.value ?? null;
}
