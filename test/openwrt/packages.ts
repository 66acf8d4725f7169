// floatgw and luci-app-floatgw installed on a booted lab router by its own
// opkg, from the packages of `make package`, and LuCI served (uhttpd is not
// among the services the lab starts).
import { copyFileSync } from "node:fs";
import { basename } from "node:path";
import type { Router } from "../lab/openwrt.mjs";
import { ipkPath, luciIpkPath } from "./built";

export function installPackages(r: Router): void {
  const files = [ipkPath("x86_64"), luciIpkPath()].map((f) => {
    copyFileSync(f, r.path(`/tmp/${basename(f)}`));
    return `/tmp/${basename(f)}`;
  });
  r.must(`opkg install ${files.join(" ")} && /etc/init.d/uhttpd start`, { timeoutMs: 120_000 });
}
