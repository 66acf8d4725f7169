// `floatgw check [file]`: what to print and the exit status, from the file's
// text. Lines look like compiler diagnostics so editors can jump to them:
//   /etc/config/floatgw:12: error: vip 'lan': vrid '300' is out of range 1-255

import { loadConfig } from "./load";
import { type ConfigProblem, problem } from "./problems";
import type { ValidationResult, VipConfig } from "./validate";

export interface CheckOutput {
  readonly lines: readonly string[];
  /** 0: usable (warnings allowed); 1: errors. */
  readonly exitCode: 0 | 1;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function describe(v: VipConfig): string {
  const link = v.interface ?? v.device ?? "";
  const track = v.track.map((t) => (t.weight === 0 ? t.tracker : `${t.tracker} ${t.weight > 0 ? "+" : ""}${t.weight}`));
  return `${v.name} (${link}, VRRPv${v.version} IPv${v.family}, vrid ${v.vrid}, priority ${v.priority}${track.length ? `, tracking ${track.join(", ")}` : ""})`;
}

export function checkConfigText(text: string, fileName: string): CheckOutput {
  const result = loadConfig(text);
  const render = (severity: string) => (p: ConfigProblem) =>
    `${fileName}${p.line !== null ? `:${p.line}` : ""}: ${severity}: ${p.message}`;
  const problems = [...result.errors.map(render("error")), ...result.warnings.map(render("warning"))];
  const config = result.config;
  if (config === null)
    return {
      lines: [...problems, `${fileName}: ${plural(result.errors.length, "error")}, ${plural(result.warnings.length, "warning")}`],
      exitCode: 1,
    };
  const summary = [`${fileName}: OK, ${plural(config.vips.length, "instance")}${config.vips.length > 0 ? ":" : ""}`];
  for (const v of config.vips) summary.push(`  ${describe(v)}`);
  for (const g of config.syncGroups) summary.push(`  sync group ${g.name}: ${g.members.join(", ")}`);
  for (const r of [...config.routes, ...config.rules]) summary.push(`  ${"target" in r ? "route" : "rule"} ${r.name}, following ${r.owner.kind === "vip" ? "vip" : "sync group"} ${r.owner.name}`);
  if (!config.global.enabled) summary.push(`floatgw is disabled: set floatgw.global.enabled='1' to run it`);
  return { lines: [...problems, ...summary], exitCode: 0 };
}

/** Problems of each kind a `check --json` result carries at most: the
 * daemon reads it back on reload (src/daemon/background-load.ts) and logs
 * each one. */
export const MAX_PROBLEMS_IN_JSON = 100;

function capped(problems: readonly ConfigProblem[], kind: string): readonly ConfigProblem[] {
  if (problems.length <= MAX_PROBLEMS_IN_JSON) return problems;
  return [...problems.slice(0, MAX_PROBLEMS_IN_JSON), problem({ section: null }, `and ${problems.length - MAX_PROBLEMS_IN_JSON} more ${kind}`)];
}

/** The key that stands for a Uint8Array (a tracker's address) in that JSON. */
const BYTES = "$bytes";

/** `floatgw check --json`: the whole ValidationResult as one line of JSON,
 * each list of problems cut to MAX_PROBLEMS_IN_JSON; readCheckJson gives
 * back every value as it was (byte arrays included). */
export function checkConfigJson(text: string): string {
  const result = loadConfig(text);
  const out: ValidationResult = { config: result.config, errors: capped(result.errors, "errors"), warnings: capped(result.warnings, "warnings") };
  return JSON.stringify(out, (_key, value: unknown) => (value instanceof Uint8Array ? { [BYTES]: Array.from(value) } : value));
}

/** What checkConfigJson wrote; throws on text that is not JSON. */
export function readCheckJson(json: string): ValidationResult {
  return JSON.parse(json, (_key, value: unknown) =>
    typeof value === "object" && value !== null && BYTES in value ? Uint8Array.from((value as Record<string, number[]>)[BYTES] ?? []) : value,
  ) as ValidationResult;
}
