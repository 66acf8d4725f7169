// Writes docs/configuration.md from the config schema (src/config/docs.ts).
// The generator is TypeScript, so esbuild bundles it in memory first.
//   node scripts/gen-config-doc.mjs
import { build } from "esbuild";
import { writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
const bundle = await build({
  entryPoints: [new URL("src/config/docs.ts", root).pathname],
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  target: "es2020",
  logLevel: "warning",
});
const code = bundle.outputFiles[0].text;
const { renderConfigReference } = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
const out = new URL("docs/configuration.md", root);
writeFileSync(out, renderConfigReference());
console.log(`wrote ${out.pathname}`);
