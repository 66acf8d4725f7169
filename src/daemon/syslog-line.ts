// [SYSLOG] floatgwd's lines as RFC 3164 messages for the local syslog
// socket: `<PRI>Mmm dd hh:mm:ss floatgwd[PID]: text`, facility daemon and
// the line's own severity, so `logread` shows daemon.err/warn/info/debug and
// one floatgwd[PID] tag. The time stamp is always there and always 15
// characters (a day below 10 is padded with a space): OpenWrt's logd cuts
// the first 16 characters when the 16th is a space, and keeps its own time.
import type { LogLevel } from "../config/validate";

const FACILITY_DAEMON = 3;
const SEVERITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const two = (n: number, pad: string): string => String(n).padStart(2, pad);

export function syslogLine(level: LogLevel, text: string, pid: number, time: Date): string {
  const stamp = `${MONTHS[time.getMonth()]} ${two(time.getDate(), " ")} ` +
    `${two(time.getHours(), "0")}:${two(time.getMinutes(), "0")}:${two(time.getSeconds(), "0")}`;
  return `<${FACILITY_DAEMON * 8 + SEVERITY[level]}>${stamp} floatgwd[${pid}]: ${text}`;
}
