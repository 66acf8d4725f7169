// The import report, written for the person migrating: first the known
// traps to check, then what was not converted (and why), then what changed
// meaning, then what was carried over as is. Every entry starts with the file and line it came from, like a
// compiler message, so an editor can jump to it.

import type { Entry, Origin, Status } from "./entry";

export interface ReportInput {
  readonly source: string;
  readonly format: "keepalived.conf" | "OpenWrt UCI";
  /** Every file read, in order; entries are sorted by it. */
  readonly files: readonly string[];
  readonly configId: string | null;
  readonly otherRouterLines: number;
  readonly entries: readonly Entry[];
  readonly vipSections: number;
  readonly trackers: number;
  /** `floatgw check` of the result; null when nothing was converted. */
  readonly check: readonly string[] | null;
}

/** A file as the report names it: relative to the directory of the file imported. */
function shortName(file: string, base: string): string {
  return base !== "" && file.startsWith(base) ? file.slice(base.length) : file;
}

function where(at: Origin | null, base: string): string {
  if (at === null) return "";
  const line = at.line > 0 ? `:${at.line}` : "";
  return `${shortName(at.file, base)}${line}${at.via !== undefined ? ` (${at.via})` : ""}`;
}

function byPlace(files: readonly string[]): (a: Entry, b: Entry) => number {
  const rank = (e: Entry): number => {
    const i = e.at === null ? -1 : files.indexOf(e.at.file);
    return i < 0 ? files.length : i;
  };
  return (a, b) => rank(a) - rank(b) || (a.at?.line ?? 0) - (b.at?.line ?? 0);
}

/** An entry's lines; a note just printed for the entry before is not repeated. */
function lines(e: Entry, withStatus: boolean, base: string, previousNote: string | null): string[] {
  const head = `  ${where(e.at, base)}: ${e.subject}`;
  const out = [e.target !== null && e.note === null && !withStatus ? `${head}  ->  ${e.target}` : head];
  if (withStatus) out.push(`      [${STATUS_WORD[e.status]}${e.pitfall !== null ? `; ${e.pitfall}` : ""}]`);
  if (e.note !== null) out.push(e.note === previousNote ? "      (as above)" : `      ${e.note}`);
  if (e.target !== null && (e.note !== null || withStatus)) out.push(`      -> ${e.target}`);
  return out;
}

const STATUS_WORD: Readonly<Record<Status, string>> = {
  error: "error",
  unsupported: "not converted",
  different: "converted differently",
  mapped: "converted",
};

const SECTIONS: readonly { status: Status; title: string }[] = [
  { status: "error", title: "Errors (keepalived rejects these too, or the importer cannot read them; nothing was written)" },
  { status: "unsupported", title: "Not converted" },
  { status: "different", title: "Converted differently" },
  { status: "mapped", title: "Converted" },
];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function renderReport(r: ReportInput): string {
  const sorted = r.entries.slice().sort(byPlace(r.files));
  const slash = r.source.lastIndexOf("/");
  const base = slash < 0 ? "" : r.source.slice(0, slash + 1);
  const out: string[] = [`floatgw import-keepalived: ${r.source} (${r.format})`];
  if (r.files.length > 1) out.push(`  read: ${r.files.map((f) => shortName(f, base)).join(", ")}`);
  if (r.otherRouterLines > 0)
    out.push(`  config id '${r.configId ?? ""}': ${plural(r.otherRouterLines, "line")} for other routers (@id) left out; use --config-id to convert for another router`);

  const pitfalls = sorted.filter((e) => e.pitfall !== null);
  if (pitfalls.length > 0) {
    out.push("", "Check these first (known keepalived and LuCI traps):");
    let previous: string | null = null;
    for (const e of pitfalls) {
      out.push(...lines(e, true, base, previous));
      previous = e.note;
    }
  }
  const counts = new Map<Status, number>();
  for (const s of SECTIONS) {
    const group = sorted.filter((e) => e.status === s.status && e.pitfall === null);
    const all = sorted.filter((e) => e.status === s.status).length;
    counts.set(s.status, all);
    if (group.length === 0) continue;
    out.push("", `${s.title} (${all}):`);
    let previous: string | null = null;
    for (const e of group) {
      out.push(...lines(e, false, base, previous));
      previous = e.note ?? previous;
    }
  }

  out.push(
    "",
    `Summary: ${plural(r.vipSections, "vip section")}${r.trackers > 0 ? ` and ${plural(r.trackers, "tracker")}` : ""}; ${counts.get("mapped") ?? 0} settings converted, ${counts.get("different") ?? 0} converted differently, ` +
      `${counts.get("unsupported") ?? 0} not converted, ${plural(counts.get("error") ?? 0, "error")}.`,
  );
  if (r.check !== null) out.push(...r.check.map((l) => `floatgw check: ${l}`));
  return out.join("\n") + "\n";
}
