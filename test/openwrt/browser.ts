// A real browser for the LuCI tests: Debian's chromium (never a downloaded
// one), driven by playwright-core, running inside a namespace of the
// OpenWrt lab so that it reaches the routers as a client of the LAN does.
// Screenshots go to build/test-results/luci/ (test artifacts, not committed).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type OpenWrtLab, ROOT } from "../lab/openwrt.mjs";

export const CHROMIUM = "/usr/bin/chromium";
/** Headless, and nothing that reaches out to the Internet on its own. */
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
export const SHOTS = resolve(ROOT, "build/test-results/luci");

/** Starts chromium in the lab's client namespace. playwright launches it
 * with a fresh --user-data-dir and talks to it over a pipe; a two-line
 * wrapper enters the namespace first and keeps those descriptors. */
export async function launchInClient(lab: OpenWrtLab): Promise<Browser> {
  const wrapper = join(lab.dir, "chromium-in-client");
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.ns.c} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  return chromium.launch({ executablePath: wrapper, headless: true, args: FLAGS, timeout: 60_000 });
}

/** A new session (its own cookies) logged into LuCI on `host`; throws with
 * LuCI's message when the login is refused. Page errors are collected in
 * `errors` for the test to check. */
export async function login(browser: Browser, host: string, user = "root", password = ""): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.stack ?? e.message));
  await page.goto(`http://${host}/cgi-bin/luci/`);
  await page.fill("#luci_username", user);
  await page.fill("#luci_password", password);
  await Promise.all([page.waitForNavigation(), page.press("#luci_password", "Enter")]);
  if (await page.locator("#luci_password").count()) throw new Error(`LuCI on ${host} refused the login of ${user}: ${await page.locator("body").innerText()}`);
  return { context, page, errors };
}

/** Opens a LuCI page and waits for `ready` to show; if it does not, the
 * error carries what the page shows instead (and a screenshot is kept). */
export async function open(page: Page, host: string, path: string, ready = "#view > :not(.spinning)"): Promise<void> {
  await page.goto(`http://${host}/cgi-bin/luci/${path}`);
  try {
    await page.waitForSelector(ready, { timeout: 30_000 });
  } catch (e) {
    const shot = await screenshot(page, `failed-${host}-${path.replace(/\//g, "_")}`);
    const shown = (await page.locator("body").innerText()).slice(0, 2000);
    throw new Error(`${host}/${path}: no ${ready} after 30 s (${(e as Error).message.split("\n")[0]}); screenshot ${shot}; the page shows:\n${shown}`);
  }
}

/** The control of a LuCI form field by its cbid ("cbid.floatgw.lan.priority"):
 * the text input, select or checkbox; for a list, the input that adds an item. */
export function widget(cbid: string): string {
  return `[id="widget.${cbid}"], [data-widget-id="widget.${cbid}"]`;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** One instance as the status page shows it. */
export interface SeenInstance {
  name: string;
  state: string;
  self: { address: string; priority: number };
  peer: { address: string; state: string | null; priority: string };
  master: string;
  dhcp: string | null;
}

/** What the floatgw status page shows now, read from its markup. */
export function seenInstances(page: Page): Promise<SeenInstance[]> {
  return page.$$eval(".floatgw-instance", (els) => els.map((el) => {
    const cell = (row: string, side: string) => el.querySelector(`tr[data-row="${row}"] td[data-side="${side}"]`);
    const text = (e: { textContent: string | null } | null): string => (e?.textContent ?? "").trim();
    return {
      name: el.getAttribute("data-instance") ?? "",
      state: el.getAttribute("data-state") ?? "",
      self: {
        address: text(cell("address", "self")),
        priority: Number(cell("priority", "self")?.querySelector("[data-effective]")?.getAttribute("data-effective")),
      },
      peer: {
        address: text(cell("address", "peer")),
        state: cell("state", "peer")?.querySelector(".floatgw-state")?.getAttribute("data-state") ?? null,
        priority: text(cell("priority", "peer")),
      },
      master: text(el.querySelector('tr[data-row="master"] td:last-child')),
      dhcp: el.querySelector("[data-dhcp]")?.getAttribute("data-dhcp") ?? null,
    };
  }));
}

/** Waits until the status page shows `want` for its first instance. */
export async function waitForSeen(page: Page, what: string, want: (i: SeenInstance) => boolean, timeoutMs = 30_000): Promise<SeenInstance> {
  const deadline = Date.now() + timeoutMs;
  let last: SeenInstance[] = [];
  for (;;) {
    last = await seenInstances(page);
    const first = last[0];
    if (first && want(first)) return first;
    if (Date.now() > deadline) {
      const shot = await screenshot(page, `failed-${what.replace(/\W+/g, "-")}`);
      const alerts = await page.$$eval(".alert-message", (els) => els.map((e) => (e.textContent ?? "").trim()));
      throw new Error(`timed out after ${timeoutMs} ms waiting for the status page to show ${what}; it shows ${JSON.stringify(last)}, `
        + `with the messages ${JSON.stringify(alerts)} (screenshot ${shot})`);
    }
    await page.waitForTimeout(250);
  }
}
