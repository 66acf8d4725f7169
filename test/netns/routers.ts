// Drives floatgwd and keepalived on the lab's routers: configs in a temp
// directory, processes started through the Lab (so cleanup kills them by
// PID), status through the real CLI, and polling waits with generous
// deadlines (no timing is asserted here; bench/ measures time).
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { DaemonStatus, InstanceCounters, InstanceStatus } from "../../src/daemon/status-contract";
import { FLOATGWD, Lab, must, requireBinary, run } from "./lab";

export const VIP = "198.18.0.1";

/** Polls `probe` every 50 ms until it returns a value other than null,
 * undefined or false; fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A process's argv, as ps shows it: empty once it is exiting (its memory
 * is gone before its PID is) or gone. */
export function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** A process's resident set (VmRSS), in KiB. */
export function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

/** What `floatgw status --json` prints: the daemon's status contract. */
export type Status = DaemonStatus;
/** An instance whose state machine runs (not "waiting"), so it has counters. */
export type RunningInstance = InstanceStatus & { counters: InstanceCounters };

export const VIP6 = "2001:db8:0:1::1";

/** A UCI config for one router: one vip section per argument (named by its
 * `name` key, default 'lan'), on the lab's br-lan, VRID 51, VIP
 * 198.18.0.1/24 unless the section says otherwise. */
export function uci(...sections: Record<string, string | string[]>[]): string {
  const lines = ["config floatgw 'global'", "\toption enabled '1'"];
  for (const { name = "lan", ...opts } of sections) {
    lines.push("", `config vip '${String(name)}'`);
    const all: Record<string, string | string[]> = { device: "br-lan", vrid: "51", address: [`${VIP}/24`], ...opts };
    for (const [k, v] of Object.entries(all)) {
      for (const item of Array.isArray(v) ? v : [v]) lines.push(`\t${Array.isArray(v) ? "list" : "option"} ${k} '${item}'`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Drops VRRP between the routers' switch ports, both ways, with an nft
 * bridge rule in the switch namespace (a split brain); returns the heal. */
export function partitionVrrp(sw: string, dir: string): () => void {
  const rules = join(dir, "split.nft");
  writeFileSync(rules, `table bridge fgsplit {
  chain forward_vrrp {
    type filter hook forward priority 0;
    iifname "pa" oifname "pb" ip protocol 112 drop
    iifname "pb" oifname "pa" ip protocol 112 drop
  }
}
`);
  must(["ip", "netns", "exec", sw, "nft", "-f", rules]);
  return () => {
    must(["ip", "netns", "exec", sw, "nft", "delete", "table", "bridge", "fgsplit"]);
  };
}

/** Adds options to the global section of a config made by uci(). */
export function withGlobal(config: string, opts: Record<string, string>): string {
  const lines = Object.entries(opts).map(([k, v]) => `\toption ${k} '${v}'`).join("\n");
  return config.replace("\toption enabled '1'\n", `\toption enabled '1'\n${lines}\n`);
}

export class Router {
  readonly dir: string;
  private daemon: ChildProcess | null = null;
  private output = "";

  constructor(private readonly lab: Lab, readonly ns: string, readonly address: string) {
    this.dir = mkdtempSync(join(tmpdir(), `${ns}-`));
  }

  get log(): string {
    return this.output;
  }

  /** The configuration the daemon was last started or reloaded with. */
  get config(): string {
    return readFileSync(join(this.dir, "floatgw"), "utf8");
  }

  /** br-lan's MAC: what the router's ARP replies and GARPs carry. */
  get mac(): string {
    return this.lab.exec(this.ns, ["cat", "/sys/class/net/br-lan/address"]).stdout.trim();
  }

  /** Starts floatgwd; `binary` may name another CPU's build with its qemu,
   * `env` adds to its environment. */
  startFloatgw(config: string, binary: string[] = [FLOATGWD], env: Record<string, string> = {}): void {
    writeFileSync(join(this.dir, "floatgw"), config);
    this.output = "";
    const child = this.lab.start(this.ns, [...binary, "run", "--config", join(this.dir, "floatgw"), "--run-dir", join(this.dir, "run")], env);
    child.stdout?.on("data", (b: Buffer) => (this.output += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (this.output += b.toString()));
    this.daemon = child;
  }

  /** Rewrites the configuration and sends SIGHUP, as procd's reload does. */
  reload(config: string): void {
    if (!this.daemon || !this.running) throw new Error(`floatgwd on ${this.ns} is not running`);
    writeFileSync(join(this.dir, "floatgw"), config);
    this.daemon.kill("SIGHUP");
  }

  /** Signals the daemon and resolves with its exit code (or signal name). */
  async stopFloatgw(signal: NodeJS.Signals = "SIGTERM"): Promise<number | string> {
    const child = this.daemon;
    if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error(`floatgwd on ${this.ns} is not running`);
    this.daemon = null;
    const exited = new Promise<number | string>((resolve) => child.on("exit", (code, sig) => resolve(code ?? sig ?? -1)));
    child.kill(signal);
    return exited;
  }

  /** The daemon's PID (`ip netns exec` execs it). */
  get pid(): number {
    const pid = this.daemon?.pid;
    if (pid === undefined) throw new Error(`floatgwd on ${this.ns} is not running`);
    return pid;
  }

  /** Sends the daemon a signal without waiting for anything. */
  signal(signal: NodeJS.Signals): void {
    if (!this.daemon) throw new Error(`floatgwd on ${this.ns} is not running`);
    this.daemon.kill(signal);
  }

  /** PIDs of the dead-man switch's watcher children (comm floatgwd-watch) on this router. */
  watchers(): number[] {
    return this.helpers("floatgwd-watch");
  }

  /** PIDs of the backup's listener children (comm floatgwd-listen) on this router. */
  listeners(): number[] {
    return this.helpers("floatgwd-listen");
  }

  /** PIDs of the daemon's live helper children named `comm` on this
   * router: not one that is exiting, as a replaced watcher does. */
  private helpers(comm: string): number[] {
    return run(["ip", "netns", "pids", this.ns]).stdout.split(/\s+/).filter(Boolean).map(Number).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === comm && argvOf(pid).length > 0;
      } catch {
        return false; // exited meanwhile
      }
    });
  }

  get running(): boolean {
    return this.daemon !== null && this.daemon.exitCode === null && this.daemon.signalCode === null;
  }

  /** `floatgw status --json` through the control socket; null if no answer. */
  status(): Status | null {
    const r = run([FLOATGWD, "status", "--json", "--run-dir", join(this.dir, "run")], 10_000);
    return r.status === 0 ? (JSON.parse(r.stdout) as Status) : null;
  }

  /** The first instance once it runs; null before. */
  instance(): RunningInstance | null {
    const i = this.status()?.instances[0];
    return i?.counters ? (i as RunningInstance) : null;
  }

  ctl(args: string[]): ReturnType<typeof run> {
    return run([FLOATGWD, ...args, "--run-dir", join(this.dir, "run")], 10_000);
  }

  /** Whether the kernel of this router has `address` on `device`. */
  has(address = VIP, device = "br-lan"): boolean {
    const r = this.lab.exec(this.ns, ["ip", "-o", "addr", "show", "dev", device]);
    return r.stdout.split("\n").some((l) => l.includes(` ${address}/`));
  }

  /** The IPv4 VIP's kernel lifetime left on br-lan, in seconds (`ip -j addr`), or null without it. */
  vipLifetime(address = VIP): number | null {
    const links = JSON.parse(this.lab.exec(this.ns, ["ip", "-j", "-4", "addr", "show", "dev", "br-lan"]).stdout) as { addr_info: { local: string; valid_life_time: number }[] }[];
    return links[0]?.addr_info.find((a) => a.local === address)?.valid_life_time ?? null;
  }

  state(): string | null {
    return this.instance()?.state ?? null;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** keepalived (Debian's) on a lab router, as a peer of floatgwd. */
export class Keepalived {
  private readonly conf: string;
  private readonly args: readonly string[];
  private child: ReturnType<Lab["start"]> | null = null;
  private output = "";

  /** `config` is the text of a keepalived.conf, written to the router's
   * directory and checked with `keepalived -t`; or an existing file run as
   * it is, with more options (`-i ID`). */
  constructor(
    private readonly lab: Lab,
    private readonly router: Router,
    config: string | { readonly file: string; readonly args: readonly string[] },
  ) {
    if (typeof config !== "string") {
      this.conf = config.file;
      this.args = config.args;
      return;
    }
    this.conf = join(router.dir, "keepalived.conf");
    this.args = [];
    writeFileSync(this.conf, config);
    const check = lab.exec(router.ns, ["keepalived", "-t", "-f", this.conf]);
    if (check.status !== 0) throw new Error(`keepalived -t rejected the config: ${check.stderr}`);
  }

  start(): void {
    const d = this.router.dir;
    const child = this.lab.start(this.router.ns, ["keepalived", "-n", "-l", "-D", "-P", "-f", this.conf,
      "-p", join(d, "ka.pid"), "-r", join(d, "ka-vrrp.pid"), "-G", ...this.args]);
    child.stdout?.on("data", (b: Buffer) => (this.output += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (this.output += b.toString()));
    this.child = child;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  }

  get log(): string {
    return this.output;
  }
}

/** Both routers of a lab with their addresses. */
export function routers(lab: Lab, ns: { a: string; b: string }): { a: Router; b: Router } {
  return { a: new Router(lab, ns.a, "198.18.0.2"), b: new Router(lab, ns.b, "198.18.0.3") };
}

/** A Lab for one test file, cleaned up (namespaces, processes, temp dirs)
 * after each test; `topology()` builds the two-router lab and its routers. */
export function useLab(): { lab: Lab; topology(): { ns: ReturnType<Lab["topology"]>; a: Router; b: Router } } {
  const lab = new Lab();
  const used: Router[] = [];
  afterEach(() => {
    lab.cleanup();
    for (const r of used.splice(0)) r.dispose();
  });
  return {
    lab,
    topology() {
      requireBinary();
      const ns = lab.topology();
      const r = routers(lab, ns);
      used.push(r.a, r.b);
      return { ns, ...r };
    },
  };
}
