// The OpenWrt SDK's side of the build, as far as it can run here (no SDK:
// it is a download of its own): `make dist` gives a tarball that holds
// everything the SDK Makefiles need (floatgw's Build/Compile and install,
// luci-app-floatgw's install), and floatgw's recipe, run from the unpacked
// tarball with make and the stand-in SDK includes (mk/openwrt-sdk/) and this
// project's mips_24kc toolchain given as the SDK's, builds the same binary
// as `make cross`: the big-endian path, from the tarball's bytecode, with
// no qjsc run for it.
// Not run here: the SDK's download, unpack and patch steps (the test puts
// the engine where Build/Prepare would) and HostBuild (the host qjsc is the
// project's own).
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readEnvMk } from "../cross/targets";
import { ROOT, must } from "../netns/lab";
import { VERSION } from "./built";

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const SDK = join(ROOT, "mk/openwrt-sdk");
/** The LuCI app's class generated from the config schema (Makefile: LUCI_CONFIG). */
const LUCI_CONFIG = "build/luci-app/htdocs/luci-static/resources/floatgw/config.js";

describe("make dist and the SDK Makefile's compile recipe", () => {
  const work = mkdtempSync(join(tmpdir(), "fgdist-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const tarball = join(ROOT, `build/dist/floatgw-${VERSION}.tar.xz`);
  const src = join(work, `floatgw-${VERSION}`);

  it("make dist is the repository plus the bundle, its big-endian bytecode and the LuCI app's generated class, the same bytes each time", () => {
    const dist = () => must(["env", "SOURCE_DATE_EPOCH=1700000000", "bash", join(ROOT, "scripts/dist.sh")], 120_000);
    dist();
    const first = sha256(tarball);
    expect(dist()).toContain(`sha256 ${first}`);
    must(["tar", "-xJf", tarball, "-C", work]);
    const tracked = must(["git", "-C", ROOT, "ls-files"]).split("\n").filter(Boolean);
    for (const f of tracked) expect(existsSync(join(src, f)), f).toBe(true);
    expect(readdirSync(join(src, "build"))).toEqual(["floatgwd.js", "luci-app"]);
    expect(sha256(join(src, "build/floatgwd.js"))).toBe(sha256(join(ROOT, "build/floatgwd.js")));
    expect(sha256(join(src, LUCI_CONFIG))).toBe(sha256(join(ROOT, LUCI_CONFIG)));
    expect(sha256(join(src, "bytecode/big-endian.c"))).toBe(sha256(join(ROOT, "build/mips_24kc/main.c")));
  });

  it("Build/Compile from the tarball builds make cross's mips_24kc binary, byte for byte", () => {
    // Where Build/Prepare puts the engine (unpacked and patched).
    cpSync(join(ROOT, "build/engine"), join(src, "build/engine"), { recursive: true });
    // HostBuild's qjsc: the project's host qjsc stands in for it.
    const hostpkg = join(work, "staging_dir/hostpkg");
    mkdirSync(join(hostpkg, "bin"), { recursive: true });
    symlinkSync(join(ROOT, "build/engine/host/qjsc"), join(hostpkg, "bin/floatgw-qjsc"));
    const env = readEnvMk(join(ROOT, "build/toolchain/mips_24kc/env.mk"));
    must(["make", "-s", "--no-print-directory", "-f", join(ROOT, "openwrt/floatgw/Makefile"), `TOPDIR=${SDK}`, `INCLUDE_DIR=${SDK}`,
      `PKG_BUILD_DIR=${src}`, "ARCH_PACKAGES=mips_24kc", "CONFIG_BIG_ENDIAN=y", `STAGING_DIR_HOSTPKG=${hostpkg}`,
      `TARGET_CC=${env.get("CC")}`, `TARGET_CFLAGS=${env.get("TARGET_CFLAGS")}`, `TARGET_LDFLAGS=${env.get("TARGET_LDFLAGS")}`,
      `TARGET_CROSS=${env.get("STRIP")!.replace(/strip$/, "")}`, "compile"], 600_000);
    expect(sha256(join(src, "build/mips_24kc/floatgwd"))).toBe(sha256(join(ROOT, "build/mips_24kc/floatgwd")));
    // The tarball's bytecode was used as it is: no big-endian qjsc was built.
    expect(sha256(join(src, "build/mips_24kc/main.c"))).toBe(sha256(join(src, "bytecode/big-endian.c")));
    expect(existsSync(join(src, "build/mips_24kc/qjsc"))).toBe(false);
  });

  it("luci-app-floatgw's install recipe finds all it installs in the tarball", () => {
    const stage = join(work, "stage");
    must(["make", "-s", "--no-print-directory", "-f", join(ROOT, "openwrt/luci-app-floatgw/Makefile"), `TOPDIR=${SDK}`, `INCLUDE_DIR=${SDK}`,
      `PKG_BUILD_DIR=${src}`, "ARCH_PACKAGES=mips_24kc", `STAGE_DIR=${stage}`, "install-luci-app-floatgw"]);
    const www = join(stage, "luci-app-floatgw/www/luci-static/resources");
    expect(sha256(join(www, "floatgw/config.js"))).toBe(sha256(join(ROOT, LUCI_CONFIG)));
    for (const view of ["status", "settings", "setup"]) expect(existsSync(join(www, `view/floatgw/${view}.js`)), view).toBe(true);
    expect(existsSync(join(stage, "luci-app-floatgw/usr/share/rpcd/acl.d/luci-app-floatgw.json"))).toBe(true);
  });
});
