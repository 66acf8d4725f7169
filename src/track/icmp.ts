// ICMP and ICMPv6 echo (RFC 792, RFC 4443 §4) for the ping tracker: the
// request to send and the recognition of its reply. A raw IPv4 socket hands
// over the IP header too; a raw ICMPv6 socket does not, and the kernel
// fills in the ICMPv6 checksum (RFC 3542 §3.1) while ICMPv4's is ours.

import type { Family } from "../core/addr";
import { internetChecksum } from "../core/checksum";

const ECHO_REQUEST = { 4: 8, 6: 128 } as const;
const ECHO_REPLY = { 4: 0, 6: 129 } as const;
const HEADER = 8;

export interface EchoId {
  readonly id: number;
  readonly seq: number;
}

export function echoRequest(family: Family, e: EchoId, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, ECHO_REQUEST[family]);
  view.setUint16(4, e.id);
  view.setUint16(6, e.seq);
  out.set(payload, HEADER);
  if (family === 4) view.setUint16(2, internetChecksum([out]));
  return out;
}

/** The identifier and sequence of an echo reply as the raw socket gave it,
 * or null for anything else (other ICMP traffic reaches raw sockets too). */
export function echoReply(family: Family, datagram: Uint8Array): EchoId | null {
  let icmp = datagram;
  if (family === 4) {
    if (datagram.length < 20 || datagram[0] === undefined || datagram[0] >> 4 !== 4) return null;
    icmp = datagram.subarray((datagram[0] & 0x0f) * 4);
  }
  if (icmp.length < HEADER || icmp[0] !== ECHO_REPLY[family] || icmp[1] !== 0) return null;
  const view = new DataView(icmp.buffer, icmp.byteOffset, icmp.length);
  return { id: view.getUint16(4), seq: view.getUint16(6) };
}
