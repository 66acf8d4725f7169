// The control API's validation: the one gate every request passes, from the
// control socket and from ubus alike.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ControlRequest, DEFAULT_SWITCHOVER_HOLD_S, parseRequest, requestBody } from "../../src/daemon/control-api";

const ok = (cmd: unknown, args: unknown, via: "control" | "ubus" = "control"): ControlRequest => {
  const r = parseRequest(cmd, args, via);
  if (!r.ok) throw new Error(r.error);
  return r.result;
};
const error = (cmd: unknown, args: unknown, via: "control" | "ubus" = "control"): string => {
  const r = parseRequest(cmd, args, via);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(r.result)}`);
  expect(r.kind).toBe("invalid");
  return r.error;
};

describe("switchover", () => {
  it("defaults to every instance and the default hold", () => {
    expect(ok("switchover", {})).toEqual({ cmd: "switchover", instance: null, holdS: DEFAULT_SWITCHOVER_HOLD_S });
    expect(ok("switchover", { instance: "lan", hold: 0 }, "ubus")).toEqual({ cmd: "switchover", instance: "lan", holdS: 0 });
    expect(ok("switchover", { hold: 86400 })).toMatchObject({ holdS: 86400 });
  });

  it("takes a hold only as whole seconds 0-86400", () => {
    expect(error("switchover", { hold: 86401 })).toBe("switchover: hold must be 0-86400 seconds, not 86401");
    expect(error("switchover", { hold: -1 })).toBe("switchover: hold must be 0-86400 seconds, not -1");
    expect(error("switchover", { hold: 1.5 })).toBe("switchover: argument 'hold' must be a whole number, not 1.5");
    expect(error("switchover", { hold: "30" })).toBe("switchover: argument 'hold' must be a whole number, not '30'");
    expect(error("switchover", { hold: true })).toBe("switchover: argument 'hold' must be a whole number, not true");
    // JSON has no NaN or Infinity: they arrive as null (the default) or as a number out of range.
    expect(error("switchover", { hold: Number.NaN })).toMatch(/whole number/);
    expect(error("switchover", { hold: Infinity })).toMatch(/whole number/);
    expect(error("switchover", { hold: 2 ** 60 })).toMatch(/whole number/);
  });

  it("refuses an empty or non-string instance and arguments it does not know", () => {
    expect(error("switchover", { instance: "" })).toBe("switchover: instance must not be empty");
    expect(error("switchover", { instance: 5 })).toBe("switchover: argument 'instance' must be a string, not 5");
    expect(error("switchover", { holdMs: 30000 })).toBe("switchover: unknown argument 'holdMs' (it takes instance, hold)");
  });

  it("accepts exactly the integers 0-86400 (fast-check)", () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean()), (hold) => {
      const r = parseRequest("switchover", { hold }, "ubus");
      expect(r.ok).toBe(typeof hold === "number" && Number.isInteger(hold) && hold >= 0 && hold <= 86400);
    }));
  });
});

describe("commands", () => {
  it("knows status and reload, without arguments", () => {
    expect(ok("status", {}, "ubus")).toEqual({ cmd: "status" });
    expect(ok("reload", {}, "ubus")).toEqual({ cmd: "reload" });
    expect(error("status", { verbose: true })).toBe("status: unknown argument 'verbose' (it takes none)");
  });

  it("takes the session id uhttpd adds to every call over ubus, and only over ubus", () => {
    const sid = { ubus_rpc_session: "0123456789abcdef0123456789abcdef" };
    expect(ok("status", sid, "ubus")).toEqual({ cmd: "status" });
    expect(ok("switchover", { ...sid, instance: "lan", hold: 5 }, "ubus")).toEqual({ cmd: "switchover", instance: "lan", holdS: 5 });
    expect(error("status", sid, "control")).toBe("status: unknown argument 'ubus_rpc_session' (it takes none)");
  });

  it("refuses unknown commands and arguments that are not an object", () => {
    expect(error("reboot", {})).toBe("unknown command 'reboot'");
    expect(error(undefined, {})).toBe("unknown command undefined");
    expect(error("toString", {})).toBe("unknown command 'toString'");
    expect(error("status", [])).toBe("status: arguments must be an object");
    expect(error("status", null)).toBe("status: arguments must be an object");
  });

  it("offers lease events on the control socket only", () => {
    expect(error("lease", { op: "add", mac: "02:00:00:00:00:01", ip: "198.18.0.50" }, "ubus")).toBe("unknown command 'lease'");
    expect(ok("lease", { op: "add", mac: "02:00:00:00:00:01", ip: "198.18.0.50", expires: 0 })).toEqual({
      cmd: "lease", op: "add", mac: "02:00:00:00:00:01", ip: "198.18.0.50", hostname: null, expires: 0,
    });
    expect(error("lease", { op: "renew", mac: "m", ip: "i" })).toBe("lease: op must be add or del, not 'renew'");
    expect(error("lease", { op: "add", mac: "m" })).toBe("lease: argument 'ip' is missing");
    expect(error("lease", { op: "add", mac: "m", ip: "i", expires: 2 ** 32 })).toBe("lease: expires must be epoch seconds, not 4294967296");
  });

  it("parses what requestBody writes, for every request", () => {
    const requests: ControlRequest[] = [
      { cmd: "status" },
      { cmd: "reload" },
      { cmd: "switchover", instance: null, holdS: 0 },
      { cmd: "switchover", instance: "wan", holdS: 600 },
      { cmd: "lease", op: "del", mac: "02:00:00:00:00:01", ip: "198.18.0.50", hostname: "pc", expires: null },
    ];
    for (const r of requests) {
      const { cmd, ...args } = JSON.parse(JSON.stringify(requestBody(r))) as Record<string, unknown>;
      expect(ok(cmd, args)).toEqual(r);
    }
  });
});
