import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";
import { checkVipSubnets } from "../../src/config/subnet";
import type { VipConfig } from "../../src/config/validate";

const GLOBAL = "config floatgw 'global'\n\toption enabled '1'\n";

/** A vip section 'lan' with sane defaults, plus extra option lines. */
function vip(extra: string, name = "lan", base = "\toption interface 'lan'\n\toption vrid '51'\n\tlist address '198.18.0.1/24'\n"): string {
  return `config vip '${name}'\n${base}${extra}`;
}

function messages(text: string): { errors: string[]; warnings: string[] } {
  const r = loadConfig(text);
  return { errors: r.errors.map((e) => e.message), warnings: r.warnings.map((w) => w.message) };
}

function errorsOf(text: string): string[] {
  return messages(text).errors;
}

function onlyVip(text: string): VipConfig {
  const r = loadConfig(text);
  expect(r.errors).toEqual([]);
  const v = r.config?.vips[0];
  if (v === undefined) throw new Error("no vip");
  return v;
}

describe("validateConfig: defaults and values", () => {
  it("applies every default", () => {
    const r = loadConfig(GLOBAL + vip(""));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.config).toEqual({
      global: {
        enabled: true, logLevel: "info", secret: null, dhcpLeasefile: "/tmp/dhcp.leases", hotplugCommand: "/sbin/hotplug-call",
        notifyTimeoutMs: 10_000, scriptUser: null,
        mail: { routerId: null, recipients: [], from: null, server: null, port: 25, heloName: null, timeoutMs: 30_000 },
      },
      vips: [
        {
          name: "lan",
          interface: "lan",
          device: null,
          vrid: 51,
          version: 3,
          family: 4,
          priority: 100,
          advertIntCs: 100,
          addresses: [{ family: 4, address: "198.18.0.1", prefix: 24 }],
          preempt: true,
          preemptDelayMs: 0,
          startDelayMs: 0,
          unicastPeers: [],
          unicastSrc: null,
          garpCount: 5,
          garpSpacingMs: 0,
          garpRepeatDelayMs: 5000,
          garpRefreshMs: 0,
          garpRefreshCount: 1,
          authPass: null,
          v3ChecksumPseudoHeader: true,
          dhcp: false,
          track: [],
          notify: { commands: { master: null, backup: null, fault: null, stop: null, any: null }, smtpAlert: false },
          syncGroup: null,
        },
      ],
      trackers: [],
      syncGroups: [],
      routes: [],
      rules: [],
    });
  });

  it("is disabled without a global section", () => {
    expect(loadConfig(vip("")).config?.global.enabled).toBe(false);
  });

  it("keeps decimal seconds exact in integer units", () => {
    const v = onlyVip(
      vip("\toption advert_int '0.35'\n\toption preempt_delay '1.5'\n\toption start_delay '0.001'\n\toption garp_refresh '60'\n"),
    );
    expect([v.advertIntCs, v.preemptDelayMs, v.startDelayMs, v.garpRefreshMs]).toEqual([35, 1500, 1, 60000]);
    expect(onlyVip(vip("\toption advert_int '40.950'\n")).advertIntCs).toBe(4095);
    expect(onlyVip(vip("\toption version '2'\n\toption advert_int '255'\n")).advertIntCs).toBe(25500);
  });

  it("reads addresses: canonical text, default prefixes, IPv6 instances", () => {
    const v = onlyVip(vip("", "lan6", "\toption device 'br-lan'\n\toption vrid '7'\n\tlist address '2001:DB8:0:1:0:0:0:1'\n"));
    expect([v.family, v.addresses, v.interface, v.device]).toEqual([
      6,
      [{ family: 6, address: "2001:db8:0:1::1", prefix: 128 }],
      null,
      "br-lan",
    ]);
    // A list option written as one `option` holds space-separated items.
    const spaced = vip("", "lan", "\toption interface 'lan'\n\toption vrid '5'\n\toption address '198.18.0.9  198.18.0.10/32'\n");
    expect(onlyVip(spaced).addresses.map((a) => a.address)).toEqual(["198.18.0.9", "198.18.0.10"]);
  });

  it("takes '0' as off for every boolean (luci#7114)", () => {
    const v = onlyVip(vip("\toption preempt '0'\n\toption dhcp 'off'\n\toption v3_checksum_pseudo_header 'no'\n"));
    expect([v.preempt, v.dhcp, v.v3ChecksumPseudoHeader]).toEqual([false, false, false]);
  });

  it("leaves disabled instances out, unchecked against the others", () => {
    const r = loadConfig(GLOBAL + vip("") + vip("\toption enabled '0'\n", "copy"));
    expect(r.errors).toEqual([]);
    expect(r.config?.vips.map((v) => v.name)).toEqual(["lan"]);
  });

  it("names anonymous sections @vip[N]", () => {
    const r = loadConfig("config vip\n\toption interface 'lan'\n\toption vrid '300'\n\tlist address '198.18.0.1'\n");
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([[3, "@vip[0]: vrid '300' is out of range 1-255"]]);
  });

  it("reads hotplug as a boolean or a path", () => {
    const hotplug = (v: string) => loadConfig(`config floatgw 'global'\n\toption hotplug '${v}'\n`);
    expect(hotplug("0").config?.global.hotplugCommand).toBeNull();
    expect(hotplug("/usr/bin/notify").config?.global.hotplugCommand).toBe("/usr/bin/notify");
    expect(hotplug("notify").errors.map((e) => e.message)).toEqual([
      "floatgw 'global': hotplug 'notify' is neither a boolean (1/0, on/off, true/false, yes/no, enabled/disabled) nor an absolute path",
    ]);
  });
});

describe("validateConfig: option errors", () => {
  it.each([
    ["\toption vrid '300'\n", "vip 'lan': vrid '300' is out of range 1-255"],
    ["\toption vrid 'x'\n", "vip 'lan': vrid 'x' is not a whole number"],
    ["\toption priority '0'\n", "vip 'lan': priority '0' is out of range 1-255"],
    ["\toption version '4'\n", "vip 'lan': version '4' is not one of 2, 3"],
    [
      "\toption preempt 'maybe'\n",
      "vip 'lan': preempt 'maybe' is not a boolean (use 1/0, on/off, true/false, yes/no, enabled/disabled)",
    ],
    ["\toption advert_int '50'\n", "vip 'lan': advert_int '50' is out of range 0.01-40.95 s for version 3"],
    ["\toption advert_int '0'\n", "vip 'lan': advert_int '0' is out of range 0.01-40.95 s for version 3"],
    ["\toption advert_int '0.005'\n", "vip 'lan': advert_int '0.005' is finer than 0.01 s"],
    ["\toption advert_int '1s'\n", "vip 'lan': advert_int '1s' is not a number of seconds"],
    [
      "\toption version '2'\n\toption advert_int '0.5'\n",
      "vip 'lan': advert_int '0.5' is not a whole number of seconds, which version 2 requires",
    ],
    ["\toption version '2'\n\toption advert_int '256'\n", "vip 'lan': advert_int '256' is out of range 1-255 s for version 2"],
    ["\toption preempt_delay '1001'\n", "vip 'lan': preempt_delay '1001' is out of range 0-1000 s"],
    ["\tlist address '198.18.0.300'\n", "vip 'lan': address '198.18.0.300' is not an IPv4 or IPv6 address"],
    ["\tlist address '198.18.0.2/33'\n", "vip 'lan': address '198.18.0.2/33' has a prefix length outside 1-32"],
    ["\tlist address '224.0.0.18'\n", "vip 'lan': address '224.0.0.18' is a multicast address"],
    ["\tlist unicast_peer '198.18.0.3/24'\n", "vip 'lan': unicast_peer '198.18.0.3/24' is not an IPv4 or IPv6 address"],
    ["\toption device 'a-very-long-device-name'\n", "vip 'lan': device 'a-very-long-device-name' is longer than 15 characters"],
    ["\toption interface 'l an'\n", "vip 'lan': interface 'l an' may only contain letters, digits and _"],
    ["\tlist priority '5'\n", "vip 'lan': priority takes one value: write 'option priority', not 'list'"],
    ["\toption garp_count '101'\n", "vip 'lan': garp_count '101' is out of range 0-100"],
  ])("%j", (extra, message) => {
    expect(errorsOf(vip(extra))).toEqual([message]);
  });

  it("hides secrets in messages", () => {
    const r = loadConfig(vip("\toption version '2'\n\toption auth_pass 'muchtoolong'\n"));
    expect(r.errors.map((e) => [e.message, e.value])).toEqual([["vip 'lan': auth_pass (hidden) is longer than 8 characters", null]]);
    expect(errorsOf("config floatgw 'global'\n\toption secret 'short'\n")).toEqual([
      "floatgw 'global': secret (hidden) is shorter than 16 characters",
    ]);
  });

  it("requires vrid, an address and a link", () => {
    expect(errorsOf("config vip 'lan'\n\toption address ' '\n")).toEqual([
      "vip 'lan': needs 'interface' (or 'device')",
      "vip 'lan': vrid is required",
      "vip 'lan': address is required",
    ]);
  });

  it("gives each problem its line", () => {
    const r = loadConfig(vip("\tlist address 'bad'\n\toption priority '999'\n"));
    expect(r.errors.map((e) => [e.line, e.option, e.value])).toEqual([
      [5, "address", "bad"],
      [6, "priority", "999"],
    ]);
  });
});

describe("validateConfig: cross-checks", () => {
  it("refuses auth_pass with version 3", () => {
    expect(errorsOf(vip("\toption auth_pass 'secret'\n"))).toEqual([
      "vip 'lan': auth_pass (hidden) is for version 2 only: VRRPv3 has no authentication (RFC 5798 §9)",
    ]);
    expect(onlyVip(vip("\toption version '2'\n\toption auth_pass 'secret'\n")).authPass).toBe("secret");
  });

  it("refuses IPv6 with version 2", () => {
    expect(
      errorsOf(vip("\toption version '2'\n", "lan6", "\toption interface 'lan'\n\toption vrid '7'\n\tlist address '2001:db8::1'\n")),
    ).toEqual(["vip 'lan6': version '2' cannot carry IPv6 addresses (RFC 3768); use version 3"]);
  });

  it("refuses mixed families in one section", () => {
    expect(errorsOf(vip("\tlist address '2001:db8::1'\n"))).toEqual([
      "vip 'lan': address '2001:db8::1' is IPv6 but '198.18.0.1/24' is IPv4: one family per vip section (as keepalived requires); add a second section",
    ]);
  });

  it("checks unicast peers against our own addresses", () => {
    expect(
      errorsOf(
        vip(
          "\toption unicast_src '198.18.0.2'\n\tlist unicast_peer '198.18.0.2'\n\tlist unicast_peer '198.18.0.1'\n\tlist unicast_peer '2001:db8::2'\n",
        ),
      ),
    ).toEqual([
      "vip 'lan': unicast_peer '198.18.0.2' is this router's own unicast_src",
      "vip 'lan': unicast_peer '198.18.0.1' is one of the section's virtual addresses",
      "vip 'lan': unicast_peer '2001:db8::2' is IPv6 but the addresses are IPv4",
    ]);
    expect(errorsOf(vip("\toption unicast_src '198.18.0.1'\n\tlist unicast_peer '198.18.0.3'\n"))).toEqual([
      "vip 'lan': unicast_src '198.18.0.1' is a virtual address; use this router's own address",
    ]);
    expect(messages(vip("\toption unicast_src '198.18.0.2'\n")).warnings).toEqual([
      "vip 'lan': unicast_src '198.18.0.2' has no effect without unicast_peer",
    ]);
  });

  it("refuses a VRID used twice on a link and family, but not across families", () => {
    const v6 = vip("", "lan6", "\toption interface 'lan'\n\toption vrid '51'\n\tlist address '2001:db8::1'\n");
    expect(errorsOf(vip("") + v6)).toEqual([]);
    const v2 = vip("\toption version '2'\n", "old", "\toption interface 'lan'\n\toption vrid '51'\n\tlist address '198.18.0.5'\n");
    expect(errorsOf(vip("") + v2)).toEqual(["vip 'old': vrid '51' is already used by vip 'lan' on interface 'lan' for IPv4"]);
    const other = vip("", "guest", "\toption interface 'guest'\n\toption vrid '51'\n\tlist address '198.19.0.1'\n");
    expect(errorsOf(vip("") + other)).toEqual([]);
  });

  it("refuses an address in two sections, or twice in one", () => {
    const again = vip("", "b", "\toption interface 'wan'\n\toption vrid '52'\n\tlist address '198.18.0.1/32'\n");
    expect(errorsOf(vip("") + again)).toEqual(["vip 'b': address '198.18.0.1/32' is also an address of vip 'lan'"]);
    expect(errorsOf(vip("\tlist address '198.18.0.1'\n"))).toEqual(["vip 'lan': address '198.18.0.1' is listed twice"]);
  });

  it("refuses more addresses than one advert can carry, naming the section and the first line too many", () => {
    const v4 = (n: number): string =>
      Array.from({ length: n }, (_, i) => `\tlist address '198.18.${(i + 1) >> 8}.${(i + 1) & 0xff}/16'\n`).join("");
    expect(errorsOf(GLOBAL + vip("", "lan", `\toption interface 'lan'\n\toption vrid '51'\n${v4(255)}`))).toEqual([]);
    const r = loadConfig(GLOBAL + vip("", "lan", `\toption interface 'lan'\n\toption vrid '51'\n${v4(256)}`));
    expect(r.errors.map((e) => e.message)).toEqual([
      "vip 'lan': address has 256 addresses, but one VRRPv3 IPv4 advert carries at most 255: split them over several vip sections",
    ]);
    expect(r.errors[0]).toMatchObject({ section: "vip 'lan'", option: "address", line: 2 + 2 + 1 + 255 + 1 });
    const v6 = (n: number): string => Array.from({ length: n }, (_, i) => `\tlist address '2001:db8::${(i + 1).toString(16)}/64'\n`).join("");
    expect(errorsOf(GLOBAL + vip("", "lan", `\toption interface 'lan'\n\toption vrid '51'\n${v6(90)}`))).toEqual([]);
    expect(errorsOf(GLOBAL + vip("", "lan", `\toption interface 'lan'\n\toption vrid '51'\n${v6(91)}`))).toEqual([
      "vip 'lan': address has 91 addresses, but one VRRPv3 IPv6 advert carries at most 90: split them over several vip sections",
    ]);
  });

  it("needs an interface for dhcp", () => {
    expect(errorsOf(vip("\toption dhcp '1'\n", "lan", "\toption device 'br-lan'\n\toption vrid '5'\n\tlist address '198.18.0.1'\n"))).toEqual([
      "vip 'lan': dhcp '1' needs 'interface': dnsmasq's DHCP settings belong to netifd interfaces",
    ]);
  });

  it("allows one floatgw section", () => {
    expect(errorsOf(GLOBAL + "config floatgw 'again'\n")).toEqual([
      "floatgw 'again': only one floatgw section is allowed; the first is on line 1",
    ]);
  });
});

describe("validateConfig: warnings", () => {
  it("names the closest option for a typo (luci#7965 style) and keepalived's names", () => {
    expect(messages(vip("\toption prempt '0'\n\toption nopreempt '1'\n\toption advert_interval '1'\n\toption colour 'red'\n")).warnings).toEqual([
      "vip 'lan': unknown option 'prempt' is ignored (did you mean 'preempt'?)",
      "vip 'lan': unknown option 'nopreempt' is ignored (keepalived option; use preempt '0')",
      "vip 'lan': unknown option 'advert_interval' is ignored (did you mean 'advert_int'?)",
      "vip 'lan': unknown option 'colour' is ignored",
    ]);
  });

  it("warns about unknown section types, keepalived's tracking options and the global section's name", () => {
    expect(
      messages("config floatgw\nconfig vrrp_instance 'x'\nconfig vipp\n" + vip("\tlist track_interface 'wan'\n")).warnings,
    ).toEqual([
      "@floatgw[0]: should be named 'global' (config floatgw 'global'), where LuCI looks for it",
      "vrrp_instance 'x': unknown section type 'vrrp_instance' is ignored (keepalived section; use 'config vip')",
      "@vipp[0]: unknown section type 'vipp' is ignored (did you mean 'vip'?)",
      "vip 'lan': unknown option 'track_interface' is ignored (keepalived option; add a tracker section with type 'link' and name it in 'track')",
    ]);
  });

  it("reports parse errors with their lines and no config", () => {
    const r = loadConfig("config vip 'lan'\n\toption vrid '5\n");
    expect(r.config).toBeNull();
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([[2, "unterminated single quote"]]);
  });
});

describe("checkVipSubnets", () => {
  const lan = onlyVip(vip("\tlist address '198.18.1.1'\n"));

  it("accepts addresses inside a subnet of the device", () => {
    expect(checkVipSubnets(lan, "br-lan", [{ family: 4, address: "198.18.0.2", prefix: 23 }])).toEqual([]);
  });

  it("warns about addresses outside every subnet, or with no address to compare", () => {
    expect(
      checkVipSubnets(lan, "br-lan", [
        { family: 4, address: "198.18.0.2", prefix: 24 },
        { family: 6, address: "2001:db8::2", prefix: 64 },
      ]).map((p) => p.message),
    ).toEqual(["vip 'lan': address '198.18.1.1' is outside every IPv4 subnet of br-lan (198.18.0.2/24)"]);
    expect(checkVipSubnets(lan, "br-lan", []).map((p) => p.message)).toEqual([
      "vip 'lan': address '198.18.0.1' cannot be checked: br-lan has no IPv4 address",
      "vip 'lan': address '198.18.1.1' cannot be checked: br-lan has no IPv4 address",
    ]);
  });
});
