// The daemon's status as data: the one contract behind `floatgw status
// --json`, the state file (<run-dir>/state.json), the ubus method `floatgw
// status` and the LuCI pages. src/daemon/status.ts builds it, the CLI renders
// it, ubus sends it as it is; docs/ubus.md describes every field.
//
// Types only, and no import that touches the engine: tests and tools import
// this file under Node.
//
// Times are "ms ago" (monotonic, exact) and, for transitions, also a
// wall-clock ISO string (a router without RTC may show 1970 until NTP ran).
// Addresses are strings as `ip` prints them; a VIP carries its prefix.
import type { Counters } from "../core/counters";
import type { TrackerState } from "../core/priority";
import type { Role } from "../core/state";
import type { Lease } from "../leases/table";
import type { RejectReason } from "../leases/wire";
import type { TrackerKind } from "../track/spec";

/** The core's roles, plus "waiting": the instance has no address of its
 * family on its device yet, so its state machine has not started. */
export type InstanceStateName = Role | "waiting";

export interface TransitionStatus {
  /** Wall clock, ISO 8601. */
  at: string;
  agoMs: number;
  from: Role;
  to: Role;
  reason: string;
}

/** One term of the effective priority. */
export interface PriorityContribution {
  /** "base" (the configured priority), "clamp" (the sum held in 1-254), or
   * what else moves the priority, e.g. a tracker's "track:<name>". */
  source: string;
  /** What it adds now; negative lowers the priority, 0 when it does not apply. */
  value: number;
  /** For humans: "configured priority", "wan down, weight -50". */
  detail: string;
}

export interface PriorityStatus {
  /** The configured priority. */
  base: number;
  /** What this router elects and advertises with. */
  effective: number;
  /** Base first; the values always add up to `effective`. */
  contributions: PriorityContribution[];
}

/** Whether this router's dnsmasq serves DHCP for the instance's LAN:
 * "serving" as master, "standby" otherwise (it takes over with the VIP),
 * "off" when the instance has no `dhcp '1'`. */
export type DhcpRole = "serving" | "standby" | "off";

export interface PeerStatus {
  /** The other router whose adverts this instance last heard. */
  address: string;
  priority: number;
  lastSeenMsAgo: number;
}

/** An instance's counts as status reports them: the core's counters
 * without the transition history, which status gives apart. */
export type InstanceCounters = Omit<Counters, "lastTransition" | "history">;

export interface InstanceStatus {
  /** The UCI section name of the vip. */
  name: string;
  /** The sync group it belongs to, if any. */
  syncGroup: string | null;
  /** The netifd interface the section names, if any. */
  interface: string | null;
  device: string;
  vrid: number;
  version: 2 | 3;
  family: 4 | 6;
  state: InstanceStateName;
  priority: PriorityStatus;
  /** Why the instance is (or, while waiting, would be) in FAULT: its link,
   * and each tracker of weight 0 that fails; empty when healthy. */
  faults: string[];
  /** This router's own address on the device (the adverts' source). */
  primary: string | null;
  /** The current master's address: ours when master, the master heard when
   * backup, null when unknown. */
  master: string | null;
  /** "address/prefix". */
  vips: string[];
  /** Whether the VIPs are on this router's interface now. */
  vipPresent: boolean;
  mode: "multicast" | "unicast";
  unicastPeers: string[];
  advertIntervalMs: number;
  /** The master's advert interval (learned from the master in VRRPv3). */
  masterAdvertIntervalMs: number;
  peer: PeerStatus | null;
  dhcp: DhcpRole;
  /** null while "waiting". */
  counters: InstanceCounters | null;
  lastTransition: TransitionStatus | null;
  /** The last 20, oldest first. */
  transitions: TransitionStatus[];
}

export interface DeviceStatus {
  name: string;
  /** -1 while the interface does not exist. */
  ifindex: number;
  up: boolean;
  /** Datagrams dropped before they reached an instance, by reason. */
  drops: Record<string, number>;
}

/** The DHCP lease channel (docs/dhcp.md). */
export interface LeaseChannelStatus {
  port: number;
  /** Our address the channel listens on (on the instance's device), or null until known. */
  listening: string | null;
  peer: string | null;
  lastRxMsAgo: number | null;
  /** Why DHCP failover is degraded; null when the channel is healthy. */
  degraded: string | null;
  leasefile: string;
  lastWrite: { msAgo: number; path: string; leases: number; ok: boolean } | null;
  /** paused: times the MAC budget ran out and reading stopped until it refilled. */
  counters: { rx: number; tx: number; txFailed: number; resyncs: number; paused: number; rejected: Record<RejectReason, number> };
  leases: Lease[];
}

/** floatgwd's own place on ubus (docs/ubus.md). */
export interface UbusLinkStatus {
  socket: string;
  /** "registered": the object `floatgw` answers calls; "connecting": ubusd
   * accepted, registration under way; "unavailable": no ubusd (retrying). */
  state: "registered" | "connecting" | "unavailable";
  objectId: number | null;
  /** Why not registered, when it is not. */
  detail: string | null;
  /** Whether something subscribed to the object (`ubus subscribe floatgw`):
   * the `state` notifications go out only then. */
  subscribers: boolean;
  eventsSent: number;
  /** Transition events that could not be sent (ubusd absent). */
  eventsDropped: number;
}

/** One tracker (docs/tracking.md), as it stands for every vip that lists it. */
export interface TrackerStatus {
  /** The tracker section's name. */
  name: string;
  kind: TrackerKind;
  /** "init" until its first result. */
  state: TrackerState;
  /** The last result or event: "exit status 1", "HTTP 503", "interface wan down". */
  detail: string;
  sinceMsAgo: number | null;
  /** A file's number, or a script's dynamic weight; null otherwise. */
  value: number | null;
  /** Polled trackers: probes run, failed, timed out, and the last one's age. */
  probes: { runs: number; failures: number; timeouts: number; lastMsAgo: number | null } | null;
}

/** A sync group (keepalived's vrrp_sync_group): its members change state together. */
export interface SyncGroupStatus {
  name: string;
  /** "init" until every member has started. */
  state: Role;
  /** The vip sections in it. */
  members: string[];
  lastTransition: { agoMs: number; from: Role; to: Role; reason: string } | null;
}

/** A virtual route or rule: present while its vip or sync group is master here. */
export interface RouteStatus {
  /** The route or rule section's name. */
  name: string;
  kind: "route" | "rule";
  /** "vip lan" or "sync_group router". */
  owner: string;
  /** As `ip route` / `ip rule` write it: "default via 198.19.1.254 dev wan". */
  spec: string;
  /** Whether floatgw has it in the kernel now. */
  present: boolean;
  /** Why the last attempt to add it failed; null otherwise. */
  error: string | null;
}

/** The mail alerts' outbox (smtp_alert); null in DaemonStatus when no mail can go out. */
export interface MailStatus {
  sent: number;
  failed: number;
  /** Mails replaced by a newer one for the same instance or group before they went. */
  replaced: number;
  waiting: number;
  /** A mail is being delivered now. */
  sending: boolean;
  /** Why the last mail that failed did. */
  lastError: string | null;
}

export interface DaemonStatus {
  version: string;
  pid: number;
  uptimeMs: number;
  devices: DeviceStatus[];
  instances: InstanceStatus[];
  trackers: TrackerStatus[];
  syncGroups: SyncGroupStatus[];
  routes: RouteStatus[];
  /** null unless mail alerts can go out (smtp_server and notification_email set). */
  mail: MailStatus | null;
  /** null unless some instance has `dhcp '1'`. */
  leaseChannel: LeaseChannelStatus | null;
  ubus: UbusLinkStatus;
}

/** The ubus event `floatgw.state` (and the notification `state` to the
 * object's subscribers), sent on every transition of an instance. */
export interface TransitionEvent {
  instance: string;
  interface: string | null;
  device: string;
  vrid: number;
  from: Role;
  to: Role;
  /** The effective priority after the transition. */
  priority: number;
  reason: string;
  vips: string[];
  dhcp: DhcpRole;
}
