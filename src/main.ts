// The single floatgw binary. Called as floatgwd it runs the daemon (or a
// tool subcommand); called as floatgw (the package's symlink) it is the CLI.
// Both names accept every command, so `floatgwd status` works too, but only
// floatgwd runs the daemon without one: a bare `floatgw` prints the usage
// rather than start a second daemon next to the running one.
import { type CommandSpec, commandHelp, parseArgs, usageLine } from "./cli/args";
import { checkConfigJson, checkConfigText } from "./config/check";
import { decodeCommand } from "./cli/decode";
import { IMPORT_KEEPALIVED, importKeepalivedCommand } from "./cli/import-keepalived";
import { renderStatus } from "./cli/status";
import { type ControlRequest, DEFAULT_SWITCHOVER_HOLD_S, MAX_SWITCHOVER_HOLD_S, type Reply, type Results, requestBody } from "./daemon/control-api";
import { runDaemon } from "./daemon/daemon";
import { logToSyslog } from "./daemon/log";
import { DEFAULT_UBUS_SOCKET } from "./daemon/ubus";
import { request } from "./platform/control";
import { engineVersion, exit, programArgs, programName, readTextFile, writeErr, writeOut } from "./platform/engine";
import { selftest } from "./selftest";

const DEFAULT_CONFIG = "/etc/config/floatgw";
const DEFAULT_RUN_DIR = "/var/run/floatgw";
const CONTROL_TIMEOUT_MS = 3000;
/** A reload answers once a child has read the file (seconds for a huge one). */
const RELOAD_TIMEOUT_MS = 60_000;
/** As called: messages and help say floatgwd or floatgw, whichever the user typed. */
const PROGRAM = programName();

const RUN_DIR = { "--run-dir": { value: "DIR", help: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` } };

/** The outcome of a command: an exit code, or null while the daemon runs. */
type Outcome = number | null;
interface Command {
  readonly spec: CommandSpec;
  run(opts: ReadonlyMap<string, string>, rest: readonly string[]): Outcome;
}

function fail(message: string): number {
  writeErr(`${PROGRAM}: ${message}\n`);
  return 1;
}

function usageError(spec: CommandSpec, message: string): number {
  writeErr(`${PROGRAM}: ${message}\nusage: ${usageLine(PROGRAM, spec)}\n(${PROGRAM} ${spec.name} --help says more)\n`);
  return 2;
}

/** Asks the daemon over its control socket; a string when there was no
 * valid answer. */
function ask<K extends ControlRequest["cmd"]>(opts: ReadonlyMap<string, string>, req: Extract<ControlRequest, { cmd: K }>): Reply<Results[K]> | string {
  const socket = `${opts.get("--run-dir") ?? DEFAULT_RUN_DIR}/floatgwd.sock`;
  try {
    const reply = request(socket, requestBody(req), req.cmd === "reload" ? RELOAD_TIMEOUT_MS : CONTROL_TIMEOUT_MS) as Reply<Results[K]> | null;
    return typeof reply === "object" && reply !== null && typeof reply.ok === "boolean" ? reply : `floatgwd on ${socket} sent a malformed reply`;
  } catch (e) {
    return `${e instanceof Error ? e.message : String(e)} (is floatgwd running?)`;
  }
}

/** Runs a request and hands a successful result to `show`. */
function control<K extends ControlRequest["cmd"]>(opts: ReadonlyMap<string, string>, req: Extract<ControlRequest, { cmd: K }>, show: (result: Results[K]) => void): number {
  const reply = ask(opts, req);
  if (typeof reply === "string") return fail(reply);
  if (!reply.ok) return fail(reply.error);
  show(reply.result);
  return 0;
}

const run: Command = {
  spec: {
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
  },
  run(opts) {
    const syslog = opts.get("--syslog");
    if (syslog !== undefined) logToSyslog(syslog);
    const started = runDaemon({
      configPath: opts.get("--config") ?? DEFAULT_CONFIG,
      runDir: opts.get("--run-dir") ?? DEFAULT_RUN_DIR,
      ubusSocket: opts.get("--ubus-socket") ?? DEFAULT_UBUS_SOCKET,
    });
    return started ? null : 1; // null: the event loop runs until a signal ends it
  },
};

const status: Command = {
  spec: {
    name: "status",
    summary: "the state of every instance, from the running daemon",
    details: [
      "Per instance: state, priority and what makes it up, master, peer, VIPs,",
      "DHCP role, counters and the last transitions; then the DHCP lease channel.",
    ],
    options: { "--json": { help: "the whole status as one JSON object (the same as `ubus call floatgw status`)" }, ...RUN_DIR },
  },
  run(opts) {
    return control(opts, { cmd: "status" }, (s) => writeOut(opts.has("--json") ? JSON.stringify(s) + "\n" : renderStatus(s)));
  },
};

const switchover: Command = {
  spec: {
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
  },
  run(opts, rest) {
    // The daemon checks the range (control-api.ts); here only that it is a number.
    const hold = opts.get("--hold") ?? String(DEFAULT_SWITCHOVER_HOLD_S);
    if (!/^[0-9]{1,9}$/.test(hold)) return usageError(this.spec, `--hold takes whole seconds, not '${hold}'`);
    return control(opts, { cmd: "switchover", instance: rest[0] ?? null, holdS: Number(hold) }, (r) => {
      writeOut(`resigned ${r.resigned.map((x) => `vrid ${x.vrid} ${x.instance}`).join(", ")}; not taking the VIPs back for ${r.hold} s\n`);
    });
  },
};

const reload: Command = {
  spec: {
    name: "reload",
    summary: "make the daemon re-read its configuration now",
    details: [
      "Says whether the daemon took it. Unchanged instances keep their state; an",
      "invalid file is refused with its errors, and everything keeps running.",
    ],
    options: { ...RUN_DIR },
  },
  run(opts) {
    return control(opts, { cmd: "reload" }, (r) => {
      for (const w of r.warnings) writeErr(`${PROGRAM}: warning: ${w}\n`);
      writeOut(`reloaded; running ${r.instances.length ? r.instances.join(", ") : "no instance"}\n`);
    });
  },
};

const lease: Command = {
  spec: {
    name: "lease", args: "add|del MAC IP [HOSTNAME] [EXPIRES]", minArgs: 3, maxArgs: 5,
    summary: "a dnsmasq lease event, for the peer router (the dhcp hook runs it)",
    details: [
      "HOSTNAME may be empty or '*' when unknown; EXPIRES is the lease's end in",
      "epoch seconds (0: never), 12 h from now when empty.",
    ],
    options: { ...RUN_DIR },
  },
  run(opts, rest) {
    const [op, mac = "", ip = "", hostname = "", expires = ""] = rest;
    if (op !== "add" && op !== "del") return usageError(this.spec, `lease takes add or del, not '${op}'`);
    if (expires !== "" && !/^[0-9]+$/.test(expires)) return usageError(this.spec, `EXPIRES '${expires}' is not epoch seconds`);
    const req = { cmd: "lease", op, mac, ip, hostname: hostname === "" || hostname === "*" ? null : hostname, expires: expires === "" ? null : Number(expires) } as const;
    return control(opts, req, (r) => {
      if (r.degraded !== null) writeErr(`${PROGRAM}: lease kept, not replicated now: ${r.degraded}\n`);
    });
  },
};

const check: Command = {
  spec: {
    name: "check", args: "[FILE]", maxArgs: 1,
    summary: "validate a configuration",
    details: [`Prints each problem of FILE (default ${DEFAULT_CONFIG}) with its line; exits 1 on errors.`],
    options: { "--json": { help: "the configuration as read and its problems, as one JSON object (what floatgwd reads back on reload)" } },
  },
  run(opts, rest) {
    const path = rest[0] ?? DEFAULT_CONFIG;
    const text = readTextFile(path);
    if (text === null) return fail(`cannot read ${path}`);
    if (opts.has("--json")) {
      writeOut(checkConfigJson(text) + "\n");
      return 0;
    }
    const out = checkConfigText(text, path);
    writeOut(out.lines.join("\n") + "\n");
    return out.exitCode;
  },
};

const selftestCommand: Command = {
  spec: {
    name: "selftest", args: "[IFNAME]", maxArgs: 1,
    summary: "open every socket kind the daemon uses",
    details: ["On IFNAME (default lo), and reads the clock; prints one JSON line, exits 0 if all worked."],
  },
  run(_opts, rest) {
    const result = selftest(rest[0] ?? "lo");
    writeOut(JSON.stringify(result) + "\n");
    for (const c of result.checks) if (!c.ok) writeErr(`selftest: ${c.name} failed: ${c.detail}\n`);
    return result.ok ? 0 : 1;
  },
};

const decode: Command = {
  spec: {
    name: "decode", args: "HEX...", minArgs: 1, maxArgs: Infinity,
    summary: "decode captured VRRP datagrams",
    details: ["Each HEX is an IPv4 or IPv6 datagram; prints one JSON line each, from the daemon's own codec."],
  },
  run(_opts, rest) {
    const out = decodeCommand([...rest]);
    writeOut(out.lines.map((l) => l + "\n").join(""));
    return out.ok ? 0 : 1;
  },
};

const version: Command = {
  spec: { name: "version", summary: "print the version (also: --version)" },
  run() {
    writeOut(`floatgwd ${FLOATGW_VERSION} (QuickJS ${engineVersion})\n`);
    return 0;
  },
};

const importKeepalived: Command = { spec: IMPORT_KEEPALIVED, run: importKeepalivedCommand };

const COMMANDS: readonly Command[] = [run, status, switchover, reload, lease, check, importKeepalived, selftestCommand, decode, version];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  const lines = COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`);
  return `usage: ${PROGRAM} COMMAND [OPTIONS] [ARGS]   (${PROGRAM} COMMAND --help says more)\n\ncommands:\n${lines.join("\n")}\n`;
}

function main(args: string[]): Outcome {
  const [first, ...rest] = args;
  if (first === undefined) {
    if (PROGRAM !== "floatgw") return run.run(new Map(), []);
    writeErr(usage());
    return 2;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = COMMANDS.find((c) => c.spec.name === rest[0]);
    writeOut(topic ? commandHelp(PROGRAM, topic.spec) : usage());
    return 0;
  }
  // `floatgwd --config FILE` is `floatgwd run --config FILE`.
  const command = first === "--version" ? version : first.startsWith("-") ? run : COMMANDS.find((c) => c.spec.name === first);
  if (!command) {
    writeErr(`${PROGRAM}: unknown command '${first}'\n${usage()}`);
    return 2;
  }
  const parsed = parseArgs(command.spec, command === run && first.startsWith("-") ? args : rest);
  if (!parsed.ok) return usageError(command.spec, parsed.error);
  if (parsed.help) {
    writeOut(commandHelp(PROGRAM, command.spec));
    return 0;
  }
  return command.run(parsed.opts, parsed.rest);
}

const code = main(programArgs());
if (code !== null) exit(code);
