// The keepalived block tree -> the sections of /etc/config/floatgw and the
// report entries. global_defs is read first (keepalived applies its
// defaults after the whole file), then every other block in file order;
// virtual servers last, since they refer to the instances' addresses.

import type { UciDraftSection } from "../config/uci-write";
import type { ConfNode } from "./conf-tree";
import { type Entry, entry } from "./entry";
import { type VirtualServerContext, convertVirtualServer } from "./checkers";
import { GLOBAL_DEFS, type VrrpDefaults, emptyDefaults } from "./global";
import { INSTANCE, type InstanceDraft, newInstance, notifyScript } from "./instance";
import { type InstanceTracking, completeInstance } from "./settle";
import { type FileDef, type ScriptDef, type TrackLine, TrackerRegistry, readScript, readTrackFile, trackBlock } from "./trackers";
import { type Scope, type Table, different, inner, mapped, report, reportAll, rule, table, unsupported, walk } from "./rules";

/** A sync group as its members see it. */
interface Group {
  readonly name: string;
  readonly lines: TrackLine[];
  trackingWeight: boolean;
  /** Whether any member was converted (else its lines are reported alone). */
  used: boolean;
}

interface Converted {
  readonly defaults: VrrpDefaults;
  readonly registry: TrackerRegistry;
  /** Instance name -> its sync group. */
  readonly groups: Map<string, Group>;
  /** The vip sections; the trackers come from the registry. */
  readonly vips: UciDraftSection[];
  /** Section names taken so far. */
  readonly names: Set<string>;
  /** Addresses of the converted instances, for the virtual servers that use them. */
  readonly vipOwners: Map<string, string>;
  readonly virtualServers: ConfNode[];
}

/** A UCI section name (letters, digits, _) for a keepalived instance name, unique in the file. */
function sectionName(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 60) || "vip";
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
  taken.add(candidate);
  return candidate;
}

function named(node: ConfNode, scope: Scope): string | null {
  const name = node.args[0];
  if (name === undefined) reportAll(scope, node, "error", { note: "needs a name" });
  return name ?? null;
}

const SYNC = "sync groups";

/** The sync group's own track lines are applied to each member (below); the lines here only need no report of their own. */
const GROUP_TRACK = rule<Converted>(
  "different",
  "tracked by each member instance with weight 0: a sync group's tracker puts all its instances in FAULT",
  () => undefined,
);

export const SYNC_GROUP: Table<Converted> = table<Converted>({
  group: unsupported(
    "floatgw runs each instance on its own: the instances are converted, but until sync groups exist a router can be master of one and backup of another when a single link fails",
    SYNC,
  ),
  track_interface: GROUP_TRACK,
  track_script: GROUP_TRACK,
  track_file: GROUP_TRACK,
  track_process: unsupported("floatgw does not track processes"),
  track_bfd: unsupported("floatgw does not speak BFD"),
  sync_group_tracking_weight: different("its members keep their trackers' weights, as keepalived does with it"),
  global_tracking: different("its members keep their trackers' weights, as keepalived does with it (global_tracking is its old name)"),
  notify_priority_changes: unsupported("floatgw does not run notify scripts yet", "notify scripts"),
  smtp_alert: unsupported("floatgw sends no e-mail yet", "mail alerts"),
  ...Object.fromEntries(["notify_master", "notify_backup", "notify_fault", "notify_stop", "notify"].map((k) => [k, notifyScript<Converted>("each instance")])),
});

const NOT_NETWORK = "floatgw does not manage static addresses, routes or rules: configure them in /etc/config/network";
/** Blocks read in the first pass; their lines are reported where they are used. */
const FIRST_PASS = () => undefined;

export const TOP: Table<Converted> = table<Converted>({
  global_defs: mapped("its VRRP defaults apply to every vip section (below)", FIRST_PASS),
  vrrp_instance: mapped("`config vip`, named after the instance (letters, digits and `_`)", (node, c, scope) => {
    const name = named(node, scope);
    if (name === null) return;
    const draft: InstanceDraft = newInstance(name, node);
    const within = inner(scope, node);
    walk(node.block ?? [], INSTANCE, draft, within);
    const group = c.groups.get(name) ?? null;
    if (group !== null) group.used = true;
    const tracking: InstanceTracking = { registry: c.registry, group };
    const section = completeInstance(draft, c.defaults, tracking, sectionName(name, c.names), within);
    if (section === null) return;
    report(scope, node, "mapped", { target: `config vip '${section.name}'` });
    c.vips.push(section);
    for (const o of section.options)
      if (o.name === "address") for (const a of o.values) c.vipOwners.set(a.split("/")[0] ?? a, section.name);
  }),
  vrrp_sync_group: rule(
    "unsupported",
    "floatgw has no sync groups yet: each instance is converted on its own, and the group's trackers go to each member",
    (node, c, scope) => {
      if (named(node, scope) === null) return;
      report(scope, node, "unsupported", { note: "floatgw has no sync groups yet", later: SYNC });
      walk(node.block ?? [], SYNC_GROUP, c, inner(scope, node));
    },
    SYNC,
  ),
  vrrp_script: mapped("a `config tracker` of type script, written when a converted instance tracks it", FIRST_PASS),
  vrrp_track_file: mapped("a `config tracker` of type file, written when a converted instance tracks it", FIRST_PASS),
  vrrp_track_process: unsupported("floatgw does not track processes"),
  bfd_instance: unsupported("floatgw does not speak BFD"),
  virtual_server: rule(
    "unsupported",
    "IPVS (LVS) is not supported; the health checks of a single real server behind a converted VIP become trackers of that vip",
    (node, c) => {
      c.virtualServers.push(node);
    },
  ),
  virtual_server_group: unsupported("IPVS (LVS) is not supported: floatgw moves addresses between routers, it does not balance load"),
  static_ipaddress: unsupported(NOT_NETWORK),
  static_routes: unsupported(NOT_NETWORK),
  static_rules: unsupported(NOT_NETWORK),
  track_group: unsupported("floatgw has no static track groups"),
  garp_group: unsupported("floatgw spaces the gratuitous packets of each vip section with its garp_spacing"),
  linkbeat_use_polling: different("floatgw follows carrier through rtnetlink events"),
  linkbeat_interfaces: different("floatgw follows carrier through rtnetlink events"),
  interface_up_down_delays: unsupported("floatgw waits 100 ms after a carrier loss before FAULT; the delay is not configurable"),
  net_namespace: unsupported("floatgw runs in the network namespace it is started in"),
  net_namespace_ipvs: unsupported("IPVS (LVS) is not supported"),
  namespace_with_ipsets: unsupported("floatgw runs in the network namespace it is started in"),
  use_pid_dir: different("tunes keepalived's own processes; floatgw has nothing to tune"),
  instance: different("tunes keepalived's own processes; floatgw has nothing to tune"),
  child_wait_time: different("tunes keepalived's own processes; floatgw has nothing to tune"),
});

/** global_defs, vrrp_script, vrrp_track_file and the sync groups' members and trackers, before any instance. */
function firstPass(nodes: readonly ConfNode[], scope: Scope, defaults: VrrpDefaults, scripts: Map<string, ScriptDef>, files: Map<string, FileDef>, groups: Map<string, Group>): void {
  for (const node of nodes) {
    const within = inner(scope, node);
    const name = node.args[0];
    if (node.keyword === "global_defs") walk(node.block ?? [], GLOBAL_DEFS, defaults, within);
    else if (node.keyword === "vrrp_script" && name !== undefined) scripts.set(name, readScript(name, node, scope));
    else if (node.keyword === "vrrp_track_file" && name !== undefined) files.set(name, readTrackFile(name, node, scope));
    else if (node.keyword === "vrrp_sync_group" && name !== undefined) {
      const group: Group = { name, lines: [], trackingWeight: false, used: false };
      for (const child of node.block ?? []) {
        const kind = child.keyword === "track_script" ? "script" : child.keyword === "track_interface" ? "link" : child.keyword === "track_file" ? "file" : null;
        if (kind !== null) group.lines.push(...trackBlock(kind, child, within, name));
        if (child.keyword === "sync_group_tracking_weight" || child.keyword === "global_tracking") group.trackingWeight = true;
        if (child.keyword === "group") for (const m of child.block ?? []) groups.set(m.keyword, group);
      }
    }
  }
}

export interface Conversion {
  readonly sections: readonly UciDraftSection[];
  readonly entries: readonly Entry[];
}

export function convertTree(nodes: readonly ConfNode[]): Conversion {
  const entries: Entry[] = [];
  const scope: Scope = { path: [], entries };
  const names = new Set(["global"]);
  const scripts = new Map<string, ScriptDef>();
  const files = new Map<string, FileDef>();
  const groups = new Map<string, Group>();
  const defaults = emptyDefaults();
  firstPass(nodes, scope, defaults, scripts, files, groups);
  const c: Converted = { defaults, registry: new TrackerRegistry(names, scripts, files), groups, vips: [], names, vipOwners: new Map(), virtualServers: [] };
  walk(nodes, TOP, c, scope);
  const vs: VirtualServerContext = {
    vipOf: (address) => c.vipOwners.get(address) ?? null,
    registry: c.registry,
    addTrack(vip, tracker) {
      const i = c.vips.findIndex((s) => s.name === vip);
      const s = c.vips[i];
      if (s === undefined) return;
      const track = s.options.find((o) => o.name === "track");
      const others = s.options.filter((o) => o !== track);
      c.vips[i] = { ...s, options: [...others, { name: "track", values: [...(track?.values ?? []), tracker], list: true }] };
    },
  };
  for (const node of c.virtualServers) convertVirtualServer(node, vs, scope);
  c.registry.reportUnused();
  for (const g of new Set(groups.values()))
    if (!g.used) for (const line of g.lines) entries.push(entry("different", line.at, line.subject, { note: "no member of the sync group was converted" }));
  return { sections: [...c.registry.sections, ...c.vips], entries };
}
