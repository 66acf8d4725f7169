// File systems for the importer's tests (not a test file itself): one in
// memory, and one over the real fixtures.

import { readdirSync, readFileSync, statSync } from "node:fs";
import type { FileKind, FileSystemView } from "../../src/import/files";

/** Paths to texts; every parent of a path is a directory. */
export function memoryFs(files: Record<string, string>): FileSystemView {
  const dirs = new Set<string>(["/"]);
  for (const path of Object.keys(files)) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/") || "/");
  }
  return {
    kind: (p): FileKind | null => (p in files ? "file" : dirs.has(p.replace(/\/$/, "") || "/") ? "dir" : null),
    listDir(p) {
      const dir = p.replace(/\/$/, "") || "/";
      if (!dirs.has(dir)) return null;
      const prefix = dir === "/" ? "/" : `${dir}/`;
      const names = new Set<string>();
      for (const path of [...Object.keys(files), ...dirs])
        if (path.startsWith(prefix) && path.length > prefix.length) names.add(path.slice(prefix.length).split("/")[0] ?? "");
      return [...names];
    },
    readText: (p) => files[p] ?? null,
  };
}

export const diskFs: FileSystemView = {
  kind(p) {
    try {
      return statSync(p).isDirectory() ? "dir" : "file";
    } catch {
      return null;
    }
  },
  listDir(p) {
    try {
      return readdirSync(p);
    } catch {
      return null;
    }
  },
  readText(p) {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return null;
    }
  },
};
