// [CONTROL] The control channel between `floatgw` (the CLI) and floatgwd: a
// unix datagram socket in the run directory. One JSON request per datagram,
// one JSON reply to the sender's socket file. The CLI only
// asks; the daemon turns requests into events for the core.
import { C, removeFile, sys } from "./engine";
import { decodeSockaddr, sockaddrUn } from "./sockaddr";
import { utf8Decode, utf8Encode } from "./utf8";

const MAX_DATAGRAM = 65536;

export type Reply = Record<string, unknown>;

export class ControlServer {
  readonly fd: number;

  constructor(readonly path: string) {
    this.fd = sys.socket(C.AF_UNIX, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0);
    try {
      sys.bind(this.fd, sockaddrUn(path));
    } catch (e) {
      sys.close(this.fd);
      throw e;
    }
  }

  /** Answers every waiting request with handle's reply. */
  serve(handle: (request: unknown) => Reply): void {
    for (let got = sys.recvmsg(this.fd, MAX_DATAGRAM); got; got = sys.recvmsg(this.fd, MAX_DATAGRAM)) {
      let reply: Reply;
      try {
        reply = handle(JSON.parse(utf8Decode(new Uint8Array(got.data))));
      } catch (e) {
        reply = { ok: false, error: `bad request: ${e instanceof Error ? e.message : String(e)}` };
      }
      // An unbound sender's address is the bare family: nowhere to answer.
      if (decodeSockaddr(got.from).family !== "unix" || got.from.byteLength <= 2) continue;
      sys.sendto(this.fd, utf8Encode(JSON.stringify(reply)), got.from);
    }
  }

  close(): void {
    sys.close(this.fd);
  }
}

/** Sends one request to the daemon and waits up to timeoutMs for its reply.
 * The reply comes back to a socket file next to the daemon's (not to an
 * abstract address: those are private to a network namespace, and the CLI
 * may run outside the daemon's). */
export function request(path: string, body: Reply, timeoutMs: number): Reply {
  const fd = sys.socket(C.AF_UNIX, C.SOCK_DGRAM, 0);
  const replyPath = `${path}.cli-${sys.getpid()}`;
  try {
    removeFile(replyPath);
    sys.bind(fd, sockaddrUn(replyPath));
    sys.sendto(fd, utf8Encode(JSON.stringify(body)), sockaddrUn(path));
    if (!sys.pollReadable(fd, timeoutMs)) throw new Error(`no answer from floatgwd on ${path} within ${timeoutMs} ms`);
    const got = sys.recvmsg(fd, MAX_DATAGRAM);
    if (!got) throw new Error(`no answer from floatgwd on ${path}`);
    return JSON.parse(utf8Decode(new Uint8Array(got.data))) as Reply;
  } finally {
    sys.close(fd);
    removeFile(replyPath);
  }
}
