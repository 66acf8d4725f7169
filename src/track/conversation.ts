// A probe's talk with a TCP server, sans I/O: the platform connects, sends
// what `opening` gives, feeds what arrives to `receive` and reports the
// peer closing with `closed`; the conversation decides when the probe has
// its result. A TCP check has no conversation: connected is up.

import type { ProbeResult } from "./poll";

export interface Reply {
  /** Bytes to send now; null: nothing. */
  readonly send: Uint8Array | null;
  /** The probe's result once known; null: keep talking. */
  readonly done: ProbeResult | null;
}

export interface Conversation {
  /** Sent as soon as the connection is up; null: wait for the server. */
  opening(): Uint8Array | null;
  receive(bytes: Uint8Array): Reply;
  /** The server closed the connection. */
  closed(): ProbeResult;
}

export const up = (detail: string): ProbeResult => ({ ok: true, value: null, detail });
export const down = (detail: string): ProbeResult => ({ ok: false, value: null, detail });
