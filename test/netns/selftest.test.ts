// floatgwd's first program on the real kernel: --version, selftest on a
// bridge in a fresh namespace, and the error paths (unknown interface names
// the failing syscall and errno; unknown command exits 2 with usage).
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { FLOATGWD, Lab, ROOT, requireBinary, run } from "./lab";

const lab = new Lab();
afterEach(() => lab.cleanup());

describe("floatgwd binary", () => {
  it("prints floatgw's version from package.json and the engine's", () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8"));
    const r = run([requireBinary(), "--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`floatgwd ${version} (QuickJS 2021-03-27)`);
  });

  it("opens every socket kind on br-lan in a fresh namespace", () => {
    const ns = lab.netns("r");
    lab.exec(ns, ["ip", "link", "add", "br-lan", "type", "bridge"]);
    lab.exec(ns, ["ip", "link", "set", "br-lan", "up"]);
    const r = lab.exec(ns, [requireBinary(), "selftest", "br-lan"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(true);
    expect(result.ifname).toBe("br-lan");
    const names = result.checks.map((c: { name: string; ok: boolean }) => c.ok && c.name);
    expect(names).toEqual(["ifindex", "vrrp-socket", "netlink", "packet-socket", "recvmsg-into", "monotonic-clock", "getpid"]);
  });

  it("names the failing syscall and errno when the interface does not exist", () => {
    const ns = lab.netns("r");
    const r = lab.exec(ns, [FLOATGWD, "selftest", "nosuch0"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("selftest: ifindex failed: if_nametoindex: No such device (errno 19)");
    expect(JSON.parse(r.stdout).ok).toBe(false);
  });

  it("prints usage and exits 2 on an unknown command", () => {
    const r = run([FLOATGWD, "frobnicate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain("usage: floatgwd");
  });
});
