// The whole import on the test configurations in
// test/fixtures/keepalived-import/: the floatgw files they become, that
// these pass `floatgw check`, that the OpenWrt UCI file converts to what its
// keepalived.conf converts to, and that no line goes without a report entry.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";
import { parseUci } from "../../src/config/uci";
import { renderUci } from "../../src/config/uci-write";
import { readConfFile, readConfText } from "../../src/import/conf-read";
import { buildTree, type ConfNode } from "../../src/import/conf-tree";
import { convertTree } from "../../src/import/convert";
import type { Entry } from "../../src/import/entry";
import { importKeepalived } from "../../src/import/import";
import { generateFromUci } from "../../src/import/uci-front";
import { diskFs, memoryFs } from "./import-helpers";

const DIR = join(__dirname, "../fixtures/keepalived-import");

function run(file: string, configId: string | null = null) {
  return importKeepalived(join(DIR, file), diskFs, { configId, outputName: "floatgw" });
}

/** The configuration without its comments, for comparing. */
function body(config: string | null): string {
  return (config ?? "").split("\n").filter((l) => !l.startsWith("#")).join("\n").trim();
}

const NGINX_A = `config floatgw 'global'
	option enabled '0'
	option router_id 'nginx_a'
	option script_user 'root'

config tracker 'chk_nginx'
	option type 'script'
	option script '/usr/bin/killall -0 nginx'
	option interval '2'
	option weight '2'
	option rise '2'
	option fall '2'

config vip 'VI_1'
	option device 'br-lan'
	option vrid '51'
	option version '2'
	option priority '101'
	option advert_int '1'
	list address '198.18.0.1/24'
	option auth_pass 's3cr3tpw'
	list track 'chk_nginx'`;


const ROUTER = (id: string, priority: string, preempt: string, self: string, peer: string): string => `config floatgw 'global'
	option enabled '0'
	option router_id '${id}'
	list notification_email 'noc@example.org'
	option notification_email_from 'gateways@example.org'
	option smtp_server '198.18.0.250'
	option smtp_connect_timeout '5'
	option script_user 'root'

config tracker 'link_wan0'
	option type 'link'
	option device 'wan0'

config tracker 'chk_uplink'
	option type 'script'
	option script '/bin/sh -c '\\''test ! -e ${join(DIR, "routers")}/uplink-down'\\'''
	option interval '2'
	option timeout '1'
	option rise '1'
	option fall '2'

config tracker 'link_br_lan'
	option type 'link'
	option device 'br-lan'

config vip 'LAN'
	option device 'br-lan'
	option vrid '51'
	option version '2'
	option priority '${priority}'
	option advert_int '1'
	list address '198.18.0.1/24'
	option preempt '${preempt}'
	option unicast_src '${self}'
	list unicast_peer '${peer}'
	option garp_count '3'
	option garp_repeat_delay '2'
	list track 'link_wan0'
	list track 'chk_uplink'
	option notify '${join(DIR, "routers/conf.d")}/../notify.sh'
	option smtp_alert '1'

config vip 'WAN'
	option device 'wan0'
	option vrid '52'
	option version '2'
	option priority '${priority}'
	option advert_int '1'
	list address '198.19.0.1/24'
	option preempt '${preempt}'
	option garp_count '3'
	option garp_repeat_delay '2'
	list track 'link_br_lan weight 0'

config sync_group 'gateway'
	list vip 'LAN'
	list vip 'WAN'
	option notify_master '${join(DIR, "routers")}/notify.sh master'
	option notify_backup '${join(DIR, "routers")}/notify.sh backup'
	option notify_fault '${join(DIR, "routers")}/notify.sh fault'
	option smtp_alert '1'

config route 'WAN_route'
	option vip 'WAN'
	option target '198.19.100.0/24'
	option gateway '198.19.0.254'
	option device 'wan0'`;


describe("the test configurations", () => {
  it("convert the nginx pair, PASS authentication included", () => {
    expect(body(run("nginx/a.conf").config)).toBe(NGINX_A);
    expect(body(run("nginx/b.conf").config)).toBe(NGINX_A.replace("'101'", "'100'").replace("nginx_a", "nginx_b"));
  });

  it("convert the router pair from one file per config id, preempting where state MASTER cleared nopreempt", () => {
    expect(body(run("routers/keepalived.conf", "gw_a").config)).toBe(ROUTER("gw_a", "150", "1", "198.18.0.2", "198.18.0.3"));
    expect(body(run("routers/keepalived.conf", "gw_b").config)).toBe(ROUTER("gw_b", "100", "0", "198.18.0.3", "198.18.0.2"));
  });

  it("pass floatgw check without errors or warnings", () => {
    for (const [file, id] of [["nginx/a.conf", null], ["routers/keepalived.conf", "gw_a"], ["openwrt/keepalived", null]] as const) {
      const result = loadConfig(run(file, id).config ?? "");
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
    }
  });

  it("convert the router pair's sync group, notify scripts, mail and route, with a report line for each", () => {
    const report = run("routers/keepalived.conf", "gw_a").report;
    expect(report).toMatch(/Summary: 2 vip sections and 3 trackers; 39 settings converted, 7 converted differently, 0 not converted, 0 errors\./);
    expect(report).toMatch(/keepalived\.conf:34: vrrp_sync_group gateway > group > WAN  ->  sync_group 'gateway' vip 'WAN'/);
    expect(report).toMatch(/keepalived\.conf:10: global_defs > smtp_server 198\.18\.0\.250  ->  floatgw 'global' smtp_server '198\.18\.0\.250'/);
    expect(report).toMatch(/wan\.conf:12: vrrp_instance WAN > virtual_routes > 198\.19\.100\.0\/24 via 198\.19\.0\.254 dev wan0  ->  config route 'WAN_route'/);
    expect(report).toMatch(/wan\.conf:15: vrrp_instance WAN > track_interface > br-lan weight -20\n {6}keepalived ignores a tracked interface's weight in a sync group/);
    expect(report).toMatch(/read: keepalived\.conf, conf\.d\/lan\.conf, conf\.d\/wan\.conf/);
    expect(report).toMatch(/config id 'gw_a': 5 lines for other routers/);
    expect(report.indexOf("Check these first")).toBeLessThan(report.indexOf("Converted differently"));
    expect(report).not.toMatch(/Not converted/);
    expect(report).toMatch(/conf\.d\/lan\.conf:8: vrrp_instance LAN > nopreempt\n {6}\[converted differently; state MASTER with nopreempt\]/);
  });
});

describe("OpenWrt's /etc/config/keepalived", () => {
  it("converts to the same floatgw configuration as the keepalived.conf keepalived.init writes from it", () => {
    const uci = run("openwrt/keepalived");
    const conf = run("openwrt/keepalived.conf");
    expect(body(uci.config)).not.toBe("");
    expect(body(uci.config)).toBe(body(conf.config));
    expect(body(uci.config)).toMatch(/option preempt '0'/);
  });

  it("calls out nopreempt '0' (luci#7114) and fail for fall (luci#7965) with their UCI lines", () => {
    const report = run("openwrt/keepalived").report;
    expect(report).toMatch(/keepalived:43: vrrp_instance 'LAN': option nopreempt '0'\n {6}\[converted differently; luci#7114\]/);
    expect(report).toMatch(/keepalived:29: vrrp_script 'chk_uplink': option fail '3'\n {6}\[converted differently; luci#7965\]/);
    expect(report).toMatch(/\(OpenWrt UCI\)/);
  });

  it("follows the init script: references by name, flags, notify hooks, unused sections and options", () => {
    const uci = `config globals 'globals'
	option alt_config_file ''
config ipaddress
	option name 'vip1'
	option address '198.18.0.1/24'
config ipaddress
	option name 'unused'
	option address '198.18.0.7'
config peer
	option name 'b'
	option address '198.18.0.3'
	option sync '1'
config vrrp_instance
	option name 'LAN'
	option interface 'br-lan'
	option virtual_router_id '51'
	option accept 'no'
	option colour 'blue'
	list virtual_ipaddress 'vip1'
	list virtual_ipaddress '198.18.0.9'
	list unicast_peer 'b'
	list unicast_peer '198.18.0.4'
config vrrp_instance
	option interface 'br-lan'
config mystery
`;
    const g = generateFromUci(uci, "/etc/config/keepalived");
    expect(g.text).toMatch(/\taccept\n/);
    expect(g.text).toMatch(/\t\t198\.18\.0\.1\/24\n\t\t198\.18\.0\.9\n/);
    expect(g.text).toMatch(/unicast_peer \{\n\t\t198\.18\.0\.3\n\t\}/);
    expect(g.text).toMatch(/notify_master "\/bin\/busybox env -i ACTION=NOTIFY_MASTER TYPE=INSTANCE NAME=LAN \/sbin\/hotplug-call keepalived"/);
    const notes = g.entries.map((e) => `${e.at?.line} ${e.pitfall ?? "-"} ${e.subject}`);
    expect(notes).toEqual([
      "17 luci#7114 vrrp_instance 'LAN': option accept 'no'",
      "20 UCI reference, not an address vrrp_instance 'LAN': list virtual_ipaddress '198.18.0.9'",
      "22 UCI reference, not an address vrrp_instance 'LAN': list unicast_peer '198.18.0.4'",
      "6 - ipaddress 'unused'",
      "12 - peer 'b': option sync",
      "18 - vrrp_instance 'LAN': option colour",
      "23 - @vrrp_instance[1]",
      "25 - config mystery",
    ]);
  });

  it("imports alt_config_file instead, as keepalived reads it", () => {
    const fs = memoryFs({
      "/etc/config/keepalived": "config globals 'globals'\n\toption alt_config_file '/etc/keepalived/keepalived.conf'\n",
      "/etc/keepalived/keepalived.conf": "vrrp_instance A {\ninterface br-lan\nvirtual_router_id 9\nvirtual_ipaddress {\n198.18.0.1\n}\n}\n",
    });
    const r = importKeepalived("/etc/config/keepalived", fs, { configId: null, outputName: "x" });
    expect(r.config).toMatch(/option vrid '9'/);
    expect(r.files).toEqual(["/etc/config/keepalived", "/etc/keepalived/keepalived.conf"]);
    expect(r.report).toMatch(/alt_config_file/);
  });
});

/** Every line must lead to an entry of its own, except blocks that only hold lines. */
const CONTAINERS = [
  "global_defs", "authentication", "virtual_ipaddress", "virtual_ipaddress_excluded", "unicast_peer", "track_script", "track_interface", "track_file",
  "notification_email", "group", "virtual_routes", "virtual_rules",
];

function unreported(nodes: readonly ConfNode[], entries: readonly Entry[]): string[] {
  const missing: string[] = [];
  for (const n of nodes) {
    const has = entries.some((e) => e.at?.file === n.at.file && e.at.line === n.at.line && e.subject.includes(n.keyword));
    if (!has && !(n.block !== null && CONTAINERS.includes(n.keyword))) missing.push(`${n.at.file}:${n.at.line} ${n.text}`);
    missing.push(...unreported(n.block ?? [], entries));
  }
  return missing;
}

describe("nothing is dropped silently", () => {
  const cases: [string, () => { nodes: readonly ConfNode[]; entries: readonly Entry[] }][] = [
    ...["nginx/a.conf", "nginx/b.conf", "routers/keepalived.conf", "openwrt/keepalived.conf"].map(
      (f): [string, () => { nodes: readonly ConfNode[]; entries: readonly Entry[] }] => [
        f,
        () => {
          const tree = buildTree(readConfFile(join(DIR, f), diskFs, { configId: "gw_a" }).lines);
          return { nodes: tree.nodes, entries: convertTree(tree.nodes).entries };
        },
      ],
    ),
    [
      "openwrt/keepalived",
      () => {
        const file = join(DIR, "openwrt/keepalived");
        const g = generateFromUci(diskFs.readText(file) ?? "", file);
        const tree = buildTree(readConfText(file, g.text, (n) => g.origins[n - 1] ?? { file, line: 0 }, diskFs).lines);
        return { nodes: tree.nodes, entries: convertTree(tree.nodes).entries };
      },
    ],
  ];
  it.each(cases)("%s: every line has a report entry", (_name, make) => {
    const { nodes, entries } = make();
    expect(nodes.length).toBeGreaterThan(0);
    expect(unreported(nodes, entries)).toEqual([]);
  });
});

describe("the command's pure part", () => {
  it("writes nothing when there are errors, and says why", () => {
    const fs = memoryFs({ "/k.conf": "vrrp_instance X {\ninterface br-lan\n}\n" });
    const r = importKeepalived("/k.conf", fs, { configId: null, outputName: "x" });
    expect(r.config).toBeNull();
    expect(r.report).toMatch(/Errors \(keepalived rejects these too/);
    expect(importKeepalived("/none.conf", fs, { configId: null, outputName: "x" }).config).toBeNull();
    expect(importKeepalived("/k.conf", memoryFs({ "/k.conf": "global_defs {\n}\n" }), { configId: null, outputName: "x" }).report).toMatch(/has no vrrp_instance/);
  });
});

describe("renderUci", () => {
  it("writes what the UCI reader reads back, quotes included", () => {
    const text = renderUci(["head"], [
      { type: "vip", name: "a", comments: ["c"], options: [{ name: "x", values: ["it's"], list: false }, { name: "l", values: ["1", "2 3"], list: true }] },
    ]);
    const parsed = parseUci(text);
    expect(parsed.ok && parsed.package.sections.map((s) => [s.type, s.name, s.options.map((o) => [o.name, o.isList, o.values])])).toEqual([
      ["vip", "a", [["x", false, ["it's"]], ["l", true, ["1", "2 3"]]]],
    ]);
  });
});
