// floatgw and luci-app-floatgw installed on a booted lab router by its own
// opkg, from the packages of `make package`, and LuCI served (uhttpd is not
// among the services the lab starts).
import { installFloatgw, type Router } from "../lab/openwrt.mjs";
import { luciIpkPath } from "./built";

export function installPackages(r: Router): void {
  installFloatgw(r);
  installFloatgw(r, luciIpkPath());
  r.must("/etc/init.d/uhttpd start");
}
