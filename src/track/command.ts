// A `script` line into the program's argv, the way keepalived reads its
// `script` keyword: words split at blanks, a quoted part (double or single
// quotes) kept as one, and no shell involved. A backslash outside single
// quotes takes the next character as it is.

export type Split = { readonly ok: true; readonly value: string[] } | { readonly ok: false; readonly reason: string };

export function splitCommand(line: string): Split {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word += line.charAt(++i);
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line.charAt(++i);
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) return { ok: false, reason: `has an unterminated ${quote === '"' ? "double" : "single"} quote` };
  if (inWord) words.push(word);
  if (words.length === 0) return { ok: false, reason: "names no program" };
  return { ok: true, value: words };
}
