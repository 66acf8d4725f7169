// `floatgw import-keepalived [FILE] [--config-id ID] [--write[=PATH]]`: the
// command line around src/import. The configuration goes to stdout (or to
// PATH, the old file kept as PATH.bak), the report to stderr. Exit status:
// 0 converted, 1 not converted (errors; nothing written), 2 bad arguments.

import { type FileSystemView, joinPath } from "../import/files";
import { importKeepalived } from "../import/import";
import { currentDirectory, fileKind, listDirectory, programName, readTextFile, writeErr, writeFileAtomic, writeOut } from "../platform/engine";
import type { CommandSpec } from "./args";

const DEFAULT_SOURCES = ["/etc/config/keepalived", "/etc/keepalived/keepalived.conf"];
const DEFAULT_TARGET = "/etc/config/floatgw";

export const IMPORT_KEEPALIVED: CommandSpec = {
  name: "import-keepalived",
  args: "[FILE]",
  maxArgs: 1,
  summary: "convert keepalived's configuration to /etc/config/floatgw",
  details: [
    `FILE is OpenWrt's /etc/config/keepalived or a keepalived.conf (default: the first of`,
    `${DEFAULT_SOURCES.join(", ")}). The result goes to stdout, the report of what`,
    "became of every keepalived setting to stderr. Exits 1, writing nothing, on errors.",
  ],
  options: {
    "--config-id": { value: "ID", help: "keepalived's -i, for @ID lines (default: the host name up to the first dot)" },
    "--write": {
      value: "PATH",
      optional: true,
      help: `write the result to PATH (default ${DEFAULT_TARGET}) instead, keeping the old file as PATH.bak`,
    },
  },
};

const fs: FileSystemView = { kind: fileKind, listDir: listDirectory, readText: readTextFile };

function absolute(path: string): string {
  if (path.startsWith("/")) return path;
  const cwd = currentDirectory();
  return cwd === null ? path : joinPath(cwd, path);
}

/** keepalived's default config id: the node name up to the first dot. */
function hostConfigId(): string | null {
  const name = readTextFile("/proc/sys/kernel/hostname")?.trim() ?? "";
  return name === "" ? null : (name.split(".")[0] ?? name);
}

/** The first PATH.bak, PATH.bak.1, ... that does not exist yet. */
function backupPath(path: string): string {
  let candidate = `${path}.bak`;
  for (let n = 1; fileKind(candidate) !== null; n++) candidate = `${path}.bak.${n}`;
  return candidate;
}

function fail(message: string): number {
  writeErr(`${programName()}: ${message}\n`);
  return 1;
}

/** Writes `text` to `target`, keeping what was there; a message when it could not. */
function writeKeeping(target: string, text: string): string | null {
  let kept = "";
  if (fileKind(target) !== null) {
    const old = readTextFile(target);
    const backup = backupPath(target);
    if (old === null || !writeFileAtomic(backup, old)) return `cannot keep a copy of ${target} as ${backup}; nothing written`;
    kept = ` (the previous file is ${backup})`;
  }
  if (!writeFileAtomic(target, text)) return `cannot write ${target}`;
  writeErr(`${programName()}: wrote ${target}${kept}; check it with: floatgw check ${target}\n`);
  return null;
}

export function importKeepalivedCommand(opts: ReadonlyMap<string, string>, rest: readonly string[]): number {
  const source = rest[0] ?? DEFAULT_SOURCES.find((p) => fileKind(p) === "file") ?? DEFAULT_SOURCES[0] ?? "";
  const path = absolute(source);
  const write = opts.get("--write");
  const target = write === undefined ? null : absolute(write === "" ? DEFAULT_TARGET : write);
  const result = importKeepalived(path, fs, { configId: opts.get("--config-id") ?? hostConfigId(), outputName: target ?? "(the converted configuration)" });
  writeErr(result.report);
  if (result.config === null) return fail("nothing converted, nothing written");
  if (target === null) {
    writeOut(result.config);
    return 0;
  }
  if (result.files.includes(target)) return fail(`refusing to write over ${target}, which is part of the keepalived configuration`);
  const problem = writeKeeping(target, result.config);
  return problem === null ? 0 : fail(problem);
}
