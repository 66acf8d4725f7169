// The OpenWrt SDK's side of the build, as far as it can run here (no SDK:
// it is a download of its own): `make dist` gives a tarball that holds
// everything the SDK Makefiles' recipes need (floatgw's, and
// luci-app-floatgw's install), and those recipes, run with make and the
// stand-in SDK includes (mk/openwrt-sdk/), build the same binaries as `make
// cross`. HostBuild makes its qjsc from the npm tarball of the engine and
// the release tarball's patches; Build/Prepare unpacks and patches the engine
// into the unpacked release tarball; Build/Compile, with this project's
// toolchains given as the SDK's, builds mips_24kc from the tarball's
// big-endian bytecode (no qjsc runs for it) and mipsel_24kc from bytecode
// the HostBuild qjsc writes. Not run here: the SDK's download and its make
// framework around the recipes (which these stand-ins replace).
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readEnvMk } from "../cross/targets";
import { ROOT, must, mustAsync, run } from "../netns/lab";
import { VERSION } from "./built";

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const SDK = join(ROOT, "mk/openwrt-sdk");
const ENGINE_TGZ = "qjsc-0.3.0.tgz";
/** The LuCI app's class generated from the config schema (Makefile: LUCI_CONFIG). */
const LUCI_CONFIG = "build/luci-app/htdocs/luci-static/resources/floatgw/config.js";

describe("make dist and the SDK Makefile's recipes", () => {
  const work = mkdtempSync(join(tmpdir(), "fgdist-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const tarball = join(ROOT, `build/dist/floatgw-${VERSION}.tar.xz`);
  const src = join(work, `floatgw-${VERSION}`);
  const dl = join(work, "dl");
  const hostpkg = join(work, "staging_dir/hostpkg");
  const sdkMake = (...args: string[]) =>
    mustAsync(["make", "-s", "--no-print-directory", "-f", join(ROOT, "openwrt/floatgw/Makefile"), `TOPDIR=${SDK}`, `INCLUDE_DIR=${SDK}`,
      `PKG_BUILD_DIR=${src}`, `DL_DIR=${dl}`, `STAGING_DIR_HOSTPKG=${hostpkg}`, ...args], 600_000);
  const compile = (cpu: string, bigEndian: boolean) => {
    const env = readEnvMk(join(ROOT, "build/toolchain", cpu, "env.mk"));
    return sdkMake(`ARCH_PACKAGES=${cpu}`, `CONFIG_BIG_ENDIAN=${bigEndian ? "y" : ""}`,
      `TARGET_CC=${env.get("CC")}`, `TARGET_CFLAGS=${env.get("TARGET_CFLAGS")}`, `TARGET_LDFLAGS=${env.get("TARGET_LDFLAGS")}`,
      `TARGET_CROSS=${env.get("STRIP")!.replace(/strip$/, "")}`, "compile");
  };

  it("make dist is the repository plus the three bundles, their big-endian bytecode and the LuCI app's generated class, the same bytes each time", async () => {
    const dist = () => mustAsync(["env", "SOURCE_DATE_EPOCH=1700000000", "bash", join(ROOT, "scripts/dist.sh")], 120_000);
    await dist();
    const first = sha256(tarball);
    expect(await dist()).toContain(`sha256 ${first}`);
    must(["tar", "-xJf", tarball, "-C", work]);
    const tracked = must(["git", "-C", ROOT, "ls-files"]).split("\n").filter(Boolean);
    for (const f of tracked) expect(existsSync(join(src, f)), f).toBe(true);
    expect(readdirSync(join(src, "build"))).toEqual(["floatgw-cli.js", "floatgw-tools.js", "floatgwd.js", "luci-app"]);
    for (const bundle of ["build/floatgw-cli.js", "build/floatgwd.js", "build/floatgw-tools.js"]) expect(sha256(join(src, bundle)), bundle).toBe(sha256(join(ROOT, bundle)));
    expect(sha256(join(src, LUCI_CONFIG))).toBe(sha256(join(ROOT, LUCI_CONFIG)));
    expect(sha256(join(src, "bytecode/big-endian.c"))).toBe(sha256(join(ROOT, "build/mips_24kc/bytecode.c")));
  });

  it("HostBuild builds a qjsc from the engine's npm tarball and the release tarball's patches", async () => {
    // The SDK's dl/: the engine as Download/quickjs fetches it (the copy
    // scripts/engine.sh checked against the same sha256), and the release.
    mkdirSync(dl);
    copyFileSync(join(ROOT, "build/engine", ENGINE_TGZ), join(dl, ENGINE_TGZ));
    copyFileSync(tarball, join(dl, `floatgw-${VERSION}.tar.xz`));
    const hash = /define Download\/quickjs\n[^]*?HASH:=([0-9a-f]{64})/.exec(readFileSync(join(ROOT, "openwrt/floatgw/Makefile"), "utf8"))![1];
    expect(sha256(join(dl, ENGINE_TGZ))).toBe(hash);
    await sdkMake(`BUILD_DIR_HOST=${join(work, "build_dir/host")}`, "HOSTCC_NOCACHE=gcc", "HOST_CFLAGS=-O2", "HOST_LDFLAGS=", "host-compile");
    // Without arguments qjsc prints its usage and exits 1.
    expect(run([join(hostpkg, "bin/floatgw-qjsc")]).stdout.split("\n")[0]).toBe("QuickJS Compiler version 2021-03-27");
  });

  it("Build/Prepare puts the patched engine where the project's build keeps it", async () => {
    await sdkMake("prepare");
    for (const f of readdirSync(join(ROOT, "build/engine/quickjs")).filter((f) => /\.[ch]$/.test(f))) {
      expect(sha256(join(src, "build/engine/quickjs", f)), f).toBe(sha256(join(ROOT, "build/engine/quickjs", f)));
    }
  });

  it("Build/Compile builds make cross's mips_24kc binary byte for byte, from the tarball's bytecode", async () => {
    await compile("mips_24kc", true);
    expect(sha256(join(src, "build/mips_24kc/floatgwd"))).toBe(sha256(join(ROOT, "build/mips_24kc/floatgwd")));
    // The tarball's bytecode was used as it is: no big-endian qjsc was built.
    expect(sha256(join(src, "build/mips_24kc/bytecode.c"))).toBe(sha256(join(src, "bytecode/big-endian.c")));
    expect(existsSync(join(src, "build/mips_24kc/qjsc"))).toBe(false);
  });

  it("Build/Compile builds make cross's mipsel_24kc binary byte for byte, with HostBuild's qjsc", async () => {
    await compile("mipsel_24kc", false);
    expect(sha256(join(src, "build/mipsel_24kc/bytecode.c"))).toBe(sha256(join(ROOT, "build/mipsel_24kc/bytecode.c")));
    expect(sha256(join(src, "build/mipsel_24kc/floatgwd"))).toBe(sha256(join(ROOT, "build/mipsel_24kc/floatgwd")));
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
