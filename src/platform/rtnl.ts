// [NETLINK] An rtnetlink client: link and address queries, VIP add/remove,
// and a monitor socket for link and address events (br-lan re-created by
// netifd, addresses flushed, carrier lost).
import type { Addr } from "../core/addr";
import { C, sys } from "./engine";
import {
  IFA_ADDRESS, IFA_CACHEINFO, IFA_F_NODAD, IFA_FLAGS, IFA_LOCAL, IFADDRMSG_LEN, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP,
  AF_BRIDGE, IFLA_MASTER, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, NLMSG_HDRLEN, ifaCacheinfo, NLMSG_DONE, NLMSG_ERROR, RTM_DELADDR, RTM_DELLINK, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR,
  RTM_NEWLINK, RT_SCOPE_UNIVERSE, answerIn, isBridgePortCopy, decodeAddr, decodeLink, decodeMessages, encodeMessage, errorCode,
  ifaddrmsg, ifinfomsg, rtattr, u32, type AddrInfo, type LinkInfo, type NetlinkMessage,
} from "./netlink";
import {
  type Encoded, FLOATGW_PROTOCOL, RTM_DELROUTE, RTM_DELRULE, RTM_GETROUTE, RTM_GETRULE, RTM_NEWROUTE, RTM_NEWRULE,
  dumpRequest, routeProtocol, ruleProtocol,
} from "./route-msg";
import { dropPrefixProgram } from "./bpf";
import { hostLittleEndian } from "./hostorder";
import { sockaddrNl } from "./sockaddr";

const AF_INET = 2;
const AF_INET6 = 10;
const RTMGRP_LINK = 0x1;
const RTMGRP_IPV4_IFADDR = 0x10;
const RTMGRP_IPV6_IFADDR = 0x100;

const familyCode = (a: Addr): number => (a.family === 4 ? AF_INET : AF_INET6);
/** No such route: ESRCH is 3 on every Linux CPU (MIPS numbers differ only from 35 on). */
const ESRCH = 3;
/** The kernel's netlink address, where every request goes. */
const KERNEL = sockaddrNl();
/** The sequence number of the requests the watcher child sends for us
 * (deleteRequest, renewRequest): send() and request() start at 1 and never
 * wrap in practice, so an answer to one is never taken for theirs. */
const PLAN_SEQ = 0;
/** Room for the answer to a request that wants only an ACK: an NLMSG_ERROR
 * echoing the request (a few dozen bytes here). */
const ACK_ROOM = 4096;

/** A failed netlink request, with the kernel's errno. */
export class NetlinkError extends Error {
  constructor(readonly request: string, readonly errno: number) {
    super(`${request}: errno ${errno}`);
  }
}

export class Rtnl {
  /** Also the dead-man switch's way to the kernel (deleteRequest). */
  readonly fd: number;
  private seq = 1;
  /** Where ACKs are read, again and again (recvmsgInto). */
  private readonly ack = { data: new Uint8Array(ACK_ROOM), from: new Uint8Array(12), dst: new Uint8Array(0), info: new Int32Array(6) };
  private readonly ackView = new DataView(this.ack.data.buffer);

  constructor() {
    this.fd = sys.socket(C.AF_NETLINK, C.SOCK_RAW, C.NETLINK_ROUTE);
    sys.bind(this.fd, sockaddrNl());
  }

  close(): void {
    sys.close(this.fd);
  }

  /** Sends one request and collects the replies up to its ACK or DONE. The
   * kernel answers rtnetlink requests synchronously, so every reply (or the
   * next part of a dump) is queued by the time recvmsg runs. */
  send(what: string, type: number, flags: number, body: Uint8Array, attrs: Uint8Array[] = []): NetlinkMessage[] {
    const seq = this.seq++;
    sys.sendto(this.fd, encodeMessage(type, flags | NLM_F_REQUEST, seq, body, attrs), KERNEL);
    const replies: NetlinkMessage[] = [];
    for (;;) {
      const got = sys.recvmsg(this.fd, 65536);
      if (!got) throw new NetlinkError(`${what}: no reply`, C.EAGAIN);
      for (const msg of decodeMessages(new Uint8Array(got.data))) {
        if (msg.seq !== seq) continue;
        if (msg.type === NLMSG_DONE) return replies;
        if (msg.type === NLMSG_ERROR) {
          const errno = errorCode(msg) ?? C.EINVAL;
          if (errno !== 0) throw new NetlinkError(what, errno);
          return replies;
        }
        replies.push(msg);
        if ((flags & NLM_F_DUMP) === 0 && (flags & NLM_F_ACK) === 0) return replies;
      }
    }
  }

  /** Sends a request that wants only an ACK (NLM_F_ACK, no reply data)
   * and waits for it, reading into one reused buffer and looking for the
   * answer in place, where send() makes objects for every datagram and
   * message; a NetlinkError carries the kernel's errno. */
  request(what: string, type: number, flags: number, body: Uint8Array, attrs: Uint8Array[]): void {
    const seq = this.seq++;
    sys.sendto(this.fd, encodeMessage(type, flags | NLM_F_REQUEST | NLM_F_ACK, seq, body, attrs), KERNEL);
    const a = this.ack;
    for (;;) {
      const n = sys.recvmsgInto(this.fd, a.data, a.from, a.dst, a.info);
      if (n < 0) throw new NetlinkError(`${what}: no reply`, C.EAGAIN);
      const errno = answerIn(a.data, this.ackView, n, seq, C.EINVAL);
      if (errno === 0) return;
      if (errno !== null) throw new NetlinkError(what, errno);
    }
  }

  getLink(ifindex: number): LinkInfo | null {
    try {
      const [msg] = this.send("RTM_GETLINK", RTM_GETLINK, 0, ifinfomsg(0, ifindex));
      return msg && msg.type === RTM_NEWLINK ? decodeLink(msg) : null;
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === C.ENODEV) return null;
      throw e;
    }
  }

  /** The ports of bridge `ifindex` (none if it is no bridge). The kernel
   * dumps only those (IFLA_MASTER in the request, since Linux 4.4): reading
   * every link of a router cost some 0.5 M instructions each at the start.
   * An older kernel dumps them all, and the master check keeps the ports. */
  ports(ifindex: number): LinkInfo[] {
    const out: LinkInfo[] = [];
    for (const msg of this.send("RTM_GETLINK", RTM_GETLINK, NLM_F_DUMP, ifinfomsg(0, 0), [rtattr(IFLA_MASTER, u32(ifindex))])) {
      const link = msg.type === RTM_NEWLINK ? decodeLink(msg) : null;
      if (link && link.master === ifindex) out.push(link);
    }
    return out;
  }

  addresses(ifindex: number): AddrInfo[] {
    const out: AddrInfo[] = [];
    for (const msg of this.send("RTM_GETADDR", RTM_GETADDR, NLM_F_DUMP, ifaddrmsg(0, 0, 0, 0, 0))) {
      const a = msg.type === RTM_NEWADDR ? decodeAddr(msg) : null;
      if (a && a.ifindex === ifindex) out.push(a);
    }
    return out;
  }

  /** Adds a VIP; false if it was already there. IPv6 VIPs skip DAD: the
   * address must answer at once, and VRRP already decided who owns it. A
   * lifetime (seconds) makes the kernel remove it unless refreshed. */
  addAddress(ifindex: number, addr: Addr, prefix: number, lifetimeS: number | null): boolean {
    const flags = addr.family === 6 ? IFA_F_NODAD : 0;
    try {
      this.request("RTM_NEWADDR", RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
        ifaddrmsg(familyCode(addr), prefix, flags, RT_SCOPE_UNIVERSE, ifindex), addressAttrs(addr, flags, lifetimeS));
      return true;
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === C.EEXIST) return false;
      throw e;
    }
  }

  /** Gives a VIP `lifetimeS` seconds more (RTM_NEWADDR, NLM_F_REPLACE),
   * putting it back if it has expired meanwhile. */
  refreshAddress(ifindex: number, addr: Addr, prefix: number, lifetimeS: number): void {
    this.request("RTM_NEWADDR", RTM_NEWADDR, RENEW_FLAGS, ...renewBody(ifindex, addr, prefix, lifetimeS));
  }

  /** The same renewal, for the watcher child to send on this socket
   * (sockaddrNl()) on its schedule: no ACK asked, sequence PLAN_SEQ (see
   * deleteRequest), and so its notification is one the monitor's filter
   * drops (RtnlMonitor.ignoreUseless). */
  static renewRequest(ifindex: number, addr: Addr, prefix: number, lifetimeS: number): Uint8Array {
    return encodeMessage(RTM_NEWADDR, RENEW_FLAGS | NLM_F_REQUEST, PLAN_SEQ, ...renewBody(ifindex, addr, prefix, lifetimeS));
  }

  /** The socket's netlink port id, which the kernel writes into the
   * notifications of the changes this socket requested. */
  portId(): number {
    return new DataView(sys.getsockname(this.fd)).getUint32(4, hostLittleEndian);
  }

  /** A request that removes a VIP, for the dead-man switch to send to the
   * kernel (sockaddrNl()) on this socket after the daemon is gone: no ACK
   * asked, so only a failure answers, and sequence PLAN_SEQ, so such an
   * answer read later is skipped. */
  static deleteRequest(ifindex: number, addr: Addr, prefix: number): Uint8Array {
    return encodeMessage(RTM_DELADDR, NLM_F_REQUEST, PLAN_SEQ, ifaddrmsg(familyCode(addr), prefix, 0, RT_SCOPE_UNIVERSE, ifindex), addressAttrs(addr, 0, null));
  }

  /** Removes a VIP; false if it was not there. */
  deleteAddress(ifindex: number, addr: Addr, prefix: number): boolean {
    try {
      this.request("RTM_DELADDR", RTM_DELADDR, 0,
        ifaddrmsg(familyCode(addr), prefix, 0, RT_SCOPE_UNIVERSE, ifindex), addressAttrs(addr, 0, null));
      return true;
    } catch (e) {
      if (e instanceof NetlinkError && (e.errno === C.EADDRNOTAVAIL || e.errno === C.ENODEV)) return false;
      throw e;
    }
  }
}

export type RouteKind = "route" | "rule";
const CHANGE = {
  route: { add: RTM_NEWROUTE, del: RTM_DELROUTE, get: RTM_GETROUTE },
  rule: { add: RTM_NEWRULE, del: RTM_DELRULE, get: RTM_GETRULE },
} as const;

/** Routes and rules: added exclusively (false: it was there already),
 * deleted (false: it was not there), and floatgw's own left behind by an
 * earlier run found and removed. */
export class RouteTable {
  constructor(private readonly rtnl: Rtnl) {}

  add(kind: RouteKind, m: Encoded): boolean {
    try {
      this.rtnl.request(`add ${kind}`, CHANGE[kind].add, NLM_F_CREATE | NLM_F_EXCL, m.body, m.attrs);
      return true;
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === C.EEXIST) return false;
      throw e;
    }
  }

  delete(kind: RouteKind, m: Encoded): boolean {
    try {
      this.rtnl.request(`delete ${kind}`, CHANGE[kind].del, 0, m.body, m.attrs);
      return true;
    } catch (e) {
      if (e instanceof NetlinkError && (e.errno === ESRCH || e.errno === C.ENOENT)) return false;
      throw e;
    }
  }

  /** Deletes every route and rule marked with floatgw's protocol; returns how many. */
  flushOwn(): number {
    let n = 0;
    for (const kind of ["rule", "route"] as const) {
      for (const family of [4, 6] as const) {
        const own = this.rtnl.send(`dump ${kind}s`, CHANGE[kind].get, NLM_F_DUMP, dumpRequest(family))
          .filter((msg) => msg.type === CHANGE[kind].add && (kind === "route" ? routeProtocol(msg.payload) : ruleProtocol(msg.payload)) === FLOATGW_PROTOCOL);
        // The dumped message itself names the route or rule exactly (as `ip route flush` does).
        for (const msg of own) if (this.delete(kind, { body: msg.payload, attrs: [] })) n++;
      }
    }
    return n;
  }
}

const RENEW_FLAGS = NLM_F_CREATE | NLM_F_REPLACE;

function renewBody(ifindex: number, addr: Addr, prefix: number, lifetimeS: number): [Uint8Array, Uint8Array[]] {
  const flags = addr.family === 6 ? IFA_F_NODAD : 0;
  return [ifaddrmsg(familyCode(addr), prefix, flags, RT_SCOPE_UNIVERSE, ifindex), addressAttrs(addr, flags, lifetimeS)];
}

function addressAttrs(addr: Addr, flags: number, lifetimeS: number | null): Uint8Array[] {
  const attrs = [rtattr(IFA_LOCAL, addr.bytes), rtattr(IFA_ADDRESS, addr.bytes)];
  if (flags !== 0) attrs.push(rtattr(IFA_FLAGS, u32(flags)));
  if (lifetimeS !== null) attrs.push(rtattr(IFA_CACHEINFO, ifaCacheinfo(lifetimeS)));
  return attrs;
}

export type RtnlEvent =
  | { kind: "link"; link: LinkInfo }
  | { kind: "link-deleted"; link: LinkInfo }
  | { kind: "addr-added"; addr: AddrInfo }
  | { kind: "addr-deleted"; addr: AddrInfo };

/** A socket subscribed to link and address changes. */
export class RtnlMonitor {
  readonly fd: number;

  constructor() {
    this.fd = sys.socket(C.AF_NETLINK, C.SOCK_RAW | C.SOCK_NONBLOCK, C.NETLINK_ROUTE);
    sys.bind(this.fd, sockaddrNl(0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR));
  }

  /** Has the kernel drop the notifications we have no use for before
   * they wake the daemon: those of the VIP renewals the watcher child
   * sends on `requests` (renewRequest), which change nothing but a
   * lifetime and would wake it every 30 s (the kernel gives a notification
   * the port id and sequence number of the request that caused it), and a
   * bridge's copies of its ports' link messages, which toEvent skips
   * (isBridgePortCopy). */
  ignoreUseless(requests: Rtnl): void {
    const renewal = new Uint8Array(NLMSG_HDRLEN);
    const v = new DataView(renewal.buffer);
    v.setUint16(4, RTM_NEWADDR, hostLittleEndian);
    v.setUint32(8, PLAN_SEQ, hostLittleEndian);
    v.setUint32(12, requests.portId(), hostLittleEndian);
    const bridgeCopy = new Uint8Array(NLMSG_HDRLEN + 1);
    bridgeCopy[NLMSG_HDRLEN] = AF_BRIDGE;
    sys.attachFilter(this.fd, dropPrefixProgram([
      { data: renewal, mask: new Uint8Array(NLMSG_HDRLEN).fill(1, 4, 6).fill(1, 8) },
      { data: bridgeCopy, mask: new Uint8Array(NLMSG_HDRLEN + 1).fill(1, NLMSG_HDRLEN) },
    ]));
  }

  /** Every event queued on the socket, oldest first. */
  drain(): RtnlEvent[] {
    const events: RtnlEvent[] = [];
    for (let got = sys.recvmsg(this.fd, 65536); got; got = sys.recvmsg(this.fd, 65536)) {
      for (const msg of decodeMessages(new Uint8Array(got.data))) {
        const event = toEvent(msg);
        if (event) events.push(event);
      }
    }
    return events;
  }

  close(): void {
    sys.close(this.fd);
  }
}

function toEvent(msg: NetlinkMessage): RtnlEvent | null {
  if (msg.type === RTM_NEWLINK || msg.type === RTM_DELLINK) {
    if (isBridgePortCopy(msg)) return null;
    const link = decodeLink(msg);
    if (!link) return null;
    return msg.type === RTM_NEWLINK ? { kind: "link", link } : { kind: "link-deleted", link };
  }
  if ((msg.type === RTM_NEWADDR || msg.type === RTM_DELADDR) && msg.payload.length >= IFADDRMSG_LEN) {
    const addr = decodeAddr(msg);
    if (!addr) return null;
    return msg.type === RTM_NEWADDR ? { kind: "addr-added", addr } : { kind: "addr-deleted", addr };
  }
  return null;
}
