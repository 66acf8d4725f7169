// [LEASES] Lease replication between the two routers (docs/dhcp.md). The
// local dnsmasq's lease events arrive as `floatgw lease add|del` requests
// (from /etc/hotplug.d/dhcp/50-floatgw); each goes to the peer router over
// the lease channel, UDP authenticated with HMAC-SHA-256 under global.secret
// (src/leases/wire.ts). Both routers keep every lease they hear of; when an
// instance with dhcp '1' becomes master, the daemon writes them into
// dnsmasq's lease file before the hooks restart dnsmasq with DHCP on.
// Nothing here ever delays VRRP: sends are non-blocking, failures are counted
// and shown in `floatgw status`.
import { formatAddr } from "../core/addr";
import type { Ms } from "../core/units";
import { type Lease, LeaseTable, makeLease, renderLeaseFile } from "../leases/table";
import { hex, sha256, utf8Bytes } from "../leases/sha256";
import { BOOT_ID_LEN, type Frame, LEASE_PORT, LEASES_PER_MESSAGE, type MessageType, type RejectReason, ReplayGuard, decodeFrame, encodeFrame } from "../leases/wire";
import { after, readTextFile, sys, watchReadable, writeFileAtomic } from "../platform/engine";
import { UdpSocket } from "../platform/udp";
import { LogLimiter, type Logger, guarded } from "./log";
import type { LeaseChannelStatus } from "./status-contract";

/** A hello every HELLO_MS; the peer is silent after SILENT_MS without one. */
const HELLO_MS = 2000;
const SILENT_MS = 3 * HELLO_MS + 500;
/** The lifetime of a lease whose event gave no expiry (OpenWrt's default leasetime). */
export const DEFAULT_LEASE_S = 12 * 3600;

export interface LeaseSyncHost {
  now(): Ms;
  /** The peer router's IPv4 address from VRRP (unicast_peer, else the last
   * advert heard), or null. */
  vrrpPeer(): Uint8Array | null;
}

export interface LeaseSyncConfig {
  /** Some instance has dhcp '1'. */
  enabled: boolean;
  secret: string | null;
  leasefile: string;
}

export class LeaseSync {
  private readonly table = new LeaseTable();
  private readonly bootId: Uint8Array;
  private readonly guard: ReplayGuard;
  private config: LeaseSyncConfig = { enabled: false, secret: null, leasefile: "" };
  private key: Uint8Array | null = null;
  private socket: UdpSocket | null = null;
  private socketError: string | null = null;
  private cancelTimer: (() => void) | null = null;
  private seq = 0;
  private peerBootId = new Uint8Array(BOOT_ID_LEN);
  /** The source of the last authenticated datagram. */
  private heardFrom: Uint8Array | null = null;
  private lastRx: Ms | null = null;
  private readonly counters = { rx: 0, tx: 0, txFailed: 0, resyncs: 0, rejected: { "bad-mac": 0, replay: 0, malformed: 0 } as Record<RejectReason, number> };
  private lastWrite: { at: Ms; path: string; leases: number; ok: boolean } | null = null;
  private readonly warnings = new LogLimiter(60_000);

  constructor(private readonly host: LeaseSyncHost, private readonly log: Logger) {
    this.bootId = sha256(utf8Bytes(`${sys.getpid()} ${Date.now()} ${host.now()} ${Math.random()} ${Math.random()}`)).slice(0, BOOT_ID_LEN);
    this.guard = new ReplayGuard(this.bootId);
  }

  /** Applies the configuration (at start and on every reload). */
  configure(config: LeaseSyncConfig): void {
    const keyChanged = config.secret !== this.config.secret;
    this.config = config;
    const run = config.enabled && config.secret !== null;
    if (!run || keyChanged) this.close();
    if (!run) {
      if (config.enabled) this.log("warn", "dhcp '1' without global.secret: DHCP leases are not replicated to the peer");
      return;
    }
    this.key = utf8Bytes(config.secret ?? "");
    if (this.socket) return;
    try {
      this.socket = new UdpSocket(LEASE_PORT);
      this.socketError = null;
    } catch (e) {
      this.socketError = `cannot open UDP port ${LEASE_PORT}: ${e instanceof Error ? e.message : String(e)}`;
      this.log("error", `lease channel: ${this.socketError}`);
      return;
    }
    const socket = this.socket;
    watchReadable(socket.fd, guarded(this.log, "lease channel datagram", () => this.receive(socket)));
    this.tick();
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
    if (changed || op === "del") this.send(op, [lease]);
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
    if (!this.peer()) return "no peer known yet (no unicast_peer and no VRRP advert heard)";
    if (this.lastRx === null) return "peer silent: nothing heard on the lease channel yet";
    const ago = this.host.now() - this.lastRx;
    if (ago > SILENT_MS) return `peer silent for ${Math.floor(ago / 1000)} s`;
    return null;
  }

  status(): LeaseChannelStatus | null {
    if (!this.config.enabled) return null;
    const now = this.host.now();
    const peer = this.peer();
    return {
      port: LEASE_PORT,
      peer: peer ? formatAddr({ family: 4, bytes: peer }) : null,
      lastRxMsAgo: this.lastRx === null ? null : now - this.lastRx,
      degraded: this.degraded(),
      leasefile: this.config.leasefile,
      lastWrite: this.lastWrite ? { msAgo: now - this.lastWrite.at, path: this.lastWrite.path, leases: this.lastWrite.leases, ok: this.lastWrite.ok } : null,
      counters: { rx: this.counters.rx, tx: this.counters.tx, txFailed: this.counters.txFailed, resyncs: this.counters.resyncs, rejected: { ...this.counters.rejected } },
      leases: this.table.list(),
    };
  }

  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (this.socket) {
      watchReadable(this.socket.fd, null);
      this.socket.close();
      this.socket = null;
    }
  }

  private peer(): Uint8Array | null {
    return this.host.vrrpPeer() ?? this.heardFrom;
  }

  private tick(): void {
    this.cancelTimer = after(HELLO_MS, guarded(this.log, "lease channel hello", () => this.tick()));
    this.table.prune(Math.floor(Date.now() / 1000));
    this.send("hello", []);
  }

  private send(type: MessageType, leases: Lease[]): void {
    const peer = this.peer();
    if (!this.socket || !this.key || !peer) return;
    // Only a hello may go before the peer's boot id is known: anything else
    // would be rejected as a replay.
    if (type !== "hello" && this.peerBootId.every((b) => b === 0)) return;
    const chunks: Lease[][] = [];
    for (let i = 0; i < leases.length; i += LEASES_PER_MESSAGE) chunks.push(leases.slice(i, i + LEASES_PER_MESSAGE));
    if (chunks.length === 0) chunks.push([]);
    for (const chunk of chunks) {
      this.seq = (this.seq + 1) >>> 0;
      const frame: Frame = { from: this.bootId, to: this.peerBootId, seq: this.seq, type, leases: chunk };
      if (this.socket.send(encodeFrame(this.key, frame), peer)) this.counters.tx++;
      else this.counters.txFailed++;
    }
  }

  private receive(socket: UdpSocket): void {
    for (let got = socket.receive(); got; got = socket.receive()) {
      if (!this.key) continue;
      const from = got.from ? formatAddr({ family: 4, bytes: got.from }) : "?";
      const decoded = decodeFrame(this.key, got.data);
      if (!decoded.ok) {
        this.reject(decoded.reason, from);
        continue;
      }
      const f = decoded.frame;
      const verdict = this.guard.check(f);
      if (!verdict.accepted) {
        this.reject(verdict.reason, from);
        continue;
      }
      const now = this.host.now();
      const wasSilent = this.lastRx === null || now - this.lastRx > SILENT_MS;
      this.counters.rx++;
      this.lastRx = now;
      if (got.from) this.heardFrom = got.from;
      this.peerBootId = f.from.slice();
      if (verdict.newSession) this.log("info", `lease channel: peer ${from} (boot ${hex(f.from)}) connected`);
      if (f.type === "add") for (const l of f.leases) this.table.upsert(l);
      else if (f.type === "full") for (const l of f.leases) this.table.merge(l);
      else if (f.type === "del") for (const l of f.leases) this.table.remove(l.mac, l.ip);
      // A peer that is new, restarted, back from silence or does not know
      // our boot id gets our boot id and everything we hold.
      if (verdict.newSession || wasSilent || !verdict.peerKnowsUs) {
        this.counters.resyncs++;
        this.send("hello", []);
        if (this.table.size > 0) this.send("full", this.table.list());
      }
    }
  }

  private reject(reason: RejectReason, from: string): void {
    this.counters.rejected[reason]++;
    const line = this.warnings.pass(`lease channel: rejected a datagram from ${from}: ${reason}`, this.host.now());
    if (line) this.log("warn", line);
  }
}
