// The daemon's batch of what transitions set off (src/daemon/after-transitions.ts):
// a sync group's members add their VIPs back to back, then every member's
// routes go in, then each new master's announcements, then the hooks, and
// the state file is written once; every piece of work still runs, in order.
import { describe, expect, it } from "vitest";
import { AfterTransitions } from "../../src/daemon/after-transitions";

describe("AfterTransitions", () => {
  it("runs work handed over during a batch after it, in the order handed; outside a batch at once", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    a.at("effects", () => done.push("alone"));
    a.run(() => {
      a.at("effects", () => done.push("lan hooks"));
      done.push("wan VIP");
      a.at("effects", () => done.push("wan hooks"));
      a.at("effects", () => done.push("group hooks"));
      done.push("end of transitions");
    });
    expect(done).toEqual(["alone", "wan VIP", "end of transitions", "lan hooks", "wan hooks", "group hooks"]);
  });

  it("flushes only when the outermost batch ends (a member's transition inside another's)", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    a.run(() => {
      a.at("effects", () => done.push("lan hooks"));
      a.run(() => {
        done.push("wan VIP");
        a.at("effects", () => done.push("wan hooks"));
      });
      done.push("inner batch over");
    });
    expect(done).toEqual(["wan VIP", "inner batch over", "lan hooks", "wan hooks"]);
  });

  it("runs a sync group's move phase by phase: every VIP, every route, every announcement, every hook, the state file once", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    const writeState = () => done.push("state file");
    // As runner.ts and daemon.ts hand it over: the wan member goes master
    // and, telling its transition, takes the lan member along.
    a.run(() => {
      done.push("wan VIP");
      a.at("routes", () => done.push("wan routes"));
      a.at("announcements", () => done.push("wan ARPs, advert, log line"));
      a.at("effects", () => done.push("wan hooks"));
      a.once(writeState);
      a.run(() => {
        done.push("lan VIP");
        a.at("routes", () => done.push("lan routes"));
        a.at("announcements", () => done.push("lan ARPs, advert, log line"));
        a.at("effects", () => done.push("lan hooks"));
        a.once(writeState);
      });
      a.at("routes", () => done.push("group routes"));
      a.at("announcements", () => done.push("group log line"));
      a.at("effects", () => done.push("group hooks"));
      a.once(writeState);
    });
    expect(done).toEqual([
      "wan VIP", "lan VIP", "wan routes", "lan routes", "group routes",
      "wan ARPs, advert, log line", "lan ARPs, advert, log line", "group log line",
      "wan hooks", "lan hooks", "group hooks", "state file",
    ]);
    a.once(writeState);
    expect(done.filter((d) => d === "state file")).toHaveLength(2);
  });

  it("still runs the work when the transitions throw, and work handed over by work runs at once", () => {
    const a = new AfterTransitions();
    const done: string[] = [];
    expect(() => a.run(() => {
      a.at("effects", () => {
        done.push("first");
        a.at("routes", () => done.push("from first"));
      });
      a.at("effects", () => done.push("second"));
      a.once(() => done.push("once"));
      throw new Error("bug");
    })).toThrow("bug");
    expect(done).toEqual(["first", "from first", "second", "once"]);
  });
});
