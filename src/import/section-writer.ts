// Builds the options of one floatgw section as the conversion settles them,
// returning for each the text the report shows as its target; and whether
// a keepalived value fits a floatgw option, by the schema.

import { type SectionSpec, optionSpec } from "../config/schema";
import type { UciDraftOption } from "../config/uci-write";

export class SectionWriter {
  readonly options: UciDraftOption[] = [];
  /** How the report names the section: "vip 'lan'". */
  constructor(readonly label: string) {}

  /** Sets an option; a second value replaces the first, as keepalived keeps the last of a repeated keyword. */
  set(name: string, value: string): string {
    const existing = this.options.findIndex((o) => o.name === name);
    const option = { name, values: [value], list: false };
    if (existing < 0) this.options.push(option);
    else this.options.splice(existing, 1, option);
    return `${this.label} ${name} '${value}'`;
  }

  add(name: string, value: string): string {
    const existing = this.options.find((o) => o.name === name);
    if (existing === undefined) this.options.push({ name, values: [value], list: true });
    else this.options.splice(this.options.indexOf(existing), 1, { ...existing, values: [...existing.values, value] });
    return `${this.label} ${name} '${value}'`;
  }
}

/** Why `text` does not fit a text option of the section, or null (also for options of other kinds). */
export function misfit(section: SectionSpec, option: string, text: string): string | null {
  const t = optionSpec(section, option)?.type;
  if (t?.kind !== "text") return null;
  return text.length >= t.minLength && text.length <= t.maxLength && t.pattern.test(text) ? null : `floatgw's ${option} takes ${t.patternHelp}`;
}
