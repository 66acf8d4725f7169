// Writes the LuCI class `floatgw.config` (luci-app/src/config.ts bundled for
// the browser): the config schema as data and the daemon's own validation,
// which luci-app-floatgw's forms build themselves from. Generated at build
// time, never committed, so a section type or option added to
// src/config/schema.ts reaches the form without anyone editing it.
//   node scripts/gen-luci-config.mjs OUTFILE
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const [outfile] = process.argv.slice(2);
if (!outfile) throw new Error("usage: gen-luci-config.mjs OUTFILE");
const bundle = await build({
  entryPoints: [new URL("../luci-app/src/config.ts", import.meta.url).pathname],
  bundle: true,
  write: false,
  format: "iife",
  globalName: "floatgwConfig",
  platform: "neutral",
  // What LuCI itself asks of a browser (ES2017: async, Object.entries).
  target: "es2017",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
// LuCI loads a class by running the file as a function body after its
// 'require' lines, and takes the class it returns.
const text = `'use strict';
'require baseclass';
// Generated from floatgw's src/config/ by scripts/gen-luci-config.mjs: do not edit.
${bundle.outputFiles[0].text}
return baseclass.extend(floatgwConfig);
`;
mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(outfile, text);
