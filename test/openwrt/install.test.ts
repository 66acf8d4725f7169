// Offline installs of the packages into copies of the real OpenWrt 22.03
// userland (test/openwrt/tree.ts), by that userland's own opkg and by
// apk-tools 3 (OpenWrt 25.12's), as a user would install them: the
// package scripts run there, under its busybox, with its /lib/functions.sh,
// uci and rc.common.
//
// What really happens chrooted: opkg runs the postinst without
// IPKG_INSTROOT (no offline root), so default_postinst acts as on a running
// router: it runs the package's uci-defaults, `uci commit`, enables the
// init script and starts it, which asks procd over ubus, absent here
// ("Failed to connect to ubus"); with the shipped enabled '0' the script
// starts nothing anyway. apk runs its scripts chrooted too, with a clean
// environment, but 22.03's default_postinst/default_prerm predate apk (they
// find the package by the opkg script's own name, which apk's scripts do
// not pass), so under apk they run and do nothing here.
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { must } from "../netns/lab";
import { APK, PKG_VERSION, VERSION, apkPath, ipkPath } from "./built";
import { type Tree, hook, rootfsMissing, useTrees } from "./tree";

const tree = useTrees();

describe.skipIf(rootfsMissing)("opkg install and remove on OpenWrt 22.03", () => {
  it("installs the files, runs the uci-defaults, enables the service, and the floatgw command works", () => {
    const t = tree();
    const dhcp = t.read("etc/config/dhcp");
    const r = t.sh(`opkg install ${t.put(ipkPath("x86_64"))}`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Installing floatgw (${PKG_VERSION}) to root...`);
    expect(r.stdout).toContain("Configuring floatgw.");
    // default_postinst's `/etc/init.d/floatgw start`, without procd.
    expect(r.stderr).toContain("Failed to connect to ubus");

    expect(t.must("opkg status floatgw")).toMatch(new RegExp(
      `Package: floatgw\\nVersion: ${PKG_VERSION}\\nDepends: libc\\nStatus: install user installed\\nArchitecture: x86_64\\n` +
      "Conffiles:\\n /etc/config/floatgw [0-9a-f]{64}\\n"));
    expect(t.must("floatgw --version")).toMatch(new RegExp(`^floatgwd ${VERSION} `));
    expect(t.must("readlink /usr/sbin/floatgw")).toBe("floatgwd\n");
    // A bare `floatgw` is the CLI asking what to do, never a second daemon.
    const bare = t.sh("floatgw", 10_000);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain("usage: floatgw COMMAND");
    expect(t.must("ls /etc/rc.d/").split("\n")).toEqual(expect.arrayContaining(["K01floatgw", "S70floatgw"]));
    // The uci-defaults ran (exit 0: deleted) and added the two rules.
    expect(t.exists("etc/uci-defaults/80-floatgw-firewall")).toBe(false);
    expect(t.must("uci get firewall.floatgw_vrrp.proto; uci get firewall.floatgw_leases.dest_port")).toBe("112\n7429\n");
    expect(t.read("etc/config/dhcp")).toBe(dhcp);
  });

  it("opkg remove stops the service and gives /etc/config/dhcp back byte for byte", () => {
    const t = tree();
    const dhcp = t.read("etc/config/dhcp")!;
    t.must(`opkg install ${t.put(ipkPath("x86_64"))}`);
    // floatgwd was master: the hook changed the dhcp config (uci rewrote it).
    t.must(hook("master"));
    expect(t.must("uci get dhcp.lan.force; uci get dhcp.lan.dhcp_option")).toBe("1\n3,198.18.0.1 6,198.18.0.1\n");
    expect(t.read("etc/config/dhcp")).not.toBe(dhcp);

    const r = t.sh("opkg remove floatgw");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Removing package floatgw from root...");
    expect(t.read("etc/config/dhcp")).toBe(dhcp);
    expect(t.exists("etc/config/.floatgw-dhcp-original")).toBe(false);
    for (const f of ["usr/sbin/floatgwd", "etc/init.d/floatgw", "etc/config/floatgw", "etc/hotplug.d/floatgw/50-dnsmasq"]) {
      expect(t.exists(f), f).toBe(false);
    }
    expect(t.must("ls /etc/rc.d/")).not.toContain("floatgw");
    expect(t.sh("opkg status floatgw").stdout).toBe("");
  });
});

describe.skipIf(rootfsMissing)("apk add and del (apk-tools 3) into the OpenWrt tree", () => {
  /** The tree's libc (opkg's package: musl's loader and libc.so) as an apk,
   * so that floatgw's `depends: libc` is met in a fresh apk database. */
  function libcApk(t: Tree): string {
    const control = t.read("usr/lib/opkg/info/libc.control")!;
    const libcVersion = /^Version: (.*)-(\d+)$/m.exec(control)!;
    const files = t.read("usr/lib/opkg/info/libc.list")!.split("\n").filter(Boolean);
    const staging = join(t.root, "tmp/libc-files");
    mkdirSync(staging);
    must(["sh", "-c", `cd "$1" && cp -a --parents ${files.map((f) => `".${f}"`).join(" ")} "$2"`, "copy", t.root, staging]);
    const out = join(t.root, "tmp/libc.apk");
    must([APK, "mkpkg", "--info", "name:libc", "--info", `version:${libcVersion[1]}-r${libcVersion[2]}`, "--info", "arch:x86_64",
      "--info", "description:the tree's C library", "--files", staging, "--output", out]);
    return out;
  }

  /** apk on the tree, in namespaces of its own (its scripts run chrooted). */
  const apk = (t: Tree, args: string[]) =>
    must(["unshare", "--net", "--mount", "--pid", "--fork", APK, "--root", t.root, "--no-network", ...args], 60_000);

  it("installs the files and runs the post-install script under busybox; apk del removes them", () => {
    const t = tree();
    const out = apk(t, ["add", "--initdb", "--allow-untrusted", libcApk(t), apkPath("x86_64")]);
    expect(out).toContain(`Installing floatgw (${PKG_VERSION})`);
    expect(out).toContain(`Executing floatgw-${PKG_VERSION}.post-install`);
    expect(out).not.toMatch(/ERROR|script exited with error/);
    expect(t.must("floatgw --version")).toMatch(new RegExp(`^floatgwd ${VERSION} `));
    const mode = (f: string) => (statSync(join(t.root, f)).mode & 0o7777).toString(8);
    expect(["etc/config/floatgw", "etc/init.d/floatgw", "usr/sbin/floatgwd"].map(mode)).toEqual(["600", "755", "755"]);
    expect(t.read("lib/apk/packages/floatgw.list")).toContain("/usr/sbin/floatgwd\n");
    expect(t.read("lib/apk/packages/floatgw.conffiles")).toBe("/etc/config/floatgw\n");
    expect(apk(t, ["info", "--installed", "floatgw"])).toContain("floatgw");

    const del = apk(t, ["del", "floatgw"]);
    expect(del).toContain(`Executing floatgw-${PKG_VERSION}.pre-deinstall`);
    expect(del).not.toMatch(/ERROR/);
    for (const f of ["usr/sbin/floatgwd", "usr/sbin/floatgw", "etc/init.d/floatgw", "etc/config/floatgw", "lib/apk/packages/floatgw.list"]) {
      expect(t.exists(f), f).toBe(false);
    }
  });
});
