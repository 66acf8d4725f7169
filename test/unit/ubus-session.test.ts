// The ubus session as a state machine: ubusd's side of each exchange is
// written here by hand from the protocol (ubusd_proto.c), and the test
// checks what the session answers.
import { describe, expect, it } from "vitest";
import { BlobmsgType, type BlobTable, decodeBlobmsgFields } from "../../src/platform/ubus/blob";
import { type Message, MessageReader, MsgType, type ReadAttrs, UbusStatus, encodeMessage } from "../../src/platform/ubus/message";
import { type MethodHandler, type MethodReply, type ObjectSpec, type Output, UbusSession } from "../../src/platform/ubus/session";

const OBJECT: ObjectSpec = {
  path: "floatgw",
  methods: [
    { name: "status", args: {} },
    { name: "switchover", args: { instance: BlobmsgType.string, hold: BlobmsgType.int32 } },
  ],
};
const CLIENT_ID = 0x1a2b3c4d;
const OBJECT_ID = 0x6f00d00d;
const CALLER = 0x22222222;

function decode(out: Output): Message<ReadAttrs>[] {
  const r = new MessageReader().push(new Uint8Array(out.send.flatMap((b) => [...b])));
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

function data(m: Message<ReadAttrs>): BlobTable | undefined {
  if (!m.attrs.data) return undefined;
  const d = decodeBlobmsgFields(m.attrs.data);
  if (!d.ok) throw new Error(d.reason);
  return d.value;
}

const calls: { method: string; args: unknown }[] = [];
const handler: MethodHandler = (method, args): MethodReply => {
  calls.push({ method, args });
  if (!args.ok) return { status: UbusStatus.invalidArgument, data: { error: args.reason } };
  if (method === "status") return { status: UbusStatus.ok, data: { state: "master" } };
  return { status: UbusStatus.notSupported, data: { error: "not master" } };
};

/** A session that got HELLO and registered its object. */
function registered(): { s: UbusSession; addSeq: number } {
  const s = new UbusSession(OBJECT, handler);
  const add = decode(s.receive(encodeMessage({ type: MsgType.hello, seq: 0, peer: CLIENT_ID, attrs: {} })))[0]!;
  s.receive(encodeMessage({ type: MsgType.data, seq: add.seq, peer: 0, attrs: { objId: OBJECT_ID, objType: 99 } }));
  const out = s.receive(encodeMessage({ type: MsgType.status, seq: add.seq, peer: 0, attrs: { status: 0 } }));
  expect(out.notes).toEqual([{ kind: "registered", objectId: OBJECT_ID }]);
  return { s, addSeq: add.seq };
}

describe("registration", () => {
  it("answers HELLO with ADD_OBJECT: the path and each method's arguments as blobmsg types", () => {
    const s = new UbusSession(OBJECT, handler);
    const out = s.receive(encodeMessage({ type: MsgType.hello, seq: 0, peer: CLIENT_ID, attrs: {} }));
    const [add] = decode(out);
    expect(s.clientId).toBe(CLIENT_ID);
    expect([add!.type, add!.peer, add!.attrs.objPath]).toEqual([MsgType.addObject, 0, "floatgw"]);
    expect(decodeBlobmsgFields(add!.attrs.signature!)).toEqual({ ok: true, value: { status: {}, switchover: { instance: 3, hold: 5 } } });
    expect(s.phase).toBe("registering");
  });

  it("is registered after ubusd's DATA (object id) and STATUS 0 for that request", () => {
    const { s } = registered();
    expect([s.phase, s.objectId]).toEqual(["registered", OBJECT_ID]);
  });

  it("reports a refusal (the path is taken) with ubusd's status", () => {
    const s = new UbusSession(OBJECT, handler);
    const add = decode(s.receive(encodeMessage({ type: MsgType.hello, seq: 0, peer: CLIENT_ID, attrs: {} })))[0]!;
    const out = s.receive(encodeMessage({ type: MsgType.status, seq: add.seq, peer: 0, attrs: { status: UbusStatus.invalidArgument } }));
    expect(out.notes).toEqual([{ kind: "refused", status: UbusStatus.invalidArgument }]);
    expect(s.phase).toBe("registering");
  });

  it("calls anything before HELLO, or a malformed stream, broken", () => {
    const s = new UbusSession(OBJECT, handler);
    expect(s.receive(encodeMessage({ type: MsgType.status, seq: 1, peer: 0, attrs: { status: 0 } })).notes)
      .toEqual([{ kind: "broken", reason: "message type 1 before HELLO" }]);
    expect(new UbusSession(OBJECT, handler).receive(new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4])).notes[0]?.kind).toBe("broken");
  });
});

describe("method calls", () => {
  const invoke = (s: UbusSession, method: string, args: BlobTable | null, extra: { noReply?: boolean } = {}): Message<ReadAttrs>[] =>
    decode(s.receive(encodeMessage({ type: MsgType.invoke, seq: 77, peer: CALLER, attrs: { objId: OBJECT_ID, method, ...(args ? { data: args } : {}), ...extra } })));

  it("answers DATA then STATUS, with the caller's seq and peer and our object id", () => {
    const { s } = registered();
    calls.length = 0;
    const [d, st] = invoke(s, "status", {});
    expect(calls).toEqual([{ method: "status", args: { ok: true, value: {} } }]);
    expect([d!.type, d!.seq, d!.peer, d!.attrs.objId, data(d!)]).toEqual([MsgType.data, 77, CALLER, OBJECT_ID, { state: "master" }]);
    expect([st!.type, st!.seq, st!.peer, st!.attrs.status, st!.attrs.objId]).toEqual([MsgType.status, 77, CALLER, 0, OBJECT_ID]);
  });

  it("passes the arguments decoded, and the handler's error as data with its status", () => {
    const { s } = registered();
    calls.length = 0;
    const [d, st] = invoke(s, "switchover", { instance: "lan", hold: 30 });
    expect(calls[0]!.args).toEqual({ ok: true, value: { instance: "lan", hold: 30 } });
    expect(data(d!)).toEqual({ error: "not master" });
    expect(st!.attrs.status).toBe(UbusStatus.notSupported);
  });

  it("hands malformed arguments to the handler as a failure, and keeps the connection", () => {
    const { s } = registered();
    calls.length = 0;
    const bad = new Uint8Array([0x83, 0, 0, 0x0e, 0, 1, 0x61, 0]); // a string that overruns its container
    const out = s.receive(encodeRaw(bad));
    expect(out.notes).toEqual([]);
    expect(calls[0]!.args).toMatchObject({ ok: false });
    expect(decode(out).map((m) => m.attrs.status ?? "data")).toEqual(["data", UbusStatus.invalidArgument]);
  });

  it("says method-not-found for a method the object does not have, without calling the handler", () => {
    const { s } = registered();
    calls.length = 0;
    const [st] = invoke(s, "reboot", {});
    expect(calls).toEqual([]);
    expect([st!.type, st!.attrs.status]).toEqual([MsgType.status, UbusStatus.methodNotFound]);
  });

  it("says not-found for another object id", () => {
    const { s } = registered();
    const out = decode(s.receive(encodeMessage({ type: MsgType.invoke, seq: 5, peer: CALLER, attrs: { objId: 1234, method: "status", data: {} } })));
    expect(out.map((m) => m.attrs.status)).toEqual([UbusStatus.notFound]);
  });

  it("sends nothing back when the caller asked for no reply", () => {
    const { s } = registered();
    expect(invoke(s, "status", {}, { noReply: true })).toEqual([]);
  });

  it("answers no-memory instead of a reply over ubusd's message limit", () => {
    const big = new UbusSession(OBJECT, () => ({ status: UbusStatus.ok, data: { x: "x".repeat(1024 * 1024) } }));
    const add = decode(big.receive(encodeMessage({ type: MsgType.hello, seq: 0, peer: CLIENT_ID, attrs: {} })))[0]!;
    big.receive(encodeMessage({ type: MsgType.data, seq: add.seq, peer: 0, attrs: { objId: OBJECT_ID } }));
    big.receive(encodeMessage({ type: MsgType.status, seq: add.seq, peer: 0, attrs: { status: 0 } }));
    const out = decode(big.receive(encodeMessage({ type: MsgType.invoke, seq: 9, peer: CALLER, attrs: { objId: OBJECT_ID, method: "status", data: {} } })));
    expect(out.map((m) => [m.type, m.attrs.status])).toEqual([[MsgType.status, UbusStatus.noMemory]]);
  });
});

/** An INVOKE of "switchover" whose DATA attribute holds these raw bytes. */
function encodeRaw(dataBytes: Uint8Array): Uint8Array {
  const head = encodeMessage({ type: MsgType.invoke, seq: 3, peer: CALLER, attrs: { objId: OBJECT_ID, method: "switchover" } });
  const attr = new Uint8Array(4 + dataBytes.length);
  new DataView(attr.buffer).setUint32(0, (7 << 24) | attr.length);
  attr.set(dataBytes, 4);
  const out = new Uint8Array([...head, ...attr]);
  const view = new DataView(out.buffer);
  view.setUint32(8, view.getUint32(8) + attr.length);
  return out;
}

describe("events and notifications", () => {
  it("sends an event as an INVOKE of 'send' on ubusd's event object", () => {
    const { s, addSeq } = registered();
    const [m] = decode({ send: [s.event("floatgw.state", { to: "master" })], notes: [] });
    expect([m!.type, m!.peer, m!.attrs.objId, m!.attrs.method, m!.seq]).toEqual([MsgType.invoke, 1, 1, "send", addSeq + 1]);
    expect(data(m!)).toEqual({ id: "floatgw.state", data: { to: "master" } });
  });

  it("notifies subscribers only while ubusd says there are some, without asking for replies", () => {
    const { s } = registered();
    expect(s.notify("state", { to: "master" })).toBeNull();
    s.receive(encodeMessage({ type: MsgType.notify, seq: 1, peer: 0, attrs: { objId: OBJECT_ID, active: true } }));
    const [m] = decode({ send: [s.notify("state", { to: "master" })!], notes: [] });
    expect([m!.type, m!.peer, m!.attrs.objId, m!.attrs.method, m!.attrs.noReply]).toEqual([MsgType.notify, OBJECT_ID, OBJECT_ID, "state", true]);
    expect(data(m!)).toEqual({ to: "master" });
    s.receive(encodeMessage({ type: MsgType.notify, seq: 2, peer: 0, attrs: { objId: OBJECT_ID, active: false } }));
    expect(s.notify("state", {})).toBeNull();
  });

  it("ignores the receipts of its events", () => {
    const { s } = registered();
    const seq = decode({ send: [s.event("x", {})], notes: [] })[0]!.seq;
    expect(s.receive(encodeMessage({ type: MsgType.status, seq, peer: 1, attrs: { status: 0 } }))).toEqual({ send: [], notes: [] });
  });
});

describe("listening to events", () => {
  const LISTENER_ID = 0x0badcafe;

  /** A session that listens to network.interface, registered up to `upTo`. */
  function listening(): { s: UbusSession; out: Output } {
    const s = new UbusSession(OBJECT, handler, ["network.interface"]);
    const add = decode(s.receive(encodeMessage({ type: MsgType.hello, seq: 0, peer: CLIENT_ID, attrs: {} })))[0]!;
    s.receive(encodeMessage({ type: MsgType.data, seq: add.seq, peer: 0, attrs: { objId: OBJECT_ID, objType: 99 } }));
    const out = s.receive(encodeMessage({ type: MsgType.status, seq: add.seq, peer: 0, attrs: { status: 0 } }));
    return { s, out };
  }

  it("adds an object without path once registered, then registers the pattern for it on ubusd's event object", () => {
    const { s, out } = listening();
    expect(out.notes).toEqual([{ kind: "registered", objectId: OBJECT_ID }]);
    const [anon] = decode(out);
    expect([anon!.type, anon!.peer, anon!.attrs]).toEqual([MsgType.addObject, 0, {}]);
    s.receive(encodeMessage({ type: MsgType.data, seq: anon!.seq, peer: 0, attrs: { objId: LISTENER_ID } }));
    const registering = s.receive(encodeMessage({ type: MsgType.status, seq: anon!.seq, peer: 0, attrs: { status: 0 } }));
    const [reg] = decode(registering);
    expect([reg!.type, reg!.peer, reg!.attrs.objId, reg!.attrs.method]).toEqual([MsgType.invoke, 1, 1, "register"]);
    expect(data(reg!)).toEqual({ object: LISTENER_ID, pattern: "network.interface" });
    expect(registering.notes).toEqual([]);
    const done = s.receive(encodeMessage({ type: MsgType.status, seq: reg!.seq, peer: 1, attrs: { status: 0 } }));
    expect(done).toEqual({ send: [], notes: [{ kind: "listening" }] });

    // An event, as ubusd forwards it: INVOKE to our listener from peer 0, answered with nothing.
    const event = s.receive(encodeMessage({ type: MsgType.invoke, seq: 9, peer: 0, attrs: { objId: LISTENER_ID, method: "network.interface", data: { action: "ifdown", interface: "wan" } } }));
    expect(event).toEqual({ send: [], notes: [{ kind: "event", id: "network.interface", data: { ok: true, value: { action: "ifdown", interface: "wan" } } }] });
    // Calls of the floatgw object are still answered.
    expect(decode(s.receive(encodeMessage({ type: MsgType.invoke, seq: 10, peer: CALLER, attrs: { objId: OBJECT_ID, method: "status" } }))).map((m) => m.type))
      .toEqual([MsgType.data, MsgType.status]);
  });

  it("says so when ubusd refuses the pattern", () => {
    const { s, out } = listening();
    const [anon] = decode(out);
    s.receive(encodeMessage({ type: MsgType.data, seq: anon!.seq, peer: 0, attrs: { objId: LISTENER_ID } }));
    const [reg] = decode(s.receive(encodeMessage({ type: MsgType.status, seq: anon!.seq, peer: 0, attrs: { status: 0 } })));
    expect(s.receive(encodeMessage({ type: MsgType.status, seq: reg!.seq, peer: 1, attrs: { status: UbusStatus.permissionDenied } })).notes)
      .toEqual([{ kind: "listenRefused", status: UbusStatus.permissionDenied }]);
  });

  it("does not listen unless asked", () => {
    const s = new UbusSession(OBJECT, handler);
    const add = decode(s.receive(encodeMessage({ type: MsgType.hello, seq: 0, peer: CLIENT_ID, attrs: {} })))[0]!;
    s.receive(encodeMessage({ type: MsgType.data, seq: add.seq, peer: 0, attrs: { objId: OBJECT_ID } }));
    expect(s.receive(encodeMessage({ type: MsgType.status, seq: add.seq, peer: 0, attrs: { status: 0 } })).send).toEqual([]);
  });
});
