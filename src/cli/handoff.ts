// How the control client hands a command line it parsed to the program that
// runs it. The binary's programs run one after the other (src/native/main.c):
// the control client (src/cli.ts) parses every command line, answers help
// and usage errors, and runs its own commands; any other command it leaves,
// parsed, as one JSON string in the global INVOCATION_GLOBAL, for the daemon
// (src/main.ts, `run`) or the tools (src/tools.ts). Unless the command is the
// daemon's, main.c takes that string to a fresh engine, where the tools run
// (the client's engine allocates from a block that is thrown away whole:
// docs/performance.md), and puts it back there under the same name. So
// neither carries command specs, a parser or help texts of its own.

/** A valid command line for the daemon or the tools. */
export interface Invocation {
  /** The command's name ("run" for the daemon, also for floatgwd alone). */
  readonly command: string;
  readonly opts: ReadonlyMap<string, string>;
  readonly rest: readonly string[];
}

/** The global main.c reads and sets (src/native/main.c says the same name). */
const INVOCATION_GLOBAL = "floatgwInvocation";

type Globals = Record<string, string | undefined>;

export function handOver(invocation: Invocation): void {
  (globalThis as unknown as Globals)[INVOCATION_GLOBAL] = JSON.stringify({
    command: invocation.command, opts: [...invocation.opts], rest: invocation.rest,
  });
}

/** What the control client handed over; undefined if it ended the process
 * itself, which never reaches the daemon or the tools. */
export function handedOver(): Invocation | undefined {
  const text = (globalThis as unknown as Globals)[INVOCATION_GLOBAL];
  if (text === undefined) return undefined;
  const { command, opts, rest } = JSON.parse(text) as { command: string; opts: [string, string][]; rest: string[] };
  return { command, opts: new Map(opts), rest };
}
