// Fuzzing the pure code that hostile input reaches (docs/robustness.md):
// VRRP datagrams through the IPv4 and VRRP decoders into acceptance and the
// state machine of a master, a backup and a unicast-mode backup; lease
// channel datagrams through the codec into two routers' sessions and lease
// tables; UCI files into `floatgw check`. A crash is any exception, a hang
// any input that takes over a second.
//
// `make test` runs a few seconds' worth; `make fuzz` (FLOATGW_FUZZ=full)
// runs 10^6 packets, 10^5 lease datagrams and 10^4 UCI files and writes its
// counts to build/fuzz/node.json. The real engine gets the same treatment
// over the network in test/netns/fuzz.test.ts and through the binary's
// `check` in test/openwrt/check.test.ts.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfigText } from "../../src/config/check";
import { EXAMPLE_ROUTER_A } from "../../src/config/docs";
import { type Event, type InstanceState, createInstance, decodeAdvert, step } from "../../src/core/index";
import { decodeVrrpDatagram } from "../../src/core/ipv4";
import { nextDeadline } from "../../src/core/timers";
import { PeerSession } from "../../src/leases/session";
import { HmacKey, utf8Bytes } from "../../src/leases/sha256";
import { LeaseTable } from "../../src/leases/table";
import { decodeFrame } from "../../src/leases/wire";
import { Rng, leaseDatagram, uciFile, vrrpDatagram } from "./fuzz-inputs";
import { at, config, ip, prio } from "./helpers";

const FULL = process.env.FLOATGW_FUZZ === "full";
const SCALE = FULL ? { packets: 1_000_000, leases: 100_000, uci: 10_000 } : { packets: 20_000, leases: 5_000, uci: 500 };
const SEED = Number(process.env.FLOATGW_FUZZ_SEED ?? 20261129);
const HANG_MS = 1000;
const summary: Record<string, unknown> = { seed: SEED, full: FULL };

/** Runs `each` on `n` inputs; a hang is one that takes over HANG_MS. */
function campaign<T>(name: string, n: number, make: (rng: Rng) => T, each: (input: T) => string, show: (input: T) => string): void {
  const rng = new Rng(SEED);
  const outcomes: Record<string, number> = {};
  let slowest = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const input = make(rng);
    const t = performance.now();
    let outcome: string;
    try {
      outcome = each(input);
    } catch (e) {
      throw new Error(`${name} #${i} crashed (${e instanceof Error ? e.message : String(e)}) on ${show(input)}`);
    }
    const took = performance.now() - t;
    if (took > HANG_MS) throw new Error(`${name} #${i} took ${took.toFixed(0)} ms on ${show(input)}`);
    slowest = Math.max(slowest, took);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  summary[name] = { inputs: n, crashes: 0, hangs: 0, slowestMs: Number(slowest.toFixed(2)), seconds: Number(((performance.now() - started) / 1000).toFixed(1)), outcomes };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe(`fuzz (${FULL ? "full" : "quick"}, seed ${SEED})`, () => {
  it(`${SCALE.packets} VRRP datagrams into decoding, acceptance and the state machine`, () => {
    const peer = ip("198.18.0.3");
    let now = 0;
    const started = (c = config()): InstanceState => {
      const s = createInstance(c);
      step(s, { kind: "start" }, at(now));
      return s;
    };
    const states = [
      started(config({ priority: prio(200) })), // becomes master
      started(), // stays backup
      started(config({ unicastPeers: [peer] })),
    ];
    campaign("vrrp", SCALE.packets, vrrpDatagram, (bytes) => {
      now += 7;
      const d = decodeVrrpDatagram(bytes);
      let event: Event;
      let outcome: string;
      if (!d.ok) {
        event = { kind: "rxError", reason: d.reason };
        outcome = d.reason;
      } else {
        const a = decodeAdvert(d.value.payload, { src: d.value.src, dst: d.value.dst });
        event = a.ok ? { kind: "advert", rx: { advert: a.value, src: d.value.src, ttl: d.value.ttl } } : { kind: "rxError", reason: a.reason };
        outcome = a.ok ? "decoded" : a.reason;
      }
      for (const s of states) {
        step(s, event, at(now));
        const due = nextDeadline(s.timers);
        if (due !== null && due <= now) step(s, { kind: "timeout" }, at(now));
      }
      return outcome;
    }, hex);
  });

  it(`${SCALE.leases} lease-channel datagrams into the codec, two sessions and the lease table`, () => {
    const key = new HmacKey(utf8Bytes("fuzz-lease-secret-0123"));
    const A = utf8Bytes("AAAAAAAA");
    const B = utf8Bytes("BBBBBBBB");
    let counter = 0;
    const random = (n: number) => new Uint8Array(n).fill(++counter & 0xff);
    const sessions = [new PeerSession(A, random), new PeerSession(B, random)];
    const table = new LeaseTable();
    let now = 0;
    campaign("lease", SCALE.leases, (rng) => leaseDatagram(rng, key, rng.int(2) ? A : B, rng.int(2) ? B : rng.bytes(8)), (data) => {
      now += 3;
      const d = decodeFrame(key, data);
      if (!d.ok) return d.reason;
      for (const s of sessions) {
        const v = s.check(d.frame, now);
        if (v.accepted) for (const l of d.frame.leases) table.upsert(l);
        if (now % 2000 === 0) s.rotate();
      }
      table.prune(1_900_000_000);
      return `decoded ${d.frame.type}`;
    }, hex);
  });

  it(`${SCALE.uci} UCI files into floatgw check`, () => {
    campaign("uci", SCALE.uci, (rng) => uciFile(rng, EXAMPLE_ROUTER_A), (text) => {
      const out = checkConfigText(text, "/etc/config/floatgw");
      expect(out.lines.length).toBeGreaterThan(0);
      return out.exitCode === 0 ? "usable" : "refused";
    }, (t) => JSON.stringify(t));
    if (FULL) {
      const dir = join(import.meta.dirname, "../../build/fuzz");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "node.json"), JSON.stringify(summary, null, 1) + "\n");
    }
  });
});
