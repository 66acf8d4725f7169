// [NETIFD] What netifd says about an interface, asked from `ifstatus`,
// which is there on every OpenWrt since 15.05: the device behind it (lan ->
// br-lan) and whether it is up. Elsewhere (or if the interface is unknown)
// the answer is null: the section's `device` option is used instead, and an
// interface tracker counts as down.
import { commandOutput } from "../platform/engine";

/** Interface names are validated by the schema ([A-Za-z0-9_.@-]), so they
 * are safe inside single quotes. */
export function netifdDevice(iface: string): string | null {
  const status = ifstatus(iface);
  const device = status?.l3_device ?? status?.device;
  return typeof device === "string" && device !== "" ? device : null;
}

/** Whether netifd has the interface up now; null when it does not answer. */
export function netifdInterfaceUp(iface: string): boolean | null {
  const up = ifstatus(iface)?.up;
  return typeof up === "boolean" ? up : null;
}

function ifstatus(iface: string): { l3_device?: unknown; device?: unknown; up?: unknown } | null {
  const out = commandOutput(`ifstatus '${iface}' 2>/dev/null`);
  if (!out) return null;
  try {
    const status: unknown = JSON.parse(out);
    return typeof status === "object" && status !== null ? status : null;
  } catch {
    return null;
  }
}
