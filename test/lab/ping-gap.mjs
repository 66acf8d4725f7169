// Reads `ping -D` output (stdin or a file) and prints one JSON line: probes
// sent and answered, lost probes, and the client's longest outage: the
// largest gap between two consecutive answers. Used by the demo and bench.
import { readFileSync } from "node:fs";

const text = readFileSync(process.argv[2] ?? 0, "utf8");
let last = null;
let maxGapMs = 0;
let answered = 0;
let maxSeq = 0;
for (const line of text.split("\n")) {
  const m = /^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)/.exec(line);
  if (!m) continue;
  const t = Number(m[1]) * 1000;
  maxSeq = Math.max(maxSeq, Number(m[2]));
  answered++;
  if (last !== null) maxGapMs = Math.max(maxGapMs, t - last);
  last = t;
}
const sent = Number(/(\d+) packets transmitted/.exec(text)?.[1] ?? maxSeq);
console.log(JSON.stringify({ sent, answered, lost: sent - answered, maxGapMs: Math.round(maxGapMs) }));
