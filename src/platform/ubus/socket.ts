// [UBUS] ubusd's unix stream socket, non-blocking both ways: reads take what
// is there, writes that the kernel cannot take now wait in a queue that
// drains when the socket is writable. Nothing here ever blocks the daemon.
import { C, sys, watchWritable } from "../engine";
import { sockaddrUn } from "../sockaddr";

const READ_CHUNK = 65536;
/** More than this waiting means ubusd stopped reading: give up on it. */
const MAX_QUEUED = 4 * 1024 * 1024;

export class UbusSocket {
  readonly fd: number;
  private queue: Uint8Array[] = [];
  private queued = 0;

  /** Connects at once or throws the syscall error (ENOENT, ECONNREFUSED:
   * no ubusd; EAGAIN: its backlog is full). */
  constructor(path: string) {
    this.fd = sys.socket(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK, 0);
    try {
      sys.connect(this.fd, sockaddrUn(path));
    } catch (e) {
      sys.close(this.fd);
      throw e;
    }
  }

  /** What has arrived (possibly nothing), and whether ubusd closed its end.
   * A reset connection throws. */
  read(): { data: Uint8Array; closed: boolean } {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const got = sys.recvmsg(this.fd, READ_CHUNK);
      if (!got) return { data: join(chunks, total), closed: false };
      if (got.data.byteLength === 0) return { data: join(chunks, total), closed: true };
      chunks.push(new Uint8Array(got.data));
      total += got.data.byteLength;
    }
  }

  /** Queues bytes and writes what the kernel takes; false when too much is
   * waiting already (the caller should drop the connection). */
  write(bytes: Uint8Array): boolean {
    if (this.queued + bytes.length > MAX_QUEUED) return false;
    this.queue.push(bytes);
    this.queued += bytes.length;
    this.flush();
    return true;
  }

  close(): void {
    watchWritable(this.fd, null);
    sys.close(this.fd);
    this.queue = [];
    this.queued = 0;
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const n = sys.sendto(this.fd, head, null);
      if (n === null) break;
      this.queued -= n;
      if (n < head.length) {
        this.queue[0] = head.subarray(n);
        break;
      }
      this.queue.shift();
    }
    watchWritable(this.fd, this.queue.length > 0 ? () => this.flushOrClose() : null);
  }

  /** From the event loop: a failing write (ubusd gone) drops the queue;
   * the owner's read then sees the end of the connection. */
  private flushOrClose(): void {
    try {
      this.flush();
    } catch {
      watchWritable(this.fd, null);
      this.queue = [];
      this.queued = 0;
    }
  }
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
