// A mail alert (keepalived's smtp_alert) as an SMTP dialog: the message that
// names the router, the instance or group, the states before and after, the
// priority and the reason, and the commands that deliver it. Pure: the
// daemon's mailer (mailer.ts) carries the dialog over TCP.
import type { SmtpStep } from "../track/smtp";

export interface Alert {
  /** `router_id`, or the host name. */
  readonly router: string;
  readonly kind: "instance" | "sync group";
  readonly name: string;
  /** More about it: "vrid 51 on br-lan, 198.18.0.1/24", "members lan, wan". */
  readonly about: string;
  readonly from: string;
  readonly to: string;
  /** "150", or each member's for a group. */
  readonly priority: string;
  readonly reason: string;
  /** RFC 5322 date-time. */
  readonly date: string;
  /** Earlier transitions of the same instance or group that were not mailed (a flood). */
  readonly skipped: number;
}

export interface Envelope {
  readonly from: string;
  readonly recipients: readonly string[];
  readonly heloName: string;
}

/** Mail headers and body are ASCII here: anything else (a host name typed
 * with an accent) becomes "?", rather than a malformed message. */
function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}

export function alertSubject(a: Alert): string {
  return ascii(`[${a.router}] floatgw ${a.kind} ${a.name}: ${a.from.toUpperCase()} -> ${a.to.toUpperCase()}`);
}

export function alertBody(a: Alert): string[] {
  const lines = [
    `floatgw on ${a.router}: ${a.kind} ${a.name} is now ${a.to.toUpperCase()} (was ${a.from.toUpperCase()}).`,
    "",
    `router:    ${a.router}`,
    `${a.kind === "instance" ? "instance: " : "group:    "} ${a.name} (${a.about})`,
    `state:     ${a.from.toUpperCase()} -> ${a.to.toUpperCase()}`,
    `priority:  ${a.priority}`,
    `reason:    ${a.reason}`,
    `time:      ${a.date}`,
  ];
  if (a.skipped > 0) lines.push("", `${a.skipped} earlier transition(s) of ${a.name} came too fast to be mailed; this is the newest.`);
  return lines.map(ascii);
}

/** The message as DATA carries it: CRLF line ends and the final dot. Every
 * line starts with a fixed word, so none starts with a dot that RFC 5321
 * §4.5.2 would have us double. */
export function dataSection(e: Envelope, a: Alert): string {
  const headers = [
    `Date: ${a.date}`,
    `From: ${e.from}`,
    `To: ${e.recipients.join(", ")}`,
    `Subject: ${alertSubject(a)}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "X-Mailer: floatgw",
  ];
  return [...headers, "", ...alertBody(a)].join("\r\n") + "\r\n.";
}

/** HELO, MAIL FROM, one RCPT TO per recipient, DATA and the message. */
export function mailDialog(e: Envelope, a: Alert): SmtpStep[] {
  return [
    { send: null, expect: [220], name: "banner" },
    { send: `HELO ${e.heloName}`, expect: [250], name: "HELO" },
    { send: `MAIL FROM:<${e.from}>`, expect: [250], name: "MAIL FROM" },
    ...e.recipients.map((r) => ({ send: `RCPT TO:<${r}>`, expect: [250, 251], name: `RCPT TO ${r}` })),
    { send: "DATA", expect: [354], name: "DATA" },
    { send: dataSection(e, a), expect: [250], name: "message" },
  ];
}
