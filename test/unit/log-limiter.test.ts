import { describe, expect, it } from "vitest";
import { LogLimiter } from "../../src/daemon/log-limiter";

describe("LogLimiter", () => {
  it("lets one line per reason through a window whatever the (spoofed) source in the message, then counts the rest", () => {
    const l = new LogLimiter(60_000);
    const lines = Array.from({ length: 1000 }, (_, i) => l.pass("ttl", `advert from 198.18.${i >> 8}.${i & 255} has TTL 64`, i))
      .filter((x) => x !== null);
    expect(lines).toEqual(["advert from 198.18.0.0 has TTL 64"]);
    expect(l.pass("vrid-mismatch", "another reason", 1000)).toBe("another reason");
    expect(l.pass("ttl", "advert from 198.18.9.9 has TTL 1", 60_000)).toBe("advert from 198.18.9.9 has TTL 1 (999 more of these since the last such line)");
    expect(l.pass("ttl", "again", 60_001)).toBeNull();
  });

  it("keeps a bounded number of reasons, and makes room once their windows are over", () => {
    const l = new LogLimiter(1000);
    const first = Array.from({ length: 10_000 }, (_, i) => l.pass(`reason ${i}`, `line ${i}`, 0)).filter((x) => x !== null);
    expect(first).toHaveLength(64);
    expect(l.pass("late", "late line", 500)).toBeNull();
    expect(l.pass("late", "late line", 1000)).toBe("late line");
  });
});
