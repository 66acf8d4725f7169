// The keepalived block tree -> the sections of /etc/config/floatgw and the
// report entries. global_defs is read first (keepalived applies its
// defaults after the whole file), then every other block in file order;
// virtual servers last, since they refer to the instances' addresses.

import type { UciDraftSection } from "../config/uci-write";
import type { ConfNode } from "./conf-tree";
import type { Entry } from "./entry";
import { GLOBAL_DEFS, type VrrpDefaults, emptyDefaults } from "./global";
import { INSTANCE, type InstanceDraft, completeInstance, newInstance, notifyScript } from "./instance";
import { type Scope, type Table, different, inner, mapped, report, reportAll, rule, table, unsupported, walk } from "./rules";

interface Converted {
  readonly defaults: VrrpDefaults;
  readonly sections: UciDraftSection[];
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

const TRACKERS = "trackers";
const SYNC = "sync groups";

export const SYNC_GROUP: Table<Converted> = table<Converted>({
  group: unsupported(
    "floatgw runs each instance on its own: the instances are converted, but until sync groups exist a router can be master of one and backup of another when a single link fails",
    SYNC,
  ),
  track_interface: unsupported("floatgw does not track interfaces yet", TRACKERS),
  track_script: unsupported("floatgw does not run check scripts yet", TRACKERS),
  track_file: unsupported("floatgw does not track files yet", TRACKERS),
  track_process: unsupported("floatgw does not track processes"),
  track_bfd: unsupported("floatgw does not speak BFD"),
  global_tracking: unsupported("belongs to the sync group", SYNC),
  sync_group_tracking_weight: unsupported("belongs to the sync group", SYNC),
  notify_priority_changes: unsupported("floatgw does not run notify scripts yet", "notify scripts"),
  smtp_alert: unsupported("floatgw sends no e-mail yet", "mail alerts"),
  ...Object.fromEntries(["notify_master", "notify_backup", "notify_fault", "notify_stop", "notify"].map((k) => [k, notifyScript<Converted>("each instance")])),
});

const NOT_NETWORK = "floatgw does not manage static addresses, routes or rules: configure them in /etc/config/network";

export const TOP: Table<Converted> = table<Converted>({
  // Read in the first pass.
  global_defs: mapped("its VRRP defaults apply to every vip section (below)", () => undefined),
  vrrp_instance: mapped("`config vip`, named after the instance (letters, digits and `_`)", (node, c, scope) => {
    const name = named(node, scope);
    if (name === null) return;
    const draft: InstanceDraft = newInstance(name, node);
    const within = inner(scope, node);
    walk(node.block ?? [], INSTANCE, draft, within);
    const section = completeInstance(draft, c.defaults, sectionName(name, c.names), within);
    if (section === null) return;
    report(scope, node, "mapped", { target: `config vip '${section.name}'` });
    c.sections.push(section);
    for (const o of section.options)
      if (o.name === "address") for (const a of o.values) c.vipOwners.set(a.split("/")[0] ?? a, section.name);
  }),
  vrrp_sync_group: rule(
    "unsupported",
    "floatgw has no sync groups yet: each instance is converted on its own",
    (node, c, scope) => {
      if (named(node, scope) === null) return;
      report(scope, node, "unsupported", { note: "floatgw has no sync groups yet", later: SYNC });
      walk(node.block ?? [], SYNC_GROUP, c, inner(scope, node));
    },
    SYNC,
  ),
  vrrp_script: unsupported("floatgw does not run check scripts yet", TRACKERS),
  vrrp_track_file: unsupported("floatgw does not track files yet", TRACKERS),
  vrrp_track_process: unsupported("floatgw does not track processes"),
  bfd_instance: unsupported("floatgw does not speak BFD"),
  virtual_server: rule(
    "unsupported",
    "IPVS (LVS) is not supported; the health checks of a real server behind a converted VIP wait for trackers",
    (node, c) => {
      c.virtualServers.push(node);
    },
    TRACKERS,
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

/** The checkers of a real server: what keepalived polls to take it out of the IPVS pool. */
const CHECKERS = ["HTTP_GET", "SSL_GET", "TCP_CHECK", "SMTP_CHECK", "MISC_CHECK", "DNS_CHECK", "BFD_CHECK", "PING_CHECK", "UDP_CHECK", "FILE_CHECK"];
const IPVS_NOTE = "IPVS (LVS) is not supported: floatgw moves addresses between routers, it does not balance load";

function virtualServer(node: ConfNode, c: Converted, scope: Scope): void {
  const address = node.args[0] ?? "";
  const owner = c.vipOwners.get(address) ?? null;
  report(scope, node, "unsupported", { note: IPVS_NOTE });
  const within = inner(scope, node);
  for (const child of node.block ?? []) {
    if (child.keyword !== "real_server") {
      reportAll(within, child, "unsupported", {});
      continue;
    }
    report(within, child, "unsupported", {});
    const rs = inner(within, child);
    for (const k of child.block ?? []) {
      if (!CHECKERS.includes(k.keyword)) {
        reportAll(rs, k, "unsupported", {});
        continue;
      }
      reportAll(rs, k, "unsupported", {
        note:
          owner !== null
            ? `this check guards ${address}, an address of vip '${owner}': it will become a tracker of that section, so the VIP moves when the service fails here (keepalived only took the real server out of the pool)`
            : `${address} is no address of a converted instance, so this check guards nothing floatgw moves`,
        later: owner !== null ? TRACKERS : null,
      });
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
  const c: Converted = { defaults: emptyDefaults(), sections: [], names: new Set(["global"]), vipOwners: new Map(), virtualServers: [] };
  for (const node of nodes) if (node.keyword === "global_defs") walk(node.block ?? [], GLOBAL_DEFS, c.defaults, inner(scope, node));
  walk(nodes, TOP, c, scope);
  for (const vs of c.virtualServers) virtualServer(vs, c, scope);
  return { sections: c.sections, entries };
}
