// The validated UCI configuration as the daemon runs it: one InstanceSpec
// per enabled `vip` section.
import { type Addr, parseAddr } from "../core/addr";
import { passwordKey } from "../core/packet";
import type { Centisec } from "../core/units";
import type { FloatgwConfig, VipConfig } from "../config/validate";
import type { InstanceSpec } from "./spec";

function addr(text: string): Addr {
  const a = parseAddr(text);
  // The validator has parsed every address already; failing here is a bug.
  if (!a) throw new Error(`floatgw bug: unparsable address ${text} after validation`);
  return a;
}

/** The device an instance runs on: `device` if set, else the interface
 * name, which on OpenWrt's default LAN is resolved later by ifstatus. */
export function deviceOf(v: VipConfig): string {
  return v.device ?? v.interface ?? "br-lan";
}

export function instanceSpec(v: VipConfig): InstanceSpec {
  const key = v.authPass === null ? null : passwordKey(v.authPass);
  return {
    name: v.name,
    device: deviceOf(v),
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
  };
}

export function instanceSpecs(config: FloatgwConfig): InstanceSpec[] {
  return config.vips.map(instanceSpec);
}
