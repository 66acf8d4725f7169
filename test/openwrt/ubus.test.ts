// floatgwd on the real ubus of OpenWrt 22.03.4: the rootfs's own ubusd and
// ubus CLI (libubus 2022-06-01), chrooted in a copy of the rootfs, with
// floatgwd and floatgw run in the same tree with their defaults (UCI file
// /etc/config/floatgw, ubusd's socket /var/run/ubus/ubus.sock), in a network
// namespace with a veth named br-lan. Nothing is stood in for: what `ubus
// call`, `ubus listen` and `ubus subscribe` print is what an OpenWrt user
// sees. (The full routers of test/lab/, booted with procd, use the same
// ubusd; here ubusd is started and killed by the test, so that its absence
// and its restart are under the test's control.)
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DaemonStatus, TransitionEvent } from "../../src/daemon/status-contract";
import { EVENT_OBJECT_ID, MsgType, encodeMessage } from "../../src/platform/ubus/message";
import { copyRootfs, locateRootfs } from "../lab/rootfs.mjs";
import { FLOATGWD, Lab, must, requireBinary, type run } from "../netns/lab";
import { sleep, uci, waitFor } from "../netns/routers";
import { UBUS_SEND_CAPTURE, UBUS_SEND_DATA } from "../fixtures/ubus/send-capture";

const found = locateRootfs();
if ("missing" in found) console.log(`skipping the real-ubus tests: ${found.missing}`);

let tree = "";
let scratch = "";

beforeAll(() => {
  if ("missing" in found) return;
  requireBinary();
  scratch = mkdtempSync(join(tmpdir(), "fgubus-"));
  tree = copyRootfs(join(scratch, "root"));
  // What procd's boot would provide: /var -> /tmp (the tarball has no
  // /var), the device nodes ubusd and the shell open, the run directories.
  for (const d of ["tmp/run/ubus", "dev", "etc/config"]) mkdirSync(join(tree, d), { recursive: true });
  must(["ln", "-sfn", "tmp", join(tree, "var")]);
  for (const [name, minor] of [["null", 3], ["zero", 5], ["urandom", 9]] as const) must(["mknod", "-m", "666", join(tree, "dev", name), "c", "1", String(minor)]);
  copyFileSync(FLOATGWD, join(tree, "usr/sbin/floatgwd"));
  chmodSync(join(tree, "usr/sbin/floatgwd"), 0o755);
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** One router: a namespace with br-lan, ubusd and floatgwd in the tree. */
class Router {
  readonly ns: string;
  ubusd: ChildProcess | null = null;
  daemon: ChildProcess | null = null;
  log = "";

  constructor(private readonly lab: Lab) {
    this.ns = lab.netns("r");
    must(["ip", "-n", this.ns, "link", "add", "br-lan", "type", "veth", "peer", "name", "port"]);
    for (const dev of ["br-lan", "port"]) must(["ip", "-n", this.ns, "link", "set", dev, "up"]);
    must(["ip", "-n", this.ns, "addr", "add", "198.18.0.2/24", "dev", "br-lan"]);
    rmSync(join(tree, "tmp/run/ubus/ubus.sock"), { force: true });
    rmSync(join(tree, "tmp/run/floatgw"), { recursive: true, force: true });
    writeFileSync(join(tree, "etc/config/floatgw"), uci({ version: "3", advert_int: "0.1", priority: "150", interface: "lan", dhcp: "1" }));
  }

  startUbusd(): void {
    this.ubusd = this.lab.start(this.ns, ["chroot", tree, "/sbin/ubusd"]);
  }

  /** Ends ubusd (by PID): as a crash would (SIGKILL: its socket file stays
   * behind) or as a stop would (SIGTERM: it removes its socket). */
  async stopUbusd(signal: "SIGKILL" | "SIGTERM"): Promise<void> {
    const u = this.ubusd;
    if (!u) throw new Error("ubusd is not running");
    this.ubusd = null;
    const gone = new Promise((resolve) => u.on("exit", resolve));
    u.kill(signal);
    await gone;
  }

  /** Traces floatgwd's connect(2) calls from now on (strace -f, attached
   * by PID); the returned function stops it and gives those to ubusd. */
  async traceUbusConnects(): Promise<() => Promise<string[]>> {
    const pid = this.daemon?.pid;
    if (pid === undefined) throw new Error("floatgwd is not running");
    const out = join(scratch, `connects-${pid}-${Date.now()}.txt`);
    const strace = this.lab.start(this.ns, ["strace", "-f", "-e", "trace=connect", "-o", out, "-p", String(pid)]);
    let said = "";
    strace.stderr?.on("data", (b: Buffer) => (said += b.toString()));
    await waitFor("strace attached", () => said.includes(`Process ${pid} attached`), 10_000);
    return async () => {
      const gone = new Promise((resolve) => strace.on("exit", resolve));
      strace.kill("SIGINT");
      await gone;
      return readFileSync(out, "utf8").split("\n").filter((l) => l.includes("ubus.sock"));
    };
  }

  startFloatgw(): void {
    const child = this.lab.start(this.ns, ["chroot", tree, "/usr/sbin/floatgwd"]);
    child.stderr?.on("data", (b: Buffer) => (this.log += b.toString()));
    this.daemon = child;
  }

  /** The rootfs's own `ubus` CLI. */
  ubus(...args: string[]): ReturnType<typeof run> {
    return this.lab.exec(this.ns, ["chroot", tree, "/bin/ubus", ...args], 15_000);
  }

  /** A long-running `ubus listen` or `ubus subscribe`, its lines as they come. */
  watch(...args: string[]): { lines: string[] } {
    const out = { lines: [] as string[] };
    let partial = "";
    this.lab.start(this.ns, ["chroot", tree, "/bin/ubus", ...args]).stdout?.on("data", (b: Buffer) => {
      const parts = (partial + b.toString()).split("\n");
      partial = parts.pop() ?? "";
      out.lines.push(...parts.filter((l) => l.trim() !== ""));
    });
    return out;
  }

  /** `floatgw status --json` from the tree (the daemon's default run dir). */
  status(): DaemonStatus | null {
    const r = this.lab.exec(this.ns, ["chroot", tree, "/usr/sbin/floatgwd", "status", "--json"], 10_000);
    return r.status === 0 ? (JSON.parse(r.stdout) as DaemonStatus) : null;
  }

  state(): string | null {
    return this.status()?.instances[0]?.state ?? null;
  }

  registered(): boolean {
    return this.ubus("list", "floatgw").stdout.trim() === "floatgw";
  }
}

/** `ubus listen` prints one JSON object per event: { "type": data }. */
function events(lines: readonly string[], type: string): TransitionEvent[] {
  return lines.map((l) => JSON.parse(l) as Record<string, TransitionEvent>).flatMap((o) => (o[type] ? [o[type]] : []));
}

/** The parts of the status that do not move by themselves from one call to the next. */
function steady(s: unknown): unknown {
  return JSON.parse(JSON.stringify(s), (key, v: unknown) => (/Ms$|MsAgo$|^at$|^adverts(Rx|Tx)$/.test(key) ? "(moves)" : v));
}

describe.skipIf("missing" in found)("floatgwd on OpenWrt's ubusd", () => {
  const lab = new Lab();
  afterEach(() => lab.cleanup());

  it("registers floatgw: ubus list shows its methods, and ubus call status is floatgw status --json", async () => {
    const r = new Router(lab);
    r.startUbusd();
    r.startFloatgw();
    await waitFor("master", () => r.state() === "master");
    await waitFor("the object on ubus", () => r.registered());
    const list = r.ubus("-v", "list", "floatgw");
    expect(list.stdout).toMatch(/^'floatgw' @[0-9a-f]+\n/);
    expect(list.stdout).toContain('"status":{}');
    expect(list.stdout).toContain('"switchover":{"instance":"String","hold":"Integer"}');
    expect(list.stdout).toContain('"reload":{}');
    const viaUbus = JSON.parse(r.ubus("call", "floatgw", "status").stdout) as DaemonStatus;
    const viaCli = r.status();
    expect(steady(viaUbus)).toEqual(steady(viaCli));
    const i = viaUbus.instances[0]!;
    expect([i.name, i.state, i.master, i.vipPresent, i.dhcp, i.interface]).toEqual(["lan", "master", "198.18.0.2", true, "serving", "lan"]);
    expect(i.priority).toEqual({ base: 150, effective: 150, contributions: [{ source: "base", value: 150, detail: "configured priority" }] });
    expect(viaUbus.ubus).toMatchObject({ socket: "/var/run/ubus/ubus.sock", state: "registered", detail: null });
    await waitFor("the log line", () => /\[ubus\] registered the object floatgw on \/var\/run\/ubus\/ubus.sock/.test(r.log));
  });

  it("switchover over ubus: ubus listen and ubus subscribe see every transition; bad arguments get a clear error", async () => {
    const r = new Router(lab);
    r.startUbusd();
    r.startFloatgw();
    await waitFor("master, on ubus", () => r.state() === "master" && r.registered());
    const listen = r.watch("listen", "floatgw.*");
    const subscribe = r.watch("subscribe", "floatgw");
    await waitFor("the subscriber", () => r.status()?.ubus.subscribers);
    // The listener is ready once it hears an event of its pattern.
    await waitFor("the listener", () => {
      r.ubus("send", "floatgw.probe", "{}");
      return listen.lines.length > 0;
    });

    const bad = r.ubus("call", "floatgw", "switchover", '{"hold": -5}');
    expect(bad.status).not.toBe(0);
    expect(JSON.parse(bad.stdout)).toEqual({ error: "switchover: hold must be 0-86400 seconds, not -5" });
    expect(bad.stderr).toContain("Invalid argument");
    const unknown = r.ubus("call", "floatgw", "switchover", '{"instance": "wan"}');
    expect(JSON.parse(unknown.stdout)).toEqual({ error: "switchover: no instance 'wan' (this daemon runs lan)" });
    expect(unknown.stderr).toContain("Not found");
    expect(r.ubus("call", "floatgw", "switchover", '{"hold": "30"}').stdout).toContain("argument 'hold' must be a whole number");
    expect(r.state()).toBe("master"); // refused requests change nothing

    const ok = r.ubus("call", "floatgw", "switchover", '{"instance": "lan", "hold": 0}');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ resigned: [{ instance: "lan", vrid: 51 }], hold: 0 });
    // Nobody else is there, so the master-down timer makes it master again.
    const seen = await waitFor("both transitions as events", () => {
      const ev = events(listen.lines, "floatgw.state");
      return ev.length >= 2 && ev;
    });
    expect(seen[0]).toEqual({
      instance: "lan", interface: "lan", device: "br-lan", vrid: 51, from: "master", to: "backup", priority: 150,
      reason: "resign (planned switchover)", vips: ["198.18.0.1/24"], dhcp: "standby",
    });
    expect(seen[1]).toMatchObject({ from: "backup", to: "master", reason: "master down timer expired", dhcp: "serving" });
    const notified = await waitFor("both as notifications", () => {
      const ev = events(subscribe.lines, "state");
      return ev.length >= 2 && ev;
    });
    expect(notified).toEqual(seen.slice(0, 2));
    expect(r.log).toContain("switchover requested (ubus): lan resign, holding off for 0 s");
  });

  it("reload over ubus takes a new priority live, and refuses a broken file with its errors", async () => {
    const r = new Router(lab);
    r.startUbusd();
    r.startFloatgw();
    await waitFor("master, on ubus", () => r.state() === "master" && r.registered());
    writeFileSync(join(tree, "etc/config/floatgw"), uci({ version: "3", advert_int: "0.1", priority: "120", interface: "lan", dhcp: "1" }));
    const ok = r.ubus("call", "floatgw", "reload");
    expect(JSON.parse(ok.stdout)).toEqual({ instances: ["lan"], warnings: [] });
    expect(r.status()?.instances[0]?.priority.effective).toBe(120);
    writeFileSync(join(tree, "etc/config/floatgw"), uci({ vrid: "300" }));
    const broken = r.ubus("call", "floatgw", "reload");
    expect(broken.status).not.toBe(0);
    expect((JSON.parse(broken.stdout) as { error: string }).error).toMatch(/reload of \/etc\/config\/floatgw rejected; the running instances are unchanged: .*vrid '300'/);
    expect(r.state()).toBe("master");
    expect(r.status()?.instances[0]?.transitions).toHaveLength(2);
  });

  it("an interface tracker follows netifd's network.interface events, as `ubus send` delivers them", async () => {
    const r = new Router(lab);
    writeFileSync(join(tree, "etc/config/floatgw"), uci({ version: "3", advert_int: "0.1", priority: "150", interface: "lan", track: ["wan"] })
      + "\nconfig tracker 'wan'\n\toption type 'interface'\n\toption interface 'wan'\n\toption weight '-50'\n");
    r.startUbusd();
    r.startFloatgw();
    await waitFor("listening", () => r.log.includes("[ubus] listening to network.interface events"));
    // No netifd in this tree: ubusd knows no network.interface.wan, so the tracker starts down.
    const wan = () => r.status()?.trackers.find((t) => t.name === "wan");
    expect(wan()).toMatchObject({ state: "down", detail: "netifd knows no interface wan (no status answer)" });
    const send = (action: string, iface: string) => expect(r.ubus("send", "network.interface", JSON.stringify({ action, interface: iface })).status).toBe(0);
    send("ifup", "wan");
    await waitFor("wan up, priority 150", () => wan()?.state === "up" && r.status()?.instances[0]?.priority.effective === 150);
    expect(wan()?.detail).toBe("wan ifup");
    send("ifdown", "lan");
    send("ifdown", "wan");
    await waitFor("wan down, priority 100", () => wan()?.state === "down" && r.status()?.instances[0]?.priority.effective === 100);
    expect(wan()?.detail).toBe("wan ifdown");
  });

  it("keeps running when ubusd dies, and registers again when it is back", async () => {
    const r = new Router(lab);
    r.startUbusd();
    r.startFloatgw();
    await waitFor("master, on ubus", () => r.state() === "master" && r.registered());
    await r.stopUbusd("SIGKILL");
    const away = await waitFor("the daemon to notice", () => {
      const s = r.status();
      return s?.ubus.state === "unavailable" && s;
    });
    expect(away.ubus.detail).toMatch(/ubusd closed the connection|no ubusd on \/var\/run\/ubus\/ubus.sock/);
    // VRRP goes on without ubus: a switchover now is done, its events are counted as lost.
    const dropped = away.ubus.eventsDropped;
    expect(must(["ip", "netns", "exec", r.ns, "chroot", tree, "/usr/sbin/floatgwd", "switchover", "--hold", "0"])).toContain("resigned vrid 51 lan");
    await waitFor("master again, without ubus", () => {
      const s = r.status();
      return s?.instances[0]?.state === "master" && s.instances[0].counters!.transitions === 4 && s;
    });
    expect(r.status()?.ubus.eventsDropped).toBe(dropped + 2);
    r.startUbusd();
    await waitFor("registered again", () => r.registered(), 30_000);
    expect(r.status()?.ubus).toMatchObject({ state: "registered", detail: null });
    expect(JSON.parse(r.ubus("call", "floatgw", "status").stdout).instances[0].state).toBe("master");
    expect(r.log).toMatch(/warn: \[ubus\] (ubusd closed the connection|connection to ubusd failed).*; trying again/);
    await waitFor("the second registration's log line", () => r.log.match(/registered the object floatgw/g)?.length === 2);
  });

  it("starts without ubusd or its directory, waits without a single connect, and registers as soon as ubusd starts", async () => {
    const r = new Router(lab);
    // As early in a boot as can be: not even ubusd's directory yet.
    rmSync(join(tree, "tmp/run/ubus"), { recursive: true, force: true });
    try {
      r.startFloatgw();
      await waitFor("master without ubus", () => r.state() === "master");
      const s = r.status()!;
      expect(s.ubus).toMatchObject({ state: "unavailable", objectId: null });
      expect(s.ubus.detail).toMatch(/^no ubusd on \/var\/run\/ubus\/ubus.sock: connect: No such file or directory/);
      expect(must(["ip", "netns", "exec", r.ns, "chroot", tree, "/usr/sbin/floatgwd", "status"])).toContain("ubus: not available (no ubusd on /var/run/ubus/ubus.sock");
      // Idle without ubusd: the daemon waits on an inotify watch, it does
      // not poll (it used to try every 8 s).
      const idle = await r.traceUbusConnects();
      await sleep(20_000);
      expect(await idle()).toEqual([]);
      const starting = await r.traceUbusConnects();
      mkdirSync(join(tree, "tmp/run/ubus"));
      r.startUbusd();
      const started = Date.now();
      await waitFor("registered", () => r.registered(), 30_000);
      // Woken by the directory's creation (a look: no socket yet) and by
      // the socket's: one connect each, one more if it met the socket
      // before ubusd listened ("Connection refused", retried after 0.5 s).
      expect(Date.now() - started).toBeLessThan(10_000);
      const connects = await starting();
      expect(connects.length).toBeGreaterThanOrEqual(1);
      expect(connects.length, connects.join("\n")).toBeLessThanOrEqual(3);
      expect(r.log).toMatch(/no ubusd on .*; connecting when it appears, VRRP is not affected/);
      expect(r.log.match(/no ubusd on/g)?.length).toBeLessThanOrEqual(2);
    } finally {
      mkdirSync(join(tree, "tmp/run/ubus"), { recursive: true });
    }
  });

  it("when ubusd stops (its socket removed) it waits without a connect, and registers again when ubusd is back", async () => {
    const r = new Router(lab);
    r.startUbusd();
    r.startFloatgw();
    await waitFor("master, on ubus", () => r.state() === "master" && r.registered());
    await r.stopUbusd("SIGTERM");
    expect(existsSync(join(tree, "tmp/run/ubus/ubus.sock"))).toBe(false);
    await waitFor("the daemon to notice", () => r.status()?.ubus.state === "unavailable");
    // Its one retry after losing the connection finds no socket; then it waits.
    await waitFor("the socket's absence seen", () => /no ubusd on .*No such file or directory/.test(r.status()?.ubus.detail ?? ""));
    const idle = await r.traceUbusConnects();
    await sleep(10_000);
    expect(await idle()).toEqual([]);
    r.startUbusd();
    const started = Date.now();
    await waitFor("registered again", () => r.registered(), 30_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitFor("the second registration's log line", () => r.log.match(/registered the object floatgw/g)?.length === 2);
  });

  it("sends an event byte for byte as OpenWrt's `ubus send` does", async () => {
    // A stand-in ubusd that records what the real ubus CLI writes: the only
    // way to see the client's bytes. It says HELLO and answers STATUS 0.
    const path = join(tree, "tmp/capture.sock");
    rmSync(path, { force: true });
    let server: Server | null = null;
    const written = new Promise<Buffer>((resolve) => {
      server = createServer((c) => {
        let got = Buffer.alloc(0);
        c.write(Buffer.from(encodeMessage({ type: MsgType.hello, seq: 0, peer: 0x1234abcd, attrs: {} })));
        c.on("data", (b: Buffer) => {
          got = Buffer.concat([got, b]);
          if (got.length >= 12 && got.length >= 8 + (got.readUInt32BE(8) & 0xffffff)) {
            c.end(Buffer.from(encodeMessage({ type: MsgType.status, seq: got.readUInt16BE(2), peer: got.readUInt32BE(4), attrs: { status: 0 } })));
            resolve(got);
          }
        });
      }).listen(path);
    });
    try {
      // Asynchronously: this process is the server the CLI talks to.
      const cli = spawn("chroot", [tree, "/bin/ubus", "-s", "/tmp/capture.sock", "send", "test.ev", JSON.stringify(UBUS_SEND_DATA)], { stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => cli.on("exit", resolve));
      const got = await written;
      expect(await exited).toBe(0);
      expect(got.toString("hex")).toBe(UBUS_SEND_CAPTURE);
      const ours = encodeMessage({ type: MsgType.invoke, seq: 1, peer: EVENT_OBJECT_ID, attrs: { objId: EVENT_OBJECT_ID, method: "send", data: { id: "test.ev", data: UBUS_SEND_DATA } } });
      expect(Buffer.from(ours).equals(got)).toBe(true);
    } finally {
      (server as Server | null)?.close();
    }
  });
});
