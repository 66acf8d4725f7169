// `config route` and `config rule` sections: routes and policy rules that
// follow the mastership of a vip or a sync group (keepalived's
// virtual_routes and virtual_rules), with OpenWrt's option names.

import type { Family } from "../core/addr";
import type { ProblemList } from "./problems";
import { SectionReader } from "./reader";
import { ROUTE_SECTION, ROUTE_TYPES, RULE_ACTIONS, RULE_SECTION } from "./schema";
import type { UciSection } from "./uci";
import type { IpAddress, VipAddress } from "./values";

/** The vip or sync group whose mastership a route or rule follows. */
export interface Owner {
  readonly kind: "vip" | "sync_group";
  readonly name: string;
}

export interface RouteConfig {
  readonly name: string;
  readonly owner: Owner;
  readonly family: Family;
  readonly type: (typeof ROUTE_TYPES)[number];
  readonly target: VipAddress;
  readonly gateway: IpAddress | null;
  readonly interface: string | null;
  readonly device: string | null;
  readonly table: number;
  readonly metric: number | null;
  readonly source: IpAddress | null;
  /** null: the kernel's usual choice (link without gateway, else global). */
  readonly scope: "global" | "site" | "link" | "host" | null;
  readonly onlink: boolean;
}

export interface RuleConfig {
  readonly name: string;
  readonly owner: Owner;
  readonly family: Family;
  readonly src: VipAddress | null;
  readonly dest: VipAddress | null;
  /** netifd interface or device names, resolved by the daemon. */
  readonly in: string | null;
  readonly out: string | null;
  readonly mark: { readonly value: number; readonly mask: number | null } | null;
  readonly tos: number | null;
  readonly action: (typeof RULE_ACTIONS)[number];
  /** The table to look up; null for the actions that drop. */
  readonly lookup: number | null;
  readonly priority: number | null;
  readonly invert: boolean;
}

/** The owners a route or rule may name: each enabled vip with its family
 * (null when the section has errors of its own, reported there), and each
 * group with its members' families. */
export interface Owners {
  readonly vips: ReadonlyMap<string, Family | null>;
  readonly groups: ReadonlyMap<string, readonly Family[]>;
}

const TABLES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };

function table(text: string): number {
  return TABLES[text] ?? Number(text);
}

const familyName = (f: Family): string => (f === 4 ? "IPv4" : "IPv6");

/** The owner option, or an error naming what is wrong with it. */
function readOwner(r: SectionReader, owners: Owners, problems: ProblemList): { owner: Owner; families: readonly Family[] } | null {
  const vip = r.text("vip");
  const group = r.text("sync_group");
  if ((vip === null) === (group === null)) {
    if (r.has("vip") === r.has("sync_group")) problems.error(r.here(), "needs exactly one of 'vip' and 'sync_group': the vip or group whose mastership it follows");
    return null;
  }
  if (vip !== null) {
    const family = owners.vips.get(vip.value);
    if (family === undefined) problems.error(r.where("vip", vip.text), "names no enabled vip section");
    return family === undefined ? null : { owner: { kind: "vip", name: vip.value }, families: family === null ? [] : [family] };
  }
  const g = group === null ? undefined : owners.groups.get(group.value);
  if (group !== null && g === undefined) problems.error(r.where("sync_group", group.text), "names no sync group with an enabled member");
  return group === null || g === undefined ? null : { owner: { kind: "sync_group", name: group.value }, families: g };
}

/** The one family of the addresses given, checked against each other. */
function familyOf(r: SectionReader, items: readonly { name: string; item: { value: IpAddress; text: string } | null }[], problems: ProblemList): Family | null {
  let family: Family | null = null;
  let first = "";
  for (const { name, item } of items) {
    if (item === null) continue;
    if (family === null) {
      family = item.value.family;
      first = `${name} '${item.text}'`;
    } else if (item.value.family !== family)
      problems.error(r.where(name, item.text), `is ${familyName(item.value.family)} but ${first} is ${familyName(family)}`);
  }
  return family;
}

export function readRoute(section: UciSection, owners: Owners, problems: ProblemList): RouteConfig | null {
  const r = new SectionReader(section, ROUTE_SECTION, problems);
  const errorsBefore = problems.errors.length;
  r.warnUnknownOptions();
  const owner = readOwner(r, owners, problems);
  const target = r.prefix("target");
  const type = (r.choice("type")?.value ?? "unicast") as RouteConfig["type"];
  const gateway = r.ip("gateway");
  const source = r.ip("source");
  const iface = r.text("interface");
  const device = r.text("device");
  const tableText = r.text("table");
  const metric = r.integer("metric");
  const scope = r.choice("scope");
  const onlink = r.bool("onlink");
  const family = familyOf(r, [{ name: "target", item: target }, { name: "gateway", item: gateway }, { name: "source", item: source }], problems);
  if (type !== "unicast") {
    for (const name of ["gateway", "interface", "device", "onlink"]) if (r.has(name)) problems.error(r.where(name), `does not go with type '${type}', which sends nothing anywhere`);
  } else if (gateway === null && iface === null && device === null)
    problems.error(r.here(), "a unicast route needs 'gateway', 'interface' or 'device'");
  if (onlink && gateway === null && type === "unicast") problems.warn(r.where("onlink", "1"), "has no effect without 'gateway'");
  if (owner === null || target === null || family === null || problems.errors.length > errorsBefore) return null;
  return {
    name: section.ref,
    owner: owner.owner,
    family,
    type,
    target: target.value,
    gateway: gateway?.value ?? null,
    interface: iface?.value ?? null,
    device: device?.value ?? null,
    table: table(tableText?.value ?? "main"),
    metric: metric?.value ?? null,
    source: source?.value ?? null,
    scope: (scope?.value ?? null) as RouteConfig["scope"],
    onlink,
  };
}

function mark(text: string): RuleConfig["mark"] {
  const [value = "0", mask] = text.split("/");
  return { value: Number(value), mask: mask === undefined ? null : Number(mask) };
}

export function readRule(section: UciSection, owners: Owners, problems: ProblemList): RuleConfig | null {
  const r = new SectionReader(section, RULE_SECTION, problems);
  const errorsBefore = problems.errors.length;
  r.warnUnknownOptions();
  const owner = readOwner(r, owners, problems);
  const src = r.prefix("src");
  const dest = r.prefix("dest");
  const action = (r.choice("action")?.value ?? "lookup") as RuleConfig["action"];
  const lookup = r.text("lookup");
  const markText = r.text("mark");
  const m = markText === null ? null : mark(markText.value);
  if (m !== null && (m.value > 0xffffffff || (m.mask ?? 0) > 0xffffffff)) problems.error(r.where("mark", markText?.text), "is beyond 32 bits");
  if (action === "lookup" && lookup === null) problems.error(r.here(), "needs 'lookup' (a table) unless its action drops");
  if (action !== "lookup" && lookup !== null) problems.error(r.where("lookup", lookup.text), `does not go with action '${action}'`);
  let family = familyOf(r, [{ name: "src", item: src }, { name: "dest", item: dest }], problems);
  if (family === null && owner !== null) {
    const families = [...new Set(owner.families)];
    if (families.length === 1) family = families[0] ?? null;
    else if (families.length > 1) problems.error(r.here(), `cannot tell IPv4 from IPv6: sync group '${owner.owner.name}' has members of both; give 'src' or 'dest'`);
  }
  const rule = {
    in: r.text("in")?.value ?? null,
    out: r.text("out")?.value ?? null,
    tos: r.integer("tos")?.value ?? null,
    priority: r.integer("priority")?.value ?? null,
    invert: r.bool("invert"),
  };
  if (owner === null || family === null || problems.errors.length > errorsBefore) return null;
  return {
    name: section.ref,
    owner: owner.owner,
    family,
    src: src?.value ?? null,
    dest: dest?.value ?? null,
    ...rule,
    mark: m,
    action,
    lookup: lookup === null ? null : table(lookup.value),
  };
}
