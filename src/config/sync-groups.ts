// `config sync_group` sections: which vips change state together, the
// trackers that move all of them, and keepalived's rule for the members' own
// weighted trackers (ignored unless `tracking_weight`, since members whose
// priorities drift apart make the group flap).

import type { TrackUse } from "../track/spec";
import { type NotifyConfig, readNotify } from "./notify";
import type { ProblemList } from "./problems";
import { SectionReader } from "./reader";
import { SYNC_GROUP_SECTION } from "./schema";
import { type ReadTracker, resolveTrackUses } from "./trackers";
import type { UciSection } from "./uci";

export interface SyncGroupConfig {
  readonly name: string;
  /** The enabled member vips, by section name, in the order listed. */
  readonly members: readonly string[];
  readonly trackingWeight: boolean;
  readonly notify: NotifyConfig;
}

/** What a vip section needs to know to be checked against the groups. */
export interface GroupMemberCandidate {
  readonly name: string;
  readonly enabled: boolean;
  /** null when the section has errors. */
  readonly track: readonly TrackUse[] | null;
  readonly reader: SectionReader;
}

export interface ReadGroups {
  readonly groups: readonly SyncGroupConfig[];
  /** Member vip name -> its group and its trackers as the group makes them:
   * the group's added, the member's weighted ones dropped unless
   * `tracking_weight`. */
  readonly membership: ReadonlyMap<string, { readonly group: string; readonly track: readonly TrackUse[] }>;
  /** Every group section read, for checks of its options against others'. */
  readonly read: readonly { readonly notify: NotifyConfig; readonly reader: SectionReader }[];
}

export function readSyncGroups(
  sections: readonly UciSection[],
  vips: readonly GroupMemberCandidate[],
  trackers: ReadonlyMap<string, ReadTracker>,
  problems: ProblemList,
): ReadGroups {
  const groups: SyncGroupConfig[] = [];
  const membership = new Map<string, { group: string; track: readonly TrackUse[] }>();
  const read: { notify: NotifyConfig; reader: SectionReader }[] = [];
  // By name, the first of each: one lookup per member, however many vips.
  const vipsByName = new Map<string, GroupMemberCandidate>();
  for (const v of vips) if (!vipsByName.has(v.name)) vipsByName.set(v.name, v);
  for (const section of sections) {
    const r = new SectionReader(section, SYNC_GROUP_SECTION, problems);
    r.warnUnknownOptions();
    const trackingWeight = r.bool("tracking_weight");
    const track = resolveTrackUses(r, r.trackRefList("track"), trackers, null, problems);
    const notify = readNotify(r, problems);
    read.push({ notify, reader: r });
    const members: string[] = [];
    const listed = new Set<string>();
    for (const item of r.textList("vip")) {
      const vip = vipsByName.get(item.value);
      const at = r.where("vip", item.text);
      if (vip === undefined) problems.error(at, "names no vip section");
      else if (listed.has(vip.name)) problems.error(at, "is listed twice");
      else if (membership.has(vip.name)) problems.error(at, `is already a member of sync group '${membership.get(vip.name)?.group ?? ""}': a vip belongs to one group`);
      else if (!vip.enabled) problems.warn(at, "is disabled, so the group runs without it");
      else {
        members.push(vip.name);
        listed.add(vip.name);
        if (vip.track !== null) membership.set(vip.name, { group: section.ref, track: memberTrack(vip, track, trackingWeight, section.ref, problems) });
      }
    }
    if (members.length === 1) problems.warn(r.here(), "has only one member, which it does not change (keepalived warns likewise)");
    if (members.length === 0) problems.warn(r.here(), "has no enabled member and is ignored");
    else groups.push({ name: section.ref, members, trackingWeight, notify });
  }
  return { groups, membership, read };
}

/** The member's own trackers (weighted ones only with tracking_weight), then the group's. */
function memberTrack(vip: GroupMemberCandidate, groupTrack: readonly TrackUse[], trackingWeight: boolean, group: string, problems: ProblemList): TrackUse[] {
  const track: TrackUse[] = [];
  for (const use of vip.track ?? []) {
    if (use.weight !== 0 && !trackingWeight)
      problems.warn(vip.reader.where("track", use.tracker),
        `has weight ${use.weight}, which a member of sync group '${group}' ignores (keepalived's rule): put the tracker on the group, or set the group's tracking_weight`);
    else track.push(use);
  }
  for (const use of groupTrack) {
    if (track.some((t) => t.tracker === use.tracker)) problems.error(vip.reader.where("track", use.tracker), `is also tracked by its sync group '${group}'`);
    else track.push(use);
  }
  return track;
}
