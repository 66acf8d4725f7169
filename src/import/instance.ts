// vrrp_instance -> a draft of its keywords. Each keyword's table entry
// reads the line into an InstanceDraft; settle.ts then settles the draft as
// keepalived does and writes the vip section, because several keywords
// change meaning together. Lines that need no settling (what floatgw does
// not do, or does its own way) are reported here.

import { type IpAddress, parseCidr, parseIp, type VipAddress } from "../config/values";
import type { ConfNode } from "./conf-tree";
import type { Origin } from "./entry";
import { integerArg, keepalivedBool, secondsArg } from "./global";
import { NOTIFY_KEYWORDS, type NotifyDraft, newNotify, notifyRule, smtpAlertRule } from "./notify";
import { type RouteLine, routeBlock } from "./routes";
import { type TrackKind, type TrackLine, trackBlock } from "./trackers";
import {
  type Found,
  type Handler,
  type Rule,
  type Scope,
  type Table,
  different,
  found,
  inner,
  mapped,
  onlyArg,
  replace,
  report,
  reportAll,
  rule,
  subject,
  table,
  unsupported,
  walk,
} from "./rules";

export interface VipLine {
  readonly address: VipAddress;
  readonly at: Origin;
  readonly subject: string;
  readonly excluded: boolean;
  /** What of the line's options floatgw does not carry. */
  readonly notes: readonly string[];
}

export interface InstanceDraft {
  readonly name: string;
  readonly node: ConfNode;
  state: Found<"MASTER" | "BACKUP"> | null;
  device: Found<string> | null;
  vrid: Found<number> | null;
  priority: Found<number> | null;
  advertMs: Found<number> | null;
  version: Found<2 | 3> | null;
  preempt: Found<boolean> | null;
  preemptDelayMs: Found<number> | null;
  readonly vips: VipLine[];
  readonly peers: Found<IpAddress>[];
  unicastSrc: Found<IpAddress> | null;
  mcastSrc: Found<IpAddress> | null;
  garpDelayS: Found<number> | null;
  garpRepeat: Found<number> | null;
  garpRefreshS: Found<number> | null;
  garpRefreshRepeat: Found<number> | null;
  authType: Found<"PASS" | "AH"> | null;
  authPass: Found<string> | null;
  checksumAsV2: Found<true> | null;
  strict: Found<boolean> | null;
  /** Its track_script, track_interface and track_file lines. */
  readonly tracks: TrackLine[];
  readonly notify: NotifyDraft;
  /** Its virtual_routes and virtual_rules lines, converted once the vip section has its name. */
  readonly routes: RouteLine[];
}

export function newInstance(name: string, node: ConfNode): InstanceDraft {
  return {
    name,
    node,
    state: null,
    device: null,
    vrid: null,
    priority: null,
    advertMs: null,
    version: null,
    preempt: null,
    preemptDelayMs: null,
    vips: [],
    peers: [],
    unicastSrc: null,
    mcastSrc: null,
    garpDelayS: null,
    garpRepeat: null,
    garpRefreshS: null,
    garpRefreshRepeat: null,
    authType: null,
    authPass: null,
    checksumAsV2: null,
    strict: null,
    tracks: [],
    notify: newNotify(),
    routes: [],
  };
}

/** The draft's fields that hold a plain number. */
type Field = {
  [K in keyof InstanceDraft]: [InstanceDraft[K]] extends [Found<number> | null] ? ([Found<number> | null] extends [InstanceDraft[K]] ? K : never) : never;
}[keyof InstanceDraft];

function numberField(field: Field, read: (node: ConfNode, scope: Scope) => number | null): Handler<InstanceDraft> {
  return (node, d, scope) => {
    const value = read(node, scope);
    if (value !== null) d[field] = replace(scope, d[field], found(value, node, scope));
  };
}

function ipArg(node: ConfNode, scope: Scope): IpAddress | null {
  const text = onlyArg(node, scope);
  if (text === null) return null;
  const ip = parseIp(text);
  if (ip.ok) return ip.value;
  report(scope, node, "error", { note: `'${text}' ${ip.reason}` });
  return null;
}

// --- virtual_ipaddress lines -------------------------------------------------

/** Options of an address line that floatgw carries no equivalent of. */
const ADDRESS_FLAGS = ["home", "-nodad", "nodad", "mngtmpaddr", "noprefixroute", "autojoin", "no_track"];
const ADDRESS_OPTIONS_WITH_VALUE = ["brd", "broadcast", "peer", "preferred_lft", "metric", "track_group", "use_vmac"];

function addressLine(excluded: boolean): Handler<InstanceDraft> {
  return (node, d, scope) => {
    const addr = parseCidr(node.keyword);
    if (!addr.ok) {
      reportAll(scope, node, "error", { note: `'${node.keyword}' ${addr.reason}` });
      return;
    }
    const notes: string[] = [];
    let unsupportedReason: string | null = null;
    const args = node.args;
    for (let i = 0; i < args.length; i++) {
      const opt = args[i] ?? "";
      const value = args[i + 1];
      if (opt === "dev") {
        i++;
        if (d.device !== null && value !== d.device.value)
          unsupportedReason = `it goes on ${value ?? "?"}, not on the instance's interface ${d.device.value}: floatgw puts a section's addresses on its own link (convert it as a vip section on ${value ?? "?"})`;
      } else if (opt === "label") {
        i++;
        notes.push(`label ${value ?? ""}: floatgw adds the address without a label (it only names the address in \`ip addr\`)`);
      } else if (opt === "scope") {
        i++;
        if (value !== "global" && value !== "universe" && value !== "0") notes.push(`scope ${value ?? ""}: floatgw adds the address with scope global`);
      } else if (ADDRESS_OPTIONS_WITH_VALUE.includes(opt)) {
        i++;
        notes.push(`${opt} ${value ?? ""}: not carried over (floatgw adds the address with its prefix only)`);
      } else if (ADDRESS_FLAGS.includes(opt)) notes.push(`${opt}: not carried over (floatgw adds the address with its prefix only)`);
      else notes.push(`${opt}: not an address option keepalived knows`);
    }
    if (unsupportedReason !== null) {
      report(scope, node, "unsupported", { note: unsupportedReason });
      return;
    }
    d.vips.push({ address: addr.value, at: node.at, subject: subject(scope, node), excluded, notes });
  };
}

function addressBlock(excluded: boolean): Handler<InstanceDraft> {
  const line = addressLine(excluded);
  return (node, d, scope) => {
    if (node.block === null) return report(scope, node, "error", { note: "needs a { ... } block of addresses" });
    const within = inner(scope, node);
    for (const child of node.block) line(child, d, within);
  };
}

// --- unicast peers -------------------------------------------------------------

function peerBlock(node: ConfNode, d: InstanceDraft, scope: Scope): void {
  if (node.block === null) return report(scope, node, "error", { note: "needs a { ... } block of addresses" });
  const within = inner(scope, node);
  for (const child of node.block) {
    const ip = parseIp(child.keyword);
    if (!ip.ok) {
      report(within, child, "error", { note: `'${child.keyword}' ${ip.reason}` });
      continue;
    }
    const ttl = child.args.join(" ");
    if (ttl !== "" && ttl !== "min_ttl 0 max_ttl 255" && ttl !== "min_ttl 0" && ttl !== "max_ttl 255")
      report(within, child, "different", {
        note: `${ttl}: not carried over; floatgw accepts unicast adverts with any TTL, as keepalived does without min_ttl/max_ttl`,
      });
    d.peers.push(found(ip.value, child, within));
  }
}

// --- authentication ----------------------------------------------------------------

export const AUTHENTICATION: Table<InstanceDraft> = table<InstanceDraft>(() => ({
  auth_type: mapped("PASS: set by `auth_pass` alone; AH is not supported", (node, d, scope) => {
    const t = onlyArg(node, scope);
    if (t === "PASS" || t === "AH") d.authType = replace(scope, d.authType, found(t, node, scope));
    else if (t !== null) report(scope, node, "error", { note: "keepalived knows PASS and AH only ('unknown authentication type')" });
  }),
  auth_pass: mapped("`auth_pass` (its first 8 characters)", (node, d, scope) => {
    const p = onlyArg(node, scope);
    if (p !== null) d.authPass = replace(scope, d.authPass, found(p, node, scope, true));
  }),
}));

function tracking(kind: TrackKind, summary: string): Rule<InstanceDraft> {
  return mapped(summary, (node, d, scope) => {
    d.tracks.push(...trackBlock(kind, node, scope, null));
  });
}

const NO_VMAC = "floatgw does not use virtual MACs: the master answers with its own MAC and gratuitous ARPs move clients";

export const INSTANCE: Table<InstanceDraft> = table<InstanceDraft>(() => ({
  state: rule(
    "different",
    "nothing: floatgw has no initial state, the highest priority wins; as in keepalived, MASTER without `priority` means 255, and MASTER clears `nopreempt` and `preempt_delay`",
    (node, d, scope) => {
      const s = onlyArg(node, scope);
      if (s === "MASTER" || s === "BACKUP") d.state = replace(scope, d.state, found(s, node, scope));
      else if (s !== null) report(scope, node, "error", { note: "keepalived knows MASTER and BACKUP only (it falls back to BACKUP)" });
    },
  ),
  interface: mapped("`device`", (node, d, scope) => {
    const name = onlyArg(node, scope);
    if (name === null) return;
    if (!/^[A-Za-z0-9_.@-]{1,15}$/.test(name)) return report(scope, node, "error", { note: `'${name}' is not a Linux interface name` });
    d.device = replace(scope, d.device, found(name, node, scope));
  }),
  virtual_router_id: mapped("`vrid`", numberField("vrid", (n, s) => integerArg(n, s, 1, 255))),
  priority: mapped("`priority`", numberField("priority", (n, s) => integerArg(n, s, 1, 255))),
  advert_int: mapped(
    "`advert_int`, rounded as keepalived rounds it (whole seconds for VRRPv2, centiseconds for v3)",
    numberField("advertMs", (n, s) => {
      const ms = secondsArg(n, s);
      if (ms === null || (ms >= 10 && ms <= 255_000)) return ms;
      report(s, n, "error", { note: "keepalived takes 0.01-255 s ('Advert interval not valid')" });
      return null;
    }),
  ),
  version: mapped("`version`, always written (keepalived's default is 2 or `vrrp_version`, floatgw's is 3); 3 for IPv6", (node, d, scope) => {
    const v = integerArg(node, scope, 2, 3);
    if (v !== null) d.version = replace(scope, d.version, found(v === 2 ? 2 : 3, node, scope));
  }),
  nopreempt: mapped("`preempt '0'`, except where keepalived ignores it (`state MASTER`, priority 255)", (node, d, scope) => {
    d.preempt = replace(scope, d.preempt, found(false, node, scope));
  }),
  preempt: mapped("`preempt '1'` (the default)", (node, d, scope) => {
    d.preempt = replace(scope, d.preempt, found(true, node, scope));
  }),
  preempt_delay: mapped(
    "`preempt_delay`, except where keepalived ignores it (`state MASTER`, `nopreempt`, strict mode)",
    numberField("preemptDelayMs", secondsArg),
  ),
  virtual_ipaddress: mapped(
    "`list address`; `dev` must be the instance's interface; `label`, `scope`, `brd`, `peer`, ... are not carried; another family's address is ignored, as keepalived ignores it",
    addressBlock(false),
  ),
  virtual_ipaddress_excluded: rule(
    "different",
    "`list address` for the instance's family (floatgw advertises it); another family's address is not converted",
    addressBlock(true),
  ),
  unicast_peer: mapped("`list unicast_peer` (`min_ttl` and `max_ttl` are not carried)", peerBlock),
  unicast_src_ip: mapped("`unicast_src`", (node, d, scope) => {
    const ip = ipArg(node, scope);
    if (ip !== null) d.unicastSrc = replace(scope, d.unicastSrc, found(ip, node, scope));
  }),
  mcast_src_ip: rule(
    "different",
    "`unicast_src` with unicast peers (keepalived has one source address); for multicast floatgw sends from the primary address",
    (node, d, scope) => {
      const ip = ipArg(node, scope);
      if (ip !== null) d.mcastSrc = replace(scope, d.mcastSrc, found(ip, node, scope));
    },
  ),
  garp_master_delay: mapped("`garp_repeat_delay`", numberField("garpDelayS", (n, s) => integerArg(n, s, 0, 3600))),
  garp_master_repeat: mapped("`garp_count` (0 becomes 1, as in keepalived; at most 100)", numberField("garpRepeat", (n, s) => integerArg(n, s, 0, 4294967295))),
  garp_master_refresh: mapped("`garp_refresh`", numberField("garpRefreshS", (n, s) => integerArg(n, s, 0, 86400))),
  garp_master_refresh_repeat: mapped(
    "`garp_refresh_count` (0 becomes 1; at most 100)",
    numberField("garpRefreshRepeat", (n, s) => integerArg(n, s, 0, 4294967295)),
  ),
  authentication: mapped(
    "`auth_pass` for `auth_type PASS` (its first 8 characters, as keepalived sends them); AH is not supported; none for VRRPv3 or in strict mode, where keepalived ignores it",
    (node, d, scope) => {
      if (node.block === null) return report(scope, node, "error", { note: "needs a { auth_type ... auth_pass ... } block" });
      walk(node.block, AUTHENTICATION, d, inner(scope, node));
    },
  ),
  v3_checksum_as_v2: mapped("`v3_checksum_pseudo_header '0'`", (node, d, scope) => {
    d.checksumAsV2 = found(true, node, scope);
  }),
  strict_mode: rule("different", "floatgw has no strict mode; what it changed in keepalived (authentication, preempt_delay) is converted as keepalived ran it", (node, d, scope) => {
    const on = node.args[0] === undefined ? true : keepalivedBool(node.args[0]);
    if (on === null) return report(scope, node, "error", { note: "takes on/off, true/false or yes/no" });
    d.strict = found(on, node, scope);
  }),
  unicast_ttl: rule("unsupported", "floatgw sends unicast adverts with TTL 255 (which converts)", (node, _d, scope) => {
    if (node.args[0] === "255") report(scope, node, "mapped", { note: "floatgw sends unicast adverts with TTL 255" });
    else report(scope, node, "unsupported", { note: "floatgw sends unicast adverts with TTL 255" });
  }),
  accept: different("the VIP is reachable on the master, as with keepalived's accept: nothing to convert"),
  no_accept: unsupported("floatgw adds no firewall rules to drop traffic to the VIP"),
  dont_track_primary: unsupported("floatgw always goes to FAULT while the instance's own link is down"),
  native_ipv6: different("floatgw takes the address family from the addresses"),
  debug: different("floatgw logs by the global log_level"),
  linkbeat_use_polling: different("floatgw follows carrier through rtnetlink events"),
  skip_check_adv_addr: different("floatgw never drops an advert for its address list; a different list is counted in `floatgw status`"),
  check_unicast_src: unsupported("floatgw accepts unicast adverts from any source that passes the VRRP checks"),
  unicast_fault_no_peer: unsupported("floatgw does not go to FAULT for a unicast instance without peers"),
  old_unicast_checksum: unsupported("floatgw computes the checksum as the RFC says"),
  mcast_dst_ip: unsupported("floatgw always sends to the RFC group 224.0.0.18 / ff02::12"),
  track_src_ip: unsupported("floatgw sends from the interface's primary address or unicast_src"),
  promote_secondaries: unsupported("floatgw leaves the kernel's promote_secondaries setting alone"),
  no_virtual_ipaddress: unsupported("every floatgw vip section has at least one address"),
  use_vmac: unsupported(NO_VMAC),
  use_vmac_addr: unsupported(NO_VMAC),
  vmac_xmit_base: unsupported(NO_VMAC),
  use_ipvlan: unsupported(NO_VMAC),
  garp_extra_if: unsupported(NO_VMAC),
  vmac_garp_intvl: unsupported(NO_VMAC),
  vrf: unsupported("floatgw does not bind instances to a VRF"),
  garp_lower_prio_delay: different("floatgw announces the VIP again at once (garp_count packets) when it hears a lower-priority master"),
  garp_lower_prio_repeat: different("floatgw announces the VIP again (garp_count packets) whenever it hears a lower-priority master"),
  lower_prio_no_advert: different("floatgw always answers a lower-priority master's advert with one of its own (at most one per quarter interval), as keepalived does by default, and announces the VIP again"),
  higher_prio_send_advert: different("floatgw always sends one last advert before it yields to a higher priority"),
  down_timer_adverts: unsupported("floatgw uses the RFC's three advert intervals plus skew before a backup takes over"),
  timer_expired_backup: unsupported("floatgw has no such mode"),
  owner_ignore_adverts: unsupported("a floatgw owner (priority 255) follows the RFC"),
  kernel_rx_buf_size: different("tunes keepalived's socket; floatgw needs no setting"),
  lvs_sync_daemon_interface: unsupported("IPVS (LVS) is not supported"),
  auth_hmac: unsupported("floatgw speaks the RFC's VRRP, without keepalived's HMAC authentication"),
  track_interface: tracking("link", "a `link` tracker per device, named in `track` (with the line's weight)"),
  track_script: tracking("script", "`track` naming the vrrp_script's tracker (with the line's weight)"),
  track_file: tracking("file", "`track` naming the vrrp_track_file's tracker (with the line's weight)"),
  track_process: unsupported("floatgw does not track processes"),
  track_bfd: unsupported("floatgw does not speak BFD"),
  virtual_routes: mapped(
    "a `config route` per line, following the vip: `src`, `via`/`gw`, `dev`, `table`, `metric`, `scope`, `onlink` and the types `blackhole`, `unreachable`, `prohibit`, `throw`; `no_track`, `proto` and attributes such as `mtu` are left out with a note; `or`, `nexthop`, `from`, `encap` and table names keep a line from converting",
    routeBlock("route"),
  ),
  virtual_rules: mapped(
    "a `config rule` per line, following the vip: `from`, `to`, `iif`, `oif`, `fwmark`, `tos`, `table`, `preference`, `not` and the actions `blackhole`, `unreachable`, `prohibit`; `no_track` and `protocol` are left out with a note; `sport`, `dport`, `ipproto`, `uidrange`, `goto` and the like keep a line from converting",
    routeBlock("rule"),
  ),
  smtp_alert: smtpAlertRule("vip"),
  notify_priority_changes: unsupported("floatgw runs no script for a change of priority alone; `floatgw status` and its ubus events show it"),
  notify_deleted: unsupported("floatgw runs `notify_stop` for an instance a reload removes"),
  notify_master_rx_lower_pri: unsupported("floatgw runs no script when a master hears a lower priority; it announces the VIP again"),
  ...Object.fromEntries(NOTIFY_KEYWORDS.map((k) => [k, notifyRule<InstanceDraft>("vip", "the instance")])),
}));
