// Log lines a human can read, one per event. Each line carries its origin,
// as FRR does: "[vrid 51 lan] ...". They go to stderr ("floatgwd: warn: ...")
// unless logToSyslog() sends them to the local syslog socket, each with its
// own severity; a line syslog cannot take (no logd) goes to stderr.
import { sys, writeErr } from "../platform/engine";
import { SyslogSocket } from "../platform/syslog";
import type { LogLevel } from "../config/validate";
import { syslogLine } from "./syslog-line";

export type { LogLevel };
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

let threshold: LogLevel = "info";
let syslog: { socket: SyslogSocket; pid: number } | null = null;

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** From now on, lines go to the syslog socket at `path` (/dev/log). */
export function logToSyslog(path: string): void {
  syslog = { socket: new SyslogSocket(path), pid: sys.getpid() };
}

export interface Logger {
  (level: LogLevel, message: string): void;
}

function emit(level: LogLevel, text: string): void {
  if (syslog) {
    const { socket, pid } = syslog;
    const now = new Date();
    // One datagram per line: a stack trace stays readable in logread.
    const unsent = text.split("\n").filter((line) => !socket.send(syslogLine(level, line, pid, now)));
    if (unsent.length === 0) return;
    text = unsent.join("\n");
  }
  writeErr(`floatgwd: ${level === "info" ? "" : level + ": "}${text}\n`);
}

/** A logger whose lines start with `origin`. */
export function logger(origin: string): Logger {
  return (level, message) => {
    if (RANK[level] > RANK[threshold]) return;
    emit(level, `${origin ? `[${origin}] ` : ""}${message}`);
  };
}

/** Runs an event handler so that an unexpected exception is logged, not
 * fatal: the daemon must keep the VIP moving whatever one handler hit. A
 * read handler's "more is waiting" (see watchReadable) passes through. */
export function guarded(log: Logger, what: string, handler: () => boolean | void): () => boolean | void {
  return () => {
    try {
      return handler();
    } catch (e) {
      log("error", `${what}: ${e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack}` : ""}` : String(e)}`);
      return undefined;
    }
  };
}
