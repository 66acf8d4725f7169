// The procd init script (files/etc/init.d/floatgw) under the real procd of
// an OpenWrt 22.03 router (test/lab/openwrt.mjs), installed with opkg from
// the built package: what it declares to procd (command, respawn, SIGHUP
// reloads, term timeout, triggers), that the shipped config starts nothing,
// that reload_config and the interface trigger reach it, that the hooks
// run through the real hotplug-call, and that netifd's interface events
// reach an interface tracker over ubus. (What it does to dnsmasq's
// configuration at start and stop: test/openwrt/dnsmasq.test.ts.)
// shellcheck checks the scripts as POSIX sh.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installFloatgw, must, ROOT, type Router, run, VIP, waitFor } from "../lab/openwrt.mjs";
import { describeOpenWrt, service, state, status, useOpenWrtLab } from "./lab";

describe("files/", () => {
  it("passes shellcheck as POSIX sh", () => {
    must(["shellcheck", "-s", "sh", join(ROOT, "files/etc/init.d/floatgw"), join(ROOT, "files/etc/hotplug.d/floatgw/01-user"),
      join(ROOT, "files/etc/hotplug.d/floatgw/50-dnsmasq"), join(ROOT, "files/etc/hotplug.d/dhcp/50-floatgw"),
      join(ROOT, "files/etc/uci-defaults/80-floatgw-firewall")]);
  });

  it("ships a default configuration that is valid and disabled", () => {
    const r = run([join(ROOT, "build/x86_64/floatgwd"), "check", join(ROOT, "files/etc/config/floatgw")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("floatgw is disabled");
  });
});

const CONFIG = `uci set floatgw.global.enabled='1'
uci set floatgw.lan=vip
uci set floatgw.lan.interface='lan'
uci set floatgw.lan.vrid='51'
uci set floatgw.lan.priority='150'
uci set floatgw.lan.version='3'
uci set floatgw.lan.advert_int='0.1'
uci add_list floatgw.lan.address='${VIP}/24'
uci commit floatgw
reload_config`;

/** `floatgw status --json` with the trackers and the faults. */
const full = (r: Router) => status(r) as unknown as {
  instances: { faults: string[] }[]; trackers: { name: string; state: string }[];
} | null;

describeOpenWrt("the init script under OpenWrt's procd", () => {
  const env = useOpenWrtLab({ routers: ["a"] });

  it("starts nothing as shipped, then runs the daemon as declared once enabled with uci and reload_config", async () => {
    const { a } = env.lab;
    installFloatgw(a);
    expect(a.must("ls /etc/rc.d").split("\n")).toEqual(expect.arrayContaining(["S70floatgw", "K01floatgw"]));
    expect(service(a).instances ?? {}).toEqual({});
    a.must(CONFIG);
    await waitFor("A master", () => state(a) === "master", 30_000);
    const instances = Object.values(service(a).instances ?? {});
    expect(instances).toEqual([expect.objectContaining({
      running: true,
      command: ["/usr/sbin/floatgwd", "run", "--config", "/etc/config/floatgw", "--syslog", "/dev/log"],
      respawn: { threshold: 3600, timeout: 5, retry: 0 },
      reload_signal: 1,
      term_timeout: 15,
    })]);
    // procd's pid and the daemon's own (both in the router's PID namespace).
    expect(instances[0]!.pid).toBe(status(a)?.pid);
    expect(a.pids("floatgwd")).toHaveLength(1);
  });

  it("reloads on config changes and on interface 'lan' events with SIGHUP, never a restart", async () => {
    const { a } = env.lab;
    const triggers = JSON.stringify(service(a, true).triggers);
    expect(triggers).toContain('["eq","package","floatgw"]');
    expect(triggers).toContain('["eq","interface","lan"]');
    const pid = a.pids("floatgwd")[0];
    const reloads = () => a.logread().split("\n").filter((l) => l.includes("reloading /etc/config/floatgw")).length;
    a.must("uci set floatgw.lan.priority='120'; uci commit floatgw; reload_config");
    await waitFor("priority 120 in effect", () => status(a)?.instances[0]?.priority.base === 120, 30_000);
    const before = reloads();
    expect(before).toBeGreaterThan(0);
    a.must("ifup lan"); // netifd's ifdown and ifup events: the interface trigger
    await waitFor("the interface trigger's reload", () => reloads() > before, 30_000);
    expect(a.pids("floatgwd")).toEqual([pid]);
    await waitFor("master", () => state(a) === "master", 30_000);
  });

  it("is respawned by procd after a crash; the VIP the dead one left goes by itself before that", async () => {
    // The dead-man switch's watcher deletes the VIP at once, well before
    // procd's respawn (5 s); a daemon restarted after both were killed
    // removes a VIP still there itself (test/netns/failover.test.ts).
    const { a } = env.lab;
    const [pid] = a.pids("floatgwd");
    process.kill(pid!, "SIGKILL");
    await waitFor("the VIP gone from A", () => !a.has(VIP), 30_000);
    expect(a.pids("floatgwd").filter((p) => p !== pid)).toEqual([]);
    const next = await waitFor("a new floatgwd", () => a.pids("floatgwd").find((p) => p !== pid), 30_000);
    await waitFor("master again with the VIP", () => state(a) === "master" && a.has(VIP), 30_000);
    expect(a.pids("floatgwd")).toEqual([next]);
  });

  it("runs the hooks of /etc/hotplug.d/floatgw/ through OpenWrt's hotplug-call", async () => {
    const { a } = env.lab;
    a.must(`cat > /etc/floatgw.user <<'EOF'
#!/bin/sh
echo "$ACTION $INSTANCE $VRID $INTERFACE $DEVICE $VIPS" >> /tmp/floatgw-user.log
EOF
chmod +x /etc/floatgw.user`);
    env.lab.port("a", "down");
    await waitFor("fault", () => state(a) === "fault", 30_000);
    env.lab.port("a", "up");
    await waitFor("master", () => state(a) === "master", 30_000);
    const events = await waitFor("the user script's lines", () => {
      const log = a.sh("cat /tmp/floatgw-user.log").stdout.trim().split("\n");
      return log.length >= 3 && log;
    }, 30_000);
    expect(events).toEqual([`fault lan 51 lan br-lan ${VIP}/24`, `backup lan 51 lan br-lan ${VIP}/24`, `master lan 51 lan br-lan ${VIP}/24`]);
  });

  it("an interface tracker follows the real netifd: ifdown wan puts the instance in fault, ifup wan brings it back", async () => {
    const { lab, a } = { lab: env.lab, a: env.lab.a };
    // A WAN for netifd: a veth whose other end stays up, in the router's namespace.
    lab.must("a", ["ip", "link", "add", "wan", "type", "veth", "peer", "name", "wan-peer"]);
    lab.must("a", ["ip", "link", "set", "wan-peer", "up"]);
    a.must(`uci set network.wan=interface
uci set network.wan.device='wan'
uci set network.wan.proto='static'
uci set network.wan.ipaddr='198.19.1.2'
uci set network.wan.netmask='255.255.255.0'
uci commit network
uci set floatgw.wan=tracker
uci set floatgw.wan.type='interface'
uci set floatgw.wan.interface='wan'
uci add_list floatgw.lan.track='wan'
uci commit floatgw
reload_config`);
    await waitFor("wan up and tracked, A master", () => a.sh("ifstatus wan").stdout.includes('"up": true') &&
      full(a)?.trackers.find((t) => t.name === "wan")?.state === "up" && state(a) === "master", 30_000);
    a.must("ifdown wan");
    await waitFor("fault", () => state(a) === "fault" && !a.has(VIP), 30_000);
    expect(full(a)?.instances[0]?.faults).toEqual(["tracker wan down: wan ifdown"]);
    // netifd's network.interface event, on ubus: no hotplug script in between.
    expect(a.logread()).toContain("[ubus] listening to network.interface events");
    a.must("ifup wan");
    await waitFor("master again", () => state(a) === "master" && a.has(VIP), 30_000);
  });

  it("stops within procd's term timeout, handing over, removing the VIP and running the stop hooks; stays stopped once disabled", async () => {
    const { a } = env.lab;
    a.must("/etc/init.d/floatgw stop");
    await waitFor("floatgwd gone", () => a.pids("floatgwd").length === 0, 10_000);
    expect(a.has(VIP)).toBe(false);
    const log = a.logread();
    expect(log).toContain("SIGTERM: handing the VIPs over and stopping");
    expect(log).not.toContain("not stopped on SIGTERM"); // procd's word when it has to SIGKILL
    expect(a.sh("cat /tmp/floatgw-user.log").stdout.trim().split("\n").slice(-2))
      .toEqual([`backup lan 51 lan br-lan ${VIP}/24`, `stop lan 51 lan br-lan ${VIP}/24`]);
    a.must("/etc/init.d/floatgw start");
    await waitFor("master again", () => state(a) === "master", 30_000);
    a.must("uci set floatgw.global.enabled='0'; uci commit floatgw; reload_config");
    await waitFor("stopped", () => a.pids("floatgwd").length === 0, 30_000);
    expect(service(a).instances ?? {}).toEqual({});
    expect(a.has(VIP)).toBe(false);
  });
});
