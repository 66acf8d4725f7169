// Floods of the lease channel (floatgw only: keepalived has none). One
// session = a fresh lab with lease replication on (dhcp '1' and a secret),
// then, for each kind of flood, 6 s of it from the client's namespace at the
// master (test/lab/attack.py flood). Recorded: the longest gap between two
// of the master's adverts on the wire during the flood (capture on the
// switch), the adverts sent against those due, and whether the backup took
// over. docs/robustness.md explains the receive path's budgets.
import { Floatgw, PROFILES, logTails } from "./daemons.mjs";
import { Lab, ROOT, ROUTERS, r1 } from "./lab.mjs";

const SECONDS = 6;
/** size in bytes, datagrams a second, source: the attacker's own address,
 * or the backup's (forged, so that each costs a MAC check). */
export const FLOODS = [
  { measure: "floodBig", size: 65000, rate: 200, from: "attacker" },
  { measure: "floodForged", size: 1400, rate: 2000, from: "backup" },
  { measure: "floodForgedMax", size: 1400, rate: 0, from: "backup" },
];

/** Runs the flood in the client's namespace and resolves with its stdout
 * (the datagrams it sent). Not a synchronous run: the event loop must keep
 * reading the capture meanwhile, or tcpdump blocks on a full pipe and the
 * kernel drops the adverts the measure counts (seconds of them at 10 ms). */
function floodFrom(lab, argv) {
  const child = lab.start("c", argv);
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (s) => (out += s));
  const bound = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve, reject) => child.on("exit", (code, signal) => {
    clearTimeout(bound);
    if (code === 0) resolve(out);
    else reject(new Error(`${argv.slice(0, 3).join(" ")} in c: ${signal ?? `exit ${code}`}: ${child.log}`));
  }));
}

export async function floodSession(profile, rep) {
  const adv = PROFILES[profile].advertMs;
  const bound = 20 * adv + 30_000;
  const lab = new Lab("f");
  const d = {};
  const records = [];
  try {
    await lab.up();
    for (const r of ["a", "b"]) {
      d[r] = new Floatgw(lab, r, profile, { leases: true });
      d[r].start();
    }
    await lab.until(() => lab.holds.a && !lab.holds.b && d.a.status()?.leaseChannel?.counters?.rx > 0, bound,
      "A holding the VIP, the lease channel up");
    for (const f of FLOODS) {
      const src = f.from === "backup" ? ROUTERS.b : "198.18.0.100";
      const becameBefore = d.b.status().instances[0].counters.becameMaster;
      const t0 = lab.mark("flood");
      const out = await floodFrom(lab, ["python3", `${ROOT}/test/lab/attack.py`, "flood", "eth0", src, ROUTERS.a, "7429",
        "--size", String(f.size), "--rate", String(f.rate), "--seconds", String(SECONDS), "--magic"]);
      const t1 = lab.mark("flood-end");
      // The capture's lines lag behind the wire (by seconds at 10 ms adverts
      // under the flood): wait until it shows a frame after the flood.
      await lab.until(() => lab.events.some((e) => e.src === "wire" && e.t > t1), 30_000, "the capture past the flood's end");
      const adverts = lab.events.filter((e) => e.kind === "advert" && e.router === "a" && e.prio > 0 && e.t >= t0 - adv && e.t <= t1).map((e) => e.t);
      let maxGap = 0;
      for (let i = 1; i < adverts.length; i++) maxGap = Math.max(maxGap, adverts[i] - adverts[i - 1]);
      const sent = Number(out.trim());
      records.push({ type: "result", measure: f.measure, impl: "floatgw", profile, rep, size: f.size, from: f.from,
        ratePerS: r1(sent / ((t1 - t0) / 1000)), maxAdvertGapMs: r1(maxGap), advertsOnTimePct: r1((100 * (adverts.length - 1) * adv) / (t1 - t0)),
        takeovers: d.b.status().instances[0].counters.becameMaster - becameBefore });
    }
    return records;
  } catch (err) {
    throw new Error(`flood ${profile} rep ${rep}: ${err.message}\n${logTails(d)}`);
  } finally {
    lab.cleanup();
    d.a?.dispose();
    d.b?.dispose();
  }
}
