// The daemon never reads the help texts of src/config/schema.ts: they are
// for docs/configuration.md and the LuCI app, which take them from the
// source. The bundle gets schema.ts with each `help:` literal emptied, which
// keeps some 16 KB of text out of every binary. Likewise the importer's
// keyword summaries, which only docs/keepalived-keywords.md shows.

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

/** `source` with the literal after each match of `prefix` (a global regexp) made "". */
function emptyLiterals(source, prefix) {
  let out = "";
  let copied = 0;
  for (let m = prefix.exec(source); m !== null; m = prefix.exec(source)) {
    const at = m.index + m[0].length;
    const end = literalEnd(source, at);
    if (end < 0) continue;
    out += `${source.slice(copied, at)}""`;
    copied = end;
    prefix.lastIndex = end;
  }
  return out + source.slice(copied);
}

/** `source` with every `help: <literal>` made `help: ""`. */
export function withoutHelp(source) {
  return emptyLiterals(source, /\bhelp:\s*/g);
}

/** An importer source (src/import/) with the keyword tables' summaries
 * emptied: the first argument of `mapped(` and the second of `rule("status",`
 * are read only by docs/keepalived-keywords.md's generator. (`unsupported(`
 * and `different(` keep theirs: it is also the report's note.) */
export function withoutSummaries(source) {
  return emptyLiterals(source, /\bmapped(?:<\w+>)?\(\s*|\brule(?:<\w+>)?\(\s*"(?:mapped|different|unsupported)",\s*/g);
}

/** The esbuild plugin that bundles schema.ts without its help and the importer without its summaries. */
export const stripSchemaHelp = {
  name: "strip-schema-help",
  setup(build) {
    const read = async (path) => (await import("node:fs/promises")).readFile(path, "utf8");
    build.onLoad({ filter: /[\\/]src[\\/]config[\\/]schema\.ts$/ }, async (args) => ({ contents: withoutHelp(await read(args.path)), loader: "ts" }));
    build.onLoad({ filter: /[\\/]src[\\/]import[\\/][^\\/]+\.ts$/ }, async (args) => ({ contents: withoutSummaries(await read(args.path)), loader: "ts" }));
  },
};
