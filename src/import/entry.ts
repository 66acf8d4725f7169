// The import report's vocabulary: where a keepalived setting came from, and
// what became of it. Every stage (reading files, building blocks, the UCI
// front-end, the keyword tables) adds entries; report.ts renders them. A
// setting that produces no entry would be dropped silently, which the
// importer never does.

/** A line of a file the importer read. */
export interface Origin {
  readonly file: string;
  /** 1-based; 0 when no line of the file says it. */
  readonly line: number;
  /** Set when the setting is not in the file but added by this program (keepalived.init). */
  readonly via?: string;
}

/**
 * - mapped: carried over with the same meaning.
 * - different: carried over, or deliberately not, because floatgw behaves
 *   differently; the note says how.
 * - unsupported: not in the floatgw config; the note says why.
 * - error: keepalived would reject it too, or the importer cannot read it;
 *   the conversion stops.
 */
export type Status = "mapped" | "different" | "unsupported" | "error";

export interface Entry {
  readonly status: Status;
  readonly at: Origin | null;
  /** What the keepalived configuration says: "vrrp_instance VI_1 > priority 150". */
  readonly subject: string;
  /** What the floatgw configuration says instead: "vip 'VI_1' priority '150'". */
  readonly target: string | null;
  readonly note: string | null;
  /** A known keepalived/LuCI trap ("luci#7114"): listed first, for a human to check. */
  readonly pitfall: string | null;
}

export interface EntryDetails {
  readonly target?: string | null;
  readonly note?: string | null;
  readonly pitfall?: string | null;
}

export function entry(status: Status, at: Origin | null, subject: string, d: EntryDetails = {}): Entry {
  return {
    status,
    at,
    subject,
    target: d.target ?? null,
    note: d.note ?? null,
    pitfall: d.pitfall ?? null,
  };
}
