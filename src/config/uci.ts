// Reads the UCI file format (/etc/config/<package>) without libuci, so the
// daemon and `floatgw check` see exactly what `uci show` would see. It
// follows libuci's file parser (openwrt/uci file.c) in strict mode, the mode
// the uci CLI uses:
//
// - A line holds commands: `package`, `config`, `option`, `list`, or their
//   one-letter forms `p`, `c`, `o`, `l`. `;` ends a command early, so several
//   can share a line; `#` outside quotes comments out the rest of the line.
// - An argument is a run of unquoted, 'single-quoted' and "double-quoted"
//   pieces glued together (`a'b'"c"` is `abc`). A backslash outside single
//   quotes takes the next character literally (there are no `\n`-style
//   escapes); a backslash at the end of a line joins the next line. Quoted
//   text may span lines and keeps its newlines.
// - An empty argument counts as a missing one: `config vip ''` is anonymous
//   and `option x ''` deletes x.
// - Repeating `config <type> '<name>'` reopens that section (a different
//   type is an error); `option` replaces a value in place; `list` appends,
//   turning an earlier `option` of the same name into the list's first item.
// - Anonymous sections are addressed as `@type[N]` (N counts sections of that
//   type from 0) and get libuci's id `cfgNNHHHH`: NN is the section's 1-based
//   position in the file, HHHH the low 16 bits of the DJB hash of its type.
//
// Unlike libuci it does not stop at the first error: it reports every bad
// line (with its number) and returns them instead of throwing.

import { isPrintableAscii, isWord } from "../core/chars";

export interface UciOption {
  readonly name: string;
  /** Written with `list` (even once) rather than `option`. */
  readonly isList: boolean;
  /** One item for an `option`, every item in order for a `list`. */
  readonly values: readonly string[];
  /** The line each item was set on, parallel to `values`. */
  readonly lines: readonly number[];
}

export interface UciSection {
  readonly type: string;
  /** The name given in the file, or the generated `cfgNNHHHH` id. */
  readonly name: string;
  readonly anonymous: boolean;
  /** How `uci show` names it: the name, or `@type[N]` when anonymous. */
  readonly ref: string;
  /** Line of the section's first `config` command. */
  readonly line: number;
  readonly options: readonly UciOption[];
}

export interface UciPackage {
  /** From a `package` command, if the file has one. */
  readonly name: string | null;
  readonly sections: readonly UciSection[];
}

export interface UciError {
  readonly line: number;
  readonly message: string;
}

export type UciParseResult =
  | { readonly ok: true; readonly package: UciPackage }
  | { readonly ok: false; readonly errors: readonly UciError[] };

// Character codes. The scanner works on charCodeAt and slices: in QuickJS
// indexing a string makes a new one-character string every time, which made
// a 10^5-line file take seconds (docs/robustness.md).
const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const SEMI = 59;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKSLASH = 92;
/** Past the end of the text. */
const END = -1;

// What UciParser.simpleLine reads. Blanks are C isspace() but the newline;
// a bare argument stops at a blank and has none of ' " \ ; #; a quoted one
// holds at least one character. The first argument, when it is a bare
// identifier (nearly always), has a group of its own: it needs no check.
const BLANK = "[\\t\\v\\f\\r ]";
const QUOTED = "'([^'\\n]+)'";
const BARE = "([^\\t\\n\\v\\f\\r '\"\\\\;#]+)";
const SIMPLE_LINE = new RegExp(
  `^${BLANK}*([a-z]+)${BLANK}+(?:${QUOTED}|([A-Za-z0-9_]+)(?=${BLANK}|$)|${BARE})(?:${BLANK}+(?:${QUOTED}|${BARE}))?${BLANK}*$`,
);
const BLANK_LINE = new RegExp(`^${BLANK}*$`);

/** C isspace() in the "C" locale (space, \t \n \v \f \r); libuci splits arguments on it. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

/** libuci list.c djbhash over an ASCII type name, as a 32-bit unsigned sum. */
function djbHash(text: string): number {
  let hash = 5381;
  for (let i = 0; i < text.length; i++) hash = (((hash << 5) >>> 0) + hash + text.charCodeAt(i)) >>> 0;
  return hash & 0x7fffffff;
}

function hex(n: number, width: number): string {
  const s = n.toString(16);
  return s.length >= width ? s : "0".repeat(width - s.length) + s;
}

/** The id libuci gives the anonymous section at 1-based `position` in the file. */
export function anonymousSectionId(position: number, type: string): string {
  return `cfg${hex(position, 2)}${hex(djbHash(type) % 0x10000, 4)}`;
}

interface MutableOption {
  name: string;
  isList: boolean;
  values: string[];
  lines: number[];
}

interface MutableSection {
  type: string;
  name: string;
  anonymous: boolean;
  ref: string;
  line: number;
  options: MutableOption[];
}

/** One argument: its text ("" when absent) and whether it ended by eating a `;`. */
interface Arg {
  readonly text: string;
  readonly line: number;
  readonly ateSemicolon: boolean;
}

/** Thrown inside the parser only, to abandon the current line; never escapes parseUci. */
class LineError {
  constructor(
    readonly line: number,
    readonly message: string,
  ) {}
}

class UciParser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];
  readonly errors: UciError[] = [];
  packageName: string | null = null;
  readonly sections: MutableSection[] = [];
  private readonly named = new Map<string, MutableSection>();
  private current: MutableSection | null = null;
  private readonly typeCounts = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly simpleLines: boolean,
  ) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }

  /** The text before the item of the last line when it was `list name
   * 'item'`, and the option it added to (simpleLine). */
  private repeatedList: { readonly prefix: string; readonly option: MutableOption } | null = null;

  /** Index into lineStarts of the line last asked for: offsets mostly
   * grow, so lineAt walks from there. */
  private lineIndex = 0;

  /** 1-based line number of a text offset. */
  private lineAt(offset: number): number {
    const starts = this.lineStarts;
    let i = this.lineIndex;
    if ((starts[i] ?? 0) > offset) i = 0;
    while (i + 1 < starts.length && (starts[i + 1] ?? 0) <= offset) i++;
    this.lineIndex = i;
    return i + 1;
  }

  /** The code at `pos`, or END. */
  private cur(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : END;
  }

  /** The code `ahead` places past `pos`, or END. */
  private peek(ahead: number): number {
    const at = this.pos + ahead;
    return at < this.text.length ? this.text.charCodeAt(at) : END;
  }

  private skipToEndOfLine(): void {
    const nl = this.text.indexOf("\n", this.pos);
    this.pos = nl < 0 ? this.text.length : nl;
  }

  /** Past the newline ending the current line, or to the end of the text. */
  private nextLine(): void {
    this.skipToEndOfLine();
    if (this.pos < this.text.length) this.pos++;
  }

  /** Whitespace within the line: libuci only sees one line (plus joined ones) at a time. */
  private skipSpaceInLine(): void {
    const text = this.text;
    let i = this.pos;
    for (let c = text.charCodeAt(i); c !== NL && isSpace(c); c = text.charCodeAt(++i));
    this.pos = Math.min(i, text.length);
  }

  run(): void {
    const text = this.text;
    /** The line `pos` is on: one more after a simple line, looked up after any other. */
    let line = 1;
    while (this.pos < text.length) {
      const nl = text.indexOf("\n", this.pos);
      let simple = false;
      try {
        simple = this.simpleLines && this.simpleLine(this.pos, nl < 0 ? text.length : nl, line);
        if (!simple) this.parseLine();
      } catch (e) {
        if (!(e instanceof LineError)) throw e;
        this.errors.push({ line: e.line, message: e.message });
      }
      if (simple) {
        this.pos = nl < 0 ? text.length : nl + 1;
        line++;
      } else {
        this.nextLine();
        line = this.lineAt(this.pos);
      }
    }
  }

  /**
   * Nearly every line of a real file is blank or one command with one or
   * two arguments, each bare or in single quotes (inside which every
   * character is literal). Such a line is read here by one regular
   * expression, which runs in C: scanning it character by character in the
   * interpreter cost 5 µs a line, the match 2 µs. It means what the general
   * scanner would make of it. false (nothing read): parseLine reads the line.
   */
  private simpleLine(start: number, end: number, line: number): boolean {
    if (start === end) {
      // An empty line (one between sections, mostly).
      this.pos = end;
      return true;
    }
    const repeated = this.repeatedList;
    if (repeated !== null && this.text.startsWith(repeated.prefix, start)) {
      // One more item of the list the previous line added to, written the
      // same way: `<prefix>item'` and nothing after, the item free of quotes.
      const from = start + repeated.prefix.length;
      if (end - from >= 2 && this.text.charCodeAt(end - 1) === SQUOTE && this.text.indexOf("'", from) === end - 1) {
        repeated.option.values.push(this.text.slice(from, end - 1));
        repeated.option.lines.push(line);
        this.pos = end;
        return true;
      }
    }
    this.repeatedList = null;
    const text = this.text.slice(start, end);
    const m = SIMPLE_LINE.exec(text);
    if (m === null) {
      if (!BLANK_LINE.test(text)) return false;
      this.pos = end;
      return true;
    }
    const command = m[1] ?? "";
    const identifier = m[3];
    const first = m[2] ?? identifier ?? m[4] ?? "";
    const second = m[5] ?? m[6] ?? "";
    switch (command) {
      case "c":
      case "config":
        if (identifier === undefined) this.checkSectionType(line, first);
        this.checkSectionName(line, second);
        this.current = this.openSection(first, second, line);
        break;
      case "o":
      case "option":
      case "l":
      case "list": {
        if (second === "") return false;
        const isList = command === "l" || command === "list";
        const section = this.optionSection(line, isList);
        if (identifier === undefined) this.checkOptionName(line, first, isList);
        const option = this.setOption(section, first, second, line, isList);
        // `list name 'item'` ending at its quote: the next line may repeat all but the item.
        if (isList && option !== null && identifier !== undefined && m[5] !== undefined && text.charCodeAt(text.length - 1) === SQUOTE)
          this.repeatedList = { prefix: text.slice(0, text.length - second.length - 1), option };
        break;
      }
      default:
        // `package` or an unknown command: rare, and the general scanner words their errors.
        return false;
    }
    this.pos = end;
    return true;
  }

  /** Commands up to the end of the line (which joined or quoted lines extend). */
  private parseLine(): void {
    this.skipSpaceInLine();
    let afterSemicolon = false;
    for (;;) {
      // libuci takes the command word with strtok(" \t").
      while (this.cur() === SPACE || this.cur() === TAB) this.pos++;
      const c = this.cur();
      if (c === END || c === HASH) return;
      if (c === NL) {
        // libuci's strtok then returns "\n" as the command word: a line may not end in ';'.
        if (afterSemicolon) throw new LineError(this.lineAt(this.pos), "a line may not end with ';'");
        return;
      }
      const start = this.pos;
      let end = start;
      while (end < this.text.length && !isSpace(this.text.charCodeAt(end))) end++;
      this.pos = end;
      const word = this.text.slice(start, end);
      const line = this.lineAt(start);
      let last: Arg;
      switch (word) {
        case "p":
        case "package":
          last = this.parsePackage(line);
          break;
        case "c":
        case "config":
          last = this.parseConfig(line);
          break;
        case "o":
        case "option":
          last = this.parseOption(line, false);
          break;
        case "l":
        case "list":
          last = this.parseOption(line, true);
          break;
        default:
          throw new LineError(line, `unknown command '${word}' (expected config, option, list or package)`);
      }
      if (!last.ateSemicolon) return;
      afterSemicolon = true;
    }
  }

  /** libuci assert_eol: one more argument, which must be absent. */
  private endOfCommand(command: string): Arg {
    const extra = this.nextArg();
    if (extra.text !== "") throw new LineError(extra.line, `too many arguments to '${command}': '${extra.text}'`);
    return extra;
  }

  private parsePackage(line: number): Arg {
    const name = this.nextArg();
    if (name.text === "") throw new LineError(line, "'package' needs a name");
    if (!isWord(name.text, "-")) throw new LineError(line, `invalid package name '${name.text}'`);
    const end = this.endOfCommand("package");
    // libuci would start a second package here; one file is one package for us.
    if (this.packageName !== null || this.sections.length > 0)
      throw new LineError(line, "'package' may appear only once, before the first section");
    this.packageName = name.text;
    return end;
  }

  private parseConfig(line: number): Arg {
    const type = this.nextArg();
    this.checkSectionType(line, type.text);
    const name = this.nextArg();
    this.checkSectionName(line, name.text);
    const end = this.endOfCommand("config");
    this.current = this.openSection(type.text, name.text, line);
    return end;
  }

  // libuci util.c uci_validate_str: option and section names are shell-safe
  // identifiers, package names may add '-', types may be any printable ASCII.
  private checkSectionType(line: number, type: string): void {
    if (type === "") throw new LineError(line, "'config' needs a section type");
    if (!isPrintableAscii(type)) throw new LineError(line, `invalid section type '${type}'`);
  }

  private checkSectionName(line: number, name: string): void {
    if (name !== "" && !isWord(name)) throw new LineError(line, `invalid section name '${name}' (letters, digits and _ only)`);
  }

  private openSection(type: string, name: string, line: number): MutableSection {
    if (name !== "") {
      const existing = this.named.get(name);
      if (existing !== undefined) {
        if (existing.type !== type)
          throw new LineError(line, `section '${name}' was declared with type '${existing.type}' on line ${existing.line}`);
        return existing;
      }
    }
    const index = this.typeCounts.get(type) ?? 0;
    this.typeCounts.set(type, index + 1);
    const anonymous = name === "";
    const section: MutableSection = {
      type,
      name: anonymous ? anonymousSectionId(this.sections.length + 1, type) : name,
      anonymous,
      ref: anonymous ? `@${type}[${index}]` : name,
      line,
      options: [],
    };
    this.sections.push(section);
    if (!anonymous) this.named.set(name, section);
    return section;
  }

  private parseOption(line: number, isList: boolean): Arg {
    const section = this.optionSection(line, isList);
    const name = this.nextArg();
    this.checkOptionName(line, name.text, isList);
    const value = this.nextArg();
    const end = this.endOfCommand(isList ? "list" : "option");
    this.setOption(section, name.text, value.text, line, isList);
    return end;
  }

  /** The section an option or list line adds to. */
  private optionSection(line: number, isList: boolean): MutableSection {
    if (this.current === null) throw new LineError(line, `'${isList ? "list" : "option"}' before the first 'config' line`);
    return this.current;
  }

  private checkOptionName(line: number, name: string, isList: boolean): void {
    if (name === "") throw new LineError(line, `'${isList ? "list" : "option"}' needs a name`);
    if (!isWord(name)) throw new LineError(line, `invalid option name '${name}' (letters, digits and _ only)`);
  }

  /** The option the line set or added to; null when it deleted one. */
  private setOption(section: MutableSection, name: string, value: string, line: number, isList: boolean): MutableOption | null {
    const options = section.options;
    let at = 0;
    while (at < options.length && options[at]?.name !== name) at++;
    const existing = options[at];
    if (isList) {
      if (existing === undefined) {
        const option = { name, isList, values: [value], lines: [line] };
        options.push(option);
        return option;
      }
      existing.isList = true;
      existing.values.push(value);
      existing.lines.push(line);
      return existing;
    }
    if (value === "") {
      if (existing !== undefined) options.splice(at, 1);
      return null;
    }
    const option = { name, isList, values: [value], lines: [line] };
    if (existing === undefined) options.push(option);
    else options[at] = option;
    return option;
  }

  /** libuci next_arg: skip blanks; a leading ';' is an empty argument that it consumes. */
  private nextArg(): Arg {
    this.skipSpaceInLine();
    const line = this.lineAt(this.pos);
    if (this.cur() === SEMI) {
      this.pos++;
      return { text: "", line, ateSemicolon: true };
    }
    return { text: this.parseString(), line, ateSemicolon: false };
  }

  /** At a backslash: true (and past it) when it ends the line, joining the next one. */
  private joinsLines(): boolean {
    const next = this.peek(1);
    let newline: number;
    if (next === END) newline = 0;
    else if (next === NL) newline = 1;
    else if (next === CR && this.peek(2) === NL) newline = 2;
    else return false;
    this.pos += 1 + newline;
    return true;
  }

  /** libuci parse_str: glued quoted and unquoted pieces up to whitespace, ';', '#' or the end of the line. */
  private parseString(): string {
    // Nearly always one piece: joined only when there are more.
    const out: string[] = [];
    do {
      const c = this.cur();
      if (c === END || c === NL || c === SEMI) break;
      if (c === HASH) {
        this.skipToEndOfLine();
        break;
      }
      if (c === SQUOTE || c === DQUOTE) this.quoted(out, c);
      else if (c === BACKSLASH) {
        if (this.joinsLines()) continue;
        this.escaped(out);
      } else out.push(this.unquoted());
    } while (this.pos < this.text.length && !isSpace(this.cur()));
    return out.length === 1 ? (out[0] ?? "") : out.join("");
  }

  /** Unquoted text from `pos` up to whitespace or a character that means something. */
  private unquoted(): string {
    const text = this.text;
    const start = this.pos;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE || (c >= TAB && c <= CR) || c === SEMI || c === HASH || c === SQUOTE || c === DQUOTE || c === BACKSLASH) break;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  /** At a backslash: the next character, taken literally. */
  private escaped(out: string[]): void {
    out.push(this.text.slice(this.pos + 1, this.pos + 2));
    this.pos += 2;
  }

  /** A quoted piece; backslashes work only inside double quotes. */
  private quoted(out: string[], quote: number): void {
    const opened = this.lineAt(this.pos);
    this.pos++;
    for (;;) {
      // Up to the closing quote, or to a backslash inside double quotes.
      let end = this.text.indexOf(quote === SQUOTE ? "'" : '"', this.pos);
      if (quote === DQUOTE) {
        // Only up to the closing quote: a search to the end of the text for
        // each quoted value made a file without backslashes quadratic.
        const backslash = (end < 0 ? this.text.slice(this.pos) : this.text.slice(this.pos, end)).indexOf("\\");
        if (backslash >= 0) end = this.pos + backslash;
      }
      if (end < 0) end = this.text.length;
      out.push(this.text.slice(this.pos, end));
      this.pos = end;
      const c = this.cur();
      if (c === END) {
        // Nothing after an unterminated quote can be trusted: stop here.
        throw new LineError(opened, `unterminated ${quote === SQUOTE ? "single" : "double"} quote`);
      }
      if (c === quote) {
        this.pos++;
        return;
      }
      // A backslash inside double quotes.
      if (this.joinsLines()) continue;
      this.escaped(out);
    }
  }
}

/** Parses the text of a UCI file. Never throws: bad input gives `ok: false`
 * and every error found. `simpleLines` false: every line through the
 * general scanner, which the tests compare the quick one with. */
export function parseUci(text: string, simpleLines = true): UciParseResult {
  const parser = new UciParser(text, simpleLines);
  parser.run();
  if (parser.errors.length > 0) return { ok: false, errors: parser.errors };
  return { ok: true, package: { name: parser.packageName, sections: parser.sections } };
}
