// dnsmasq follows the VIP (docs/dhcp.md), with Debian's real dnsmasq on both
// routers and busybox udhcpc on the client. Debian has no OpenWrt uci,
// dnsmasq init or hotplug-call: the stand-ins of test/lab/ take their place
// (see dhcp-lab.ts) and restart dnsmasq with the options OpenWrt's init would
// generate; floatgw's hook runs unchanged against them. tshark on the
// client's port checks what the servers say. Generous deadlines, no timing
// assertions.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { must } from "./lab";
import { DHCP_CONFIG, DhcpClient, RouterDhcp } from "./dhcp-lab";
import { sleep, uci, useLab, VIP, waitFor, withGlobal } from "./routers";

const { lab, topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };
const config = (priority: string, hotplug: string, dhcp = "1") =>
  withGlobal(uci({ ...FAST, priority, interface: "lan", dhcp }), { hotplug });

/** Both routers with dnsmasq started from the admin's config, as at boot,
 * then floatgwd with dhcp '1'; resolves once A serves DHCP and B does not. */
async function pair() {
  const r = topology();
  const da = new RouterDhcp(r.a);
  const db = new RouterDhcp(r.b);
  da.startDnsmasq();
  db.startDnsmasq();
  r.a.startFloatgw(config("150", da.hotplug));
  r.b.startFloatgw(config("100", db.hotplug));
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
    a.reload(config("150", da.hotplug, "0"));
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
  it("serves DHCP from both sides of a split brain, and only from the master once it heals", async () => {
    const { ns, a, b, da, db } = await pair();
    // Drop VRRP between the two routers' switch ports, both ways.
    const rules = join(a.dir, "split.nft");
    writeFileSync(rules, `table bridge fgsplit {
      chain forward_vrrp {
        type filter hook forward priority 0;
        iifname "pa" oifname "pb" ip protocol 112 drop
        iifname "pb" oifname "pa" ip protocol 112 drop
      }
    }\n`);
    must(["ip", "netns", "exec", ns.sw, "nft", "-f", rules]);
    await waitFor("two masters, both serving", () => a.state() === "master" && b.state() === "master" && db.serving, 30_000);
    expect(da.serving).toBe(true);
    must(["ip", "netns", "exec", ns.sw, "nft", "delete", "table", "bridge", "fgsplit"]);
    await waitFor("B backup with DHCP off", () => b.state() === "backup" && db.args.includes("--no-dhcp-interface"), 30_000);
    expect(a.state()).toBe("master");
    expect(da.serving).toBe(true);
  });
});
