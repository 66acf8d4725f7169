// The mail alerts' outbox: one SMTP dialog at a time over a non-blocking
// TCP connection, each bounded by smtp_connect_timeout, so a dead or slow
// mail server never delays a transition, a hook or another instance's
// mail by more than the wait for its own turn. As for hooks, only the
// newest state matters: an instance or group has at most one mail waiting,
// and a newer one replaces it (saying how many it replaced).
import type { Addr } from "../core/addr";
import type { Logger } from "../daemon/log";
import type { MailStatus } from "../daemon/status-contract";
import { after } from "../platform/engine";
import { tcpConversation } from "../platform/tcp-client";
import { smtpDialog } from "../track/smtp";
import { type Alert, type Envelope, alertSubject, mailDialog } from "./mail";

export interface MailSettings extends Envelope {
  readonly server: Addr;
  readonly port: number;
  readonly timeoutMs: number;
}

export class Mailer {
  private settings: MailSettings | null = null;
  /** Waiting alerts by instance or group, in the order they are to go. */
  private readonly waiting = new Map<string, Alert>();
  private sending: { readonly key: string; abort: () => void; cancelTimeout: () => void } | null = null;
  private readonly counts = { sent: 0, failed: 0, replaced: 0 };
  private lastError: string | null = null;

  constructor(private readonly log: Logger, private readonly now: () => number) {}

  /** null: no mail goes out (no server or recipient). What is waiting stays for a later configuration. */
  configure(settings: MailSettings | null): void {
    this.settings = settings;
    if (!this.sending) this.next();
  }

  send(key: string, alert: Alert): void {
    if (this.settings === null) return;
    const replaced = this.waiting.get(key);
    if (replaced !== undefined) {
      this.waiting.delete(key);
      this.counts.replaced++;
    }
    this.waiting.set(key, replaced === undefined ? alert : { ...alert, skipped: replaced.skipped + 1 });
    if (!this.sending) this.next();
  }

  private next(): void {
    const s = this.settings;
    const first = this.waiting.entries().next();
    if (s === null || first.done) return;
    const [key, alert] = first.value;
    this.waiting.delete(key);
    const subject = alertSubject(alert);
    const started = this.now();
    const sending = { key, abort: (): void => {}, cancelTimeout: (): void => {} };
    this.sending = sending;
    const finish = (ok: boolean, detail: string): void => {
      if (this.sending !== sending) return;
      sending.cancelTimeout();
      this.sending = null;
      if (ok) {
        this.counts.sent++;
        this.log("info", `mailed "${subject}" to ${s.recipients.join(", ")} in ${Math.round(this.now() - started)} ms`);
      } else {
        this.counts.failed++;
        this.lastError = detail;
        this.log("warn", `mail "${subject}" not sent: ${detail}`);
      }
      // The next mail starts from the event loop, not from inside this socket's handler.
      after(0, () => this.next());
    };
    sending.cancelTimeout = after(s.timeoutMs, () => {
      sending.abort();
      finish(false, `no answer from the mail server within ${s.timeoutMs} ms`);
    });
    const target = { host: s.server, source: null, device: null };
    sending.abort = tcpConversation(target, s.port, smtpDialog(mailDialog(s, alert), "sent"), (r) => finish(r.ok, r.detail));
  }

  status(): MailStatus | null {
    const s = this.settings;
    if (s === null) return null;
    return { ...this.counts, waiting: this.waiting.size, sending: this.sending !== null, lastError: this.lastError };
  }

  close(): void {
    this.sending?.abort();
    this.sending?.cancelTimeout();
    this.sending = null;
  }
}
