// `user` or `user:group` of a tracker script to numeric ids, from
// /etc/passwd and /etc/group (OpenWrt has no NSS beyond these files).
import { readTextFile } from "./engine";

export interface Ids {
  readonly uid: number;
  readonly gid: number;
}

/** The field lists of a colon-separated database's lines. */
function entries(path: string): string[][] {
  return (readTextFile(path) ?? "").split("\n").map((l) => l.split(":"));
}

/** The ids to run as, or the reason there are none. */
export function lookupIds(spec: string): Ids | string {
  const [user = "", group] = spec.split(":");
  const pw = entries("/etc/passwd").find((f) => f[0] === user && f.length >= 4);
  if (pw === undefined) return `no user '${user}' in /etc/passwd`;
  let gid = Number(pw[3]);
  if (group !== undefined) {
    const gr = entries("/etc/group").find((f) => f[0] === group && f.length >= 3);
    if (gr === undefined) return `no group '${group}' in /etc/group`;
    gid = Number(gr[2]);
  }
  return { uid: Number(pw[2]), gid };
}
