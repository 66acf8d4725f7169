// The C module src/native/native.c, linked into the binary as "native".
// Only src/platform/engine.ts imports it.
declare module "native" {
  /** A datagram read by recvmsg; ttl/ifindex are -1 and dst null unless the
   * socket asked for IP_RECVTTL/IP_PKTINFO (or their IPv6 twins). */
  export interface Received {
    data: ArrayBuffer;
    /** The raw sockaddr of the sender (family field in host byte order). */
    from: ArrayBuffer;
    ttl: number;
    ifindex: number;
    dst: ArrayBuffer | null;
    truncated: boolean;
  }
  type Bytes = ArrayBuffer | Uint8Array;
  export function socket(domain: number, type: number, protocol: number): number;
  export function close(fd: number): void;
  export function setsockopt(fd: number, level: number, name: number, value: number | boolean | Bytes): void;
  export function bind(fd: number, sockaddr: Bytes): void;
  /** true: connected at once; false: a non-blocking connect in progress (wait until writable, then socketError). */
  export function connect(fd: number, sockaddr: Bytes): boolean;
  export function sendto(fd: number, data: Bytes, sockaddr: Bytes | null): number | null;
  export function recvmsg(fd: number, maxLength: number): Received | null;
  /** recvmsg into caller-owned buffers: the length (-1: nothing waiting);
   * `info` gets [ttl, ifindex, truncated, length of `from`, length of `dst`,
   * µs since the kernel's SO_TIMESTAMPNS stamp (-1: none)]. */
  export function recvmsgInto(fd: number, data: Uint8Array, from: Uint8Array, dst: Uint8Array, info: Int32Array): number;
  /** Whether a[aOffset, +length) equals b[bOffset, +length) (memcmp). */
  export function bytesEqual(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number, length: number): boolean;
  export function getsockname(fd: number): ArrayBuffer;
  export function ifNameToIndex(name: string): number;
  export function pollReadable(fd: number, timeoutMs: number): boolean;
  export function monotonicMs(): number;
  export function getpid(): number;
  /** umask(2): sets the file mode creation mask, returns the previous one. */
  export function umask(mask: number): number;
  /** SO_ATTACH_FILTER: a classic BPF program, 8 bytes per instruction in host order. */
  export function attachFilter(fd: number, program: Bytes): void;
  export function socketError(fd: number): number;
  export function strerror(errno: number): string;
  export function spawn(argv: readonly string[], env: readonly string[], uid: number, gid: number): number;
  /** Forks the dead-man switch and beacon (src/daemon/watcher.ts): a
   * child that sends each [fd, datagram, sockaddr, intervalMs, phaseMs] of
   * `beacons` at phaseMs + k × intervalMs (CLOCK_MONOTONIC) while
   * /proc/PID/stat shows the daemon able to send them, and, when the
   * daemon dies or /proc/PID/stat shows it hung (src/core/deadman.ts,
   * Liveness, in its fields' order), stops them, sends each [fd, datagram,
   * sockaddr] of `first` once, waits afterDeathMs or afterSilenceMs, then
   * sends `then`. Returns its pid, the daemon's end of their socket pair
   * (non-blocking, close-on-exec) and a buffer shared with the child: one
   * uint32 in host order per beacon, how many times it was sent. */
  export function watcher(silenceMs: number, stoppedMs: number, recheckMs: number, quietCheckMs: number, freshMs: number,
    spinWindowMs: number, spinPercent: number, afterDeathMs: number, afterSilenceMs: number, beacons: readonly BeaconDatagram[],
    first: readonly PlanDatagram[], then: readonly PlanDatagram[]): [number, number, ArrayBuffer];
  type BeaconDatagram = readonly [fd: number, datagram: Bytes, sockaddr: Bytes, intervalMs: number, phaseMs: number];
  /** Forks the backup's listener (src/daemon/listener.ts): a child that
   * reads `quietFd` only when a watch's silence limit runs out, and tells
   * the daemon which watch heard no copy of its template in time. Returns
   * its pid, the daemon's end of their socket pair (non-blocking,
   * close-on-exec) and a page shared with it: per watch, its count of
   * copies and its newest copy's time (CLOCK_MONOTONIC ms modulo 2^32),
   * then the count of datagrams that copied no watch, uint32 in host order. */
  export function listener(quietFd: number, watches: readonly ListenWatch[]): [number, number, ArrayBuffer];
  type ListenWatch = readonly [template: Bytes, mask: Bytes, from: Bytes, ttl: number, lastAgeMs: number, limitMs: number];
  /** read(2) into `into`: the length read, 0 at the end, -1 when nothing is waiting. */
  export function read(fd: number, into: Uint8Array): number;
  /** inotify_init1(IN_NONBLOCK | IN_CLOEXEC): its events are read with read. */
  export function inotifyInit(): number;
  export function inotifyAddWatch(fd: number, path: string, mask: number): number;
  export function inotifyRmWatch(fd: number, wd: number): void;
  type PlanDatagram = readonly [fd: number, datagram: Bytes, sockaddr: Bytes];
  export const engineVersion: string;
  /** Socket, protocol and errno constants as the target CPU numbers them. */
  export const constants: Readonly<Record<NativeConstant, number>>;
  export type NativeConstant =
    | "AF_INET" | "AF_INET6" | "AF_PACKET" | "AF_NETLINK" | "AF_UNIX"
    | "SOCK_RAW" | "SOCK_DGRAM" | "SOCK_STREAM" | "SOCK_NONBLOCK"
    | "SOL_SOCKET" | "SO_BINDTODEVICE" | "SO_RCVBUF" | "SO_SNDBUF" | "SO_REUSEADDR" | "SO_TIMESTAMPNS"
    | "IPPROTO_IP" | "IPPROTO_IPV6" | "IPPROTO_TCP" | "IPPROTO_ICMP" | "IPPROTO_ICMPV6"
    | "IP_TTL" | "IP_RECVTTL" | "IP_PKTINFO" | "IP_MULTICAST_TTL" | "IP_MULTICAST_LOOP"
    | "IP_MULTICAST_IF" | "IP_ADD_MEMBERSHIP" | "IP_DROP_MEMBERSHIP"
    | "IPV6_UNICAST_HOPS" | "IPV6_MULTICAST_HOPS" | "IPV6_MULTICAST_LOOP" | "IPV6_MULTICAST_IF"
    | "IPV6_RECVHOPLIMIT" | "IPV6_RECVPKTINFO" | "IPV6_ADD_MEMBERSHIP" | "IPV6_DROP_MEMBERSHIP"
    | "IPV6_CHECKSUM"
    | "NETLINK_ROUTE" | "NETLINK_ADD_MEMBERSHIP"
    | "ETH_P_ARP" | "ETH_P_IP" | "ETH_P_IPV6" | "ETH_P_ALL"
    | "EAGAIN" | "EEXIST" | "EADDRNOTAVAIL" | "ENODEV" | "ENOENT" | "EPERM" | "ENOPROTOOPT"
    | "ENETDOWN" | "ENXIO" | "EINTR" | "EINVAL" | "ECONNREFUSED" | "ENOTDIR"
    | "IN_CREATE" | "IN_MOVED_TO" | "IN_ATTRIB" | "IN_DELETE_SELF" | "IN_MOVE_SELF"
    | "IN_IGNORED" | "IN_Q_OVERFLOW" | "IN_ONLYDIR"
    | "SIGHUP" | "SIGKILL" | "WUNTRACED";
}
