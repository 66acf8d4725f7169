// virtual_routes and virtual_rules of a vrrp_instance -> one `config route`
// or `config rule` per line, following the vip's mastership as keepalived's
// do (docs/tracking.md). The words are keepalived's (its `ip route` and `ip
// rule` subset): what floatgw's sections have an option for is written;
// attributes that do not change which packets go where (no_track, proto,
// mtu...) are left out with a note; anything that would change it (a second
// gateway, multipath, port or uid matches) keeps the line from being
// converted, since a different route would be worse than none. So does a
// value keepalived or the kernel refuses: keepalived skips such a line and
// runs without it.

import { ROUTE_SECTION, ROUTE_TYPES, RULE_ACTIONS, RULE_SECTION, type SectionSpec } from "../config/schema";
import type { UciDraftSection } from "../config/uci-write";
import { parseInteger, parseIp, parsePrefix } from "../config/values";
import type { ConfNode } from "./conf-tree";
import { type Handler, type Scope, inner, report } from "./rules";
import { SectionWriter, misfit } from "./section-writer";

export interface RouteLine {
  readonly kind: "route" | "rule";
  readonly node: ConfNode;
  readonly scope: Scope;
}

export function routeBlock(kind: "route" | "rule"): Handler<{ readonly routes: RouteLine[] }> {
  return (node, d, scope) => {
    if (node.block === null) return report(scope, node, "error", { note: "needs a { ... } block" });
    const within = inner(scope, node);
    for (const child of node.block) d.routes.push({ kind, node: child, scope: within });
  };
}

/** Attributes keepalived hands to the kernel that change no forwarding decision floatgw makes; each takes a value. */
const ROUTE_ATTRIBUTES = ["mtu", "advmss", "rtt", "rttvar", "reordering", "window", "cwnd", "ssthresh", "realms", "rto_min", "initcwnd", "initrwnd", "features", "congctl", "pref", "expires", "hoplimit", "quickack", "fastopen_no_cookie", "track_group"];
/** Rule selectors floatgw's rules do not have: the rule would match other packets. */
const RULE_SELECTORS = ["sport", "dport", "ipproto", "uidrange", "l3mdev", "suppress_prefixlength", "suppress_ifgroup", "realms", "goto", "nop"];
const TABLE_NAMES = "floatgw takes a table by number (or main, local, default): look the name up in /etc/iproute2/rt_tables";

/** One line's words as options, with what was left out; `refused` when the line cannot be converted. */
interface Reading {
  readonly values: Map<string, string>;
  readonly notes: string[];
  refused: string | null;
}

type Step = (word: string, next: string | undefined, r: Reading) => number;

/** A word that takes the next one as the value of `option`, checked against the schema's type. */
function valued(section: SectionSpec, option: string, parse: (text: string) => string | null = (t) => t): Step {
  return (word, next, r) => {
    const value = next === undefined ? null : parse(next);
    const why = next === undefined ? `'${word}' needs a value` : value === null ? `'${next}' is not a value floatgw's ${option} takes` : misfit(section, option, value);
    if (why !== null) r.refused ??= option === "table" || option === "lookup" ? TABLE_NAMES : why;
    else if (value !== null) r.values.set(option, value);
    return 1;
  };
}

const address = (text: string): string | null => (parseIp(text).ok ? text : null);
const network = (text: string): string | null => {
  const p = parsePrefix(text);
  return p.ok ? `${p.value.address}/${p.value.prefix}` : null;
};
const integer = (max: number) => (text: string): string | null => {
  const n = parseInteger(text.startsWith("0x") ? String(Number(text)) : text, 0, max);
  return n.ok ? String(n.value) : null;
};

function flag(option: string): Step {
  return (_w, _n, r) => (r.values.set(option, "1"), 0);
}
function leftOut(note: string, takesValue: boolean): Step {
  return (word, next, r) => (r.notes.push(`${word}${takesValue ? ` ${next ?? ""}` : ""}: ${note}`), takesValue ? 1 : 0);
}
function refuse(note: string, takesValue = false): Step {
  return (word, _n, r) => ((r.refused ??= `${word}: ${note}`), takesValue ? 1 : 0);
}
function each(words: readonly string[], step: Step): Record<string, Step> {
  return Object.fromEntries(words.map((w) => [w, step]));
}

type Words = Readonly<Record<string, Step>>;
const R = ROUTE_SECTION;
const routeWords = (): Words => ({
  src: valued(R, "source", address),
  from: refuse("floatgw's routes have no source prefix (source-specific routing)", true),
  to: () => 0,
  via: valued(R, "gateway", address),
  gw: valued(R, "gateway", address),
  or: refuse("floatgw's routes have one gateway", true),
  nexthop: refuse("floatgw has no multipath routes"),
  encap: refuse("floatgw adds no encapsulated routes"),
  dev: valued(R, "device"),
  scope: valued(R, "scope", (t) => (t === "universe" ? "global" : ["global", "site", "link", "host"].includes(t) ? t : null)),
  table: valued(R, "table"),
  ...each(["metric", "preference", "priority"], valued(R, "metric", integer(4294967295))),
  onlink: flag("onlink"),
  ...each(ROUTE_TYPES, (w, _n, r) => (r.values.set("type", w), 0)),
  ...each(["local", "broadcast", "anycast", "multicast", "nat"], refuse("floatgw adds unicast, blackhole, unreachable, prohibit and throw routes only")),
  no_track: leftOut("floatgw adds the route again whenever its device comes back", false),
  ...each(["proto", "protocol"], leftOut("floatgw marks its routes with protocol 112", true)),
  ...each(ROUTE_ATTRIBUTES, leftOut("not carried over", true)),
});

const U = RULE_SECTION;
const anyOr = (parse: (t: string) => string | null) => (t: string): string | null => (t === "all" ? "" : parse(t));
const ruleWords = (): Words => ({
  from: valued(U, "src", anyOr(network)),
  to: valued(U, "dest", anyOr(network)),
  ...each(["iif", "dev"], valued(U, "in")),
  oif: valued(U, "out"),
  fwmark: valued(U, "mark"),
  ...each(["tos", "dsfield"], valued(U, "tos", integer(255))),
  ...each(["table", "lookup"], valued(U, "lookup")),
  ...each(["preference", "priority", "pref", "order"], valued(U, "priority", integer(4294967295))),
  not: flag("invert"),
  ...each(RULE_ACTIONS.filter((a) => a !== "lookup"), (w, _n, r) => (r.values.set("action", w), 0)),
  no_track: leftOut("floatgw adds the rule again whenever it goes missing", false),
  ...each(["protocol", "proto"], leftOut("floatgw marks its rules with protocol 112", true)),
  track_group: leftOut("not carried over", true),
  ...each(RULE_SELECTORS, refuse("floatgw's rules have no such match or action", true)),
});

/** The words of both, built on first use: a start of the binary that
 * imports nothing should not make their closures (docs/performance.md). */
let wordTables: Readonly<Record<RouteLine["kind"], Words>> | null = null;

function read(line: RouteLine): Reading {
  const words = [line.node.keyword, ...line.node.args];
  const r: Reading = { values: new Map(), notes: [], refused: null };
  const table = (wordTables ??= { route: routeWords(), rule: ruleWords() })[line.kind];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? "";
    const step = table[w];
    if (step !== undefined) i += step(w, words[i + 1], r);
    else if (line.kind === "route" && !r.values.has("target")) {
      const target = parsePrefix(w);
      if (!target.ok) r.refused ??= `'${w}' ${target.reason}`;
      else r.values.set("target", `${target.value.address}/${target.value.prefix}`);
    } else r.refused ??= `'${w}' is not a ${line.kind} option the importer knows`;
  }
  for (const [k, v] of r.values) if (v === "") r.values.delete(k);
  return r;
}

/** Why a read line is no route or rule floatgw (and the kernel) would take; null when it is one. */
function incomplete(line: RouteLine, v: ReadonlyMap<string, string>): string | null {
  if (line.kind === "route") {
    const type = v.get("type") ?? "unicast";
    if (!v.has("target")) return "names no destination";
    if (type !== "unicast" && ["gateway", "device", "onlink"].some((k) => v.has(k))) return `a ${type} route sends nothing anywhere: via, dev and onlink do not go with it`;
    if (type === "unicast" && !v.has("gateway") && !v.has("device")) return "neither via nor dev: the kernel refuses such a route, so keepalived never added it";
    return null;
  }
  const action = v.get("action") ?? "lookup";
  if (action === "lookup" && !v.has("lookup")) return "neither a table nor blackhole, unreachable or prohibit: the kernel refuses such a rule";
  if (action !== "lookup" && v.has("lookup")) return `a ${action} rule looks up no table`;
  return null;
}

const ORDER: Readonly<Record<RouteLine["kind"], readonly string[]>> = {
  route: ["target", "type", "gateway", "device", "table", "metric", "source", "scope", "onlink"],
  rule: ["src", "dest", "in", "out", "mark", "tos", "lookup", "action", "priority", "invert"],
};

/** The sections of a vip's virtual_routes and virtual_rules lines; `name` makes a section name unique. */
export function convertRoutes(lines: readonly RouteLine[], vip: string, name: (base: string) => string): UciDraftSection[] {
  const sections: UciDraftSection[] = [];
  for (const line of lines) {
    const r = read(line);
    const why = r.refused ?? incomplete(line, r.values);
    if (why !== null) {
      report(line.scope, line.node, "unsupported", { note: why });
      continue;
    }
    const section = name(`${vip}_${line.kind}`);
    const w = new SectionWriter(`${line.kind} '${section}'`);
    w.set("vip", vip);
    for (const option of ORDER[line.kind]) {
      const value = r.values.get(option);
      if (value !== undefined) w.set(option, value);
    }
    report(line.scope, line.node, r.notes.length > 0 ? "different" : "mapped", {
      target: `config ${line.kind} '${section}'`,
      note: r.notes.length > 0 ? r.notes.join("; ") : null,
    });
    sections.push({ type: line.kind, name: section, comments: [`${line.node.text.trim()} (${line.node.at.file}:${line.node.at.line})`], options: w.options });
  }
  return sections;
}
