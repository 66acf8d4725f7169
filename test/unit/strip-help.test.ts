// The bundle's schema.ts loses its help texts and nothing else; the
// importer loses its keyword summaries, and keeps its report notes.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/config/schema";
import { withoutHelp, withoutSummaries } from "../../scripts/strip-help.mjs";
import * as importModule from "../../src/import/import";
import * as docModule from "../../src/import/keywords-doc";
import { diskFs } from "./import-helpers";

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

describe("withoutSummaries", () => {
  it("empties the summaries of mapped() and rule(), not the notes of unsupported() and different()", () => {
    const src = 'a: mapped("`x` (y)", h), b: mapped<C>(`t ${v}`, h), c: rule("different", "s", h), d: unsupported("note"), e: different("n"), f: rule(s, "k", h);';
    expect(withoutSummaries(src)).toBe('a: mapped("", h), b: mapped<C>("", h), c: rule("different", "", h), d: unsupported("note"), e: different("n"), f: rule(s, "k", h);');
  });

  it("leaves the import's result and report as they were, and the summaries shorter", async () => {
    const { build } = await import("esbuild");
    const { stripSchemaHelp } = await import("../../scripts/strip-help.mjs");
    const file = join(tmpdir(), `import-${process.pid}.mjs`);
    const entry = join(tmpdir(), `import-entry-${process.pid}.ts`);
    const src = (p: string) => new URL(`../../src/import/${p}`, import.meta.url).pathname;
    writeFileSync(entry, `export { importKeepalived } from ${JSON.stringify(src("import.ts"))};\nexport { renderKeywordReference } from ${JSON.stringify(src("keywords-doc.ts"))};\n`);
    await build({ entryPoints: [entry], outfile: file, bundle: true, format: "esm", platform: "node", plugins: [stripSchemaHelp], logLevel: "silent" });
    try {
      const stripped = (await import(file)) as typeof importModule & typeof docModule;
      for (const [fixture, id] of [["routers/keepalived.conf", "gw_a"], ["nginx/a.conf", null], ["openwrt/keepalived", null]] as const) {
        const path = new URL(`../fixtures/keepalived-import/${fixture}`, import.meta.url).pathname;
        const options = { configId: id, outputName: "floatgw" };
        expect(stripped.importKeepalived(path, diskFs, options)).toEqual(importModule.importKeepalived(path, diskFs, options));
      }
      expect(stripped.renderKeywordReference().length).toBeLessThan(docModule.renderKeywordReference().length - 3000);
    } finally {
      rmSync(file, { force: true });
      rmSync(entry, { force: true });
    }
  });
});
