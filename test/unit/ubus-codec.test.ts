// The ubus client's pure codec: blob/blobmsg values and ubus messages, with
// byte vectors worked out from libubox's format, one captured from OpenWrt's
// own `ubus send`, fast-check round trips, and hostile input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlobmsgType, type BlobTable, type BlobValue, decodeBlobmsgFields, encodeBlobmsgFields, splitAttrs } from "../../src/platform/ubus/blob";
import { EVENT_OBJECT_ID, MAX_MESSAGE_LEN, MessageReader, MsgType, encodeMessage } from "../../src/platform/ubus/message";
import { UBUS_SEND_CAPTURE, UBUS_SEND_DATA } from "../fixtures/ubus/send-capture";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));

describe("blobmsg encoding", () => {
  it("lays out a string field: extended header, padded name, NUL, padding", () => {
    // 0x83: extended, type 3 (string); raw length 10 = 4 header + 4 name block + "b\0"; 2 bytes of padding.
    expect(hex(encodeBlobmsgFields({ a: "b" }))).toBe("8300000a" + "0001" + "6100" + "6200" + "0000");
  });

  it("writes integers as int32 or int64, big-endian, like libubox's JSON conversion", () => {
    expect(hex(encodeBlobmsgFields({ n: -2 }))).toBe("8500000c" + "00016e00" + "fffffffe");
    expect(hex(encodeBlobmsgFields({ n: 2147483648 }))).toBe("84000010" + "00016e00" + "0000000080000000");
    expect(hex(encodeBlobmsgFields({ n: -2147483648 }))).toBe("8500000c" + "00016e00" + "80000000");
    // Two's complement across both halves (the engine has no BigInt to do it).
    expect(hex(encodeBlobmsgFields({ n: -2147483649 }))).toBe("84000010" + "00016e00" + "ffffffff7fffffff");
    expect(hex(encodeBlobmsgFields({ n: -(2 ** 53) + 1 }))).toBe("84000010" + "00016e00" + "ffe0000000000001");
    expect(hex(encodeBlobmsgFields({ n: 2 ** 53 - 1 }))).toBe("84000010" + "00016e00" + "001fffffffffffff");
  });

  it("writes booleans as int8, null as unspec, other numbers as big-endian doubles", () => {
    expect(hex(encodeBlobmsgFields({ b: false }))).toBe("87000009" + "00016200" + "00" + "000000");
    expect(hex(encodeBlobmsgFields({ z: null }))).toBe("80000008" + "00017a00");
    expect(hex(encodeBlobmsgFields({ d: -0.25 }))).toBe("88000010" + "00016400" + "bfd0000000000000");
  });

  it("pads a name so that the value starts on a 4-byte boundary", () => {
    // name "abc": 2 + 3 + NUL = 6, padded to 8.
    expect(hex(encodeBlobmsgFields({ abc: 7 }))).toBe("85000010" + "0003616263000000" + "00000007");
    // The empty name of an array element still takes 4 bytes.
    expect(hex(encodeBlobmsgFields({ a: [7] }))).toBe("81000014" + "00016100" + "8500000c" + "00000000" + "00000007");
  });

  it("sizes a container by its padded children", () => {
    const t = encodeBlobmsgFields({ t: { k: "v" } });
    expect(hex(t)).toBe("82000014" + "00017400" + "8300000a" + "00016b00" + "7600" + "0000");
  });

  it("gives the same bytes as OpenWrt's libubus for the same event", () => {
    const ours = encodeMessage({ type: MsgType.invoke, seq: 1, peer: EVENT_OBJECT_ID, attrs: { objId: EVENT_OBJECT_ID, method: "send", data: { id: "test.ev", data: UBUS_SEND_DATA } } });
    expect(hex(ours)).toBe(UBUS_SEND_CAPTURE);
  });
});

describe("blobmsg decoding", () => {
  it("reads back what libubus wrote", () => {
    const reader = new MessageReader();
    const got = reader.push(bytes(UBUS_SEND_CAPTURE));
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    const m = got.value[0]!;
    expect([m.type, m.seq, m.peer, m.attrs.objId, m.attrs.method]).toEqual([MsgType.invoke, 1, 1, 1, "send"]);
    expect(decodeBlobmsgFields(m.attrs.data!)).toEqual({ ok: true, value: { id: "test.ev", data: UBUS_SEND_DATA } });
  });

  it("reads int64 exactly up to 2^53 and rounded beyond, as Number(BigInt) does", () => {
    const int64 = (h: string): unknown => decodeBlobmsgFields(bytes(`84000010 00017800 ${h}`));
    expect(int64("ffffffff7fffffff")).toEqual({ ok: true, value: { x: -2147483649 } });
    expect(int64("ffe0000000000001")).toEqual({ ok: true, value: { x: -(2 ** 53) + 1 } });
    expect(int64("001fffffffffffff")).toEqual({ ok: true, value: { x: 2 ** 53 - 1 } });
    for (const h of ["7fffffffffffffff", "8000000000000000", "0020000000000003", "fffffffffffffffe"]) {
      expect(int64(h)).toEqual({ ok: true, value: { x: Number(BigInt.asIntN(64, BigInt(`0x${h}`))) } });
    }
  });

  it("reads int16 (which floatgw never writes) as a number", () => {
    expect(decodeBlobmsgFields(bytes("8600000a 00017800 fffe 0000"))).toEqual({ ok: true, value: { x: -2 } });
  });

  const refuse = (what: string, h: string, reason: RegExp): void => {
    it(`refuses ${what}`, () => {
      const r = decodeBlobmsgFields(bytes(h));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    });
  };
  refuse("an attribute longer than its container", "8300000e 00016100 6200 0000", /overruns/);
  refuse("a length shorter than the header", "83000002", /shorter than its header/);
  refuse("stray bytes after the last attribute", "8300000a 00016100 6200 0000 00", /stray/);
  refuse("a name that overruns the attribute", "83000008 00ff6100", /name overruns/);
  refuse("a name without its NUL", "8300000a 00016178 6200 0000", /name overruns/);
  refuse("a string without its NUL", "8300000a 00016100 6262 0000", /without its NUL/);
  refuse("an int32 of 2 bytes", "8500000a 00016e00 0001 0000", /2 bytes for a 4-byte number/);
  refuse("an unknown type", "8900000c 00017800 00000000", /unknown blobmsg type 9/);
  refuse("a plain blob attribute where a blobmsg belongs", "0300000a 00016100 6200 0000", /extended/);
  refuse("a table field without a name", "82000014 00017400 8300000a 00000000 7600 0000", /without a name/);
  refuse("a name that is not UTF-8", "8300000a 0001ff00 6200 0000", /not UTF-8/);

  it("refuses nesting deeper than 32 levels instead of recursing on", () => {
    let inner: BlobValue = 1;
    for (let i = 0; i < 40; i++) inner = [inner];
    expect(() => encodeBlobmsgFields({ deep: inner })).toThrow(/deeper than 32/);
    // Build the same bytes by hand: 40 nested arrays around an int32.
    let attr = bytes("8500000c 00000000 00000001");
    for (let i = 0; i < 40; i++) {
      const head = Buffer.alloc(8);
      head.writeUInt32BE((0x81000000 | (8 + attr.length)) >>> 0, 0);
      attr = new Uint8Array(Buffer.concat([head, Buffer.from(attr)]));
    }
    const r = decodeBlobmsgFields(attr);
    expect(r.ok).toBe(false);
  });

  it("keeps a field named __proto__ as data", () => {
    const r = decodeBlobmsgFields(encodeBlobmsgFields(JSON.parse('{"__proto__": {"polluted": 1}}') as BlobTable));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(r.value)).toEqual(["__proto__"]);
  });
});

/** JSON-like values as blobmsg carries them: -0 is written as the integer 0. */
const value: fc.Arbitrary<BlobValue> = fc.letrec<{ v: BlobValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0)),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }), tie("v"), { maxKeys: 4 }),
  ),
})).v;

describe("round trips (fast-check)", () => {
  it("decode(encode(table)) is the table", () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }), value, { maxKeys: 6 }), (t) => {
      expect(decodeBlobmsgFields(encodeBlobmsgFields(t))).toEqual({ ok: true, value: t });
    }));
  });

  it("every encoding is 4-byte aligned and splits into exactly its fields", () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 6 }), (t) => {
      const b = encodeBlobmsgFields(t);
      expect(b.length % 4).toBe(0);
      const attrs = splitAttrs(b);
      expect(attrs.ok && attrs.value.map((a) => a.extended)).toEqual(Object.keys(t).map(() => true));
    }));
  });

  it("the decoder never throws on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      const r = decodeBlobmsgFields(b);
      expect(typeof r.ok).toBe("boolean");
    }));
  });

  it("a message read from a stream cut anywhere is the message written", () => {
    fc.assert(fc.property(value, fc.integer({ min: 0, max: 0xffff }), fc.nat(), fc.array(fc.nat({ max: 400 }), { maxLength: 5 }), (v, seq, peer, cuts) => {
      const one = encodeMessage({ type: MsgType.data, seq, peer: peer >>> 0, attrs: { objId: 7, data: { v } } });
      const stream = new Uint8Array([...one, ...one]);
      const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
      const reader = new MessageReader();
      const got: unknown[] = [];
      let from = 0;
      for (const at of [...points, stream.length]) {
        const r = reader.push(stream.subarray(from, at));
        expect(r.ok).toBe(true);
        if (r.ok) for (const m of r.value) got.push({ seq: m.seq, peer: m.peer, objId: m.attrs.objId, data: decodeBlobmsgFields(m.attrs.data!) });
        from = at;
      }
      const expected = { seq, peer: peer >>> 0, objId: 7, data: { ok: true, value: { v } } };
      expect(got).toEqual([expected, expected]);
    }));
  });
});

describe("ubus message framing", () => {
  it("writes the 8-byte header big-endian and the attributes in libubus's order", () => {
    const m = encodeMessage({ type: MsgType.status, seq: 0x1234, peer: 0xdeadbeef, attrs: { status: 2, objId: 5 } });
    expect(hex(m)).toBe("0001" + "1234" + "deadbeef" + "00000014" + "01000008" + "00000002" + "03000008" + "00000005");
  });

  it("ignores attributes of an unknown id or the wrong size, as libubus does", () => {
    // STATUS of 2 bytes (dropped), id 99 (unknown), OBJID 5 (kept).
    const body = "0100000600020000" + "63000008" + "00000001" + "03000008" + "00000005";
    const r = new MessageReader().push(bytes("00010001" + "00000000" + `000000${(4 + body.length / 2).toString(16)}` + body));
    expect(r.ok && r.value[0]!.attrs).toEqual({ objId: 5 });
  });

  it("breaks the connection on a version other than 0", () => {
    const r = new MessageReader().push(bytes("0100000100000000" + "00000004"));
    expect(r).toEqual({ ok: false, reason: "message version 1, not 0" });
  });

  it("breaks the connection on a message over ubusd's 1 MiB limit, before reading it", () => {
    const r = new MessageReader().push(bytes("0002000100000000" + (MAX_MESSAGE_LEN + 4).toString(16).padStart(8, "0")));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/exceeds/);
  });

  it("refuses to write a message over 1 MiB", () => {
    expect(() => encodeMessage({ type: MsgType.data, seq: 1, peer: 1, attrs: { data: { big: "x".repeat(MAX_MESSAGE_LEN) } } })).toThrow(/exceeds/);
  });

  it("waits for the rest of a message and keeps what follows it", () => {
    const a = encodeMessage({ type: MsgType.hello, seq: 0, peer: 42, attrs: {} });
    const b = encodeMessage({ type: MsgType.status, seq: 1, peer: 0, attrs: { status: 0 } });
    const reader = new MessageReader();
    const first = reader.push(new Uint8Array([...a, ...b.subarray(0, 13)]));
    expect(first.ok && first.value.map((m) => [m.type, m.peer])).toEqual([[MsgType.hello, 42]]);
    const second = reader.push(b.subarray(13));
    expect(second.ok && second.value.map((m) => [m.type, m.attrs.status])).toEqual([[MsgType.status, 0]]);
  });

  it("knows blobmsg's type numbers", () => {
    expect(BlobmsgType).toEqual({ unspec: 0, array: 1, table: 2, string: 3, int64: 4, int32: 5, int16: 6, int8: 7, double: 8 });
  });
});
