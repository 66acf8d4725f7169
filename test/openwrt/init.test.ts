// The procd init script's contract. There is no procd or /lib/functions.sh
// on Debian, so the script is sourced by dash (as busybox ash would run it)
// with recording stand-ins for the procd and UCI helpers it calls, and the
// test checks what it declares: the command, respawn, reload by SIGHUP, the
// triggers, that a disabled service starts nothing, and when it gives
// dnsmasq's configuration back (what that does is test/openwrt/dnsmasq.test.ts's,
// on the real OpenWrt tree). shellcheck checks it as POSIX sh.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, must, run } from "../netns/lab";

const INIT = join(ROOT, "files/etc/init.d/floatgw");
const STANDINS = `
set -eu
record() { printf '%s\\n' "$*" >> "$CALLS"; }
config_load() { record config_load "$@"; }
config_get_bool() { eval "$1=\${ENABLED:-0}"; }
config_get() { eval "$1=\\$(printf '%s' \\"\${SECTIONS_IFACE:-}\\" | tr ' ' '\\n' | grep \\"^$2=\\" | cut -d= -f2)"; }
config_foreach() { for s in $(printf '%s' "\${SECTIONS_IFACE:-}" | tr ' ' '\\n' | cut -d= -f1); do "$1" "$s"; done; }
procd_open_instance() { record procd_open_instance "$@"; }
procd_set_param() { record procd_set_param "$@"; }
procd_close_instance() { record procd_close_instance "$@"; }
procd_add_reload_trigger() { record procd_add_reload_trigger "$@"; }
procd_add_interface_trigger() { record procd_add_interface_trigger "$@"; }
procd_send_signal() { record procd_send_signal "$@"; }
start() { record start; }
stop() { record stop; }
. "$INIT"
floatgw_restore_dhcp() { record "floatgw_restore_dhcp keep=[$*]"; }
`;

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function calls(env: Record<string, string>, steps: string): string[] {
  dir = mkdtempSync(join(tmpdir(), "fginit-"));
  const file = join(dir, "calls");
  const r = run(["env", `CALLS=${file}`, `INIT=${INIT}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    "dash", "-c", STANDINS + steps]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  try {
    return readFileSync(file, "utf8").trim().split("\n");
  } catch {
    return [];
  }
}

describe("files/etc/init.d/floatgw", () => {
  it("passes shellcheck as POSIX sh", () => {
    must(["shellcheck", "-s", "sh", INIT, join(ROOT, "files/etc/hotplug.d/floatgw/01-user"),
      join(ROOT, "files/etc/hotplug.d/floatgw/50-dnsmasq"), join(ROOT, "files/etc/hotplug.d/dhcp/50-floatgw"),
      join(ROOT, "files/etc/uci-defaults/80-floatgw-firewall")]);
  });

  it("declares the daemon with syslog, respawn, SIGHUP reloads and a 15 s term timeout", () => {
    expect(calls({ ENABLED: "1" }, "start_service")).toEqual([
      "config_load floatgw",
      "floatgw_restore_dhcp keep=[]",
      "procd_open_instance",
      "procd_set_param command /usr/sbin/floatgwd run --config /etc/config/floatgw --syslog /dev/log",
      "procd_set_param respawn 3600 5 0",
      "procd_set_param stdout 1",
      "procd_set_param stderr 1",
      "procd_set_param pidfile /var/run/floatgwd.pid",
      "procd_set_param reload_signal HUP",
      "procd_set_param term_timeout 15",
      "procd_close_instance",
    ]);
  });

  it("starts nothing while global.enabled is '0' (as shipped), and gives every dhcp section back", () => {
    expect(calls({ ENABLED: "0" }, "start_service")).toEqual(["config_load floatgw", "floatgw_restore_dhcp keep=[]"]);
  });

  it("at start keeps the dhcp sections of the interfaces of enabled vips with dhcp '1'", () => {
    expect(calls({ ENABLED: "1", SECTIONS_IFACE: "lan=lan guest=guest dev=" }, "start_service").slice(0, 2))
      .toEqual(["config_load floatgw", "floatgw_restore_dhcp keep=[ lan guest]"]);
  });

  it("after a stop gives back whatever the stop hooks did not", () => {
    expect(calls({}, "PIDFILE=/nonexistent; service_stopped")).toEqual(["floatgw_restore_dhcp keep=[]"]);
  });

  it("reloads on floatgw config changes and on each vip interface's events", () => {
    expect(calls({ SECTIONS_IFACE: "lan=lan guest=guest dev=" }, "service_triggers")).toEqual([
      "procd_add_reload_trigger floatgw",
      "config_load floatgw",
      "procd_add_interface_trigger interface.* lan /etc/init.d/floatgw reload",
      "procd_add_interface_trigger interface.* guest /etc/init.d/floatgw reload",
    ]);
  });

  it("reload sends SIGHUP when enabled, and stops the service when disabled", () => {
    expect(calls({ ENABLED: "1" }, "reload_service")).toEqual(["config_load floatgw", "start", "procd_send_signal floatgw * HUP"]);
    expect(calls({ ENABLED: "0" }, "reload_service")).toEqual(["config_load floatgw", "stop"]);
  });

  it("ships a default configuration that is valid and disabled", () => {
    const r = run([join(ROOT, "build/x86_64/floatgwd"), "check", join(ROOT, "files/etc/config/floatgw")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("floatgw is disabled");
  });
});
