// Socket options whose values need building.
import { C, sys } from "./engine";

/** SO_BINDTODEVICE: the NUL-terminated interface name. Pins both the
 * interface we receive on and the one we send from. */
export function bindToDevice(fd: number, ifname: string): void {
  const name = new Uint8Array(ifname.length + 1);
  for (let i = 0; i < ifname.length; i++) name[i] = ifname.charCodeAt(i) & 0xff;
  sys.setsockopt(fd, C.SOL_SOCKET, C.SO_BINDTODEVICE, name);
}
