// [SOCKET] VRRP sockets of one interface and address family: IP protocol
// 112, multicast group 224.0.0.18 / ff02::12 joined on the interface, TTL or
// hop limit 255 (RFC 5798 §5.1.1.3 / §5.1.2.3), bound to the device.
//
// Two sockets, because a raw socket bound to our address (which pins the
// source address of our adverts even when the VIP becomes the interface's
// first address) only receives datagrams sent to that address, not to the
// group: `rx` is unbound and joined; `tx` is bound and only sends. A
// third, `quiet`, is joined like `rx` but lets in only copies of the
// templates that `rx` drops; the daemon never polls it, the listener child
// reads it (src/daemon/listener.ts).
import type { Addr } from "../core/addr";
import { addrFromBytes } from "../core/addr";
import type { Ms } from "../core/units";
import { C, sys } from "./engine";
import { decodeSockaddr, sockaddrIn, sockaddrIn6 } from "./sockaddr";
import { hostLittleEndian } from "./hostorder";
import { bindToDevice } from "./sockopt";
import { type DatagramTemplate, copiesProgram, dropAllProgram, receiveProgram } from "./bpf";

const IPPROTO_VRRP = 112;
export const VRRP_GROUP_V4: Addr = { family: 4, bytes: new Uint8Array([224, 0, 0, 18]) };
export const VRRP_GROUP_V6: Addr = {
  family: 6,
  bytes: new Uint8Array([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12]),
};

export interface VrrpSocketOptions {
  family: 4 | 6;
  ifname: string;
  ifindex: number;
  /** Our own address on the interface: IPv4 primary, or IPv6 link-local. */
  source: Addr;
  /** Join 224.0.0.18 / ff02::12: some instance on the interface is in
   * multicast mode. Unicast-only interfaces never hear the group. */
  joinGroup: boolean;
}

/** Longest datagram read whole: an advert fits one Ethernet frame. Longer
 * ones are cut, flagged `truncated` and dropped. */
export const RECEIVE_MAX = 1500;

export interface Warning {
  (message: string): void;
}

/** struct ip_mreqn: group, local address (any), ifindex in host order. */
function ipMreqn(group: Uint8Array, ifindex: number): Uint8Array {
  const b = new Uint8Array(12);
  b.set(group, 0);
  new DataView(b.buffer).setInt32(8, ifindex, hostLittleEndian);
  return b;
}

/** struct ipv6_mreq: group, ifindex in host order. */
function ipv6Mreq(group: Uint8Array, ifindex: number): Uint8Array {
  const b = new Uint8Array(20);
  b.set(group, 0);
  new DataView(b.buffer).setUint32(16, ifindex, hostLittleEndian);
  return b;
}

/** Buffers one recvmsgInto fills: a datagram and what came with it. */
export interface Received {
  /** IPv4: the whole datagram with its IP header; IPv6: the VRRP message. */
  readonly data: Uint8Array;
  /** The sender's raw sockaddr. */
  readonly from: Uint8Array;
  /** The destination address (IP_PKTINFO / IPV6_PKTINFO). */
  readonly dst: Uint8Array;
  /** TTL or hop limit (-1 if absent), ifindex, truncated (0/1), bytes of
   * from, bytes of dst, and how many µs ago the kernel took the datagram in
   * (-1: not stamped). */
  readonly info: Int32Array;
}

export function receivedBuffers(): Received {
  return { data: new Uint8Array(RECEIVE_MAX), from: new Uint8Array(28), dst: new Uint8Array(16), info: new Int32Array(6) };
}

/** The most a datagram's stamp may set its arrival back. The stamp is on
 * the wall clock, which a router steps when NTP first syncs: a step between
 * the stamp and the read would date the datagram that much earlier. Under
 * the smallest Master_Down_Interval (36 ms, at 10 ms adverts), so no such
 * error makes a backup take over from a master it hears; it covers the
 * milliseconds a busy machine takes to wake the daemon. */
const MAX_ARRIVAL_AGE_MS = 10;

/** When the datagram in `r` came, on the clock that read `now` just after
 * it was received: by the kernel's stamp (at most MAX_ARRIVAL_AGE_MS
 * earlier), so that a daemon that got the CPU late does not start a timer
 * late, as a backup's Skew_Time after a priority 0; `now` itself when
 * unstamped (an emulator may refuse the stamps). */
export function arrivedAt(r: Received, now: Ms): Ms {
  const ageUs = r.info[5] ?? -1;
  return ageUs > 0 ? ((now - Math.min(ageUs / 1000, MAX_ARRIVAL_AGE_MS)) as Ms) : now;
}

/** Reads the next datagram waiting on `fd` into `into`: its length, or -1
 * when none waits. */
export function receiveInto(fd: number, into: Received): number {
  return sys.recvmsgInto(fd, into.data, into.from, into.dst, into.info);
}

export class VrrpSocket {
  readonly rx: number;
  readonly tx: number;
  readonly quiet: number;
  readonly family: 4 | 6;
  private readonly ifindex: number;
  /** The datagram `receive` read last (its first `length` bytes) and what
   * came with it. Reused for every datagram: read before the next receive. */
  readonly received: Received = receivedBuffers();
  /** The sockaddr of the last destination sent to, built once per address. */
  private sentTo: { dst: Addr; sockaddr: Uint8Array } | null = null;
  private joined = false;
  /** The unicast peers the receive socket lets in (IPv4; null: everyone). */
  private peers: readonly Uint8Array[] | null = null;
  private templates: readonly DatagramTemplate[] = [];

  constructor(opts: VrrpSocketOptions, warn: Warning) {
    this.family = opts.family;
    this.ifindex = opts.ifindex;
    const domain = opts.family === 4 ? C.AF_INET : C.AF_INET6;
    const fds: number[] = [];
    try {
      for (let i = 0; i < 3; i++) fds.push(sys.socket(domain, C.SOCK_RAW | C.SOCK_NONBLOCK, IPPROTO_VRRP));
    } catch (e) {
      for (const fd of fds) sys.close(fd);
      throw e;
    }
    [this.rx, this.tx, this.quiet] = fds as [number, number, number];
    try {
      // Nothing for the quiet socket until there are templates.
      sys.attachFilter(this.quiet, dropAllProgram());
      for (const fd of fds) bindToDevice(fd, opts.ifname);
      if (opts.family === 4) {
        for (const fd of [this.rx, this.quiet]) {
          sys.setsockopt(fd, C.IPPROTO_IP, C.IP_RECVTTL, 1);
          sys.setsockopt(fd, C.IPPROTO_IP, C.IP_PKTINFO, 1);
        }
        sys.setsockopt(this.tx, C.IPPROTO_IP, C.IP_MULTICAST_TTL, 255);
        sys.setsockopt(this.tx, C.IPPROTO_IP, C.IP_TTL, 255);
        sys.setsockopt(this.tx, C.IPPROTO_IP, C.IP_MULTICAST_LOOP, 0);
        this.optional(warn, "IP_MULTICAST_IF", () =>
          sys.setsockopt(this.tx, C.IPPROTO_IP, C.IP_MULTICAST_IF, ipMreqn(new Uint8Array(4), opts.ifindex)));
        sys.bind(this.tx, sockaddrIn(opts.source.bytes));
      } else {
        for (const fd of [this.rx, this.quiet]) {
          sys.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_RECVHOPLIMIT, 1);
          sys.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_RECVPKTINFO, 1);
        }
        sys.setsockopt(this.tx, C.IPPROTO_IPV6, C.IPV6_MULTICAST_HOPS, 255);
        sys.setsockopt(this.tx, C.IPPROTO_IPV6, C.IPV6_UNICAST_HOPS, 255);
        sys.setsockopt(this.tx, C.IPPROTO_IPV6, C.IPV6_MULTICAST_LOOP, 0);
        this.optional(warn, "IPV6_MULTICAST_IF", () =>
          sys.setsockopt(this.tx, C.IPPROTO_IPV6, C.IPV6_MULTICAST_IF, opts.ifindex));
        sys.bind(this.tx, sockaddrIn6(opts.source.bytes, opts.ifindex));
      }
      try {
        sys.setsockopt(this.rx, C.SOL_SOCKET, C.SO_TIMESTAMPNS, 1);
      } catch {
        // An emulator may refuse it: a datagram then counts as come when read (arrivedAt).
      }
      this.setMembership(opts.joinGroup);
      // The send socket only sends: the kernel need not queue anything for it.
      sys.attachFilter(this.tx, dropAllProgram());
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** SO_BINDTODEVICE already pins the egress interface; qemu-user refuses
   * IP_MULTICAST_IF (ENOPROTOOPT), so its failure is only worth a warning. */
  private optional(warn: Warning, what: string, set: () => void): void {
    try {
      set();
    } catch (e) {
      warn(`${what}: ${e instanceof Error ? e.message : String(e)} (continuing: SO_BINDTODEVICE pins the interface)`);
    }
  }

  /** Sends one VRRP message; false when the socket buffer is full. */
  send(message: Uint8Array, dst: Addr): boolean {
    let to = this.sentTo;
    if (to === null || to.dst !== dst) {
      to = { dst, sockaddr: this.sockaddr(dst) };
      this.sentTo = to;
    }
    return sys.sendto(this.tx, message, to.sockaddr) !== null;
  }

  /** Where an advert to `dst` goes, as sendto takes it. */
  sockaddr(dst: Addr): Uint8Array {
    return dst.family === 4 ? sockaddrIn(dst.bytes) : sockaddrIn6(dst.bytes, this.ifindex);
  }

  /** Reads the next waiting datagram into `received`: its length, or -1
   * when none waits. */
  receive(): number {
    return receiveInto(this.rx, this.received);
  }

  /** The sender of the datagram in `received` (IPv6: the IPv4 header has it). */
  receivedFrom(): Addr | null {
    const r = this.received;
    const from = decodeSockaddr(r.from.subarray(0, r.info[3]));
    return from.family === "inet" || from.family === "inet6" ? addrFromBytes(from.address) : null;
  }

  /** The destination of the datagram in `received`, from its control message. */
  receivedDst(): Addr | null {
    const r = this.received;
    return addrFromBytes(r.dst.subarray(0, r.info[4]));
  }

  /** Joins or leaves the VRRP group on the interface (both sockets that listen). */
  setMembership(join: boolean): void {
    if (join === this.joined) return;
    for (const fd of [this.rx, this.quiet]) {
      if (this.family === 4) {
        const opt = join ? C.IP_ADD_MEMBERSHIP : C.IP_DROP_MEMBERSHIP;
        sys.setsockopt(fd, C.IPPROTO_IP, opt, ipMreqn(VRRP_GROUP_V4.bytes, this.ifindex));
      } else {
        const opt = join ? C.IPV6_ADD_MEMBERSHIP : C.IPV6_DROP_MEMBERSHIP;
        sys.setsockopt(fd, C.IPPROTO_IPV6, opt, ipv6Mreq(VRRP_GROUP_V6.bytes, this.ifindex));
      }
    }
    this.joined = join;
  }

  /** Lets the kernel queue only adverts from `peers`, or all when null
   * (IPv4; an IPv6 raw socket's filter cannot see the source address). */
  setSources(peers: readonly Uint8Array[] | null): void {
    this.peers = this.family === 4 ? peers : null;
    sys.attachFilter(this.rx, receiveProgram(this.peers, this.templates));
  }

  /** Moves copies of `templates` from the receive socket to the quiet one
   * (none: everything to the receive socket). The quiet socket takes the
   * old and new templates' copies while the receive socket's filter
   * changes, so that no copy is lost: for a moment one may reach both. */
  setTemplates(templates: readonly DatagramTemplate[]): void {
    const both = [...this.templates, ...templates];
    if (both.length > 0) sys.attachFilter(this.quiet, copiesProgram(both));
    sys.attachFilter(this.rx, receiveProgram(this.peers, templates));
    sys.attachFilter(this.quiet, templates.length > 0 ? copiesProgram(templates) : dropAllProgram());
    this.templates = templates;
  }

  /** The send socket may be handed datagrams addressed to our own address;
   * they are the receive socket's business, so up to `max` of them are
   * thrown away; true when that many were (more may wait). */
  discardTx(max: number): boolean {
    for (let n = 0; n < max; n++) if (!sys.recvmsg(this.tx, 1)) return false;
    return true;
  }

  close(): void {
    for (const fd of [this.rx, this.tx, this.quiet]) {
      try {
        sys.close(fd);
      } catch {
        // closing is best effort: the descriptor may never have opened
      }
    }
  }
}
