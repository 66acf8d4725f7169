// What the real-OpenWrt tests share: the lab of test/lab/openwrt.mjs booted
// once per file, skipped without a rootfs (the global setup,
// rootfs-setup.ts, says why in one line; under CI=true it fails instead),
// and views of floatgw inside a router. Generous deadlines, no timing assertions.
import { afterAll, beforeAll, describe } from "vitest";
import { readFileSync } from "node:fs";
import { dnsmasqState, floatgwStatus, netnsPids, OpenWrtLab, type Router, type RouterName } from "../lab/openwrt.mjs";
import { locateRootfs } from "../lab/rootfs.mjs";

/** describe, or describe.skip when there is no OpenWrt rootfs. */
export const describeOpenWrt = "missing" in locateRootfs() ? describe.skip : describe;

/** A lab booted before the file's tests and torn down after them, also
 * when they fail. */
export function useOpenWrtLab({ routers = ["a", "b"] }: { routers?: RouterName[] } = {}) {
  let lab: OpenWrtLab | null = null;
  beforeAll(async () => {
    lab = new OpenWrtLab();
    await lab.up({ routers });
  }, 120_000);
  afterAll(() => lab?.cleanup());
  return {
    get lab(): OpenWrtLab {
      if (!lab) throw new Error("the OpenWrt lab is not up");
      return lab;
    },
  };
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

/** For a wait that timed out (waitFor's explain): each router's floatgw
 * and dnsmasq state, its processes with what each waits for in the kernel
 * (where a hang shows: a write to a full syslog socket, a read of a pipe),
 * and the end of its syslog. */
export function routerStory(...routers: Router[]): () => string {
  const procFile = (pid: number, file: string): string => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, "utf8");
    } catch {
      return "?"; // exited meanwhile
    }
  };
  return () => routers.map((r) => {
    const { dhcp, pid } = dnsmasqState(r);
    const processes = netnsPids(r.ns).map((p) =>
      `  ${p} ${procFile(p, "cmdline").replace(/[\0\s]+/g, " ").slice(0, 100)} [waits in ${procFile(p, "wchan")}]`);
    let log: string;
    try {
      log = r.sh("logread -l 30", { timeoutMs: 5000 }).stdout;
    } catch (e) {
      log = `logread: ${(e as Error).message}`;
    }
    return [`router ${r.name}: floatgw ${state(r) ?? "not answering"}, DHCP ${dhcp}, dnsmasq ${pid ?? "not running"}`,
      ...processes, log.trimEnd()].join("\n");
  }).join("\n");
}

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
