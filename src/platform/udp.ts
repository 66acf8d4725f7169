// A non-blocking IPv4 UDP socket bound to a port on every address: the
// lease channel's (src/daemon/lease-sync.ts).
import { C, sys } from "./engine";
import { decodeSockaddr, sockaddrIn } from "./sockaddr";

const MAX_DATAGRAM = 65536;

export class UdpSocket {
  readonly fd: number;

  constructor(readonly port: number) {
    this.fd = sys.socket(C.AF_INET, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0);
    try {
      sys.setsockopt(this.fd, C.SOL_SOCKET, C.SO_REUSEADDR, 1);
      sys.bind(this.fd, sockaddrIn(new Uint8Array(4), port));
    } catch (e) {
      sys.close(this.fd);
      throw e;
    }
  }

  /** Sends one datagram; false if the kernel refused it (no route, ...). */
  send(data: Uint8Array, address: Uint8Array): boolean {
    try {
      return sys.sendto(this.fd, data, sockaddrIn(address, this.port)) !== null;
    } catch {
      return false;
    }
  }

  /** The next waiting datagram and its sender's address, or null. */
  receive(): { data: Uint8Array; from: Uint8Array | null } | null {
    const got = sys.recvmsg(this.fd, MAX_DATAGRAM);
    if (!got) return null;
    const from = decodeSockaddr(got.from);
    return { data: new Uint8Array(got.data), from: from.family === "inet" ? from.address : null };
  }

  close(): void {
    sys.close(this.fd);
  }
}
