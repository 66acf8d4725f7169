// What the real-OpenWrt tests share: the lab of test/lab/openwrt.mjs booted
// once per file (or per test), skipped without a rootfs (the global setup,
// rootfs-setup.ts, says why in one line; under CI=true it fails instead),
// the uci commands docs/usage.md gives users, and views of floatgw and
// dnsmasq inside a router. Generous deadlines, no timing assertions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { floatgwStatus, installFloatgw, OpenWrtLab, ROOT, type Router, type RouterName, VIP, waitFor } from "../lab/openwrt.mjs";
import { locateRootfs } from "../lab/rootfs.mjs";

/** describe, or describe.skip when there is no OpenWrt rootfs. */
export const describeOpenWrt = "missing" in locateRootfs() ? describe.skip : describe;

/** A lab booted before the file's tests (`each`: before each test) and
 * torn down after them, also when they fail. */
export function useOpenWrtLab({ routers = ["a", "b"], each = false }: { routers?: RouterName[]; each?: boolean } = {}) {
  let lab: OpenWrtLab | null = null;
  const [before, after] = each ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    lab = new OpenWrtLab();
    await lab.up({ routers });
  }, 120_000);
  after(() => lab?.cleanup());
  return {
    get lab(): OpenWrtLab {
      if (!lab) throw new Error("the OpenWrt lab is not up");
      return lab;
    },
  };
}

/** The commands of docs/usage.md's "Setting up a pair" for router `r`:
 * the lab's VIP for the doc's example address, and priority 100 on B;
 * `extra` options of the vip section are set before the commit. */
export function usageCommands(r: RouterName, extra: Record<string, string> = {}): string {
  const doc = readFileSync(join(ROOT, "docs/usage.md"), "utf8");
  const block = /## Setting up a pair\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block?.includes("192.168.1.1/24") || !block.includes("priority='150'")) {
    throw new Error("docs/usage.md: no \"Setting up a pair\" block with the example VIP 192.168.1.1/24 and priority '150'");
  }
  const sets = Object.entries(extra).map(([k, v]) => `uci set floatgw.lan.${k}='${v}'\n`).join("");
  const commands = block.replace("192.168.1.1/24", `${VIP}/24`).replace("uci commit floatgw", `${sets}uci commit floatgw`);
  return r === "a" ? commands : commands.replace("priority='150'", "priority='100'");
}

/** VRRPv3 with 100 ms adverts: failovers within a second. */
export const FAST = { version: "3", advert_int: "0.1" };

/** Installs floatgw on both routers and sets them up with the commands of
 * docs/usage.md (plus `extra`); resolves once A is master and serves DHCP
 * and B is backup with DHCP off. */
export async function setUpPair(lab: OpenWrtLab, extra: Record<string, string> = FAST): Promise<void> {
  for (const r of [lab.a, lab.b]) {
    installFloatgw(r);
    r.must(usageCommands(r.name, extra));
    if (r.name === "a") await waitFor("A master", () => state(lab.a) === "master", 30_000);
  }
  await waitFor("A master serving DHCP, B backup not", () => state(lab.a) === "master" && state(lab.b) === "backup" &&
    dnsmasq(lab.a).serving && dnsmasq(lab.b).conf.includes("no-dhcp-interface=br-lan") && dnsmasq(lab.b).pid, 30_000);
}

export interface Instance {
  name: string;
  state: string;
  vipPresent: boolean;
  priority: { base: number; effective: number };
  transitions: { from: string; to: string; reason: string }[];
}
export interface LeaseView { mac: string; ip: string; hostname: string; expires: number }
export interface Status {
  pid?: number;
  instances: Instance[];
  leaseChannel?: { peer: string | null; degraded: string | null; leases: LeaseView[] } | null;
}

export const status = (r: Router): Status | null => floatgwStatus(r) as Status | null;
export const state = (r: Router): string | null => status(r)?.instances[0]?.state ?? null;

/** procd's view of the floatgw service (`ubus call service list`). */
export interface ServiceInstance {
  running: boolean;
  pid?: number;
  command: string[];
  term_timeout?: number;
  reload_signal?: number;
  respawn?: { threshold: number; timeout: number; retry: number };
}
export function service(r: Router, verbose = false): { instances?: Record<string, ServiceInstance>; triggers?: unknown[] } {
  const out = r.must(`ubus call service list '{"name":"floatgw","verbose":${verbose}}'`);
  return (JSON.parse(out) as Record<string, { instances?: Record<string, ServiceInstance>; triggers?: unknown[] }>).floatgw ?? {};
}

/** What the router's dnsmasq was last started with (OpenWrt's init writes
 * it from /etc/config/dhcp): serving DHCP on br-lan, or DNS only. */
export function dnsmasq(r: Router): { conf: string; serving: boolean; pid: number | null } {
  const conf = r.sh("cat /var/etc/dnsmasq.conf.*").stdout;
  const pid = r.pids("dnsmasq")[0] ?? null;
  return { conf, serving: pid !== null && conf.includes("dhcp-range=") && !conf.includes("no-dhcp-interface=br-lan"), pid };
}
