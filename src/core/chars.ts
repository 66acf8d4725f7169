// Character-class checks as loops over char codes. In QuickJS a RegExp test
// builds a whole match object per call: with one test per address octet,
// reading a configuration of 10^5 addresses took seconds (docs/robustness.md).
// Pure.

const ZERO = 48;
const NINE = 57;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** Between minLength and maxLength decimal digits, nothing else. */
export function isDigits(text: string, minLength: number, maxLength: number): boolean {
  if (text.length < minLength || text.length > maxLength) return false;
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** Between minLength and maxLength hex digits (either case), nothing else. */
export function isHexDigits(text: string, minLength: number, maxLength: number): boolean {
  if (text.length < minLength || text.length > maxLength) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20; // folds A-F onto a-f
    if (!isDigit(text.charCodeAt(i)) && !(c >= 97 && c <= 102)) return false;
  }
  return true;
}

/** One or more of [A-Za-z0-9_], plus any character of `extra`. */
export function isWord(text: string, extra = ""): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const letter = (c | 0x20) >= 97 && (c | 0x20) <= 122;
    if (!letter && !isDigit(c) && c !== 95 && extra.indexOf(text[i] ?? "") < 0) return false;
  }
  return true;
}

/** One or more printable ASCII characters (! to ~), nothing else. */
export function isPrintableAscii(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}
