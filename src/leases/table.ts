// The leases floatgw holds for dnsmasq: one table per daemon, fed by the
// local dnsmasq's lease events and by the peer's lease channel, and written
// into dnsmasq's lease file when this router takes over DHCP. Pure: times are
// epoch seconds passed in; the file is text in, text out.
//
// dnsmasq's lease file has one IPv4 lease a line,
//   <expiry epoch seconds, 0 = never> <MAC> <IPv4> <hostname or *> <client-id or *>
// then a `duid` line and IPv6 leases, which floatgw keeps as they are.
import { formatAddr, parseIpv4 } from "../core/addr";

export interface Lease {
  /** Lower-case hex pairs with colons, as dnsmasq writes Ethernet MACs. */
  readonly mac: string;
  readonly ip: string;
  /** "*" when unknown. */
  readonly hostname: string;
  /** "*" when unknown. */
  readonly clientId: string;
  /** Epoch seconds; 0: never expires. */
  readonly expires: number;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){0,19}$/;
const HOSTNAME = /^(\*|[A-Za-z0-9_][A-Za-z0-9._-]{0,62})$/;
const CLIENT_ID = /^(\*|[0-9a-f]{2}(:[0-9a-f]{2}){0,63})$/;

/** A lease from untrusted text fields, normalised; a reason when invalid. */
export function makeLease(f: { mac: string; ip: string; hostname?: string; clientId?: string; expires: number }): Lease | string {
  const mac = f.mac.toLowerCase();
  if (!MAC.test(mac)) return `bad MAC '${f.mac}'`;
  const addr = parseIpv4(f.ip);
  if (!addr) return `bad IPv4 address '${f.ip}'`;
  const hostname = f.hostname === undefined || f.hostname === "" ? "*" : f.hostname;
  if (!HOSTNAME.test(hostname)) return `bad hostname '${hostname}'`;
  const clientId = f.clientId === undefined || f.clientId === "" ? "*" : f.clientId.toLowerCase();
  if (!CLIENT_ID.test(clientId)) return `bad client id '${clientId}'`;
  if (!Number.isInteger(f.expires) || f.expires < 0 || f.expires > 0xffffffff) return `bad expiry '${f.expires}'`;
  return { mac, ip: formatAddr(addr), hostname, clientId, expires: f.expires };
}

export class LeaseTable {
  private readonly byMac = new Map<string, Lease>();

  get size(): number {
    return this.byMac.size;
  }

  list(): Lease[] {
    return [...this.byMac.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  }

  /** Adds or replaces the client's lease; another client's lease of the same
   * address is dropped (the address moved). Returns whether anything changed. */
  upsert(lease: Lease): boolean {
    const old = this.byMac.get(lease.mac);
    if (old && sameLease(old, lease)) return false;
    for (const [mac, l] of this.byMac) if (l.ip === lease.ip && mac !== lease.mac) this.byMac.delete(mac);
    this.byMac.set(lease.mac, lease);
    return true;
  }

  /** A lease learnt from the peer's full resync: kept unless we hold a
   * lease of that client that lasts longer. */
  merge(lease: Lease): boolean {
    const old = this.byMac.get(lease.mac);
    if (old && (old.expires === 0 || (lease.expires !== 0 && old.expires >= lease.expires))) return false;
    return this.upsert(lease);
  }

  remove(mac: string, ip: string): boolean {
    const old = this.byMac.get(mac.toLowerCase());
    if (!old || old.ip !== ip) return false;
    this.byMac.delete(old.mac);
    return true;
  }

  /** Drops the leases that expired before `now` (epoch seconds). */
  prune(now: number): number {
    let n = 0;
    for (const [mac, l] of this.byMac) {
      if (l.expires !== 0 && l.expires <= now) {
        this.byMac.delete(mac);
        n++;
      }
    }
    return n;
  }
}

function sameLease(a: Lease, b: Lease): boolean {
  return a.mac === b.mac && a.ip === b.ip && a.hostname === b.hostname && a.clientId === b.clientId && a.expires === b.expires;
}

export interface LeaseFile {
  /** The IPv4 leases. */
  leases: Lease[];
  /** Every other line (duid, IPv6 leases, anything unrecognised), in order. */
  other: string[];
}

export function parseLeaseFile(text: string): LeaseFile {
  const leases: Lease[] = [];
  const other: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const f = line.trim().split(/\s+/);
    const lease = f.length === 5 && /^[0-9]+$/.test(f[0] ?? "")
      ? makeLease({ expires: Number(f[0]), mac: f[1] ?? "", ip: f[2] ?? "", hostname: f[3] ?? "", clientId: f[4] ?? "" })
      : "not an IPv4 lease";
    if (typeof lease === "string") other.push(line);
    else leases.push(lease);
  }
  return { leases, other };
}

/** The lease file dnsmasq should read: the file's current IPv4 leases that
 * no held lease contradicts (same client or same address), the held leases
 * that have not expired, then the file's other lines unchanged. */
export function renderLeaseFile(current: string, held: readonly Lease[], now: number): string {
  const file = parseLeaseFile(current);
  const live = held.filter((l) => l.expires === 0 || l.expires > now);
  const macs = new Set(live.map((l) => l.mac));
  const ips = new Set(live.map((l) => l.ip));
  const kept = file.leases.filter((l) => !macs.has(l.mac) && !ips.has(l.ip));
  const lines = [...live, ...kept].map((l) => `${l.expires} ${l.mac} ${l.ip} ${l.hostname} ${l.clientId}`);
  return [...lines, ...file.other].map((l) => l + "\n").join("");
}
