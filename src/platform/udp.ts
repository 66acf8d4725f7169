// A non-blocking IPv4 UDP socket bound to one address and port on one
// device: the lease channel's (src/daemon/lease-sync.ts). Bound to our own
// address on br-lan, it hears only datagrams sent to that address that
// arrived on br-lan: not those for the VIP, a broadcast, or another
// interface (Linux would otherwise take a datagram for the LAN address from
// the WAN side too).
import { C, sys } from "./engine";
import { decodeSockaddr, sockaddrIn } from "./sockaddr";
import { bindToDevice } from "./sockopt";

export interface UdpBinding {
  device: string;
  address: Uint8Array;
  port: number;
}

export interface UdpDatagram {
  data: Uint8Array;
  from: Uint8Array | null;
  /** Longer than the receive limit: only its start was read. */
  truncated: boolean;
}

export class UdpSocket {
  readonly fd: number;

  constructor(readonly binding: UdpBinding) {
    this.fd = sys.socket(C.AF_INET, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0);
    try {
      sys.setsockopt(this.fd, C.SOL_SOCKET, C.SO_REUSEADDR, 1);
      bindToDevice(this.fd, binding.device);
      sys.bind(this.fd, sockaddrIn(binding.address, binding.port));
    } catch (e) {
      sys.close(this.fd);
      throw e;
    }
  }

  /** Sends one datagram; false if the kernel refused it (no route, ...). */
  send(data: Uint8Array, address: Uint8Array): boolean {
    try {
      return sys.sendto(this.fd, data, sockaddrIn(address, this.binding.port)) !== null;
    } catch {
      return false;
    }
  }

  /** The next waiting datagram (at most `maxLength` bytes of it) and its
   * sender's address, or null. */
  receive(maxLength: number): UdpDatagram | null {
    const got = sys.recvmsg(this.fd, maxLength);
    if (!got) return null;
    const from = decodeSockaddr(got.from);
    return { data: new Uint8Array(got.data), from: from.family === "inet" ? from.address : null, truncated: got.truncated };
  }

  close(): void {
    sys.close(this.fd);
  }
}
