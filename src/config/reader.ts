// Reads one UCI section through its schema: list-ness, defaults, required
// options and value parsing, recording a problem for every refusal. The
// validator above it only combines the typed values.

import { BOOL_SPELLINGS, parseBool } from "./bool";
import { type ProblemAt, type ProblemList, sectionLabel } from "./problems";
import { KEEPALIVED_HINTS, type OptionSpec, type SectionSpec, type ValueType, optionSpec } from "./schema";
import { closestName } from "./suggest";
import type { UciOption, UciSection } from "./uci";
import {
  type IpAddress,
  type Parsed,
  type TrackRef,
  type VipAddress,
  parseCidr,
  parseInteger,
  parseIp,
  parsePrefix,
  parseSeconds,
  parseStatusCodes,
  parseTrackRef,
} from "./values";

/** One value as read: typed, with the text and line it came from. */
export interface Item<T> {
  readonly value: T;
  readonly text: string;
  readonly line: number;
}

const ABSOLUTE_PATH = /^\/[\x21-\x7e]*$/;

type Kind = ValueType["kind"];
type TypeOf<K extends Kind> = Extract<ValueType, { kind: K }>;

// How SectionReader.one reads each type: functions of the text and the
// option's type only.
function readBool(text: string): Parsed<boolean> {
  const b = parseBool(text);
  return b === null ? { ok: false, reason: `is not a boolean (use ${BOOL_SPELLINGS})` } : { ok: true, value: b };
}

function readInteger(text: string, t: TypeOf<"integer">): Parsed<number> {
  return parseInteger(text, t.min, t.max);
}

function readSeconds(text: string, t: TypeOf<"seconds">): Parsed<number> {
  return parseSeconds(text, t.scale, t.min, t.max);
}

function readChoice(text: string, t: TypeOf<"choice">): Parsed<string> {
  return t.choices.indexOf(text) >= 0 ? { ok: true, value: text } : { ok: false, reason: `is not one of ${t.choices.join(", ")}` };
}

function readText(text: string, t: TypeOf<"text">): Parsed<string> {
  if (text.length < t.minLength) return { ok: false, reason: `is shorter than ${t.minLength} characters` };
  if (text.length > t.maxLength) return { ok: false, reason: `is longer than ${t.maxLength} characters` };
  if (!t.pattern.test(text)) return { ok: false, reason: `may only contain ${t.patternHelp}` };
  return { ok: true, value: text };
}

function readIp(text: string, t: TypeOf<"ip">): Parsed<IpAddress> {
  return parseIp(text, t.loopback === true);
}

/** What an absent single-valued option reads as: its default's value, or
 * null (no default, not required). */
type Absent = { readonly value: unknown; readonly text: string } | null;

/** Per section type, each absent option's outcome, found once: most
 * options of most sections are absent, and reading 10^4 sections went
 * through the same schema lookups and parsed the same defaults 10^4 times
 * (each read some ten interpreted calls in QuickJS). */
const absentOptions = new WeakMap<SectionSpec, Map<string, Absent>>();

export class SectionReader {
  readonly label: string;
  /** The section's options by name. */
  private readonly present = new Map<string, UciOption>();
  private readonly absent: Map<string, Absent>;

  constructor(
    readonly section: UciSection,
    private readonly spec: SectionSpec,
    private readonly problems: ProblemList,
  ) {
    this.label = sectionLabel(section);
    let absent = absentOptions.get(spec);
    if (absent === undefined) {
      absent = new Map();
      absentOptions.set(spec, absent);
    }
    this.absent = absent;
    const options = section.options;
    for (let i = 0; i < options.length; i++) {
      const o = options[i];
      if (o !== undefined) this.present.set(o.name, o);
    }
  }

  /** Where to point a message about `name` (its line, or the section's). */
  where(name: string, value?: string): ProblemAt {
    const line = this.raw(name)?.lines[0] ?? this.section.line;
    return { section: this.label, option: name, value: value ?? null, secret: this.optionSpec(name).secret, line };
  }

  /** A section-level location, for problems that belong to no one option. */
  here(): ProblemAt {
    return { section: this.label, line: this.section.line };
  }

  warnUnknownOptions(): void {
    for (const o of this.section.options) {
      if (optionSpec(this.spec, o.name) !== undefined) continue;
      const known = this.spec.options.map((k) => k.name);
      const hint = KEEPALIVED_HINTS[o.name];
      const near = closestName(o.name, known);
      const advice = hint !== undefined ? ` (keepalived option; ${hint})` : near !== null ? ` (did you mean '${near}'?)` : "";
      this.problems.warn({ section: this.label, line: o.lines[0] ?? this.section.line }, `unknown option '${o.name}' is ignored${advice}`);
    }
  }

  /** Options present that the section's `type` does not use: they would
   * silently do nothing, so say so. */
  warnOptionsNotFor(type: string): void {
    for (const spec of this.spec.options)
      if (spec.forTypes !== undefined && spec.forTypes.indexOf(type) < 0 && this.raw(spec.name) !== undefined)
        this.problems.warn(this.where(spec.name, this.raw(spec.name)?.values.join(" ")), `is not used by type '${type}' and is ignored`);
  }

  /** Whether the file sets the option (as opposed to its default applying). */
  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  private optionSpec(name: string): OptionSpec {
    const spec = optionSpec(this.spec, name);
    if (spec === undefined) throw new Error(`bug: option '${name}' is not in the '${this.spec.type}' schema`);
    return spec;
  }

  private raw(name: string): UciOption | undefined {
    return this.present.get(name);
  }

  /** The texts to parse, with their lines: the file's (split if a list
   * option was written as one `option`), else the default. Parallel arrays,
   * the option's own for a list: no object per item. */
  private texts(spec: OptionSpec): { texts: readonly string[]; lines: readonly number[] } | null {
    const o = this.raw(spec.name);
    if (o === undefined) {
      if (spec.required) this.problems.error(this.here(), `${spec.name} is required`);
      return spec.default === null ? null : { texts: [spec.default], lines: [this.section.line] };
    }
    const line = o.lines[0] ?? this.section.line;
    if (!spec.list) {
      if (o.isList) {
        this.problems.error(
          { section: this.label, option: spec.name, line },
          `takes one value: write 'option ${spec.name}', not 'list'`,
        );
        return null;
      }
      return { texts: [o.values[0] ?? ""], lines: [line] };
    }
    if (o.isList) return { texts: o.values, lines: o.lines };
    const texts = (o.values[0] ?? "").split(/\s+/).filter((t) => t !== "");
    return { texts, lines: texts.map(() => line) };
  }

  /** Every valid item of the option; refused ones become problems. */
  private items<T>(name: string, parse: (text: string) => Parsed<T>): Item<T>[] | null {
    const spec = this.optionSpec(name);
    const given = this.texts(spec);
    if (given === null) return null;
    const { texts, lines } = given;
    const items: Item<T>[] = [];
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] ?? "";
      const line = lines[i] ?? this.section.line;
      const parsed = parse(text);
      if (parsed.ok) items.push({ value: parsed.value, text, line });
      else this.problems.error({ section: this.label, option: name, value: text, secret: spec.secret, line }, parsed.reason);
    }
    // `option address ' '` is present but holds no item.
    if (spec.required && texts.length === 0) this.problems.error(this.here(), `${name} is required`);
    return items;
  }

  /** A single-valued option of type `kind`: its item, or null when absent
   * without default or refused. `parse` depends on nothing but the text and
   * the option's type (no closure to allocate per read): what an absent
   * option reads as is found once for all sections of the type. */
  private one<K extends Kind, T>(name: string, kind: K, parse: (text: string, type: TypeOf<K>) => Parsed<T>): Item<T> | null {
    const o = this.present.get(name);
    if (o === undefined) {
      const known = this.absent.get(name);
      if (known === null) return null;
      if (known !== undefined) return { value: known.value as T, text: known.text, line: this.section.line };
    }
    const spec = this.optionSpec(name);
    if (spec.type.kind !== kind) throw new Error(`bug: option '${name}' is ${spec.type.kind}, not ${kind}`);
    const type = spec.type as TypeOf<K>;
    if (o !== undefined && !o.isList && !spec.list) {
      // The common case of items() in short: one value, given with `option`.
      const text = o.values[0] ?? "";
      const line = o.lines[0] ?? this.section.line;
      const parsed = parse(text, type);
      if (parsed.ok) return { value: parsed.value, text, line };
      this.problems.error({ section: this.label, option: name, value: text, secret: spec.secret, line }, parsed.reason);
      return null;
    }
    const item = this.items(name, (text) => parse(text, type))?.[0] ?? null;
    // Absent: the same for every section of the type, unless it is an error.
    if (o === undefined && !spec.required && (spec.default === null || item !== null))
      this.absent.set(name, item === null ? null : { value: item.value, text: item.text });
    return item;
  }

  private typeOf<K extends Kind>(name: string, kind: K): TypeOf<K> {
    const type = this.optionSpec(name).type;
    if (type.kind !== kind) throw new Error(`bug: option '${name}' is ${type.kind}, not ${kind}`);
    return type as TypeOf<K>;
  }

  bool(name: string): boolean {
    const item = this.one(name, "bool", readBool);
    return item !== null ? item.value : parseBool(this.optionSpec(name).default ?? "0") === true;
  }

  integer(name: string): Item<number> | null {
    return this.one(name, "integer", readInteger);
  }

  /** Decimal seconds as a count of 1/scale s; `refine` may refuse a value the schema's range allows. */
  seconds(name: string, refine?: (units: number) => string | null): Item<number> | null {
    const item = this.one(name, "seconds", readSeconds);
    const reason = item !== null && refine !== undefined ? refine(item.value) : null;
    if (item === null || reason === null) return item;
    const secret = this.optionSpec(name).secret;
    this.problems.error({ section: this.label, option: name, value: item.text, secret, line: item.line }, reason);
    return null;
  }

  choice(name: string): Item<string> | null {
    return this.one(name, "choice", readChoice);
  }

  text(name: string): Item<string> | null {
    return this.one(name, "text", readText);
  }

  textList(name: string): Item<string>[] {
    const t = this.typeOf(name, "text");
    return (
      this.items(name, (text): Parsed<string> =>
        text.length <= t.maxLength && t.pattern.test(text)
          ? { ok: true, value: text }
          : { ok: false, reason: `is not a valid name (${t.patternHelp}, at most ${t.maxLength})` },
      ) ?? []
    );
  }

  cidrList(name: string): Item<VipAddress>[] {
    this.typeOf(name, "cidr");
    return this.items(name, parseCidr) ?? [];
  }

  prefix(name: string): Item<VipAddress> | null {
    return this.one(name, "prefix", parsePrefix);
  }

  ipList(name: string): Item<IpAddress>[] {
    this.typeOf(name, "ip");
    return this.items(name, (text) => parseIp(text)) ?? [];
  }

  ip(name: string): Item<IpAddress> | null {
    return this.one(name, "ip", readIp);
  }

  trackRefList(name: string): Item<TrackRef>[] {
    this.typeOf(name, "trackRef");
    return this.itemsKeepingSpaces(name, parseTrackRef);
  }

  statusCodeList(name: string): Item<{ readonly min: number; readonly max: number }>[] {
    this.typeOf(name, "statusCodes");
    return this.items(name, parseStatusCodes) ?? [];
  }

  /** A list whose items may contain spaces (`wan weight -50`): an `option`
   * line with such an item holds that one item, else space-separated names. */
  private itemsKeepingSpaces<T>(name: string, parse: (text: string) => Parsed<T>): Item<T>[] {
    const o = this.raw(name);
    if (o === undefined || o.isList || !/\s(weight|reverse|noreverse)\b/.test(o.values[0] ?? "")) return this.items(name, parse) ?? [];
    const text = o.values[0] ?? "";
    const line = o.lines[0] ?? this.section.line;
    const parsed = parse(text);
    if (parsed.ok) return [{ value: parsed.value, text, line }];
    this.problems.error({ section: this.label, option: name, value: text, line }, parsed.reason);
    return [];
  }

  /** false when off; otherwise the program to run (the default's when on). */
  boolOrPath(name: string, defaultProgram: string): string | null {
    this.typeOf(name, "boolOrPath");
    // Not through one(): the value depends on defaultProgram.
    const [item = null] = this.items(name, (text): Parsed<string | null> => {
      const b = parseBool(text);
      if (b !== null) return { ok: true, value: b ? defaultProgram : null };
      if (ABSOLUTE_PATH.test(text)) return { ok: true, value: text };
      return { ok: false, reason: `is neither a boolean (${BOOL_SPELLINGS}) nor an absolute path` };
    }) ?? [];
    return item === null ? defaultProgram : item.value;
  }
}
