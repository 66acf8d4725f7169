// `floatgwd selftest [ifname]`: opens every kind of socket the daemon needs
// on one interface and reads the monotonic clock, then prints one JSON line.
// It is the smoke test of each binary on each CPU (under qemu as well).
import { C, bytesEqual, isSyscallError, monotonicMs, sys } from "./platform/engine";
import { sockaddrIn, sockaddrLl, sockaddrNl, decodeSockaddr } from "./platform/sockaddr";
import { bindToDevice } from "./platform/sockopt";
import {
  NLM_F_REQUEST, NLMSG_ERROR, RTM_GETLINK, RTM_NEWLINK,
  decodeLink, decodeMessages, encodeMessage, errorCode, ifinfomsg,
} from "./platform/netlink";

const IPPROTO_VRRP = 112;

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function describe(e: unknown): string {
  if (isSyscallError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** Runs one check, closing every socket it opened whatever happens. */
function check(name: string, body: (open: (fd: number) => number) => string): Check {
  const fds: number[] = [];
  try {
    return { name, ok: true, detail: body((fd) => (fds.push(fd), fd)) };
  } catch (e) {
    return { name, ok: false, detail: describe(e) };
  } finally {
    for (const fd of fds) sys.close(fd);
  }
}

export interface SelftestResult {
  ok: boolean;
  ifname: string;
  ifindex: number;
  checks: Check[];
}

export function selftest(ifname: string): SelftestResult {
  let ifindex = -1;
  const checks: Check[] = [];
  checks.push(check("ifindex", () => {
    ifindex = sys.ifNameToIndex(ifname);
    return `if_nametoindex(${ifname}) = ${ifindex}`;
  }));

  checks.push(check("vrrp-socket", (open) => {
    const fd = open(sys.socket(C.AF_INET, C.SOCK_RAW | C.SOCK_NONBLOCK, IPPROTO_VRRP));
    bindToDevice(fd, ifname);
    sys.setsockopt(fd, C.IPPROTO_IP, C.IP_MULTICAST_TTL, 255);
    sys.setsockopt(fd, C.IPPROTO_IP, C.IP_RECVTTL, 1);
    sys.setsockopt(fd, C.IPPROTO_IP, C.IP_PKTINFO, 1);
    return `raw IPv4 protocol ${IPPROTO_VRRP} bound to ${ifname}`;
  }));

  checks.push(check("netlink", (open) => {
    const fd = open(sys.socket(C.AF_NETLINK, C.SOCK_RAW, C.NETLINK_ROUTE));
    sys.bind(fd, sockaddrNl());
    const me = decodeSockaddr(sys.getsockname(fd));
    sys.sendto(fd, encodeMessage(RTM_GETLINK, NLM_F_REQUEST, 1, ifinfomsg(0, ifindex)), sockaddrNl());
    // The kernel answers synchronously, so the reply is already queued.
    const reply = sys.recvmsg(fd, 65536);
    if (!reply) throw new Error("no RTM_GETLINK reply");
    const msg = decodeMessages(new Uint8Array(reply.data))[0];
    if (!msg) throw new Error("unparsable netlink reply");
    if (msg.type === NLMSG_ERROR) throw new Error(`RTM_GETLINK: errno ${errorCode(msg)}`);
    const link = msg.type === RTM_NEWLINK ? decodeLink(msg) : null;
    if (!link || link.name !== ifname || link.ifindex !== ifindex) {
      throw new Error(`RTM_GETLINK answered ${JSON.stringify(link)} for ${ifname}/${ifindex}`);
    }
    return `rtnetlink port ${me.family === "netlink" ? me.pid : "?"}; RTM_GETLINK ${ifindex} = ${link.name}`;
  }));

  checks.push(check("packet-socket", (open) => {
    const fd = open(sys.socket(C.AF_PACKET, C.SOCK_RAW, 0));
    sys.bind(fd, sockaddrLl(ifindex, C.ETH_P_ARP));
    return `AF_PACKET bound to ifindex ${ifindex}`;
  }));

  checks.push(check("recvmsg-into", (open) => {
    // A datagram to ourselves on loopback, read the way VRRP sockets are
    // read: into reused buffers, the TTL and destination from control
    // messages, the counts in an Int32Array in host byte order.
    const loopback = new Uint8Array([127, 0, 0, 1]);
    const fd = open(sys.socket(C.AF_INET, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0));
    sys.setsockopt(fd, C.IPPROTO_IP, C.IP_RECVTTL, 1);
    sys.setsockopt(fd, C.IPPROTO_IP, C.IP_PKTINFO, 1);
    sys.bind(fd, sockaddrIn(loopback));
    const sent = new Uint8Array([0x31, 0x33, 0x64, 0x01]);
    sys.sendto(fd, sent, sys.getsockname(fd));
    const r = { data: new Uint8Array(2), from: new Uint8Array(28), dst: new Uint8Array(16), info: new Int32Array(6) };
    const length = sys.recvmsgInto(fd, r.data, r.from, r.dst, r.info);
    // The ifindex (r.info[1]) is not checked: the daemon does not use it,
    // and qemu-user 7.2 hands IP_PKTINFO over unconverted, so an emulated
    // big-endian CPU reads it byte-swapped (the TTL it does convert).
    const [ttl, , truncated, fromLength, dstLength] = r.info;
    const from = decodeSockaddr(r.from.subarray(0, fromLength));
    // bytesEqual: equal, unequal, and a range past the end (never equal).
    if (length !== 2 || truncated !== 1 || !bytesEqual(r.data, 0, sent, 0, 2) || bytesEqual(r.data, 0, sent, 1, 2)
      || bytesEqual(sent, 3, sent, 3, 2))
      throw new Error(`read ${length} bytes (${r.data.join(",")}), truncated ${truncated}`);
    if (from.family !== "inet" || !bytesEqual(from.address, 0, loopback, 0, 4) || dstLength !== 4 || !bytesEqual(r.dst, 0, loopback, 0, 4))
      throw new Error(`from ${JSON.stringify(from)}, destination ${r.dst.subarray(0, dstLength).join(".")}`);
    if (ttl !== 64) throw new Error(`TTL ${ttl}`);
    if (sys.recvmsgInto(fd, r.data, r.from, r.dst, r.info) !== -1) throw new Error("a second datagram out of one");
    return `2 of 4 bytes (truncated), TTL ${ttl}, to 127.0.0.1`;
  }));

  checks.push(check("monotonic-clock", () => {
    const t1 = monotonicMs();
    const t2 = monotonicMs();
    if (!(t1 > 0 && t2 >= t1)) throw new Error(`clock went from ${t1} to ${t2}`);
    return `${Math.floor(t1)} ms, then +${Math.round((t2 - t1) * 1000)} us`;
  }));

  checks.push(check("getpid", () => `pid ${sys.getpid()}`));
  return { ok: checks.every((c) => c.ok), ifname, ifindex, checks };
}
