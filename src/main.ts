// The single floatgw binary. Called as floatgwd it runs the daemon (or a
// tool subcommand); called as floatgw (a symlink) it is the CLI. Both names
// accept every command, so `floatgwd status` works too.
import { checkConfigText } from "./config/check";
import { decodeCommand } from "./cli/decode";
import { importKeepalivedCommand } from "./cli/import-keepalived";
import { renderStatus } from "./cli/status";
import { runDaemon } from "./daemon/daemon";
import { request } from "./platform/control";
import { engineVersion, exit, programArgs, readTextFile, writeErr, writeOut } from "./platform/engine";
import { selftest } from "./selftest";

const DEFAULT_CONFIG = "/etc/config/floatgw";
const DEFAULT_RUN_DIR = "/var/run/floatgw";
const CONTROL_TIMEOUT_MS = 3000;
const DEFAULT_SWITCHOVER_HOLD_S = 60;

const USAGE = `usage: floatgwd [run] [--config FILE] [--run-dir DIR]   run the daemon
       floatgw status [--json] [--run-dir DIR]            state of every instance
       floatgw switchover [--hold SECONDS] [--run-dir DIR] hand the VIPs to the backup
       floatgw lease add|del MAC IP [HOSTNAME] [EXPIRES] [--run-dir DIR]
                                                          a dnsmasq lease event, for the peer
       floatgw check [FILE]                               validate a configuration
       floatgw import-keepalived [FILE] [--write [PATH]]   convert keepalived's configuration
       floatgwd selftest [IFNAME]                          open every socket kind, one JSON line
       floatgwd decode HEX...                              decode captured VRRP datagrams
       floatgwd --version
`;

/** Splits `--name value` options and `--flag`s from positional arguments. */
function parseArgs(args: string[], flags: string[]): { opts: Map<string, string>; rest: string[] } | string {
  const opts = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (!a.startsWith("--")) rest.push(a);
    else if (flags.includes(a)) opts.set(a, "1");
    else if (i + 1 < args.length) opts.set(a, args[++i] ?? "");
    else return `option ${a} needs a value`;
  }
  return { opts, rest };
}

function runCommand(args: string[]): number | null {
  const parsed = parseArgs(args, []);
  if (typeof parsed === "string") return usageError(parsed);
  const started = runDaemon({
    configPath: parsed.opts.get("--config") ?? DEFAULT_CONFIG,
    runDir: parsed.opts.get("--run-dir") ?? DEFAULT_RUN_DIR,
    switchoverHoldMs: DEFAULT_SWITCHOVER_HOLD_S * 1000,
  });
  return started ? null : 1; // null: the event loop runs until a signal ends it
}

function control(args: string[], body: Record<string, unknown>): Record<string, unknown> | number {
  const parsed = parseArgs(args, ["--json"]);
  if (typeof parsed === "string") return usageError(parsed);
  const socket = `${parsed.opts.get("--run-dir") ?? DEFAULT_RUN_DIR}/floatgwd.sock`;
  try {
    return request(socket, body, CONTROL_TIMEOUT_MS);
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)} (is floatgwd running?)`);
  }
}

function statusCommand(args: string[]): number {
  const reply = control(args, { cmd: "status" });
  if (typeof reply === "number") return reply;
  writeOut(args.includes("--json") ? JSON.stringify(reply) + "\n" : renderStatus(reply));
  return 0;
}

function switchoverCommand(args: string[]): number {
  const parsed = parseArgs(args, []);
  if (typeof parsed === "string") return usageError(parsed);
  const hold = Number(parsed.opts.get("--hold") ?? DEFAULT_SWITCHOVER_HOLD_S);
  if (!Number.isInteger(hold) || hold < 0 || hold > 86400) return usageError(`--hold takes whole seconds 0-86400`);
  const reply = control(args, { cmd: "switchover", holdMs: hold * 1000 });
  if (typeof reply === "number") return reply;
  if (reply.ok !== true) return fail(String(reply.error));
  writeOut(`resigned ${(reply.resigned as string[]).join(", ")}; not taking the VIPs back for ${hold} s\n`);
  return 0;
}

/** From /etc/hotplug.d/dhcp/50-floatgw: EXPIRES is the lease's end in epoch
 * seconds (0: never); HOSTNAME and EXPIRES may be empty or '*' when unknown. */
function leaseCommand(args: string[]): number {
  const parsed = parseArgs(args, []);
  if (typeof parsed === "string") return usageError(parsed);
  const [op, mac, ip, hostname = "", expires = ""] = parsed.rest;
  if ((op !== "add" && op !== "del") || !mac || !ip || parsed.rest.length > 5) return usageError("lease takes add|del MAC IP [HOSTNAME] [EXPIRES]");
  if (expires !== "" && !/^[0-9]+$/.test(expires)) return usageError(`EXPIRES '${expires}' is not epoch seconds`);
  const body: Record<string, unknown> = { cmd: "lease", op, mac, ip };
  if (hostname !== "" && hostname !== "*") body.hostname = hostname;
  if (expires !== "") body.expires = Number(expires);
  const reply = control(args, body);
  if (typeof reply === "number") return reply;
  if (reply.ok !== true) return fail(String(reply.error));
  if (typeof reply.degraded === "string") writeErr(`floatgw: lease kept, not replicated now: ${reply.degraded}\n`);
  return 0;
}

function checkCommand(args: string[]): number {
  const path = args[0] ?? DEFAULT_CONFIG;
  const text = readTextFile(path);
  if (text === null) return fail(`cannot read ${path}`);
  const out = checkConfigText(text, path);
  writeOut(out.lines.join("\n") + "\n");
  return out.exitCode;
}

function fail(message: string): number {
  writeErr(`floatgw: ${message}\n`);
  return 1;
}

function usageError(message: string): number {
  writeErr(`floatgw: ${message}\n${USAGE}`);
  return 2;
}

function main(args: string[]): number | null {
  const [command, ...rest] = args;
  switch (command) {
    case "--version":
    case "version":
      writeOut(`floatgwd ${FLOATGW_VERSION} (QuickJS ${engineVersion})\n`);
      return 0;
    case "selftest": {
      const result = selftest(rest[0] ?? "lo");
      writeOut(JSON.stringify(result) + "\n");
      for (const c of result.checks) if (!c.ok) writeErr(`selftest: ${c.name} failed: ${c.detail}\n`);
      return result.ok ? 0 : 1;
    }
    case "decode": {
      const out = decodeCommand(rest);
      writeOut(out.lines.map((l) => l + "\n").join(""));
      return out.ok ? 0 : 1;
    }
    case "run":
      return runCommand(rest);
    case "status":
      return statusCommand(rest);
    case "switchover":
      return switchoverCommand(rest);
    case "lease":
      return leaseCommand(rest);
    case "check":
      return checkCommand(rest);
    case "import-keepalived":
      return importKeepalivedCommand(rest);
    case "--help":
    case "help":
      writeOut(USAGE);
      return 0;
    case undefined:
      return runCommand([]);
    default:
      if (command.startsWith("--")) return runCommand(args);
      writeErr(`floatgwd: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

const code = main(programArgs());
if (code !== null) exit(code);
