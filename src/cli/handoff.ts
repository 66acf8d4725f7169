// How the control client hands a command line it parsed to the whole program.
// The binary's two programs run one after the other in the same engine
// context (src/native/main.c): the control client (src/cli.ts) parses every
// command line, answers help and usage errors, and runs its own commands; a
// command of the whole program (src/main.ts) it leaves, parsed, on the
// global object both programs see. So the whole program carries no command
// specs, parser or help texts of its own.

/** A valid command line for the whole program. */
export interface Invocation {
  /** The command's name ("run" for the daemon, also for floatgwd alone). */
  readonly command: string;
  readonly opts: ReadonlyMap<string, string>;
  readonly rest: readonly string[];
}

const SLOT = Symbol.for("floatgw.invocation");

export function handOver(invocation: Invocation): void {
  (globalThis as unknown as Record<symbol, Invocation>)[SLOT] = invocation;
}

/** What the control client handed over; undefined if it ended the process
 * itself, which never reaches the whole program. */
export function handedOver(): Invocation | undefined {
  return (globalThis as unknown as Record<symbol, Invocation | undefined>)[SLOT];
}
