// Instance-level acceptance of a sane advert (RFC 3768 §7.1, RFC 5798 §7.1).
// packet.ts has already checked version, type, length, checksum and auth
// type; here the advert is held against one instance's configuration.

import { type Addr, addrEquals, formatAddr } from "./addr";
import { sameBytes } from "./bytes";
import type { InstanceConfig } from "./instance-config";
import { type Advert, type V2Auth, advertIntervalCs } from "./packet";
import { type Result, fail, ok } from "./result";

/** RFC 5798 §5.1.1.3: adverts go out with TTL / Hop Limit 255, so only on-link peers are heard. */
export const VRRP_TTL = 255;

export type AcceptFailure =
  | "bad-ttl"
  | "unknown-peer"
  | "version-mismatch"
  | "family-mismatch"
  | "vrid-mismatch"
  | "auth-mismatch"
  | "interval-mismatch";

/** A decoded advert with what the platform learned from the IP layer. */
export interface ReceivedAdvert {
  readonly advert: Advert;
  /** IP source: the sender's primary address. */
  readonly src: Addr;
  /** IPv4 TTL or IPv6 Hop Limit, from IP_TTL / IPV6_HOPLIMIT. */
  readonly ttl: number;
}

export interface Acceptance {
  /** Set when the advert's address list differs from ours: counted and logged, not dropped. */
  readonly addressMismatch: string | null;
}

function sameAuth(a: V2Auth, b: V2Auth): boolean {
  if (a.type === "none" || b.type === "none") return a.type === b.type;
  return a.key.length === b.key.length && sameBytes(a.key, 0, b.key, 0, a.key.length);
}

function sameList(a: readonly Addr[], b: readonly Addr[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!addrEquals(a[i]!, b[i]!)) return false;
  return true;
}

/** A loop, not `some`: this runs for every advert in unicast mode. */
function isPeer(peers: readonly Addr[], src: Addr): boolean {
  for (let i = 0; i < peers.length; i++) if (addrEquals(peers[i]!, src)) return true;
  return false;
}

function addressMismatch(c: InstanceConfig, addrs: readonly Addr[]): string | null {
  // Every advert is checked: the usual case, the same list in the same
  // order, takes no closures or arrays.
  if (sameList(c.vips, addrs)) return null;
  const missing = c.vips.filter((v) => !addrs.some((a) => addrEquals(a, v)));
  const extra = addrs.filter((a) => !c.vips.some((v) => addrEquals(a, v)));
  if (missing.length === 0 && extra.length === 0 && addrs.length === c.vips.length) return null;
  const list = (xs: readonly Addr[]): string => (xs.length === 0 ? "none" : xs.map(formatAddr).join(", "));
  return `address list differs: ${addrs.length} received vs ${c.vips.length} configured; missing ${list(missing)}; unexpected ${list(extra)}`;
}

/** The verdict on every advert whose address list matches ours: one object
 * for all of them (acceptance runs for every advert heard). */
const ACCEPTED: Result<Acceptance, AcceptFailure> = ok({ addressMismatch: null });

export function acceptAdvert(c: InstanceConfig, rx: ReceivedAdvert): Result<Acceptance, AcceptFailure> {
  const a = rx.advert;
  if (c.unicastPeers.length > 0) {
    // Unicast mode: only the configured peers speak for this virtual router.
    // Their TTL is not checked (as keepalived): a peer may sit behind a router.
    if (!isPeer(c.unicastPeers, rx.src))
      return fail("unknown-peer", `advert from ${formatAddr(rx.src)}, which is not a configured unicast_peer`);
  } else if (rx.ttl !== VRRP_TTL) {
    // RFC 5798 §7.1: MUST verify TTL/Hop Limit 255, so that only on-link
    // routers are heard; for every advert, also one sent unicast to us.
    return fail("bad-ttl", `advert from ${formatAddr(rx.src)} has TTL ${rx.ttl}; on-link VRRP uses ${VRRP_TTL}`);
  }
  if (a.version !== c.version)
    return fail("version-mismatch", `VRRPv${a.version} advert from ${formatAddr(rx.src)} for a VRRPv${c.version} instance`);
  if (a.family !== c.family)
    return fail("family-mismatch", `IPv${a.family} advert from ${formatAddr(rx.src)} for an IPv${c.family} instance`);
  if (a.vrid !== c.vrid) return fail("vrid-mismatch", `advert from ${formatAddr(rx.src)} is for VRID ${a.vrid}, not ${c.vrid}`);
  // RFC 3768 §7.1: MUST verify that the Auth Type matches (and, for type 1, the key).
  if (a.version === 2 && !sameAuth(a.auth, c.auth))
    return fail("auth-mismatch", `v2 authentication from ${formatAddr(rx.src)} does not match ours (type ${a.auth.type})`);
  // RFC 3768 §7.1: MUST verify the Adver Interval matches, else discard. RFC 5798
  // drops this rule: a v3 backup learns the master's interval instead.
  if (a.version === 2 && advertIntervalCs(a) !== c.advertIntervalCs)
    return fail(
      "interval-mismatch",
      `advert from ${formatAddr(rx.src)} every ${a.adverIntervalSec}s, ours every ${c.advertIntervalCs / 100}s`,
    );
  // RFC 5798 §7.1: MAY verify the address list; on failure SHOULD log. We
  // count and still process it (see docs/vrrp-core.md "Address list").
  const mismatch = addressMismatch(c, a.addrs);
  return mismatch === null ? ACCEPTED : ok({ addressMismatch: mismatch });
}
