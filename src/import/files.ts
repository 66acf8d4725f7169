// What the importer needs from the file system, as an interface: the CLI
// passes the engine's functions, tests pass a map of paths to texts, so
// everything that parses stays pure.

export type FileKind = "file" | "dir";

export interface FileSystemView {
  /** What `path` is (following symlinks), or null when it does not exist. */
  kind(path: string): FileKind | null;
  /** The names in a directory (without `.` and `..`), or null when it cannot be read. */
  listDir(path: string): readonly string[] | null;
  readText(path: string): string | null;
}

/** The directory part of a path: "/etc/keepalived" for "/etc/keepalived/a.conf", "." for "a.conf". */
export function dirName(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : path.slice(0, slash);
}

/** `name` relative to `dir`, unless it is absolute. */
export function joinPath(dir: string, name: string): string {
  if (name.startsWith("/")) return name;
  if (dir === ".") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
