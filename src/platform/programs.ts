// Finding the program a script line names, as a shell would, for tracker
// scripts and notify scripts alike (they run without a shell).
import { isExecutable } from "./engine";

/** The PATH scripts run with: OpenWrt's. */
export const SCRIPT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

/** A bare program name searched in SCRIPT_PATH; a path taken as it is. Null when not executable. */
export function resolveProgram(name: string): string | null {
  if (name.includes("/")) return isExecutable(name) ? name : null;
  for (const dir of SCRIPT_PATH.split(":")) if (isExecutable(`${dir}/${name}`)) return `${dir}/${name}`;
  return null;
}
