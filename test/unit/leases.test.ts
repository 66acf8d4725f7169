// The lease channel's pure parts: SHA-256/HMAC (FIPS 180-4 and RFC 4231
// vectors, and node's crypto as a second opinion), the datagram codec, the
// session (handshake and replay guard), the lease table and dnsmasq's lease file.
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HmacKey, equalConstantTime, hex, hmacSha256, sha256, utf8Bytes, utf8Text } from "../../src/leases/sha256";
import { type HelloFields, PeerSession } from "../../src/leases/session";
import { type Lease, LeaseTable, makeLease, parseLeaseFile, renderLeaseFile } from "../../src/leases/table";
import { type Frame, MAX_DATAGRAM, decodeFrame, encodeFrame, packLeases } from "../../src/leases/wire";

const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const lease = (mac: string, ip: string, expires = 2_000_000_000, hostname = "*"): Lease => {
  const l = makeLease({ mac, ip, hostname, expires });
  if (typeof l === "string") throw new Error(l);
  return l;
};

describe("UTF-8", () => {
  it("reads back any text, a multi-byte character across its 4 KB chunks included, as Node encodes it", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 3000 }), fc.nat(4096), (text, pad) => {
      const long = "a".repeat(pad) + text;
      const bytes = utf8Bytes(long);
      expect(Buffer.from(bytes).equals(Buffer.from(long, "utf8"))).toBe(true);
      expect(utf8Text(bytes)).toBe(long);
    }), { numRuns: 200 });
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(() => utf8Text(Uint8Array.of(0x61, 0xc3))).toThrow();
    expect(() => utf8Text(Uint8Array.of(0xff))).toThrow();
  });
});

describe("sha256 and HMAC-SHA-256", () => {
  it("matches FIPS 180-4 examples", () => {
    expect(hex(sha256(utf8Bytes("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex(sha256(utf8Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))))
      .toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect(hex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("matches RFC 4231 test cases 1, 2, 4 and 6", () => {
    expect(hex(hmacSha256(new Uint8Array(20).fill(0x0b), utf8Bytes("Hi There"))))
      .toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect(hex(hmacSha256(utf8Bytes("Jefe"), utf8Bytes("what do ya want for nothing?"))))
      .toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect(hex(hmacSha256(bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), new Uint8Array(50).fill(0xcd))))
      .toBe("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    expect(hex(hmacSha256(new Uint8Array(131).fill(0xaa), utf8Bytes("Test Using Larger Than Block-Size Key - Hash Key First"))))
      .toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  });

  it("agrees with node's crypto for any input and key (block boundaries included)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 150 }), (data, key) => {
      expect(hex(sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
      expect(hex(hmacSha256(key, data))).toBe(createHmac("sha256", key).update(data).digest("hex"));
    }));
  });

  it("compares tags of any content, and never equal lengths apart", () => {
    expect(equalConstantTime(bytes("0102"), bytes("0102"))).toBe(true);
    expect(equalConstantTime(bytes("0102"), bytes("0103"))).toBe(false);
    expect(equalConstantTime(bytes("01"), bytes("0102"))).toBe(false);
  });
});

const KEY = new HmacKey(utf8Bytes("0123456789abcdef-secret"));
const A = bytes("a1a1a1a1a1a1a1a1");
const B = bytes("b2b2b2b2b2b2b2b2");
const frame = (over: Partial<Frame> = {}): Frame =>
  ({ from: A, to: B, seq: 1, type: "add", leases: [lease("02:00:00:00:00:01", "198.18.0.150", 1_800_000_000, "pc")], ...over });

describe("lease channel datagrams", () => {
  it("round-trip", () => {
    const f = frame({ seq: 0xfffffffe });
    const d = decodeFrame(KEY, encodeFrame(KEY, f));
    expect(d).toEqual({ ok: true, frame: f });
    const hello = frame({ type: "hello", leases: [], challenge: bytes("0102030405060708"), echo: bytes("1112131415161718") });
    expect(decodeFrame(KEY, encodeFrame(KEY, hello))).toEqual({ ok: true, frame: hello });
    const first = frame({ type: "hello", leases: [], to: new Uint8Array(8), challenge: bytes("0102030405060708") });
    expect(decodeFrame(KEY, encodeFrame(KEY, first))).toEqual({ ok: true, frame: first });
  });

  it("reject a flipped bit anywhere, or another key, as bad-mac", () => {
    const good = encodeFrame(KEY, frame());
    for (let i = 4; i < good.length; i++) {
      const bad = good.slice();
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      expect(decodeFrame(KEY, bad)).toEqual({ ok: false, reason: "bad-mac" });
    }
    expect(decodeFrame(new HmacKey(utf8Bytes("another-secret-of-16")), good)).toEqual({ ok: false, reason: "bad-mac" });
  });

  it("reject short, foreign or nonsensical datagrams as malformed, even correctly signed", () => {
    const good = encodeFrame(KEY, frame());
    expect(decodeFrame(KEY, good.subarray(0, 40))).toEqual({ ok: false, reason: "malformed" });
    const foreign = good.slice();
    foreign[0] = 0;
    expect(decodeFrame(KEY, foreign)).toEqual({ ok: false, reason: "malformed" });
    const signed = (payload: string): Uint8Array => {
      const body = new Uint8Array([...good.subarray(0, 24), ...utf8Bytes(payload)]);
      return new Uint8Array([...body, ...KEY.mac(body)]);
    };
    expect(decodeFrame(KEY, signed("{not json"))).toEqual({ ok: false, reason: "malformed" });
    expect(decodeFrame(KEY, signed('{"type":"drop","leases":[]}'))).toEqual({ ok: false, reason: "malformed" });
    expect(decodeFrame(KEY, signed('{"type":"add","leases":[{"mac":"zz","ip":"198.18.0.9","expires":1}]}'))).toEqual({ ok: false, reason: "malformed" });
    expect(decodeFrame(KEY, signed('{"type":"hello","leases":[]}'))).toEqual({ ok: false, reason: "malformed" });
    expect(decodeFrame(KEY, signed('{"type":"hello","leases":[],"challenge":"0102030405060708","echo":"zz"}'))).toEqual({ ok: false, reason: "malformed" });
    expect(decodeFrame(KEY, signed('{"type":"add","leases":[]}')).ok).toBe(true);
  });

  it("refuse anything longer than one Ethernet frame before computing its MAC", () => {
    const big = new Uint8Array(MAX_DATAGRAM + 1);
    big.set([0x46, 0x47, 0x4c, 0x31]);
    expect(decodeFrame(KEY, big)).toEqual({ ok: false, reason: "oversize" });
  });

  it("pack any leases into datagrams that each fit, in order", () => {
    const big = (i: number): Lease => {
      const l = makeLease({ mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`,
        ip: `198.18.${i >> 8}.${i & 0xff}`, hostname: "h".repeat(63), clientId: Array(64).fill("ff").join(":"), expires: 2_000_000_000 });
      if (typeof l === "string") throw new Error(l);
      return l;
    };
    const leases = Array.from({ length: 40 }, (_, i) => big(i + 1));
    const groups = packLeases("full", leases);
    expect(groups.flat()).toEqual(leases);
    for (const g of groups) {
      expect(g.length).toBeGreaterThan(0);
      expect(encodeFrame(KEY, frame({ type: "full", leases: g })).length).toBeLessThanOrEqual(MAX_DATAGRAM);
    }
    expect(packLeases("del", [])).toEqual([[]]);
  });
});

describe("PeerSession", () => {
  let counter = 0;
  const random = (n: number): Uint8Array => new Uint8Array(n).fill(++counter);
  /** Two routers' sessions and a wire between them that records every frame. */
  function pair() {
    const a = new PeerSession(A, random);
    const b = new PeerSession(B, random);
    let seqA = 0;
    let seqB = 0;
    const helloFrom = (who: "a" | "b", h: HelloFields = (who === "a" ? a : b).hello()): Frame => ({
      from: who === "a" ? A : B, to: h.to, seq: who === "a" ? ++seqA : ++seqB, type: "hello", leases: [],
      challenge: h.challenge, ...(h.echo ? { echo: h.echo } : {}),
    });
    const msgFrom = (who: "a" | "b", type: Frame["type"] = "add"): Frame =>
      ({ ...frame({ type, from: who === "a" ? A : B, to: who === "a" ? B : A }), seq: who === "a" ? ++seqA : ++seqB });
    return { a, b, helloFrom, msgFrom };
  }

  /** The handshake of two routers that just started; returns the frames. */
  function handshake(p: ReturnType<typeof pair>, now = 0) {
    const first = p.helloFrom("a"); // to zeros: A knows nobody yet
    const v1 = p.b.check(first, now);
    expect(v1).toMatchObject({ accepted: false, reason: "no-session" });
    if (v1.accepted || !v1.answer) throw new Error("B must answer");
    const answer = p.helloFrom("b", v1.answer);
    expect(p.a.check(answer, now)).toEqual({ accepted: true, started: true });
    const confirm = p.helloFrom("a");
    expect(p.b.check(confirm, now)).toEqual({ accepted: true, started: true });
    return { first, answer, confirm };
  }

  it("starts a session only by a fresh handshake, both ways", () => {
    const p = pair();
    handshake(p);
    expect(p.a.peer).toEqual(B);
    expect(p.b.peer).toEqual(A);
    expect(p.b.check(p.msgFrom("a"), 10)).toEqual({ accepted: true, started: false });
    expect(p.a.check(p.msgFrom("b"), 10)).toEqual({ accepted: true, started: false });
  });

  it("accepts each sequence number of a session once, within a window of 64", () => {
    const p = pair();
    handshake(p);
    const f = (seq: number): Frame => ({ ...p.msgFrom("a"), seq });
    expect(p.b.check(f(10), 1)).toMatchObject({ accepted: true });
    expect(p.b.check(f(10), 1)).toEqual({ accepted: false, reason: "replay", answer: null });
    expect(p.b.check(f(12), 1)).toMatchObject({ accepted: true });
    expect(p.b.check(f(11), 1)).toMatchObject({ accepted: true }); // reordered, not replayed
    expect(p.b.check(f(11), 1)).toMatchObject({ accepted: false, reason: "replay" });
    expect(p.b.check(f(100), 1)).toMatchObject({ accepted: true });
    expect(p.b.check(f(36), 1)).toMatchObject({ accepted: false, reason: "replay" }); // fell out of the window
    expect(p.b.check(f(37), 1)).toMatchObject({ accepted: true });
  });

  it("an accepted hello of the session is no new session (no resync)", () => {
    const p = pair();
    handshake(p);
    expect(p.b.check(p.helloFrom("a"), 2000)).toEqual({ accepted: true, started: false });
  });

  it("never starts a session from a recorded hello, whichever side restarted", () => {
    const p = pair();
    const { confirm } = handshake(p);
    p.b.rotate();
    p.b.rotate();
    // B restarted: a new session object with a new boot id; A's recorded confirm is for the old B.
    const b2 = new PeerSession(bytes("c3c3c3c3c3c3c3c3"), random);
    expect(b2.check(confirm, 5000)).toMatchObject({ accepted: false, reason: "no-session" });
    // A restarted (B kept its boot id): A's old hello carries B's boot id but an echo B no longer accepts.
    const b = new PeerSession(B, random);
    const oldHello = { ...confirm, echo: bytes("0909090909090909") };
    expect(b.check(oldHello, 5000)).toMatchObject({ accepted: false, reason: "no-session" });
    // Nothing from ourselves, nothing but a hello outside a session.
    expect(p.a.check({ ...confirm, from: A, to: A }, 1)).toMatchObject({ accepted: false, reason: "replay" });
    expect(b2.check({ ...p.msgFrom("a"), to: bytes("c3c3c3c3c3c3c3c3") }, 1)).toMatchObject({ accepted: false, reason: "replay" });
  });

  it("old hellos of earlier boots neither evict the session nor open the door to replays", () => {
    const p = pair();
    handshake(p);
    const del = p.msgFrom("a", "del");
    expect(p.b.check(del, 1)).toMatchObject({ accepted: true });
    // Recorded hellos of eight earlier boots of A, each to B's boot id, echoing stale challenges.
    for (let i = 0; i < 8; i++) {
      const old = { ...p.helloFrom("a"), from: bytes(`0${i}0${i}0${i}0${i}0${i}0${i}0${i}0${i}`), echo: bytes("eeeeeeeeeeeeeeee") };
      expect(p.b.check(old, 2)).toMatchObject({ accepted: false, reason: "no-session" });
    }
    expect(p.b.peer).toEqual(A);
    expect(p.b.check(del, 3)).toMatchObject({ accepted: false, reason: "replay" });
  });

  it("answers a hello it cannot take at most once a second per boot id", () => {
    const p = pair();
    const first = p.helloFrom("a");
    expect(p.b.check(first, 0)).toMatchObject({ answer: { to: A, echo: first.challenge } });
    expect(p.b.check({ ...first, seq: 99 }, 500)).toMatchObject({ answer: null });
    expect(p.b.check({ ...first, seq: 100 }, 1000)).toMatchObject({ answer: { to: A } });
  });

  it("keeps four boot ids in a handshake, forgetting the oldest first", () => {
    const p = pair();
    const hello = (id: number): Frame => ({ ...p.helloFrom("a"), from: bytes(`0${id}`.repeat(8)) });
    for (let id = 1; id <= 5; id++) expect(p.b.check(hello(id), 0)).toMatchObject({ answer: { to: bytes(`0${id}`.repeat(8)) } });
    // 2 to 5 are kept: 5 was answered within the second. 1 was forgotten, so
    // it is answered as new, and takes the place of 2, the oldest.
    expect(p.b.check(hello(5), 1)).toMatchObject({ answer: null });
    expect(p.b.check(hello(1), 2)).toMatchObject({ answer: { to: bytes("0101010101010101") } });
    expect(p.b.check(hello(3), 3)).toMatchObject({ answer: null });
    expect(p.b.check(hello(2), 4)).toMatchObject({ answer: { to: bytes("0202020202020202") } });
  });

  it("takes a restarted peer through a new handshake", () => {
    const p = pair();
    handshake(p);
    const a2 = new PeerSession(bytes("d4d4d4d4d4d4d4d4"), random);
    const h = a2.hello();
    const first: Frame = { from: bytes("d4d4d4d4d4d4d4d4"), to: h.to, seq: 1, type: "hello", leases: [], challenge: h.challenge };
    const v = p.b.check(first, 3000);
    if (v.accepted || !v.answer) throw new Error("B must answer the restarted A");
    const ans: Frame = { from: B, to: v.answer.to, seq: 50, type: "hello", leases: [], challenge: v.answer.challenge, echo: v.answer.echo ?? undefined };
    expect(a2.check(ans, 3000)).toEqual({ accepted: true, started: true });
    const h2 = a2.hello();
    const confirm: Frame = { from: bytes("d4d4d4d4d4d4d4d4"), to: h2.to, seq: 2, type: "hello", leases: [], challenge: h2.challenge, echo: h2.echo ?? undefined };
    expect(p.b.check(confirm, 3000)).toEqual({ accepted: true, started: true });
    expect(p.b.peer).toEqual(bytes("d4d4d4d4d4d4d4d4"));
  });

  it("never takes back a boot a newer session replaced, even by a hello echoing a challenge it still accepts", () => {
    const p = pair();
    const old = handshake(p).confirm;
    // A restarts as D4 within B's challenge's lifetime: the old boot's recorded
    // confirm still echoes a challenge B accepts.
    const d4 = bytes("d4d4d4d4d4d4d4d4");
    const a2 = new PeerSession(d4, random);
    const v = p.b.check({ from: d4, to: a2.hello().to, seq: 1, type: "hello", leases: [], challenge: a2.hello().challenge }, 3000);
    if (v.accepted || !v.answer) throw new Error("B must answer the restarted A");
    expect(a2.check({ from: B, to: v.answer.to, seq: 60, type: "hello", leases: [], challenge: v.answer.challenge, echo: v.answer.echo ?? undefined }, 3000))
      .toEqual({ accepted: true, started: true });
    const h = a2.hello();
    expect(p.b.check({ from: d4, to: h.to, seq: 2, type: "hello", leases: [], challenge: h.challenge, echo: h.echo ?? undefined }, 3000))
      .toEqual({ accepted: true, started: true });
    // The replayed confirm of the replaced boot: refused, and the session stays.
    expect(p.b.check({ ...old, echo: v.answer.challenge }, 3001)).toEqual({ accepted: false, reason: "replay", answer: null });
    expect(p.b.peer).toEqual(d4);
  });
});

describe("LeaseTable", () => {
  it("keeps one lease per client and per address", () => {
    const t = new LeaseTable();
    expect(t.upsert(lease("02:00:00:00:00:01", "198.18.0.150"))).toBe(true);
    expect(t.upsert(lease("02:00:00:00:00:01", "198.18.0.150"))).toBe(false);
    t.upsert(lease("02:00:00:00:00:02", "198.18.0.151"));
    t.upsert(lease("02:00:00:00:00:03", "198.18.0.150")); // the address moved to another client
    expect(t.list().map((l) => l.mac)).toEqual(["02:00:00:00:00:03", "02:00:00:00:00:02"]);
    expect(t.remove("02:00:00:00:00:02", "198.18.0.199")).toBe(false); // not that client's address
    expect(t.remove("02:00:00:00:00:02", "198.18.0.151")).toBe(true);
    expect(t.size).toBe(1);
  });

  it("merges a resync without shortening a lease it holds", () => {
    const t = new LeaseTable();
    t.upsert(lease("02:00:00:00:00:01", "198.18.0.150", 2000));
    expect(t.merge(lease("02:00:00:00:00:01", "198.18.0.160", 1000))).toBe(false);
    expect(t.merge(lease("02:00:00:00:00:01", "198.18.0.161", 3000))).toBe(true);
    expect(t.list()[0]?.ip).toBe("198.18.0.161");
  });

  it("prunes expired leases but not those that never expire", () => {
    const t = new LeaseTable();
    t.upsert(lease("02:00:00:00:00:01", "198.18.0.150", 1000));
    t.upsert(lease("02:00:00:00:00:02", "198.18.0.151", 0));
    t.upsert(lease("02:00:00:00:00:03", "198.18.0.152", 5000));
    expect(t.prune(1000)).toBe(1);
    expect(t.list().map((l) => l.ip)).toEqual(["198.18.0.151", "198.18.0.152"]);
  });

  it("normalises and validates what dnsmasq's events carry", () => {
    expect(makeLease({ mac: "02:AB:00:00:00:01", ip: "198.18.0.150", expires: 5 })).toEqual(
      { mac: "02:ab:00:00:00:01", ip: "198.18.0.150", hostname: "*", clientId: "*", expires: 5 });
    expect(makeLease({ mac: "02:00:00:00:00:01", ip: "198.18.0.0500", expires: 5 })).toMatch(/IPv4/);
    expect(makeLease({ mac: "02:00:00:00:00:01", ip: "198.18.0.5", hostname: "a b", expires: 5 })).toMatch(/hostname/);
    expect(makeLease({ mac: "02:00:00:00:00:01", ip: "198.18.0.5", expires: -1 })).toMatch(/expiry/);
    expect(makeLease({ mac: "02:00:00:00:00:01\n1", ip: "198.18.0.5", expires: 1 })).toMatch(/MAC/);
  });
});

describe("dnsmasq's lease file", () => {
  const FILE = [
    "1700000500 02:00:00:00:00:0a 198.18.0.170 laptop 01:02:00:00:00:00:0a",
    "1700000600 02:00:00:00:00:01 198.18.0.199 old *",
    "1700000700 02:00:00:00:00:0b 198.18.0.150 phone *",
    "duid 00:01:00:01:2c:00:00:00:02:00:00:00:00:01",
    "1700000800 123456 2001:db8::10 host6 00:01:00:01",
    "",
  ].join("\n");

  it("parses IPv4 leases and keeps every other line", () => {
    const f = parseLeaseFile(FILE);
    expect(f.leases.map((l) => l.ip)).toEqual(["198.18.0.170", "198.18.0.199", "198.18.0.150"]);
    expect(f.leases[0]?.clientId).toBe("01:02:00:00:00:00:0a");
    expect(f.other).toEqual(["duid 00:01:00:01:2c:00:00:00:02:00:00:00:00:01", "1700000800 123456 2001:db8::10 host6 00:01:00:01"]);
  });

  it("renders held leases over contradicting ones, drops expired held leases, keeps the rest", () => {
    const held = [lease("02:00:00:00:00:01", "198.18.0.150", 1700001000, "pc"), lease("02:00:00:00:00:0c", "198.18.0.180", 1699999999)];
    expect(renderLeaseFile(FILE, held, 1700000000)).toBe([
      "1700001000 02:00:00:00:00:01 198.18.0.150 pc *",
      "1700000500 02:00:00:00:00:0a 198.18.0.170 laptop 01:02:00:00:00:00:0a",
      "duid 00:01:00:01:2c:00:00:00:02:00:00:00:00:01",
      "1700000800 123456 2001:db8::10 host6 00:01:00:01",
      "",
    ].join("\n"));
    expect(parseLeaseFile(renderLeaseFile("", held, 0)).leases).toEqual(held);
  });
});
