// Command-line parsing for every subcommand: each declares its options and
// positional arguments; anything else is an error that names it, and
// `--help` prints the subcommand's own help. Pure.

export interface OptionSpec {
  /** The value's placeholder (`--hold SECONDS`); absent for a flag. */
  readonly value?: string;
  /** The value may be left out, as getopt's optional arguments: `--write`
   * alone (read as ""), or `--write=PATH`; never the next argument. */
  readonly optional?: boolean;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** A short phrase for the command list, e.g. "validate a configuration". */
  readonly summary: string;
  /** More lines for --help. */
  readonly details?: readonly string[];
  /** Positional arguments as the usage line shows them, e.g. "[FILE]";
   * none when absent. */
  readonly args?: string;
  readonly minArgs?: number;
  /** Infinity for a list. */
  readonly maxArgs?: number;
  readonly options?: Readonly<Record<string, OptionSpec>>;
}

export type Parsed =
  | { readonly ok: true; readonly help: boolean; readonly opts: ReadonlyMap<string, string>; readonly rest: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** `--name value`, `--name=value`, flags, `--help`/`-h`, and `--` before
 * positional arguments that start with a dash. */
export function parseArgs(spec: CommandSpec, args: readonly string[]): Parsed {
  const opts = new Map<string, string>();
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a === "--help" || a === "-h") {
      help = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const options = spec.options ?? {};
    const option = Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
    if (!option) return { ok: false, error: `${spec.name}: unknown option ${name}${optionList(spec)}` };
    if (option.value === undefined) {
      if (eq > 0) return { ok: false, error: `${spec.name}: option ${name} takes no value` };
      opts.set(name, "");
    } else if (eq > 0) {
      opts.set(name, a.slice(eq + 1));
    } else if (option.optional === true) {
      opts.set(name, "");
    } else if (i + 1 < args.length) {
      opts.set(name, args[++i] as string);
    } else {
      return { ok: false, error: `${spec.name}: option ${name} needs a value (${option.value})` };
    }
  }
  if (help) return { ok: true, help, opts, rest };
  if (rest.length < (spec.minArgs ?? 0) || rest.length > (spec.maxArgs ?? 0)) {
    const what = spec.args ?? "no arguments";
    return { ok: false, error: `${spec.name}: takes ${what}, not ${rest.length === 0 ? "none" : rest.map((r) => `'${r}'`).join(" ")}` };
  }
  return { ok: true, help, opts, rest };
}

function optionList(spec: CommandSpec): string {
  const names = Object.keys(spec.options ?? {});
  return names.length ? ` (it takes ${names.join(", ")})` : " (it takes none)";
}

function optionHead(name: string, o: OptionSpec): string {
  if (!o.value) return name;
  return o.optional === true ? `${name}[=${o.value}]` : `${name} ${o.value}`;
}

export function usageLine(program: string, spec: CommandSpec): string {
  const opts = Object.entries(spec.options ?? {}).map(([n, o]) => `[${optionHead(n, o)}]`);
  return [program, spec.name, ...opts, spec.args ?? ""].filter((p) => p !== "").join(" ");
}

/** What `<command> --help` prints. */
export function commandHelp(program: string, spec: CommandSpec): string {
  const rows = Object.entries(spec.options ?? {}).map(([n, o]) => [optionHead(n, o), o.help] as const);
  const all = [...rows, ["--help", "this help"] as const];
  const width = Math.max(...all.map(([head]) => head.length));
  const sentence = `${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.`;
  const lines = [`usage: ${usageLine(program, spec)}`, "", sentence, ...(spec.details ?? []), "", "options:"];
  for (const [head, help] of all) lines.push(`  ${head.padEnd(width)}  ${help}`);
  return lines.join("\n") + "\n";
}
