// `floatgw check` as a user runs it: the real binary (QuickJS) on a file with
// five different mistakes lists all five, each with section and option.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { FLOATGWD, requireBinary, run } from "../netns/lab";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("floatgw check lists five different mistakes with section and option", () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "fgcheck-"));
  const file = join(dir, "floatgw");
  writeFileSync(file, `config floatgw 'global'
	option enabled 'maybe'

config vip 'lan'
	option device 'br-lan'
	option vrid '300'
	option priority '150'
	option preempt 'sometimes'
	list address '198.18.0.1/24'

config vip 'guest'
	option device 'br-lan'
	option vrid '52'
	option version '2'
	option advert_int '0.5'
	list address '198.18.0.51/24'
	list unicast_peer '198.18.0.51'
`);
  const r = run([FLOATGWD, "check", file]);
  expect(r.status).toBe(1);
  const errors = r.stdout.split("\n").filter((l) => l.includes(": error: "));
  expect(errors).toHaveLength(5);
  for (const [section, option] of [["global", "enabled"], ["vip 'lan'", "vrid"], ["vip 'lan'", "preempt"],
    ["vip 'guest'", "advert_int"], ["vip 'guest'", "unicast_peer"]] as const) {
    expect(errors.filter((l) => l.includes(section) && l.includes(option)), `${section} ${option}\n${r.stdout}`).toHaveLength(1);
  }
});
