// RFC timer formulas in integer milliseconds. Each result is rounded down to
// the millisecond (keepalived works in microseconds; the difference is
// below 1 ms and always in the same direction).

import { type Centisec, type Priority, centisecToMs } from "./units";

export type Version = 2 | 3;

/**
 * Skew_Time.
 * RFC 3768 §6.1 (v2): ((256 - Priority) / 256) seconds.
 * RFC 5798 §6.1 (v3): ((256 - priority) * Master_Adver_Interval) / 256 centiseconds.
 */
export function skewTimeMs(version: Version, priority: Priority, masterAdverIntervalCs: Centisec): number {
  const scaleMs = version === 2 ? 1000 : centisecToMs(masterAdverIntervalCs);
  return Math.floor(((256 - priority) * scaleMs) / 256);
}

/**
 * Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time
 * (RFC 3768 §6.1 with the local Advertisement_Interval, RFC 5798 §6.1 with
 * the interval learned from the master).
 */
export function masterDownIntervalMs(version: Version, priority: Priority, masterAdverIntervalCs: Centisec): number {
  return 3 * centisecToMs(masterAdverIntervalCs) + skewTimeMs(version, priority, masterAdverIntervalCs);
}
