// floatgw on a pair of real OpenWrt 22.03 routers (test/lab/openwrt.mjs),
// the way a user meets it: installed on both, configured with nothing but
// the uci commands of docs/usage.md, then the two-router story with the
// rootfs's own procd, netifd, dnsmasq (OpenWrt's init, in ujail), hotplug
// and logd, and busybox udhcpc on a client behind a switch on which tshark
// listens. The tests run in order on one pair, booted once.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { CLIENT, DhcpClient, dnsmasqState, installFloatgw, must, ROUTERS, setupCommands, sleep, VIP, waitFor } from "../lab/openwrt.mjs";
import { describeOpenWrt, service, state, status, useOpenWrtLab } from "./lab";

const OFFER = "2";
const ACK = "5";
const NAK = "6";

describeOpenWrt("a pair of real OpenWrt routers", () => {
  const env = useOpenWrtLab();
  const dhcpBefore: Record<string, string> = {};

  it("installs on both routers, and the uci commands of docs/usage.md bring up A as master and B as backup under procd", async () => {
    const { a, b } = env.lab;
    for (const r of [a, b]) {
      dhcpBefore[r.name] = r.read("/etc/config/dhcp");
      installFloatgw(r);
      // Installed and started, but shipped with enabled '0': nothing runs.
      expect(service(r).instances ?? {}).toEqual({});
    }
    a.must(setupCommands("a"));
    await waitFor("A master", () => state(a) === "master", 30_000);
    b.must(setupCommands("b"));
    await waitFor("B backup", () => state(b) === "backup", 30_000);
    for (const r of [a, b]) {
      const instances = Object.values(service(r).instances ?? {});
      expect(instances).toHaveLength(1);
      expect(instances[0]).toMatchObject({ running: true, command: ["/usr/sbin/floatgwd", "run", "--config", "/etc/config/floatgw"] });
      expect(r.pids("floatgwd")).toHaveLength(1);
    }
    expect(a.has(VIP)).toBe(true);
    expect(b.has(VIP)).toBe(false);
    // The real netifd told floatgwd which device is behind interface 'lan'.
    expect(a.logread()).toContain("interface 'lan' is device br-lan");
  });

  it("lets VRRP and the lease channel in through fw4", async () => {
    for (const r of [env.lab.a, env.lab.b]) {
      const rules = await waitFor(`fw4's rules for floatgw on ${r.name}`, () => {
        const out = r.sh("nft list chain inet fw4 input_lan").stdout;
        return /meta l4proto (vrrp|112)\b.*accept/.test(out) && /udp dport 7429\b.*accept/.test(out) && out;
      }, 30_000);
      expect(rules).toMatch(/meta l4proto (vrrp|112)\b/);
    }
  });

  it("the client keeps its address from dnsmasq across A's death and return, gateway and DNS = VIP, with no NAK", async () => {
    const { lab } = env;
    const { a, b } = lab;
    const pcap = join(lab.dir, "dhcp.pcap");
    const tshark = lab.start("sw", ["tshark", "-q", "-i", "sw0", "-w", pcap, "-f", "udp port 67 or udp port 68"]);
    await waitFor("tshark capturing", () => existsSync(pcap), 30_000);
    await waitFor("A's dnsmasq serving DHCP, B's not", () => dnsmasqState(a).serving && !dnsmasqState(b).serving && dnsmasqState(b).pid, 30_000);

    const client = new DhcpClient(lab);
    const first = await waitFor("a lease from A", () => client.lease, 30_000);
    expect(first).toMatchObject({ router: VIP, dns: VIP, serverid: ROUTERS.a });
    expect(first.ip).toMatch(/^198\.18\.0\.1[5-9]\d$/);
    // dnsmasq's lease event went through OpenWrt's dhcp-script and hotplug
    // to floatgw, and over the lease channel to B.
    await waitFor("the lease replicated to B", () => status(b)?.leaseChannel?.leases.some((l) => l.ip === first.ip), 30_000);

    lab.port("a", "down");
    await waitFor("B master with DHCP on", () => state(b) === "master" && dnsmasqState(b).serving, 30_000);
    await waitFor("A in fault with DHCP off", () => state(a) === "fault" && !dnsmasqState(a).serving, 30_000);
    client.renew();
    const byB = await waitFor("the lease renewed by B", () => client.lease?.serverid === ROUTERS.b && client.lease, 60_000);
    expect(byB).toMatchObject({ ip: first.ip, router: VIP, dns: VIP });

    lab.port("a", "up");
    await waitFor("A master again with DHCP on, B backup with DHCP off", () =>
      state(a) === "master" && state(b) === "backup" && dnsmasqState(a).serving && !dnsmasqState(b).serving, 30_000);
    client.renew();
    const byA = await waitFor("the lease renewed by A", () => client.lease?.serverid === ROUTERS.a && client.lease, 60_000);
    expect(byA).toMatchObject({ ip: first.ip, router: VIP, dns: VIP });
    // The client still reaches the gateway address.
    lab.must("c", ["ping", "-c", "1", "-W", "2", "-I", CLIENT, VIP]);

    await sleep(1500); // dumpcap writes in batches: let the last packets land
    tshark.kill("SIGINT");
    await new Promise((r) => tshark.on("exit", r));
    const packets = must(["tshark", "-r", pcap, "-Y", "dhcp", "-T", "fields", "-E", "separator=|",
      "-e", "ip.src", "-e", "dhcp.option.dhcp", "-e", "dhcp.ip.your"]).split("\n").filter(Boolean).map((l) => l.split("|"));
    const answers = packets.filter(([, type]) => type === OFFER || type === ACK || type === NAK);
    expect(answers.filter(([, type]) => type === NAK)).toEqual([]);
    // A answered first (offer and ack), then B once (the rebind), then A.
    expect(answers.map(([src]) => src === ROUTERS.a ? "A" : src === ROUTERS.b ? "B" : src).join(" ")).toMatch(/^(A )+B (A ?)+$/);
    expect(answers.every(([, , yiaddr]) => yiaddr === first.ip)).toBe(true);
  });

  it("logs to syslog with the real severities, each line tagged floatgwd once", () => {
    const lines = env.lab.a.logread().split("\n").filter((l) => /floatgwd/.test(l));
    const parsed = lines.map((l) => /^\w{3} \w{3} +\d+ [\d:]+ \d{4} daemon\.(\w+) floatgwd\[\d+\]: (.*)$/.exec(l));
    expect(parsed.every(Boolean), lines.join("\n")).toBe(true);
    const entries = parsed.map((m) => ({ level: m![1]!, text: m![2]! }));
    expect(entries.filter((e) => e.text.startsWith("floatgwd:"))).toEqual([]);
    expect(entries.find((e) => e.text.includes("backup -> master"))?.level).toBe("info");
    // A's switch port went down: its fault is a warning.
    expect(entries.find((e) => e.text.includes("-> fault"))?.level).toBe("warn");
  });
});
