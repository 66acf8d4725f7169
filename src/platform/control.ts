// [CONTROL] The control channel between `floatgw` (the CLI) and floatgwd: a
// unix datagram socket in the run directory. One JSON request per datagram,
// one JSON reply to the sender's socket file. The CLI only asks; the daemon
// turns requests into events for the core. What the JSON says is the
// control API's (src/daemon/control-api.ts); this is the transport.
import { utf8Bytes, utf8Text } from "../leases/sha256";
import { C, removeFile, setUmask, sys } from "./engine";
import { decodeSockaddr, sockaddrUn } from "./sockaddr";

const MAX_DATAGRAM = 65536;

export class ControlServer {
  readonly fd: number;

  /** The socket file is root's alone (0600), whatever the umask: whoever
   * may write to it may hand the VIPs over. */
  constructor(readonly path: string) {
    this.fd = sys.socket(C.AF_UNIX, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0);
    const umask = setUmask(0o177);
    try {
      sys.bind(this.fd, sockaddrUn(path));
    } catch (e) {
      sys.close(this.fd);
      throw e;
    } finally {
      setUmask(umask);
    }
  }

  /** Hands up to `max` waiting requests to `handle` (with the request's
   * text, or null when it is not UTF-8), which calls `respond` once with
   * the reply, at once or later (a reload); true when that many were (more
   * may wait). */
  serve(handle: (request: string | null, respond: (reply: unknown) => void) => void, max: number): boolean {
    for (let n = 0; n < max; n++) {
      const got = sys.recvmsg(this.fd, MAX_DATAGRAM);
      if (!got) return false;
      const from = got.from;
      handle(textOrNull(new Uint8Array(got.data)), (reply) => this.send(from, reply));
    }
    return true;
  }

  private send(to: ArrayBuffer, reply: unknown): void {
    // An unbound sender's address is the bare family: nowhere to answer.
    if (decodeSockaddr(to).family !== "unix" || to.byteLength <= 2) return;
    let bytes = utf8Bytes(JSON.stringify(reply));
    if (bytes.length > MAX_DATAGRAM)
      bytes = utf8Bytes(JSON.stringify({ ok: false, kind: "refused", error: `the reply of ${bytes.length} bytes is over the control socket's ${MAX_DATAGRAM}; ask over ubus` }));
    try {
      sys.sendto(this.fd, bytes, to);
    } catch {
      // The asker gave up and removed its socket: nobody to tell.
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
export function request(path: string, body: object, timeoutMs: number): unknown {
  const fd = sys.socket(C.AF_UNIX, C.SOCK_DGRAM, 0);
  const replyPath = `${path}.cli-${sys.getpid()}`;
  try {
    removeFile(replyPath);
    sys.bind(fd, sockaddrUn(replyPath));
    sys.sendto(fd, utf8Bytes(JSON.stringify(body)), sockaddrUn(path));
    if (!sys.pollReadable(fd, timeoutMs)) throw new Error(`no answer from floatgwd on ${path} within ${timeoutMs} ms`);
    const got = sys.recvmsg(fd, MAX_DATAGRAM);
    if (!got) throw new Error(`no answer from floatgwd on ${path}`);
    return JSON.parse(utf8Text(new Uint8Array(got.data)));
  } finally {
    sys.close(fd);
    removeFile(replyPath);
  }
}


function textOrNull(bytes: Uint8Array): string | null {
  try {
    return utf8Text(bytes);
  } catch {
    return null;
  }
}
