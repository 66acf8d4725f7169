// The keepalived block tree -> the sections of /etc/config/floatgw and the
// report entries. global_defs is read first (keepalived applies its
// defaults after the whole file), then every other block in file order;
// virtual servers last, since they refer to the instances' addresses.

import type { UciDraftOption, UciDraftSection } from "../config/uci-write";
import type { ConfNode } from "./conf-tree";
import type { Entry } from "./entry";
import { type VirtualServerContext, convertVirtualServer } from "./checkers";
import { GLOBAL_DEFS, type VrrpDefaults, emptyDefaults, smtpAlertDefault } from "./global";
import { INSTANCE, type InstanceDraft, newInstance } from "./instance";
import { convertRoutes } from "./routes";
import { type GroupDraft, SYNC_GROUP, newGroup, writeGroup } from "./sync-group";
import { type InstanceTracking, completeInstance } from "./settle";
import { type FileDef, type ScriptDef, TrackerRegistry, readScript, readTrackFile } from "./trackers";
import { type Scope, type Table, different, inner, mapped, report, reportAll, rule, table, unsupported, walk } from "./rules";

interface Converted {
  readonly defaults: VrrpDefaults;
  readonly registry: TrackerRegistry;
  /** Instance name -> its sync group (the first that names it). */
  readonly groups: Map<string, GroupDraft>;
  /** The vip sections; the trackers come from the registry. */
  readonly vips: UciDraftSection[];
  /** Instance name -> its vip section. */
  readonly vipNames: Map<string, string>;
  /** The route and rule sections of the vips. */
  readonly routes: UciDraftSection[];
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

const NOT_NETWORK = "floatgw does not manage static addresses, routes or rules: configure them in /etc/config/network";
/** Blocks read in the first pass; their lines are reported where they are used. */
const FIRST_PASS = () => undefined;

export const TOP: Table<Converted> = table<Converted>(() => ({
  global_defs: mapped("its VRRP defaults apply to every vip section (below)", FIRST_PASS),
  vrrp_instance: mapped("`config vip`, named after the instance (letters, digits and `_`)", (node, c, scope) => {
    const name = named(node, scope);
    if (name === null) return;
    const draft: InstanceDraft = newInstance(name, node);
    const within = inner(scope, node);
    walk(node.block ?? [], INSTANCE, draft, within);
    const group = c.groups.get(name);
    const tracking: InstanceTracking = { registry: c.registry, syncGroup: group !== undefined && group.trackingWeight === null };
    const section = completeInstance(draft, c.defaults, tracking, sectionName(name, c.names), within);
    if (section === null) return;
    report(scope, node, "mapped", { target: `config vip '${section.name}'` });
    c.vips.push(section);
    c.vipNames.set(name, section.name);
    c.routes.push(...convertRoutes(draft.routes, section.name, (base) => sectionName(base, c.names)));
    for (const o of section.options)
      if (o.name === "address") for (const a of o.values) c.vipOwners.set(a.split("/")[0] ?? a, section.name);
  }),
  vrrp_sync_group: mapped("`config sync_group` with the converted members, written after the instances", FIRST_PASS),
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
}));

/** global_defs, vrrp_script, vrrp_track_file and the sync groups' members and trackers, before any instance. */
function firstPass(
  nodes: readonly ConfNode[],
  scope: Scope,
  defaults: VrrpDefaults,
  scripts: Map<string, ScriptDef>,
  files: Map<string, FileDef>,
  groups: Map<string, GroupDraft>,
  drafts: GroupDraft[],
): void {
  for (const node of nodes) {
    const within = inner(scope, node);
    const name = node.args[0];
    if (node.keyword === "global_defs") walk(node.block ?? [], GLOBAL_DEFS, defaults, within);
    else if (node.keyword === "vrrp_script" && name !== undefined) scripts.set(name, readScript(name, node, scope));
    else if (node.keyword === "vrrp_track_file" && name !== undefined) files.set(name, readTrackFile(name, node, scope));
    else if (node.keyword === "vrrp_sync_group" && name !== undefined) {
      const group = newGroup(name, node);
      walk(node.block ?? [], SYNC_GROUP, group, within);
      for (const m of group.members) if (!groups.has(m.value)) groups.set(m.value, group);
      drafts.push(group);
    } else if (node.keyword === "vrrp_sync_group") reportAll(scope, node, "error", { note: "needs a name" });
  }
}

export interface Conversion {
  /** What global_defs sets in `config floatgw 'global'`. */
  readonly global: readonly UciDraftOption[];
  readonly sections: readonly UciDraftSection[];
  readonly entries: readonly Entry[];
}

export function convertTree(nodes: readonly ConfNode[]): Conversion {
  const entries: Entry[] = [];
  const scope: Scope = { path: [], entries };
  const names = new Set(["global"]);
  const scripts = new Map<string, ScriptDef>();
  const files = new Map<string, FileDef>();
  const groups = new Map<string, GroupDraft>();
  const drafts: GroupDraft[] = [];
  const defaults = emptyDefaults();
  firstPass(nodes, scope, defaults, scripts, files, groups, drafts);
  const c: Converted = {
    defaults,
    registry: new TrackerRegistry(names, scripts, files),
    groups,
    vips: [],
    vipNames: new Map(),
    routes: [],
    names,
    vipOwners: new Map(),
    virtualServers: [],
  };
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
  const syncGroups: UciDraftSection[] = [];
  for (const g of drafts) {
    const section = writeGroup(g, {
      vipOf: (instance) => c.vipNames.get(instance) ?? null,
      groupOf: (instance) => groups.get(instance),
      registry: c.registry,
      smtpAlert: smtpAlertDefault(defaults),
      sectionName: (name) => sectionName(name, names),
    }, scope);
    if (section !== null) syncGroups.push(section);
  }
  c.registry.reportUnused();
  return { global: defaults.global.options, sections: [...c.registry.sections, ...c.vips, ...syncGroups, ...c.routes], entries };
}
