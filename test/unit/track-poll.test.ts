// The polled tracker on a fake clock: when probes start and time out, and
// how results become verdicts with rise and fall.
import { describe, expect, it } from "vitest";
import { type Ms, msAt } from "../../src/core/units";
import { type PollAction, type PollEvent, type PollState, type ProbeResult, createPoll, stepPoll } from "../../src/track/poll";
import type { PollRule } from "../../src/track/spec";

const RULE: PollRule = { intervalMs: 1000, timeoutMs: 500, retryIntervalMs: 1000, rise: 1, fall: 1, initFail: false };

/** Drives one tracker as the platform would: it remembers the next
 * deadline and fires "timeout" when the clock reaches it. */
class Driver {
  state: PollState;
  now = 0;
  deadline: Ms | null = null;
  readonly log: string[] = [];

  constructor(rule: Partial<PollRule> = {}) {
    this.state = createPoll({ ...RULE, ...rule });
  }

  feed(e: PollEvent): PollAction[] {
    const r = stepPoll(this.state, e, msAt(this.now));
    this.state = r.state;
    this.deadline = r.nextDeadline;
    for (const a of r.actions) this.log.push(a.kind === "verdict" ? `${this.now}: ${a.from}->${a.to} (${a.detail})` : `${this.now}: ${a.kind} ${a.run}`);
    return [...r.actions];
  }

  /** Advances to `t`, firing every deadline on the way. */
  until(t: number): void {
    while (this.deadline !== null && this.deadline <= t) {
      this.now = this.deadline;
      this.feed({ kind: "timeout" });
    }
    this.now = t;
  }

  answer(ok: boolean, detail = ok ? "ok" : "failed", value: number | null = null): void {
    const result: ProbeResult = { ok, value, detail };
    this.feed({ kind: "result", run: this.state.run, result });
  }
}

describe("polled tracker", () => {
  it("probes at start, then every interval from the start of the last probe", () => {
    const d = new Driver();
    d.feed({ kind: "start" });
    d.now = 30;
    d.answer(true);
    d.until(1010);
    d.answer(true);
    d.until(2100);
    expect(d.log).toEqual(["0: probe 1", "30: init->up (ok)", "1000: probe 2", "2000: probe 3"]);
  });

  it("lets the first result decide, then needs fall failures and rise successes in a row", () => {
    const d = new Driver({ rise: 2, fall: 3 });
    d.feed({ kind: "start" });
    const results = [true, false, false, true, false, false, false, true, false, true, true];
    for (const ok of results) {
      d.answer(ok);
      d.until(d.deadline ?? 0);
    }
    expect(d.log.filter((l) => l.includes("->"))).toEqual([
      "0: init->up (ok)",
      "6000: up->down (failed)",
      "10000: down->up (ok)",
    ]);
  });

  it("with init_fail starts down and needs rise successes", () => {
    const d = new Driver({ rise: 2, initFail: true });
    expect(d.state.verdict).toBe("down");
    d.feed({ kind: "start" });
    d.answer(true);
    expect(d.state.verdict).toBe("down");
    d.until(1000);
    d.answer(true);
    expect(d.state.verdict).toBe("up");
  });

  it("counts a probe that overruns its timeout as a failure and aborts it; its late answer is ignored", () => {
    const d = new Driver({ fall: 1 });
    d.feed({ kind: "start" });
    d.answer(true);
    d.until(1000);
    const run = d.state.run;
    d.until(1600);
    expect(d.log.slice(-2)).toEqual([`1500: abort ${run}`, "1500: up->down (no answer within 500 ms)"]);
    d.feed({ kind: "result", run, result: { ok: true, value: null, detail: "late" } });
    expect(d.state.verdict).toBe("down");
    expect(d.state.counts).toEqual({ probes: 2, failures: 1, timeouts: 1 });
  });

  it("never runs two probes at once: a probe longer than the interval delays the next", () => {
    const d = new Driver({ intervalMs: 100, timeoutMs: 1000 });
    d.feed({ kind: "start" });
    d.until(450);
    expect(d.log).toEqual(["0: probe 1"]);
    d.answer(true);
    expect(d.deadline).toBe(450);
    d.until(450);
    expect(d.log.at(-1)).toBe("450: probe 2");
  });

  it("probes every retry_interval while failures count towards fall", () => {
    const d = new Driver({ fall: 3, retryIntervalMs: 200 });
    d.feed({ kind: "start" });
    d.answer(true);
    d.until(1000);
    d.answer(false);
    expect(d.deadline).toBe(1200);
    d.until(1200);
    d.answer(false);
    d.until(1400);
    d.answer(false);
    expect(d.state.verdict).toBe("down");
    expect(d.deadline).toBe(2400);
  });

  it("keeps the value of the last success (a file's number, a dynamic weight)", () => {
    const d = new Driver({ fall: 2 });
    d.feed({ kind: "start" });
    d.answer(true, "exit status 12", 10);
    expect(d.state.value).toBe(10);
    d.until(1000);
    d.answer(false);
    expect(d.state.value).toBe(10);
    d.until(2000);
    d.answer(true, "exit status 0", null);
    expect(d.state.value).toBeNull();
  });

  it("stops: aborts the running probe, schedules nothing, and starts over", () => {
    const d = new Driver();
    d.feed({ kind: "start" });
    expect(d.feed({ kind: "stop" })).toEqual([{ kind: "abort", run: 1 }]);
    expect(d.deadline).toBeNull();
    expect(d.feed({ kind: "start" })).toEqual([{ kind: "probe", run: 2 }]);
  });

  it("treats an early or repeated timeout as a no-op", () => {
    const d = new Driver();
    d.feed({ kind: "start" });
    expect(d.feed({ kind: "timeout" })).toEqual([]);
    d.answer(true);
    d.now = 999;
    expect(d.feed({ kind: "timeout" })).toEqual([]);
  });
});
