// The DHCP lease channel between the two routers (docs/dhcp.md), on the
// plain namespace lab: what it accepts and what it rejects is floatgwd's
// own protocol, with no OpenWrt program involved, so the hooks are off
// (hotplug '0') and no dnsmasq runs. How leases travel from and into the
// real dnsmasq is tested on real OpenWrt (test/openwrt/dhcp.test.ts).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HmacKey, utf8Bytes } from "../../src/leases/sha256";
import { encodeFrame } from "../../src/leases/wire";
import { FLOATGWD, ROOT, must } from "./lab";
import { type Router, uci, useLab, waitFor, withGlobal } from "./routers";

const { topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };
const SECRET = "lab-lease-secret-0123";

/** Both routers with an instance with dhcp '1' (the lease channel's
 * trigger), no hooks, and a secret if `secret`; resolves once A is master
 * and B backup. */
async function pair(secret: boolean) {
  const r = topology();
  for (const [router, priority] of [[r.a, "150"], [r.b, "100"]] as const) {
    router.startFloatgw(withGlobal(uci({ ...FAST, priority, interface: "lan", dhcp: "1" }),
      { hotplug: "0", dhcp_leasefile: join(router.dir, "dhcp.leases"), ...(secret ? { secret: SECRET } : {}) }));
  }
  await waitFor("A master, B backup", () => r.a.state() === "master" && r.b.state() === "backup", 30_000);
  return r;
}

interface LeaseView { mac: string; ip: string; hostname: string; expires: number }
interface LeaseChannel {
  listening: string | null;
  peer: string | null;
  degraded: string | null;
  counters: { rx: number; tx: number; rejected: Record<string, number> };
  leases: LeaseView[];
}
const channel = (r: Router): LeaseChannel | null =>
  (r.status() as unknown as { leaseChannel?: LeaseChannel | null } | null)?.leaseChannel ?? null;

describe("the lease channel", () => {
  it("rejects and counts strangers, tampered, replayed, wrongly keyed and malformed datagrams, and keeps nothing of them", async () => {
    const { ns, b, a } = await pair(true);
    await waitFor("B's lease channel up", () => channel(b)?.degraded === null && channel(b), 30_000);
    const before = channel(b)!;
    const key = new HmacKey(utf8Bytes(SECRET));
    const forger = new Uint8Array(8).fill(0x66);
    const lease = [{ mac: "02:00:00:00:00:66", ip: "198.18.0.166", hostname: "forged", clientId: "*", expires: 4_000_000_000 }];
    const frame = (k: HmacKey, seq: number, type: "hello" | "add", leases = lease) =>
      encodeFrame(k, { from: forger, to: new Uint8Array(8), seq, type, leases, challenge: new Uint8Array(8).fill(1) });
    const tampered = frame(key, 2, "hello");
    tampered[30]! ^= 1;
    const junk = new Uint8Array([...new TextEncoder().encode("FGL1"), ...forger, ...forger, 0, 0, 0, 5, ...new TextEncoder().encode("{not json")]);
    const datagrams = [
      frame(new HmacKey(utf8Bytes("not-the-lab-secret-at-all")), 1, "add"), // wrong key: bad-mac
      tampered, // bad-mac
      frame(key, 3, "hello", []), // the key is right, but no session: answered, not taken
      frame(key, 3, "hello", []), // the same again
      frame(key, 4, "add"), // no session: replay
      new TextEncoder().encode("FGL1 short"), // malformed
      new Uint8Array([...junk, ...key.mac(junk)]), // signed, but malformed
      new Uint8Array(1500).fill(0x46), // longer than one frame: truncated, never MAC'd
    ].map((d) => Buffer.from(d).toString("hex"));
    // First from the attacker's own address, then forged from A's (the peer's).
    for (const src of ["198.18.0.100", "198.18.0.2"])
      must(["ip", "netns", "exec", ns.c, "python3", `${ROOT}/test/lab/attack.py`, "replay", "eth0", src, "198.18.0.3", "7429", ...datagrams]);
    const delta = (c: typeof before, r: string) => (c.counters.rejected[r] ?? 0) - (before.counters.rejected[r] ?? 0);
    const after = await waitFor("B counted all sixteen", () => {
      const c = channel(b);
      return c && ["stranger", "bad-mac", "no-session", "replay", "malformed", "truncated"].reduce((n, r) => n + delta(c, r), 0) >= 16 && c;
    }, 30_000);
    expect(Object.fromEntries(["stranger", "bad-mac", "no-session", "replay", "malformed", "truncated", "oversize"].map((r) => [r, delta(after, r)])))
      .toEqual({ stranger: 7, "bad-mac": 2, "no-session": 2, replay: 1, malformed: 2, truncated: 2, oversize: 0 });
    expect(after.leases.map((l) => l.mac)).not.toContain("02:00:00:00:00:66");
    const leasefile = join(b.dir, "dhcp.leases");
    expect(existsSync(leasefile) ? readFileSync(leasefile, "utf8") : "").not.toContain("02:00:00:00:00:66");
    await waitFor("B's log line", () => /refused a datagram from 198\.18\.0\.100: stranger/.test(b.log), 10_000);
    const status = must([FLOATGWD, "status", "--run-dir", join(b.dir, "run")]);
    expect(status).toMatch(/DHCP lease channel \(udp 7429\): OK/);
    expect(status).toMatch(/rejected: .*stranger \d+, bad-mac \d+/);
    expect(a.state()).toBe("master");
  });

  it("listens from the daemon's first answer on: the channel starts after the instances, on their address", async () => {
    const { a } = topology();
    a.startFloatgw(withGlobal(uci({ ...FAST, priority: "150", interface: "lan", dhcp: "1" }),
      { hotplug: "0", dhcp_leasefile: join(a.dir, "dhcp.leases"), secret: SECRET }));
    // The first status the daemon answers comes after its whole start.
    // Configured before the instances (as it was), the channel found no
    // address to bind to and listened only from its next hello, 2 s later.
    const first = await waitFor("A's first status", () => a.status(), 30_000);
    expect((first as unknown as { leaseChannel: LeaseChannel }).leaseChannel.listening).toBe("198.18.0.2");
  });

  it("says why DHCP is degraded without a secret, and VRRP runs as ever", async () => {
    const { a } = await pair(false);
    const status = must([FLOATGWD, "status", "--run-dir", join(a.dir, "run")]);
    expect(status).toContain("DHCP lease channel (udp 7429): DEGRADED: no secret configured");
    expect(a.state()).toBe("master");
  });
});
