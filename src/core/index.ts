// Public API of the VRRP core: no I/O, no clock.

export type { Addr, Family } from "./addr";
export { addrEquals, addrFromBytes, compareAddr, formatAddr, parseAddr, parseIpv4, parseIpv6 } from "./addr";
export { IPPROTO_VRRP, internetChecksum, pseudoHeader } from "./checksum";
export type { Ipv4Datagram, Ipv4Failure } from "./ipv4";
export { decodeIpv4Datagram, decodeVrrpDatagram, sameIpv4Datagram } from "./ipv4";
export type { Advert, AdvertV2, AdvertV3, CodecOptions, DecodeFailure, IpPath, V2Auth } from "./packet";
export { AUTH_DATA_LEN, advertIntervalCs, decodeAdvert, encodeAdvert, encodedLength, maxAddresses, passwordKey } from "./packet";
export type { AcceptFailure, Acceptance, ReceivedAdvert } from "./accept";
export { VRRP_TTL, acceptAdvert } from "./accept";
export type { GratuitousConfig, InstanceConfig } from "./instance-config";
export { DEFAULT_GRATUITOUS, advertFor, configProblems } from "./instance-config";
export type { Contribution, Effect, PriorityBreakdown, TrackerState, TrackTerm } from "./priority";
export { MAX_BACKUP_PRIORITY, MIN_BACKUP_PRIORITY, contribution, effectivePriority } from "./priority";
export type { Counters, DropReason, TransitionRecord } from "./counters";
export { HISTORY_LIMIT } from "./counters";
export type { TimerSlot, Timers } from "./timers";
export { TIMER_SLOTS, nextDeadline } from "./timers";
export type { Version } from "./timing";
export { masterDownIntervalMs, skewTimeMs } from "./timing";
export type { Action, Event, EventKind, HeardAdvert, InstanceState, MasterDownWatch, Role, TransitionId } from "./state";
export { TIMEOUT, TRANSITIONS, createInstance, masterDownWatch, step } from "./state";
export type { Result } from "./result";
export type { Centisec, Ms, Priority, Vrid } from "./units";
export {
  MAX_CENTISEC,
  OWNER_PRIORITY,
  STOP_PRIORITY,
  after,
  centisecToMs,
  msAt,
  toCentisec,
  toPriority,
  toVrid,
} from "./units";
