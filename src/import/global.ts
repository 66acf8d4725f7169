// global_defs: the few settings that shape every VRRP instance become
// defaults the instances pick up (instance.ts); the rest is reported by
// category. keepalived applies these defaults after reading the whole file,
// so a global_defs block after the instances counts as well.

import { parseDecimalSeconds, parseInteger } from "../config/values";
import type { ConfNode } from "./conf-tree";
import type { Origin } from "./entry";
import { type Rule, type Scope, type Table, different, mapped, onlyArg, report, rule, table, unsupported } from "./rules";

/** A keepalived value with the line that set it. */
export interface Setting<T> {
  readonly value: T;
  readonly at: Origin;
}

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
const MAIL = unsupported<VrrpDefaults>("floatgw sends no e-mail yet", "mail alerts");
const FIFO = unsupported<VrrpDefaults>("floatgw has no notify FIFO; hooks in /etc/hotplug.d/floatgw/ see every transition", "notify scripts");
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

export const GLOBAL_DEFS: Table<VrrpDefaults> = table<VrrpDefaults>({
  router_id: different("floatgw has no router id (keepalived puts it in e-mail alerts and SNMP); nothing to convert"),
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
  vrrp_lower_prio_no_advert: different("floatgw never answers a lower-priority advert with an advert of its own; it announces the VIP again instead"),
  vrrp_higher_prio_send_advert: different("floatgw always sends one last advert before it yields to a higher priority"),
  vrrp_skip_check_adv_addr: different("floatgw never drops an advert for its address list; a different list is counted in `floatgw status`"),
  vrrp_check_unicast_src: unsupported("floatgw accepts unicast adverts from any source that passes the VRRP checks"),
  vrrp_down_timer_adverts: unsupported("floatgw uses the RFC's three advert intervals plus skew before a backup takes over"),
  log_unknown_vrids: different("floatgw always counts adverts for unknown VRIDs (`floatgw status`, drops)"),
  dynamic_interfaces: different("floatgw always follows interfaces that are deleted and created again"),
  script_user: different("floatgw runs hooks through hotplug-call as root, the OpenWrt way; keepalived's script user does not apply"),
  enable_script_security: different("floatgw runs hooks through hotplug-call as root, the OpenWrt way; keepalived's script checks do not apply"),
  startup_script: unsupported("floatgw runs no script at start-up; its hooks run on every transition", "notify scripts"),
  startup_script_timeout: unsupported("floatgw runs no script at start-up", "notify scripts"),
  shutdown_script: unsupported("floatgw runs no script at shutdown; hooks get ACTION=stop for each instance", "notify scripts"),
  shutdown_script_timeout: unsupported("floatgw runs no script at shutdown", "notify scripts"),
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
      "checker_log_all_failures", "smtp_alert_checker", "net_namespace_ipvs", "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force",
      "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force",
    ],
    IPVS,
  ),
  ...each(
    ["notification_email", "notification_email_from", "smtp_server", "smtp_helo_name", "smtp_connect_timeout", "smtp_alert", "smtp_alert_vrrp", "no_email_faults", "email_faults"],
    MAIL,
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
});
