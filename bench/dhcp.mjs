// DHCP continuity (floatgw only: keepalived does not touch dnsmasq). One
// session = a fresh pair of real OpenWrt routers (test/lab/openwrt.mjs):
// floatgw installed on both and set up with the uci commands of
// docs/install.md (with the profile's timers), so OpenWrt's own dnsmasq init,
// dhcp-script and hotplug carry everything; busybox udhcpc on the client.
// The client takes a lease from A; once B holds a replica of it, A's switch
// port goes down; when B's dnsmasq serves DHCP the client is made to renew
// (SIGUSR1). Recorded: whether it kept its address, the NAKs on the wire,
// whether B's lease file held the lease before B's dnsmasq answered
// anything, and when the ACK came. DHCP messages are timed by tshark on the
// switch, the start of B's dnsmasq by its process start time.
import { readFileSync } from "node:fs";
import { DhcpClient, dnsmasqState, floatgwStatus, setUpPair } from "../test/lab/openwrt.mjs";
import { PROFILES } from "./daemons.mjs";
import { Lab, ROUTERS, now, r1 } from "./lab.mjs";

const TICKS_PER_S = 100; // USER_HZ, the unit of /proc/PID/stat's start time

/** When a process started, in wall-clock ms (10 ms resolution: the boot
 * time comes from /proc/uptime, in hundredths; /proc/stat's is in seconds). */
function startedAt(pid) {
  const bootMs = now() - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return bootMs + (Number(fields[19]) * 1000) / TICKS_PER_S;
}

export async function dhcpSession(profile, rep) {
  const adv = PROFILES[profile].advertMs;
  const bound = 20 * adv + 30_000;
  const lab = new Lab("d");
  try {
    await lab.up({ openwrt: true });
    const { b } = lab.openwrt;
    lab.must("c", ["ip", "addr", "flush", "dev", "eth0"]); // the client's address comes from DHCP
    await setUpPair(lab.openwrt, { version: String(PROFILES[profile].version), advert_int: String(adv / 1000) });
    await lab.watchDhcp(bound);

    const client = new DhcpClient(lab.openwrt);
    await lab.until(() => client.lease, bound, "the client's lease from A");
    const first = client.lease;
    await lab.until(() => floatgwStatus(b)?.leaseChannel?.leases?.some((l) => l.ip === first.ip), bound,
      "the lease replicated to B");

    await lab.next((e) => e.kind === "advert" && e.router === "a", bound, "an advert from A");
    const tFault = lab.mark("port-down");
    lab.switch("link set pa down");
    // Serving: a dnsmasq started since the fault, on a config with DHCP on
    // (the config is written before the old dnsmasq is stopped).
    let dhcpOn = 0;
    await lab.until(() => {
      const d = dnsmasqState(b);
      dhcpOn = d.dhcp === "on" ? startedAt(d.pid) : 0;
      return dhcpOn > tFault;
    }, bound, "B's dnsmasq serving DHCP");
    const replicated = b.read("/tmp/dhcp.leases").includes(` ${first.ip} `);
    const tRenew = lab.mark("renew");
    client.renew();
    const ack = await lab.next((e) => e.kind === "dhcp" && e.type === "ACK" && e.router === "b", bound,
      "B's ACK of the client's renewal", tRenew);
    await lab.until(() => client.lease?.serverid === ROUTERS.b, bound, "the client's lease renewed by B");
    const renewed = client.lease;
    const dhcp = lab.events.filter((e) => e.kind === "dhcp");
    const request = lab.lastBefore(ack.t, (e) => e.kind === "dhcp" && e.type === "REQUEST");
    return [{ type: "result", measure: "dhcp", impl: "floatgw", profile, rep,
      sameAddress: renewed.ip === first.ip ? 1 : 0, address: renewed.ip,
      naks: dhcp.filter((e) => e.type === "NAK").length, replicated: replicated ? 1 : 0,
      dhcpOnMs: r1(dhcpOn - tFault), renewAckMs: r1(ack.t - tRenew), requestAckMs: r1(ack.t - request.t), ackMs: r1(ack.t - tFault) }];
  } catch (err) {
    const tails = Object.values(lab.openwrt?.routers ?? {}).map((r) =>
      `${r.name}: ${r.sh("logread | grep -v kernel | tail -n 30").stdout}`).join("\n");
    throw new Error(`floatgw dhcp ${profile} rep ${rep}: ${err.message}\n${tails}`);
  } finally {
    lab.cleanup();
  }
}
