// Text that protocols carry as single bytes (HTTP and SMTP lines, which
// floatgw only ever writes in ASCII): QuickJS 2021 has no TextEncoder.

/** ASCII (or Latin-1) text as bytes, one per character. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Bytes as text, one character per byte. */
export function latin1Text(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}
