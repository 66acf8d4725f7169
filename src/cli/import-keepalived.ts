// `floatgw import-keepalived [FILE] [--config-id ID] [--write [PATH]]`: the
// command line around src/import. The configuration goes to stdout (or to
// PATH, the old file kept as PATH.bak), the report to stderr. Exit status:
// 0 converted, 1 not converted (errors; nothing written), 2 bad arguments.

import { type FileSystemView, joinPath } from "../import/files";
import { importKeepalived } from "../import/import";
import { currentDirectory, fileKind, listDirectory, readTextFile, writeErr, writeFileAtomic, writeOut } from "../platform/engine";

export const IMPORT_USAGE = `usage: floatgw import-keepalived [FILE] [--config-id ID] [--write [PATH]]
  FILE         /etc/config/keepalived (OpenWrt) or a keepalived.conf; default: the
               first of /etc/config/keepalived, /etc/keepalived/keepalived.conf
  --config-id  keepalived's -i, for @ID lines (default: the host name up to the first dot)
  --write      write the result to PATH (default /etc/config/floatgw; FILE goes
               before --write), keeping the old file as PATH.bak; without
               --write the result goes to stdout
The report goes to stderr. Exit status: 0 converted, 1 not converted, 2 usage.
`;

const DEFAULT_SOURCES = ["/etc/config/keepalived", "/etc/keepalived/keepalived.conf"];
const DEFAULT_TARGET = "/etc/config/floatgw";

interface Args {
  file: string | null;
  configId: string | null;
  /** null: stdout. */
  write: string | null;
}

function parse(args: readonly string[]): Args | string {
  const out: Args = { file: null, configId: null, write: null };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--write") {
      const next = args[i + 1];
      // The argument after --write is its PATH (FILE goes before --write).
      if (next !== undefined && !next.startsWith("-")) {
        out.write = next;
        i++;
      } else out.write = DEFAULT_TARGET;
    } else if (a.startsWith("--write=")) out.write = a.slice("--write=".length);
    else if (a === "--config-id") {
      const next = args[++i];
      if (next === undefined) return "--config-id needs a value";
      out.configId = next;
    } else if (a.startsWith("-")) return `unknown option ${a}`;
    else if (out.file === null) out.file = a;
    else return `unexpected argument '${a}'`;
  }
  return out;
}

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

export function importKeepalivedCommand(args: readonly string[]): number {
  if (args.includes("--help") || args.includes("-h")) {
    writeOut(IMPORT_USAGE);
    return 0;
  }
  const parsed = parse(args);
  if (typeof parsed === "string") {
    writeErr(`floatgw: ${parsed}\n${IMPORT_USAGE}`);
    return 2;
  }
  const source = parsed.file ?? DEFAULT_SOURCES.find((p) => fileKind(p) === "file") ?? DEFAULT_SOURCES[0] ?? "";
  const path = absolute(source);
  const result = importKeepalived(path, fs, { configId: parsed.configId ?? hostConfigId(), outputName: parsed.write ?? "(the converted configuration)" });
  writeErr(result.report);
  if (result.config === null) {
    writeErr("floatgw: nothing converted, nothing written\n");
    return 1;
  }
  if (parsed.write === null) {
    writeOut(result.config);
    return 0;
  }
  const target = absolute(parsed.write);
  if (result.files.includes(target)) {
    writeErr(`floatgw: refusing to write over ${target}, which is part of the keepalived configuration\n`);
    return 1;
  }
  let kept = "";
  if (fileKind(target) !== null) {
    const old = readTextFile(target);
    const backup = backupPath(target);
    if (old === null || !writeFileAtomic(backup, old)) {
      writeErr(`floatgw: cannot keep a copy of ${target} as ${backup}; nothing written\n`);
      return 1;
    }
    kept = ` (the previous file is ${backup})`;
  }
  if (!writeFileAtomic(target, result.config)) {
    writeErr(`floatgw: cannot write ${target}\n`);
    return 1;
  }
  writeErr(`floatgw: wrote ${target}${kept}; check it with: floatgw check ${target}\n`);
  return 0;
}
