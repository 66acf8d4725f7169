// An instance draft (instance.ts) -> `config vip`, settled the way keepalived's
// vrrp_complete_instance() does (keepalived 2.2.7, vrrp/vrrp.c), because
// several keywords change meaning together:
//
// - no `priority`: 255 with `state MASTER`, else 100;
// - `state MASTER` clears `nopreempt` and `preempt_delay` (keepalived logs
//   "nopreempt will not work with initial state MASTER - clearing");
// - priority 255 clears `nopreempt`; `nopreempt` clears `preempt_delay`;
// - no `version`: 3 for IPv6, else global_defs vrrp_version, else 2 (floatgw's
//   own default is 3, so the version is always written);
// - `advert_int` is rounded to whole seconds (v2) or centiseconds (v3);
// - authentication is ignored for VRRPv3 and in strict mode.
//
// The entry for each keyword is written once the outcome is known, so the
// report says what the router actually ran and what floatgw will run.

import type { UciDraftSection } from "../config/uci-write";
import { formatScaled } from "../config/values";
import { entry, type Origin } from "./entry";
import { type VrrpDefaults, smtpAlertDefault } from "./global";
import type { InstanceDraft, VipLine } from "./instance";
import { type Found, type Scope, describe, say } from "./rules";
import { SectionWriter } from "./section-writer";
import { type TrackerRegistry, trackItems } from "./trackers";
import { writeNotify } from "./notify";

function familyName(f: 4 | 6): string {
  return f === 4 ? "IPv4" : "IPv6";
}

/** keepalived's rounding of advert_int (vrrp_complete_instance). */
function roundAdvert(ms: number, version: 2 | 3): number {
  if (version === 2) return Math.min(255_000, Math.max(1000, Math.floor((ms + 500) / 1000) * 1000));
  return Math.min(40_950, Math.max(10, Math.floor((ms + 5) / 10) * 10));
}

/** A number option from the instance or, failing that, global_defs; clamped to floatgw's range. */
function garpOption(
  w: SectionWriter,
  scope: Scope,
  option: string,
  own: Found<number> | null,
  global: { value: number; at: Origin } | null,
  convert: (v: number) => { value: number; note: string | null },
): void {
  if (own === null && global === null) return;
  const raw = own !== null ? own.value : (global?.value ?? 0);
  const c = convert(raw);
  const target = w.set(option, String(c.value));
  if (own !== null) say(scope, own, c.note === null ? "mapped" : "different", { target, note: c.note });
}

function clampCount(v: number): { value: number; note: string | null } {
  if (v === 0) return { value: 1, note: "keepalived sends at least one ('must be greater than 0, setting to 1')" };
  if (v > 100) return { value: 100, note: "floatgw sends at most 100 per address" };
  return { value: v, note: null };
}

/** What an instance's tracking needs from the rest of the file. */
export interface InstanceTracking {
  readonly registry: TrackerRegistry;
  /** Whether the instance is in a sync group without sync_group_tracking_weight. */
  readonly syncGroup: boolean;
}

/** Settles the draft as keepalived does and writes the vip section; null when it cannot be converted. */
export function completeInstance(d: InstanceDraft, defaults: VrrpDefaults, tracking: InstanceTracking, sectionName: string, scope: Scope): UciDraftSection | null {
  const w = new SectionWriter(`vip '${sectionName}'`);
  const at = d.node.at;
  const fail = (note: string): null => {
    scope.entries.push(entry("error", at, describe(d.node), { note: `not converted: ${note}` }));
    return null;
  };
  const strict = d.strict !== null ? d.strict.value : defaults.strict !== null;

  if (d.device === null) return fail("no interface (keepalived needs one too)");
  say(scope, d.device, "mapped", { target: w.set("device", d.device.value), note: "floatgw can follow the netifd interface instead (option interface, which dhcp '1' needs)" });
  if (d.vrid === null) return fail("no virtual_router_id (keepalived refuses the instance too)");
  say(scope, d.vrid, "mapped", { target: w.set("vrid", String(d.vrid.value)) });

  // Addresses: the first decides the family; keepalived ignores others in virtual_ipaddress.
  const first = d.vips.find((v) => !v.excluded);
  if (first === undefined) return fail("no virtual_ipaddress (keepalived refuses the instance too: 'No VIP specified')");
  const family = first.address.family;
  const seen = new Set<string>();
  const addresses: VipLine[] = [];
  for (const v of d.vips) {
    if (seen.has(v.address.address)) {
      say(scope, v, "different", { note: "listed twice: written once" });
      continue;
    }
    if (v.address.family !== family) {
      if (v.excluded)
        say(scope, v, "unsupported", {
          note: `an ${familyName(v.address.family)} address in an ${familyName(family)} instance: a floatgw vip section carries one family; once both routers run floatgw, add a vip section for it (VRRPv3)`,
        });
      else say(scope, v, "different", { note: `keepalived ignores it too ('address family must match VRRP instance')` });
      continue;
    }
    seen.add(v.address.address);
    addresses.push(v);
  }

  // Version.
  let version: 2 | 3;
  if (family === 6) {
    version = 3;
    if (d.version !== null && d.version.value === 2)
      say(scope, d.version, "different", { target: w.set("version", "3"), note: "VRRPv2 cannot carry IPv6 (RFC 3768): floatgw runs version 3, and so must the peer" });
    else if (d.version !== null) say(scope, d.version, "mapped", { target: w.set("version", "3") });
    else w.set("version", "3");
  } else {
    version = d.version?.value ?? defaults.version?.value ?? 2;
    const target = w.set("version", String(version));
    if (d.version !== null) say(scope, d.version, "mapped", { target });
  }

  // Priority and state.
  const masterState = d.state?.value === "MASTER";
  const priority = d.priority?.value ?? (masterState ? 255 : 100);
  const priorityTarget = w.set("priority", String(priority));
  if (d.priority !== null) say(scope, d.priority, "mapped", { target: priorityTarget });
  if (d.state !== null) {
    if (d.priority === null && masterState)
      say(scope, d.state, "different", {
        target: priorityTarget,
        pitfall: "state MASTER without priority",
        note: "keepalived gives an instance in state MASTER without a priority the owner's priority 255, and floatgw keeps that; give it a priority of 1-254 unless this router owns the address",
      });
    else
      say(scope, d.state, "different", {
        note: masterState
          ? "floatgw has no initial state: the highest priority wins the election (keepalived also starts a non-owner MASTER as backup; it differs only in going straight to master when it leaves FAULT)"
          : "floatgw has no initial state: every instance starts as backup and the highest priority wins",
      });
  }

  // Advertisement interval.
  if (d.advertMs !== null) {
    const ms = roundAdvert(d.advertMs.value, version);
    const target = w.set("advert_int", formatScaled(ms, 1000));
    say(scope, d.advertMs, ms === d.advertMs.value ? "mapped" : "different", {
      target,
      note: ms === d.advertMs.value ? null : `keepalived rounds it to ${formatScaled(ms, 1000)} s for VRRPv${version}`,
    });
  }

  for (const v of addresses) {
    const target = w.add("address", `${v.address.address}/${v.address.prefix}`);
    const notes = v.excluded
      ? [...v.notes, "floatgw advertises every address it moves; a keepalived peer still accepts the longer list, and floatgw only counts keepalived's shorter list in `floatgw status`"]
      : v.notes;
    say(scope, v, notes.length > 0 ? "different" : "mapped", { target, note: notes.length > 0 ? notes.join("; ") : null });
  }

  // Preemption.
  let preempt = d.preempt?.value ?? true;
  if (d.preempt !== null && !d.preempt.value) {
    if (masterState) {
      preempt = true;
      say(scope, d.preempt, "different", {
        target: w.set("preempt", "1"),
        pitfall: "state MASTER with nopreempt",
        note: "keepalived ignores nopreempt for an instance in state MASTER ('nopreempt will not work with initial state MASTER - clearing'), so this router did preempt, and floatgw will; for no preemption set preempt '0' on both routers",
      });
    } else if (priority === 255) {
      preempt = true;
      say(scope, d.preempt, "different", { target: w.set("preempt", "1"), note: "keepalived ignores nopreempt at priority 255 (the owner always takes over)" });
    } else say(scope, d.preempt, "mapped", { target: w.set("preempt", "0") });
  } else if (d.preempt !== null) say(scope, d.preempt, "mapped", { target: w.set("preempt", "1"), note: "the default" });

  if (d.preemptDelayMs !== null) {
    const why = masterState
      ? "keepalived ignores preempt_delay for an instance in state MASTER ('preempt delay will not work with initial state MASTER')"
      : !preempt
        ? "keepalived ignores preempt_delay with nopreempt"
        : strict
          ? "keepalived ignores preempt_delay in strict mode"
          : null;
    if (why !== null) say(scope, d.preemptDelayMs, "different", { note: `${why}: not written` });
    else if (d.preemptDelayMs.value > 1_000_000)
      say(scope, d.preemptDelayMs, "different", { target: w.set("preempt_delay", "1000"), note: "floatgw waits at most 1000 s" });
    else say(scope, d.preemptDelayMs, "mapped", { target: w.set("preempt_delay", formatScaled(d.preemptDelayMs.value, 1000)) });
  }

  const startup = defaults.startupDelayMs;
  if (startup !== null) w.set("start_delay", formatScaled(Math.min(startup.value, 3_600_000), 1000));

  // Unicast: keepalived's mcast_src_ip and unicast_src_ip set the same source address.
  const src = d.unicastSrc ?? (d.peers.length > 0 ? d.mcastSrc : null);
  if (d.mcastSrc !== null && d.unicastSrc !== null)
    say(scope, d.mcastSrc, "different", { note: "keepalived uses one source address; unicast_src_ip is the one written" });
  else if (d.mcastSrc !== null && d.peers.length === 0)
    say(scope, d.mcastSrc, "unsupported", { note: "floatgw sends multicast adverts from the interface's primary address" });
  if (src !== null) {
    if (src.value.family !== family) say(scope, src, "different", { note: `keepalived ignores an ${familyName(src.value.family)} source for this instance too` });
    else say(scope, src, src === d.mcastSrc ? "different" : "mapped", {
      target: w.set("unicast_src", src.value.address),
      note: src === d.mcastSrc ? "for unicast adverts keepalived uses it as unicast_src_ip" : null,
    });
  }
  for (const p of d.peers) {
    if (p.value.family !== family) say(scope, p, "different", { note: `keepalived skips it too (a unicast peer must be of the instance's family)` });
    else say(scope, p, "mapped", { target: w.add("unicast_peer", p.value.address) });
  }

  // Gratuitous ARP / NA.
  const minGarp = defaults.minGarp;
  garpOption(w, scope, "garp_count", d.garpRepeat, defaults.garpRepeat ?? (minGarp !== null ? { value: 1, at: minGarp } : null), clampCount);
  const spacing = family === 4 ? defaults.garpIntervalMs : defaults.gnaIntervalMs;
  if (spacing !== null) w.set("garp_spacing", String(Math.min(spacing.value, 1000)));
  garpOption(w, scope, "garp_repeat_delay", d.garpDelayS, defaults.garpDelayS ?? (minGarp !== null ? { value: 0, at: minGarp } : null), (v) => ({ value: v, note: null }));
  garpOption(w, scope, "garp_refresh", d.garpRefreshS, defaults.garpRefreshS, (v) => ({ value: v, note: null }));
  garpOption(w, scope, "garp_refresh_count", d.garpRefreshRepeat, defaults.garpRefreshRepeat, clampCount);

  authentication(d, w, scope, version, strict);

  if (d.checksumAsV2 !== null) {
    if (version === 3 && family === 4) say(scope, d.checksumAsV2, "mapped", { target: w.set("v3_checksum_pseudo_header", "0") });
    else say(scope, d.checksumAsV2, "different", { note: "only matters for VRRPv3 over IPv4: nothing to write" });
  }
  if (d.strict !== null)
    say(scope, d.strict, "different", { note: "floatgw has no strict mode; what strict mode changed in keepalived (no authentication, no preempt_delay) is converted as keepalived ran it" });

  const target = { syncGroup: tracking.syncGroup, owner: priority === 255, vipLabel: w.label };
  for (const item of trackItems(d.tracks, target, tracking.registry, scope)) w.add("track", item);
  writeNotify(d.notify, w, smtpAlertDefault(defaults), scope);

  return { type: "vip", name: sectionName, comments: [`vrrp_instance ${d.name} (${at.file}:${at.line})`], options: w.options };
}

function authentication(d: InstanceDraft, w: SectionWriter, scope: Scope, version: 2 | 3, strict: boolean): void {
  const type = d.authType;
  const pass = d.authPass;
  if (type === null) {
    if (pass !== null) say(scope, pass, "different", { note: "keepalived ignores auth_pass without auth_type: not written" });
    return;
  }
  const ignored = strict ? "keepalived ignores authentication in strict mode" : version === 3 ? "keepalived ignores authentication for VRRPv3 (RFC 5798 has none)" : null;
  if (ignored !== null) {
    say(scope, type, "different", { note: `${ignored}: not written` });
    if (pass !== null) say(scope, pass, "different", { note: `${ignored}: not written` });
    return;
  }
  if (type.value === "AH") {
    say(scope, type, "unsupported", { note: "floatgw does not speak IPsec AH authentication (RFC 2338), which RFC 3768 removed; both routers need auth_type PASS or none" });
    if (pass !== null) say(scope, pass, "unsupported", { note: "belongs to the AH authentication above" });
    return;
  }
  if (pass === null || pass.value === "") {
    say(scope, type, "unsupported", { note: "PASS without a password: floatgw needs auth_pass of 1-8 characters" });
    return;
  }
  const key = pass.value.slice(0, 8);
  say(scope, type, "mapped", { target: `${w.label} auth_pass`, note: "floatgw sets PASS authentication by auth_pass alone" });
  say(scope, pass, key === pass.value ? "mapped" : "different", {
    target: (w.set("auth_pass", key), `${w.label} auth_pass (hidden)`),
    note: key === pass.value ? null : "keepalived sends only its first 8 characters; those are written",
  });
}
