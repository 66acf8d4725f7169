// keepalived keywords -> floatgw options, settled as keepalived 2.2.7 settles
// an instance (vrrp_complete_instance), with an entry for every line.

import { describe, expect, it } from "vitest";
import { readConfFile } from "../../src/import/conf-read";
import { buildTree } from "../../src/import/conf-tree";
import { convertTree } from "../../src/import/convert";
import type { Entry } from "../../src/import/entry";
import { loadConfig } from "../../src/config/load";
import { splitCommand } from "../../src/track/command";
import { renderUci } from "../../src/config/uci-write";
import { memoryFs } from "./import-helpers";

function convert(conf: string) {
  const read = readConfFile("/k.conf", memoryFs({ "/k.conf": conf }), { configId: null });
  const tree = buildTree(read.lines);
  const c = convertTree(tree.nodes);
  const options = (name: string): Record<string, string | string[]> | undefined => {
    const s = name === "global" ? { options: c.global } : c.sections.find((x) => x.name === name);
    if (s === undefined) return undefined;
    return Object.fromEntries(s.options.map((o) => [o.name, o.list ? [...o.values] : (o.values[0] ?? "")]));
  };
  const at = (line: number): Entry[] => c.entries.filter((e) => e.at?.line === line);
  /** floatgw check's errors and warnings for the result. */
  const problems = (): string[] => {
    const global = { type: "floatgw", name: "global", comments: [], options: [{ name: "enabled", values: ["1"], list: false }, ...c.global] };
    const r = loadConfig(renderUci([], [global, ...c.sections]));
    return [...r.errors, ...r.warnings].map((p) => p.message);
  };
  return { options, entries: c.entries, at, sections: c.sections, global: c.global, problems };
}

/** An instance with the usual lines plus `extra` (one keyword per line, starting at line 6). */
function instance(extra: string, vips = "198.18.0.1/24", globals = ""): string {
  return `global_defs {\n${globals}\n}\nvrrp_instance VI_1 {\ninterface br-lan\n${extra}\nvirtual_router_id 51\nvirtual_ipaddress {\n${vips}\n}\n}\n`;
}

describe("vrrp_instance basics", () => {
  it("writes device, vrid, version (keepalived's default 2), priority and addresses", () => {
    const c = convert(instance("priority 150\nadvert_int 1", "198.18.0.1/24\n198.18.0.9"));
    expect(c.options("VI_1")).toEqual({
      device: "br-lan",
      vrid: "51",
      version: "2",
      priority: "150",
      advert_int: "1",
      address: ["198.18.0.1/24", "198.18.0.9/32"],
    });
    expect(c.entries.filter((e) => e.status !== "mapped")).toEqual([]);
  });

  it("takes the version from global_defs, or 3 for IPv6, and says when VRRPv2 would carry IPv6", () => {
    expect(convert(instance("", "198.18.0.1", "vrrp_version 3")).options("VI_1")?.version).toBe("3");
    expect(convert(instance("", "2001:db8::1/64")).options("VI_1")?.version).toBe("3");
    const c = convert(instance("version 2", "2001:db8::1/64"));
    expect(c.options("VI_1")?.version).toBe("3");
    expect(c.at(6)[0]?.status).toBe("different");
  });

  it("rounds advert_int as keepalived does for each version", () => {
    expect(convert(instance("advert_int 1.5")).options("VI_1")?.advert_int).toBe("2");
    expect(convert(instance("advert_int 0.2")).options("VI_1")?.advert_int).toBe("1");
    expect(convert(instance("version 3\nadvert_int 0.015")).options("VI_1")?.advert_int).toBe("0.02");
    expect(convert(instance("version 3\nadvert_int 50")).options("VI_1")?.advert_int).toBe("40.95");
    expect(convert(instance("advert_int 1.5")).at(6)[0]?.note).toMatch(/rounds it to 2 s/);
  });

  it("names sections after the instance, made UCI-safe and unique", () => {
    const c = convert(
      ["lan-vip", "lan_vip", "global"].map((n, i) => `vrrp_instance ${n} {\ninterface br-lan\nvirtual_router_id ${i + 1}\nvirtual_ipaddress {\n198.18.0.${i + 1}\n}\n}\n`).join(""),
    );
    expect(c.sections.map((s) => s.name)).toEqual(["lan_vip", "lan_vip_2", "global_2"]);
  });
});

describe("state, priority and preemption", () => {
  it("gives state MASTER without a priority the owner's 255, as keepalived does, and flags it", () => {
    const c = convert(instance("state MASTER"));
    expect(c.options("VI_1")?.priority).toBe("255");
    expect(c.at(6)[0]?.pitfall).toBe("state MASTER without priority");
  });

  it("keeps preemption for state MASTER with nopreempt (keepalived clears it) and calls out the trap", () => {
    const c = convert(instance("state MASTER\npriority 150\nnopreempt\npreempt_delay 30"));
    expect(c.options("VI_1")?.preempt).toBe("1");
    expect(c.options("VI_1")?.preempt_delay).toBeUndefined();
    expect(c.at(8)[0]).toMatchObject({ status: "different", pitfall: "state MASTER with nopreempt" });
    expect(c.at(9)[0]?.note).toMatch(/state MASTER/);
  });

  it("maps nopreempt for a backup, and drops preempt_delay with it as keepalived does", () => {
    const c = convert(instance("state BACKUP\npriority 100\nnopreempt\npreempt_delay 30"));
    expect(c.options("VI_1")?.preempt).toBe("0");
    expect(c.options("VI_1")?.preempt_delay).toBeUndefined();
    expect(c.options("VI_1")?.priority).toBe("100");
    expect(convert(instance("preempt_delay 2.5")).options("VI_1")?.preempt_delay).toBe("2.5");
  });

  it("ignores nopreempt at priority 255, and lets the last of preempt/nopreempt win", () => {
    expect(convert(instance("priority 255\nnopreempt")).options("VI_1")?.preempt).toBe("1");
    const c = convert(instance("nopreempt\npreempt"));
    expect(c.options("VI_1")?.preempt).toBe("1");
    expect(c.at(6)[0]?.note).toMatch(/set again on line 7/);
  });
});

describe("authentication", () => {
  const auth = (type: string, pass: string, extra = ""): string => `${extra}\nauthentication {\nauth_type ${type}\nauth_pass ${pass}\n}`;

  it("writes PASS as auth_pass, cut to keepalived's 8 characters, and hides it in the report", () => {
    expect(convert(instance(auth("PASS", "s3cr3t"))).options("VI_1")?.auth_pass).toBe("s3cr3t");
    const c = convert(instance(auth("PASS", "0123456789")));
    expect(c.options("VI_1")?.auth_pass).toBe("01234567");
    expect(c.entries.some((e) => e.subject.includes("0123"))).toBe(false);
  });

  it("drops authentication where keepalived ignores it (VRRPv3, strict mode) and refuses AH", () => {
    expect(convert(instance(auth("PASS", "x", "version 3"))).options("VI_1")?.auth_pass).toBeUndefined();
    expect(convert(instance(auth("PASS", "x"), "198.18.0.1", "vrrp_strict")).options("VI_1")?.auth_pass).toBeUndefined();
    const ah = convert(instance(auth("AH", "x")));
    expect(ah.options("VI_1")?.auth_pass).toBeUndefined();
    expect(ah.entries.filter((e) => e.status === "unsupported").length).toBe(2);
  });
});

describe("addresses", () => {
  it("carries a same-family excluded address, not another family's, and leaves out what keepalived ignores", () => {
    const c = convert(
      `vrrp_instance X {\ninterface br-lan\nvirtual_router_id 1\nvirtual_ipaddress {\n198.18.0.1/24\n2001:db8::1\n198.18.0.1/24\n}\nvirtual_ipaddress_excluded {\n198.18.0.5\n2001:db8::5\n}\n}\n`,
    );
    expect(c.options("X")?.address).toEqual(["198.18.0.1/24", "198.18.0.5/32"]);
    expect(c.at(6)[0]?.status).toBe("different");
    expect(c.at(7)[0]?.note).toMatch(/written once/);
    expect(c.at(10)[0]?.status).toBe("different");
    expect(c.at(11)[0]?.status).toBe("unsupported");
  });

  it("refuses an address on another device and notes options it does not carry", () => {
    const c = convert(instance("", "198.18.0.1/24 dev br-lan label br-lan:vip scope global\n198.18.0.2 dev eth1"));
    expect(c.options("VI_1")?.address).toEqual(["198.18.0.1/24"]);
    expect(c.at(9)[0]).toMatchObject({ status: "different", target: "vip 'VI_1' address '198.18.0.1/24'" });
    expect(c.at(9)[0]?.note).toMatch(/label/);
    expect(c.at(10)[0]?.status).toBe("unsupported");
  });
});

describe("unicast", () => {
  it("writes peers and the source address, mcast_src_ip standing in for unicast_src_ip", () => {
    const peers = "unicast_peer {\n198.18.0.3 min_ttl 1\n198.18.0.4\n2001:db8::4\n}";
    expect(convert(instance(`unicast_src_ip 198.18.0.2\n${peers}`)).options("VI_1")).toMatchObject({ unicast_src: "198.18.0.2", unicast_peer: ["198.18.0.3", "198.18.0.4"] });
    const c = convert(instance(`mcast_src_ip 198.18.0.2\n${peers}`));
    expect(c.options("VI_1")?.unicast_src).toBe("198.18.0.2");
    expect(c.at(6)[0]?.status).toBe("different");
    expect(c.at(8)[0]?.note).toMatch(/min_ttl/);
    expect(convert(instance("mcast_src_ip 198.18.0.2")).at(6)[0]?.status).toBe("unsupported");
  });
});

describe("gratuitous ARP settings", () => {
  it("uses global_defs defaults where the instance sets nothing, and keepalived's own fix-ups", () => {
    const globals = "vrrp_garp_master_delay 2\nvrrp_garp_master_repeat 3\nvrrp_garp_interval 0.01\nvrrp_startup_delay 5.5";
    expect(convert(instance("garp_master_repeat 0", "198.18.0.1", globals)).options("VI_1")).toMatchObject({
      garp_count: "1",
      garp_repeat_delay: "2",
      garp_spacing: "10",
      start_delay: "5.5",
    });
    expect(convert(instance("garp_master_repeat 500\ngarp_master_refresh 60\ngarp_master_refresh_repeat 2")).options("VI_1")).toMatchObject({
      garp_count: "100",
      garp_refresh: "60",
      garp_refresh_count: "2",
    });
    expect(convert(instance("", "198.18.0.1", "vrrp_min_garp")).options("VI_1")).toMatchObject({ garp_count: "1", garp_repeat_delay: "0" });
  });

  it("maps v3_checksum_as_v2 to the pseudo-header switch", () => {
    expect(convert(instance("version 3\nv3_checksum_as_v2")).options("VI_1")?.v3_checksum_pseudo_header).toBe("0");
  });
});

describe("what is not converted", () => {
  it("stops with an error for an instance keepalived refuses: no interface, no vrid, no address", () => {
    for (const conf of [
      "vrrp_instance X {\nvirtual_router_id 1\nvirtual_ipaddress {\n198.18.0.1\n}\n}\n",
      "vrrp_instance X {\ninterface br-lan\nvirtual_ipaddress {\n198.18.0.1\n}\n}\n",
      "vrrp_instance X {\ninterface br-lan\nvirtual_router_id 1\n}\n",
    ]) {
      const c = convert(conf);
      expect(c.sections).toEqual([]);
      expect(c.entries.some((e) => e.status === "error" && e.at?.line === 1)).toBe(true);
    }
    expect(convert(instance("priority 300")).at(6)[0]?.status).toBe("error");
  });

  it("reports unknown keywords", () => {
    expect(convert(instance("foo_bar 1")).at(6)[0]?.note).toMatch(/not a keyword the importer knows/);
  });

  it("maps OpenWrt's hotplug notify to floatgw's hotplug", () => {
    const c = convert(instance('notify_master "/bin/busybox env -i ACTION=NOTIFY_MASTER TYPE=INSTANCE NAME=VI_1 /sbin/hotplug-call keepalived"'));
    expect(c.at(6)[0]).toMatchObject({ status: "different", target: "the global option hotplug '1' (the default)" });
  });

  it("turns the checks of a single real server behind a VIP into trackers of that vip, and reports the rest", () => {
    const c = convert(
      `${instance("")}virtual_server 198.18.0.1 80 {\ndelay_loop 10\nlb_algo rr\nreal_server 198.18.0.10 8080 {\nweight 1\nHTTP_GET {\nurl {\npath /health\n` +
        `digest 0123456789abcdef0123456789abcdef\nstatus_code 200\n}\nconnect_timeout 3\nretry 2\n}\nTCP_CHECK {\nconnect_port 8443\n}\n}\n}\n` +
        `virtual_server 198.18.0.1 443 {\nreal_server 198.18.0.11 443 {\nTCP_CHECK {\n}\n}\nreal_server 198.18.0.12 443 {\nTCP_CHECK {\n}\n}\n}\n` +
        `virtual_server 10.0.0.1 80 {\nreal_server 10.0.0.2 80 {\nTCP_CHECK {\n}\n}\n}\n`,
    );
    expect(c.at(12)[0]?.note).toMatch(/IPVS/);
    expect(c.at(14)[0]?.status).toBe("unsupported");
    expect(c.at(17)[0]).toMatchObject({ status: "different", target: "tracker 'check_198_18_0_1_8080' (type http), tracked by vip 'VI_1'" });
    expect(c.options("check_198_18_0_1_8080")).toEqual({
      type: "http", host: "198.18.0.10", port: "8080", path: "/health", digest: "0123456789abcdef0123456789abcdef", status_code: ["200"],
      interval: "10", timeout: "3", fall: "3", retry_interval: "1",
    });
    expect(c.options("check_198_18_0_1_8080_2")).toEqual({ type: "tcp", host: "198.18.0.10", port: "8443", interval: "10", timeout: "5", fall: "2", retry_interval: "1" });
    expect(c.options("VI_1")?.track).toEqual(["check_198_18_0_1_8080", "check_198_18_0_1_8080_2"]);
    expect(c.at(33)[0]).toMatchObject({ status: "unsupported" });
    expect(c.at(33)[0]?.note).toMatch(/several real servers/);
    expect(c.at(43)[0]?.note).toMatch(/no address of a converted instance/);
    expect(c.problems()).toEqual([]);
  });
});

describe("tracking", () => {
  const vip = (name: string, n: number, extra: string): string =>
    `vrrp_instance ${name} {\ninterface br-lan\nvirtual_router_id ${n}\nvirtual_ipaddress {\n198.18.0.${n}\n}\n${extra}\n}\n`;

  it("writes a script tracker once for the instances that track it, with their own weights", () => {
    const c = convert(
      `vrrp_script chk {\nscript "/usr/bin/test -e '/run/a b'" nobody nogroup\ninterval 0\ntimeout 1\nweight -10 reverse\nrise 2\nfall 200\ninit_fail\n}\n` +
        `vrrp_script unused {\nscript /bin/true\n}\n` +
        vip("A", 1, "track_script {\nchk\n}") +
        vip("B", 2, "track_script {\nchk weight 5 noreverse\nmissing\n}"),
    );
    expect(c.options("chk")).toEqual({
      type: "script", script: "/usr/bin/test -e '/run/a b'", user: "nobody:nogroup", interval: "1", timeout: "1",
      weight: "-10", reverse: "1", rise: "2", fall: "100", init_fail: "1",
    });
    expect(c.sections.filter((s) => s.type === "tracker").map((s) => s.name)).toEqual(["chk"]);
    expect(c.options("A")?.track).toEqual(["chk"]);
    expect(c.options("B")?.track).toEqual(["chk weight 5 noreverse"]);
    expect(c.at(10)[0]?.note).toMatch(/did not run it either/);
    expect(c.entries.find((e) => e.subject.endsWith("> missing"))?.note).toMatch(/names no vrrp_script/);
    expect(c.problems()).toEqual([]);
  });

  it("quotes a script's words so that floatgw's tracker runs the argv keepalived would", () => {
    const c = convert(`vrrp_script q {\nscript "/bin/echo 'a b' \\"x y\\" c\\\\d $HOME \\x41 'q\\"t' 'it'\\''s'"\n}\n${vip("A", 1, "track_script {\nq\n}")}`);
    const script = c.options("q")?.script;
    expect(typeof script === "string" && splitCommand(script)).toEqual({ ok: true, value: ["/bin/echo", "a b", '"x', 'y"', "c\\d", "$HOME", "A", 'q"t', "it's"] });
    expect(c.problems()).toEqual([]);
    const bad = convert(`vrrp_script q {\nscript "/bin/echo it's"\n}\n`);
    expect(bad.at(2)[0]).toMatchObject({ status: "error", note: "the command has no closing '" });
  });

  const SYNC = (extra: string): string =>
    `vrrp_sync_group G {\ngroup {\nA\nB\n}\ntrack_script {\nchk_g\n}\n${extra}\n}\n` +
    `vrrp_script chk_g {\nscript /bin/true\nweight 10\n}\nvrrp_script chk_w {\nscript /bin/true\nweight 10\n}\n` +
    vip("A", 1, "track_interface {\neth1 weight -20\n}\ntrack_script {\nchk_w\n}") +
    vip("B", 2, "") +
    vip("C", 3, "priority 255\ntrack_interface {\neth1 weight -20\neth2\n}");

  it("tracks interfaces as link trackers and drops weights where keepalived does: sync groups, the owner", () => {
    const c = convert(SYNC(""));
    expect(c.options("A")?.track).toEqual(["link_eth1 weight 0"]);
    expect(c.options("B")?.track).toBeUndefined();
    expect(c.options("C")?.track).toEqual(["link_eth2"]);
    expect(c.options("G")).toEqual({ vip: ["A", "B"], track: ["chk_g weight 0"] });
    expect(c.entries.find((e) => e.subject === "vrrp_sync_group G > track_script > chk_g")?.note).toMatch(/every member of the group in FAULT/);
    expect(c.options("link_eth1")).toEqual({ type: "link", device: "eth1" });
    expect(c.entries.find((e) => e.subject.endsWith("track_script > chk_w"))?.note).toMatch(/drops a weighted tracker in a sync group/);
    expect(c.entries.find((e) => e.subject === "vrrp_instance C > track_interface > eth1 weight -20")?.note).toMatch(/on the address owner/);
    expect(c.problems()).toEqual([]);
  });

  it("keeps the weights with sync_group_tracking_weight", () => {
    const c = convert(SYNC("sync_group_tracking_weight"));
    expect(c.options("A")?.track).toEqual(["link_eth1 weight -20", "chk_w"]);
    expect(c.options("G")).toEqual({ vip: ["A", "B"], track: ["chk_g weight 0"], tracking_weight: "1" });
    expect(c.problems()).toEqual([]);
  });

  it("writes track files as file trackers", () => {
    const c = convert(`vrrp_track_file tf {\nfile /run/prio\nweight -2 reverse\ninit_file 5 overwrite\n}\n${vip("A", 1, "track_file {\ntf weight 3\n}")}`);
    expect(c.options("tf")).toEqual({ type: "file", file: "/run/prio", weight: "-2", reverse: "1", init_value: "5", init_overwrite: "1" });
    expect(c.options("A")?.track).toEqual(["tf weight 3"]);
    expect(c.problems()).toEqual([]);
  });
});

describe("sync groups", () => {
  const vip = (name: string, n: number, extra = ""): string =>
    `vrrp_instance ${name} {\ninterface eth${n}\nvirtual_router_id ${n}\nvirtual_ipaddress {\n198.18.${n}.1/24\n}\n${extra}\n}\n`;

  it("lists the converted members, and leaves out names keepalived ignores", () => {
    const c = convert(
      `vrrp_sync_group G {\ngroup {\nLAN\nWAN\nNONE\n}\nglobal_tracking\n}\nvrrp_sync_group H {\ngroup {\nWAN\nOTHER\n}\n}\n` + vip("LAN", 1) + vip("WAN", 2) + vip("OTHER", 3),
    );
    expect(c.options("G")).toEqual({ vip: ["LAN", "WAN"], tracking_weight: "1" });
    expect(c.options("H")).toEqual({ vip: ["OTHER"] });
    expect(c.at(5)[0]).toMatchObject({ status: "different", note: expect.stringMatching(/names no converted vrrp_instance/) });
    expect(c.at(7)[0]).toMatchObject({ status: "different", note: expect.stringMatching(/old name/) });
    expect(c.at(11)[0]).toMatchObject({ status: "different", note: expect.stringMatching(/already in sync group G/) });
    expect(c.at(9)[0]?.note).toMatch(/one member/);
    expect(c.problems()).toEqual(["sync_group 'H': has only one member, which it does not change (keepalived warns likewise)"]);
  });

  it("writes no group none of whose members was converted, and says so for its lines", () => {
    const c = convert(`vrrp_sync_group G {\ngroup {\nX\n}\ntrack_interface {\neth9\n}\nnotify /bin/n\nsmtp_alert\n}\n${vip("A", 1)}`);
    expect(c.sections.some((x) => x.type === "sync_group")).toBe(false);
    expect(c.at(1)[0]?.note).toMatch(/none of its members was converted/);
    for (const line of [6, 8, 9]) expect(c.at(line)[0]?.note).toMatch(/no member of the sync group was converted/);
  });
});

describe("notify scripts and mail", () => {
  it("writes an instance's and a group's scripts as floatgw quotes them, and says what of them differs", () => {
    const c = convert(
      `vrrp_sync_group G {\ngroup {\nVI_1 VI_2\n}\nnotify_master "/etc/ka/group.sh 'to master'"\nnotify /etc/ka/any.sh\nnotify_stop /etc/ka/stop.sh\nsmtp_alert\n}\n` +
        instance('notify_backup "/etc/ka/backup.sh x" nobody\nnotify_fault /etc/ka/fault.sh\nnotify_fault /etc/ka/fault2.sh\nnotify_deleted /etc/ka/gone.sh\nnotify_master_rx_lower_pri /x', "198.18.0.1/24", "smtp_server 198.18.0.25\nnotification_email {\nnoc@example.org\n}") +
        "vrrp_instance VI_2 {\ninterface eth1\nvirtual_router_id 2\nvirtual_ipaddress {\n198.19.0.1\n}\n}\n",
    );
    expect(c.options("G")).toEqual({ vip: ["VI_1", "VI_2"], notify_master: "/etc/ka/group.sh 'to master'", notify: "/etc/ka/any.sh", notify_stop: "/etc/ka/stop.sh", smtp_alert: "1" });
    expect(c.options("VI_1")).toMatchObject({ notify_backup: "/etc/ka/backup.sh x", notify_fault: "/etc/ka/fault2.sh" });
    expect(c.options("VI_1")?.smtp_alert).toBeUndefined();
    const line = (n: number): Entry | undefined => c.at(n + 12)[0];
    expect(line(6)).toMatchObject({ status: "different", note: expect.stringMatching(/as the global script_user .*not as nobody/) });
    expect(line(7)).toMatchObject({ status: "different", note: expect.stringMatching(/set again on line 20/) });
    expect(line(8)).toMatchObject({ status: "mapped", target: "vip 'VI_1' notify_fault '/etc/ka/fault2.sh'" });
    expect(line(9)?.status).toBe("unsupported");
    expect(line(10)?.status).toBe("unsupported");
    expect(c.problems()).toEqual([]);
  });

  it("writes global_defs' mail settings, router_id and script_user to the global section", () => {
    const c = convert(
      instance(
        "smtp_alert off",
        "198.18.0.1/24",
        "router_id gw-a\nnotification_email {\nnoc@example.org\nops@example.org\nnot an address\n}\nnotification_email_from \"Gateways <gw@example.org>\"\n" +
          "smtp_server 198.18.0.25 2525\nsmtp_helo_name gw-a.example.org\nsmtp_connect_timeout 20\nscript_user nobody nogroup\nsmtp_alert\nno_email_faults",
      ) + "vrrp_instance B {\ninterface eth1\nvirtual_router_id 2\nvirtual_ipaddress {\n198.19.0.1\n}\n}\n",
    );
    expect(c.options("global")).toEqual({
      router_id: "gw-a",
      notification_email: ["noc@example.org", "ops@example.org"],
      notification_email_from: "gw@example.org",
      smtp_server: "198.18.0.25",
      smtp_port: "2525",
      smtp_helo_name: "gw-a.example.org",
      smtp_connect_timeout: "20",
      script_user: "nobody:nogroup",
    });
    expect(c.at(6)[0]?.status).toBe("unsupported");
    expect(c.at(8)[0]).toMatchObject({ status: "different", note: "written as 'gw@example.org'" });
    expect(c.at(14)[0]?.status).toBe("unsupported");
    expect(c.options("VI_1")?.smtp_alert).toBeUndefined();
    expect(c.options("B")?.smtp_alert).toBe("1");
    expect(c.problems()).toEqual([]);
  });

  it("takes the mail server by address only, smtp_alert_vrrp before smtp_alert, and the last of a repeated setting", () => {
    const c = convert(instance("", "198.18.0.1/24", "smtp_server mail.example.org\nsmtp_alert\nsmtp_alert_vrrp off\nrouter_id a\nrouter_id b"));
    expect(c.at(2)[0]).toMatchObject({ status: "unsupported", note: expect.stringMatching(/by address/) });
    expect(c.options("global")).toEqual({ router_id: "b" });
    expect(c.global.filter((o) => o.name === "router_id")).toHaveLength(1);
    expect(c.options("VI_1")?.smtp_alert).toBeUndefined();
  });
});

describe("virtual routes and rules", () => {
  it("writes a route section per line, following the vip, and refuses what floatgw's routes cannot say", () => {
    const c = convert(
      instance(
        "virtual_routes {\nsrc 198.18.0.1 to 0.0.0.0/0 via 198.18.0.254 dev br-lan table 100 metric 5 scope universe onlink\nblackhole 10.1.0.0/16\n" +
          "10.2.0.0/16 via 198.18.0.254 or 198.18.0.253\n10.4.0.0/16 via 198.18.0.254 table isp\n10.5.0.0/16 via 198.18.0.254 mtu 1400 no_track\n10.6.0.0/16\nunreachable 10.7.0.9\n}",
      ),
    );
    const routes = c.sections.filter((x) => x.type === "route").map((x) => x.name);
    expect(routes).toEqual(["VI_1_route", "VI_1_route_2", "VI_1_route_3", "VI_1_route_4"]);
    expect(c.options("VI_1_route")).toEqual({
      vip: "VI_1", target: "0.0.0.0/0", gateway: "198.18.0.254", device: "br-lan", table: "100", metric: "5", source: "198.18.0.1", scope: "global", onlink: "1",
    });
    expect(c.options("VI_1_route_2")).toEqual({ vip: "VI_1", target: "10.1.0.0/16", type: "blackhole" });
    expect(c.at(7)[0]).toMatchObject({ status: "mapped", target: "config route 'VI_1_route'" });
    expect(c.at(9)[0]).toMatchObject({ status: "unsupported", note: "or: floatgw's routes have one gateway" });
    expect(c.at(10)[0]?.note).toMatch(/rt_tables/);
    expect(c.at(11)[0]).toMatchObject({ status: "different", target: "config route 'VI_1_route_3'" });
    expect(c.at(11)[0]?.note).toMatch(/^mtu 1400: not carried over; no_track: /);
    expect(c.at(12)[0]?.note).toMatch(/neither via nor dev/);
    expect(c.options("VI_1_route_4")).toEqual({ vip: "VI_1", target: "10.7.0.9/32", type: "unreachable" });
    expect(c.problems()).toEqual([]);
  });

  it("does not convert a line keepalived skips: a network the kernel refuses, a value missing", () => {
    const c = convert(instance("virtual_routes {\n10.3.0.1/16 via 198.18.0.254\n10.4.0.0/16 via\n}"));
    expect(c.at(7)[0]).toMatchObject({ status: "unsupported", note: "'10.3.0.1/16' has bits set beyond /16" });
    expect(c.at(8)[0]).toMatchObject({ status: "unsupported", note: "'via' needs a value" });
    expect(c.sections.some((x) => x.type === "route")).toBe(false);
  });

  it("writes a rule section per line, with keepalived's words for OpenWrt's options", () => {
    const c = convert(
      instance(
        "virtual_rules {\nfrom 198.18.0.0/24 table 100 priority 1000\nnot from all to 10.0.0.0/8 fwmark 0x10/0xff iif br-lan oif eth1 tos 16 lookup 200 pref 7\n" +
          "to 10.9.0.0/16 blackhole\nfrom all sport 80 table 1\nfrom all\n}",
      ),
    );
    expect(c.options("VI_1_rule")).toEqual({ vip: "VI_1", src: "198.18.0.0/24", lookup: "100", priority: "1000" });
    expect(c.options("VI_1_rule_2")).toEqual({ vip: "VI_1", dest: "10.0.0.0/8", in: "br-lan", out: "eth1", mark: "0x10/0xff", tos: "16", lookup: "200", priority: "7", invert: "1" });
    expect(c.options("VI_1_rule_3")).toEqual({ vip: "VI_1", dest: "10.9.0.0/16", action: "blackhole" });
    expect(c.at(10)[0]).toMatchObject({ status: "unsupported", note: "sport: floatgw's rules have no such match or action" });
    expect(c.at(11)[0]?.note).toMatch(/neither a table nor blackhole/);
    expect(c.problems()).toEqual([]);
  });
});
