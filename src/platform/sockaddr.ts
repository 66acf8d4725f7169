// Socket addresses as the Linux kernel lays them out (identical on every
// floatgw target): family fields in host order, ports and IP addresses in
// network order. Built here rather than in C so that the native module stays
// a plain syscall binding.
import { hostLittleEndian } from "./hostorder";

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const AF_PACKET = 17;

function view(size: number): [Uint8Array, DataView] {
  const bytes = new Uint8Array(size);
  return [bytes, new DataView(bytes.buffer)];
}

/** struct sockaddr_in: 16 bytes. */
export function sockaddrIn(address: Uint8Array, port = 0): Uint8Array {
  const [b, v] = view(16);
  v.setUint16(0, AF_INET, hostLittleEndian);
  v.setUint16(2, port);
  b.set(address.subarray(0, 4), 4);
  return b;
}

/** struct sockaddr_in6: 28 bytes; scopeId is the ifindex for link-local. */
export function sockaddrIn6(address: Uint8Array, scopeId = 0, port = 0): Uint8Array {
  const [b, v] = view(28);
  v.setUint16(0, AF_INET6, hostLittleEndian);
  v.setUint16(2, port);
  b.set(address.subarray(0, 16), 8);
  v.setUint32(24, scopeId, hostLittleEndian);
  return b;
}

/** struct sockaddr_ll: 20 bytes; ethertype in network order. */
export function sockaddrLl(ifindex: number, ethertype: number, mac: Uint8Array = new Uint8Array(0)): Uint8Array {
  const [b, v] = view(20);
  v.setUint16(0, AF_PACKET, hostLittleEndian);
  v.setUint16(2, ethertype);
  v.setInt32(4, ifindex, hostLittleEndian);
  b[11] = mac.length;
  b.set(mac.subarray(0, 8), 12);
  return b;
}

/** struct sockaddr_nl: 12 bytes; pid 0 lets the kernel choose the port id. */
export function sockaddrNl(pid = 0, groups = 0): Uint8Array {
  const [b, v] = view(12);
  v.setUint16(0, AF_NETLINK, hostLittleEndian);
  v.setUint32(4, pid, hostLittleEndian);
  v.setUint32(8, groups >>> 0, hostLittleEndian);
  return b;
}

/** struct sockaddr_un for a filesystem path (at most 107 bytes of ASCII). */
export function sockaddrUn(path: string): Uint8Array {
  if (path.length > 107) throw new RangeError(`unix socket path too long: ${path}`);
  const [b, v] = view(2 + path.length + 1);
  v.setUint16(0, AF_UNIX, hostLittleEndian);
  for (let i = 0; i < path.length; i++) b[2 + i] = path.charCodeAt(i) & 0xff;
  return b;
}

export type DecodedSockaddr =
  | { family: "inet"; address: Uint8Array; port: number }
  | { family: "inet6"; address: Uint8Array; port: number; scopeId: number }
  | { family: "netlink"; pid: number; groups: number }
  | { family: "packet"; ifindex: number; ethertype: number; mac: Uint8Array }
  | { family: "unix"; path: string }
  | { family: "other"; code: number };

/** Decodes what recvmsg/getsockname return; short input yields "other". */
export function decodeSockaddr(raw: ArrayBuffer | Uint8Array): DecodedSockaddr {
  const b = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
  if (b.length < 2) return { family: "other", code: -1 };
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const family = v.getUint16(0, hostLittleEndian);
  if (family === AF_INET && b.length >= 8) {
    return { family: "inet", port: v.getUint16(2), address: b.slice(4, 8) };
  }
  if (family === AF_INET6 && b.length >= 28) {
    return { family: "inet6", port: v.getUint16(2), address: b.slice(8, 24), scopeId: v.getUint32(24, hostLittleEndian) };
  }
  if (family === AF_NETLINK && b.length >= 12) {
    return { family: "netlink", pid: v.getUint32(4, hostLittleEndian), groups: v.getUint32(8, hostLittleEndian) };
  }
  if (family === AF_PACKET && b.length >= 20) {
    const len = Math.min(b[11] ?? 0, 8);
    return { family: "packet", ethertype: v.getUint16(2), ifindex: v.getInt32(4, hostLittleEndian), mac: b.slice(12, 12 + len) };
  }
  if (family === AF_UNIX) {
    let path = "";
    for (let i = 2; i < b.length && b[i] !== 0; i++) path += String.fromCharCode(b[i] ?? 0);
    return { family: "unix", path };
  }
  return { family: "other", code: family };
}
