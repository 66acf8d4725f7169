// The daemon never reads the help texts of src/config/schema.ts: they are
// for docs/configuration.md and the LuCI app, which take them from the
// source. The bundle gets schema.ts with each `help:` literal emptied, which
// keeps some 16 KB of text out of every binary.

/** Index just past the string or template literal that starts at `at`, or -1. */
function literalEnd(s, at) {
  const quote = s[at];
  if (quote !== '"' && quote !== "'" && quote !== "`") return -1;
  let i = at + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") i += 2;
    else if (c === quote) return i + 1;
    else if (quote === "`" && c === "$" && s[i + 1] === "{") i = expressionEnd(s, i + 2);
    else i++;
  }
  return -1;
}

/** Index just past the `}` that closes a template's `${`, literals inside included. */
function expressionEnd(s, at) {
  let depth = 1;
  let i = at;
  while (i < s.length && depth > 0) {
    const c = s[i];
    if (c === '"' || c === "'" || c === "`") {
      const end = literalEnd(s, i);
      if (end < 0) return s.length;
      i = end;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") depth--;
    i++;
  }
  return i;
}

/** `source` with every `help: <literal>` made `help: ""`. */
export function withoutHelp(source) {
  const property = /\bhelp:\s*/g;
  let out = "";
  let copied = 0;
  for (let m = property.exec(source); m !== null; m = property.exec(source)) {
    const end = literalEnd(source, m.index + m[0].length);
    if (end < 0) continue;
    out += `${source.slice(copied, m.index)}help: ""`;
    copied = end;
    property.lastIndex = end;
  }
  return out + source.slice(copied);
}

/** The esbuild plugin that bundles schema.ts without its help. */
export const stripSchemaHelp = {
  name: "strip-schema-help",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]config[\\/]schema\.ts$/ }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      return { contents: withoutHelp(await readFile(args.path, "utf8")), loader: "ts" };
    });
  },
};
