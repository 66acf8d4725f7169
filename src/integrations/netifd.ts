// [NETIFD] The device behind a netifd interface (lan -> br-lan), asked from
// `ifstatus`, which is there on every OpenWrt since 15.05. Elsewhere (or if
// the interface is unknown) the answer is null and the section's `device`
// option is used instead.
import { commandOutput } from "../platform/engine";

/** Interface names are validated by the schema ([A-Za-z0-9_.@-]), so they
 * are safe inside single quotes. */
export function netifdDevice(iface: string): string | null {
  const out = commandOutput(`ifstatus '${iface}' 2>/dev/null`);
  if (!out) return null;
  try {
    const status = JSON.parse(out) as { l3_device?: unknown; device?: unknown };
    const device = status.l3_device ?? status.device;
    return typeof device === "string" && device !== "" ? device : null;
  } catch {
    return null;
  }
}
