// The DHCP lease channel between the two routers (docs/dhcp.md), on the
// plain namespace lab: what it accepts and what it rejects is floatgwd's
// own protocol, with no OpenWrt program involved, so the hooks are off
// (hotplug '0') and no dnsmasq runs. How leases travel from and into the
// real dnsmasq is tested on real OpenWrt (test/openwrt/dhcp.test.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FLOATGWD, must } from "./lab";
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
  peer: string | null;
  degraded: string | null;
  counters: { rx: number; tx: number; rejected: Record<string, number> };
  leases: LeaseView[];
}
const channel = (r: Router): LeaseChannel | null =>
  (r.status() as unknown as { leaseChannel?: LeaseChannel | null } | null)?.leaseChannel ?? null;

describe("the lease channel", () => {
  it("rejects and counts tampered, replayed, wrongly keyed and malformed datagrams, and keeps nothing of them", async () => {
    const { ns, a, b } = await pair(true);
    await waitFor("B's lease channel up", () => channel(b)?.degraded === null && channel(b), 30_000);
    const before = channel(b)!;
    // Sent from the client namespace, as anyone on the LAN could.
    const script = join(a.dir, "forge.py");
    writeFileSync(script, `
import hashlib, hmac, json, socket, struct
def frame(key, sender, seq, typ, leases, to=bytes(8)):
    body = b"FGL1" + sender + to + struct.pack(">I", seq) + json.dumps({"type": typ, "leases": leases}).encode()
    return body + hmac.new(key, body, hashlib.sha256).digest()
lease = [{"mac": "02:00:00:00:00:66", "ip": "198.18.0.166", "hostname": "forged", "clientId": "*", "expires": 4000000000}]
good = "${SECRET}".encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = ("198.18.0.3", 7429)
s.sendto(frame(b"not-the-lab-secret-at-all", b"\\x66" * 8, 1, "add", lease), dst)  # wrong key: bad-mac
t = bytearray(frame(good, b"\\x66" * 8, 2, "hello", []))
t[30] ^= 1
s.sendto(bytes(t), dst)  # tampered: bad-mac
hello = frame(good, b"\\x66" * 8, 3, "hello", [])
s.sendto(hello, dst)  # accepted: the key is right
s.sendto(hello, dst)  # the same again: replay
s.sendto(frame(good, b"\\x66" * 8, 4, "add", lease), dst)  # not addressed to B's boot id: replay
s.sendto(b"FGL1 short", dst)  # malformed
body = b"FGL1" + b"\\x66" * 16 + struct.pack(">I", 5) + b"{not json"
s.sendto(body + hmac.new(good, body, hashlib.sha256).digest(), dst)  # signed, but malformed
`);
    must(["ip", "netns", "exec", ns.c, "python3", script]);
    const after = await waitFor("B counted all six", () => {
      const c = channel(b);
      const r = c?.counters.rejected ?? {};
      const sum = (r["bad-mac"] ?? 0) + (r.replay ?? 0) + (r.malformed ?? 0);
      return c && sum >= 6 && c;
    }, 30_000);
    expect(after.counters.rejected).toEqual({
      "bad-mac": (before.counters.rejected["bad-mac"] ?? 0) + 2,
      replay: (before.counters.rejected.replay ?? 0) + 2,
      malformed: (before.counters.rejected.malformed ?? 0) + 2,
    });
    expect(after.leases.map((l) => l.mac)).not.toContain("02:00:00:00:00:66");
    const leasefile = join(b.dir, "dhcp.leases");
    expect(existsSync(leasefile) ? readFileSync(leasefile, "utf8") : "").not.toContain("02:00:00:00:00:66");
    await waitFor("B's log line", () => /rejected a datagram from 198\.18\.0\.100: bad-mac/.test(b.log), 10_000);
    const status = must([FLOATGWD, "status", "--run-dir", join(b.dir, "run")]);
    expect(status).toMatch(/DHCP lease channel \(udp 7429\): OK/);
    expect(status).toMatch(/rejected: bad-mac 2, replay 2, malformed 2/);
  });

  it("says why DHCP is degraded without a secret, and VRRP runs as ever", async () => {
    const { a } = await pair(false);
    const status = must([FLOATGWD, "status", "--run-dir", join(a.dir, "run")]);
    expect(status).toContain("DHCP lease channel (udp 7429): DEGRADED: no secret configured");
    expect(a.state()).toBe("master");
  });
});
