// docs/vrrp-core.md carries the state table rendered from TRANSITIONS
// (h11 draws its diagrams from its transition data); this keeps them equal.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TRANSITIONS } from "../../src/core/index";

function transitionTable(): string {
  const rows = Object.entries(TRANSITIONS).map(
    ([id, t]) => `| \`${id}\` | ${t.from.join(", ")} | ${t.to} | ${t.on} | ${t.ref} |`,
  );
  return ["| edge | from | to | on | rule |", "|---|---|---|---|---|", ...rows].join("\n");
}

describe("docs/vrrp-core.md", () => {
  it("contains the transition table generated from src/core/state.ts", () => {
    const doc = readFileSync(join(__dirname, "../../docs/vrrp-core.md"), "utf8");
    expect(doc).toContain(transitionTable());
  });
});
