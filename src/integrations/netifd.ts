// [NETIFD] What netifd says about an interface, asked on ubus as `ifstatus`
// asks it (`network.interface.<name>` `status`), which answers on every
// OpenWrt since 15.05: the device behind it (lan -> br-lan) and whether it
// is up. The call goes to ubusd from the daemon itself (platform/ubus/
// sync-call.ts), not through ifstatus: the device is needed before any instance
// can start, and ifstatus is a shell running a script that runs ubus twice
// (docs/performance.md). Elsewhere (no ubusd, or the interface is unknown)
// the answer is null: the section's `device` option is used instead, and
// an interface tracker counts as down.
import { callUbus } from "../platform/ubus/sync-call";

/** netifd answers at once; during boot it may be busy bringing interfaces
 * up. `ubus call` itself waits 30 s: a start that waits that long for an
 * interface's name is worse than a start on the `device` option. */
const NETIFD_TIMEOUT_MS = 5000;

/** Asks netifd (through ubusd at `ubusSocket`) about interfaces. */
export class Netifd {
  constructor(private readonly ubusSocket: string) {}

  /** The device behind the interface, or null if netifd does not say. */
  device(iface: string): string | null {
    const status = this.status(iface);
    const device = status?.l3_device ?? status?.device;
    return typeof device === "string" && device !== "" ? device : null;
  }

  /** Whether netifd has the interface up now; null when it does not answer. */
  interfaceUp(iface: string): boolean | null {
    const up = this.status(iface)?.up;
    return typeof up === "boolean" ? up : null;
  }

  private status(iface: string): { l3_device?: unknown; device?: unknown; up?: unknown } | null {
    const r = callUbus(this.ubusSocket, `network.interface.${iface}`, "status", {}, NETIFD_TIMEOUT_MS);
    return r.ok ? r.value : null;
  }
}
