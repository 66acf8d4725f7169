// keepalived's notify scripts: which run for a transition, and with what arguments.
import { describe, expect, it } from "vitest";
import type { NotifyCommands } from "../../src/config/notify";
import { notifyArgvs } from "../../src/integrations/notify";

const ALL: NotifyCommands = {
  master: ["/etc/floatgw/up.sh", "master"],
  backup: ["/etc/floatgw/up.sh", "backup"],
  fault: ["/etc/floatgw/down.sh"],
  stop: ["/etc/floatgw/stop.sh", "now"],
  any: ["/usr/bin/logger", "-t", "vrrp"],
};

describe("notifyArgvs", () => {
  it("runs the state's own script as written, then notify with INSTANCE name STATE priority", () => {
    expect(notifyArgvs(ALL, "INSTANCE", "lan", "master", 150)).toEqual([
      ["/etc/floatgw/up.sh", "master"],
      ["/usr/bin/logger", "-t", "vrrp", "INSTANCE", "lan", "MASTER", "150"],
    ]);
    expect(notifyArgvs(ALL, "INSTANCE", "lan", "fault", 150)).toEqual([
      ["/etc/floatgw/down.sh"],
      ["/usr/bin/logger", "-t", "vrrp", "INSTANCE", "lan", "FAULT", "150"],
    ]);
  });

  it("calls a stop STOP, and gives a group priority 0, as keepalived does", () => {
    expect(notifyArgvs(ALL, "INSTANCE", "wan", "init", 100)).toEqual([
      ["/etc/floatgw/stop.sh", "now"],
      ["/usr/bin/logger", "-t", "vrrp", "INSTANCE", "wan", "STOP", "100"],
    ]);
    expect(notifyArgvs(ALL, "GROUP", "router", "backup", 150)[1]).toEqual(["/usr/bin/logger", "-t", "vrrp", "GROUP", "router", "BACKUP", "0"]);
  });

  it("runs nothing that is not configured", () => {
    const none: NotifyCommands = { master: null, backup: null, fault: null, stop: null, any: null };
    expect(notifyArgvs(none, "INSTANCE", "lan", "master", 150)).toEqual([]);
    expect(notifyArgvs({ ...none, any: ["/bin/true"] }, "GROUP", "g", "fault", 0)).toEqual([["/bin/true", "GROUP", "g", "FAULT", "0"]]);
  });
});
