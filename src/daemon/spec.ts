// One VRRP instance as the daemon runs it: the core's configuration minus
// what only the running system knows (our primary address), plus what only
// the platform needs (device, VIP prefixes, unicast peers).
import type { Addr } from "../core/addr";
import type { InstanceConfig } from "../core/instance-config";
import type { NotifyConfig } from "../config/notify";
import type { TrackUse } from "../track/spec";

export interface VipSpec {
  readonly addr: Addr;
  readonly prefix: number;
}

/** The core's InstanceConfig (name, vrid, version, family, priority,
 * advertIntervalCs, unicastPeers, preempt, delays, auth, gratuitous, codec), with VIPs
 * that carry their prefix and without the primary address. */
export interface InstanceSpec extends Omit<InstanceConfig, "primary" | "vips" | "syncGroup" | "beacon"> {
  /** The netifd interface the section names, if any (for hooks and status). */
  readonly interface: string | null;
  readonly device: string;
  readonly vips: readonly VipSpec[];
  /** Our source address; null: the device's first address of the family. */
  readonly unicastSrc: Addr | null;
  /** dnsmasq follows this instance (docs/dhcp.md); passed to hooks as DHCP. */
  readonly dhcp: boolean;
  /** The trackers that move this instance's priority or put it in FAULT. */
  readonly track: readonly TrackUse[];
  /** The sync group it belongs to; null: none. */
  readonly syncGroupName: string | null;
  /** Its notify scripts and mail alert. */
  readonly notify: NotifyConfig;
}

/** Field by field, so that nothing platform-only slips into the core. */
export function coreConfig(spec: InstanceSpec, primary: Addr): InstanceConfig {
  return {
    name: spec.name,
    vrid: spec.vrid,
    version: spec.version,
    family: spec.family,
    primary,
    vips: spec.vips.map((v) => v.addr),
    unicastPeers: spec.unicastPeers,
    priority: spec.priority,
    advertIntervalCs: spec.advertIntervalCs,
    preempt: spec.preempt,
    preemptDelayMs: spec.preemptDelayMs,
    startDelayMs: spec.startDelayMs,
    auth: spec.auth,
    gratuitous: spec.gratuitous,
    codec: spec.codec,
    syncGroup: spec.syncGroupName !== null,
    // The dead-man watcher child sends the periodic adverts (watcher.ts),
    // or, should it not run, the runner's own timer (runner.ts).
    beacon: true,
  };
}

/** Whether a new configuration of an instance differs from the running one
 * only in its priority, trackers and notify scripts, which then change live,
 * without a transition of their own. Becoming or ceasing to be the address
 * owner (255) is a restart. */
export function changesLive(a: InstanceSpec, b: InstanceSpec): boolean {
  if (a.priority !== b.priority && (a.priority === 255 || b.priority === 255)) return false;
  const fixed = (s: InstanceSpec): string => JSON.stringify({ ...s, priority: 0, track: [], notify: null });
  return fixed(a) === fixed(b);
}
