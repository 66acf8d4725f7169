// floatgw and luci-app-floatgw on a booted lab router, with LuCI served.
import { join } from "node:path";
import { installFloatgw, must, ROOT, type Router } from "../lab/openwrt.mjs";

export function installPackages(r: Router): void {
  installFloatgw(r);
  // join() would drop the "/.": cp copies a directory's contents only with it.
  for (const dir of ["luci-app/htdocs", "build/luci-app/htdocs"]) must(["cp", "-R", `${join(ROOT, dir)}/.`, join(r.tree, "www")]);
  must(["cp", "-R", `${join(ROOT, "luci-app/root")}/.`, r.tree]);
  r.must("rm -rf /tmp/luci-indexcache* /tmp/luci-modulecache; /etc/init.d/rpcd reload; /etc/init.d/uhttpd start");
}
