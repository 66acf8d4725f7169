// The packages `make package` builds (scripts/package.mjs), checked against
// the layout OpenWrt's own tools give a package (the SDK cannot run here):
//  - .ipk as scripts/ipkg-build makes it: an outer `tar --format=gnu
//    --numeric-owner --sort=name --mtime=<SOURCE_DATE_EPOCH>` of exactly
//    ./debian-binary, ./data.tar.gz, ./control.tar.gz, each `gzip -n`; every
//    member owned by 0:0 with no owner names; Installed-Size the size of the
//    uncompressed data tar; conffiles the listed files shipped, sorted;
//  - control fields, their order, the Description layout and the
//    postinst/prerm that call default_postinst/default_prerm as
//    include/package-pack.mk writes them;
//  - .apk fields, scripts and /lib/apk/packages/<package>.* as
//    package-pack.mk passes them to `apk mkpkg`, read back by apk-tools'
//    own `apk adbdump` and `apk extract`.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, must } from "../netns/lab";
import { CROSS_TARGETS } from "../cross/targets";
import { APK, MAKEFILE, PKG_VERSION, apkPath, ipkPath, luciApkPath, luciIpkPath, makeVar } from "./built";
import { type TarMember, readTarGz } from "./tar";

const VERSION = PKG_VERSION;
const CPUS = ["x86_64", ...CROSS_TARGETS];

/** Every path the floatgw package installs: [path, type, mode, link target]. */
const DATA: [string, string, number, string?][] = [
  ["./", "5", 0o755],
  ["./etc/", "5", 0o755],
  ["./etc/config/", "5", 0o755],
  ["./etc/config/floatgw", "0", 0o600],
  ["./etc/hotplug.d/", "5", 0o755],
  ["./etc/hotplug.d/dhcp/", "5", 0o755],
  ["./etc/hotplug.d/dhcp/50-floatgw", "0", 0o644],
  ["./etc/hotplug.d/floatgw/", "5", 0o755],
  ["./etc/hotplug.d/floatgw/01-user", "0", 0o644],
  ["./etc/hotplug.d/floatgw/50-dnsmasq", "0", 0o644],
  ["./etc/init.d/", "5", 0o755],
  ["./etc/init.d/floatgw", "0", 0o755],
  ["./etc/uci-defaults/", "5", 0o755],
  ["./etc/uci-defaults/80-floatgw-firewall", "0", 0o755],
  ["./usr/", "5", 0o755],
  ["./usr/sbin/", "5", 0o755],
  ["./usr/sbin/floatgw", "2", 0o777, "floatgwd"],
  ["./usr/sbin/floatgwd", "0", 0o755],
];

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function ipk(cpu: string) {
  return ipkAt(ipkPath(cpu));
}

function ipkAt(path: string) {
  const outer = readTarGz(readFileSync(path));
  const member = (name: string) => outer.find((m) => m.name === name)!;
  const control = readTarGz(member("./control.tar.gz").data);
  const fields = control.find((m) => m.name === "./control")!.data.toString("utf8");
  const data = member("./data.tar.gz").data;
  return { outer, control, fields, data: readTarGz(data), dataTarSize: gunzipSync(data).length };
}

/** The one time stamp and the ownership every member must have. */
function expectStamped(members: TarMember[], epoch: number): void {
  for (const m of members) {
    expect({ name: m.name, uid: m.uid, gid: m.gid, uname: m.uname, gname: m.gname, mtime: m.mtime, magic: m.magic })
      .toEqual({ name: m.name, uid: 0, gid: 0, uname: "", gname: "", mtime: epoch, magic: "ustar  \0" });
  }
}

describe.each(CPUS)("floatgw .ipk for %s", (cpu) => {
  const { outer, control, fields, data, dataTarSize } = ipk(cpu);
  const epoch = Number(/^SourceDateEpoch: (\d+)$/m.exec(fields)?.[1]);

  it("is ipkg-build's outer tar: debian-binary, data.tar.gz, control.tar.gz, all as root at one time", () => {
    expect(outer.map((m) => [m.name, m.type])).toEqual([["./debian-binary", "0"], ["./data.tar.gz", "0"], ["./control.tar.gz", "0"]]);
    expect(outer[0]!.data.toString()).toBe("2.0\n");
    for (const m of [...outer, ...control, ...data]) expect(m.mode & 0o7000).toBe(0);
    expectStamped([...outer, ...control, ...data], epoch);
  });

  it("has package-pack.mk's control fields in its order, Installed-Size the data tar's size", () => {
    const description = MAKEFILE.match(/define Package\/floatgw\/description\n([\s\S]*?)\nendef/)![1]!
      .split("\n").map((l) => l.replace(/^\s*/, " ")).join("\n");
    expect(fields).toBe([
      "Package: floatgw", `Version: ${VERSION}`, "Depends: libc", "Source: feeds/floatgw/floatgw", "SourceName: floatgw",
      "License: GPL-2.0-only", "Section: net", `SourceDateEpoch: ${epoch}`, `Maintainer: ${makeVar("PKG_MAINTAINER")}`,
      `Architecture: ${cpu}`, `Installed-Size: ${dataTarSize}`, `Description: ${description}`, "",
    ].join("\n"));
    expect(epoch).toBeGreaterThan(1_600_000_000);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+-r\d+$/);
  });

  it("has conffiles, and postinst/prerm that hand over to default_postinst/default_prerm", () => {
    expect(control.map((m) => [m.name, m.mode])).toEqual([
      ["./", 0o755], ["./conffiles", 0o644], ["./control", 0o644], ["./postinst", 0o755], ["./postinst-pkg", 0o755], ["./prerm", 0o755],
    ]);
    const text = (name: string) => control.find((m) => m.name === name)!.data.toString();
    expect(text("./conffiles")).toBe("/etc/config/floatgw\n");
    expect(text("./postinst")).toBe([
      "#!/bin/sh", '[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0', "[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0",
      ". ${IPKG_INSTROOT}/lib/functions.sh", "default_postinst $0 $@", ""].join("\n"));
    expect(text("./prerm")).toBe([
      "#!/bin/sh", "[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0",
      ". ${IPKG_INSTROOT}/lib/functions.sh", "default_prerm $0 $@", ""].join("\n"));
    // Package/floatgw/postinst: a restart on upgrade, never offline.
    expect(text("./postinst-pkg")).toMatch(/^#!\/bin\/sh\n.*IPKG_INSTROOT.*PKG_UPGRADE.*\/etc\/init\.d\/floatgw restart\n$/);
  });

  it("installs the daemon, the floatgw command, the init script, the config, the hooks and the uci-defaults", () => {
    expect(data.map((m) => [m.name, m.type, m.mode, ...(m.type === "2" ? [m.linkname] : [])])).toEqual(DATA);
    const content = (name: string) => data.find((m) => m.name === name)!.data;
    expect(sha256(content("./usr/sbin/floatgwd"))).toBe(sha256(readFileSync(join(ROOT, "build", cpu, "floatgwd"))));
    for (const m of data.filter((m) => m.type === "0" && m.name.startsWith("./etc/"))) {
      expect(m.data.equals(readFileSync(join(ROOT, "files", m.name))), m.name).toBe(true);
    }
  });
});

describe.each(CPUS)("floatgw .apk for %s", (cpu) => {
  const dir = mkdtempSync(join(tmpdir(), "fgapk-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has package-pack.mk's fields and scripts (apk adbdump)", () => {
    const dump = must([APK, "adbdump", apkPath(cpu)]);
    const field = (k: string) => new RegExp(`^  ${k}: (.*)$`, "m").exec(dump)?.[1];
    expect(field("name")).toBe("floatgw");
    expect(field("version")).toBe(VERSION);
    expect(field("arch")).toBe(cpu);
    expect(field("license")).toBe("GPL-2.0-only");
    expect(field("origin")).toBe("feeds/floatgw/floatgw");
    expect(field("maintainer")).toBe(makeVar("PKG_MAINTAINER"));
    expect(dump).toMatch(/^ {2}depends: # 1 items\n {4}- libc$/m);
    expect(dump).toMatch(/^ {2}description: \|\n {4}floatgw lets two routers share one gateway address: it speaks VRRP \(RFC 3768/m);
    for (const script of ["post-install", "post-upgrade", "pre-deinstall"]) expect(dump).toContain(`  ${script}: |`);
    expect(dump).toContain('    export pkgname="floatgw"\n    add_group_and_user\n    default_postinst\n');
    expect(dump).toContain('    export pkgname="floatgw"\n    default_prerm\n');
    expect(dump).toContain("  post-upgrade: |\n    #!/bin/sh\n    export PKG_UPGRADE=1\n");
  });

  it("ships the files, /lib/apk/packages/floatgw.list, .conffiles and .conffiles_static (apk extract)", () => {
    must([APK, "extract", "--allow-untrusted", "--destination", dir, apkPath(cpu)]);
    const meta = join(dir, "lib/apk/packages");
    expect(readdirSync(meta).sort()).toEqual(["floatgw.conffiles", "floatgw.conffiles_static", "floatgw.list"]);
    const files = DATA.filter(([, type]) => type !== "5").map(([p]) => p.slice(1));
    expect(readFileSync(join(meta, "floatgw.list"), "utf8")).toBe(files.map((f) => f + "\n").join(""));
    expect(readFileSync(join(meta, "floatgw.conffiles"), "utf8")).toBe("/etc/config/floatgw\n");
    expect(readFileSync(join(meta, "floatgw.conffiles_static"), "utf8"))
      .toBe(`/etc/config/floatgw ${sha256(readFileSync(join(ROOT, "files/etc/config/floatgw")))}\n`);
    expect(sha256(readFileSync(join(dir, "usr/sbin/floatgwd")))).toBe(sha256(readFileSync(join(ROOT, "build", cpu, "floatgwd"))));
  });
});

describe("luci-app-floatgw", () => {
  const WWW = "./www/luci-static/resources/";
  /** What the package installs besides directories: the pages as written and
   * the class generated from the config schema, the menu and the ACL. */
  const FILES = [
    `${WWW}floatgw/config.js`, `${WWW}floatgw/status.js`,
    `${WWW}view/floatgw/settings.js`, `${WWW}view/floatgw/setup.js`, `${WWW}view/floatgw/status.js`,
    `${WWW}view/status/include/45_floatgw.js`,
    "./usr/share/luci/menu.d/luci-app-floatgw.json", "./usr/share/rpcd/acl.d/luci-app-floatgw.json",
  ];
  const source = (name: string): string =>
    join(ROOT, name === `${WWW}floatgw/config.js` ? "build/luci-app/htdocs" : name.startsWith("./www/") ? "luci-app/htdocs" : "luci-app/root",
      name.startsWith("./www/") ? name.slice("./www/".length) : name);

  it("is one .ipk for every CPU that depends on floatgw and LuCI, with the pages, the generated schema, the menu and the ACL", () => {
    const { control, fields, data } = ipkAt(luciIpkPath());
    expect(fields).toMatch(new RegExp(`^Package: luci-app-floatgw\nVersion: ${VERSION}\nDepends: libc, floatgw, luci-base\n`));
    expect(fields).toMatch(/^Architecture: all$/m);
    expect(data.filter((m) => m.type === "0").map((m) => m.name).sort()).toEqual([...FILES].sort());
    for (const m of data.filter((m) => m.type === "0")) {
      expect(m.mode, m.name).toBe(0o644);
      expect(m.data.equals(readFileSync(source(m.name))), m.name).toBe(true);
    }
    // On a running router: LuCI's caches go, rpcd reads the new ACL.
    const postinst = control.find((m) => m.name === "./postinst-pkg")!.data.toString();
    expect(postinst).toContain("rm -f /tmp/luci-indexcache*");
    expect(postinst).toContain("/etc/init.d/rpcd reload");
    expect(control.some((m) => m.name === "./postrm")).toBe(true);
  });

  it("is one .apk, noarch, with the same files", () => {
    const dump = must([APK, "adbdump", luciApkPath()]);
    expect(/^ {2}arch: (.*)$/m.exec(dump)?.[1]).toBe("noarch");
    // apk keeps dependencies sorted.
    expect(dump).toMatch(/^ {2}depends: # 3 items\n {4}- floatgw\n {4}- libc\n {4}- luci-base$/m);
    const dir = mkdtempSync(join(tmpdir(), "fgluciapk-"));
    try {
      must([APK, "extract", "--allow-untrusted", "--destination", dir, luciApkPath()]);
      expect(readFileSync(join(dir, "lib/apk/packages/luci-app-floatgw.list"), "utf8").split("\n").filter(Boolean).sort())
        .toEqual(FILES.map((f) => f.slice(1)).sort());
      for (const f of FILES) expect(readFileSync(join(dir, f)).equals(readFileSync(source(f))), f).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("make package", () => {
  it("gives the same bytes from the same inputs", () => {
    const out = [mkdtempSync(join(tmpdir(), "fgpkg-")), mkdtempSync(join(tmpdir(), "fgpkg-"))];
    try {
      for (const o of out) {
        must(["env", "SOURCE_DATE_EPOCH=1700000000", "node", join(ROOT, "scripts/package.mjs"), "--apk", APK, "--out", o, "x86_64", "mips_24kc"], 120_000);
      }
      const files = (o: string) => ["all", "x86_64", "mips_24kc"].flatMap((c) => readdirSync(join(o, c)).map((f) => join(c, f))).sort();
      expect(files(out[0]!)).toEqual([`all/luci-app-floatgw-${VERSION}.apk`, `all/luci-app-floatgw_${VERSION}_all.ipk`,
        `mips_24kc/floatgw-${VERSION}.apk`, `mips_24kc/floatgw_${VERSION}_mips_24kc.ipk`,
        `x86_64/floatgw-${VERSION}.apk`, `x86_64/floatgw_${VERSION}_x86_64.ipk`]);
      for (const f of files(out[0]!)) expect(sha256(readFileSync(join(out[1]!, f))), f).toBe(sha256(readFileSync(join(out[0]!, f))));
    } finally {
      for (const o of out) rmSync(o, { recursive: true, force: true });
    }
  });
});
