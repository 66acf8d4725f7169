// What one tracker is configured with, as the daemon runs it: the config
// layer validates a `config tracker` section into a TrackerSpec, the pure
// models (poll.ts, link.ts, contribution.ts) read their rules from it, and
// the platform's probes read what to probe. One shape for every kind.

import type { Addr } from "../core/addr";

/** Timing and counting of a tracker that runs a probe (all but link and interface). */
export interface PollRule {
  /** From the start of one probe to the start of the next (keepalived `interval`, `delay_loop`). */
  readonly intervalMs: number;
  /** A probe still running after this long has failed and is stopped. */
  readonly timeoutMs: number;
  /** The interval while failures of an up tracker count towards `fall` (keepalived `delay_before_retry`). */
  readonly retryIntervalMs: number;
  /** Successes in a row that bring a down tracker up. */
  readonly rise: number;
  /** Failures in a row that bring an up tracker down. */
  readonly fall: number;
  /** Start down (keepalived `init_fail`) instead of letting the first result decide. */
  readonly initFail: boolean;
}

/** Where a network probe goes and how it leaves. */
export interface ProbeTarget {
  readonly host: Addr;
  /** Source address (keepalived `bindto`); null: the kernel's choice. */
  readonly source: Addr | null;
  /** SO_BINDTODEVICE (keepalived `bind_if`); null: routed. */
  readonly device: string | null;
}

/** An inclusive range of HTTP status codes. */
export interface CodeRange {
  readonly min: number;
  readonly max: number;
}

export type ProbeSpec =
  | { readonly kind: "link"; readonly device: string }
  | { readonly kind: "interface"; readonly interface: string }
  | {
      readonly kind: "script";
      readonly poll: PollRule;
      /** The program and its arguments; `/bin/sh -c <line>` when the section asks for a shell. */
      readonly argv: readonly string[];
      /** `user` or `user:group`; null: root. */
      readonly user: string | null;
      /** keepalived `misc_dynamic`: exit status 2-255 is up with weight status - 2. */
      readonly dynamicWeight: boolean;
    }
  | { readonly kind: "ping"; readonly poll: PollRule; readonly target: ProbeTarget }
  | { readonly kind: "tcp"; readonly poll: PollRule; readonly target: ProbeTarget; readonly port: number }
  | {
      readonly kind: "http";
      readonly poll: PollRule;
      readonly target: ProbeTarget;
      readonly port: number;
      readonly path: string;
      readonly statusCodes: readonly CodeRange[];
      /** MD5 of the body, lower-case hex; null: not checked. */
      readonly digest: string | null;
      /** The Host header; null: host and port. */
      readonly virtualhost: string | null;
    }
  | {
      readonly kind: "smtp";
      readonly poll: PollRule;
      readonly target: ProbeTarget;
      readonly port: number;
      /** null: this router's host name. */
      readonly heloName: string | null;
    }
  | {
      readonly kind: "file";
      readonly poll: PollRule;
      readonly path: string;
      /** Written at start when the file is missing (or always, with initOverwrite); null: never. */
      readonly initValue: number | null;
      readonly initOverwrite: boolean;
    };

export type TrackerKind = ProbeSpec["kind"];
export type PolledSpec = Extract<ProbeSpec, { readonly poll: PollRule }>;

export interface TrackerSpec {
  /** The section's name, which vips list in `track`. */
  readonly name: string;
  /** 0: FAULT while failing; else added to the priority (keepalived semantics). */
  readonly weight: number;
  readonly reverse: boolean;
  readonly probe: ProbeSpec;
}

/** How a vip uses a tracker: the tracker's weight and direction unless the
 * vip's `track` line overrides them. */
export interface TrackUse {
  readonly tracker: string;
  readonly weight: number;
  readonly reverse: boolean;
}

export function isPolled(p: ProbeSpec): p is PolledSpec {
  return "poll" in p;
}
