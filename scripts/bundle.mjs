// Bundles the binary's three programs, each into one ES module for qjsc:
// src/cli.ts (the control client) into build/floatgw-cli.js, src/main.ts (the
// daemon) into build/floatgwd.js and src/tools.ts (check, import-keepalived,
// selftest, decode) into build/floatgw-tools.js. Each holds all the code it
// runs, the code they share too: src/native/main.c loads one of the last two
// (docs/building.md). Engine modules ("std", "os") and the C module
// ("native") stay external: qjsc links them.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { stripSchemaHelp } from "./strip-help.mjs";

const [outdir = "build"] = process.argv.slice(2);
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  entryPoints: { "floatgw-cli": "src/cli.ts", floatgwd: "src/main.ts", "floatgw-tools": "src/tools.ts" },
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
