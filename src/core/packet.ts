// VRRP advertisement codec: the VRRP message only (the kernel writes the IP
// header on send; ipv4.ts strips it on receive). Packet sanity lives here;
// whether an instance accepts a sane advert is accept.ts's business.
//
// RFC 3768 §5.1 (v2) and RFC 5798 §5.1 (v3), one 8-byte header:
//
//   0: version(4) type(4)   1: VRID   2: priority   3: count of addresses
//   v2: 4: auth type  5: Adver Int (seconds)          6-7: checksum
//   v3: 4-5: reserved(4) Max Adver Int (12 bits, centiseconds)  6-7: checksum
//   8: addresses (4 or 16 bytes each)   v2 only: 8 bytes of authentication data

import { type Addr, type Family, addrLength, formatAddr } from "./addr";
import { internetChecksum, pseudoHeader } from "./checksum";
import { type Result, fail, ok } from "./result";
import { type Centisec, type Vrid, MAX_CENTISEC, toCentisec, toVrid } from "./units";

/** RFC 5798 §5.2.2: the only VRRP packet type. */
const TYPE_ADVERTISEMENT = 1;
const HEADER_LEN = 8;
/** RFC 2338 §5.3.10 (kept by keepalived for v2): 8 octets of authentication data. */
export const AUTH_DATA_LEN = 8;
/** RFC 3768 §5.3.6 Adver Int is one byte of seconds. */
const MAX_V2_INTERVAL_SEC = 255;
/** The Count IPvX Addr field is one byte. */
const MAX_COUNT = 255;
/** An advert must fit one Ethernet frame, unfragmented. */
const MAX_IP_PACKET = 1500;
const IP_HEADER = { 4: 20, 6: 40 } as const;

/** How many addresses one advert of `version` over `family` can carry: the
 * Count field's 255, and no more than fit in 1500 bytes with the IP header
 * (IPv6: 90). The configuration checks hold every instance to it. */
export function maxAddresses(version: 2 | 3, family: Family): number {
  const trailer = version === 2 ? AUTH_DATA_LEN : 0;
  const room = MAX_IP_PACKET - IP_HEADER[family] - HEADER_LEN - trailer;
  return Math.min(MAX_COUNT, Math.floor(room / addrLength(family)));
}

const OFFSET = {
  versionType: 0,
  vrid: 1,
  priority: 2,
  count: 3,
  v2AuthType: 4,
  v2AdverInt: 5,
  v3MaxAdverInt: 4,
  checksum: 6,
  addrs: HEADER_LEN,
} as const;

/** RFC 2338 §5.3.6 authentication types; type 2 (IP AH) is not implemented. */
const AUTH_TYPE = { none: 0, pass: 1, ah: 2 } as const;

/** v2 authentication: none, or keepalived's `auth_type PASS` (RFC 2338 §5.3.6.1). */
export type V2Auth =
  | { readonly type: "none" }
  | { readonly type: "pass"; readonly key: Uint8Array /* AUTH_DATA_LEN bytes, zero padded */ };

interface AdvertCommon {
  readonly vrid: Vrid;
  /** 0..255; 0 announces that the master stopped (RFC 5798 §5.2.4). */
  readonly priority: number;
  readonly addrs: readonly Addr[];
}

export interface AdvertV2 extends AdvertCommon {
  readonly version: 2;
  readonly family: 4;
  readonly adverIntervalSec: number;
  readonly auth: V2Auth;
}

export interface AdvertV3 extends AdvertCommon {
  readonly version: 3;
  readonly family: Family;
  readonly maxAdverIntervalCs: Centisec;
}

export type Advert = AdvertV2 | AdvertV3;

/** The IP source and destination the checksum's pseudo-header covers. */
export interface IpPath {
  readonly src: Addr;
  readonly dst: Addr;
}

export interface CodecOptions {
  /**
   * RFC 5798 §5.2.8 puts the pseudo-header into every v3 checksum, and
   * keepalived, FRR and tshark do so by default. Some older v3-over-IPv4
   * peers checksum the VRRP message alone (FRR's
   * `checksum-with-ipv4-pseudoheader`, FRR issue #9951); false speaks their
   * dialect for sending and receiving. IPv6 always uses the pseudo-header.
   */
  readonly v3Ipv4PseudoHeader?: boolean;
}

export type DecodeFailure =
  | "short"
  | "bad-length"
  | "bad-version"
  | "bad-type"
  | "bad-family"
  | "bad-checksum"
  | "bad-vrid"
  | "bad-interval"
  | "auth-unsupported"
  | "bad-auth-type";

/** A v2 PASS key from keepalived's `auth_pass`: 1..8 printable ASCII characters, zero padded. */
export function passwordKey(text: string): Uint8Array | null {
  if (text.length < 1 || text.length > AUTH_DATA_LEN || !/^[\x21-\x7e]+$/.test(text)) return null;
  const key = new Uint8Array(AUTH_DATA_LEN);
  for (let i = 0; i < text.length; i++) key[i] = text.charCodeAt(i);
  return key;
}

/** The interval an advert carries, in centiseconds whatever its version. */
export function advertIntervalCs(advert: Advert): number {
  return advert.version === 2 ? advert.adverIntervalSec * 100 : advert.maxAdverIntervalCs;
}

export function encodedLength(advert: Advert): number {
  const trailer = advert.version === 2 ? AUTH_DATA_LEN : 0;
  return HEADER_LEN + advert.addrs.length * addrLength(advert.family) + trailer;
}

function usesPseudoHeader(version: 2 | 3, family: Family, opts: CodecOptions): boolean {
  // RFC 3768 §5.3.8: the v2 checksum covers the VRRP message only.
  if (version === 2) return false;
  return family === 6 || opts.v3Ipv4PseudoHeader !== false;
}

function checksumOf(message: Uint8Array, version: 2 | 3, family: Family, path: IpPath, opts: CodecOptions): number {
  const parts = usesPseudoHeader(version, family, opts)
    ? [pseudoHeader(path.src, path.dst, message.length), message]
    : [message];
  return internetChecksum(parts);
}

/** Programmer errors only: the config layer must never build such an advert. */
function assertEncodable(advert: Advert, path: IpPath): void {
  const max = maxAddresses(advert.version, advert.family);
  if (advert.addrs.length > max) throw new RangeError(`a VRRPv${advert.version} IPv${advert.family} advert carries at most ${max} addresses, not ${advert.addrs.length}`);
  if (advert.addrs.some((a) => a.family !== advert.family) || path.src.family !== advert.family)
    throw new RangeError("advert mixes address families");
  if (!Number.isInteger(advert.priority) || advert.priority < 0 || advert.priority > 255)
    throw new RangeError(`priority ${advert.priority} out of 0..255`);
  if (advert.version === 2) {
    if (advert.family !== 4) throw new RangeError("VRRPv2 is IPv4-only (RFC 3768)");
    const sec = advert.adverIntervalSec;
    if (!Number.isInteger(sec) || sec < 1 || sec > MAX_V2_INTERVAL_SEC)
      throw new RangeError(`v2 interval ${sec}s out of 1..${MAX_V2_INTERVAL_SEC}`);
    if (advert.auth.type === "pass" && advert.auth.key.length !== AUTH_DATA_LEN)
      throw new RangeError(`v2 PASS key must be ${AUTH_DATA_LEN} bytes`);
  } else if (toCentisec(advert.maxAdverIntervalCs) === null) {
    throw new RangeError(`v3 interval ${advert.maxAdverIntervalCs}cs out of 1..${MAX_CENTISEC}`);
  }
}

/** Builds the VRRP message for `path.src` → `path.dst` (the path feeds the v3 checksum). */
export function encodeAdvert(advert: Advert, path: IpPath, opts: CodecOptions = {}): Uint8Array {
  assertEncodable(advert, path);
  const out = new Uint8Array(encodedLength(advert));
  const view = new DataView(out.buffer);
  view.setUint8(OFFSET.versionType, (advert.version << 4) | TYPE_ADVERTISEMENT);
  view.setUint8(OFFSET.vrid, advert.vrid);
  view.setUint8(OFFSET.priority, advert.priority);
  view.setUint8(OFFSET.count, advert.addrs.length);
  if (advert.version === 2) {
    view.setUint8(OFFSET.v2AuthType, AUTH_TYPE[advert.auth.type]);
    view.setUint8(OFFSET.v2AdverInt, advert.adverIntervalSec);
  } else {
    // RFC 5798 §5.2.6: the 4 reserved bits are sent as zero.
    view.setUint16(OFFSET.v3MaxAdverInt, advert.maxAdverIntervalCs);
  }
  let at = OFFSET.addrs;
  for (const a of advert.addrs) {
    out.set(a.bytes, at);
    at += a.bytes.length;
  }
  if (advert.version === 2 && advert.auth.type === "pass") out.set(advert.auth.key, at);
  view.setUint16(OFFSET.checksum, checksumOf(out, advert.version, advert.family, path, opts));
  return out;
}

function decodeAddrs(bytes: Uint8Array, family: Family, count: number): Addr[] {
  const len = addrLength(family);
  const addrs: Addr[] = [];
  for (let i = 0; i < count; i++) {
    const start = OFFSET.addrs + i * len;
    addrs.push({ family, bytes: bytes.slice(start, start + len) });
  }
  return addrs;
}

function decodeV2Auth(view: DataView, bytes: Uint8Array, trailerAt: number): Result<V2Auth, DecodeFailure> {
  const authType = view.getUint8(OFFSET.v2AuthType);
  if (authType === AUTH_TYPE.none) return ok({ type: "none" });
  if (authType === AUTH_TYPE.pass)
    return ok({ type: "pass", key: bytes.slice(trailerAt, trailerAt + AUTH_DATA_LEN) });
  if (authType === AUTH_TYPE.ah)
    return fail("auth-unsupported", "v2 auth type 2 (IP Authentication Header) is not supported; use none or PASS");
  return fail("bad-auth-type", `v2 auth type ${authType} is not defined (RFC 2338 §5.3.6)`);
}

/**
 * Parses one VRRP message received on `path`. Never throws on peer bytes: a
 * hostile `count`, truncation or trailing junk all come back as a reason.
 */
export function decodeAdvert(bytes: Uint8Array, path: IpPath, opts: CodecOptions = {}): Result<Advert, DecodeFailure> {
  if (bytes.length < HEADER_LEN)
    return fail("short", `${bytes.length} bytes is shorter than the ${HEADER_LEN}-byte VRRP header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const versionType = view.getUint8(OFFSET.versionType);
  const version = versionType >> 4;
  if (version !== 2 && version !== 3) return fail("bad-version", `VRRP version ${version} is neither 2 nor 3`);
  const type = versionType & 0x0f;
  if (type !== TYPE_ADVERTISEMENT) return fail("bad-type", `packet type ${type} is not an advertisement (1)`);
  const family = path.src.family;
  if (version === 2 && family !== 4) return fail("bad-family", "VRRPv2 is IPv4-only (RFC 3768); got it over IPv6");

  const count = view.getUint8(OFFSET.count);
  const trailer = version === 2 ? AUTH_DATA_LEN : 0;
  const expected = HEADER_LEN + count * addrLength(family) + trailer;
  if (bytes.length < expected)
    return fail("short", `count says ${count} IPv${family} addresses (${expected} bytes) but only ${bytes.length} arrived`);
  if (bytes.length > expected)
    return fail("bad-length", `${bytes.length} bytes where count ${count} implies exactly ${expected}`);

  const want = checksumOf(zeroChecksum(bytes), version, family, path, opts);
  const got = view.getUint16(OFFSET.checksum);
  if (got !== want) {
    const how = usesPseudoHeader(version, family, opts) ? "with" : "without";
    return fail(
      "bad-checksum",
      `checksum 0x${hex4(got)} from ${formatAddr(path.src)}, expected 0x${hex4(want)} (${how} pseudo-header)`,
    );
  }

  const vrid = toVrid(view.getUint8(OFFSET.vrid));
  if (vrid === null) return fail("bad-vrid", "VRID 0 is not valid (RFC 5798 §5.2.3: 1..255)");
  const priority = view.getUint8(OFFSET.priority);
  const addrs = decodeAddrs(bytes, family, count);

  if (version === 2) {
    const adverIntervalSec = view.getUint8(OFFSET.v2AdverInt);
    if (adverIntervalSec === 0) return fail("bad-interval", "v2 Adver Int of 0 seconds");
    const auth = decodeV2Auth(view, bytes, expected - AUTH_DATA_LEN);
    if (!auth.ok) return auth;
    return ok({ version: 2, family: 4, vrid, priority, addrs, adverIntervalSec, auth: auth.value });
  }
  // RFC 5798 §5.2.6: the reserved bits are ignored on reception.
  const maxAdverIntervalCs = toCentisec(view.getUint16(OFFSET.v3MaxAdverInt) & MAX_CENTISEC);
  if (maxAdverIntervalCs === null) return fail("bad-interval", "v3 Max Adver Int of 0 centiseconds");
  return ok({ version: 3, family, vrid, priority, addrs, maxAdverIntervalCs });
}

function zeroChecksum(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[OFFSET.checksum] = 0;
  copy[OFFSET.checksum + 1] = 0;
  return copy;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}
