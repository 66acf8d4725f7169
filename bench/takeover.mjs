#!/usr/bin/env node
// Where the client's outage goes in a router death, from the failover
// timelines of bench results (node bench/run.mjs --only failover records
// one per repetition): per daemon, medians (min–max) over every timeline,
// in ms after the dead master's last advert — the backup's first advert,
// its first gratuitous ARP, the client's last reply through the dead
// master (before that advert) and its first probe after the ARP.
//   node bench/takeover.mjs bench/results/<file>.jsonl...
import { readFileSync } from "node:fs";

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const MEASURES = {
  "B's first advert": (t) => t.advB - t.lastA,
  "B's first gratuitous ARP": (t) => t.garp - t.lastA,
  "the client's last reply through A, before A's last advert": (t) => t.lastA - t.lastReplyA,
  "the client's next probe, after B's first gratuitous ARP": (t) => t.probe - t.garp,
};

const by = new Map();
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line);
    if (r.type !== "timeline") continue;
    const ev = r.events;
    const lastA = ev.filter((e) => e.kind === "advert" && e.router === "a" && e.prio > 0 && e.t < r.fault).at(-1)?.t;
    const advB = ev.find((e) => e.kind === "advert" && e.router === "b" && e.prio > 0 && e.t > r.fault)?.t;
    const garp = ev.find((e) => e.kind === "garp" && e.t > r.fault)?.t;
    const firstReplyB = ev.find((e) => e.kind === "echo-reply" && e.router === "b")?.t;
    const lastReplyA = ev.filter((e) => e.kind === "echo-reply" && e.router !== "b" && e.t < (firstReplyB ?? Infinity)).at(-1)?.t;
    const probe = ev.find((e) => e.kind === "echo-request" && garp !== undefined && e.t > garp)?.t;
    const t = { lastA, advB, garp, lastReplyA, probe };
    if (Object.values(t).some((x) => x === undefined)) continue;
    const key = `${r.impl} ${r.profile}`;
    if (!by.has(key)) by.set(key, []);
    by.get(key).push(t);
  }
}
for (const [key, timelines] of by) {
  console.log(`${key}: ${timelines.length} timelines`);
  for (const [name, f] of Object.entries(MEASURES)) {
    const v = timelines.map(f);
    console.log(`  ${name}: ${median(v).toFixed(1)} ms (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})`);
  }
}
