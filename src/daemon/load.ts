// Reads /etc/config/floatgw into what the daemon runs, for the start and for
// every reload: the same path, the same checks, the same messages.
import { formatAddr, addrFromBytes } from "../core/addr";
import { loadConfig } from "../config/load";
import { checkVipSubnets } from "../config/subnet";
import type { VipAddress } from "../config/values";
import type { SyncGroupConfig } from "../config/sync-groups";
import type { GlobalConfig, ValidationResult } from "../config/validate";
import { readTextFile, sys } from "../platform/engine";
import { Rtnl } from "../platform/rtnl";
import type { TrackerSpec } from "../track/spec";
import { type InterfaceResolver, followers, instanceSpecs } from "./from-config";
import type { Follower } from "./routes";
import type { InstanceSpec } from "./spec";

export type Loaded =
  | {
    ok: true; global: GlobalConfig; specs: InstanceSpec[]; trackers: readonly TrackerSpec[];
    syncGroups: readonly SyncGroupConfig[]; followers: Follower[]; warnings: string[]; notes: string[];
  }
  | { ok: false; errors: string[]; warnings: string[] };

export function loadDaemonConfig(path: string, resolve: InterfaceResolver): Loaded {
  const text = readTextFile(path);
  if (text === null) return { ok: false, errors: [`cannot read ${path}`], warnings: [] };
  return daemonConfig(path, loadConfig(text), resolve);
}

/** What the daemon runs of a file read and validated (here or by a
 * `check --json` child on reload): the instances with their devices
 * resolved (by `resolve`: netifd), and the warnings that need the running
 * system. */
export function daemonConfig(path: string, result: ValidationResult, resolve: InterfaceResolver): Loaded {
  const warnings = result.warnings.map((w) => `${path}: ${w.message}`);
  if (!result.config) return { ok: false, errors: result.errors.map((e) => `${path}: ${e.message}`), warnings };
  if (!result.config.global.enabled) return { ok: false, errors: [`floatgw is disabled in ${path} (set global.enabled to 1)`], warnings };
  if (result.config.vips.length === 0) return { ok: false, errors: [`${path} has no enabled vip section`], warnings };
  // One question to netifd per interface, however many sections, routes
  // and rules name it.
  const resolved = new Map<string, string | null>();
  const cachedResolve: InterfaceResolver = (iface) => {
    if (!resolved.has(iface)) resolved.set(iface, resolve(iface));
    return resolved.get(iface) ?? null;
  };
  const specs = instanceSpecs(result.config, cachedResolve);
  if (!specs.ok) return { ok: false, errors: specs.errors.map((e) => `${path}: ${e}`), warnings };
  // Only now is each vip's device known, so only now can its VIPs be held
  // against the device's own subnets (a VIP outside them is a likely typo).
  const vipTexts = new Set(result.config.vips.flatMap((v) => v.addresses.map((a) => a.address)));
  const byDevice = new Map<string, VipAddress[] | null>();
  for (const [i, v] of result.config.vips.entries()) {
    const device = specs.specs[i]?.device;
    if (device !== undefined && !byDevice.has(device)) byDevice.set(device, deviceAddresses(device));
    const own = device === undefined ? null : byDevice.get(device) ?? null;
    if (own === null || device === undefined) continue;
    const subnets = own.filter((a) => !vipTexts.has(a.address));
    for (const w of checkVipSubnets(v, device, subnets)) warnings.push(`${path}: ${w.message}`);
  }
  const c = result.config;
  return { ok: true, global: c.global, specs: specs.specs, trackers: c.trackers, syncGroups: c.syncGroups, followers: followers(c, cachedResolve), warnings, notes: specs.notes };
}

/** The addresses on a device now, or null if it is not there (yet). */
function deviceAddresses(device: string): VipAddress[] | null {
  let ifindex: number;
  try {
    ifindex = sys.ifNameToIndex(device);
  } catch {
    return null;
  }
  const rtnl = new Rtnl();
  try {
    return rtnl.addresses(ifindex).flatMap((a) => {
      const addr = a.address ? addrFromBytes(a.address) : null;
      return addr ? [{ family: addr.family, address: formatAddr(addr), prefix: a.prefix }] : [];
    });
  } finally {
    rtnl.close();
  }
}
