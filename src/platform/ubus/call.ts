// [UBUS] One method call, as `ubus call OBJECT METHOD` makes it, without
// the process: what the daemon asks netifd while it starts (the device
// behind an interface), which `ifstatus` used to answer at the cost of a
// shell, the ifstatus script and two ubus processes before any instance
// could start (docs/performance.md). The exchange (ubusd_proto.c):
//   ubusd -> HELLO
//   us    -> LOOKUP {objpath}
//   ubusd -> DATA {objpath, objid, ...}, then STATUS {status} with our seq
//   us    -> INVOKE {objid, method, data}, peer = objid
//   ubusd -> DATA {objid, data} (the object's answer, if any), then STATUS
// Pure: bytes in, bytes out; sync-call.ts waits for it on a socket.
import { type BlobTable, type Decoded, decodeBlobmsgFields } from "./blob";
import { type Message, MessageReader, MsgType, type ReadAttrs, UbusStatus, encodeMessage } from "./message";

/** The object's answer (null: it sent none), or why there is none. */
export type CallResult = Decoded<BlobTable | null>;

const LOOKUP_SEQ = 1;
const INVOKE_SEQ = 2;

export class UbusCall {
  private readonly reader = new MessageReader();
  private phase: "hello" | "lookup" | "invoke" = "hello";
  private objectId: number | null = null;
  private data: BlobTable | null = null;

  constructor(private readonly object: string, private readonly method: string, private readonly args: BlobTable) {}

  /** What ubusd sent: the messages to send back, and the result once known. */
  receive(chunk: Uint8Array): { send: Uint8Array[]; result: CallResult | null } {
    const send: Uint8Array[] = [];
    const messages = this.reader.push(chunk);
    if (!messages.ok) return { send, result: messages };
    for (const m of messages.value) {
      const result = this.handle(m, send);
      if (result !== null) return { send, result };
    }
    return { send, result: null };
  }

  private handle(m: Message<ReadAttrs>, send: Uint8Array[]): CallResult | null {
    if (this.phase === "hello") {
      if (m.type !== MsgType.hello) return { ok: false, reason: `message type ${m.type} before HELLO` };
      this.phase = "lookup";
      send.push(encodeMessage({ type: MsgType.lookup, seq: LOOKUP_SEQ, peer: 0, attrs: { objPath: this.object } }));
      return null;
    }
    const seq = this.phase === "lookup" ? LOOKUP_SEQ : INVOKE_SEQ;
    if (m.seq !== seq) return null;
    if (m.type === MsgType.data) {
      if (this.phase === "lookup" && m.attrs.objId !== undefined) this.objectId = m.attrs.objId;
      if (this.phase === "invoke" && m.attrs.data !== undefined) {
        const data = decodeBlobmsgFields(m.attrs.data);
        if (!data.ok) return { ok: false, reason: `${this.object} ${this.method}: ${data.reason}` };
        this.data = data.value;
      }
      return null;
    }
    if (m.type !== MsgType.status) return null;
    const status = m.attrs.status ?? UbusStatus.noData;
    if (status !== UbusStatus.ok) return { ok: false, reason: `${this.object} ${this.method}: ubus status ${status}` };
    if (this.phase === "invoke") return { ok: true, value: this.data };
    if (this.objectId === null) return { ok: false, reason: `no object ${this.object}` };
    this.phase = "invoke";
    send.push(encodeMessage({ type: MsgType.invoke, seq: INVOKE_SEQ, peer: this.objectId,
      attrs: { objId: this.objectId, method: this.method, data: this.args } }));
    return null;
  }
}
