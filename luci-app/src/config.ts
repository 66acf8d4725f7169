// What luci-app-floatgw's pages know of /etc/config/floatgw, bundled for the
// browser by scripts/gen-luci-config.mjs into the LuCI class `floatgw.config`
// (htdocs/luci-static/resources/floatgw/config.js of the package):
//   - the schema (src/config/schema.ts) as data, which the settings form
//     builds itself from: a section type or option added there appears in
//     the form at the next build, with its type, range, default and help;
//   - the daemon's own validation (src/config/validate.ts), so a form refuses
//     exactly what floatgwd would refuse, with the daemon's words;
//   - what the one-form pair setup writes.
// No DOM and no engine here: the unit tests run it under Node.

import { optionRange } from "../../src/config/docs";
import { GLOBAL_SECTION, type OptionSpec, SECTIONS, type SectionSpec, VIP_SECTION, type ValueType } from "../../src/config/schema";
import { sectionLabel } from "../../src/config/problems";
import type { UciOption, UciSection } from "../../src/config/uci";
import { validateConfig } from "../../src/config/validate";

/** A ValueType as JSON: a text type's pattern travels as its source. */
export type ValueDescription =
  | Exclude<ValueType, { kind: "text" }>
  | { readonly kind: "text"; readonly minLength: number; readonly maxLength: number; readonly pattern: string; readonly patternHelp: string };

export interface OptionDescription {
  readonly name: string;
  readonly type: ValueDescription;
  readonly list: boolean;
  /** In UCI text; null: no default. */
  readonly default: string | null;
  readonly required: boolean;
  readonly secret: boolean;
  /** Used only when the section's `type` option is one of these (trackers); null: always. */
  readonly forTypes: readonly string[] | null;
  /** What applies when the option is absent, where that depends on other options. */
  readonly defaultNote: string | null;
  /** The allowed values in words, as docs/configuration.md says them; "" when the type says it all. */
  readonly range: string;
  readonly help: string;
}

export interface SectionDescription {
  readonly type: string;
  readonly conventionalName: string | null;
  readonly multiple: boolean;
  readonly help: string;
  readonly options: readonly OptionDescription[];
}

function describeType(t: ValueType): ValueDescription {
  return t.kind === "text" ? { ...t, pattern: t.pattern.source } : t;
}

function describeOption(o: OptionSpec): OptionDescription {
  return {
    name: o.name,
    type: describeType(o.type),
    list: o.list,
    default: o.default,
    required: o.required,
    secret: o.secret === true,
    forTypes: o.forTypes ?? null,
    defaultNote: o.defaultNote ?? null,
    range: optionRange(o),
    help: o.help,
  };
}

function describeSection(s: SectionSpec): SectionDescription {
  return { type: s.type, conventionalName: s.conventionalName, multiple: s.multiple, help: s.help, options: s.options.map(describeOption) };
}

/** Every section type of /etc/config/floatgw, in the schema's order. */
export const sections: readonly SectionDescription[] = SECTIONS.map(describeSection);

/** A section as LuCI's uci.js returns it from `uci.sections('floatgw')`:
 * `.type`, `.name`, `.anonymous`, and each option as a string or, for a
 * list, an array of strings (other `.`-keys are LuCI's own). */
export interface LuciSection {
  readonly ".type": string;
  readonly ".name": string;
  readonly ".anonymous"?: boolean;
  readonly [option: string]: unknown;
}

export interface Problem {
  /** "vip 'lan'", "@vip[0]"; null for the file as a whole. */
  readonly section: string | null;
  readonly option: string | null;
  /** The daemon's message, naming section, option and value. */
  readonly message: string;
}

export interface Verdict {
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

/** LuCI's sections as the daemon's parser would read them from the file
 * uci writes (anonymous ones are `@type[N]`, counted per type). */
function toUci(luci: readonly LuciSection[]): UciSection[] {
  const seen = new Map<string, number>();
  return luci.map((s) => {
    const type = s[".type"];
    const n = seen.get(type) ?? 0;
    seen.set(type, n + 1);
    const anonymous = s[".anonymous"] === true;
    const options: UciOption[] = [];
    for (const [name, value] of Object.entries(s)) {
      if (name.startsWith(".")) continue;
      if (Array.isArray(value)) {
        const items = value.map(String);
        options.push({ name, isList: true, values: items, lines: items.map(() => 0) });
      } else if (value !== undefined && value !== null) {
        options.push({ name, isList: false, values: [String(value)], lines: [0] });
      }
    }
    return { type, name: s[".name"], anonymous, ref: anonymous ? `@${type}[${n}]` : s[".name"], line: 0, options };
  });
}

/** What floatgwd would say of these sections as /etc/config/floatgw. */
export function checkSections(luci: readonly LuciSection[]): Verdict {
  const r = validateConfig({ name: "floatgw", sections: toUci(luci) });
  const strip = (p: { section: string | null; option: string | null; message: string }): Problem => ({
    section: p.section,
    option: p.option,
    message: p.message,
  });
  return { errors: r.errors.map(strip), warnings: r.warnings.map(strip) };
}

/** Why `option` of the section named `name` is refused, as the daemon would
 * say it of the whole file `all` (the section's other options, and the other
 * sections, as they stand); null when it is accepted. */
export function checkOption(all: readonly LuciSection[], name: string, option: string): string | null {
  const target = toUci(all).find((s) => s.name === name);
  if (target === undefined) return null;
  const label = sectionLabel(target);
  const mine = checkSections(all).errors.filter((p) => p.section === label && p.option === option);
  return mine.length === 0 ? null : mine.map((p) => p.message).join("; ");
}

/** The one-form pair setup: what the user says about the pair. */
export interface PairSetup {
  /** The gateway address the pair shares, with its prefix: "198.18.0.1/24". */
  readonly address: string;
  /** The netifd interface it lives on: "lan". */
  readonly interface: string;
  readonly vrid: string;
  /** Which router this one is: the primary is master whenever it is up. */
  readonly role: "primary" | "secondary";
  /** The other router's own address on that interface. */
  readonly peer: string;
  /** DHCP follows the VIP (`dhcp '1'`). */
  readonly dhcp: boolean;
  /** The shared key of the lease channel; the same on both routers. */
  readonly secret: string;
}

/** The priority each role advertises: far enough apart that a tracker's
 * weight can reorder them on purpose, never by rounding. */
export const ROLE_PRIORITY: Readonly<Record<PairSetup["role"], number>> = { primary: 150, secondary: 100 };

/** The VRID the pair setup offers when the file has none yet (keepalived's example one). */
export const DEFAULT_VRID = "51";

/** Options to set: a string, or a list as an array. */
export type OptionValues = Readonly<Record<string, string | readonly string[]>>;

/** Options to lay over the section `name` of `type` (created when missing). */
export interface SectionWrite {
  readonly type: string;
  readonly name: string;
  readonly options: OptionValues;
}

/** What the pair setup writes for `s`: `config floatgw 'global'` and
 * `config vip '<interface>'` (named after its interface, as the docs do).
 * The peer becomes the unicast peer: VRRP then needs no multicast from the
 * switch, and the lease channel knows its peer before the first advert.
 * Options it does not name stay as they are. */
export function pairSections(s: PairSetup): readonly SectionWrite[] {
  return [
    { type: GLOBAL_SECTION.type, name: GLOBAL_SECTION.conventionalName ?? "global", options: { enabled: "1", secret: s.secret } },
    {
      type: VIP_SECTION.type,
      name: s.interface,
      options: {
        enabled: "1",
        interface: s.interface,
        vrid: s.vrid,
        priority: String(ROLE_PRIORITY[s.role]),
        address: [s.address],
        unicast_peer: [s.peer],
        dhcp: s.dhcp ? "1" : "0",
      },
    },
  ];
}

/** `all` with `w` laid over it. */
function layer(all: readonly LuciSection[], w: SectionWrite): LuciSection[] {
  const present = all.some((x) => x[".name"] === w.name);
  const base = present ? all : [...all, { ".type": w.type, ".name": w.name, ".anonymous": false }];
  return base.map((x) => (x[".name"] === w.name ? { ...x, ...w.options } : x));
}

/** The file after the pair setup: `existing` with pairSections(s) laid over it. */
export function withPair(existing: readonly LuciSection[], s: PairSetup): LuciSection[] {
  return pairSections(s).reduce(layer, existing.slice());
}
