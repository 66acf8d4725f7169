// What one VRRP instance is configured with, as the core sees it (the config
// layer validates UCI into this), and the advert such an instance sends.

import { type Addr, type Family, formatAddr } from "./addr";
import { type Advert, type CodecOptions, type V2Auth, maxAddresses } from "./packet";
import type { Centisec, Priority, Vrid } from "./units";
import type { Version } from "./timing";

export interface GratuitousConfig {
  /** Burst on becoming master (keepalived `garp_master_repeat`, default 5). */
  readonly count: number;
  /** Gap between the packets of a burst (keepalived `garp_interval`, default 0). */
  readonly spacingMs: number;
  /** Second burst this long after takeover (keepalived `garp_master_delay`, default 5 s); null: none. */
  readonly repeatDelayMs: number | null;
  /** Periodic refresh while master (keepalived `garp_master_refresh`, default off); null: none. */
  readonly refreshMs: number | null;
  /** Packets per refresh (keepalived `garp_master_refresh_repeat`, default 1). */
  readonly refreshCount: number;
}

export const DEFAULT_GRATUITOUS: GratuitousConfig = {
  count: 5,
  spacingMs: 0,
  repeatDelayMs: 5000,
  refreshMs: null,
  refreshCount: 1,
};

export interface InstanceConfig {
  /** For logs and status, e.g. the UCI section name. */
  readonly name: string;
  readonly vrid: Vrid;
  readonly version: Version;
  readonly family: Family;
  /** Our primary address on the link: the source of our adverts and the RFC 5798 §6.4.3 tie-breaker. */
  readonly primary: Addr;
  readonly vips: readonly Addr[];
  /** Unicast mode: the peers' addresses, the only ones whose adverts are
   * accepted. Empty: multicast to 224.0.0.18 / ff02::12. */
  readonly unicastPeers: readonly Addr[];
  /** Base priority; 255 makes this router the address owner (RFC 5798 §6.4.1). */
  readonly priority: Priority;
  /** Advertisement_Interval. For v2 a whole number of seconds (a multiple of 100 cs). */
  readonly advertIntervalCs: Centisec;
  readonly preempt: boolean;
  /** Hold-off after start-up before preempting a lower-priority master (keepalived `preempt_delay`). */
  readonly preemptDelayMs: number;
  /** Stay in Initialize this long after `start` (keepalived `vrrp_startup_delay`). */
  readonly startDelayMs: number;
  /** v2 only; v3 has no authentication (RFC 5798 §9). */
  readonly auth: V2Auth;
  readonly gratuitous: GratuitousConfig;
  readonly codec: CodecOptions;
  /** A member of a sync group: its Master_Down_Timer asks the group
   * (action wantMaster) instead of taking over, and the group decides
   * (events syncMaster, syncBackup; sync-group.ts). */
  readonly syncGroup: boolean;
  /** The platform sends a master's periodic adverts itself (a beacon,
   * action `beacon`): the core then keeps no Adver_Timer for them, so the
   * daemon need not wake every interval (docs/performance.md). False: the
   * core's Adver_Timer asks for each periodic advert (`sendAdvert`). */
  readonly beacon: boolean;
}

/** Reasons this config cannot run; empty when it can. For the config layer's validation. */
export function configProblems(c: InstanceConfig): string[] {
  const problems: string[] = [];
  if (c.version === 2 && c.family !== 4) problems.push("VRRPv2 is IPv4-only (RFC 3768); use version 3 for IPv6");
  if (c.version === 2 && c.advertIntervalCs % 100 !== 0)
    problems.push(`VRRPv2 intervals are whole seconds (RFC 3768 §5.3.7); got ${c.advertIntervalCs} cs`);
  if (c.version === 3 && c.auth.type !== "none") problems.push("VRRPv3 has no authentication (RFC 5798 §9)");
  if (c.primary.family !== c.family) problems.push(`primary address ${formatAddr(c.primary)} is not IPv${c.family}`);
  for (const v of c.vips)
    if (v.family !== c.family) problems.push(`virtual address ${formatAddr(v)} is not IPv${c.family}`);
  const max = maxAddresses(c.version, c.family);
  if (c.vips.length > max) problems.push(`at most ${max} virtual addresses fit in a VRRPv${c.version} IPv${c.family} advert`);
  return problems;
}

/** The advert this instance sends with `priority` (its effective one, or 0 to resign). */
export function advertFor(c: InstanceConfig, priority: number): Advert {
  if (c.version === 2) {
    return {
      version: 2,
      family: 4,
      vrid: c.vrid,
      priority,
      addrs: c.vips,
      adverIntervalSec: c.advertIntervalCs / 100,
      auth: c.auth,
    };
  }
  return { version: 3, family: c.family, vrid: c.vrid, priority, addrs: c.vips, maxAdverIntervalCs: c.advertIntervalCs };
}
