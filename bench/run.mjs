#!/usr/bin/env node
// floatgw against keepalived on the namespace lab (`make bench`, as root).
//   node bench/run.mjs [--reps 3] [--idle 60] [--impl floatgw,keepalived] [--profile v2,v3,v3-10ms] [--out FILE]
//   node bench/run.mjs --only failover [--reps 8] [--profile v3-10ms] [--out FILE]
//                                             the failover session alone (election, death,
//                                             preempt, stop, SIGKILL, SIGSTOP, split brain,
//                                             switchover) with every failover's timeline; no
//                                             idle cost, sizes or REPORT.md
//   node bench/run.mjs --only tracking|sync [--reps 3] [--profile v3] [--out FILE]
//                                             the tracked failures or the sync group
//                                             session alone, both daemons side by side
//   node bench/run.mjs --only idle [--reps 3] [--idle 120] [--profile v2,v3,v3-10ms] [--out FILE]
//                                             the idle cost alone, each load `reps` times
//                                             (a full run does too), with each row's
//                                             floatgw/keepalived ratios and median
//   --floatgwd PATH                           runs the daemons from another build of floatgwd
//                                             (named floatgwd), e.g. to compare two builds
//   node bench/run.mjs --smoke [--out FILE]   one router death and one tracked script
//                                             failure, VRRPv3, both daemons, and
//                                             floatgw's DHCP continuity (< 90 s)
// Writes JSON lines (machine facts first, then one line per result) to
// bench/results/<time>.jsonl, or FILE; a full run then renders
// bench/REPORT.md and bench/failover.svg from that file (bench/report.mjs).
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { basename, dirname } from "node:path";
import { parseArgs } from "node:util";
import { idle, sizes } from "./cost.mjs";
import { Floatgw, IDLE_LOADS, Keepalived } from "./daemons.mjs";
import { dhcpSession } from "./dhcp.mjs";
import { floodSession } from "./flood.mjs";
import { LIVE, MONITOR_FIFO, PROBE_MS, ROOT, must, run } from "./lab.mjs";
import { idleRatios } from "./metrics.mjs";
import { render } from "./report.mjs";
import { session } from "./scenarios.mjs";
import { syncSession } from "./sync.mjs";
import { trackingSession } from "./tracking.mjs";

const { values: opt } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    reps: { type: "string", default: "3" },
    idle: { type: "string", default: "60" },
    impl: { type: "string", default: "floatgw,keepalived" },
    profile: { type: "string", default: "v2,v3,v3-10ms" },
    out: { type: "string" },
    only: { type: "string" },
    floatgwd: { type: "string" },
  },
});
if (opt.floatgwd !== undefined) {
  // The bench finds a daemon's processes in its namespace by their name
  // (Floatgw's comm): a binary named otherwise would never be signalled.
  if (basename(opt.floatgwd) !== "floatgwd") {
    console.error(`bench: --floatgwd must name a file called floatgwd (the bench finds its processes by that name), not ${opt.floatgwd}`);
    process.exit(2);
  }
  const argv = Floatgw.prototype.argv;
  Floatgw.prototype.argv = function () {
    return [opt.floatgwd, ...argv.call(this).slice(1)];
  };
}
const SESSIONS = ["failover", "tracking", "sync", "idle"];
if (opt.only !== undefined && !SESSIONS.includes(opt.only)) {
  console.error(`bench: --only takes one of ${SESSIONS.join(", ")}, not "${opt.only}"`);
  process.exit(2);
}
/** Whether this run includes `name`'s session (every one but with --only). */
const runs = (name) => opt.only === undefined || opt.only === name;
const failoverOnly = opt.only === "failover";
const partial = opt.only !== undefined;

if (process.getuid() !== 0) {
  console.error("bench: needs root (network namespaces)");
  process.exit(2);
}
// Whatever ends the run, nothing of the lab stays behind.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    for (const lab of [...LIVE]) lab.cleanup();
    process.exit(130);
  });
}

const stamp = new Date().toISOString().replace(/[:.]/g, "-").replace(/-\d+Z$/, "Z");
const out = opt.out ?? (opt.smoke ? `${ROOT}/build/bench/smoke.jsonl` : `${ROOT}/bench/results/${stamp}.jsonl`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, "");
const emit = (record) => appendFileSync(out, `${JSON.stringify(record)}\n`);

const impls = opt.impl.split(",");
const profiles = opt.smoke ? ["v3"] : opt.profile.split(",");
const reps = opt.smoke ? 1 : Number(opt.reps);
const started = Date.now();
// Read-only git: no optional locks, so the index is never rewritten.
const git = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.trim()
  + (run(["git", "--no-optional-locks", "-C", ROOT, "status", "--porcelain", "-uno"]).stdout.trim() ? "-dirty" : "");
emit({
  type: "machine", time: new Date().toISOString(), smoke: opt.smoke, only: opt.only ?? null, reps, kernel: must(["uname", "-r"]).trim(),
  cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg(), floatgw: Floatgw.version(), git,
  keepalived: Keepalived.version(), node: process.version, probeMs: PROBE_MS, monitorFifo: MONITOR_FIFO,
});

let failures = 0;
// Repetitions outermost and implementations innermost: a burst of load from
// elsewhere on the machine then hits both daemons alike.
for (let rep = 1; rep <= reps; rep++) {
  for (const profile of profiles) {
    const steps = !runs("failover") ? [] : impls.map((impl) => [impl, impl,
      () => session(impl, profile, rep, { smoke: opt.smoke, timeline: failoverOnly || (rep === 1 && profile === "v3") })]);
    if (runs("tracking")) for (const impl of impls)
      steps.push([impl, `${impl} tracking`, () => trackingSession(impl, profile, rep, opt.smoke ? { kinds: ["script"] } : {})]);
    if (!opt.smoke && runs("sync")) for (const impl of impls) steps.push([impl, `${impl} sync group`, () => syncSession(impl, profile, rep)]);
    // DHCP continuity has no keepalived counterpart: floatgw only.
    if (impls.includes("floatgw") && !partial) steps.push(["floatgw", "floatgw dhcp", () => dhcpSession(profile, rep)]);
    // Lease-channel floods: floatgw only too, and not in the smoke run.
    if (impls.includes("floatgw") && !opt.smoke && !partial) steps.push(["floatgw", "floatgw flood", () => floodSession(profile, rep)]);
    for (const [impl, name, step] of steps) {
      const t = Date.now();
      try {
        for (const r of await step()) emit(r);
        console.log(`bench: ${name} ${profile} rep ${rep}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures++;
        emit({ type: "error", impl, profile, rep, message: err.message.split("\n")[0] });
        console.error(`bench: ${err.message}`);
      }
    }
  }
}

if (!opt.smoke && !partial) for (const r of sizes()) emit(r);
if (!opt.smoke && runs("idle")) {
  const measured = [];
  // One window per repetition, so that REPORT.md's ratio is a median of
  // paired windows (one window moves by ±15 %); at least one, so that
  // `--reps 0` still measures the idle cost and sizes alone.
  for (let rep = 1; rep <= Math.max(reps, 1); rep++) {
    for (const load of IDLE_LOADS.filter((l) => profiles.includes(l.profile))) {
      console.log(`bench: idle cost, ${load.profile}, ${load.vrids} VRID(s), ${opt.idle} s, rep ${rep}`);
      // Both pairs idle at the same time, in separate labs: the window is
      // the same wall-clock time for both.
      for (const records of await Promise.all(impls.map((impl) => idle(impl, Number(opt.idle), load)))) {
        for (const r of records) {
          const window = { ...r, rep };
          emit(window);
          measured.push(window);
        }
      }
    }
  }
  printIdleRatios(measured);
}
/** Each idle row's floatgw / keepalived ratios of on-CPU time, one per
 * repetition, and their median. */
function printIdleRatios(records) {
  const perAdvert = (r) => (r.onCpuMs * 1000 * r.advertMs) / (r.windowS * 1000 * r.vrids);
  console.log("| load | role | floatgw µs/advert | keepalived µs/advert | ratios | median |");
  console.log("|---|---|---|---|---|---:|");
  for (const f of records.filter((r) => r.impl === "floatgw" && r.rep === 1)) {
    const { floatgw, keepalived, ratios, median } = idleRatios(records, f);
    console.log(`| ${f.profile}, ${f.vrids} VRID(s) | ${f.role} | ${floatgw.map((r) => perAdvert(r).toFixed(1)).join(", ")} | `
      + `${keepalived.map((r) => perAdvert(r).toFixed(1)).join(", ")} | ${ratios.map((x) => x.toFixed(2)).join(", ")} | ${median?.toFixed(2) ?? "—"} |`);
  }
}

emit({ type: "end", loadavg: loadavg(), seconds: Math.round((Date.now() - started) / 1000), failures });
console.log(`bench: results in ${out}`);
if (!opt.smoke && !partial) render(out);
process.exit(failures ? 1 : 0);
