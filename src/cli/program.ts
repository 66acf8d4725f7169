// What the binary's programs (src/cli.ts, src/main.ts, src/tools.ts) say the same:
// the program's name as called, its error line and the default paths.
import { programName, writeErr } from "../platform/engine";

export const DEFAULT_CONFIG = "/etc/config/floatgw";
export const DEFAULT_RUN_DIR = "/var/run/floatgw";
/** ubusd's socket on OpenWrt 21.02 and later (before: /var/run/ubus.sock). */
export const DEFAULT_UBUS_SOCKET = "/var/run/ubus/ubus.sock";
/** Where import-keepalived looks when given no FILE, in this order. */
export const KEEPALIVED_SOURCES = ["/etc/config/keepalived", "/etc/keepalived/keepalived.conf"];

/** As called: messages and help say floatgwd or floatgw, whichever the user typed. */
export const PROGRAM = programName();

export function fail(message: string): number {
  writeErr(`${PROGRAM}: ${message}\n`);
  return 1;
}
