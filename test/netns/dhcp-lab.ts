// The DHCP lab on top of the two-router lab: real dnsmasq (Debian's) on each
// router and busybox udhcpc on the client. Debian has no uci, procd,
// /etc/init.d/dnsmasq or hotplug-call, so each router gets the stand-ins of
// test/lab/ (uci.py, dnsmasq-init.sh, hotplug-call.sh, dhcp-script.sh) in a
// directory of its own, and floatgwd's `hotplug` option points at that
// hotplug-call: the hooks files/etc/hotplug.d/floatgw/50-dnsmasq and
// files/etc/hotplug.d/dhcp/50-floatgw run unchanged against them. The
// `floatgw` on their PATH is the built binary with this router's run dir.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { FLOATGWD, type Lab, ROOT, must } from "./lab";
import type { Router } from "./routers";

/** The admin's /etc/config/dhcp before floatgw, in uci's export layout. */
export const DHCP_CONFIG = `
config dhcp 'lan'
\toption interface 'lan'
\toption start '150'
\toption limit '50'
\toption leasetime '2m'
\tlist dhcp_option '42,198.18.0.9'

`;

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** A router's stand-in OpenWrt: its dhcp config, uci, the dnsmasq init and
 * hotplug-call. Returns the path for floatgwd's global `hotplug` option. */
export class RouterDhcp {
  readonly dir: string;

  constructor(private readonly router: Router) {
    this.dir = join(router.dir, "openwrt");
    for (const d of ["bin", "init.d", "config"]) mkdirSync(join(this.dir, d), { recursive: true });
    writeFileSync(join(this.dir, "config/dhcp"), DHCP_CONFIG);
    script(join(this.dir, "bin/uci"), `exec python3 ${ROOT}/test/lab/uci.py "$@"`);
    script(join(this.dir, "init.d/dnsmasq"),
      `UCI_STANDIN_DIR=${this.dir}/config exec sh ${ROOT}/test/lab/dnsmasq-init.sh ${this.dir} "$@"`);
    script(join(this.dir, "hotplug-call"), `exec sh ${ROOT}/test/lab/hotplug-call.sh ${this.dir} "$@"`);
    script(join(this.dir, "dhcp-script"), `exec sh ${ROOT}/test/lab/dhcp-script.sh ${this.dir} "$@"`);
    script(join(this.dir, "bin/floatgw"), `exec ${FLOATGWD} "$@" --run-dir ${join(router.dir, "run")}`);
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
