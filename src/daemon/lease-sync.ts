// [LEASES] Lease replication between the two routers (docs/dhcp.md). The
// local dnsmasq's lease events arrive as `floatgw lease add|del` requests
// (from /etc/hotplug.d/dhcp/50-floatgw); each goes to the peer router over
// the lease channel, UDP authenticated with HMAC-SHA-256 under global.secret
// (src/leases/wire.ts, session.ts). Both routers keep every lease they hear
// of; when an instance with dhcp '1' becomes master, the daemon writes them
// into dnsmasq's lease file before the hooks restart dnsmasq with DHCP on.
//
// Nothing here ever delays VRRP: sends are non-blocking, failures are
// counted and shown in `floatgw status`. Any LAN host can send datagrams to
// the channel's port, so the receive path spends little on them: the
// cheap checks come first (size, then the source: the peer once it is
// known), the costly MAC check runs within a share of the CPU, and each turn
// of the event loop reads a bounded number of datagrams (docs/security.md).
import { formatAddr } from "../core/addr";
import type { Ms } from "../core/units";
import { TimeBudget } from "../leases/budget";
import { PeerSession, type HelloFields } from "../leases/session";
import { HmacKey, hex, sha256, utf8Bytes } from "../leases/sha256";
import { type Lease, LeaseTable, makeLease, renderLeaseFile } from "../leases/table";
import { BOOT_ID_LEN, type Frame, type RejectReason, LEASE_PORT, MAX_DATAGRAM, type MessageType, decodeFrame, encodeFrame, packLeases } from "../leases/wire";
import { after, monotonicMs, readTextFile, sys, watchReadable, writeFileAtomic } from "../platform/engine";
import { UdpSocket, type UdpBinding, type UdpDatagram } from "../platform/udp";
import { type Logger, guarded } from "./log";
import { LogLimiter } from "./log-limiter";
import type { LeaseChannelStatus } from "./status-contract";

/** A hello every HELLO_MS; the peer is silent after SILENT_MS without one. */
const HELLO_MS = 2000;
const SILENT_MS = 3 * HELLO_MS + 500;
/** The lifetime of a lease whose event gave no expiry (OpenWrt's default leasetime). */
export const DEFAULT_LEASE_S = 12 * 3600;
/** Datagrams read in one turn of the event loop, and the time one turn may
 * take before the other descriptors and timers get theirs. */
const READS_PER_TURN = 32;
const TURN_MS = 5;
/** MAC checks may take a fifth of the CPU, in bursts of up to 200 ms: what
 * a flood with a forged source can cost us at most. */
const MAC_BUDGET_MS = 200;
const MAC_SHARE_MS_PER_S = 200;

const REJECT_REASONS: readonly RejectReason[] = ["oversize", "truncated", "malformed", "stranger", "bad-mac", "replay", "no-session"];

export interface LeaseSyncHost {
  now(): Ms;
  /** The peer router's IPv4 addresses as VRRP knows them: the unicast_peer
   * of the first IPv4 instance with dhcp '1', else the master whose adverts
   * it accepted last. Empty when none is known. */
  vrrpPeers(): Uint8Array[];
  /** Where the channel listens: that instance's device and our address on
   * it; null until known. */
  binding(): { device: string; address: Uint8Array } | null;
}

export interface LeaseSyncConfig {
  /** Some instance has dhcp '1'. */
  enabled: boolean;
  secret: string | null;
  leasefile: string;
}

function randomBytes(n: number): Uint8Array {
  // Math.random is no cryptographic source, so its output goes through
  // SHA-256 with the pid and the clocks: ids and challenges only need to be
  // unpredictable enough not to repeat, the secret protects the rest.
  return sha256(utf8Bytes(`${sys.getpid()} ${Date.now()} ${monotonicMs()} ${Math.random()} ${Math.random()}`)).slice(0, n);
}

/** Who this daemon is on the lease channel until it restarts. */
interface Identity {
  readonly bootId: Uint8Array;
  readonly session: PeerSession;
}

const sameAddr = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export class LeaseSync {
  private readonly table = new LeaseTable();
  /** Our boot id and the session with the peer, made when first needed:
   * the hashing (randomBytes) costs some 2 M instructions, which the
   * daemon's start should not pay before its instances start, nor at all
   * when it replicates no leases (docs/performance.md). */
  private ours: Identity | null = null;
  private config: LeaseSyncConfig = { enabled: false, secret: null, leasefile: "" };
  private key: HmacKey | null = null;
  private socket: UdpSocket | null = null;
  private socketError: string | null = null;
  private cancelTimer: (() => void) | null = null;
  private cancelResume: (() => void) | null = null;
  private seq = 0;
  /** Where the session's peer speaks from. */
  private sessionAddr: Uint8Array | null = null;
  private lastRx: Ms | null = null;
  private readonly macBudget = new TimeBudget(MAC_BUDGET_MS, MAC_SHARE_MS_PER_S);
  private readonly counters = {
    rx: 0, tx: 0, txFailed: 0, resyncs: 0, paused: 0,
    rejected: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>,
  };
  private lastWrite: { at: Ms; path: string; leases: number; ok: boolean } | null = null;
  private readonly warnings = new LogLimiter(60_000);

  constructor(private readonly host: LeaseSyncHost, private readonly log: Logger) {}

  private get session(): PeerSession {
    return this.identity().session;
  }

  private identity(): Identity {
    if (this.ours === null) {
      const bootId = randomBytes(BOOT_ID_LEN);
      this.ours = { bootId, session: new PeerSession(bootId, randomBytes) };
    }
    return this.ours;
  }

  /** Applies the configuration (at start and on every reload, once the
   * instances are running). */
  configure(config: LeaseSyncConfig): void {
    const keyChanged = config.secret !== this.config.secret;
    this.config = config;
    if (!this.replicating || keyChanged) this.stop();
    if (!this.replicating) {
      if (config.enabled) this.log("warn", "dhcp '1' without global.secret: DHCP leases are not replicated to the peer");
      return;
    }
    this.key = new HmacKey(utf8Bytes(config.secret ?? ""));
    if (!this.cancelTimer) this.tick();
  }

  /** Whether leases are replicated (dhcp '1' somewhere and a secret). */
  get replicating(): boolean {
    return this.config.enabled && this.config.secret !== null;
  }

  /** A lease event of the local dnsmasq; an error message if invalid. */
  local(op: "add" | "del", fields: { mac: string; ip: string; hostname?: string; expires?: number }): string | null {
    const expires = fields.expires ?? Math.floor(Date.now() / 1000) + DEFAULT_LEASE_S;
    const lease = makeLease({ mac: fields.mac, ip: fields.ip, hostname: fields.hostname ?? "*", expires });
    if (typeof lease === "string") return lease;
    const changed = op === "add" ? this.table.upsert(lease) : this.table.remove(lease.mac, lease.ip);
    if (changed || op === "del") this.sendSession(op, [lease]);
    return null;
  }

  /** Writes the held leases into dnsmasq's lease file, keeping the file's
   * other leases; called before the hooks turn DHCP on. */
  writeLeaseFile(): boolean {
    const path = this.config.leasefile;
    const now = Math.floor(Date.now() / 1000);
    this.table.prune(now);
    // Nothing to add: dnsmasq's own file stays untouched.
    if (this.table.size === 0) return true;
    const text = renderLeaseFile(readTextFile(path) ?? "", this.table.list(), now);
    const ok = writeFileAtomic(path, text);
    this.lastWrite = { at: this.host.now(), path, leases: this.table.size, ok };
    if (ok) this.log("info", `wrote ${this.table.size} replicated lease(s) into ${path}`);
    else this.log("error", `cannot write ${path}: dnsmasq starts without the replicated leases`);
    return ok;
  }

  /** Why DHCP failover is degraded, or null when the channel is healthy. */
  degraded(): string | null {
    if (!this.config.enabled) return null;
    if (this.config.secret === null) return "no secret configured (global.secret): leases are not replicated";
    if (this.socketError) return this.socketError;
    if (!this.socket) return "waiting for this router's address on the instance's device";
    if (!this.helloTarget()) return "no peer known yet (no unicast_peer and no VRRP advert heard)";
    if (this.lastRx === null) return "peer silent: nothing heard on the lease channel yet";
    const ago = this.host.now() - this.lastRx;
    if (ago > SILENT_MS) return `peer silent for ${Math.floor(ago / 1000)} s`;
    return null;
  }

  status(): LeaseChannelStatus | null {
    if (!this.config.enabled) return null;
    const now = this.host.now();
    const peer = this.live() ? this.sessionAddr : this.helloTarget();
    return {
      port: LEASE_PORT,
      listening: this.socket ? formatAddr({ family: 4, bytes: this.socket.binding.address }) : null,
      peer: peer ? formatAddr({ family: 4, bytes: peer }) : null,
      lastRxMsAgo: this.lastRx === null ? null : now - this.lastRx,
      degraded: this.degraded(),
      leasefile: this.config.leasefile,
      lastWrite: this.lastWrite ? { msAgo: now - this.lastWrite.at, path: this.lastWrite.path, leases: this.lastWrite.leases, ok: this.lastWrite.ok } : null,
      counters: { ...this.counters, rejected: { ...this.counters.rejected } },
      leases: this.table.list(),
    };
  }

  /** Stops the channel (at exit, or when replication is turned off). */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.closeSocket();
  }

  private closeSocket(): void {
    this.cancelResume?.();
    this.cancelResume = null;
    if (this.socket) {
      watchReadable(this.socket.fd, null);
      this.socket.close();
      this.socket = null;
    }
  }

  /** Listens where the host says; a new device or address (netifd
   * re-created br-lan, the address changed) means a new socket. */
  private bind(): void {
    const want = this.host.binding();
    const have = this.socket?.binding;
    if (have && want && have.device === want.device && sameAddr(have.address, want.address)) return;
    this.closeSocket();
    if (!want) return;
    const binding: UdpBinding = { ...want, port: LEASE_PORT };
    try {
      this.socket = new UdpSocket(binding);
      this.socketError = null;
    } catch (e) {
      const error = `cannot listen on ${formatAddr({ family: 4, bytes: want.address })} port ${LEASE_PORT}: ${e instanceof Error ? e.message : String(e)}`;
      if (error !== this.socketError) this.log("error", `lease channel: ${error}`);
      this.socketError = error;
      return;
    }
    this.listen();
  }

  private listen(): void {
    const socket = this.socket;
    if (socket) watchReadable(socket.fd, guarded(this.log, "lease channel datagram", () => this.receive(socket)));
  }

  private tick(): void {
    this.cancelTimer = after(HELLO_MS, guarded(this.log, "lease channel hello", () => this.tick()));
    this.bind();
    this.table.prune(Math.floor(Date.now() / 1000));
    this.session.rotate();
    const to = this.helloTarget();
    if (to) this.sendHello(this.session.hello(), to);
  }

  /** Whether the session's peer has been heard lately. */
  private live(): boolean {
    return this.sessionAddr !== null && this.lastRx !== null && this.host.now() - this.lastRx <= SILENT_MS;
  }

  /** Where our periodic hello goes: the session's peer while it is heard,
   * else the peer VRRP names, else the last peer we had. */
  private helloTarget(): Uint8Array | null {
    if (this.live()) return this.sessionAddr;
    return this.host.vrrpPeers()[0] ?? this.sessionAddr;
  }

  /** Whether a datagram from `from` is worth a MAC check. Once the peer is
   * known (configured, heard in VRRP, or in a live session) nobody else is;
   * before that anyone is, within the MAC budget. */
  private expectedSource(from: Uint8Array): boolean {
    const known = this.host.vrrpPeers();
    if (this.live() && this.sessionAddr) known.push(this.sessionAddr);
    return known.length === 0 || known.some((a) => sameAddr(a, from));
  }

  private nextFrame(type: MessageType, to: Uint8Array, leases: Lease[], hello?: HelloFields): Frame {
    this.seq = (this.seq + 1) >>> 0;
    return { from: this.identity().bootId, to, seq: this.seq, type, leases, challenge: hello?.challenge, echo: hello?.echo ?? undefined };
  }

  private transmit(frame: Frame, to: Uint8Array): void {
    if (!this.socket || !this.key) return;
    if (this.socket.send(encodeFrame(this.key, frame), to)) this.counters.tx++;
    else this.counters.txFailed++;
  }

  private sendHello(hello: HelloFields, to: Uint8Array): void {
    this.transmit(this.nextFrame("hello", hello.to, [], hello), to);
  }

  /** Lease messages go only to a peer in a session: anything else would be
   * refused there. */
  private sendSession(type: "add" | "del" | "full", leases: Lease[]): void {
    const peer = this.session.peer;
    const to = this.sessionAddr;
    if (!peer || !to) return;
    for (const group of packLeases(type, leases)) this.transmit(this.nextFrame(type, peer, group), to);
  }

  /** Reads what is waiting, within this turn's share; true if more is. */
  private receive(socket: UdpSocket): boolean {
    const start = monotonicMs();
    for (let n = 0; n < READS_PER_TURN; n++) {
      if (!this.macBudget.available(start)) return this.pause();
      const got = socket.receive(MAX_DATAGRAM);
      if (!got) return false;
      this.handle(got);
      if (monotonicMs() - start >= TURN_MS) return true;
    }
    return true;
  }

  /** The MAC budget is spent: leave what waits in the kernel's buffer (it
   * drops the excess) until the budget allows more. */
  private pause(): boolean {
    const socket = this.socket;
    if (!socket) return false;
    this.counters.paused++;
    watchReadable(socket.fd, null);
    this.cancelResume = after(this.macBudget.waitMs(monotonicMs()), guarded(this.log, "lease channel resume", () => {
      this.cancelResume = null;
      this.listen();
    }));
    return false;
  }

  private handle(got: UdpDatagram): void {
    const key = this.key;
    const from = got.from;
    if (!key || !from) return;
    if (got.truncated) return this.reject("truncated", from);
    if (!this.expectedSource(from)) return this.reject("stranger", from);
    const started = monotonicMs();
    const decoded = decodeFrame(key, got.data);
    this.macBudget.spend(monotonicMs() - started);
    if (!decoded.ok) return this.reject(decoded.reason, from);
    const f = decoded.frame;
    const now = this.host.now();
    const verdict = this.session.check(f, now);
    if (!verdict.accepted) {
      if (verdict.answer) this.sendHello(verdict.answer, from);
      return this.reject(verdict.reason, from);
    }
    const wasSilent = !this.live();
    this.counters.rx++;
    this.lastRx = now;
    if (verdict.started) {
      this.sessionAddr = from;
      this.log("info", `lease channel: peer ${formatAddr({ family: 4, bytes: from })} (boot ${hex(f.from)}) connected`);
    }
    if (f.type === "add") for (const l of f.leases) this.table.upsert(l);
    else if (f.type === "full") for (const l of f.leases) this.table.merge(l);
    else if (f.type === "del") for (const l of f.leases) this.table.remove(l.mac, l.ip);
    // A new session, or a peer back from silence, may have missed lease
    // events: it gets our hello (so it knows our challenge) and all we hold.
    if (verdict.started || wasSilent) {
      this.counters.resyncs++;
      this.sendHello(this.session.hello(), from);
      if (this.table.size > 0) this.sendSession("full", this.table.list());
    }
  }

  private reject(reason: RejectReason, from: Uint8Array): void {
    this.counters.rejected[reason]++;
    // Part of every handshake: counted, not worth a line.
    if (reason === "no-session") return;
    const line = this.warnings.pass(reason, `lease channel: refused a datagram from ${formatAddr({ family: 4, bytes: from })}: ${reason}`, this.host.now());
    if (line) this.log("warn", line);
  }
}
