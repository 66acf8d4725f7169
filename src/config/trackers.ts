// `config tracker` sections into TrackerSpecs, and the vips' `track` lines
// into the uses of them: per-kind required options, defaults that depend on
// the kind (keepalived's: weight 1 for files, the interval as timeout), and
// the checks that span sections (a name no tracker has, one never used).

import { type Addr, parseAddr } from "../core/addr";
import { OWNER_PRIORITY } from "../core/units";
import type { ProbeSpec, ProbeTarget, PollRule, TrackerSpec, TrackUse } from "../track/spec";
import { splitCommand } from "../track/command";
import type { ProblemList } from "./problems";
import { type Item, SectionReader } from "./reader";
import { TRACKER_SECTION, type TrackerType } from "./schema";
import type { UciSection } from "./uci";
import type { IpAddress, TrackRef } from "./values";

export interface ReadTracker {
  readonly reader: SectionReader;
  /** null when the section has errors. */
  readonly spec: TrackerSpec | null;
}

function addr(ip: IpAddress): Addr {
  const a = parseAddr(ip.address);
  // The reader has parsed it already; failing here is a bug.
  if (a === null) throw new Error(`floatgw bug: unparsable address ${ip.address} after validation`);
  return a;
}

const DEFAULT_PORT: Partial<Record<TrackerType, number>> = { http: 80, smtp: 25 };

function pollRule(r: SectionReader, problems: ProblemList): PollRule | null {
  const interval = r.seconds("interval");
  const timeout = r.seconds("timeout");
  const retry = r.seconds("retry_interval");
  const rise = r.integer("rise");
  const fall = r.integer("fall");
  if (interval === null || rise === null || fall === null) return null;
  const timeoutMs = timeout?.value ?? interval.value;
  if (timeout !== null && timeout.value > interval.value && r.has("interval"))
    problems.warn(r.where("timeout", timeout.text), `is longer than interval '${interval.text}': a probe that hangs delays the next one`);
  return {
    intervalMs: interval.value,
    timeoutMs,
    retryIntervalMs: retry?.value ?? interval.value,
    rise: rise.value,
    fall: fall.value,
    initFail: r.bool("init_fail"),
  };
}

function target(r: SectionReader): ProbeTarget | null {
  const host = r.ip("host");
  const source = r.ip("source");
  const device = r.text("device");
  if (host === null) return null;
  return { host: addr(host.value), source: source === null ? null : addr(source.value), device: device?.value ?? null };
}

function probe(type: TrackerType, r: SectionReader, scriptUser: string | null, problems: ProblemList): ProbeSpec | null {
  const need = (name: string): void => {
    if (!r.has(name)) problems.error(r.here(), `type '${type}' needs option ${name}`);
  };
  if (type === "link") {
    need("device");
    const device = r.text("device");
    return device === null ? null : { kind: "link", device: device.value };
  }
  if (type === "interface") {
    need("interface");
    const iface = r.text("interface");
    return iface === null ? null : { kind: "interface", interface: iface.value };
  }
  const poll = pollRule(r, problems);
  if (type === "file") {
    need("file");
    const file = r.text("file");
    const init = r.integer("init_value");
    const overwrite = r.bool("init_overwrite");
    if (overwrite && init === null) problems.warn(r.where("init_overwrite", "1"), "has no effect without init_value");
    if (file === null || poll === null) return null;
    return { kind: "file", poll, path: file.value, initValue: init?.value ?? null, initOverwrite: overwrite };
  }
  if (type === "script") {
    need("script");
    const script = r.text("script");
    const shell = r.bool("shell");
    const user = r.text("user")?.value ?? scriptUser;
    const dynamicWeight = r.bool("dynamic_weight");
    if (script === null || poll === null) return null;
    const argv = shell ? { ok: true as const, value: ["/bin/sh", "-c", script.value] } : splitCommand(script.value);
    if (!argv.ok) {
      problems.error(r.where("script", script.text), argv.reason);
      return null;
    }
    return { kind: "script", poll, argv: argv.value, user, dynamicWeight };
  }
  need("host");
  const where = target(r);
  if (type === "ping") return where === null || poll === null ? null : { kind: "ping", poll, target: where };
  if (type === "tcp") need("port");
  const port = r.integer("port")?.value ?? DEFAULT_PORT[type] ?? null;
  // Every option of the kind is read (and judged) before a missing one ends
  // the reading: all of a section's problems are reported at once.
  if (type === "smtp") {
    const heloName = r.text("helo_name")?.value ?? null;
    return where === null || poll === null || port === null ? null : { kind: "smtp", poll, target: where, port, heloName };
  }
  if (type === "tcp") return where === null || poll === null || port === null ? null : { kind: "tcp", poll, target: where, port };
  const codes = r.statusCodeList("status_code");
  const path = r.text("path");
  const digest = r.text("digest");
  const virtualhost = r.text("virtualhost");
  if (where === null || poll === null || port === null || path === null || codes.length === 0) return null;
  return {
    kind: "http",
    poll,
    target: where,
    port,
    path: path.value,
    statusCodes: codes.map((c) => c.value),
    digest: digest?.value.toLowerCase() ?? null,
    virtualhost: virtualhost?.value ?? null,
  };
}

/** `scriptUser`: the global script_user, a script's user unless it names its own. */
export function readTracker(section: UciSection, scriptUser: string | null, problems: ProblemList): ReadTracker {
  const r = new SectionReader(section, TRACKER_SECTION, problems);
  const errorsBefore = problems.errors.length;
  r.warnUnknownOptions();
  const type = r.choice("type")?.value as TrackerType | undefined;
  if (type === undefined) return { reader: r, spec: null };
  r.warnOptionsNotFor(type);
  const weight = r.integer("weight")?.value ?? (type === "file" ? 1 : 0);
  const reverse = r.bool("reverse");
  const p = probe(type, r, scriptUser, problems);
  if (p === null || problems.errors.length > errorsBefore) return { reader: r, spec: null };
  return { reader: r, spec: { name: section.ref, weight, reverse, probe: p } };
}

/** A vip's `track` lines as uses of the trackers; errors for names that
 * are no tracker (or one with errors, already reported) and for repeats. */
export function resolveTrackUses(
  vip: SectionReader,
  refs: readonly Item<TrackRef>[],
  /** By section name (`ref`): one lookup per reference, whatever the number of trackers. */
  trackers: ReadonlyMap<string, ReadTracker>,
  priority: number | null,
  problems: ProblemList,
): TrackUse[] {
  const uses: TrackUse[] = [];
  const listed = new Set<string>();
  for (const ref of refs) {
    const name = ref.value.tracker;
    const found = trackers.get(name);
    if (found === undefined) {
      problems.error(vip.where("track", ref.text), "names no tracker section");
      continue;
    }
    if (listed.has(name)) problems.error(vip.where("track", ref.text), "names a tracker already listed");
    if (found.spec === null) continue;
    const use = { tracker: name, weight: ref.value.weight ?? found.spec.weight, reverse: ref.value.reverse ?? found.spec.reverse };
    // keepalived ignores weighted trackers on the address owner, and so do we.
    if (priority === OWNER_PRIORITY && use.weight !== 0)
      problems.warn(vip.where("track", ref.text), "has a weight, which does not change the address owner's priority 255; only weight 0 (FAULT) applies");
    uses.push(use);
    listed.add(name);
  }
  return uses;
}
