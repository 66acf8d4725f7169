// What the bench reports and what the RFCs say it should be. Shared by the
// runner (which fills in the fields) and the report (which renders them),
// so a metric's name, unit and theory live in one place.
import { PRIORITY, PROFILES, TRACK } from "./daemons.mjs";

/** Skew_Time: (256 - prio)/256 of the advert interval in v3 (RFC 5798
 * 6.1), (256 - prio)/256 s in v2 (RFC 3768 6.1). */
export function skewMs(profile, prio) {
  const p = PROFILES[profile];
  return ((256 - prio) / 256) * (p.version === 3 ? p.advertMs : 1000);
}

/** Master_Down_Interval = 3 * advert interval + Skew_Time. */
export const mdiMs = (profile, prio) => 3 * PROFILES[profile].advertMs + skewMs(profile, prio);

const mdiA = (p) => mdiMs(p, PRIORITY.a);
const mdiB = (p) => mdiMs(p, PRIORITY.b);
const skewB = (p) => skewMs(p, PRIORITY.b);
const zero = () => 0;
/** The longest a polled tracker takes to see a failure: `fall` probes, the
 * first up to one interval after the failure (the probe in flight may still
 * succeed), the last one answering when it is due. */
const detectMs = (probeMs) => TRACK.fall * TRACK.intervalMs + probeMs;

/** Each metric: the measure (one table in the report), the result field,
 * what it means, its unit, the theory value per profile (null: none), and
 * `bound` when the theory is an upper bound rather than an expected value. */
export const METRICS = [
  { measure: "election", field: "ms", what: "cold start of both daemons → a router holds the VIP", unit: "ms",
    theory: mdiA, note: "MDI of the higher priority router (150): both start as backup" },
  { measure: "death", field: "takeoverMs", what: "dead master's last advert → backup holds the VIP", unit: "ms", theory: mdiB },
  { measure: "death", field: "faultMs", what: "switch port down → backup holds the VIP", unit: "ms", theory: mdiB, bound: true },
  { measure: "death", field: "outageMs", what: "client outage (longest gap between ping replies)", unit: "ms", theory: mdiB, bound: true,
    note: "a gap between replies also holds up to one probe interval (see Machine) beyond the takeover" },
  { measure: "death", field: "lost", what: "lost probes", unit: "probes", theory: null },
  { measure: "death", field: "deadDropMs", what: "switch port down → the cut-off router drops the VIP", unit: "ms", theory: null,
    note: "its br-lan loses carrier through the kernel's linkwatch, up to 1 s after the port" },
  { measure: "sigkill", field: "detectMs", what: "killed master's last advert → backup holds the VIP", unit: "ms", theory: mdiB, bound: true,
    note: "floatgw's watcher sends the killed daemon's priority 0, so its backup takes over after its Skew_Time rather than its MDI" },
  { measure: "sigkill", field: "staleVip", what: "killed daemon's router still holds the VIP when the backup takes it (1 = yes)", unit: "", theory: null },
  { measure: "sigkill", field: "vipGoneMs", what: "SIGKILL → the killed daemon's router stops holding the VIP", unit: "ms",
    theory: null, limitField: "vipGoneLimitMs", note: "target ≤ 2000 ms, at 1 s adverts once a backup can have taken over (≤ 4250 ms); without a restart" },
  { measure: "sigkill", field: "twoHoldersAfterRestartMs", what: "both routers hold the VIP after the daemon restarts", unit: "ms",
    theory: null, note: "target: the restarted daemon drops the stale VIP while starting, before any election" },
  { measure: "sigkill", field: "outageMs", what: "client outage", unit: "ms", theory: mdiB, bound: true },
  { measure: "sigstop", field: "detectMs", what: "hung master's last advert → backup holds the VIP", unit: "ms", theory: mdiB, bound: true,
    note: "floatgw's watcher sends priority 0 once it finds the daemon stopped" },
  { measure: "sigstop", field: "vipGoneMs", what: "SIGSTOP → the hung daemon's router stops holding the VIP", unit: "ms",
    theory: null, limitField: "vipGoneLimitMs", note: "target as for SIGKILL" },
  { measure: "sigstop", field: "twoHoldersMs", what: "both routers hold the VIP", unit: "ms", theory: null, limitField: "vipGoneLimitMs" },
  { measure: "sigstop", field: "outageMs", what: "client outage", unit: "ms", theory: mdiB, bound: true },
  { measure: "stop", field: "takeoverMs", what: "SIGTERM of the master → backup holds the VIP", unit: "ms", theory: skewB },
  { measure: "stop", field: "outageMs", what: "client outage", unit: "ms", theory: skewB, bound: true },
  { measure: "stop", field: "lost", what: "lost probes", unit: "probes", theory: null },
  { measure: "switchover", field: "takeoverMs", what: "`floatgw switchover` → backup holds the VIP", unit: "ms", theory: skewB },
  { measure: "switchover", field: "outageMs", what: "client outage", unit: "ms", theory: null },
  { measure: "switchover", field: "lost", what: "lost probes", unit: "probes", theory: zero, bound: true },
  { measure: "preempt", field: "preemptMs", what: "old master's port up → it holds the VIP again", unit: "ms", theory: mdiA,
    note: "it returns as backup and waits its own MDI" },
  { measure: "preempt", field: "outageMs", what: "client outage", unit: "ms", theory: null },
  { measure: "preempt", field: "lost", what: "lost probes", unit: "probes", theory: zero, bound: true },
  { measure: "splitbrain", field: "healMs", what: "partition healed → one router holds the VIP", unit: "ms",
    theory: (p) => PROFILES[p].advertMs, bound: true },
  { measure: "splitbrain", field: "clientBackMs", what: "partition healed → client gets a reply from the master again", unit: "ms",
    theory: (p) => PROFILES[p].advertMs, bound: true, limitField: "clientBackLimitMs" },
  { measure: "splitbrain", field: "lost", what: "lost probes, partition and heal", unit: "probes", theory: null },
  { measure: "track-script", field: "takeoverMs", what: "check script starts failing (weight 0) → backup holds the VIP", unit: "ms",
    theory: (p) => detectMs(0) + skewB(p), bound: true,
    note: `interval ${TRACK.intervalMs} ms, fall ${TRACK.fall}; then the master's FAULT sends priority 0 and the backup waits its Skew_Time` },
  { measure: "track-weighted", field: "takeoverMs", what: `check script starts failing (weight ${TRACK.weight}) → backup holds the VIP`, unit: "ms",
    theory: (p) => detectMs(0) + mdiB(p), bound: true,
    note: "the master advertises 90 < 100; the backup ignores it and takes over when its MDI, counted from the last advert at 150, runs out" },
  { measure: "track-ping", field: "takeoverMs", what: "WAN gateway stops answering pings → backup holds the VIP", unit: "ms",
    theory: (p) => detectMs(TRACK.pingTimeoutMs) + skewB(p), bound: true,
    note: `ping every ${TRACK.intervalMs} ms, ${TRACK.pingTimeoutMs} ms timeout, fall ${TRACK.fall} (keepalived: a ping script, its VRRP has no ping check)` },
  { measure: "track-link", field: "takeoverMs", what: "WAN device loses carrier → backup holds the VIP", unit: "ms", theory: skewB,
    note: "theory: FAULT at once, priority 0, the backup's Skew_Time" },
  { measure: "sync-death", field: "lanMs", what: "A's LAN and WAN ports down → B holds the LAN VIP", unit: "ms", theory: mdiB, bound: true },
  { measure: "sync-death", field: "wanMs", what: "… → B holds the WAN VIP", unit: "ms", theory: mdiB, bound: true },
  { measure: "sync-death", field: "spreadMs", what: "between B's two VIPs", unit: "ms", theory: null,
    note: "each of B's members waits its own MDI; the group goes master once both want it, its VIPs one netlink request after the other (no theory: compared with keepalived's)" },
  { measure: "sync-death", field: "routeAfterVipMs", what: "B's WAN VIP → its virtual route in table 100", unit: "ms", theory: null },
  { measure: "sync-wan", field: "lanMs", what: "A's WAN port down → B holds the LAN VIP", unit: "ms", theory: mdiB, bound: true,
    note: "A's WAN instance goes to FAULT and its group with it; B's LAN member hears priority 0, but A's WAN priority 0 cannot cross the dead link: B's WAN member waits out its MDI, and the group goes master then" },
  { measure: "sync-wan", field: "wanMs", what: "… → B holds the WAN VIP", unit: "ms", theory: mdiB, bound: true },
  { measure: "sync-wan", field: "spreadMs", what: "between B's two VIPs", unit: "ms", theory: null },
  { measure: "sync-wan", field: "routeAfterVipMs", what: "B's WAN VIP → its virtual route in table 100", unit: "ms", theory: null },
  { measure: "dhcp", field: "sameAddress", what: "the client kept its address through the renewal (1 = yes)", unit: "", theory: null },
  { measure: "dhcp", field: "naks", what: "DHCPNAKs on the wire", unit: "", theory: zero, bound: true },
  { measure: "dhcp", field: "replicated", what: "B's lease file held the client's lease when its dnsmasq started serving (1 = yes)", unit: "", theory: null },
  { measure: "dhcp", field: "dhcpOnMs", what: "switch port down → B's dnsmasq serves DHCP", unit: "ms", theory: null,
    note: "B's takeover (MDI of B) plus the hook: OpenWrt's uci and dnsmasq init restarting dnsmasq (in ujail), on real OpenWrt 22.03 routers" },
  { measure: "dhcp", field: "renewAckMs", what: "renewal forced (SIGUSR1) once B serves → B's ACK", unit: "ms", theory: null,
    note: "busybox udhcpc first renews by unicast to its server, A, which is gone, and broadcasts 1 s later" },
  { measure: "dhcp", field: "requestAckMs", what: "the client's broadcast REQUEST → B's ACK", unit: "ms", theory: null },
  { measure: "dhcp", field: "ackMs", what: "switch port down → B's ACK", unit: "ms", theory: null },
  ...["floodBig", "floodForged", "floodForgedMax"].flatMap((measure) => [
    { measure, field: "ratePerS", what: "datagrams a second sent", unit: "/s", theory: null },
    { measure, field: "maxAdvertGapMs", what: "longest gap between two of the master's adverts", unit: "ms",
      theory: (p) => PROFILES[p].advertMs, note: "on time: one advert interval (plus the wire's jitter)" },
    { measure, field: "takeovers", what: "backup takeovers", unit: "", theory: zero, bound: true },
  ]),
];

export const MEASURES = {
  election: "Election from a cold start",
  death: "Router death (master's switch port down right after one of its adverts)",
  sigkill: "Daemon SIGKILL on the master, restarted once the backup took over",
  sigstop: "Hung daemon: SIGSTOP of every process of the master's daemon, SIGCONT once the backup took over",
  stop: "Graceful stop (SIGTERM) of the master",
  switchover: "Planned switchover (`floatgw switchover`; keepalived has none)",
  preempt: "Preempt: the old master's port comes back",
  splitbrain: "Split brain: both ways partitioned until both hold the VIP, then healed (five times per session at 100 ms adverts and below: n counts heals)",
  "track-script": "Tracked failure: check script, weight 0 (FAULT)",
  "track-weighted": "Tracked failure: check script with a negative weight",
  "track-ping": "Tracked failure: ping of the WAN gateway, weight 0",
  "track-link": "Tracked failure: carrier of the WAN device, weight 0",
  floodBig: "Lease channel flood (floatgw only): 64 KiB datagrams with the channel's magic from a LAN host, 200 a second, for 6 s",
  floodForged: "Lease channel flood (floatgw only): 1400-byte datagrams forged from the backup's address (each costs a MAC check), 2000 a second",
  floodForgedMax: "Lease channel flood (floatgw only): the same, as fast as the attacker can send",
  "sync-death": "Sync group (LAN + WAN, a virtual route on the WAN): router death",
  "sync-wan": "Sync group: the master's WAN link fails (its WAN instance in FAULT takes the group)",
  dhcp: "DHCP continuity (floatgw only: keepalived does not touch dnsmasq): a client with a lease from A renews after A's port goes down",
};

/** Median, min, max and count of the values that are there (null and
 * undefined are runs that did not measure it); null when none is. */
export function stats(values) {
  const v = values.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1], n: v.length };
}

/** Of the idle windows `records`, floatgw's and keepalived's for the load
 * and role of the idle window `of`; floatgw / keepalived of on-CPU time for
 * each repetition both measured, and the median of those ratios (null:
 * none). Ratios of windows of the same repetition, never of medians: both
 * pairs idle in the same wall-clock window, and one window moves by ±15 %. */
export function idleRatios(records, of) {
  const windows = (impl) => records.filter((r) => r.impl === impl && r.role === of.role
    && r.profile === of.profile && r.advertMs === of.advertMs && r.vrids === of.vrids);
  const floatgw = windows("floatgw");
  const keepalived = windows("keepalived");
  const ratios = floatgw.flatMap((f) => {
    const k = keepalived.find((r) => r.rep === f.rep);
    return k ? [f.onCpuMs / k.onCpuMs] : [];
  });
  return { floatgw, keepalived, ratios, median: stats(ratios)?.median ?? null };
}
