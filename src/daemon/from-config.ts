// The validated UCI configuration as the daemon runs it: one InstanceSpec
// per enabled `vip` section, on a device resolved from its netifd interface.
import { type Addr, parseAddr } from "../core/addr";
import { passwordKey } from "../core/packet";
import type { Centisec } from "../core/units";
import type { FloatgwConfig, VipConfig } from "../config/validate";
import type { Follower } from "./routes";
import type { InstanceSpec } from "./spec";

function addr(text: string): Addr {
  const a = parseAddr(text);
  // The validator has parsed every address already; failing here is a bug.
  if (!a) throw new Error(`floatgw bug: unparsable address ${text} after validation`);
  return a;
}

/** Finds the device behind a netifd interface name; null if it cannot. */
export type InterfaceResolver = (iface: string) => string | null;

export type SpecsResult = { ok: true; specs: InstanceSpec[]; notes: string[] } | { ok: false; errors: string[] };

/** The device an instance runs on: its netifd interface's device where that
 * resolves, else the explicit `device` option. Says which it used. */
function deviceOf(v: VipConfig, resolve: InterfaceResolver): { device: string; note: string } | string {
  if (v.interface !== null) {
    const resolved = resolve(v.interface);
    if (resolved !== null) return { device: resolved, note: `vip '${v.name}': interface '${v.interface}' is device ${resolved}` };
    if (v.device !== null)
      return { device: v.device, note: `vip '${v.name}': interface '${v.interface}' not resolved; using option device '${v.device}'` };
    return `vip '${v.name}': cannot resolve interface '${v.interface}' to a device (netifd does not answer for it); set option device`;
  }
  if (v.device !== null) return { device: v.device, note: `vip '${v.name}': device ${v.device}` };
  return `vip '${v.name}': needs option interface or device`;
}

function instanceSpec(v: VipConfig, device: string): InstanceSpec {
  const key = v.authPass === null ? null : passwordKey(v.authPass);
  return {
    name: v.name,
    interface: v.interface,
    device,
    family: v.family,
    version: v.version,
    vrid: v.vrid,
    priority: v.priority,
    advertIntervalCs: v.advertIntCs as Centisec,
    vips: v.addresses.map((a) => ({ addr: addr(a.address), prefix: a.prefix })),
    preempt: v.preempt,
    preemptDelayMs: v.preemptDelayMs,
    startDelayMs: v.startDelayMs,
    auth: key === null ? { type: "none" } : { type: "pass", key },
    gratuitous: {
      count: v.garpCount,
      spacingMs: v.garpSpacingMs,
      repeatDelayMs: v.garpRepeatDelayMs > 0 ? v.garpRepeatDelayMs : null,
      refreshMs: v.garpRefreshMs > 0 ? v.garpRefreshMs : null,
      refreshCount: v.garpRefreshCount,
    },
    codec: { v3Ipv4PseudoHeader: v.v3ChecksumPseudoHeader },
    unicastPeers: v.unicastPeers.map((p) => addr(p.address)),
    unicastSrc: v.unicastSrc ? addr(v.unicastSrc.address) : null,
    dhcp: v.dhcp,
    track: v.track,
    syncGroupName: v.syncGroup,
    notify: v.notify,
  };
}

/** One InstanceSpec per enabled vip section, or why not. Two sections that
 * land on one device with one VRID and family (an interface and a device
 * naming the same link) are refused here, once the devices are known. */
export function instanceSpecs(config: FloatgwConfig, resolve: InterfaceResolver): SpecsResult {
  const specs: InstanceSpec[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  const owners = new Map<string, InstanceSpec>();
  for (const v of config.vips) {
    const d = deviceOf(v, resolve);
    if (typeof d === "string") {
      errors.push(d);
      continue;
    }
    const key = `${d.device} ${v.family} ${v.vrid}`;
    const clash = owners.get(key);
    if (clash) errors.push(`vip '${v.name}': vrid ${v.vrid} is already used on ${d.device} by vip '${clash.name}'`);
    notes.push(d.note);
    const spec = instanceSpec(v, d.device);
    if (!clash) owners.set(key, spec);
    specs.push(spec);
  }
  return errors.length ? { ok: false, errors } : { ok: true, specs, notes };
}

/** The routes and rules with their netifd interfaces resolved: a route's
 * `interface` to its device (else its `device` option), a rule's `in` and
 * `out` to devices (else taken as device names). */
export function followers(config: FloatgwConfig, resolve: InterfaceResolver): Follower[] {
  const dev = (name: string | null): string | null => (name === null ? null : (resolve(name) ?? name));
  return [
    ...config.routes.map((r): Follower => ({ kind: "route", config: r, device: (r.interface === null ? null : resolve(r.interface)) ?? r.device })),
    ...config.rules.map((r): Follower => ({ kind: "rule", config: r, in: dev(r.in), out: dev(r.out) })),
  ];
}
