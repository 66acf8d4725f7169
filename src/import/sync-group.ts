// vrrp_sync_group -> `config sync_group` (docs/tracking.md#sync-groups):
// its converted member instances, its trackers, notify scripts and mail
// alert. A group is read before any instance (its members' trackers depend
// on it) and written after them, once the members' vip sections are known.
//
// keepalived 2.2.7 (vrrp_sync.c, vrrp_parser.c): an instance belongs to the
// first group that names it; a name that is no instance is ignored; a
// group's tracker puts every member in FAULT, whatever its weight, so it is
// written with weight 0.

import type { UciDraftSection } from "../config/uci-write";
import type { ConfNode } from "./conf-tree";
import { NOTIFY_KEYWORDS, type NotifyDraft, newNotify, notifyRule, smtpAlertRule, writeNotify } from "./notify";
import { type Found, type Rule, type Scope, type Table, found, inner, mapped, report, rule, say, table, unsupported } from "./rules";
import { SectionWriter } from "./section-writer";
import { type TrackKind, type TrackLine, type TrackerRegistry, trackBlock, trackItems } from "./trackers";

export interface GroupDraft {
  readonly name: string;
  readonly node: ConfNode;
  readonly members: Found<string>[];
  readonly lines: TrackLine[];
  /** sync_group_tracking_weight or its old name, with the note for the latter. */
  trackingWeight: Found<string | null> | null;
  readonly notify: NotifyDraft;
}

function tracking(kind: TrackKind, what: string): Rule<GroupDraft> {
  return mapped(`\`list track\` of the sync group (${what}), with weight 0: keepalived puts every member in FAULT when it fails`, (node, g, scope) => {
    g.lines.push(...trackBlock(kind, node, scope, g.name));
  });
}

function trackingWeight(note: string | null): Rule<GroupDraft> {
  return rule(note === null ? "mapped" : "different", `\`tracking_weight '1'\`${note === null ? "" : ` (${note})`}`, (node, g, scope) => {
    g.trackingWeight = found(note, node, scope);
  });
}

export const SYNC_GROUP: Table<GroupDraft> = table<GroupDraft>(() => ({
  group: mapped("`list vip`, one per converted member instance", (node, g, scope) => {
    if (node.block === null) return report(scope, node, "error", { note: "needs a { ... } block of instance names" });
    const within = inner(scope, node);
    // keepalived reads the block as a list of words, several on a line or one per line.
    for (const m of node.block) for (const name of [m.keyword, ...m.args]) g.members.push(found(name, m, within));
  }),
  track_interface: tracking("link", "link trackers"),
  track_script: tracking("script", "its vrrp_script's tracker"),
  track_file: tracking("file", "its vrrp_track_file's tracker"),
  track_process: unsupported("floatgw does not track processes"),
  track_bfd: unsupported("floatgw does not speak BFD"),
  sync_group_tracking_weight: trackingWeight(null),
  global_tracking: trackingWeight("keepalived's old name for sync_group_tracking_weight"),
  notify_priority_changes: unsupported("floatgw runs no script for a change of priority alone"),
  smtp_alert: smtpAlertRule("sync_group"),
  ...Object.fromEntries(NOTIFY_KEYWORDS.map((k) => [k, notifyRule<GroupDraft>("sync_group", "the group")])),
}));

export function newGroup(name: string, node: ConfNode): GroupDraft {
  return { name, node, members: [], lines: [], trackingWeight: null, notify: newNotify() };
}

/** What writing a group needs from the rest of the conversion. */
export interface GroupContext {
  /** The vip section of a converted instance. */
  vipOf(instance: string): string | null;
  /** The group an instance belongs to (the first that names it). */
  groupOf(instance: string): GroupDraft | undefined;
  readonly registry: TrackerRegistry;
  readonly smtpAlert: boolean | null;
  sectionName(name: string): string;
}

/** The group's section; null (reported) when none of its members was converted. */
export function writeGroup(g: GroupDraft, c: GroupContext, scope: Scope): UciDraftSection | null {
  const within = inner(scope, g.node);
  const vips: [Found<string>, string][] = [];
  for (const m of g.members) {
    const vip = c.vipOf(m.value);
    const owner = c.groupOf(m.value);
    if (owner !== undefined && owner !== g) say(within, m, "different", { note: `already in sync group ${owner.name}: keepalived keeps an instance in the first group that names it` });
    else if (vip === null) say(within, m, "different", { note: "names no converted vrrp_instance: keepalived ignores a name that is no instance" });
    else vips.push([m, vip]);
  }
  if (vips.length === 0) {
    report(scope, g.node, "different", { note: "none of its members was converted: not written" });
    for (const f of [...g.lines, ...g.notify.scripts.values(), g.notify.smtpAlert, g.trackingWeight])
      if (f !== null) say(within, f, "different", { note: "no member of the sync group was converted" });
    return null;
  }
  const name = c.sectionName(g.name);
  const w = new SectionWriter(`sync_group '${name}'`);
  report(scope, g.node, "mapped", {
    target: `config sync_group '${name}'`,
    note: vips.length === 1 ? "one member: it moves nothing else, but its trackers and scripts still apply (keepalived and floatgw check both warn)" : null,
  });
  for (const [m, vip] of vips) say(within, m, "mapped", { target: w.add("vip", vip) });
  for (const item of trackItems(g.lines, { syncGroup: false, owner: false, vipLabel: w.label }, c.registry, within)) w.add("track", item);
  const weights = g.trackingWeight;
  if (weights !== null) say(within, weights, weights.value === null ? "mapped" : "different", { target: w.set("tracking_weight", "1"), note: weights.value });
  writeNotify(g.notify, w, c.smtpAlert, within);
  return { type: "sync_group", name, comments: [`vrrp_sync_group ${g.name} (${g.node.at.file}:${g.node.at.line})`], options: w.options };
}
