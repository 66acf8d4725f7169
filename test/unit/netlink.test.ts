// rtnetlink parsing done in place for cost: the answer to a request found
// without an object per message (answerIn), and an address event's address
// found without a map of its attributes (decodeAddr). Messages are built with
// the module's own encoder, in host order as the kernel sends them.
import { describe, expect, it } from "vitest";
import {
  IFA_ADDRESS, IFA_CACHEINFO, IFA_LOCAL, NLMSG_DONE, NLMSG_ERROR, RTM_NEWADDR, answerIn, decodeAddr, decodeMessages,
  encodeMessage, ifaCacheinfo, ifaddrmsg, rtattr,
} from "../../src/platform/netlink";
import { hostLittleEndian } from "../../src/platform/hostorder";

const SHORT = 999;

function i32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, hostLittleEndian);
  return b;
}

/** An NLMSG_ERROR answering `seq` with -errno (0: an ACK), echoing a 16-byte header. */
const errorMessage = (seq: number, errno: number): Uint8Array => encodeMessage(NLMSG_ERROR, 0, seq, i32(-errno), [new Uint8Array(16)]);

const datagram = (...messages: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(messages));

const answer = (d: Uint8Array, seq: number, length = d.length): number | null =>
  answerIn(d, new DataView(d.buffer, d.byteOffset, d.byteLength), length, seq, SHORT);

describe("answerIn", () => {
  it("finds the ACK, an error's errno and the end of a dump for its sequence number", () => {
    expect(answer(errorMessage(7, 0), 7)).toBe(0);
    expect(answer(errorMessage(7, 17), 7)).toBe(17);
    expect(answer(encodeMessage(NLMSG_DONE, 0, 7, i32(0)), 7)).toBe(0);
  });

  it("skips answers to other requests and other messages, also within one datagram", () => {
    expect(answer(errorMessage(6, 17), 7)).toBeNull();
    expect(answer(datagram(errorMessage(6, 17), encodeMessage(RTM_NEWADDR, 0, 7, ifaddrmsg(2, 24, 0, 0, 3)), errorMessage(7, 0)), 7)).toBe(0);
  });

  it("reads only the datagram's length, stops at a malformed length, and names a short error", () => {
    const ack = errorMessage(7, 0);
    expect(answer(datagram(errorMessage(6, 0), ack), 7, ack.length)).toBeNull();
    const bad = errorMessage(7, 0);
    new DataView(bad.buffer).setUint32(0, 8, hostLittleEndian);
    expect(answer(bad, 7)).toBeNull();
    expect(answer(encodeMessage(NLMSG_ERROR, 0, 7, new Uint8Array(0)), 7)).toBe(SHORT);
  });
});

describe("decodeAddr", () => {
  const v4 = new Uint8Array([198, 18, 0, 1]);
  const peer = new Uint8Array([198, 18, 0, 9]);
  const label = rtattr(3, new Uint8Array([0x62, 0x72, 0x2d, 0x6c, 0x61, 0x6e, 0]));
  const event = (attrs: Uint8Array[]) => {
    const [msg] = decodeMessages(encodeMessage(RTM_NEWADDR, 0, 1, ifaddrmsg(2, 24, 0x80, 0, 5), attrs));
    if (!msg) throw new Error("no message");
    return decodeAddr(msg);
  };

  it("takes the header's fields and IFA_LOCAL over IFA_ADDRESS (the peer of a point-to-point address)", () => {
    expect(event([rtattr(IFA_ADDRESS, peer), rtattr(IFA_LOCAL, v4), label, rtattr(IFA_CACHEINFO, ifaCacheinfo(4))]))
      .toEqual({ family: 2, prefix: 24, flags: 0x80, scope: 0, ifindex: 5, address: v4 });
  });

  it("falls back to IFA_ADDRESS, lets the last of a type win, and has no address without either", () => {
    expect(event([label, rtattr(IFA_ADDRESS, peer)])?.address).toEqual(peer);
    expect(event([rtattr(IFA_LOCAL, peer), rtattr(IFA_LOCAL, v4)])?.address).toEqual(v4);
    expect(event([label])?.address).toBeNull();
  });

  it("stops at an attribute that runs past the message", () => {
    const cut = rtattr(IFA_LOCAL, v4);
    new DataView(cut.buffer).setUint16(0, 64, hostLittleEndian);
    expect(event([rtattr(IFA_ADDRESS, peer), cut])?.address).toEqual(peer);
  });

  it("copies the address out of the received buffer", () => {
    const d = encodeMessage(RTM_NEWADDR, 0, 1, ifaddrmsg(2, 24, 0, 0, 5), [rtattr(IFA_LOCAL, v4)]);
    const [msg] = decodeMessages(d);
    const a = msg ? decodeAddr(msg) : null;
    d.fill(0);
    expect(a?.address).toEqual(v4);
  });
});
