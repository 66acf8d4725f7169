#!/usr/bin/env node
// Soak (`make soak`, root; not part of make test): two floatgwd with four
// VRIDs at 10 ms adverts for an hour on the namespace lab. Counts the
// transitions after the first election (spurious: nothing happens to the
// routers) and samples each daemon's RSS once a minute; RSS is flat when the
// last sample is within 5 % of the one taken after a warm-up of 5 minutes.
//   node bench/soak.mjs [--minutes 60] [--out FILE]
// Writes one JSON object to bench/results/soak-<time>.json (or FILE).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FLOATGWD, ROOT, must, run, sleep } from "./lab.mjs";

const { values: opt } = parseArgs({ options: { minutes: { type: "string", default: "60" }, out: { type: "string" } } });
const minutes = Number(opt.minutes);
const WARMUP_MIN = Math.min(5, Math.floor(minutes / 2));
const VRIDS = [51, 52, 53, 54];
const prefix = `fgsk${process.pid.toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "fgsoak-"));
const children = [];

function config(priority) {
  const sections = VRIDS.map((vrid, i) => `
config vip 'v${vrid}'
\toption device 'br-lan'
\toption vrid '${vrid}'
\toption version '3'
\toption advert_int '0.01'
\toption priority '${priority}'
\tlist address '198.18.0.${1 + 10 * i}/24'
`);
  return `config floatgw 'global'\n\toption enabled '1'\n\toption hotplug '0'\n${sections.join("")}`;
}

const status = (role) => {
  const r = run([FLOATGWD, "status", "--json", "--run-dir", join(dir, role)], 10_000);
  return r.status === 0 ? JSON.parse(r.stdout) : null;
};
const transitions = (s) => s.instances.reduce((n, i) => n + i.counters.transitions, 0);
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  run(["bash", `${ROOT}/test/lab/lab.sh`, "down", prefix], 60_000);
  rmSync(dir, { recursive: true, force: true });
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => (cleanup(), process.exit(130)));

const started = new Date();
try {
  must(["bash", `${ROOT}/test/lab/lab.sh`, "up", prefix], 60_000);
  const pids = {};
  for (const [role, priority] of [["a", 150], ["b", 100]]) {
    writeFileSync(join(dir, `${role}.conf`), config(priority));
    const c = spawn("ip", ["netns", "exec", `${prefix}-${role}`, FLOATGWD, "run", "--config", join(dir, `${role}.conf`), "--run-dir", join(dir, role)],
      { stdio: "ignore" });
    children.push(c);
    pids[role] = c.pid;
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [a, b] = [status("a"), status("b")];
    if (a && b && a.instances.every((i) => i.state === "master") && b.instances.every((i) => i.state === "backup")) break;
    if (Date.now() > deadline) throw new Error("no steady election within 60 s");
    await sleep(200);
  }
  const base = { a: transitions(status("a")), b: transitions(status("b")) };
  const samples = [];
  for (let m = 0; m <= minutes; m++) {
    if (m > 0) await sleep(60_000);
    const [a, b] = [status("a"), status("b")];
    if (!a || !b) throw new Error(`a daemon stopped answering after ${m} min`);
    samples.push({ minute: m, rssKb: { a: rssKb(pids.a), b: rssKb(pids.b) }, spurious: { a: transitions(a) - base.a, b: transitions(b) - base.b } });
    console.log(`soak: ${m} min: RSS ${samples.at(-1).rssKb.a}/${samples.at(-1).rssKb.b} KiB, spurious transitions ${samples.at(-1).spurious.a}/${samples.at(-1).spurious.b}`);
  }
  const warm = samples[WARMUP_MIN];
  const last = samples.at(-1);
  const drift = (r) => (last.rssKb[r] - warm.rssKb[r]) / warm.rssKb[r];
  const result = {
    type: "soak", started: started.toISOString(), minutes, vrids: VRIDS.length, advertMs: 10, loadavg: loadavg(),
    spuriousTransitions: last.spurious.a + last.spurious.b,
    rssDriftPct: { a: Number((drift("a") * 100).toFixed(2)), b: Number((drift("b") * 100).toFixed(2)) },
    flat: Math.abs(drift("a")) <= 0.05 && Math.abs(drift("b")) <= 0.05, warmupMinutes: WARMUP_MIN, samples,
  };
  const out = opt.out ?? `${ROOT}/bench/results/soak-${started.toISOString().replace(/[:.]/g, "-").replace(/-\d+Z$/, "Z")}.json`;
  mkdirSync(join(out, ".."), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
  console.log(`soak: ${result.spuriousTransitions} spurious transitions, RSS drift ${result.rssDriftPct.a} % / ${result.rssDriftPct.b} %: ${out}`);
} finally {
  cleanup();
}
