// Mail alerts without sockets: the message and the SMTP dialog that delivers it.
import { describe, expect, it } from "vitest";
import { type Alert, alertSubject, dataSection, mailDialog } from "../../src/integrations/mail";
import { smtpDialog } from "../../src/track/smtp";
import { talk } from "./helpers";

const ALERT: Alert = {
  router: "gw-a", kind: "instance", name: "lan", about: "vrid 51 on br-lan, 198.18.0.1/24", from: "backup", to: "master",
  priority: "150", reason: "priority 0 from master 198.18.0.3", date: "Sun, 29 Nov 2026 18:18:19 GMT", skipped: 0,
};
const ENVELOPE = { from: "floatgw@gw-a", recipients: ["noc@example.org", "oncall@example.org"], heloName: "gw-a" };

/** Plays the server's side: each reply answers what the client sent last. */
const converse = (replies: string[]) => talk(smtpDialog(mailDialog(ENVELOPE, ALERT), "sent"), replies);

describe("mail alerts", () => {
  it("name the router, the instance, both states, the priority and the reason", () => {
    expect(alertSubject(ALERT)).toBe("[gw-a] floatgw instance lan: BACKUP -> MASTER");
    expect(dataSection(ENVELOPE, ALERT).split("\r\n")).toEqual([
      "Date: Sun, 29 Nov 2026 18:18:19 GMT",
      "From: floatgw@gw-a",
      "To: noc@example.org, oncall@example.org",
      "Subject: [gw-a] floatgw instance lan: BACKUP -> MASTER",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=us-ascii",
      "X-Mailer: floatgw",
      "",
      "floatgw on gw-a: instance lan is now MASTER (was BACKUP).",
      "",
      "router:    gw-a",
      "instance:  lan (vrid 51 on br-lan, 198.18.0.1/24)",
      "state:     BACKUP -> MASTER",
      "priority:  150",
      "reason:    priority 0 from master 198.18.0.3",
      "time:      Sun, 29 Nov 2026 18:18:19 GMT",
      ".",
    ]);
  });

  it("keep to ASCII on one line each, and say how many transitions a flood skipped", () => {
    const text = dataSection(ENVELOPE, { ...ALERT, kind: "sync group", name: "router", about: "members lan, wan", reason: ".hidden\ntrick", router: "gw-ä", skipped: 3 });
    expect(text).toContain("\r\ngroup:     router (members lan, wan)\r\n");
    expect(text).toContain("reason:    .hidden?trick\r\n");
    expect(text).toContain("Subject: [gw-?] floatgw sync group router: BACKUP -> MASTER\r\n");
    expect(text).toContain("\r\n\r\n3 earlier transition(s) of router came too fast to be mailed; this is the newest.\r\n.");
  });

  it("are delivered with HELO, MAIL FROM, one RCPT TO per recipient, DATA and QUIT", () => {
    const r = converse(["220 mx ESMTP\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "251 will forward\r\n", "354 go on\r\n", "250 queued as 1\r\n"]);
    expect(r.sent.map((s) => s.split("\r\n")[0])).toEqual([
      "HELO gw-a", "MAIL FROM:<floatgw@gw-a>", "RCPT TO:<noc@example.org>", "RCPT TO:<oncall@example.org>", "DATA", "Date: Sun, 29 Nov 2026 18:18:19 GMT", "QUIT",
    ]);
    expect(r.sent[5]?.endsWith("\r\n.\r\n")).toBe(true);
    expect(r.result).toMatchObject({ ok: true, detail: "sent" });
  });

  it("fail on a refused recipient, a greylisting server or a close, naming the step", () => {
    expect(converse(["220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "550 no such user\r\n"]).result)
      .toMatchObject({ ok: false, detail: 'SMTP RCPT TO noc@example.org answered "550 no such user"' });
    expect(converse(["421 try later\r\n"]).result.detail).toBe('SMTP banner answered "421 try later"');
    expect(converse(["220 mx\r\n", "250 mx\r\n"]).result.detail).toBe("closed before the SMTP MAIL FROM reply");
  });
});
