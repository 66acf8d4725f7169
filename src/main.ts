// The daemon, the second of the binary's programs: src/native/main.c runs it
// when the control client (src/cli.ts) has returned, having parsed the
// command line and handed over the daemon's command, `run` (also floatgwd
// alone, or with options first: src/cli/handoff.ts). The other commands the
// client hands over are src/tools.ts's, a program of their own.
import { DEFAULT_CONFIG, DEFAULT_RUN_DIR, DEFAULT_UBUS_SOCKET, fail } from "./cli/program";
import { handedOver } from "./cli/handoff";
import { runDaemon } from "./daemon/daemon";
import { logToSyslog } from "./daemon/log";
import { exit } from "./platform/engine";

/** Whether the daemon started: its event loop then runs until a signal ends it. */
function run(opts: ReadonlyMap<string, string>): boolean {
  const syslog = opts.get("--syslog");
  if (syslog !== undefined) logToSyslog(syslog);
  return runDaemon({
    configPath: opts.get("--config") ?? DEFAULT_CONFIG,
    runDir: opts.get("--run-dir") ?? DEFAULT_RUN_DIR,
    ubusSocket: opts.get("--ubus-socket") ?? DEFAULT_UBUS_SOCKET,
  });
}

const invocation = handedOver();
if (invocation?.command !== "run") exit(fail(`internal error: no command handed over for '${invocation?.command ?? ""}'`));
else if (!run(invocation.opts)) exit(1);
