// One VRRP instance on the real system: feeds the pure core with adverts,
// timer expiries, and the health of its link and trackers, and carries out
// the actions it returns (adverts on the wire, VIPs through netlink,
// gratuitous ARP / NA).
//
// A master's periodic adverts (the core's beacon) are sent by the watcher
// child (watcher.ts), so that the daemon does not wake for them; only when
// no child runs (fork failed) does a timer of ours send them.
//
// Every advert interval of a backup passes through here (an advert
// heard), so that path does as little as it can: a datagram equal to
// the last one decoded feeds the same event again (decoding is a function of
// the bytes and the path), the message we send is encoded once per
// priority, and one timer object is set again for each new deadline
// (docs/performance.md).
import { type Addr, formatAddr } from "../core/addr";
import { advertFor } from "../core/instance-config";
import { sameIpv4Datagram } from "../core/ipv4";
import { decodeAdvert, encodeAdvert } from "../core/packet";
import { type Contribution, type PriorityBreakdown, type TrackTerm, effectivePriority } from "../core/priority";
import { type Action, type BeaconSchedule, type Event, type InstanceState, type Role, TIMEOUT, createInstance, masterDownWatch, nextBeaconAt, step } from "../core/state";
import { nextDeadline } from "../core/timers";
import type { Ms } from "../core/units";
import type { LinkPresence } from "../track/link";
import type { TrackUse } from "../track/spec";
import { Timer, after, bytesEqual, isSyscallError } from "../platform/engine";
import { type Received, VRRP_GROUP_V4, VRRP_GROUP_V6, type VrrpSocket } from "../platform/vrrp-socket";
import { guarded, type Logger } from "./log";
import { LogLimiter } from "./log-limiter";
import { type InstanceSpec, coreConfig } from "./spec";

/** What a runner needs from its device (device.ts) and the daemon. */
export interface RunnerHost {
  now(): Ms;
  /** Sends a VRRP message on the device; throws a syscall error on failure. */
  send(family: 4 | 6, message: Uint8Array, dst: Addr): void;
  /** Adds a VIP, with a kernel lifetime in seconds unless null; false if it was there. */
  addAddress(vip: Addr, prefix: number, lifetimeS: number | null): boolean;
  /** Renews a VIP's lifetime (putting it back if it expired). */
  refreshAddress(vip: Addr, prefix: number, lifetimeS: number): void;
  deleteAddress(vip: Addr, prefix: number): boolean;
  hasAddress(vip: Addr): boolean;
  announce(vip: Addr): void;
  /** Reads the datagrams already waiting on the device's socket of this
   * family, each to its instance, before a timer of ours is acted on. */
  receivePending(family: 4 | 6): void;
  /** Something status-worthy changed (priority, VIP) without a transition. */
  changed(): void;
  /** A transition (it is status-worthy too). */
  notify(spec: InstanceSpec, from: Role, to: Role, reason: string, priority: number): void;
  /** Runs a transition's actions as one batch with what they set off (a
   * sync group's other members): src/daemon/after-transitions.ts. */
  transitions(work: () => void): void;
  /** Runs `work` once every VIP the transitions under way add is on, and
   * the routes that follow them (now if none is under way). */
  afterVips(work: () => void): void;
  /** The current terms of the trackers this instance uses. */
  trackTerms(uses: readonly TrackUse[]): TrackTerm[];
  /** The faults the instance's sync group gives it (its other members' own). */
  groupFaults(spec: InstanceSpec): string[];
  /** The instance's own faults changed: its sync group's other members must look again. */
  ownFaultsChanged(spec: InstanceSpec): void;
  /** A sync group member would take over: its group decides. */
  wantMaster(spec: InstanceSpec, reason: string): void;
  /** The VIPs were just added (true) or are about to go (false): what follows mastership follows. */
  vipsHeld(spec: InstanceSpec, held: boolean): void;
  /** A master's timer ran: steps masters down at once if the dead-man
   * switch fired while the daemon hung (src/daemon/watcher.ts). */
  alive(): void;
  /** The instance's beacon started, changed or (`stopped`) stopped: the
   * watcher child takes the new plan (at once when stopped, so that no
   * periodic advert follows the priority 0). */
  beaconChanged(stopped: boolean): void;
  /** The periodic adverts the watcher children sent for the instance. */
  beaconsSent(name: string): number;
  /** What the instance's listener child should watch changed (listenWant):
   * the device's listener looks again (src/daemon/listener.ts). */
  listenChanged(family: 4 | 6): void;
}

/**
 * A hung or killed daemon's router lets go of the VIPs through the dead-man
 * switch (src/core/deadman.ts), within 2 s. IPv4 VIPs also live in the
 * kernel for a limited time unless renewed: the backstop for when the
 * switch cannot act (the daemon and its watcher both killed, `kill -9` of
 * every floatgwd), a case rare enough that a minute and a half of a
 * doubled VIP (the backup has taken over by then) is a fair price for the
 * cost of renewing: a netlink request and an RTM_NEWADDR notification per
 * VIP, so 90 s renewed every 30 s. The watcher child that sends the beacon
 * sends the renewals too, on the same schedule (watcher.ts): a renewal
 * then wakes the daemon neither for its timer nor, as the monitor's
 * filter drops it, for its notification (rtnl.ts); the runner renews
 * itself only while no child does. A healthy master loses nothing unless
 * its loop stalls for 60 s, and then only until the next renewal; a hung
 * one's child stops renewing when it fires. IPv6 VIPs keep an infinite
 * lifetime: odhcpd derives router advertisements from address lifetimes
 * (docs/robustness.md).
 */
const VIP_LIFETIME_S = 90;
const VIP_RENEW_MS = ((VIP_LIFETIME_S * 1000) / 3) as Ms;

export interface PeerSeen {
  readonly addr: Addr;
  readonly priority: number;
  at: Ms;
}

/** A VRRP message that reached this instance (its VRID, its family). */
export interface Incoming {
  payload: Uint8Array;
  src: Addr;
  dst: Addr;
  ttl: number;
  /** The datagram as the socket read it (IPv4: with its IP header), kept to
   * recognise the same one again. */
  raw: Uint8Array;
}

/** The last datagram that decoded, and the event it made. */
export interface Decoded {
  readonly raw: Uint8Array;
  readonly src: Addr;
  readonly dst: Addr;
  readonly ttl: number;
  readonly event: Event;
}

/** A backup's master repeats one advert: the listener child may watch for
 * copies of `template` and tell when none came for `limitMs` (the core's
 * Master_Down_Interval: core/state.ts masterDownWatch). */
export interface ListenWant {
  readonly template: Decoded;
  readonly limitMs: number;
}

/** A listener child watching for this instance: while it does, the
 * runner's timer leaves the Master_Down_Timer to it. */
export interface Cover {
  readonly want: ListenWant;
  /** Copies it took from the socket so far (the core has not counted them). */
  copies(): number;
  /** When the newest of them came, as far as the child has read (null: none yet). */
  newest(): Ms | null;
  /** Lets the core hear the newest copy the child took (caughtUp), before
   * an event that may end the cover, which would leave the core's timer
   * where the last advert it heard set it. */
  catchUp(): void;
}

export class Runner {
  spec: InstanceSpec;
  state: InstanceState | null = null;
  vipPresent = false;
  lastPeer: PeerSeen | null = null;
  /** The core's next deadline, which the timer is set for (null: not set;
   * undefined: not known, set it again). */
  private timerAt: Ms | null | undefined = null;
  private readonly timer: Timer;
  private cancelGarp: (() => void) | null = null;
  private decoded: Decoded | null = null;
  /** The datagram the core last accepted from the master it follows. */
  private template: Decoded | null = null;
  private want: ListenWant | null = null;
  private cover: Cover | null = null;
  /** Adverts the listener children took that the core never saw. */
  private absorbed = 0;
  /** Our message at one priority, for each destination. */
  private encoded: Encoded | null = null;
  /** Our message at priority 0 (a resign, and the dead-man switch's plan):
   * kept beside the other, so that neither is encoded again before it goes. */
  private encodedStop: Encoded | null = null;
  private cancelRefresh: (() => void) | null = null;
  /** The renewals fall due at renewPhase + k × VIP_RENEW_MS: the VIPs
   * were added then. */
  private renewPhase = 0 as Ms;
  /** Whether a watcher child renews the VIPs (else our timer does). */
  private renewalCarried = false;
  /** One line per reason of complaint a minute. */
  private readonly warnings = new LogLimiter(60_000);
  private readonly group: Addr;
  /** The device's link as its link model last reported it. */
  private link: { presence: LinkPresence; reason: string } = { presence: "up", reason: "" };
  /** Base priority, tracker terms, effective priority: what status shows. */
  breakdown: PriorityBreakdown;
  /** Why the instance is (or would be) in FAULT; empty when healthy. */
  faults: string[] = [];
  /** Its own part of `faults`: its link and trackers, not its sync group's. */
  ownFaults: string[] = [];
  /** The primary address, kept while the start waits for trackers' first results. */
  private waitingToStart: Addr | null = null;
  /** The core's periodic adverts while master (null: none). */
  private beacon: BeaconSchedule | null = null;
  /** Whether a watcher child sends the beacon (else our timer does). */
  private beaconCarried = false;
  private cancelBeacon: (() => void) | null = null;
  /** Periodic adverts our own timer sent. */
  private beaconedHere = 0;

  constructor(spec: InstanceSpec, private readonly host: RunnerHost, private readonly log: Logger) {
    this.spec = spec;
    this.group = spec.family === 4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6;
    this.breakdown = effectivePriority(spec.priority, host.trackTerms(spec.track));
    this.timer = new Timer(guarded(log, "timer", () => this.expired()));
  }

  /** Starts the core once our primary address on the device is known. A VIP
   * of ours already on the interface was left by a crashed run: it is
   * removed before the first election, or two routers would answer for it.
   * A tracker of weight 0 without a first result holds the start back, as
   * in keepalived: the instance must not win an election it would leave
   * a moment later. */
  start(primary: Addr): void {
    for (const v of this.spec.vips) {
      if (this.host.hasAddress(v.addr) && this.host.deleteAddress(v.addr, v.prefix)) {
        this.log("warn", `removed ${formatAddr(v.addr)}/${v.prefix}, left on ${this.spec.device} by an earlier run`);
      }
    }
    this.waitingToStart = primary;
    this.assess("start");
  }

  private begin(primary: Addr): void {
    this.waitingToStart = null;
    this.forget();
    this.absorbed = 0;
    this.state = createInstance(coreConfig(this.spec, primary));
    const b = this.breakdown;
    this.log("info", `starting: VRRPv${this.spec.version} priority ${b.effective}`
      + `${b.effective !== this.spec.priority ? ` (base ${this.spec.priority})` : ""} from ${formatAddr(primary)}`
      + `, ${this.spec.unicastPeers.length ? `unicast to ${this.spec.unicastPeers.map(formatAddr).join(", ")}` : "multicast"}`);
    if (b.effective !== this.spec.priority) this.feed({ kind: "setPriority", priority: b.effective });
    // Unhealthy from the start: straight to Fault, not through Backup.
    this.feed(this.faults.length > 0 ? { kind: "fault", reason: this.faults.join("; ") } : { kind: "start" });
  }

  /** The device's link changed, as its link model decided (src/track/link.ts). */
  setLink(presence: LinkPresence, reason: string): void {
    this.link = { presence, reason };
    this.assess(reason);
  }

  /** Works out priority and FAULT from the link, the trackers and the sync
   * group, and tells the core what changed. `why` names what changed, for
   * the log. The group's other members hear of a change of our own faults
   * after we acted on it, so that the member at fault goes first. */
  assess(why: string): void {
    const b = effectivePriority(this.spec.priority, this.host.trackTerms(this.spec.track));
    const own = this.link.presence === "up" ? [] : [this.link.reason];
    for (const c of b.faults) own.push(`tracker ${c.name} ${faultState(c)}: ${c.detail}`);
    const faults = [...own, ...this.host.groupFaults(this.spec)];
    const changed = b.effective !== this.breakdown.effective || faults.join() !== this.faults.join();
    const ownChanged = own.join() !== this.ownFaults.join();
    this.breakdown = b;
    this.faults = faults;
    this.ownFaults = own;
    this.act(why, changed);
    if (ownChanged) this.host.ownFaultsChanged(this.spec);
  }

  private act(why: string, changed: boolean): void {
    const b = this.breakdown;
    if (this.waitingToStart !== null) {
      if (b.pending.length === 0) this.begin(this.waitingToStart);
      else if (why === "start") this.log("info", `waiting for the first result of tracker ${b.pending.map((c) => c.name).join(", ")}`);
      return;
    }
    const s = this.state;
    if (!s) return;
    if (s.priority !== b.effective) {
      this.log("info", `priority ${s.priority} -> ${b.effective}: ${why}`);
      this.feed({ kind: "setPriority", priority: b.effective });
    }
    const faults = this.faults;
    if (faults.length > 0 && s.role !== "fault") this.feed({ kind: "fault", reason: faults.join("; ") });
    else if (faults.length === 0 && s.role === "fault") this.feed({ kind: "faultCleared", reason: why });
    else if (changed) this.host.changed();
  }

  get primary(): Addr | null {
    return this.state?.config.primary ?? null;
  }

  feed(event: Event): void {
    this.feedAt(event, this.host.now());
  }

  /** `from`: the datagram that made `event`; if the core took it as its
   * master's advert, it becomes the listener's template. */
  private feedAt(event: Event, now: Ms, from: Decoded | null = null): void {
    const s = this.state;
    if (!s) return;
    // An advert comes after Device.receive has caught up.
    if (this.cover !== null && event.kind !== "advert") this.cover.catchUp();
    const role = s.role;
    const priority = s.priority;
    const actions = step(s, event, now);
    if (s.role === role) this.performAll(actions);
    else this.host.transitions(() => this.performAll(actions));
    // The core keeps the source address it heard (the same object) with
    // the time: this very datagram set it.
    if (from !== null && s.heard !== null && s.heard.addr === from.src && s.heard.at === now) this.template = from;
    this.lookAtWant();
    this.schedule(this.deadline(s));
    if (role === s.role && priority !== s.priority) this.host.changed();
  }

  /** Carries out the core's actions in their order. Entering Master, what
   * follows the VIPs (the gratuitous ARPs, our advert, the beacon, the log
   * line) waits until every VIP of the transitions under way is on, with
   * the routes that follow them: a sync group's members add theirs back to
   * back. The transition is told at once: that takes the group's other
   * members along. */
  private performAll(actions: readonly Action[]): void {
    // Indexed: for...of makes an iterator object in QuickJS.
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i] as Action;
      this.perform(action);
      if (action.kind === "addVip") return this.announceAfterVips(actions.slice(i + 1));
    }
  }

  /** `rest`: what the core asked for after the VIPs. Should the instance
   * have moved on in the same batch (and let go of its VIPs), only the log
   * line is left of it. */
  private announceAfterVips(rest: readonly Action[]): void {
    const s = this.state;
    if (s === null) return;
    const transitions = s.counters.transitions;
    this.host.afterVips(() => {
      const current = this.state === s && s.counters.transitions === transitions;
      for (const action of rest) {
        if (action.kind === "notify") this.logTransition(action);
        else if (current) this.perform(action);
      }
    });
    for (const action of rest) if (action.kind === "notify") this.tellTransition(action);
  }

  private logTransition(t: Transition): void {
    this.log("info", `${t.from} -> ${t.to}: ${t.reason}`);
  }

  private tellTransition(t: Transition): void {
    this.host.notify(this.spec, t.from, t.to, t.reason, this.state?.priority ?? this.spec.priority);
  }

  /** What a listener child may watch for this instance now, or null. */
  listenWant(): ListenWant | null {
    return this.want;
  }

  /** Works out the want again; a new one is the listener's business, and
   * a cover for another ends. */
  private lookAtWant(): void {
    const s = this.state;
    const w = s === null ? null : masterDownWatch(s);
    const t = this.template;
    const limitMs = w !== null && t !== null && s?.heard?.addr === t.src ? w.limitMs : null;
    const old = this.want;
    if (limitMs === null ? old === null : old !== null && old.template === t && old.limitMs === limitMs) return;
    this.want = limitMs === null || t === null ? null : { template: t, limitMs };
    if (this.cover !== null) {
      this.absorbed += this.cover.copies();
      this.cover = null;
    }
    this.host.listenChanged(this.spec.family);
  }

  /** A listener child watches for this instance (or no longer, null). */
  covered(cover: Cover | null): void {
    if (this.cover !== null && this.cover !== cover) this.absorbed += this.cover.copies();
    this.cover = cover !== null && cover.want === this.want ? cover : null;
    this.reschedule();
  }

  /** The newest copy of `template` a listener child took came at `at`: the
   * core hears it then, unless it heard something since. */
  caughtUp(template: Decoded, at: Ms): void {
    const s = this.state;
    if (s === null || template !== this.template || s.role !== "backup" || s.heard === null || at <= s.heard.at) return;
    this.absorbed--; // the core counts this one
    this.heard(template, at);
    this.reschedule();
  }

  /** The core's next deadline, but for the Master_Down_Timer while a
   * listener child keeps it: the daemon then does not wake while its
   * master is steady. A child that ends, stops (SIGCHLD tells of both) or
   * hangs (its own alarm kills it) is replaced by the listener, which
   * gives the timer back meanwhile (covered(null)). */
  private deadline(s: InstanceState): Ms | null {
    return nextDeadline(s.timers, this.cover !== null);
  }

  /** Sets the timer again, after a feed at another time or a change of cover. */
  private reschedule(): void {
    const s = this.state;
    if (s === null) return;
    this.timerAt = undefined;
    this.schedule(this.deadline(s));
  }

  /** A listener child heard no copy of the master's advert in time: the
   * core decides, with what waits on the socket read first. */
  silent(): void {
    this.covered(null);
    if (this.state?.role === "backup") this.host.receivePending(this.spec.family);
    this.feed(TIMEOUT);
  }

  /** When the core last heard its master, if it did. */
  heardAt(): Ms | null {
    return this.state?.heard?.at ?? null;
  }

  /** When the master was last heard, with the copies a listener child took. */
  peerSeenAt(): Ms | null {
    const at = this.lastPeer?.at ?? null;
    const copy = this.cover?.newest() ?? null;
    return at === null || copy === null || copy < at ? at : copy;
  }

  /** Adverts received, with those a listener child took for the core. */
  advertsRx(): number {
    return (this.state?.counters.advertsRx ?? 0) + this.absorbed + (this.cover?.copies() ?? 0);
  }

  /** A datagram that came at `at` (vrrp-socket.ts, arrivedAt). */
  receive(msg: Incoming, at: Ms): void {
    if (!this.state) return;
    const decoded = decodeAdvert(msg.payload, { src: msg.src, dst: msg.dst }, this.spec.codec);
    if (!decoded.ok) {
      this.log("debug", `dropped datagram from ${formatAddr(msg.src)}: ${decoded.detail}`);
      this.feed({ kind: "rxError", reason: decoded.reason });
      return;
    }
    const event: Event = { kind: "advert", rx: { advert: decoded.value, src: msg.src, ttl: msg.ttl } };
    this.decoded = { raw: msg.raw, src: msg.src, dst: msg.dst, ttl: msg.ttl, event };
    this.heard(this.decoded, at);
  }

  /** When `socket` just read (at `at`) the same datagram as the last one
   * decoded, feeds its event again and says so; otherwise the caller
   * decodes it. */
  repeat(socket: VrrpSocket, length: number, at: Ms): boolean {
    const last = this.decoded;
    if (last === null || this.state === null || !sameDatagram(socket.received, length, last)) return false;
    this.heard(last, at);
    return true;
  }

  /** `at`: when the datagram came; never before what the core heard last
   * (a listener's copy, on its own clock reading), so its times only go on. */
  private heard(d: Decoded, at: Ms): void {
    const last = this.state?.heard?.at;
    const now = last !== undefined && at < last ? last : at;
    this.feedAt(d.event, now, d);
    // Only an advert the core accepted from the master it follows (or one
    // that preempted us) names the peer: the lease channel talks to it. The
    // core updates `heard` in place, stamped with the time it was accepted.
    const h = this.state?.heard;
    if (!h || h.at !== now) return;
    const peer = this.lastPeer;
    if (peer !== null && peer.addr === h.addr && peer.priority === h.priority) peer.at = now;
    else this.lastPeer = { addr: h.addr, priority: h.priority, at: now };
  }

  /** Drops what was decoded and encoded under the previous configuration. */
  private forget(): void {
    this.cover?.catchUp();
    this.decoded = null;
    this.encoded = null;
    this.encodedStop = null;
    this.template = null;
    this.lookAtWant();
  }

  /** A reload changed only the priority, the trackers or the notify
   * scripts: the new effective priority shows in the next advert, and the
   * election follows from there, without a transition of our own (unless
   * FAULT starts or ends). */
  update(spec: InstanceSpec): void {
    const what = spec.priority !== this.spec.priority ? `base priority ${this.spec.priority} -> ${spec.priority}` : "configuration changed";
    this.spec = spec;
    this.forget();
    this.assess(what);
  }

  /** The device was re-created or its addresses flushed while we hold the
   * VIP: put the VIP back and announce it, without a transition. */
  restoreVips(why: string): void {
    if (this.state?.role !== "master") return;
    let restored = false;
    for (const v of this.spec.vips) {
      if (this.host.hasAddress(v.addr)) continue;
      try {
        restored = this.host.addAddress(v.addr, v.prefix, this.lifetime(v.addr)) || restored;
      } catch (e) {
        this.log("warn", `${why}: cannot restore ${formatAddr(v.addr)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (restored) {
      this.log("warn", `${why}: VIP restored`);
      this.vipsAdded();
      this.garpBurst(this.spec.gratuitous.count, this.spec.gratuitous.spacingMs);
      this.host.changed();
    }
  }

  stop(why: string): void {
    if (why !== "shutdown") this.log("info", `stopping: ${why}`);
    this.waitingToStart = null;
    this.feed({ kind: "shutdown" });
    this.timer.cancel();
    this.timerAt = null;
    this.stopRefresh();
  }

  /** Sets the timer for `deadline`, at once: a backup's deadline moves
   * with every advert, and letting the timer run out early to set it again
   * would cost a wake-up, dearer than setting it (docs/performance.md).
   * The delay counts from the clock now, not from the event's time: what
   * the event's actions did meanwhile (a listener child stopped, a
   * datagram sent) would otherwise be added to the deadline (at 10 ms
   * adverts, a millisecond late on a 6 ms Skew_Time). */
  private schedule(deadline: Ms | null): void {
    if (deadline === this.timerAt) return;
    this.timerAt = deadline;
    if (deadline === null) this.timer.cancel();
    else this.timer.set(deadline - this.host.now());
  }

  private expired(): void {
    this.timerAt = null;
    // A backup's timer is its Master_Down_Timer. QuickJS runs a due timer
    // before it looks at the sockets: on a router that got the CPU late,
    // adverts of a live master may be waiting unread, and acting first
    // would take over from it (with 16 instances at 10 ms adverts, one
    // late wake-up made them all flap). Read them first; they re-arm it.
    const role = this.state?.role;
    if (role === "backup") this.host.receivePending(this.spec.family);
    else if (role === "master") this.host.alive();
    this.feedAt(TIMEOUT, this.host.now());
  }

  private perform(action: Action): void {
    switch (action.kind) {
      case "sendAdvert":
        return this.sendAdvert(action.priority);
      case "beacon":
        // Ours to send until a child carries the new schedule (watcher.ts).
        this.beacon = action.schedule;
        this.beaconCarried = false;
        this.beaconHere();
        return this.host.beaconChanged(action.schedule === null);
      case "addVip":
        for (const v of this.spec.vips) this.host.addAddress(v.addr, v.prefix, this.lifetime(v.addr));
        this.vipsAdded();
        this.host.vipsHeld(this.spec, true);
        return;
      case "removeVip":
        this.cancelGarps();
        this.stopRefresh();
        this.host.vipsHeld(this.spec, false);
        for (const v of this.spec.vips) this.host.deleteAddress(v.addr, v.prefix);
        this.vipPresent = false;
        return;
      case "wantMaster":
        this.log("debug", `would take over (${action.reason}); sync group ${this.spec.syncGroupName ?? ""} decides`);
        this.host.wantMaster(this.spec, action.reason);
        return;
      case "sendGratuitous":
        return this.garpBurst(action.count, action.spacingMs);
      case "notify":
        this.logTransition(action);
        return this.tellTransition(action);
      case "log": {
        const line = action.level === "warn" ? this.warnings.pass(action.reason, action.message, this.host.now()) : action.message;
        if (line !== null) this.log(action.level, line);
        return;
      }
    }
  }

  /** Our message at `priority` to each destination, encoded once for the
   * last priority sent and once for priority 0; null before the start.
   * Throws if the advert cannot be encoded. */
  private encodedAt(priority: number): Encoded | null {
    const state = this.state;
    if (!state) return null;
    const cached = priority === 0 ? this.encodedStop : this.encoded;
    if (cached !== null && cached.priority === priority) return cached;
    const advert = advertFor(state.config, priority);
    const targets = this.targets();
    const encoded = { priority, targets, messages: targets.map((dst) => encodeAdvert(advert, { src: state.config.primary, dst }, this.spec.codec)) };
    if (priority === 0) this.encodedStop = encoded;
    else this.encoded = encoded;
    return encoded;
  }

  private sendAdvert(priority: number): void {
    let encoded;
    try {
      encoded = this.encodedAt(priority);
    } catch (e) {
      // The configuration checks should make this impossible: say so loudly.
      const line = this.warnings.pass("encode", `cannot build an advert: ${e instanceof Error ? e.message : String(e)}`, this.host.now());
      if (line !== null) this.log("error", line);
      return;
    }
    if (encoded === null) return;
    const targets = encoded.targets;
    for (let i = 0; i < targets.length; i++) {
      const dst = targets[i] as Addr;
      try {
        this.host.send(this.spec.family, encoded.messages[i] as Uint8Array, dst);
      } catch (e) {
        // The link may be gone for a moment (netifd re-creating br-lan):
        // the link events decide about Fault, not a failed send.
        this.log("debug", `advert to ${formatAddr(dst)} not sent: ${isSyscallError(e) ? e.message : String(e)}`);
      }
    }
  }

  /** Whether a watcher child sends our current beacon, and renews our
   * VIPs, now (watcher.ts). */
  setCarried(beacon: boolean, renewal: boolean): void {
    this.beaconCarried = beacon;
    this.beaconHere();
    this.renewalCarried = renewal;
    if (renewal) this.stopRefresh();
    else this.scheduleRefresh();
  }

  /** Our own timer sends the beacon while no child does (until the
   * watcher's next plan, or for good should no child fork): the schedule
   * goes on, one wake-up per advert. A timer cancelled before it is due
   * costs no wake-up. */
  private beaconHere(): void {
    this.cancelBeacon?.();
    this.cancelBeacon = null;
    const b = this.beacon;
    if (b === null || this.beaconCarried) return;
    const now = this.host.now();
    this.cancelBeacon = after(nextBeaconAt(b, now) - now, guarded(this.log, "advert timer", () => {
      this.cancelBeacon = null;
      this.host.alive();
      if (this.beacon !== b) return;
      this.sendAdvert(b.priority);
      this.beaconedHere++;
      this.beaconHere();
    }));
  }

  /** Every advert sent: the core's, and its beacon's (by a watcher child or by us). */
  advertsSent(): number {
    return (this.state?.counters.advertsTx ?? 0) + this.beaconedHere + this.host.beaconsSent(this.spec.name);
  }

  /** The beacon's advert to each destination, for the watcher child. */
  beaconAdverts(): { adverts: { dst: Addr; message: Uint8Array }[]; intervalMs: Ms; phase: Ms } | null {
    const b = this.beacon;
    if (b === null || this.state?.role !== "master") return null;
    return { adverts: this.adverts(b.priority), intervalMs: b.intervalMs, phase: b.phase };
  }

  private targets(): readonly Addr[] {
    return this.spec.unicastPeers.length > 0 ? this.spec.unicastPeers : [this.group];
  }

  /** Our advert at priority 0 to each destination: what the dead-man
   * switch sends for us should the daemon die or hang (empty unless started). */
  resignAdverts(): { dst: Addr; message: Uint8Array }[] {
    return this.adverts(0);
  }

  private adverts(priority: number): { dst: Addr; message: Uint8Array }[] {
    const encoded = this.encodedAt(priority);
    return encoded === null ? [] : encoded.targets.map((dst, i) => ({ dst, message: encoded.messages[i] as Uint8Array }));
  }

  /** The VIPs' renewals, for the watcher child, while we hold VIPs with a
   * kernel lifetime. */
  renewal(): { vips: { addr: Addr; prefix: number; lifetimeS: number }[]; intervalMs: Ms; phase: Ms } | null {
    if (!this.vipPresent) return null;
    const vips = this.spec.vips.flatMap((v) => {
      const lifetimeS = this.lifetime(v.addr);
      return lifetimeS === null ? [] : [{ addr: v.addr, prefix: v.prefix, lifetimeS }];
    });
    return vips.length === 0 ? null : { vips, intervalMs: VIP_RENEW_MS, phase: this.renewPhase };
  }

  /** A watcher child that renewed our VIPs is gone: had it renewed one
   * after we deleted it (watcher.ts says how), the VIP is back, so unless
   * we hold them they go again. */
  renewalsEnded(): void {
    if (this.vipPresent) return;
    for (const v of this.spec.vips) {
      if (this.lifetime(v.addr) === null) continue;
      try {
        if (this.host.deleteAddress(v.addr, v.prefix)) this.log("warn", `deleted ${formatAddr(v.addr)} again: a watcher child renewed it after its removal`);
      } catch (e) {
        this.log("warn", `cannot delete ${formatAddr(v.addr)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private vipsAdded(): void {
    this.vipPresent = true;
    this.renewPhase = this.host.now();
    this.stopRefresh();
    this.scheduleRefresh();
  }

  /** The kernel lifetime of a VIP in seconds, or null for none (IPv6). */
  private lifetime(vip: Addr): number | null {
    return vip.family === 4 ? VIP_LIFETIME_S : null;
  }

  /** Renews the VIPs' lifetimes three times per lifetime while they are
   * ours and no watcher child renews them. */
  private scheduleRefresh(): void {
    if (this.cancelRefresh || this.renewalCarried || !this.vipPresent || !this.spec.vips.some((v) => this.lifetime(v.addr) !== null)) return;
    const now = this.host.now();
    // The same rule as the child's first due and a beacon's next advert.
    const due = nextBeaconAt({ intervalMs: VIP_RENEW_MS, phase: this.renewPhase }, now);
    this.cancelRefresh = after(due - now, guarded(this.log, "VIP refresh", () => {
      this.cancelRefresh = null;
      // After a hang, the dead-man switch may have fired: learn it before
      // putting back a VIP that the backup now holds.
      this.host.alive();
      if (!this.vipPresent) return;
      for (const v of this.spec.vips) {
        const seconds = this.lifetime(v.addr);
        if (seconds === null) continue;
        try {
          this.host.refreshAddress(v.addr, v.prefix, seconds);
        } catch (e) {
          const line = this.warnings.pass("refresh", `cannot renew ${formatAddr(v.addr)}: ${e instanceof Error ? e.message : String(e)}`, this.host.now());
          if (line !== null) this.log("warn", line);
        }
      }
      this.scheduleRefresh();
    }));
  }

  private stopRefresh(): void {
    this.cancelRefresh?.();
    this.cancelRefresh = null;
  }

  /** `count` announcements of every VIP, `spacingMs` apart; a new burst
   * replaces one still in progress. */
  private garpBurst(count: number, spacingMs: number): void {
    this.cancelGarps();
    if (count <= 0) return;
    this.announceAll();
    if (spacingMs === 0) {
      for (let i = 1; i < count; i++) this.announceAll();
      return;
    }
    this.cancelGarp = after(spacingMs, guarded(this.log, "gratuitous ARP", () => {
      this.cancelGarp = null;
      this.garpBurst(count - 1, spacingMs);
    }));
  }

  private announceAll(): void {
    for (const v of this.spec.vips) {
      try {
        this.host.announce(v.addr);
      } catch (e) {
        this.log("warn", `announcing ${formatAddr(v.addr)} failed: ${isSyscallError(e) ? e.message : String(e)}`);
      }
    }
  }

  private cancelGarps(): void {
    this.cancelGarp?.();
    this.cancelGarp = null;
  }
}

type Transition = Extract<Action, { kind: "notify" }>;

/** Our advert at one priority, encoded for each of its destinations. */
interface Encoded {
  readonly priority: number;
  readonly targets: readonly Addr[];
  readonly messages: readonly Uint8Array[];
}

/** Whether the datagram in `r` (its first `length` bytes) is `d` again:
 * IPv4, the same bytes but for Identification and Header Checksum; IPv6,
 * the same VRRP message from the same source to the same destination
 * with the same hop limit (decoding is a function of those). */
export function sameDatagram(r: Received, length: number, d: Decoded): boolean {
  if (d.src.family === 4) return sameIpv4Datagram(r.data, length, d.raw, bytesEqual);
  return length === d.raw.length && r.info[0] === d.ttl && r.info[4] === 16
    && bytesEqual(r.data, 0, d.raw, 0, length) && bytesEqual(r.from, 8, d.src.bytes, 0, 16)
    && bytesEqual(r.dst, 0, d.dst.bytes, 0, 16);
}

/** How a term that puts the instance in FAULT is failing. */
function faultState(c: Contribution): string {
  if (c.fileValue !== null) return `holds ${c.fileValue}`;
  return c.state === "up" ? "up (reverse)" : "down";
}
