// UTF-8 without TextEncoder (QuickJS has none): for what goes over unix
// sockets as bytes (the control channel, syslog).
export function utf8Encode(text: string): Uint8Array {
  const bin = unescape(encodeURIComponent(text));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function utf8Decode(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] ?? 0);
  return decodeURIComponent(escape(bin));
}
