// Log lines a human can read, one per event, on stderr (procd sends it to
// syslog). Each line carries its origin, as FRR does: "[vrid 51 lan] ...".
import { writeErr } from "../platform/engine";

export type LogLevel = "error" | "warn" | "info" | "debug";
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

let threshold: LogLevel = "info";

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export interface Logger {
  (level: LogLevel, message: string): void;
}

/** A logger whose lines start with `origin`. */
export function logger(origin: string): Logger {
  return (level, message) => {
    if (RANK[level] > RANK[threshold]) return;
    writeErr(`floatgwd: ${level === "info" ? "" : level + ": "}${origin ? `[${origin}] ` : ""}${message}\n`);
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
