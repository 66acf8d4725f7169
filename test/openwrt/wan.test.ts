// Two real OpenWrt 22.03 routers (test/lab/openwrt.mjs) tracking router A's
// WAN: a veth `wan` from A to a "WAN gateway" namespace (198.19.1.1), set up
// in A's netifd as interface wan. floatgw on A follows the gateway with a
// ping tracker and netifd's wan with an interface tracker (netifd's own
// network.interface events on ubus). Cutting A's WAN moves the VIP and DHCP
// to B, restoring it moves them back; `ifdown wan` on A (the real netifd)
// does the same. Generous deadlines, no timing asserted.
import { expect, it } from "vitest";
import type { DaemonStatus } from "../../src/daemon/status-contract";
import { dnsmasqState, floatgwStatus, must, type Router, run, setUpPair, waitFor } from "../lab/openwrt.mjs";
import { describeOpenWrt, state, useOpenWrtLab } from "./lab";

/** reload_config waits for procd to restart what changed: slow on a loaded machine. */
const SLOW = { timeoutMs: 90_000 };
const status = (r: Router): DaemonStatus | null => floatgwStatus(r) as DaemonStatus | null;

describeOpenWrt("a router pair tracking A's WAN", () => {
  const env = useOpenWrtLab();

  it("moves the VIP and DHCP to B when A's WAN is cut or netifd takes it down, and back when it returns", async () => {
    const { lab } = env;
    const { a, b } = lab;
    await setUpPair(lab);
    // A's WAN: a veth to a gateway namespace of this test's own.
    const gw = `${lab.prefix}-gw`;
    must(["ip", "netns", "add", gw]);
    try {
      must(["ip", "-n", gw, "link", "set", "lo", "up"]);
      must(["ip", "link", "add", "wan", "netns", a.ns, "type", "veth", "peer", "name", "eth0", "netns", gw]);
      must(["ip", "-n", gw, "addr", "add", "198.19.1.1/24", "dev", "eth0"]);
      must(["ip", "-n", gw, "link", "set", "eth0", "up"]);
      a.must("uci set network.wan=interface; uci set network.wan.device='wan'; uci set network.wan.proto='static'; "
        + "uci set network.wan.ipaddr='198.19.1.2'; uci set network.wan.netmask='255.255.255.0'; uci commit network; reload_config", SLOW);
      await waitFor("netifd's wan up on A", () => {
        const s = a.sh("ifstatus wan");
        return s.status === 0 && JSON.parse(s.stdout).up === true;
      });
      // netifd's reload takes eth0 out of br-lan, which the lab built before
      // boot and handed to netifd (openwrt.mjs): put it back, hand br-lan over again.
      lab.must("a", ["ip", "link", "set", "eth0", "master", "br-lan"]);
      await a.lanUp();
      a.must(["uci set floatgw.gw=tracker", "uci set floatgw.gw.type='ping'", "uci set floatgw.gw.host='198.19.1.1'",
        "uci set floatgw.gw.interval='0.5'", "uci set floatgw.gw.timeout='0.5'", "uci set floatgw.gw.fall='2'",
        "uci set floatgw.wan=tracker", "uci set floatgw.wan.type='interface'", "uci set floatgw.wan.interface='wan'",
        "uci add_list floatgw.lan.track='gw'", "uci add_list floatgw.lan.track='wan'", "uci commit floatgw", "reload_config"].join("; "), SLOW);
      const trackers = () => status(a)?.trackers ?? [];
      await waitFor("both of A's trackers up", () => trackers().length === 2 && trackers().every((t) => t.state === "up"));
      expect(a.logread()).toContain("[ubus] listening to network.interface events");

      const aServes = () => state(a) === "master" && state(b) === "backup" && dnsmasqState(a).dhcp === "on" && dnsmasqState(b).dhcp === "off";
      const bServes = () => state(a) === "fault" && state(b) === "master" && dnsmasqState(b).dhcp === "on" && dnsmasqState(a).dhcp === "off" && b.has();
      const faults = () => status(a)?.instances[0]?.faults ?? [];
      await waitFor("A master serving DHCP with its WAN tracked", aServes);

      // The WAN gateway goes dark behind a link that stays up for netifd.
      must(["ip", "-n", gw, "link", "set", "eth0", "down"]);
      await waitFor("B master serving DHCP, A in FAULT", bServes);
      expect(faults()).toContain("tracker gw down: no answer within 500 ms");
      must(["ip", "-n", gw, "link", "set", "eth0", "up"]);
      await waitFor("A master serving DHCP again", aServes);

      // netifd takes wan down: its event moves the VIP before the ping notices.
      a.must("ifdown wan", SLOW);
      await waitFor("B master serving DHCP after ifdown wan", bServes);
      expect(status(a)?.instances[0]?.transitions.at(-1)?.reason).toBe("tracker wan down: wan ifdown");
      a.must("ifup wan", SLOW);
      await waitFor("A master serving DHCP after ifup wan", aServes);
      expect(trackers().find((t) => t.name === "wan")).toMatchObject({ state: "up", detail: "wan ifup" });
    } finally {
      run(["ip", "netns", "del", gw]);
    }
  });
});
