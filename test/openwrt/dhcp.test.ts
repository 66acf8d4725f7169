// dnsmasq follows the VIP (docs/dhcp.md) on a pair of real OpenWrt 22.03
// routers (test/lab/openwrt.mjs): OpenWrt's own uci, /etc/init.d/dnsmasq
// (dnsmasq in ujail) and dhcp-script, whose lease events reach floatgw
// through the real hotplug; busybox udhcpc on the client. The pair boots
// once; the tests run in order on it. Generous deadlines, no timing
// assertions. The whole failover story (no NAK, lease kept both ways) is
// test/openwrt/pair.test.ts.
import { readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { DhcpClient, dnsmasqState, FAST, type Router, ROUTERS, setUpPair, VIP, waitFor } from "../lab/openwrt.mjs";
import { partitionVrrp } from "../netns/routers";
import { describeOpenWrt, routerStory, state, status, useOpenWrtLab } from "./lab";

/** The PID of the router's dnsmasq once the same one has run for 3 s. */
async function settled(r: Router): Promise<number> {
  let last: { pid: number | null; since: number } = { pid: null, since: Date.now() };
  return waitFor("dnsmasq settled", () => {
    const { pid } = dnsmasqState(r);
    if (pid !== last.pid) last = { pid, since: Date.now() };
    return pid !== null && Date.now() - last.since >= 3000 && pid;
  }, 60_000);
}

describeOpenWrt("dnsmasq follows the VIP on real OpenWrt", () => {
  const env = useOpenWrtLab();
  const dhcpBefore: Record<string, string> = {};

  it("runs each router's logd without the host's kernel log, which two logds would race for", () => {
    // test/lab/openwrt.mjs boots procd without CAP_SYSLOG: a logd that
    // lost a kernel message to the other router's blocked every process
    // that logged, dnsmasq's restart among them.
    for (const r of [env.lab.a, env.lab.b]) {
      const logds = r.pids("logd");
      expect(logds).toHaveLength(1);
      const fds = readdirSync(`/proc/${logds[0]}/fd`).map((fd) => readlinkSync(`/proc/${logds[0]}/fd/${fd}`));
      // Seen from the host, paths read through the router's root.
      expect(fds.filter((f) => f.endsWith("/dev/null"))).not.toEqual([]);
      expect(fds.filter((f) => f.endsWith("/proc/kmsg"))).toEqual([]);
    }
  });

  it("hands out the VIP as router and DNS on both routers, keeping the admin's options; only the master serves", async () => {
    const { a, b } = env.lab;
    // A lease time other than OpenWrt's 12 h, which floatgwd assumes for a
    // lease event that says nothing of its end (the next test).
    for (const r of [a, b]) r.must("uci set dhcp.lan.leasetime='2h' && uci commit dhcp");
    for (const r of [a, b]) dhcpBefore[r.name] = r.read("/etc/config/dhcp");
    await setUpPair(env.lab, FAST);
    for (const r of [a, b]) {
      expect(r.must("uci get dhcp.lan.dhcp_option").trim()).toBe(`42,198.18.0.9 3,${VIP} 6,${VIP}`);
    }
    expect(a.must("uci get dhcp.lan.ignore").trim()).toBe("0");
    expect(b.must("uci get dhcp.lan.ignore").trim()).toBe("1");
    // OpenWrt's init passes the options only where DHCP is on.
    const { conf } = dnsmasqState(a);
    for (const o of [`3,${VIP}`, `6,${VIP}`, "42,198.18.0.9"]) expect(conf).toContain(`dhcp-option=lan,${o}`);
    expect(dnsmasqState(a).dhcp).toBe("on");
    expect(dnsmasqState(b).dhcp).toBe("off");
  });

  it("B holds A's leases, writes them before its dnsmasq serves, ACKs the old client's rebind and gives a new client another address", async () => {
    const { lab } = env;
    const { a, b } = lab;
    // The client does not answer pings, so dnsmasq's ping check before an
    // offer cannot be what keeps B from offering its address to another client.
    const rules = join(lab.dir, "noping.nft");
    writeFileSync(rules, `table inet fgnoping {
      chain input { type filter hook input priority 0; icmp type echo-request drop; }
    }\n`);
    lab.must("c", ["nft", "-f", rules]);
    const mac = (JSON.parse(lab.must("c", ["ip", "-j", "link", "show", "eth0"])) as { address: string }[])[0]!.address;
    const client = new DhcpClient(lab);
    const first = await waitFor("a lease from A", () => client.lease, 30_000);
    expect(first.serverid).toBe(ROUTERS.a);
    await waitFor("the lease replicated to B", () =>
      status(b)?.leaseChannel?.leases.some((l) => l.mac === mac && l.ip === first.ip), 30_000);
    // It ends when A's does: OpenWrt's dhcp-script passes no expiry, so the
    // hook reads it from A's lease file.
    const aExpires = Number(a.read("/tmp/dhcp.leases").split("\n").find((l) => l.includes(` ${mac} ${first.ip} `))?.split(" ")[0]);
    expect(aExpires).toBeGreaterThan(Date.now() / 1000 + 3600);
    expect(aExpires).toBeLessThan(Date.now() / 1000 + 7300);
    expect(status(b)?.leaseChannel?.leases.find((l) => l.mac === mac)?.expires).toBe(aExpires);
    expect(status(b)?.leaseChannel).toMatchObject({ peer: ROUTERS.a, degraded: null });
    expect(status(a)?.leaseChannel).toMatchObject({ peer: ROUTERS.b, degraded: null });

    lab.port("a", "down");
    await waitFor("B master serving DHCP", () => state(b) === "master" && dnsmasqState(b).dhcp === "on", 30_000, routerStory(b));
    expect(b.read("/tmp/dhcp.leases")).toContain(` ${mac} ${first.ip} `);
    await waitFor("B's log of the lease file", () => /wrote \d+ replicated lease\(s\) into \/tmp\/dhcp\.leases/.test(b.logread()), 10_000);

    // A second client asks for the first one's address: B knows it is taken.
    lab.must("c", ["ip", "link", "add", "c2", "link", "eth0", "type", "macvlan", "mode", "bridge"]);
    lab.must("c", ["ip", "link", "set", "c2", "up"]);
    const second = new DhcpClient(lab, { iface: "c2", request: first.ip });
    const other = await waitFor("a lease for the second client from B", () => second.lease, 30_000);
    expect(other.serverid).toBe(ROUTERS.b);
    expect(other.ip).not.toBe(first.ip);

    // The first client's renewal (unicast to A, unanswered) becomes a rebind, ACKed by B.
    client.renew();
    const renewed = await waitFor("the first client's lease renewed by B", () =>
      client.lease?.serverid === ROUTERS.b && client.lease, 60_000);
    expect(renewed).toMatchObject({ ip: first.ip, router: VIP, dns: VIP });

    lab.port("a", "up");
    await waitFor("A master again, B backup with DHCP off", () =>
      state(a) === "master" && state(b) === "backup" && dnsmasqState(b).dhcp === "off", 30_000, routerStory(a, b));
  });

  it("serves DHCP from both sides of a split brain, and only from the master once it heals", async () => {
    const { lab } = env;
    const { a, b } = lab;
    const heal = partitionVrrp(lab.ns.sw, lab.dir);
    await waitFor("two masters, both serving", () => state(a) === "master" && state(b) === "master" && dnsmasqState(b).dhcp === "on", 30_000, routerStory(a, b));
    expect(dnsmasqState(a).dhcp).toBe("on");
    heal();
    await waitFor("B backup with DHCP off", () => state(b) === "backup" && dnsmasqState(b).dhcp === "off" && dnsmasqState(b).pid, 30_000, routerStory(b));
    expect(state(a)).toBe("master");
    expect(dnsmasqState(a).dhcp).toBe("on");
  });

  it("dhcp '0' gives the dhcp config back byte for byte and then leaves dnsmasq alone; a stopped daemon gives it back too", async () => {
    const { a, b } = env.lab;
    expect(a.read("/etc/config/dhcp")).not.toBe(dhcpBefore.a);
    a.must("uci set floatgw.lan.dhcp='0'; uci commit floatgw; reload_config");
    await waitFor("A's dhcp config restored and dnsmasq restarted on it", () =>
      a.read("/etc/config/dhcp") === dhcpBefore.a && !dnsmasqState(a).conf.includes(`3,${VIP}`) && dnsmasqState(a).dhcp === "on", 30_000, routerStory(a));
    await waitFor("A master", () => state(a) === "master", 30_000);
    // reload_config also reported the dhcp config that floatgw's hook had
    // changed, and procd reloads dnsmasq for it too: wait until one dnsmasq
    // has run for 3 s.
    const pid = await settled(a);
    // Transitions of a dhcp '0' instance leave dnsmasq alone.
    env.lab.port("a", "down");
    await waitFor("A in fault", () => state(a) === "fault", 30_000);
    env.lab.port("a", "up");
    await waitFor("A master", () => state(a) === "master", 30_000);
    expect(a.read("/etc/config/dhcp")).toBe(dhcpBefore.a);
    expect(dnsmasqState(a).pid).toBe(pid);
    b.must("/etc/init.d/floatgw stop");
    await waitFor("B's dhcp config restored at exit", () => b.read("/etc/config/dhcp") === dhcpBefore.b, 30_000);
    // OpenWrt's dnsmasq restarts are slow (its "other DHCP server" probe
    // waits for answers): floatgwd's stop hooks still all ran to the end.
    expect(b.logread()).not.toMatch(/cut short|not run/);
  });
});
