// inotify's events as a read returns them (struct inotify_event in host
// order, names NUL-padded to the kernel's alignment) and the directories
// watched on the way to a path that does not exist yet.
import { describe, expect, it } from "vitest";
import { parseInotifyEvents, watchPlaces } from "../../src/platform/inotify";
import { hostLittleEndian } from "../../src/platform/hostorder";

const IN_CREATE = 0x100;
const IN_IGNORED = 0x8000;

/** One event as the kernel lays it out: the name padded with NULs to `len`. */
function event(wd: number, mask: number, name: string, len: number): Uint8Array {
  const b = new Uint8Array(16 + len);
  const v = new DataView(b.buffer);
  v.setInt32(0, wd, hostLittleEndian);
  v.setUint32(4, mask, hostLittleEndian);
  v.setUint32(8, 0, hostLittleEndian);
  v.setUint32(12, len, hostLittleEndian);
  b.set(Buffer.from(name), 16);
  return b;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

describe("parseInotifyEvents", () => {
  it("reads each event of one read, its name without the padding", () => {
    const read = new Uint8Array(Buffer.concat([event(1, IN_CREATE, "ubus.sock", 16), event(1, IN_IGNORED, "", 0), event(-1, 0x4000, "", 0)]));
    const events = parseInotifyEvents(read);
    expect(events.map((e) => [e.wd, e.mask, text(e.name)])).toEqual([[1, IN_CREATE, "ubus.sock"], [1, IN_IGNORED, ""], [-1, 0x4000, ""]]);
  });

  it("reads a view into a larger buffer from its own offset, and ignores a cut tail", () => {
    const whole = new Uint8Array(Buffer.concat([new Uint8Array(8), event(3, IN_CREATE, "ubus", 16), event(3, IN_CREATE, "late", 16).subarray(0, 20)]));
    const events = parseInotifyEvents(whole.subarray(8));
    expect(events.map((e) => [e.wd, text(e.name)])).toEqual([[3, "ubus"]]);
  });

  it("keeps a name's bytes as they are, UTF-8 or not", () => {
    const raw = event(2, IN_CREATE, "", 16);
    raw.set([0xff, 0xfe, 0x41], 16);
    expect([...(parseInotifyEvents(raw)[0]?.name ?? [])]).toEqual([0xff, 0xfe, 0x41]);
  });
});

describe("watchPlaces", () => {
  it("is the socket's directory first, then each ancestor for the next directory down", () => {
    expect(watchPlaces("/var/run/ubus/ubus.sock")).toEqual([
      { dir: "/var/run/ubus", name: "ubus.sock" },
      { dir: "/var/run", name: "ubus" },
      { dir: "/var", name: "run" },
      { dir: "/", name: "var" },
    ]);
    expect(watchPlaces("/var/run/ubus.sock")[0]).toEqual({ dir: "/var/run", name: "ubus.sock" });
  });

  it("keeps a relative path relative, and skips empty and `.` components", () => {
    expect(watchPlaces("run//./ubus.sock")).toEqual([{ dir: "run", name: "ubus.sock" }, { dir: ".", name: "run" }]);
  });
});
