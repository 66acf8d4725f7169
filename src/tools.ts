// The tools, the third of the binary's programs: src/native/main.c runs it
// when the control client (src/cli.ts) has returned, having parsed the
// command line and handed over a command of its own (src/cli/handoff.ts)
// that is not the daemon's: `check`, `import-keepalived`, `selftest` and
// `decode`. Kept apart from the daemon (src/main.ts), which then loads none
// of their code: a daemon engine that had read it kept about 250 KB more
// resident, its garbage (docs/performance.md).
import type { Runner } from "./cli/commands";
import { DEFAULT_CONFIG, fail } from "./cli/program";
import { handedOver } from "./cli/handoff";
import { checkConfigJson, checkConfigText } from "./config/check";
import { decodeCommand } from "./cli/decode";
import { importKeepalivedCommand } from "./cli/import-keepalived";
import { exit, readTextFile, writeErr, writeOut } from "./platform/engine";
import { selftest } from "./selftest";

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
const RUNNERS: Readonly<Record<string, Runner>> = {
  check, "import-keepalived": importKeepalivedCommand, selftest: selftestCommand, decode,
};

const invocation = handedOver();
const runner = invocation && RUNNERS[invocation.command];
exit(runner ? runner(invocation.opts, invocation.rest) : fail(`internal error: no command handed over for '${invocation?.command ?? ""}'`));
