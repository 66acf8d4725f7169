// [UBUS] floatgwd on ubus, the way netifd and dnsmasq are: it registers the
// object `floatgw`, whose methods are the control API's (status, switchover,
// reload) answered by the same handlers as the control socket, sends the
// event `floatgw.state` on every transition, and listens to netifd's
// `network.interface` events for the interface trackers (docs/ubus.md).
//
// ubus is a side door: VRRP never waits for it. Without ubusd the daemon
// runs as ever and connects when ubusd's socket appears (an inotify watch
// on its directory: no polling, nothing to pay while ubusd is away); when
// ubusd restarts, the object is registered again. Every socket operation
// is non-blocking.
import type { Ms } from "../core/units";
import { BlobmsgType, type BlobTable, type Decoded } from "../platform/ubus/blob";
import { UbusStatus, type UbusStatusCode } from "../platform/ubus/message";
import { type MethodReply, type ObjectSpec, type SessionNote, UbusSession } from "../platform/ubus/session";
import { UbusSocket } from "../platform/ubus/socket";
import { after, C, isSyscallError, watchReadable } from "../platform/engine";
import { PathWatch } from "../platform/path-watch";
import { COMMANDS, type Command, type ErrorKind, type Reply } from "./control-api";
import { guarded, type Logger } from "./log";
import type { TransitionEvent, UbusLinkStatus } from "./status-contract";

/** ubusd's socket on OpenWrt 21.02 and later (before: /var/run/ubus.sock). */
export const DEFAULT_UBUS_SOCKET = "/var/run/ubus/ubus.sock";
export const OBJECT_PATH = "floatgw";
export const STATE_EVENT = "floatgw.state";
/** The notification type the object's subscribers receive. */
const STATE_NOTIFY = "state";

// A socket file that is absent costs no timer: the watch on its directory
// says when ubusd binds it. A timer is left only where no inotify event
// would come: a socket that exists but refuses (ubusd between its bind and
// its listen; a stale file of a ubusd that was killed, which the next
// ubusd replaces, an event again, so its retries can be slow), a
// connection lost or refused (another floatgwd holds the object), and
// polling where inotify cannot be used.
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 60_000;
/** ubusd answers HELLO and ADD_OBJECT at once; silence this long means it hangs. */
const REGISTER_TIMEOUT_MS = 5000;

const STATUS_OF: Record<ErrorKind, UbusStatusCode> = {
  invalid: UbusStatus.invalidArgument,
  "not-found": UbusStatus.notFound,
  refused: UbusStatus.notSupported,
};

/** The object as ubus lists it: the control API's ubus commands. */
function objectSpec(): ObjectSpec {
  const methods = (Object.keys(COMMANDS) as Command[]).filter((c) => COMMANDS[c].ubus).map((name) => {
    const args: Record<string, (typeof BlobmsgType)["string" | "int32"]> = {};
    for (const [arg, spec] of Object.entries(COMMANDS[name].args)) args[arg] = spec.type === "string" ? BlobmsgType.string : BlobmsgType.int32;
    return { name, args };
  });
  return { path: OBJECT_PATH, methods };
}

/** The events floatgwd listens to: netifd's ifup and ifdown of an interface. */
export const NETIFD_EVENT = "network.interface";

export interface UbusHost {
  now(): Ms;
  /** Validates and answers a request, as for the control socket: calls
   * `respond` once, at once or (a reload) later. */
  answer(cmd: string, args: BlobTable, respond: (reply: Reply<unknown>) => void): void;
  /** netifd says `action` (ifup, ifdown) of interface `iface`. */
  interfaceEvent(iface: string, action: string): void;
  /** Events flow (again): what happened while they did not must be asked for. */
  listening(): void;
}

/** The contract's types are JSON data, which is what a blobmsg table holds. */
function asTable(data: unknown): BlobTable {
  return data as BlobTable;
}

export class DaemonUbus {
  private socket: UbusSocket | null = null;
  private session: UbusSession | null = null;
  private retryMs = RETRY_MIN_MS;
  private cancelTimer: (() => void) | null = null;
  private detail = "not connected yet";
  /** The last reason logged, so a long absence of ubusd logs once. */
  private logged: string | null = null;
  private eventsSent = 0;
  private eventsDropped = 0;
  private stopped = false;
  /** Set before the first connect, so that no appearance goes unseen. */
  private appearance: PathWatch | null = null;

  constructor(readonly socketPath: string, private readonly host: UbusHost, private readonly log: Logger) {}

  start(): void {
    this.watchSocket();
    this.connect();
  }

  /** Announces a transition: the event for `ubus listen`, the notification
   * for `ubus subscribe`. Dropped (and counted) while ubusd is away. */
  transition(event: TransitionEvent): void {
    const s = this.session;
    const data = asTable(event);
    if (!s || !this.write(s.event(STATE_EVENT, data))) {
      this.eventsDropped++;
      return;
    }
    this.eventsSent++;
    const note = s.notify(STATE_NOTIFY, data);
    if (note) this.write(note);
  }

  status(): UbusLinkStatus {
    const s = this.session;
    const registered = s?.phase === "registered";
    return {
      socket: this.socketPath,
      state: registered ? "registered" : s ? "connecting" : "unavailable",
      objectId: registered ? s.objectId : null,
      detail: registered ? null : this.detail,
      subscribers: registered && s.subscribed,
      eventsSent: this.eventsSent,
      eventsDropped: this.eventsDropped,
    };
  }

  close(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.appearance?.close();
    this.appearance = null;
    this.disconnect();
  }

  /** Watches for ubusd's socket to be (re)created, for as long as the daemon runs. */
  private watchSocket(): void {
    try {
      this.appearance = new PathWatch(this.socketPath, {
        mayHaveAppeared: guarded(this.log, "ubus socket watch", () => this.socketAppeared()),
        failed: (e) => {
          this.watchFailed(e);
          // Waiting for the socket (no timer while it was absent): poll now.
          if (!this.stopped && !this.socket && !this.cancelTimer) this.retryLater(this.retryMs, () => this.connect());
        },
      });
    } catch (e) {
      this.watchFailed(e);
    }
  }

  private watchFailed(e: unknown): void {
    this.appearance = null;
    this.log("warn", `cannot watch for ${this.socketPath} (${isSyscallError(e) ? e.message : String(e)}): looking for ubusd at intervals instead`);
  }

  /** A new ubusd's socket, most likely: connect now, and from a short retry
   * again should it not listen yet. A connection that stands is left be. */
  private socketAppeared(): void {
    if (this.stopped || this.socket) return;
    this.retryMs = RETRY_MIN_MS;
    this.cancelTimer?.();
    this.connect();
  }

  private connect(): void {
    this.cancelTimer = null;
    if (this.stopped) return;
    let socket: UbusSocket;
    try {
      socket = new UbusSocket(this.socketPath);
    } catch (e) {
      const absent = isSyscallError(e) && (e.errno === C.ENOENT || e.errno === C.ENOTDIR);
      this.unavailable(`no ubusd on ${this.socketPath}: ${isSyscallError(e) ? e.message : String(e)}`, "info", absent);
      return;
    }
    this.socket = socket;
    this.session = new UbusSession(objectSpec(), (method, args, answer) => this.call(method, args, answer), [NETIFD_EVENT]);
    this.detail = "registering";
    watchReadable(socket.fd, guarded(this.log, "ubus message", () => this.readable()));
    this.retryLater(REGISTER_TIMEOUT_MS, () => this.lost("ubusd did not answer the registration"));
  }

  private call(method: string, args: Decoded<BlobTable>, answer: (reply: MethodReply) => Uint8Array[]): MethodReply | null {
    if (!args.ok) return { status: UbusStatus.invalidArgument, data: { error: `${method}: bad arguments: ${args.reason}` } };
    const socket = this.socket;
    let now: MethodReply | null = null;
    let answered = false;
    let waiting = true;
    this.host.answer(method, args.value, (reply) => {
      const r: MethodReply = reply.ok ? { status: UbusStatus.ok, data: asTable(reply.result) } : { status: STATUS_OF[reply.kind], data: { error: reply.error } };
      answered = true;
      if (waiting) now = r;
      // A late reply (a reload) goes out on the connection it was asked on.
      else if (this.socket === socket) for (const bytes of answer(r)) if (!this.write(bytes)) return;
    });
    waiting = false;
    return answered ? now : null;
  }

  private readable(): void {
    const socket = this.socket;
    const session = this.session;
    if (!socket || !session) return;
    let got: { data: Uint8Array; closed: boolean };
    try {
      got = socket.read();
    } catch (e) {
      this.lost(`connection to ubusd failed: ${isSyscallError(e) ? e.message : String(e)}`);
      return;
    }
    if (got.data.length > 0) {
      const out = session.receive(got.data);
      for (const bytes of out.send) if (!this.write(bytes)) return;
      for (const note of out.notes) {
        if (this.socket !== socket) return;
        this.onNote(note);
      }
    }
    if (got.closed && this.socket === socket) this.lost("ubusd closed the connection");
  }

  private onNote(note: SessionNote): void {
    switch (note.kind) {
      case "registered":
        this.cancelTimer?.();
        this.cancelTimer = null;
        this.retryMs = RETRY_MIN_MS;
        this.logged = null;
        this.log("info", `registered the object ${OBJECT_PATH} on ${this.socketPath} (id 0x${note.objectId.toString(16)})`);
        return;
      case "refused":
        // Most likely another floatgwd holds the name: try again, slowly.
        this.retryMs = RETRY_MAX_MS;
        this.lost(`ubusd refused the object ${OBJECT_PATH} (ubus status ${note.status}; is another floatgwd running?)`);
        return;
      case "broken":
        this.lost(`ubusd's stream is malformed: ${note.reason}`);
        return;
      case "listening":
        this.log("info", `listening to ${NETIFD_EVENT} events`);
        this.host.listening();
        return;
      case "listenRefused":
        this.log("warn", `ubusd refused to pass ${NETIFD_EVENT} events (ubus status ${note.status}): interface trackers see only what ifstatus says at start and reload`);
        return;
      case "event": {
        const d = note.data.ok ? note.data.value : {};
        if (note.id === NETIFD_EVENT && typeof d.interface === "string" && typeof d.action === "string") this.host.interfaceEvent(d.interface, d.action);
        return;
      }
    }
  }

  /** Writes or, when ubusd does not take it, drops the connection. */
  private write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket) return false;
    try {
      if (socket.write(bytes)) return true;
      this.lost("ubusd is not reading what floatgwd sends");
    } catch (e) {
      this.lost(`connection to ubusd failed: ${isSyscallError(e) ? e.message : String(e)}`);
    }
    return false;
  }

  private lost(reason: string): void {
    const wasRegistered = this.session?.phase === "registered";
    this.disconnect();
    if (wasRegistered) {
      this.retryMs = RETRY_MIN_MS;
      this.logged = null;
    }
    this.unavailable(reason, wasRegistered ? "warn" : "info");
  }

  /** `absent`: the socket file is not there, so the watch (if any) will
   * say when it is and no timer is needed. */
  private unavailable(reason: string, level: "warn" | "info" = "info", absent = false): void {
    this.detail = reason;
    const waits = absent && this.appearance !== null;
    if (this.logged !== reason) {
      this.log(level, `${reason}; ${waits ? "connecting when it appears" : "trying again"}, VRRP is not affected`);
      this.logged = reason;
    }
    if (waits) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    this.retryLater(wait, () => this.connect());
  }

  private retryLater(ms: number, then: () => void): void {
    this.cancelTimer?.();
    this.cancelTimer = after(ms, guarded(this.log, "ubus retry", then));
  }

  private disconnect(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.session = null;
    if (!socket) return;
    watchReadable(socket.fd, null);
    socket.close();
  }
}
