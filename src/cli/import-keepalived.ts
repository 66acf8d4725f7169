// `floatgw import-keepalived [FILE] [--config-id ID] [--write[=PATH]]`: the
// command line around src/import. The configuration goes to stdout (or to
// PATH, the old file kept as PATH.bak), the report to stderr. Exit status:
// 0 converted, 1 not converted (errors; nothing written), 2 bad arguments.

import { type FileSystemView, joinPath } from "../import/files";
import { importKeepalived } from "../import/import";
import { currentDirectory, fileKind, listDirectory, readTextFile, writeErr, writeFileAtomic, writeOut } from "../platform/engine";
import { DEFAULT_CONFIG, KEEPALIVED_SOURCES, PROGRAM, fail } from "./program";

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
  writeErr(`${PROGRAM}: wrote ${target}${kept}; check it with: floatgw check ${target}\n`);
  return null;
}

export function importKeepalivedCommand(opts: ReadonlyMap<string, string>, rest: readonly string[]): number {
  const source = rest[0] ?? KEEPALIVED_SOURCES.find((p) => fileKind(p) === "file") ?? KEEPALIVED_SOURCES[0] ?? "";
  const path = absolute(source);
  const write = opts.get("--write");
  const target = write === undefined ? null : absolute(write === "" ? DEFAULT_CONFIG : write);
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
