// The bundle's schema.ts loses its help texts and nothing else.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/config/schema";
import { withoutHelp } from "../../scripts/strip-help.mjs";

describe("withoutHelp", () => {
  it("empties string and template literals, ${...} with quotes and backquotes inside included", () => {
    const src = 'a({ help: "x \\" y", n: 1 }); b({ help: `t ${f(`in ${"}"}`)} \\` u`, m: 2 }); c({ help: d.help });';
    expect(withoutHelp(src)).toBe('a({ help: "", n: 1 }); b({ help: "", m: 2 }); c({ help: d.help });');
  });

  it("leaves schema.ts the same but for the help", async () => {
    const source = readFileSync(new URL("../../src/config/schema.ts", import.meta.url), "utf8");
    const file = join(tmpdir(), `schema-${process.pid}.mjs`);
    writeFileSync(file, transformSync(withoutHelp(source), { loader: "ts", format: "esm" }).code);
    try {
      const stripped = (await import(file)) as typeof schema;
      const blank = (sections: readonly schema.SectionSpec[]) =>
        sections.map((s) => ({ ...s, help: "", options: s.options.map((o) => ({ ...o, help: "" })) }));
      expect(blank(stripped.SECTIONS)).toEqual(blank(schema.SECTIONS));
      expect(stripped.SECTIONS.flatMap((s) => [s.help, ...s.options.map((o) => o.help)]).filter((h) => h !== "")).toEqual([]);
      expect(stripped.KEEPALIVED_HINTS).toEqual(schema.KEEPALIVED_HINTS);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
