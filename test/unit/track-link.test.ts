// What a link change means, on a fake clock and without a kernel: the short
// settle of a carrier loss, the longer one before an administrative "down", the grace for a
// deleted device, and the VIP restore after someone removed an address.
import { describe, expect, it } from "vitest";
import { msAt } from "../../src/core/units";
import { CARRIER_SETTLE_MS, LINK_SETTLE_MS, type LinkEvent, type LinkState, createLink, stepLink } from "../../src/track/link";

const UP: LinkEvent = { kind: "link", adminUp: true, carrier: true };
/** Carrier lost (a cut cable, the bridge's last port gone), still administratively up. */
const NO_CARRIER: LinkEvent = { kind: "link", adminUp: true, carrier: false };
/** `ip link set down`, and the kernel's first message when it deletes a device. */
const ADMIN_DOWN: LinkEvent = { kind: "link", adminUp: false, carrier: false };

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
  it("reports a carrier loss after its short settle, and up at once", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, NO_CARRIER);
    expect(d.log).toEqual([]);
    d.at(500, UP);
    expect(d.log).toEqual([`${10 + CARRIER_SETTLE_MS}: report down (interface br-lan down)`, "500: report up (interface br-lan up)"]);
  });

  it("ignores a bridge's carrier blink (its only port re-added)", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, NO_CARRIER);
    d.at(10.15, UP);
    d.at(1000);
    expect(d.log).toEqual([]);
    expect(CARRIER_SETTLE_MS).toBeLessThan(LINK_SETTLE_MS);
  });

  it("reports an administrative down after the settle time, and up at once", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, ADMIN_DOWN);
    expect(d.log).toEqual([]);
    d.at(10 + LINK_SETTLE_MS);
    d.at(500, UP);
    expect(d.log).toEqual([`${10 + LINK_SETTLE_MS}: report down (interface br-lan down)`, "500: report up (interface br-lan up)"]);
  });

  it("settles from the first of several down messages (flags, then operstate)", () => {
    const d = new Driver(createLink("wan", "up"));
    d.at(10, ADMIN_DOWN);
    d.at(45, ADMIN_DOWN);
    d.at(1000);
    expect(d.log).toEqual([`${10 + LINK_SETTLE_MS}: report down (interface wan down)`]);
    d.at(1100, ADMIN_DOWN);
    d.at(2000);
    expect(d.log).toHaveLength(1);
  });

  it("a carrier loss during the settle of an administrative down shortens it", () => {
    const d = new Driver(createLink("wan", "up"));
    d.at(10, ADMIN_DOWN);
    d.at(40, NO_CARRIER);
    d.at(1000);
    expect(d.log).toEqual([`${40 + CARRIER_SETTLE_MS}: report down (interface wan down)`]);
  });

  it("ignores an administrative down undone within the settle time", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, ADMIN_DOWN);
    d.at(60, UP);
    d.at(1000);
    expect(d.log).toEqual([]);
  });

  it("gives a deleted device its grace, and restores the VIPs when it comes back up in time", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(0, ADMIN_DOWN); // the kernel's first word on a deletion
    d.at(10, { kind: "deleted", graceMs: 1000 });
    d.at(300, ADMIN_DOWN); // re-created, not up yet
    d.at(400, UP);
    d.at(3000);
    expect(d.log).toEqual(["400: restore (br-lan re-created)"]);
    expect(d.state.reported).toBe("up");
  });

  it("reports a deleted device missing when the grace runs out", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(1, { kind: "deleted", graceMs: 1000 });
    d.at(5000);
    expect(d.log).toEqual(["1001: report missing (interface br-lan missing)"]);
    d.at(6000, UP);
    expect(d.log.at(-1)).toBe("6000: report up (interface br-lan up)");
  });

  it("reports a device that appears down at once (nothing to settle)", () => {
    const d = new Driver(createLink("eth1", "missing"));
    d.at(5, ADMIN_DOWN);
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
    down.at(10, NO_CARRIER);
    down.at(1000);
    expect(down.log).toEqual([`${10 + CARRIER_SETTLE_MS}: report down (interface br-lan down)`]);
    const gone = new Driver(createLink("br-lan", "up"));
    gone.at(0, { kind: "addressDeleted" });
    gone.at(10, { kind: "deleted", graceMs: 5000 });
    gone.at(1000);
    expect(gone.log).toEqual([]);
  });
});
