// What `make package` built (scripts/package.mjs), for the tests that
// inspect or install it: the version, the packages' paths, apk-tools.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../netns/lab";

/** openwrt/floatgw/Makefile, the package's one description. */
export const MAKEFILE = readFileSync(join(ROOT, "openwrt/floatgw/Makefile"), "utf8");
export const makeVar = (name: string): string | undefined => new RegExp(`^${name}:=(.*)$`, "m").exec(MAKEFILE)?.[1];

/** floatgw's version from package.json. */
export const VERSION: string = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
/** The packages' version: <version>-r<PKG_RELEASE>. */
export const PKG_VERSION = `${VERSION}-r${makeVar("PKG_RELEASE")}`;

/** apk-tools 3 as built by scripts/apk-tools.sh. */
export const APK = join(ROOT, "build/apk-tools/apk");

function built(file: string): string {
  if (!existsSync(file)) throw new Error(`${file} is missing: run make package first`);
  return file;
}
export const ipkPath = (cpu: string): string => built(join(ROOT, "build/packages", cpu, `floatgw_${PKG_VERSION}_${cpu}.ipk`));
export const apkPath = (cpu: string): string => built(join(ROOT, "build/packages", cpu, `floatgw-${PKG_VERSION}.apk`));
/** luci-app-floatgw: one package for every CPU (PKGARCH all), released with floatgw. */
export const luciIpkPath = (): string => built(join(ROOT, "build/packages/all", `luci-app-floatgw_${PKG_VERSION}_all.ipk`));
export const luciApkPath = (): string => built(join(ROOT, "build/packages/all", `luci-app-floatgw-${PKG_VERSION}.apk`));
