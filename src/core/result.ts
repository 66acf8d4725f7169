// The one result shape of the core: success, or a refusal with a literal
// reason (counted in status) and a human sentence (logged). Peer input never
// throws; only programmer bugs do.

export type Result<T, R extends string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: R; readonly detail: string };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<R extends string>(
  reason: R,
  detail: string,
): { readonly ok: false; readonly reason: R; readonly detail: string } {
  return { ok: false, reason, detail };
}
