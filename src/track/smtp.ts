// SMTP dialogs as conversations (conversation.ts), sans I/O: each step
// sends a command (none for the server's banner) and needs one of the reply
// codes it names to go on; after the last one, QUIT, and the dialog has
// succeeded. keepalived's SMTP_CHECK is the banner (220) and HELO (250); a
// mail alert adds MAIL FROM, RCPT TO, DATA and the message (mail.ts).
// Multi-line replies ("250-...") end at the line with a space after the code.

import { latin1Bytes, latin1Text } from "../core/bytes";
import { type Conversation, type Reply, down, up } from "./conversation";

const MAX_REPLY = 4096;

export interface SmtpStep {
  /** The command, without CRLF; null: wait for the server (its banner). */
  readonly send: string | null;
  /** The reply codes that let the dialog go on. */
  readonly expect: readonly number[];
  /** What the reply answers, for messages: "banner", "HELO", "RCPT TO". */
  readonly name: string;
}

/** The code of the reply in `text` once its last line is in; null until
 * then; -1 for something that is no SMTP reply. */
function replyCode(text: string): number | null {
  const lines = text.split("\n");
  lines.pop(); // the part after the last newline is not a complete line yet
  for (const line of lines) {
    const m = /^(\d{3})([ -])/.exec(line);
    if (m === null) return -1;
    if (m[2] === " ") return Number(m[1]);
  }
  return null;
}

export function smtpDialog(steps: readonly SmtpStep[], success: string): Conversation {
  let at = 0;
  let text = "";
  const command = (i: number): Uint8Array | null => {
    const send = steps[i]?.send;
    return send === null || send === undefined ? null : latin1Bytes(`${send}\r\n`);
  };
  return {
    opening: () => command(0),
    receive: (bytes): Reply => {
      text += latin1Text(bytes);
      if (text.length > MAX_REPLY) return { send: null, done: down("SMTP reply too long") };
      const code = replyCode(text);
      if (code === null) return { send: null, done: null };
      const first = JSON.stringify(text.split(/\r?\n/)[0] ?? "");
      text = "";
      const step = steps[at];
      if (step === undefined || !step.expect.includes(code)) return { send: null, done: down(`SMTP ${step?.name ?? "reply"} answered ${first}`) };
      at++;
      if (at === steps.length) return { send: latin1Bytes("QUIT\r\n"), done: up(success) };
      return { send: command(at), done: null };
    },
    closed: () => down(`closed before the SMTP ${steps[at]?.name ?? ""} reply`),
  };
}

/** keepalived's SMTP_CHECK: a 220 banner, and 250 to HELO. */
export function smtpConversation(heloName: string): Conversation {
  return smtpDialog([{ send: null, expect: [220], name: "banner" }, { send: `HELO ${heloName}`, expect: [250], name: "HELO" }], "SMTP 220, HELO 250");
}
