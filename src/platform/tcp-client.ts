// One outgoing TCP connection for a probe or a mail, never blocking the
// event loop: a non-blocking connect (bound to a source address or a device
// if asked), then the conversation's bytes both ways until it has its answer.
import { type Addr, formatAddr } from "../core/addr";
import type { Conversation } from "../track/conversation";
import type { ProbeResult } from "../track/poll";
import type { ProbeTarget } from "../track/spec";
import { C, isSyscallError, sys, watchReadable, watchWritable } from "./engine";
import { sockaddrIn, sockaddrIn6 } from "./sockaddr";
import { bindToDevice } from "./sockopt";

function sockaddr(a: Addr, port: number): Uint8Array {
  return a.family === 4 ? sockaddrIn(a.bytes, port) : sockaddrIn6(a.bytes, 0, port);
}

const reason = (e: unknown): string => (isSyscallError(e) ? sys.strerror(e.errno).toLowerCase() : String(e));

/** Connects to `target`:`port` and talks `conversation` (none: connected
 * is up); calls `done` once, unless the returned abort comes first. */
export function tcpConversation(target: ProbeTarget, port: number, conversation: Conversation | null, done: (r: ProbeResult) => void): () => void {
  let fd = -1;
  let finished = false;
  const where = `${target.host.family === 6 ? `[${formatAddr(target.host)}]` : formatAddr(target.host)}:${port}`;
  const close = (): void => {
    if (fd < 0) return;
    watchReadable(fd, null);
    watchWritable(fd, null);
    sys.close(fd);
    fd = -1;
  };
  const finish = (r: ProbeResult): void => {
    if (finished) return;
    finished = true;
    close();
    done(r);
  };
  const send = (bytes: Uint8Array): void => {
    // A probe's few bytes fit any socket buffer; a short write would be a
    // broken peer, which the timeout then reports.
    sys.sendto(fd, bytes, null);
  };
  const readable = (): void => {
    try {
      for (;;) {
        const got = sys.recvmsg(fd, 16384);
        if (got === null) return;
        const bytes = new Uint8Array(got.data);
        if (bytes.length === 0) return finish(conversation?.closed() ?? { ok: true, value: null, detail: "connected" });
        const reply = conversation?.receive(bytes);
        if (reply?.send) send(reply.send);
        if (reply?.done) return finish(reply.done);
      }
    } catch (e) {
      finish({ ok: false, value: null, detail: `${where}: ${reason(e)}` });
    }
  };
  const connected = (): void => {
    watchWritable(fd, null);
    const err = sys.socketError(fd);
    if (err !== 0) return finish({ ok: false, value: null, detail: `${where}: ${sys.strerror(err).toLowerCase()}` });
    if (conversation === null) return finish({ ok: true, value: null, detail: `connected to ${where}` });
    const opening = conversation.opening();
    if (opening) send(opening);
    watchReadable(fd, readable);
  };
  try {
    fd = sys.socket(target.host.family === 4 ? C.AF_INET : C.AF_INET6, C.SOCK_STREAM | C.SOCK_NONBLOCK, C.IPPROTO_TCP);
    if (target.device !== null) bindToDevice(fd, target.device);
    if (target.source !== null) sys.bind(fd, sockaddr(target.source, 0));
    if (sys.connect(fd, sockaddr(target.host, port))) connected();
    else watchWritable(fd, () => {
      try {
        connected();
      } catch (e) {
        finish({ ok: false, value: null, detail: `${where}: ${reason(e)}` });
      }
    });
  } catch (e) {
    finish({ ok: false, value: null, detail: `${where}: ${reason(e)}` });
  }
  return () => {
    finished = true;
    close();
  };
}
