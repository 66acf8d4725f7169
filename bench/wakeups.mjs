#!/usr/bin/env node
// Where an idle daemon's CPU per advert goes, floatgw and keepalived side by
// side (as root): both pairs idle at once, each in its own lab, then per
// process of each daemon, per advert, over one window:
//   on-CPU µs and timeslices (wake-ups) from /proc/PID/schedstat,
//   VmRSS (/proc/PID/status) and Pss (/proc/PID/smaps_rollup) at the window's end,
//   and, over a second window under `strace -f -c`, system calls by name.
//   node bench/wakeups.mjs [--profile v3] [--window 20] [--vrids 1] [--floatgwd PATH] [--wire]
// (--floatgwd: another build of floatgwd than build/x86_64/floatgwd, e.g. one
// with a feature disabled, to measure that feature's share; --wire: with the
// lab's capture of the switch, as the failover measures run, which wakes for
// every advert and is billed to the sender, as bench/run.mjs's idle cost is not)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { IMPLS, PROFILES } from "./daemons.mjs";
import { LIVE, Lab, sleep } from "./lab.mjs";

const { values: opt } = parseArgs({
  options: {
    profile: { type: "string", default: "v3" },
    window: { type: "string", default: "20" },
    vrids: { type: "string", default: "1" },
    floatgwd: { type: "string" },
    wire: { type: "boolean", default: false }, // named floatgwd: the bench finds its processes by name
  },
});
// Whatever ends the run, nothing of the labs stays behind.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    for (const lab of [...LIVE]) lab.cleanup();
    process.exit(130);
  });
}
const windowS = Number(opt.window);
const vrids = Number(opt.vrids);
const adverts = (windowS * 1000 / PROFILES[opt.profile].advertMs) * vrids;

/** On-CPU ns and timeslices of a process, summed over its threads; null
 * once it is gone (a helper child replaced in the window: a new plan, a
 * listener that reported silence on a loaded machine). */
function sched(pid) {
  try {
    const [ns, , slices] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(" ").map(Number);
    return { ns, slices };
  } catch {
    return null;
  }
}

/** Resident and proportional set sizes of a process, in KiB; null once it
 * is gone (as sched). */
function memory(pid) {
  try {
    return {
      rssKb: Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]),
      pssKb: Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))[1]),
    };
  } catch {
    return null;
  }
}

/** `strace -f -c` on the pids for the window: {syscall: calls}. */
async function syscalls(pids) {
  const child = spawn("strace", ["-f", "-c", "-U", "calls,name", ...pids.flatMap((p) => ["-p", String(p)])],
    { stdio: ["ignore", "ignore", "pipe"] });
  // Listened for at once: strace ends by itself when its process is gone.
  const exited = new Promise((r) => child.on("exit", r));
  let out = "";
  child.stderr.on("data", (s) => (out += s));
  await sleep(windowS * 1000);
  child.kill("SIGINT");
  await exited;
  const calls = {};
  for (const m of out.matchAll(/^\s*(\d+)\s+(\w+)\s*$/gm)) if (m[2] !== "total") calls[m[2]] = Number(m[1]);
  return calls;
}

const labs = [];
const daemons = [];
try {
  for (const impl of ["floatgw", "keepalived"]) {
    const lab = new Lab("w");
    labs.push(lab);
    await lab.up({ wire: opt.wire });
    const d = { impl, a: new IMPLS[impl](lab, "a", opt.profile, { vrids }), b: new IMPLS[impl](lab, "b", opt.profile, { vrids }) };
    daemons.push(d);
    if (impl === "floatgw" && opt.floatgwd) for (const r of [d.a, d.b]) r.argv = () => [opt.floatgwd, ...Object.getPrototypeOf(r).argv.call(r).slice(1)];
    d.a.start();
    d.b.start();
  }
  for (const [i, lab] of labs.entries()) await lab.until(() => lab.holds.a && !lab.holds.b, 30_000, `${daemons[i].impl}: A alone holding the VIP`);
  await sleep(5000);
  const procs = daemons.flatMap((d) => ["a", "b"].flatMap((r) => d[r].costPids().map((pid) =>
    ({ impl: d.impl, role: r === "a" ? "master" : "backup", pid, comm: readFileSync(`/proc/${pid}/comm`, "utf8").trim() }))));
  const load = loadavg()[0];
  const before = procs.map((p) => sched(p.pid));
  await sleep(windowS * 1000);
  const after = procs.map((p) => sched(p.pid));
  const mem = procs.map((p) => memory(p.pid));
  const calls = await Promise.all(procs.map((p) => syscalls([p.pid])));
  console.log(`${opt.profile}, ${vrids} VRID(s), ${windowS} s windows, ${adverts} adverts each; load average ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
  console.log("| daemon | role | process | VmRSS KiB | Pss KiB | on-CPU µs/advert | wake-ups/advert | syscalls/advert | by name (per advert) |");
  console.log("|---|---|---|---:|---:|---:|---:|---:|---|");
  for (const [i, p] of procs.entries()) {
    const per = (n) => (n / adverts).toFixed(2);
    if (before[i] === null || after[i] === null || mem[i] === null) {
      console.log(`| ${p.impl} | ${p.role} | ${p.comm} ${p.pid} | gone during the window | | | |`);
      continue;
    }
    const total = Object.values(calls[i]).reduce((a, b) => a + b, 0);
    const names = Object.entries(calls[i]).sort((x, y) => y[1] - x[1]).map(([n, c]) => `${n} ${per(c)}`).join(", ");
    console.log(`| ${p.impl} | ${p.role} | ${p.comm} ${p.pid} | ${mem[i].rssKb} | ${mem[i].pssKb} | ${((after[i].ns - before[i].ns) / 1000 / adverts).toFixed(1)} | `
      + `${per(after[i].slices - before[i].slices)} | ${per(total)} | ${names} |`);
  }
  // Each router's whole daemon (its processes summed), as bench/cost.mjs reports it.
  for (const impl of ["floatgw", "keepalived"]) for (const role of ["master", "backup"]) {
    const mine = [...procs.keys()].filter((i) => procs[i].impl === impl && procs[i].role === role);
    if (mine.some((i) => before[i] === null || after[i] === null || mem[i] === null)) {
      console.log(`| ${impl} | ${role} | all ${mine.length} | a process gone during the window | | | | | |`);
      continue;
    }
    const sum = (f) => mine.reduce((n, i) => n + f(i), 0);
    console.log(`| ${impl} | ${role} | all ${mine.length} | ${sum((i) => mem[i].rssKb)} | ${sum((i) => mem[i].pssKb)} | `
      + `${(sum((i) => after[i].ns - before[i].ns) / 1000 / adverts).toFixed(1)} | | | |`);
  }
} finally {
  for (const lab of labs) lab.cleanup();
  for (const d of daemons) {
    d.a.dispose();
    d.b.dispose();
  }
}
