// keepalived's `include` patterns, expanded as glibc's glob(3) does with
// GLOB_BRACE | GLOB_MARK: csh braces first ("{a,b}" globs a, then b), then
// `*`, `?` and `[...]` per path component, each expansion sorted by name. A
// leading `.` is matched only explicitly, and `\` quotes the next character.
// Relative patterns are relative to the directory of the including file
// (keepalived changes into it before it globs).

import { type FileSystemView, joinPath } from "./files";

export interface GlobMatch {
  readonly path: string;
  /** keepalived skips directories ("is a directory - skipping"). */
  readonly isDir: boolean;
}

/** The index of the `}` closing the `{` at `open`, or -1. */
function closingBrace(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** The top-level comma-separated alternatives between `from` and `to` (exclusive). */
function alternatives(p: string, from: number, to: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = p[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(p.slice(start, i));
      start = i + 1;
    }
  }
  out.push(p.slice(start, to));
  return out;
}

/** "{foo/{,cat,dog},bar}" -> ["foo/", "foo/cat", "foo/dog", "bar"]; an unclosed brace is literal. */
export function expandBraces(pattern: string): string[] {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c !== "{") continue;
    const close = closingBrace(pattern, i);
    if (close < 0) return [pattern];
    const head = pattern.slice(0, i);
    const tail = pattern.slice(close + 1);
    const out: string[] = [];
    for (const alt of alternatives(pattern, i + 1, close)) out.push(...expandBraces(head + alt + tail));
    return out;
  }
  return [pattern];
}

function hasMagic(component: string): boolean {
  for (let i = 0; i < component.length; i++) {
    const c = component[i];
    if (c === "\\") i++;
    else if (c === "*" || c === "?" || c === "[") return true;
  }
  return false;
}

function unescape(component: string): string {
  return component.replace(/\\(.)/g, "$1");
}

/** The character at p[j] (a backslash quotes the next one) and the index after it. */
function charAt(p: string, j: number): [string, number] {
  return p[j] === "\\" && j + 1 < p.length ? [p[j + 1] ?? "", j + 2] : [p[j] ?? "", j + 1];
}

/** A bracket expression at p[i] ('['): the index after it and whether `ch` is in it, or null if unclosed. */
function bracket(p: string, i: number, ch: string): { next: number; matched: boolean } | null {
  let j = i + 1;
  const negate = p[j] === "!" || p[j] === "^";
  if (negate) j++;
  let matched = false;
  let first = true;
  while (j < p.length) {
    if (p[j] === "]" && !first) return { next: j + 1, matched: matched !== negate };
    first = false;
    const [lo, afterLo] = charAt(p, j);
    if (p[afterLo] === "-" && afterLo + 1 < p.length && p[afterLo + 1] !== "]") {
      const [hi, afterHi] = charAt(p, afterLo + 1);
      if (ch >= lo && ch <= hi) matched = true;
      j = afterHi;
    } else {
      if (ch === lo) matched = true;
      j = afterLo;
    }
  }
  return null;
}

/** fnmatch(3) with FNM_PERIOD for one path component. */
export function matchComponent(pattern: string, name: string): boolean {
  if (name.startsWith(".") && !pattern.startsWith(".") && !pattern.startsWith("\\.")) return false;
  return matchFrom(pattern, 0, name, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi];
    if (c === "*") {
      while (p[pi] === "*") pi++;
      if (pi === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchFrom(p, pi, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === "?") {
      pi++;
      si++;
      continue;
    }
    if (c === "[") {
      const b = bracket(p, pi, s[si] ?? "");
      if (b !== null) {
        if (!b.matched) return false;
        pi = b.next;
        si++;
        continue;
      }
      // An unclosed '[' is an ordinary character.
    }
    let literal = c;
    if (c === "\\" && pi + 1 < p.length) literal = p[++pi];
    if (literal !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One brace-free pattern: every existing path it matches, sorted. */
function globOne(pattern: string, cwd: string, fs: FileSystemView): GlobMatch[] {
  const absolute = pattern.startsWith("/");
  const components = pattern.split("/").filter((c) => c !== "");
  const trailingSlash = pattern.endsWith("/");
  // Paths found so far, as the user would write them (relative stays relative).
  let found: string[] = [absolute ? "/" : ""];
  for (const component of components) {
    const next: string[] = [];
    for (const base of found) {
      const dir = base === "" ? cwd : joinPath(cwd, base);
      if (!hasMagic(component)) {
        next.push(base === "" ? unescape(component) : joinPath(base, unescape(component)));
        continue;
      }
      const names = fs.listDir(dir);
      if (names === null) continue;
      for (const name of names.slice().sort(byName))
        if (matchComponent(component, name)) next.push(base === "" ? name : joinPath(base, name));
    }
    found = next;
  }
  const matches: GlobMatch[] = [];
  for (const path of found) {
    const full = joinPath(cwd, path === "" ? "." : path);
    const kind = fs.kind(full);
    if (kind === null || (trailingSlash && kind !== "dir")) continue;
    matches.push({ path: full, isDir: kind === "dir" });
  }
  return matches;
}

/** Every path an include pattern names, in keepalived's order. */
export function globPaths(pattern: string, cwd: string, fs: FileSystemView): GlobMatch[] {
  if (pattern === "") return [];
  const out: GlobMatch[] = [];
  for (const p of expandBraces(pattern)) out.push(...globOne(p, cwd, fs));
  return out;
}
