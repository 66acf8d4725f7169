// [UBUS] libubox's blob and blobmsg formats, which every ubus message is made
// of. Pure: bytes in, values out, and back; no I/O.
//
// A blob attribute is a 32-bit big-endian word, then its payload, then zero
// padding to a multiple of 4 bytes. The word holds bit 31 "extended"
// (a blobmsg attribute), bits 24-30 the attribute's id and bits 0-23 its raw
// length: the 4-byte word plus the payload, without the padding. A
// container's payload is its children, each padded, so its own length is
// always a multiple of 4.
//
// A blobmsg attribute is an extended blob attribute whose id is the value's
// type and whose payload starts with the name: a big-endian 16-bit length,
// the name's bytes and a NUL, padded so that the value starts on a 4-byte
// boundary. Numbers are big-endian; a string carries its NUL; a table's
// children are named, an array's are not; a boolean is an int8 and null is
// an "unspec" with no payload (libubox's JSON conversion says so).
import { utf8Bytes, utf8Text } from "../../leases/sha256";

export const BLOB_ALIGN = 4;
const EXTENDED = 0x80000000;
const ID_SHIFT = 24;
const ID_MASK = 0x7f;
const LEN_MASK = 0x00ffffff;

/** blobmsg value types (libubox's enum blobmsg_type). */
export const BlobmsgType = {
  unspec: 0,
  array: 1,
  table: 2,
  string: 3,
  int64: 4,
  int32: 5,
  int16: 6,
  int8: 7,
  double: 8,
} as const;
export type BlobmsgTypeId = (typeof BlobmsgType)[keyof typeof BlobmsgType];

/** What a blobmsg can carry: JSON's values (numbers as int32, int64 or double). */
export type BlobValue = null | boolean | number | string | readonly BlobValue[] | BlobTable;
export interface BlobTable {
  readonly [key: string]: BlobValue;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Nesting deeper than this is refused: no recursion bomb from a peer. */
const MAX_DEPTH = 32;

export function padded(length: number): number {
  return (length + BLOB_ALIGN - 1) & ~(BLOB_ALIGN - 1);
}

/** Builds blob attributes into one growing buffer; nested attributes are
 * written inside the payload callback of their container. */
export class BlobWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  /** One attribute: header word, what `payload` writes, zero padding. */
  attr(id: number, extended: boolean, payload: (w: BlobWriter) => void): void {
    const start = this.len;
    this.grow(4);
    this.len += 4;
    payload(this);
    const raw = this.len - start;
    if (raw > LEN_MASK) throw new RangeError(`blob attribute of ${raw} bytes exceeds the 24-bit length`);
    this.view.setUint32(start, ((extended ? EXTENDED : 0) | ((id & ID_MASK) << ID_SHIFT) | raw) >>> 0);
    this.zeros(padded(raw) - raw);
  }

  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  u8(v: number): void {
    this.put(1, (d, at) => d.setUint8(at, v));
  }

  u16(v: number): void {
    this.put(2, (d, at) => d.setUint16(at, v));
  }

  u32(v: number): void {
    this.put(4, (d, at) => d.setUint32(at, v >>> 0));
  }

  /** Two's complement in two 32-bit halves: the engine has no BigInt. */
  i64(v: number): void {
    const high = Math.floor(v / 2 ** 32);
    this.put(8, (d, at) => {
      d.setInt32(at, high);
      d.setUint32(at + 4, v - high * 2 ** 32);
    });
  }

  f64(v: number): void {
    this.put(8, (d, at) => d.setFloat64(at, v));
  }

  /** A string's UTF-8 bytes and a NUL. */
  cstring(s: string): void {
    this.bytes(utf8Bytes(s));
    this.u8(0);
  }

  zeros(n: number): void {
    this.grow(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** n bytes written big-endian (DataView's default) at the end. */
  private put(n: number, write: (d: DataView, at: number) => void): void {
    this.grow(n);
    write(this.view, this.len);
    this.len += n;
  }

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

/** One blob attribute as found in a buffer; payload is a view, not a copy. */
export interface RawAttr {
  readonly id: number;
  readonly extended: boolean;
  readonly payload: Uint8Array;
}

/** Splits a run of padded attributes (a container's payload). Every byte
 * must belong to an attribute: a short or overlong one is malformed. */
export function splitAttrs(bytes: Uint8Array): Decoded<RawAttr[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawAttr[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 4) return { ok: false, reason: `${bytes.length - at} stray byte(s) after the last attribute` };
    const word = view.getUint32(at);
    const raw = word & LEN_MASK;
    if (raw < 4) return { ok: false, reason: `attribute length ${raw} is shorter than its header` };
    if (at + padded(raw) > bytes.length) return { ok: false, reason: `attribute of ${raw} bytes overruns its container` };
    out.push({ id: (word >>> ID_SHIFT) & ID_MASK, extended: (word & EXTENDED) !== 0, payload: bytes.subarray(at + 4, at + raw) });
    at += padded(raw);
  }
  return { ok: true, value: out };
}

// ---- blobmsg ---------------------------------------------------------------------------

/** The blobmsg type a value is written as: integers that fit in 32 bits as
 * int32 (as libubox's JSON conversion does), other integers as int64, the
 * rest as double. */
function typeOf(v: BlobValue): BlobmsgTypeId {
  if (v === null) return BlobmsgType.unspec;
  if (typeof v === "boolean") return BlobmsgType.int8;
  if (typeof v === "string") return BlobmsgType.string;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) return BlobmsgType.double;
    return v >= -0x80000000 && v <= 0x7fffffff ? BlobmsgType.int32 : BlobmsgType.int64;
  }
  return Array.isArray(v) ? BlobmsgType.array : BlobmsgType.table;
}

function writeValue(w: BlobWriter, name: string, v: BlobValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError(`blobmsg nesting deeper than ${MAX_DEPTH}`);
  w.attr(typeOf(v), true, () => {
    const nameBytes = utf8Bytes(name);
    if (nameBytes.length > 0xffff) throw new RangeError("blobmsg name longer than 65535 bytes");
    w.u16(nameBytes.length);
    w.bytes(nameBytes);
    w.zeros(padded(2 + nameBytes.length + 1) - 2 - nameBytes.length);
    if (v === null) return;
    if (typeof v === "boolean") w.u8(v ? 1 : 0);
    else if (typeof v === "string") w.cstring(v);
    else if (typeof v === "number") {
      const t = typeOf(v);
      if (t === BlobmsgType.int32) w.u32(v);
      else if (t === BlobmsgType.int64) w.i64(v);
      else w.f64(v);
    } else if (Array.isArray(v)) for (const item of v as readonly BlobValue[]) writeValue(w, "", item, depth + 1);
    else writeFields(w, v as BlobTable, depth + 1);
  });
}

function writeFields(w: BlobWriter, table: BlobTable, depth: number): void {
  for (const key of Object.keys(table)) {
    const v = table[key];
    // undefined is left out, as JSON.stringify does.
    if (v !== undefined) writeValue(w, key, v, depth);
  }
}

/** A table's fields as a run of blobmsg attributes: what a ubus DATA or
 * SIGNATURE attribute carries. */
export function writeBlobmsgFields(w: BlobWriter, table: BlobTable): void {
  writeFields(w, table, 0);
}

export function encodeBlobmsgFields(table: BlobTable): Uint8Array {
  const w = new BlobWriter();
  writeBlobmsgFields(w, table);
  return w.finish();
}

function text(bytes: Uint8Array): string | null {
  try {
    return utf8Text(bytes);
  } catch {
    return null;
  }
}

/** One blobmsg attribute: its name and value. */
function readValue(a: RawAttr, depth: number): Decoded<{ name: string; value: BlobValue }> {
  if (!a.extended) return { ok: false, reason: "a blobmsg attribute without the extended bit" };
  const p = a.payload;
  if (p.length < 3) return { ok: false, reason: "blobmsg attribute too short for its name header" };
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const nameLen = view.getUint16(0);
  const dataAt = padded(2 + nameLen + 1);
  if (dataAt > p.length || p[2 + nameLen] !== 0) return { ok: false, reason: "blobmsg name overruns its attribute" };
  const name = text(p.subarray(2, 2 + nameLen));
  if (name === null) return { ok: false, reason: "blobmsg name is not UTF-8" };
  const data = p.subarray(dataAt);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const sized = (n: number, read: () => BlobValue): Decoded<{ name: string; value: BlobValue }> =>
    data.length === n ? { ok: true, value: { name, value: read() } } : { ok: false, reason: `'${name}': ${data.length} bytes for a ${n}-byte number` };
  switch (a.id) {
    case BlobmsgType.unspec:
      return { ok: true, value: { name, value: null } };
    case BlobmsgType.int8:
      return sized(1, () => data[0] !== 0);
    case BlobmsgType.int16:
      return sized(2, () => dv.getInt16(0));
    case BlobmsgType.int32:
      return sized(4, () => dv.getInt32(0));
    case BlobmsgType.int64:
      // Exact up to 2^53; one rounding beyond, as Number(BigInt) would.
      return sized(8, () => dv.getInt32(0) * 2 ** 32 + dv.getUint32(4));
    case BlobmsgType.double:
      return sized(8, () => dv.getFloat64(0));
    case BlobmsgType.string: {
      if (data.length === 0 || data[data.length - 1] !== 0) return { ok: false, reason: `'${name}': string without its NUL` };
      const s = text(data.subarray(0, data.length - 1));
      return s === null ? { ok: false, reason: `'${name}': string is not UTF-8` } : { ok: true, value: { name, value: s } };
    }
    case BlobmsgType.array:
    case BlobmsgType.table: {
      const inner = readContainer(data, a.id === BlobmsgType.table, depth + 1);
      return inner.ok ? { ok: true, value: { name, value: inner.value } } : inner;
    }
    default:
      return { ok: false, reason: `unknown blobmsg type ${a.id}` };
  }
}

function readContainer(bytes: Uint8Array, named: boolean, depth: number): Decoded<BlobValue> {
  if (depth > MAX_DEPTH) return { ok: false, reason: `blobmsg nesting deeper than ${MAX_DEPTH}` };
  const attrs = splitAttrs(bytes);
  if (!attrs.ok) return attrs;
  const entries: [string, BlobValue][] = [];
  for (const a of attrs.value) {
    const field = readValue(a, depth);
    if (!field.ok) return field;
    if (named && field.value.name === "") return { ok: false, reason: "a table field without a name" };
    entries.push([field.value.name, field.value.value]);
  }
  // fromEntries defines own properties: a field named __proto__ stays data.
  return { ok: true, value: named ? Object.fromEntries(entries) : entries.map(([, v]) => v) };
}

/** A run of named blobmsg attributes (a ubus DATA attribute) as a table. */
export function decodeBlobmsgFields(bytes: Uint8Array): Decoded<BlobTable> {
  return readContainer(bytes, true, 0) as Decoded<BlobTable>;
}
