// The DHCP lab on top of the two-router lab: real dnsmasq (Debian's) on each
// router and busybox udhcpc on the client. Debian has no uci, procd,
// /etc/init.d/dnsmasq or hotplug-call, so each router gets the stand-ins of
// test/lab/ (uci.py, dnsmasq-init.sh, hotplug-call.sh, dhcp-script.sh, set up
// by openwrt.sh) in a directory of its own, and floatgwd's `hotplug` option points at that
// hotplug-call: the hooks files/etc/hotplug.d/floatgw/50-dnsmasq and
// files/etc/hotplug.d/dhcp/50-floatgw run unchanged against them. The
// `floatgw` on their PATH is the built binary with this router's run dir.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { FLOATGWD, type Lab, ROOT, must } from "./lab";
import type { Router } from "./routers";

/** The admin's /etc/config/dhcp before floatgw, in uci's export layout. */
export const DHCP_CONFIG = readFileSync(join(ROOT, "test/lab/dhcp.config"), "utf8");

/** A router's stand-in OpenWrt (test/lab/openwrt.sh): its dhcp config, uci,
 * the dnsmasq init and hotplug-call. */
export class RouterDhcp {
  readonly dir: string;

  constructor(private readonly router: Router) {
    this.dir = join(router.dir, "openwrt");
    must(["sh", join(ROOT, "test/lab/openwrt.sh"), this.dir, FLOATGWD, join(router.dir, "run")]);
  }

  /** dnsmasq's lease file (floatgw's global dhcp_leasefile). */
  get leasefile(): string {
    return join(this.dir, "dhcp.leases");
  }

  /** The lease file as dnsmasq found it at its last start. */
  get leasesAtStart(): string {
    const f = join(this.dir, "dhcp.leases.at-start");
    return existsSync(f) ? readFileSync(f, "utf8") : "";
  }

  get hotplug(): string {
    return join(this.dir, "hotplug-call");
  }

  /** Starts dnsmasq as OpenWrt would at boot, from the admin's config. */
  startDnsmasq(): void {
    must(["ip", "netns", "exec", this.router.ns, join(this.dir, "init.d/dnsmasq"), "start"]);
  }

  /** Makes every dnsmasq restart take `seconds` longer, as on a slow router. */
  slowRestarts(seconds: number): void {
    writeFileSync(join(this.dir, "restart-delay"), `${seconds}\n`);
  }

  get config(): string {
    return readFileSync(join(this.dir, "config/dhcp"), "utf8");
  }

  /** The arguments the running dnsmasq was started with. */
  get args(): string {
    const f = join(this.dir, "dnsmasq.args");
    return existsSync(f) ? readFileSync(f, "utf8") : "";
  }

  /** The running dnsmasq's pid (from its pid file), or "". */
  get pid(): string {
    const f = join(this.dir, "dnsmasq.pid");
    return existsSync(f) ? readFileSync(f, "utf8").trim() : "";
  }

  get serving(): boolean {
    return this.args !== "" && !this.args.includes("--no-dhcp-interface");
  }
}

export interface ClientEvent {
  event: string;
  ip: string;
  router: string;
  dns: string;
  serverid: string;
}

/** busybox udhcpc on the client namespace, recording its events. */
export class DhcpClient {
  private readonly log: string;
  private readonly child: ChildProcess;

  /** `iface` defaults to eth0; `request` asks for that address (-r). */
  constructor(lab: Lab, ns: string, dir: string, opts: { iface?: string; request?: string } = {}) {
    const iface = opts.iface ?? "eth0";
    this.log = join(dir, `udhcpc-${iface}.log`);
    writeFileSync(this.log, "");
    this.child = lab.start(ns, ["env", `UDHCPC_LOG=${this.log}`, "busybox", "udhcpc", "-f", "-i", iface,
      "-s", `${ROOT}/test/lab/udhcpc-script.sh`, "-t", "5", "-T", "1", "-A", "1",
      ...(opts.request ? ["-r", opts.request] : [])]);
  }

  get events(): ClientEvent[] {
    return readFileSync(this.log, "utf8").split("\n").filter(Boolean).map((line) => {
      const [event = "", ...kv] = line.split(" ");
      const f = Object.fromEntries(kv.map((p) => p.split("=") as [string, string]));
      return { event, ip: f.ip ?? "", router: f.router ?? "", dns: f.dns ?? "", serverid: f.serverid ?? "" };
    });
  }

  /** The last bound or renew event: the lease the client holds. */
  get lease(): ClientEvent | undefined {
    return this.events.filter((e) => e.event === "bound" || e.event === "renew").pop();
  }

  /** SIGUSR1: udhcpc renews at once (unicast to its server, then broadcast). */
  renew(): void {
    this.child.kill("SIGUSR1");
  }
}
