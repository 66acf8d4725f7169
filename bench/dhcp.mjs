// DHCP continuity (floatgw only: keepalived does not touch dnsmasq). One
// session = a fresh lab with dnsmasq on both routers, driven by floatgw's
// hooks through the lab's stand-in OpenWrt (test/lab/openwrt.sh, as in the
// demo), and busybox udhcpc on the client. The client takes a lease from A;
// once B holds a replica of it, A's switch port goes down; when B's dnsmasq
// serves DHCP the client is made to renew (SIGUSR1). Recorded: whether it
// kept its address, the NAKs on the wire, and when the ACK came. DHCP
// messages are timed by tshark on the switch, dnsmasq's restart by the
// mtime of the arguments file the stand-in init writes just before it.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Floatgw, PROFILES, logTails } from "./daemons.mjs";
import { Lab, ROOT, ROUTERS, r1 } from "./lab.mjs";

/** The dnsmasq of a router's stand-in OpenWrt: is it serving DHCP, and
 * since when (wall-clock ms of its last start). */
function dnsmasq(d) {
  const file = join(d.openwrt, "dnsmasq.args");
  try {
    const args = readFileSync(file, "utf8");
    return { serving: args !== "" && !args.includes("--no-dhcp-interface"), since: statSync(file).mtimeMs };
  } catch {
    return { serving: false, since: 0 };
  }
}

export async function dhcpSession(profile, rep) {
  const adv = PROFILES[profile].advertMs;
  const bound = 20 * adv + 30_000;
  const lab = new Lab("d");
  const d = {};
  try {
    lab.up();
    lab.must("c", ["ip", "addr", "flush", "dev", "eth0"]); // the client's address comes from DHCP
    for (const r of ["a", "b"]) {
      d[r] = new Floatgw(lab, r, profile, { dhcp: true });
      lab.must(r, [join(d[r].openwrt, "init.d/dnsmasq"), "start"]); // as at boot, from the admin's config
      d[r].start();
    }
    await lab.until(() => lab.holds.a && dnsmasq(d.a).serving && !dnsmasq(d.b).serving && dnsmasq(d.b).since > 0,
      bound, "A holding the VIP and serving DHCP, B not serving");
    await lab.watchDhcp(bound);

    const log = join(d.a.dir, "udhcpc.log");
    writeFileSync(log, "");
    const client = lab.start("c", ["env", `UDHCPC_LOG=${log}`, "busybox", "udhcpc", "-f", "-i", "eth0",
      "-s", `${ROOT}/test/lab/udhcpc-script.sh`, "-t", "10", "-T", "1", "-A", "1"]);
    const lease = () => readFileSync(log, "utf8").split("\n").filter((l) => /^(bound|renew) /.test(l))
      .map((l) => Object.fromEntries(l.split(" ").slice(1).map((kv) => kv.split("=")))).pop();
    await lab.until(() => lease(), bound, "the client's lease from A");
    const first = lease();
    await lab.until(() => d.b.status()?.leaseChannel?.leases?.some((l) => l.ip === first.ip), bound,
      "the lease replicated to B");

    await lab.next((e) => e.kind === "advert" && e.router === "a", bound, "an advert from A");
    const tFault = lab.mark("port-down");
    lab.switch("link set pa down");
    await lab.until(() => dnsmasq(d.b).serving, bound, "B's dnsmasq serving DHCP");
    const dhcpOn = dnsmasq(d.b).since;
    const atStart = readFileSync(join(d.b.openwrt, "dhcp.leases.at-start"), "utf8");
    const tRenew = lab.mark("renew");
    client.kill("SIGUSR1");
    const ack = await lab.next((e) => e.kind === "dhcp" && e.type === "ACK" && e.router === "b", bound,
      "B's ACK of the client's renewal", tRenew);
    await lab.until(() => lease()?.serverid === ROUTERS.b, bound, "the client's lease renewed by B");
    const renewed = lease();
    const dhcp = lab.events.filter((e) => e.kind === "dhcp");
    const request = lab.lastBefore(ack.t, (e) => e.kind === "dhcp" && e.type === "REQUEST");
    return [{ type: "result", measure: "dhcp", impl: "floatgw", profile, rep,
      sameAddress: renewed.ip === first.ip ? 1 : 0, address: renewed.ip,
      naks: dhcp.filter((e) => e.type === "NAK").length,
      replicated: atStart.includes(` ${first.ip} `) ? 1 : 0,
      dhcpOnMs: r1(dhcpOn - tFault), renewAckMs: r1(ack.t - tRenew), requestAckMs: r1(ack.t - request.t), ackMs: r1(ack.t - tFault) }];
  } catch (err) {
    throw new Error(`floatgw dhcp ${profile} rep ${rep}: ${err.message}\n${logTails(d)}`);
  } finally {
    lab.cleanup();
    d.a?.dispose();
    d.b?.dispose();
  }
}
