// [UBUS] ubus messages on ubusd's stream socket. Pure: bytes in, messages
// out, and back.
//
// Each message is an 8-byte header (version 0, type, big-endian 16-bit
// sequence number, big-endian 32-bit peer: a client or object id) followed
// by one blob attribute (id 0) whose payload is the message's attributes:
// plain blob attributes numbered by enum ubus_msg_attr (an int32 status or
// object id, a NUL-terminated method or path, nested blobmsg data). ubusd
// drops a client that sends a message over 1 MiB, and so does this reader.
import { BlobWriter, type BlobTable, type Decoded, type RawAttr, padded, splitAttrs, writeBlobmsgFields } from "./blob";
import { utf8Text } from "../../leases/sha256";

export const HEADER_LEN = 8;
/** UBUS_MAX_MSGLEN of ubusd, 2022 and later. */
export const MAX_MESSAGE_LEN = 1024 * 1024;

/** enum ubus_msg_type. */
export const MsgType = {
  hello: 0,
  status: 1,
  data: 2,
  ping: 3,
  lookup: 4,
  invoke: 5,
  addObject: 6,
  removeObject: 7,
  subscribe: 8,
  unsubscribe: 9,
  notify: 10,
  monitor: 11,
} as const;

/** enum ubus_msg_attr. */
const Attr = {
  status: 1,
  objPath: 2,
  objId: 3,
  method: 4,
  objType: 5,
  signature: 6,
  data: 7,
  target: 8,
  active: 9,
  noReply: 10,
  subscribers: 11,
  user: 12,
  group: 13,
} as const;

/** enum ubus_msg_status: what a method call ends with. */
export const UbusStatus = {
  ok: 0,
  invalidCommand: 1,
  invalidArgument: 2,
  methodNotFound: 3,
  notFound: 4,
  noData: 5,
  permissionDenied: 6,
  timeout: 7,
  notSupported: 8,
  unknownError: 9,
  connectionFailed: 10,
  noMemory: 11,
  parseError: 12,
  systemError: 13,
} as const;
export type UbusStatusCode = (typeof UbusStatus)[keyof typeof UbusStatus];

/** The system object that takes `send` (an event) and `register` (a listener). */
export const EVENT_OBJECT_ID = 1;

/** A message's attributes that floatgw reads or writes. Blobmsg payloads
 * (data, signature) stay raw when read: a caller's bad data must get an
 * error reply, not break the connection. */
export interface MessageAttrs {
  status?: number;
  objPath?: string;
  objId?: number;
  method?: string;
  objType?: number;
  signature?: BlobTable;
  data?: BlobTable;
  active?: boolean;
  noReply?: boolean;
}

export interface ReadAttrs extends Omit<MessageAttrs, "data" | "signature"> {
  data?: Uint8Array;
  signature?: Uint8Array;
  user?: string;
  group?: string;
}

export interface Message<A> {
  readonly type: number;
  readonly seq: number;
  readonly peer: number;
  readonly attrs: A;
}

export function encodeMessage(m: Message<MessageAttrs>): Uint8Array {
  const w = new BlobWriter();
  w.zeros(HEADER_LEN);
  w.attr(0, false, () => {
    const a = m.attrs;
    const int32 = (id: number, v: number | undefined): void => {
      if (v !== undefined) w.attr(id, false, () => w.u32(v));
    };
    const str = (id: number, v: string | undefined): void => {
      if (v !== undefined) w.attr(id, false, () => w.cstring(v));
    };
    const flag = (id: number, v: boolean | undefined): void => {
      if (v !== undefined) w.attr(id, false, () => w.u8(v ? 1 : 0));
    };
    const table = (id: number, v: BlobTable | undefined): void => {
      if (v !== undefined) w.attr(id, false, () => writeBlobmsgFields(w, v));
    };
    // The order libubus writes them in.
    int32(Attr.status, a.status);
    str(Attr.objPath, a.objPath);
    int32(Attr.objId, a.objId);
    str(Attr.method, a.method);
    int32(Attr.objType, a.objType);
    table(Attr.signature, a.signature);
    flag(Attr.noReply, a.noReply);
    flag(Attr.active, a.active);
    table(Attr.data, a.data);
  });
  const bytes = w.finish();
  if (padded(bytes.length - HEADER_LEN) > MAX_MESSAGE_LEN) throw new RangeError(`ubus message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_LEN}`);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0);
  view.setUint8(1, m.type);
  view.setUint16(2, m.seq & 0xffff);
  view.setUint32(4, m.peer >>> 0);
  return bytes;
}

function cstring(p: Uint8Array): string | undefined {
  if (p.length === 0 || p[p.length - 1] !== 0) return undefined;
  try {
    return utf8Text(p.subarray(0, p.length - 1));
  } catch {
    return undefined;
  }
}

/** Like libubus, an attribute of an unknown id or of the wrong size is
 * left out, as if it were absent. */
function readAttrs(attrs: readonly RawAttr[]): ReadAttrs {
  const out: ReadAttrs = {};
  for (const a of attrs) {
    const p = a.payload;
    const int32 = p.length === 4 ? new DataView(p.buffer, p.byteOffset, 4).getUint32(0) : undefined;
    const int8 = p.length === 1 ? p[0] !== 0 : undefined;
    switch (a.id) {
      case Attr.status: out.status = int32; break;
      case Attr.objId: out.objId = int32; break;
      case Attr.objType: out.objType = int32; break;
      case Attr.objPath: out.objPath = cstring(p); break;
      case Attr.method: out.method = cstring(p); break;
      case Attr.user: out.user = cstring(p); break;
      case Attr.group: out.group = cstring(p); break;
      case Attr.active: out.active = int8; break;
      case Attr.noReply: out.noReply = int8; break;
      case Attr.data: out.data = p; break;
      case Attr.signature: out.signature = p; break;
    }
  }
  for (const k of Object.keys(out) as (keyof ReadAttrs)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** Cuts ubusd's byte stream into messages. A violation of the framing
 * (version, length) is fatal for the connection: nothing after it can be
 * trusted to start a message. */
export class MessageReader {
  private buf = new Uint8Array(0);

  push(chunk: Uint8Array): Decoded<Message<ReadAttrs>[]> {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const out: Message<ReadAttrs>[] = [];
    let at = 0;
    while (joined.length - at >= HEADER_LEN + 4) {
      const view = new DataView(joined.buffer, at);
      if (view.getUint8(0) !== 0) return { ok: false, reason: `message version ${view.getUint8(0)}, not 0` };
      const raw = view.getUint32(HEADER_LEN) & 0x00ffffff;
      if (raw < 4) return { ok: false, reason: `message body length ${raw} is shorter than its header` };
      if (padded(raw) > MAX_MESSAGE_LEN) return { ok: false, reason: `message of ${raw} bytes exceeds ${MAX_MESSAGE_LEN}` };
      if (joined.length - at < HEADER_LEN + raw) break;
      const body = joined.subarray(at + HEADER_LEN + 4, at + HEADER_LEN + raw);
      const attrs = splitAttrs(body);
      if (!attrs.ok) return { ok: false, reason: `message type ${view.getUint8(1)}: ${attrs.reason}` };
      out.push({ type: view.getUint8(1), seq: view.getUint16(2), peer: view.getUint32(4), attrs: readAttrs(attrs.value) });
      at += HEADER_LEN + raw;
    }
    this.buf = joined.slice(at);
    return { ok: true, value: out };
  }
}
