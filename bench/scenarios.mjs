// One session = one fresh lab and one pair of daemons of one implementation
// and timer profile, taken through every timed measure in turn:
// election, router death, preempt, graceful stop, SIGKILL, split brain and
// (floatgw) switchover. Router A (priority 150) is the master each step
// starts from; B (100) is the backup. Times come from the events' own
// stamps (kernel packet times, `ip monitor`), not from when we woke up.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { IMPLS, PROFILES, logTails } from "./daemons.mjs";
import { Lab, Pinger, VIP, now, r1, sleep } from "./lab.mjs";

/** How long the split-brain step waits for the client to reach the VIP
 * after the heal before recording that it did not. */
const CLIENT_BACK_MS = 10_000;
/** How long the SIGKILL and SIGSTOP steps wait for the dead or hung
 * master's router to drop the VIP before recording that it did not. */
const VIP_GONE_LIMIT_MS = 5_000;
/** How many times the split-brain step partitions and heals in a session:
 * five at 100 ms adverts and below, where a heal takes a few seconds, one
 * at 1 s, where it takes about fifteen. */
const splitHeals = (advertMs) => (advertMs <= 100 ? 5 : 1);

export async function session(impl, profile, rep, { smoke = false, timeline = false } = {}) {
  const adv = PROFILES[profile].advertMs;
  const bound = 20 * adv + 10_000; // a generous limit for any one wait
  const lab = new Lab();
  const Impl = IMPLS[impl];
  const d = {};
  const records = [];
  const result = (measure, fields) => records.push({ type: "result", measure, impl, profile, rep, ...fields });
  const isAdvertFrom = (r) => (e) => e.kind === "advert" && e.router === r && e.prio > 0;
  const vip = (kind, r) => (e) => e.kind === kind && e.router === r;

  // A master, B not holding, and B has heard A for a few intervals.
  const steady = async () => {
    await lab.until(() => lab.holds.a && !lab.holds.b, bound, "A alone holding the VIP");
    await sleep(3 * adv + 100);
  };
  const restartA = async () => {
    d.a.start();
    await steady();
  };
  // Pings across `body`, going on until the client has heard from the new
  // holder for a while, so the longest gap is inside the window.
  const pinged = async (body) => {
    const ping = new Pinger(lab);
    await sleep(Math.max(300, adv));
    const out = await body();
    await sleep(Math.max(300, adv));
    return { ...out, ...(await ping.stop()) };
  };

  try {
    await lab.up();
    d.a = new Impl(lab, "a", profile);
    d.b = new Impl(lab, "b", profile);

    // Both daemons start on their cue, so the time is theirs from their exec.
    const cues = [d.a.start({ onCue: true }), d.b.start({ onCue: true })];
    await Promise.all(cues.map((cue) => cue.ready()));
    const t0 = lab.mark("start");
    for (const cue of cues) cue.give();
    const first = await lab.next((e) => e.kind === "vip-add", bound, "a VIP holder", t0);
    result("election", { ms: r1(first.t - t0), winner: first.router });
    await steady();

    // Router death: the fault follows one of A's adverts within a ms.
    const death = await pinged(async () => {
      await lab.next(isAdvertFrom("a"), bound, "an advert from A");
      const tFault = lab.mark("port-down");
      lab.switch("link set pa down");
      const took = await lab.next(vip("vip-add", "b"), bound, "B taking the VIP", tFault);
      const last = lab.lastBefore(tFault, isAdvertFrom("a"));
      await lab.next((e) => e.kind === "echo-reply" && e.router === "b", bound, "a reply from B", took.t);
      // The cut-off router notices too (its br-lan loses carrier through the
      // kernel's linkwatch, which may lag by up to a second) and lets go:
      // floatgw within a millisecond of the mark, so the search starts at
      // A's last advert, on the same clock as the VIP's stamp (the mark's
      // clock agrees with it to a fraction of a millisecond only).
      const dropped = await lab.next(vip("vip-del", "a"), bound, "A dropping the VIP", last.t);
      return { takeoverMs: r1(took.t - last.t), faultMs: r1(took.t - tFault), faultAfterAdvertMs: r1(tFault - last.t),
        deadDropMs: r1(dropped.t - tFault), tFault, tLast: Math.max(took.t, dropped.t) };
    });
    const { tFault, tLast, maxGapMs, answered, ...deathFields } = death;
    result("death", { ...deathFields, outageMs: maxGapMs });
    if (timeline) {
      const from = tFault - Math.max(3 * adv, 300);
      const to = tLast + Math.max(adv, 300);
      records.push({ type: "timeline", impl, profile, from, to, fault: tFault, macs: lab.macs,
        holdersAtStart: lab.holdersAt(from), events: lab.events.filter((e) => e.t >= from && e.t <= to && e.src !== "mark") });
    }
    if (smoke) return records;

    // Preempt: A's port returns; A comes back as backup and takes over.
    const preempt = await pinged(async () => {
      const tUp = lab.mark("port-up");
      lab.switch("link set pa up");
      const back = await lab.next(vip("vip-add", "a"), bound, "A taking the VIP back", tUp);
      await lab.until(() => lab.holds.a && !lab.holds.b, bound, "B releasing the VIP");
      return { preemptMs: r1(back.t - tUp) };
    });
    result("preempt", { preemptMs: preempt.preemptMs, outageMs: preempt.maxGapMs, lost: preempt.lost, sent: preempt.sent });
    await steady();

    // Graceful stop of the master.
    let tTermAt = 0;
    const stop = await pinged(async () => {
      const tTerm = lab.mark("sigterm");
      tTermAt = tTerm;
      await d.a.kill("SIGTERM");
      const took = await lab.next(vip("vip-add", "b"), bound, "B taking the VIP", tTerm);
      return { takeoverMs: r1(took.t - tTerm) };
    });
    result("stop", { takeoverMs: stop.takeoverMs, outageMs: stop.maxGapMs, lost: stop.lost, sent: stop.sent });
    await restartA();

    /** The time from `t` until A's router no longer holds the VIP, or
     * null if it still does after VIP_GONE_LIMIT_MS. */
    const vipGone = async (t) => {
      const gone = await lab.until(() => !lab.holds.a, VIP_GONE_LIMIT_MS, "A dropping the VIP").then(() => true, () => false);
      if (!gone) return null;
      // No change after t: A had already let go (the capture lagging the mark).
      const dropped = lab.holders.find((h) => h.t >= t && !h.a);
      return dropped ? r1(dropped.t - t) : 0;
    };

    // SIGKILL of the master's daemon, restarted once the backup took over
    // and its router dropped the VIP (or did not within the limit).
    const kill = await pinged(async () => {
      await lab.next(isAdvertFrom("a"), bound, "an advert from A");
      const tKill = lab.mark("sigkill");
      await d.a.kill("SIGKILL");
      const took = await lab.next(vip("vip-add", "b"), bound, "B taking the VIP", tKill);
      const last = lab.lastBefore(tKill, isAdvertFrom("a"));
      const staleVip = lab.holdersAt(took.t).a ? 1 : 0;
      return { detectMs: r1(took.t - last.t), staleVip, vipGoneMs: await vipGone(tKill) };
    });
    await sleep(Math.max(500, adv));
    const tRestart = lab.mark("restart");
    d.a.start();
    // Both hold the VIP until the restarted daemon removes its stale copy
    // (floatgw) or wins the election back and B steps down (keepalived).
    await lab.until(() => !(lab.holds.a && lab.holds.b), bound, "a single VIP holder after the restart");
    // At 10 ms adverts the stale VIP may be gone by the stamp of the restart
    // mark: then there is no double holder to time.
    const atRestart = lab.holdersAt(tRestart);
    const single = lab.holders.find((h) => h.t >= tRestart && !(h.a && h.b));
    result("sigkill", { detectMs: kill.detectMs, staleVip: kill.staleVip, vipGoneMs: kill.vipGoneMs, vipGoneLimitMs: VIP_GONE_LIMIT_MS,
      outageMs: kill.maxGapMs, lost: kill.lost,
      twoHoldersAfterRestartMs: atRestart.a && atRestart.b && single ? r1(single.t - tRestart) : 0 });
    await steady();

    // A hung master: every process of its daemon stopped (SIGSTOP), then
    // resumed (SIGCONT) once the backup took over and the hung router
    // dropped the VIP (or did not within the limit).
    const hung = await pinged(async () => {
      await lab.next(isAdvertFrom("a"), bound, "an advert from A");
      const tStop = lab.mark("sigstop");
      d.a.signalAll("SIGSTOP");
      const took = await lab.next(vip("vip-add", "b"), bound, "B taking the VIP", tStop);
      const last = lab.lastBefore(tStop, isAdvertFrom("a"));
      const vipGoneMs = await vipGone(tStop);
      const bothFrom = took.t;
      const bothUntil = vipGoneMs === null ? null : tStop + vipGoneMs;
      return { detectMs: r1(took.t - last.t), vipGoneMs, twoHoldersMs: bothUntil === null ? null : r1(Math.max(0, bothUntil - bothFrom)) };
    });
    d.a.signalAll("SIGCONT");
    result("sigstop", { detectMs: hung.detectMs, vipGoneMs: hung.vipGoneMs, vipGoneLimitMs: VIP_GONE_LIMIT_MS,
      twoHoldersMs: hung.twoHoldersMs, outageMs: hung.maxGapMs, lost: hung.lost });
    await steady();

    // Split brain: drop everything between A's and B's switch ports.
    const rules = join(d.a.dir, "split.nft");
    writeFileSync(rules, `table bridge fgbsplit {
  chain forward {
    type filter hook forward priority 0;
    iifname "pa" oifname "pb" drop
    iifname "pb" oifname "pa" drop
  }
}
`);
    // The client pings across the partition and the heal: once B steps
    // down, it reaches the VIP again only when A announces itself (GARP) or
    // its own ARP entry for the VIP expires, which takes tens of seconds.
    // Where a heal is short it is repeated (splitHeals): how the heal falls
    // against the two masters' advert phases decides most of its figure.
    for (let heal = 0; heal < splitHeals(adv); heal++) {
      const split = await pinged(async () => {
        lab.mark("partition");
        lab.nft("sw", `include "${rules}"`);
        await lab.until(() => lab.holds.a && lab.holds.b, bound, "both routers holding the VIP");
        await sleep(2 * adv);
        const tHeal = lab.mark("heal");
        lab.nft("sw", "delete table bridge fgbsplit");
        await lab.until(() => !(lab.holds.a && lab.holds.b), bound, "one VIP holder after the heal");
        const healed = lab.holders.find((h) => h.t >= tHeal && !(h.a && h.b));
        const back = await lab.next((e) => e.kind === "echo-reply" && e.router === "a", CLIENT_BACK_MS, "a reply from A", tHeal)
          .catch(() => null);
        return { healMs: r1(healed.t - tHeal), winner: healed.a ? "a" : "b", clientBackMs: back && r1(back.t - tHeal) };
      });
      result("splitbrain", { healMs: split.healMs, winner: split.winner, clientBackMs: split.clientBackMs,
        clientBackLimitMs: CLIENT_BACK_MS, lost: split.lost, sent: split.sent, heal });
      // The next heal or step starts from a client that knows where the VIP is.
      lab.must("c", ["ip", "neigh", "flush", "to", VIP]);
      await steady();
    }

    if (impl === "floatgw") {
      // The graceful stop, the SIGKILL and the hang each made B take over
      // on a priority 0; a fourth within a minute would wait for B's
      // Master_Down_Interval instead (the core's bound on priority-0
      // takeovers, STOP_TAKEOVERS_PER_WINDOW): the switchover comes a
      // minute after the first of them, as it would on a router.
      await sleep(Math.max(0, tTermAt + 61_000 - now()));
      const sw = await pinged(async () => {
        const command = await d.a.switchoverReady();
        const tSw = command.go(() => lab.mark("switchover"));
        const took = await lab.next(vip("vip-add", "b"), bound, "B taking the VIP", tSw);
        const status = await command.done;
        if (status !== 0) throw new Error(`floatgw switchover exited with ${status}`);
        await lab.until(() => !lab.holds.a, bound, "A releasing the VIP");
        return { takeoverMs: r1(took.t - tSw) };
      });
      result("switchover", { takeoverMs: sw.takeoverMs, outageMs: sw.maxGapMs, lost: sw.lost, sent: sw.sent });
    }
    return records;
  } catch (err) {
    throw new Error(`${impl} ${profile} rep ${rep}: ${err.message}\n${logTails(d)}`);
  } finally {
    lab.cleanup();
    d.a?.dispose();
    d.b?.dispose();
  }
}
