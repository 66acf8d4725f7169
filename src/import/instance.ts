// vrrp_instance -> `config vip`. The table reads each keyword into a draft;
// completeInstance() then settles it the way keepalived's
// vrrp_complete_instance() does (keepalived 2.2.7, vrrp/vrrp.c), because
// several keywords change meaning together:
//
// - no `priority`: 255 with `state MASTER`, else 100;
// - `state MASTER` clears `nopreempt` and `preempt_delay` (keepalived logs
//   "nopreempt will not work with initial state MASTER - clearing");
// - priority 255 clears `nopreempt`; `nopreempt` clears `preempt_delay`;
// - no `version`: 3 for IPv6, else global_defs vrrp_version, else 2 (floatgw's
//   own default is 3, so the version is always written);
// - `advert_int` is rounded to whole seconds (v2) or centiseconds (v3);
// - authentication is ignored for VRRPv3 and in strict mode.
//
// The entry for each keyword is written once the outcome is known, so the
// report says what the router actually ran and what floatgw will run.

import { type IpAddress, parseCidr, parseIp, type VipAddress } from "../config/values";
import type { UciDraftOption, UciDraftSection } from "../config/uci-write";
import { splitQuoted } from "./conf-text";
import type { ConfNode } from "./conf-tree";
import { type EntryDetails, type Origin, type Status, entry } from "./entry";
import { type VrrpDefaults, integerArg, keepalivedBool, secondsArg } from "./global";
import { type TrackerRegistry, type TrackKind, type TrackLine, trackBlock, trackItems } from "./trackers";
import {
  type Handler,
  type Rule,
  type Scope,
  type Table,
  describe,
  different,
  inner,
  mapped,
  onlyArg,
  report,
  reportAll,
  rule,
  subject,
  table,
  unsupported,
  walk,
} from "./rules";

/** A keyword's value with where it was said. */
interface Found<T> {
  readonly value: T;
  readonly at: Origin;
  readonly subject: string;
}

interface VipLine {
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
  };
}

function found<T>(value: T, node: ConfNode, scope: Scope, secret = false): Found<T> {
  return { value, at: node.at, subject: subject(scope, node, secret) };
}

function say(scope: Scope, f: { at: Origin; subject: string }, status: Status, d: EntryDetails = {}): void {
  scope.entries.push(entry(status, f.at, f.subject, d));
}

/** Keeps the last of a repeated keyword, as keepalived does, and says so about the earlier one. */
function replace<T>(scope: Scope, previous: Found<T> | null, next: Found<T>): Found<T> {
  if (previous !== null) say(scope, previous, "different", { note: `set again on line ${next.at.line}: the later value applies, as in keepalived` });
  return next;
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

export const AUTHENTICATION: Table<InstanceDraft> = table<InstanceDraft>({
  auth_type: mapped("PASS: set by `auth_pass` alone; AH is not supported", (node, d, scope) => {
    const t = onlyArg(node, scope);
    if (t === "PASS" || t === "AH") d.authType = replace(scope, d.authType, found(t, node, scope));
    else if (t !== null) report(scope, node, "error", { note: "keepalived knows PASS and AH only ('unknown authentication type')" });
  }),
  auth_pass: mapped("`auth_pass` (its first 8 characters)", (node, d, scope) => {
    const p = onlyArg(node, scope);
    if (p !== null) d.authPass = replace(scope, d.authPass, found(p, node, scope, true));
  }),
});

// --- notify scripts ----------------------------------------------------------------

const NOTIFY_SUMMARY =
  "OpenWrt's `hotplug-call keepalived` becomes floatgw's hotplug hooks (on by default, ACTION=master|backup|fault|stop); other scripts wait for notify scripts";

/** What OpenWrt's keepalived.init writes for every notify: its hotplug-call. */
const OPENWRT_NOTIFY = /^\/bin\/busybox env -i ACTION=\S+ TYPE=\S+ NAME=\S+ \/sbin\/hotplug-call keepalived$/;

export function notifyScript<C>(scopeName: string): Rule<C> {
  return rule("unsupported", NOTIFY_SUMMARY, (node, _ctx, scope) => {
    const words = splitQuoted(node.text, false);
    const command = words.ok ? (words.words[1] ?? "") : "";
    if (OPENWRT_NOTIFY.test(command))
      return report(scope, node, "different", {
        target: "the global option hotplug '1' (the default)",
        note: `OpenWrt's keepalived package runs /etc/hotplug.d/keepalived/ with ACTION=NOTIFY_MASTER...; floatgw runs /etc/hotplug.d/floatgw/ on every transition of ${scopeName} with ACTION=master|backup|fault|stop and the same TYPE and NAME: move your hook scripts there and match the new ACTION names`,
      });
    report(scope, node, "unsupported", {
      note: "floatgw does not run notify scripts yet; meanwhile a hook in /etc/hotplug.d/floatgw/ can run it, e.g. [ \"$ACTION\" = master ] && <script>",
      later: "notify scripts",
    });
  }, "notify scripts");
}

function tracking(kind: TrackKind, summary: string): Rule<InstanceDraft> {
  return mapped(summary, (node, d, scope) => {
    d.tracks.push(...trackBlock(kind, node, scope, null));
  });
}

const NO_VMAC = "floatgw does not use virtual MACs: the master answers with its own MAC and gratuitous ARPs move clients";

export const INSTANCE: Table<InstanceDraft> = table<InstanceDraft>({
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
  lower_prio_no_advert: different("floatgw never answers a lower-priority advert with an advert of its own; it announces the VIP again instead"),
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
  virtual_routes: unsupported("floatgw does not add routes on becoming master yet; a hook in /etc/hotplug.d/floatgw/ can", "virtual routes"),
  virtual_rules: unsupported("floatgw does not add policy rules on becoming master yet; a hook in /etc/hotplug.d/floatgw/ can", "virtual rules"),
  smtp_alert: unsupported("floatgw sends no e-mail yet", "mail alerts"),
  notify_priority_changes: unsupported("floatgw does not run notify scripts yet", "notify scripts"),
  ...Object.fromEntries(
    ["notify_master", "notify_backup", "notify_fault", "notify_stop", "notify", "notify_deleted", "notify_master_rx_lower_pri"].map((k) => [
      k,
      notifyScript<InstanceDraft>("the instance"),
    ]),
  ),
});

// --- completion ----------------------------------------------------------------------

function familyName(f: 4 | 6): string {
  return f === 4 ? "IPv4" : "IPv6";
}

/** keepalived's rounding of advert_int (vrrp_complete_instance). */
function roundAdvert(ms: number, version: 2 | 3): number {
  if (version === 2) return Math.min(255_000, Math.max(1000, Math.floor((ms + 500) / 1000) * 1000));
  return Math.min(40_950, Math.max(10, Math.floor((ms + 5) / 10) * 10));
}

function seconds(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const frac = String(ms % 1000).padStart(3, "0").replace(/0+$/, "");
  return frac === "" ? String(whole) : `${whole}.${frac}`;
}

class SectionWriter {
  readonly options: UciDraftOption[] = [];
  constructor(readonly label: string) {}

  set(name: string, value: string): string {
    this.options.push({ name, values: [value], list: false });
    return `${this.label} ${name} '${value}'`;
  }

  add(name: string, value: string): string {
    const existing = this.options.find((o) => o.name === name);
    if (existing === undefined) this.options.push({ name, values: [value], list: true });
    else this.options.splice(this.options.indexOf(existing), 1, { ...existing, values: [...existing.values, value] });
    return `${this.label} ${name} '${value}'`;
  }
}

/** A number option from the instance or, failing that, global_defs; clamped to floatgw's range. */
function garpOption(
  w: SectionWriter,
  scope: Scope,
  option: string,
  own: Found<number> | null,
  global: { value: number; at: Origin } | null,
  convert: (v: number) => { value: number; note: string | null },
): void {
  if (own === null && global === null) return;
  const raw = own !== null ? own.value : (global?.value ?? 0);
  const c = convert(raw);
  const target = w.set(option, String(c.value));
  if (own !== null) say(scope, own, c.note === null ? "mapped" : "different", { target, note: c.note });
}

function clampCount(v: number): { value: number; note: string | null } {
  if (v === 0) return { value: 1, note: "keepalived sends at least one ('must be greater than 0, setting to 1')" };
  if (v > 100) return { value: 100, note: "floatgw sends at most 100 per address" };
  return { value: v, note: null };
}

/** What an instance's tracking needs from the rest of the file. */
export interface InstanceTracking {
  readonly registry: TrackerRegistry;
  /** The instance's sync group, if any: its track lines and whether it keeps weights. */
  readonly group: { readonly lines: readonly TrackLine[]; readonly trackingWeight: boolean } | null;
}

/** Settles the draft as keepalived does and writes the vip section; null when it cannot be converted. */
export function completeInstance(d: InstanceDraft, defaults: VrrpDefaults, tracking: InstanceTracking, sectionName: string, scope: Scope): UciDraftSection | null {
  const w = new SectionWriter(`vip '${sectionName}'`);
  const at = d.node.at;
  const fail = (note: string): null => {
    scope.entries.push(entry("error", at, describe(d.node), { note: `not converted: ${note}` }));
    return null;
  };
  const strict = d.strict !== null ? d.strict.value : defaults.strict !== null;

  if (d.device === null) return fail("no interface (keepalived needs one too)");
  say(scope, d.device, "mapped", { target: w.set("device", d.device.value), note: "floatgw can follow the netifd interface instead (option interface, which dhcp '1' needs)" });
  if (d.vrid === null) return fail("no virtual_router_id (keepalived refuses the instance too)");
  say(scope, d.vrid, "mapped", { target: w.set("vrid", String(d.vrid.value)) });

  // Addresses: the first decides the family; keepalived ignores others in virtual_ipaddress.
  const first = d.vips.find((v) => !v.excluded);
  if (first === undefined) return fail("no virtual_ipaddress (keepalived refuses the instance too: 'No VIP specified')");
  const family = first.address.family;
  const seen = new Set<string>();
  const addresses: VipLine[] = [];
  for (const v of d.vips) {
    if (seen.has(v.address.address)) {
      say(scope, v, "different", { note: "listed twice: written once" });
      continue;
    }
    if (v.address.family !== family) {
      if (v.excluded)
        say(scope, v, "unsupported", {
          note: `an ${familyName(v.address.family)} address in an ${familyName(family)} instance: a floatgw vip section carries one family; once both routers run floatgw, add a vip section for it (VRRPv3)`,
        });
      else say(scope, v, "different", { note: `keepalived ignores it too ('address family must match VRRP instance')` });
      continue;
    }
    seen.add(v.address.address);
    addresses.push(v);
  }

  // Version.
  let version: 2 | 3;
  if (family === 6) {
    version = 3;
    if (d.version !== null && d.version.value === 2)
      say(scope, d.version, "different", { target: w.set("version", "3"), note: "VRRPv2 cannot carry IPv6 (RFC 3768): floatgw runs version 3, and so must the peer" });
    else if (d.version !== null) say(scope, d.version, "mapped", { target: w.set("version", "3") });
    else w.set("version", "3");
  } else {
    version = d.version?.value ?? defaults.version?.value ?? 2;
    const target = w.set("version", String(version));
    if (d.version !== null) say(scope, d.version, "mapped", { target });
  }

  // Priority and state.
  const masterState = d.state?.value === "MASTER";
  const priority = d.priority?.value ?? (masterState ? 255 : 100);
  const priorityTarget = w.set("priority", String(priority));
  if (d.priority !== null) say(scope, d.priority, "mapped", { target: priorityTarget });
  if (d.state !== null) {
    if (d.priority === null && masterState)
      say(scope, d.state, "different", {
        target: priorityTarget,
        pitfall: "state MASTER without priority",
        note: "keepalived gives an instance in state MASTER without a priority the owner's priority 255, and floatgw keeps that; give it a priority of 1-254 unless this router owns the address",
      });
    else
      say(scope, d.state, "different", {
        note: masterState
          ? "floatgw has no initial state: the highest priority wins the election (keepalived also starts a non-owner MASTER as backup; it differs only in going straight to master when it leaves FAULT)"
          : "floatgw has no initial state: every instance starts as backup and the highest priority wins",
      });
  }

  // Advertisement interval.
  if (d.advertMs !== null) {
    const ms = roundAdvert(d.advertMs.value, version);
    const target = w.set("advert_int", seconds(ms));
    say(scope, d.advertMs, ms === d.advertMs.value ? "mapped" : "different", {
      target,
      note: ms === d.advertMs.value ? null : `keepalived rounds it to ${seconds(ms)} s for VRRPv${version}`,
    });
  }

  for (const v of addresses) {
    const target = w.add("address", `${v.address.address}/${v.address.prefix}`);
    const notes = v.excluded
      ? [...v.notes, "floatgw advertises every address it moves; a keepalived peer still accepts the longer list, and floatgw only counts keepalived's shorter list in `floatgw status`"]
      : v.notes;
    say(scope, v, notes.length > 0 ? "different" : "mapped", { target, note: notes.length > 0 ? notes.join("; ") : null });
  }

  // Preemption.
  let preempt = d.preempt?.value ?? true;
  if (d.preempt !== null && !d.preempt.value) {
    if (masterState) {
      preempt = true;
      say(scope, d.preempt, "different", {
        target: w.set("preempt", "1"),
        pitfall: "state MASTER with nopreempt",
        note: "keepalived ignores nopreempt for an instance in state MASTER ('nopreempt will not work with initial state MASTER - clearing'), so this router did preempt, and floatgw will; for no preemption set preempt '0' on both routers",
      });
    } else if (priority === 255) {
      preempt = true;
      say(scope, d.preempt, "different", { target: w.set("preempt", "1"), note: "keepalived ignores nopreempt at priority 255 (the owner always takes over)" });
    } else say(scope, d.preempt, "mapped", { target: w.set("preempt", "0") });
  } else if (d.preempt !== null) say(scope, d.preempt, "mapped", { target: w.set("preempt", "1"), note: "the default" });

  if (d.preemptDelayMs !== null) {
    const why = masterState
      ? "keepalived ignores preempt_delay for an instance in state MASTER ('preempt delay will not work with initial state MASTER')"
      : !preempt
        ? "keepalived ignores preempt_delay with nopreempt"
        : strict
          ? "keepalived ignores preempt_delay in strict mode"
          : null;
    if (why !== null) say(scope, d.preemptDelayMs, "different", { note: `${why}: not written` });
    else if (d.preemptDelayMs.value > 1_000_000)
      say(scope, d.preemptDelayMs, "different", { target: w.set("preempt_delay", "1000"), note: "floatgw waits at most 1000 s" });
    else say(scope, d.preemptDelayMs, "mapped", { target: w.set("preempt_delay", seconds(d.preemptDelayMs.value)) });
  }

  const startup = defaults.startupDelayMs;
  if (startup !== null) w.set("start_delay", seconds(Math.min(startup.value, 3_600_000)));

  // Unicast: keepalived's mcast_src_ip and unicast_src_ip set the same source address.
  const src = d.unicastSrc ?? (d.peers.length > 0 ? d.mcastSrc : null);
  if (d.mcastSrc !== null && d.unicastSrc !== null)
    say(scope, d.mcastSrc, "different", { note: "keepalived uses one source address; unicast_src_ip is the one written" });
  else if (d.mcastSrc !== null && d.peers.length === 0)
    say(scope, d.mcastSrc, "unsupported", { note: "floatgw sends multicast adverts from the interface's primary address" });
  if (src !== null) {
    if (src.value.family !== family) say(scope, src, "different", { note: `keepalived ignores an ${familyName(src.value.family)} source for this instance too` });
    else say(scope, src, src === d.mcastSrc ? "different" : "mapped", {
      target: w.set("unicast_src", src.value.address),
      note: src === d.mcastSrc ? "for unicast adverts keepalived uses it as unicast_src_ip" : null,
    });
  }
  for (const p of d.peers) {
    if (p.value.family !== family) say(scope, p, "different", { note: `keepalived skips it too (a unicast peer must be of the instance's family)` });
    else say(scope, p, "mapped", { target: w.add("unicast_peer", p.value.address) });
  }

  // Gratuitous ARP / NA.
  const minGarp = defaults.minGarp;
  garpOption(w, scope, "garp_count", d.garpRepeat, defaults.garpRepeat ?? (minGarp !== null ? { value: 1, at: minGarp } : null), clampCount);
  const spacing = family === 4 ? defaults.garpIntervalMs : defaults.gnaIntervalMs;
  if (spacing !== null) w.set("garp_spacing", String(Math.min(spacing.value, 1000)));
  garpOption(w, scope, "garp_repeat_delay", d.garpDelayS, defaults.garpDelayS ?? (minGarp !== null ? { value: 0, at: minGarp } : null), (v) => ({ value: v, note: null }));
  garpOption(w, scope, "garp_refresh", d.garpRefreshS, defaults.garpRefreshS, (v) => ({ value: v, note: null }));
  garpOption(w, scope, "garp_refresh_count", d.garpRefreshRepeat, defaults.garpRefreshRepeat, clampCount);

  authentication(d, w, scope, version, strict);

  if (d.checksumAsV2 !== null) {
    if (version === 3 && family === 4) say(scope, d.checksumAsV2, "mapped", { target: w.set("v3_checksum_pseudo_header", "0") });
    else say(scope, d.checksumAsV2, "different", { note: "only matters for VRRPv3 over IPv4: nothing to write" });
  }
  if (d.strict !== null)
    say(scope, d.strict, "different", { note: "floatgw has no strict mode; what strict mode changed in keepalived (no authentication, no preempt_delay) is converted as keepalived ran it" });

  const target = { syncGroup: tracking.group !== null && !tracking.group.trackingWeight, owner: priority === 255, vipLabel: w.label };
  for (const item of trackItems([...d.tracks, ...(tracking.group?.lines ?? [])], target, tracking.registry, scope)) w.add("track", item);

  return { type: "vip", name: sectionName, comments: [`vrrp_instance ${d.name} (${at.file}:${at.line})`], options: w.options };
}

function authentication(d: InstanceDraft, w: SectionWriter, scope: Scope, version: 2 | 3, strict: boolean): void {
  const type = d.authType;
  const pass = d.authPass;
  if (type === null) {
    if (pass !== null) say(scope, pass, "different", { note: "keepalived ignores auth_pass without auth_type: not written" });
    return;
  }
  const ignored = strict ? "keepalived ignores authentication in strict mode" : version === 3 ? "keepalived ignores authentication for VRRPv3 (RFC 5798 has none)" : null;
  if (ignored !== null) {
    say(scope, type, "different", { note: `${ignored}: not written` });
    if (pass !== null) say(scope, pass, "different", { note: `${ignored}: not written` });
    return;
  }
  if (type.value === "AH") {
    say(scope, type, "unsupported", { note: "floatgw does not speak IPsec AH authentication (RFC 2338), which RFC 3768 removed; both routers need auth_type PASS or none" });
    if (pass !== null) say(scope, pass, "unsupported", { note: "belongs to the AH authentication above" });
    return;
  }
  if (pass === null || pass.value === "") {
    say(scope, type, "unsupported", { note: "PASS without a password: floatgw needs auth_pass of 1-8 characters" });
    return;
  }
  const key = pass.value.slice(0, 8);
  say(scope, type, "mapped", { target: `${w.label} auth_pass`, note: "floatgw sets PASS authentication by auth_pass alone" });
  say(scope, pass, key === pass.value ? "mapped" : "different", {
    target: (w.set("auth_pass", key), `${w.label} auth_pass (hidden)`),
    note: key === pass.value ? null : "keepalived sends only its first 8 characters; those are written",
  });
}
