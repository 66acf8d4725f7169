// Trackers on the real kernel, against real servers: nginx behind the VIP
// checked by a script, a script that hangs, weighted and file trackers,
// TCP/HTTP/SMTP checks of real servers (nginx, Debian's aiosmtpd), a ping
// of a "WAN gateway" namespace, the carrier of a second device, and
// keepalived as the peer that takes over because floatgw advertises its
// lowered priority. (Interface trackers need netifd: they are tested on a
// real OpenWrt router, test/openwrt/init.test.ts.) VRRPv3 at
// 100 ms adverts keeps each test short; no timing is asserted (bench/ does).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Lab, must } from "./lab";
import { Keepalived, type Router, uci, useLab, VIP, waitFor } from "./routers";

const { lab, topology } = useLab();

const FAST = { version: "3", advert_int: "0.1" };
/** Debian's python3, with aiosmtpd (a version manager's python3 may come first on PATH). */
const PYTHON = "/usr/bin/python3";

function tracker(name: string, opts: Record<string, string | string[]>): string {
  const lines = [`config tracker '${name}'`];
  for (const [k, v] of Object.entries(opts)) for (const item of Array.isArray(v) ? v : [v]) lines.push(`\t${Array.isArray(v) ? "list" : "option"} ${k} '${item}'`);
  return `\n${lines.join("\n")}\n`;
}

interface Contribution { source: string; value: number; detail: string }
interface TrackerView { name: string; kind: string; state: string; detail: string; probes: { runs: number; timeouts: number } | null }
type Full = { instances: { state: string; faults: string[]; priority: { base: number; effective: number; contributions: Contribution[] } }[]; trackers: TrackerView[] };

const full = (r: Router): Full | null => r.status() as unknown as Full | null;
const lanOf = (r: Router) => full(r)?.instances[0] ?? null;
const trackerOf = (r: Router, name: string) => full(r)?.trackers.find((t) => t.name === name) ?? null;

/** nginx (Debian's) serving `body` at / on `listen`, from a config in `dir`. */
function nginx(l: Lab, ns: string, dir: string, listen: string, body: string): { stop(): Promise<void>; start(): void } {
  const www = join(dir, "www");
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, "index.html"), body);
  const conf = join(dir, "nginx.conf");
  // Workers as root: the test's directories are private to root.
  writeFileSync(conf, `user root;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx.error.log;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/nginx-body;
  proxy_temp_path ${dir}/nginx-proxy;
  fastcgi_temp_path ${dir}/nginx-fastcgi;
  uwsgi_temp_path ${dir}/nginx-uwsgi;
  scgi_temp_path ${dir}/nginx-scgi;
  server { listen ${listen}; root ${www}; }
}
`);
  let child: ReturnType<Lab["start"]> | null = null;
  const server = {
    start(): void {
      child = l.start(ns, ["nginx", "-c", conf, "-g", "daemon off;"]);
    },
    async stop(): Promise<void> {
      const c = child;
      if (!c) return;
      child = null;
      const exited = new Promise<void>((resolve) => c.on("exit", () => resolve()));
      c.kill("SIGTERM");
      await exited;
    },
  };
  server.start();
  return server;
}

/** A "WAN" for router A: a veth `wan` (198.19.1.2/24) to a gateway namespace (198.19.1.1). */
function wan(a: Router): string {
  const gw = lab.netns("gw");
  must(["ip", "link", "add", "wan", "netns", a.ns, "type", "veth", "peer", "name", "eth0", "netns", gw]);
  must(["ip", "-n", gw, "addr", "add", "198.19.1.1/24", "dev", "eth0"]);
  must(["ip", "-n", gw, "link", "set", "eth0", "up"]);
  must(["ip", "-n", a.ns, "addr", "add", "198.19.1.2/24", "dev", "wan"]);
  must(["ip", "-n", a.ns, "link", "set", "wan", "up"]);
  return gw;
}

const pair = (a: Router, b: Router) => async (): Promise<void> => {
  await waitFor("A master, B backup", () => a.state() === "master" && a.has() && b.state() === "backup");
};

describe("trackers", () => {
  it("nginx story: a check script moves the VIP off a router whose nginx stops, and back when it starts", async () => {
    const { ns, a, b } = topology();
    // floatgw's timeout bounds the check (Debian's busybox wget crashes with -T).
    const check = "busybox wget -q -O /dev/null http://127.0.0.1/";
    const web = { a: nginx(lab, ns.a, a.dir, "127.0.0.1:80", "A\n"), b: nginx(lab, ns.b, b.dir, "127.0.0.1:80", "B\n") };
    const chk = tracker("nginx", { type: "script", script: check, interval: "0.2", timeout: "1", fall: "2", rise: "2" });
    a.startFloatgw(uci({ ...FAST, priority: "150", track: ["nginx"] }) + chk);
    b.startFloatgw(uci({ ...FAST, priority: "100", track: ["nginx"] }) + chk);
    await pair(a, b)();
    expect(lab.exec(ns.c, ["busybox", "wget", "-q", "-O", "-", `http://${VIP}/`]).stdout).toBe("");

    await web.a.stop();
    await waitFor("B master", () => b.state() === "master" && b.has());
    await waitFor("A in FAULT without the VIP", () => a.state() === "fault" && !a.has());
    const fault = lanOf(a)!;
    expect(fault.faults).toEqual(["tracker nginx down: exit status 1"]);
    expect(fault.priority.contributions).toEqual([
      { source: "base", value: 150, detail: "configured priority" },
      { source: "track:nginx", value: 0, detail: "down, weight 0 -> FAULT: exit status 1" },
    ]);
    expect(a.instance()!.transitions.at(-1)?.reason).toBe("tracker nginx down: exit status 1");
    expect(b.instance()!.transitions.at(-1)?.reason).toBe("priority 0 from master 198.18.0.2");

    web.a.start();
    await pair(a, b)();
    expect(lanOf(a)!.faults).toEqual([]);
    expect(trackerOf(a, "nginx")).toMatchObject({ kind: "script", state: "up", detail: "exit status 0" });
  });

  it("kills a script that hangs at its timeout, with what it started, and counts it as a failure", async () => {
    const { a } = topology();
    const pidFile = join(a.dir, "grandchild.pid");
    a.startFloatgw(uci({ ...FAST, priority: "150", track: ["hang"] })
      + tracker("hang", { type: "script", shell: "1", script: `sleep 30 & echo $! > ${pidFile}; wait`, interval: "1", timeout: "0.3" }));
    await waitFor("A in FAULT", () => a.state() === "fault");
    expect(trackerOf(a, "hang")).toMatchObject({ state: "down", detail: "no answer within 300 ms" });
    expect(trackerOf(a, "hang")!.probes!.timeouts).toBeGreaterThanOrEqual(1);
    const pid = Number(readFileSync(pidFile, "utf8"));
    // Killed with its session: gone, or a zombie waiting for an init to reap it.
    await waitFor("the hung script's child killed", () => {
      try {
        return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] === "Z";
      } catch {
        return true;
      }
    }, 5000);
  });

  it("a weighted tracker lowers the master below the backup, which takes over; file and dynamic weights count", async () => {
    const { a, b } = topology();
    const flag = join(a.dir, "ok");
    const prio = join(a.dir, "prio");
    writeFileSync(flag, "");
    a.startFloatgw(uci({ ...FAST, priority: "150", track: ["flag", "prio weight 2", "dyn"] })
      + tracker("flag", { type: "script", script: `test -f ${flag}`, interval: "0.2", weight: "-60" })
      + tracker("prio", { type: "file", file: prio, init_value: "0", init_overwrite: "1", interval: "0.2" })
      // keepalived's misc_dynamic: exit status 4 is up with weight 2.
      + tracker("dyn", { type: "script", shell: "1", script: "exit 4", dynamic_weight: "1", interval: "0.5" }));
    b.startFloatgw(uci({ ...FAST, priority: "100" }));
    await pair(a, b)();
    await waitFor("the dynamic weight applied", () => lanOf(a)?.priority.effective === 152);
    expect(lanOf(a)!.priority.contributions[3]).toEqual({ source: "track:dyn", value: 2, detail: "up, weight 0: exit status 4: weight 2" });

    must(["rm", flag]);
    await waitFor("B master by preemption", () => b.state() === "master" && b.has() && a.state() === "backup");
    expect(lanOf(a)!.priority).toMatchObject({ base: 150, effective: 92 });
    expect(lanOf(a)!.priority.contributions[1]).toEqual({ source: "track:flag", value: -60, detail: "down, weight -60: exit status 1" });
    expect(b.instance()!.transitions.at(-1)?.reason).toBe("preempting lower priority 92 master 198.18.0.2");

    writeFileSync(flag, "");
    await pair(a, b)();
    writeFileSync(prio, "-30\n");
    await waitFor("B master after the file's -30 x 2", () => b.state() === "master" && a.state() === "backup");
    expect(lanOf(a)!.priority.contributions[2]).toEqual({ source: "track:prio", value: -60, detail: "up, weight 2: holds -30" });
    writeFileSync(prio, "0\n");
    await pair(a, b)();
  });

  it("checks real TCP, HTTP (status and MD5 digest) and SMTP servers", async () => {
    const { ns, a, b } = topology();
    const body = "<html>floatgw tracker test</html>\n";
    const digest = createHash("md5").update(body).digest("hex");
    const server = nginx(lab, ns.c, b.dir, "198.18.0.100:8080", body);
    const smtp = () => lab.start(ns.c, [PYTHON, "-m", "aiosmtpd", "-n", "-l", "198.18.0.100:2525"]);
    let mail = smtp();
    const host = "198.18.0.100";
    a.startFloatgw(uci({ ...FAST, priority: "150", track: ["web", "port", "mail", "stale"] })
      + tracker("web", { type: "http", host, port: "8080", path: "/index.html", digest, status_code: ["200-299"], interval: "0.2", weight: "-30" })
      + tracker("port", { type: "tcp", host, port: "8080", interval: "0.2", weight: "-30" })
      + tracker("mail", { type: "smtp", host, port: "2525", interval: "0.2", weight: "-30" })
      + tracker("stale", { type: "http", host, port: "8080", digest: "0".repeat(32), interval: "0.2", weight: "-1" }));
    b.startFloatgw(uci({ ...FAST, priority: "100" }));
    await waitFor("every check up but the stale digest", () => ["web", "port", "mail"].every((t) => trackerOf(a, t)?.state === "up")
      && trackerOf(a, "stale")?.state === "down");
    expect(trackerOf(a, "web")!.detail).toBe("HTTP 200, digest matches");
    expect(trackerOf(a, "mail")!.detail).toBe("SMTP 220, HELO 250");
    expect(trackerOf(a, "stale")!.detail).toBe(`HTTP 200, body digest ${createHash("md5").update(readFileSync(join(b.dir, "www/index.html"))).digest("hex")} (${body.length} bytes)`);
    await pair(a, b)();
    expect(lanOf(a)!.priority.effective).toBe(149);

    await server.stop();
    await waitFor("B master once the web server is gone", () => b.state() === "master" && a.state() === "backup");
    expect(trackerOf(a, "port")!.detail).toBe("198.18.0.100:8080: connection refused");
    expect(lanOf(a)!.priority.effective).toBe(150 - 30 - 30 - 1);
    server.start();
    await pair(a, b)();

    mail.kill("SIGKILL");
    await waitFor("the SMTP check down", () => trackerOf(a, "mail")?.state === "down");
    expect(lanOf(a)!.priority.effective).toBe(150 - 30 - 1);
    expect(a.state()).toBe("master");
    mail = smtp();
    await waitFor("the SMTP check up again", () => trackerOf(a, "mail")?.state === "up");
  });

  it("a ping tracker of the WAN gateway hands the VIP over while the gateway does not answer", async () => {
    const { a, b } = topology();
    const gw = wan(a);
    a.startFloatgw(uci({ ...FAST, priority: "150", track: ["gw"] })
      + tracker("gw", { type: "ping", host: "198.19.1.1", interval: "0.2", timeout: "0.2", fall: "2", weight: "-60" }));
    b.startFloatgw(uci({ ...FAST, priority: "100" }));
    await pair(a, b)();
    expect(trackerOf(a, "gw")!.detail).toMatch(/^reply in [0-9.]+ ms$/);
    const rules = join(a.dir, "gwdrop.nft");
    writeFileSync(rules, "table inet gwdrop {\n  chain input {\n    type filter hook input priority 0;\n    icmp type echo-request drop\n  }\n}\n");
    must(["ip", "netns", "exec", gw, "nft", "-f", rules]);
    await waitFor("B master", () => b.state() === "master" && a.state() === "backup");
    expect(trackerOf(a, "gw")).toMatchObject({ state: "down", detail: "no answer within 200 ms" });
    must(["ip", "netns", "exec", gw, "nft", "delete table inet gwdrop"]);
    await pair(a, b)();
  });

  it("a link tracker on a second device puts the instance in FAULT while the device has no carrier", async () => {
    const { a, b } = topology();
    const gw = wan(a);
    a.startFloatgw(uci({ ...FAST, priority: "150", track: ["wan"] }) + tracker("wan", { type: "link", device: "wan" }));
    b.startFloatgw(uci({ ...FAST, priority: "100" }));
    await pair(a, b)();
    must(["ip", "-n", gw, "link", "set", "eth0", "down"]);
    await waitFor("A in FAULT, B master", () => a.state() === "fault" && b.state() === "master" && !a.has());
    expect(lanOf(a)!.faults).toEqual(["tracker wan down: interface wan down"]);
    must(["ip", "-n", gw, "link", "set", "eth0", "up"]);
    await pair(a, b)();
  });

  it("keepalived takes over from floatgw because floatgw advertises its lowered priority", async () => {
    const { a, b } = topology();
    const flag = join(a.dir, "ok");
    writeFileSync(flag, "");
    a.startFloatgw(uci({ ...FAST, priority: "150", track: ["flag"] }) + tracker("flag", { type: "script", script: `test -f ${flag}`, interval: "0.2", weight: "-60" }));
    const ka = new Keepalived(lab, b, `global_defs {
  router_id ka_b
  vrrp_version 3
}
vrrp_instance lan {
  state BACKUP
  interface br-lan
  virtual_router_id 51
  priority 100
  advert_int 0.1
  virtual_ipaddress {
    ${VIP}/24 dev br-lan
  }
}
`);
    ka.start();
    await waitFor("floatgw master, keepalived backup", () => a.state() === "master" && a.has() && !b.has());
    must(["rm", flag]);
    await waitFor("keepalived takes the VIP", () => b.has() && !a.has() && a.state() === "backup");
    expect(a.instance()!.peer?.priority).toBe(100);
    expect(a.instance()!.transitions.at(-1)?.reason).toBe("higher priority 100 from 198.18.0.3");
    writeFileSync(flag, "");
    await waitFor("floatgw takes it back", () => a.state() === "master" && a.has() && !b.has());
    await ka.stop();
    expect(ka.log).toMatch(/Entering MASTER STATE/);
  });
});
