// What a link change means, on a fake clock and without a kernel: a carrier
// loss at once on a device with its own carrier, after a short settle on
// one whose carrier the kernel derives (a bridge), the longer settle before
// an administrative "down", the grace for a deleted device, and the VIP
// restore after someone removed an address.
import { describe, expect, it } from "vitest";
import { msAt } from "../../src/core/units";
import { CARRIER_SETTLE_MS, LINK_SETTLE_MS, type LinkEvent, type LinkState, createLink, ownCarrier, portsLost, stepLink } from "../../src/track/link";

// A bridge's messages (its carrier derived from its ports) unless named OWN_.
const UP: LinkEvent = { kind: "link", adminUp: true, carrier: true, ownCarrier: false };
/** Carrier lost (the bridge's last port gone, or leaving to come back), still administratively up. */
const NO_CARRIER: LinkEvent = { kind: "link", adminUp: true, carrier: false, ownCarrier: false };
/** `ip link set down`, and the kernel's first message when it deletes a device. */
const ADMIN_DOWN: LinkEvent = { kind: "link", adminUp: false, carrier: false, ownCarrier: false };
/** The same of a device with a carrier of its own (a NIC, a veth). */
const OWN_UP: LinkEvent = { ...UP, ownCarrier: true };
const OWN_NO_CARRIER: LinkEvent = { ...NO_CARRIER, ownCarrier: true };
const OWN_ADMIN_DOWN: LinkEvent = { ...ADMIN_DOWN, ownCarrier: true };
/** Every port of the bridge up without carrier, and back. */
const PORTS_LOST: LinkEvent = { kind: "ports", lost: true };
const PORTS_BACK: LinkEvent = { kind: "ports", lost: false };

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

  it("reports a carrier loss of a device with its own carrier (a cut cable, a veth's peer down) at once", () => {
    const d = new Driver(createLink("wan", "up"));
    d.at(10, OWN_NO_CARRIER);
    expect(d.log).toEqual(["10: report down (interface wan down)"]);
    expect(d.deadline).toBeNull();
    d.at(11, OWN_NO_CARRIER); // the kernel's second message of the same loss (operstate)
    d.at(500, OWN_UP);
    expect(d.log).toEqual(["10: report down (interface wan down)", "500: report up (interface wan up)"]);
  });

  it("still settles an administrative down of a device with its own carrier (a deletion starts so)", () => {
    const d = new Driver(createLink("wan", "up"));
    d.at(10, OWN_ADMIN_DOWN);
    d.at(20, { kind: "deleted", graceMs: 1000 });
    d.at(300, OWN_UP);
    d.at(3000);
    expect(d.log).toEqual(["300: restore (wan re-created)"]);
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

  it("reports a bridge down at once when every port lost carrier, before the bridge says so", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, PORTS_LOST);
    expect(d.log).toEqual(["10: report down (interface br-lan down (every port lost carrier))"]);
    d.at(700, NO_CARRIER); // the bridge's own word, out of the kernel's linkwatch queue
    d.at(2000);
    expect(d.log).toHaveLength(1);
    d.at(2500, PORTS_BACK);
    expect(d.log).toHaveLength(1); // the bridge's flags still say no carrier
    d.at(2500.1, UP);
    expect(d.log.at(-1)).toBe("2500.1: report up (interface br-lan up)");
  });

  it("reports up at once when a port is back before the bridge ever reported its loss", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, PORTS_LOST);
    d.at(300, PORTS_BACK);
    expect(d.log).toEqual(["10: report down (interface br-lan down (every port lost carrier))", "300: report up (interface br-lan up)"]);
    d.at(900, UP);
    expect(d.log).toHaveLength(2);
  });

  it("keeps the bridge down while its ports are lost, whatever the bridge's own flags say", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, PORTS_LOST);
    d.at(20, UP);
    d.at(1000);
    expect(d.log).toEqual(["10: report down (interface br-lan down (every port lost carrier))"]);
    expect(d.state.reported).toBe("down");
  });

  it("shortens a pending carrier settle when the ports say the loss is real", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, NO_CARRIER);
    d.at(12, PORTS_LOST);
    d.at(1000);
    expect(d.log).toEqual(["12: report down (interface br-lan down (every port lost carrier))"]);
  });

  it("forgets the ports of a deleted bridge", () => {
    const d = new Driver(createLink("br-lan", "up"));
    d.at(10, PORTS_LOST);
    d.at(20, { kind: "deleted", graceMs: 1000 });
    expect(d.state.portsLost).toBe(false);
    d.at(300, UP);
    expect(d.log.at(-1)).toBe("300: report up (interface br-lan up)");
  });
});

describe("ownCarrier", () => {
  it("holds for a hardware driver's device (no kind), a veth and a DSA switch port", () => {
    expect([null, "veth", "dsa"].map(ownCarrier)).toEqual([true, true, true]);
  });
  it("not for a device whose carrier the kernel derives from others, nor for a kind it does not know", () => {
    expect(["bridge", "bond", "team", "vlan", "macvlan", "something-new"].map(ownCarrier)).toEqual([false, false, false, false, false, false]);
  });
});

describe("portsLost", () => {
  const port = (adminUp: boolean, carrier: boolean) => ({ adminUp, carrier });
  it("holds only when there are ports and every one is up without carrier", () => {
    expect(portsLost([port(true, false)])).toBe(true);
    expect(portsLost([port(true, false), port(true, false)])).toBe(true);
    expect(portsLost([port(true, false), port(true, true)])).toBe(false);
  });
  it("leaves a bridge without ports (one re-adding its port) and a port set down to the bridge's own flags", () => {
    expect(portsLost([])).toBe(false);
    expect(portsLost([port(false, false)])).toBe(false);
    expect(portsLost([port(true, false), port(false, false)])).toBe(false);
  });
});
