// floatgw's control client, the first of the binary's three programs
// (src/native/main.c runs it first, whatever the name it was called by). It
// parses every command line and answers help, usage errors, the version and
// the commands that only talk to the running daemon over its control socket,
// and ends the process. Any other command it hands over, parsed
// (src/cli/handoff.ts), to the daemon (src/main.ts) or the tools
// (src/tools.ts), which main.c runs when this one returns. Kept apart so that
// `floatgw switchover` and `floatgw status` read and run 17 KB of bytecode
// (docs/performance.md).
import type { CommandSpec } from "./cli/args";
import { LEASE, RELOAD, type Runner, STATUS, SWITCHOVER, VERSION, dispatch, usageError } from "./cli/commands";
import { DEFAULT_RUN_DIR, PROGRAM, fail } from "./cli/program";
import { renderStatus } from "./cli/status";
import { type ControlRequest, DEFAULT_SWITCHOVER_HOLD_S, type Reply, type Results, requestBody } from "./daemon/control-api";
import { request } from "./platform/control";
import { engineVersion, exit, programArgs, writeErr, writeOut } from "./platform/engine";

const CONTROL_TIMEOUT_MS = 3000;
/** A reload answers once a child has read the file (seconds for a huge one). */
const RELOAD_TIMEOUT_MS = 60_000;

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

const status: Runner = (opts) => control(opts, { cmd: "status" }, (s) => writeOut(opts.has("--json") ? JSON.stringify(s) + "\n" : renderStatus(s)));

const switchover: Runner = (opts, rest) => {
  // The daemon checks the range (control-api.ts); here only that it is a number.
  const hold = opts.get("--hold") ?? String(DEFAULT_SWITCHOVER_HOLD_S);
  if (!/^[0-9]{1,9}$/.test(hold)) return usageError(SWITCHOVER, `--hold takes whole seconds, not '${hold}'`);
  return control(opts, { cmd: "switchover", instance: rest[0] ?? null, holdS: Number(hold) }, (r) => {
    writeOut(`resigned ${r.resigned.map((x) => `vrid ${x.vrid} ${x.instance}`).join(", ")}; not taking the VIPs back for ${r.hold} s\n`);
  });
};

const reload: Runner = (opts) =>
  control(opts, { cmd: "reload" }, (r) => {
    for (const w of r.warnings) writeErr(`${PROGRAM}: warning: ${w}\n`);
    writeOut(`reloaded; running ${r.instances.length ? r.instances.join(", ") : "no instance"}\n`);
  });

const lease: Runner = (opts, rest) => {
  const [op, mac = "", ip = "", hostname = "", expires = ""] = rest;
  if (op !== "add" && op !== "del") return usageError(LEASE, `lease takes add or del, not '${op}'`);
  if (expires !== "" && !/^[0-9]+$/.test(expires)) return usageError(LEASE, `EXPIRES '${expires}' is not epoch seconds`);
  const req = { cmd: "lease", op, mac, ip, hostname: hostname === "" || hostname === "*" ? null : hostname, expires: expires === "" ? null : Number(expires) } as const;
  return control(opts, req, (r) => {
    if (r.degraded !== null) writeErr(`${PROGRAM}: lease kept, not replicated now: ${r.degraded}\n`);
  });
};

const version: Runner = () => {
  writeOut(`floatgwd ${FLOATGW_VERSION} (QuickJS ${engineVersion})\n`);
  return 0;
};

const RUNNERS = new Map<CommandSpec, Runner>([[STATUS, status], [SWITCHOVER, switchover], [RELOAD, reload], [LEASE, lease], [VERSION, version]]);

const code = dispatch(programArgs(), RUNNERS);
if (code !== undefined) exit(code);
