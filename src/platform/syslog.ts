// [SYSLOG] The local syslog socket (/dev/log, where OpenWrt's logd
// listens): one unix datagram per line, sent without blocking and without a
// connection, so a logd that restarts is found again at the next line.
import { utf8Bytes } from "../leases/sha256";
import { C, sys } from "./engine";
import { sockaddrUn } from "./sockaddr";

export class SyslogSocket {
  private readonly fd = sys.socket(C.AF_UNIX, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0);
  private readonly address: Uint8Array;

  constructor(path: string) {
    this.address = sockaddrUn(path);
  }

  /** False when syslog cannot take the line now: no socket at the path,
   * nobody listening, or its queue full. */
  send(line: string): boolean {
    try {
      return sys.sendto(this.fd, utf8Bytes(line), this.address) !== null;
    } catch {
      return false;
    }
  }
}
