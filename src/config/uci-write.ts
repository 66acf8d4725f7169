// Writes UCI text that uci.ts (and libuci) read back to the same sections:
// every value single-quoted, a `'` inside written as '\'' (close, escaped
// quote, reopen). For tools that generate /etc/config/floatgw.

export interface UciDraftOption {
  readonly name: string;
  readonly values: readonly string[];
  /** `list` lines (even for one value) rather than one `option`. */
  readonly list: boolean;
}

export interface UciDraftSection {
  readonly type: string;
  readonly name: string;
  /** Comment lines written above the section, without the `#`. */
  readonly comments: readonly string[];
  readonly options: readonly UciDraftOption[];
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

function commentLines(lines: readonly string[]): string[] {
  return lines.map((l) => (l === "" ? "#" : `# ${l}`));
}

/** The file's text: a comment header, then each section, a blank line between. */
export function renderUci(header: readonly string[], sections: readonly UciDraftSection[]): string {
  const out: string[] = [...commentLines(header)];
  for (const s of sections) {
    if (out.length > 0) out.push("");
    out.push(...commentLines(s.comments), `config ${s.type} ${quote(s.name)}`);
    for (const o of s.options) {
      if (o.list) for (const v of o.values) out.push(`\tlist ${o.name} ${quote(v)}`);
      else out.push(`\toption ${o.name} ${quote(o.values[0] ?? "")}`);
    }
  }
  return out.join("\n") + "\n";
}
