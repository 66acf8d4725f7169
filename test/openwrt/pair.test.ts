// floatgw on a pair of real OpenWrt 22.03 routers (test/lab/openwrt.mjs),
// the way a user meets it: installed on both with opkg from the built
// package (then upgraded and removed the same way), configured with nothing but
// the uci commands of docs/install.md, then the two-router story with the
// rootfs's own procd, netifd, dnsmasq (OpenWrt's init, in ujail), hotplug
// and logd, and busybox udhcpc on a client behind a switch on which tshark
// listens. The tests run in order on one pair, booted once.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { CLIENT, DhcpClient, dnsmasqState, installFloatgw, must, ROOT, ROUTERS, setupCommands, sleep, VIP, waitFor } from "../lab/openwrt.mjs";
import { APK, makeVar, PKG_VERSION, VERSION } from "./built";
import { describeOpenWrt, routerStory, service, state, status, useOpenWrtLab } from "./lab";

const OFFER = "2";
const ACK = "5";
const NAK = "6";

describeOpenWrt("a pair of real OpenWrt routers", () => {
  const env = useOpenWrtLab();
  const dhcpBefore: Record<string, string> = {};

  it("installs on both routers, and the uci commands of docs/install.md bring up A as master and B as backup under procd", async () => {
    const { a, b } = env.lab;
    for (const r of [a, b]) {
      dhcpBefore[r.name] = r.read("/etc/config/dhcp");
      installFloatgw(r);
      // Installed and started, but shipped with enabled '0': nothing runs.
      expect(service(r).instances ?? {}).toEqual({});
    }
    // floatgwd asks netifd on ubus itself, not through `ifstatus` (a
    // shell, its script and two ubus processes before any instance could
    // start): on A, ifstatus fails while floatgwd starts.
    a.must("mv /sbin/ifstatus /sbin/ifstatus.real && printf '#!/bin/sh\\nexit 1\\n' >/sbin/ifstatus && chmod +x /sbin/ifstatus");
    a.must(setupCommands("a"));
    await waitFor("A master", () => state(a) === "master", 30_000);
    a.must("mv /sbin/ifstatus.real /sbin/ifstatus");
    b.must(setupCommands("b"));
    await waitFor("B backup", () => state(b) === "backup", 30_000);
    for (const r of [a, b]) {
      const instances = Object.values(service(r).instances ?? {});
      expect(instances).toHaveLength(1);
      expect(instances[0]).toMatchObject({ running: true, command: expect.arrayContaining(["/usr/sbin/floatgwd", "run"]) as string[] });
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
    await waitFor("A's dnsmasq serving DHCP, B's not", () => dnsmasqState(a).dhcp === "on" && dnsmasqState(b).dhcp === "off" && dnsmasqState(b).pid, 30_000, routerStory(a, b));

    const client = new DhcpClient(lab);
    const first = await waitFor("a lease from A", () => client.lease, 30_000);
    expect(first).toMatchObject({ router: VIP, dns: VIP, serverid: ROUTERS.a });
    expect(first.ip).toMatch(/^198\.18\.0\.1[5-9]\d$/);
    // dnsmasq's lease event went through OpenWrt's dhcp-script and hotplug
    // to floatgw, and over the lease channel to B.
    await waitFor("the lease replicated to B", () => status(b)?.leaseChannel?.leases.some((l) => l.ip === first.ip), 30_000);

    lab.port("a", "down");
    await waitFor("B master with DHCP on", () => state(b) === "master" && dnsmasqState(b).dhcp === "on", 30_000, routerStory(b));
    await waitFor("A in fault with DHCP off", () => state(a) === "fault" && dnsmasqState(a).dhcp === "off", 30_000, routerStory(a));
    client.renew();
    const byB = await waitFor("the lease renewed by B", () => client.lease?.serverid === ROUTERS.b && client.lease, 60_000);
    expect(byB).toMatchObject({ ip: first.ip, router: VIP, dns: VIP });

    lab.port("a", "up");
    await waitFor("A master again with DHCP on, B backup with DHCP off", () =>
      state(a) === "master" && state(b) === "backup" && dnsmasqState(a).dhcp === "on" && dnsmasqState(b).dhcp === "off", 30_000);
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
    // On a failure, what each dnsmasq logged says why (its NAK's reason).
    const dhcpLog = [a, b].flatMap((r) => r.logread().split("\n").filter((l) => l.includes("dnsmasq-dhcp")).map((l) => `${r.name}: ${l}`));
    expect(answers.filter(([, type]) => type === NAK), dhcpLog.join("\n")).toEqual([]);
    // A answered first (offer and ack), then B once (the rebind), then A.
    expect(answers.map(([src]) => src === ROUTERS.a ? "A" : src === ROUTERS.b ? "B" : src).join(" ")).toMatch(/^(A )+B (A ?)+$/);
    expect(answers.every(([, , yiaddr]) => yiaddr === first.ip)).toBe(true);
  });

  it("logs to syslog with the real severities, each line tagged floatgwd once", async () => {
    const { b } = env.lab;
    // A keepalived section by mistake: a warning, the rest runs. Then an
    // invalid vrid: the reload is refused with errors, B runs on unchanged.
    b.must("uci set floatgw.extra=vrrp_instance; uci commit floatgw; reload_config");
    await waitFor("the warning", () => b.logread().includes("unknown section type 'vrrp_instance'"), 30_000);
    b.must("uci delete floatgw.extra; uci set floatgw.lan.vrid='300'; uci commit floatgw; reload_config");
    await waitFor("the refusal", () => b.logread().includes("reload of /etc/config/floatgw rejected"), 30_000);
    expect(state(b)).toBe("backup");
    b.must("uci set floatgw.lan.vrid='51'; uci commit floatgw; reload_config");
    await waitFor("a reload that takes", () => b.logread().split("\n").filter((l) => l.includes("reloading /etc/config/floatgw")).length >= 2, 30_000);
    expect(state(b)).toBe("backup");

    const lines = b.logread().split("\n").filter((l) => l.includes("floatgwd"));
    const parsed = lines.map((l) => /^\w{3} \w{3} +\d+ [\d:]+ \d{4} daemon\.(\w+) floatgwd\[\d+\]: (.*)$/.exec(l));
    expect(parsed.every(Boolean), lines.join("\n")).toBe(true);
    const entries = parsed.map((m) => ({ level: m![1]!, text: m![2]! }));
    expect(entries.filter((e) => /^floatgwd\b/.test(e.text))).toEqual([]); // no doubled tag
    const level = (what: string) => entries.find((e) => e.text.includes(what))?.level;
    expect(level("master -> backup")).toBe("info");
    expect(level("unknown section type 'vrrp_instance'")).toBe("warn");
    expect(level("vrid '300'")).toBe("err");
    expect(level("reload of /etc/config/floatgw rejected")).toBe("err");
  });

  it("installing a newer release over the running master keeps /etc/config/floatgw and loses no client probe", async () => {
    const { lab } = env;
    const { a, b } = lab;
    const release = Number(makeVar("PKG_RELEASE")) + 1;
    const out = join(lab.dir, "newer");
    must(["node", join(ROOT, "scripts/package.mjs"), "--apk", APK, "--out", out, "--release", String(release), "x86_64"], { timeoutMs: 120_000 });
    const config = a.read("/etc/config/floatgw");
    expect(state(a)).toBe("master");
    const ping = lab.start("c", ["ping", "-D", "-n", "-i", "0.01", "-W", "1", "-I", CLIENT, VIP]);
    let pings = "";
    ping.stdout?.on("data", (d: Buffer) => (pings += d.toString()));
    await sleep(1000);
    const opkg = installFloatgw(a, join(out, "x86_64", `floatgw_${VERSION}-r${release}_x86_64.ipk`));
    expect(opkg).toContain(`Upgrading floatgw on root from ${PKG_VERSION} to ${VERSION}-r${release}`);
    // The old daemon handed over to B, the new one takes the VIP back.
    await waitFor("A master again, B backup", () => state(a) === "master" && state(b) === "backup", 60_000);
    await sleep(1000);
    ping.kill("SIGINT");
    await new Promise((r) => ping.on("exit", r));
    const answered = new Set([...pings.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1])));
    const last = Math.max(...answered);
    const missing = Array.from({ length: last }, (_, i) => i + 1).filter((seq) => !answered.has(seq));
    expect(last).toBeGreaterThan(300);
    expect(missing).toEqual([]);
    expect(a.must("opkg list-installed floatgw")).toContain(`floatgw - ${VERSION}-r${release}`);
    expect(a.read("/etc/config/floatgw")).toBe(config);
    // The old daemon resigned (B took over on its priority 0), the new one preempted.
    expect(a.logread()).toContain("SIGTERM: handing the VIPs over and stopping");
    expect(status(a)!.instances[0]!.transitions.map((t) => `${t.from} -> ${t.to}`)).toEqual(["init -> backup", "backup -> master"]);
    expect(status(b)!.instances[0]!.transitions.slice(-2).map((t) => `${t.from} -> ${t.to}: ${t.reason}`)).toEqual([
      `backup -> master: priority 0 from master ${ROUTERS.a}`, expect.stringMatching(/^master -> backup: /)]);
  });

  it("opkg remove gives /etc/config/dhcp back byte for byte and takes the VIP away", async () => {
    const { a, b } = env.lab;
    a.must("opkg remove floatgw", { timeoutMs: 60_000 });
    expect(a.has(VIP)).toBe(false);
    expect(a.read("/etc/config/dhcp")).toBe(dhcpBefore.a);
    expect(a.logread()).not.toMatch(/cut short|not run/); // every stop hook ran to its end
    expect(a.sh("ls /usr/sbin/floatgwd /etc/init.d/floatgw").status).not.toBe(0);
    expect(service(a).instances ?? {}).toEqual({});
    await waitFor("B master with the VIP", () => state(b) === "master" && b.has(VIP), 30_000);
    b.must("opkg remove floatgw", { timeoutMs: 60_000 });
    expect(b.has(VIP)).toBe(false);
    expect(b.read("/etc/config/dhcp")).toBe(dhcpBefore.b);
  });
});
