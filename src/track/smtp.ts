// keepalived's SMTP_CHECK as a conversation: the server's banner must be a
// 220 reply, the answer to `HELO <name>` a 250; then QUIT, and the check is
// up. Multi-line replies ("220-...") end at the line with a space after the code.

import { latin1Bytes, latin1Text } from "../core/bytes";
import { type Conversation, type Reply, down, up } from "./conversation";

const MAX_REPLY = 4096;

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

export function smtpConversation(heloName: string): Conversation {
  let stage: "banner" | "helo" = "banner";
  let text = "";
  return {
    opening: () => null,
    receive: (bytes): Reply => {
      text += latin1Text(bytes);
      if (text.length > MAX_REPLY) return { send: null, done: down("SMTP reply too long") };
      const code = replyCode(text);
      if (code === null) return { send: null, done: null };
      const first = JSON.stringify(text.split(/\r?\n/)[0] ?? "");
      text = "";
      if (stage === "banner") {
        if (code !== 220) return { send: null, done: down(`SMTP banner ${first}`) };
        stage = "helo";
        return { send: latin1Bytes(`HELO ${heloName}\r\n`), done: null };
      }
      if (code !== 250) return { send: null, done: down(`SMTP HELO answered ${first}`) };
      return { send: latin1Bytes("QUIT\r\n"), done: up("SMTP 220, HELO 250") };
    },
    closed: () => down(stage === "banner" ? "closed before the SMTP banner" : "closed before the HELO reply"),
  };
}
