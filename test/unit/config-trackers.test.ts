import { describe, expect, it } from "vitest";
import { parseAddr } from "../../src/core/addr";
import { loadConfig } from "../../src/config/load";
import { splitCommand } from "../../src/track/command";

const HEAD = "config floatgw 'global'\n\toption enabled '1'\n\nconfig vip 'lan'\n\toption interface 'lan'\n\toption vrid '51'\n\tlist address '198.18.0.1/24'\n";

/** The lan vip with `track` lines, and tracker sections. */
function withTrackers(track: string, trackers: string, priority = "100"): string {
  return `${HEAD}\toption priority '${priority}'\n${track}\n${trackers}`;
}

function load(track: string, trackers: string, priority?: string) {
  const r = loadConfig(withTrackers(track, trackers, priority));
  return { config: r.config, errors: r.errors.map((e) => e.message), warnings: r.warnings.map((w) => w.message) };
}

const addr = (s: string) => parseAddr(s);

describe("tracker sections", () => {
  it("read a script with keepalived's defaults: weight 0, interval 1 s, timeout = interval, rise = fall = 1", () => {
    const r = load("\tlist track 'nginx'\n", "config tracker 'nginx'\n\toption type 'script'\n\toption script '/usr/bin/pgrep -x \"nginx: master\"'\n");
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.config?.trackers).toEqual([
      {
        name: "nginx",
        weight: 0,
        reverse: false,
        probe: {
          kind: "script",
          poll: { intervalMs: 1000, timeoutMs: 1000, retryIntervalMs: 1000, rise: 1, fall: 1, initFail: false },
          argv: ["/usr/bin/pgrep", "-x", "nginx: master"],
          user: null,
          dynamicWeight: false,
        },
      },
    ]);
    expect(r.config?.vips[0]?.track).toEqual([{ tracker: "nginx", weight: 0, reverse: false }]);
  });

  it("run a shell only when asked", () => {
    const r = load("\tlist track 'up'\n", "config tracker 'up'\n\toption type 'script'\n\toption shell '1'\n\toption script 'pidof nginx && test -f /tmp/ok'\n");
    expect(r.config?.trackers[0]?.probe).toMatchObject({ argv: ["/bin/sh", "-c", "pidof nginx && test -f /tmp/ok"] });
  });

  it("read every network kind with its defaults and options", () => {
    const r = load(
      "\tlist track 'gw'\n\tlist track 'web'\n\tlist track 'db'\n\tlist track 'mail'\n",
      [
        "config tracker 'gw'\n\toption type 'ping'\n\toption host '198.18.1.1'\n\toption interval '0.5'\n\toption fall '3'\n\toption rise '2'\n\toption weight '-50'\n",
        "config tracker 'web'\n\toption type 'http'\n\toption host '198.18.0.10'\n\toption path '/health'\n\tlist status_code '200'\n\tlist status_code '300-399'\n\toption digest '9B3A0C85A887A256D6939DA88AABD8CD'\n\toption virtualhost 'www.example.org'\n\toption timeout '3'\n\toption interval '5'\n\toption retry_interval '1'\n",
        "config tracker 'db'\n\toption type 'tcp'\n\toption host '2001:db8::10'\n\toption port '5432'\n\toption source '2001:db8::2'\n\toption device 'eth1'\n\toption init_fail '1'\n",
        "config tracker 'mail'\n\toption type 'smtp'\n\toption host '198.18.0.25'\n\toption helo_name 'gw-a.example.org'\n",
      ].join("\n"),
    );
    expect(r.errors).toEqual([]);
    const [gw, web, db, mail] = r.config?.trackers ?? [];
    expect(gw).toEqual({
      name: "gw",
      weight: -50,
      reverse: false,
      probe: {
        kind: "ping",
        poll: { intervalMs: 500, timeoutMs: 500, retryIntervalMs: 500, rise: 2, fall: 3, initFail: false },
        target: { host: addr("198.18.1.1"), source: null, device: null },
      },
    });
    expect(web?.probe).toEqual({
      kind: "http",
      poll: { intervalMs: 5000, timeoutMs: 3000, retryIntervalMs: 1000, rise: 1, fall: 1, initFail: false },
      target: { host: addr("198.18.0.10"), source: null, device: null },
      port: 80,
      path: "/health",
      statusCodes: [{ min: 200, max: 200 }, { min: 300, max: 399 }],
      digest: "9b3a0c85a887a256d6939da88aabd8cd",
      virtualhost: "www.example.org",
    });
    expect(db?.probe).toMatchObject({ kind: "tcp", port: 5432, poll: { initFail: true },
      target: { host: addr("2001:db8::10"), source: addr("2001:db8::2"), device: "eth1" } });
    expect(mail?.probe).toMatchObject({ kind: "smtp", port: 25, heloName: "gw-a.example.org" });
  });

  it("may probe this router's own services on a loopback address, which a vip may not use", () => {
    const r = load("\tlist track 'web'\n", "config tracker 'web'\n\toption type 'http'\n\toption host '127.0.0.1'\n\toption port '8080'\n");
    expect(r.errors).toEqual([]);
    expect(r.config?.trackers[0]?.probe).toMatchObject({ target: { host: addr("127.0.0.1") }, port: 8080 });
    expect(load("\tlist track 'web'\n", "config tracker 'web'\n\toption type 'tcp'\n\toption host '::1'\n\toption port '22'\n").errors).toEqual([]);
    expect(load("\tlist unicast_peer '127.0.0.2'\n", "").errors).toEqual(["vip 'lan': unicast_peer '127.0.0.2' is a loopback address"]);
  });

  it("give a file a default weight of 1 (keepalived track_file)", () => {
    const r = load("\tlist track 'prio'\n", "config tracker 'prio'\n\toption type 'file'\n\toption file '/tmp/prio'\n\toption init_value '0'\n");
    expect(r.config?.trackers[0]).toMatchObject({ weight: 1, probe: { kind: "file", path: "/tmp/prio", initValue: 0, initOverwrite: false } });
  });

  it("read link and interface trackers, which follow events", () => {
    const r = load("\tlist track 'eth1'\n\tlist track 'wan weight -60 reverse'\n",
      "config tracker 'eth1'\n\toption type 'link'\n\toption device 'eth1'\n\nconfig tracker 'wan'\n\toption type 'interface'\n\toption interface 'wan'\n\toption weight '-10'\n");
    expect(r.errors).toEqual([]);
    expect(r.config?.trackers.map((t) => t.probe)).toEqual([{ kind: "link", device: "eth1" }, { kind: "interface", interface: "wan" }]);
    expect(r.config?.vips[0]?.track).toEqual([
      { tracker: "eth1", weight: 0, reverse: false },
      { tracker: "wan", weight: -60, reverse: true },
    ]);
  });

  it("accept `option track` with space-separated names, or with one weighted name", () => {
    const t = "config tracker 'a'\n\toption type 'link'\n\toption device 'eth1'\n\nconfig tracker 'b'\n\toption type 'link'\n\toption device 'eth2'\n";
    expect(load("\toption track 'a b'\n", t).config?.vips[0]?.track.map((u) => u.tracker)).toEqual(["a", "b"]);
    expect(load("\toption track 'b weight 7'\n", t).config?.vips[0]?.track).toEqual([{ tracker: "b", weight: 7, reverse: false }]);
  });

  it.each([
    ["config tracker 't'\n", "tracker 't': type is required"],
    ["config tracker 't'\n\toption type 'dns'\n", "tracker 't': type 'dns' is not one of link, interface, script, ping, tcp, http, smtp, file"],
    ["config tracker 't'\n\toption type 'script'\n", "tracker 't': type 'script' needs option script"],
    ["config tracker 't'\n\toption type 'script'\n\toption script '/bin/check \"x'\n", "tracker 't': script '/bin/check \"x' has an unterminated double quote"],
    ["config tracker 't'\n\toption type 'tcp'\n\toption host '198.18.0.9'\n", "tracker 't': type 'tcp' needs option port"],
    ["config tracker 't'\n\toption type 'ping'\n", "tracker 't': type 'ping' needs option host"],
    ["config tracker 't'\n\toption type 'ping'\n\toption host 'gw.example.org'\n", "tracker 't': host 'gw.example.org' is not an IPv4 or IPv6 address"],
    ["config tracker 't'\n\toption type 'link'\n", "tracker 't': type 'link' needs option device"],
    ["config tracker 't'\n\toption type 'link'\n\toption device 'eth1'\n\toption weight '300'\n", "tracker 't': weight '300' is out of range -254 to 254"],
    ["config tracker 't'\n\toption type 'http'\n\toption host '198.18.0.9'\n\tlist status_code '600'\n", "tracker 't': status_code '600' is outside 100-599"],
    ["config tracker 't'\n\toption type 'http'\n\toption host '198.18.0.9'\n\tlist status_code '299-200'\n", "tracker 't': status_code '299-200' is a range that ends before it starts"],
    ["config tracker 't'\n\toption type 'http'\n\toption host '198.18.0.9'\n\toption digest 'abc'\n", "tracker 't': digest 'abc' is shorter than 32 characters"],
    ["config tracker 't'\n\toption type 'file'\n\toption file 'prio'\n", "tracker 't': file 'prio' may only contain an absolute path without spaces"],
    ["config tracker 't'\n\toption type 'ping'\n\toption host '198.18.0.9'\n\toption interval '0.001'\n", "tracker 't': interval '0.001' is out of range 0.01-86400 s"],
    ["config tracker 't'\n\toption type 'ping'\n\toption host '198.18.0.9'\n\toption fall '0'\n", "tracker 't': fall '0' is out of range 1-100"],
  ])("refuse %j", (section, message) => {
    expect(load("\tlist track 't'\n", section).errors).toEqual([message]);
  });

  it("judge every option of the kind even when a required one is missing (the LuCI form judges field by field)", () => {
    const long = `/${"a".repeat(1024)}`;
    expect(load("\tlist track 't'\n", `config tracker 't'\n\toption type 'http'\n\toption path '${long}'\n\toption digest 'xyz'\n`).errors).toEqual([
      "tracker 't': type 'http' needs option host",
      `tracker 't': path '${long}' is longer than 1024 characters`,
      "tracker 't': digest 'xyz' is shorter than 32 characters",
    ]);
    expect(load("\tlist track 't'\n", "config tracker 't'\n\toption type 'smtp'\n\toption helo_name 'a b'\n").errors).toEqual([
      "tracker 't': type 'smtp' needs option host",
      "tracker 't': helo_name 'a b' may only contain a host name",
    ]);
    expect(load("\tlist track 't'\n", "config tracker 't'\n\toption type 'tcp'\n\toption port '80'\n\toption device 'a b'\n").errors).toEqual([
      "tracker 't': type 'tcp' needs option host",
      "tracker 't': device 'a b' may only contain letters, digits and _ . @ -",
    ]);
  });

  it("refuse track lines that name no tracker, repeat one, or carry a bad weight", () => {
    const t = "config tracker 'a'\n\toption type 'link'\n\toption device 'eth1'\n";
    expect(load("\tlist track 'nope'\n", t).errors).toEqual(["vip 'lan': track 'nope' names no tracker section"]);
    expect(load("\tlist track 'a'\n\tlist track 'a weight 5'\n", t).errors).toEqual(["vip 'lan': track 'a weight 5' names a tracker already listed"]);
    expect(load("\tlist track 'a weight 999'\n", t).errors).toEqual(["vip 'lan': track 'a weight 999' has a weight that is out of range -254 to 254"]);
    expect(load("\tlist track 'a weight'\n", t).errors).toEqual([
      "vip 'lan': track 'a weight' is not a tracker name, optionally followed by 'weight N' and 'reverse' or 'noreverse'",
    ]);
  });

  it("warn about options the type does not use, unused trackers and weights on the owner", () => {
    const r = load("\tlist track 'a'\n",
      "config tracker 'a'\n\toption type 'link'\n\toption device 'eth1'\n\toption interval '2'\n\toption weight '-20'\n\n"
      + "config tracker 'b'\n\toption type 'link'\n\toption device 'eth2'\n", "255");
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      "vip 'lan': track 'a' has a weight, which does not change the address owner's priority 255; only weight 0 (FAULT) applies",
      "tracker 'a': interval '2' is not used by type 'link' and is ignored",
      "tracker 'b': no enabled vip or sync group lists it in 'track', so it does not run",
    ]);
    expect(r.config?.trackers.map((t) => t.name)).toEqual(["a"]);
  });

  it("warn about keepalived's section names", () => {
    const r = loadConfig(`${HEAD}\nconfig vrrp_script 'chk'\n\toption script '/bin/true'\n`);
    expect(r.warnings.map((w) => w.message)).toEqual([
      "vrrp_script 'chk': unknown section type 'vrrp_script' is ignored (keepalived section; use 'config tracker' with type 'script')",
    ]);
  });
});

describe("splitCommand", () => {
  it.each([
    ["/bin/true", ["/bin/true"]],
    ["  /usr/bin/curl  -sf   http://198.18.0.1/ ", ["/usr/bin/curl", "-sf", "http://198.18.0.1/"]],
    [`/bin/check "a b" 'c "d"' e\\ f`, ["/bin/check", "a b", 'c "d"', "e f"]],
    [`/bin/x "say \\"hi\\"" ''`, ["/bin/x", 'say "hi"', ""]],
  ])("%j", (line, argv) => {
    expect(splitCommand(line)).toEqual({ ok: true, value: argv });
  });

  it("refuses an open quote or an empty line", () => {
    expect(splitCommand("/bin/x 'a")).toEqual({ ok: false, reason: "has an unterminated single quote" });
    expect(splitCommand("   ")).toEqual({ ok: false, reason: "names no program" });
  });
});
