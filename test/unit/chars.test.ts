// The character-class loops agree with the regular expressions they replace.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDigits, isHexDigits, isWord } from "../../src/core/chars";

const text = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFgxyzGXYZ_-./: \t\u00e9\u0660"), maxLength: 12 });

describe("character classes", () => {
  it("match their regular expressions on any text", () => {
    fc.assert(fc.property(text, (t) => {
      expect(isDigits(t, 1, 3)).toBe(/^[0-9]{1,3}$/.test(t));
      expect(isDigits(t, 0, 0)).toBe(t === "");
      expect(isHexDigits(t, 1, 4)).toBe(/^[0-9a-fA-F]{1,4}$/.test(t));
      expect(isWord(t)).toBe(/^[A-Za-z0-9_]+$/.test(t));
      expect(isWord(t, "-")).toBe(/^[A-Za-z0-9_-]+$/.test(t));
    }), { numRuns: 5000 });
  });
});
