// The whole program, the second of the binary's two programs: src/native/main.c
// runs it when the control client (src/cli.ts) has returned, having parsed the
// command line and handed over a command of this program (src/cli/handoff.ts):
// the daemon, and the commands that need its code.
import type { Runner } from "./cli/commands";
import { DEFAULT_CONFIG, DEFAULT_RUN_DIR, DEFAULT_UBUS_SOCKET, fail } from "./cli/program";
import { handedOver } from "./cli/handoff";
import { checkConfigJson, checkConfigText } from "./config/check";
import { decodeCommand } from "./cli/decode";
import { importKeepalivedCommand } from "./cli/import-keepalived";
import { runDaemon } from "./daemon/daemon";
import { logToSyslog } from "./daemon/log";
import { exit, readTextFile, writeErr, writeOut } from "./platform/engine";
import { selftest } from "./selftest";

const run: Runner<number | null> = (opts) => {
  const syslog = opts.get("--syslog");
  if (syslog !== undefined) logToSyslog(syslog);
  const started = runDaemon({
    configPath: opts.get("--config") ?? DEFAULT_CONFIG,
    runDir: opts.get("--run-dir") ?? DEFAULT_RUN_DIR,
    ubusSocket: opts.get("--ubus-socket") ?? DEFAULT_UBUS_SOCKET,
  });
  return started ? null : 1; // null: the event loop runs until a signal ends it
};

const check: Runner = (opts, rest) => {
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
};

const selftestCommand: Runner = (_opts, rest) => {
  const result = selftest(rest[0] ?? "lo");
  writeOut(JSON.stringify(result) + "\n");
  for (const c of result.checks) if (!c.ok) writeErr(`selftest: ${c.name} failed: ${c.detail}\n`);
  return result.ok ? 0 : 1;
};

const decode: Runner = (_opts, rest) => {
  const out = decodeCommand([...rest]);
  writeOut(out.lines.map((l) => l + "\n").join(""));
  return out.ok ? 0 : 1;
};

/** By the name of their spec in src/cli/commands.ts. */
const RUNNERS: Readonly<Record<string, Runner<number | null>>> = {
  run, check, "import-keepalived": importKeepalivedCommand, selftest: selftestCommand, decode,
};

const invocation = handedOver();
const runner = invocation && RUNNERS[invocation.command];
const code = runner ? runner(invocation.opts, invocation.rest) : fail(`internal error: no command handed over for '${invocation?.command ?? ""}'`);
// null: the daemon runs, its event loop until a signal ends it.
if (code !== null) exit(code);
