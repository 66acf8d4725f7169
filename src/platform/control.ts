// [CONTROL] The control channel between `floatgw` (the CLI) and floatgwd: a
// unix datagram socket in the run directory. One JSON request per datagram,
// one JSON reply to the sender's socket file. The CLI only
// asks; the daemon turns requests into events for the core.
import { C, removeFile, setUmask, sys } from "./engine";
import { decodeSockaddr, sockaddrUn } from "./sockaddr";

const MAX_DATAGRAM = 65536;

function utf8Encode(text: string): Uint8Array {
  const bin = unescape(encodeURIComponent(text));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function utf8Decode(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] ?? 0);
  return decodeURIComponent(escape(bin));
}

export type Reply = Record<string, unknown>;

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

  /** Answers up to `max` waiting requests with handle's reply; true when
   * that many were (more may wait). */
  serve(handle: (request: unknown) => Reply, max: number): boolean {
    for (let n = 0; n < max; n++) {
      const got = sys.recvmsg(this.fd, MAX_DATAGRAM);
      if (!got) return false;
      let reply: Reply;
      try {
        reply = handle(JSON.parse(utf8Decode(new Uint8Array(got.data))));
      } catch (e) {
        reply = { ok: false, error: `bad request: ${e instanceof Error ? e.message : String(e)}` };
      }
      // An unbound sender's address is the bare family: nowhere to answer.
      if (decodeSockaddr(got.from).family !== "unix" || got.from.byteLength <= 2) continue;
      try {
        sys.sendto(this.fd, utf8Encode(JSON.stringify(reply)), got.from);
      } catch {
        // The asker gave up and removed its socket: nobody to tell.
      }
    }
    return true;
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
