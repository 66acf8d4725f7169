// Tracked failures: how long from the failure of something a tracker
// watches on the master to the backup holding the VIP, floatgw and
// keepalived configured alike (bench/daemons.mjs TRACK). One session = one
// fresh lab with a WAN for router A (a veth `wan` to a gateway namespace),
// both daemons of one implementation, and each failure in turn, repaired
// before the next: the check script's file removed (weight 0: FAULT), the
// weighted script's file removed (weight -60: A drops below B), the gateway
// dropping pings, the WAN device losing carrier.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IMPLS, PROFILES, logTails } from "./daemons.mjs";
import { Lab, r1, sleep } from "./lab.mjs";

const DROP_PINGS = "table inet fgbdrop {\n  chain input {\n    type filter hook input priority 0;\n    icmp type echo-request drop\n  }\n}\n";

/** Each failure: how to cause it and how to repair it. */
export const FAILURES = {
  script: { fail: (x) => rmSync(x.track.flag), repair: (x) => writeFileSync(x.track.flag, "") },
  weighted: { fail: (x) => rmSync(x.track.weighted), repair: (x) => writeFileSync(x.track.weighted, "") },
  ping: { fail: (x) => x.lab.nft("gw", `include "${x.rules}"`), repair: (x) => x.lab.nft("gw", "delete table inet fgbdrop") },
  link: { fail: (x) => x.lab.ip("gw", "link set eth0 down"), repair: (x) => x.lab.ip("gw", "link set eth0 up") },
};

export async function trackingSession(impl, profile, rep, { kinds = Object.keys(FAILURES) } = {}) {
  const adv = PROFILES[profile].advertMs;
  const bound = 20 * adv + 20_000;
  const lab = new Lab("t");
  const d = {};
  const records = [];
  try {
    await lab.up();
    lab.addWan();
    const dir = lab.tmpdir();
    const track = { flag: join(dir, "flag"), weighted: join(dir, "weighted") };
    writeFileSync(track.flag, "");
    writeFileSync(track.weighted, "");
    const rules = join(dir, "drop.nft");
    writeFileSync(rules, DROP_PINGS);
    const x = { lab, track, rules };
    d.a = new IMPLS[impl](lab, "a", profile, { track });
    d.b = new IMPLS[impl](lab, "b", profile);
    d.a.start();
    d.b.start();
    // A alone holds the VIP, with every tracker through its first results.
    const steady = async () => {
      await lab.until(() => lab.holds.a && !lab.holds.b, bound, "A alone holding the VIP");
      await sleep(Math.max(3 * adv, 1500));
    };
    await steady();
    for (const kind of kinds) {
      const t0 = lab.mark(`${kind} fails`);
      FAILURES[kind].fail(x);
      const took = await lab.next((e) => e.kind === "vip-add" && e.router === "b", bound, `B taking the VIP after the ${kind} failure`, t0);
      records.push({ type: "result", measure: `track-${kind}`, impl, profile, rep, takeoverMs: r1(took.t - t0) });
      FAILURES[kind].repair(x);
      await steady();
    }
    return records;
  } catch (err) {
    throw new Error(`${impl} ${profile} rep ${rep} tracking: ${err.message}\n${logTails(d)}`);
  } finally {
    lab.cleanup();
    d.a?.dispose();
    d.b?.dispose();
  }
}
