// The probes of the polled trackers, on the real system: run a script,
// ping, connect over TCP (and talk HTTP or SMTP), read a file. Each start
// calls `done` exactly once unless it is aborted first (the tracker's
// timeout, or a stop); a probe never blocks the event loop, and an error is
// a failed result, never an exception.
import { formatAddr } from "../core/addr";
import { fileValue } from "../track/file-value";
import { httpConversation } from "../track/http";
import type { ProbeResult } from "../track/poll";
import type { PolledSpec } from "../track/spec";
import { smtpConversation } from "../track/smtp";
import type { Children } from "./children";
import { type ChildExit, killSession, readTextFile, spawnSession, writeTextFile } from "./engine";
import { Pinger } from "./pinger";
import { SCRIPT_PATH, resolveProgram } from "./programs";
import { tcpConversation } from "./tcp-client";
import { lookupIds } from "./users";

/** Starts one probe; the returned function aborts it (no result then). */
export type StartProbe = (done: (r: ProbeResult) => void) => () => void;

export interface Prober {
  readonly start: StartProbe;
  /** Releases what the probes keep open (a ping socket). */
  close(): void;
}

export interface ProbeContext {
  readonly children: Children;
  /** This router's host name, for SMTP's HELO. */
  readonly hostname: string;
}

const fail = (detail: string): ProbeResult => ({ ok: false, value: null, detail });

/** keepalived: exit status 0 is up; with misc_dynamic, 1 is down and
 * 2-255 up with weight status - 2; a signal is down. */
export function scriptResult(e: ChildExit, dynamicWeight: boolean): ProbeResult {
  if (e.signal !== null) return fail(`killed by signal ${e.signal}`);
  if (e.code === 0) return { ok: true, value: null, detail: "exit status 0" };
  if (dynamicWeight && e.code >= 2) return { ok: true, value: e.code - 2, detail: `exit status ${e.code}: weight ${e.code - 2}` };
  return fail(`exit status ${e.code}`);
}

function scriptProbe(spec: Extract<PolledSpec, { kind: "script" }>, ctx: ProbeContext): StartProbe {
  return (done) => {
    const [name = "", ...args] = spec.argv;
    const program = resolveProgram(name);
    if (program === null) {
      done(fail(`cannot run ${name}: not found or not executable`));
      return () => {};
    }
    const ids = spec.user === null ? { uid: -1, gid: -1 } : lookupIds(spec.user);
    if (typeof ids === "string") {
      done(fail(`cannot run ${name}: ${ids}`));
      return () => {};
    }
    let pid: number;
    try {
      pid = spawnSession([program, ...args], { PATH: SCRIPT_PATH }, ids.uid, ids.gid);
    } catch (e) {
      done(fail(`cannot run ${name}: ${String(e)}`));
      return () => {};
    }
    ctx.children.watch(pid, (e) => done(scriptResult(e, spec.dynamicWeight)));
    return () => {
      ctx.children.forget(pid);
      killSession(pid);
    };
  };
}

function fileProbe(spec: Extract<PolledSpec, { kind: "file" }>): StartProbe {
  if (spec.initValue !== null && (spec.initOverwrite || readTextFile(spec.path) === null)) writeTextFile(spec.path, `${spec.initValue}\n`);
  return (done) => {
    const text = readTextFile(spec.path);
    if (text === null) done({ ok: true, value: 0, detail: "missing or unreadable: counts as 0" });
    else {
      const value = fileValue(text);
      done(value === null ? fail("holds a number beyond 32 bits: ignored") : { ok: true, value, detail: `holds ${value}` });
    }
    return () => {};
  };
}

/** The Host header keepalived sends: the address, and the port unless 80. */
function hostHeader(spec: Extract<PolledSpec, { kind: "http" }>): string {
  if (spec.virtualhost !== null) return spec.virtualhost;
  const host = spec.target.host.family === 6 ? `[${formatAddr(spec.target.host)}]` : formatAddr(spec.target.host);
  return spec.port === 80 ? host : `${host}:${spec.port}`;
}

export function prober(spec: PolledSpec, ctx: ProbeContext): Prober {
  const none = (): void => {};
  switch (spec.kind) {
    case "script":
      return { start: scriptProbe(spec, ctx), close: none };
    case "file":
      return { start: fileProbe(spec), close: none };
    case "ping": {
      const pinger = new Pinger(spec.target);
      return { start: (done) => pinger.probe(done), close: () => pinger.close() };
    }
    case "tcp":
      return { start: (done) => tcpConversation(spec.target, spec.port, null, done), close: none };
    case "http": {
      const check = { path: spec.path, host: hostHeader(spec), statusCodes: spec.statusCodes, digest: spec.digest };
      return { start: (done) => tcpConversation(spec.target, spec.port, httpConversation(check), done), close: none };
    }
    case "smtp":
      return { start: (done) => tcpConversation(spec.target, spec.port, smtpConversation(spec.heloName ?? ctx.hostname), done), close: none };
  }
}
