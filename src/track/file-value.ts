// The number in a keepalived track_file: read as C's strtol(buf, NULL, 0)
// reads it (leading blanks, a sign, then decimal, 0x hexadecimal or
// 0-prefixed octal), and 0 when there is none, as keepalived takes it.
// Values beyond 32 bits are refused, as keepalived ignores them.

const NUMBER = /^[ \t\n\r\f\v]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/;

/** The file's number; null when it is out of keepalived's range (ignore the read). */
export function fileValue(text: string): number | null {
  const m = NUMBER.exec(text);
  if (m === null) return 0;
  const digits = m[2] ?? "0";
  const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith("0") ? parseInt(digits, 8) : parseInt(digits, 10);
  const value = m[1] === "-" ? -magnitude : magnitude;
  return value < -2147483648 || value > 2147483648 ? null : value;
}
