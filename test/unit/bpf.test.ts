// The VRRP sockets' classic BPF programs (src/platform/bpf.ts), run by a
// small interpreter of the instructions they use, as the kernel would run
// them on what a raw socket's filter sees (IPv4: from the IP header;
// IPv6: the VRRP message). The netns tests run them in the real kernel.
import { describe, expect, it } from "vitest";
import { copiesProgram, dropAllProgram, dropPrefixProgram, receiveProgram, templateCost, templatesFit } from "../../src/platform/bpf";
import { hostLittleEndian } from "../../src/platform/hostorder";
import { encodeAdvert, type Advert } from "../../src/core/index";
import { templateOf } from "../../src/daemon/listen-wire";
import { MCAST4, cs, ip, ipv4Datagram, vrid } from "./helpers";

/** Runs a program on a packet: the length the kernel keeps (0: dropped). */
function run(program: Uint8Array, packet: Uint8Array): number {
  const v = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const p = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let a = 0;
  for (let pc = 0; pc < program.length / 8;) {
    const code = v.getUint16(pc * 8, hostLittleEndian);
    const jt = v.getUint8(pc * 8 + 2);
    const jf = v.getUint8(pc * 8 + 3);
    const k = v.getUint32(pc * 8 + 4, hostLittleEndian);
    pc++;
    switch (code) {
      case 0x06: return k; // ret #k
      case 0x80: a = packet.length; break; // ld #len
      case 0x20: case 0x28: case 0x30: { // ld [k] word / half / byte
        const size = code === 0x20 ? 4 : code === 0x28 ? 2 : 1;
        if (k + size > packet.length) return 0; // out of bounds: the kernel drops
        a = size === 4 ? p.getUint32(k) : size === 2 ? p.getUint16(k) : p.getUint8(k);
        break;
      }
      case 0x15: pc += a === k ? jt : jf; break; // jeq #k
      default: throw new Error(`instruction ${code.toString(16)} not expected`);
    }
  }
  throw new Error("ran off the end");
}

const MASTER = ip("198.18.0.3");
const OTHER = ip("198.18.0.4");

function advert(priority: number, addrs = [ip("198.18.0.1")]): Uint8Array {
  const a = { version: 3, family: 4, vrid: vrid(51), priority, addrs, maxAdverIntervalCs: cs(100) } as Advert;
  return encodeAdvert(a, { src: MASTER, dst: MCAST4 }, {});
}

/** The master's advert as a raw IPv4 socket reads it, with its Identification. */
function datagram(payload: Uint8Array, src = MASTER, id = 0, ttl = 255): Uint8Array {
  const d = ipv4Datagram(src, MCAST4, payload, ttl);
  new DataView(d.buffer).setUint16(4, id);
  new DataView(d.buffer).setUint16(10, 0xffff - id); // any checksum: the filter does not look
  return d;
}

const template = templateOf({ raw: datagram(advert(100), MASTER, 7), src: MASTER, ttl: 255 });

describe("receive and quiet sockets' programs", () => {
  it("the receive socket drops copies of a template, which only the quiet socket takes", () => {
    const copy = datagram(advert(100), MASTER, 4242);
    expect(run(receiveProgram(null, [template]), copy)).toBe(0);
    expect(run(copiesProgram([template]), copy)).toBeGreaterThan(0);
  });

  it.each([
    ["another priority", datagram(advert(90))],
    ["priority 0", datagram(advert(0))],
    ["another sender", datagram(advert(100), OTHER)],
    ["another TTL", datagram(advert(100), MASTER, 0, 254)],
    ["another address list", datagram(advert(100, [ip("198.18.0.1"), ip("198.18.0.9")]))],
    ["a shorter datagram", datagram(advert(100)).subarray(0, 30)],
    ["one byte more", new Uint8Array([...datagram(advert(100)), 0])],
  ])("anything else (%s) reaches the receive socket, never the quiet one", (_what, other) => {
    expect(run(receiveProgram(null, [template]), other)).toBeGreaterThan(0);
    expect(run(copiesProgram([template]), other)).toBe(0);
  });

  it("with several templates, each is recognised", () => {
    const second = templateOf({ raw: datagram(advert(90), OTHER), src: OTHER, ttl: 255 });
    for (const d of [datagram(advert(100), MASTER, 1), datagram(advert(90), OTHER, 2)]) {
      expect(run(receiveProgram(null, [template, second]), d)).toBe(0);
      expect(run(copiesProgram([template, second]), d)).toBeGreaterThan(0);
    }
    expect(run(copiesProgram([template, second]), datagram(advert(90), MASTER))).toBe(0);
  });

  it("in unicast mode the peers' test comes first: a stranger's datagram is dropped, a peer's copy too, its other adverts pass", () => {
    const program = receiveProgram([MASTER.bytes, OTHER.bytes], [template]);
    expect(run(program, datagram(advert(100), ip("198.18.0.100")))).toBe(0);
    expect(run(program, datagram(advert(100), MASTER, 9))).toBe(0);
    expect(run(program, datagram(advert(0), MASTER))).toBeGreaterThan(0);
    expect(run(program, datagram(advert(100), OTHER))).toBeGreaterThan(0);
    expect(run(receiveProgram([OTHER.bytes], []), datagram(advert(100), MASTER))).toBe(0);
  });

  it("without templates the receive socket takes everything and the quiet one nothing", () => {
    expect(run(receiveProgram(null, []), datagram(advert(100)))).toBeGreaterThan(0);
    expect(run(dropAllProgram(), datagram(advert(100)))).toBe(0);
  });

  it("an IPv6 template (the VRRP message alone, every byte) matches only itself", () => {
    const message = advert(100);
    const t = templateOf({ raw: message, src: ip("fe80::3"), ttl: 255 });
    expect([...t.mask].every((m) => m === 1)).toBe(true);
    expect(run(receiveProgram(null, [t]), message.slice())).toBe(0);
    expect(run(copiesProgram([t]), advert(101))).toBe(0);
  });

  it("a template too long for a jump, or too many, is refused rather than mis-encoded", () => {
    const long = { data: new Uint8Array(1200), mask: new Uint8Array(1200).fill(1) };
    expect(templateCost(long)).toBeGreaterThan(255);
    expect(templatesFit([long], 0)).toBe(false);
    expect(() => copiesProgram([long])).toThrow(RangeError);
    expect(templatesFit([template], 0)).toBe(true);
    expect(templatesFit(Array.from({ length: 400 }, () => template), 0)).toBe(false);
  });
});

describe("the netlink monitor's program", () => {
  // A header's type (bytes 4-5) and sequence and port id (8-15) matter; its length and flags do not.
  const header = (type: number, seq: number, port: number, len = 80): Uint8Array => {
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setUint32(0, len, hostLittleEndian);
    v.setUint16(4, type, hostLittleEndian);
    v.setUint16(6, 0x0100, hostLittleEndian);
    v.setUint32(8, seq, hostLittleEndian);
    v.setUint32(12, port, hostLittleEndian);
    return b;
  };
  const mask = new Uint8Array(16).fill(1, 4, 6).fill(1, 8, 16);
  // And any message whose first payload byte is 7.
  const family = new Uint8Array(17).fill(7, 16);
  const program = dropPrefixProgram([{ data: header(20, 0, 4242, 16), mask }, { data: family, mask: new Uint8Array(17).fill(1, 16) }]);
  const withFamily = (b: Uint8Array, f: number): Uint8Array => b.fill(f, 16, 17);

  it("drops the messages that start with a header, whatever their length and flags, and takes every other", () => {
    expect(run(program, header(20, 0, 4242))).toBe(0);
    expect(run(program, header(20, 0, 4242, 120))).toBe(0);
    expect(run(program, header(21, 0, 4242))).toBeGreaterThan(0); // another type
    expect(run(program, header(20, 7, 4242))).toBeGreaterThan(0); // another request's
    expect(run(program, header(20, 0, 4243))).toBeGreaterThan(0); // another socket's
    expect(run(program, header(20, 0, 0))).toBeGreaterThan(0); // the kernel's own
    expect(run(program, withFamily(header(16, 0, 0), 7))).toBe(0);
    expect(run(program, withFamily(header(16, 0, 0), 0))).toBeGreaterThan(0);
  });
});
