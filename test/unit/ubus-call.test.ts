// One ubus method call as a state machine (what `ubus call` does): ubusd's
// side is written here by hand from the protocol (ubusd_proto.c), and the
// test checks what the call sends and what it makes of the answers. The
// real ubusd and netifd answer it in test/openwrt/pair.test.ts.
import { describe, expect, it } from "vitest";
import { decodeBlobmsgFields } from "../../src/platform/ubus/blob";
import { UbusCall } from "../../src/platform/ubus/call";
import { type Message, MessageReader, MsgType, type ReadAttrs, UbusStatus, encodeMessage } from "../../src/platform/ubus/message";

const CLIENT_ID = 0x1a2b3c4d;
const OBJECT_ID = 0x5e00beef;
const OBJECT = "network.interface.lan";
const STATUS = { up: true, l3_device: "br-lan", device: "br-lan" };

function sent(bytes: Uint8Array[]): Message<ReadAttrs>[] {
  const r = new MessageReader().push(new Uint8Array(bytes.flatMap((b) => [...b])));
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

const hello = () => encodeMessage({ type: MsgType.hello, seq: 0, peer: CLIENT_ID, attrs: {} });

/** ubusd's answers to the LOOKUP (seq 1) of an object that is there. */
const found = (seq: number) => [
  encodeMessage({ type: MsgType.data, seq, peer: CLIENT_ID, attrs: { objPath: OBJECT, objId: OBJECT_ID, objType: 7 } }),
  encodeMessage({ type: MsgType.status, seq, peer: CLIENT_ID, attrs: { status: UbusStatus.ok } }),
];

describe("a ubus method call", () => {
  it("looks the object up after HELLO, invokes the method on its id, and returns the object's data", () => {
    const call = new UbusCall(OBJECT, "status", {});
    const afterHello = call.receive(hello());
    expect(afterHello.result).toBeNull();
    const [lookup] = sent(afterHello.send);
    expect([lookup!.type, lookup!.peer, lookup!.attrs.objPath]).toEqual([MsgType.lookup, 0, OBJECT]);

    const afterLookup = found(lookup!.seq).map((b) => call.receive(b));
    expect(afterLookup.map((o) => o.result)).toEqual([null, null]);
    const [invoke] = sent(afterLookup.flatMap((o) => o.send));
    expect([invoke!.type, invoke!.peer, invoke!.attrs.objId, invoke!.attrs.method]).toEqual([MsgType.invoke, OBJECT_ID, OBJECT_ID, "status"]);
    expect(decodeBlobmsgFields(invoke!.attrs.data!)).toEqual({ ok: true, value: {} });
    expect(invoke!.seq).not.toBe(lookup!.seq);

    // The object's reply comes through ubusd under the INVOKE's seq; a
    // stray message under another seq changes nothing.
    const stray = call.receive(encodeMessage({ type: MsgType.data, seq: lookup!.seq, peer: OBJECT_ID, attrs: { objId: OBJECT_ID, data: { up: false } } }));
    expect(stray).toEqual({ send: [], result: null });
    const answer = [
      encodeMessage({ type: MsgType.data, seq: invoke!.seq, peer: OBJECT_ID, attrs: { objId: OBJECT_ID, data: STATUS } }),
      encodeMessage({ type: MsgType.status, seq: invoke!.seq, peer: OBJECT_ID, attrs: { status: UbusStatus.ok, objId: OBJECT_ID } }),
    ];
    // In one read, cut anywhere: the stream is reassembled.
    const joined = new Uint8Array(answer.flatMap((b) => [...b]));
    expect(call.receive(joined.subarray(0, 5)).result).toBeNull();
    expect(call.receive(joined.subarray(5))).toEqual({ send: [], result: { ok: true, value: STATUS } });
  });

  it("says why when the object is not there: ubusd's status for the lookup, and nothing invoked", () => {
    const call = new UbusCall("network.interface.wan", "status", {});
    const [lookup] = sent(call.receive(hello()).send);
    const out = call.receive(encodeMessage({ type: MsgType.status, seq: lookup!.seq, peer: CLIENT_ID, attrs: { status: UbusStatus.notFound } }));
    expect(out.send).toEqual([]);
    expect(out.result).toEqual({ ok: false, reason: `network.interface.wan status: ubus status ${UbusStatus.notFound}` });
  });

  it("passes the method's failure on, and refuses a stream that does not start with HELLO", () => {
    const call = new UbusCall(OBJECT, "status", {});
    const [lookup] = sent(call.receive(hello()).send);
    const [invoke] = sent(found(lookup!.seq).flatMap((b) => call.receive(b).send));
    const out = call.receive(encodeMessage({ type: MsgType.status, seq: invoke!.seq, peer: OBJECT_ID, attrs: { status: UbusStatus.invalidArgument } }));
    expect(out.result).toEqual({ ok: false, reason: `${OBJECT} status: ubus status ${UbusStatus.invalidArgument}` });

    const early = new UbusCall(OBJECT, "status", {}).receive(found(1)[0]!);
    expect(early.result).toEqual({ ok: false, reason: `message type ${MsgType.data} before HELLO` });
  });
});
