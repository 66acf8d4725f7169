// floatgwd --syslog SOCKET (what the init script runs, with /dev/log): every
// line goes to the syslog socket as one RFC 3164 datagram with its real
// severity, facility daemon and one floatgwd[pid] tag, and nothing goes to
// stderr; without a syslog listening, the lines go to stderr. The receiver
// is a unix datagram socket of the test's own (python3), standing where
// OpenWrt's logd listens; logd and logread themselves are tested on the
// booted OpenWrt lab.
import { type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FLOATGWD, Lab, requireBinary } from "./lab";
import { uci, waitFor, withGlobal } from "./routers";

const lab = new Lab();
let dir = "";
afterEach(() => {
  lab.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A namespace with a veth named br-lan, and floatgwd on it. */
function daemon(config: string, syslog: string): { child: ChildProcess; stderr: () => string } {
  const ns = lab.netns("r");
  lab.exec(ns, ["ip", "link", "add", "br-lan", "type", "veth", "peer", "name", "peer0"]);
  for (const l of ["br-lan", "peer0"]) lab.exec(ns, ["ip", "link", "set", l, "up"]);
  lab.exec(ns, ["ip", "addr", "add", "198.18.0.2/24", "dev", "br-lan"]);
  writeFileSync(join(dir, "floatgw"), config);
  let stderr = "";
  const child = lab.start(ns, [requireBinary(FLOATGWD), "run", "--config", join(dir, "floatgw"), "--run-dir", join(dir, "run"),
    "--syslog", syslog]);
  child.stderr?.on("data", (b: Buffer) => (stderr += b.toString()));
  return { child, stderr: () => stderr };
}

const CONFIG = withGlobal(uci({ dhcp: "1", interface: "lan" }), { hotplug: "0" });

describe("floatgwd --syslog", () => {
  it("sends each line as an RFC 3164 datagram with its severity and one floatgwd[pid] tag", async () => {
    dir = mkdtempSync(join(tmpdir(), "fgsyslog-"));
    const socket = join(dir, "log");
    const received = join(dir, "received");
    // One line of JSON per datagram, exactly as it arrived.
    lab.start(lab.netns("log"), ["python3", "-c", `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    while True:
        out.write(json.dumps(s.recv(65536).decode()) + "\\n")
        out.flush()
`, socket, received]);
    await waitFor("the receiver's socket", () => existsSync(socket), 10_000);
    const { child, stderr } = daemon(CONFIG, socket);
    const lines = () => existsSync(received)
      ? readFileSync(received, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as string) : [];
    await waitFor("the running line", () => lines().some((l) => l.includes("running vrid 51")), 20_000);
    // An invalid configuration on reload: refused, with errors.
    writeFileSync(join(dir, "floatgw"), CONFIG.replace("option vrid '51'", "option vrid '300'"));
    child.kill("SIGHUP");
    await waitFor("the refused reload", () => lines().some((l) => l.includes("reload of")), 20_000);
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));

    const pid = child.pid!;
    const all = lines();
    for (const l of all) expect(l).toMatch(new RegExp(`^<(27|28|30|31)>[A-Z][a-z]{2} [ 0-9][0-9] \\d\\d:\\d\\d:\\d\\d floatgwd\\[${pid}\\]: \\S`));
    const withSeverity = (pri: number, text: string) => all.find((l) => l.startsWith(`<${pri}>`) && l.includes(text));
    expect(withSeverity(30, `running vrid 51 on br-lan`)).toBeDefined();
    expect(withSeverity(28, "[leases] dhcp '1' without global.secret")).toBeDefined();
    expect(withSeverity(27, "vrid '300'")).toBeDefined();
    expect(withSeverity(27, "rejected; the running instances are unchanged")).toBeDefined();
    expect(withSeverity(30, "SIGTERM: handing the VIPs over and stopping")).toBeDefined();
    // No second tag or level word in the text: logread shows them once.
    expect(all.filter((l) => /\]: (floatgwd|error:|warn:)/.test(l))).toEqual([]);
    expect(stderr()).toBe("");
  });

  it("writes to stderr when nothing listens at the socket", async () => {
    dir = mkdtempSync(join(tmpdir(), "fgsyslog-"));
    const { child, stderr } = daemon(CONFIG, join(dir, "no-such-socket"));
    await waitFor("the running line on stderr", () => stderr().includes("floatgwd: running vrid 51"), 20_000);
    expect(stderr()).toContain("floatgwd: warn: [leases] dhcp '1' without global.secret");
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));
  });
});
