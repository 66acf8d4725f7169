// A simulated LAN for the VRRP core (quinn-proto's `Pair`, h11's
// ConnectionPair): N routers, one link, one fake clock. Adverts really go
// through encodeAdvert → IPv4 header → decodeVrrpDatagram → decodeAdvert, so
// the codec is exercised on every hop. `runUntil` jumps from one wake-up to
// the next; nothing here reads a real clock.

import {
  type Action,
  type Addr,
  type Event,
  type InstanceConfig,
  type InstanceState,
  type Ms,
  type Role,
  advertFor,
  createInstance,
  decodeAdvert,
  decodeVrrpDatagram,
  encodeAdvert,
  formatAddr,
  msAt,
  nextDeadline,
  step,
} from "../../src/core/index";
import { MCAST4, MCAST6, ipv4Datagram } from "./helpers";

export interface Delivery {
  readonly at: number;
  readonly to: number;
  readonly from: number;
  readonly priority: number;
  /** The sender's role when it sent (a master's advert, or a priority 0 from a leaving one). */
  readonly senderRole: Role;
  /** The receiver's role and effective priority when it arrived. */
  readonly toRole: Role;
  readonly toPriority: number;
}

export interface TransitionSeen {
  readonly at: number;
  readonly router: number;
  readonly from: Role;
  readonly to: Role;
  readonly reason: string;
}

interface InFlight {
  readonly at: number;
  readonly from: number;
  readonly to: number;
  readonly bytes: Uint8Array;
  readonly senderRole: Role;
}

export class Router {
  readonly state: InstanceState;
  deadline: Ms | null = null;
  vipHeld = false;
  /** Interface administratively down: nothing in or out. */
  linkDown = false;
  actions: Action[] = [];

  constructor(readonly config: InstanceConfig) {
    this.state = createInstance(config);
  }

  get role(): Role {
    return this.state.role;
  }

  get addr(): Addr {
    return this.config.primary;
  }
}

export class Link {
  now = 0;
  latencyMs = 1;
  readonly routers: Router[];
  readonly deliveries: Delivery[] = [];
  readonly transitions: TransitionSeen[] = [];
  /** Pairs (from → to) that cannot talk; partitions and targeted loss. */
  blocked: (from: number, to: number) => boolean = () => false;
  /** Sees every action after the link performed it (a sync group's daemon, in a test). */
  onAction: (router: number, a: Action) => void = () => {};
  private inFlight: InFlight[] = [];

  constructor(configs: readonly InstanceConfig[]) {
    this.routers = configs.map((c) => new Router(c));
  }

  /** Feeds one event to router i at the current time and performs its actions. */
  input(i: number, e: Event): void {
    const r = this.router(i);
    const actions = step(r.state, e, msAt(this.now));
    r.deadline = nextDeadline(r.state.timers);
    r.actions.push(...actions);
    for (const a of actions) this.perform(i, a);
  }

  router(i: number): Router {
    const r = this.routers[i];
    if (r === undefined) throw new Error(`no router ${i}`);
    return r;
  }

  /** Advances the clock to `t`, delivering packets and firing timers on the way. */
  runUntil(t: number): void {
    for (;;) {
      const next = this.nextWake();
      if (next === null || next > t) break;
      this.now = next;
      const due = this.inFlight.filter((p) => p.at <= next);
      this.inFlight = this.inFlight.filter((p) => p.at > next);
      for (const p of due) this.deliver(p);
      this.routers.forEach((r, i) => {
        if (r.deadline !== null && r.deadline <= next) this.input(i, { kind: "timeout" });
      });
    }
    this.now = t;
  }

  run(ms: number): void {
    this.runUntil(this.now + ms);
  }

  masters(): number[] {
    return this.routers.flatMap((r, i) => (r.role === "master" ? [i] : []));
  }

  private nextWake(): number | null {
    let next: number | null = null;
    for (const p of this.inFlight) if (next === null || p.at < next) next = p.at;
    for (const r of this.routers) if (r.deadline !== null && (next === null || r.deadline < next)) next = r.deadline;
    return next;
  }

  private perform(i: number, a: Action): void {
    const r = this.router(i);
    switch (a.kind) {
      case "addVip":
        r.vipHeld = true;
        break;
      case "removeVip":
        r.vipHeld = false;
        break;
      case "sendAdvert":
        this.send(i, a.priority);
        break;
      case "notify":
        this.transitions.push({ at: this.now, router: i, from: a.from, to: a.to, reason: a.reason });
        break;
      case "sendGratuitous":
      case "log":
      case "wantMaster":
        break;
    }
    this.onAction(i, a);
  }

  private send(from: number, priority: number): void {
    const r = this.router(from);
    if (r.linkDown) return;
    const c = r.config;
    const dst = c.family === 4 ? MCAST4 : MCAST6;
    const bytes = encodeAdvert(advertFor(c, priority), { src: c.primary, dst }, c.codec);
    this.routers.forEach((_, to) => {
      if (to === from || this.blocked(from, to)) return;
      this.inFlight.push({ at: this.now + this.latencyMs, from, to, bytes, senderRole: r.role });
    });
  }

  private deliver(p: InFlight): void {
    const to = this.router(p.to);
    if (to.linkDown || this.blocked(p.from, p.to)) return;
    const sender = this.router(p.from);
    const src = sender.config.primary;
    const dst = sender.config.family === 4 ? MCAST4 : MCAST6;
    let payload = p.bytes;
    let ttl = 255;
    if (sender.config.family === 4) {
      const d = decodeVrrpDatagram(ipv4Datagram(src, dst, p.bytes));
      if (!d.ok) throw new Error(`sim: own datagram refused: ${d.detail}`);
      payload = d.value.payload;
      ttl = d.value.ttl;
    }
    const decoded = decodeAdvert(payload, { src, dst }, to.config.codec);
    if (!decoded.ok) throw new Error(`sim: advert from ${formatAddr(src)} refused: ${decoded.detail}`);
    this.deliveries.push({
      at: this.now,
      to: p.to,
      from: p.from,
      priority: decoded.value.priority,
      senderRole: p.senderRole,
      toRole: to.role,
      toPriority: to.state.priority,
    });
    this.input(p.to, { kind: "advert", rx: { advert: decoded.value, src, ttl } });
  }
}
