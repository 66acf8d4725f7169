// keepalived.conf text rules, as keepalived's lib/parser.c applies them to
// one line (see keepalived.conf(5), "Quoted strings"):
//
// - Comments: `#` or `!` outside double quotes ends the line; `\#` and `\!`
//   outside quotes are a literal `#` and `!`. Single quotes do not protect.
// - Words: split at white space; a double-quoted string is one word without
//   its quotes, and an unquoted word also ends at a `"`. This is how every
//   keyword reads its arguments.
// - Scripts (notify_*, script, misc_path, ...) re-read the line with shell-
//   like rules: '...' and "..." both quote, quotes glue to the text around
//   them, and a backslash escapes (`\n`, `\t`, `\x41`, `\101`, `\cA`, or the
//   character itself); the command is then split again the same way.

const WHITE = " \t\f\n\r\v";

function isWhite(c: string | undefined): boolean {
  return c !== undefined && WHITE.includes(c);
}

export interface Decommented {
  readonly text: string;
  /** The line ended with `\`: a multi-line `$NAME=` definition goes on. */
  readonly continued: boolean;
  readonly unterminatedQuote: boolean;
}

/** keepalived's decomment(): comments, `\#`/`\!`, leading and trailing blanks. */
export function decomment(line: string): Decommented {
  const s = line.replace(/^[ \t]+/, "");
  const out: string[] = [];
  let quote = false;
  let continued = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    if (c === '"') {
      quote = !quote;
      out.push(c);
    } else if (c === "\\") {
      const next = s[i + 1];
      if (next === undefined) {
        continued = true;
        break;
      }
      // Outside quotes, `\#` and `\!` lose their backslash; anything else stays as written.
      if (!quote && (next === "#" || next === "!")) out.push(next);
      else out.push(c, next);
      i++;
    } else if (!quote && (c === "#" || c === "!")) {
      break;
    } else out.push(c);
  }
  let text = out.join("").replace(/[ \t]+$/, "");
  if (continued) text += "\\";
  return { text, continued, unterminatedQuote: quote };
}

export interface Words {
  readonly words: readonly string[];
  /** Set when a `"` was never closed: keepalived drops the rest of the line. */
  readonly unmatchedQuote: boolean;
}

/** keepalived's alloc_strvec(): the words of a line, double quotes only. */
export function splitWords(text: string): Words {
  const words: string[] = [];
  let i = 0;
  for (;;) {
    while (isWhite(text[i])) i++;
    if (i >= text.length) return { words, unmatchedQuote: false };
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return { words, unmatchedQuote: true };
      words.push(text.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < text.length && !isWhite(text[i]) && text[i] !== '"') i++;
    words.push(text.slice(start, i));
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  E: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** One escape after a backslash at s[i - 1]: the character and the index after it. */
function escapeAt(s: string, i: number): [string, number] {
  const c = s[i] ?? "";
  if (c === "x" && /[0-9A-Fa-f]/.test(s[i + 1] ?? "")) {
    const hex = /^[0-9A-Fa-f]{1,2}/.exec(s.slice(i + 1))?.[0] ?? "";
    return [String.fromCharCode(parseInt(hex, 16)), i + 1 + hex.length];
  }
  if (c === "c" && s[i + 1] !== undefined) return [String.fromCharCode((s.charCodeAt(i + 1) & 0x1f) >>> 0), i + 2];
  if (c >= "0" && c <= "7") {
    const oct = /^[0-7]{1,3}/.exec(s.slice(i))?.[0] ?? "";
    return [String.fromCharCode(parseInt(oct, 8) & 0xff), i + oct.length];
  }
  return [SIMPLE_ESCAPES[c] ?? c, i + 1];
}

export type Quoted = { readonly ok: true; readonly words: readonly string[] } | { readonly ok: false; readonly reason: string };

/**
 * keepalived's alloc_strvec_quoted[_escaped](): words with '...' and "..."
 * quoting glued to their surroundings. Without `escapes`, a backslash and
 * the character after it are kept as they are (the first pass over a script
 * line); with it they become one character (the split of the command).
 */
export function splitQuoted(text: string, escapes: boolean): Quoted {
  const words: string[] = [];
  let i = 0;
  for (;;) {
    while (isWhite(text[i])) i++;
    if (i >= text.length) return { ok: true, words };
    const word: string[] = [];
    let quote: string | null = null;
    while (i < text.length) {
      const c = text[i] ?? "";
      if (c === "\\") {
        if (i + 1 >= text.length) return { ok: false, reason: "ends with a backslash" };
        if (escapes) {
          const [ch, next] = escapeAt(text, i + 1);
          word.push(ch);
          i = next;
        } else {
          word.push(c, text[i + 1] ?? "");
          i += 2;
        }
      } else if (quote !== null) {
        if (c === quote) quote = null;
        else word.push(c);
        i++;
      } else if (c === '"' || c === "'") {
        quote = c;
        i++;
      } else if (isWhite(c)) break;
      else {
        word.push(c);
        i++;
      }
    }
    if (quote !== null) return { ok: false, reason: `has no closing ${quote}` };
    words.push(word.join(""));
  }
}
