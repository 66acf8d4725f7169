// `floatgw import-keepalived` as a user runs it: the real binary (QuickJS),
// its files, streams and exit status.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FLOATGWD, ROOT, requireBinary, run } from "../netns/lab";

let dir = "";
beforeEach(() => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "fgimport-"));
  cpSync(join(ROOT, "test/fixtures/keepalived-import"), dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const importer = (...args: string[]) => run([FLOATGWD, "import-keepalived", ...args]);

describe("floatgw import-keepalived", () => {
  it("prints the configuration on stdout and the report on stderr", () => {
    const r = importer(join(dir, "nginx/a.conf"));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# \/etc\/config\/floatgw, converted from .*\/nginx\/a\.conf/);
    expect(r.stdout).toContain("config vip 'VI_1'");
    expect(r.stdout).not.toMatch(/Summary/);
    expect(r.stderr).toMatch(/^floatgw import-keepalived: .*a\.conf \(keepalived\.conf\)/);
    expect(r.stderr).toMatch(/Summary: 1 vip section and 1 tracker;/);
  });

  it("reads a relative FILE from the current directory, includes and ${_PWD} included", () => {
    const r = spawnSync(FLOATGWD, ["import-keepalived", "keepalived.conf", "--config-id", "gw_b"], { cwd: join(dir, "routers"), encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("option unicast_src '198.18.0.3'");
    expect(r.stderr).toContain(`script "/bin/sh -c 'test ! -e ${join(dir, "routers")}/uplink-down'"`);
  });

  it("writes --write=PATH, keeping each earlier file, and the result passes floatgw check", () => {
    const target = join(dir, "floatgw");
    writeFileSync(target, "# mine\n");
    const first = importer(join(dir, "openwrt/keepalived"), `--write=${target}`);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe("");
    expect(first.stderr).toMatch(/wrote .*floatgw \(the previous file is .*floatgw\.bak\)/);
    expect(readFileSync(`${target}.bak`, "utf8")).toBe("# mine\n");
    expect(importer(join(dir, "openwrt/keepalived"), `--write=${target}`).status).toBe(0);
    expect(readFileSync(`${target}.bak.1`, "utf8")).toBe(readFileSync(target, "utf8"));
    const check = run([FLOATGWD, "check", target]);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/OK, 1 instance/);
  });

  it("never writes over the keepalived configuration it reads", () => {
    const source = join(dir, "routers/conf.d/lan.conf");
    const before = readFileSync(source, "utf8");
    const r = importer(join(dir, "routers/keepalived.conf"), "--config-id", "gw_a", `--write=${source}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to write over/);
    expect(readFileSync(source, "utf8")).toBe(before);
  });

  it("writes nothing and exits 1 when keepalived's configuration has errors", () => {
    writeFileSync(join(dir, "bad.conf"), "vrrp_instance X {\n  interface br-lan\n  priority 300\n}\n");
    const target = join(dir, "out");
    const r = importer(join(dir, "bad.conf"), `--write=${target}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.conf:3: vrrp_instance X > priority 300\n {6}'300' is out of range 1-255/);
    expect(existsSync(target)).toBe(false);
  });

  it("answers --help, and refuses unknown options and a PATH after --write without '='", () => {
    expect(importer("--help").stdout).toMatch(/^usage: floatgwd import-keepalived \[--config-id ID\] \[--write\[=PATH\]\] \[FILE\]\n/);
    const r = importer("--frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --frobnicate .*\nusage: floatgwd import-keepalived/);
    expect(importer(join(dir, "nginx/a.conf"), "--write", join(dir, "out")).status).toBe(2);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
