// Fuzzing the real engine: hostile datagrams from a LAN host (seeded,
// test/lab/attack.py fuzz) into two running floatgwd (QuickJS) in unicast
// mode, VRRP to the group and to each router, lease-channel datagrams to each router forged
// from its peer's address. A crash is a daemon that exits, a hang one that
// stops answering `floatgw status` or lets its backup take over.
//
// `make test` sends 3·10^4; `make fuzz` (FLOATGW_FUZZ=full) sends 10^6 and
// writes the counts to build/fuzz/netns.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./lab";
import { type Router, uci, useLab, waitFor, withGlobal } from "./routers";

const { lab, topology } = useLab();

const FULL = process.env.FLOATGW_FUZZ === "full";
const COUNT = FULL ? 1_000_000 : 30_000;
const SEED = Number(process.env.FLOATGW_FUZZ_SEED ?? 20261129);
const FAST = { version: "3", advert_int: "0.1" };

interface Counted {
  instances: { counters: { advertsRx: number; becameMaster: number; drops: Record<string, number> } }[];
  devices: { drops: Record<string, number> }[];
  leaseChannel: { counters: { rx: number; rejected: Record<string, number> } } | null;
}
const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

describe(`fuzzing two running daemons (${FULL ? "full" : "quick"}, seed ${SEED})`, () => {
  it(`${COUNT} hostile datagrams: no crash, no hang, no takeover`, async () => {
    const { ns, a, b } = topology();
    // Unicast mode: in multicast mode a well-formed advert from any on-link
    // host may legitimately win the election (docs/security.md).
    const conf = (priority: string, peer: string) =>
      withGlobal(uci({ ...FAST, priority, interface: "lan", dhcp: "1", unicast_peer: [peer] }), { secret: "fuzz-lease-secret-01", hotplug: "0" });
    a.startFloatgw(conf("150", "198.18.0.3"));
    b.startFloatgw(conf("100", "198.18.0.2"));
    await waitFor("A master, B backup", () => a.state() === "master" && b.state() === "backup", 30_000);
    const started = Date.now();
    const half = Math.floor(COUNT / 2);
    const sent = [["198.18.0.2", "198.18.0.3"], ["198.18.0.3", "198.18.0.2"]].map(([dst, peer], i) =>
      lab.exec(ns.c, ["python3", `${ROOT}/test/lab/attack.py`, "fuzz", "eth0", "198.18.0.100", dst!, String(half),
        "--seed", String(SEED + i), "--lease-port", "7429", "--lease-src", peer!], 3_600_000));
    for (const s of sent) expect(s.status, s.stderr).toBe(0);
    const seconds = (Date.now() - started) / 1000;
    for (const r of [a, b]) expect(r.running, r.log.slice(-2000)).toBe(true);
    const status = (r: Router) => r.status() as unknown as Counted | null;
    const sa = await waitFor("A answering", () => status(a), 10_000);
    const sb = await waitFor("B answering", () => status(b), 10_000);
    expect(a.state()).toBe("master");
    expect(b.state()).toBe("backup");
    expect(b.instance()?.master).toBe("198.18.0.2");
    const counts = [sa, sb].map((s) => ({
      vrrp: s.instances[0]!.counters.advertsRx + sum(s.instances[0]!.counters.drops) + sum(s.devices[0]!.drops),
      lease: (s.leaseChannel?.counters.rx ?? 0) + sum(s.leaseChannel?.counters.rejected ?? {}),
      becameMaster: s.instances[0]!.counters.becameMaster,
    }));
    expect(counts[1]!.becameMaster).toBe(0);
    for (const c of counts) expect(c.vrrp + c.lease).toBeGreaterThan(0);
    const sentCounts = sent.map((s) => s.stdout.trim().split(" ").map(Number));
    if (FULL) {
      const dir = join(import.meta.dirname, "../../build/fuzz");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "netns.json"), JSON.stringify({ seed: SEED, seconds, sent: sentCounts, counted: counts, crashes: 0, hangs: 0 }, null, 1) + "\n");
    }
  }, FULL ? 3_600_000 : 180_000);
});
