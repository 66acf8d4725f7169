// [UBUS] One connection to ubusd as a sans-I/O state machine: bytes from the
// socket go in, bytes for the socket and notes for the owner come out. It
// registers one object and answers its method calls, sends events (what
// `ubus send` does) and notifications to the object's subscribers (what
// `ubus subscribe` receives).
//
// The protocol, as ubusd (ubusd_proto.c) and libubus speak it:
//   ubusd -> HELLO, peer = our client id
//   us    -> ADD_OBJECT {objpath, signature: {method: {arg: blobmsg type}}}
//   ubusd -> DATA {objid, objtype}, then STATUS {status} with our seq
//   ubusd -> INVOKE {objid, method, data} with the caller's seq and peer id
//   us    -> DATA {objid, data}, then STATUS {status, objid}: same seq, peer
//   us    -> INVOKE to object 1 {method "send", data {id, data}}: an event
//   ubusd -> NOTIFY {objid, active}: whether anyone subscribed to us
//   us    -> NOTIFY {objid, method, no_reply, data}, peer = our object id
// and, to listen to events as `ubus listen` does (ubusd_event.c):
//   us    -> ADD_OBJECT {} (an object without path), then DATA and STATUS
//   us    -> INVOKE to object 1 {method "register", data {object, pattern}}
//   ubusd -> INVOKE {objid: that object, method: the event's id, data}, peer 0:
//            an event, which needs no reply
import { type BlobTable, type BlobmsgTypeId, type Decoded, decodeBlobmsgFields } from "./blob";
import { EVENT_OBJECT_ID, type Message, type MessageAttrs, MessageReader, MsgType, type ReadAttrs, UbusStatus, type UbusStatusCode, encodeMessage } from "./message";

export interface MethodSpec {
  readonly name: string;
  /** Argument names and their blobmsg types: the signature `ubus -v list` shows. */
  readonly args: Readonly<Record<string, BlobmsgTypeId>>;
}

export interface ObjectSpec {
  readonly path: string;
  readonly methods: readonly MethodSpec[];
}

export interface MethodReply {
  readonly status: UbusStatusCode;
  /** Sent as a DATA message before the status, when not null. */
  readonly data: BlobTable | null;
}

/** Answers a call of one of the object's methods; args failed to decode
 * when not ok (the reply should then be invalidArgument). null: the reply
 * comes later (a reload reads the file in a child process), through
 * `answer`, which returns the messages to send then (none when the caller
 * asked for no reply); ubusd passes a late reply on like any other. */
export type MethodHandler = (method: string, args: Decoded<BlobTable>, answer: (reply: MethodReply) => Uint8Array[]) => MethodReply | null;

export type SessionNote =
  | { readonly kind: "registered"; readonly objectId: number }
  /** ubusd refused the object (its path is taken, or an ACL forbids it). */
  | { readonly kind: "refused"; readonly status: number }
  /** Every event pattern is registered: events come from now on. */
  | { readonly kind: "listening" }
  /** ubusd refused an event pattern (an ACL). */
  | { readonly kind: "listenRefused"; readonly status: number }
  /** An event matching one of the patterns (what `ubus listen` prints). */
  | { readonly kind: "event"; readonly id: string; readonly data: Decoded<BlobTable> }
  /** The stream broke the protocol: the owner must drop the connection. */
  | { readonly kind: "broken"; readonly reason: string };

export interface Output {
  readonly send: Uint8Array[];
  readonly notes: SessionNote[];
}

export type SessionPhase = "hello" | "registering" | "registered";

export class UbusSession {
  phase: SessionPhase = "hello";
  /** Our id on the bus, from HELLO. */
  clientId = 0;
  objectId = 0;
  /** Whether the object has subscribers; notifications go out only then. */
  subscribed = false;
  private seq = 0;
  private addSeq = -1;
  private readonly reader = new MessageReader();
  /** The object that receives the events: its id, and the requests that set it up. */
  private readonly listener = { id: 0, addSeq: -1, registering: new Set<number>() };

  /** `listen`: event patterns to receive once the object is registered
   * ("network.interface"; a trailing * matches a prefix). */
  constructor(private readonly object: ObjectSpec, private readonly handler: MethodHandler, private readonly listen: readonly string[] = []) {}

  receive(chunk: Uint8Array): Output {
    const out: Output = { send: [], notes: [] };
    const messages = this.reader.push(chunk);
    if (!messages.ok) {
      out.notes.push({ kind: "broken", reason: messages.reason });
      return out;
    }
    for (const m of messages.value) this.handle(m, out);
    return out;
  }

  /** An event for `ubus listen`. ubusd takes it from any connected client,
   * registered or not. */
  event(id: string, data: BlobTable): Uint8Array {
    return this.message(MsgType.invoke, EVENT_OBJECT_ID, { objId: EVENT_OBJECT_ID, method: "send", data: { id, data } });
  }

  /** A notification for the object's subscribers; null when there are none. */
  notify(type: string, data: BlobTable): Uint8Array | null {
    if (this.phase !== "registered" || !this.subscribed) return null;
    return this.message(MsgType.notify, this.objectId, { objId: this.objectId, method: type, noReply: true, data });
  }

  private message(type: number, peer: number, attrs: MessageAttrs): Uint8Array {
    this.seq = (this.seq + 1) & 0xffff;
    return encodeMessage({ type, seq: this.seq, peer, attrs });
  }

  private handle(m: Message<ReadAttrs>, out: Output): void {
    if (this.phase === "hello") {
      if (m.type !== MsgType.hello) {
        out.notes.push({ kind: "broken", reason: `message type ${m.type} before HELLO` });
        return;
      }
      this.clientId = m.peer;
      this.phase = "registering";
      const signature: Record<string, BlobTable> = {};
      for (const method of this.object.methods) signature[method.name] = method.args;
      out.send.push(this.message(MsgType.addObject, 0, { objPath: this.object.path, signature }));
      this.addSeq = this.seq;
      return;
    }
    switch (m.type) {
      case MsgType.data:
        if (this.phase === "registering" && m.seq === this.addSeq && m.attrs.objId !== undefined) this.objectId = m.attrs.objId;
        if (m.seq === this.listener.addSeq && m.attrs.objId !== undefined) this.listener.id = m.attrs.objId;
        return;
      case MsgType.status:
        if (m.seq === this.listener.addSeq || this.listener.registering.has(m.seq)) this.listenerStatus(m, out);
        else if (this.phase !== "registering" || m.seq !== this.addSeq) return; // an event's receipt
        else if (m.attrs.status === UbusStatus.ok && this.objectId !== 0) {
          this.phase = "registered";
          out.notes.push({ kind: "registered", objectId: this.objectId });
          if (this.listen.length > 0) {
            out.send.push(this.message(MsgType.addObject, 0, {}));
            this.listener.addSeq = this.seq;
          }
        } else {
          out.notes.push({ kind: "refused", status: m.attrs.status ?? UbusStatus.noData });
        }
        return;
      case MsgType.invoke:
        if (this.listener.id !== 0 && m.attrs.objId === this.listener.id) {
          const data = m.attrs.data ? decodeBlobmsgFields(m.attrs.data) : { ok: true as const, value: {} };
          out.notes.push({ kind: "event", id: m.attrs.method ?? "", data });
        } else this.invoke(m, out);
        return;
      case MsgType.notify:
        if (m.attrs.objId === this.objectId && m.attrs.active !== undefined) this.subscribed = m.attrs.active;
        return;
    }
  }

  /** The listener object is added: register each pattern for it; all registered: listening. */
  private listenerStatus(m: Message<ReadAttrs>, out: Output): void {
    const status = m.attrs.status ?? UbusStatus.noData;
    if (status !== UbusStatus.ok || (m.seq === this.listener.addSeq && this.listener.id === 0)) {
      out.notes.push({ kind: "listenRefused", status });
      return;
    }
    if (m.seq === this.listener.addSeq) {
      for (const pattern of this.listen) {
        out.send.push(this.message(MsgType.invoke, EVENT_OBJECT_ID, { objId: EVENT_OBJECT_ID, method: "register", data: { object: this.listener.id | 0, pattern } }));
        this.listener.registering.add(this.seq);
      }
      return;
    }
    this.listener.registering.delete(m.seq);
    if (this.listener.registering.size === 0) out.notes.push({ kind: "listening" });
  }

  /** Answers with DATA (if any) and STATUS under the caller's seq and peer,
   * unless the caller asked for no reply. */
  private invoke(m: Message<ReadAttrs>, out: Output): void {
    const objId = m.attrs.objId ?? 0;
    const head = { seq: m.seq, peer: m.peer };
    const answer = (reply: MethodReply): Uint8Array[] => (m.attrs.noReply ? [] : replyMessages(head, objId, reply));
    let reply: MethodReply | null;
    if (this.phase !== "registered" || objId !== this.objectId) reply = { status: UbusStatus.notFound, data: null };
    else if (m.attrs.method === undefined) reply = { status: UbusStatus.invalidArgument, data: null };
    else if (!this.object.methods.some((x) => x.name === m.attrs.method)) reply = { status: UbusStatus.methodNotFound, data: null };
    else reply = this.handler(m.attrs.method, m.attrs.data ? decodeBlobmsgFields(m.attrs.data) : { ok: true, value: {} }, answer);
    if (reply !== null) out.send.push(...answer(reply));
  }
}

function replyMessages(head: { seq: number; peer: number }, objId: number, reply: MethodReply): Uint8Array[] {
  const send: Uint8Array[] = [];
  let status: number = reply.status;
  if (reply.data !== null) {
    try {
      send.push(encodeMessage({ ...head, type: MsgType.data, attrs: { objId, data: reply.data } }));
    } catch {
      status = UbusStatus.noMemory; // over ubusd's message size: the caller gets an error, not a cut reply
    }
  }
  send.push(encodeMessage({ ...head, type: MsgType.status, attrs: { status, objId } }));
  return send;
}
