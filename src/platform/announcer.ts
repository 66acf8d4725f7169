// [ARP]/[NDISC] Sends the gratuitous ARP (IPv4) or unsolicited neighbour
// advertisement (IPv6) that moves clients' caches to us when we take a VIP.
// The frames are built in arp.ts and nd.ts; this module owns the sockets.
import type { Addr } from "../core/addr";
import { gratuitousArp, BROADCAST_MAC, ETH_P_ARP } from "./arp";
import { C, sys } from "./engine";
import { ALL_NODES, unsolicitedNa } from "./nd";
import { sockaddrIn6, sockaddrLl } from "./sockaddr";
import { bindToDevice } from "./sockopt";

const IPPROTO_ICMPV6 = 58;

export class Announcer {
  private packetFd = -1;
  private icmp6Fd = -1;

  constructor(private readonly ifname: string, private readonly ifindex: number, private readonly mac: Uint8Array) {}

  /** Announces one VIP once; throws a syscall error if the send fails. */
  announce(vip: Addr): void {
    if (vip.family === 4) {
      if (this.packetFd < 0) this.packetFd = sys.socket(C.AF_PACKET, C.SOCK_RAW, 0);
      sys.sendto(this.packetFd, gratuitousArp(this.mac, vip.bytes), sockaddrLl(this.ifindex, ETH_P_ARP, BROADCAST_MAC));
    } else {
      if (this.icmp6Fd < 0) this.icmp6Fd = this.openIcmp6();
      sys.sendto(this.icmp6Fd, unsolicitedNa(this.mac, vip.bytes), sockaddrIn6(ALL_NODES, this.ifindex));
    }
  }

  private openIcmp6(): number {
    const fd = sys.socket(C.AF_INET6, C.SOCK_RAW, IPPROTO_ICMPV6);
    try {
      bindToDevice(fd, this.ifname);
      // RFC 4861 §7.1.2: receivers drop NAs whose hop limit is not 255.
      sys.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_MULTICAST_HOPS, 255);
      return fd;
    } catch (e) {
      sys.close(fd);
      throw e;
    }
  }

  close(): void {
    for (const fd of [this.packetFd, this.icmp6Fd]) if (fd >= 0) sys.close(fd);
    this.packetFd = -1;
    this.icmp6Fd = -1;
  }
}
