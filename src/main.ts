// floatgwd entry point: dispatches the subcommands of the single binary.
import { engineVersion, exit, programArgs, writeErr, writeOut } from "./platform/engine";
import { selftest } from "./selftest";

const USAGE = `usage: floatgwd <command>
  --version            print floatgw's and the engine's versions
  selftest [ifname]    open every socket kind on ifname (default lo), print one JSON line
`;

function main(args: string[]): number {
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
    case "--help":
    case "help":
      writeOut(USAGE);
      return 0;
    default:
      writeErr(command === undefined ? USAGE : `floatgwd: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

exit(main(programArgs()));
