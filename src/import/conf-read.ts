// Reads a keepalived.conf and everything it includes into logical lines, as
// keepalived's read_line() (lib/parser.c) produces them, each with the file
// and line it came from. Per physical line, in keepalived's order:
//
// 1. Line ends and comments go (conf-text.ts decomment); empty lines are skipped.
// 2. `@ID line` keeps the line only on the router whose config id is ID,
//    `@^ID line` only elsewhere (keepalived -i, default: the host name).
// 3. `$NAME=VALUE` defines a parameter (a value ending in `\` goes on over
//    the next lines); `$NAME` (before a blank, `,`, `)` or the end) and
//    `${NAME}` are replaced, again inside the replacement. `${_PWD}`,
//    `${_INSTANCE}`, `${_HASH}` and `${_BANG}` are predefined.
// 4. `include PATTERN` (and includer/includem/includew/includeb/includea)
//    reads the files the glob names, in place (glob.ts).
// 5. `{` and `}` outside double quotes become lines of their own.
//
// Not supported, reported with their line: ~SEQ and ~LST blocks, and the
// ${_RANDOM} and ${_ENV} definitions (their value is not in the file).

import { type Entry, type Origin, entry } from "./entry";
import { type FileSystemView, dirName } from "./files";
import { decomment } from "./conf-text";
import { globPaths } from "./glob";

export interface LogicalLine {
  readonly text: string;
  readonly at: Origin;
}

export interface ReadResult {
  readonly lines: readonly LogicalLine[];
  /** Every file read, the main one first. */
  readonly files: readonly string[];
  readonly entries: readonly Entry[];
  /** Lines left out because their `@ID` names another router. */
  readonly otherRouterLines: number;
}

/** keepalived's MAXBUF: longer lines are ignored ("line too long"). */
const MAX_LINE = 1023;
/** keepalived has no limit; a file that includes itself would never end. */
const MAX_INCLUDE_DEPTH = 32;
/** Replacements in one line before we call it a loop ($A=$B, $B=$A). */
const MAX_SUBSTITUTIONS = 100;

const INCLUDE = /^include[rmwba]?[ \t]/;
const DEFINITION = /^\$([A-Za-z_][A-Za-z0-9_]*)=[ \t]*(.*)$/;
const UNSUPPORTED_PREDEFINED = ["_RANDOM", "_ENV"];

interface Definition {
  /** Lines of a multi-line definition joined with "\n". */
  value: string;
  multiline: boolean;
}

/** Where a `$NAME` or `${NAME ...}` reference starting at text[at] ('$') ends, and its name. */
function reference(text: string, at: number): { name: string; end: number; params: string } | null {
  const braces = text[at + 1] === "{";
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at + (braces ? 2 : 1)));
  if (m === null) return null;
  const name = m[0];
  let end = at + (braces ? 2 : 1) + name.length;
  if (!braces) {
    const next = text[end];
    return next === undefined || " \t,)".includes(next) ? { name, end, params: "" } : null;
  }
  const params = /^(?:[ \t]+[A-Za-z0-9_]+)*/.exec(text.slice(end))?.[0] ?? "";
  end += params.length;
  if (text[end] !== "}") return null;
  return { name, end: end + 1, params: params.trim() };
}

class ConfReader {
  readonly lines: LogicalLine[] = [];
  readonly files: string[] = [];
  readonly entries: Entry[] = [];
  otherRouterLines = 0;
  private readonly definitions = new Map<string, Definition>();
  /** The multi-line definition being read, if any. */
  private openDefinition: Definition | null = null;

  constructor(
    private readonly fs: FileSystemView,
    private readonly configId: string | null,
  ) {}

  readFile(path: string, text: string, depth: number, originOf?: (line: number) => Origin): void {
    this.files.push(path);
    const cwd = dirName(path);
    const physical = text.split("\n");
    for (let i = 0; i < physical.length; i++) {
      const at = originOf !== undefined ? originOf(i + 1) : { file: path, line: i + 1 };
      const raw = (physical[i] ?? "").replace(/[\r\n]+$/, "");
      if (raw.length > MAX_LINE) {
        this.entries.push(entry("error", at, "a line longer than 1023 characters", { note: "keepalived ignores such a line ('line too long')" }));
        continue;
      }
      if (raw === "") {
        this.openDefinition = null;
        continue;
      }
      const d = decomment(raw);
      if (d.unterminatedQuote)
        this.entries.push(entry("error", at, d.text, { note: "unterminated double quote (keepalived: 'Unterminated quote')" }));
      if (d.text === "") continue;
      if (this.openDefinition !== null) {
        this.continueDefinition(this.openDefinition, d.text);
        continue;
      }
      this.logical(d.text, at, cwd, depth);
    }
    this.openDefinition = null;
  }

  private continueDefinition(def: Definition, text: string): void {
    const more = text.endsWith("\\");
    const body = more ? text.slice(0, -1).replace(/[ \t]+$/, "") : text;
    if (body !== "") def.value = def.value === "" ? body : `${def.value}\n${body}`;
    if (!more) this.openDefinition = null;
  }

  /** One line after decomment(): conditionals, definitions, includes, braces. */
  private logical(input: string, at: Origin, cwd: string, depth: number): void {
    let text = input;
    if (text.startsWith("@")) {
      const negate = text[1] === "^";
      const blank = text.search(/[ \t]/);
      if (blank < 0) return;
      const id = text.slice(negate ? 2 : 1, blank);
      if ((this.configId !== null && id === this.configId) === negate) {
        this.otherRouterLines++;
        return;
      }
      text = text.slice(blank).replace(/^[ \t]+/, "");
    }
    const def = DEFINITION.exec(text);
    if (def !== null) {
      this.define(def[1] ?? "", def[2] ?? "");
      return;
    }
    if (text.startsWith("~SEQ") || text.startsWith("~LST")) {
      this.entries.push(entry("error", at, text, { note: "~SEQ and ~LST blocks are not supported by the importer: write the lines out" }));
      return;
    }
    const expanded = text.startsWith("~") || !text.includes("$") ? [text] : this.substitute(text, at, cwd);
    const [first = "", ...rest] = expanded;
    const line = expanded.length === 1 && expanded[0] === text ? text : decomment(first).text;
    if (line !== "") {
      if (INCLUDE.test(line)) this.include(line, at, cwd, depth);
      else this.splitBraces(line, at, cwd, depth);
    }
    for (const r of rest) this.logical(r, at, cwd, depth);
  }

  private define(name: string, value: string): void {
    const multiline = value.endsWith("\\");
    const body = multiline ? value.slice(0, -1).replace(/[ \t]+$/, "") : value;
    const def: Definition = { value: body, multiline };
    this.definitions.set(name, def);
    this.openDefinition = multiline ? def : null;
  }

  private predefined(name: string, cwd: string): string | null {
    switch (name) {
      case "_PWD":
        return cwd;
      case "_INSTANCE":
        return this.configId ?? "";
      case "_HASH":
        return "#";
      case "_BANG":
        return "!";
      default:
        return null;
    }
  }

  /** The line with every known parameter replaced; more than one line when a multi-line definition ends it. */
  private substitute(input: string, at: Origin, cwd: string): string[] {
    let text = input;
    let pos = 0;
    let count = 0;
    let following: string[] = [];
    for (;;) {
      const dollar = text.indexOf("$", pos);
      if (dollar < 0 || dollar + 1 >= text.length) break;
      const ref = reference(text, dollar);
      const def = ref === null ? undefined : this.definitions.get(ref.name);
      const predefined = ref === null || def !== undefined ? null : this.predefined(ref.name, cwd);
      if (ref !== null && def === undefined && predefined === null && UNSUPPORTED_PREDEFINED.includes(ref.name))
        this.entries.push(entry("error", at, text, { note: `\${${ref.name}} is not supported by the importer: write its value` }));
      // A multi-line definition only replaces a reference that ends the line.
      const usable = ref !== null && (def !== undefined ? ref.params === "" && (!def.multiline || ref.end === text.length) : predefined !== null && ref.params === "");
      if (!usable || ref === null) {
        pos = dollar + 1;
        continue;
      }
      if (++count > MAX_SUBSTITUTIONS) {
        this.entries.push(entry("error", at, input, { note: "parameter substitution does not end (a definition refers to itself?)" }));
        break;
      }
      const value = def !== undefined ? def.value : (predefined ?? "");
      const [firstLine = "", ...more] = value.split("\n");
      if (more.length > 0) following = [...more, ...following];
      text = text.slice(0, dollar) + firstLine + text.slice(ref.end);
      if (firstLine.replace(/^[ \t]+/, "").startsWith("~")) break;
      pos = dollar;
    }
    return [text, ...following];
  }

  private include(line: string, at: Origin, cwd: string, depth: number): void {
    const pattern = line.slice(line.search(/[ \t]/)).replace(/^[ \t]+/, "");
    if (depth >= MAX_INCLUDE_DEPTH) {
      this.entries.push(entry("error", at, line, { note: `includes nest deeper than ${MAX_INCLUDE_DEPTH} levels (a file includes itself?)` }));
      return;
    }
    const matches = globPaths(pattern, cwd, this.fs);
    if (matches.length === 0)
      this.entries.push(entry("different", at, line, { note: "matches no file: nothing is included (keepalived goes on without it too)" }));
    for (const m of matches) {
      if (m.isDir) {
        this.entries.push(entry("different", at, line, { note: `${m.path} is a directory: skipped, as keepalived skips it` }));
        continue;
      }
      const text = this.fs.readText(m.path);
      if (text === null) this.entries.push(entry("error", at, line, { note: `${m.path} cannot be read` }));
      else this.readFile(m.path, text, depth + 1);
    }
  }

  /** The first `{` or `}` outside double quotes starts a line of its own; the rest is read again. */
  private splitBraces(text: string, at: Origin, cwd: string, depth: number): void {
    let brace = -1;
    if (text[0] === "{" || text[0] === "}") brace = 0;
    else {
      let quoted = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '"') quoted = !quoted;
        else if (!quoted && (c === "{" || c === "}")) {
          brace = i;
          break;
        }
      }
      if (quoted) brace = -1;
    }
    if (brace < 0) {
      this.lines.push({ text, at });
      return;
    }
    const head = brace === 0 ? text.slice(0, 1) : text.slice(0, brace).replace(/[ \t]+$/, "");
    const rest = (brace === 0 ? text.slice(1) : text.slice(brace)).replace(/^[ \t]+/, "").replace(/[ \t]+$/, "");
    this.lines.push({ text: head, at });
    if (rest !== "") this.logical(rest, at, cwd, depth);
  }
}

export interface ReadOptions {
  /** keepalived's config id (-i), for `@ID` lines; null matches no `@ID`. */
  readonly configId: string | null;
}

/** Reads `path` and its includes. A main file that cannot be read is an error entry. */
export function readConfFile(path: string, fs: FileSystemView, options: ReadOptions): ReadResult {
  const reader = new ConfReader(fs, options.configId);
  const text = fs.readText(path);
  if (text === null) reader.entries.push(entry("error", { file: path, line: 0 }, path, { note: "cannot be read" }));
  else reader.readFile(path, text, 0);
  return reader;
}

/** Reads keepalived.conf text that is not in a file (what the UCI front-end generates), with the origin of each line. */
export function readConfText(name: string, text: string, originOf: (line: number) => Origin, fs: FileSystemView): ReadResult {
  const reader = new ConfReader(fs, null);
  reader.readFile(name, text, 0, originOf);
  return reader;
}
