import { describe, expect, it } from "vitest";
import { BOOL_SPELLINGS, parseBool } from "../../src/config/bool";

describe("parseBool", () => {
  it.each(["1", "on", "true", "yes", "enabled"])("'%s' is on", (t) => expect(parseBool(t)).toBe(true));
  it.each(["0", "off", "false", "no", "disabled"])("'%s' is off", (t) => expect(parseBool(t)).toBe(false));
  it.each(["", " 1", "2", "Yes", "TRUE", "-0", "00", "nopreempt"])("'%s' is refused", (t) => expect(parseBool(t)).toBeNull());

  it("lists the spellings for messages", () => {
    expect(BOOL_SPELLINGS).toBe("1/0, on/off, true/false, yes/no, enabled/disabled");
  });
});
