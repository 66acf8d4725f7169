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
 * fatal: the daemon must keep the VIP moving whatever one handler hit. */
export function guarded(log: Logger, what: string, handler: () => void): () => void {
  return () => {
    try {
      handler();
    } catch (e) {
      log("error", `${what}: ${e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack}` : ""}` : String(e)}`);
    }
  };
}

/** Lets each distinct warning through once per window and says how many of
 * it were held back, so a flood of bad packets cannot flood the log. */
export class LogLimiter {
  private readonly seen = new Map<string, { until: number; held: number }>();

  constructor(private readonly windowMs: number) {}

  /** The line to log now, or null to hold this one back. */
  pass(message: string, now: number): string | null {
    const entry = this.seen.get(message);
    if (entry && now < entry.until) {
      entry.held++;
      return null;
    }
    if (this.seen.size >= 256) for (const [k, v] of this.seen) if (now >= v.until) this.seen.delete(k);
    this.seen.set(message, { until: now + this.windowMs, held: 0 });
    return entry && entry.held > 0 ? `${message} (${entry.held} more like it held back)` : message;
  }
}
