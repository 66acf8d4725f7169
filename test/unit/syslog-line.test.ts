// floatgwd's syslog lines (src/daemon/syslog-line.ts): RFC 3164 as OpenWrt's
// logd reads them. logd takes <PRI> for facility and severity, then drops
// the first 16 characters when the 16th is a space (the time stamp), and
// logread prints what is left after its own time and daemon.<severity>.
import { describe, expect, it } from "vitest";
import { syslogLine } from "../../src/daemon/syslog-line";

const at = (iso: string) => new Date(iso);

describe("syslogLine", () => {
  it("gives each level its severity under facility daemon (3): err 3, warning 4, info 6, debug 7", () => {
    const time = at("2026-11-29T17:05:01");
    expect(syslogLine("error", "x", 1, time)).toMatch(/^<27>/);
    expect(syslogLine("warn", "x", 1, time)).toMatch(/^<28>/);
    expect(syslogLine("info", "x", 1, time)).toMatch(/^<30>/);
    expect(syslogLine("debug", "x", 1, time)).toMatch(/^<31>/);
  });

  it("is <PRI>, a 15-character time stamp and one floatgwd[pid] tag before the text", () => {
    expect(syslogLine("warn", "[br-lan] vrid 51 lan: backup -> master: x", 4242, at("2026-11-29T17:05:01")))
      .toBe("<28>Nov 29 17:05:01 floatgwd[4242]: [br-lan] vrid 51 lan: backup -> master: x");
  });

  it("pads a one-digit day with a space and the time with zeros, so logd finds the stamp", () => {
    const line = syslogLine("info", "running", 7, at("2027-01-02T03:04:05"));
    expect(line).toBe("<30>Jan  2 03:04:05 floatgwd[7]: running");
    // What logd keeps after the <PRI>: the 16th character is the space it cuts at.
    const afterPri = line.replace(/^<\d+>/, "");
    expect(afterPri[15]).toBe(" ");
    expect(afterPri.slice(16)).toBe("floatgwd[7]: running");
  });
});
