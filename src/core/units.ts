// Branded numbers for the VRRP core. A brand is minted only by the checking
// functions below (or by the caller's clock for Ms), so a v2 interval in
// seconds can never be passed where v3 centiseconds are expected.

/** A point on the caller's monotonic clock, in milliseconds. */
export type Ms = number & { readonly __unit: "ms" };
/** A VRRPv3 interval: RFC 5798 §5.2.7, 12 bits of centiseconds. */
export type Centisec = number & { readonly __unit: "cs" };
/** A Virtual Router Identifier: RFC 5798 §5.2.3, 1..255. */
export type Vrid = number & { readonly __brand: "Vrid" };
/** A configured router priority: RFC 5798 §5.2.4, 1..255 (0 is only ever sent). */
export type Priority = number & { readonly __brand: "Priority" };

/** RFC 5798 §5.2.4: 255 is reserved for the router that owns the addresses. */
export const OWNER_PRIORITY = 255 as Priority;
/** RFC 5798 §5.2.4: priority 0 means "the current master stopped". */
export const STOP_PRIORITY = 0;
/** RFC 5798 §5.2.7: Max Adver Int is 12 bits wide. */
export const MAX_CENTISEC = 4095;

function isIntIn(n: number, lo: number, hi: number): boolean {
  return Number.isInteger(n) && n >= lo && n <= hi;
}

/** Stamps a monotonic clock reading (the platform's clock, or a test's). */
export function msAt(n: number): Ms {
  return n as Ms;
}

/** `t + durationMs`, keeping the brand. */
export function after(t: Ms, durationMs: number): Ms {
  return (t + durationMs) as Ms;
}

export function toVrid(n: number): Vrid | null {
  return isIntIn(n, 1, 255) ? (n as Vrid) : null;
}

export function toPriority(n: number): Priority | null {
  return isIntIn(n, 1, 255) ? (n as Priority) : null;
}

export function toCentisec(n: number): Centisec | null {
  return isIntIn(n, 1, MAX_CENTISEC) ? (n as Centisec) : null;
}

/** Centiseconds to milliseconds, exactly (integer arithmetic only). */
export function centisecToMs(cs: Centisec): number {
  return cs * 10;
}
