// Every command's spec and the dispatch on the command line, for the control
// client (src/cli.ts), which parses every command line the binary gets and
// hands the others over to the daemon or the tools (src/cli/handoff.ts).
import { type CommandSpec, commandHelp, parseArgs, usageLine } from "./args";
import { handOver } from "./handoff";
import { DEFAULT_SWITCHOVER_HOLD_S, MAX_SWITCHOVER_HOLD_S } from "../daemon/control-api";
import { writeErr, writeOut } from "../platform/engine";
import { DEFAULT_CONFIG, DEFAULT_RUN_DIR, DEFAULT_UBUS_SOCKET, KEEPALIVED_SOURCES, PROGRAM } from "./program";


const RUN_DIR = { "--run-dir": { value: "DIR", help: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` } };

/** A command's action, given its parsed options and positional arguments:
 * an exit code (the daemon's: null while it runs). */
export type Runner<Outcome = number> = (opts: ReadonlyMap<string, string>, rest: readonly string[]) => Outcome;

export const RUN: CommandSpec = {
  name: "run",
  summary: "run the daemon (also: floatgwd with no command)",
  details: [
    "Runs until SIGTERM or SIGINT; SIGHUP reloads the configuration.",
    "Registers the ubus object floatgw whenever ubusd is there.",
  ],
  options: {
    "--config": { value: "FILE", help: `the UCI file (default ${DEFAULT_CONFIG})` },
    ...RUN_DIR,
    "--ubus-socket": { value: "PATH", help: `ubusd's socket (default ${DEFAULT_UBUS_SOCKET})` },
    "--syslog": { value: "SOCKET", help: "log to syslog at SOCKET (the init script: /dev/log), not to stderr" },
  },
};

export const STATUS: CommandSpec = {
  name: "status",
  summary: "the state of every instance, from the running daemon",
  details: [
    "Per instance: state, priority and what makes it up, master, peer, VIPs,",
    "DHCP role, counters and the last transitions; then the DHCP lease channel.",
  ],
  options: { "--json": { help: "the whole status as one JSON object (the same as `ubus call floatgw status`)" }, ...RUN_DIR },
};

export const SWITCHOVER: CommandSpec = {
  name: "switchover", args: "[INSTANCE]", maxArgs: 1,
  summary: "hand the VIPs to the backup (run it on the master)",
  details: [
    "Resigns INSTANCE, or every instance this router is master of, without losing",
    "a packet. The VIPs are not taken back during the hold, whatever the priorities.",
  ],
  options: {
    "--hold": { value: "SECONDS", help: `do not take the VIPs back for this long (0-${MAX_SWITCHOVER_HOLD_S}, default ${DEFAULT_SWITCHOVER_HOLD_S})` },
    ...RUN_DIR,
  },
};

export const RELOAD: CommandSpec = {
  name: "reload",
  summary: "make the daemon re-read its configuration now",
  details: [
    "Says whether the daemon took it. Unchanged instances keep their state; an",
    "invalid file is refused with its errors, and everything keeps running.",
  ],
  options: { ...RUN_DIR },
};

export const LEASE: CommandSpec = {
  name: "lease", args: "add|del MAC IP [HOSTNAME] [EXPIRES]", minArgs: 3, maxArgs: 5,
  summary: "a dnsmasq lease event, for the peer router (the dhcp hook runs it)",
  details: [
    "HOSTNAME may be empty or '*' when unknown; EXPIRES is the lease's end in",
    "epoch seconds (0: never), 12 h from now when empty.",
  ],
  options: { ...RUN_DIR },
};

export const CHECK: CommandSpec = {
  name: "check", args: "[FILE]", maxArgs: 1,
  summary: "validate a configuration",
  details: [`Prints each problem of FILE (default ${DEFAULT_CONFIG}) with its line; exits 1 on errors.`],
  options: { "--json": { help: "the configuration as read and its problems, as one JSON object (what floatgwd reads back on reload)" } },
};

export const IMPORT_KEEPALIVED: CommandSpec = {
  name: "import-keepalived",
  args: "[FILE]",
  maxArgs: 1,
  summary: "convert keepalived's configuration to /etc/config/floatgw",
  details: [
    `FILE is OpenWrt's /etc/config/keepalived or a keepalived.conf (default: the first of`,
    `${KEEPALIVED_SOURCES.join(", ")}). The result goes to stdout, the report of what`,
    "became of every keepalived setting to stderr. Exits 1, writing nothing, on errors.",
  ],
  options: {
    "--config-id": { value: "ID", help: "keepalived's -i, for @ID lines (default: the host name up to the first dot)" },
    "--write": {
      value: "PATH",
      optional: true,
      help: `write the result to PATH (default ${DEFAULT_CONFIG}) instead, keeping the old file as PATH.bak`,
    },
  },
};

export const SELFTEST: CommandSpec = {
  name: "selftest", args: "[IFNAME]", maxArgs: 1,
  summary: "open every socket kind the daemon uses",
  details: ["On IFNAME (default lo), and reads the clock; prints one JSON line, exits 0 if all worked."],
};

export const DECODE: CommandSpec = {
  name: "decode", args: "HEX...", minArgs: 1, maxArgs: Infinity,
  summary: "decode captured VRRP datagrams",
  details: ["Each HEX is an IPv4 or IPv6 datagram; prints one JSON line each, from the daemon's own codec."],
};

export const VERSION: CommandSpec = { name: "version", summary: "print the version (also: --version)" };

const COMMANDS: readonly CommandSpec[] = [RUN, STATUS, SWITCHOVER, RELOAD, LEASE, CHECK, IMPORT_KEEPALIVED, SELFTEST, DECODE, VERSION];

export function usageError(spec: CommandSpec, message: string): number {
  writeErr(`${PROGRAM}: ${message}\nusage: ${usageLine(PROGRAM, spec)}\n(${PROGRAM} ${spec.name} --help says more)\n`);
  return 2;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: ${PROGRAM} COMMAND [OPTIONS] [ARGS]   (${PROGRAM} COMMAND --help says more)\n\ncommands:\n${lines.join("\n")}\n`;
}

/** Does what `args` asks for: help, a usage error, or one of `runners`,
 * and returns the exit code. A valid command that has no runner here is
 * the daemon's or the tools': handed over, and undefined returned. */
export function dispatch(args: readonly string[], runners: ReadonlyMap<CommandSpec, Runner>): number | undefined {
  const [first, ...rest] = args;
  if (first === undefined && PROGRAM === "floatgw") {
    // Only floatgwd runs the daemon without a command: a bare `floatgw`
    // prints the usage rather than start a second daemon next to the running one.
    writeErr(usage());
    return 2;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    writeOut(topic ? commandHelp(PROGRAM, topic) : usage());
    return 0;
  }
  // `floatgwd --config FILE` is `floatgwd run --config FILE`.
  const daemonOptions = first === undefined || first.startsWith("-");
  const spec = first === "--version" ? VERSION : daemonOptions ? RUN : COMMANDS.find((c) => c.name === first);
  if (!spec) {
    writeErr(`${PROGRAM}: unknown command '${first}'\n${usage()}`);
    return 2;
  }
  const parsed = parseArgs(spec, spec === RUN && daemonOptions ? args : rest);
  if (!parsed.ok) return usageError(spec, parsed.error);
  if (parsed.help) {
    writeOut(commandHelp(PROGRAM, spec));
    return 0;
  }
  const runner = runners.get(spec);
  if (runner === undefined) {
    handOver({ command: spec.name, opts: parsed.opts, rest: parsed.rest });
    return undefined;
  }
  return runner(parsed.opts, parsed.rest);
}
