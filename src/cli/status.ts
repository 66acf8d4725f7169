// `floatgw status`: the daemon's status (control socket) for humans.
// --json prints what the daemon sent, unchanged, for scripts.

interface Transition { at: string; from: string; to: string; reason: string }
interface ContributionView { source: string; value: number; detail: string }
interface PriorityView { base: number; effective: number; contributions: ContributionView[] }
interface TrackerView {
  name: string; kind: string; state: string; detail: string; sinceMsAgo: number | null;
  probes: { runs: number; failures: number; timeouts: number } | null;
}
interface InstanceView {
  name: string; device: string; vrid: number; version: number; family: number; state: string;
  priority: PriorityView; faults: string[]; primary: string | null; master: string | null;
  vips: string[]; vipPresent: boolean; mode: string; unicastPeers: string[];
  peer: { address: string; priority: number; lastSeenMsAgo: number } | null;
  counters: {
    advertsRx: number; advertsTx: number; priorityZeroRx: number; priorityZeroTx: number;
    becameMaster: number; transitions: number; drops: Record<string, number>;
  } | null;
  transitions: Transition[];
}
interface LeaseChannelView {
  port: number; peer: string | null; lastRxMsAgo: number | null; degraded: string | null; leasefile: string;
  lastWrite: { msAgo: number; path: string; leases: number; ok: boolean } | null;
  counters: { rx: number; tx: number; txFailed: number; resyncs: number; rejected: Record<string, number> };
  leases: { mac: string; ip: string; hostname: string; expires: number }[];
}
interface StatusView {
  version: string; pid: number; uptimeMs: number;
  devices: { name: string; up: boolean; drops: Record<string, number> }[];
  instances: InstanceView[];
  trackers?: TrackerView[];
  leaseChannel?: LeaseChannelView | null;
}

const signed = (n: number): string => (n < 0 ? `- ${-n}` : `+ ${n}`);

/** "150 = base 150 - 60 track:gw (down, weight -60: no answer within 1000 ms)". */
function priorityLine(p: PriorityView): string {
  const terms = p.contributions.filter((c) => c.source !== "base");
  return `  priority: ${p.effective} = base ${p.base} ${terms.map((c) => `${signed(c.value)} ${c.source} (${c.detail})`).join(" ")}`;
}

function trackerLine(t: TrackerView): string {
  const since = t.sinceMsAgo === null ? "" : ` for ${seconds(t.sinceMsAgo)}`;
  const probes = t.probes ? `; probes ${t.probes.runs}, failed ${t.probes.failures}, timed out ${t.probes.timeouts}` : "";
  return `tracker ${t.name} (${t.kind}): ${t.state.toUpperCase()}${since}: ${t.detail}${probes}`;
}

function leaseChannelLines(l: LeaseChannelView): string[] {
  const c = l.counters;
  const rejected = Object.keys(c.rejected).map((k) => `${k} ${c.rejected[k]}`).join(", ");
  const lines = [
    `DHCP lease channel (udp ${l.port}): ${l.degraded === null ? "OK" : `DEGRADED: ${l.degraded}`}`,
    `  peer: ${l.peer ?? "unknown"}, last heard ${l.lastRxMsAgo === null ? "never" : `${seconds(l.lastRxMsAgo)} ago`}`,
    `  leases held ${l.leases.length}; datagrams rx ${c.rx}, tx ${c.tx} (failed ${c.txFailed}), resyncs ${c.resyncs}; rejected: ${rejected}`,
  ];
  if (l.lastWrite) {
    lines.push(`  ${l.lastWrite.ok ? "wrote" : "FAILED to write"} ${l.lastWrite.leases} lease(s) into ${l.lastWrite.path} ${seconds(l.lastWrite.msAgo)} ago`);
  }
  for (const x of l.leases) lines.push(`    ${x.ip} ${x.mac} ${x.hostname} ${x.expires === 0 ? "never expires" : `expires ${new Date(x.expires * 1000).toISOString()}`}`);
  return lines;
}

/** Milliseconds as seconds with one decimal, by integer arithmetic (soft-float
 * MIPS rounds toFixed ties differently). */
export function seconds(ms: number): string {
  const tenths = Math.floor(ms / 100);
  return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
}

function drops(d: Record<string, number>): string {
  const parts = Object.keys(d).map((k) => `${k} ${d[k]}`);
  return parts.length ? parts.join(", ") : "none";
}

function instanceLines(i: InstanceView, historyLimit: number): string[] {
  const lines = [
    `vrid ${i.vrid} '${i.name}' on ${i.device}: ${i.state.toUpperCase()}`
      + ` (VRRPv${i.version} IPv${i.family} ${i.mode}, priority ${i.priority.effective}`
      + `${i.priority.effective !== i.priority.base ? ` from base ${i.priority.base}` : ""})`,
    ...(i.priority.contributions.length > 1 ? [priorityLine(i.priority)] : []),
    ...i.faults.map((f) => `  FAULT: ${f}`),
    `  VIP ${i.vips.join(", ")}: ${i.vipPresent ? "held by this router" : "not here"}`,
    `  master: ${i.master === null ? "unknown" : i.master === i.primary ? `${i.master} (this router)` : i.master}`,
    `  peer: ${i.peer ? `${i.peer.address} priority ${i.peer.priority}, last seen ${seconds(i.peer.lastSeenMsAgo)} ago` : "never heard"}`,
  ];
  if (i.counters) {
    const c = i.counters;
    lines.push(`  adverts rx ${c.advertsRx}, tx ${c.advertsTx}; priority 0 rx ${c.priorityZeroRx}, tx ${c.priorityZeroTx}; `
      + `became master ${c.becameMaster}; dropped: ${drops(c.drops)}`);
  }
  const recent = i.transitions.slice(-historyLimit);
  if (recent.length) lines.push("  transitions:");
  for (const t of recent) lines.push(`    ${t.at}  ${t.from} -> ${t.to}: ${t.reason}`);
  return lines;
}

export function renderStatus(reply: unknown, historyLimit = 20): string {
  const s = reply as StatusView;
  const lines = [`floatgwd ${s.version}, pid ${s.pid}, up ${seconds(s.uptimeMs)}`];
  for (const d of s.devices) {
    lines.push(`device ${d.name}: ${d.up ? "up" : "DOWN"}${Object.keys(d.drops).length ? `; dropped before dispatch: ${drops(d.drops)}` : ""}`);
  }
  for (const i of s.instances) lines.push(...instanceLines(i, historyLimit));
  for (const t of s.trackers ?? []) lines.push(trackerLine(t));
  if (s.leaseChannel) lines.push(...leaseChannelLines(s.leaseChannel));
  return lines.join("\n") + "\n";
}
