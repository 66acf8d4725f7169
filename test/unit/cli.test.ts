// The CLI's pure parts: option parsing (unknown options are errors, every
// command has --help) and the status table.
import { describe, expect, it } from "vitest";
import { type CommandSpec, commandHelp, parseArgs } from "../../src/cli/args";
import { duration, renderStatus } from "../../src/cli/status";
import type { DaemonStatus, InstanceStatus } from "../../src/daemon/status-contract";

const SPEC: CommandSpec = {
  name: "switchover", args: "[INSTANCE]", minArgs: 0, maxArgs: 1,
  summary: "hand the VIPs to the backup", details: ["More about it."],
  options: { "--hold": { value: "SECONDS", help: "hold time" }, "--json": { help: "as JSON" } },
};

describe("parseArgs", () => {
  it("takes declared options in both spellings, flags and positionals", () => {
    const r = parseArgs(SPEC, ["--hold", "30", "lan", "--json"]);
    expect(r).toEqual({ ok: true, help: false, opts: new Map([["--hold", "30"], ["--json", ""]]), rest: ["lan"] });
    expect(parseArgs(SPEC, ["--hold=0"])).toMatchObject({ ok: true, opts: new Map([["--hold", "0"]]) });
    expect(parseArgs(SPEC, ["--", "-odd-name"])).toMatchObject({ ok: true, rest: ["-odd-name"] });
  });

  it("refuses an unknown option, naming it and the ones there are", () => {
    expect(parseArgs(SPEC, ["--holdd", "30"])).toEqual({ ok: false, error: "switchover: unknown option --holdd (it takes --hold, --json)" });
    expect(parseArgs(SPEC, ["-x"])).toEqual({ ok: false, error: "switchover: unknown option -x (it takes --hold, --json)" });
    expect(parseArgs({ ...SPEC, options: {} }, ["--json"])).toEqual({ ok: false, error: "switchover: unknown option --json (it takes none)" });
  });

  it("refuses a missing value, a value for a flag, and too many arguments", () => {
    expect(parseArgs(SPEC, ["--hold"])).toEqual({ ok: false, error: "switchover: option --hold needs a value (SECONDS)" });
    expect(parseArgs(SPEC, ["--json=yes"])).toEqual({ ok: false, error: "switchover: option --json takes no value" });
    expect(parseArgs(SPEC, ["a", "b"])).toEqual({ ok: false, error: "switchover: takes [INSTANCE], not 'a' 'b'" });
    expect(parseArgs({ name: "switchover", summary: "" }, ["a"])).toEqual({ ok: false, error: "switchover: takes no arguments, not 'a'" });
  });

  it("takes an optional value only after '=', as getopt does", () => {
    const spec: CommandSpec = { name: "import-keepalived", args: "[FILE]", maxArgs: 1, summary: "s", options: { "--write": { value: "PATH", optional: true, help: "h" } } };
    expect(parseArgs(spec, ["--write", "k.conf"])).toMatchObject({ ok: true, opts: new Map([["--write", ""]]), rest: ["k.conf"] });
    expect(parseArgs(spec, ["k.conf", "--write=/tmp/x"])).toMatchObject({ ok: true, opts: new Map([["--write", "/tmp/x"]]), rest: ["k.conf"] });
    expect(commandHelp("floatgw", spec)).toContain("usage: floatgw import-keepalived [--write[=PATH]] [FILE]\n");
  });

  it("answers --help (and -h) even next to other arguments", () => {
    expect(parseArgs(SPEC, ["a", "b", "--help"])).toMatchObject({ ok: true, help: true });
    expect(parseArgs(SPEC, ["-h"])).toMatchObject({ ok: true, help: true });
  });

  it("prints the usage line, the text and every option in --help", () => {
    expect(commandHelp("floatgw", SPEC)).toBe([
      "usage: floatgw switchover [--hold SECONDS] [--json] [INSTANCE]",
      "",
      "Hand the VIPs to the backup.",
      "More about it.",
      "",
      "options:",
      "  --hold SECONDS  hold time",
      "  --json          as JSON",
      "  --help          this help",
      "",
    ].join("\n"));
  });
});

describe("duration", () => {
  it("reads like a clock at every scale, by integer arithmetic", () => {
    expect([999, 59_999, 60_000, 725_000, 3_600_000, 11_220_000, 86_400_000, 187_200_000].map(duration))
      .toEqual(["0.9 s", "59.9 s", "1m 00s", "12m 05s", "1h 00m", "3h 07m", "1d 00h", "2d 04h"]);
  });
});

const INSTANCE: InstanceStatus = {
  name: "lan", syncGroup: null, interface: "lan", device: "br-lan", vrid: 51, version: 3, family: 4, state: "backup",
  priority: {
    base: 150, effective: 100,
    contributions: [
      { source: "base", value: 150, detail: "configured priority" },
      { source: "track:wan", value: -50, detail: "down, weight -50: no answer within 1000 ms" },
      { source: "track:nginx", value: 0, detail: "down, weight 0 -> FAULT: exit status 1" },
    ],
  },
  faults: ["tracker nginx down: exit status 1"],
  primary: "198.18.0.3", master: "198.18.0.2", vips: ["198.18.0.1/24"], vipPresent: false,
  mode: "multicast", unicastPeers: [], advertIntervalMs: 1000, masterAdvertIntervalMs: 1000,
  peer: { address: "198.18.0.2", priority: 200, lastSeenMsAgo: 420 }, dhcp: "standby",
  counters: {
    advertsRx: 812, advertsTx: 3, priorityZeroRx: 1, priorityZeroTx: 0, becameMaster: 1, transitions: 7,
    addressMismatch: 0, otherMasterSeen: 0, drops: { "bad-ttl": 2 },
  },
  lastTransition: { at: "2026-01-02T03:04:05.000Z", agoMs: 125_000, from: "master", to: "backup", reason: "higher priority 200 from 198.18.0.2" },
  transitions: ["a", "b", "c", "d", "e", "f", "g"].map((r, n) => ({ at: `2026-01-02T03:0${n}:00.000Z`, agoMs: 0, from: "backup", to: "master", reason: r })),
};

const STATUS: DaemonStatus = {
  version: "0.1.0", pid: 4242, uptimeMs: 3_723_000,
  devices: [{ name: "br-lan", ifindex: 4, up: true, drops: {} }],
  instances: [INSTANCE],
  trackers: [
    { name: "wan", kind: "ping", state: "down", detail: "no answer within 1000 ms", sinceMsAgo: 3200, value: null,
      probes: { runs: 40, failures: 3, timeouts: 3, lastMsAgo: 200 } },
    { name: "eth1", kind: "link", state: "up", detail: "interface eth1 up", sinceMsAgo: 7_260_000, value: null, probes: null },
  ],
  syncGroups: [],
  routes: [],
  mail: null,
  leaseChannel: {
    port: 7429, listening: "198.18.0.3", peer: "198.18.0.2", lastRxMsAgo: 1200, degraded: null, leasefile: "/tmp/dhcp.leases", lastWrite: null,
    counters: { rx: 10, tx: 11, txFailed: 0, resyncs: 1, paused: 0,
      rejected: { oversize: 0, truncated: 0, malformed: 0, stranger: 2, "bad-mac": 0, replay: 0, "no-session": 1 } },
    leases: [{ mac: "02:00:00:00:00:01", ip: "198.18.0.50", hostname: "pc", clientId: "*", expires: 0 }],
  },
  ubus: { socket: "/var/run/ubus/ubus.sock", state: "registered", objectId: 1234, detail: null, subscribers: false, eventsSent: 7, eventsDropped: 0 },
};

describe("renderStatus", () => {
  it("prints one table per instance, with the priority's breakdown and the last five transitions", () => {
    expect(renderStatus(STATUS)).toBe(`floatgwd 0.1.0, pid 4242, up 1h 02m
ubus: object floatgw registered on /var/run/ubus/ubus.sock
device br-lan: up

lan: vrid 51 on br-lan (interface lan), VRRPv3 IPv4 multicast
  state        BACKUP for 2m 05s (higher priority 200 from 198.18.0.2)
  priority     100 = base 150 - 50 track:wan (down, weight -50: no answer within 1000 ms) + 0 track:nginx (down, weight 0 -> FAULT: exit status 1)
  FAULT        tracker nginx down: exit status 1
  master       198.18.0.2
  peer         198.18.0.2, priority 200, heard 0.4 s ago
  VIPs         198.18.0.1/24: not here
  DHCP         standing by: DHCP starts here when this router takes the VIP
  adverts      rx 812, tx 3; priority 0 rx 1, tx 0; became master 1
  dropped      bad-ttl 2
  transitions  2026-01-02T03:02:00.000Z  backup -> master: c
               2026-01-02T03:03:00.000Z  backup -> master: d
               2026-01-02T03:04:00.000Z  backup -> master: e
               2026-01-02T03:05:00.000Z  backup -> master: f
               2026-01-02T03:06:00.000Z  backup -> master: g
               (2 earlier ones in --json)

trackers
  wan (ping)   DOWN for 3.2 s: no answer within 1000 ms; probes 40, failed 3, timed out 3
  eth1 (link)  UP for 2h 01m: interface eth1 up

DHCP lease channel (udp 7429): OK
  peer       198.18.0.2, heard 1.2 s ago
  datagrams  rx 10, tx 11 (failed 0), resyncs 1; rejected: oversize 0, truncated 0, malformed 0, stranger 2, bad-mac 0, replay 0, no-session 1
  leases     1 held
             198.18.0.50 02:00:00:00:00:01 pc never expires
`);
  });

  it("says when the master is this router, when nothing is known yet, and why ubus is away", () => {
    const waiting: InstanceStatus = {
      ...INSTANCE, faults: [], state: "waiting", primary: null, master: null, peer: null, counters: null, lastTransition: null, transitions: [], dhcp: "off",
      priority: { base: 150, effective: 150, contributions: [{ source: "base", value: 150, detail: "configured priority" }] },
    };
    const master: InstanceStatus = { ...INSTANCE, name: "wan", state: "master", master: "198.18.0.3", vipPresent: true, dhcp: "serving", lastTransition: null };
    const text = renderStatus({
      ...STATUS, instances: [waiting, master], trackers: [], leaseChannel: null,
      ubus: { ...STATUS.ubus, state: "unavailable", objectId: null, detail: "no ubusd on /var/run/ubus/ubus.sock: connect: No such file or directory (errno 2)" },
    });
    expect(text).toContain("ubus: not available (no ubusd on /var/run/ubus/ubus.sock: connect: No such file or directory (errno 2))");
    expect(text).toContain("  state        WAITING for an IPv4 address on br-lan\n  priority     150 (configured)\n  master       unknown\n  peer         never heard\n");
    expect(text).toContain("  DHCP         off (no dhcp '1')\n  transitions  none yet\n");
    expect(text).toContain("  state        MASTER\n");
    expect(text).toContain("  master       198.18.0.3 (this router)\n");
    expect(text).toContain("  VIPs         198.18.0.1/24: held by this router\n  DHCP         serving: this router's dnsmasq hands out leases\n");
    expect(text).not.toContain("DHCP lease channel");
    expect(text).not.toContain("trackers");
  });

  it("names each instance's sync group, and lists the groups and the virtual routes and rules", () => {
    const text = renderStatus({
      ...STATUS, leaseChannel: null, trackers: [],
      instances: [{ ...INSTANCE, syncGroup: "router" }],
      syncGroups: [{ name: "router", state: "master", members: ["lan", "wan"], lastTransition: { agoMs: 12_100, from: "backup", to: "master", reason: "wan: master down timer expired" } }],
      routes: [
        { name: "up", kind: "route", owner: "sync_group router", spec: "default via 198.19.1.254 dev wan", present: true, error: null },
        { name: "deny", kind: "rule", owner: "vip lan", spec: "from 198.18.0.128/25 prohibit", present: false, error: "add rule: errno 22" },
      ],
      mail: { sent: 3, failed: 1, replaced: 2, waiting: 0, sending: true, lastError: "198.18.0.25:25: connection refused" },
    });
    expect(text).toContain("\nmail alerts: sent 3, failed 1 (last: 198.18.0.25:25: connection refused), replaced by newer 2, waiting 1\n");
    expect(text).toContain("lan: vrid 51 on br-lan (interface lan), VRRPv3 IPv4 multicast, sync group router\n");
    expect(text).toContain(`sync groups
  router (lan, wan)  MASTER for 12.1 s (wan: master down timer expired)

virtual routes and rules
  up (route, sync_group router)  present: default via 198.19.1.254 dev wan
  deny (rule, vip lan)           absent: from 198.18.0.128/25 prohibit; NOT ADDED: add rule: errno 22
`);
  });
});
