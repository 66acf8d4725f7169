// luci-app-floatgw in a real browser against the real LuCI of a pair of
// OpenWrt 22.03 routers (test/lab/openwrt.mjs): Debian's chromium in the
// lab's client namespace logs into LuCI on both routers and does what a user
// does: sets the pair up with the one-form setup, watches it on the status
// page through a failover, switches it over, changes a priority in the
// settings form. The form is compared field by field with the config schema.
// The tests run in order on one pair, booted once; every page is kept as a
// screenshot in build/test-results/luci/.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { formatScaled } from "../../src/config/values";
import { SECTIONS, type OptionSpec } from "../../src/config/schema";
import { CLIENT, must, ROOT, ROUTERS, type Router, VIP, waitFor } from "../lab/openwrt.mjs";
import { launchInClient, login, open, screenshot, seenInstances, SHOTS, waitForSeen, widget } from "./browser";
import { installPackages } from "./packages";
import { describeOpenWrt, state, status, useOpenWrtLab } from "./lab";

const STATUS = "admin/status/floatgw";
const SETTINGS = "admin/services/floatgw/settings";
const SETUP = "admin/services/floatgw/setup";

/** Save & Apply on the current page, through LuCI's apply with rollback. */
async function saveAndApply(page: Page): Promise<void> {
  await page.click(".cbi-page-actions .cbi-button-apply");
  await page.waitForSelector("text=Configuration changes applied.", { timeout: 120_000 });
  // LuCI reloads the page once the changes are confirmed.
  await page.waitForEvent("load", { timeout: 60_000 });
  await page.waitForSelector("#view > :not(.spinning)", { timeout: 60_000 });
}

function uciShow(r: Router): string {
  return r.must("uci show floatgw");
}

describeOpenWrt("luci-app-floatgw in a browser", () => {
  const env = useOpenWrtLab();
  let browser: Browser;
  const pages: Partial<Record<"a" | "b", Page>> = {};
  const page = (r: "a" | "b"): Page => {
    const p = pages[r];
    if (!p) throw new Error(`no LuCI session on router ${r}`);
    return p;
  };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    for (const r of [env.lab.a, env.lab.b]) installPackages(r);
    browser = await launchInClient(env.lab);
    for (const r of ["a", "b"] as const) {
      const s = await login(browser, ROUTERS[r]);
      pages[r] = s.page;
      s.page.on("pageerror", (e) => pageErrors.push(`${r}: ${e.stack ?? e.message}`));
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("sets up a pair from scratch through the one-form setup on both routers", async () => {
    const { a, b } = env.lab;
    // Both packages, installed by the router's opkg.
    for (const r of [a, b]) for (const p of [/^floatgw - /m, /^luci-app-floatgw - /m]) expect(r.must("opkg list-installed")).toMatch(p);
    let secret = "";
    for (const r of [a, b]) {
      const p = page(r.name);
      await open(p, r.address, SETUP, "#cbi-json-setup");
      const peer = r.name === "a" ? ROUTERS.b : ROUTERS.a;
      await p.fill(widget("cbid.json.setup.address"), `${VIP}/24`);
      await p.fill(widget("cbid.json.setup.peer"), peer);
      await p.selectOption(widget("cbid.json.setup.role"), r.name === "a" ? "primary" : "secondary");
      const secretField = p.locator(widget("cbid.json.setup.secret"));
      if (r.name === "a") {
        // Generated in the browser: 48 hex digits, new on each click.
        secret = await secretField.inputValue();
        expect(secret).toMatch(/^[0-9a-f]{48}$/);
        await p.click("text=Generate a new secret");
        expect(await secretField.inputValue()).not.toBe(secret);
        secret = await secretField.inputValue();
      } else {
        await secretField.fill(secret);
      }
      await screenshot(p, `setup-${r.name}`);
      await saveAndApply(p);
    }
    for (const r of [a, b]) {
      const shown = uciShow(r);
      expect(shown).toContain("floatgw.global.enabled='1'");
      expect(shown).toContain(`floatgw.global.secret='${secret}'`);
      expect(shown).toContain(`floatgw.lan.address='${VIP}/24'`);
      expect(shown).toContain(`floatgw.lan.priority='${r.name === "a" ? 150 : 100}'`);
      expect(shown).toContain(`floatgw.lan.unicast_peer='${r.name === "a" ? ROUTERS.b : ROUTERS.a}'`);
      expect(shown).toContain("floatgw.lan.dhcp='1'");
    }
    await waitFor("A master and B backup", () => state(a) === "master" && state(b) === "backup", 60_000);
  });

  it("shows A master and B backup, with their addresses and priorities, on both routers' status pages", async () => {
    const [pa, pb] = [page("a"), page("b")];
    await open(pa, ROUTERS.a, STATUS, ".floatgw-instance");
    await open(pb, ROUTERS.b, STATUS, ".floatgw-instance");
    const seenA = await waitForSeen(pa, "A master, B alive as backup", (i) => i.state === "master" && i.peer.state === "backup");
    expect(seenA).toMatchObject({
      name: "lan", self: { address: ROUTERS.a, priority: 150 }, peer: { address: ROUTERS.b }, dhcp: "serving",
    });
    expect(seenA.master).toBe(`${ROUTERS.a} (this router)`);
    const seenB = await waitForSeen(pb, "B backup, A master", (i) => i.state === "backup" && i.peer.state === "master");
    expect(seenB).toMatchObject({
      name: "lan", self: { address: ROUTERS.b, priority: 100 }, peer: { address: ROUTERS.a, priority: "150" }, dhcp: "standby",
      master: ROUTERS.a,
    });
    // The timeline: B's last band is backup, A's master.
    expect(await pa.locator(".floatgw-band").last().getAttribute("data-state")).toBe("master");
    expect(await pb.locator(".floatgw-band").last().getAttribute("data-state")).toBe("backup");
    expect(await pa.locator('[data-row="lease-channel"] [data-health]').getAttribute("data-health")).toBe("ok");
    await screenshot(pa, "status-a-master");
    await screenshot(pb, "status-b-backup");

    await open(pa, ROUTERS.a, "admin/status/overview", ".floatgw-state");
    const row = pa.locator('tr[data-instance="lan"]');
    expect(await row.getAttribute("data-state")).toBe("master");
    await screenshot(pa, "overview-a");
  });

  it("sees B become master when A's link is cut, and says that A does not answer", async () => {
    const { lab } = env;
    const [pa, pb] = [page("a"), page("b")];
    await open(pa, ROUTERS.a, STATUS, ".floatgw-instance");
    await open(pb, ROUTERS.b, STATUS, ".floatgw-instance");
    lab.port("a", "down");
    try {
      const seenB = await waitForSeen(pb, "B master", (i) => i.state === "master");
      expect(seenB.master).toBe(`${ROUTERS.b} (this router)`);
      expect(seenB.dhcp).toBe("serving");
      // A's page cannot reach A: it says so and keeps the last answer.
      await pa.waitForSelector(".floatgw-stale:visible", { timeout: 30_000 });
      expect(await pa.locator(".floatgw-stale").innerText()).toContain("No answer from this router");
      expect((await seenInstances(pa))[0]?.state).toBe("master");
      await screenshot(pa, "status-a-unreachable");
      await screenshot(pb, "status-b-master");
    } finally {
      lab.port("a", "up");
    }
    // A comes back, preempts (150 > 100), and its page recovers by itself.
    await waitForSeen(pa, "A master again", (i) => i.state === "master" && i.peer.state === "backup", 60_000);
    await pa.waitForSelector(".floatgw-stale", { state: "hidden", timeout: 30_000 });
    await waitForSeen(pb, "B backup again", (i) => i.state === "backup");
  });

  it("switches over from the master's page with no client probe lost, and the backup's page says it is not the master", async () => {
    const { lab } = env;
    const { a } = lab;
    const [pa, pb] = [page("a"), page("b")];
    await open(pa, ROUTERS.a, STATUS, ".floatgw-switchover");
    await open(pb, ROUTERS.b, STATUS, ".floatgw-instance");
    expect(await pb.locator(".floatgw-switchover").count()).toBe(0);
    expect(await pb.locator(".floatgw-not-master").innerText()).toContain(`The master is ${ROUTERS.a}`);
    const transitionsBefore = status(a)?.instances[0]?.transitions.length ?? 0;

    // 100 probes over 10 s, and ping waits for the last answers itself (a
    // probe in flight when ping is killed would count as lost).
    const log = join(lab.dir, "switchover-ping.log");
    const ping = lab.spawn(["sh", "-c", `exec ip netns exec ${lab.ns.c} ping -D -n -c 100 -i 0.1 -W 1 -I ${CLIENT} ${VIP} > ${log}`]);
    const pingDone = new Promise((r) => ping.on("exit", r));
    await waitFor("the client's first answers", () => existsSync(log) && /icmp_seq=5 /.test(readFileSync(log, "utf8")), 30_000);

    await pa.click(".floatgw-switchover");
    await pa.waitForSelector("#floatgw-hold");
    // Long enough that A does not take the VIP back during the rest of the file.
    await pa.fill("#floatgw-hold", "3600");
    await screenshot(pa, "switchover-confirm");
    await pa.click("#floatgw-confirm");
    // The daemon's answer (or its refusal, in its words) first.
    await pa.waitForSelector(".floatgw-result", { timeout: 60_000 });
    expect(await pa.locator(".floatgw-result").innerText()).toContain("will not take the VIPs back for 3600 s");
    await waitForSeen(pa, "A backup", (i) => i.state === "backup" && i.master === ROUTERS.b);
    await waitForSeen(pb, "B master", (i) => i.state === "master");
    await pingDone;
    const pings = readFileSync(log, "utf8");
    writeFileSync(join(SHOTS, "switchover-ping.log"), pings);
    const probes = JSON.parse(must(["node", join(ROOT, "test/lab/ping-gap.mjs"), log])) as { sent: number; lost: number };
    expect(probes.sent).toBe(100);
    expect(probes.lost, pings).toBe(0);
    expect(status(a)?.instances[0]?.transitions.slice(transitionsBefore).map((t) => `${t.from}->${t.to}`)).toEqual(["master->backup"]);

    expect(await pa.locator(".floatgw-not-master").innerText()).toContain(`The master is ${ROUTERS.b}`);
    await screenshot(pa, "status-a-after-switchover");
  });

  it("changes B's priority in the settings form: uci and the daemon follow, with no transition", async () => {
    const { a, b } = env.lab;
    const pb = page("b");
    const before = { a: status(a)?.instances[0]?.transitions.length, b: status(b)?.instances[0]?.transitions.length };
    await open(pb, ROUTERS.b, SETTINGS, "#cbi-floatgw-lan");
    await pb.fill(widget("cbid.floatgw.lan.priority"), "120");
    await screenshot(pb, "settings-b");
    await saveAndApply(pb);
    expect(uciShow(b)).toContain("floatgw.lan.priority='120'");
    await waitFor("B's daemon at priority 120", () => status(b)?.instances[0]?.priority.effective === 120, 30_000);
    // A hears it in B's adverts.
    await waitFor("A hearing priority 120", () => (status(a)?.instances[0] as { peer?: { priority: number } } | undefined)?.peer?.priority === 120, 30_000);
    expect(status(b)?.instances[0]?.state).toBe("master");
    expect({ a: status(a)?.instances[0]?.transitions.length, b: status(b)?.instances[0]?.transitions.length }).toEqual(before);
    await open(pb, ROUTERS.b, STATUS, ".floatgw-instance");
    expect((await waitForSeen(pb, "priority 120", (i) => i.self.priority === 120)).state).toBe("master");
  });

  it("refuses a session without the ACL luci-app-floatgw; one with it (and LuCI's basic ones) can use every page", async () => {
    const { a } = env.lab;
    // Two more LuCI users (rpcd logins), with LuCI's basic ACLs (its session
    // checks, luci-base, the overview it lands on): one without floatgw's,
    // one with it.
    const basic = ["unauthenticated", "luci-base", "luci-mod-status-index"];
    const hash = a.must("uhttpd -m pw").trim();
    const user = (name: string, acls: string[]): string => [`uci add rpcd login`, `uci set rpcd.@login[-1].username='${name}'`,
      `uci set rpcd.@login[-1].password='${hash}'`,
      ...acls.flatMap((acl) => [`uci add_list rpcd.@login[-1].read='${acl}'`, `uci add_list rpcd.@login[-1].write='${acl}'`])].join("; ");
    a.must(`${user("viewer", basic)}; ${user("operator", [...basic, "luci-app-floatgw"])}; uci commit rpcd; /etc/init.d/rpcd reload`);

    const viewer = await login(browser, ROUTERS.a, "viewer", "pw");
    const asked: string[] = [];
    viewer.page.on("request", (r) => {
      if (r.url().includes("/ubus") && (r.postData() ?? "").includes('"floatgw"')) asked.push(r.postData() ?? "");
    });
    await open(viewer.page, ROUTERS.a, "admin/status/overview");
    await viewer.page.waitForLoadState("networkidle");
    // No floatgw box, and the overview did not even ask floatgw (a denied
    // call makes LuCI 22.03 declare the whole session expired).
    expect(await viewer.page.locator(".floatgw-error, .floatgw-state").count()).toBe(0);
    expect(asked).toEqual([]);
    expect(await viewer.page.locator('a[href$="/admin/status/floatgw"], a[href$="/admin/services/floatgw"]').count()).toBe(0);
    const denied = await viewer.page.evaluate(async () => {
      const L = (globalThis as unknown as { L: { env: { sessionid: string } } }).L;
      const reply = await fetch("/ubus", {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "call", params: [L.env.sessionid, "floatgw", "status", {}] }),
      });
      return reply.json();
    });
    expect(denied).toMatchObject({ error: { code: -32002, message: "Access denied" } });
    // LuCI itself refuses the page (an empty 403).
    expect(await viewer.page.evaluate(async (url) => (await fetch(url)).status, `/cgi-bin/luci/${STATUS}`)).toBe(403);
    await screenshot(viewer.page, "status-without-acl");
    await viewer.context.close();

    const operator = await login(browser, ROUTERS.a, "operator", "pw");
    await open(operator.page, ROUTERS.a, "admin/status/overview", 'tr[data-instance="lan"]');
    await open(operator.page, ROUTERS.a, STATUS, ".floatgw-instance");
    expect((await seenInstances(operator.page))[0]).toMatchObject({ name: "lan", self: { address: ROUTERS.a, priority: 150 } });
    await open(operator.page, ROUTERS.a, SETTINGS, "#cbi-floatgw-lan");
    await open(operator.page, ROUTERS.a, SETUP, "#cbi-json-setup");
    expect(await operator.page.locator(".alert-message.danger, .alert-message.error").count()).toBe(0);
    expect(operator.errors).toEqual([]);
    await operator.context.close();
  });

  it("offers exactly the schema's options, with its types, defaults and ranges", async () => {
    const pa = page("a");
    await open(pa, ROUTERS.a, SETTINGS, "#cbi-floatgw-lan");
    // A new section of every type that may have more than one: every option
    // unset, its fields show the defaults. A single section is the existing one.
    const ids: Record<string, string> = {};
    const set: Record<string, string> = {};
    for (const section of SECTIONS) {
      if (!section.multiple) {
        ids[section.type] = section.conventionalName ?? "";
        continue;
      }
      const id = `probe_${section.type}`;
      ids[section.type] = id;
      // LuCI enables Add on a key press in the name field.
      await pa.locator(`#cbi-floatgw-${section.type} .cbi-section-create input[type=text]`).pressSequentially(id);
      await pa.click(`#cbi-floatgw-${section.type} .cbi-section-create .cbi-button-add`);
      await pa.waitForSelector(`#cbi-floatgw-${id}`);
      // LuCI keeps the form before it adds the next section, and refuses an
      // empty required field: they get a value the schema allows.
      for (const o of section.options.filter((x) => x.required && x.type.kind !== "choice")) {
        const value = probes(o, ids).good[0] ?? "";
        await pa.fill(widget(`cbid.floatgw.${id}.${o.name}`), value);
        if (o.list) await pa.press(widget(`cbid.floatgw.${id}.${o.name}`), "Enter");
        set[`${id}.${o.name}`] = value;
      }
    }
    // Version 2: under it every option of a vip is allowed (auth_pass is v2-only).
    set[`${ids.vip}.version`] = "2";
    await pa.selectOption(widget(`cbid.floatgw.${ids.vip}.version`), "2");
    for (const section of SECTIONS) {
      const id = ids[section.type] ?? "";
      const offered = await pa.$$eval(`#cbi-floatgw-${id} .cbi-value[data-name]`, (els) =>
        els.map((e) => ({ name: e.getAttribute("data-name") ?? "", widget: e.getAttribute("data-widget") ?? "" })));
      expect(offered.map((o) => o.name).sort(), `the fields of ${section.type}`).toEqual(section.options.map((o) => o.name).sort());
      const compare = (o: OptionSpec): Promise<void> => compareField(pa, id, o, offered.find((f) => f.name === o.name)?.widget ?? "",
        section.multiple && set[`${id}.${o.name}`] === undefined, ids);
      for (const o of section.options.filter((x) => x.forTypes === undefined)) await compare(o);
      // Options for some types only (trackers): shown exactly for those.
      const typed = section.options.filter((x) => x.forTypes !== undefined);
      const typeOption = section.options.find((x) => x.name === "type")?.type;
      const compared = new Set<string>();
      for (const t of typeOption?.kind === "choice" && typed.length > 0 ? typeOption.choices : []) {
        await pa.selectOption(widget(`cbid.floatgw.${id}.type`), t);
        for (const o of typed) {
          const hidden = await pa.locator(`.cbi-value[data-field="cbid.floatgw.${id}.${o.name}"]`).evaluate((e) => e.classList.contains("hidden"));
          expect(!hidden, `${id}.${o.name} shown for type ${t}`).toBe(o.forTypes?.includes(t));
          if (!hidden && !compared.has(o.name)) {
            compared.add(o.name);
            await compare(o);
          }
        }
      }
      expect([...compared].sort(), `the fields of ${section.type} for some types`).toEqual(typed.map((o) => o.name).sort());
    }
    await screenshot(pa, "settings-probe");
    expect(pageErrors).toEqual([]);
  });

  it("writes booleans as '1' and '0', never as presence, and only the options that changed", async () => {
    const { a } = env.lab;
    const pa = page("a");
    const transitions = status(a)?.instances[0]?.transitions.length;
    // The vip section the previous test added, still unsaved: made valid, and
    // disabled; the probe sections of other types go.
    for (const section of SECTIONS.filter((x) => x.multiple && x.type !== "vip")) {
      await pa.click(`#cbi-floatgw-${section.type} .cbi-section-remove button[data-section-id="probe_${section.type}"]`);
    }
    await pa.fill(widget("cbid.floatgw.probe_vip.interface"), "lan");
    await pa.fill(widget("cbid.floatgw.probe_vip.vrid"), "52");
    await pa.uncheck(widget("cbid.floatgw.probe_vip.enabled"));
    await pa.uncheck(widget("cbid.floatgw.probe_vip.preempt"));
    await saveAndApply(pa);
    const probe = (): string[] => uciShow(a).split("\n").filter((l) => l.startsWith("floatgw.probe_vip"));
    expect(probe().sort()).toEqual([
      "floatgw.probe_vip=vip", "floatgw.probe_vip.enabled='0'", "floatgw.probe_vip.interface='lan'", "floatgw.probe_vip.vrid='52'",
      "floatgw.probe_vip.version='2'", "floatgw.probe_vip.address='198.18.0.20/24'", "floatgw.probe_vip.preempt='0'",
    ].sort());
    // Back on: written as '1', not removed.
    await open(pa, ROUTERS.a, SETTINGS, "#cbi-floatgw-probe_vip");
    await pa.check(widget("cbid.floatgw.probe_vip.preempt"));
    await saveAndApply(pa);
    expect(probe()).toContain("floatgw.probe_vip.preempt='1'");
    // Deleted through the form.
    await pa.click('#cbi-floatgw-vip .cbi-section-remove button[data-section-id="probe_vip"]');
    await saveAndApply(pa);
    expect(probe()).toEqual([]);
    // A disabled section changed nothing that runs.
    expect(status(a)?.instances.map((i) => i.name)).toEqual(["lan"]);
    expect(status(a)?.instances[0]?.transitions.length).toBe(transitions);
  });
});

/** Values a field of type `o` must accept and refuse, from the schema (and
 * the names of the sections the test added, `ids` by type). */
function probes(o: OptionSpec, ids: Record<string, string>): { good: string[]; bad: string[] } {
  const t = o.type;
  // A string of length n the pattern takes: a name, a path, a number (a table),
  // a number with a mask (a firewall mark), a mail address.
  const shapes = (n: number): string[] => [
    "a".repeat(n), `/${"a".repeat(Math.max(0, n - 1))}`, "1".repeat(n), `${"1".repeat(10)}/${"1".repeat(Math.max(0, n - 11))}`, `${"a".repeat(Math.max(0, n - 2))}@b`,
  ];
  const ofLength = (n: number, pattern: RegExp): string => shapes(n).find((x) => x.length === n && pattern.test(x)) ?? "";
  switch (t.kind) {
    case "integer":
      return { good: [String(t.min), String(t.max)], bad: [String(t.min - 1), String(t.max + 1), "1.5", "x"] };
    case "seconds": {
      // A range that depends on another option (rangeNote) is the daemon's to judge.
      const bounded = o.rangeNote === undefined;
      return {
        good: bounded ? [formatScaled(t.min, t.scale), formatScaled(t.max, t.scale)] : [],
        bad: [...(bounded ? [formatScaled(t.max + 1, t.scale)] : []), "-1", "1s"],
      };
    }
    case "text": {
      // A section named by its type (a route's vip, its sync_group): the test's own, and one that is not there.
      const named = ids[o.name];
      if (named !== undefined) return { good: [named], bad: ["no_such_section"] };
      // The shortest and the longest allowed, and each one character beyond.
      const shortest = ofLength(t.minLength, t.pattern);
      const longest = ofLength(t.maxLength, t.pattern);
      return { good: [shortest, longest], bad: [longest + longest.slice(-1), ...(t.minLength > 1 ? [shortest.slice(0, -1)] : [])] };
    }
    case "cidr":
      // Not the address the ip probes use: a peer may not be a virtual address.
      return { good: ["198.18.0.20/24", "198.18.0.20"], bad: ["198.18.0.20/33", "not-an-address"] };
    case "prefix":
      return { good: ["198.18.64.0/18", "0.0.0.0/0"], bad: ["198.18.64.1/18", "198.18.64.0/33", "not-a-network"] };
    case "ip":
      return { good: ["198.18.0.10", ...(t.loopback === true ? ["127.0.0.1"] : [])], bad: ["198.18.0.10/24", "not-an-address", ...(t.loopback === true ? [] : ["127.0.0.1"])] };
    case "trackRef":
      return { good: [ids.tracker ?? "", `${ids.tracker ?? ""} weight -50 reverse`], bad: ["no_such_tracker", `${ids.tracker ?? ""} weight 300`] };
    case "statusCodes":
      return { good: ["100", "200-299", "599"], bad: ["99", "600", "300-200", "2xx"] };
    case "boolOrPath":
      return { good: ["0", "1", "/usr/bin/true"], bad: ["maybe"] };
    case "bool":
    case "choice":
      return { good: [], bad: [] };
  }
}

/** One field against its option: widget, choices, the values it takes, and
 * the default it shows when the option is unset (`fresh`). */
async function compareField(page: Page, section: string, o: OptionSpec, kind: string, fresh: boolean, ids: Record<string, string>): Promise<void> {
  const where = `${section}.${o.name}`;
  const input = page.locator(widget(`cbid.floatgw.${section}.${o.name}`));
  const t = o.type;
  if (t.kind === "bool") {
    expect(kind, where).toBe("CBI.FlagValue");
    if (fresh) expect(await input.isChecked(), `${where} default`).toBe(o.default === "1");
    return;
  }
  if (t.kind === "choice") {
    expect(kind, where).toBe("CBI.ListValue");
    expect(await input.locator("option").evaluateAll((os) => os.map((x) => (x as unknown as { value: string }).value)), where).toEqual([...t.choices]);
    // No default: the first choice is shown (and written, on save).
    if (fresh) expect(await input.inputValue(), `${where} default`).toBe(o.default ?? t.choices[0]);
    return;
  }
  expect(kind, where).toBe(o.list ? "CBI.DynamicList" : "CBI.Value");
  // For a list, `input` is the field that adds an item.
  if (!o.list && fresh) expect(await input.getAttribute("placeholder"), `${where} default`).toBe(o.default);
  if (o.secret === true) expect(await input.getAttribute("type"), where).toBe("password");
  const { good, bad } = probes(o, ids);
  const values = [...good, ...bad];
  // Typed in the page itself, as a key press does (LuCI validates on keyup),
  // in one round trip for all the values.
  const refused = await input.evaluate((e, vs) => vs.map((v) => {
    const field = e as unknown as { value: string; dispatchEvent(ev: unknown): void; classList: { contains(c: string): boolean } };
    field.value = v;
    field.dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("keyup"));
    return field.classList.contains("cbi-input-invalid");
  }), values);
  const verdict = (r: readonly boolean[]) => values.map((v, i) => `${where} = '${v}' ${r[i] ? "refused" : "accepted"}`);
  expect(verdict(refused)).toEqual(verdict([...good.map(() => false), ...bad.map(() => true)]));
  await input.fill("");
  await input.dispatchEvent("keyup");
}
