// keepalived's tracking -> floatgw's `config tracker` sections and the vips'
// `track` lines (docs/tracking.md): vrrp_script becomes a script tracker,
// a track_interface device a link tracker, vrrp_track_file a file tracker.
// A tracker is written once, when the first converted instance uses it; one
// that no instance uses never ran in keepalived either.
//
// keepalived 2.2.7 (vrrp_complete_instance) strips weights where they
// cannot apply, and so does the conversion: in a sync group without
// sync_group_tracking_weight a tracked interface's weight becomes 0 and a
// weighted script or file is dropped; on the address owner (priority 255) a
// weighted interface, script or file is dropped.

import type { UciDraftOption, UciDraftSection } from "../config/uci-write";
import { formatScaled } from "../config/values";
import { splitQuoted } from "./conf-text";
import type { ConfNode } from "./conf-tree";
import type { Origin, Status } from "./entry";
import { integerArg, secondsArg } from "./global";
import { type Found, type Scope, type Table, found, inner, mapped, onlyArg, report, say, subject, table, walk } from "./rules";

/** `weight N [reverse|noreverse]` as keepalived writes it after a tracked thing. */
export interface WeightSpec {
  readonly weight: number;
  readonly reverse: boolean | null;
}

function weightArgs(node: ConfNode, scope: Scope, from: number, min: number, max: number): WeightSpec | null {
  const text = node.args[from];
  const n = text === undefined ? NaN : Number(text);
  if (text === undefined || !/^-?[0-9]+$/.test(text) || n < min || n > max) {
    report(scope, node, "error", { note: `weight takes a whole number ${min} to ${max}` });
    return null;
  }
  const dir = node.args[from + 1];
  if (dir !== undefined && dir !== "reverse" && dir !== "noreverse") {
    report(scope, node, "error", { note: `'${dir}' is neither reverse nor noreverse` });
    return null;
  }
  return { weight: n, reverse: dir === undefined ? null : dir === "reverse" };
}

// --- vrrp_script ----------------------------------------------------------------

export interface ScriptDef {
  readonly name: string;
  readonly node: ConfNode;
  readonly scope: Scope;
  /** The command as floatgw's `script` option reads it, or why it cannot be. */
  command: Found<string> | null;
  user: Found<string> | null;
  interval: Found<number> | null;
  timeout: Found<number> | null;
  weight: Found<WeightSpec> | null;
  rise: Found<number> | null;
  fall: Found<number> | null;
  initFail: Found<true> | null;
}

/** One argv word as floatgw's script splitter reads it back: bare, '...' or "..." with escapes. */
function quoteWord(w: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  if (!w.includes("'")) return `'${w}'`;
  return `"${w.replace(/["\\]/g, "\\$&")}"`;
}

/** keepalived's script line: the command (one word, split again into argv) and an optional user and group. */
export function scriptLine(node: ConfNode, scope: Scope): { command: string; user: string | null } | null {
  const line = splitQuoted(node.text, false);
  const command = line.ok ? line.words[1] : undefined;
  const argv = command === undefined ? null : splitQuoted(command, true);
  if (!line.ok || argv === null || !argv.ok || argv.words.length === 0) {
    report(scope, node, "error", { note: !line.ok ? line.reason : argv !== null && !argv.ok ? `the command ${argv.reason}` : "names no command" });
    return null;
  }
  if (argv.words.some((w) => w.includes("\n"))) {
    report(scope, node, "unsupported", { note: "a word of the command holds a line break, which floatgw's one-line script option cannot" });
    return null;
  }
  const [user, group] = [line.words[2], line.words[3]];
  return { command: argv.words.map(quoteWord).join(" "), user: user === undefined ? null : group === undefined ? user : `${user}:${group}` };
}

function positiveSeconds(node: ConfNode, scope: Scope): number | null {
  const ms = secondsArg(node, scope);
  // keepalived turns 0 into 1 s ("must be greater than 0, setting to 1").
  return ms === 0 ? 1000 : ms;
}

export const VRRP_SCRIPT: Table<ScriptDef> = table<ScriptDef>(() => ({
  script: mapped("`script`, quoted as floatgw reads it; a user (and group) after the command becomes `user`", (node, s, scope) => {
    const line = scriptLine(node, scope);
    if (line === null) return;
    s.command = found(line.command, node, scope);
    if (line.user !== null) s.user = found(line.user, node, scope);
  }),
  interval: mapped("`interval`", (node, s, scope) => {
    const ms = positiveSeconds(node, scope);
    if (ms !== null) s.interval = found(ms, node, scope);
  }),
  timeout: mapped("`timeout`", (node, s, scope) => {
    const ms = positiveSeconds(node, scope);
    if (ms !== null) s.timeout = found(ms, node, scope);
  }),
  weight: mapped("`weight`, and `reverse '1'` for `weight N reverse`", (node, s, scope) => {
    const w = weightArgs(node, scope, 0, -253, 253);
    if (w !== null) s.weight = found(w, node, scope);
  }),
  rise: mapped("`rise` (at most 100)", (node, s, scope) => {
    const n = integerArg(node, scope, 1, 2147483647);
    if (n !== null) s.rise = found(n, node, scope);
  }),
  fall: mapped("`fall` (at most 100)", (node, s, scope) => {
    const n = integerArg(node, scope, 1, 2147483647);
    if (n !== null) s.fall = found(n, node, scope);
  }),
  user: mapped("`user` (USER or USER:GROUP)", (node, s, scope) => {
    const user = onlyArg(node, scope);
    if (user !== null) s.user = found(node.args[1] === undefined ? user : `${user}:${node.args[1]}`, node, scope);
  }),
  init_fail: mapped("`init_fail '1'`", (node, s, scope) => {
    s.initFail = found(true, node, scope);
  }),
}));

export function readScript(name: string, node: ConfNode, scope: Scope): ScriptDef {
  const within = inner(scope, node);
  const s: ScriptDef = { name, node, scope: within, command: null, user: null, interval: null, timeout: null, weight: null, rise: null, fall: null, initFail: null };
  walk(node.block ?? [], VRRP_SCRIPT, s, within);
  return s;
}

// --- vrrp_track_file ---------------------------------------------------------------

export interface FileDef {
  readonly name: string;
  readonly node: ConfNode;
  readonly scope: Scope;
  file: Found<string> | null;
  weight: Found<WeightSpec> | null;
  init: Found<{ value: number; overwrite: boolean }> | null;
}

export const VRRP_TRACK_FILE: Table<FileDef> = table<FileDef>(() => ({
  file: mapped("`file`", (node, f, scope) => {
    const path = onlyArg(node, scope);
    if (path === null) return;
    if (!/^\/[\x21-\x7e]*$/.test(path)) return report(scope, node, "unsupported", { note: "floatgw needs an absolute path without spaces" });
    f.file = found(path, node, scope);
  }),
  weight: mapped("`weight`, and `reverse '1'` for `weight N reverse`", (node, f, scope) => {
    const w = weightArgs(node, scope, 0, -254, 254);
    if (w !== null) f.weight = found(w, node, scope);
  }),
  init_file: mapped("`init_value` (keepalived's default 0), and `init_overwrite '1'` for overwrite", (node, f, scope) => {
    const [first, second] = node.args;
    const overwrite = first === "overwrite" || second === "overwrite";
    const value = first !== undefined && first !== "overwrite" ? Number(first) : 0;
    if (!Number.isInteger(value)) return report(scope, node, "error", { note: `'${first ?? ""}' is not a whole number` });
    f.init = found({ value, overwrite }, node, scope);
  }),
}));

export function readTrackFile(name: string, node: ConfNode, scope: Scope): FileDef {
  const within = inner(scope, node);
  const f: FileDef = { name, node, scope: within, file: null, weight: null, init: null };
  walk(node.block ?? [], VRRP_TRACK_FILE, f, within);
  return f;
}

// --- what instances track -----------------------------------------------------------

export type TrackKind = "script" | "link" | "file";

/** A line of an instance's (or sync group's) track_script, track_interface or track_file block. */
export interface TrackLine {
  readonly kind: TrackKind;
  /** The vrrp_script or vrrp_track_file name, or the device. */
  readonly name: string;
  /** null: the tracked thing's own weight. */
  readonly weight: WeightSpec | null;
  readonly at: Origin;
  readonly subject: string;
  /** Set for a sync group's line: it moves every member, with weight 0. */
  readonly group: string | null;
}

/** The lines of a track_* block; `group` names the sync group they come from. */
export function trackBlock(kind: TrackKind, node: ConfNode, scope: Scope, group: string | null): TrackLine[] {
  if (node.block === null) {
    report(scope, node, "error", { note: "needs a { ... } block" });
    return [];
  }
  const within = inner(scope, node);
  const lines: TrackLine[] = [];
  for (const child of node.block) {
    let weight: WeightSpec | null = null;
    if (child.args[0] === "weight") {
      weight = weightArgs(child, within, 1, kind === "file" ? -254 : -253, kind === "file" ? 254 : 253);
      if (weight === null) continue;
    } else if (child.args.length > 0) {
      report(within, child, "error", { note: `'${child.args[0] ?? ""}': keepalived expects 'weight N'` });
      continue;
    }
    lines.push({ kind, name: child.keyword, weight, at: child.at, subject: subject(within, child), group });
  }
  return lines;
}

// --- the tracker sections -------------------------------------------------------------

export interface TrackerTarget {
  /** Whether the section is a member of a sync group without sync_group_tracking_weight. */
  readonly syncGroup: boolean;
  readonly owner: boolean;
  readonly vipLabel: string;
}

function option(name: string, value: string | number): UciDraftOption {
  return { name, values: [String(value)], list: false };
}

/** Writes each tracker once, on first use, and says what became of the definitions. */
export class TrackerRegistry {
  readonly sections: UciDraftSection[] = [];
  /** keepalived name (per kind) -> section name. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly names: Set<string>,
    private readonly scripts: ReadonlyMap<string, ScriptDef>,
    private readonly files: ReadonlyMap<string, FileDef>,
  ) {}

  /** A section name for a tracker, UCI-safe and unique in the file. */
  private sectionName(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 60) || "tracker";
    let candidate = clean;
    for (let n = 2; this.names.has(candidate); n++) candidate = `${clean}_${n}`;
    this.names.add(candidate);
    return candidate;
  }

  /** Adds a tracker section not tied to a keepalived name (a health check). */
  add(base: string, comment: string, options: readonly UciDraftOption[]): string {
    const name = this.sectionName(base);
    this.sections.push({ type: "tracker", name, comments: [comment], options });
    return name;
  }

  /** The section for a track line, written on first use; null (reported) when it names nothing usable. */
  sectionFor(line: TrackLine, scope: Scope): string | null {
    const key = `${line.kind} ${line.name}`;
    const done = this.written.get(key);
    if (done !== undefined) return done;
    const name = line.kind === "script" ? this.script(line, scope) : line.kind === "file" ? this.file(line, scope) : this.link(line);
    if (name !== null) this.written.set(key, name);
    return name;
  }

  private link(line: TrackLine): string | null {
    return this.add(`link_${line.name}`, `track_interface ${line.name}`, [option("type", "link"), option("device", line.name)]);
  }

  private script(line: TrackLine, scope: Scope): string | null {
    const s = this.scripts.get(line.name);
    if (s === undefined) {
      say(scope, line, "different", { note: `names no vrrp_script: keepalived ignores it too ('track script ${line.name} not found')` });
      return null;
    }
    if (s.command === null) {
      say(scope, line, "unsupported", { note: `vrrp_script ${s.name} has no usable script (see its line)` });
      return null;
    }
    const name = this.sectionName(s.name);
    const label = `tracker '${name}'`;
    report(outer(s), s.node, "mapped", { target: `config tracker '${name}' (type script)` });
    const opts: UciDraftOption[] = [option("type", "script")];
    const set = (f: Found<unknown> | null, o: UciDraftOption, status: Status = "mapped", note: string | null = null): void => {
      opts.push(o);
      if (f !== null) say(s.scope, f, status, { target: `${label} ${o.name} '${o.values[0] ?? ""}'`, note });
    };
    say(s.scope, s.command, "mapped", { target: `${label} script` });
    opts.push(option("script", s.command.value));
    if (s.user !== null) set(s.user, option("user", s.user.value));
    if (s.interval !== null) set(s.interval, option("interval", formatScaled(Math.min(s.interval.value, 86_400_000), 1000)));
    if (s.timeout !== null) set(s.timeout, option("timeout", formatScaled(Math.min(s.timeout.value, 86_400_000), 1000)));
    if (s.weight !== null) {
      set(s.weight, option("weight", s.weight.value.weight));
      if (s.weight.value.reverse === true) opts.push(option("reverse", "1"));
    }
    for (const [f, key] of [[s.rise, "rise"], [s.fall, "fall"]] as const)
      if (f !== null) set(f, option(key, Math.min(f.value, 100)), f.value > 100 ? "different" : "mapped", f.value > 100 ? "floatgw counts to 100 at most" : null);
    if (s.initFail !== null) set(s.initFail, option("init_fail", "1"));
    this.sections.push({ type: "tracker", name, comments: [`vrrp_script ${s.name} (${s.node.at.file}:${s.node.at.line})`], options: opts });
    return name;
  }

  private file(line: TrackLine, scope: Scope): string | null {
    const f = this.files.get(line.name);
    if (f === undefined) {
      say(scope, line, "different", { note: "names no vrrp_track_file: keepalived ignores it too" });
      return null;
    }
    if (f.file === null) {
      say(scope, line, "unsupported", { note: `vrrp_track_file ${f.name} has no usable file (see its line)` });
      return null;
    }
    const name = this.sectionName(f.name);
    const label = `tracker '${name}'`;
    report(outer(f), f.node, "mapped", { target: `config tracker '${name}' (type file)` });
    const opts: UciDraftOption[] = [option("type", "file"), option("file", f.file.value)];
    say(f.scope, f.file, "mapped", { target: `${label} file '${f.file.value}'` });
    if (f.weight !== null) {
      opts.push(option("weight", f.weight.value.weight));
      if (f.weight.value.reverse === true) opts.push(option("reverse", "1"));
      say(f.scope, f.weight, "mapped", { target: `${label} weight '${f.weight.value.weight}'` });
    }
    if (f.init !== null) {
      opts.push(option("init_value", f.init.value.value));
      if (f.init.value.overwrite) opts.push(option("init_overwrite", "1"));
      say(f.scope, f.init, "mapped", { target: `${label} init_value '${f.init.value.value}'` });
    }
    this.sections.push({ type: "tracker", name, comments: [`vrrp_track_file ${f.name} (${f.node.at.file}:${f.node.at.line})`], options: opts });
    return name;
  }

  /** The weight a line gets when it sets none: its vrrp_script's (0 by default), 1 for a file, 0 for a link. */
  ownWeight(line: TrackLine): number {
    if (line.kind === "script") return this.scripts.get(line.name)?.weight?.value.weight ?? 0;
    if (line.kind === "file") return this.files.get(line.name)?.weight?.value.weight ?? 1;
    return 0;
  }

  /** Reports the definitions no converted instance used. */
  reportUnused(): void {
    const unused = (kind: string, name: string): boolean => !this.written.has(`${kind} ${name}`);
    const note = "no converted vrrp_instance tracks it, so keepalived did not run it either: not converted";
    for (const s of this.scripts.values()) if (unused("script", s.name)) reportDefinition(s, note);
    for (const f of this.files.values()) if (unused("file", f.name)) reportDefinition(f, note);
  }
}

/** The scope a definition's own line is in (its block's scope, one level up). */
function outer(d: { scope: Scope }): Scope {
  return { path: d.scope.path.slice(0, -1), entries: d.scope.entries };
}

function reportDefinition(d: { node: ConfNode; scope: Scope }, note: string): void {
  report(outer(d), d.node, "different", { note });
  for (const child of d.node.block ?? []) report(d.scope, child, "different", {});
}

/** The weight keepalived leaves a line with for this instance; null when it drops the line. */
function effectiveWeight(line: TrackLine, own: number, t: TrackerTarget): { weight: number | null; why: string | null } {
  const weight = line.weight?.weight ?? own;
  if (line.group !== null)
    return { weight: 0, why: weight === 0 ? null : "keepalived puts every member of the group in FAULT when a group's tracker fails, whatever its weight: written with weight 0" };
  if (weight === 0) return { weight: 0, why: null };
  const where = t.owner ? "on the address owner (priority 255)" : "in a sync group (without sync_group_tracking_weight)";
  if (!t.owner && !t.syncGroup) return { weight: line.weight?.weight ?? null, why: null };
  if (line.kind === "link" && !t.owner) return { weight: 0, why: `keepalived ignores a tracked interface's weight ${where}: it goes to FAULT instead` };
  if (line.kind === "file" && !t.owner && line.weight === null && own === 1)
    return { weight: 0, why: `keepalived ignores a tracked file's default weight ${where}: 0 is written` };
  return { weight: null, why: `keepalived drops a weighted tracker ${where}: not converted` };
}

/** The `track` items of one vip from its (and its sync group's) track lines. */
export function trackItems(lines: readonly TrackLine[], t: TrackerTarget, registry: TrackerRegistry, scope: Scope): string[] {
  const items: string[] = [];
  for (const line of lines) {
    const w = effectiveWeight(line, registry.ownWeight(line), t);
    if (w.weight === null && w.why !== null) {
      say(scope, line, "different", { note: w.why });
      continue;
    }
    const name = registry.sectionFor(line, scope);
    if (name === null) continue;
    const explicit = w.why !== null || line.weight !== null ? w.weight : null;
    const reverse = line.weight?.reverse ?? null;
    const item = `${name}${explicit !== null ? ` weight ${explicit}` : ""}${reverse !== null && explicit !== null ? ` ${reverse ? "reverse" : "noreverse"}` : ""}`;
    if (items.some((i) => i.split(" ")[0] === name)) {
      say(scope, line, "different", { note: "tracked twice: written once" });
      continue;
    }
    items.push(item);
    say(scope, line, w.why === null ? "mapped" : "different", { target: `${t.vipLabel} track '${item}'`, note: w.why });
  }
  return items;
}

