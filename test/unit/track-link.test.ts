// What a link change means, on a fake clock and without a kernel: the
// settle before "down", the grace for a deleted device, and the VIP
// restore after someone removed an address.
import { describe, expect, it } from "vitest";
import { msAt } from "../../src/core/units";
import { LINK_SETTLE_MS, type LinkEvent, type LinkState, createLink, stepLink } from "../../src/track/link";

class Driver {
  now = 0;
  deadline: number | null = null;
  readonly log: string[] = [];

  constructor(public state: LinkState) {}

  feed(e: LinkEvent): void {
    const r = stepLink(this.state, e, msAt(this.now));
    this.state = r.state;
    this.deadline = r.nextDeadline;
    for (const a of r.actions) this.log.push(`${this.now}: ${a.kind === "report" ? `report ${a.presence}` : "restore"} (${a.reason})`);
  }

  at(t: number, e?: LinkEvent): void {
    while (this.deadline !== null && this.deadline <= t) {
      this.now = this.deadline;
      this.feed({ kind: "timeout" });
    }
    this.now = t;
    if (e) this.feed(e);
  }
}

describe("link model", () => {
  it("reports up at once and down after the settle time", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, { kind: "link", up: false });
    expect(d.log).toEqual([]);
    d.at(10 + LINK_SETTLE_MS);
    d.at(500, { kind: "link", up: true });
    expect(d.log).toEqual(["110: report down (interface br-lan down)", "500: report up (interface br-lan up)"]);
  });

  it("settles from the first of several down messages (flags, then operstate)", () => {
    const d = new Driver(createLink("wan", "up"));
    d.at(10, { kind: "link", up: false });
    d.at(45, { kind: "link", up: false });
    d.at(1000);
    expect(d.log).toEqual([`${10 + LINK_SETTLE_MS}: report down (interface wan down)`]);
    d.at(1100, { kind: "link", up: false });
    d.at(2000);
    expect(d.log).toHaveLength(1);
  });

  it("ignores a carrier flap shorter than the settle time", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, { kind: "link", up: false });
    d.at(60, { kind: "link", up: true });
    d.at(1000);
    expect(d.log).toEqual([]);
  });

  it("gives a deleted device its grace, and restores the VIPs when it comes back up in time", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(0, { kind: "link", up: false });
    d.at(1, { kind: "deleted", graceMs: 1000 });
    d.at(300, { kind: "link", up: false }); // re-created, not up yet
    d.at(400, { kind: "link", up: true });
    d.at(3000);
    expect(d.log).toEqual(["400: restore (br-lan re-created)"]);
    expect(d.state.reported).toBe("up");
  });

  it("reports a deleted device missing when the grace runs out", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(1, { kind: "deleted", graceMs: 1000 });
    d.at(5000);
    expect(d.log).toEqual(["1001: report missing (interface br-lan missing)"]);
    d.at(6000, { kind: "link", up: true });
    expect(d.log.at(-1)).toBe("6000: report up (interface br-lan up)");
  });

  it("reports a device that appears down at once (nothing to settle)", () => {
    const d = new Driver(createLink("eth1", "missing"));
    d.at(5, { kind: "link", up: false });
    expect(d.log).toEqual(["5: report down (interface eth1 down)"]);
  });

  it("restores the VIPs once the link has settled after an address was deleted", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(0, { kind: "addressDeleted" });
    d.at(50, { kind: "addressDeleted" });
    d.at(1000);
    expect(d.log).toEqual([`${LINK_SETTLE_MS}: restore (VIP removed from br-lan by someone else)`]);
  });

  it("does not restore on a link that went down or away meanwhile", () => {
    const down = new Driver(createLink("br-lan", "up"));
    down.at(0, { kind: "addressDeleted" });
    down.at(10, { kind: "link", up: false });
    down.at(1000);
    expect(down.log).toEqual(["110: report down (interface br-lan down)"]);
    const gone = new Driver(createLink("br-lan", "up"));
    gone.at(0, { kind: "addressDeleted" });
    gone.at(10, { kind: "deleted", graceMs: 5000 });
    gone.at(1000);
    expect(gone.log).toEqual([]);
  });
});
