// keepalived's HTTP_GET check as a conversation: one GET, then the status
// code must be one of the expected ones and, when a digest is configured,
// the MD5 of the body (everything after the header, as received: keepalived's
// `digest` and its `genhash` tool hash the same bytes) must match. Without a
// digest the answer is known from the status line, and the probe ends there.

import { latin1Bytes, latin1Text } from "../core/bytes";
import { type Conversation, type Reply, down, up } from "./conversation";
import type { ProbeResult } from "./poll";
import { Md5 } from "./md5";
import type { CodeRange } from "./spec";

/** A header larger than this is not a health check's answer. */
const MAX_HEADER = 16384;
const STATUS_LINE = /^HTTP\/\d\.\d (\d{3})(?: [^\r\n]*)?\r?\n/;

export interface HttpCheck {
  readonly path: string;
  /** The Host header. */
  readonly host: string;
  readonly statusCodes: readonly CodeRange[];
  /** Lower-case hex MD5 of the body; null: not checked. */
  readonly digest: string | null;
}

function headerEnd(text: string): { at: number; length: number } | null {
  const crlf = text.indexOf("\r\n\r\n");
  const lf = text.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return lf >= 0 ? { at: lf, length: 2 } : null;
}

export function httpConversation(check: HttpCheck): Conversation {
  let head = "";
  let status: number | null = null;
  let hasher: Md5 | null = null;
  let bodyBytes = 0;

  const expected = (code: number): boolean => check.statusCodes.some((r) => code >= r.min && code <= r.max);
  const verdict = (): ProbeResult => {
    if (status === null) return down("no HTTP status line");
    if (!expected(status)) return down(`HTTP ${status}`);
    if (check.digest === null || hasher === null) return up(`HTTP ${status}`);
    const got = hasher.hex();
    return got === check.digest ? up(`HTTP ${status}, digest matches`) : down(`HTTP ${status}, body digest ${got} (${bodyBytes} bytes)`);
  };
  const body = (bytes: Uint8Array): void => {
    hasher?.append(bytes);
    bodyBytes += bytes.length;
  };

  return {
    opening: () =>
      latin1Bytes(`GET ${check.path} HTTP/1.0\r\nHost: ${check.host}\r\nUser-Agent: floatgw\r\nConnection: close\r\n\r\n`),
    receive: (bytes): Reply => {
      if (status !== null) {
        body(bytes);
        return { send: null, done: null };
      }
      const before = head.length;
      head += latin1Text(bytes);
      const end = headerEnd(head);
      if (end === null) {
        if (head.length > MAX_HEADER) return { send: null, done: down("HTTP header too long") };
        return { send: null, done: null };
      }
      const m = STATUS_LINE.exec(head);
      if (m === null) return { send: null, done: down(`not an HTTP response: ${JSON.stringify(head.slice(0, 40))}`) };
      status = Number(m[1]);
      // Without a digest to check, or with a code that fails anyway, the
      // status line is the whole answer.
      if (check.digest === null || !expected(status)) return { send: null, done: verdict() };
      hasher = new Md5();
      body(bytes.subarray(end.at + end.length - before));
      return { send: null, done: null };
    },
    closed: verdict,
  };
}
