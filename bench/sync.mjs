// Sync groups: a router pair's LAN and WAN instance grouped together, with a
// virtual route and rule following the WAN instance, floatgw and keepalived
// configured alike (keepalived's vrrp_sync_group, virtual_routes,
// virtual_rules). One session = one fresh lab plus a WAN segment (a bridge
// in a gateway namespace, ports wa and wb, the upstream gateway
// 198.19.1.254 on it), both daemons of one implementation, and two
// failures of A, each repaired before the next:
//   death  A's LAN and WAN switch ports down at once (the router is gone);
//   wan    A's WAN port down (its WAN instance in FAULT takes the group).
// Measured on B, from the failure: its LAN VIP, its WAN VIP, and the
// virtual route in table 100, each from `ip -ts monitor` in B.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PRIORITY, PROFILES, logTails } from "./daemons.mjs";
import { FLOATGWD, Lab, MONITOR, VIP, must, parseIpTime, r1, sleep } from "./lab.mjs";

export const WAN_VIP = "198.19.1.1";
const GATEWAY = "198.19.1.254";
const WAN_ADDR = { a: "198.19.1.2", b: "198.19.1.3" };

/** The WAN segment: bridge wsw in `<prefix>-gw`, a port per router (wa, wb to `wan`). */
function addWanSegment(lab) {
  lab.ns.gw = `${lab.prefix}-gw`;
  must(["ip", "netns", "add", lab.ns.gw]);
  lab.must("gw", ["ip", "link", "set", "lo", "up"]);
  lab.must("gw", ["ip", "link", "add", "wsw", "type", "bridge"]);
  lab.must("gw", ["ip", "addr", "add", `${GATEWAY}/24`, "dev", "wsw"]);
  lab.must("gw", ["ip", "link", "set", "wsw", "up"]);
  for (const r of ["a", "b"]) {
    must(["ip", "link", "add", `w${r}`, "netns", lab.ns.gw, "type", "veth", "peer", "name", "wan", "netns", lab.ns[r]]);
    lab.must("gw", ["ip", "link", "set", `w${r}`, "master", "wsw", "up"]);
    lab.must(r, ["ip", "addr", "add", `${WAN_ADDR[r]}/24`, "dev", "wan"]);
    lab.must(r, ["ip", "link", "set", "wan", "up"]);
  }
  lab.control("gw");
}

/** B's view: its LAN and WAN VIPs and the virtual route coming and going. */
function watchB(lab) {
  const routeRe = new RegExp(`^\\[(\\S+)\\] (Deleted )?default via ${GATEWAY.replace(/\./g, "\\.")} dev wan table 100 .*src ${WAN_VIP.replace(/\./g, "\\.")}`);
  const addrRe = /^\[(\S+)\] (Deleted )?\d+: (br-lan|wan)\s+inet (\S+)\//;
  lab.lines(lab.start("b", [...MONITOR, "address", "route"]), (l) => {
    const r = routeRe.exec(l);
    if (r) return { t: parseIpTime(r[1]), src: "sync", kind: r[2] ? "route-del" : "route-add", router: "b" };
    const a = addrRe.exec(l);
    if (a && (a[4] === VIP || a[4] === WAN_VIP)) return { t: parseIpTime(a[1]), src: "sync", kind: `${a[3] === "wan" ? "wan" : "lan"}-${a[2] ? "del" : "add"}`, router: "b" };
    return null;
  });
}

function floatgwConfig(role, p) {
  const vip = (name, dev, vrid, address) => `
config vip '${name}'
\toption device '${dev}'
\toption vrid '${vrid}'
\toption version '${p.version}'
\toption advert_int '${p.advertMs / 1000}'
\toption priority '${PRIORITY[role]}'
\tlist address '${address}/24'
`;
  return `config floatgw 'global'
\toption enabled '1'
${vip("lan", "br-lan", 51, VIP)}${vip("wan", "wan", 52, WAN_VIP)}
config sync_group 'router'
\tlist vip 'lan'
\tlist vip 'wan'

config route 'up'
\toption vip 'wan'
\toption target '0.0.0.0/0'
\toption gateway '${GATEWAY}'
\toption device 'wan'
\toption source '${WAN_VIP}'
\toption table '100'

config rule 'lan_out'
\toption vip 'wan'
\toption src '198.18.0.0/24'
\toption lookup '100'
\toption priority '1000'
`;
}

function keepalivedConfig(role, p) {
  const instance = (name, dev, vrid, address, extra = "") => `vrrp_instance ${name} {
  state BACKUP
  interface ${dev}
  virtual_router_id ${vrid}
  priority ${PRIORITY[role]}
  advert_int ${p.advertMs / 1000}
  virtual_ipaddress {
    ${address}/24 dev ${dev}
  }
${extra}}
`;
  return `global_defs {
  router_id bench_${role}
  vrrp_version ${p.version}
}
vrrp_sync_group router {
  group {
    lan
    wan
  }
}
${instance("lan", "br-lan", 51, VIP)}${instance("wan", "wan", 52, WAN_VIP, `  virtual_routes {
    src ${WAN_VIP} to 0.0.0.0/0 via ${GATEWAY} dev wan table 100
  }
  virtual_rules {
    from 198.18.0.0/24 table 100 priority 1000
  }
`)}`;
}

/** One router's daemon with the grouped configuration. */
function daemon(lab, impl, role, profile) {
  const dir = lab.tmpdir();
  const p = PROFILES[profile];
  if (impl === "floatgw") {
    writeFileSync(join(dir, "floatgw"), floatgwConfig(role, p));
    return lab.start(role, [FLOATGWD, "run", "--config", join(dir, "floatgw"), "--run-dir", join(dir, "run")]);
  }
  const conf = join(dir, "keepalived.conf");
  writeFileSync(conf, keepalivedConfig(role, p));
  const check = lab.exec(role, ["keepalived", "-t", "-f", conf]);
  if (check.status !== 0) throw new Error(`keepalived -t rejected the config: ${check.stderr}`);
  return lab.start(role, ["keepalived", "-n", "-l", "-D", "-P", "-G", "-f", conf, "-p", join(dir, "ka.pid"), "-r", join(dir, "ka-vrrp.pid")]);
}

/** Each failure of A, and its repair. */
const FAILURES = {
  death: { fail: (lab) => { lab.switch("link set pa down"); lab.ip("gw", "link set wa down"); },
    repair: (lab) => { lab.switch("link set pa up"); lab.ip("gw", "link set wa up"); } },
  wan: { fail: (lab) => lab.ip("gw", "link set wa down"), repair: (lab) => lab.ip("gw", "link set wa up") },
};

export async function syncSession(impl, profile, rep) {
  const adv = PROFILES[profile].advertMs;
  const bound = 20 * adv + 20_000;
  const lab = new Lab("s");
  const d = {};
  const records = [];
  const holdsB = { lan: false, wan: false, route: false };
  try {
    await lab.up();
    addWanSegment(lab);
    watchB(lab);
    lab.on("event", (e) => {
      if (e.src !== "sync") return;
      const [what, change] = e.kind.split("-");
      holdsB[what] = change === "add";
    });
    d.a = { child: daemon(lab, impl, "a", profile) };
    d.b = { child: daemon(lab, impl, "b", profile) };
    const steady = async () => {
      await lab.until(() => lab.holds.a && !lab.holds.b && !holdsB.wan && !holdsB.route, bound, "A holding both VIPs, B nothing");
      await sleep(Math.max(3 * adv, 1500));
    };
    await steady();
    for (const [kind, f] of Object.entries(FAILURES)) {
      const t0 = lab.mark(`${kind} of A`);
      f.fail(lab);
      const took = {};
      for (const what of ["lan", "wan", "route"])
        took[what] = (await lab.next((e) => e.src === "sync" && e.kind === `${what}-add`, bound, `B's ${what} after A's ${kind}`, t0)).t - t0;
      records.push({
        type: "result", measure: `sync-${kind}`, impl, profile, rep,
        lanMs: r1(took.lan), wanMs: r1(took.wan), routeMs: r1(took.route), spreadMs: r1(Math.abs(took.lan - took.wan)),
        routeAfterVipMs: r1(took.route - took.wan),
      });
      f.repair(lab);
      await steady();
    }
    return records;
  } catch (err) {
    throw new Error(`${impl} ${profile} rep ${rep} sync: ${err.message}\n${logTails(d)}`);
  } finally {
    lab.cleanup();
  }
}
