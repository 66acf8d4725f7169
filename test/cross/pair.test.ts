// A router CPU's floatgwd under qemu-user as router A, the host's as router
// B, on the real kernel: A (priority 150) is elected, B follows it, and B
// takes over when A stops; and the other way round, the router CPU's
// backup following through its listener child (byte order of the page it
// shares with the daemon, of its reports, of the filters). This runs the whole daemon (core, netlink, socket
// options, timers) on big-endian MIPS, little-endian MIPS and ARMv7.
// aarch64 is left out: qemu-user 7.2 mistranslates IP_ADD_MEMBERSHIP for
// 64-bit guests (it declares imr_ifindex as abi_long), so no receiver can
// open there; its sending is covered by the other tests' native runs.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { must, requireBinary } from "../netns/lab";
import { argvOf, sleep, uci, useLab, VIP, waitFor } from "../netns/routers";
import { target } from "./targets";

const { topology } = useLab();

/** `name`'s floatgwd under qemu as A (priority 150), the host's as B,
 * once A is master and B follows it. */
async function pairUnderQemu(name: string) {
  const t = target(name);
  requireBinary(t.binary);
  const { a, b } = topology();
  const fast = { version: "3", advert_int: "0.1" };
  a.startFloatgw(uci({ ...fast, priority: "150" }), [...t.qemu, t.binary]);
  b.startFloatgw(uci({ ...fast, priority: "100" }));
  await waitFor(`${name} master`, () => a.state() === "master" && a.has(VIP), 30_000);
  await waitFor("native backup following it", () => b.instance()?.master === a.address && b.state() === "backup", 30_000);
  return { a, b };
}

/** The argv of the one helper child in `pids`; null while there is not
 * exactly one, or it is already exiting. */
function helperArgv(pids: number[]): string[] | null {
  const argv = pids.length === 1 ? argvOf(pids[0]!) : [];
  return argv.length > 0 ? argv : null;
}

/** Whether the kernel can run other CPUs' binaries (binfmt_misc entries,
 * qemu's or any other): a helper child can then be exec'd under qemu too. */
function foreignExec(): boolean {
  try {
    return readdirSync("/proc/sys/fs/binfmt_misc").some((e) => e !== "register" && e !== "status");
  } catch {
    return false;
  }
}

describe.each(["mips_24kc", "mipsel_24kc", "arm_cortex-a7"])("%s under qemu", (name) => {
  it("is elected master by a native peer, and hands over on SIGTERM", async () => {
    const { a, b } = await pairUnderQemu(name);
    // A's periodic adverts come from its watcher child (the beacon, built
    // and counted on this CPU): B keeps following it, and A counts them.
    const sent = a.instance()!.counters.advertsTx;
    const transitions = b.instance()!.counters.transitions;
    await sleep(2000);
    expect(b.state()).toBe("backup");
    expect(b.instance()!.counters.transitions).toBe(transitions);
    expect(a.instance()!.counters.advertsTx - sent).toBeGreaterThanOrEqual(10);
    expect(b.instance()!.counters.drops).toEqual({});
    expect(await a.stopFloatgw()).toBe(0);
    expect(a.has(VIP)).toBe(false);
    await waitFor("native master", () => b.state() === "master" && b.has(VIP), 30_000);
    expect(b.instance()!.transitions.at(-1)?.reason).toBe(`priority 0 from master ${a.address}`);
  });

  it("killed, its watcher sends the priority 0 and deletes the VIP (adverts and netlink built for this CPU)", async () => {
    const { a, b } = await pairUnderQemu(name);
    // Its argv is read as it is listed: A may replace its watcher at any
    // time (a re-phased beacon), and the old one's argv is gone as it exits.
    const argv = await waitFor("its watcher armed", () => helperArgv(a.watchers()), 30_000);
    // Without binfmt_misc the kernel cannot exec this CPU's binary: the
    // watcher is the fork that runs the plan itself (native.c, exec_helper).
    if (!foreignExec()) expect(argv[0], "the fork, not an exec'd child").toBe(target(name).qemu[0]);
    expect(await a.stopFloatgw("SIGKILL")).toBe("SIGKILL");
    await waitFor("the VIP gone from A", () => !a.has(VIP), 10_000);
    await waitFor("native master", () => b.state() === "master" && b.has(VIP), 30_000);
    expect(b.instance()!.transitions.at(-1)?.reason).toBe(`priority 0 from master ${a.address}`);
    await waitFor("the watcher gone", () => a.watchers().length === 0, 10_000);
  });

  it("as the backup, its listener takes the master's adverts, counts them, and reports the master's silence", async () => {
    const t = target(name);
    requireBinary(t.binary);
    const { ns, a, b } = topology();
    const fast = { version: "3", advert_int: "0.1" };
    a.startFloatgw(uci({ ...fast, priority: "150" }));
    b.startFloatgw(uci({ ...fast, priority: "100" }), [...t.qemu, t.binary]);
    await waitFor(`native master, ${name} backup following it`, () => a.state() === "master" && b.state() === "backup"
      && b.instance()?.master === a.address, 30_000);
    const argv = await waitFor(`${name}'s listener`, () => helperArgv(b.listeners()), 30_000);
    if (!foreignExec()) expect(argv[0], "the fork, not an exec'd child").toBe(t.qemu[0]);
    const before = b.instance()!.counters.advertsRx;
    await sleep(3000);
    await waitFor("the copies counted", () => b.instance()!.counters.advertsRx - before >= 20, 10_000);
    expect(b.instance()!.counters.advertsRx - before, "not a byte-swapped count").toBeLessThan(1000);
    expect(b.instance()!.counters.becameMaster).toBe(0);
    must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
    await waitFor(`${name} master`, () => b.state() === "master" && b.has(VIP), 30_000);
    expect(b.instance()!.transitions.at(-1)?.reason).toMatch(/master down timer expired/);
  });
});
