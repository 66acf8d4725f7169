// Classic BPF programs for the VRRP sockets (and one for the netlink
// monitor, dropPrefixProgram). In unicast mode the kernel
// then drops adverts from anyone but the configured peers before they reach
// our queue, so that a flood from a LAN host cannot crowd the peer's adverts
// out of the socket's buffer (docs/robustness.md). A backup's steady
// master repeats one datagram, its template: the receive socket drops
// copies of the templates, which only a quiet socket read by the listener
// child accepts (src/daemon/listener.ts, docs/performance.md). A raw IPv4
// socket's filter sees the IP header; an IPv6 raw socket's sees only the
// VRRP message, so IPv6 gets no source filter and its templates no source.
import { hostLittleEndian } from "./hostorder";

const LD_W_ABS = 0x20;
const LD_H_ABS = 0x28;
const LD_B_ABS = 0x30;
const LD_W_LEN = 0x80;
const JEQ_K = 0x15;
const RET_K = 0x06;
const IPV4_SRC = 12;
const ACCEPT = 0xffff;
const DROP = 0;
/** The kernel's limit on a program's length (BPF_MAXINSNS). */
const MAX_INSNS = 4096;
/** The farthest a conditional jump reaches (an 8-bit offset). */
const MAX_JUMP = 255;

/** A datagram to recognise again: its bytes where `mask` is not 0 (the
 * rest change from one copy to the next, such as IPv4's Identification). */
export interface DatagramTemplate {
  readonly data: Uint8Array;
  readonly mask: Uint8Array;
}

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** A program that accepts nothing. */
export function dropAllProgram(): Uint8Array {
  return encode([ret(DROP)]);
}

function ret(k: number): Insn {
  return { code: RET_K, jt: 0, jf: 0, k };
}

function encode(insns: readonly Insn[]): Uint8Array {
  if (insns.length > MAX_INSNS) throw new RangeError(`a BPF program of ${insns.length} instructions (at most ${MAX_INSNS})`);
  const out = new Uint8Array(insns.length * 8);
  const v = new DataView(out.buffer);
  insns.forEach((x, i) => {
    if (x.jt > MAX_JUMP || x.jf > MAX_JUMP) throw new RangeError(`a BPF jump of ${Math.max(x.jt, x.jf)} instructions`);
    v.setUint16(i * 8, x.code, hostLittleEndian);
    v.setUint8(i * 8 + 2, x.jt);
    v.setUint8(i * 8 + 3, x.jf);
    v.setUint32(i * 8 + 4, x.k, hostLittleEndian);
  });
  return out;
}

/** Big-endian value of `n` bytes of `b` from `at`, as BPF loads it. */
function wordAt(b: Uint8Array, at: number, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) k = k * 256 + (b[at + i] ?? 0);
  return k >>> 0;
}

/** The loads that compare a template's significant bytes: [offset, size]. */
function chunks(t: DatagramTemplate): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < t.data.length) {
    if (t.mask[i] === 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < t.data.length && t.mask[end] !== 0 && end - i < 4) end++;
    const size = end - i >= 4 ? 4 : end - i >= 2 ? 2 : 1;
    out.push([i, size]);
    i += size;
  }
  return out;
}

/** Instructions of one template's test: its length, each chunk, its verdict. */
export function templateCost(t: DatagramTemplate): number {
  return 2 + 2 * chunks(t).length + 1;
}

/** Whether a filter holding these templates fits the kernel's limits:
 * every test within a jump's reach, the whole within BPF_MAXINSNS (with
 * room for the peers' test). */
export function templatesFit(templates: readonly DatagramTemplate[], peers: number): boolean {
  let total = peers + 4;
  for (const t of templates) {
    const cost = templateCost(t);
    if (cost > MAX_JUMP) return false;
    total += cost;
  }
  return total <= MAX_INSNS;
}

/** Tests the datagram against each template in turn: `verdict` for the
 * first it copies (with `prefix`: the first it starts with); falls through
 * after the last. */
function templateTests(templates: readonly DatagramTemplate[], verdict: number, prefix = false): Insn[] {
  const insns: Insn[] = [];
  for (const t of templates) {
    const tests: [number, number][] = [...(prefix ? [] : [[LD_W_LEN, t.data.length] as [number, number]]), ...chunks(t).map(([at, size]): [number, number] =>
      [size === 4 ? LD_W_ABS : size === 2 ? LD_H_ABS : LD_B_ABS, at])];
    const block = 2 * tests.length + 1;
    tests.forEach(([code, at], j) => {
      const k = code === LD_W_LEN ? at : wordAt(t.data, at, code === LD_W_ABS ? 4 : code === LD_H_ABS ? 2 : 1);
      insns.push({ code, jt: 0, jf: 0, k: code === LD_W_LEN ? 0 : at });
      // A mismatch skips the rest of this block.
      insns.push({ code: JEQ_K, jt: 0, jf: block - 2 * j - 2, k });
    });
    insns.push(ret(verdict));
  }
  return insns;
}

/** The receive socket's program: accepts what comes from one of `peers`
 * (IPv4, 4 bytes each; everyone when null) and copies no template. */
export function receiveProgram(peers: readonly Uint8Array[] | null, templates: readonly DatagramTemplate[]): Uint8Array {
  const insns: Insn[] = [];
  if (peers !== null) {
    insns.push({ code: LD_W_ABS, jt: 0, jf: 0, k: IPV4_SRC });
    // A jump skips that many instructions after its own; after the peers
    // come "drop", then the templates' tests.
    peers.forEach((p, j) => insns.push({ code: JEQ_K, jt: peers.length - j, jf: 0, k: wordAt(p, 0, 4) }));
    insns.push(ret(DROP));
  }
  return encode([...insns, ...templateTests(templates, DROP), ret(ACCEPT)]);
}

/** The quiet socket's program: accepts only copies of the templates. */
export function copiesProgram(templates: readonly DatagramTemplate[]): Uint8Array {
  return encode([...templateTests(templates, ACCEPT), ret(DROP)]);
}

/** A netlink monitor's program: drops each message that starts with one
 * of `headers` (its bytes where the mask is not 0), accepts the rest. A
 * message shorter than a header is dropped too (a load past its end ends
 * the program with 0): the kernel sends none. */
export function dropPrefixProgram(headers: readonly DatagramTemplate[]): Uint8Array {
  return encode([...templateTests(headers, DROP, true), ret(ACCEPT)]);
}
