// Builds the daemon's status (the contract in status-contract.ts) from the
// running devices and instances.
import { formatAddr } from "../core/addr";
import type { TransitionRecord } from "../core/counters";
import type { PriorityBreakdown } from "../core/priority";
import type { Role } from "../core/state";
import type { Ms } from "../core/units";
import type { Device } from "./device";
import type { Runner } from "./runner";
import type { InstanceSpec } from "./spec";
import type {
  DaemonStatus, DeviceStatus, DhcpRole, InstanceStatus, LeaseChannelStatus, MailStatus, PriorityStatus, RouteStatus, SyncGroupStatus, TrackerStatus,
  TransitionStatus, UbusLinkStatus,
} from "./status-contract";

function wallClock(at: Ms, now: Ms): string {
  return new Date(Date.now() - (now - at)).toISOString();
}

function transition(t: TransitionRecord, now: Ms): TransitionStatus {
  return { at: wallClock(t.at, now), agoMs: now - t.at, from: t.from, to: t.to, reason: t.reason };
}

function masterAddress(r: Runner): string | null {
  const s = r.state;
  if (!s) return null;
  if (s.role === "master") return formatAddr(s.config.primary);
  if (s.role === "backup" && s.heard && s.heard.priority > 0) return formatAddr(s.heard.addr);
  return null;
}

export function dhcpRole(spec: InstanceSpec, role: Role | null): DhcpRole {
  if (!spec.dhcp) return "off";
  return role === "master" ? "serving" : "standby";
}

/** The breakdown as a list whose values add up to the effective priority:
 * the base, what each tracker adds now, and the clamp to 1-254. A tracker
 * that holds the instance in FAULT (or that it waits for) adds 0 and says so. */
export function priorityStatus(b: PriorityBreakdown): PriorityStatus {
  const contributions = [{ source: "base", value: b.base as number, detail: b.owner ? "configured priority (address owner)" : "configured priority" }];
  for (const t of b.terms) {
    const effect = t.effect === "fault" ? " -> FAULT" : t.effect === "pending" ? " -> waiting for its first result" : "";
    const ignored = b.owner && t.weight !== 0 ? " (ignored by the address owner)" : "";
    const detail = `${t.state}${t.reverse ? " (reverse)" : ""}, weight ${t.weight}${effect}${ignored}: ${t.detail}`;
    contributions.push({ source: `track:${t.name}`, value: t.applied, detail });
  }
  if (b.clampedFrom !== null) contributions.push({ source: "clamp", value: b.effective - b.clampedFrom, detail: `held in 1-254 (the sum is ${b.clampedFrom})` });
  return { base: b.base, effective: b.effective, contributions };
}

function instanceStatus(r: Runner, now: Ms): InstanceStatus {
  const s = r.state;
  const spec = r.spec;
  const c = s?.counters;
  return {
    name: spec.name,
    syncGroup: spec.syncGroupName,
    interface: spec.interface,
    device: spec.device,
    vrid: spec.vrid,
    version: spec.version,
    family: spec.family,
    state: s?.role ?? "waiting",
    priority: priorityStatus(r.breakdown),
    faults: r.faults,
    primary: s ? formatAddr(s.config.primary) : null,
    master: masterAddress(r),
    vips: spec.vips.map((v) => `${formatAddr(v.addr)}/${v.prefix}`),
    vipPresent: r.vipPresent,
    mode: spec.unicastPeers.length ? "unicast" : "multicast",
    unicastPeers: spec.unicastPeers.map(formatAddr),
    advertIntervalMs: spec.advertIntervalCs * 10,
    masterAdvertIntervalMs: (s?.masterAdverIntervalCs ?? spec.advertIntervalCs) * 10,
    peer: r.lastPeer
      ? { address: formatAddr(r.lastPeer.addr), priority: r.lastPeer.priority, lastSeenMsAgo: now - (r.peerSeenAt() ?? r.lastPeer.at) }
      : null,
    dhcp: dhcpRole(spec, s?.role ?? null),
    counters: c
      ? {
          advertsRx: r.advertsRx(), advertsTx: r.advertsSent(), priorityZeroRx: c.priorityZeroRx,
          priorityZeroTx: c.priorityZeroTx, becameMaster: c.becameMaster, transitions: c.transitions,
          addressMismatch: c.addressMismatch, otherMasterSeen: c.otherMasterSeen, drops: { ...c.drops },
        }
      : null,
    lastTransition: c?.lastTransition ? transition(c.lastTransition, now) : null,
    transitions: (c?.history ?? []).map((t) => transition(t, now)),
  };
}

export interface StatusParts {
  devices: readonly Device[];
  now: Ms;
  startedAt: Ms;
  pid: number;
  trackers: TrackerStatus[];
  syncGroups: SyncGroupStatus[];
  routes: RouteStatus[];
  mail: MailStatus | null;
  leaseChannel: LeaseChannelStatus | null;
  ubus: UbusLinkStatus;
}

export function daemonStatus(p: StatusParts): DaemonStatus {
  const devices: DeviceStatus[] = p.devices.map((d) => ({ name: d.name, ifindex: d.ifindex, up: d.up, drops: { ...d.drops } }));
  return {
    version: FLOATGW_VERSION,
    pid: p.pid,
    uptimeMs: p.now - p.startedAt,
    devices,
    instances: p.devices.flatMap((d) => d.runners.map((r) => instanceStatus(r, p.now))),
    trackers: p.trackers,
    syncGroups: p.syncGroups,
    routes: p.routes,
    mail: p.mail,
    leaseChannel: p.leaseChannel,
    ubus: p.ubus,
  };
}
