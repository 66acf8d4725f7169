// Bundles the binary's two programs, each into one ES module for qjsc:
// src/main.ts (the whole program) into build/floatgwd.js and src/cli.ts (the
// control client) into build/floatgw-cli.js. Engine modules ("std", "os")
// and the C module ("native") stay external: qjsc links them.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { stripSchemaHelp } from "./strip-help.mjs";

const [outdir = "build"] = process.argv.slice(2);
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  entryPoints: { floatgwd: "src/main.ts", "floatgw-cli": "src/cli.ts" },
  outdir,
  bundle: true,
  format: "esm",
  platform: "neutral",
  // es2020: es2022 keeps class static blocks, which QuickJS 2021 rejects.
  target: "es2020",
  external: ["std", "os", "native"],
  define: { FLOATGW_VERSION: JSON.stringify(version) },
  legalComments: "none",
  // QuickJS's directive: the bytecode keeps function names but neither line
  // numbers nor local variable names (31 KB less; docs/building.md).
  banner: { js: '"use strip";' },
  // The daemon never reads the schema's help texts (docs/building.md).
  plugins: [stripSchemaHelp],
  logLevel: "warning",
});
