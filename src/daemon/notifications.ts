// What a transition of an instance or a sync group tells the world besides
// ubus, the hooks and the notify scripts (integrations/hotplug.ts): mail
// alerts. Nothing here waits: mails go out one at a time over non-blocking
// sockets.
import { parseAddr } from "../core/addr";
import type { Role } from "../core/state";
import type { NotifyConfig } from "../config/notify";
import type { GlobalConfig } from "../config/validate";
import { Mailer, type MailSettings } from "../integrations/mailer";
import type { Logger } from "./log";
import type { MailStatus } from "./status-contract";

export interface TransitionNote {
  readonly kind: "instance" | "sync group";
  readonly name: string;
  /** "vrid 51 on br-lan, 198.18.0.1/24", "members lan, wan". */
  readonly about: string;
  readonly from: Role;
  readonly to: Role;
  /** The effective priority, or each member's for a group ("lan 150, wan 150"). */
  readonly priority: string;
  readonly reason: string;
  readonly notify: NotifyConfig;
}

export class Notifications {
  private readonly mailer: Mailer;
  private router = "";

  constructor(private readonly hostname: string, log: (name: string) => Logger, now: () => number) {
    this.mailer = new Mailer(log("mail"), now);
  }

  configure(global: GlobalConfig): void {
    const m = global.mail;
    this.router = m.routerId ?? this.hostname;
    const server = m.server === null ? null : parseAddr(m.server.address);
    const settings: MailSettings | null = server === null || m.recipients.length === 0 ? null : {
      server, port: m.port, timeoutMs: m.timeoutMs,
      from: m.from ?? `floatgw@${this.router}`, recipients: m.recipients, heloName: m.heloName ?? this.router,
    };
    this.mailer.configure(settings);
  }

  transition(n: TransitionNote): void {
    // A stopping daemon sends no mail: it exits before a mail server could answer.
    if (n.notify.smtpAlert && n.to !== "init")
      this.mailer.send(`${n.kind} ${n.name}`, { ...n, router: this.router, date: new Date().toUTCString(), skipped: 0 });
  }

  status(): MailStatus | null {
    return this.mailer.status();
  }

  close(): void {
    this.mailer.close();
  }
}
