// Virtual routes and rules (keepalived's virtual_routes, virtual_rules):
// each follows the mastership of a vip or a sync group. When the owner takes
// over, its routes go in after its addresses, then its rules; when it lets
// go, the rules go first, then the routes, before the addresses. floatgw
// marks them with its own protocol, so that a start after a crash finds and
// removes what the crashed run left, and nothing else.
import { formatAddr, parseAddr } from "../core/addr";
import type { Owner, RouteConfig, RuleConfig } from "../config/routes";
import type { IpAddress, VipAddress } from "../config/values";
import { sys } from "../platform/engine";
import { type Encoded, type Network, encodeRoute, encodeRule } from "../platform/route-msg";
import type { RouteKind, RouteTable } from "../platform/rtnl";
import type { Logger } from "./log";
import type { RouteStatus } from "./status-contract";

/** A route or rule with its netifd interfaces resolved to devices. */
export type Follower =
  | { readonly kind: "route"; readonly config: RouteConfig; readonly device: string | null }
  | { readonly kind: "rule"; readonly config: RuleConfig; readonly in: string | null; readonly out: string | null };

export function ownerKey(o: Owner): string {
  return `${o.kind} ${o.name}`;
}

function bytes(a: IpAddress): Uint8Array {
  const addr = parseAddr(a.address);
  if (addr === null) throw new Error(`floatgw bug: unparsable address ${a.address} after validation`);
  return addr.bytes;
}

function network(n: VipAddress): Network {
  return { bytes: bytes(n), prefix: n.prefix };
}

const net = (n: VipAddress): string => (n.prefix === 0 ? "default" : `${formatAddr({ family: n.family, bytes: bytes(n) })}/${n.prefix}`);

/** How `ip route` and `ip rule` would write it, for logs and status. */
export function describe(f: Follower): string {
  if (f.kind === "route") {
    const r = f.config;
    const parts = [r.type === "unicast" ? "" : r.type, net(r.target)];
    if (r.gateway) parts.push(`via ${r.gateway.address}`);
    if (f.device) parts.push(`dev ${f.device}`);
    if (r.table !== 254) parts.push(`table ${r.table}`);
    if (r.metric !== null) parts.push(`metric ${r.metric}`);
    if (r.source) parts.push(`src ${r.source.address}`);
    return parts.filter((p) => p !== "").join(" ");
  }
  const r = f.config;
  const parts = [r.invert ? "not" : "", `from ${r.src ? net(r.src) : "all"}`];
  if (r.dest) parts.push(`to ${net(r.dest)}`);
  if (f.in) parts.push(`iif ${f.in}`);
  if (f.out) parts.push(`oif ${f.out}`);
  if (r.mark) parts.push(`fwmark ${r.mark.value}${r.mark.mask === null ? "" : `/${r.mark.mask}`}`);
  parts.push(r.action === "lookup" ? `lookup ${r.lookup ?? 0}` : r.action);
  if (r.priority !== null) parts.push(`pref ${r.priority}`);
  return parts.filter((p) => p !== "").join(" ");
}

/** The message; throws while the route's device does not exist. */
function message(f: Follower): Encoded {
  if (f.kind === "rule") {
    const r = f.config;
    return encodeRule({
      family: r.family, src: r.src && network(r.src), dest: r.dest && network(r.dest), in: f.in, out: f.out,
      mark: r.mark, tos: r.tos ?? 0, action: r.action, table: r.lookup, priority: r.priority, invert: r.invert,
    });
  }
  const r = f.config;
  const scope = r.scope ?? (r.type === "unicast" && r.gateway === null ? "link" : "global");
  return encodeRoute({
    family: r.family, type: r.type, target: network(r.target), gateway: r.gateway && bytes(r.gateway),
    ifindex: f.device === null ? null : sys.ifNameToIndex(f.device), table: r.table, metric: r.metric,
    source: r.source && bytes(r.source), scope, onlink: r.onlink,
  });
}

interface Entry {
  readonly follower: Follower;
  readonly text: string;
  present: boolean;
  error: string | null;
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class VirtualRoutes {
  private entries: Entry[] = [];
  /** Owners that are master here now. */
  private readonly held = new Set<string>();

  constructor(private readonly table: RouteTable, private readonly log: Logger) {}

  /** At start: what an earlier run left behind goes. */
  removeLeftovers(): void {
    try {
      const n = this.table.flushOwn();
      if (n > 0) this.log("warn", `removed ${n} route(s) and rule(s) left by an earlier run (protocol 112)`);
    } catch (e) {
      this.log("warn", `cannot look for routes left by an earlier run: ${reason(e)}`);
    }
  }

  /** A reload: what changed or went is removed, what is new is added if its owner is master. */
  apply(followers: readonly Follower[]): void {
    const key = (f: Follower): string => JSON.stringify(f);
    const next = followers.map((f) => this.entries.find((e) => key(e.follower) === key(f)) ?? { follower: f, text: describe(f), present: false, error: null });
    for (const e of this.entries) if (!next.includes(e)) this.remove(e);
    this.entries = next;
    this.reconcile();
  }

  /** The owner became master (true) or stops being it (false). */
  hold(owner: Owner, held: boolean): void {
    const k = ownerKey(owner);
    // Held again (VIPs restored after a flush): add what went missing.
    if (!held && !this.held.has(k)) return;
    if (held) this.held.add(k);
    else this.held.delete(k);
    const mine = this.entries.filter((e) => ownerKey(e.follower.config.owner) === k);
    // Routes before the rules that lead to them; rules go first.
    const order: RouteKind[] = held ? ["route", "rule"] : ["rule", "route"];
    for (const kind of order) for (const e of mine) if (e.follower.kind === kind) (held ? this.add(e) : this.remove(e));
  }

  /** Adds again what should be there: the kernel drops a route whose device
   * went down or away, and one whose source is a VIP cannot go in before it. */
  reconcile(only: (f: Follower) => boolean = () => true): void {
    for (const kind of ["route", "rule"] as const)
      for (const e of this.entries) if (e.follower.kind === kind && only(e.follower) && this.held.has(ownerKey(e.follower.config.owner))) this.add(e);
  }

  /** A device came up: the routes through it (or through any) go in again. */
  linkUp(device: string): void {
    this.reconcile((f) => f.kind === "route" && (f.device === null || f.device === device));
  }

  /** At exit: everything goes. */
  removeAll(): void {
    for (const kind of ["rule", "route"] as const) for (const e of this.entries) if (e.follower.kind === kind) this.remove(e);
    this.held.clear();
  }

  private add(e: Entry): void {
    try {
      this.table.add(e.follower.kind, message(e.follower));
      if (!e.present || e.error !== null) this.log("info", `${e.follower.kind} ${e.follower.config.name} added: ${e.text}`);
      e.present = true;
      e.error = null;
    } catch (err) {
      const why = reason(err);
      if (e.error !== why) this.log("warn", `${e.follower.kind} ${e.follower.config.name} (${e.text}) not added: ${why}; tried again when a link comes up`);
      e.error = why;
    }
  }

  private remove(e: Entry): void {
    e.error = null;
    if (!e.present) return;
    e.present = false;
    try {
      this.table.delete(e.follower.kind, message(e.follower));
      this.log("info", `${e.follower.kind} ${e.follower.config.name} removed: ${e.text}`);
    } catch (err) {
      // A device that is gone took its routes with it.
      this.log("debug", `${e.follower.kind} ${e.follower.config.name} (${e.text}) not removed: ${reason(err)}`);
    }
  }

  status(): RouteStatus[] {
    return this.entries.map((e) => ({
      name: e.follower.config.name,
      kind: e.follower.kind,
      owner: ownerKey(e.follower.config.owner),
      spec: e.text,
      present: e.present,
      error: e.error,
    }));
  }
}
