// Every version/family/auth combination from floatgw's encoder, written as a
// pcap (LINKTYPE_RAW: bare IPv4/IPv6 packets with TTL / hop limit 255) and
// read back by tshark, an independent VRRP dissector. tshark is a required
// dependency (scripts/setup.sh installs it): if it is missing this fails.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Advert, type CodecOptions, encodeAdvert, passwordKey } from "../../src/core/index";
import { MCAST4, MCAST6, cs, ip, ipv4Datagram, ipv6Packet, vrid } from "../unit/helpers";

const LINKTYPE_RAW = 101;

function pcap(packets: readonly Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(LINKTYPE_RAW, 20);
  parts.push(global);
  packets.forEach((p, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(p.length, 8);
    rec.writeUInt32LE(p.length, 12);
    parts.push(rec, Buffer.from(p));
  });
  return Buffer.concat(parts);
}

const FIELDS = [
  "ip.ttl",
  "ipv6.hlim",
  "vrrp.version",
  "vrrp.type",
  "vrrp.virt_rtr_id",
  "vrrp.prio",
  "vrrp.addr_count",
  "vrrp.auth_type",
  "vrrp.adver_int",
  "vrrp.short_adver_int",
  "vrrp.ip_addr",
  "vrrp.ipv6_addr",
  "vrrp.auth_string",
  "vrrp.checksum.status",
] as const;

type Row = Record<(typeof FIELDS)[number], string>;

const dir = mkdtempSync(join(tmpdir(), "floatgw-tshark-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tshark(name: string, packets: readonly Uint8Array[], prefs: string[] = []): Row[] {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, pcap(packets));
  const args = ["-r", file, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"];
  for (const p of prefs) args.push("-o", p);
  for (const f of FIELDS) args.push("-e", f);
  const out = execFileSync("tshark", args, { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((line) => {
      const cols = line.split("|");
      return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ""])) as Row;
    });
}

const src4 = ip("198.18.0.2");
const src6 = ip("fe80::2");
const key = passwordKey("secret") ?? new Uint8Array(8);
const addrs4 = [ip("198.18.0.1"), ip("198.18.1.1")];
const addrs6 = [ip("fe80::1"), ip("2001:db8::1")];

interface Case {
  name: string;
  advert: Advert;
  opts?: CodecOptions;
  prefs?: string[];
  expect: Partial<Row>;
}

const cases: Case[] = [
  {
    name: "v2-none",
    advert: { version: 2, family: 4, vrid: vrid(51), priority: 100, addrs: addrs4, adverIntervalSec: 1, auth: { type: "none" } },
    expect: { "vrrp.version": "2", "vrrp.auth_type": "0", "vrrp.adver_int": "1", "vrrp.ip_addr": "198.18.0.1,198.18.1.1" },
  },
  {
    name: "v2-pass",
    advert: { version: 2, family: 4, vrid: vrid(7), priority: 254, addrs: addrs4, adverIntervalSec: 3, auth: { type: "pass", key } },
    expect: { "vrrp.version": "2", "vrrp.auth_type": "1", "vrrp.adver_int": "3", "vrrp.auth_string": "secret", "vrrp.virt_rtr_id": "7" },
  },
  {
    name: "v2-priority0",
    advert: { version: 2, family: 4, vrid: vrid(51), priority: 0, addrs: addrs4, adverIntervalSec: 1, auth: { type: "none" } },
    expect: { "vrrp.prio": "0" },
  },
  {
    name: "v3-ipv4",
    advert: { version: 3, family: 4, vrid: vrid(51), priority: 100, addrs: addrs4, maxAdverIntervalCs: cs(100) },
    expect: { "vrrp.version": "3", "vrrp.short_adver_int": "100", "vrrp.ip_addr": "198.18.0.1,198.18.1.1" },
  },
  {
    name: "v3-ipv4-fast-owner",
    advert: { version: 3, family: 4, vrid: vrid(255), priority: 255, addrs: addrs4, maxAdverIntervalCs: cs(1) },
    expect: { "vrrp.prio": "255", "vrrp.short_adver_int": "1", "vrrp.virt_rtr_id": "255" },
  },
  {
    name: "v3-ipv4-no-pseudo-header",
    advert: { version: 3, family: 4, vrid: vrid(51), priority: 100, addrs: addrs4, maxAdverIntervalCs: cs(4095) },
    opts: { v3Ipv4PseudoHeader: false },
    prefs: ["vrrp.v3_checksum_as_in_v2:TRUE"],
    expect: { "vrrp.short_adver_int": "4095" },
  },
  {
    name: "v3-ipv6",
    advert: { version: 3, family: 6, vrid: vrid(51), priority: 100, addrs: addrs6, maxAdverIntervalCs: cs(100) },
    expect: { "vrrp.version": "3", "vrrp.ipv6_addr": "fe80::1,2001:db8::1", "ipv6.hlim": "255" },
  },
  {
    name: "v3-ipv6-priority0",
    advert: { version: 3, family: 6, vrid: vrid(1), priority: 0, addrs: addrs6, maxAdverIntervalCs: cs(10) },
    expect: { "vrrp.prio": "0", "vrrp.short_adver_int": "10" },
  },
];

function packetFor(c: Case): Uint8Array {
  const six = c.advert.family === 6;
  const path = six ? { src: src6, dst: MCAST6 } : { src: src4, dst: MCAST4 };
  const vrrp = encodeAdvert(c.advert, path, c.opts);
  return six ? ipv6Packet(path.src, path.dst, vrrp) : ipv4Datagram(path.src, path.dst, vrrp);
}

describe("tshark reads what floatgw encodes", () => {
  for (const c of cases) {
    it(c.name, () => {
      const [row, ...rest] = tshark(c.name, [packetFor(c)], c.prefs);
      expect(rest).toEqual([]);
      expect(row?.["vrrp.checksum.status"]).toBe("1"); // 1 = Good
      expect(row?.["vrrp.type"]).toBe("1");
      expect(row?.["vrrp.virt_rtr_id"]).toBe(c.expect["vrrp.virt_rtr_id"] ?? String(c.advert.vrid));
      expect(row?.["vrrp.prio"]).toBe(String(c.advert.priority));
      expect(row?.["vrrp.addr_count"]).toBe(String(c.advert.addrs.length));
      expect(row?.[c.advert.family === 6 ? "ipv6.hlim" : "ip.ttl"]).toBe("255");
      expect(row).toMatchObject(c.expect);
    });
  }

  it("a corrupted checksum is Bad for tshark too (the test can fail)", () => {
    const first = cases[0];
    if (first === undefined) throw new Error("no cases");
    const bytes = packetFor(first);
    bytes[20 + 7] = (bytes[20 + 7] ?? 0) ^ 0xff;
    const [row] = tshark("corrupt", [bytes]);
    expect(row?.["vrrp.checksum.status"]).toBe("0"); // 0 = Bad
  });

  it("without the preference tshark flags a no-pseudo-header v3 checksum as Bad", () => {
    const c = cases.find((x) => x.name === "v3-ipv4-no-pseudo-header");
    if (c === undefined) throw new Error("missing case");
    const [row] = tshark("no-pseudo-default", [packetFor(c)]);
    expect(row?.["vrrp.checksum.status"]).toBe("0");
  });
});
