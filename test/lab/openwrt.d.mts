// Types of openwrt.mjs (the lab of two real OpenWrt routers, a switch and a client).
import type { ChildProcess } from "node:child_process";

export declare const ROOT: string;
export declare const VIP: string;
export declare const ROUTERS: { a: string; b: string };
export declare const CLIENT: string;

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}
export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
}
/** A child started by the lab, with the end of its stderr. */
export type LabChild = ChildProcess & { log: string };

export declare function sleep(ms: number): Promise<void>;
export declare function run(argv: string[], opts?: RunOptions): Result;
export declare function must(argv: string[], opts?: RunOptions): string;
/** PIDs (on the host) of every process in network namespace `ns`. */
export declare function netnsPids(ns: string): number[];
/** Whether process `pid` still runs under the name `comm`. */
export declare function alive(pid: number, comm: string): boolean;
export declare function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs?: number, explain?: () => string): Promise<T>;

export type RouterName = "a" | "b";
export type Role = RouterName | "sw" | "c";

export declare class Router {
  readonly lab: OpenWrtLab;
  readonly name: RouterName;
  readonly ns: string;
  readonly address: string;
  /** procd's PID on the host. */
  readonly pid: number;
  argv(script: string): string[];
  sh(script: string, opts?: { timeoutMs?: number; input?: string }): Result;
  must(script: string, opts?: { timeoutMs?: number; input?: string }): string;
  start(script: string): LabChild;
  /** A path inside the router as the host reaches it. */
  path(p: string): string;
  read(p: string): string;
  logread(): string;
  lanUp(timeoutMs?: number): Promise<void>;
  has(address?: string): boolean;
  pids(comm: string): number[];
}

/** The x86_64 .ipk `make package` built. */
export declare function builtIpk(): string;
/** Installs floatgw on a booted router as a user does: `opkg install
 * ./floatgw_<version>_x86_64.ipk` (the built one by default); returns opkg's output. */
export declare function installFloatgw(router: Router, ipk?: string): string;
/** docs/install.md's setup commands for router r, with the lab's VIP and extra vip options. */
export declare function setupCommands(r: RouterName, extra?: Record<string, string>): string;
/** `floatgw status --json` on the router, or null while it does not answer. */
export declare function floatgwStatus(router: Router): unknown;

/** The router's dnsmasq: its generated config, its DHCP on br-lan ("changing"
 * while a restart has the config and the running process disagree), its host PID. */
export declare function dnsmasqState(router: Router): { conf: string; dhcp: "on" | "off" | "changing"; pid: number | null };

/** VRRPv3 with 100 ms adverts. */
export declare const FAST: Record<string, string>;
/** Installs floatgw on both routers, sets them up as docs/install.md says
 * (plus extra vip options), A first; resolves with A master serving DHCP,
 * B backup with DHCP off. */
export declare function setUpPair(lab: OpenWrtLab, extra?: Record<string, string>): Promise<void>;

export interface DhcpEvent {
  event: string;
  ip: string;
  router: string;
  dns: string;
  serverid: string;
}
/** busybox udhcpc on the lab's client. */
export declare class DhcpClient {
  constructor(lab: OpenWrtLab, opts?: { iface?: string; request?: string });
  readonly log: string;
  readonly child: LabChild;
  get events(): DhcpEvent[];
  get lease(): DhcpEvent | undefined;
  renew(): void;
}


export declare class OpenWrtLab {
  constructor(opts?: { prefix?: string });
  readonly prefix: string;
  readonly ns: Record<Role, string>;
  readonly dir: string;
  routers: Partial<Record<RouterName, Router>>;
  static attach(prefix: string): OpenWrtLab;
  get a(): Router;
  get b(): Router;
  up(opts?: { routers?: RouterName[] }): Promise<void>;
  spawn(argv: string[], env?: Record<string, string>, fd?: number): LabChild;
  exec(role: Role, argv: string[], opts?: RunOptions): Result;
  must(role: Role, argv: string[], opts?: RunOptions): string;
  start(role: Role, argv: string[]): LabChild;
  port(r: RouterName, state: "up" | "down"): void;
  macs(): Record<string, RouterName>;
  pids(role: Role, comm: string): number[];
  cleanup(): void;
}
