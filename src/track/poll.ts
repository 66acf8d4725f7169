// A tracker that runs a probe every interval (script, ping, tcp, http, smtp,
// file): when to start a probe, when to give up on it, and how its results
// become a verdict with keepalived's rise and fall counts. Pure, like the
// VRRP core: step(state, event, now) returns the new state, the actions for
// the platform (start a probe, abort one) and the next deadline; it reads
// no clock and runs no probe.
//
// keepalived's counting (vrrp_scheduler.c, vrrp_script_child_thread): the
// first result decides at once, unless init_fail starts the tracker down;
// afterwards `fall` failures in a row bring an up tracker down and `rise`
// successes in a row bring a down one up, and a result of the other kind
// starts the count again. A probe that overruns its timeout is a failure.

import type { Ms } from "../core/units";
import { after } from "../core/units";
import type { PollRule } from "./spec";

/** "init" until the first result (or forever, for a tracker never started). */
export type Verdict = "init" | "up" | "down";

/** What one probe found. `value`: a file's number, or a dynamic weight
 * (exit status - 2); null when the probe has none. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly value: number | null;
  /** For status and logs: "exit status 1", "connection refused", "HTTP 503". */
  readonly detail: string;
}

export interface PollState {
  readonly rule: PollRule;
  readonly verdict: Verdict;
  /** Results in a row that disagree with the verdict. */
  readonly streak: number;
  /** The latest probe's number; a later result answering to an older number is stale. */
  readonly run: number;
  readonly running: boolean;
  readonly startedAt: Ms | null;
  /** When the next probe may start (once none is running). */
  readonly nextAt: Ms | null;
  /** When the running probe times out. */
  readonly deadline: Ms | null;
  /** The value of the last successful result (see ProbeResult.value). */
  readonly value: number | null;
  readonly last: (ProbeResult & { readonly at: Ms }) | null;
  /** When the verdict last changed. */
  readonly since: Ms | null;
  readonly counts: { readonly probes: number; readonly failures: number; readonly timeouts: number };
}

export type PollEvent =
  | { readonly kind: "start" }
  /** The clock reached nextDeadline (early calls do nothing). */
  | { readonly kind: "timeout" }
  | { readonly kind: "result"; readonly run: number; readonly result: ProbeResult }
  | { readonly kind: "stop" };

export type PollAction =
  | { readonly kind: "probe"; readonly run: number }
  /** Stop probe `run` (kill the script, close the socket): its time is up. */
  | { readonly kind: "abort"; readonly run: number }
  | { readonly kind: "verdict"; readonly from: Verdict; readonly to: Verdict; readonly detail: string };

export interface PollStep {
  readonly state: PollState;
  readonly actions: readonly PollAction[];
  readonly nextDeadline: Ms | null;
}

export function createPoll(rule: PollRule): PollState {
  return {
    rule,
    verdict: rule.initFail ? "down" : "init",
    streak: 0,
    run: 0,
    running: false,
    startedAt: null,
    nextAt: null,
    deadline: null,
    value: null,
    last: null,
    since: null,
    counts: { probes: 0, failures: 0, timeouts: 0 },
  };
}

function deadlineOf(s: PollState): Ms | null {
  if (s.running) return s.deadline;
  return s.nextAt;
}

/** The verdict after one more result, and the streak that goes with it. */
function judge(s: PollState, ok: boolean): { verdict: Verdict; streak: number } {
  if (s.verdict === "init") return { verdict: ok ? "up" : "down", streak: 0 };
  const agrees = ok === (s.verdict === "up");
  if (agrees) return { verdict: s.verdict, streak: 0 };
  const streak = s.streak + 1;
  const needed = s.verdict === "up" ? s.rule.fall : s.rule.rise;
  return streak >= needed ? { verdict: ok ? "up" : "down", streak: 0 } : { verdict: s.verdict, streak };
}

function record(s: PollState, result: ProbeResult, now: Ms): { state: PollState; actions: PollAction[] } {
  const { verdict, streak } = judge(s, result.ok);
  const counts = { ...s.counts, failures: s.counts.failures + (result.ok ? 0 : 1) };
  // Failures of an up tracker that have not brought it down yet: look
  // again sooner (keepalived's delay_before_retry).
  const retrying = verdict === "up" && streak > 0;
  const nextAt = after(s.startedAt ?? now, retrying ? s.rule.retryIntervalMs : s.rule.intervalMs);
  const state: PollState = {
    ...s,
    verdict,
    streak,
    running: false,
    deadline: null,
    nextAt: nextAt < now ? now : nextAt,
    value: result.ok ? result.value : s.value,
    last: { ...result, at: now },
    since: verdict !== s.verdict ? now : s.since,
    counts,
  };
  const actions: PollAction[] = verdict !== s.verdict ? [{ kind: "verdict", from: s.verdict, to: verdict, detail: result.detail }] : [];
  return { state, actions };
}

function launch(s: PollState, now: Ms): { state: PollState; actions: PollAction[] } {
  const run = s.run + 1;
  return {
    state: {
      ...s,
      run,
      running: true,
      startedAt: now,
      deadline: after(now, s.rule.timeoutMs),
      counts: { ...s.counts, probes: s.counts.probes + 1 },
    },
    actions: [{ kind: "probe", run }],
  };
}

function dispatch(s: PollState, e: PollEvent, now: Ms): { state: PollState; actions: PollAction[] } {
  switch (e.kind) {
    case "start":
      // The first probe runs at once, as keepalived runs its scripts at start.
      return s.running || s.nextAt !== null ? { state: s, actions: [] } : launch(s, now);
    case "result":
      if (!s.running || e.run !== s.run) return { state: s, actions: [] };
      return record(s, e.result, now);
    case "timeout": {
      if (s.running && s.deadline !== null && s.deadline <= now) {
        const timedOut = { ...s, counts: { ...s.counts, timeouts: s.counts.timeouts + 1 } };
        const detail = `no answer within ${s.rule.timeoutMs} ms`;
        const r = record(timedOut, { ok: false, value: null, detail }, now);
        return { state: r.state, actions: [{ kind: "abort", run: s.run }, ...r.actions] };
      }
      if (!s.running && s.nextAt !== null && s.nextAt <= now) return launch(s, now);
      return { state: s, actions: [] };
    }
    case "stop":
      return {
        state: { ...s, running: false, deadline: null, nextAt: null },
        actions: s.running ? [{ kind: "abort", run: s.run }] : [],
      };
  }
}

export function stepPoll(s: PollState, e: PollEvent, now: Ms): PollStep {
  const r = dispatch(s, e, now);
  return { state: r.state, actions: r.actions, nextDeadline: deadlineOf(r.state) };
}
