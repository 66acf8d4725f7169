// The bench's smoke variant (`make bench-smoke`): one router death and one
// failing check script at VRRPv3, 100 ms adverts, for floatgw and
// keepalived, and floatgw's DHCP continuity, through the same code as
// `make bench`. Checks that the output is well-formed and plausible, never
// a tight timing: the machine is shared and bench/ is where time is judged.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { ROOT, must, requireBinary } from "./lab";

interface Record {
  type: string;
  [k: string]: unknown;
}

it("bench-smoke measures a router death and a tracked failure for both daemons and floatgw's DHCP continuity", async () => {
  requireBinary();
  must(["keepalived", "--version"]);
  const dir = mkdtempSync(join(tmpdir(), "fg-bench-smoke-"));
  try {
    const out = join(dir, "smoke.jsonl");
    // Not a synchronous run: it takes about a minute, and a test worker
    // whose event loop is blocked that long misses vitest's own deadline
    // for reporting to the main process ("Timeout calling onTaskUpdate"),
    // which fails the whole run.
    await promisify(execFile)("node", [join(ROOT, "bench/run.mjs"), "--smoke", "--out", out], { timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
    const records = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record);
    expect(records[0]).toMatchObject({ type: "machine", smoke: true, cpus: expect.any(Number) as number });
    expect(records.at(-1)).toMatchObject({ type: "end", failures: 0 });
    expect(records.filter((r) => r.type === "error")).toEqual([]);
    for (const impl of ["floatgw", "keepalived"]) {
      const election = records.find((r) => r.measure === "election" && r.impl === impl)!;
      expect(election.winner).toBe("a");
      expect(election.ms).toBeGreaterThan(0);
      const death = records.find((r) => r.measure === "death" && r.impl === impl)!;
      // The backup took over, after the master had gone silent, and the
      // client saw a gap and lost probes in between, but not all of them.
      expect(death.takeoverMs).toBeGreaterThan(100);
      expect(death.takeoverMs).toBeLessThan(5000);
      expect(death.outageMs).toBeGreaterThan(0);
      expect(death.lost).toBeGreaterThan(0);
      expect(death.lost).toBeLessThan(death.sent as number);
      const timeline = records.find((r) => r.type === "timeline" && r.impl === impl)!;
      const events = timeline.events as { kind: string; router: string }[];
      expect(events.some((e) => e.kind === "vip-add" && e.router === "b")).toBe(true);
      expect(events.some((e) => e.kind === "garp" && e.router === "b")).toBe(true);
      // The check script fails; the backup holds the VIP once it has failed
      // `fall` times (1 s apart) and the master went to FAULT.
      const tracked = records.find((r) => r.measure === "track-script" && r.impl === impl)!;
      expect(tracked.takeoverMs).toBeGreaterThan(500);
      expect(tracked.takeoverMs).toBeLessThan(10_000);
    }
    // The client renewed with B for the address A gave it, with no NAK, and
    // B's dnsmasq had the replicated lease when it started serving.
    const dhcp = records.find((r) => r.measure === "dhcp")!;
    expect(dhcp).toMatchObject({ impl: "floatgw", sameAddress: 1, naks: 0, replicated: 1 });
    expect(dhcp.address).toMatch(/^198\.18\.0\.\d+$/);
    expect(dhcp.dhcpOnMs).toBeGreaterThan(100);
    expect(dhcp.ackMs).toBeGreaterThan(dhcp.dhcpOnMs as number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
