// Every configured tracker, running once however many vips follow it: the
// polled ones drive the pure model of src/track/poll.ts with the platform's
// probes and timers, link trackers feed the netlink monitor's events to the
// link model of src/track/link.ts, interface trackers follow netifd. When a
// tracker's state (or its number) changes, the vips that follow it are
// told, and they work out their priority and FAULT (src/core/priority.ts).
import type { TrackTerm, TrackerState } from "../core/priority";
import type { Ms } from "../core/units";
import type { Netifd } from "../integrations/netifd";
import type { Children } from "../platform/children";
import { after, sys } from "../platform/engine";
import { linkFlags } from "../platform/netlink";
import { type Prober, prober } from "../platform/probes";
import type { Rtnl, RtnlEvent } from "../platform/rtnl";
import { type LinkPresence, type LinkState, MIN_DELETION_GRACE_MS, createLink, describePresence, ownCarrier, stepLink } from "../track/link";
import { type PollAction, type PollEvent, type PollState, createPoll, stepPoll } from "../track/poll";
import { type PolledSpec, type TrackUse, type TrackerSpec, isPolled } from "../track/spec";
import { guarded, type Logger } from "./log";
import type { TrackerStatus } from "./status-contract";

export interface TrackerHost {
  now(): Ms;
  /** A tracker's state or number changed: the vips that follow it must look again. */
  changed(tracker: string): void;
  readonly children: Children;
  readonly rtnl: Rtnl;
  readonly hostname: string;
  readonly netifd: Netifd;
}

interface Tracker {
  readonly spec: TrackerSpec;
  start(): void;
  stop(): void;
  term(use: TrackUse): TrackTerm;
  view(now: Ms): TrackerStatus;
  onEvents(events: readonly RtnlEvent[]): void;
}

function baseTerm(use: TrackUse, state: TrackerState, detail: string): TrackTerm {
  return { name: use.tracker, weight: use.weight, reverse: use.reverse, state, fileValue: null, dynamicWeight: null, detail };
}

class PolledTracker implements Tracker {
  private state: PollState;
  private readonly prober: Prober;
  private cancelTimer: (() => void) | null = null;
  private abortProbe: (() => void) | null = null;

  constructor(readonly spec: TrackerSpec & { readonly probe: PolledSpec }, private readonly host: TrackerHost, private readonly log: Logger) {
    this.state = createPoll(spec.probe.poll);
    this.prober = prober(spec.probe, { children: host.children, hostname: host.hostname });
  }

  start(): void {
    this.feed({ kind: "start" });
  }

  stop(): void {
    this.feed({ kind: "stop" });
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.prober.close();
  }

  private feed(e: PollEvent): void {
    const now = this.host.now();
    const before = this.state;
    const r = stepPoll(this.state, e, now);
    this.state = r.state;
    for (const a of r.actions) this.perform(a);
    this.cancelTimer?.();
    this.cancelTimer = r.nextDeadline === null ? null : after(r.nextDeadline - now, guarded(this.log, "tracker timer", () => {
      this.cancelTimer = null;
      this.feed({ kind: "timeout" });
    }));
    if (before.verdict !== this.state.verdict || (this.state.verdict === "up" && before.value !== this.state.value))
      this.host.changed(this.spec.name);
  }

  private perform(a: PollAction): void {
    switch (a.kind) {
      case "probe": {
        const run = a.run;
        // A probe may answer at once (a file, a failed spawn): the result
        // goes through the event loop, never into the middle of this step.
        this.abortProbe = this.prober.start((result) => {
          after(0, guarded(this.log, "tracker result", () => this.feed({ kind: "result", run, result })));
        });
        return;
      }
      case "abort":
        this.abortProbe?.();
        this.abortProbe = null;
        return;
      case "verdict":
        this.log(a.to === "up" ? "info" : "warn", `${a.from === "init" ? "" : `${a.from} -> `}${a.to}: ${a.detail}`);
        return;
    }
  }

  term(use: TrackUse): TrackTerm {
    const s = this.state;
    const t = baseTerm(use, s.verdict, s.last?.detail ?? (s.verdict === "down" ? "init_fail: down until it succeeds" : "no result yet"));
    if (this.spec.probe.kind === "file") return { ...t, fileValue: s.value };
    if (this.spec.probe.kind === "script" && this.spec.probe.dynamicWeight) return { ...t, dynamicWeight: s.value };
    return t;
  }

  view(now: Ms): TrackerStatus {
    const s = this.state;
    return {
      name: this.spec.name,
      kind: this.spec.probe.kind,
      state: s.verdict,
      detail: s.last?.detail ?? "no result yet",
      sinceMsAgo: s.since === null ? null : now - s.since,
      value: s.value,
      probes: { runs: s.counts.probes, failures: s.counts.failures, timeouts: s.counts.timeouts, lastMsAgo: s.last === null ? null : now - s.last.at },
    };
  }

  onEvents(): void {}
}

/** keepalived's track_interface: the carrier of a Linux device. */
class LinkTracker implements Tracker {
  private state: LinkState;
  private since: Ms | null = null;
  private cancelTimer: (() => void) | null = null;

  constructor(readonly spec: TrackerSpec & { readonly probe: { readonly kind: "link"; readonly device: string } }, private readonly host: TrackerHost,
    private readonly log: Logger) {
    this.state = createLink(spec.probe.device, this.lookup());
  }

  private lookup(): LinkPresence {
    let ifindex: number;
    try {
      ifindex = sys.ifNameToIndex(this.spec.probe.device);
    } catch {
      return "missing";
    }
    const link = this.host.rtnl.getLink(ifindex);
    if (!link) return "missing";
    const f = linkFlags(link.flags);
    return f.adminUp && f.carrier ? "up" : "down";
  }

  start(): void {
    this.since = this.host.now();
    this.log("info", describePresence(this.spec.probe.device, this.state.reported));
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  onEvents(events: readonly RtnlEvent[]): void {
    const name = this.spec.probe.device;
    const deleted = events.some((e) => e.kind === "link-deleted" && e.link.name === name);
    for (const e of events) {
      if (e.kind === "link" && e.link.name === name && !deleted)
        this.feed({ kind: "link", ...linkFlags(e.link.flags), ownCarrier: ownCarrier(e.link.kind) });
      if (e.kind === "link-deleted" && e.link.name === name) this.feed({ kind: "deleted", graceMs: MIN_DELETION_GRACE_MS });
    }
  }

  private feed(e: Parameters<typeof stepLink>[1]): void {
    const now = this.host.now();
    const r = stepLink(this.state, e, now);
    this.state = r.state;
    for (const a of r.actions) {
      if (a.kind !== "report") continue; // VIPs are the instance device's business
      this.since = now;
      this.log(a.presence === "up" ? "info" : "warn", a.reason);
      this.host.changed(this.spec.name);
    }
    this.cancelTimer?.();
    this.cancelTimer = r.nextDeadline === null ? null : after(r.nextDeadline - now, guarded(this.log, "link timer", () => {
      this.cancelTimer = null;
      this.feed({ kind: "timeout" });
    }));
  }

  private verdict(): TrackerState {
    return this.state.reported === "up" ? "up" : "down";
  }

  term(use: TrackUse): TrackTerm {
    return baseTerm(use, this.verdict(), describePresence(this.spec.probe.device, this.state.reported));
  }

  view(now: Ms): TrackerStatus {
    return {
      name: this.spec.name,
      kind: "link",
      state: this.verdict(),
      detail: describePresence(this.spec.probe.device, this.state.reported),
      sinceMsAgo: this.since === null ? null : now - this.since,
      value: null,
      probes: null,
    };
  }
}

/** A netifd interface, up or down as netifd reports it: its state from
 * netifd's status call at start (and whenever ubus events start to flow again), then
 * netifd's `network.interface` events on ubus (interfaceEvent). */
class InterfaceTracker implements Tracker {
  private state: TrackerState = "init";
  private detail = "not asked yet";
  private since: Ms | null = null;

  constructor(readonly spec: TrackerSpec & { readonly probe: { readonly kind: "interface"; readonly interface: string } }, private readonly host: TrackerHost,
    private readonly log: Logger) {}

  start(): void {
    this.refresh();
  }

  refresh(): void {
    const iface = this.spec.probe.interface;
    const up = this.host.netifd.interfaceUp(iface);
    this.set(up === true ? "up" : "down", up === null ? `netifd knows no interface ${iface} (no status answer)` : `${iface} ${up ? "up" : "down"} (netifd status)`);
  }

  stop(): void {}

  /** netifd's word: the action of its network.interface event (ifup or ifdown). */
  event(action: string): void {
    const iface = this.spec.probe.interface;
    if (action === "ifup") this.set("up", `${iface} ifup`);
    else if (action === "ifdown") this.set("down", `${iface} ifdown`);
  }

  private set(state: TrackerState, detail: string): void {
    this.detail = detail;
    if (state === this.state) return;
    this.state = state;
    this.since = this.host.now();
    this.log(state === "up" ? "info" : "warn", detail);
    this.host.changed(this.spec.name);
  }

  term(use: TrackUse): TrackTerm {
    return baseTerm(use, this.state, this.detail);
  }

  view(now: Ms): TrackerStatus {
    return { name: this.spec.name, kind: "interface", state: this.state, detail: this.detail,
      sinceMsAgo: this.since === null ? null : now - this.since, value: null, probes: null };
  }

  onEvents(): void {}
}

function makeTracker(spec: TrackerSpec, host: TrackerHost, log: Logger): Tracker {
  const p = spec.probe;
  if (p.kind === "link") return new LinkTracker({ ...spec, probe: p }, host, log);
  if (p.kind === "interface") return new InterfaceTracker({ ...spec, probe: p }, host, log);
  if (isPolled(p)) return new PolledTracker({ ...spec, probe: p }, host, log);
  throw new Error(`floatgw bug: unknown tracker kind`);
}

export class TrackerSet {
  private readonly trackers = new Map<string, Tracker>();

  constructor(private readonly host: TrackerHost, private readonly log: (name: string) => Logger) {}

  /** Brings the running trackers in line with `specs`: unchanged ones keep
   * their state, changed ones start over, removed ones stop. */
  apply(specs: readonly TrackerSpec[]): void {
    for (const [name, t] of this.trackers) {
      const next = specs.find((s) => s.name === name);
      if (next && JSON.stringify(next) === JSON.stringify(t.spec)) continue;
      t.stop();
      this.trackers.delete(name);
    }
    for (const spec of specs) {
      if (this.trackers.has(spec.name)) continue;
      const t = makeTracker(spec, this.host, this.log(`tracker ${spec.name}`));
      this.trackers.set(spec.name, t);
      t.start();
    }
  }

  /** The term a vip's use of a tracker contributes now. */
  term(use: TrackUse): TrackTerm {
    const t = this.trackers.get(use.tracker);
    // The config validator guarantees every used tracker exists.
    if (!t) return { name: use.tracker, weight: use.weight, reverse: use.reverse, state: "init", fileValue: null, dynamicWeight: null, detail: "not running" };
    return t.term(use);
  }

  onEvents(events: readonly RtnlEvent[]): void {
    for (const t of this.trackers.values()) t.onEvents(events);
  }

  /** netifd reported `action` (ifup, ifdown) for `iface`. */
  interfaceEvent(iface: string, action: string): void {
    for (const t of this.interfaceTrackers()) if (t.spec.probe.interface === iface) t.event(action);
  }

  /** Asks netifd again (its status call): events may have been missed while ubus was away. */
  refreshInterfaces(): void {
    for (const t of this.interfaceTrackers()) t.refresh();
  }

  private interfaceTrackers(): InterfaceTracker[] {
    return [...this.trackers.values()].filter((t): t is InterfaceTracker => t instanceof InterfaceTracker);
  }

  views(now: Ms): TrackerStatus[] {
    return [...this.trackers.values()].map((t) => t.view(now));
  }

  stop(): void {
    for (const t of this.trackers.values()) t.stop();
    this.trackers.clear();
  }
}
