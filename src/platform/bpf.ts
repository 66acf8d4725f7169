// Classic BPF programs for the VRRP sockets. In unicast mode the kernel
// then drops adverts from anyone but the configured peers before they reach
// our queue, so that a flood from a LAN host cannot crowd the peer's adverts
// out of the socket's buffer (docs/robustness.md). A raw IPv4 socket's
// filter sees the IP header; an IPv6 raw socket's sees only the VRRP
// message, so IPv6 gets no source filter.
import { hostLittleEndian } from "./hostorder";

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const RET_K = 0x06;
const IPV4_SRC = 12;
const ACCEPT = 0xffff;

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** A program that accepts nothing. */
export function dropAllProgram(): Uint8Array {
  return encode([{ code: RET_K, jt: 0, jf: 0, k: 0 }]);
}

function encode(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const v = new DataView(out.buffer);
  insns.forEach((x, i) => {
    v.setUint16(i * 8, x.code, hostLittleEndian);
    v.setUint8(i * 8 + 2, x.jt);
    v.setUint8(i * 8 + 3, x.jf);
    v.setUint32(i * 8 + 4, x.k, hostLittleEndian);
  });
  return out;
}

/** Accepts what comes from one of `peers` (IPv4, 4 bytes each), or
 * everything when `peers` is null. */
export function sourceFilterProgram(peers: readonly Uint8Array[] | null): Uint8Array {
  if (peers === null) return encode([{ code: RET_K, jt: 0, jf: 0, k: ACCEPT }]);
  const insns: Insn[] = [{ code: LD_W_ABS, jt: 0, jf: 0, k: IPV4_SRC }];
  // A jump skips that many instructions after its own; the program ends
  // with "drop", then "accept".
  const n = 1 + peers.length + 2;
  peers.forEach((p, j) => {
    const i = 1 + j;
    const k = ((p[0] ?? 0) * 0x1000000 + ((p[1] ?? 0) << 16) + ((p[2] ?? 0) << 8) + (p[3] ?? 0)) >>> 0;
    insns.push({ code: JEQ_K, jt: n - i - 2, jf: 0, k });
  });
  insns.push({ code: RET_K, jt: 0, jf: 0, k: 0 });
  insns.push({ code: RET_K, jt: 0, jf: 0, k: ACCEPT });
  return encode(insns);
}
