// What floatgwd puts on the wire, as tshark decodes it from a capture on the
// lab's switch: VRRPv3 adverts for IPv4 and IPv6 (one daemon, two instances
// with the same VRID in the two families), TTL / hop limit 255, checksums
// good, and the gratuitous ARP and unsolicited NA burst on takeover.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Capture } from "./capture";
import { must } from "./lab";
import { sleep, uci, useLab, VIP, VIP6, waitFor } from "./routers";

const { lab, topology } = useLab();

const sections = (priority: string): Record<string, string | string[]>[] => [
  { name: "lan", version: "3", advert_int: "0.1", priority },
  { name: "lan6", version: "3", advert_int: "0.1", priority, address: [`${VIP6}/64`] },
];

describe("on the wire", () => {
  it("tshark decodes our IPv4 and IPv6 adverts, the GARPs and the NAs", async () => {
    const { ns, a, b } = topology();
    const wire = await Capture.start(lab, ns.sw, "sw0", "ip proto 112 or ip6 proto 112 or arp or icmp6", join(a.dir, "wire.pcap"));
    // A first, B once A advertises: started together, B's Master_Down_Interval
    // (360 ms) runs out before A's (341 ms) when A's start lags by 20 ms,
    // and B's own brief mastership would put its GARPs in the capture.
    a.startFloatgw(uci(...sections("150")));
    await waitFor("A master of both", () => a.status()?.instances.every((i) => i.state === "master"));
    b.startFloatgw(uci(...sections("100")));
    await waitFor("B backup of both", () => b.status()?.instances.every((i) => i.state === "backup"));
    expect(a.has(VIP) && a.has(VIP6)).toBe(true);
    expect(lab.exec(ns.c, ["ping", "-6", "-c", "1", "-W", "2", VIP6]).status).toBe(0);
    await sleep(500);
    await wire.stop();

    const macA = a.mac;
    const v4 = wire.fields("vrrp && ip.src == 198.18.0.2",
      ["vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.ip_addr", "vrrp.checksum.status", "ip.ttl"]);
    expect(v4.length).toBeGreaterThan(3);
    expect(new Set(v4.map((f) => f.join(" ")))).toEqual(new Set([`3 51 150 ${VIP} 1 255`]));
    const linkLocalA = must(["ip", "-n", ns.a, "-6", "-o", "addr", "show", "dev", "br-lan", "scope", "link"])
      .split(/\s+/).find((w) => w.startsWith("fe80::"))!.split("/")[0];
    const v6 = wire.fields(`vrrp && ipv6.src == ${linkLocalA}`,
      ["vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.ipv6_addr", "vrrp.checksum.status", "ipv6.hlim", "ipv6.dst"]);
    expect(v6.length).toBeGreaterThan(3);
    expect(new Set(v6.map((f) => f.join(" ")))).toEqual(new Set([`3 51 150 ${VIP6} 1 255 ff02::12`]));

    const garps = wire.fields(`arp.isgratuitous == 1 && arp.src.proto_ipv4 == ${VIP}`, ["arp.src.hw_mac", "eth.dst"]);
    expect(garps.length).toBeGreaterThanOrEqual(5); // the takeover burst
    expect(new Set(garps.map((f) => f.join(" ")))).toEqual(new Set([`${macA} ff:ff:ff:ff:ff:ff`]));
    const nas = wire.fields(`icmpv6.type == 136 && icmpv6.nd.na.target_address == ${VIP6}`,
      ["icmpv6.nd.na.flag.o", "icmpv6.opt.linkaddr", "ipv6.hlim", "ipv6.dst"]);
    expect(nas.length).toBeGreaterThanOrEqual(5);
    expect(nas[0]).toEqual(["1", macA, "255", "ff02::1"]);

    // The announcements go before the first advert (state.ts, entering
    // Master): a master handing over lets go when it hears that advert.
    const first = (filter: string) => Number(wire.fields(filter, ["frame.number"])[0]?.[0]);
    expect(first(`arp.isgratuitous == 1 && arp.src.proto_ipv4 == ${VIP}`)).toBeLessThan(first("vrrp && ip.src == 198.18.0.2"));
    expect(first(`icmpv6.type == 136 && icmpv6.nd.na.target_address == ${VIP6}`)).toBeLessThan(first(`vrrp && ipv6.src == ${linkLocalA}`));
  });
});
