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

/** `name` relative to `dir`, unless it is absolute; `.` and `..` resolved by name. */
export function joinPath(dir: string, name: string): string {
  const joined = name.startsWith("/") || dir === "." ? name : dir.endsWith("/") ? dir + name : `${dir}/${name}`;
  const absolute = joined.startsWith("/");
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (part !== ".." || !absolute) parts.push(part);
  }
  const path = parts.join("/");
  return absolute ? `/${path}` : path === "" ? "." : path;
}
