// Sync groups, virtual routes and rules, notify scripts and mail alerts in
// /etc/config/floatgw: what they read into, and what `floatgw check` refuses.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";

const GLOBAL = "config floatgw 'global'\n\toption enabled '1'\n";

function vip(name: string, vrid: number, address: string, extra = ""): string {
  return `\nconfig vip '${name}'\n\toption device 'eth${vrid}'\n\toption vrid '${vrid}'\n\tlist address '${address}'\n${extra}`;
}

const LAN = vip("lan", 51, "198.18.0.1/24");
const WAN = vip("wan", 52, "198.19.1.1/24");

function load(text: string) {
  const r = loadConfig(text);
  return { config: r.config, errors: r.errors.map((e) => e.message), warnings: r.warnings.map((w) => w.message) };
}

const GW = "\nconfig tracker 'gw'\n\toption type 'ping'\n\toption host '198.19.1.254'\n\toption weight '-60'\n";
const UP = "\nconfig tracker 'up'\n\toption type 'script'\n\toption script '/bin/true'\n";

describe("sync groups", () => {
  it("give every member the group's trackers and drop the members' weighted ones, as keepalived does", () => {
    const r = load(GLOBAL + GW + UP + LAN + vip("wan", 52, "198.19.1.1/24", "\tlist track 'gw'\n\tlist track 'up'\n")
      + "\nconfig sync_group 'router'\n\tlist vip 'lan'\n\tlist vip 'wan'\n\tlist track 'gw weight -50'\n\toption notify_master '/etc/floatgw/master.sh \"both up\"'\n");
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      "vip 'wan': track 'gw' has weight -60, which a member of sync group 'router' ignores (keepalived's rule): put the tracker on the group, or set the group's tracking_weight",
    ]);
    const [lan, wan] = r.config?.vips ?? [];
    expect(lan).toMatchObject({ syncGroup: "router", track: [{ tracker: "gw", weight: -50, reverse: false }] });
    expect(wan).toMatchObject({ syncGroup: "router", track: [{ tracker: "up", weight: 0, reverse: false }, { tracker: "gw", weight: -50, reverse: false }] });
    expect(r.config?.syncGroups).toEqual([{
      name: "router",
      members: ["lan", "wan"],
      trackingWeight: false,
      notify: { commands: { master: ["/etc/floatgw/master.sh", "both up"], backup: null, fault: null, stop: null, any: null }, smtpAlert: false },
    }]);
  });

  it("keep the members' weights with tracking_weight", () => {
    const r = load(GLOBAL + GW + LAN + vip("wan", 52, "198.19.1.1/24", "\tlist track 'gw'\n")
      + "\nconfig sync_group 'router'\n\tlist vip 'lan'\n\tlist vip 'wan'\n\toption tracking_weight '1'\n");
    expect(r.warnings).toEqual([]);
    expect(r.config?.vips[1]?.track).toEqual([{ tracker: "gw", weight: -60, reverse: false }]);
  });

  it("refuse a vip in two groups, an unknown member and a tracker both a member and its group list", () => {
    const r = load(GLOBAL + UP + LAN + vip("wan", 52, "198.19.1.1/24", "\tlist track 'up'\n")
      + "\nconfig sync_group 'one'\n\tlist vip 'lan'\n\tlist vip 'wan'\n\tlist track 'up'\n"
      + "\nconfig sync_group 'two'\n\tlist vip 'lan'\n\tlist vip 'dmz'\n");
    expect(r.config).toBeNull();
    expect(r.errors).toEqual([
      "vip 'wan': track 'up' is also tracked by its sync group 'one'",
      "sync_group 'two': vip 'lan' is already a member of sync group 'one': a vip belongs to one group",
      "sync_group 'two': vip 'dmz' names no vip section",
    ]);
  });

  it("warn about a group of one and skip a disabled member", () => {
    const r = load(GLOBAL + LAN + vip("wan", 52, "198.19.1.1/24", "\toption enabled '0'\n")
      + "\nconfig sync_group 'router'\n\tlist vip 'lan'\n\tlist vip 'wan'\n");
    expect(r.warnings).toEqual([
      "sync_group 'router': has only one member, which it does not change (keepalived warns likewise)",
      "sync_group 'router': vip 'wan' is disabled, so the group runs without it",
    ]);
    expect(r.config?.syncGroups[0]?.members).toEqual(["lan"]);
  });
});

describe("routes and rules", () => {
  it("read a route with its defaults and a blackhole in another table", () => {
    const r = load(GLOBAL + LAN + WAN + "\nconfig sync_group 'router'\n\tlist vip 'lan'\n\tlist vip 'wan'\n"
      + "\nconfig route 'up'\n\toption sync_group 'router'\n\toption target '0.0.0.0/0'\n\toption gateway '198.19.1.254'\n\toption device 'eth52'\n\toption metric '10'\n\toption source '198.19.1.1'\n"
      + "\nconfig route 'sink'\n\toption vip 'lan'\n\toption type 'blackhole'\n\toption target '198.18.128.0/17'\n\toption table '100'\n");
    expect(r.errors).toEqual([]);
    expect(r.config?.routes).toEqual([
      {
        name: "up", owner: { kind: "sync_group", name: "router" }, family: 4, type: "unicast",
        target: { family: 4, address: "0.0.0.0", prefix: 0 }, gateway: { family: 4, address: "198.19.1.254" },
        interface: null, device: "eth52", table: 254, metric: 10, source: { family: 4, address: "198.19.1.1" }, scope: null, onlink: false,
      },
      {
        name: "sink", owner: { kind: "vip", name: "lan" }, family: 4, type: "blackhole",
        target: { family: 4, address: "198.18.128.0", prefix: 17 }, gateway: null,
        interface: null, device: null, table: 100, metric: null, source: null, scope: null, onlink: false,
      },
    ]);
  });

  it("refuse routes that cannot be added", () => {
    const r = load(GLOBAL + LAN
      + "\nconfig route 'a'\n\toption vip 'lan'\n\toption sync_group 'lan'\n\toption target '198.18.5.0/24'\n\toption device 'eth1'\n"
      + "\nconfig route 'b'\n\toption vip 'dmz'\n\toption target '198.18.5.1/24'\n\toption device 'eth1'\n"
      + "\nconfig route 'c'\n\toption vip 'lan'\n\toption target '198.18.6.0/24'\n"
      + "\nconfig route 'd'\n\toption vip 'lan'\n\toption type 'unreachable'\n\toption target '2001:db8:5::/48'\n\toption gateway '198.18.0.254'\n");
    expect(r.config).toBeNull();
    expect(r.errors).toEqual([
      "route 'a': needs exactly one of 'vip' and 'sync_group': the vip or group whose mastership it follows",
      "route 'b': vip 'dmz' names no enabled vip section",
      "route 'b': target '198.18.5.1/24' has bits set beyond /24",
      "route 'c': a unicast route needs 'gateway', 'interface' or 'device'",
      "route 'd': gateway '198.18.0.254' is IPv4 but target '2001:db8:5::/48' is IPv6",
      "route 'd': gateway does not go with type 'unreachable', which sends nothing anywhere",
    ]);
  });

  it("say nothing more of a route whose vip has errors of its own", () => {
    const r = load(GLOBAL + vip("lan", 300, "198.18.0.1/24") + "\nconfig route 'sink'\n\toption vip 'lan'\n\toption type 'blackhole'\n\toption target '198.18.128.0/17'\n");
    expect(r.errors).toEqual(["vip 'lan': vrid '300' is out of range 1-255"]);
  });

  it("read rules: the family from the addresses or the vip, marks, drop actions", () => {
    const r = load(GLOBAL + LAN + vip("lan6", 51, "2001:db8:0:1::1/64")
      + "\nconfig rule 'from_lan'\n\toption vip 'lan6'\n\toption in 'lan'\n\toption lookup '100'\n\toption mark '0x10/0xff'\n\toption priority '1000'\n"
      + "\nconfig rule 'deny'\n\toption vip 'lan'\n\toption src '198.18.0.128/25'\n\toption action 'prohibit'\n\toption invert '1'\n");
    expect(r.errors).toEqual([]);
    expect(r.config?.rules).toEqual([
      {
        name: "from_lan", owner: { kind: "vip", name: "lan6" }, family: 6, src: null, dest: null, in: "lan", out: null,
        mark: { value: 16, mask: 255 }, tos: null, action: "lookup", lookup: 100, priority: 1000, invert: false,
      },
      {
        name: "deny", owner: { kind: "vip", name: "lan" }, family: 4, src: { family: 4, address: "198.18.0.128", prefix: 25 }, dest: null,
        in: null, out: null, mark: null, tos: null, action: "prohibit", lookup: null, priority: null, invert: true,
      },
    ]);
  });

  it("refuse a rule without a table, or without a family in a mixed group", () => {
    const r = load(GLOBAL + LAN + vip("lan6", 51, "2001:db8:0:1::1/64") + "\nconfig sync_group 'both'\n\tlist vip 'lan'\n\tlist vip 'lan6'\n"
      + "\nconfig rule 'a'\n\toption vip 'lan'\n\toption in 'lan'\n"
      + "\nconfig rule 'b'\n\toption sync_group 'both'\n\toption lookup 'main'\n");
    expect(r.errors).toEqual([
      "rule 'a': needs 'lookup' (a table) unless its action drops",
      "rule 'b': cannot tell IPv4 from IPv6: sync group 'both' has members of both; give 'src' or 'dest'",
    ]);
  });
});

describe("notify scripts and mail alerts", () => {
  it("split the commands, read smtp_alert per section, and read the mail settings", () => {
    const r = load(`${GLOBAL}\toption smtp_server '198.18.0.25'\n\tlist notification_email 'noc@example.org'\n\toption router_id 'gw-a'\n\toption script_user 'nobody'\n`
      + vip("lan", 51, "198.18.0.1/24", "\toption notify '/usr/bin/logger -t vrrp'\n\toption notify_stop \"/bin/sh -c 'echo stopped'\"\n\toption smtp_alert '1'\n")
      + vip("wan", 52, "198.19.1.1/24"));
    expect(r.errors).toEqual([]);
    const [lan, wan] = r.config?.vips ?? [];
    expect(lan?.notify).toEqual({
      commands: { master: null, backup: null, fault: null, stop: ["/bin/sh", "-c", "echo stopped"], any: ["/usr/bin/logger", "-t", "vrrp"] },
      smtpAlert: true,
    });
    expect(wan?.notify.smtpAlert).toBe(false);
    expect(r.config?.global.mail).toEqual({
      routerId: "gw-a", recipients: ["noc@example.org"], from: null, server: { family: 4, address: "198.18.0.25" }, port: 25, heloName: null, timeoutMs: 30_000,
    });
    expect(r.config?.global.scriptUser).toBe("nobody");
  });

  it("give tracker scripts the global script_user unless they name their own", () => {
    const r = load(`${GLOBAL}\toption script_user 'nobody'\n` + vip("lan", 51, "198.18.0.1/24", "\tlist track 'a'\n\tlist track 'b'\n")
      + "\nconfig tracker 'a'\n\toption type 'script'\n\toption script '/bin/true'\n"
      + "\nconfig tracker 'b'\n\toption type 'script'\n\toption script '/bin/true'\n\toption user 'daemon'\n");
    expect(r.config?.trackers.map((t) => (t.probe.kind === "script" ? t.probe.user : null))).toEqual(["nobody", "daemon"]);
  });

  it("warn when smtp_alert is on but no mail can go out, and refuse a broken command", () => {
    const r = load(GLOBAL + vip("lan", 51, "198.18.0.1/24", "\toption smtp_alert '1'\n"));
    expect(r.warnings).toEqual(["vip 'lan': smtp_alert is on, but the floatgw section has no smtp_server: no mail is sent"]);
    const broken = load(GLOBAL + vip("lan", 51, "198.18.0.1/24", "\toption notify_master '/bin/echo \"open'\n"));
    expect(broken.errors).toEqual(["vip 'lan': notify_master '/bin/echo \"open' has an unterminated double quote"]);
  });
});
