// Mail alerts (smtp_alert) against a real SMTP server: Debian's aiosmtpd in
// the lab's client namespace stores what it receives in a Maildir, and the
// test reads the mails floatgw sent. A mail server that swallows the
// connection (its SYNs dropped) must delay neither the takeover nor its hook.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { must } from "./lab";
import { type Router, uci, useLab, VIP, waitFor, withGlobal } from "./routers";

const { lab, topology } = useLab();

/** Debian's python3, with aiosmtpd. */
const PYTHON = "/usr/bin/python3";
const FAST = { version: "3", advert_int: "0.1", smtp_alert: "1" };

function mailSettings(router: string, port: string): Record<string, string> {
  return { router_id: router, smtp_server: "198.18.0.100", smtp_port: port, notification_email: "noc@example.org", smtp_connect_timeout: "30" };
}

/** The mails in a Maildir's new/, oldest first. */
function mails(dir: string): string[] {
  const fresh = join(dir, "new");
  if (!existsSync(fresh)) return [];
  return readdirSync(fresh).sort().map((f) => readFileSync(join(fresh, f), "utf8"));
}

function subjects(dir: string): string[] {
  return mails(dir).map((m) => /^Subject: (.*)$/m.exec(m)?.[1] ?? "");
}

describe("mail alerts", () => {
  it("reach a real SMTP server and name the router, the instance, the states, the priority and the reason", async () => {
    const { ns, a, b } = topology();
    const maildir = join(a.dir, "maildir");
    for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(maildir, sub), { recursive: true });
    lab.start(ns.c, [PYTHON, "-m", "aiosmtpd", "-n", "-l", "198.18.0.100:2525", "-c", "aiosmtpd.handlers.Mailbox", maildir]);
    await waitFor("aiosmtpd listening", () => lab.exec(ns.c, ["ss", "-ltn", "sport = :2525"]).stdout.includes("LISTEN"));
    a.startFloatgw(withGlobal(uci({ ...FAST, priority: "150" }), mailSettings("gw-a", "2525")));
    b.startFloatgw(withGlobal(uci({ ...FAST, priority: "100" }), { ...mailSettings("gw-b", "2525"), notification_email_from: "vrrp@gw-b.example.org" }));
    await waitFor("A's mail about its takeover", () => subjects(maildir).includes("[gw-a] floatgw instance lan: BACKUP -> MASTER"));
    await waitFor("B's mail about its start", () => subjects(maildir).includes("[gw-b] floatgw instance lan: INIT -> BACKUP"));
    const mail = mails(maildir).find((m) => m.includes("Subject: [gw-a] floatgw instance lan: BACKUP -> MASTER")) ?? "";
    expect(mail).toMatch(/^From: floatgw@gw-a$/m);
    expect(mail).toMatch(/^To: noc@example.org$/m);
    expect(mail).toContain("floatgw on gw-a: instance lan is now MASTER (was BACKUP).");
    expect(mail).toContain(`instance:  lan (vrid 51 on br-lan, ${VIP}/24)`);
    expect(mail).toContain("priority:  150");
    expect(mail).toMatch(/^reason:    master down timer expired$/m);
    expect(a.status()?.mail).toMatchObject({ sent: 2, failed: 0 });

    // A dies: B's mail says why it took over.
    must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
    await waitFor("B's mail about its takeover", () => mails(maildir).some((m) => m.includes("Subject: [gw-b] floatgw instance lan: BACKUP -> MASTER")));
    const takeover = mails(maildir).find((m) => m.includes("Subject: [gw-b] floatgw instance lan: BACKUP -> MASTER")) ?? "";
    expect(takeover).toMatch(/^reason:    master down timer expired \(last advert from 198\.18\.0\.2\)$/m);
    expect(takeover).toContain("priority:  100");
    expect(takeover).toMatch(/^From: vrrp@gw-b\.example\.org$/m);
  });

  it("a mail server that never answers delays neither the takeover nor its hook", async () => {
    const { ns, a, b } = topology();
    // The mail server's port swallows every SYN: a connect hangs until floatgw's 30 s timeout.
    const rules = join(b.dir, "smtpdrop.nft");
    writeFileSync(rules, "table inet smtpdrop {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 2526 drop\n  }\n}\n");
    must(["ip", "netns", "exec", ns.c, "nft", "-f", rules]);
    const hook = join(b.dir, "hook.sh");
    const ran = join(b.dir, "hook.log");
    writeFileSync(hook, `#!/bin/sh\necho "$ACTION" >> ${ran}\n`);
    chmodSync(hook, 0o755);
    a.startFloatgw(uci({ version: "3", advert_int: "0.1", priority: "150" }));
    b.startFloatgw(withGlobal(uci({ ...FAST, priority: "100" }), { ...mailSettings("gw-b", "2526"), hotplug: hook }));
    await waitFor("A master, B backup", () => a.state() === "master" && b.state() === "backup");
    const pending = (r: Router) => r.status()?.mail;
    expect(pending(b)).toMatchObject({ sending: true, sent: 0, failed: 0 });

    must(["ip", "-n", ns.sw, "link", "set", "pa", "down"]);
    await waitFor("B master with the VIP, its master hook run", () => b.state() === "master" && b.has() && readFileSync(ran, "utf8").includes("master"));
    // The first mail still hangs, the takeover's waits behind it: neither held anything up.
    expect(pending(b)).toMatchObject({ sending: true, waiting: 1, sent: 0, failed: 0 });
  });
});
