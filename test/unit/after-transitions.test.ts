// The daemon's batch of what transitions set off (src/daemon/after-transitions.ts):
// a sync group member's hooks wait until the members it takes along have
// changed state too, and every piece of work still runs, in order.
import { describe, expect, it } from "vitest";
import { AfterTransitions } from "../../src/daemon/after-transitions";

describe("AfterTransitions", () => {
  it("runs work handed over during a batch after it, in the order handed; outside a batch at once", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    a.later(() => done.push("alone"));
    a.run(() => {
      a.later(() => done.push("lan hooks"));
      done.push("wan VIP");
      a.later(() => done.push("wan hooks"));
      a.later(() => done.push("group hooks"));
      done.push("end of transitions");
    });
    expect(done).toEqual(["alone", "wan VIP", "end of transitions", "lan hooks", "wan hooks", "group hooks"]);
  });

  it("flushes only when the outermost batch ends (a member's transition inside another's)", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    a.run(() => {
      a.later(() => done.push("lan hooks"));
      a.run(() => {
        done.push("wan VIP");
        a.later(() => done.push("wan hooks"));
      });
      done.push("inner batch over");
    });
    expect(done).toEqual(["wan VIP", "inner batch over", "lan hooks", "wan hooks"]);
  });

  it("runs the work handed to first (the members' routes) before any later work", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    a.run(() => {
      a.first(() => done.push("lan routes"));
      a.later(() => done.push("lan hooks"));
      a.run(() => {
        a.first(() => done.push("wan routes"));
        a.later(() => done.push("wan hooks"));
      });
    });
    a.first(() => done.push("alone"));
    expect(done).toEqual(["lan routes", "wan routes", "lan hooks", "wan hooks", "alone"]);
  });

  it("still runs the work when the transitions throw, and work handed over by work runs at once", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    expect(() => a.run(() => {
      a.later(() => {
        done.push("first");
        a.later(() => done.push("from first"));
      });
      a.later(() => done.push("second"));
      throw new Error("bug");
    })).toThrow("bug");
    expect(done).toEqual(["first", "from first", "second"]);
  });
});
