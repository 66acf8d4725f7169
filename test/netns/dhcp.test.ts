// dnsmasq follows the VIP (docs/dhcp.md), with Debian's real dnsmasq on both
// routers and busybox udhcpc on the client. Debian has no OpenWrt uci,
// dnsmasq init, dhcp-script or hotplug-call: the stand-ins of test/lab/ take
// their place (see dhcp-lab.ts) and restart dnsmasq with the options
// OpenWrt's init would generate, and turn dnsmasq's lease events into hotplug
// `dhcp` events as OpenWrt's dhcp-script does; floatgw's hooks run unchanged
// against them. tshark on the
// client's port checks what the servers say. Generous deadlines, no timing
// assertions.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HmacKey, utf8Bytes } from "../../src/leases/sha256";
import { encodeFrame } from "../../src/leases/wire";
import { FLOATGWD, ROOT, must } from "./lab";
import { DHCP_CONFIG, DhcpClient, RouterDhcp } from "./dhcp-lab";
import { partitionVrrp, type Router, sleep, uci, useLab, VIP, waitFor, withGlobal } from "./routers";

const { lab, topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };
const SECRET = "lab-lease-secret-0123";
const config = (priority: string, d: RouterDhcp, dhcp = "1", replicate = false) =>
  withGlobal(uci({ ...FAST, priority, interface: "lan", dhcp }),
    { hotplug: d.hotplug, ...(replicate ? { secret: SECRET, dhcp_leasefile: d.leasefile } : {}) });

/** Both routers with dnsmasq started from the admin's config, as at boot,
 * then floatgwd with dhcp '1' (and lease replication if `replicate`);
 * resolves once A serves DHCP and B does not. */
async function pair(replicate = false) {
  const r = topology();
  const da = new RouterDhcp(r.a);
  const db = new RouterDhcp(r.b);
  da.startDnsmasq();
  db.startDnsmasq();
  r.a.startFloatgw(config("150", da, "1", replicate));
  r.b.startFloatgw(config("100", db, "1", replicate));
  await waitFor("A master serving DHCP, B backup not", () =>
    r.a.state() === "master" && r.b.state() === "backup" &&
    da.serving && da.args.includes(`--dhcp-option=lan,3,${VIP}`) && db.args.includes("--no-dhcp-interface"), 30_000);
  return { ...r, da, db };
}

/** tshark on the client's port of the switch, DHCP only. */
async function capture(sw: string, file: string) {
  const tshark = lab.start(sw, ["tshark", "-q", "-i", "pc", "-w", file, "-f", "udp port 67 or udp port 68"]);
  await waitFor("tshark capturing", () => existsSync(file), 30_000);
  await sleep(500);
  return async (): Promise<string[][]> => {
    await sleep(1500); // dumpcap writes in batches: let the last packets land
    tshark.kill("SIGINT");
    await new Promise((r) => tshark.on("exit", r));
    const out = must(["tshark", "-r", file, "-Y", "dhcp", "-T", "fields", "-E", "separator=|",
      "-e", "ip.src", "-e", "dhcp.option.dhcp", "-e", "dhcp.option.dhcp_server_id", "-e", "dhcp.ip.your"]);
    return out.split("\n").filter(Boolean).map((l) => l.split("|"));
  };
}

const OFFER = "2";
const ACK = "5";
const NAK = "6";

describe("dnsmasq follows the VIP", () => {
  it("only the master answers DISCOVER, with router and DNS = VIP; the client keeps its address across failover without a NAK", async () => {
    const { ns, a, b, da, db } = await pair();
    const stop = await capture(ns.sw, join(a.dir, "dhcp.pcap"));
    for (const d of [da, db]) {
      expect(d.args).toContain(`--dhcp-option=lan,3,${VIP}`);
      expect(d.args).toContain(`--dhcp-option=lan,6,${VIP}`);
      expect(d.args).toContain("--dhcp-option=lan,42,198.18.0.9");
    }
    const client = new DhcpClient(lab, ns.c, a.dir);
    const first = await waitFor("a lease from A", () => client.lease, 30_000);
    expect(first).toMatchObject({ router: VIP, dns: VIP, serverid: "198.18.0.2" });
    expect(first.ip).toMatch(/^198\.18\.0\.1[5-9]\d$/);

    must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
    await waitFor("B master serving DHCP", () => b.state() === "master" && db.serving, 30_000);
    client.renew();
    const renewed = await waitFor("the lease renewed by B", () => {
      const l = client.lease;
      return l && l.serverid === "198.18.0.3" && l;
    }, 60_000);
    expect(renewed).toMatchObject({ ip: first.ip, router: VIP, dns: VIP });

    const packets = await stop();
    const fromServers = packets.filter((p) => p[1] === OFFER || p[1] === ACK || p[1] === NAK);
    expect(fromServers.filter((p) => p[1] === NAK)).toEqual([]);
    // Before the failover only A answered; B's first answer is the ACK of the rebind.
    const firstFromB = fromServers.findIndex((p) => p[0] === "198.18.0.3");
    expect(firstFromB).toBeGreaterThan(0);
    expect(fromServers.slice(0, firstFromB).every((p) => p[0] === "198.18.0.2")).toBe(true);
    expect(fromServers.slice(0, firstFromB).some((p) => p[1] === OFFER)).toBe(true);
    expect(fromServers[firstFromB]).toEqual(["198.18.0.3", ACK, "198.18.0.3", first.ip]);
  });

  it("turning dhcp off gives the dhcp config back byte for byte, and dhcp '0' changes nothing in dnsmasq", async () => {
    const { a, b, da, db } = await pair();
    expect(da.config).not.toBe(DHCP_CONFIG);
    a.reload(config("150", da, "0"));
    await waitFor("A's dhcp config restored and dnsmasq restarted on it", () =>
      da.config === DHCP_CONFIG && !da.args.includes(`3,${VIP}`) && da.serving && da.pid !== "", 30_000);
    await waitFor("A back as master", () => a.state() === "master", 30_000);
    const pid = da.pid;
    await sleep(1000);
    expect(da.config).toBe(DHCP_CONFIG);
    expect(da.pid).toBe(pid); // no restart of dnsmasq for a dhcp '0' instance
    expect(await b.stopFloatgw()).toBe(0);
    await waitFor("B's dhcp config restored at exit", () => db.config === DHCP_CONFIG, 30_000);
  });
  it("a stopping master whose dnsmasq restarts are slow still runs its stop hook and gives the config back", async () => {
    const { a, da } = await pair();
    // Its resign hook ("backup") and stop hook each restart dnsmasq: 2.5 s
    // each here, more than the 2 s all exit hooks once had together.
    da.slowRestarts(2.5);
    expect(await a.stopFloatgw()).toBe(0);
    expect(a.log).not.toMatch(/cut short|not run/);
    expect(da.config).toBe(DHCP_CONFIG);
  });

  it("serves DHCP from both sides of a split brain, and only from the master once it heals", async () => {
    const { ns, a, b, da, db } = await pair();
    const heal = partitionVrrp(ns.sw, a.dir);
    await waitFor("two masters, both serving", () => a.state() === "master" && b.state() === "master" && db.serving, 30_000);
    expect(da.serving).toBe(true);
    heal();
    await waitFor("B backup with DHCP off", () => b.state() === "backup" && db.args.includes("--no-dhcp-interface"), 30_000);
    expect(a.state()).toBe("master");
    expect(da.serving).toBe(true);
  });
});

interface LeaseView { mac: string; ip: string; hostname: string; expires: number }
interface LeaseChannel {
  peer: string | null;
  degraded: string | null;
  counters: { rx: number; tx: number; rejected: Record<string, number> };
  leases: LeaseView[];
}
const channel = (r: Router): LeaseChannel | null =>
  (r.status() as unknown as { leaseChannel?: LeaseChannel | null } | null)?.leaseChannel ?? null;

describe("lease replication", () => {
  it("B holds A's leases, writes them before dnsmasq serves, ACKs the old client's rebind and gives a new client another address", async () => {
    const { ns, a, b, db } = await pair(true);
    // The client does not answer pings, so dnsmasq's ping check before an
    // offer cannot be what keeps B from offering its address to another client.
    const rules = join(a.dir, "noping.nft");
    writeFileSync(rules, `table inet fgnoping {
      chain input { type filter hook input priority 0; icmp type echo-request drop; }
    }\n`);
    must(["ip", "netns", "exec", ns.c, "nft", "-f", rules]);
    const mac = (JSON.parse(must(["ip", "-n", ns.c, "-j", "link", "show", "eth0"])) as { address: string }[])[0]!.address;
    const client = new DhcpClient(lab, ns.c, a.dir);
    const first = await waitFor("a lease from A", () => client.lease, 30_000);
    expect(first.serverid).toBe("198.18.0.2");
    const replicated = await waitFor("the lease replicated to B", () => {
      const c = channel(b);
      return c && c.leases.some((l) => l.mac === mac && l.ip === first.ip) && c.leases;
    }, 30_000);
    expect(channel(b)).toMatchObject({ peer: "198.18.0.2", degraded: null });
    expect(channel(a)).toMatchObject({ peer: "198.18.0.3", degraded: null });
    await waitFor("A's log of the channel", () => a.log.includes("lease channel: peer 198.18.0.3"), 10_000);

    must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
    await waitFor("B master serving DHCP", () => b.state() === "master" && db.serving, 30_000);
    // The lease file dnsmasq started on when it turned DHCP on had the lease.
    expect(db.leasesAtStart).toContain(` ${mac} ${first.ip} `);
    await waitFor("B's log of the lease file", () => /wrote \d+ replicated lease\(s\) into /.test(b.log), 10_000);

    // A second client asks for the first one's address: B knows it is taken.
    must(["ip", "-n", ns.c, "link", "add", "c2", "link", "eth0", "type", "macvlan", "mode", "bridge"]);
    must(["ip", "-n", ns.c, "link", "set", "c2", "up"]);
    const second = new DhcpClient(lab, ns.c, a.dir, { iface: "c2", request: first.ip });
    const other = await waitFor("a lease for the second client from B", () => second.lease, 30_000);
    expect(other.serverid).toBe("198.18.0.3");
    expect(replicated.map((l) => l.ip)).not.toContain(other.ip);

    // The first client's renewal (unicast to A, unanswered) becomes a rebind, ACKed by B.
    client.renew();
    const renewed = await waitFor("the first client's lease renewed by B", () => {
      const l = client.lease;
      return l && l.serverid === "198.18.0.3" && l;
    }, 60_000);
    expect(renewed).toMatchObject({ ip: first.ip, router: VIP, dns: VIP });
  });

  it("rejects and counts strangers, tampered, replayed, wrongly keyed and malformed datagrams, and keeps nothing of them", async () => {
    const { ns, a, b, db } = await pair(true);
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
    expect(existsSync(db.leasefile) ? readFileSync(db.leasefile, "utf8") : "").not.toContain("02:00:00:00:00:66");
    await waitFor("B's log line", () => /refused a datagram from 198\.18\.0\.100: stranger/.test(b.log), 10_000);
    const status = must([FLOATGWD, "status", "--run-dir", join(b.dir, "run")]);
    expect(status).toMatch(/DHCP lease channel \(udp 7429\): OK/);
    expect(status).toMatch(/rejected: .*stranger \d+, bad-mac \d+/);
    expect(a.state()).toBe("master");
  });

  it("says why DHCP is degraded without a secret, and VRRP runs as ever", async () => {
    const { a } = await pair(false);
    const status = must([FLOATGWD, "status", "--run-dir", join(a.dir, "run")]);
    expect(status).toContain("DHCP lease channel (udp 7429): DEGRADED: no secret configured");
    expect(a.state()).toBe("master");
  });
});
