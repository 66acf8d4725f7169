// Writes the generated references: docs/configuration.md from the config
// schema (src/config/docs.ts) and docs/keepalived-keywords.md from the
// importer's keyword tables (src/import/keywords-doc.ts). The generators are
// TypeScript, so esbuild bundles each in memory first.
//   node scripts/gen-config-doc.mjs
import { build } from "esbuild";
import { writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
const DOCS = [
  ["src/config/docs.ts", "renderConfigReference", "docs/configuration.md"],
  ["src/import/keywords-doc.ts", "renderKeywordReference", "docs/keepalived-keywords.md"],
];
for (const [source, render, target] of DOCS) {
  const bundle = await build({
    entryPoints: [new URL(source, root).pathname],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2020",
    logLevel: "warning",
  });
  const code = bundle.outputFiles[0].text;
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  const out = new URL(target, root);
  writeFileSync(out, module[render]());
  console.log(`wrote ${out.pathname}`);
}
