// A config problem names the section, option, value and reason, and renders
// as one line: "vip 'lan': vrid '300' is out of range 1-255".

export interface ConfigProblem {
  /** "vip 'lan'", "@vip[1]"; null for problems of the file itself. */
  readonly section: string | null;
  readonly option: string | null;
  /** The offending text; null when absent or secret. */
  readonly value: string | null;
  readonly reason: string;
  /** Line in the file, when known. */
  readonly line: number | null;
  readonly message: string;
}

export interface ProblemAt {
  readonly section: string | null;
  readonly option?: string | null;
  readonly value?: string | null;
  /** Render the value as "(hidden)" (passwords, keys). */
  readonly secret?: boolean;
  readonly line?: number | null;
}

/** How messages name a section: "vip 'lan'", or "@vip[0]" when anonymous. */
export function sectionLabel(s: { readonly type: string; readonly ref: string; readonly anonymous: boolean }): string {
  return s.anonymous ? s.ref : `${s.type} '${s.ref}'`;
}

export function problem(at: ProblemAt, reason: string): ConfigProblem {
  const option = at.option ?? null;
  const shown = at.secret === true ? null : (at.value ?? null);
  let subject = option ?? "";
  if (option !== null && at.value != null) subject += at.secret === true ? " (hidden)" : ` '${at.value}'`;
  const head = [at.section, subject].filter((p) => p !== null && p !== "").join(": ");
  const message = head === "" ? reason : subject === "" ? `${head}: ${reason}` : `${head} ${reason}`;
  return { section: at.section, option, value: shown, reason, line: at.line ?? null, message };
}

/** Errors make a config unusable; warnings do not. */
export class ProblemList {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  error(at: ProblemAt, reason: string): void {
    this.errors.push(problem(at, reason));
  }

  warn(at: ProblemAt, reason: string): void {
    this.warnings.push(problem(at, reason));
  }
}
