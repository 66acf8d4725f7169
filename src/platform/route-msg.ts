// rtnetlink route and policy rule messages (RTM_NEWROUTE/DELROUTE,
// RTM_NEWRULE/DELRULE), built here in host byte order. Layouts:
// linux/rtnetlink.h (struct rtmsg, RTA_*) and linux/fib_rules.h (struct
// fib_rule_hdr, FRA_*), the same on every floatgw target. Pure: values in,
// bytes out.
import { hostLittleEndian as LE } from "./hostorder";
import { decodeAttrs, rtattr, u32 } from "./netlink";

export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;
export const RTM_GETRULE = 34;

/** What floatgw marks its routes and rules with (`ip route` shows `proto 112`,
 * VRRP's IP protocol number), so that it removes only its own. */
export const FLOATGW_PROTOCOL = 112;

const AF_INET = 2;
const AF_INET6 = 10;
/** struct rtmsg and struct fib_rule_hdr are both 12 bytes. */
const HDR_LEN = 12;

const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const RTNH_F_ONLINK = 4;
/** Tables above 255 go in RTA_TABLE / FRA_TABLE only, with RT_TABLE_UNSPEC in the header. */
const RT_TABLE_UNSPEC = 0;

export const ROUTE_TYPE = { unicast: 1, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9 } as const;
export const ROUTE_SCOPE = { global: 0, site: 200, link: 253, host: 254 } as const;

const FRA_DST = 1;
const FRA_SRC = 2;
const FRA_IIFNAME = 3;
const FRA_PRIORITY = 6;
const FRA_FWMARK = 10;
const FRA_TABLE = 15;
const FRA_FWMASK = 16;
const FRA_OIFNAME = 17;
const FRA_PROTOCOL = 21;
const FIB_RULE_INVERT = 0x2;
export const RULE_ACTION = { lookup: 1, blackhole: 6, unreachable: 7, prohibit: 8 } as const;

/** A network: its address bytes (4 or 16) and prefix length. */
export interface Network {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export interface RouteMessage {
  readonly family: 4 | 6;
  readonly type: keyof typeof ROUTE_TYPE;
  readonly target: Network;
  readonly gateway: Uint8Array | null;
  /** The output device; null: none (the kernel picks one by the gateway). */
  readonly ifindex: number | null;
  readonly table: number;
  readonly metric: number | null;
  readonly source: Uint8Array | null;
  readonly scope: keyof typeof ROUTE_SCOPE;
  readonly onlink: boolean;
}

export interface RuleMessage {
  readonly family: 4 | 6;
  readonly src: Network | null;
  readonly dest: Network | null;
  readonly in: string | null;
  readonly out: string | null;
  readonly mark: { readonly value: number; readonly mask: number | null } | null;
  readonly tos: number;
  readonly action: keyof typeof RULE_ACTION;
  readonly table: number | null;
  readonly priority: number | null;
  readonly invert: boolean;
}

/** A message body and its attributes, for encodeMessage. */
export interface Encoded {
  readonly body: Uint8Array;
  readonly attrs: Uint8Array[];
}

const familyCode = (f: 4 | 6): number => (f === 4 ? AF_INET : AF_INET6);

/** A NUL-terminated interface name attribute. */
function ifname(type: number, name: string): Uint8Array {
  const b = new Uint8Array(name.length + 1);
  for (let i = 0; i < name.length; i++) b[i] = name.charCodeAt(i) & 0xff;
  return rtattr(type, b);
}

export function encodeRoute(r: RouteMessage): Encoded {
  const body = new Uint8Array(HDR_LEN);
  body[0] = familyCode(r.family);
  body[1] = r.target.prefix;
  body[4] = r.table < 256 ? r.table : RT_TABLE_UNSPEC;
  body[5] = FLOATGW_PROTOCOL;
  body[6] = ROUTE_SCOPE[r.scope];
  body[7] = ROUTE_TYPE[r.type];
  new DataView(body.buffer).setUint32(8, r.onlink ? RTNH_F_ONLINK : 0, LE);
  const attrs = [rtattr(RTA_TABLE, u32(r.table))];
  if (r.target.prefix > 0) attrs.push(rtattr(RTA_DST, r.target.bytes));
  if (r.gateway !== null) attrs.push(rtattr(RTA_GATEWAY, r.gateway));
  if (r.ifindex !== null) attrs.push(rtattr(RTA_OIF, u32(r.ifindex)));
  if (r.metric !== null) attrs.push(rtattr(RTA_PRIORITY, u32(r.metric)));
  if (r.source !== null) attrs.push(rtattr(RTA_PREFSRC, r.source));
  return { body, attrs };
}

export function encodeRule(r: RuleMessage): Encoded {
  const body = new Uint8Array(HDR_LEN);
  body[0] = familyCode(r.family);
  body[1] = r.dest?.prefix ?? 0;
  body[2] = r.src?.prefix ?? 0;
  body[3] = r.tos;
  body[4] = r.table !== null && r.table < 256 ? r.table : RT_TABLE_UNSPEC;
  body[7] = RULE_ACTION[r.action];
  new DataView(body.buffer).setUint32(8, r.invert ? FIB_RULE_INVERT : 0, LE);
  const attrs = [rtattr(FRA_PROTOCOL, new Uint8Array([FLOATGW_PROTOCOL]))];
  if (r.table !== null) attrs.push(rtattr(FRA_TABLE, u32(r.table)));
  if (r.dest !== null && r.dest.prefix > 0) attrs.push(rtattr(FRA_DST, r.dest.bytes));
  if (r.src !== null && r.src.prefix > 0) attrs.push(rtattr(FRA_SRC, r.src.bytes));
  if (r.in !== null) attrs.push(ifname(FRA_IIFNAME, r.in));
  if (r.out !== null) attrs.push(ifname(FRA_OIFNAME, r.out));
  if (r.priority !== null) attrs.push(rtattr(FRA_PRIORITY, u32(r.priority)));
  if (r.mark !== null) {
    attrs.push(rtattr(FRA_FWMARK, u32(r.mark.value)));
    if (r.mark.mask !== null) attrs.push(rtattr(FRA_FWMASK, u32(r.mark.mask)));
  }
  return { body, attrs };
}

/** The protocol a dumped route (RTM_NEWROUTE payload) was added with. */
export function routeProtocol(payload: Uint8Array): number | null {
  return payload.length >= HDR_LEN ? (payload[5] ?? null) : null;
}

const PROTOCOL_ATTR = [FRA_PROTOCOL];

/** The protocol a dumped rule (RTM_NEWRULE payload) was added with; 0 when unmarked. */
export function ruleProtocol(payload: Uint8Array): number | null {
  if (payload.length < HDR_LEN) return null;
  return decodeAttrs(payload, HDR_LEN, PROTOCOL_ATTR).get(FRA_PROTOCOL)?.[0] ?? 0;
}

/** The 12-byte header a dump request carries: only the family set. */
export function dumpRequest(family: 4 | 6): Uint8Array {
  const body = new Uint8Array(HDR_LEN);
  body[0] = familyCode(family);
  return body;
}
