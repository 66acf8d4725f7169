// The probes' protocol halves without sockets: HTTP GET with status codes
// and digest, SMTP banner and HELO, ICMP echo, and track_file numbers.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { internetChecksum } from "../../src/core/checksum";
import { fileValue } from "../../src/track/file-value";
import { httpConversation } from "../../src/track/http";
import { echoReply, echoRequest } from "../../src/track/icmp";
import { smtpConversation } from "../../src/track/smtp";
import { talk } from "./helpers";

const md5hex = (s: string) => createHash("md5").update(Buffer.from(s, "latin1")).digest("hex");

describe("HTTP GET check", () => {
  const check = { path: "/health", host: "198.18.0.10:8080", statusCodes: [{ min: 200, max: 299 }], digest: null };

  it("sends one HTTP/1.0 GET and is up on an expected status line, without waiting for the body", () => {
    const r = talk(httpConversation(check), ["HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n"]);
    expect(r.sent).toEqual(["GET /health HTTP/1.0\r\nHost: 198.18.0.10:8080\r\nUser-Agent: floatgw\r\nConnection: close\r\n\r\n"]);
    expect(r.result).toEqual({ ok: true, value: null, detail: "HTTP 204" });
  });

  it("is down on another status code, a header split over reads included", () => {
    const r = talk(httpConversation(check), ["HTTP/1.0 50", "3 Service Unavailable\r\nX: y\r", "\n\r\nbusy"]);
    expect(r.result).toEqual({ ok: false, value: null, detail: "HTTP 503" });
  });

  it("checks the body's MD5 as keepalived's digest, over the bytes after the header", () => {
    const body = "<html>nginx is alive\n</html>\n";
    const withDigest = { ...check, digest: md5hex(body) };
    const head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
    expect(talk(httpConversation(withDigest), [head + body.slice(0, 10), body.slice(10)]).result).toEqual({
      ok: true, value: null, detail: "HTTP 200, digest matches",
    });
    const other = talk(httpConversation(withDigest), [head + "<html>maintenance</html>\n"]).result;
    expect(other.ok).toBe(false);
    expect(other.detail).toBe(`HTTP 200, body digest ${md5hex("<html>maintenance</html>\n")} (25 bytes)`);
  });

  it("is down on garbage, a missing status line, or an endless header", () => {
    expect(talk(httpConversation(check), ["SSH-2.0-OpenSSH\r\n\r\n"]).result.detail).toBe('not an HTTP response: "SSH-2.0-OpenSSH\\r\\n\\r\\n"');
    expect(talk(httpConversation(check), []).result).toEqual({ ok: false, value: null, detail: "no HTTP status line" });
    expect(talk(httpConversation(check), ["HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(4000)]).result.detail).toBe("HTTP header too long");
  });

  it("accepts codes from several ranges", () => {
    const c = { ...check, statusCodes: [{ min: 200, max: 200 }, { min: 301, max: 302 }] };
    expect(talk(httpConversation(c), ["HTTP/1.1 302 Found\r\n\r\n"]).result.ok).toBe(true);
    expect(talk(httpConversation(c), ["HTTP/1.1 201 Created\r\n\r\n"]).result.ok).toBe(false);
  });
});

describe("SMTP check", () => {
  it("waits for a 220 banner (multi-line too), sends HELO, and is up on 250", () => {
    const r = talk(smtpConversation("gw-a"), ["220-mx.example.org ESMTP\r\n", "220 ready\r\n", "250-mx.example.org\r\n250 HELP\r\n"]);
    expect(r.sent).toEqual(["HELO gw-a\r\n", "QUIT\r\n"]);
    expect(r.result).toEqual({ ok: true, value: null, detail: "SMTP 220, HELO 250" });
  });

  it("is down on a 554 banner, a refused HELO, garbage, or a close", () => {
    expect(talk(smtpConversation("a"), ["554 no service\r\n"]).result.detail).toBe('SMTP banner answered "554 no service"');
    expect(talk(smtpConversation("a"), ["220 ok\r\n", "501 bad\r\n"]).result.detail).toBe('SMTP HELO answered "501 bad"');
    expect(talk(smtpConversation("a"), ["HTTP/1.1 400\r\n"]).result.ok).toBe(false);
    expect(talk(smtpConversation("a"), ["220 ok"]).result.detail).toBe("closed before the SMTP banner reply");
  });
});

describe("ICMP echo", () => {
  it("builds an ICMPv4 request with a valid checksum and an ICMPv6 one for the kernel to sum", () => {
    const v4 = echoRequest(4, { id: 0x1234, seq: 7 }, new Uint8Array([1, 2, 3]));
    expect([...v4.subarray(0, 2), ...v4.subarray(4)]).toEqual([8, 0, 0x12, 0x34, 0, 7, 1, 2, 3]);
    expect(internetChecksum([v4])).toBe(0);
    const v6 = echoRequest(6, { id: 1, seq: 2 }, new Uint8Array(0));
    expect([...v6]).toEqual([128, 0, 0, 0, 0, 1, 0, 2]);
  });

  it("recognises replies behind an IPv4 header, and nothing else", () => {
    const icmp = new Uint8Array([0, 0, 0, 0, 0x12, 0x34, 0, 7]);
    const ip = new Uint8Array(24 + icmp.length);
    ip[0] = 0x46; // IPv4 with 4 bytes of options
    ip.set(icmp, 24);
    expect(echoReply(4, ip)).toEqual({ id: 0x1234, seq: 7 });
    expect(echoReply(6, new Uint8Array([129, 0, 0, 0, 0, 1, 0, 2]))).toEqual({ id: 1, seq: 2 });
    expect(echoReply(6, new Uint8Array([128, 0, 0, 0, 0, 1, 0, 2]))).toBeNull();
    expect(echoReply(4, new Uint8Array([0x45, 0]))).toBeNull();
  });
});

describe("track_file numbers", () => {
  it.each([
    ["0\n", 0],
    ["  -25 \n", -25],
    ["+7", 7],
    ["0x1f", 31],
    ["010", 8],
    ["12abc", 12],
    ["", 0],
    ["abc", 0],
    ["2147483648", 2147483648],
    ["99999999999", null],
  ])("%j is %j", (text, value) => {
    expect(fileValue(text)).toBe(value);
  });
});
