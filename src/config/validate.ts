// Turns a parsed /etc/config/floatgw into the typed FloatgwConfig, or into
// the list of reasons it can't be one. Option-level checks come from the
// schema (reader.ts); this file adds the rules that span options and
// sections: versions against families, intervals and authentication, unicast
// peers against our own addresses, VRIDs and addresses used twice.

import type { Family } from "../core/addr";
import { maxAddresses } from "../core/packet";
import { MAX_CENTISEC, type Priority, type Vrid, toPriority, toVrid } from "../core/units";
import { type ConfigProblem, ProblemList, sectionLabel } from "./problems";
import { type Item, SectionReader } from "./reader";
import type { TrackerSpec, TrackUse } from "../track/spec";
import { type NotifyConfig, readNotify } from "./notify";
import { type Owners, type RouteConfig, type RuleConfig, readRoute, readRule } from "./routes";
import { GLOBAL_SECTION, KEEPALIVED_SECTION_HINTS, ROUTE_SECTION, RULE_SECTION, SECTIONS, SYNC_GROUP_SECTION, TRACKER_SECTION, VIP_SECTION } from "./schema";
import { closestName } from "./suggest";
import { type SyncGroupConfig, readSyncGroups } from "./sync-groups";
import { type ReadTracker, readTracker, resolveTrackUses } from "./trackers";
import type { UciPackage, UciSection } from "./uci";
import type { IpAddress, VipAddress } from "./values";

export type LogLevel = "error" | "warn" | "info" | "debug";

export interface GlobalConfig {
  readonly enabled: boolean;
  readonly logLevel: LogLevel;
  /** Lease channel key; null: no lease replication. */
  readonly secret: string | null;
  /** dnsmasq's lease file, where replicated leases are written on takeover. */
  readonly dhcpLeasefile: string;
  /** Program run as `<program> floatgw` with ACTION=... on state changes; null: none. */
  readonly hotplugCommand: string | null;
  /** A hook or notify script running longer is killed. */
  readonly notifyTimeoutMs: number;
  /** `user[:group]` for notify scripts and tracker scripts without their own; null: root. */
  readonly scriptUser: string | null;
  readonly mail: MailConfig;
}

/** Where mail alerts go (keepalived's global_defs for smtp_alert). */
export interface MailConfig {
  /** null: the host name, known at run time. */
  readonly routerId: string | null;
  readonly recipients: readonly string[];
  /** null: floatgw@<router id>. */
  readonly from: string | null;
  /** null: no mail is sent. */
  readonly server: IpAddress | null;
  readonly port: number;
  /** null: the router id. */
  readonly heloName: string | null;
  readonly timeoutMs: number;
}

export interface VipConfig {
  /** The section's name, or `@vip[N]` for an anonymous one: for logs and status. */
  readonly name: string;
  /** netifd interface; null when only `device` is set. */
  readonly interface: string | null;
  /** Explicit device, the fallback when `interface` can't be resolved. */
  readonly device: string | null;
  readonly vrid: Vrid;
  readonly version: 2 | 3;
  /** Every address (and unicast peer) of the instance is of this family. */
  readonly family: Family;
  readonly priority: Priority;
  /** Advertisement interval; a multiple of 100 for version 2 (whole seconds, up to 25500). */
  readonly advertIntCs: number;
  readonly addresses: readonly VipAddress[];
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly startDelayMs: number;
  /** Empty: multicast. */
  readonly unicastPeers: readonly IpAddress[];
  readonly unicastSrc: IpAddress | null;
  readonly garpCount: number;
  readonly garpSpacingMs: number;
  /** 0: no second burst. */
  readonly garpRepeatDelayMs: number;
  /** 0: no refresh. */
  readonly garpRefreshMs: number;
  readonly garpRefreshCount: number;
  /** Version 2 PASS authentication; null: none. */
  readonly authPass: string | null;
  readonly v3ChecksumPseudoHeader: boolean;
  readonly dhcp: boolean;
  /** The trackers this instance follows, with the weight and direction it uses (its sync group's included). */
  readonly track: readonly TrackUse[];
  readonly notify: NotifyConfig;
  /** The sync group it belongs to, if any. */
  readonly syncGroup: string | null;
}

export interface FloatgwConfig {
  readonly global: GlobalConfig;
  /** Enabled instances only, in file order. */
  readonly vips: readonly VipConfig[];
  /** The trackers the enabled instances use, in file order. */
  readonly trackers: readonly TrackerSpec[];
  readonly syncGroups: readonly SyncGroupConfig[];
  readonly routes: readonly RouteConfig[];
  readonly rules: readonly RuleConfig[];
}

/** `config` is null exactly when there are errors. */
export interface ValidationResult {
  readonly config: FloatgwConfig | null;
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}

const HOTPLUG_CALL = "/sbin/hotplug-call";
const DEFAULT_LEASEFILE = "/tmp/dhcp.leases";
const GLOBAL_NAME = GLOBAL_SECTION.conventionalName ?? "global";

function familyName(f: Family): string {
  return f === 4 ? "IPv4" : "IPv6";
}

function readGlobal(section: UciSection | undefined, problems: ProblemList): GlobalConfig {
  // Without the section, every option has its default.
  const r = new SectionReader(section ?? { type: GLOBAL_SECTION.type, name: GLOBAL_NAME, ref: GLOBAL_NAME, anonymous: false, line: 0, options: [] }, GLOBAL_SECTION, problems);
  r.warnUnknownOptions();
  if (section !== undefined && (section.anonymous || section.name !== GLOBAL_NAME))
    problems.warn(r.here(), `should be named '${GLOBAL_NAME}' (config floatgw '${GLOBAL_NAME}'), where LuCI looks for it`);
  const mail: MailConfig = {
    routerId: r.text("router_id")?.value ?? null,
    recipients: r.textList("notification_email").map((i) => i.value),
    from: r.text("notification_email_from")?.value ?? null,
    server: r.ip("smtp_server")?.value ?? null,
    port: r.integer("smtp_port")?.value ?? 25,
    heloName: r.text("smtp_helo_name")?.value ?? null,
    timeoutMs: r.seconds("smtp_connect_timeout")?.value ?? 30_000,
  };
  return {
    enabled: r.bool("enabled"),
    logLevel: (r.choice("log_level")?.value ?? "info") as LogLevel,
    secret: r.text("secret")?.value ?? null,
    dhcpLeasefile: r.text("dhcp_leasefile")?.value ?? DEFAULT_LEASEFILE,
    hotplugCommand: r.boolOrPath("hotplug", HOTPLUG_CALL),
    notifyTimeoutMs: r.seconds("notify_timeout")?.value ?? 10_000,
    scriptUser: r.text("script_user")?.value ?? null,
    mail,
  };
}

/** A section with smtp_alert on, while the floatgw section cannot send mail. */
function checkMail(mail: MailConfig, sections: readonly { notify: NotifyConfig; reader: SectionReader }[], problems: ProblemList): void {
  const missing = mail.server === null ? "no smtp_server" : mail.recipients.length === 0 ? "no notification_email" : null;
  if (missing === null) return;
  for (const s of sections) if (s.notify.smtpAlert) problems.warn(s.reader.where("smtp_alert"), `is on, but the floatgw section has ${missing}: no mail is sent`);
}

/** RFC 3768 §5.3.7 (v2: 8 bits of whole seconds), RFC 5798 §5.2.7 (v3: 12 bits of centiseconds). */
function advertIntRule(version: 2 | 3): (cs: number) => string | null {
  if (version === 2)
    return (cs) =>
      cs % 100 !== 0
        ? "is not a whole number of seconds, which version 2 requires"
        : cs < 100 || cs > 25500
          ? "is out of range 1-255 s for version 2"
          : null;
  return (cs) => (cs < 1 || cs > MAX_CENTISEC ? "is out of range 0.01-40.95 s for version 3" : null);
}

/** One vip section read on its own; null config when it has errors. */
interface ReadVip {
  readonly reader: SectionReader;
  readonly enabled: boolean;
  readonly config: VipConfig | null;
  readonly addressItems: readonly Item<VipAddress>[];
}

function readVip(section: UciSection, trackers: ReadonlyMap<string, ReadTracker>, problems: ProblemList): ReadVip {
  const r = new SectionReader(section, VIP_SECTION, problems);
  const errorsBefore = problems.errors.length;
  r.warnUnknownOptions();

  const enabled = r.bool("enabled");
  const iface = r.text("interface");
  const device = r.text("device");
  const hasLink = r.has("interface") || r.has("device");
  if (!hasLink) problems.error(r.here(), "needs 'interface' (or 'device')");
  const vrid = r.integer("vrid");
  const version = r.choice("version")?.value === "2" ? 2 : 3;
  const priority = r.integer("priority");
  const advertInt = r.seconds("advert_int", advertIntRule(version));

  const addressItems = r.cidrList("address");
  const first = addressItems[0];
  const family: Family = first?.value.family ?? 4;
  for (const a of addressItems)
    if (first !== undefined && a.value.family !== family)
      problems.error(
        r.where("address", a.text),
        `is ${familyName(a.value.family)} but '${first.text}' is ${familyName(family)}: one family per vip section (as keepalived requires); add a second section`,
      );
  if (version === 2 && family === 6)
    problems.error(r.where("version", "2"), "cannot carry IPv6 addresses (RFC 3768); use version 3");
  const maxVips = maxAddresses(version, family);
  if (addressItems.length > maxVips)
    problems.error(
      { section: r.label, option: "address", line: addressItems[maxVips]?.line ?? section.line },
      `has ${addressItems.length} addresses, but one VRRPv${version} IPv${family === 4 ? 4 : 6} advert carries at most ${maxVips}: split them over several vip sections`,
    );
  const seen = new Set<string>();
  for (const a of addressItems) {
    if (seen.has(a.value.address)) problems.error(r.where("address", a.text), "is listed twice");
    seen.add(a.value.address);
  }

  const peers = r.ipList("unicast_peer");
  const src = r.ip("unicast_src");
  const isVip = (ip: IpAddress): boolean => seen.has(ip.address);
  for (const p of peers) {
    if (p.value.family !== family)
      problems.error(r.where("unicast_peer", p.text), `is ${familyName(p.value.family)} but the addresses are ${familyName(family)}`);
    else if (src !== null && p.value.address === src.value.address)
      problems.error(r.where("unicast_peer", p.text), "is this router's own unicast_src");
    else if (isVip(p.value)) problems.error(r.where("unicast_peer", p.text), "is one of the section's virtual addresses");
  }
  if (src !== null) {
    if (src.value.family !== family)
      problems.error(r.where("unicast_src", src.text), `is ${familyName(src.value.family)} but the addresses are ${familyName(family)}`);
    else if (isVip(src.value))
      problems.error(r.where("unicast_src", src.text), "is a virtual address; use this router's own address");
    if (peers.length === 0) problems.warn(r.where("unicast_src", src.text), "has no effect without unicast_peer");
  }

  const authPass = r.text("auth_pass");
  if (authPass !== null && version === 3)
    problems.error(r.where("auth_pass", authPass.text), "is for version 2 only: VRRPv3 has no authentication (RFC 5798 §9)");
  const dhcp = r.bool("dhcp");
  if (dhcp && iface === null && !r.has("interface"))
    problems.error(r.where("dhcp", "1"), "needs 'interface': dnsmasq's DHCP settings belong to netifd interfaces");

  const preempt = r.bool("preempt");
  const preemptDelay = r.seconds("preempt_delay");
  const startDelay = r.seconds("start_delay");
  const garpCount = r.integer("garp_count");
  const garpSpacing = r.integer("garp_spacing");
  const garpRepeatDelay = r.seconds("garp_repeat_delay");
  const garpRefresh = r.seconds("garp_refresh");
  const garpRefreshCount = r.integer("garp_refresh_count");
  const pseudoHeader = r.bool("v3_checksum_pseudo_header");
  const track = resolveTrackUses(r, r.trackRefList("track"), trackers, priority?.value ?? null, problems);
  const notify = readNotify(r, problems);

  const vridValue = vrid === null ? null : toVrid(vrid.value);
  const priorityValue = priority === null ? null : toPriority(priority.value);
  // Every null below has been reported; the checks only narrow the types.
  if (
    problems.errors.length > errorsBefore ||
    vridValue === null ||
    priorityValue === null ||
    advertInt === null ||
    preemptDelay === null ||
    startDelay === null ||
    garpCount === null ||
    garpSpacing === null ||
    garpRepeatDelay === null ||
    garpRefresh === null ||
    garpRefreshCount === null
  )
    return { reader: r, enabled, config: null, addressItems };
  return {
    reader: r,
    enabled,
    addressItems,
    config: {
      name: section.ref,
      interface: iface?.value ?? null,
      device: device?.value ?? null,
      vrid: vridValue,
      version,
      family,
      priority: priorityValue,
      advertIntCs: advertInt.value,
      addresses: addressItems.map((a) => a.value),
      preempt,
      preemptDelayMs: preemptDelay.value,
      startDelayMs: startDelay.value,
      unicastPeers: peers.map((p) => p.value),
      unicastSrc: src?.value ?? null,
      garpCount: garpCount.value,
      garpSpacingMs: garpSpacing.value,
      garpRepeatDelayMs: garpRepeatDelay.value,
      garpRefreshMs: garpRefresh.value,
      garpRefreshCount: garpRefreshCount.value,
      authPass: authPass?.value ?? null,
      v3ChecksumPseudoHeader: pseudoHeader,
      dhcp,
      track,
      notify,
      syncGroup: null,
    },
  };
}

/**
 * Instances that would take each other's adverts. A VRID names one virtual
 * router per link and address family: IPv4 and IPv6 instances use different
 * groups (224.0.0.18, ff02::12) and virtual MACs (00-00-5E-00-01-{VRID} and
 * 00-00-5E-00-02-{VRID}, RFC 5798 §7.3), so v3 may reuse a VRID across
 * families, as keepalived allows. v2 shares the IPv4 space with v3. Links
 * are compared by name: an `interface` and a `device` naming the same link
 * are only caught once the daemon has resolved them.
 */
function checkAcrossSections(vips: readonly ReadVip[], problems: ProblemList): void {
  const vridOwners = new Map<string, ReadVip>();
  const addressOwners = new Map<string, ReadVip>();
  for (const v of vips) {
    const c = v.config;
    if (!v.enabled || c === null) continue;
    const link = c.interface !== null ? `interface '${c.interface}'` : `device '${c.device ?? ""}'`;
    const key = `${link} ${c.family} ${c.vrid}`;
    const owner = vridOwners.get(key);
    if (owner === undefined) vridOwners.set(key, v);
    else
      problems.error(
        v.reader.where("vrid", String(c.vrid)),
        `is already used by ${owner.reader.label} on ${link} for ${familyName(c.family)}`,
      );
    for (const a of v.addressItems) {
      const other = addressOwners.get(a.value.address);
      if (other === undefined) addressOwners.set(a.value.address, v);
      else if (other !== v) problems.error(v.reader.where("address", a.text), `is also an address of ${other.reader.label}`);
    }
  }
}

function warnUnknownSection(section: UciSection, problems: ProblemList): void {
  const hint = KEEPALIVED_SECTION_HINTS[section.type];
  const near = closestName(
    section.type,
    SECTIONS.map((s) => s.type),
  );
  const advice = hint !== undefined ? ` (keepalived section; ${hint})` : near !== null ? ` (did you mean '${near}'?)` : "";
  problems.warn(
    { section: sectionLabel(section), line: section.line },
    `unknown section type '${section.type}' is ignored${advice}`,
  );
}

export function validateConfig(pkg: UciPackage): ValidationResult {
  const problems = new ProblemList();
  const globals = pkg.sections.filter((s) => s.type === GLOBAL_SECTION.type);
  const [firstGlobal] = globals;
  for (const extra of globals.slice(1))
    problems.error(
      { section: sectionLabel(extra), line: extra.line },
      `only one floatgw section is allowed; the first is on line ${firstGlobal?.line ?? 0}`,
    );
  const global = readGlobal(firstGlobal, problems);
  // The sections of each type, in file order, found in one pass.
  const byType = new Map<string, UciSection[]>();
  for (const s of pkg.sections) {
    const list = byType.get(s.type);
    if (list === undefined) byType.set(s.type, [s]);
    else list.push(s);
  }
  const ofType = (spec: { type: string }): UciSection[] => byType.get(spec.type) ?? [];
  // Trackers first: the vips' `track` lines refer to them, wherever they stand.
  const trackers = ofType(TRACKER_SECTION).map((s) => readTracker(s, global.scriptUser, problems));
  const trackersByRef = new Map<string, ReadTracker>();
  for (const t of trackers) if (!trackersByRef.has(t.reader.section.ref)) trackersByRef.set(t.reader.section.ref, t);
  const vips = ofType(VIP_SECTION).map((s) => readVip(s, trackersByRef, problems));
  const known = new Set(SECTIONS.map((s) => s.type));
  for (const s of pkg.sections) if (!known.has(s.type)) warnUnknownSection(s, problems);
  checkAcrossSections(vips, problems);
  const read = readSyncGroups(ofType(SYNC_GROUP_SECTION), vips.map((v) => ({ name: v.reader.section.ref, enabled: v.enabled, track: v.config?.track ?? null, reader: v.reader })),
    trackersByRef, problems);
  const enabledVips: VipConfig[] = [];
  for (const v of vips) {
    if (!v.enabled || v.config === null) continue;
    const member = read.membership.get(v.config.name);
    enabledVips.push(member === undefined ? v.config : { ...v.config, track: member.track, syncGroup: member.group });
  }
  const groupFamilies = new Map<string, Family[]>(read.groups.map((g) => [g.name, []]));
  for (const v of enabledVips) if (v.syncGroup !== null) groupFamilies.get(v.syncGroup)?.push(v.family);
  const owners: Owners = {
    vips: new Map(vips.flatMap((v) => (v.enabled ? [[v.reader.section.ref, v.config?.family ?? null] as const] : []))),
    groups: groupFamilies,
  };
  const routes = ofType(ROUTE_SECTION).flatMap((s) => readRoute(s, owners, problems) ?? []);
  const rules = ofType(RULE_SECTION).flatMap((s) => readRule(s, owners, problems) ?? []);
  checkMail(global.mail, [...vips.flatMap((v) => (v.enabled && v.config !== null ? [{ notify: v.config.notify, reader: v.reader }] : [])), ...read.read], problems);
  const used = new Set(enabledVips.flatMap((v) => v.track.map((t) => t.tracker)));
  for (const t of trackers)
    if (t.spec !== null && !used.has(t.spec.name)) problems.warn(t.reader.here(), "no enabled vip or sync group lists it in 'track', so it does not run");
  const byLine = (a: ConfigProblem, b: ConfigProblem): number => (a.line ?? 0) - (b.line ?? 0);
  const errors = problems.errors.slice().sort(byLine);
  const warnings = problems.warnings.slice().sort(byLine);
  if (errors.length > 0) return { config: null, errors, warnings };
  const usedTrackers = trackers.flatMap((t) => (t.spec !== null && used.has(t.spec.name) ? [t.spec] : []));
  return { config: { global, vips: enabledVips, trackers: usedTrackers, syncGroups: read.groups, routes, rules }, errors, warnings };
}
