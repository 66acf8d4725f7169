// The control client hands a command to the daemon or the tools through one
// global holding a JSON string: src/native/main.c copies that string from
// the client's engine to the fresh one the tools run in, so nothing but a
// string may cross.
import { afterEach, describe, expect, it } from "vitest";
import { handOver, handedOver } from "../../src/cli/handoff";

/** The name src/native/main.c reads and sets (INVOCATION_GLOBAL there). */
const GLOBAL = "floatgwInvocation";
const globals = globalThis as unknown as Record<string, unknown>;

afterEach(() => {
  delete globals[GLOBAL];
});

describe("hand-over between the binary's programs", () => {
  it("leaves the parsed command line as a JSON string in the global main.c copies", () => {
    handOver({ command: "run", opts: new Map([["--config", "/etc/config/floatgw"], ["--run-dir", "/var/run/floatgw"]]), rest: [] });
    expect(typeof globals[GLOBAL]).toBe("string");
    expect(JSON.parse(globals[GLOBAL] as string)).toEqual({
      command: "run", opts: [["--config", "/etc/config/floatgw"], ["--run-dir", "/var/run/floatgw"]], rest: [],
    });
  });

  it("gives the tools the command line from that string alone, in its own engine", () => {
    handOver({ command: "check", opts: new Map([["--json", ""]]), rest: ["/tmp/a b'c\"\u00e9"] });
    const text = globals[GLOBAL] as string;
    // What main.c does: the client's engine goes, the string alone is set again.
    delete globals[GLOBAL];
    expect(handedOver()).toBeUndefined();
    globals[GLOBAL] = text;
    const got = handedOver();
    expect(got?.command).toBe("check");
    expect([...(got?.opts ?? [])]).toEqual([["--json", ""]]);
    expect(got?.rest).toEqual(["/tmp/a b'c\"\u00e9"]);
  });
});
