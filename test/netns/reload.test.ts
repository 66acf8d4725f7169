// Reloading /etc/config/floatgw (SIGHUP, what procd's reload sends) and the
// hotplug hooks, on the real kernel: a changed priority applies live without
// a transition or a lost probe, an invalid file changes nothing, a removed
// section resigns, and hooks get the documented environment in order.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FLOATGWD, ROOT } from "./lab";
import { sleep, uci, useLab, VIP, VIP6, waitFor, withGlobal } from "./routers";

const { lab, topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };

function pair(a: Record<string, string | string[]>[], b: Record<string, string | string[]>[]) {
  const r = topology();
  r.a.startFloatgw(uci(...a));
  r.b.startFloatgw(uci(...b));
  return r;
}

/** 10 ms pings from the client for `seconds`, summarised by ping-gap.mjs. */
async function probe(ns: string, seconds: number, during: () => Promise<void>): Promise<{ lost: number; sent: number }> {
  const ping = lab.start(ns, ["timeout", "-s", "INT", String(seconds), "ping", "-D", "-n", "-i", "0.01", "-W", "1", VIP]);
  let out = "";
  ping.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  const done = new Promise((r) => ping.on("exit", r));
  await sleep(300);
  await during();
  await done;
  const gap = spawn("node", [join(ROOT, "test/lab/ping-gap.mjs")]);
  let summary = "";
  gap.stdout.on("data", (b: Buffer) => (summary += b.toString()));
  gap.stdin.end(out);
  await new Promise((r) => gap.on("exit", r));
  return JSON.parse(summary);
}

describe("reload (SIGHUP)", () => {
  it("applies a changed priority live: no transition, no lost probe", async () => {
    const { ns, a, b } = pair([{ ...FAST, priority: "150" }], [{ ...FAST, priority: "100" }]);
    await waitFor("A master", () => a.state() === "master" && b.state() === "backup");
    const transitions = [a.instance()!.counters.transitions, b.instance()!.counters.transitions];
    const probes = await probe(ns.c, 2, async () => {
      a.reload(uci({ ...FAST, priority: "170" }));
      b.reload(uci({ ...FAST, priority: "120" }));
      await waitFor("new priorities", () => a.instance()?.priority.effective === 170 && b.instance()?.priority.effective === 120);
    });
    // That the probes covered the reload, not how fast ping sends: asked
    // for one every 10 ms, it sent 94 in its 2 s on a loaded CI machine.
    expect(probes.sent).toBeGreaterThan(50);
    expect(probes.lost).toBe(0);
    await waitFor("B hears priority 170", () => b.instance()?.peer?.priority === 170);
    expect([a.instance()!.counters.transitions, b.instance()!.counters.transitions]).toEqual(transitions);
    expect(a.instance()!.priority).toEqual({ base: 170, effective: 170, contributions: [{ source: "base", value: 170, detail: "configured priority" }] });
    await waitFor("the daemon's word on it", () => a.log.includes("priority 150 -> 170"));
  });

  it("rejects an invalid file, logs why, and keeps the running instance", async () => {
    const { a, b } = pair([{ ...FAST, priority: "150" }], [{ ...FAST, priority: "100" }]);
    await waitFor("A master", () => a.state() === "master" && b.state() === "backup");
    const before = a.instance()!;
    a.reload(uci({ ...FAST, priority: "150", vrid: "300" }));
    await waitFor("the rejection logged", () => a.log.includes("rejected; the running instances are unchanged"));
    expect(a.log).toContain("vip 'lan': vrid '300' is out of range 1-255");
    await sleep(300);
    const after = a.instance()!;
    expect(after.state).toBe("master");
    expect(after.vrid).toBe(51);
    expect(after.counters.transitions).toBe(before.counters.transitions);
  });

  it("makes a removed section resign and leaves the others alone", async () => {
    const both = (priority: string) => [
      { ...FAST, priority },
      { ...FAST, priority, name: "lan6", address: [`${VIP6}/64`] },
    ];
    const { a, b } = pair(both("150"), both("100"));
    await waitFor("A master of both", () => a.status()?.instances.every((i) => i.state === "master"));
    a.reload(uci(both("150")[0]!));
    await waitFor("B master of lan6", () => b.status()?.instances.find((i) => i.name === "lan6")?.state === "master");
    const b6 = b.status()!.instances.find((i) => i.name === "lan6")!;
    expect(b6.transitions.at(-1)?.reason).toBe("priority 0 from master fe80::" + b6.transitions.at(-1)!.reason.split("fe80::")[1]);
    expect(a.status()!.instances.map((i) => [i.name, i.state])).toEqual([["lan", "master"]]);
    expect(a.has(VIP6)).toBe(false);
    expect(b.status()!.instances.find((i) => i.name === "lan")!.state).toBe("backup");
    await waitFor("the daemon's word on it", () => a.log.includes("stopping: removed from the configuration"));
    // The dead-man switch now holds lan alone; the old one left without firing.
    await waitFor("one watcher on A", () => a.watchers().length === 1);
    await sleep(1500);
    expect(b.status()!.instances.find((i) => i.name === "lan6")!.counters?.priorityZeroRx).toBe(1);
    expect(a.log).not.toContain("dead-man switch fired");
  });
});

describe("hotplug hooks", () => {
  it("get ACTION, INSTANCE, VRID, DEVICE, VIPS, PRIORITY and REASON, in order, the newest state only", async () => {
    const { a, b } = topology();
    const events = join(a.dir, "events");
    const hook = join(a.dir, "hook.sh");
    // A slow hook: the events must still arrive one at a time, in order;
    // transitions that come while one runs coalesce to the newest per instance.
    writeFileSync(hook, `#!/bin/sh\necho "start $INSTANCE" >> ${events}\nsleep 0.2\necho "$1|$ACTION|$INSTANCE|$VRID|$INTERFACE|$DEVICE|$VIPS|$PRIORITY|$FROM|$REASON" >> ${events}\n`);
    chmodSync(hook, 0o755);
    b.startFloatgw(uci({ ...FAST, priority: "100" }));
    await waitFor("B master first", () => b.state() === "master");
    a.startFloatgw(withGlobal(uci({ ...FAST, priority: "150" },
      { ...FAST, priority: "150", name: "guest", vrid: "52", address: ["198.18.0.51/24"] }), { hotplug: hook }));
    await waitFor("A master of both", () => a.status()?.instances.every((i) => i.state === "master"));
    // Had the daemon stopped before these ran, they would have been skipped:
    // by then the newest state is no longer master.
    await waitFor("both master hooks", () => existsSync(events) && readFileSync(events, "utf8").split("|master|").length === 3);
    expect(await a.stopFloatgw()).toBe(0);
    const all = await waitFor("both stop hooks", () => {
      const l = existsSync(events) ? readFileSync(events, "utf8").trim().split("\n") : [];
      return l.filter((x) => x.includes("|stop|")).length === 2 && l;
    }, 30_000);
    // Never two at once: every start is followed by its own end.
    for (let i = 0; i < all.length; i += 2) {
      expect(all[i]).toMatch(/^start /);
      expect(all[i + 1]?.split("|")[2]).toBe(all[i]!.slice("start ".length));
    }
    const lines = all.filter((l) => !l.startsWith("start "));
    const byInstance = (name: string) => lines.filter((l) => l.split("|")[2] === name).map((l) => l.split("|"));
    // Each instance: backup, master (taking over), backup (handing over at
    // stop), stop; a state superseded before its hook started is skipped,
    // the master and the stop always run, in that order.
    for (const [name, vrid, vip, why] of [
      ["lan", "51", `${VIP}/24`, "preempting lower priority 100 master 198.18.0.3"],
      ["guest", "52", "198.18.0.51/24", "master down timer expired"],
    ] as const) {
      const ev = byInstance(name);
      const actions = ev.map((e) => e[1]);
      let matched = 0;
      for (const x of ["backup", "master", "backup", "stop"]) if (actions[matched] === x) matched++;
      expect(matched, `${name}: ${actions.join(", ")}`).toBe(actions.length);
      expect(actions).toContain("master");
      expect(actions.at(-1)).toBe("stop");
      for (const e of ev) expect(e.slice(0, 1).concat(e.slice(3, 8))).toEqual(["floatgw", vrid, "", "br-lan", vip, "150"]);
      expect(ev.find((e) => e[1] === "master")![9]).toBe(why);
      const stop = ev.at(-1)!;
      expect(stop[8]).toBe("backup");
      expect(stop[9]).toBe("shutdown");
    }
  });
});

describe("configuration held against the device", () => {
  it("warns about a VIP outside every subnet of its device, and runs it anyway", async () => {
    const { a } = topology();
    a.startFloatgw(uci({ ...FAST, priority: "150", address: ["198.18.5.1/24"] }));
    await waitFor("A master", () => a.state() === "master" && a.has("198.18.5.1"));
    await waitFor("the warning", () => a.log.includes("vip 'lan': address '198.18.5.1' is outside every IPv4 subnet of br-lan (198.18.0.2/24)"));
  });
});

/** `floatgw reload` without waiting for it: its exit code and output when it ends. */
function reloadCli(dir: string): { exited: Promise<number | null>; out: () => string } {
  const cli = spawn(FLOATGWD, ["reload", "--run-dir", join(dir, "run")]);
  let out = "";
  cli.stdout.on("data", (x: Buffer) => (out += x.toString()));
  cli.stderr.on("data", (x: Buffer) => (out += x.toString()));
  return { exited: new Promise((resolve) => cli.on("exit", (code) => resolve(code))), out: () => out };
}

describe("reload of a huge file", () => {
  it("goes on advertising and answering while a child reads 10^4 sections: no takeover, and the replies come when it is done", async () => {
    const { a, b } = pair([{ ...FAST, priority: "150" }], [{ ...FAST, priority: "100" }]);
    await waitFor("A master", () => a.state() === "master" && b.state() === "backup");
    const transitions = b.instance()!.counters.transitions;
    // The running section plus 10^4 disabled ones: reading them took 1.5-3 s
    // of QuickJS on the event loop, several times B's 0.36 s
    // Master_Down_Interval (docs/robustness.md).
    const parts = [uci({ ...FAST, priority: "150" })];
    for (let i = 0; i < 10_000; i++)
      parts.push(`\nconfig vip 'off${i}'\n\toption enabled '0'\n\toption device 'lan${Math.floor(i / 255)}'\n\toption vrid '${(i % 255) + 1}'\n`
        + `\tlist address '198.19.${(i >> 8) & 255}.${i & 255}/15'\n`);
    writeFileSync(join(a.dir, "floatgw"), parts.join(""));
    // Two reloads, the second asked while the first reads: both are answered.
    const reloads = [reloadCli(a.dir), await sleep(100).then(() => reloadCli(a.dir))];
    const ended = Promise.all(reloads.map((r) => r.exited));
    let done = false;
    void ended.then(() => (done = true));
    // Polled while the file is read: B must never take over, and A's
    // control socket keeps answering.
    let polls = 0;
    while (!done) {
      expect(b.state()).toBe("backup");
      const asked = Date.now();
      expect(a.state()).toBe("master");
      expect(Date.now() - asked).toBeLessThan(1000);
      polls++;
      await sleep(50);
    }
    expect(polls).toBeGreaterThan(2);
    for (const r of reloads) {
      expect(await r.exited, r.out()).toBe(0);
      expect(r.out()).toContain("reloaded; running lan");
    }
    expect(a.log).toContain("reading it again after that");
    await sleep(500);
    expect(a.state()).toBe("master");
    expect(b.instance()!.counters.transitions).toBe(transitions);
    expect(a.log).toMatch(/reloaded in \d+ ms/);
  }, 60_000);
});
