// `floatgw status` for humans: the daemon's status (status-contract.ts) as
// one table per instance, then trackers, sync groups, virtual routes and the
// DHCP lease channel. `--json` prints the
// contract itself, for scripts.
import type {
  DaemonStatus, InstanceStatus, LeaseChannelStatus, PriorityStatus, RouteStatus, SyncGroupStatus, TrackerStatus, TransitionStatus,
  UbusLinkStatus,
} from "../daemon/status-contract";

/** Transitions shown per instance; --json has the last 20. */
const SHOWN_TRANSITIONS = 5;

/** Milliseconds as seconds with one decimal, by integer arithmetic (soft-float
 * MIPS rounds toFixed ties differently). */
export function seconds(ms: number): string {
  const tenths = Math.floor(ms / 100);
  return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
}

/** A duration as a human reads it: "4.2 s", "12m 05s", "3h 07m", "2d 04h". */
export function duration(ms: number): string {
  if (ms < 60_000) return seconds(ms);
  const s = Math.floor(ms / 1000);
  const two = (n: number): string => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d ${two(Math.floor(s / 3600) % 24)}h`;
}

function counts(d: Readonly<Record<string, number | undefined>>): string {
  const parts = Object.keys(d).map((k) => `${k} ${d[k] ?? 0}`);
  return parts.length ? parts.join(", ") : "none";
}

/** Label and value columns; continuation lines (empty label) align under the value. */
function table(rows: readonly (readonly [string, string])[], indent = "  "): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`.trimEnd());
}

function priority(p: PriorityStatus): string {
  const terms = p.contributions.filter((c) => c.source !== "base");
  if (terms.length === 0) return `${p.effective} (configured)`;
  const signed = (n: number): string => (n < 0 ? `- ${-n}` : `+ ${n}`);
  return `${p.effective} = base ${p.base} ${terms.map((c) => `${signed(c.value)} ${c.source} (${c.detail})`).join(" ")}`;
}

function stateLine(i: InstanceStatus): string {
  const t = i.lastTransition;
  const state = i.state.toUpperCase();
  if (i.state === "waiting") return `${state} for an IPv${i.family} address on ${i.device}`;
  return t ? `${state} for ${duration(t.agoMs)} (${t.reason})` : state;
}

function master(i: InstanceStatus): string {
  if (i.master === null) return "unknown";
  return i.master === i.primary ? `${i.master} (this router)` : i.master;
}

const DHCP_ROLES = {
  serving: "serving: this router's dnsmasq hands out leases",
  standby: "standing by: DHCP starts here when this router takes the VIP",
  off: "off (no dhcp '1')",
} as const;

function transitionRows(ts: readonly TransitionStatus[]): [string, string][] {
  if (ts.length === 0) return [["transitions", "none yet"]];
  const shown = ts.slice(-SHOWN_TRANSITIONS);
  const rows: [string, string][] = shown.map((t, n) => [n === 0 ? "transitions" : "", `${t.at}  ${t.from} -> ${t.to}: ${t.reason}`]);
  if (ts.length > shown.length) rows.push(["", `(${ts.length - shown.length} earlier ones in --json)`]);
  return rows;
}

function instanceLines(i: InstanceStatus): string[] {
  const rows: [string, string][] = [
    ["state", stateLine(i)],
    ["priority", priority(i.priority)],
    ...i.faults.map((f, n): [string, string] => [n === 0 ? "FAULT" : "", f]),
    ["master", master(i)],
    ["peer", i.peer ? `${i.peer.address}, priority ${i.peer.priority}, heard ${seconds(i.peer.lastSeenMsAgo)} ago` : "never heard"],
    ["VIPs", `${i.vips.join(", ")}: ${i.vipPresent ? "held by this router" : "not here"}`],
    ["DHCP", DHCP_ROLES[i.dhcp]],
  ];
  if (i.counters) {
    const c = i.counters;
    rows.push(["adverts", `rx ${c.advertsRx}, tx ${c.advertsTx}; priority 0 rx ${c.priorityZeroRx}, tx ${c.priorityZeroTx}; became master ${c.becameMaster}`]);
    rows.push(["dropped", counts(c.drops)]);
  }
  rows.push(...transitionRows(i.transitions));
  const where = i.interface ? `${i.device} (interface ${i.interface})` : i.device;
  return [`${i.name}: vrid ${i.vrid} on ${where}, VRRPv${i.version} IPv${i.family} ${i.mode}`
    + `${i.mode === "unicast" ? ` to ${i.unicastPeers.join(", ")}` : ""}${i.syncGroup === null ? "" : `, sync group ${i.syncGroup}`}`, ...table(rows)];
}

/** One line per tracker: "nginx (script): DOWN for 3.2 s: exit status 1; probes 40, failed 3, timed out 0". */
function trackerLines(ts: readonly TrackerStatus[]): string[] {
  const rows = ts.map((t): [string, string] => {
    const since = t.sinceMsAgo === null ? "" : ` for ${duration(t.sinceMsAgo)}`;
    const probes = t.probes ? `; probes ${t.probes.runs}, failed ${t.probes.failures}, timed out ${t.probes.timeouts}` : "";
    return [`${t.name} (${t.kind})`, `${t.state.toUpperCase()}${since}: ${t.detail}${probes}`];
  });
  return ["trackers", ...table(rows)];
}

/** "router (lan, wan)  MASTER for 12.1 s (wan: master down timer expired)". */
function groupLines(gs: readonly SyncGroupStatus[]): string[] {
  const rows = gs.map((g): [string, string] => {
    const t = g.lastTransition;
    return [`${g.name} (${g.members.join(", ")})`, `${g.state.toUpperCase()}${t ? ` for ${duration(t.agoMs)} (${t.reason})` : ""}`];
  });
  return ["sync groups", ...table(rows)];
}

/** "up (route, sync_group router)  present: default via 198.19.1.254 dev wan". */
function routeLines(rs: readonly RouteStatus[]): string[] {
  const rows = rs.map((r): [string, string] =>
    [`${r.name} (${r.kind}, ${r.owner})`, `${r.present ? "present" : "absent"}: ${r.spec}${r.error === null ? "" : `; NOT ADDED: ${r.error}`}`]);
  return ["virtual routes and rules", ...table(rows)];
}

function leaseChannelLines(l: LeaseChannelStatus): string[] {
  const c = l.counters;
  const rows: [string, string][] = [
    ["peer", `${l.peer ?? "unknown"}, ${l.lastRxMsAgo === null ? "never heard" : `heard ${seconds(l.lastRxMsAgo)} ago`}`],
    ["datagrams", `rx ${c.rx}, tx ${c.tx} (failed ${c.txFailed}), resyncs ${c.resyncs}; rejected: ${counts(c.rejected)}`],
    ["leases", `${l.leases.length} held`],
  ];
  for (const x of l.leases) rows.push(["", `${x.ip} ${x.mac} ${x.hostname} ${x.expires === 0 ? "never expires" : `expires ${new Date(x.expires * 1000).toISOString()}`}`]);
  if (l.lastWrite) {
    rows.push(["lease file", `${l.lastWrite.ok ? "wrote" : "FAILED to write"} ${l.lastWrite.leases} lease(s) into ${l.lastWrite.path} ${seconds(l.lastWrite.msAgo)} ago`]);
  }
  return [`DHCP lease channel (udp ${l.port}): ${l.degraded === null ? "OK" : `DEGRADED: ${l.degraded}`}`, ...table(rows)];
}

function ubusLine(u: UbusLinkStatus): string {
  if (u.state === "registered") return `ubus: object floatgw registered on ${u.socket}`;
  return `ubus: ${u.state === "connecting" ? "registering" : "not available"} (${u.detail ?? "unknown"})`;
}

export function renderStatus(s: DaemonStatus): string {
  const lines = [`floatgwd ${s.version}, pid ${s.pid}, up ${duration(s.uptimeMs)}`, ubusLine(s.ubus)];
  for (const d of s.devices) {
    lines.push(`device ${d.name}: ${d.up ? "up" : "DOWN"}${Object.keys(d.drops).length ? `; dropped before dispatch: ${counts(d.drops)}` : ""}`);
  }
  for (const i of s.instances) lines.push("", ...instanceLines(i));
  if (s.trackers.length > 0) lines.push("", ...trackerLines(s.trackers));
  if (s.syncGroups.length > 0) lines.push("", ...groupLines(s.syncGroups));
  if (s.routes.length > 0) lines.push("", ...routeLines(s.routes));
  if (s.mail) {
    const m = s.mail;
    lines.push("", `mail alerts: sent ${m.sent}, failed ${m.failed}${m.lastError === null ? "" : ` (last: ${m.lastError})`}, replaced by newer ${m.replaced}, waiting ${m.waiting + (m.sending ? 1 : 0)}`);
  }
  if (s.leaseChannel) lines.push("", ...leaseChannelLines(s.leaseChannel));
  return lines.join("\n") + "\n";
}
