// Link messages as the kernel sends them about a bridge's ports: which
// bridge a device belongs to (IFLA_MASTER), and the bridge's own AF_BRIDGE
// copies, which the daemon must not take for the device's deletion.
import { describe, expect, it } from "vitest";
import {
  AF_BRIDGE, IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MASTER, RTM_DELLINK, RTM_NEWLINK, decodeLink, decodeMessages, encodeMessage, ifinfomsg,
  isBridgePortCopy, rtattr, u32,
} from "../../src/platform/netlink";

const name = (s: string): Uint8Array => Uint8Array.from([...s].map((c) => c.charCodeAt(0)).concat(0));
const AF_UNSPEC = 0;

function message(type: number, family: number, attrs: Uint8Array[]) {
  const [msg] = decodeMessages(encodeMessage(type, 0, 0, ifinfomsg(family, 2), attrs));
  if (!msg) throw new Error("no message");
  return msg;
}

describe("link messages of a bridge's port", () => {
  it("name the bridge a port belongs to, and 0 for a device in none", () => {
    const port = decodeLink(message(RTM_NEWLINK, AF_UNSPEC, [rtattr(IFLA_IFNAME, name("eth0")), rtattr(IFLA_MASTER, u32(3))]));
    expect(port).toMatchObject({ ifindex: 2, name: "eth0", master: 3 });
    expect(decodeLink(message(RTM_NEWLINK, AF_UNSPEC, [rtattr(IFLA_IFNAME, name("eth0"))]))?.master).toBe(0);
  });

  it("name a virtual device's kind (nested in IFLA_LINKINFO), and none for a hardware driver's", () => {
    const veth = decodeLink(message(RTM_NEWLINK, AF_UNSPEC, [rtattr(IFLA_IFNAME, name("wan")), rtattr(IFLA_LINKINFO, rtattr(IFLA_INFO_KIND, name("veth")))]));
    expect(veth?.kind).toBe("veth");
    expect(decodeLink(message(RTM_NEWLINK, AF_UNSPEC, [rtattr(IFLA_IFNAME, name("eth0"))]))?.kind).toBeNull();
  });

  it("tell the bridge's own copies (a port leaving is an AF_BRIDGE RTM_DELLINK) from the device's messages", () => {
    expect(isBridgePortCopy(message(RTM_DELLINK, AF_BRIDGE, [rtattr(IFLA_IFNAME, name("eth0"))]))).toBe(true);
    expect(isBridgePortCopy(message(RTM_NEWLINK, AF_BRIDGE, [rtattr(IFLA_MASTER, u32(3))]))).toBe(true);
    expect(isBridgePortCopy(message(RTM_DELLINK, AF_UNSPEC, [rtattr(IFLA_IFNAME, name("eth0"))]))).toBe(false);
  });
});
